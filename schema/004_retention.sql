-- 004_retention.sql - lets 'tlswatch db prune' find the mail headers
-- (source rows) that only pruned reports used, without scanning every report.
CREATE INDEX IF NOT EXISTS report_source ON report(source_id);
