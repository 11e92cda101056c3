-- 020_trust_roll.sql - reports by provenance per day, policy domain and
-- reporter (docs/performance.md, "Trust roll-up").
--
-- alert asks, for each alert of a window, whether that window's reports
-- for the alert's domain (and reporter) are all unverified-mail
-- (docs/trust.md). Read from report and policy that costs one row per
-- policy of the window (26,000 a day at a provider's scale). roll_trust
-- holds one row per (day, policy domain, organization): the reports that
-- name the domain, each counted once however many of its policies name
-- it, split verified (any provenance but unverified-mail) and
-- unverified (unverified-mail). policy_domain is '' for a policy without
-- one, as the read's coalesce makes it.
--
-- Reports come one per reporter, domain and day, so the table holds about
-- a row per report; its key starts with the domain so that an alert's
-- question is a range of it: its domain's days of the window, one row per
-- reporter day (store/sqlite_query_trust.c), not the whole window.
--
-- The triggers below count a report for a domain when its first policy
-- naming the domain comes and uncount it when its last one goes, in the
-- same transaction as whatever writes them (ingest, a conflict that
-- removes a report, prune, db copy). Every writer deletes a report's
-- policies before the report (the delete trigger reads the report's day,
-- organization and provenance), and nothing updates those three columns:
-- a report whose provenance changes is removed and stored again
-- (docs/trust.md). A row whose figures reach 0 goes. The ingest batch
-- writes the same deltas itself (store/sqlite_write_batch.c). 'tlswatch
-- db check' compares the table with its sums over report and policy and
-- 'db check --repair' rebuilds it (store/rollup.c).

CREATE TABLE IF NOT EXISTS roll_trust (
	day INTEGER NOT NULL,
	policy_domain TEXT NOT NULL,
	organization TEXT NOT NULL,
	verified INTEGER NOT NULL,
	unverified INTEGER NOT NULL,
	PRIMARY KEY (policy_domain, day, organization)
) WITHOUT ROWID;

CREATE TRIGGER IF NOT EXISTS policy_trust_ins AFTER INSERT ON policy
	WHEN NOT EXISTS (SELECT 1 FROM policy p WHERE p.report = NEW.report AND p.id <> NEW.id AND coalesce(p.policy_domain, '') = coalesce(NEW.policy_domain, '')) BEGIN
	INSERT INTO roll_trust (day, policy_domain, organization, verified, unverified)
		SELECT r.day, coalesce(NEW.policy_domain, ''), r.organization, r.provenance <> 'unverified-mail', r.provenance = 'unverified-mail' FROM report r WHERE r.id = NEW.report
		ON CONFLICT (policy_domain, day, organization) DO UPDATE SET verified = verified + excluded.verified, unverified = unverified + excluded.unverified;
END;
CREATE TRIGGER IF NOT EXISTS policy_trust_del AFTER DELETE ON policy
	WHEN NOT EXISTS (SELECT 1 FROM policy p WHERE p.report = OLD.report AND coalesce(p.policy_domain, '') = coalesce(OLD.policy_domain, '')) BEGIN
	UPDATE roll_trust SET verified = verified - (SELECT r.provenance <> 'unverified-mail' FROM report r WHERE r.id = OLD.report), unverified = unverified - (SELECT r.provenance = 'unverified-mail' FROM report r WHERE r.id = OLD.report)
		WHERE day = (SELECT r.day FROM report r WHERE r.id = OLD.report) AND policy_domain = coalesce(OLD.policy_domain, '') AND organization = (SELECT r.organization FROM report r WHERE r.id = OLD.report);
	DELETE FROM roll_trust WHERE day = (SELECT r.day FROM report r WHERE r.id = OLD.report) AND policy_domain = coalesce(OLD.policy_domain, '') AND organization = (SELECT r.organization FROM report r WHERE r.id = OLD.report) AND verified = 0 AND unverified = 0;
END;

-- The store as it is now, with the sums store/rollup.c repairs with. IF
-- NOT EXISTS and the DELETE let a store rewound to an older version number
-- (a test fixture) migrate again.
DELETE FROM roll_trust;
INSERT INTO roll_trust (day, policy_domain, organization, verified, unverified) SELECT r.day, d.dom, r.organization, sum(CASE WHEN r.provenance <> 'unverified-mail' THEN 1 ELSE 0 END), sum(CASE WHEN r.provenance = 'unverified-mail' THEN 1 ELSE 0 END) FROM report r JOIN (SELECT DISTINCT report, coalesce(policy_domain, '') AS dom FROM policy) AS d ON d.report = r.id GROUP BY r.day, d.dom, r.organization;
