-- 020_trust_roll.sql - reports by provenance per day, policy domain and
-- reporter: schema/020_trust_roll.sql's table, kept by statement-level
-- triggers on policy as 017 keeps the other roll-ups.
--
-- roll_trust holds one row per (day, policy domain, organization): the
-- reports that name the domain, each counted once however many of its
-- policies name it, split verified (any provenance but unverified-mail)
-- and unverified. policy_domain is '' for a policy without one. A report
-- counts for a domain when its first policy naming the domain comes and
-- stops when its last one goes; every writer stores a report before its
-- policies and deletes them before it (the trigger reads the report's
-- organization and provenance), and nothing updates those columns or a
-- policy (a report whose provenance changes is removed and stored
-- again). A row whose figures reach 0 goes. 'db prune' drops a whole
-- month's partitions without deleting rows: it deletes that month's rows
-- here itself (store/pg_write_prune.c). 'tlswatch db check' compares the
-- table with its sums and 'db check --repair' rebuilds it
-- (store/rollup.c).

CREATE TABLE roll_trust (
	day bigint NOT NULL,
	policy_domain text COLLATE "C" NOT NULL,
	organization text COLLATE "C" NOT NULL,
	verified bigint NOT NULL,
	unverified bigint NOT NULL,
	PRIMARY KEY (policy_domain, day, organization)
);

CREATE FUNCTION tlswatch_stmt_policy_trust() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		-- each (report, domain) the statement brought that no earlier
		-- policy of the report already named
		INSERT INTO roll_trust AS t (day, policy_domain, organization, verified, unverified)
			SELECT r.day, k.dom, r.organization, sum(CASE WHEN r.provenance <> 'unverified-mail' THEN 1 ELSE 0 END)::bigint, sum(CASE WHEN r.provenance = 'unverified-mail' THEN 1 ELSE 0 END)::bigint
			FROM (SELECT DISTINCT report, day, coalesce(policy_domain, '') AS dom FROM n) AS k
			JOIN report r ON r.id = k.report AND r.day = k.day
			WHERE NOT EXISTS (SELECT 1 FROM policy p WHERE p.report = k.report AND p.day = k.day AND coalesce(p.policy_domain, '') = k.dom AND NOT EXISTS (SELECT 1 FROM n WHERE n.id = p.id))
			GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
			ON CONFLICT (policy_domain, day, organization) DO UPDATE SET verified = t.verified + excluded.verified, unverified = t.unverified + excluded.unverified;
	ELSE
		-- each (report, domain) the statement took the last policy of
		INSERT INTO roll_trust AS t (day, policy_domain, organization, verified, unverified)
			SELECT r.day, k.dom, r.organization, -sum(CASE WHEN r.provenance <> 'unverified-mail' THEN 1 ELSE 0 END)::bigint, -sum(CASE WHEN r.provenance = 'unverified-mail' THEN 1 ELSE 0 END)::bigint
			FROM (SELECT DISTINCT report, day, coalesce(policy_domain, '') AS dom FROM o) AS k
			JOIN report r ON r.id = k.report AND r.day = k.day
			WHERE NOT EXISTS (SELECT 1 FROM policy p WHERE p.report = k.report AND p.day = k.day AND coalesce(p.policy_domain, '') = k.dom)
			GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
			ON CONFLICT (policy_domain, day, organization) DO UPDATE SET verified = t.verified + excluded.verified, unverified = t.unverified + excluded.unverified;
		DELETE FROM roll_trust AS t WHERE (t.day, t.policy_domain) IN (SELECT day, coalesce(policy_domain, '') FROM o) AND t.verified = 0 AND t.unverified = 0;
	END IF;
	RETURN NULL;
END;
$$;
CREATE TRIGGER policy_trust_ins AFTER INSERT ON policy REFERENCING NEW TABLE AS n
	FOR EACH STATEMENT EXECUTE FUNCTION tlswatch_stmt_policy_trust();
CREATE TRIGGER policy_trust_del AFTER DELETE ON policy REFERENCING OLD TABLE AS o
	FOR EACH STATEMENT EXECUTE FUNCTION tlswatch_stmt_policy_trust();

-- the store as it is now, with the sums store/rollup.c repairs with
INSERT INTO roll_trust (day, policy_domain, organization, verified, unverified) SELECT r.day, d.dom, r.organization, sum(CASE WHEN r.provenance <> 'unverified-mail' THEN 1 ELSE 0 END), sum(CASE WHEN r.provenance = 'unverified-mail' THEN 1 ELSE 0 END) FROM report AS r JOIN (SELECT DISTINCT report, day, coalesce(policy_domain, '') AS dom FROM policy) AS d ON d.report = r.id AND d.day = r.day GROUP BY r.day, d.dom, r.organization;
