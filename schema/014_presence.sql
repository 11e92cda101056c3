-- 014_presence.sql - which reporter reported for which domain on which
-- day, as bits (docs/performance.md, "Reporter presence").
--
-- The "not in yet" check (analyzer/arrival.c: the summary, alert and the
-- overview) learns each domain's usual reporters from two weeks of
-- reporter days. agg_domain holds one row per (day, domain, reporter):
-- at a provider's scale 26,000 rows a day, 450,000 for the three weeks
-- the summary reads. roll_presence holds one row per (domain, reporter,
-- block of 32 days) with a bit per day of the block, so the same read is
-- domains x reporters x blocks (one or two blocks for three weeks). The
-- key starts with the block, so a read of a few weeks is a range of it.
--
-- A bit is set exactly when agg_domain has a row with reports > 0 for
-- that (day, policy_domain, organization): agg_domain's key is that
-- triple, so one row owns one bit and the triggers below set or clear it
-- from that row alone, in the same transaction as whatever writes it
-- (ingest, a conflict pick, prune, recount, db copy). A row whose bits
-- are all clear goes. first_day is day - day % 32 (days are positive:
-- years from 2000). 'tlswatch db check' compares the table with its sums
-- over agg_domain and 'db check --repair' rebuilds it (store/rollup.c).

CREATE TABLE IF NOT EXISTS roll_presence (
	policy_domain TEXT NOT NULL,
	organization TEXT NOT NULL,
	first_day INTEGER NOT NULL,
	days INTEGER NOT NULL, -- bit i: day first_day + i
	PRIMARY KEY (first_day, policy_domain, organization)
) WITHOUT ROWID;

CREATE TRIGGER IF NOT EXISTS agg_domain_presence_ins AFTER INSERT ON agg_domain
	WHEN NEW.reports > 0 BEGIN
	INSERT INTO roll_presence (policy_domain, organization, first_day, days)
		VALUES (NEW.policy_domain, NEW.organization, NEW.day - NEW.day % 32, 1 << (NEW.day % 32))
		ON CONFLICT (first_day, policy_domain, organization) DO UPDATE SET days = days | excluded.days;
END;
CREATE TRIGGER IF NOT EXISTS agg_domain_presence_del AFTER DELETE ON agg_domain
	WHEN OLD.reports > 0 BEGIN
	UPDATE roll_presence SET days = days & ~(1 << (OLD.day % 32))
		WHERE policy_domain = OLD.policy_domain AND organization = OLD.organization AND first_day = OLD.day - OLD.day % 32;
	DELETE FROM roll_presence WHERE policy_domain = OLD.policy_domain AND organization = OLD.organization AND first_day = OLD.day - OLD.day % 32 AND days = 0;
END;
-- the OLD row's bit off, then the NEW row's on (a key column may change)
CREATE TRIGGER IF NOT EXISTS agg_domain_presence_upd AFTER UPDATE ON agg_domain
	WHEN OLD.reports > 0 OR NEW.reports > 0 BEGIN
	UPDATE roll_presence SET days = days & ~(1 << (OLD.day % 32))
		WHERE OLD.reports > 0 AND policy_domain = OLD.policy_domain AND organization = OLD.organization AND first_day = OLD.day - OLD.day % 32;
	INSERT INTO roll_presence (policy_domain, organization, first_day, days)
		SELECT NEW.policy_domain, NEW.organization, NEW.day - NEW.day % 32, 1 << (NEW.day % 32) WHERE NEW.reports > 0
		ON CONFLICT (first_day, policy_domain, organization) DO UPDATE SET days = days | excluded.days;
	DELETE FROM roll_presence WHERE policy_domain = OLD.policy_domain AND organization = OLD.organization AND first_day = OLD.day - OLD.day % 32 AND days = 0;
END;

-- The store as it is now (store/rollup.c repairs with the same sums: the
-- bits of one row are distinct days, so their sum is their OR). IF NOT
-- EXISTS and the DELETE let a store rewound to an older version number (a
-- test fixture) migrate again.
DELETE FROM roll_presence;
INSERT INTO roll_presence (policy_domain, organization, first_day, days) SELECT policy_domain, organization, day - day % 32, sum(1 << (day % 32)) FROM agg_domain WHERE reports > 0 GROUP BY policy_domain, organization, day - day % 32;
