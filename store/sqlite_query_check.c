/*
 * sqlite_query_check.c - checking the store ('tlswatch db check'; pruning
 * is sqlite_write_prune.c). Input: our own database, which may be
 * damaged: every finding is reported, none is fatal.
 */
#include "store_admin.h"

#include <stdio.h>
#include <string.h>

#include "rollup.h"
#include "schema.h"
#include "sqlite_impl.h"

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

/* The roll-ups and lifetime totals must be the sums of the aggregate
 * tables (schema/012_rollups.sql); 'db check --repair' rebuilds them. */
static int check_rollups(struct admin_check *c, char *err, size_t errlen)
{
	const char *table;
	char msg[256];
	int64_t n;
	size_t i;
	int rc;

	for (i = 0; (rc = sqlite_rollup_differences(c->st, i, &table, &n, err, errlen)) == 0; i++) {
		if (n == 0)
			continue;
		rollup_problem(table, (long long)n, msg, sizeof(msg));
		admin_problem(c, msg);
	}
	return rc < 0 ? -1 : 0;
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
	        "aggregates", NULL, err, errlen) < 0 ||
	    check_rollups(&c, err, errlen) < 0)
		return -1;
	*n_problems = c.n;
	return 0;
}
