-- 027_year_rollups.sql - per-year roll-ups, so that a period of most of a
-- year (summary --all, the dashboard's /?all=1) costs years x series, not
-- months x series (docs/performance.md, issue 18, "Year roll-ups").
--
-- Each <table>_year is the month table of 021 summed over the months of a
-- calendar year: the same keys and figures, day the year's first day as a
-- day number (lib/datetime.h, datetime_year_start), n_rows the agg_* rows
-- summed into a row, which goes when it reaches 0. Exact whatever the
-- count-once rules decided per report, as 021's are.
--
-- Readers split a period with rollup_month_parts (store/rollup_month.c):
-- a year mostly inside the period is read as its year row less the months
-- and days of it outside, each taken away exactly. Triggers on agg_* keep
-- them in the same transaction as whatever writes an aggregate row; the
-- SQLite ingest batch writes the same sums itself while its triggers are
-- off (store/sqlite_write_batch.c, which knows these triggers by name).
-- 'tlswatch db check' compares them with agg_* and 'db check --repair'
-- rebuilds them. PostgreSQL reads its month tables (schema/pg/027).

CREATE TABLE IF NOT EXISTS roll_domain_year (
	day INTEGER NOT NULL,
	policy_domain TEXT NOT NULL,
	n_rows INTEGER NOT NULL,
	reports INTEGER NOT NULL,
	successful_sessions INTEGER NOT NULL,
	failed_sessions INTEGER NOT NULL,
	PRIMARY KEY (day, policy_domain)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS roll_org_year (
	day INTEGER NOT NULL,
	organization TEXT NOT NULL,
	n_rows INTEGER NOT NULL,
	reports INTEGER NOT NULL,
	successful_sessions INTEGER NOT NULL,
	failed_sessions INTEGER NOT NULL,
	PRIMARY KEY (day, organization)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS roll_failure_year (
	day INTEGER NOT NULL,
	policy_domain TEXT NOT NULL,
	mx_host TEXT NOT NULL,
	result_type TEXT NOT NULL,
	n_rows INTEGER NOT NULL,
	failed_sessions INTEGER NOT NULL,
	PRIMARY KEY (day, policy_domain, mx_host, result_type)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS agg_failure_year (
	day INTEGER NOT NULL,
	policy_domain TEXT NOT NULL,
	organization TEXT NOT NULL,
	mx_host TEXT NOT NULL,
	result_type TEXT NOT NULL,
	n_rows INTEGER NOT NULL,
	failed_sessions INTEGER NOT NULL,
	PRIMARY KEY (day, policy_domain, organization, mx_host, result_type)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS roll_mx_year (
	day INTEGER NOT NULL,
	policy_domain TEXT NOT NULL,
	mx_host TEXT NOT NULL,
	n_rows INTEGER NOT NULL,
	failed_sessions INTEGER NOT NULL,
	PRIMARY KEY (day, policy_domain, mx_host)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS roll_type_year (
	day INTEGER NOT NULL,
	policy_domain TEXT NOT NULL,
	policy_type TEXT NOT NULL,
	n_rows INTEGER NOT NULL,
	policies INTEGER NOT NULL,
	successful_sessions INTEGER NOT NULL,
	failed_sessions INTEGER NOT NULL,
	PRIMARY KEY (day, policy_domain, policy_type)
) WITHOUT ROWID;

-- agg_domain -> roll_domain_year, roll_org_year

CREATE TRIGGER IF NOT EXISTS year_domain_ins AFTER INSERT ON agg_domain BEGIN
	INSERT INTO roll_domain_year (day, policy_domain, n_rows, reports, successful_sessions, failed_sessions)
		VALUES ((CAST(strftime('%s', NEW.day * 86400, 'unixepoch', 'start of year') AS INTEGER) / 86400), NEW.policy_domain, 1, NEW.reports, NEW.successful_sessions, NEW.failed_sessions)
		ON CONFLICT (day, policy_domain) DO UPDATE SET n_rows = n_rows + 1, reports = reports + excluded.reports, successful_sessions = successful_sessions + excluded.successful_sessions, failed_sessions = failed_sessions + excluded.failed_sessions;
	INSERT INTO roll_org_year (day, organization, n_rows, reports, successful_sessions, failed_sessions)
		VALUES ((CAST(strftime('%s', NEW.day * 86400, 'unixepoch', 'start of year') AS INTEGER) / 86400), NEW.organization, 1, NEW.reports, NEW.successful_sessions, NEW.failed_sessions)
		ON CONFLICT (day, organization) DO UPDATE SET n_rows = n_rows + 1, reports = reports + excluded.reports, successful_sessions = successful_sessions + excluded.successful_sessions, failed_sessions = failed_sessions + excluded.failed_sessions;
END;

CREATE TRIGGER IF NOT EXISTS year_domain_del AFTER DELETE ON agg_domain BEGIN
	UPDATE roll_domain_year SET n_rows = n_rows - 1, reports = reports - OLD.reports, successful_sessions = successful_sessions - OLD.successful_sessions, failed_sessions = failed_sessions - OLD.failed_sessions
		WHERE day = (CAST(strftime('%s', OLD.day * 86400, 'unixepoch', 'start of year') AS INTEGER) / 86400) AND policy_domain = OLD.policy_domain;
	DELETE FROM roll_domain_year WHERE day = (CAST(strftime('%s', OLD.day * 86400, 'unixepoch', 'start of year') AS INTEGER) / 86400) AND policy_domain = OLD.policy_domain AND n_rows <= 0;
	UPDATE roll_org_year SET n_rows = n_rows - 1, reports = reports - OLD.reports, successful_sessions = successful_sessions - OLD.successful_sessions, failed_sessions = failed_sessions - OLD.failed_sessions
		WHERE day = (CAST(strftime('%s', OLD.day * 86400, 'unixepoch', 'start of year') AS INTEGER) / 86400) AND organization = OLD.organization;
	DELETE FROM roll_org_year WHERE day = (CAST(strftime('%s', OLD.day * 86400, 'unixepoch', 'start of year') AS INTEGER) / 86400) AND organization = OLD.organization AND n_rows <= 0;
END;

CREATE TRIGGER IF NOT EXISTS year_domain_upd AFTER UPDATE ON agg_domain BEGIN
	UPDATE roll_domain_year SET n_rows = n_rows - 1, reports = reports - OLD.reports, successful_sessions = successful_sessions - OLD.successful_sessions, failed_sessions = failed_sessions - OLD.failed_sessions
		WHERE day = (CAST(strftime('%s', OLD.day * 86400, 'unixepoch', 'start of year') AS INTEGER) / 86400) AND policy_domain = OLD.policy_domain;
	INSERT INTO roll_domain_year (day, policy_domain, n_rows, reports, successful_sessions, failed_sessions)
		VALUES ((CAST(strftime('%s', NEW.day * 86400, 'unixepoch', 'start of year') AS INTEGER) / 86400), NEW.policy_domain, 1, NEW.reports, NEW.successful_sessions, NEW.failed_sessions)
		ON CONFLICT (day, policy_domain) DO UPDATE SET n_rows = n_rows + 1, reports = reports + excluded.reports, successful_sessions = successful_sessions + excluded.successful_sessions, failed_sessions = failed_sessions + excluded.failed_sessions;
	DELETE FROM roll_domain_year WHERE day = (CAST(strftime('%s', OLD.day * 86400, 'unixepoch', 'start of year') AS INTEGER) / 86400) AND policy_domain = OLD.policy_domain AND n_rows <= 0;
	UPDATE roll_org_year SET n_rows = n_rows - 1, reports = reports - OLD.reports, successful_sessions = successful_sessions - OLD.successful_sessions, failed_sessions = failed_sessions - OLD.failed_sessions
		WHERE day = (CAST(strftime('%s', OLD.day * 86400, 'unixepoch', 'start of year') AS INTEGER) / 86400) AND organization = OLD.organization;
	INSERT INTO roll_org_year (day, organization, n_rows, reports, successful_sessions, failed_sessions)
		VALUES ((CAST(strftime('%s', NEW.day * 86400, 'unixepoch', 'start of year') AS INTEGER) / 86400), NEW.organization, 1, NEW.reports, NEW.successful_sessions, NEW.failed_sessions)
		ON CONFLICT (day, organization) DO UPDATE SET n_rows = n_rows + 1, reports = reports + excluded.reports, successful_sessions = successful_sessions + excluded.successful_sessions, failed_sessions = failed_sessions + excluded.failed_sessions;
	DELETE FROM roll_org_year WHERE day = (CAST(strftime('%s', OLD.day * 86400, 'unixepoch', 'start of year') AS INTEGER) / 86400) AND organization = OLD.organization AND n_rows <= 0;
END;

-- agg_failure -> roll_failure_year, agg_failure_year

CREATE TRIGGER IF NOT EXISTS year_failure_ins AFTER INSERT ON agg_failure BEGIN
	INSERT INTO roll_failure_year (day, policy_domain, mx_host, result_type, n_rows, failed_sessions)
		VALUES ((CAST(strftime('%s', NEW.day * 86400, 'unixepoch', 'start of year') AS INTEGER) / 86400), NEW.policy_domain, NEW.mx_host, NEW.result_type, 1, NEW.failed_sessions)
		ON CONFLICT (day, policy_domain, mx_host, result_type) DO UPDATE SET n_rows = n_rows + 1, failed_sessions = failed_sessions + excluded.failed_sessions;
	INSERT INTO agg_failure_year (day, policy_domain, organization, mx_host, result_type, n_rows, failed_sessions)
		VALUES ((CAST(strftime('%s', NEW.day * 86400, 'unixepoch', 'start of year') AS INTEGER) / 86400), NEW.policy_domain, NEW.organization, NEW.mx_host, NEW.result_type, 1, NEW.failed_sessions)
		ON CONFLICT (day, policy_domain, organization, mx_host, result_type) DO UPDATE SET n_rows = n_rows + 1, failed_sessions = failed_sessions + excluded.failed_sessions;
END;

CREATE TRIGGER IF NOT EXISTS year_failure_del AFTER DELETE ON agg_failure BEGIN
	UPDATE roll_failure_year SET n_rows = n_rows - 1, failed_sessions = failed_sessions - OLD.failed_sessions
		WHERE day = (CAST(strftime('%s', OLD.day * 86400, 'unixepoch', 'start of year') AS INTEGER) / 86400) AND policy_domain = OLD.policy_domain AND mx_host = OLD.mx_host AND result_type = OLD.result_type;
	DELETE FROM roll_failure_year WHERE day = (CAST(strftime('%s', OLD.day * 86400, 'unixepoch', 'start of year') AS INTEGER) / 86400) AND policy_domain = OLD.policy_domain AND mx_host = OLD.mx_host AND result_type = OLD.result_type AND n_rows <= 0;
	UPDATE agg_failure_year SET n_rows = n_rows - 1, failed_sessions = failed_sessions - OLD.failed_sessions
		WHERE day = (CAST(strftime('%s', OLD.day * 86400, 'unixepoch', 'start of year') AS INTEGER) / 86400) AND policy_domain = OLD.policy_domain AND organization = OLD.organization AND mx_host = OLD.mx_host AND result_type = OLD.result_type;
	DELETE FROM agg_failure_year WHERE day = (CAST(strftime('%s', OLD.day * 86400, 'unixepoch', 'start of year') AS INTEGER) / 86400) AND policy_domain = OLD.policy_domain AND organization = OLD.organization AND mx_host = OLD.mx_host AND result_type = OLD.result_type AND n_rows <= 0;
END;

CREATE TRIGGER IF NOT EXISTS year_failure_upd AFTER UPDATE ON agg_failure BEGIN
	UPDATE roll_failure_year SET n_rows = n_rows - 1, failed_sessions = failed_sessions - OLD.failed_sessions
		WHERE day = (CAST(strftime('%s', OLD.day * 86400, 'unixepoch', 'start of year') AS INTEGER) / 86400) AND policy_domain = OLD.policy_domain AND mx_host = OLD.mx_host AND result_type = OLD.result_type;
	INSERT INTO roll_failure_year (day, policy_domain, mx_host, result_type, n_rows, failed_sessions)
		VALUES ((CAST(strftime('%s', NEW.day * 86400, 'unixepoch', 'start of year') AS INTEGER) / 86400), NEW.policy_domain, NEW.mx_host, NEW.result_type, 1, NEW.failed_sessions)
		ON CONFLICT (day, policy_domain, mx_host, result_type) DO UPDATE SET n_rows = n_rows + 1, failed_sessions = failed_sessions + excluded.failed_sessions;
	DELETE FROM roll_failure_year WHERE day = (CAST(strftime('%s', OLD.day * 86400, 'unixepoch', 'start of year') AS INTEGER) / 86400) AND policy_domain = OLD.policy_domain AND mx_host = OLD.mx_host AND result_type = OLD.result_type AND n_rows <= 0;
	UPDATE agg_failure_year SET n_rows = n_rows - 1, failed_sessions = failed_sessions - OLD.failed_sessions
		WHERE day = (CAST(strftime('%s', OLD.day * 86400, 'unixepoch', 'start of year') AS INTEGER) / 86400) AND policy_domain = OLD.policy_domain AND organization = OLD.organization AND mx_host = OLD.mx_host AND result_type = OLD.result_type;
	INSERT INTO agg_failure_year (day, policy_domain, organization, mx_host, result_type, n_rows, failed_sessions)
		VALUES ((CAST(strftime('%s', NEW.day * 86400, 'unixepoch', 'start of year') AS INTEGER) / 86400), NEW.policy_domain, NEW.organization, NEW.mx_host, NEW.result_type, 1, NEW.failed_sessions)
		ON CONFLICT (day, policy_domain, organization, mx_host, result_type) DO UPDATE SET n_rows = n_rows + 1, failed_sessions = failed_sessions + excluded.failed_sessions;
	DELETE FROM agg_failure_year WHERE day = (CAST(strftime('%s', OLD.day * 86400, 'unixepoch', 'start of year') AS INTEGER) / 86400) AND policy_domain = OLD.policy_domain AND organization = OLD.organization AND mx_host = OLD.mx_host AND result_type = OLD.result_type AND n_rows <= 0;
END;

-- agg_mx -> roll_mx_year

CREATE TRIGGER IF NOT EXISTS year_mx_ins AFTER INSERT ON agg_mx BEGIN
	INSERT INTO roll_mx_year (day, policy_domain, mx_host, n_rows, failed_sessions)
		VALUES ((CAST(strftime('%s', NEW.day * 86400, 'unixepoch', 'start of year') AS INTEGER) / 86400), NEW.policy_domain, NEW.mx_host, 1, NEW.failed_sessions)
		ON CONFLICT (day, policy_domain, mx_host) DO UPDATE SET n_rows = n_rows + 1, failed_sessions = failed_sessions + excluded.failed_sessions;
END;

CREATE TRIGGER IF NOT EXISTS year_mx_del AFTER DELETE ON agg_mx BEGIN
	UPDATE roll_mx_year SET n_rows = n_rows - 1, failed_sessions = failed_sessions - OLD.failed_sessions
		WHERE day = (CAST(strftime('%s', OLD.day * 86400, 'unixepoch', 'start of year') AS INTEGER) / 86400) AND policy_domain = OLD.policy_domain AND mx_host = OLD.mx_host;
	DELETE FROM roll_mx_year WHERE day = (CAST(strftime('%s', OLD.day * 86400, 'unixepoch', 'start of year') AS INTEGER) / 86400) AND policy_domain = OLD.policy_domain AND mx_host = OLD.mx_host AND n_rows <= 0;
END;

CREATE TRIGGER IF NOT EXISTS year_mx_upd AFTER UPDATE ON agg_mx BEGIN
	UPDATE roll_mx_year SET n_rows = n_rows - 1, failed_sessions = failed_sessions - OLD.failed_sessions
		WHERE day = (CAST(strftime('%s', OLD.day * 86400, 'unixepoch', 'start of year') AS INTEGER) / 86400) AND policy_domain = OLD.policy_domain AND mx_host = OLD.mx_host;
	INSERT INTO roll_mx_year (day, policy_domain, mx_host, n_rows, failed_sessions)
		VALUES ((CAST(strftime('%s', NEW.day * 86400, 'unixepoch', 'start of year') AS INTEGER) / 86400), NEW.policy_domain, NEW.mx_host, 1, NEW.failed_sessions)
		ON CONFLICT (day, policy_domain, mx_host) DO UPDATE SET n_rows = n_rows + 1, failed_sessions = failed_sessions + excluded.failed_sessions;
	DELETE FROM roll_mx_year WHERE day = (CAST(strftime('%s', OLD.day * 86400, 'unixepoch', 'start of year') AS INTEGER) / 86400) AND policy_domain = OLD.policy_domain AND mx_host = OLD.mx_host AND n_rows <= 0;
END;

-- agg_policy_type -> roll_type_year

CREATE TRIGGER IF NOT EXISTS year_type_ins AFTER INSERT ON agg_policy_type BEGIN
	INSERT INTO roll_type_year (day, policy_domain, policy_type, n_rows, policies, successful_sessions, failed_sessions)
		VALUES ((CAST(strftime('%s', NEW.day * 86400, 'unixepoch', 'start of year') AS INTEGER) / 86400), NEW.policy_domain, NEW.policy_type, 1, NEW.policies, NEW.successful_sessions, NEW.failed_sessions)
		ON CONFLICT (day, policy_domain, policy_type) DO UPDATE SET n_rows = n_rows + 1, policies = policies + excluded.policies, successful_sessions = successful_sessions + excluded.successful_sessions, failed_sessions = failed_sessions + excluded.failed_sessions;
END;

CREATE TRIGGER IF NOT EXISTS year_type_del AFTER DELETE ON agg_policy_type BEGIN
	UPDATE roll_type_year SET n_rows = n_rows - 1, policies = policies - OLD.policies, successful_sessions = successful_sessions - OLD.successful_sessions, failed_sessions = failed_sessions - OLD.failed_sessions
		WHERE day = (CAST(strftime('%s', OLD.day * 86400, 'unixepoch', 'start of year') AS INTEGER) / 86400) AND policy_domain = OLD.policy_domain AND policy_type = OLD.policy_type;
	DELETE FROM roll_type_year WHERE day = (CAST(strftime('%s', OLD.day * 86400, 'unixepoch', 'start of year') AS INTEGER) / 86400) AND policy_domain = OLD.policy_domain AND policy_type = OLD.policy_type AND n_rows <= 0;
END;

CREATE TRIGGER IF NOT EXISTS year_type_upd AFTER UPDATE ON agg_policy_type BEGIN
	UPDATE roll_type_year SET n_rows = n_rows - 1, policies = policies - OLD.policies, successful_sessions = successful_sessions - OLD.successful_sessions, failed_sessions = failed_sessions - OLD.failed_sessions
		WHERE day = (CAST(strftime('%s', OLD.day * 86400, 'unixepoch', 'start of year') AS INTEGER) / 86400) AND policy_domain = OLD.policy_domain AND policy_type = OLD.policy_type;
	INSERT INTO roll_type_year (day, policy_domain, policy_type, n_rows, policies, successful_sessions, failed_sessions)
		VALUES ((CAST(strftime('%s', NEW.day * 86400, 'unixepoch', 'start of year') AS INTEGER) / 86400), NEW.policy_domain, NEW.policy_type, 1, NEW.policies, NEW.successful_sessions, NEW.failed_sessions)
		ON CONFLICT (day, policy_domain, policy_type) DO UPDATE SET n_rows = n_rows + 1, policies = policies + excluded.policies, successful_sessions = successful_sessions + excluded.successful_sessions, failed_sessions = failed_sessions + excluded.failed_sessions;
	DELETE FROM roll_type_year WHERE day = (CAST(strftime('%s', OLD.day * 86400, 'unixepoch', 'start of year') AS INTEGER) / 86400) AND policy_domain = OLD.policy_domain AND policy_type = OLD.policy_type AND n_rows <= 0;
END;

-- backfill from the month tables (021): a year's row sums its months'
-- rows, and each month row sums its agg_* rows, n_rows included. IF NOT
-- EXISTS and the DELETEs let a store rewound to an older version number (a
-- test fixture) migrate again, as 021 does.

DELETE FROM roll_domain_year;

DELETE FROM roll_org_year;

DELETE FROM roll_failure_year;

DELETE FROM agg_failure_year;

DELETE FROM roll_mx_year;

DELETE FROM roll_type_year;


INSERT INTO roll_domain_year (day, policy_domain, n_rows, reports, successful_sessions, failed_sessions)
	SELECT CAST(strftime('%s', day * 86400, 'unixepoch', 'start of year') AS INTEGER) / 86400 AS y, policy_domain, sum(n_rows), sum(reports), sum(successful_sessions), sum(failed_sessions) FROM roll_domain_month
	GROUP BY y, policy_domain;


INSERT INTO roll_org_year (day, organization, n_rows, reports, successful_sessions, failed_sessions)
	SELECT CAST(strftime('%s', day * 86400, 'unixepoch', 'start of year') AS INTEGER) / 86400 AS y, organization, sum(n_rows), sum(reports), sum(successful_sessions), sum(failed_sessions) FROM roll_org_month
	GROUP BY y, organization;


INSERT INTO roll_failure_year (day, policy_domain, mx_host, result_type, n_rows, failed_sessions)
	SELECT CAST(strftime('%s', day * 86400, 'unixepoch', 'start of year') AS INTEGER) / 86400 AS y, policy_domain, mx_host, result_type, sum(n_rows), sum(failed_sessions) FROM roll_failure_month
	GROUP BY y, policy_domain, mx_host, result_type;


INSERT INTO agg_failure_year (day, policy_domain, organization, mx_host, result_type, n_rows, failed_sessions)
	SELECT CAST(strftime('%s', day * 86400, 'unixepoch', 'start of year') AS INTEGER) / 86400 AS y, policy_domain, organization, mx_host, result_type, sum(n_rows), sum(failed_sessions) FROM agg_failure_month
	GROUP BY y, policy_domain, organization, mx_host, result_type;


INSERT INTO roll_mx_year (day, policy_domain, mx_host, n_rows, failed_sessions)
	SELECT CAST(strftime('%s', day * 86400, 'unixepoch', 'start of year') AS INTEGER) / 86400 AS y, policy_domain, mx_host, sum(n_rows), sum(failed_sessions) FROM roll_mx_month
	GROUP BY y, policy_domain, mx_host;


INSERT INTO roll_type_year (day, policy_domain, policy_type, n_rows, policies, successful_sessions, failed_sessions)
	SELECT CAST(strftime('%s', day * 86400, 'unixepoch', 'start of year') AS INTEGER) / 86400 AS y, policy_domain, policy_type, sum(n_rows), sum(policies), sum(successful_sessions), sum(failed_sessions) FROM roll_type_month
	GROUP BY y, policy_domain, policy_type;

