-- 025_reason_roll.sql - the PostgreSQL twin of schema/019_reason_rollup.sql:
-- failed sessions by failure-reason-code and by additional-information
-- per (day, kind, text, policy domain, organization, MX host, result
-- type), so that the summary, the dashboard, /api/v1/summary and the
-- alert context read days x series instead of every failure detail of the
-- period joined to its report and policy (docs/performance.md, issue 16).
--
-- The same rows and meaning as SQLite's: kind 0 is the
-- failure-reason-code, 1 the additional-information, each as sent. A
-- report's details are grouped per (report, domain, MX, kind, text): sts
-- and tlsa are two views of the same sessions, so the group counts
-- max(sts, tlsa) + other (docs/counting.md); each group adds 1 to n_rows
-- of every result type it holds and its failed sessions to the row of its
-- first result type (bytewise) only; sent_sessions sums the details' own
-- counts per result type (the alert context's most common reason code).
--
-- No triggers: the writers add a report's rows in C from the report in
-- memory (store/reason_roll.c, in the ingest batch's grouped upserts,
-- store/pg_write_batch.c), a report that loses a conflict takes its own
-- away before its details go (store/pg_reason_roll.c), 'db prune' deletes
-- the pruned days' rows (also when it drops a month's partitions), 'db
-- copy' and 'db check --repair' refill the table from the details, and
-- 'db check' compares it with those sums.
--
-- The key: a failure text and an organization are each up to 2 KB of
-- sender text, and a B-tree entry holds at most 2,704 bytes, so the
-- unique key names them by a digest (reason_key, computed by the server
-- from the columns, length-prefixed so that no two column values give the
-- same input). The day leads, as every read is a range of days.

CREATE TABLE IF NOT EXISTS roll_reason (
	day bigint NOT NULL,
	kind integer NOT NULL, -- 0 failure-reason-code, 1 additional-information
	text text COLLATE "C" NOT NULL,
	policy_domain text COLLATE "C" NOT NULL,
	organization text COLLATE "C" NOT NULL,
	mx_host text COLLATE "C" NOT NULL,
	result_type text COLLATE "C" NOT NULL,
	n_rows bigint NOT NULL,
	failed_sessions bigint NOT NULL,
	sent_sessions bigint NOT NULL, -- the details' own counts, summed as sent
	reason_key text COLLATE "C" GENERATED ALWAYS AS (md5(length(text)::text || ':' || text
		|| length(organization)::text || ':' || organization || ':' || result_type)) STORED
);
CREATE UNIQUE INDEX IF NOT EXISTS roll_reason_key
	ON roll_reason (day, kind, policy_domain, mx_host, reason_key);

-- The store as it is now (store/pg_reason_roll.c rebuilds with the same
-- sums). IF NOT EXISTS and the DELETE let a store rewound to an older
-- version number (a test fixture) migrate again.
DELETE FROM roll_reason;
INSERT INTO roll_reason (day, kind, text, policy_domain, organization, mx_host, result_type, n_rows, failed_sessions, sent_sessions)
SELECT day, kind, text, dom, org, mx, rt, count(*), sum(failed)::bigint, sum(a + b + c)::bigint FROM (
	SELECT day, kind, text, dom, org, mx, rt, a, b, c,
		CASE WHEN rt = min(rt) OVER g THEN greatest(sum(a) OVER g, sum(b) OVER g) + sum(c) OVER g ELSE 0 END AS failed
	FROM (
		SELECT rid, day, org, dom, mx, kind, text, rt, sum(a) AS a, sum(b) AS b, sum(c) AS c FROM (
			SELECT r.id AS rid, r.day AS day, r.organization AS org, coalesce(p.policy_domain, '') AS dom,
				coalesce(fl.receiving_mx_hostname, '') AS mx, k.kind AS kind,
				CASE k.kind WHEN 0 THEN fl.failure_reason_code ELSE fl.additional_information END AS text,
				fl.result_type AS rt,
				CASE WHEN p.policy_type = 'sts' THEN fl.failed_sessions ELSE 0 END AS a,
				CASE WHEN p.policy_type = 'tlsa' THEN fl.failed_sessions ELSE 0 END AS b,
				CASE WHEN p.policy_type IN ('sts', 'tlsa') THEN 0 ELSE fl.failed_sessions END AS c
			FROM report r JOIN policy p ON p.report = r.id AND p.day = r.day
			JOIN failure fl ON fl.policy = p.id AND fl.day = p.day
			CROSS JOIN (VALUES (0), (1)) AS k (kind)
			WHERE (CASE k.kind WHEN 0 THEN fl.failure_reason_code ELSE fl.additional_information END) IS NOT NULL
		) AS d GROUP BY rid, day, org, dom, mx, kind, text, rt
	) AS s WINDOW g AS (PARTITION BY rid, dom, mx, kind, text)
) AS w GROUP BY day, kind, text, dom, org, mx, rt;
