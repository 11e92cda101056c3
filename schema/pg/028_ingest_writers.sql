-- 028_ingest_writers.sql - two costs of PostgreSQL's ingest with several
-- writers (issue 16, item 4; docs/performance.md, "The day counts at
-- commit"). The tables, their sums and what 'db check' compares are
-- unchanged.
--
-- 1. roll_report_day (reports per day, 012) added to at commit instead of
-- in the statement that writes report. Why: 017's statement trigger added
-- each COPY report's reports to their days' rows at once, so a writer held
-- those rows (one per day, and every send of 512 reports touches nearly
-- every day; a real intake's writers all add to today) from its COPY
-- report to its commit, and the other writers' COPY report waited for
-- that commit (Lock:transactionid): the sends of three writers ran one at
-- a time.
--
-- Now the statement triggers on report (the same triggers, 017's
-- report_roll_ins/upd/del, the same function name) add the statement's
-- change per day to roll_report_day_txn, under the writing transaction's
-- own id: no other transaction writes those rows, so no writer waits for
-- another there. The first row of a transaction there queues a deferred
-- constraint trigger, which runs at COMMIT, after the last statement:
-- it takes the transaction's rows out again and adds them to
-- roll_report_day in day order (the order every writer locks them in, so
-- two commits never wait on each other in a circle), then deletes the
-- days it left at 0 or less. The day rows are held from then to the
-- commit's end: about as long as store_change's one row, which every
-- commit raises just before (store/pg.c). The later rows of the same
-- transaction queue the same trigger again; it finds nothing left.
--
-- Exact as before: the change is the same sum, added in the same
-- transaction, so a rollback or a killed writer leaves nothing, and a
-- committed transaction leaves roll_report_day_txn empty (other sessions
-- never see its rows). Emptied days are deleted only at the fold, when
-- all the transaction's changes are in, so a report added and deleted in
-- one transaction leaves no row behind. Within the writing transaction
-- itself, roll_report_day does not show its own reports until the commit;
-- pg_count_reports (store/pg_query.c) adds them from roll_report_day_txn.
-- 'db check --repair' and 'db copy' refill roll_report_day from report
-- (and empty the transaction's rows here first); prune deletes a dropped
-- month's days here as before (no trigger sees a dropped partition).

CREATE TABLE IF NOT EXISTS roll_report_day_txn (
	xid bigint NOT NULL, -- txid_current(): the writing transaction
	day bigint NOT NULL,
	reports bigint NOT NULL, -- the change: negative for reports deleted
	PRIMARY KEY (xid, day)
);

-- report -> roll_report_day_txn (an update that keeps the day changes
-- nothing)
CREATE OR REPLACE FUNCTION tlswatch_stmt_report() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		INSERT INTO roll_report_day_txn AS t (xid, day, reports)
			SELECT txid_current(), day, count(*) FROM n GROUP BY day ORDER BY day
			ON CONFLICT (xid, day) DO UPDATE SET reports = t.reports + excluded.reports;
	ELSIF TG_OP = 'UPDATE' THEN
		INSERT INTO roll_report_day_txn AS t (xid, day, reports)
			SELECT txid_current(), day, sum(d)::bigint FROM (SELECT n.day, 1 AS d FROM n JOIN o USING (id) WHERE n.day <> o.day UNION ALL SELECT o.day, -1 FROM o JOIN n USING (id) WHERE n.day <> o.day) AS c GROUP BY day ORDER BY day
			ON CONFLICT (xid, day) DO UPDATE SET reports = t.reports + excluded.reports;
	ELSE
		INSERT INTO roll_report_day_txn AS t (xid, day, reports)
			SELECT txid_current(), day, -count(*) FROM o GROUP BY day ORDER BY day
			ON CONFLICT (xid, day) DO UPDATE SET reports = t.reports + excluded.reports;
	END IF;
	RETURN NULL;
END;
$$;

-- at COMMIT: the transaction's changes into roll_report_day, in day order
CREATE OR REPLACE FUNCTION tlswatch_report_day_fold() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	emptied bigint[];
BEGIN
	WITH d AS (DELETE FROM roll_report_day_txn WHERE xid = txid_current() RETURNING day, reports),
	u AS (INSERT INTO roll_report_day AS t (day, reports)
		SELECT day, sum(reports)::bigint FROM d GROUP BY day HAVING sum(reports) <> 0 ORDER BY day
		ON CONFLICT (day) DO UPDATE SET reports = t.reports + excluded.reports
		RETURNING t.day, t.reports)
	SELECT array_agg(day) INTO emptied FROM u WHERE reports <= 0;
	IF emptied IS NOT NULL THEN
		DELETE FROM roll_report_day WHERE day = ANY (emptied) AND reports <= 0;
	END IF;
	RETURN NULL;
END;
$$;
DROP TRIGGER IF EXISTS roll_report_day_txn_fold ON roll_report_day_txn;
CREATE CONSTRAINT TRIGGER roll_report_day_txn_fold AFTER INSERT ON roll_report_day_txn
	DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION tlswatch_report_day_fold();

-- 2. roll_trust (020): the statement trigger on COPY policy counts a
-- (report, domain) when no policy of the report outside the statement
-- names the domain. Its "outside the statement" test, NOT EXISTS (SELECT
-- 1 FROM n WHERE n.id = p.id), was planned as a nested-loop anti join
-- that scans the transition table again for every policy it looks at
-- (docs/performance.md, "Writers at once": 512 loops of 256 rows a
-- statement). p.id NOT IN (SELECT id FROM n) is a hashed subplan, one
-- scan of n per statement; the same rows, since neither id is ever NULL.
CREATE OR REPLACE FUNCTION tlswatch_stmt_policy_trust() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		-- each (report, domain) the statement brought that no earlier
		-- policy of the report already named
		INSERT INTO roll_trust AS t (day, policy_domain, organization, verified, unverified)
			SELECT r.day, k.dom, r.organization, sum(CASE WHEN r.provenance <> 'unverified-mail' THEN 1 ELSE 0 END)::bigint, sum(CASE WHEN r.provenance = 'unverified-mail' THEN 1 ELSE 0 END)::bigint
			FROM (SELECT DISTINCT report, day, coalesce(policy_domain, '') AS dom FROM n) AS k
			JOIN report r ON r.id = k.report AND r.day = k.day
			WHERE NOT EXISTS (SELECT 1 FROM policy p WHERE p.report = k.report AND p.day = k.day AND coalesce(p.policy_domain, '') = k.dom AND p.id NOT IN (SELECT id FROM n))
			GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
			ON CONFLICT (policy_domain, day, organization) DO UPDATE SET verified = t.verified + excluded.verified, unverified = t.unverified + excluded.unverified;
	ELSE
		-- each (report, domain) the statement took the last policy of
		INSERT INTO roll_trust AS t (day, policy_domain, organization, verified, unverified)
			SELECT r.day, k.dom, r.organization, -sum(CASE WHEN r.provenance <> 'unverified-mail' THEN 1 ELSE 0 END)::bigint, -sum(CASE WHEN r.provenance = 'unverified-mail' THEN 1 ELSE 0 END)::bigint
			FROM (SELECT DISTINCT report, day, coalesce(policy_domain, '') AS dom FROM o) AS k
			JOIN report r ON r.id = k.report AND r.day = k.day
			WHERE NOT EXISTS (SELECT 1 FROM policy p WHERE p.report = k.report AND p.day = k.day AND coalesce(p.policy_domain, '') = k.dom)
			GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
			ON CONFLICT (policy_domain, day, organization) DO UPDATE SET verified = t.verified + excluded.verified, unverified = t.unverified + excluded.unverified;
		DELETE FROM roll_trust AS t WHERE (t.day, t.policy_domain) IN (SELECT day, coalesce(policy_domain, '') FROM o) AND t.verified = 0 AND t.unverified = 0;
	END IF;
	RETURN NULL;
END;
$$;
