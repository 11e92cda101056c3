-- 007_recount.sql - the count-once rule for "sts" and "tlsa" becomes exact
-- for both kinds of reporter (docs/counting.md rule 3), and reports carry
-- what a sender got slightly wrong (docs/quirks.md); part 2 files stored
-- sys4 no-policy-found policies under the domain their report-id names.
--
-- Part 1, the count-once rule. Until now a report's sts and tlsa policies for one domain were always the
-- same sessions (the domain took the larger). Now they are the same only
-- when core/tally.c's tally_sts_tlsa_same() says so: never for the sys4
-- reporter (known by its report-id "<start>_idx<n>_<domain>"), always for
-- Microsoft, else when their summaries are identical. Where they are
-- disjoint, the figures stored with max() lacked the smaller of the two:
-- min(sts, tlsa) is added back to the report, its domain aggregate and, per
-- MX host and result type, to the failure breakdown. Per-type figures kept
-- each type's own numbers and do not change. Aggregates of pruned reports
-- are gone with them, so adding deltas (not rebuilding) keeps every other
-- row as it was.

ALTER TABLE report ADD COLUMN quirks TEXT;	-- report_quirks_text(), NULL: none
ALTER TABLE policy ADD COLUMN policy_domain_source TEXT;	-- NULL: the report named it

CREATE TEMP TABLE recount_domain AS
SELECT r.id AS report, r.day AS day, r.organization AS org, r.report_id AS rid,
	coalesce(p.policy_domain, '') AS dom,
	sum(CASE WHEN p.policy_type = 'sts' THEN p.successful_sessions ELSE 0 END) AS sts_ok,
	sum(CASE WHEN p.policy_type = 'sts' THEN p.failed_sessions ELSE 0 END) AS sts_fail,
	sum(CASE WHEN p.policy_type = 'tlsa' THEN p.successful_sessions ELSE 0 END) AS tlsa_ok,
	sum(CASE WHEN p.policy_type = 'tlsa' THEN p.failed_sessions ELSE 0 END) AS tlsa_fail
FROM report r JOIN policy p ON p.report = r.id
GROUP BY r.id, coalesce(p.policy_domain, '')
HAVING sum(p.policy_type = 'sts') > 0 AND sum(p.policy_type = 'tlsa') > 0;

-- keep the disjoint ones: tally_sts_tlsa_same() returning 0
DELETE FROM temp.recount_domain WHERE NOT (
	(substr(rid, 1, 24) GLOB
		'[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z_idx'
	 AND substr(rid, 25, 1) GLOB '[0-9]'
	 AND substr(ltrim(substr(rid, 25), '0123456789'), 1, 1) = '_')
	OR (org != 'Microsoft Corporation'
	    AND NOT (sts_ok = tlsa_ok AND sts_fail = tlsa_fail)));

UPDATE report SET
	successful_sessions = successful_sessions + (SELECT sum(min(d.sts_ok, d.tlsa_ok))
		FROM temp.recount_domain d WHERE d.report = report.id),
	failed_sessions = failed_sessions + (SELECT sum(min(d.sts_fail, d.tlsa_fail))
		FROM temp.recount_domain d WHERE d.report = report.id)
WHERE id IN (SELECT report FROM temp.recount_domain);

UPDATE agg_domain SET
	successful_sessions = successful_sessions + (SELECT sum(min(d.sts_ok, d.tlsa_ok))
		FROM temp.recount_domain d WHERE d.day = agg_domain.day
		AND d.dom = agg_domain.policy_domain AND d.org = agg_domain.organization),
	failed_sessions = failed_sessions + (SELECT sum(min(d.sts_fail, d.tlsa_fail))
		FROM temp.recount_domain d WHERE d.day = agg_domain.day
		AND d.dom = agg_domain.policy_domain AND d.org = agg_domain.organization)
WHERE EXISTS (SELECT 1 FROM temp.recount_domain d WHERE d.day = agg_domain.day
	AND d.dom = agg_domain.policy_domain AND d.org = agg_domain.organization);

