-- 026_month_rollups.sql - the PostgreSQL twin of schema/021_month_rollups.sql:
-- per-month roll-ups, so that a long period costs months x series, not
-- days x series (docs/performance.md, issue 16, "Month roll-ups on
-- PostgreSQL"). The same tables as SQLite's 021 (what each holds is said
-- there): each <table>_month is a day-level roll-up of 012 (for
-- agg_failure_month, agg_failure itself: the failure breakdown is keyed by
-- organization) summed over the days of a month, day the month's first
-- day as a day number; roll_day is agg_domain summed per day. Each is a
-- plain sum of agg_* rows, n_rows the agg rows summed into a row, which
-- goes when it reaches 0.
--
-- Statement-level triggers on agg_* keep them, as 017's keep the day
-- roll-ups: in the same transaction as whatever writes an aggregate row
-- (ingest, a conflict pick, prune, recount), each statement's changes
-- summed per key and added in key order (two writers lock the rows they
-- share in the same order), the emptied rows deleted after. The pruned
-- days' agg_*_pruned rows are not per day: no month table sums them.
-- 'tlswatch db check' compares the tables with their sums and 'db check
-- --repair' and 'db copy' refill them (store/rollup_month.c).
--
-- Readers split a period with rollup_month_spans (store/pg_query.c);
-- TLSWATCH_NO_MONTH_ROLLUPS=1 reads the day tables instead.

