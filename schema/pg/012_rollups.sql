-- 012_rollups.sql - the PostgreSQL twin of schema/012_rollups.sql: the
-- roll-ups (roll_*: per day across reporters) and lifetime totals (life_*:
-- agg_* plus the pruned days' agg_*_pruned) that summary, alert, the
-- dashboard and /metrics read, each a plain sum of agg_* rows (the
-- reasons, and what each table is, are in the SQLite file).
--
-- Row-level triggers in PL/pgSQL keep them in the same transaction as
-- whatever writes an aggregate row (ingest, a conflict pick, prune,
-- recount, db copy): each change is a delta, +NEW on insert, -OLD on
-- delete, -OLD then +NEW on update, applied by UPDATE ... SET x = x + d or
-- INSERT ... ON CONFLICT DO UPDATE SET x = x + excluded.x. Both lock the
-- roll-up row and add to its committed value, so two writers adding to
-- the same row at once never lose an update (READ COMMITTED re-reads the
-- row after the other commits). n_rows counts the agg rows summed into a
-- row, which goes when it reaches 0. 'tlswatch db check' compares them
-- with agg_*; 'db check --repair' rebuilds them (store/rollup.c holds the
-- same sums for both backends).

CREATE TABLE roll_domain (
	day bigint NOT NULL,
	policy_domain text COLLATE "C" NOT NULL,
	n_rows bigint NOT NULL,
	reports bigint NOT NULL,
	successful_sessions bigint NOT NULL,
	failed_sessions bigint NOT NULL,
	PRIMARY KEY (day, policy_domain)
);

CREATE TABLE roll_org (
	day bigint NOT NULL,
	organization text COLLATE "C" NOT NULL,
	n_rows bigint NOT NULL,
	reports bigint NOT NULL,
	successful_sessions bigint NOT NULL,
	failed_sessions bigint NOT NULL,
	PRIMARY KEY (day, organization)
);

CREATE TABLE roll_failure (
	day bigint NOT NULL,
	policy_domain text COLLATE "C" NOT NULL,
	mx_host text COLLATE "C" NOT NULL,
	result_type text COLLATE "C" NOT NULL,
	n_rows bigint NOT NULL,
	failed_sessions bigint NOT NULL,
	PRIMARY KEY (day, policy_domain, mx_host, result_type)
);

CREATE TABLE roll_mx (
	day bigint NOT NULL,
	policy_domain text COLLATE "C" NOT NULL,
	mx_host text COLLATE "C" NOT NULL,
	n_rows bigint NOT NULL,
	failed_sessions bigint NOT NULL,
	PRIMARY KEY (day, policy_domain, mx_host)
);

CREATE TABLE roll_type (
	day bigint NOT NULL,
	policy_domain text COLLATE "C" NOT NULL,
	policy_type text COLLATE "C" NOT NULL,
	n_rows bigint NOT NULL,
	policies bigint NOT NULL,
	successful_sessions bigint NOT NULL,
	failed_sessions bigint NOT NULL,
	PRIMARY KEY (day, policy_domain, policy_type)
);

-- distinct reports per day, kept by a trigger on report itself
CREATE TABLE roll_report_day (
	day bigint PRIMARY KEY,
	reports bigint NOT NULL
);

CREATE TABLE life_domain (
	policy_domain text COLLATE "C" NOT NULL,
	organization text COLLATE "C" NOT NULL,
	n_rows bigint NOT NULL,
	reports bigint NOT NULL,
	successful_sessions bigint NOT NULL,
	failed_sessions bigint NOT NULL,
	PRIMARY KEY (policy_domain, organization)
);

CREATE TABLE life_failure (
	policy_domain text COLLATE "C" NOT NULL,
	organization text COLLATE "C" NOT NULL,
	mx_host text COLLATE "C" NOT NULL,
	result_type text COLLATE "C" NOT NULL,
	n_rows bigint NOT NULL,
	failed_sessions bigint NOT NULL,
	PRIMARY KEY (policy_domain, organization, mx_host, result_type)
);

CREATE TABLE life_mx (
	policy_domain text COLLATE "C" NOT NULL,
	organization text COLLATE "C" NOT NULL,
	mx_host text COLLATE "C" NOT NULL,
	n_rows bigint NOT NULL,
	failed_sessions bigint NOT NULL,
	PRIMARY KEY (policy_domain, organization, mx_host)
);

-- Each function below takes the row's change as a delta: sign -1 for the
-- OLD row (delete, update), +1 for the NEW one (insert, update); the
-- emptied rows go after both, as in the SQLite triggers.

-- life_domain from agg_domain and agg_domain_pruned
CREATE FUNCTION tlswatch_life_domain(sign integer, dom text, org text, rep bigint, ok bigint, bad bigint)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO life_domain AS t (policy_domain, organization, n_rows, reports, successful_sessions, failed_sessions)
		VALUES (dom, org, sign, sign * rep, sign * ok, sign * bad)
		ON CONFLICT (policy_domain, organization) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, reports = t.reports + excluded.reports, successful_sessions = t.successful_sessions + excluded.successful_sessions, failed_sessions = t.failed_sessions + excluded.failed_sessions;
END;
$$;

CREATE FUNCTION tlswatch_life_failure(sign integer, dom text, org text, mx text, rt text, bad bigint)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO life_failure AS t (policy_domain, organization, mx_host, result_type, n_rows, failed_sessions)
		VALUES (dom, org, mx, rt, sign, sign * bad)
		ON CONFLICT (policy_domain, organization, mx_host, result_type) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, failed_sessions = t.failed_sessions + excluded.failed_sessions;
END;
$$;

CREATE FUNCTION tlswatch_life_mx(sign integer, dom text, org text, mx text, bad bigint)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO life_mx AS t (policy_domain, organization, mx_host, n_rows, failed_sessions)
		VALUES (dom, org, mx, sign, sign * bad)
		ON CONFLICT (policy_domain, organization, mx_host) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, failed_sessions = t.failed_sessions + excluded.failed_sessions;
END;
$$;

-- agg_domain -> roll_domain, roll_org, life_domain
CREATE FUNCTION tlswatch_roll_agg_domain() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP <> 'INSERT' THEN
		INSERT INTO roll_domain AS t (day, policy_domain, n_rows, reports, successful_sessions, failed_sessions)
			VALUES (OLD.day, OLD.policy_domain, -1, -OLD.reports, -OLD.successful_sessions, -OLD.failed_sessions)
			ON CONFLICT (day, policy_domain) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, reports = t.reports + excluded.reports, successful_sessions = t.successful_sessions + excluded.successful_sessions, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		INSERT INTO roll_org AS t (day, organization, n_rows, reports, successful_sessions, failed_sessions)
			VALUES (OLD.day, OLD.organization, -1, -OLD.reports, -OLD.successful_sessions, -OLD.failed_sessions)
			ON CONFLICT (day, organization) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, reports = t.reports + excluded.reports, successful_sessions = t.successful_sessions + excluded.successful_sessions, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		PERFORM tlswatch_life_domain(-1, OLD.policy_domain, OLD.organization, OLD.reports, OLD.successful_sessions, OLD.failed_sessions);
	END IF;
	IF TG_OP <> 'DELETE' THEN
		INSERT INTO roll_domain AS t (day, policy_domain, n_rows, reports, successful_sessions, failed_sessions)
			VALUES (NEW.day, NEW.policy_domain, 1, NEW.reports, NEW.successful_sessions, NEW.failed_sessions)
			ON CONFLICT (day, policy_domain) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, reports = t.reports + excluded.reports, successful_sessions = t.successful_sessions + excluded.successful_sessions, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		INSERT INTO roll_org AS t (day, organization, n_rows, reports, successful_sessions, failed_sessions)
			VALUES (NEW.day, NEW.organization, 1, NEW.reports, NEW.successful_sessions, NEW.failed_sessions)
			ON CONFLICT (day, organization) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, reports = t.reports + excluded.reports, successful_sessions = t.successful_sessions + excluded.successful_sessions, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		PERFORM tlswatch_life_domain(1, NEW.policy_domain, NEW.organization, NEW.reports, NEW.successful_sessions, NEW.failed_sessions);
	END IF;
	IF TG_OP <> 'INSERT' THEN
		DELETE FROM roll_domain WHERE day = OLD.day AND policy_domain = OLD.policy_domain AND n_rows <= 0;
		DELETE FROM roll_org WHERE day = OLD.day AND organization = OLD.organization AND n_rows <= 0;
		DELETE FROM life_domain WHERE policy_domain = OLD.policy_domain AND organization = OLD.organization AND n_rows <= 0;
	END IF;
	RETURN NULL;
END;
$$;
CREATE TRIGGER agg_domain_roll AFTER INSERT OR UPDATE OR DELETE ON agg_domain
	FOR EACH ROW EXECUTE FUNCTION tlswatch_roll_agg_domain();

-- agg_failure -> roll_failure, life_failure
CREATE FUNCTION tlswatch_roll_agg_failure() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP <> 'INSERT' THEN
		INSERT INTO roll_failure AS t (day, policy_domain, mx_host, result_type, n_rows, failed_sessions)
			VALUES (OLD.day, OLD.policy_domain, OLD.mx_host, OLD.result_type, -1, -OLD.failed_sessions)
			ON CONFLICT (day, policy_domain, mx_host, result_type) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		PERFORM tlswatch_life_failure(-1, OLD.policy_domain, OLD.organization, OLD.mx_host, OLD.result_type, OLD.failed_sessions);
	END IF;
	IF TG_OP <> 'DELETE' THEN
		INSERT INTO roll_failure AS t (day, policy_domain, mx_host, result_type, n_rows, failed_sessions)
			VALUES (NEW.day, NEW.policy_domain, NEW.mx_host, NEW.result_type, 1, NEW.failed_sessions)
			ON CONFLICT (day, policy_domain, mx_host, result_type) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		PERFORM tlswatch_life_failure(1, NEW.policy_domain, NEW.organization, NEW.mx_host, NEW.result_type, NEW.failed_sessions);
	END IF;
	IF TG_OP <> 'INSERT' THEN
		DELETE FROM roll_failure WHERE day = OLD.day AND policy_domain = OLD.policy_domain AND mx_host = OLD.mx_host AND result_type = OLD.result_type AND n_rows <= 0;
		DELETE FROM life_failure WHERE policy_domain = OLD.policy_domain AND organization = OLD.organization AND mx_host = OLD.mx_host AND result_type = OLD.result_type AND n_rows <= 0;
	END IF;
	RETURN NULL;
END;
$$;
CREATE TRIGGER agg_failure_roll AFTER INSERT OR UPDATE OR DELETE ON agg_failure
	FOR EACH ROW EXECUTE FUNCTION tlswatch_roll_agg_failure();

-- agg_mx -> roll_mx, life_mx
CREATE FUNCTION tlswatch_roll_agg_mx() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP <> 'INSERT' THEN
		INSERT INTO roll_mx AS t (day, policy_domain, mx_host, n_rows, failed_sessions)
			VALUES (OLD.day, OLD.policy_domain, OLD.mx_host, -1, -OLD.failed_sessions)
			ON CONFLICT (day, policy_domain, mx_host) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		PERFORM tlswatch_life_mx(-1, OLD.policy_domain, OLD.organization, OLD.mx_host, OLD.failed_sessions);
	END IF;
	IF TG_OP <> 'DELETE' THEN
		INSERT INTO roll_mx AS t (day, policy_domain, mx_host, n_rows, failed_sessions)
			VALUES (NEW.day, NEW.policy_domain, NEW.mx_host, 1, NEW.failed_sessions)
			ON CONFLICT (day, policy_domain, mx_host) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, failed_sessions = t.failed_sessions + excluded.failed_sessions;
		PERFORM tlswatch_life_mx(1, NEW.policy_domain, NEW.organization, NEW.mx_host, NEW.failed_sessions);
	END IF;
	IF TG_OP <> 'INSERT' THEN
		DELETE FROM roll_mx WHERE day = OLD.day AND policy_domain = OLD.policy_domain AND mx_host = OLD.mx_host AND n_rows <= 0;
		DELETE FROM life_mx WHERE policy_domain = OLD.policy_domain AND organization = OLD.organization AND mx_host = OLD.mx_host AND n_rows <= 0;
	END IF;
	RETURN NULL;
END;
$$;
CREATE TRIGGER agg_mx_roll AFTER INSERT OR UPDATE OR DELETE ON agg_mx
	FOR EACH ROW EXECUTE FUNCTION tlswatch_roll_agg_mx();

-- agg_policy_type -> roll_type
CREATE FUNCTION tlswatch_roll_agg_policy_type() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP <> 'INSERT' THEN
		INSERT INTO roll_type AS t (day, policy_domain, policy_type, n_rows, policies, successful_sessions, failed_sessions)
			VALUES (OLD.day, OLD.policy_domain, OLD.policy_type, -1, -OLD.policies, -OLD.successful_sessions, -OLD.failed_sessions)
			ON CONFLICT (day, policy_domain, policy_type) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, policies = t.policies + excluded.policies, successful_sessions = t.successful_sessions + excluded.successful_sessions, failed_sessions = t.failed_sessions + excluded.failed_sessions;
	END IF;
	IF TG_OP <> 'DELETE' THEN
		INSERT INTO roll_type AS t (day, policy_domain, policy_type, n_rows, policies, successful_sessions, failed_sessions)
			VALUES (NEW.day, NEW.policy_domain, NEW.policy_type, 1, NEW.policies, NEW.successful_sessions, NEW.failed_sessions)
			ON CONFLICT (day, policy_domain, policy_type) DO UPDATE SET n_rows = t.n_rows + excluded.n_rows, policies = t.policies + excluded.policies, successful_sessions = t.successful_sessions + excluded.successful_sessions, failed_sessions = t.failed_sessions + excluded.failed_sessions;
	END IF;
	IF TG_OP <> 'INSERT' THEN
		DELETE FROM roll_type WHERE day = OLD.day AND policy_domain = OLD.policy_domain AND policy_type = OLD.policy_type AND n_rows <= 0;
	END IF;
	RETURN NULL;
END;
$$;
CREATE TRIGGER agg_policy_type_roll AFTER INSERT OR UPDATE OR DELETE ON agg_policy_type
	FOR EACH ROW EXECUTE FUNCTION tlswatch_roll_agg_policy_type();

-- agg_*_pruned -> life_*
CREATE FUNCTION tlswatch_roll_agg_domain_pruned() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP <> 'INSERT' THEN
		PERFORM tlswatch_life_domain(-1, OLD.policy_domain, OLD.organization, OLD.reports, OLD.successful_sessions, OLD.failed_sessions);
	END IF;
	IF TG_OP <> 'DELETE' THEN
		PERFORM tlswatch_life_domain(1, NEW.policy_domain, NEW.organization, NEW.reports, NEW.successful_sessions, NEW.failed_sessions);
	END IF;
	IF TG_OP <> 'INSERT' THEN
		DELETE FROM life_domain WHERE policy_domain = OLD.policy_domain AND organization = OLD.organization AND n_rows <= 0;
	END IF;
	RETURN NULL;
END;
$$;
CREATE TRIGGER agg_domain_pruned_roll AFTER INSERT OR UPDATE OR DELETE ON agg_domain_pruned
	FOR EACH ROW EXECUTE FUNCTION tlswatch_roll_agg_domain_pruned();

CREATE FUNCTION tlswatch_roll_agg_failure_pruned() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP <> 'INSERT' THEN
		PERFORM tlswatch_life_failure(-1, OLD.policy_domain, OLD.organization, OLD.mx_host, OLD.result_type, OLD.failed_sessions);
	END IF;
	IF TG_OP <> 'DELETE' THEN
		PERFORM tlswatch_life_failure(1, NEW.policy_domain, NEW.organization, NEW.mx_host, NEW.result_type, NEW.failed_sessions);
	END IF;
	IF TG_OP <> 'INSERT' THEN
		DELETE FROM life_failure WHERE policy_domain = OLD.policy_domain AND organization = OLD.organization AND mx_host = OLD.mx_host AND result_type = OLD.result_type AND n_rows <= 0;
	END IF;
	RETURN NULL;
END;
$$;
CREATE TRIGGER agg_failure_pruned_roll AFTER INSERT OR UPDATE OR DELETE ON agg_failure_pruned
	FOR EACH ROW EXECUTE FUNCTION tlswatch_roll_agg_failure_pruned();

CREATE FUNCTION tlswatch_roll_agg_mx_pruned() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP <> 'INSERT' THEN
		PERFORM tlswatch_life_mx(-1, OLD.policy_domain, OLD.organization, OLD.mx_host, OLD.failed_sessions);
	END IF;
	IF TG_OP <> 'DELETE' THEN
		PERFORM tlswatch_life_mx(1, NEW.policy_domain, NEW.organization, NEW.mx_host, NEW.failed_sessions);
	END IF;
	IF TG_OP <> 'INSERT' THEN
		DELETE FROM life_mx WHERE policy_domain = OLD.policy_domain AND organization = OLD.organization AND mx_host = OLD.mx_host AND n_rows <= 0;
	END IF;
	RETURN NULL;
END;
$$;
CREATE TRIGGER agg_mx_pruned_roll AFTER INSERT OR UPDATE OR DELETE ON agg_mx_pruned
	FOR EACH ROW EXECUTE FUNCTION tlswatch_roll_agg_mx_pruned();

-- report -> roll_report_day (an update that keeps the day changes nothing)
CREATE FUNCTION tlswatch_roll_report() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'UPDATE' AND OLD.day = NEW.day THEN
		RETURN NULL;
	END IF;
	IF TG_OP <> 'INSERT' THEN
		UPDATE roll_report_day SET reports = reports - 1 WHERE day = OLD.day;
	END IF;
	IF TG_OP <> 'DELETE' THEN
		INSERT INTO roll_report_day AS t (day, reports) VALUES (NEW.day, 1)
			ON CONFLICT (day) DO UPDATE SET reports = t.reports + 1;
	END IF;
	IF TG_OP <> 'INSERT' THEN
		DELETE FROM roll_report_day WHERE day = OLD.day AND reports <= 0;
	END IF;
	RETURN NULL;
END;
$$;
CREATE TRIGGER report_roll AFTER INSERT OR UPDATE OF day OR DELETE ON report
	FOR EACH ROW EXECUTE FUNCTION tlswatch_roll_report();

-- The store as it is now (store/rollup.c repairs with the same sums).
INSERT INTO roll_domain (day, policy_domain, n_rows, reports, successful_sessions, failed_sessions) SELECT day, policy_domain, count(*), sum(reports), sum(successful_sessions), sum(failed_sessions) FROM agg_domain GROUP BY day, policy_domain;
INSERT INTO roll_org (day, organization, n_rows, reports, successful_sessions, failed_sessions) SELECT day, organization, count(*), sum(reports), sum(successful_sessions), sum(failed_sessions) FROM agg_domain GROUP BY day, organization;
INSERT INTO roll_failure (day, policy_domain, mx_host, result_type, n_rows, failed_sessions) SELECT day, policy_domain, mx_host, result_type, count(*), sum(failed_sessions) FROM agg_failure GROUP BY day, policy_domain, mx_host, result_type;
INSERT INTO roll_mx (day, policy_domain, mx_host, n_rows, failed_sessions) SELECT day, policy_domain, mx_host, count(*), sum(failed_sessions) FROM agg_mx GROUP BY day, policy_domain, mx_host;
INSERT INTO roll_type (day, policy_domain, policy_type, n_rows, policies, successful_sessions, failed_sessions) SELECT day, policy_domain, policy_type, count(*), sum(policies), sum(successful_sessions), sum(failed_sessions) FROM agg_policy_type GROUP BY day, policy_domain, policy_type;
INSERT INTO life_domain (policy_domain, organization, n_rows, reports, successful_sessions, failed_sessions) SELECT policy_domain, organization, count(*), sum(reports), sum(successful_sessions), sum(failed_sessions) FROM (SELECT policy_domain, organization, reports, successful_sessions, failed_sessions FROM agg_domain UNION ALL SELECT policy_domain, organization, reports, successful_sessions, failed_sessions FROM agg_domain_pruned) AS u GROUP BY policy_domain, organization;
INSERT INTO life_failure (policy_domain, organization, mx_host, result_type, n_rows, failed_sessions) SELECT policy_domain, organization, mx_host, result_type, count(*), sum(failed_sessions) FROM (SELECT policy_domain, organization, mx_host, result_type, failed_sessions FROM agg_failure UNION ALL SELECT policy_domain, organization, mx_host, result_type, failed_sessions FROM agg_failure_pruned) AS u GROUP BY policy_domain, organization, mx_host, result_type;
INSERT INTO life_mx (policy_domain, organization, mx_host, n_rows, failed_sessions) SELECT policy_domain, organization, mx_host, count(*), sum(failed_sessions) FROM (SELECT policy_domain, organization, mx_host, failed_sessions FROM agg_mx UNION ALL SELECT policy_domain, organization, mx_host, failed_sessions FROM agg_mx_pruned) AS u GROUP BY policy_domain, organization, mx_host;
INSERT INTO roll_report_day (day, reports) SELECT day, count(*) FROM report GROUP BY day;