CREATE TEMP TABLE recount_failure AS
SELECT d.day AS day, d.org AS org, d.dom AS dom,
	coalesce(f.receiving_mx_hostname, '') AS mx, f.result_type AS rt,
	sum(CASE WHEN p.policy_type = 'sts' THEN f.failed_sessions ELSE 0 END) AS sts_fail,
	sum(CASE WHEN p.policy_type = 'tlsa' THEN f.failed_sessions ELSE 0 END) AS tlsa_fail
FROM temp.recount_domain d
JOIN policy p ON p.report = d.report AND coalesce(p.policy_domain, '') = d.dom
JOIN failure f ON f.policy = p.id
GROUP BY d.report, coalesce(f.receiving_mx_hostname, ''), f.result_type;

-- min() > 0 means both were > 0, so max() > 0 stored the row already
UPDATE agg_failure SET
	failed_sessions = failed_sessions + (SELECT sum(min(x.sts_fail, x.tlsa_fail))
		FROM temp.recount_failure x WHERE x.day = agg_failure.day
		AND x.dom = agg_failure.policy_domain AND x.org = agg_failure.organization
		AND x.mx = agg_failure.mx_host AND x.rt = agg_failure.result_type)
WHERE EXISTS (SELECT 1 FROM temp.recount_failure x WHERE x.day = agg_failure.day
	AND x.dom = agg_failure.policy_domain AND x.org = agg_failure.organization
	AND x.mx = agg_failure.mx_host AND x.rt = agg_failure.result_type);

DROP TABLE temp.recount_failure;
DROP TABLE temp.recount_domain;

-- Rule 1 for reports already stored: a sys4 report's no-policy-found policy
-- without policy-domain takes the domain its report-id names
-- ("<start>_idx<n>_<domain>"; for mail, TLS-Report-Domain and the subject
-- name the same one), as report_apply_context() does now. Such a policy
-- always added (rule 4), so its figures move from the '' rows of the
-- aggregates to the domain's, exactly; the report's totals do not change.
CREATE TEMP TABLE infer AS
SELECT p.id AS policy, r.id AS report, r.day AS day, r.organization AS org,
	lower(rtrim(substr(ltrim(substr(r.report_id, 25), '0123456789'), 2), '.')) AS dom,
	p.successful_sessions AS ok, p.failed_sessions AS fail
FROM report r JOIN policy p ON p.report = r.id
WHERE p.policy_type = 'no-policy-found' AND p.policy_domain IS NULL
	AND substr(r.report_id, 1, 24) GLOB
		'[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z_idx'
	AND substr(r.report_id, 25, 1) GLOB '[0-9]'
	AND substr(ltrim(substr(r.report_id, 25), '0123456789'), 1, 1) = '_';
-- only what context_host() accepts as a host name
DELETE FROM temp.infer WHERE length(dom) NOT BETWEEN 1 AND 253
	OR dom GLOB '*[^a-z0-9._-]*' OR dom GLOB '.*' OR dom GLOB '*..*';

-- per report: its sums, and whether it keeps another domainless policy or
-- already had the domain (then the reports counters do not change)
CREATE TEMP TABLE infer_report AS
SELECT i.report, i.day, i.org, i.dom, sum(i.ok) AS ok, sum(i.fail) AS fail, count(*) AS n,
	EXISTS (SELECT 1 FROM policy q WHERE q.report = i.report AND q.policy_domain IS NULL
		AND q.id NOT IN (SELECT policy FROM temp.infer)) AS keeps_none,
	EXISTS (SELECT 1 FROM policy q WHERE q.report = i.report AND q.policy_domain = i.dom)
		AS had_dom
FROM temp.infer i GROUP BY i.report;

UPDATE agg_domain SET
	reports = reports - (SELECT count(*) FROM temp.infer_report x WHERE x.day = agg_domain.day
		AND x.org = agg_domain.organization AND NOT x.keeps_none),
	successful_sessions = successful_sessions - (SELECT sum(x.ok) FROM temp.infer_report x
		WHERE x.day = agg_domain.day AND x.org = agg_domain.organization),
	failed_sessions = failed_sessions - (SELECT sum(x.fail) FROM temp.infer_report x
		WHERE x.day = agg_domain.day AND x.org = agg_domain.organization)
WHERE policy_domain = '' AND EXISTS (SELECT 1 FROM temp.infer_report x
	WHERE x.day = agg_domain.day AND x.org = agg_domain.organization);
