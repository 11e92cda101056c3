-- 007_recount.sql - the count-once rule for "sts" and "tlsa" becomes exact
-- for both kinds of reporter (docs/counting.md rule 3), and reports carry
-- what a sender got slightly wrong (docs/quirks.md).
--
-- Until now a report's sts and tlsa policies for one domain were always the
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
