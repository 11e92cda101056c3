-- 034_year_rollups.sql - the PostgreSQL twin of schema/027_year_rollups.sql
-- (schema/pg/027 kept the version number only): per-year roll-ups, so
-- that a period of most of a year (summary --all, the dashboard's
-- /?all=1) costs years x series, not months x series (docs/performance.md,
-- "Year roll-ups on PostgreSQL, emptied rows by key, recount by day").
-- The same tables as SQLite's 027 (what each holds is said there): each
-- <table>_year is the month table of 026 summed over the months of a
-- calendar year, day the year's first day as a day number, n_rows the
-- agg_* rows summed into a row, which goes when it reaches 0.
--
-- Statement-level triggers on agg_* keep them, as 026's keep the month
-- tables, in the same transaction as whatever writes an aggregate row, each
-- statement's changes summed per key and added in key order, the rows
-- it emptied found by key ("n_rows + 0": see 035). The figures
-- ride in each key's leaves (INCLUDE), as 031 and 032 gave the month
-- tables, and agg_failure_year has the second index by domain of 032: the
-- summary reads the failure groups of the domains it shows.
-- 'tlswatch db check' compares the tables with their month tables' sums,
-- 'db check --repair' and 'db copy' refill them (store/rollup_month.c).
-- Readers split a period with rollup_month_parts (store/pg_query.c);
-- TLSWATCH_NO_YEAR_ROLLUPS=1 reads the month tables instead.

