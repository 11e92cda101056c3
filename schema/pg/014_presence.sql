-- 014_presence.sql - the PostgreSQL twin of schema/014_presence.sql:
-- roll_presence, one row per (domain, reporter, block of 32 days) with a
-- bit per day the reporter has an agg_domain row with reports > 0, read
-- by the "not in yet" check (the reasons are in the SQLite file).
--
-- A row-level trigger keeps it in the same transaction as whatever writes
-- agg_domain: the OLD row's bit off, then the NEW row's on. Both are one
-- UPDATE or INSERT ... ON CONFLICT of the roll-up row, which locks it, so
-- two writers setting bits of the same row never lose one. 'tlswatch db
-- check' compares it with its sums over agg_domain; 'db check --repair'
-- rebuilds it (store/rollup.c).

CREATE TABLE roll_presence (
	policy_domain text COLLATE "C" NOT NULL,
	organization text COLLATE "C" NOT NULL,
	first_day bigint NOT NULL,
	days bigint NOT NULL, -- bit i: day first_day + i
	PRIMARY KEY (first_day, policy_domain, organization)
);

CREATE FUNCTION tlswatch_roll_presence() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP <> 'INSERT' AND OLD.reports > 0 THEN
		UPDATE roll_presence SET days = days & ~(CAST(1 AS bigint) << CAST(OLD.day % 32 AS integer))
			WHERE policy_domain = OLD.policy_domain AND organization = OLD.organization AND first_day = OLD.day - OLD.day % 32;
	END IF;
	IF TG_OP <> 'DELETE' AND NEW.reports > 0 THEN
		INSERT INTO roll_presence AS t (policy_domain, organization, first_day, days)
			VALUES (NEW.policy_domain, NEW.organization, NEW.day - NEW.day % 32, CAST(1 AS bigint) << CAST(NEW.day % 32 AS integer))
			ON CONFLICT (first_day, policy_domain, organization) DO UPDATE SET days = t.days | excluded.days;
	END IF;
	IF TG_OP <> 'INSERT' AND OLD.reports > 0 THEN
		DELETE FROM roll_presence WHERE policy_domain = OLD.policy_domain AND organization = OLD.organization AND first_day = OLD.day - OLD.day % 32 AND days = 0;
	END IF;
	RETURN NULL;
END;
$$;
CREATE TRIGGER agg_domain_presence AFTER INSERT OR UPDATE OR DELETE ON agg_domain
	FOR EACH ROW EXECUTE FUNCTION tlswatch_roll_presence();

-- The store as it is now (store/rollup.c repairs with the same sums: the
-- bits of one row are distinct days, so their sum is their OR).
INSERT INTO roll_presence (policy_domain, organization, first_day, days) SELECT policy_domain, organization, day - day % 32, sum(CAST(1 AS bigint) << CAST(day % 32 AS integer)) FROM agg_domain WHERE reports > 0 GROUP BY policy_domain, organization, day - day % 32;
