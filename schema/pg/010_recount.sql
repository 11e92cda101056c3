-- 010_recount.sql - the PostgreSQL twin of schema/010_recount.sql: the
-- table through which a migration asks for every aggregate to be recounted
-- (store/pg_write_recount.c runs it when a writer opens the store and
-- finds a row, as 'tlswatch db recount' does).
--
-- No row is inserted here: SQLite's 010 asks for a recount because stores
-- made before its migration 007 counted agg_mx by max(sts, tlsa); a
-- PostgreSQL store starts at 7 (schema/pg/007_baseline.sql) and has always
-- counted by the current rules.
CREATE TABLE recount_pending (
	reason text COLLATE "C" PRIMARY KEY,	-- which migration asked, and why
	asked_at bigint NOT NULL		-- UTC seconds
);
