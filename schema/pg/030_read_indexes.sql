-- 030_read_indexes.sql - two indexes for reads every alert run and
-- dashboard request makes (issue 16, item 4; docs/performance.md, "Reads
-- of every run, by index only"). No table's rows or sums change.
--
-- 1. report (day, id) instead of (day). Which days changed since they
-- were last judged is each day's report count and last report id
-- (store/pg_query_state.c, pg_day_marks): the count comes from
-- roll_report_day, the last id from one seek of this index per day. With
-- (day) alone the planner walked the primary key (id, day) backwards from
-- the newest report until the day matched: 5-9 ms a day of the lookback,
-- 37-53 ms an alert run at 10M reports. The new index serves every read
-- the old one did (day first), so it replaces it: no more to write at
-- ingest than before.
--
-- 2. roll_presence's key covers days. The "not in yet" check reads three
-- 32-day blocks of it (51,500 rows at 500 domains), by summary, alert and
-- every dashboard page; the key had only the names, so each row was a
-- visit to a heap page of its own (the table's rows are updated in place
-- as the days' bits come in). With days in the key's leaves the read is
-- an index-only scan: 23 ms -> 8 ms for those rows. An update that sets a
-- new day's bit now writes a new leaf entry (it was a heap-only update):
-- once per reporter, domain and day, not per report.

-- IF NOT EXISTS: a store the tests rewind to an older version runs this again.
CREATE INDEX IF NOT EXISTS report_day_id ON report (day, id);
DROP INDEX IF EXISTS report_day;

ALTER TABLE roll_presence DROP CONSTRAINT roll_presence_pkey,
	ADD CONSTRAINT roll_presence_pkey PRIMARY KEY (first_day, policy_domain, organization)
	INCLUDE (days);
