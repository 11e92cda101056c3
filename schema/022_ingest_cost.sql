-- 022_ingest_cost.sql - nothing to change on SQLite. On PostgreSQL
-- (schema/pg/022_ingest_cost.sql) the presence roll-up of 014 is kept by
-- statement-level triggers, and report loses an index and a foreign-key
-- check that every report written paid for and no read needs (issue 16,
-- item 4). The file exists so that both stores report the same schema
-- version.
SELECT 1;
