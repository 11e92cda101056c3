-- 024_grafana_rollup_views.sql - the views of
-- schema/pg/024_grafana_rollup_views.sql on SQLite: Grafana's panels that
-- do not split or filter by reporter read the per-day roll-ups of 012
-- (sums across reporters, exact, checked by 'db check') instead of
-- summing agg_* rows (the reasons are in the PostgreSQL file). The same
-- columns as there, day as RFC 3339 text as in 013.
-- IF NOT EXISTS: a store rewound to an older user_version already holds
-- them (013 says why).

-- sessions per day and policy domain, all reporters
CREATE VIEW IF NOT EXISTS tlswatch_daily_by_domain AS
SELECT strftime('%Y-%m-%dT%H:%M:%SZ', day * 86400, 'unixepoch') AS day,
	nullif(policy_domain, '') AS policy_domain,
	reports,
	successful_sessions,
	failed_sessions
FROM roll_domain;

-- sessions per day and reporting organisation, all policy domains
CREATE VIEW IF NOT EXISTS tlswatch_daily_by_reporter AS
SELECT strftime('%Y-%m-%dT%H:%M:%SZ', day * 86400, 'unixepoch') AS day,
	organization,
	reports,
	successful_sessions,
	failed_sessions
FROM roll_org;

-- failed sessions per day, domain, MX host and result type, all reporters
CREATE VIEW IF NOT EXISTS tlswatch_failures_by_domain AS
SELECT strftime('%Y-%m-%dT%H:%M:%SZ', day * 86400, 'unixepoch') AS day,
	nullif(policy_domain, '') AS policy_domain,
	nullif(mx_host, '') AS mx_host,
	result_type,
	failed_sessions
FROM roll_failure;

-- failed sessions per day, domain and MX host (once per MX), all reporters
CREATE VIEW IF NOT EXISTS tlswatch_mx_failures_by_domain AS
SELECT strftime('%Y-%m-%dT%H:%M:%SZ', day * 86400, 'unixepoch') AS day,
	nullif(policy_domain, '') AS policy_domain,
	nullif(mx_host, '') AS mx_host,
	failed_sessions
FROM roll_mx;
