-- 012_rollups.sql - figures that cost days x series, not reports
-- (docs/performance.md, issue 18).
--
-- The aggregate tables (agg_*) hold about one row per report at a
-- provider's scale: reports come one per reporter, domain and day. Two
-- kinds of table are kept beside them, each a plain sum of agg_* rows over
-- the key parts it drops, so they are exact whatever the count-once rules
-- decided per report (docs/counting.md: sts+tlsa is resolved within a
-- report, so sums across reporters stay exact):
--
-- roll_*: per day across reporters (and one per day and reporter across
-- domains), read by the summary, the alert series and the dashboard when
-- the filter names no organization (store/sqlite_query_scan.c).
-- life_*: lifetime totals per series of /metrics: agg_* plus the pruned
-- days' agg_*_pruned, so that 'db prune', which moves a day's rows from
-- one to the other, never lowers a counter.
--
-- Triggers on agg_* and agg_*_pruned keep both in the same transaction as
-- whatever writes an aggregate row (a stored report, a conflict pick that
-- re-aggregates a day, a prune, a recount): nothing has to remember to
-- call them. n_rows counts the agg rows summed into a row, which goes when
-- it reaches 0, so a roll-up holds exactly the groups its agg_* rows make.
-- 'tlswatch db check' compares them with agg_*; 'db check --repair'
-- rebuilds them (store/sqlite_write_rollup.c holds the same sums).

