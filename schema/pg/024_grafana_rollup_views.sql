-- 024_grafana_rollup_views.sql - Grafana's views on the roll-ups. The
-- views of 013 sum agg_* rows, one per day, domain and reporter: a year's
-- panel at a provider's scale (10M reports) reads millions of them. When a
-- panel does not split or filter by reporter, the sums across reporters
-- are already kept per day in the roll-ups of 012 (roll_domain, roll_org,
-- roll_failure, roll_mx: exact sums of agg_*, kept in the same
-- transaction, checked by 'db check'); these views read them, with the
-- columns of the 013 views less organization. The 013 views stay as they
-- are for dashboards that read them; docs/grafana/tlswatch-postgresql.json
-- reads these when "All" reporters are selected (docs/postgresql.md,
-- "Grafana"). schema/024_grafana_rollup_views.sql: the same on SQLite.

-- sessions per day and policy domain, all reporters
CREATE OR REPLACE VIEW tlswatch_daily_by_domain AS
SELECT to_timestamp(day * 86400) AS day,
	nullif(policy_domain, '') AS policy_domain,
	reports,
	successful_sessions,
	failed_sessions
FROM roll_domain;

-- sessions per day and reporting organisation, all policy domains
CREATE OR REPLACE VIEW tlswatch_daily_by_reporter AS
SELECT to_timestamp(day * 86400) AS day,
	organization,
	reports,
	successful_sessions,
	failed_sessions
FROM roll_org;

-- failed sessions per day, domain, MX host and result type, all reporters
CREATE OR REPLACE VIEW tlswatch_failures_by_domain AS
SELECT to_timestamp(day * 86400) AS day,
	nullif(policy_domain, '') AS policy_domain,
	nullif(mx_host, '') AS mx_host,
	result_type,
	failed_sessions
FROM roll_failure;

-- failed sessions per day, domain and MX host (once per MX), all reporters
CREATE OR REPLACE VIEW tlswatch_mx_failures_by_domain AS
SELECT to_timestamp(day * 86400) AS day,
	nullif(policy_domain, '') AS policy_domain,
	nullif(mx_host, '') AS mx_host,
	failed_sessions
FROM roll_mx;

-- A panel filters on day, an expression the primary keys (day first)
-- cannot serve: as report_day_time of 013, these let a panel of the last
-- days read those days, not the whole table. The expression depends on
-- day alone, which a roll-up update never changes, so the triggers'
-- updates stay HOT and only a new roll-up row writes the index.
CREATE INDEX IF NOT EXISTS roll_domain_time ON roll_domain ((to_timestamp(day * 86400)));
CREATE INDEX IF NOT EXISTS roll_org_time ON roll_org ((to_timestamp(day * 86400)));
CREATE INDEX IF NOT EXISTS roll_failure_time ON roll_failure ((to_timestamp(day * 86400)));
CREATE INDEX IF NOT EXISTS roll_mx_time ON roll_mx ((to_timestamp(day * 86400)));

-- Whoever may read the 013 views (the read-only grafana role of
-- docs/postgresql.md, under whatever name) may read these: an upgraded
-- store's dashboard works without a new GRANT. The views are ours, so we
-- may grant on them (regrole's text is the name, quoted where it must be).
DO $$
DECLARE
	g record;
BEGIN
	FOR g IN SELECT DISTINCT a.grantee
		FROM pg_class c, aclexplode(c.relacl) a
		WHERE c.oid = 'tlswatch_daily'::regclass AND a.privilege_type = 'SELECT'
			AND a.grantee <> c.relowner
	LOOP
		EXECUTE format('GRANT SELECT ON tlswatch_daily_by_domain, tlswatch_daily_by_reporter, '
			'tlswatch_failures_by_domain, tlswatch_mx_failures_by_domain TO %s',
			CASE WHEN g.grantee = 0 THEN 'PUBLIC' ELSE g.grantee::regrole::text END);
	END LOOP;
END;
$$;
