-- 033_lifetime_by_failed.sql - /metrics's most failed series by index
-- (issue 16, item 4; docs/performance.md, "The 10M store on PostgreSQL at
-- schema 32", item 6). No table's rows or sums change.
--
-- A scrape keeps the most failed series its byte budget allows
-- (pg_query_life.c): it asks for the failed count of the limit-th most
-- failed series, then for the series with at least that many. Without an
-- index on the count both sorted every series of the family: 218,000
-- rows of life_failure at 10M reports, 31-39 ms each. With one, the
-- first reads the limit's entries in the index's order and the second
-- the series above the count.
--
-- The cost is at ingest: an update of a series' count writes an entry in
-- both of its table's indexes (it could be a heap-only update), once per
-- series a batch touches, not per report.

CREATE INDEX IF NOT EXISTS life_domain_failed ON life_domain (failed_sessions);
CREATE INDEX IF NOT EXISTS life_failure_failed ON life_failure (failed_sessions);
CREATE INDEX IF NOT EXISTS life_mx_failed ON life_mx (failed_sessions);
