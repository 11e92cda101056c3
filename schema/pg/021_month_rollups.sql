-- 021_month_rollups.sql - the per-month roll-ups of schema/021 are not
-- kept on PostgreSQL yet: its reads stay on the day-level roll-ups (017),
-- which give the same figures. This migration keeps both backends at the
-- same schema version; the statement below does nothing (a migration
-- must run one: PQexec refuses an empty string).
-- Migration 026 (026_month_rollups.sql) keeps them since.
SELECT 1;
