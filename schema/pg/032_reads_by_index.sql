-- 032_reads_by_index.sql - the summary's reads by index only (issue 16,
-- item 4; docs/performance.md, "Migration 032"). No table's rows or sums
-- change.
--
-- A summary of a month at 10M reports reads, for each of its two periods,
-- the failure groups of the domains it shows from agg_failure (and
-- agg_failure_month for whole months), and the MX, result type and policy
-- type breakdowns from roll_mx, roll_type and their month tables. Each
-- key held only names, so every row read was a visit to its heap page,
-- and the groups' domain list was a filter over all of the period's rows
-- (53,000 a month, 45,000 of them thrown away).
--
-- agg_failure and agg_failure_month gain a second index, by domain first,
-- with everything the groups' read takes in its leaves: the read seeks
-- each wanted domain's days and never visits the heap. roll_mx, roll_type,
-- roll_failure_month and the month twins carry their figures in their
-- keys' leaves (as 031 did for roll_failure and roll_domain).
--
-- IF NOT EXISTS: a store rewound to an older version (pg_ops.sh) keeps
-- agg_failure and its indexes.
--
-- The cost is at ingest: an update of a figure writes a leaf entry in each
-- of the table's indexes (it could be a heap-only update), once per key a
-- batch touches, not per report.

CREATE INDEX IF NOT EXISTS agg_failure_by_domain ON agg_failure (policy_domain, day)
	INCLUDE (organization, mx_host, result_type, failed_sessions);
CREATE INDEX IF NOT EXISTS agg_failure_month_by_domain ON agg_failure_month (policy_domain, day)
	INCLUDE (organization, mx_host, result_type, failed_sessions);
ALTER TABLE roll_mx DROP CONSTRAINT roll_mx_pkey,
	ADD CONSTRAINT roll_mx_pkey PRIMARY KEY (day, policy_domain, mx_host)
	INCLUDE (failed_sessions);
ALTER TABLE roll_mx_month DROP CONSTRAINT roll_mx_month_pkey,
	ADD CONSTRAINT roll_mx_month_pkey PRIMARY KEY (day, policy_domain, mx_host)
	INCLUDE (failed_sessions);
ALTER TABLE roll_failure_month DROP CONSTRAINT roll_failure_month_pkey,
	ADD CONSTRAINT roll_failure_month_pkey PRIMARY KEY (day, policy_domain, mx_host, result_type)
	INCLUDE (failed_sessions);
ALTER TABLE roll_type DROP CONSTRAINT roll_type_pkey,
	ADD CONSTRAINT roll_type_pkey PRIMARY KEY (day, policy_domain, policy_type)
	INCLUDE (policies, successful_sessions, failed_sessions);
ALTER TABLE roll_type_month DROP CONSTRAINT roll_type_month_pkey,
	ADD CONSTRAINT roll_type_month_pkey PRIMARY KEY (day, policy_domain, policy_type)
	INCLUDE (policies, successful_sessions, failed_sessions);
