-- 013_grafana_views.sql - stable read-only views for dashboards outside
-- tlswatch (Grafana: docs/postgresql.md "Grafana"). They are the only
-- thing a dashboard reads, so that a later change of the tables below
-- changes these definitions, not every panel; schema/pg/013_grafana_views.sql
-- defines the same columns on PostgreSQL, so the same figures come out of
-- either store.
--
-- The figures follow docs/counting.md: they read the aggregate tables
-- (sts and tlsa already combined per report, each session counted once),
-- never policy rows, and failures by MX read agg_mx (once per MX), not a
-- sum of the result-type breakdown. An absent policy domain or MX host
-- ('' in the aggregate keys) is NULL here, as in the summary's JSON.
--
-- day: the UTC day of the reports, as an RFC 3339 text here (SQLite has no
-- timestamp type; Grafana's SQLite data source reads it as a time) and a
-- timestamptz on PostgreSQL.
-- IF NOT EXISTS: a store rewound to an older user_version (the golden
-- tests do that to replay a migration) already holds the views.

-- sessions per day, policy domain and reporting organisation (rules 1-4)
CREATE VIEW IF NOT EXISTS tlswatch_daily AS
SELECT strftime('%Y-%m-%dT%H:%M:%SZ', day * 86400, 'unixepoch') AS day,
	nullif(policy_domain, '') AS policy_domain,
	organization,
	reports,
	successful_sessions,
	failed_sessions
FROM agg_domain;

-- failed sessions of the failure details per day, domain, organisation,
-- MX host and result type (the breakdown rule)
CREATE VIEW IF NOT EXISTS tlswatch_failures AS
SELECT strftime('%Y-%m-%dT%H:%M:%SZ', day * 86400, 'unixepoch') AS day,
	nullif(policy_domain, '') AS policy_domain,
	organization,
	nullif(mx_host, '') AS mx_host,
	result_type,
	failed_sessions
FROM agg_failure;

-- failed sessions per day, domain, organisation and MX host, counted once
-- per MX: the only right source for failures by MX
CREATE VIEW IF NOT EXISTS tlswatch_mx_failures AS
SELECT strftime('%Y-%m-%dT%H:%M:%SZ', day * 86400, 'unixepoch') AS day,
	nullif(policy_domain, '') AS policy_domain,
	organization,
	nullif(mx_host, '') AS mx_host,
	failed_sessions
FROM agg_mx;

-- one row per stored report: its count-once totals, the policy domains it
-- names (sorted, ", " between), where it came from (file, mail, imap,
-- intake). start_time and end_time: the report's date-range, as day is.
CREATE VIEW IF NOT EXISTS tlswatch_reports AS
SELECT r.id,
	strftime('%Y-%m-%dT%H:%M:%SZ', r.day * 86400, 'unixepoch') AS day,
	r.organization,
	r.report_id,
	strftime('%Y-%m-%dT%H:%M:%SZ', r.start_time, 'unixepoch') AS start_time,
	strftime('%Y-%m-%dT%H:%M:%SZ', r.end_time, 'unixepoch') AS end_time,
	(SELECT group_concat(d, ', ') FROM (SELECT DISTINCT policy_domain AS d FROM policy
		WHERE report = r.id AND policy_domain IS NOT NULL ORDER BY d)) AS domains,
	r.successful_sessions,
	r.failed_sessions,
	r.provenance
FROM report r;
