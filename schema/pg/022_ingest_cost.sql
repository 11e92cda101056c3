-- 022_ingest_cost.sql - less work per report written into PostgreSQL
-- (issue 16, item 4: ingest toward 10,000 reports/s). The tables and
-- what every read returns are unchanged; what goes is work the writer
-- paid per report for nothing a read needs (measured with
-- pg_stat_statements in docs/performance.md, "Ingest into PostgreSQL:
-- fewer per-row costs").
--
-- 1. roll_presence (014) was the last roll-up kept by a row-level
--    PL/pgSQL trigger: one call and one upsert per agg_domain row written
--    (a third of the server's time in the aggregate upserts of a batch).
--    It is now kept as 017 keeps the others: one call per statement, the
--    transition tables grouped per (first_day, domain, organization) and
--    added in key order. Exact as before: a day's bit is set while the
--    day's agg_domain row has reports > 0. A row written (n) with
--    reports > 0 sets its bit, a row as it was (o) with reports > 0
--    clears it unless the statement leaves that key with reports > 0 (a
--    key is one row: agg_domain's primary key); an upsert that only adds
--    to rows already counted changes no bit and touches no roll-up row.
-- 2. report_org_id: report's (organization, report_id) index of 018. The
--    writer finds a report through report_key's primary key, and no read
--    asks report by that pair without the day; every report written paid
--    for one more index entry.
-- 3. report's foreign key to source: a row-level check (one lookup into
--    source) for every report written. The writer adds a report's source
--    in the same transaction, before it, and prune and the trust rules
--    delete a source only when no report names it, as they do for the
--    references 018 dropped; 'db check' counts reports whose source is
--    missing (store/pg_write_part.c).

CREATE OR REPLACE FUNCTION tlswatch_stmt_presence() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		INSERT INTO roll_presence AS t (policy_domain, organization, first_day, days)
			SELECT policy_domain, organization, day - day % 32, bit_or(CAST(1 AS bigint) << CAST(day % 32 AS integer))
			FROM n WHERE reports > 0 GROUP BY 3, 1, 2 ORDER BY 3, 1, 2
			ON CONFLICT (first_day, policy_domain, organization) DO UPDATE SET days = t.days | excluded.days;
		RETURN NULL;
	END IF;
	-- the bits each roll-up row loses (clr) and gains (st): on the rows
	-- there, then the rows new to the store, then the rows left empty
	IF TG_OP = 'UPDATE' THEN
		WITH g AS (SELECT policy_domain, organization, day - day % 32 AS first_day, bit_or(clr) AS clr, bit_or(st) AS st FROM (
				SELECT day, policy_domain, organization, CAST(1 AS bigint) << CAST(day % 32 AS integer) AS clr, CAST(0 AS bigint) AS st
				FROM (SELECT day, policy_domain, organization FROM o WHERE reports > 0
					EXCEPT SELECT day, policy_domain, organization FROM n WHERE reports > 0) AS x
				UNION ALL
				SELECT day, policy_domain, organization, CAST(0 AS bigint), CAST(1 AS bigint) << CAST(day % 32 AS integer)
				FROM (SELECT day, policy_domain, organization FROM n WHERE reports > 0
					EXCEPT SELECT day, policy_domain, organization FROM o WHERE reports > 0) AS y
			) AS c GROUP BY 3, 1, 2),
		u AS (UPDATE roll_presence t SET days = (t.days & ~g.clr) | g.st FROM g
			WHERE t.first_day = g.first_day AND t.policy_domain = g.policy_domain AND t.organization = g.organization
			RETURNING t.first_day, t.policy_domain, t.organization)
		INSERT INTO roll_presence AS t (policy_domain, organization, first_day, days)
			SELECT g.policy_domain, g.organization, g.first_day, g.st FROM g WHERE g.st <> 0 AND NOT EXISTS (SELECT 1 FROM u
				WHERE u.first_day = g.first_day AND u.policy_domain = g.policy_domain AND u.organization = g.organization)
			ORDER BY 3, 1, 2
			ON CONFLICT (first_day, policy_domain, organization) DO UPDATE SET days = t.days | excluded.days;
	ELSE
		WITH g AS (SELECT policy_domain, organization, day - day % 32 AS first_day, bit_or(CAST(1 AS bigint) << CAST(day % 32 AS integer)) AS clr,
				CAST(0 AS bigint) AS st FROM o WHERE reports > 0 GROUP BY 3, 1, 2),
		u AS (UPDATE roll_presence t SET days = (t.days & ~g.clr) | g.st FROM g
			WHERE t.first_day = g.first_day AND t.policy_domain = g.policy_domain AND t.organization = g.organization
			RETURNING t.first_day, t.policy_domain, t.organization)
		INSERT INTO roll_presence AS t (policy_domain, organization, first_day, days)
			SELECT g.policy_domain, g.organization, g.first_day, g.st FROM g WHERE g.st <> 0 AND NOT EXISTS (SELECT 1 FROM u
				WHERE u.first_day = g.first_day AND u.policy_domain = g.policy_domain AND u.organization = g.organization)
			ORDER BY 3, 1, 2
			ON CONFLICT (first_day, policy_domain, organization) DO UPDATE SET days = t.days | excluded.days;
	END IF;
	DELETE FROM roll_presence t WHERE t.days = 0 AND (t.first_day, t.policy_domain, t.organization)
		IN (SELECT day - day % 32, policy_domain, organization FROM o);
	RETURN NULL;
END;
$$;
DROP TRIGGER IF EXISTS agg_domain_presence ON agg_domain;
DROP FUNCTION IF EXISTS tlswatch_roll_presence();
DROP TRIGGER IF EXISTS agg_domain_presence_ins ON agg_domain;
DROP TRIGGER IF EXISTS agg_domain_presence_upd ON agg_domain;
DROP TRIGGER IF EXISTS agg_domain_presence_del ON agg_domain;
CREATE TRIGGER agg_domain_presence_ins AFTER INSERT ON agg_domain REFERENCING NEW TABLE AS n
	FOR EACH STATEMENT EXECUTE FUNCTION tlswatch_stmt_presence();
CREATE TRIGGER agg_domain_presence_upd AFTER UPDATE ON agg_domain REFERENCING OLD TABLE AS o NEW TABLE AS n
	FOR EACH STATEMENT EXECUTE FUNCTION tlswatch_stmt_presence();
CREATE TRIGGER agg_domain_presence_del AFTER DELETE ON agg_domain REFERENCING OLD TABLE AS o
	FOR EACH STATEMENT EXECUTE FUNCTION tlswatch_stmt_presence();

DROP INDEX IF EXISTS report_org_id;
-- its name depends on the store's history (018 made it while the old
-- table still held report_source_id_fkey): found in the catalog
DO $$
DECLARE
	c text;
BEGIN
	FOR c IN SELECT conname FROM pg_constraint WHERE contype = 'f'
		AND conrelid = 'report'::regclass AND confrelid = 'source'::regclass
		AND conparentid = 0
	LOOP
		EXECUTE format('ALTER TABLE report DROP CONSTRAINT %I', c);
	END LOOP;
END;
$$;
