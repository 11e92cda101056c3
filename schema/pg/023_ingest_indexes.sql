-- 023_ingest_indexes.sql - the PostgreSQL twin of schema/023: report's
-- provenance index (007_baseline.sql, made again on the partitioned table
-- by 018) is read by no query, as every provenance filter also bounds
-- report.day (store/pg_query*.c). Dropping the partitioned index drops its
-- partitions' indexes with it.
DROP INDEX IF EXISTS report_provenance;
