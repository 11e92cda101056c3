-- 010_recount.sql - every aggregate recounted from the stored reports by
-- core/tally.c (docs/counting.md, "Stores made before this rule").
--
-- Migration 007 recounted agg_domain and agg_failure for reports whose
-- sts and tlsa policies are disjoint (the sys4 reporter), and moved their
-- inferred no-policy-found domains, but left agg_mx (failures by MX, filled
-- by 006 with max(sts, tlsa) under the domain '') as it was. SQL cannot
-- tell those rows from rows stored since by the count-once rule (with its
-- [counting] overrides and rule 5), so this migration does not patch them:
-- it asks for a recount. recount_pending holds a row while the aggregates
-- must be rebuilt; a writer that opens the store and finds one runs the
-- same recount as 'tlswatch db recount' (store/sqlite_write_recount.c), in
-- one transaction that also empties this table. A later migration that
-- changes how figures are counted inserts a row here too.
CREATE TABLE recount_pending (
	reason TEXT PRIMARY KEY,	-- which migration asked, and why
	asked_at INTEGER NOT NULL	-- UTC seconds
) WITHOUT ROWID;

INSERT INTO recount_pending (reason, asked_at) VALUES
	('010: agg_mx of reports stored before 007 counted max(sts, tlsa)',
	 CAST(strftime('%s', 'now') AS INTEGER));
