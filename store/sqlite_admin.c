/*
 * sqlite_admin.c - pruning old reports and checking the store. Input: the
 * operator's day bound, and our own database (which may be damaged: every
 * finding is reported, none is fatal).
 */
#include "store_admin.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "datetime.h"
#include "schema.h"
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
    "DELETE FROM agg_domain WHERE day = ?1",
    "DELETE FROM agg_failure WHERE day = ?1",
    "DELETE FROM agg_policy_type WHERE day = ?1",
};

int sqlite_prune(struct store *base, int64_t before_day, int64_t *reports, char *err, size_t errlen)
{
	struct sqlite_store *st = sqlite_of(base);
	sqlite3_stmt *days = NULL;
	int64_t day, total = 0;
	size_t i;
	int rc = -1, step;

	for (;;) {
		/* the oldest day left, one transaction per day */
		if (sqlite3_prepare_v2(st->db,
		                       "SELECT min(day) FROM (SELECT min(day) AS day FROM report"
		                       " UNION ALL SELECT min(day) FROM agg_domain"
		                       " UNION ALL SELECT min(day) FROM agg_failure"
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

struct admin_check {
	struct sqlite_store *st;
	void (*problem)(const char *msg, void *arg);
	void *arg;
	int n;
};

static void admin_problem(struct admin_check *c, const char *msg)
{
	c->n++;
	c->problem(msg, c->arg);
}

/* Runs a query and reports each row's first column (text) as a problem,
 * prefixed; rows equal to skip (e.g. "ok") are not problems. */
static int admin_rows(struct admin_check *c, const char *sql, const char *prefix, const char *skip,
                      char *err, size_t errlen)
{
	sqlite3_stmt *s = NULL;
	char msg[512];
	int step, rc = -1;

	if (sqlite3_prepare_v2(c->st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		snprintf(msg, sizeof(msg), "%s: %s", prefix, sqlite3_errmsg(c->st->db));
		admin_problem(c, msg);
		rc = 0;
		goto out;
	}
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(s, 0);

		if (skip != NULL && t != NULL && strcmp((const char *)t, skip) == 0)
			continue;
		snprintf(msg, sizeof(msg), "%s: %s", prefix, t != NULL ? (const char *)t : "?");
		admin_problem(c, msg);
	}
	if (step != SQLITE_DONE) {
		snprintf(msg, sizeof(msg), "%s: %s", prefix, sqlite3_errmsg(c->st->db));
		admin_problem(c, msg);
	}
	rc = 0;
out:
	(void)err;
	(void)errlen;
	sqlite3_finalize(s);
	return rc;
}

int sqlite_check(struct store *base, void (*problem)(const char *msg, void *arg), void *arg,
                 int *n_problems, char *err, size_t errlen)
{
	struct sqlite_store *st = sqlite_of(base);
	struct admin_check c = {st, problem, arg, 0};
	char msg[256];
	sqlite3_stmt *s = NULL;
	int newest = schema_migrations[schema_n_migrations - 1].version;

	if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW && sqlite3_column_int(s, 0) != newest) {
		snprintf(msg, sizeof(msg), "schema version %d, expected %d",
		         sqlite3_column_int(s, 0), newest);
		admin_problem(&c, msg);
	}
	sqlite3_finalize(s);
	if (admin_rows(&c, "PRAGMA integrity_check", "integrity", "ok", err, errlen) < 0 ||
	    admin_rows(&c,
	               "SELECT 'table ' || \"table\" || ' row ' || rowid || ' refers to a missing '"
	               " || parent FROM pragma_foreign_key_check",
	               "foreign key", NULL, err, errlen) < 0)
		return -1;
	/* the aggregates must say what the reports say, day by day */
	if (admin_rows(
	        &c,
	        "WITH r AS (SELECT day, sum(successful_sessions) AS ok,"
	        " sum(failed_sessions) AS bad FROM report GROUP BY day),"
	        " a AS (SELECT day, sum(successful_sessions) AS ok, sum(failed_sessions) AS bad"
	        " FROM agg_domain GROUP BY day)"
	        " SELECT 'day ' || date(coalesce(r.day, a.day) * 86400, 'unixepoch')"
	        " || ': reports say ' || coalesce(r.ok, 0) || ' successful, '"
	        " || coalesce(r.bad, 0) || ' failed; aggregates say ' || coalesce(a.ok, 0)"
	        " || ', ' || coalesce(a.bad, 0)"
	        " FROM r FULL OUTER JOIN a ON r.day = a.day"
	        " WHERE coalesce(r.ok, -1) != coalesce(a.ok, -1)"
	        " OR coalesce(r.bad, -1) != coalesce(a.bad, -1)",
	        "aggregates", NULL, err, errlen) < 0)
		return -1;
	*n_problems = c.n;
	return 0;
}