DELETE FROM agg_domain WHERE policy_domain = '' AND reports <= 0;
INSERT INTO agg_domain (day, policy_domain, organization, reports, successful_sessions,
	failed_sessions)
SELECT day, dom, org, sum(NOT had_dom), sum(ok), sum(fail) FROM temp.infer_report WHERE true
GROUP BY day, dom, org
ON CONFLICT (day, policy_domain, organization) DO UPDATE SET
	reports = reports + excluded.reports,
	successful_sessions = successful_sessions + excluded.successful_sessions,
	failed_sessions = failed_sessions + excluded.failed_sessions;

CREATE TEMP TABLE infer_failure AS
SELECT i.day, i.org, i.dom, coalesce(f.receiving_mx_hostname, '') AS mx,
	f.result_type AS rt, sum(f.failed_sessions) AS fail
FROM temp.infer i JOIN failure f ON f.policy = i.policy
GROUP BY i.day, i.org, i.dom, coalesce(f.receiving_mx_hostname, ''), f.result_type;
UPDATE agg_failure SET failed_sessions = failed_sessions - (SELECT sum(x.fail)
	FROM temp.infer_failure x WHERE x.day = agg_failure.day AND x.org = agg_failure.organization
	AND x.mx = agg_failure.mx_host AND x.rt = agg_failure.result_type)
WHERE policy_domain = '' AND EXISTS (SELECT 1 FROM temp.infer_failure x
	WHERE x.day = agg_failure.day AND x.org = agg_failure.organization
	AND x.mx = agg_failure.mx_host AND x.rt = agg_failure.result_type);
DELETE FROM agg_failure WHERE policy_domain = '' AND failed_sessions <= 0;
INSERT INTO agg_failure (day, policy_domain, organization, mx_host, result_type, failed_sessions)
SELECT day, dom, org, mx, rt, sum(fail) FROM temp.infer_failure WHERE true
GROUP BY day, dom, org, mx, rt HAVING sum(fail) > 0
ON CONFLICT (day, policy_domain, organization, mx_host, result_type) DO UPDATE SET
	failed_sessions = failed_sessions + excluded.failed_sessions;

UPDATE agg_policy_type SET
	policies = policies - (SELECT sum(x.n) FROM temp.infer_report x
		WHERE x.day = agg_policy_type.day AND x.org = agg_policy_type.organization),
	successful_sessions = successful_sessions - (SELECT sum(x.ok) FROM temp.infer_report x
		WHERE x.day = agg_policy_type.day AND x.org = agg_policy_type.organization),
	failed_sessions = failed_sessions - (SELECT sum(x.fail) FROM temp.infer_report x
		WHERE x.day = agg_policy_type.day AND x.org = agg_policy_type.organization)
WHERE policy_domain = '' AND policy_type = 'no-policy-found' AND EXISTS (SELECT 1
	FROM temp.infer_report x WHERE x.day = agg_policy_type.day
	AND x.org = agg_policy_type.organization);
DELETE FROM agg_policy_type WHERE policy_domain = '' AND policies <= 0;
INSERT INTO agg_policy_type (day, policy_domain, organization, policy_type, policies,
	successful_sessions, failed_sessions)
SELECT day, dom, org, 'no-policy-found', sum(n), sum(ok), sum(fail) FROM temp.infer_report
WHERE true GROUP BY day, dom, org
ON CONFLICT (day, policy_domain, organization, policy_type) DO UPDATE SET
	policies = policies + excluded.policies,
	successful_sessions = successful_sessions + excluded.successful_sessions,
	failed_sessions = failed_sessions + excluded.failed_sessions;

UPDATE policy SET policy_domain = (SELECT dom FROM temp.infer i WHERE i.policy = policy.id),
	policy_domain_source = 'report-id'
WHERE id IN (SELECT policy FROM temp.infer);
UPDATE report SET quirks = 'policy-domain of no-policy-found inferred from report-id'
WHERE id IN (SELECT report FROM temp.infer_report) AND quirks IS NULL;

DROP TABLE temp.infer_failure;
DROP TABLE temp.infer_report;
DROP TABLE temp.infer;
