-- 019_reason_rollup.sql - nothing on PostgreSQL yet: SQLite's roll_reason
-- (schema/019_reason_rollup.sql) has no PostgreSQL twin so far, and
-- store/pg_query_reason.c reads the failure details as before. The number
-- exists here so that both stores report the same version.
-- Migration 025 (025_reason_roll.sql) added the twin later.
SELECT 1;
