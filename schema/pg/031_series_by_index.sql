-- 031_series_by_index.sql - the alert series and the domain series by
-- index only (issue 16, item 4; docs/performance.md, "The series by index
-- only"). No table's rows or sums change.
--
-- Every alert run and every dashboard overview reads the lookback's days
-- (31 at the defaults) of roll_failure, each row of failures per day,
-- domain, MX and result type (42,000 rows at 10M reports), and of
-- roll_domain (15,500). The keys held only the names, so each row was a
-- visit to its heap page: roll_failure's 42,000 rows took 27 ms to scan
-- on the server, 42 ms sent. With the figures read in the keys' leaves
-- the reads are index-only scans: 12 ms, 21 ms sent.
--
-- The cost is at ingest: an update of a figure now writes a new leaf
-- entry (it could be a heap-only update), once per key a batch touches,
-- not per report.

ALTER TABLE roll_failure DROP CONSTRAINT roll_failure_pkey,
	ADD CONSTRAINT roll_failure_pkey PRIMARY KEY (day, policy_domain, mx_host, result_type)
	INCLUDE (failed_sessions);
ALTER TABLE roll_domain DROP CONSTRAINT roll_domain_pkey,
	ADD CONSTRAINT roll_domain_pkey PRIMARY KEY (day, policy_domain)
	INCLUDE (reports, successful_sessions, failed_sessions);