-- The first day of day d's month, as a day number: inlined by the planner
-- (018's tlswatch_month_first is a query, run per row).
CREATE OR REPLACE FUNCTION tlswatch_month_of(d bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT d + 1 - extract(day FROM DATE '1970-01-01' + d::int)::bigint
$$;

CREATE TABLE IF NOT EXISTS roll_day (
	day bigint NOT NULL,
	n_rows bigint NOT NULL,
	reports bigint NOT NULL,
	successful_sessions bigint NOT NULL,
	failed_sessions bigint NOT NULL,
	PRIMARY KEY (day)
);
CREATE TABLE IF NOT EXISTS roll_domain_month (
	day bigint NOT NULL,
	policy_domain text COLLATE "C" NOT NULL,
	n_rows bigint NOT NULL,
	reports bigint NOT NULL,
	successful_sessions bigint NOT NULL,
	failed_sessions bigint NOT NULL,
	PRIMARY KEY (day, policy_domain)
);
CREATE TABLE IF NOT EXISTS roll_org_month (
	day bigint NOT NULL,
	organization text COLLATE "C" NOT NULL,
	n_rows bigint NOT NULL,
	reports bigint NOT NULL,
	successful_sessions bigint NOT NULL,
	failed_sessions bigint NOT NULL,
	PRIMARY KEY (day, organization)
);
CREATE TABLE IF NOT EXISTS roll_failure_month (
	day bigint NOT NULL,
	policy_domain text COLLATE "C" NOT NULL,
	mx_host text COLLATE "C" NOT NULL,
	result_type text COLLATE "C" NOT NULL,
	n_rows bigint NOT NULL,
	failed_sessions bigint NOT NULL,
	PRIMARY KEY (day, policy_domain, mx_host, result_type)
);
CREATE TABLE IF NOT EXISTS agg_failure_month (
	day bigint NOT NULL,
	policy_domain text COLLATE "C" NOT NULL,
	organization text COLLATE "C" NOT NULL,
	mx_host text COLLATE "C" NOT NULL,
	result_type text COLLATE "C" NOT NULL,
	n_rows bigint NOT NULL,
	failed_sessions bigint NOT NULL,
	PRIMARY KEY (day, policy_domain, organization, mx_host, result_type)
);
CREATE TABLE IF NOT EXISTS roll_mx_month (
	day bigint NOT NULL,
	policy_domain text COLLATE "C" NOT NULL,
	mx_host text COLLATE "C" NOT NULL,
	n_rows bigint NOT NULL,
	failed_sessions bigint NOT NULL,
	PRIMARY KEY (day, policy_domain, mx_host)
);
CREATE TABLE IF NOT EXISTS roll_type_month (
	day bigint NOT NULL,
	policy_domain text COLLATE "C" NOT NULL,
	policy_type text COLLATE "C" NOT NULL,
	n_rows bigint NOT NULL,
	policies bigint NOT NULL,
	successful_sessions bigint NOT NULL,
	failed_sessions bigint NOT NULL,
	PRIMARY KEY (day, policy_domain, policy_type)
);
-- agg_domain -> roll_day, roll_domain_month, roll_org_month
CREATE OR REPLACE FUNCTION tlswatch_month_agg_domain() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		INSERT INTO roll_day AS t (day, n_rows, reports, successful_sessions, failed_sessions)
			SELECT day, sum(n_rows)::bigint, sum(reports)::bigint, sum(successful_sessions)::bigint, sum(failed_sessions)::bigint FROM (SELECT day, 1 AS n_rows, reports, successful_sessions, failed_sessions FROM n) AS c GROUP BY 1 ORDER BY 1
			ON CONFLICT (day) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, reports = t.reports + excluded.reports, successful_sessions = t.successful_sessions + excluded.successful_sessions, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		INSERT INTO roll_domain_month AS t (day, policy_domain, n_rows, reports, successful_sessions, failed_sessions)
			SELECT day, policy_domain, sum(n_rows)::bigint, sum(reports)::bigint, sum(successful_sessions)::bigint, sum(failed_sessions)::bigint FROM (SELECT tlswatch_month_of(day) AS day, policy_domain, 1 AS n_rows, reports, successful_sessions, failed_sessions FROM n) AS c GROUP BY 1, 2 ORDER BY 1, 2
			ON CONFLICT (day, policy_domain) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, reports = t.reports + excluded.reports, successful_sessions = t.successful_sessions + excluded.successful_sessions, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		INSERT INTO roll_org_month AS t (day, organization, n_rows, reports, successful_sessions, failed_sessions)
			SELECT day, organization, sum(n_rows)::bigint, sum(reports)::bigint, sum(successful_sessions)::bigint, sum(failed_sessions)::bigint FROM (SELECT tlswatch_month_of(day) AS day, organization, 1 AS n_rows, reports, successful_sessions, failed_sessions FROM n) AS c GROUP BY 1, 2 ORDER BY 1, 2
			ON CONFLICT (day, organization) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, reports = t.reports + excluded.reports, successful_sessions = t.successful_sessions + excluded.successful_sessions, failed_sessions = t.failed_sessions + excluded.failed_sessions;
	ELSIF TG_OP = 'UPDATE' THEN
		INSERT INTO roll_day AS t (day, n_rows, reports, successful_sessions, failed_sessions)
			SELECT day, sum(n_rows)::bigint, sum(reports)::bigint, sum(successful_sessions)::bigint, sum(failed_sessions)::bigint FROM (SELECT day, 1 AS n_rows, reports, successful_sessions, failed_sessions FROM n UNION ALL SELECT day, -1 AS n_rows, -reports AS reports, -successful_sessions AS successful_sessions, -failed_sessions AS failed_sessions FROM o) AS c GROUP BY 1 ORDER BY 1
			ON CONFLICT (day) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, reports = t.reports + excluded.reports, successful_sessions = t.successful_sessions + excluded.successful_sessions, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		INSERT INTO roll_domain_month AS t (day, policy_domain, n_rows, reports, successful_sessions, failed_sessions)
			SELECT day, policy_domain, sum(n_rows)::bigint, sum(reports)::bigint, sum(successful_sessions)::bigint, sum(failed_sessions)::bigint FROM (SELECT tlswatch_month_of(day) AS day, policy_domain, 1 AS n_rows, reports, successful_sessions, failed_sessions FROM n UNION ALL SELECT tlswatch_month_of(day) AS day, policy_domain, -1 AS n_rows, -reports AS reports, -successful_sessions AS successful_sessions, -failed_sessions AS failed_sessions FROM o) AS c GROUP BY 1, 2 ORDER BY 1, 2
			ON CONFLICT (day, policy_domain) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, reports = t.reports + excluded.reports, successful_sessions = t.successful_sessions + excluded.successful_sessions, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		INSERT INTO roll_org_month AS t (day, organization, n_rows, reports, successful_sessions, failed_sessions)
			SELECT day, organization, sum(n_rows)::bigint, sum(reports)::bigint, sum(successful_sessions)::bigint, sum(failed_sessions)::bigint FROM (SELECT tlswatch_month_of(day) AS day, organization, 1 AS n_rows, reports, successful_sessions, failed_sessions FROM n UNION ALL SELECT tlswatch_month_of(day) AS day, organization, -1 AS n_rows, -reports AS reports, -successful_sessions AS successful_sessions, -failed_sessions AS failed_sessions FROM o) AS c GROUP BY 1, 2 ORDER BY 1, 2
			ON CONFLICT (day, organization) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, reports = t.reports + excluded.reports, successful_sessions = t.successful_sessions + excluded.successful_sessions, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		DELETE FROM roll_day AS t WHERE (t.day) IN (SELECT day FROM o) AND t.n_rows <= 0;
		DELETE FROM roll_domain_month AS t WHERE (t.day, t.policy_domain) IN (SELECT tlswatch_month_of(day), policy_domain FROM o) AND t.n_rows <= 0;
		DELETE FROM roll_org_month AS t WHERE (t.day, t.organization) IN (SELECT tlswatch_month_of(day), organization FROM o) AND t.n_rows <= 0;
	ELSE
		INSERT INTO roll_day AS t (day, n_rows, reports, successful_sessions, failed_sessions)
			SELECT day, sum(n_rows)::bigint, sum(reports)::bigint, sum(successful_sessions)::bigint, sum(failed_sessions)::bigint FROM (SELECT day, -1 AS n_rows, -reports AS reports, -successful_sessions AS successful_sessions, -failed_sessions AS failed_sessions FROM o) AS c GROUP BY 1 ORDER BY 1
			ON CONFLICT (day) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, reports = t.reports + excluded.reports, successful_sessions = t.successful_sessions + excluded.successful_sessions, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		INSERT INTO roll_domain_month AS t (day, policy_domain, n_rows, reports, successful_sessions, failed_sessions)
			SELECT day, policy_domain, sum(n_rows)::bigint, sum(reports)::bigint, sum(successful_sessions)::bigint, sum(failed_sessions)::bigint FROM (SELECT tlswatch_month_of(day) AS day, policy_domain, -1 AS n_rows, -reports AS reports, -successful_sessions AS successful_sessions, -failed_sessions AS failed_sessions FROM o) AS c GROUP BY 1, 2 ORDER BY 1, 2
			ON CONFLICT (day, policy_domain) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, reports = t.reports + excluded.reports, successful_sessions = t.successful_sessions + excluded.successful_sessions, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		INSERT INTO roll_org_month AS t (day, organization, n_rows, reports, successful_sessions, failed_sessions)
			SELECT day, organization, sum(n_rows)::bigint, sum(reports)::bigint, sum(successful_sessions)::bigint, sum(failed_sessions)::bigint FROM (SELECT tlswatch_month_of(day) AS day, organization, -1 AS n_rows, -reports AS reports, -successful_sessions AS successful_sessions, -failed_sessions AS failed_sessions FROM o) AS c GROUP BY 1, 2 ORDER BY 1, 2
			ON CONFLICT (day, organization) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, reports = t.reports + excluded.reports, successful_sessions = t.successful_sessions + excluded.successful_sessions, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		DELETE FROM roll_day AS t WHERE (t.day) IN (SELECT day FROM o) AND t.n_rows <= 0;
		DELETE FROM roll_domain_month AS t WHERE (t.day, t.policy_domain) IN (SELECT tlswatch_month_of(day), policy_domain FROM o) AND t.n_rows <= 0;
		DELETE FROM roll_org_month AS t WHERE (t.day, t.organization) IN (SELECT tlswatch_month_of(day), organization FROM o) AND t.n_rows <= 0;
	END IF;
	RETURN NULL;
END;
$$;
DROP TRIGGER IF EXISTS agg_domain_month_ins ON agg_domain;
CREATE TRIGGER agg_domain_month_ins AFTER INSERT ON agg_domain REFERENCING NEW TABLE AS n
	FOR EACH STATEMENT EXECUTE FUNCTION tlswatch_month_agg_domain();
DROP TRIGGER IF EXISTS agg_domain_month_upd ON agg_domain;
CREATE TRIGGER agg_domain_month_upd AFTER UPDATE ON agg_domain REFERENCING OLD TABLE AS o NEW TABLE AS n
	FOR EACH STATEMENT EXECUTE FUNCTION tlswatch_month_agg_domain();
DROP TRIGGER IF EXISTS agg_domain_month_del ON agg_domain;
CREATE TRIGGER agg_domain_month_del AFTER DELETE ON agg_domain REFERENCING OLD TABLE AS o
	FOR EACH STATEMENT EXECUTE FUNCTION tlswatch_month_agg_domain();

-- agg_failure -> roll_failure_month, agg_failure_month
CREATE OR REPLACE FUNCTION tlswatch_month_agg_failure() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		INSERT INTO roll_failure_month AS t (day, policy_domain, mx_host, result_type, n_rows, failed_sessions)
			SELECT day, policy_domain, mx_host, result_type, sum(n_rows)::bigint, sum(failed_sessions)::bigint FROM (SELECT tlswatch_month_of(day) AS day, policy_domain, mx_host, result_type, 1 AS n_rows, failed_sessions FROM n) AS c GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
			ON CONFLICT (day, policy_domain, mx_host, result_type) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		INSERT INTO agg_failure_month AS t (day, policy_domain, organization, mx_host, result_type, n_rows, failed_sessions)
			SELECT day, policy_domain, organization, mx_host, result_type, sum(n_rows)::bigint, sum(failed_sessions)::bigint FROM (SELECT tlswatch_month_of(day) AS day, policy_domain, organization, mx_host, result_type, 1 AS n_rows, failed_sessions FROM n) AS c GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
			ON CONFLICT (day, policy_domain, organization, mx_host, result_type) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, failed_sessions = t.failed_sessions + excluded.failed_sessions;
	ELSIF TG_OP = 'UPDATE' THEN
		INSERT INTO roll_failure_month AS t (day, policy_domain, mx_host, result_type, n_rows, failed_sessions)
			SELECT day, policy_domain, mx_host, result_type, sum(n_rows)::bigint, sum(failed_sessions)::bigint FROM (SELECT tlswatch_month_of(day) AS day, policy_domain, mx_host, result_type, 1 AS n_rows, failed_sessions FROM n UNION ALL SELECT tlswatch_month_of(day) AS day, policy_domain, mx_host, result_type, -1 AS n_rows, -failed_sessions AS failed_sessions FROM o) AS c GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
			ON CONFLICT (day, policy_domain, mx_host, result_type) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		INSERT INTO agg_failure_month AS t (day, policy_domain, organization, mx_host, result_type, n_rows, failed_sessions)
			SELECT day, policy_domain, organization, mx_host, result_type, sum(n_rows)::bigint, sum(failed_sessions)::bigint FROM (SELECT tlswatch_month_of(day) AS day, policy_domain, organization, mx_host, result_type, 1 AS n_rows, failed_sessions FROM n UNION ALL SELECT tlswatch_month_of(day) AS day, policy_domain, organization, mx_host, result_type, -1 AS n_rows, -failed_sessions AS failed_sessions FROM o) AS c GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
			ON CONFLICT (day, policy_domain, organization, mx_host, result_type) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		DELETE FROM roll_failure_month AS t WHERE (t.day, t.policy_domain, t.mx_host, t.result_type) IN (SELECT tlswatch_month_of(day), policy_domain, mx_host, result_type FROM o) AND t.n_rows <= 0;
		DELETE FROM agg_failure_month AS t WHERE (t.day, t.policy_domain, t.organization, t.mx_host, t.result_type) IN (SELECT tlswatch_month_of(day), policy_domain, organization, mx_host, result_type FROM o) AND t.n_rows <= 0;
	ELSE
		INSERT INTO roll_failure_month AS t (day, policy_domain, mx_host, result_type, n_rows, failed_sessions)
			SELECT day, policy_domain, mx_host, result_type, sum(n_rows)::bigint, sum(failed_sessions)::bigint FROM (SELECT tlswatch_month_of(day) AS day, policy_domain, mx_host, result_type, -1 AS n_rows, -failed_sessions AS failed_sessions FROM o) AS c GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
			ON CONFLICT (day, policy_domain, mx_host, result_type) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		INSERT INTO agg_failure_month AS t (day, policy_domain, organization, mx_host, result_type, n_rows, failed_sessions)
			SELECT day, policy_domain, organization, mx_host, result_type, sum(n_rows)::bigint, sum(failed_sessions)::bigint FROM (SELECT tlswatch_month_of(day) AS day, policy_domain, organization, mx_host, result_type, -1 AS n_rows, -failed_sessions AS failed_sessions FROM o) AS c GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
			ON CONFLICT (day, policy_domain, organization, mx_host, result_type) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		DELETE FROM roll_failure_month AS t WHERE (t.day, t.policy_domain, t.mx_host, t.result_type) IN (SELECT tlswatch_month_of(day), policy_domain, mx_host, result_type FROM o) AND t.n_rows <= 0;
		DELETE FROM agg_failure_month AS t WHERE (t.day, t.policy_domain, t.organization, t.mx_host, t.result_type) IN (SELECT tlswatch_month_of(day), policy_domain, organization, mx_host, result_type FROM o) AND t.n_rows <= 0;
	END IF;
	RETURN NULL;
END;
$$;
DROP TRIGGER IF EXISTS agg_failure_month_ins ON agg_failure;
CREATE TRIGGER agg_failure_month_ins AFTER INSERT ON agg_failure REFERENCING NEW TABLE AS n
	FOR EACH STATEMENT EXECUTE FUNCTION tlswatch_month_agg_failure();
DROP TRIGGER IF EXISTS agg_failure_month_upd ON agg_failure;
CREATE TRIGGER agg_failure_month_upd AFTER UPDATE ON agg_failure REFERENCING OLD TABLE AS o NEW TABLE AS n
	FOR EACH STATEMENT EXECUTE FUNCTION tlswatch_month_agg_failure();
DROP TRIGGER IF EXISTS agg_failure_month_del ON agg_failure;
CREATE TRIGGER agg_failure_month_del AFTER DELETE ON agg_failure REFERENCING OLD TABLE AS o
	FOR EACH STATEMENT EXECUTE FUNCTION tlswatch_month_agg_failure();

-- agg_mx -> roll_mx_month
CREATE OR REPLACE FUNCTION tlswatch_month_agg_mx() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		INSERT INTO roll_mx_month AS t (day, policy_domain, mx_host, n_rows, failed_sessions)
			SELECT day, policy_domain, mx_host, sum(n_rows)::bigint, sum(failed_sessions)::bigint FROM (SELECT tlswatch_month_of(day) AS day, policy_domain, mx_host, 1 AS n_rows, failed_sessions FROM n) AS c GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
			ON CONFLICT (day, policy_domain, mx_host) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, failed_sessions = t.failed_sessions + excluded.failed_sessions;
	ELSIF TG_OP = 'UPDATE' THEN
		INSERT INTO roll_mx_month AS t (day, policy_domain, mx_host, n_rows, failed_sessions)
			SELECT day, policy_domain, mx_host, sum(n_rows)::bigint, sum(failed_sessions)::bigint FROM (SELECT tlswatch_month_of(day) AS day, policy_domain, mx_host, 1 AS n_rows, failed_sessions FROM n UNION ALL SELECT tlswatch_month_of(day) AS day, policy_domain, mx_host, -1 AS n_rows, -failed_sessions AS failed_sessions FROM o) AS c GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
			ON CONFLICT (day, policy_domain, mx_host) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		DELETE FROM roll_mx_month AS t WHERE (t.day, t.policy_domain, t.mx_host) IN (SELECT tlswatch_month_of(day), policy_domain, mx_host FROM o) AND t.n_rows <= 0;
	ELSE
		INSERT INTO roll_mx_month AS t (day, policy_domain, mx_host, n_rows, failed_sessions)
			SELECT day, policy_domain, mx_host, sum(n_rows)::bigint, sum(failed_sessions)::bigint FROM (SELECT tlswatch_month_of(day) AS day, policy_domain, mx_host, -1 AS n_rows, -failed_sessions AS failed_sessions FROM o) AS c GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
			ON CONFLICT (day, policy_domain, mx_host) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		DELETE FROM roll_mx_month AS t WHERE (t.day, t.policy_domain, t.mx_host) IN (SELECT tlswatch_month_of(day), policy_domain, mx_host FROM o) AND t.n_rows <= 0;
	END IF;
	RETURN NULL;
END;
$$;
DROP TRIGGER IF EXISTS agg_mx_month_ins ON agg_mx;
CREATE TRIGGER agg_mx_month_ins AFTER INSERT ON agg_mx REFERENCING NEW TABLE AS n
	FOR EACH STATEMENT EXECUTE FUNCTION tlswatch_month_agg_mx();
DROP TRIGGER IF EXISTS agg_mx_month_upd ON agg_mx;
CREATE TRIGGER agg_mx_month_upd AFTER UPDATE ON agg_mx REFERENCING OLD TABLE AS o NEW TABLE AS n
	FOR EACH STATEMENT EXECUTE FUNCTION tlswatch_month_agg_mx();
DROP TRIGGER IF EXISTS agg_mx_month_del ON agg_mx;
CREATE TRIGGER agg_mx_month_del AFTER DELETE ON agg_mx REFERENCING OLD TABLE AS o
	FOR EACH STATEMENT EXECUTE FUNCTION tlswatch_month_agg_mx();

-- agg_policy_type -> roll_type_month
CREATE OR REPLACE FUNCTION tlswatch_month_agg_policy_type() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		INSERT INTO roll_type_month AS t (day, policy_domain, policy_type, n_rows, policies, successful_sessions, failed_sessions)
			SELECT day, policy_domain, policy_type, sum(n_rows)::bigint, sum(policies)::bigint, sum(successful_sessions)::bigint, sum(failed_sessions)::bigint FROM (SELECT tlswatch_month_of(day) AS day, policy_domain, policy_type, 1 AS n_rows, policies, successful_sessions, failed_sessions FROM n) AS c GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
			ON CONFLICT (day, policy_domain, policy_type) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, policies = t.policies + excluded.policies, successful_sessions = t.successful_sessions + excluded.successful_sessions, failed_sessions = t.failed_sessions + excluded.failed_sessions;
	ELSIF TG_OP = 'UPDATE' THEN
		INSERT INTO roll_type_month AS t (day, policy_domain, policy_type, n_rows, policies, successful_sessions, failed_sessions)
			SELECT day, policy_domain, policy_type, sum(n_rows)::bigint, sum(policies)::bigint, sum(successful_sessions)::bigint, sum(failed_sessions)::bigint FROM (SELECT tlswatch_month_of(day) AS day, policy_domain, policy_type, 1 AS n_rows, policies, successful_sessions, failed_sessions FROM n UNION ALL SELECT tlswatch_month_of(day) AS day, policy_domain, policy_type, -1 AS n_rows, -policies AS policies, -successful_sessions AS successful_sessions, -failed_sessions AS failed_sessions FROM o) AS c GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
			ON CONFLICT (day, policy_domain, policy_type) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, policies = t.policies + excluded.policies, successful_sessions = t.successful_sessions + excluded.successful_sessions, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		DELETE FROM roll_type_month AS t WHERE (t.day, t.policy_domain, t.policy_type) IN (SELECT tlswatch_month_of(day), policy_domain, policy_type FROM o) AND t.n_rows <= 0;
	ELSE
		INSERT INTO roll_type_month AS t (day, policy_domain, policy_type, n_rows, policies, successful_sessions, failed_sessions)
			SELECT day, policy_domain, policy_type, sum(n_rows)::bigint, sum(policies)::bigint, sum(successful_sessions)::bigint, sum(failed_sessions)::bigint FROM (SELECT tlswatch_month_of(day) AS day, policy_domain, policy_type, -1 AS n_rows, -policies AS policies, -successful_sessions AS successful_sessions, -failed_sessions AS failed_sessions FROM o) AS c GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
			ON CONFLICT (day, policy_domain, policy_type) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, policies = t.policies + excluded.policies, successful_sessions = t.successful_sessions + excluded.successful_sessions, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		DELETE FROM roll_type_month AS t WHERE (t.day, t.policy_domain, t.policy_type) IN (SELECT tlswatch_month_of(day), policy_domain, policy_type FROM o) AND t.n_rows <= 0;
	END IF;
	RETURN NULL;
END;
$$;
DROP TRIGGER IF EXISTS agg_policy_type_month_ins ON agg_policy_type;
CREATE TRIGGER agg_policy_type_month_ins AFTER INSERT ON agg_policy_type REFERENCING NEW TABLE AS n
	FOR EACH STATEMENT EXECUTE FUNCTION tlswatch_month_agg_policy_type();
DROP TRIGGER IF EXISTS agg_policy_type_month_upd ON agg_policy_type;
CREATE TRIGGER agg_policy_type_month_upd AFTER UPDATE ON agg_policy_type REFERENCING OLD TABLE AS o NEW TABLE AS n
	FOR EACH STATEMENT EXECUTE FUNCTION tlswatch_month_agg_policy_type();
DROP TRIGGER IF EXISTS agg_policy_type_month_del ON agg_policy_type;
CREATE TRIGGER agg_policy_type_month_del AFTER DELETE ON agg_policy_type REFERENCING OLD TABLE AS o
	FOR EACH STATEMENT EXECUTE FUNCTION tlswatch_month_agg_policy_type();

-- backfill: from the day roll-ups of 012 (agg_failure_month, which keeps
-- the organization, from agg_failure), summed per month. IF NOT EXISTS,
-- OR REPLACE and the DELETEs let a store rewound to an older version
-- number (a test fixture) migrate again, as 025.
DELETE FROM roll_day;
DELETE FROM roll_domain_month;
DELETE FROM roll_org_month;
DELETE FROM roll_failure_month;
DELETE FROM agg_failure_month;
DELETE FROM roll_mx_month;
DELETE FROM roll_type_month;
INSERT INTO roll_day (day, n_rows, reports, successful_sessions, failed_sessions)
	SELECT day, sum(n_rows), sum(reports), sum(successful_sessions), sum(failed_sessions) FROM roll_domain GROUP BY 1;
INSERT INTO roll_domain_month (day, policy_domain, n_rows, reports, successful_sessions, failed_sessions)
	SELECT tlswatch_month_of(day), policy_domain, sum(n_rows), sum(reports), sum(successful_sessions), sum(failed_sessions) FROM roll_domain GROUP BY 1, 2;
INSERT INTO roll_org_month (day, organization, n_rows, reports, successful_sessions, failed_sessions)
	SELECT tlswatch_month_of(day), organization, sum(n_rows), sum(reports), sum(successful_sessions), sum(failed_sessions) FROM roll_org GROUP BY 1, 2;
INSERT INTO roll_failure_month (day, policy_domain, mx_host, result_type, n_rows, failed_sessions)
	SELECT tlswatch_month_of(day), policy_domain, mx_host, result_type, sum(n_rows), sum(failed_sessions) FROM roll_failure GROUP BY 1, 2, 3, 4;
INSERT INTO agg_failure_month (day, policy_domain, organization, mx_host, result_type, n_rows, failed_sessions)
	SELECT tlswatch_month_of(day), policy_domain, organization, mx_host, result_type, count(*), sum(failed_sessions) FROM agg_failure GROUP BY 1, 2, 3, 4, 5;
INSERT INTO roll_mx_month (day, policy_domain, mx_host, n_rows, failed_sessions)
	SELECT tlswatch_month_of(day), policy_domain, mx_host, sum(n_rows), sum(failed_sessions) FROM roll_mx GROUP BY 1, 2, 3;
INSERT INTO roll_type_month (day, policy_domain, policy_type, n_rows, policies, successful_sessions, failed_sessions)
	SELECT tlswatch_month_of(day), policy_domain, policy_type, sum(n_rows), sum(policies), sum(successful_sessions), sum(failed_sessions) FROM roll_type GROUP BY 1, 2, 3;
