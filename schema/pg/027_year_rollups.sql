-- 027_year_rollups.sql - the per-year roll-ups of schema/027 are not kept
-- on PostgreSQL yet: its reads stay on the month roll-ups (026), which
-- give the same figures. This migration keeps both backends at the same
-- schema version; the statement below does nothing (a migration must run
-- one: PQexec refuses an empty string).
-- Migration 034 (034_year_rollups.sql) keeps them since.
SELECT 1;
