-- 021_month_rollups.sql - per-month roll-ups, so that a long period costs
-- months x series, not days x series (docs/performance.md, issue 18,
-- "Per-month roll-ups").
--
-- Each <table>_month is the day-level roll-up of 012 (or, for
-- agg_failure_month, the aggregate table itself: the failure breakdown is
-- keyed by organization) summed over the days of a month. Its day column
-- holds the month's first day as a day number (lib/datetime.h,
-- datetime_month_start), so the period filters of the day tables apply
-- unchanged. Like 012's, each is a plain sum of agg_* rows, exact
-- whatever the count-once rules decided per report, and n_rows counts the
-- agg rows summed into a row, which goes when it reaches 0.
--
-- Readers split a period with datetime_split_months: the days at its
-- edges from the day tables, the whole months from these
-- (store/sqlite_query_scan.c). Triggers on agg_* keep them in the same
-- transaction as whatever writes an aggregate row; the SQLite ingest batch
-- writes the same sums itself while its triggers are off
-- (store/sqlite_write_batch.c, which knows these triggers by name).
-- 'tlswatch db check' compares them with agg_* and 'db check --repair'
-- rebuilds them (store/rollup_month.c).
--
-- roll_day is the day total across domains and reporters (agg_domain
-- summed per day), kept the same way: the summary's day series of a long
-- period reads a row per day instead of one per day and domain.

