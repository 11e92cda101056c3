/*
 * sqlite_write_prune.c - deleting old reports, one day per transaction
 * ('tlswatch db prune'). Input: the operator's day bound.
 */
#include <string.h>

#include "sqlite_impl.h"

/* One statement with an optional day parameter ?1, run to completion. */
static int admin_run(struct sqlite_store *st, const char *sql, int64_t day, char *err,
                     size_t errlen)
{
	sqlite3_stmt *s = NULL;
	int rc = -1;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		sqlite_fail(st, err, errlen, "cannot prepare");
		goto out;
	}
	if (sqlite3_bind_parameter_count(s) > 0)
		sqlite3_bind_int64(s, 1, day);
	if (sqlite3_step(s) != SQLITE_DONE) {
		sqlite_fail(st, err, errlen, "cannot prune");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(s);
	return rc;
}

static const char *const prune_day_sql[] = {
    "CREATE TEMP TABLE IF NOT EXISTS prune_ids (raw_id INTEGER, source_id INTEGER)",
    "DELETE FROM temp.prune_ids",
    "INSERT INTO temp.prune_ids SELECT raw_id, source_id FROM report WHERE day = ?1",
    "UPDATE quarantine SET released_report = NULL"
    " WHERE released_report IN (SELECT id FROM report WHERE day = ?1)",
    "DELETE FROM failure WHERE policy IN (SELECT p.id FROM policy p JOIN report r"
    " ON r.id = p.report WHERE r.day = ?1)",
    "DELETE FROM policy WHERE report IN (SELECT id FROM report WHERE day = ?1)",
    "DELETE FROM report WHERE day = ?1",
    "DELETE FROM raw_report WHERE id IN (SELECT raw_id FROM temp.prune_ids)",
    "DELETE FROM source WHERE id IN (SELECT source_id FROM temp.prune_ids)"
    " AND NOT EXISTS (SELECT 1 FROM report WHERE report.source_id = source.id)",
    /* lifetime totals first: the /metrics counters must not fall */
    "INSERT INTO agg_domain_pruned SELECT policy_domain, organization, reports,"
    " successful_sessions, failed_sessions FROM agg_domain WHERE day = ?1"
    " ON CONFLICT (policy_domain, organization) DO UPDATE SET"
    " reports = reports + excluded.reports,"
    " successful_sessions = successful_sessions + excluded.successful_sessions,"
    " failed_sessions = failed_sessions + excluded.failed_sessions",
    "INSERT INTO agg_failure_pruned SELECT policy_domain, organization, mx_host, result_type,"
    " failed_sessions FROM agg_failure WHERE day = ?1"
    " ON CONFLICT (policy_domain, organization, mx_host, result_type) DO UPDATE SET"
    " failed_sessions = failed_sessions + excluded.failed_sessions",
    "INSERT INTO agg_mx_pruned SELECT policy_domain, organization, mx_host,"
    " failed_sessions FROM agg_mx WHERE day = ?1"
    " ON CONFLICT (policy_domain, organization, mx_host) DO UPDATE SET"
    " failed_sessions = failed_sessions + excluded.failed_sessions",
    "DELETE FROM agg_domain WHERE day = ?1",
    "DELETE FROM agg_failure WHERE day = ?1",
    "DELETE FROM agg_mx WHERE day = ?1",
    "DELETE FROM agg_policy_type WHERE day = ?1",
    /* schema/019_reason_rollup.sql: the day's failure texts went */
    "DELETE FROM roll_reason WHERE day = ?1",
};

int sqlite_prune(struct store *base, int64_t before_day, int64_t *reports, char *err, size_t errlen)
{
	struct sqlite_store *st = sqlite_of(base);
	sqlite3_stmt *days = NULL;
	int64_t day, total = 0;
	size_t i;
	int rc = -1, step;

	/* the triggers count what a prune moves (sqlite_write_batch.c) */
	if (sqlite_batch_settle(st, err, errlen) < 0)
		return -1;
	for (;;) {
		/* the oldest day left, one transaction per day */
		if (sqlite3_prepare_v2(st->db,
		                       "SELECT min(day) FROM (SELECT min(day) AS day FROM report"
		                       " UNION ALL SELECT min(day) FROM agg_domain"
		                       " UNION ALL SELECT min(day) FROM agg_failure"
		                       " UNION ALL SELECT min(day) FROM agg_mx"
		                       " UNION ALL SELECT min(day) FROM agg_policy_type)",
		                       -1, &days, NULL) != SQLITE_OK) {
			sqlite_fail(st, err, errlen, "cannot prune");
			goto out;
		}
		step = sqlite3_step(days);
		if (step != SQLITE_ROW) {
			sqlite_fail(st, err, errlen, "cannot prune");
			goto out;
		}
		if (sqlite3_column_type(days, 0) == SQLITE_NULL ||
		    (day = sqlite3_column_int64(days, 0)) >= before_day)
			break;
		sqlite3_finalize(days);
		days = NULL;
		if (sqlite_begin(&st->base, err, errlen) < 0)
			goto out;
		for (i = 0; i < sizeof(prune_day_sql) / sizeof(prune_day_sql[0]); i++) {
			if (admin_run(st, prune_day_sql[i], day, err, errlen) < 0) {
				sqlite_rollback(&st->base);
				goto out;
			}
			if (strncmp(prune_day_sql[i], "DELETE FROM report ", 19) == 0)
				total += sqlite3_changes(st->db);
		}
		if (sqlite_commit(&st->base, err, errlen) < 0)
			goto out;
	}
	*reports = total;
	rc = 0;
out:
	sqlite3_finalize(days);
	return rc;
}
