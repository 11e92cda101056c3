-- 017_statement_rollups.sql - nothing to change on SQLite. On PostgreSQL
-- (schema/pg/017_statement_rollups.sql) the roll-ups of 012 are kept by
-- statement-level triggers instead of row-level ones; SQLite has no
-- transition tables, and its ingest writes aggregate rows one statement
-- each, so its row-level triggers of 012 stay. The file exists so that
-- both stores report the same schema version.
SELECT 1;