CREATE TABLE IF NOT EXISTS roll_day (
	day INTEGER NOT NULL,
	n_rows INTEGER NOT NULL,
	reports INTEGER NOT NULL,
	successful_sessions INTEGER NOT NULL,
	failed_sessions INTEGER NOT NULL,
	PRIMARY KEY (day)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS roll_domain_month (
	day INTEGER NOT NULL,
	policy_domain TEXT NOT NULL,
	n_rows INTEGER NOT NULL,
	reports INTEGER NOT NULL,
	successful_sessions INTEGER NOT NULL,
	failed_sessions INTEGER NOT NULL,
	PRIMARY KEY (day, policy_domain)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS roll_org_month (
	day INTEGER NOT NULL,
	organization TEXT NOT NULL,
	n_rows INTEGER NOT NULL,
	reports INTEGER NOT NULL,
	successful_sessions INTEGER NOT NULL,
	failed_sessions INTEGER NOT NULL,
	PRIMARY KEY (day, organization)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS roll_failure_month (
	day INTEGER NOT NULL,
	policy_domain TEXT NOT NULL,
	mx_host TEXT NOT NULL,
	result_type TEXT NOT NULL,
	n_rows INTEGER NOT NULL,
	failed_sessions INTEGER NOT NULL,
	PRIMARY KEY (day, policy_domain, mx_host, result_type)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS agg_failure_month (
	day INTEGER NOT NULL,
	policy_domain TEXT NOT NULL,
	organization TEXT NOT NULL,
	mx_host TEXT NOT NULL,
	result_type TEXT NOT NULL,
	n_rows INTEGER NOT NULL,
	failed_sessions INTEGER NOT NULL,
	PRIMARY KEY (day, policy_domain, organization, mx_host, result_type)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS roll_mx_month (
	day INTEGER NOT NULL,
	policy_domain TEXT NOT NULL,
	mx_host TEXT NOT NULL,
	n_rows INTEGER NOT NULL,
	failed_sessions INTEGER NOT NULL,
	PRIMARY KEY (day, policy_domain, mx_host)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS roll_type_month (
	day INTEGER NOT NULL,
	policy_domain TEXT NOT NULL,
	policy_type TEXT NOT NULL,
	n_rows INTEGER NOT NULL,
	policies INTEGER NOT NULL,
	successful_sessions INTEGER NOT NULL,
	failed_sessions INTEGER NOT NULL,
	PRIMARY KEY (day, policy_domain, policy_type)
) WITHOUT ROWID;

-- agg_domain -> roll_day, roll_domain_month, roll_org_month

CREATE TRIGGER IF NOT EXISTS month_domain_ins AFTER INSERT ON agg_domain BEGIN
	INSERT INTO roll_day (day, n_rows, reports, successful_sessions, failed_sessions)
		VALUES (NEW.day, 1, NEW.reports, NEW.successful_sessions, NEW.failed_sessions)
		ON CONFLICT (day) DO UPDATE SET n_rows = n_rows + 1, reports = reports + excluded.reports, successful_sessions = successful_sessions + excluded.successful_sessions, failed_sessions = failed_sessions + excluded.failed_sessions;
	INSERT INTO roll_domain_month (day, policy_domain, n_rows, reports, successful_sessions, failed_sessions)
		VALUES ((CAST(strftime('%s', NEW.day * 86400, 'unixepoch', 'start of month') AS INTEGER) / 86400), NEW.policy_domain, 1, NEW.reports, NEW.successful_sessions, NEW.failed_sessions)
		ON CONFLICT (day, policy_domain) DO UPDATE SET n_rows = n_rows + 1, reports = reports + excluded.reports, successful_sessions = successful_sessions + excluded.successful_sessions, failed_sessions = failed_sessions + excluded.failed_sessions;
	INSERT INTO roll_org_month (day, organization, n_rows, reports, successful_sessions, failed_sessions)
		VALUES ((CAST(strftime('%s', NEW.day * 86400, 'unixepoch', 'start of month') AS INTEGER) / 86400), NEW.organization, 1, NEW.reports, NEW.successful_sessions, NEW.failed_sessions)
		ON CONFLICT (day, organization) DO UPDATE SET n_rows = n_rows + 1, reports = reports + excluded.reports, successful_sessions = successful_sessions + excluded.successful_sessions, failed_sessions = failed_sessions + excluded.failed_sessions;
END;

CREATE TRIGGER IF NOT EXISTS month_domain_del AFTER DELETE ON agg_domain BEGIN
	UPDATE roll_day SET n_rows = n_rows - 1, reports = reports - OLD.reports, successful_sessions = successful_sessions - OLD.successful_sessions, failed_sessions = failed_sessions - OLD.failed_sessions
		WHERE day = OLD.day;
	DELETE FROM roll_day WHERE day = OLD.day AND n_rows <= 0;
	UPDATE roll_domain_month SET n_rows = n_rows - 1, reports = reports - OLD.reports, successful_sessions = successful_sessions - OLD.successful_sessions, failed_sessions = failed_sessions - OLD.failed_sessions
		WHERE day = (CAST(strftime('%s', OLD.day * 86400, 'unixepoch', 'start of month') AS INTEGER) / 86400) AND policy_domain = OLD.policy_domain;
	DELETE FROM roll_domain_month WHERE day = (CAST(strftime('%s', OLD.day * 86400, 'unixepoch', 'start of month') AS INTEGER) / 86400) AND policy_domain = OLD.policy_domain AND n_rows <= 0;
	UPDATE roll_org_month SET n_rows = n_rows - 1, reports = reports - OLD.reports, successful_sessions = successful_sessions - OLD.successful_sessions, failed_sessions = failed_sessions - OLD.failed_sessions
		WHERE day = (CAST(strftime('%s', OLD.day * 86400, 'unixepoch', 'start of month') AS INTEGER) / 86400) AND organization = OLD.organization;
	DELETE FROM roll_org_month WHERE day = (CAST(strftime('%s', OLD.day * 86400, 'unixepoch', 'start of month') AS INTEGER) / 86400) AND organization = OLD.organization AND n_rows <= 0;
END;

CREATE TRIGGER IF NOT EXISTS month_domain_upd AFTER UPDATE ON agg_domain BEGIN
	UPDATE roll_day SET n_rows = n_rows - 1, reports = reports - OLD.reports, successful_sessions = successful_sessions - OLD.successful_sessions, failed_sessions = failed_sessions - OLD.failed_sessions
		WHERE day = OLD.day;
	INSERT INTO roll_day (day, n_rows, reports, successful_sessions, failed_sessions)
		VALUES (NEW.day, 1, NEW.reports, NEW.successful_sessions, NEW.failed_sessions)
		ON CONFLICT (day) DO UPDATE SET n_rows = n_rows + 1, reports = reports + excluded.reports, successful_sessions = successful_sessions + excluded.successful_sessions, failed_sessions = failed_sessions + excluded.failed_sessions;
	DELETE FROM roll_day WHERE day = OLD.day AND n_rows <= 0;
	UPDATE roll_domain_month SET n_rows = n_rows - 1, reports = reports - OLD.reports, successful_sessions = successful_sessions - OLD.successful_sessions, failed_sessions = failed_sessions - OLD.failed_sessions
		WHERE day = (CAST(strftime('%s', OLD.day * 86400, 'unixepoch', 'start of month') AS INTEGER) / 86400) AND policy_domain = OLD.policy_domain;
	INSERT INTO roll_domain_month (day, policy_domain, n_rows, reports, successful_sessions, failed_sessions)
		VALUES ((CAST(strftime('%s', NEW.day * 86400, 'unixepoch', 'start of month') AS INTEGER) / 86400), NEW.policy_domain, 1, NEW.reports, NEW.successful_sessions, NEW.failed_sessions)
		ON CONFLICT (day, policy_domain) DO UPDATE SET n_rows = n_rows + 1, reports = reports + excluded.reports, successful_sessions = successful_sessions + excluded.successful_sessions, failed_sessions = failed_sessions + excluded.failed_sessions;
	DELETE FROM roll_domain_month WHERE day = (CAST(strftime('%s', OLD.day * 86400, 'unixepoch', 'start of month') AS INTEGER) / 86400) AND policy_domain = OLD.policy_domain AND n_rows <= 0;
	UPDATE roll_org_month SET n_rows = n_rows - 1, reports = reports - OLD.reports, successful_sessions = successful_sessions - OLD.successful_sessions, failed_sessions = failed_sessions - OLD.failed_sessions
		WHERE day = (CAST(strftime('%s', OLD.day * 86400, 'unixepoch', 'start of month') AS INTEGER) / 86400) AND organization = OLD.organization;
	INSERT INTO roll_org_month (day, organization, n_rows, reports, successful_sessions, failed_sessions)
		VALUES ((CAST(strftime('%s', NEW.day * 86400, 'unixepoch', 'start of month') AS INTEGER) / 86400), NEW.organization, 1, NEW.reports, NEW.successful_sessions, NEW.failed_sessions)
		ON CONFLICT (day, organization) DO UPDATE SET n_rows = n_rows + 1, reports = reports + excluded.reports, successful_sessions = successful_sessions + excluded.successful_sessions, failed_sessions = failed_sessions + excluded.failed_sessions;
	DELETE FROM roll_org_month WHERE day = (CAST(strftime('%s', OLD.day * 86400, 'unixepoch', 'start of month') AS INTEGER) / 86400) AND organization = OLD.organization AND n_rows <= 0;
END;

-- agg_failure -> roll_failure_month, agg_failure_month

CREATE TRIGGER IF NOT EXISTS month_failure_ins AFTER INSERT ON agg_failure BEGIN
	INSERT INTO roll_failure_month (day, policy_domain, mx_host, result_type, n_rows, failed_sessions)
		VALUES ((CAST(strftime('%s', NEW.day * 86400, 'unixepoch', 'start of month') AS INTEGER) / 86400), NEW.policy_domain, NEW.mx_host, NEW.result_type, 1, NEW.failed_sessions)
		ON CONFLICT (day, policy_domain, mx_host, result_type) DO UPDATE SET n_rows = n_rows + 1, failed_sessions = failed_sessions + excluded.failed_sessions;
	INSERT INTO agg_failure_month (day, policy_domain, organization, mx_host, result_type, n_rows, failed_sessions)
		VALUES ((CAST(strftime('%s', NEW.day * 86400, 'unixepoch', 'start of month') AS INTEGER) / 86400), NEW.policy_domain, NEW.organization, NEW.mx_host, NEW.result_type, 1, NEW.failed_sessions)
		ON CONFLICT (day, policy_domain, organization, mx_host, result_type) DO UPDATE SET n_rows = n_rows + 1, failed_sessions = failed_sessions + excluded.failed_sessions;
END;

CREATE TRIGGER IF NOT EXISTS month_failure_del AFTER DELETE ON agg_failure BEGIN
	UPDATE roll_failure_month SET n_rows = n_rows - 1, failed_sessions = failed_sessions - OLD.failed_sessions
		WHERE day = (CAST(strftime('%s', OLD.day * 86400, 'unixepoch', 'start of month') AS INTEGER) / 86400) AND policy_domain = OLD.policy_domain AND mx_host = OLD.mx_host AND result_type = OLD.result_type;
	DELETE FROM roll_failure_month WHERE day = (CAST(strftime('%s', OLD.day * 86400, 'unixepoch', 'start of month') AS INTEGER) / 86400) AND policy_domain = OLD.policy_domain AND mx_host = OLD.mx_host AND result_type = OLD.result_type AND n_rows <= 0;
	UPDATE agg_failure_month SET n_rows = n_rows - 1, failed_sessions = failed_sessions - OLD.failed_sessions
		WHERE day = (CAST(strftime('%s', OLD.day * 86400, 'unixepoch', 'start of month') AS INTEGER) / 86400) AND policy_domain = OLD.policy_domain AND organization = OLD.organization AND mx_host = OLD.mx_host AND result_type = OLD.result_type;
	DELETE FROM agg_failure_month WHERE day = (CAST(strftime('%s', OLD.day * 86400, 'unixepoch', 'start of month') AS INTEGER) / 86400) AND policy_domain = OLD.policy_domain AND organization = OLD.organization AND mx_host = OLD.mx_host AND result_type = OLD.result_type AND n_rows <= 0;
END;

CREATE TRIGGER IF NOT EXISTS month_failure_upd AFTER UPDATE ON agg_failure BEGIN
	UPDATE roll_failure_month SET n_rows = n_rows - 1, failed_sessions = failed_sessions - OLD.failed_sessions
		WHERE day = (CAST(strftime('%s', OLD.day * 86400, 'unixepoch', 'start of month') AS INTEGER) / 86400) AND policy_domain = OLD.policy_domain AND mx_host = OLD.mx_host AND result_type = OLD.result_type;
	INSERT INTO roll_failure_month (day, policy_domain, mx_host, result_type, n_rows, failed_sessions)
		VALUES ((CAST(strftime('%s', NEW.day * 86400, 'unixepoch', 'start of month') AS INTEGER) / 86400), NEW.policy_domain, NEW.mx_host, NEW.result_type, 1, NEW.failed_sessions)
		ON CONFLICT (day, policy_domain, mx_host, result_type) DO UPDATE SET n_rows = n_rows + 1, failed_sessions = failed_sessions + excluded.failed_sessions;
	DELETE FROM roll_failure_month WHERE day = (CAST(strftime('%s', OLD.day * 86400, 'unixepoch', 'start of month') AS INTEGER) / 86400) AND policy_domain = OLD.policy_domain AND mx_host = OLD.mx_host AND result_type = OLD.result_type AND n_rows <= 0;
	UPDATE agg_failure_month SET n_rows = n_rows - 1, failed_sessions = failed_sessions - OLD.failed_sessions
		WHERE day = (CAST(strftime('%s', OLD.day * 86400, 'unixepoch', 'start of month') AS INTEGER) / 86400) AND policy_domain = OLD.policy_domain AND organization = OLD.organization AND mx_host = OLD.mx_host AND result_type = OLD.result_type;
	INSERT INTO agg_failure_month (day, policy_domain, organization, mx_host, result_type, n_rows, failed_sessions)
		VALUES ((CAST(strftime('%s', NEW.day * 86400, 'unixepoch', 'start of month') AS INTEGER) / 86400), NEW.policy_domain, NEW.organization, NEW.mx_host, NEW.result_type, 1, NEW.failed_sessions)
		ON CONFLICT (day, policy_domain, organization, mx_host, result_type) DO UPDATE SET n_rows = n_rows + 1, failed_sessions = failed_sessions + excluded.failed_sessions;
	DELETE FROM agg_failure_month WHERE day = (CAST(strftime('%s', OLD.day * 86400, 'unixepoch', 'start of month') AS INTEGER) / 86400) AND policy_domain = OLD.policy_domain AND organization = OLD.organization AND mx_host = OLD.mx_host AND result_type = OLD.result_type AND n_rows <= 0;
END;

-- agg_mx -> roll_mx_month

CREATE TRIGGER IF NOT EXISTS month_mx_ins AFTER INSERT ON agg_mx BEGIN
	INSERT INTO roll_mx_month (day, policy_domain, mx_host, n_rows, failed_sessions)
		VALUES ((CAST(strftime('%s', NEW.day * 86400, 'unixepoch', 'start of month') AS INTEGER) / 86400), NEW.policy_domain, NEW.mx_host, 1, NEW.failed_sessions)
		ON CONFLICT (day, policy_domain, mx_host) DO UPDATE SET n_rows = n_rows + 1, failed_sessions = failed_sessions + excluded.failed_sessions;
END;

CREATE TRIGGER IF NOT EXISTS month_mx_del AFTER DELETE ON agg_mx BEGIN
	UPDATE roll_mx_month SET n_rows = n_rows - 1, failed_sessions = failed_sessions - OLD.failed_sessions
		WHERE day = (CAST(strftime('%s', OLD.day * 86400, 'unixepoch', 'start of month') AS INTEGER) / 86400) AND policy_domain = OLD.policy_domain AND mx_host = OLD.mx_host;
	DELETE FROM roll_mx_month WHERE day = (CAST(strftime('%s', OLD.day * 86400, 'unixepoch', 'start of month') AS INTEGER) / 86400) AND policy_domain = OLD.policy_domain AND mx_host = OLD.mx_host AND n_rows <= 0;
END;

CREATE TRIGGER IF NOT EXISTS month_mx_upd AFTER UPDATE ON agg_mx BEGIN
	UPDATE roll_mx_month SET n_rows = n_rows - 1, failed_sessions = failed_sessions - OLD.failed_sessions
		WHERE day = (CAST(strftime('%s', OLD.day * 86400, 'unixepoch', 'start of month') AS INTEGER) / 86400) AND policy_domain = OLD.policy_domain AND mx_host = OLD.mx_host;
	INSERT INTO roll_mx_month (day, policy_domain, mx_host, n_rows, failed_sessions)
		VALUES ((CAST(strftime('%s', NEW.day * 86400, 'unixepoch', 'start of month') AS INTEGER) / 86400), NEW.policy_domain, NEW.mx_host, 1, NEW.failed_sessions)
		ON CONFLICT (day, policy_domain, mx_host) DO UPDATE SET n_rows = n_rows + 1, failed_sessions = failed_sessions + excluded.failed_sessions;
	DELETE FROM roll_mx_month WHERE day = (CAST(strftime('%s', OLD.day * 86400, 'unixepoch', 'start of month') AS INTEGER) / 86400) AND policy_domain = OLD.policy_domain AND mx_host = OLD.mx_host AND n_rows <= 0;
END;

-- agg_policy_type -> roll_type_month

CREATE TRIGGER IF NOT EXISTS month_type_ins AFTER INSERT ON agg_policy_type BEGIN
	INSERT INTO roll_type_month (day, policy_domain, policy_type, n_rows, policies, successful_sessions, failed_sessions)
		VALUES ((CAST(strftime('%s', NEW.day * 86400, 'unixepoch', 'start of month') AS INTEGER) / 86400), NEW.policy_domain, NEW.policy_type, 1, NEW.policies, NEW.successful_sessions, NEW.failed_sessions)
		ON CONFLICT (day, policy_domain, policy_type) DO UPDATE SET n_rows = n_rows + 1, policies = policies + excluded.policies, successful_sessions = successful_sessions + excluded.successful_sessions, failed_sessions = failed_sessions + excluded.failed_sessions;
END;

CREATE TRIGGER IF NOT EXISTS month_type_del AFTER DELETE ON agg_policy_type BEGIN
	UPDATE roll_type_month SET n_rows = n_rows - 1, policies = policies - OLD.policies, successful_sessions = successful_sessions - OLD.successful_sessions, failed_sessions = failed_sessions - OLD.failed_sessions
		WHERE day = (CAST(strftime('%s', OLD.day * 86400, 'unixepoch', 'start of month') AS INTEGER) / 86400) AND policy_domain = OLD.policy_domain AND policy_type = OLD.policy_type;
	DELETE FROM roll_type_month WHERE day = (CAST(strftime('%s', OLD.day * 86400, 'unixepoch', 'start of month') AS INTEGER) / 86400) AND policy_domain = OLD.policy_domain AND policy_type = OLD.policy_type AND n_rows <= 0;
END;

CREATE TRIGGER IF NOT EXISTS month_type_upd AFTER UPDATE ON agg_policy_type BEGIN
	UPDATE roll_type_month SET n_rows = n_rows - 1, policies = policies - OLD.policies, successful_sessions = successful_sessions - OLD.successful_sessions, failed_sessions = failed_sessions - OLD.failed_sessions
		WHERE day = (CAST(strftime('%s', OLD.day * 86400, 'unixepoch', 'start of month') AS INTEGER) / 86400) AND policy_domain = OLD.policy_domain AND policy_type = OLD.policy_type;
	INSERT INTO roll_type_month (day, policy_domain, policy_type, n_rows, policies, successful_sessions, failed_sessions)
		VALUES ((CAST(strftime('%s', NEW.day * 86400, 'unixepoch', 'start of month') AS INTEGER) / 86400), NEW.policy_domain, NEW.policy_type, 1, NEW.policies, NEW.successful_sessions, NEW.failed_sessions)
		ON CONFLICT (day, policy_domain, policy_type) DO UPDATE SET n_rows = n_rows + 1, policies = policies + excluded.policies, successful_sessions = successful_sessions + excluded.successful_sessions, failed_sessions = failed_sessions + excluded.failed_sessions;
	DELETE FROM roll_type_month WHERE day = (CAST(strftime('%s', OLD.day * 86400, 'unixepoch', 'start of month') AS INTEGER) / 86400) AND policy_domain = OLD.policy_domain AND policy_type = OLD.policy_type AND n_rows <= 0;
END;

-- backfill: the sums the triggers keep from now on. IF NOT EXISTS and
-- the DELETEs let a store rewound to an older version number (a test
-- fixture) migrate again, as 014 does.
DELETE FROM roll_day;
DELETE FROM roll_domain_month;
DELETE FROM roll_org_month;
DELETE FROM roll_failure_month;
DELETE FROM agg_failure_month;
DELETE FROM roll_mx_month;
DELETE FROM roll_type_month;

INSERT INTO roll_day (day, n_rows, reports, successful_sessions, failed_sessions)
	SELECT day AS m, count(*), sum(reports), sum(successful_sessions), sum(failed_sessions) FROM agg_domain
	GROUP BY m;

INSERT INTO roll_domain_month (day, policy_domain, n_rows, reports, successful_sessions, failed_sessions)
	SELECT CAST(strftime('%s', day * 86400, 'unixepoch', 'start of month') AS INTEGER) / 86400 AS m, policy_domain, count(*), sum(reports), sum(successful_sessions), sum(failed_sessions) FROM agg_domain
	GROUP BY m, policy_domain;

INSERT INTO roll_org_month (day, organization, n_rows, reports, successful_sessions, failed_sessions)
	SELECT CAST(strftime('%s', day * 86400, 'unixepoch', 'start of month') AS INTEGER) / 86400 AS m, organization, count(*), sum(reports), sum(successful_sessions), sum(failed_sessions) FROM agg_domain
	GROUP BY m, organization;

INSERT INTO roll_failure_month (day, policy_domain, mx_host, result_type, n_rows, failed_sessions)
	SELECT CAST(strftime('%s', day * 86400, 'unixepoch', 'start of month') AS INTEGER) / 86400 AS m, policy_domain, mx_host, result_type, count(*), sum(failed_sessions) FROM agg_failure
	GROUP BY m, policy_domain, mx_host, result_type;

INSERT INTO agg_failure_month (day, policy_domain, organization, mx_host, result_type, n_rows, failed_sessions)
	SELECT CAST(strftime('%s', day * 86400, 'unixepoch', 'start of month') AS INTEGER) / 86400 AS m, policy_domain, organization, mx_host, result_type, count(*), sum(failed_sessions) FROM agg_failure
	GROUP BY m, policy_domain, organization, mx_host, result_type;

INSERT INTO roll_mx_month (day, policy_domain, mx_host, n_rows, failed_sessions)
	SELECT CAST(strftime('%s', day * 86400, 'unixepoch', 'start of month') AS INTEGER) / 86400 AS m, policy_domain, mx_host, count(*), sum(failed_sessions) FROM agg_mx
	GROUP BY m, policy_domain, mx_host;

INSERT INTO roll_type_month (day, policy_domain, policy_type, n_rows, policies, successful_sessions, failed_sessions)
	SELECT CAST(strftime('%s', day * 86400, 'unixepoch', 'start of month') AS INTEGER) / 86400 AS m, policy_domain, policy_type, count(*), sum(policies), sum(successful_sessions), sum(failed_sessions) FROM agg_policy_type
	GROUP BY m, policy_domain, policy_type;