-- The first day of day d's year, as a day number, inlined as 026's
-- tlswatch_month_of.
CREATE OR REPLACE FUNCTION tlswatch_year_of(d bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT d + 1 - extract(doy FROM DATE '1970-01-01' + d::int)::bigint
$$;

CREATE TABLE IF NOT EXISTS roll_domain_year (
	day bigint NOT NULL,
	policy_domain text COLLATE "C" NOT NULL,
	n_rows bigint NOT NULL,
	reports bigint NOT NULL,
	successful_sessions bigint NOT NULL,
	failed_sessions bigint NOT NULL,
	PRIMARY KEY (day, policy_domain) INCLUDE (reports, successful_sessions, failed_sessions)
);
CREATE TABLE IF NOT EXISTS roll_org_year (
	day bigint NOT NULL,
	organization text COLLATE "C" NOT NULL,
	n_rows bigint NOT NULL,
	reports bigint NOT NULL,
	successful_sessions bigint NOT NULL,
	failed_sessions bigint NOT NULL,
	PRIMARY KEY (day, organization) INCLUDE (reports, successful_sessions, failed_sessions)
);
CREATE TABLE IF NOT EXISTS roll_failure_year (
	day bigint NOT NULL,
	policy_domain text COLLATE "C" NOT NULL,
	mx_host text COLLATE "C" NOT NULL,
	result_type text COLLATE "C" NOT NULL,
	n_rows bigint NOT NULL,
	failed_sessions bigint NOT NULL,
	PRIMARY KEY (day, policy_domain, mx_host, result_type) INCLUDE (failed_sessions)
);
CREATE TABLE IF NOT EXISTS agg_failure_year (
	day bigint NOT NULL,
	policy_domain text COLLATE "C" NOT NULL,
	organization text COLLATE "C" NOT NULL,
	mx_host text COLLATE "C" NOT NULL,
	result_type text COLLATE "C" NOT NULL,
	n_rows bigint NOT NULL,
	failed_sessions bigint NOT NULL,
	PRIMARY KEY (day, policy_domain, organization, mx_host, result_type)
	INCLUDE (failed_sessions)
);
CREATE INDEX IF NOT EXISTS agg_failure_year_by_domain ON agg_failure_year (policy_domain, day)
	INCLUDE (organization, mx_host, result_type, failed_sessions);
CREATE TABLE IF NOT EXISTS roll_mx_year (
	day bigint NOT NULL,
	policy_domain text COLLATE "C" NOT NULL,
	mx_host text COLLATE "C" NOT NULL,
	n_rows bigint NOT NULL,
	failed_sessions bigint NOT NULL,
	PRIMARY KEY (day, policy_domain, mx_host) INCLUDE (failed_sessions)
);
CREATE TABLE IF NOT EXISTS roll_type_year (
	day bigint NOT NULL,
	policy_domain text COLLATE "C" NOT NULL,
	policy_type text COLLATE "C" NOT NULL,
	n_rows bigint NOT NULL,
	policies bigint NOT NULL,
	successful_sessions bigint NOT NULL,
	failed_sessions bigint NOT NULL,
	PRIMARY KEY (day, policy_domain, policy_type)
	INCLUDE (policies, successful_sessions, failed_sessions)
);
-- agg_domain -> roll_domain_year, roll_org_year
CREATE OR REPLACE FUNCTION tlswatch_year_agg_domain() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		INSERT INTO roll_domain_year AS t (day, policy_domain, n_rows, reports, successful_sessions, failed_sessions)
			SELECT day, policy_domain, sum(n_rows)::bigint, sum(reports)::bigint, sum(successful_sessions)::bigint, sum(failed_sessions)::bigint FROM (SELECT tlswatch_year_of(day) AS day, policy_domain, 1 AS n_rows, reports, successful_sessions, failed_sessions FROM n) AS c GROUP BY 1, 2 ORDER BY 1, 2
			ON CONFLICT (day, policy_domain) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, reports = t.reports + excluded.reports, successful_sessions = t.successful_sessions + excluded.successful_sessions, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		INSERT INTO roll_org_year AS t (day, organization, n_rows, reports, successful_sessions, failed_sessions)
			SELECT day, organization, sum(n_rows)::bigint, sum(reports)::bigint, sum(successful_sessions)::bigint, sum(failed_sessions)::bigint FROM (SELECT tlswatch_year_of(day) AS day, organization, 1 AS n_rows, reports, successful_sessions, failed_sessions FROM n) AS c GROUP BY 1, 2 ORDER BY 1, 2
			ON CONFLICT (day, organization) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, reports = t.reports + excluded.reports, successful_sessions = t.successful_sessions + excluded.successful_sessions, failed_sessions = t.failed_sessions + excluded.failed_sessions;
	ELSIF TG_OP = 'UPDATE' THEN
		INSERT INTO roll_domain_year AS t (day, policy_domain, n_rows, reports, successful_sessions, failed_sessions)
			SELECT day, policy_domain, sum(n_rows)::bigint, sum(reports)::bigint, sum(successful_sessions)::bigint, sum(failed_sessions)::bigint FROM (SELECT tlswatch_year_of(day) AS day, policy_domain, 1 AS n_rows, reports, successful_sessions, failed_sessions FROM n UNION ALL SELECT tlswatch_year_of(day) AS day, policy_domain, -1 AS n_rows, -reports AS reports, -successful_sessions AS successful_sessions, -failed_sessions AS failed_sessions FROM o) AS c GROUP BY 1, 2 ORDER BY 1, 2
			ON CONFLICT (day, policy_domain) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, reports = t.reports + excluded.reports, successful_sessions = t.successful_sessions + excluded.successful_sessions, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		INSERT INTO roll_org_year AS t (day, organization, n_rows, reports, successful_sessions, failed_sessions)
			SELECT day, organization, sum(n_rows)::bigint, sum(reports)::bigint, sum(successful_sessions)::bigint, sum(failed_sessions)::bigint FROM (SELECT tlswatch_year_of(day) AS day, organization, 1 AS n_rows, reports, successful_sessions, failed_sessions FROM n UNION ALL SELECT tlswatch_year_of(day) AS day, organization, -1 AS n_rows, -reports AS reports, -successful_sessions AS successful_sessions, -failed_sessions AS failed_sessions FROM o) AS c GROUP BY 1, 2 ORDER BY 1, 2
			ON CONFLICT (day, organization) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, reports = t.reports + excluded.reports, successful_sessions = t.successful_sessions + excluded.successful_sessions, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		DELETE FROM roll_domain_year AS t WHERE (t.day, t.policy_domain) IN (SELECT tlswatch_year_of(day), policy_domain FROM o) AND t.n_rows + 0 <= 0;
		DELETE FROM roll_org_year AS t WHERE (t.day, t.organization) IN (SELECT tlswatch_year_of(day), organization FROM o) AND t.n_rows + 0 <= 0;
	ELSE
		INSERT INTO roll_domain_year AS t (day, policy_domain, n_rows, reports, successful_sessions, failed_sessions)
			SELECT day, policy_domain, sum(n_rows)::bigint, sum(reports)::bigint, sum(successful_sessions)::bigint, sum(failed_sessions)::bigint FROM (SELECT tlswatch_year_of(day) AS day, policy_domain, -1 AS n_rows, -reports AS reports, -successful_sessions AS successful_sessions, -failed_sessions AS failed_sessions FROM o) AS c GROUP BY 1, 2 ORDER BY 1, 2
			ON CONFLICT (day, policy_domain) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, reports = t.reports + excluded.reports, successful_sessions = t.successful_sessions + excluded.successful_sessions, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		INSERT INTO roll_org_year AS t (day, organization, n_rows, reports, successful_sessions, failed_sessions)
			SELECT day, organization, sum(n_rows)::bigint, sum(reports)::bigint, sum(successful_sessions)::bigint, sum(failed_sessions)::bigint FROM (SELECT tlswatch_year_of(day) AS day, organization, -1 AS n_rows, -reports AS reports, -successful_sessions AS successful_sessions, -failed_sessions AS failed_sessions FROM o) AS c GROUP BY 1, 2 ORDER BY 1, 2
			ON CONFLICT (day, organization) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, reports = t.reports + excluded.reports, successful_sessions = t.successful_sessions + excluded.successful_sessions, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		DELETE FROM roll_domain_year AS t WHERE (t.day, t.policy_domain) IN (SELECT tlswatch_year_of(day), policy_domain FROM o) AND t.n_rows + 0 <= 0;
		DELETE FROM roll_org_year AS t WHERE (t.day, t.organization) IN (SELECT tlswatch_year_of(day), organization FROM o) AND t.n_rows + 0 <= 0;
	END IF;
	RETURN NULL;
END;
$$;
DROP TRIGGER IF EXISTS agg_domain_year_ins ON agg_domain;
CREATE TRIGGER agg_domain_year_ins AFTER INSERT ON agg_domain REFERENCING NEW TABLE AS n
	FOR EACH STATEMENT EXECUTE FUNCTION tlswatch_year_agg_domain();
DROP TRIGGER IF EXISTS agg_domain_year_upd ON agg_domain;
CREATE TRIGGER agg_domain_year_upd AFTER UPDATE ON agg_domain REFERENCING OLD TABLE AS o NEW TABLE AS n
	FOR EACH STATEMENT EXECUTE FUNCTION tlswatch_year_agg_domain();
DROP TRIGGER IF EXISTS agg_domain_year_del ON agg_domain;
CREATE TRIGGER agg_domain_year_del AFTER DELETE ON agg_domain REFERENCING OLD TABLE AS o
	FOR EACH STATEMENT EXECUTE FUNCTION tlswatch_year_agg_domain();

-- agg_failure -> roll_failure_year, agg_failure_year
CREATE OR REPLACE FUNCTION tlswatch_year_agg_failure() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		INSERT INTO roll_failure_year AS t (day, policy_domain, mx_host, result_type, n_rows, failed_sessions)
			SELECT day, policy_domain, mx_host, result_type, sum(n_rows)::bigint, sum(failed_sessions)::bigint FROM (SELECT tlswatch_year_of(day) AS day, policy_domain, mx_host, result_type, 1 AS n_rows, failed_sessions FROM n) AS c GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
			ON CONFLICT (day, policy_domain, mx_host, result_type) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		INSERT INTO agg_failure_year AS t (day, policy_domain, organization, mx_host, result_type, n_rows, failed_sessions)
			SELECT day, policy_domain, organization, mx_host, result_type, sum(n_rows)::bigint, sum(failed_sessions)::bigint FROM (SELECT tlswatch_year_of(day) AS day, policy_domain, organization, mx_host, result_type, 1 AS n_rows, failed_sessions FROM n) AS c GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
			ON CONFLICT (day, policy_domain, organization, mx_host, result_type) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, failed_sessions = t.failed_sessions + excluded.failed_sessions;
	ELSIF TG_OP = 'UPDATE' THEN
		INSERT INTO roll_failure_year AS t (day, policy_domain, mx_host, result_type, n_rows, failed_sessions)
			SELECT day, policy_domain, mx_host, result_type, sum(n_rows)::bigint, sum(failed_sessions)::bigint FROM (SELECT tlswatch_year_of(day) AS day, policy_domain, mx_host, result_type, 1 AS n_rows, failed_sessions FROM n UNION ALL SELECT tlswatch_year_of(day) AS day, policy_domain, mx_host, result_type, -1 AS n_rows, -failed_sessions AS failed_sessions FROM o) AS c GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
			ON CONFLICT (day, policy_domain, mx_host, result_type) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		INSERT INTO agg_failure_year AS t (day, policy_domain, organization, mx_host, result_type, n_rows, failed_sessions)
			SELECT day, policy_domain, organization, mx_host, result_type, sum(n_rows)::bigint, sum(failed_sessions)::bigint FROM (SELECT tlswatch_year_of(day) AS day, policy_domain, organization, mx_host, result_type, 1 AS n_rows, failed_sessions FROM n UNION ALL SELECT tlswatch_year_of(day) AS day, policy_domain, organization, mx_host, result_type, -1 AS n_rows, -failed_sessions AS failed_sessions FROM o) AS c GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
			ON CONFLICT (day, policy_domain, organization, mx_host, result_type) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		DELETE FROM roll_failure_year AS t WHERE (t.day, t.policy_domain, t.mx_host, t.result_type) IN (SELECT tlswatch_year_of(day), policy_domain, mx_host, result_type FROM o) AND t.n_rows + 0 <= 0;
		DELETE FROM agg_failure_year AS t WHERE (t.day, t.policy_domain, t.organization, t.mx_host, t.result_type) IN (SELECT tlswatch_year_of(day), policy_domain, organization, mx_host, result_type FROM o) AND t.n_rows + 0 <= 0;
	ELSE
		INSERT INTO roll_failure_year AS t (day, policy_domain, mx_host, result_type, n_rows, failed_sessions)
			SELECT day, policy_domain, mx_host, result_type, sum(n_rows)::bigint, sum(failed_sessions)::bigint FROM (SELECT tlswatch_year_of(day) AS day, policy_domain, mx_host, result_type, -1 AS n_rows, -failed_sessions AS failed_sessions FROM o) AS c GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
			ON CONFLICT (day, policy_domain, mx_host, result_type) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		INSERT INTO agg_failure_year AS t (day, policy_domain, organization, mx_host, result_type, n_rows, failed_sessions)
			SELECT day, policy_domain, organization, mx_host, result_type, sum(n_rows)::bigint, sum(failed_sessions)::bigint FROM (SELECT tlswatch_year_of(day) AS day, policy_domain, organization, mx_host, result_type, -1 AS n_rows, -failed_sessions AS failed_sessions FROM o) AS c GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
			ON CONFLICT (day, policy_domain, organization, mx_host, result_type) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		DELETE FROM roll_failure_year AS t WHERE (t.day, t.policy_domain, t.mx_host, t.result_type) IN (SELECT tlswatch_year_of(day), policy_domain, mx_host, result_type FROM o) AND t.n_rows + 0 <= 0;
		DELETE FROM agg_failure_year AS t WHERE (t.day, t.policy_domain, t.organization, t.mx_host, t.result_type) IN (SELECT tlswatch_year_of(day), policy_domain, organization, mx_host, result_type FROM o) AND t.n_rows + 0 <= 0;
	END IF;
	RETURN NULL;
END;
$$;
DROP TRIGGER IF EXISTS agg_failure_year_ins ON agg_failure;
CREATE TRIGGER agg_failure_year_ins AFTER INSERT ON agg_failure REFERENCING NEW TABLE AS n
	FOR EACH STATEMENT EXECUTE FUNCTION tlswatch_year_agg_failure();
DROP TRIGGER IF EXISTS agg_failure_year_upd ON agg_failure;
CREATE TRIGGER agg_failure_year_upd AFTER UPDATE ON agg_failure REFERENCING OLD TABLE AS o NEW TABLE AS n
	FOR EACH STATEMENT EXECUTE FUNCTION tlswatch_year_agg_failure();
DROP TRIGGER IF EXISTS agg_failure_year_del ON agg_failure;
CREATE TRIGGER agg_failure_year_del AFTER DELETE ON agg_failure REFERENCING OLD TABLE AS o
	FOR EACH STATEMENT EXECUTE FUNCTION tlswatch_year_agg_failure();

-- agg_mx -> roll_mx_year
CREATE OR REPLACE FUNCTION tlswatch_year_agg_mx() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		INSERT INTO roll_mx_year AS t (day, policy_domain, mx_host, n_rows, failed_sessions)
			SELECT day, policy_domain, mx_host, sum(n_rows)::bigint, sum(failed_sessions)::bigint FROM (SELECT tlswatch_year_of(day) AS day, policy_domain, mx_host, 1 AS n_rows, failed_sessions FROM n) AS c GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
			ON CONFLICT (day, policy_domain, mx_host) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, failed_sessions = t.failed_sessions + excluded.failed_sessions;
	ELSIF TG_OP = 'UPDATE' THEN
		INSERT INTO roll_mx_year AS t (day, policy_domain, mx_host, n_rows, failed_sessions)
			SELECT day, policy_domain, mx_host, sum(n_rows)::bigint, sum(failed_sessions)::bigint FROM (SELECT tlswatch_year_of(day) AS day, policy_domain, mx_host, 1 AS n_rows, failed_sessions FROM n UNION ALL SELECT tlswatch_year_of(day) AS day, policy_domain, mx_host, -1 AS n_rows, -failed_sessions AS failed_sessions FROM o) AS c GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
			ON CONFLICT (day, policy_domain, mx_host) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		DELETE FROM roll_mx_year AS t WHERE (t.day, t.policy_domain, t.mx_host) IN (SELECT tlswatch_year_of(day), policy_domain, mx_host FROM o) AND t.n_rows + 0 <= 0;
	ELSE
		INSERT INTO roll_mx_year AS t (day, policy_domain, mx_host, n_rows, failed_sessions)
			SELECT day, policy_domain, mx_host, sum(n_rows)::bigint, sum(failed_sessions)::bigint FROM (SELECT tlswatch_year_of(day) AS day, policy_domain, mx_host, -1 AS n_rows, -failed_sessions AS failed_sessions FROM o) AS c GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
			ON CONFLICT (day, policy_domain, mx_host) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		DELETE FROM roll_mx_year AS t WHERE (t.day, t.policy_domain, t.mx_host) IN (SELECT tlswatch_year_of(day), policy_domain, mx_host FROM o) AND t.n_rows + 0 <= 0;
	END IF;
	RETURN NULL;
END;
$$;
DROP TRIGGER IF EXISTS agg_mx_year_ins ON agg_mx;
CREATE TRIGGER agg_mx_year_ins AFTER INSERT ON agg_mx REFERENCING NEW TABLE AS n
	FOR EACH STATEMENT EXECUTE FUNCTION tlswatch_year_agg_mx();
DROP TRIGGER IF EXISTS agg_mx_year_upd ON agg_mx;
CREATE TRIGGER agg_mx_year_upd AFTER UPDATE ON agg_mx REFERENCING OLD TABLE AS o NEW TABLE AS n
	FOR EACH STATEMENT EXECUTE FUNCTION tlswatch_year_agg_mx();
DROP TRIGGER IF EXISTS agg_mx_year_del ON agg_mx;
CREATE TRIGGER agg_mx_year_del AFTER DELETE ON agg_mx REFERENCING OLD TABLE AS o
	FOR EACH STATEMENT EXECUTE FUNCTION tlswatch_year_agg_mx();

-- agg_policy_type -> roll_type_year
CREATE OR REPLACE FUNCTION tlswatch_year_agg_policy_type() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		INSERT INTO roll_type_year AS t (day, policy_domain, policy_type, n_rows, policies, successful_sessions, failed_sessions)
			SELECT day, policy_domain, policy_type, sum(n_rows)::bigint, sum(policies)::bigint, sum(successful_sessions)::bigint, sum(failed_sessions)::bigint FROM (SELECT tlswatch_year_of(day) AS day, policy_domain, policy_type, 1 AS n_rows, policies, successful_sessions, failed_sessions FROM n) AS c GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
			ON CONFLICT (day, policy_domain, policy_type) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, policies = t.policies + excluded.policies, successful_sessions = t.successful_sessions + excluded.successful_sessions, failed_sessions = t.failed_sessions + excluded.failed_sessions;
	ELSIF TG_OP = 'UPDATE' THEN
		INSERT INTO roll_type_year AS t (day, policy_domain, policy_type, n_rows, policies, successful_sessions, failed_sessions)
			SELECT day, policy_domain, policy_type, sum(n_rows)::bigint, sum(policies)::bigint, sum(successful_sessions)::bigint, sum(failed_sessions)::bigint FROM (SELECT tlswatch_year_of(day) AS day, policy_domain, policy_type, 1 AS n_rows, policies, successful_sessions, failed_sessions FROM n UNION ALL SELECT tlswatch_year_of(day) AS day, policy_domain, policy_type, -1 AS n_rows, -policies AS policies, -successful_sessions AS successful_sessions, -failed_sessions AS failed_sessions FROM o) AS c GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
			ON CONFLICT (day, policy_domain, policy_type) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, policies = t.policies + excluded.policies, successful_sessions = t.successful_sessions + excluded.successful_sessions, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		DELETE FROM roll_type_year AS t WHERE (t.day, t.policy_domain, t.policy_type) IN (SELECT tlswatch_year_of(day), policy_domain, policy_type FROM o) AND t.n_rows + 0 <= 0;
	ELSE
		INSERT INTO roll_type_year AS t (day, policy_domain, policy_type, n_rows, policies, successful_sessions, failed_sessions)
			SELECT day, policy_domain, policy_type, sum(n_rows)::bigint, sum(policies)::bigint, sum(successful_sessions)::bigint, sum(failed_sessions)::bigint FROM (SELECT tlswatch_year_of(day) AS day, policy_domain, policy_type, -1 AS n_rows, -policies AS policies, -successful_sessions AS successful_sessions, -failed_sessions AS failed_sessions FROM o) AS c GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
			ON CONFLICT (day, policy_domain, policy_type) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, policies = t.policies + excluded.policies, successful_sessions = t.successful_sessions + excluded.successful_sessions, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		DELETE FROM roll_type_year AS t WHERE (t.day, t.policy_domain, t.policy_type) IN (SELECT tlswatch_year_of(day), policy_domain, policy_type FROM o) AND t.n_rows + 0 <= 0;
	END IF;
	RETURN NULL;
END;
$$;
DROP TRIGGER IF EXISTS agg_policy_type_year_ins ON agg_policy_type;
CREATE TRIGGER agg_policy_type_year_ins AFTER INSERT ON agg_policy_type REFERENCING NEW TABLE AS n
	FOR EACH STATEMENT EXECUTE FUNCTION tlswatch_year_agg_policy_type();
DROP TRIGGER IF EXISTS agg_policy_type_year_upd ON agg_policy_type;
CREATE TRIGGER agg_policy_type_year_upd AFTER UPDATE ON agg_policy_type REFERENCING OLD TABLE AS o NEW TABLE AS n
	FOR EACH STATEMENT EXECUTE FUNCTION tlswatch_year_agg_policy_type();
DROP TRIGGER IF EXISTS agg_policy_type_year_del ON agg_policy_type;
CREATE TRIGGER agg_policy_type_year_del AFTER DELETE ON agg_policy_type REFERENCING OLD TABLE AS o
	FOR EACH STATEMENT EXECUTE FUNCTION tlswatch_year_agg_policy_type();

-- backfill: from the month tables of 026, summed per year (each month row
-- sums its agg_* rows, n_rows included). IF NOT EXISTS, OR REPLACE and
-- the DELETEs let a store rewound to an older version number (a test
-- fixture) migrate again, as 026.
DELETE FROM roll_domain_year;
DELETE FROM roll_org_year;
DELETE FROM roll_failure_year;
DELETE FROM agg_failure_year;
DELETE FROM roll_mx_year;
DELETE FROM roll_type_year;
INSERT INTO roll_domain_year (day, policy_domain, n_rows, reports, successful_sessions, failed_sessions)
	SELECT tlswatch_year_of(day), policy_domain, sum(n_rows), sum(reports), sum(successful_sessions), sum(failed_sessions) FROM roll_domain_month GROUP BY 1, 2;
INSERT INTO roll_org_year (day, organization, n_rows, reports, successful_sessions, failed_sessions)
	SELECT tlswatch_year_of(day), organization, sum(n_rows), sum(reports), sum(successful_sessions), sum(failed_sessions) FROM roll_org_month GROUP BY 1, 2;
INSERT INTO roll_failure_year (day, policy_domain, mx_host, result_type, n_rows, failed_sessions)
	SELECT tlswatch_year_of(day), policy_domain, mx_host, result_type, sum(n_rows), sum(failed_sessions) FROM roll_failure_month GROUP BY 1, 2, 3, 4;
INSERT INTO agg_failure_year (day, policy_domain, organization, mx_host, result_type, n_rows, failed_sessions)
	SELECT tlswatch_year_of(day), policy_domain, organization, mx_host, result_type, sum(n_rows), sum(failed_sessions) FROM agg_failure_month GROUP BY 1, 2, 3, 4, 5;
INSERT INTO roll_mx_year (day, policy_domain, mx_host, n_rows, failed_sessions)
	SELECT tlswatch_year_of(day), policy_domain, mx_host, sum(n_rows), sum(failed_sessions) FROM roll_mx_month GROUP BY 1, 2, 3;
INSERT INTO roll_type_year (day, policy_domain, policy_type, n_rows, policies, successful_sessions, failed_sessions)
	SELECT tlswatch_year_of(day), policy_domain, policy_type, sum(n_rows), sum(policies), sum(successful_sessions), sum(failed_sessions) FROM roll_type_month GROUP BY 1, 2, 3;
