-- 002_alerts.sql - alerts already sent by 'tlswatch alert', so that a
-- continuing spike is not sent again on every run (--repeat-after).
--
-- One row per alert identity: its scope and key. Key parts that do not
-- apply to the scope, or were absent in the report, are ''.
--   failure: policy_domain, mx_host, result_type (a spike or a new failure)
--   domain:  policy_domain (failed sessions of the whole domain)
--   rate:    policy_domain (success rate fell)
--   silent:  organization (a daily reporter stopped reporting)
-- Days are UTC day numbers: the --at day the alert was evaluated for.
CREATE TABLE IF NOT EXISTS alert_sent (
	scope TEXT NOT NULL,
	policy_domain TEXT NOT NULL,
	mx_host TEXT NOT NULL,
	result_type TEXT NOT NULL,
	organization TEXT NOT NULL,
	first_day INTEGER NOT NULL,	-- first sent for this --at day
	last_day INTEGER NOT NULL,	-- last sent for this --at day
	last_value INTEGER NOT NULL,	-- failed sessions (silent: reports) then
	sent_at INTEGER NOT NULL,	-- UTC seconds of the last sending
	times INTEGER NOT NULL DEFAULT 1,
	PRIMARY KEY (scope, policy_domain, mx_host, result_type, organization)
) WITHOUT ROWID;
