-- 013_grafana_views.sql - stable read-only views for dashboards outside
-- tlswatch: the only thing Grafana reads (docs/postgresql.md "Grafana",
-- docs/grafana/tlswatch-postgresql.json), and the only thing its role may
-- read. A later change of the tables below changes these definitions, not
-- every panel. The same columns as schema/013_grafana_views.sql (SQLite),
-- so both stores give the same figures.
--
-- Built on the tables of 007_baseline.sql only. The figures follow
-- docs/counting.md: they read the aggregate tables (sts and tlsa combined
-- per report, each session counted once), never policy rows, and failures
-- by MX read agg_mx (once per MX), not a sum of the result-type breakdown.
-- An absent policy domain or MX host ('' in the aggregate keys) is NULL
-- here, as in the summary's JSON. day, start_time, end_time: timestamptz
-- (UTC), the time column Grafana's $__timeFilter and $__timeGroup expect.
-- The views run with their owner's rights (the writer role), so a role
-- granted SELECT on them alone reads nothing else (docs/postgresql.md,
-- "The read-only role"). A later migration that changes a view keeps its
-- columns and uses CREATE OR REPLACE VIEW: a dropped view loses its grants.

-- sessions per day, policy domain and reporting organisation (rules 1-4)
CREATE OR REPLACE VIEW tlswatch_daily AS
SELECT to_timestamp(day * 86400) AS day,
	nullif(policy_domain, '') AS policy_domain,
	organization,
	reports,
	successful_sessions,
	failed_sessions
FROM agg_domain;

-- failed sessions of the failure details per day, domain, organisation,
-- MX host and result type (the breakdown rule)
CREATE OR REPLACE VIEW tlswatch_failures AS
SELECT to_timestamp(day * 86400) AS day,
	nullif(policy_domain, '') AS policy_domain,
	organization,
	nullif(mx_host, '') AS mx_host,
	result_type,
	failed_sessions
FROM agg_failure;

-- failed sessions per day, domain, organisation and MX host, counted once
-- per MX: the only right source for failures by MX
CREATE OR REPLACE VIEW tlswatch_mx_failures AS
SELECT to_timestamp(day * 86400) AS day,
	nullif(policy_domain, '') AS policy_domain,
	organization,
	nullif(mx_host, '') AS mx_host,
	failed_sessions
FROM agg_mx;

-- one row per stored report: its count-once totals, the policy domains it
-- names (sorted bytewise, ", " between), where it came from (file, mail,
-- imap, intake), its date-range
CREATE OR REPLACE VIEW tlswatch_reports AS
SELECT r.id,
	to_timestamp(r.day * 86400) AS day,
	r.organization,
	r.report_id,
	to_timestamp(r.start_time) AS start_time,
	to_timestamp(r.end_time) AS end_time,
	(SELECT string_agg(DISTINCT p.policy_domain, ', ' ORDER BY p.policy_domain)
		FROM policy p WHERE p.report = r.id) AS domains,
	r.successful_sessions,
	r.failed_sessions,
	r.provenance
FROM report r;

-- The reports panel asks for the newest reports of a time range
-- (WHERE day BETWEEN ... ORDER BY day DESC, id DESC LIMIT 500). day above
-- is an expression, which the index on report(day) cannot serve: this one
-- lets PostgreSQL walk the range backwards and stop at the limit instead
-- of listing the policy domains of every report in the range first
-- (157,085 reports, a 30-day range: 3.7 s -> 23 ms; docs/postgresql.md).
-- to_timestamp(double precision) is immutable, so it may be indexed.
CREATE INDEX IF NOT EXISTS report_day_time ON report ((to_timestamp(day * 86400)), id);
