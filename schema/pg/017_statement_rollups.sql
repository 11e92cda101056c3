-- 017_statement_rollups.sql - the roll-ups and lifetime totals of
-- 012_rollups.sql kept by statement-level triggers instead of row-level
-- ones (issue 16: ingest into PostgreSQL). The tables, their sums and
-- what 'db check' compares are unchanged; only how a change reaches them.
--
-- Why: 012's PL/pgSQL ran once per agg_* row written, three upserts each
-- for agg_domain, and cost about 1.8x the ingest's own work (measured in
-- docs/performance.md, "Ingest into PostgreSQL"). A batch writes each
-- aggregate table with one statement (store/pg_write_batch.c), so one
-- trigger call per statement sums the whole change: the transition
-- tables (n: the rows as written, o: as they were) give each roll-up row
-- its delta, +NEW and -OLD, grouped per key and added by one
-- INSERT ... ON CONFLICT DO UPDATE in key order. Exact as before: the
-- upsert locks each roll-up row and adds to its committed value (READ
-- COMMITTED re-reads it after another writer's commit), and every key is
-- taken in the same order by every writer, so two writers never wait on
-- each other in a cycle. n_rows counts the agg rows summed into a row;
-- a row emptied by the change (n_rows 0) goes, as before.
--
-- Transition tables need one trigger per event (PostgreSQL refuses them
-- on a trigger for several events or with a column list), so each table
-- has three triggers on one function; an UPDATE of report that keeps the
-- day changes nothing. An INSERT ... ON CONFLICT DO UPDATE fires both the
-- INSERT trigger (the new rows) and the UPDATE trigger (the updated
-- ones). Nothing to backfill: the roll-ups were exact under 012 and stay
-- so. The tlswatch_life_* helpers of 012 stay (unused here).

-- agg_domain -> roll_domain, roll_org, life_domain
CREATE FUNCTION tlswatch_stmt_agg_domain() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		INSERT INTO roll_domain AS t (day, policy_domain, n_rows, reports, successful_sessions, failed_sessions)
			SELECT day, policy_domain, sum(d_rows)::bigint, sum(reports)::bigint, sum(successful_sessions)::bigint, sum(failed_sessions)::bigint FROM (SELECT day, policy_domain, 1 AS d_rows, reports, successful_sessions, failed_sessions FROM n) AS c GROUP BY 1, 2 ORDER BY 1, 2
			ON CONFLICT (day, policy_domain) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, reports = t.reports + excluded.reports, successful_sessions = t.successful_sessions + excluded.successful_sessions, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		INSERT INTO roll_org AS t (day, organization, n_rows, reports, successful_sessions, failed_sessions)
			SELECT day, organization, sum(d_rows)::bigint, sum(reports)::bigint, sum(successful_sessions)::bigint, sum(failed_sessions)::bigint FROM (SELECT day, organization, 1 AS d_rows, reports, successful_sessions, failed_sessions FROM n) AS c GROUP BY 1, 2 ORDER BY 1, 2
			ON CONFLICT (day, organization) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, reports = t.reports + excluded.reports, successful_sessions = t.successful_sessions + excluded.successful_sessions, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		INSERT INTO life_domain AS t (policy_domain, organization, n_rows, reports, successful_sessions, failed_sessions)
			SELECT policy_domain, organization, sum(d_rows)::bigint, sum(reports)::bigint, sum(successful_sessions)::bigint, sum(failed_sessions)::bigint FROM (SELECT policy_domain, organization, 1 AS d_rows, reports, successful_sessions, failed_sessions FROM n) AS c GROUP BY 1, 2 ORDER BY 1, 2
			ON CONFLICT (policy_domain, organization) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, reports = t.reports + excluded.reports, successful_sessions = t.successful_sessions + excluded.successful_sessions, failed_sessions = t.failed_sessions + excluded.failed_sessions;
	ELSIF TG_OP = 'UPDATE' THEN
		INSERT INTO roll_domain AS t (day, policy_domain, n_rows, reports, successful_sessions, failed_sessions)
			SELECT day, policy_domain, sum(d_rows)::bigint, sum(reports)::bigint, sum(successful_sessions)::bigint, sum(failed_sessions)::bigint FROM (SELECT day, policy_domain, 1 AS d_rows, reports, successful_sessions, failed_sessions FROM n UNION ALL SELECT day, policy_domain, -1 AS d_rows, -reports AS reports, -successful_sessions AS successful_sessions, -failed_sessions AS failed_sessions FROM o) AS c GROUP BY 1, 2 ORDER BY 1, 2
			ON CONFLICT (day, policy_domain) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, reports = t.reports + excluded.reports, successful_sessions = t.successful_sessions + excluded.successful_sessions, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		INSERT INTO roll_org AS t (day, organization, n_rows, reports, successful_sessions, failed_sessions)
			SELECT day, organization, sum(d_rows)::bigint, sum(reports)::bigint, sum(successful_sessions)::bigint, sum(failed_sessions)::bigint FROM (SELECT day, organization, 1 AS d_rows, reports, successful_sessions, failed_sessions FROM n UNION ALL SELECT day, organization, -1 AS d_rows, -reports AS reports, -successful_sessions AS successful_sessions, -failed_sessions AS failed_sessions FROM o) AS c GROUP BY 1, 2 ORDER BY 1, 2
			ON CONFLICT (day, organization) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, reports = t.reports + excluded.reports, successful_sessions = t.successful_sessions + excluded.successful_sessions, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		INSERT INTO life_domain AS t (policy_domain, organization, n_rows, reports, successful_sessions, failed_sessions)
			SELECT policy_domain, organization, sum(d_rows)::bigint, sum(reports)::bigint, sum(successful_sessions)::bigint, sum(failed_sessions)::bigint FROM (SELECT policy_domain, organization, 1 AS d_rows, reports, successful_sessions, failed_sessions FROM n UNION ALL SELECT policy_domain, organization, -1 AS d_rows, -reports AS reports, -successful_sessions AS successful_sessions, -failed_sessions AS failed_sessions FROM o) AS c GROUP BY 1, 2 ORDER BY 1, 2
			ON CONFLICT (policy_domain, organization) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, reports = t.reports + excluded.reports, successful_sessions = t.successful_sessions + excluded.successful_sessions, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		DELETE FROM roll_domain AS t WHERE (t.day, t.policy_domain) IN (SELECT day, policy_domain FROM o) AND t.n_rows <= 0;
		DELETE FROM roll_org AS t WHERE (t.day, t.organization) IN (SELECT day, organization FROM o) AND t.n_rows <= 0;
		DELETE FROM life_domain AS t WHERE (t.policy_domain, t.organization) IN (SELECT policy_domain, organization FROM o) AND t.n_rows <= 0;
	ELSE
		INSERT INTO roll_domain AS t (day, policy_domain, n_rows, reports, successful_sessions, failed_sessions)
			SELECT day, policy_domain, sum(d_rows)::bigint, sum(reports)::bigint, sum(successful_sessions)::bigint, sum(failed_sessions)::bigint FROM (SELECT day, policy_domain, -1 AS d_rows, -reports AS reports, -successful_sessions AS successful_sessions, -failed_sessions AS failed_sessions FROM o) AS c GROUP BY 1, 2 ORDER BY 1, 2
			ON CONFLICT (day, policy_domain) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, reports = t.reports + excluded.reports, successful_sessions = t.successful_sessions + excluded.successful_sessions, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		INSERT INTO roll_org AS t (day, organization, n_rows, reports, successful_sessions, failed_sessions)
			SELECT day, organization, sum(d_rows)::bigint, sum(reports)::bigint, sum(successful_sessions)::bigint, sum(failed_sessions)::bigint FROM (SELECT day, organization, -1 AS d_rows, -reports AS reports, -successful_sessions AS successful_sessions, -failed_sessions AS failed_sessions FROM o) AS c GROUP BY 1, 2 ORDER BY 1, 2
			ON CONFLICT (day, organization) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, reports = t.reports + excluded.reports, successful_sessions = t.successful_sessions + excluded.successful_sessions, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		INSERT INTO life_domain AS t (policy_domain, organization, n_rows, reports, successful_sessions, failed_sessions)
			SELECT policy_domain, organization, sum(d_rows)::bigint, sum(reports)::bigint, sum(successful_sessions)::bigint, sum(failed_sessions)::bigint FROM (SELECT policy_domain, organization, -1 AS d_rows, -reports AS reports, -successful_sessions AS successful_sessions, -failed_sessions AS failed_sessions FROM o) AS c GROUP BY 1, 2 ORDER BY 1, 2
			ON CONFLICT (policy_domain, organization) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, reports = t.reports + excluded.reports, successful_sessions = t.successful_sessions + excluded.successful_sessions, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		DELETE FROM roll_domain AS t WHERE (t.day, t.policy_domain) IN (SELECT day, policy_domain FROM o) AND t.n_rows <= 0;
		DELETE FROM roll_org AS t WHERE (t.day, t.organization) IN (SELECT day, organization FROM o) AND t.n_rows <= 0;
		DELETE FROM life_domain AS t WHERE (t.policy_domain, t.organization) IN (SELECT policy_domain, organization FROM o) AND t.n_rows <= 0;
	END IF;
	RETURN NULL;
END;
$$;
DROP TRIGGER agg_domain_roll ON agg_domain;
DROP FUNCTION tlswatch_roll_agg_domain();
CREATE TRIGGER agg_domain_roll_ins AFTER INSERT ON agg_domain REFERENCING NEW TABLE AS n
	FOR EACH STATEMENT EXECUTE FUNCTION tlswatch_stmt_agg_domain();
CREATE TRIGGER agg_domain_roll_upd AFTER UPDATE ON agg_domain REFERENCING OLD TABLE AS o NEW TABLE AS n
	FOR EACH STATEMENT EXECUTE FUNCTION tlswatch_stmt_agg_domain();
CREATE TRIGGER agg_domain_roll_del AFTER DELETE ON agg_domain REFERENCING OLD TABLE AS o
	FOR EACH STATEMENT EXECUTE FUNCTION tlswatch_stmt_agg_domain();

-- agg_failure -> roll_failure, life_failure
CREATE FUNCTION tlswatch_stmt_agg_failure() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		INSERT INTO roll_failure AS t (day, policy_domain, mx_host, result_type, n_rows, failed_sessions)
			SELECT day, policy_domain, mx_host, result_type, sum(d_rows)::bigint, sum(failed_sessions)::bigint FROM (SELECT day, policy_domain, mx_host, result_type, 1 AS d_rows, failed_sessions FROM n) AS c GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
			ON CONFLICT (day, policy_domain, mx_host, result_type) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		INSERT INTO life_failure AS t (policy_domain, organization, mx_host, result_type, n_rows, failed_sessions)
			SELECT policy_domain, organization, mx_host, result_type, sum(d_rows)::bigint, sum(failed_sessions)::bigint FROM (SELECT policy_domain, organization, mx_host, result_type, 1 AS d_rows, failed_sessions FROM n) AS c GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
			ON CONFLICT (policy_domain, organization, mx_host, result_type) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, failed_sessions = t.failed_sessions + excluded.failed_sessions;
	ELSIF TG_OP = 'UPDATE' THEN
		INSERT INTO roll_failure AS t (day, policy_domain, mx_host, result_type, n_rows, failed_sessions)
			SELECT day, policy_domain, mx_host, result_type, sum(d_rows)::bigint, sum(failed_sessions)::bigint FROM (SELECT day, policy_domain, mx_host, result_type, 1 AS d_rows, failed_sessions FROM n UNION ALL SELECT day, policy_domain, mx_host, result_type, -1 AS d_rows, -failed_sessions AS failed_sessions FROM o) AS c GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
			ON CONFLICT (day, policy_domain, mx_host, result_type) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		INSERT INTO life_failure AS t (policy_domain, organization, mx_host, result_type, n_rows, failed_sessions)
			SELECT policy_domain, organization, mx_host, result_type, sum(d_rows)::bigint, sum(failed_sessions)::bigint FROM (SELECT policy_domain, organization, mx_host, result_type, 1 AS d_rows, failed_sessions FROM n UNION ALL SELECT policy_domain, organization, mx_host, result_type, -1 AS d_rows, -failed_sessions AS failed_sessions FROM o) AS c GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
			ON CONFLICT (policy_domain, organization, mx_host, result_type) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		DELETE FROM roll_failure AS t WHERE (t.day, t.policy_domain, t.mx_host, t.result_type) IN (SELECT day, policy_domain, mx_host, result_type FROM o) AND t.n_rows <= 0;
		DELETE FROM life_failure AS t WHERE (t.policy_domain, t.organization, t.mx_host, t.result_type) IN (SELECT policy_domain, organization, mx_host, result_type FROM o) AND t.n_rows <= 0;
	ELSE
		INSERT INTO roll_failure AS t (day, policy_domain, mx_host, result_type, n_rows, failed_sessions)
			SELECT day, policy_domain, mx_host, result_type, sum(d_rows)::bigint, sum(failed_sessions)::bigint FROM (SELECT day, policy_domain, mx_host, result_type, -1 AS d_rows, -failed_sessions AS failed_sessions FROM o) AS c GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
			ON CONFLICT (day, policy_domain, mx_host, result_type) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		INSERT INTO life_failure AS t (policy_domain, organization, mx_host, result_type, n_rows, failed_sessions)
			SELECT policy_domain, organization, mx_host, result_type, sum(d_rows)::bigint, sum(failed_sessions)::bigint FROM (SELECT policy_domain, organization, mx_host, result_type, -1 AS d_rows, -failed_sessions AS failed_sessions FROM o) AS c GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
			ON CONFLICT (policy_domain, organization, mx_host, result_type) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		DELETE FROM roll_failure AS t WHERE (t.day, t.policy_domain, t.mx_host, t.result_type) IN (SELECT day, policy_domain, mx_host, result_type FROM o) AND t.n_rows <= 0;
		DELETE FROM life_failure AS t WHERE (t.policy_domain, t.organization, t.mx_host, t.result_type) IN (SELECT policy_domain, organization, mx_host, result_type FROM o) AND t.n_rows <= 0;
	END IF;
	RETURN NULL;
END;
$$;
DROP TRIGGER agg_failure_roll ON agg_failure;
DROP FUNCTION tlswatch_roll_agg_failure();
CREATE TRIGGER agg_failure_roll_ins AFTER INSERT ON agg_failure REFERENCING NEW TABLE AS n
	FOR EACH STATEMENT EXECUTE FUNCTION tlswatch_stmt_agg_failure();
CREATE TRIGGER agg_failure_roll_upd AFTER UPDATE ON agg_failure REFERENCING OLD TABLE AS o NEW TABLE AS n
	FOR EACH STATEMENT EXECUTE FUNCTION tlswatch_stmt_agg_failure();
CREATE TRIGGER agg_failure_roll_del AFTER DELETE ON agg_failure REFERENCING OLD TABLE AS o
	FOR EACH STATEMENT EXECUTE FUNCTION tlswatch_stmt_agg_failure();

-- agg_mx -> roll_mx, life_mx
CREATE FUNCTION tlswatch_stmt_agg_mx() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		INSERT INTO roll_mx AS t (day, policy_domain, mx_host, n_rows, failed_sessions)
			SELECT day, policy_domain, mx_host, sum(d_rows)::bigint, sum(failed_sessions)::bigint FROM (SELECT day, policy_domain, mx_host, 1 AS d_rows, failed_sessions FROM n) AS c GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
			ON CONFLICT (day, policy_domain, mx_host) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		INSERT INTO life_mx AS t (policy_domain, organization, mx_host, n_rows, failed_sessions)
			SELECT policy_domain, organization, mx_host, sum(d_rows)::bigint, sum(failed_sessions)::bigint FROM (SELECT policy_domain, organization, mx_host, 1 AS d_rows, failed_sessions FROM n) AS c GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
			ON CONFLICT (policy_domain, organization, mx_host) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, failed_sessions = t.failed_sessions + excluded.failed_sessions;
	ELSIF TG_OP = 'UPDATE' THEN
		INSERT INTO roll_mx AS t (day, policy_domain, mx_host, n_rows, failed_sessions)
			SELECT day, policy_domain, mx_host, sum(d_rows)::bigint, sum(failed_sessions)::bigint FROM (SELECT day, policy_domain, mx_host, 1 AS d_rows, failed_sessions FROM n UNION ALL SELECT day, policy_domain, mx_host, -1 AS d_rows, -failed_sessions AS failed_sessions FROM o) AS c GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
			ON CONFLICT (day, policy_domain, mx_host) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		INSERT INTO life_mx AS t (policy_domain, organization, mx_host, n_rows, failed_sessions)
			SELECT policy_domain, organization, mx_host, sum(d_rows)::bigint, sum(failed_sessions)::bigint FROM (SELECT policy_domain, organization, mx_host, 1 AS d_rows, failed_sessions FROM n UNION ALL SELECT policy_domain, organization, mx_host, -1 AS d_rows, -failed_sessions AS failed_sessions FROM o) AS c GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
			ON CONFLICT (policy_domain, organization, mx_host) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		DELETE FROM roll_mx AS t WHERE (t.day, t.policy_domain, t.mx_host) IN (SELECT day, policy_domain, mx_host FROM o) AND t.n_rows <= 0;
		DELETE FROM life_mx AS t WHERE (t.policy_domain, t.organization, t.mx_host) IN (SELECT policy_domain, organization, mx_host FROM o) AND t.n_rows <= 0;
	ELSE
		INSERT INTO roll_mx AS t (day, policy_domain, mx_host, n_rows, failed_sessions)
			SELECT day, policy_domain, mx_host, sum(d_rows)::bigint, sum(failed_sessions)::bigint FROM (SELECT day, policy_domain, mx_host, -1 AS d_rows, -failed_sessions AS failed_sessions FROM o) AS c GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
			ON CONFLICT (day, policy_domain, mx_host) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		INSERT INTO life_mx AS t (policy_domain, organization, mx_host, n_rows, failed_sessions)
			SELECT policy_domain, organization, mx_host, sum(d_rows)::bigint, sum(failed_sessions)::bigint FROM (SELECT policy_domain, organization, mx_host, -1 AS d_rows, -failed_sessions AS failed_sessions FROM o) AS c GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
			ON CONFLICT (policy_domain, organization, mx_host) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		DELETE FROM roll_mx AS t WHERE (t.day, t.policy_domain, t.mx_host) IN (SELECT day, policy_domain, mx_host FROM o) AND t.n_rows <= 0;
		DELETE FROM life_mx AS t WHERE (t.policy_domain, t.organization, t.mx_host) IN (SELECT policy_domain, organization, mx_host FROM o) AND t.n_rows <= 0;
	END IF;
	RETURN NULL;
END;
$$;
DROP TRIGGER agg_mx_roll ON agg_mx;
DROP FUNCTION tlswatch_roll_agg_mx();
CREATE TRIGGER agg_mx_roll_ins AFTER INSERT ON agg_mx REFERENCING NEW TABLE AS n
	FOR EACH STATEMENT EXECUTE FUNCTION tlswatch_stmt_agg_mx();
CREATE TRIGGER agg_mx_roll_upd AFTER UPDATE ON agg_mx REFERENCING OLD TABLE AS o NEW TABLE AS n
	FOR EACH STATEMENT EXECUTE FUNCTION tlswatch_stmt_agg_mx();
CREATE TRIGGER agg_mx_roll_del AFTER DELETE ON agg_mx REFERENCING OLD TABLE AS o
	FOR EACH STATEMENT EXECUTE FUNCTION tlswatch_stmt_agg_mx();

-- agg_policy_type -> roll_type
CREATE FUNCTION tlswatch_stmt_agg_policy_type() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		INSERT INTO roll_type AS t (day, policy_domain, policy_type, n_rows, policies, successful_sessions, failed_sessions)
			SELECT day, policy_domain, policy_type, sum(d_rows)::bigint, sum(policies)::bigint, sum(successful_sessions)::bigint, sum(failed_sessions)::bigint FROM (SELECT day, policy_domain, policy_type, 1 AS d_rows, policies, successful_sessions, failed_sessions FROM n) AS c GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
			ON CONFLICT (day, policy_domain, policy_type) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, policies = t.policies + excluded.policies, successful_sessions = t.successful_sessions + excluded.successful_sessions, failed_sessions = t.failed_sessions + excluded.failed_sessions;
	ELSIF TG_OP = 'UPDATE' THEN
		INSERT INTO roll_type AS t (day, policy_domain, policy_type, n_rows, policies, successful_sessions, failed_sessions)
			SELECT day, policy_domain, policy_type, sum(d_rows)::bigint, sum(policies)::bigint, sum(successful_sessions)::bigint, sum(failed_sessions)::bigint FROM (SELECT day, policy_domain, policy_type, 1 AS d_rows, policies, successful_sessions, failed_sessions FROM n UNION ALL SELECT day, policy_domain, policy_type, -1 AS d_rows, -policies AS policies, -successful_sessions AS successful_sessions, -failed_sessions AS failed_sessions FROM o) AS c GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
			ON CONFLICT (day, policy_domain, policy_type) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, policies = t.policies + excluded.policies, successful_sessions = t.successful_sessions + excluded.successful_sessions, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		DELETE FROM roll_type AS t WHERE (t.day, t.policy_domain, t.policy_type) IN (SELECT day, policy_domain, policy_type FROM o) AND t.n_rows <= 0;
	ELSE
		INSERT INTO roll_type AS t (day, policy_domain, policy_type, n_rows, policies, successful_sessions, failed_sessions)
			SELECT day, policy_domain, policy_type, sum(d_rows)::bigint, sum(policies)::bigint, sum(successful_sessions)::bigint, sum(failed_sessions)::bigint FROM (SELECT day, policy_domain, policy_type, -1 AS d_rows, -policies AS policies, -successful_sessions AS successful_sessions, -failed_sessions AS failed_sessions FROM o) AS c GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
			ON CONFLICT (day, policy_domain, policy_type) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, policies = t.policies + excluded.policies, successful_sessions = t.successful_sessions + excluded.successful_sessions, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		DELETE FROM roll_type AS t WHERE (t.day, t.policy_domain, t.policy_type) IN (SELECT day, policy_domain, policy_type FROM o) AND t.n_rows <= 0;
	END IF;
	RETURN NULL;
END;
$$;
DROP TRIGGER agg_policy_type_roll ON agg_policy_type;
DROP FUNCTION tlswatch_roll_agg_policy_type();
CREATE TRIGGER agg_policy_type_roll_ins AFTER INSERT ON agg_policy_type REFERENCING NEW TABLE AS n
	FOR EACH STATEMENT EXECUTE FUNCTION tlswatch_stmt_agg_policy_type();
CREATE TRIGGER agg_policy_type_roll_upd AFTER UPDATE ON agg_policy_type REFERENCING OLD TABLE AS o NEW TABLE AS n
	FOR EACH STATEMENT EXECUTE FUNCTION tlswatch_stmt_agg_policy_type();
CREATE TRIGGER agg_policy_type_roll_del AFTER DELETE ON agg_policy_type REFERENCING OLD TABLE AS o
	FOR EACH STATEMENT EXECUTE FUNCTION tlswatch_stmt_agg_policy_type();

-- agg_domain_pruned -> life_domain
CREATE FUNCTION tlswatch_stmt_agg_domain_pruned() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		INSERT INTO life_domain AS t (policy_domain, organization, n_rows, reports, successful_sessions, failed_sessions)
			SELECT policy_domain, organization, sum(d_rows)::bigint, sum(reports)::bigint, sum(successful_sessions)::bigint, sum(failed_sessions)::bigint FROM (SELECT policy_domain, organization, 1 AS d_rows, reports, successful_sessions, failed_sessions FROM n) AS c GROUP BY 1, 2 ORDER BY 1, 2
			ON CONFLICT (policy_domain, organization) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, reports = t.reports + excluded.reports, successful_sessions = t.successful_sessions + excluded.successful_sessions, failed_sessions = t.failed_sessions + excluded.failed_sessions;
	ELSIF TG_OP = 'UPDATE' THEN
		INSERT INTO life_domain AS t (policy_domain, organization, n_rows, reports, successful_sessions, failed_sessions)
			SELECT policy_domain, organization, sum(d_rows)::bigint, sum(reports)::bigint, sum(successful_sessions)::bigint, sum(failed_sessions)::bigint FROM (SELECT policy_domain, organization, 1 AS d_rows, reports, successful_sessions, failed_sessions FROM n UNION ALL SELECT policy_domain, organization, -1 AS d_rows, -reports AS reports, -successful_sessions AS successful_sessions, -failed_sessions AS failed_sessions FROM o) AS c GROUP BY 1, 2 ORDER BY 1, 2
			ON CONFLICT (policy_domain, organization) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, reports = t.reports + excluded.reports, successful_sessions = t.successful_sessions + excluded.successful_sessions, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		DELETE FROM life_domain AS t WHERE (t.policy_domain, t.organization) IN (SELECT policy_domain, organization FROM o) AND t.n_rows <= 0;
	ELSE
		INSERT INTO life_domain AS t (policy_domain, organization, n_rows, reports, successful_sessions, failed_sessions)
			SELECT policy_domain, organization, sum(d_rows)::bigint, sum(reports)::bigint, sum(successful_sessions)::bigint, sum(failed_sessions)::bigint FROM (SELECT policy_domain, organization, -1 AS d_rows, -reports AS reports, -successful_sessions AS successful_sessions, -failed_sessions AS failed_sessions FROM o) AS c GROUP BY 1, 2 ORDER BY 1, 2
			ON CONFLICT (policy_domain, organization) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, reports = t.reports + excluded.reports, successful_sessions = t.successful_sessions + excluded.successful_sessions, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		DELETE FROM life_domain AS t WHERE (t.policy_domain, t.organization) IN (SELECT policy_domain, organization FROM o) AND t.n_rows <= 0;
	END IF;
	RETURN NULL;
END;
$$;
DROP TRIGGER agg_domain_pruned_roll ON agg_domain_pruned;
DROP FUNCTION tlswatch_roll_agg_domain_pruned();
CREATE TRIGGER agg_domain_pruned_roll_ins AFTER INSERT ON agg_domain_pruned REFERENCING NEW TABLE AS n
	FOR EACH STATEMENT EXECUTE FUNCTION tlswatch_stmt_agg_domain_pruned();
CREATE TRIGGER agg_domain_pruned_roll_upd AFTER UPDATE ON agg_domain_pruned REFERENCING OLD TABLE AS o NEW TABLE AS n
	FOR EACH STATEMENT EXECUTE FUNCTION tlswatch_stmt_agg_domain_pruned();
CREATE TRIGGER agg_domain_pruned_roll_del AFTER DELETE ON agg_domain_pruned REFERENCING OLD TABLE AS o
	FOR EACH STATEMENT EXECUTE FUNCTION tlswatch_stmt_agg_domain_pruned();

-- agg_failure_pruned -> life_failure
CREATE FUNCTION tlswatch_stmt_agg_failure_pruned() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		INSERT INTO life_failure AS t (policy_domain, organization, mx_host, result_type, n_rows, failed_sessions)
			SELECT policy_domain, organization, mx_host, result_type, sum(d_rows)::bigint, sum(failed_sessions)::bigint FROM (SELECT policy_domain, organization, mx_host, result_type, 1 AS d_rows, failed_sessions FROM n) AS c GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
			ON CONFLICT (policy_domain, organization, mx_host, result_type) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, failed_sessions = t.failed_sessions + excluded.failed_sessions;
	ELSIF TG_OP = 'UPDATE' THEN
		INSERT INTO life_failure AS t (policy_domain, organization, mx_host, result_type, n_rows, failed_sessions)
			SELECT policy_domain, organization, mx_host, result_type, sum(d_rows)::bigint, sum(failed_sessions)::bigint FROM (SELECT policy_domain, organization, mx_host, result_type, 1 AS d_rows, failed_sessions FROM n UNION ALL SELECT policy_domain, organization, mx_host, result_type, -1 AS d_rows, -failed_sessions AS failed_sessions FROM o) AS c GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
			ON CONFLICT (policy_domain, organization, mx_host, result_type) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		DELETE FROM life_failure AS t WHERE (t.policy_domain, t.organization, t.mx_host, t.result_type) IN (SELECT policy_domain, organization, mx_host, result_type FROM o) AND t.n_rows <= 0;
	ELSE
		INSERT INTO life_failure AS t (policy_domain, organization, mx_host, result_type, n_rows, failed_sessions)
			SELECT policy_domain, organization, mx_host, result_type, sum(d_rows)::bigint, sum(failed_sessions)::bigint FROM (SELECT policy_domain, organization, mx_host, result_type, -1 AS d_rows, -failed_sessions AS failed_sessions FROM o) AS c GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
			ON CONFLICT (policy_domain, organization, mx_host, result_type) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		DELETE FROM life_failure AS t WHERE (t.policy_domain, t.organization, t.mx_host, t.result_type) IN (SELECT policy_domain, organization, mx_host, result_type FROM o) AND t.n_rows <= 0;
	END IF;
	RETURN NULL;
END;
$$;
DROP TRIGGER agg_failure_pruned_roll ON agg_failure_pruned;
DROP FUNCTION tlswatch_roll_agg_failure_pruned();
CREATE TRIGGER agg_failure_pruned_roll_ins AFTER INSERT ON agg_failure_pruned REFERENCING NEW TABLE AS n
	FOR EACH STATEMENT EXECUTE FUNCTION tlswatch_stmt_agg_failure_pruned();
CREATE TRIGGER agg_failure_pruned_roll_upd AFTER UPDATE ON agg_failure_pruned REFERENCING OLD TABLE AS o NEW TABLE AS n
	FOR EACH STATEMENT EXECUTE FUNCTION tlswatch_stmt_agg_failure_pruned();
CREATE TRIGGER agg_failure_pruned_roll_del AFTER DELETE ON agg_failure_pruned REFERENCING OLD TABLE AS o
	FOR EACH STATEMENT EXECUTE FUNCTION tlswatch_stmt_agg_failure_pruned();

-- agg_mx_pruned -> life_mx
CREATE FUNCTION tlswatch_stmt_agg_mx_pruned() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		INSERT INTO life_mx AS t (policy_domain, organization, mx_host, n_rows, failed_sessions)
			SELECT policy_domain, organization, mx_host, sum(d_rows)::bigint, sum(failed_sessions)::bigint FROM (SELECT policy_domain, organization, mx_host, 1 AS d_rows, failed_sessions FROM n) AS c GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
			ON CONFLICT (policy_domain, organization, mx_host) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, failed_sessions = t.failed_sessions + excluded.failed_sessions;
	ELSIF TG_OP = 'UPDATE' THEN
		INSERT INTO life_mx AS t (policy_domain, organization, mx_host, n_rows, failed_sessions)
			SELECT policy_domain, organization, mx_host, sum(d_rows)::bigint, sum(failed_sessions)::bigint FROM (SELECT policy_domain, organization, mx_host, 1 AS d_rows, failed_sessions FROM n UNION ALL SELECT policy_domain, organization, mx_host, -1 AS d_rows, -failed_sessions AS failed_sessions FROM o) AS c GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
			ON CONFLICT (policy_domain, organization, mx_host) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		DELETE FROM life_mx AS t WHERE (t.policy_domain, t.organization, t.mx_host) IN (SELECT policy_domain, organization, mx_host FROM o) AND t.n_rows <= 0;
	ELSE
		INSERT INTO life_mx AS t (policy_domain, organization, mx_host, n_rows, failed_sessions)
			SELECT policy_domain, organization, mx_host, sum(d_rows)::bigint, sum(failed_sessions)::bigint FROM (SELECT policy_domain, organization, mx_host, -1 AS d_rows, -failed_sessions AS failed_sessions FROM o) AS c GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
			ON CONFLICT (policy_domain, organization, mx_host) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		DELETE FROM life_mx AS t WHERE (t.policy_domain, t.organization, t.mx_host) IN (SELECT policy_domain, organization, mx_host FROM o) AND t.n_rows <= 0;
	END IF;
	RETURN NULL;
END;
$$;
DROP TRIGGER agg_mx_pruned_roll ON agg_mx_pruned;
DROP FUNCTION tlswatch_roll_agg_mx_pruned();
CREATE TRIGGER agg_mx_pruned_roll_ins AFTER INSERT ON agg_mx_pruned REFERENCING NEW TABLE AS n
	FOR EACH STATEMENT EXECUTE FUNCTION tlswatch_stmt_agg_mx_pruned();
CREATE TRIGGER agg_mx_pruned_roll_upd AFTER UPDATE ON agg_mx_pruned REFERENCING OLD TABLE AS o NEW TABLE AS n
	FOR EACH STATEMENT EXECUTE FUNCTION tlswatch_stmt_agg_mx_pruned();
CREATE TRIGGER agg_mx_pruned_roll_del AFTER DELETE ON agg_mx_pruned REFERENCING OLD TABLE AS o
	FOR EACH STATEMENT EXECUTE FUNCTION tlswatch_stmt_agg_mx_pruned();

-- report -> roll_report_day (an update that keeps the day changes nothing)
CREATE FUNCTION tlswatch_stmt_report() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		INSERT INTO roll_report_day AS t (day, reports)
			SELECT day, sum(d)::bigint FROM (SELECT day, 1 AS d FROM n) AS c GROUP BY 1 ORDER BY 1
			ON CONFLICT (day) DO UPDATE SET reports = t.reports + excluded.reports;
	ELSIF TG_OP = 'UPDATE' THEN
		INSERT INTO roll_report_day AS t (day, reports)
			SELECT day, sum(d)::bigint FROM (SELECT n.day, 1 AS d FROM n JOIN o USING (id) WHERE n.day <> o.day UNION ALL SELECT o.day, -1 FROM o JOIN n USING (id) WHERE n.day <> o.day) AS c GROUP BY 1 ORDER BY 1
			ON CONFLICT (day) DO UPDATE SET reports = t.reports + excluded.reports;
		DELETE FROM roll_report_day AS t WHERE t.day IN (SELECT day FROM o) AND t.reports <= 0;
	ELSE
		INSERT INTO roll_report_day AS t (day, reports)
			SELECT day, sum(d)::bigint FROM (SELECT day, -1 AS d FROM o) AS c GROUP BY 1 ORDER BY 1
			ON CONFLICT (day) DO UPDATE SET reports = t.reports + excluded.reports;
		DELETE FROM roll_report_day AS t WHERE t.day IN (SELECT day FROM o) AND t.reports <= 0;
	END IF;
	RETURN NULL;
END;
$$;
DROP TRIGGER report_roll ON report;
DROP FUNCTION tlswatch_roll_report();
CREATE TRIGGER report_roll_ins AFTER INSERT ON report REFERENCING NEW TABLE AS n
	FOR EACH STATEMENT EXECUTE FUNCTION tlswatch_stmt_report();
CREATE TRIGGER report_roll_upd AFTER UPDATE ON report REFERENCING OLD TABLE AS o NEW TABLE AS n
	FOR EACH STATEMENT EXECUTE FUNCTION tlswatch_stmt_report();
CREATE TRIGGER report_roll_del AFTER DELETE ON report REFERENCING OLD TABLE AS o
	FOR EACH STATEMENT EXECUTE FUNCTION tlswatch_stmt_report();