CREATE TABLE IF NOT EXISTS roll_domain (
	day INTEGER NOT NULL,
	policy_domain TEXT NOT NULL,
	n_rows INTEGER NOT NULL,
	reports INTEGER NOT NULL,
	successful_sessions INTEGER NOT NULL,
	failed_sessions INTEGER NOT NULL,
	PRIMARY KEY (day, policy_domain)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS roll_org (
	day INTEGER NOT NULL,
	organization TEXT NOT NULL,
	n_rows INTEGER NOT NULL,
	reports INTEGER NOT NULL,
	successful_sessions INTEGER NOT NULL,
	failed_sessions INTEGER NOT NULL,
	PRIMARY KEY (day, organization)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS roll_failure (
	day INTEGER NOT NULL,
	policy_domain TEXT NOT NULL,
	mx_host TEXT NOT NULL,
	result_type TEXT NOT NULL,
	n_rows INTEGER NOT NULL,
	failed_sessions INTEGER NOT NULL,
	PRIMARY KEY (day, policy_domain, mx_host, result_type)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS roll_mx (
	day INTEGER NOT NULL,
	policy_domain TEXT NOT NULL,
	mx_host TEXT NOT NULL,
	n_rows INTEGER NOT NULL,
	failed_sessions INTEGER NOT NULL,
	PRIMARY KEY (day, policy_domain, mx_host)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS roll_type (
	day INTEGER NOT NULL,
	policy_domain TEXT NOT NULL,
	policy_type TEXT NOT NULL,
	n_rows INTEGER NOT NULL,
	policies INTEGER NOT NULL,
	successful_sessions INTEGER NOT NULL,
	failed_sessions INTEGER NOT NULL,
	PRIMARY KEY (day, policy_domain, policy_type)
) WITHOUT ROWID;

-- distinct reports per day (a report naming two domains has two agg_domain
-- rows), kept by triggers on report itself
CREATE TABLE IF NOT EXISTS roll_report_day (
	day INTEGER PRIMARY KEY,
	reports INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS life_domain (
	policy_domain TEXT NOT NULL,
	organization TEXT NOT NULL,
	n_rows INTEGER NOT NULL,
	reports INTEGER NOT NULL,
	successful_sessions INTEGER NOT NULL,
	failed_sessions INTEGER NOT NULL,
	PRIMARY KEY (policy_domain, organization)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS life_failure (
	policy_domain TEXT NOT NULL,
	organization TEXT NOT NULL,
	mx_host TEXT NOT NULL,
	result_type TEXT NOT NULL,
	n_rows INTEGER NOT NULL,
	failed_sessions INTEGER NOT NULL,
	PRIMARY KEY (policy_domain, organization, mx_host, result_type)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS life_mx (
	policy_domain TEXT NOT NULL,
	organization TEXT NOT NULL,
	mx_host TEXT NOT NULL,
	n_rows INTEGER NOT NULL,
	failed_sessions INTEGER NOT NULL,
	PRIMARY KEY (policy_domain, organization, mx_host)
) WITHOUT ROWID;

-- Each change of an agg row is a delta: +NEW on insert, -OLD on delete,
-- -OLD then +NEW on update (whether or not a key column changed); a row
-- of a roll-up whose n_rows reaches 0 goes.

-- agg_domain -> roll_domain, roll_org, life_domain
CREATE TRIGGER IF NOT EXISTS agg_domain_ins AFTER INSERT ON agg_domain BEGIN
	INSERT INTO roll_domain (day, policy_domain, n_rows, reports, successful_sessions, failed_sessions)
		VALUES (NEW.day, NEW.policy_domain, 1, NEW.reports, NEW.successful_sessions, NEW.failed_sessions)
		ON CONFLICT (day, policy_domain) DO UPDATE SET n_rows = n_rows + 1, reports = reports + excluded.reports, successful_sessions = successful_sessions + excluded.successful_sessions, failed_sessions = failed_sessions + excluded.failed_sessions;
	INSERT INTO roll_org (day, organization, n_rows, reports, successful_sessions, failed_sessions)
		VALUES (NEW.day, NEW.organization, 1, NEW.reports, NEW.successful_sessions, NEW.failed_sessions)
		ON CONFLICT (day, organization) DO UPDATE SET n_rows = n_rows + 1, reports = reports + excluded.reports, successful_sessions = successful_sessions + excluded.successful_sessions, failed_sessions = failed_sessions + excluded.failed_sessions;
	INSERT INTO life_domain (policy_domain, organization, n_rows, reports, successful_sessions, failed_sessions)
		VALUES (NEW.policy_domain, NEW.organization, 1, NEW.reports, NEW.successful_sessions, NEW.failed_sessions)
		ON CONFLICT (policy_domain, organization) DO UPDATE SET n_rows = n_rows + 1, reports = reports + excluded.reports, successful_sessions = successful_sessions + excluded.successful_sessions, failed_sessions = failed_sessions + excluded.failed_sessions;
END;
CREATE TRIGGER IF NOT EXISTS agg_domain_del AFTER DELETE ON agg_domain BEGIN
	UPDATE roll_domain SET n_rows = n_rows - 1, reports = reports - OLD.reports, successful_sessions = successful_sessions - OLD.successful_sessions, failed_sessions = failed_sessions - OLD.failed_sessions
		WHERE day = OLD.day AND policy_domain = OLD.policy_domain;
	DELETE FROM roll_domain WHERE day = OLD.day AND policy_domain = OLD.policy_domain AND n_rows <= 0;
	UPDATE roll_org SET n_rows = n_rows - 1, reports = reports - OLD.reports, successful_sessions = successful_sessions - OLD.successful_sessions, failed_sessions = failed_sessions - OLD.failed_sessions
		WHERE day = OLD.day AND organization = OLD.organization;
	DELETE FROM roll_org WHERE day = OLD.day AND organization = OLD.organization AND n_rows <= 0;
	UPDATE life_domain SET n_rows = n_rows - 1, reports = reports - OLD.reports, successful_sessions = successful_sessions - OLD.successful_sessions, failed_sessions = failed_sessions - OLD.failed_sessions
		WHERE policy_domain = OLD.policy_domain AND organization = OLD.organization;
	DELETE FROM life_domain WHERE policy_domain = OLD.policy_domain AND organization = OLD.organization AND n_rows <= 0;
END;
CREATE TRIGGER IF NOT EXISTS agg_domain_upd AFTER UPDATE ON agg_domain BEGIN
	UPDATE roll_domain SET n_rows = n_rows - 1, reports = reports - OLD.reports, successful_sessions = successful_sessions - OLD.successful_sessions, failed_sessions = failed_sessions - OLD.failed_sessions
		WHERE day = OLD.day AND policy_domain = OLD.policy_domain;
	INSERT INTO roll_domain (day, policy_domain, n_rows, reports, successful_sessions, failed_sessions)
		VALUES (NEW.day, NEW.policy_domain, 1, NEW.reports, NEW.successful_sessions, NEW.failed_sessions)
		ON CONFLICT (day, policy_domain) DO UPDATE SET n_rows = n_rows + 1, reports = reports + excluded.reports, successful_sessions = successful_sessions + excluded.successful_sessions, failed_sessions = failed_sessions + excluded.failed_sessions;
	DELETE FROM roll_domain WHERE day = OLD.day AND policy_domain = OLD.policy_domain AND n_rows <= 0;
	UPDATE roll_org SET n_rows = n_rows - 1, reports = reports - OLD.reports, successful_sessions = successful_sessions - OLD.successful_sessions, failed_sessions = failed_sessions - OLD.failed_sessions
		WHERE day = OLD.day AND organization = OLD.organization;
	INSERT INTO roll_org (day, organization, n_rows, reports, successful_sessions, failed_sessions)
		VALUES (NEW.day, NEW.organization, 1, NEW.reports, NEW.successful_sessions, NEW.failed_sessions)
		ON CONFLICT (day, organization) DO UPDATE SET n_rows = n_rows + 1, reports = reports + excluded.reports, successful_sessions = successful_sessions + excluded.successful_sessions, failed_sessions = failed_sessions + excluded.failed_sessions;
	DELETE FROM roll_org WHERE day = OLD.day AND organization = OLD.organization AND n_rows <= 0;
	UPDATE life_domain SET n_rows = n_rows - 1, reports = reports - OLD.reports, successful_sessions = successful_sessions - OLD.successful_sessions, failed_sessions = failed_sessions - OLD.failed_sessions
		WHERE policy_domain = OLD.policy_domain AND organization = OLD.organization;
	INSERT INTO life_domain (policy_domain, organization, n_rows, reports, successful_sessions, failed_sessions)
		VALUES (NEW.policy_domain, NEW.organization, 1, NEW.reports, NEW.successful_sessions, NEW.failed_sessions)
		ON CONFLICT (policy_domain, organization) DO UPDATE SET n_rows = n_rows + 1, reports = reports + excluded.reports, successful_sessions = successful_sessions + excluded.successful_sessions, failed_sessions = failed_sessions + excluded.failed_sessions;
	DELETE FROM life_domain WHERE policy_domain = OLD.policy_domain AND organization = OLD.organization AND n_rows <= 0;
END;

-- agg_failure -> roll_failure, life_failure
CREATE TRIGGER IF NOT EXISTS agg_failure_ins AFTER INSERT ON agg_failure BEGIN
	INSERT INTO roll_failure (day, policy_domain, mx_host, result_type, n_rows, failed_sessions)
		VALUES (NEW.day, NEW.policy_domain, NEW.mx_host, NEW.result_type, 1, NEW.failed_sessions)
		ON CONFLICT (day, policy_domain, mx_host, result_type) DO UPDATE SET n_rows = n_rows + 1, failed_sessions = failed_sessions + excluded.failed_sessions;
	INSERT INTO life_failure (policy_domain, organization, mx_host, result_type, n_rows, failed_sessions)
		VALUES (NEW.policy_domain, NEW.organization, NEW.mx_host, NEW.result_type, 1, NEW.failed_sessions)
		ON CONFLICT (policy_domain, organization, mx_host, result_type) DO UPDATE SET n_rows = n_rows + 1, failed_sessions = failed_sessions + excluded.failed_sessions;
END;
CREATE TRIGGER IF NOT EXISTS agg_failure_del AFTER DELETE ON agg_failure BEGIN
	UPDATE roll_failure SET n_rows = n_rows - 1, failed_sessions = failed_sessions - OLD.failed_sessions
		WHERE day = OLD.day AND policy_domain = OLD.policy_domain AND mx_host = OLD.mx_host AND result_type = OLD.result_type;
	DELETE FROM roll_failure WHERE day = OLD.day AND policy_domain = OLD.policy_domain AND mx_host = OLD.mx_host AND result_type = OLD.result_type AND n_rows <= 0;
	UPDATE life_failure SET n_rows = n_rows - 1, failed_sessions = failed_sessions - OLD.failed_sessions
		WHERE policy_domain = OLD.policy_domain AND organization = OLD.organization AND mx_host = OLD.mx_host AND result_type = OLD.result_type;
	DELETE FROM life_failure WHERE policy_domain = OLD.policy_domain AND organization = OLD.organization AND mx_host = OLD.mx_host AND result_type = OLD.result_type AND n_rows <= 0;
END;
CREATE TRIGGER IF NOT EXISTS agg_failure_upd AFTER UPDATE ON agg_failure BEGIN
	UPDATE roll_failure SET n_rows = n_rows - 1, failed_sessions = failed_sessions - OLD.failed_sessions
		WHERE day = OLD.day AND policy_domain = OLD.policy_domain AND mx_host = OLD.mx_host AND result_type = OLD.result_type;
	INSERT INTO roll_failure (day, policy_domain, mx_host, result_type, n_rows, failed_sessions)
		VALUES (NEW.day, NEW.policy_domain, NEW.mx_host, NEW.result_type, 1, NEW.failed_sessions)
		ON CONFLICT (day, policy_domain, mx_host, result_type) DO UPDATE SET n_rows = n_rows + 1, failed_sessions = failed_sessions + excluded.failed_sessions;
	DELETE FROM roll_failure WHERE day = OLD.day AND policy_domain = OLD.policy_domain AND mx_host = OLD.mx_host AND result_type = OLD.result_type AND n_rows <= 0;
	UPDATE life_failure SET n_rows = n_rows - 1, failed_sessions = failed_sessions - OLD.failed_sessions
		WHERE policy_domain = OLD.policy_domain AND organization = OLD.organization AND mx_host = OLD.mx_host AND result_type = OLD.result_type;
	INSERT INTO life_failure (policy_domain, organization, mx_host, result_type, n_rows, failed_sessions)
		VALUES (NEW.policy_domain, NEW.organization, NEW.mx_host, NEW.result_type, 1, NEW.failed_sessions)
		ON CONFLICT (policy_domain, organization, mx_host, result_type) DO UPDATE SET n_rows = n_rows + 1, failed_sessions = failed_sessions + excluded.failed_sessions;
	DELETE FROM life_failure WHERE policy_domain = OLD.policy_domain AND organization = OLD.organization AND mx_host = OLD.mx_host AND result_type = OLD.result_type AND n_rows <= 0;
END;

-- agg_mx -> roll_mx, life_mx
CREATE TRIGGER IF NOT EXISTS agg_mx_ins AFTER INSERT ON agg_mx BEGIN
	INSERT INTO roll_mx (day, policy_domain, mx_host, n_rows, failed_sessions)
		VALUES (NEW.day, NEW.policy_domain, NEW.mx_host, 1, NEW.failed_sessions)
		ON CONFLICT (day, policy_domain, mx_host) DO UPDATE SET n_rows = n_rows + 1, failed_sessions = failed_sessions + excluded.failed_sessions;
	INSERT INTO life_mx (policy_domain, organization, mx_host, n_rows, failed_sessions)
		VALUES (NEW.policy_domain, NEW.organization, NEW.mx_host, 1, NEW.failed_sessions)
		ON CONFLICT (policy_domain, organization, mx_host) DO UPDATE SET n_rows = n_rows + 1, failed_sessions = failed_sessions + excluded.failed_sessions;
END;
CREATE TRIGGER IF NOT EXISTS agg_mx_del AFTER DELETE ON agg_mx BEGIN
	UPDATE roll_mx SET n_rows = n_rows - 1, failed_sessions = failed_sessions - OLD.failed_sessions
		WHERE day = OLD.day AND policy_domain = OLD.policy_domain AND mx_host = OLD.mx_host;
	DELETE FROM roll_mx WHERE day = OLD.day AND policy_domain = OLD.policy_domain AND mx_host = OLD.mx_host AND n_rows <= 0;
	UPDATE life_mx SET n_rows = n_rows - 1, failed_sessions = failed_sessions - OLD.failed_sessions
		WHERE policy_domain = OLD.policy_domain AND organization = OLD.organization AND mx_host = OLD.mx_host;
	DELETE FROM life_mx WHERE policy_domain = OLD.policy_domain AND organization = OLD.organization AND mx_host = OLD.mx_host AND n_rows <= 0;
END;
CREATE TRIGGER IF NOT EXISTS agg_mx_upd AFTER UPDATE ON agg_mx BEGIN
	UPDATE roll_mx SET n_rows = n_rows - 1, failed_sessions = failed_sessions - OLD.failed_sessions
		WHERE day = OLD.day AND policy_domain = OLD.policy_domain AND mx_host = OLD.mx_host;
	INSERT INTO roll_mx (day, policy_domain, mx_host, n_rows, failed_sessions)
		VALUES (NEW.day, NEW.policy_domain, NEW.mx_host, 1, NEW.failed_sessions)
		ON CONFLICT (day, policy_domain, mx_host) DO UPDATE SET n_rows = n_rows + 1, failed_sessions = failed_sessions + excluded.failed_sessions;
	DELETE FROM roll_mx WHERE day = OLD.day AND policy_domain = OLD.policy_domain AND mx_host = OLD.mx_host AND n_rows <= 0;
	UPDATE life_mx SET n_rows = n_rows - 1, failed_sessions = failed_sessions - OLD.failed_sessions
		WHERE policy_domain = OLD.policy_domain AND organization = OLD.organization AND mx_host = OLD.mx_host;
	INSERT INTO life_mx (policy_domain, organization, mx_host, n_rows, failed_sessions)
		VALUES (NEW.policy_domain, NEW.organization, NEW.mx_host, 1, NEW.failed_sessions)
		ON CONFLICT (policy_domain, organization, mx_host) DO UPDATE SET n_rows = n_rows + 1, failed_sessions = failed_sessions + excluded.failed_sessions;
	DELETE FROM life_mx WHERE policy_domain = OLD.policy_domain AND organization = OLD.organization AND mx_host = OLD.mx_host AND n_rows <= 0;
END;

-- agg_policy_type -> roll_type
CREATE TRIGGER IF NOT EXISTS agg_policy_type_ins AFTER INSERT ON agg_policy_type BEGIN
	INSERT INTO roll_type (day, policy_domain, policy_type, n_rows, policies, successful_sessions, failed_sessions)
		VALUES (NEW.day, NEW.policy_domain, NEW.policy_type, 1, NEW.policies, NEW.successful_sessions, NEW.failed_sessions)
		ON CONFLICT (day, policy_domain, policy_type) DO UPDATE SET n_rows = n_rows + 1, policies = policies + excluded.policies, successful_sessions = successful_sessions + excluded.successful_sessions, failed_sessions = failed_sessions + excluded.failed_sessions;
END;
CREATE TRIGGER IF NOT EXISTS agg_policy_type_del AFTER DELETE ON agg_policy_type BEGIN
	UPDATE roll_type SET n_rows = n_rows - 1, policies = policies - OLD.policies, successful_sessions = successful_sessions - OLD.successful_sessions, failed_sessions = failed_sessions - OLD.failed_sessions
		WHERE day = OLD.day AND policy_domain = OLD.policy_domain AND policy_type = OLD.policy_type;
	DELETE FROM roll_type WHERE day = OLD.day AND policy_domain = OLD.policy_domain AND policy_type = OLD.policy_type AND n_rows <= 0;
END;
CREATE TRIGGER IF NOT EXISTS agg_policy_type_upd AFTER UPDATE ON agg_policy_type BEGIN
	UPDATE roll_type SET n_rows = n_rows - 1, policies = policies - OLD.policies, successful_sessions = successful_sessions - OLD.successful_sessions, failed_sessions = failed_sessions - OLD.failed_sessions
		WHERE day = OLD.day AND policy_domain = OLD.policy_domain AND policy_type = OLD.policy_type;
	INSERT INTO roll_type (day, policy_domain, policy_type, n_rows, policies, successful_sessions, failed_sessions)
		VALUES (NEW.day, NEW.policy_domain, NEW.policy_type, 1, NEW.policies, NEW.successful_sessions, NEW.failed_sessions)
		ON CONFLICT (day, policy_domain, policy_type) DO UPDATE SET n_rows = n_rows + 1, policies = policies + excluded.policies, successful_sessions = successful_sessions + excluded.successful_sessions, failed_sessions = failed_sessions + excluded.failed_sessions;
	DELETE FROM roll_type WHERE day = OLD.day AND policy_domain = OLD.policy_domain AND policy_type = OLD.policy_type AND n_rows <= 0;
END;

-- agg_domain_pruned -> life_domain
CREATE TRIGGER IF NOT EXISTS agg_domain_pruned_ins AFTER INSERT ON agg_domain_pruned BEGIN
	INSERT INTO life_domain (policy_domain, organization, n_rows, reports, successful_sessions, failed_sessions)
		VALUES (NEW.policy_domain, NEW.organization, 1, NEW.reports, NEW.successful_sessions, NEW.failed_sessions)
		ON CONFLICT (policy_domain, organization) DO UPDATE SET n_rows = n_rows + 1, reports = reports + excluded.reports, successful_sessions = successful_sessions + excluded.successful_sessions, failed_sessions = failed_sessions + excluded.failed_sessions;
END;
CREATE TRIGGER IF NOT EXISTS agg_domain_pruned_del AFTER DELETE ON agg_domain_pruned BEGIN
	UPDATE life_domain SET n_rows = n_rows - 1, reports = reports - OLD.reports, successful_sessions = successful_sessions - OLD.successful_sessions, failed_sessions = failed_sessions - OLD.failed_sessions
		WHERE policy_domain = OLD.policy_domain AND organization = OLD.organization;
	DELETE FROM life_domain WHERE policy_domain = OLD.policy_domain AND organization = OLD.organization AND n_rows <= 0;
END;
CREATE TRIGGER IF NOT EXISTS agg_domain_pruned_upd AFTER UPDATE ON agg_domain_pruned BEGIN
	UPDATE life_domain SET n_rows = n_rows - 1, reports = reports - OLD.reports, successful_sessions = successful_sessions - OLD.successful_sessions, failed_sessions = failed_sessions - OLD.failed_sessions
		WHERE policy_domain = OLD.policy_domain AND organization = OLD.organization;
	INSERT INTO life_domain (policy_domain, organization, n_rows, reports, successful_sessions, failed_sessions)
		VALUES (NEW.policy_domain, NEW.organization, 1, NEW.reports, NEW.successful_sessions, NEW.failed_sessions)
		ON CONFLICT (policy_domain, organization) DO UPDATE SET n_rows = n_rows + 1, reports = reports + excluded.reports, successful_sessions = successful_sessions + excluded.successful_sessions, failed_sessions = failed_sessions + excluded.failed_sessions;
	DELETE FROM life_domain WHERE policy_domain = OLD.policy_domain AND organization = OLD.organization AND n_rows <= 0;
END;

-- agg_failure_pruned -> life_failure
CREATE TRIGGER IF NOT EXISTS agg_failure_pruned_ins AFTER INSERT ON agg_failure_pruned BEGIN
	INSERT INTO life_failure (policy_domain, organization, mx_host, result_type, n_rows, failed_sessions)
		VALUES (NEW.policy_domain, NEW.organization, NEW.mx_host, NEW.result_type, 1, NEW.failed_sessions)
		ON CONFLICT (policy_domain, organization, mx_host, result_type) DO UPDATE SET n_rows = n_rows + 1, failed_sessions = failed_sessions + excluded.failed_sessions;
END;
CREATE TRIGGER IF NOT EXISTS agg_failure_pruned_del AFTER DELETE ON agg_failure_pruned BEGIN
	UPDATE life_failure SET n_rows = n_rows - 1, failed_sessions = failed_sessions - OLD.failed_sessions
		WHERE policy_domain = OLD.policy_domain AND organization = OLD.organization AND mx_host = OLD.mx_host AND result_type = OLD.result_type;
	DELETE FROM life_failure WHERE policy_domain = OLD.policy_domain AND organization = OLD.organization AND mx_host = OLD.mx_host AND result_type = OLD.result_type AND n_rows <= 0;
END;
CREATE TRIGGER IF NOT EXISTS agg_failure_pruned_upd AFTER UPDATE ON agg_failure_pruned BEGIN
	UPDATE life_failure SET n_rows = n_rows - 1, failed_sessions = failed_sessions - OLD.failed_sessions
		WHERE policy_domain = OLD.policy_domain AND organization = OLD.organization AND mx_host = OLD.mx_host AND result_type = OLD.result_type;
	INSERT INTO life_failure (policy_domain, organization, mx_host, result_type, n_rows, failed_sessions)
		VALUES (NEW.policy_domain, NEW.organization, NEW.mx_host, NEW.result_type, 1, NEW.failed_sessions)
		ON CONFLICT (policy_domain, organization, mx_host, result_type) DO UPDATE SET n_rows = n_rows + 1, failed_sessions = failed_sessions + excluded.failed_sessions;
	DELETE FROM life_failure WHERE policy_domain = OLD.policy_domain AND organization = OLD.organization AND mx_host = OLD.mx_host AND result_type = OLD.result_type AND n_rows <= 0;
END;

-- agg_mx_pruned -> life_mx
CREATE TRIGGER IF NOT EXISTS agg_mx_pruned_ins AFTER INSERT ON agg_mx_pruned BEGIN
	INSERT INTO life_mx (policy_domain, organization, mx_host, n_rows, failed_sessions)
		VALUES (NEW.policy_domain, NEW.organization, NEW.mx_host, 1, NEW.failed_sessions)
		ON CONFLICT (policy_domain, organization, mx_host) DO UPDATE SET n_rows = n_rows + 1, failed_sessions = failed_sessions + excluded.failed_sessions;
END;
CREATE TRIGGER IF NOT EXISTS agg_mx_pruned_del AFTER DELETE ON agg_mx_pruned BEGIN
	UPDATE life_mx SET n_rows = n_rows - 1, failed_sessions = failed_sessions - OLD.failed_sessions
		WHERE policy_domain = OLD.policy_domain AND organization = OLD.organization AND mx_host = OLD.mx_host;
	DELETE FROM life_mx WHERE policy_domain = OLD.policy_domain AND organization = OLD.organization AND mx_host = OLD.mx_host AND n_rows <= 0;
END;
CREATE TRIGGER IF NOT EXISTS agg_mx_pruned_upd AFTER UPDATE ON agg_mx_pruned BEGIN
	UPDATE life_mx SET n_rows = n_rows - 1, failed_sessions = failed_sessions - OLD.failed_sessions
		WHERE policy_domain = OLD.policy_domain AND organization = OLD.organization AND mx_host = OLD.mx_host;
	INSERT INTO life_mx (policy_domain, organization, mx_host, n_rows, failed_sessions)
		VALUES (NEW.policy_domain, NEW.organization, NEW.mx_host, 1, NEW.failed_sessions)
		ON CONFLICT (policy_domain, organization, mx_host) DO UPDATE SET n_rows = n_rows + 1, failed_sessions = failed_sessions + excluded.failed_sessions;
	DELETE FROM life_mx WHERE policy_domain = OLD.policy_domain AND organization = OLD.organization AND mx_host = OLD.mx_host AND n_rows <= 0;
END;

-- report -> roll_report_day
CREATE TRIGGER IF NOT EXISTS report_roll_ins AFTER INSERT ON report BEGIN
	INSERT INTO roll_report_day (day, reports) VALUES (NEW.day, 1)
		ON CONFLICT (day) DO UPDATE SET reports = reports + 1;
END;
CREATE TRIGGER IF NOT EXISTS report_roll_del AFTER DELETE ON report BEGIN
	UPDATE roll_report_day SET reports = reports - 1 WHERE day = OLD.day;
	DELETE FROM roll_report_day WHERE day = OLD.day AND reports <= 0;
END;
CREATE TRIGGER IF NOT EXISTS report_roll_upd AFTER UPDATE OF day ON report BEGIN
	UPDATE roll_report_day SET reports = reports - 1 WHERE day = OLD.day;
	INSERT INTO roll_report_day (day, reports) VALUES (NEW.day, 1)
		ON CONFLICT (day) DO UPDATE SET reports = reports + 1;
	DELETE FROM roll_report_day WHERE day = OLD.day AND reports <= 0;
END;

-- The store as it is now (store/sqlite_write_rollup.c repairs with the
-- same sums). IF NOT EXISTS and the DELETEs let a store that went back to
-- an older version number (a test fixture) migrate again.
DELETE FROM roll_domain;
INSERT INTO roll_domain (day, policy_domain, n_rows, reports, successful_sessions, failed_sessions) SELECT day, policy_domain, count(*), sum(reports), sum(successful_sessions), sum(failed_sessions) FROM agg_domain GROUP BY day, policy_domain;
DELETE FROM roll_org;
INSERT INTO roll_org (day, organization, n_rows, reports, successful_sessions, failed_sessions) SELECT day, organization, count(*), sum(reports), sum(successful_sessions), sum(failed_sessions) FROM agg_domain GROUP BY day, organization;
DELETE FROM roll_failure;
INSERT INTO roll_failure (day, policy_domain, mx_host, result_type, n_rows, failed_sessions) SELECT day, policy_domain, mx_host, result_type, count(*), sum(failed_sessions) FROM agg_failure GROUP BY day, policy_domain, mx_host, result_type;
DELETE FROM roll_mx;
INSERT INTO roll_mx (day, policy_domain, mx_host, n_rows, failed_sessions) SELECT day, policy_domain, mx_host, count(*), sum(failed_sessions) FROM agg_mx GROUP BY day, policy_domain, mx_host;
DELETE FROM roll_type;
INSERT INTO roll_type (day, policy_domain, policy_type, n_rows, policies, successful_sessions, failed_sessions) SELECT day, policy_domain, policy_type, count(*), sum(policies), sum(successful_sessions), sum(failed_sessions) FROM agg_policy_type GROUP BY day, policy_domain, policy_type;
DELETE FROM life_domain;
INSERT INTO life_domain (policy_domain, organization, n_rows, reports, successful_sessions, failed_sessions) SELECT policy_domain, organization, count(*), sum(reports), sum(successful_sessions), sum(failed_sessions) FROM (SELECT policy_domain, organization, reports, successful_sessions, failed_sessions FROM agg_domain UNION ALL SELECT policy_domain, organization, reports, successful_sessions, failed_sessions FROM agg_domain_pruned) GROUP BY policy_domain, organization;
DELETE FROM life_failure;
INSERT INTO life_failure (policy_domain, organization, mx_host, result_type, n_rows, failed_sessions) SELECT policy_domain, organization, mx_host, result_type, count(*), sum(failed_sessions) FROM (SELECT policy_domain, organization, mx_host, result_type, failed_sessions FROM agg_failure UNION ALL SELECT policy_domain, organization, mx_host, result_type, failed_sessions FROM agg_failure_pruned) GROUP BY policy_domain, organization, mx_host, result_type;
DELETE FROM life_mx;
INSERT INTO life_mx (policy_domain, organization, mx_host, n_rows, failed_sessions) SELECT policy_domain, organization, mx_host, count(*), sum(failed_sessions) FROM (SELECT policy_domain, organization, mx_host, failed_sessions FROM agg_mx UNION ALL SELECT policy_domain, organization, mx_host, failed_sessions FROM agg_mx_pruned) GROUP BY policy_domain, organization, mx_host;
DELETE FROM roll_report_day;
INSERT INTO roll_report_day (day, reports) SELECT day, count(*) FROM report GROUP BY day;
