-- 006_alerts_judged.sql - alerts that never miss (docs/alerts.md) and
-- failures by MX counted once (docs/counting.md).
--
-- alert_judged: for each day 'tlswatch alert' judged, what the store held
-- for it then (its reports and the newest report id). A later run judges a
-- day again when that changed: reports of day D arrive on D+1 or later.
CREATE TABLE alert_judged (
	day INTEGER PRIMARY KEY,	-- UTC day number of the day judged
	reports INTEGER NOT NULL,	-- reports of that day at the time
	last_report INTEGER NOT NULL,	-- their largest report.id (0: none)
	judged_at INTEGER NOT NULL	-- UTC seconds
) WITHOUT ROWID;

-- alert_sent_day: each alert sent, once per (scope, key, day): the day the
-- failures happened on (the last day of the window judged). value is the
-- failed sessions (silent reporters: reports) it was sent with; a later
-- run sends a "grown" follow-up only when the figure at least doubled.
-- Key parts that do not apply, or were absent, are '' (as in alert_sent).
CREATE TABLE alert_sent_day (
	scope TEXT NOT NULL,
	policy_domain TEXT NOT NULL,
	mx_host TEXT NOT NULL,
	result_type TEXT NOT NULL,
	organization TEXT NOT NULL,
	day INTEGER NOT NULL,
	value INTEGER NOT NULL,
	sent_at INTEGER NOT NULL,	-- UTC seconds of the last sending
	times INTEGER NOT NULL DEFAULT 1,	-- 1 + grown follow-ups
	PRIMARY KEY (scope, policy_domain, mx_host, result_type, organization, day)
) WITHOUT ROWID;

-- alert_sent kept one row per key with the --at day of its last sending,
-- whose window ended the day before.
INSERT INTO alert_sent_day (scope, policy_domain, mx_host, result_type, organization, day,
	value, sent_at, times)
	SELECT scope, policy_domain, mx_host, result_type, organization, last_day - 1,
	last_value, sent_at, 1 FROM alert_sent;
DROP TABLE alert_sent;

-- agg_mx: failed sessions per receiving MX host, counted once per MX
-- (docs/counting.md): within a report and policy domain, per MX host, the
-- failure details of each policy type add up, then max(sts, tlsa) + the
-- other types. agg_failure keeps the same rule per (MX, result type),
-- which charges an MX twice when sts and tlsa class the same sessions
-- under different result types.
CREATE TABLE agg_mx (
	day INTEGER NOT NULL,
	policy_domain TEXT NOT NULL,
	organization TEXT NOT NULL,
	mx_host TEXT NOT NULL,
	failed_sessions INTEGER NOT NULL,
	PRIMARY KEY (day, policy_domain, organization, mx_host)
) WITHOUT ROWID;

INSERT INTO agg_mx (day, policy_domain, organization, mx_host, failed_sessions)
	SELECT day, dom, org, mx, sum(v) FROM (
		SELECT r.day AS day, r.organization AS org,
			coalesce(p.policy_domain, '') AS dom,
			coalesce(f.receiving_mx_hostname, '') AS mx,
			max(sum(CASE WHEN p.policy_type = 'sts' THEN f.failed_sessions ELSE 0 END),
			    sum(CASE WHEN p.policy_type = 'tlsa' THEN f.failed_sessions ELSE 0 END))
			+ sum(CASE WHEN p.policy_type IN ('sts', 'tlsa') THEN 0
			      ELSE f.failed_sessions END) AS v
		FROM report r JOIN policy p ON p.report = r.id JOIN failure f ON f.policy = p.id
		GROUP BY r.id, dom, mx)
	GROUP BY day, dom, org, mx HAVING sum(v) > 0;

-- Lifetime totals of pruned days (docs/web.md, /metrics): 'db prune' adds
-- a day's aggregate rows here before deleting them, so that the /metrics
-- counters, all-time sums, never fall (Prometheus reads a fall as a
-- reset). Nothing else reads them: every other view is of days kept.
CREATE TABLE agg_domain_pruned (
	policy_domain TEXT NOT NULL,
	organization TEXT NOT NULL,
	reports INTEGER NOT NULL,
	successful_sessions INTEGER NOT NULL,
	failed_sessions INTEGER NOT NULL,
	PRIMARY KEY (policy_domain, organization)
) WITHOUT ROWID;

CREATE TABLE agg_failure_pruned (
	policy_domain TEXT NOT NULL,
	organization TEXT NOT NULL,
	mx_host TEXT NOT NULL,
	result_type TEXT NOT NULL,
	failed_sessions INTEGER NOT NULL,
	PRIMARY KEY (policy_domain, organization, mx_host, result_type)
) WITHOUT ROWID;

CREATE TABLE agg_mx_pruned (
	policy_domain TEXT NOT NULL,
	organization TEXT NOT NULL,
	mx_host TEXT NOT NULL,
	failed_sessions INTEGER NOT NULL,
	PRIMARY KEY (policy_domain, organization, mx_host)
) WITHOUT ROWID;
