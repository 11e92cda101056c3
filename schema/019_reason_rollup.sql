-- 019_reason_rollup.sql - failed sessions by failure-reason-code and by
-- additional-information per day, so that the summary, the dashboard and
-- /api/v1/summary read days x series instead of every failure detail of
-- the period joined to its report and policy (docs/performance.md,
-- "Failure texts rolled up", issue 18).
--
-- One row per (day, kind, text, policy domain, organization, MX host,
-- result type); kind 0 is the failure-reason-code, 1 the
-- additional-information, each as sent. A report's details are first
-- grouped per (report, domain, MX, kind, text), as the read has always
-- done: sts and tlsa are two views of the same sessions, so the group
-- counts max(sts, tlsa) + other (docs/counting.md). Each group adds 1 to
-- n_rows of every result type it holds, and its failed sessions to the
-- row of its first result type (bytewise) only, so that a sum over rows is
-- the sum over groups, the result types of the rows are those of the
-- details, and the organizations of the rows are those that gave the text.
-- The organization is kept so that the distinct reporters of a period and
-- the organization filter are answered too. sent_sessions sums the
-- details' failed-session counts of the row's result type as sent, not
-- resolved: the alert context's most common failure-reason-code
-- (store/sqlite_query_alert.c) sums those.
--
-- No triggers: the writer adds a stored report's groups in the same
-- transaction (store/sqlite_reason_roll.c), a report that loses a conflict
-- takes its own away before it goes, a prune drops the day's rows, and
-- 'db copy' fills the table once the failure details are in. Triggers on
-- report, policy or failure would turn the ingest batch off
-- (store/sqlite_write_batch.c). 'tlswatch db check' compares the table
-- with the same sums over the details; 'db check --repair' rebuilds it.

CREATE TABLE IF NOT EXISTS roll_reason (
	day INTEGER NOT NULL,
	kind INTEGER NOT NULL, -- 0 failure-reason-code, 1 additional-information
	text TEXT NOT NULL,
	policy_domain TEXT NOT NULL,
	organization TEXT NOT NULL,
	mx_host TEXT NOT NULL,
	result_type TEXT NOT NULL,
	n_rows INTEGER NOT NULL,
	failed_sessions INTEGER NOT NULL,
	sent_sessions INTEGER NOT NULL, -- the details' own counts, summed as sent
	PRIMARY KEY (day, kind, text, policy_domain, organization, mx_host, result_type)
) WITHOUT ROWID;

-- The store as it is now (store/sqlite_reason_roll.c rebuilds with the
-- same sums). IF NOT EXISTS and the DELETE let a store rewound to an older
-- version number (a test fixture) migrate again.
DELETE FROM roll_reason;
INSERT INTO roll_reason (day, kind, text, policy_domain, organization, mx_host, result_type, n_rows, failed_sessions, sent_sessions)
SELECT day, kind, text, dom, org, mx, rt, count(*), sum(failed), sum(a + b + c) FROM (
	SELECT day, kind, text, dom, org, mx, rt, a, b, c,
		CASE WHEN rt = min(rt) OVER g THEN max(sum(a) OVER g, sum(b) OVER g) + sum(c) OVER g ELSE 0 END AS failed
	FROM (
		SELECT rid, day, org, dom, mx, kind, text, rt, sum(a) AS a, sum(b) AS b, sum(c) AS c FROM (
			SELECT r.id AS rid, r.day AS day, r.organization AS org, coalesce(p.policy_domain, '') AS dom,
				coalesce(fl.receiving_mx_hostname, '') AS mx, k.kind AS kind,
				CASE k.kind WHEN 0 THEN fl.failure_reason_code ELSE fl.additional_information END AS text,
				fl.result_type AS rt,
				CASE WHEN p.policy_type = 'sts' THEN fl.failed_sessions ELSE 0 END AS a,
				CASE WHEN p.policy_type = 'tlsa' THEN fl.failed_sessions ELSE 0 END AS b,
				CASE WHEN p.policy_type IN ('sts', 'tlsa') THEN 0 ELSE fl.failed_sessions END AS c
			FROM report r JOIN policy p ON p.report = r.id JOIN failure fl ON fl.policy = p.id
			JOIN (SELECT 0 AS kind UNION ALL SELECT 1) AS k
			WHERE (CASE k.kind WHEN 0 THEN fl.failure_reason_code ELSE fl.additional_information END) IS NOT NULL
		) AS d GROUP BY rid, day, org, dom, mx, kind, text, rt
	) AS s WINDOW g AS (PARTITION BY rid, dom, mx, kind, text)
) AS w GROUP BY day, kind, text, dom, org, mx, rt;
