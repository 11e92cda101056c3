-- 035_emptied_rows.sql - the roll-ups' statement triggers (017's day
-- roll-ups and lifetime totals, 026's month tables) find the rows a
-- statement emptied by their keys again, whatever the table's statistics
-- say (docs/performance.md, "Year roll-ups on PostgreSQL, emptied rows
-- by key, recount by day"). The tables, their sums and what 'db check'
-- compares are unchanged.
--
-- Each trigger deletes the rows whose n_rows its statement brought to 0:
-- "DELETE FROM t WHERE (keys) IN (SELECT keys FROM o) AND t.n_rows <= 0".
-- Between statements no stored row has n_rows <= 0, and ANALYZE says so:
-- the planner counted one emptied row, and for a small table (or a
-- lifetime table: rows without a day) chose to scan it and test each
-- emptied row against every key of o, a nested loop of rows x keys. Where
-- a statement empties many rows that went quadratic: a month's prune at
-- 9.5 million reports spent 37 s in life_failure's delete and 27 s in
-- roll_mx's, and 'db recount' of a 44,000-report store a minute in
-- roll_org's. "t.n_rows + 0" is an expression without statistics: the
-- planner counts a third of the table, and seeks o's keys by the primary
-- key or hashes them, in time linear in the rows. The functions are
-- 017's and 026's otherwise word for word; 034's year triggers were
-- written this way.

CREATE OR REPLACE FUNCTION tlswatch_stmt_agg_domain() RETURNS trigger LANGUAGE plpgsql AS $$
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
		DELETE FROM roll_domain AS t WHERE (t.day, t.policy_domain) IN (SELECT day, policy_domain FROM o) AND t.n_rows + 0 <= 0;
		DELETE FROM roll_org AS t WHERE (t.day, t.organization) IN (SELECT day, organization FROM o) AND t.n_rows + 0 <= 0;
		DELETE FROM life_domain AS t WHERE (t.policy_domain, t.organization) IN (SELECT policy_domain, organization FROM o) AND t.n_rows + 0 <= 0;
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
		DELETE FROM roll_domain AS t WHERE (t.day, t.policy_domain) IN (SELECT day, policy_domain FROM o) AND t.n_rows + 0 <= 0;
		DELETE FROM roll_org AS t WHERE (t.day, t.organization) IN (SELECT day, organization FROM o) AND t.n_rows + 0 <= 0;
		DELETE FROM life_domain AS t WHERE (t.policy_domain, t.organization) IN (SELECT policy_domain, organization FROM o) AND t.n_rows + 0 <= 0;
	END IF;
	RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION tlswatch_stmt_agg_failure() RETURNS trigger LANGUAGE plpgsql AS $$
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
		DELETE FROM roll_failure AS t WHERE (t.day, t.policy_domain, t.mx_host, t.result_type) IN (SELECT day, policy_domain, mx_host, result_type FROM o) AND t.n_rows + 0 <= 0;
		DELETE FROM life_failure AS t WHERE (t.policy_domain, t.organization, t.mx_host, t.result_type) IN (SELECT policy_domain, organization, mx_host, result_type FROM o) AND t.n_rows + 0 <= 0;
	ELSE
		INSERT INTO roll_failure AS t (day, policy_domain, mx_host, result_type, n_rows, failed_sessions)
			SELECT day, policy_domain, mx_host, result_type, sum(d_rows)::bigint, sum(failed_sessions)::bigint FROM (SELECT day, policy_domain, mx_host, result_type, -1 AS d_rows, -failed_sessions AS failed_sessions FROM o) AS c GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
			ON CONFLICT (day, policy_domain, mx_host, result_type) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		INSERT INTO life_failure AS t (policy_domain, organization, mx_host, result_type, n_rows, failed_sessions)
			SELECT policy_domain, organization, mx_host, result_type, sum(d_rows)::bigint, sum(failed_sessions)::bigint FROM (SELECT policy_domain, organization, mx_host, result_type, -1 AS d_rows, -failed_sessions AS failed_sessions FROM o) AS c GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
			ON CONFLICT (policy_domain, organization, mx_host, result_type) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		DELETE FROM roll_failure AS t WHERE (t.day, t.policy_domain, t.mx_host, t.result_type) IN (SELECT day, policy_domain, mx_host, result_type FROM o) AND t.n_rows + 0 <= 0;
		DELETE FROM life_failure AS t WHERE (t.policy_domain, t.organization, t.mx_host, t.result_type) IN (SELECT policy_domain, organization, mx_host, result_type FROM o) AND t.n_rows + 0 <= 0;
	END IF;
	RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION tlswatch_stmt_agg_mx() RETURNS trigger LANGUAGE plpgsql AS $$
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
		DELETE FROM roll_mx AS t WHERE (t.day, t.policy_domain, t.mx_host) IN (SELECT day, policy_domain, mx_host FROM o) AND t.n_rows + 0 <= 0;
		DELETE FROM life_mx AS t WHERE (t.policy_domain, t.organization, t.mx_host) IN (SELECT policy_domain, organization, mx_host FROM o) AND t.n_rows + 0 <= 0;
	ELSE
		INSERT INTO roll_mx AS t (day, policy_domain, mx_host, n_rows, failed_sessions)
			SELECT day, policy_domain, mx_host, sum(d_rows)::bigint, sum(failed_sessions)::bigint FROM (SELECT day, policy_domain, mx_host, -1 AS d_rows, -failed_sessions AS failed_sessions FROM o) AS c GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
			ON CONFLICT (day, policy_domain, mx_host) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		INSERT INTO life_mx AS t (policy_domain, organization, mx_host, n_rows, failed_sessions)
			SELECT policy_domain, organization, mx_host, sum(d_rows)::bigint, sum(failed_sessions)::bigint FROM (SELECT policy_domain, organization, mx_host, -1 AS d_rows, -failed_sessions AS failed_sessions FROM o) AS c GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
			ON CONFLICT (policy_domain, organization, mx_host) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		DELETE FROM roll_mx AS t WHERE (t.day, t.policy_domain, t.mx_host) IN (SELECT day, policy_domain, mx_host FROM o) AND t.n_rows + 0 <= 0;
		DELETE FROM life_mx AS t WHERE (t.policy_domain, t.organization, t.mx_host) IN (SELECT policy_domain, organization, mx_host FROM o) AND t.n_rows + 0 <= 0;
	END IF;
	RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION tlswatch_stmt_agg_policy_type() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		INSERT INTO roll_type AS t (day, policy_domain, policy_type, n_rows, policies, successful_sessions, failed_sessions)
			SELECT day, policy_domain, policy_type, sum(d_rows)::bigint, sum(policies)::bigint, sum(successful_sessions)::bigint, sum(failed_sessions)::bigint FROM (SELECT day, policy_domain, policy_type, 1 AS d_rows, policies, successful_sessions, failed_sessions FROM n) AS c GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
			ON CONFLICT (day, policy_domain, policy_type) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, policies = t.policies + excluded.policies, successful_sessions = t.successful_sessions + excluded.successful_sessions, failed_sessions = t.failed_sessions + excluded.failed_sessions;
	ELSIF TG_OP = 'UPDATE' THEN
		INSERT INTO roll_type AS t (day, policy_domain, policy_type, n_rows, policies, successful_sessions, failed_sessions)
			SELECT day, policy_domain, policy_type, sum(d_rows)::bigint, sum(policies)::bigint, sum(successful_sessions)::bigint, sum(failed_sessions)::bigint FROM (SELECT day, policy_domain, policy_type, 1 AS d_rows, policies, successful_sessions, failed_sessions FROM n UNION ALL SELECT day, policy_domain, policy_type, -1 AS d_rows, -policies AS policies, -successful_sessions AS successful_sessions, -failed_sessions AS failed_sessions FROM o) AS c GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
			ON CONFLICT (day, policy_domain, policy_type) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, policies = t.policies + excluded.policies, successful_sessions = t.successful_sessions + excluded.successful_sessions, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		DELETE FROM roll_type AS t WHERE (t.day, t.policy_domain, t.policy_type) IN (SELECT day, policy_domain, policy_type FROM o) AND t.n_rows + 0 <= 0;
	ELSE
		INSERT INTO roll_type AS t (day, policy_domain, policy_type, n_rows, policies, successful_sessions, failed_sessions)
			SELECT day, policy_domain, policy_type, sum(d_rows)::bigint, sum(policies)::bigint, sum(successful_sessions)::bigint, sum(failed_sessions)::bigint FROM (SELECT day, policy_domain, policy_type, -1 AS d_rows, -policies AS policies, -successful_sessions AS successful_sessions, -failed_sessions AS failed_sessions FROM o) AS c GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
			ON CONFLICT (day, policy_domain, policy_type) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, policies = t.policies + excluded.policies, successful_sessions = t.successful_sessions + excluded.successful_sessions, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		DELETE FROM roll_type AS t WHERE (t.day, t.policy_domain, t.policy_type) IN (SELECT day, policy_domain, policy_type FROM o) AND t.n_rows + 0 <= 0;
	END IF;
	RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION tlswatch_stmt_agg_domain_pruned() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		INSERT INTO life_domain AS t (policy_domain, organization, n_rows, reports, successful_sessions, failed_sessions)
			SELECT policy_domain, organization, sum(d_rows)::bigint, sum(reports)::bigint, sum(successful_sessions)::bigint, sum(failed_sessions)::bigint FROM (SELECT policy_domain, organization, 1 AS d_rows, reports, successful_sessions, failed_sessions FROM n) AS c GROUP BY 1, 2 ORDER BY 1, 2
			ON CONFLICT (policy_domain, organization) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, reports = t.reports + excluded.reports, successful_sessions = t.successful_sessions + excluded.successful_sessions, failed_sessions = t.failed_sessions + excluded.failed_sessions;
	ELSIF TG_OP = 'UPDATE' THEN
		INSERT INTO life_domain AS t (policy_domain, organization, n_rows, reports, successful_sessions, failed_sessions)
			SELECT policy_domain, organization, sum(d_rows)::bigint, sum(reports)::bigint, sum(successful_sessions)::bigint, sum(failed_sessions)::bigint FROM (SELECT policy_domain, organization, 1 AS d_rows, reports, successful_sessions, failed_sessions FROM n UNION ALL SELECT policy_domain, organization, -1 AS d_rows, -reports AS reports, -successful_sessions AS successful_sessions, -failed_sessions AS failed_sessions FROM o) AS c GROUP BY 1, 2 ORDER BY 1, 2
			ON CONFLICT (policy_domain, organization) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, reports = t.reports + excluded.reports, successful_sessions = t.successful_sessions + excluded.successful_sessions, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		DELETE FROM life_domain AS t WHERE (t.policy_domain, t.organization) IN (SELECT policy_domain, organization FROM o) AND t.n_rows + 0 <= 0;
	ELSE
		INSERT INTO life_domain AS t (policy_domain, organization, n_rows, reports, successful_sessions, failed_sessions)
			SELECT policy_domain, organization, sum(d_rows)::bigint, sum(reports)::bigint, sum(successful_sessions)::bigint, sum(failed_sessions)::bigint FROM (SELECT policy_domain, organization, -1 AS d_rows, -reports AS reports, -successful_sessions AS successful_sessions, -failed_sessions AS failed_sessions FROM o) AS c GROUP BY 1, 2 ORDER BY 1, 2
			ON CONFLICT (policy_domain, organization) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, reports = t.reports + excluded.reports, successful_sessions = t.successful_sessions + excluded.successful_sessions, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		DELETE FROM life_domain AS t WHERE (t.policy_domain, t.organization) IN (SELECT policy_domain, organization FROM o) AND t.n_rows + 0 <= 0;
	END IF;
	RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION tlswatch_stmt_agg_failure_pruned() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		INSERT INTO life_failure AS t (policy_domain, organization, mx_host, result_type, n_rows, failed_sessions)
			SELECT policy_domain, organization, mx_host, result_type, sum(d_rows)::bigint, sum(failed_sessions)::bigint FROM (SELECT policy_domain, organization, mx_host, result_type, 1 AS d_rows, failed_sessions FROM n) AS c GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
			ON CONFLICT (policy_domain, organization, mx_host, result_type) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, failed_sessions = t.failed_sessions + excluded.failed_sessions;
	ELSIF TG_OP = 'UPDATE' THEN
		INSERT INTO life_failure AS t (policy_domain, organization, mx_host, result_type, n_rows, failed_sessions)
			SELECT policy_domain, organization, mx_host, result_type, sum(d_rows)::bigint, sum(failed_sessions)::bigint FROM (SELECT policy_domain, organization, mx_host, result_type, 1 AS d_rows, failed_sessions FROM n UNION ALL SELECT policy_domain, organization, mx_host, result_type, -1 AS d_rows, -failed_sessions AS failed_sessions FROM o) AS c GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
			ON CONFLICT (policy_domain, organization, mx_host, result_type) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		DELETE FROM life_failure AS t WHERE (t.policy_domain, t.organization, t.mx_host, t.result_type) IN (SELECT policy_domain, organization, mx_host, result_type FROM o) AND t.n_rows + 0 <= 0;
	ELSE
		INSERT INTO life_failure AS t (policy_domain, organization, mx_host, result_type, n_rows, failed_sessions)
			SELECT policy_domain, organization, mx_host, result_type, sum(d_rows)::bigint, sum(failed_sessions)::bigint FROM (SELECT policy_domain, organization, mx_host, result_type, -1 AS d_rows, -failed_sessions AS failed_sessions FROM o) AS c GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
			ON CONFLICT (policy_domain, organization, mx_host, result_type) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		DELETE FROM life_failure AS t WHERE (t.policy_domain, t.organization, t.mx_host, t.result_type) IN (SELECT policy_domain, organization, mx_host, result_type FROM o) AND t.n_rows + 0 <= 0;
	END IF;
	RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION tlswatch_stmt_agg_mx_pruned() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		INSERT INTO life_mx AS t (policy_domain, organization, mx_host, n_rows, failed_sessions)
			SELECT policy_domain, organization, mx_host, sum(d_rows)::bigint, sum(failed_sessions)::bigint FROM (SELECT policy_domain, organization, mx_host, 1 AS d_rows, failed_sessions FROM n) AS c GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
			ON CONFLICT (policy_domain, organization, mx_host) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, failed_sessions = t.failed_sessions + excluded.failed_sessions;
	ELSIF TG_OP = 'UPDATE' THEN
		INSERT INTO life_mx AS t (policy_domain, organization, mx_host, n_rows, failed_sessions)
			SELECT policy_domain, organization, mx_host, sum(d_rows)::bigint, sum(failed_sessions)::bigint FROM (SELECT policy_domain, organization, mx_host, 1 AS d_rows, failed_sessions FROM n UNION ALL SELECT policy_domain, organization, mx_host, -1 AS d_rows, -failed_sessions AS failed_sessions FROM o) AS c GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
			ON CONFLICT (policy_domain, organization, mx_host) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		DELETE FROM life_mx AS t WHERE (t.policy_domain, t.organization, t.mx_host) IN (SELECT policy_domain, organization, mx_host FROM o) AND t.n_rows + 0 <= 0;
	ELSE
		INSERT INTO life_mx AS t (policy_domain, organization, mx_host, n_rows, failed_sessions)
			SELECT policy_domain, organization, mx_host, sum(d_rows)::bigint, sum(failed_sessions)::bigint FROM (SELECT policy_domain, organization, mx_host, -1 AS d_rows, -failed_sessions AS failed_sessions FROM o) AS c GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
			ON CONFLICT (policy_domain, organization, mx_host) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		DELETE FROM life_mx AS t WHERE (t.policy_domain, t.organization, t.mx_host) IN (SELECT policy_domain, organization, mx_host FROM o) AND t.n_rows + 0 <= 0;
	END IF;
	RETURN NULL;
END;
$$;

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
		DELETE FROM roll_day AS t WHERE (t.day) IN (SELECT day FROM o) AND t.n_rows + 0 <= 0;
		DELETE FROM roll_domain_month AS t WHERE (t.day, t.policy_domain) IN (SELECT tlswatch_month_of(day), policy_domain FROM o) AND t.n_rows + 0 <= 0;
		DELETE FROM roll_org_month AS t WHERE (t.day, t.organization) IN (SELECT tlswatch_month_of(day), organization FROM o) AND t.n_rows + 0 <= 0;
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
		DELETE FROM roll_day AS t WHERE (t.day) IN (SELECT day FROM o) AND t.n_rows + 0 <= 0;
		DELETE FROM roll_domain_month AS t WHERE (t.day, t.policy_domain) IN (SELECT tlswatch_month_of(day), policy_domain FROM o) AND t.n_rows + 0 <= 0;
		DELETE FROM roll_org_month AS t WHERE (t.day, t.organization) IN (SELECT tlswatch_month_of(day), organization FROM o) AND t.n_rows + 0 <= 0;
	END IF;
	RETURN NULL;
END;
$$;

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
		DELETE FROM roll_failure_month AS t WHERE (t.day, t.policy_domain, t.mx_host, t.result_type) IN (SELECT tlswatch_month_of(day), policy_domain, mx_host, result_type FROM o) AND t.n_rows + 0 <= 0;
		DELETE FROM agg_failure_month AS t WHERE (t.day, t.policy_domain, t.organization, t.mx_host, t.result_type) IN (SELECT tlswatch_month_of(day), policy_domain, organization, mx_host, result_type FROM o) AND t.n_rows + 0 <= 0;
	ELSE
		INSERT INTO roll_failure_month AS t (day, policy_domain, mx_host, result_type, n_rows, failed_sessions)
			SELECT day, policy_domain, mx_host, result_type, sum(n_rows)::bigint, sum(failed_sessions)::bigint FROM (SELECT tlswatch_month_of(day) AS day, policy_domain, mx_host, result_type, -1 AS n_rows, -failed_sessions AS failed_sessions FROM o) AS c GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
			ON CONFLICT (day, policy_domain, mx_host, result_type) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		INSERT INTO agg_failure_month AS t (day, policy_domain, organization, mx_host, result_type, n_rows, failed_sessions)
			SELECT day, policy_domain, organization, mx_host, result_type, sum(n_rows)::bigint, sum(failed_sessions)::bigint FROM (SELECT tlswatch_month_of(day) AS day, policy_domain, organization, mx_host, result_type, -1 AS n_rows, -failed_sessions AS failed_sessions FROM o) AS c GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
			ON CONFLICT (day, policy_domain, organization, mx_host, result_type) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		DELETE FROM roll_failure_month AS t WHERE (t.day, t.policy_domain, t.mx_host, t.result_type) IN (SELECT tlswatch_month_of(day), policy_domain, mx_host, result_type FROM o) AND t.n_rows + 0 <= 0;
		DELETE FROM agg_failure_month AS t WHERE (t.day, t.policy_domain, t.organization, t.mx_host, t.result_type) IN (SELECT tlswatch_month_of(day), policy_domain, organization, mx_host, result_type FROM o) AND t.n_rows + 0 <= 0;
	END IF;
	RETURN NULL;
END;
$$;

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
		DELETE FROM roll_mx_month AS t WHERE (t.day, t.policy_domain, t.mx_host) IN (SELECT tlswatch_month_of(day), policy_domain, mx_host FROM o) AND t.n_rows + 0 <= 0;
	ELSE
		INSERT INTO roll_mx_month AS t (day, policy_domain, mx_host, n_rows, failed_sessions)
			SELECT day, policy_domain, mx_host, sum(n_rows)::bigint, sum(failed_sessions)::bigint FROM (SELECT tlswatch_month_of(day) AS day, policy_domain, mx_host, -1 AS n_rows, -failed_sessions AS failed_sessions FROM o) AS c GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
			ON CONFLICT (day, policy_domain, mx_host) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		DELETE FROM roll_mx_month AS t WHERE (t.day, t.policy_domain, t.mx_host) IN (SELECT tlswatch_month_of(day), policy_domain, mx_host FROM o) AND t.n_rows + 0 <= 0;
	END IF;
	RETURN NULL;
END;
$$;

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
		DELETE FROM roll_type_month AS t WHERE (t.day, t.policy_domain, t.policy_type) IN (SELECT tlswatch_month_of(day), policy_domain, policy_type FROM o) AND t.n_rows + 0 <= 0;
	ELSE
		INSERT INTO roll_type_month AS t (day, policy_domain, policy_type, n_rows, policies, successful_sessions, failed_sessions)
			SELECT day, policy_domain, policy_type, sum(n_rows)::bigint, sum(policies)::bigint, sum(successful_sessions)::bigint, sum(failed_sessions)::bigint FROM (SELECT tlswatch_month_of(day) AS day, policy_domain, policy_type, -1 AS n_rows, -policies AS policies, -successful_sessions AS successful_sessions, -failed_sessions AS failed_sessions FROM o) AS c GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
			ON CONFLICT (day, policy_domain, policy_type) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, policies = t.policies + excluded.policies, successful_sessions = t.successful_sessions + excluded.successful_sessions, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		DELETE FROM roll_type_month AS t WHERE (t.day, t.policy_domain, t.policy_type) IN (SELECT tlswatch_month_of(day), policy_domain, policy_type FROM o) AND t.n_rows + 0 <= 0;
	END IF;
	RETURN NULL;
END;
$$;
