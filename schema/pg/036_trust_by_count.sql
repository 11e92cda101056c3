-- 036_trust_by_count.sql - roll_trust's statement trigger on policy (020,
-- rewritten in 028) counts a (report, domain) once without comparing each
-- policy with the statement's rows, and reads each report's policies once
-- rather than once per domain (docs/performance.md, "The trust trigger
-- linear in its statement").
--
-- 028 tested "no policy of the report outside the statement names the
-- domain" with p.id NOT IN (SELECT id FROM n): a hashed subplan only while
-- the planner expects n to fit in work_mem (times hash_mem_multiplier);
-- past that, a scan of n for every policy it tests. Reports are hostile
-- input: 60 reports of 4,000 policies each (1,000 domains, the most a
-- report may name) took 7.8 s to ingest with the default work_mem and did
-- not finish in 5 minutes with work_mem = 1MB. Each (report, domain) was
-- also probed on its own, every probe reading all the report's policies:
-- 1,000 probes of 4,000 rows a report.
--
-- Now: a (report, domain) is new when the report's policies naming the
-- domain, counted after the statement, are exactly those the statement
-- brought (every policy of n is in the table by then, and a policy is
-- never updated); it is gone when none is left. The report's policies
-- are read once per report of the statement, by policy_report, and every
-- join and grouping may hash or sort and spill. The rows a delete emptied
-- go as 035 finds them for the other roll-ups: "t.verified + 0 <= 0" has
-- no statistics, where "t.verified = 0" let the planner count one such
-- row and test each against every row of o (a day's prune of those
-- reports with work_mem = 64kB: not done in 5 minutes). The table, its
-- sums and what 'db check' compares are unchanged.

CREATE OR REPLACE FUNCTION tlswatch_stmt_policy_trust() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		-- each (report, domain) of which every policy came in this statement
		INSERT INTO roll_trust AS t (day, policy_domain, organization, verified, unverified)
			SELECT r.day, k.dom, r.organization, sum(CASE WHEN r.provenance <> 'unverified-mail' THEN 1 ELSE 0 END)::bigint, sum(CASE WHEN r.provenance = 'unverified-mail' THEN 1 ELSE 0 END)::bigint
			FROM (SELECT report, day, coalesce(policy_domain, '') AS dom, count(*) AS c FROM n GROUP BY 1, 2, 3) AS k
			JOIN (SELECT p.report, p.day, coalesce(p.policy_domain, '') AS dom, count(*) AS c FROM policy p
				WHERE (p.report, p.day) IN (SELECT report, day FROM n) GROUP BY 1, 2, 3) AS a
				ON a.report = k.report AND a.day = k.day AND a.dom = k.dom AND a.c = k.c
			JOIN report r ON r.id = k.report AND r.day = k.day
			GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
			ON CONFLICT (policy_domain, day, organization) DO UPDATE SET verified = t.verified + excluded.verified, unverified = t.unverified + excluded.unverified;
	ELSE
		-- each (report, domain) the statement took the last policy of
		INSERT INTO roll_trust AS t (day, policy_domain, organization, verified, unverified)
			SELECT r.day, k.dom, r.organization, -sum(CASE WHEN r.provenance <> 'unverified-mail' THEN 1 ELSE 0 END)::bigint, -sum(CASE WHEN r.provenance = 'unverified-mail' THEN 1 ELSE 0 END)::bigint
			FROM (SELECT DISTINCT report, day, coalesce(policy_domain, '') AS dom FROM o) AS k
			JOIN report r ON r.id = k.report AND r.day = k.day
			LEFT JOIN (SELECT DISTINCT p.report, p.day, coalesce(p.policy_domain, '') AS dom FROM policy p
				WHERE (p.report, p.day) IN (SELECT report, day FROM o)) AS a
				ON a.report = k.report AND a.day = k.day AND a.dom = k.dom
			WHERE a.report IS NULL
			GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
			ON CONFLICT (policy_domain, day, organization) DO UPDATE SET verified = t.verified + excluded.verified, unverified = t.unverified + excluded.unverified;
		DELETE FROM roll_trust AS t WHERE (t.day, t.policy_domain) IN (SELECT day, coalesce(policy_domain, '') FROM o) AND t.verified + 0 <= 0 AND t.unverified + 0 <= 0;
	END IF;
	RETURN NULL;
END;
$$;
