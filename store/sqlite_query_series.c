/*
 * sqlite_query_series.c - the alert series (query_alert_scan in query.h)
 * from the roll-ups of schema/012_rollups.sql, read as they are stored
 * and built by series_read.h: the general scan's hash table of (key,
 * day) groups, a copy of every row's strings and a sort of every row by
 * its strings were 60 % of 'alert' on a store of 26,000 reports a day
 * (about 60,000 rows for 31 days). The same rows, in the same order, as
 * sqlite_alert_scan's. Rows hold report text (untrusted), compared and
 * copied only.
 */
#include <stdlib.h>
#include <string.h>

#include "query.h"
#include "series_read.h"
#include "sqlite_impl.h"
#include "sqlite_query_impl.h"

/* The roll-ups, each as (day, organization, policy domain, MX, result
 * type, reports, successful, failed) in day order ('' as in the general
 * scan: absent for domain and MX, kept for organization and type). */
static const char *const series_sql[] = {
    "SELECT day, NULL, policy_domain, NULL, NULL, reports, successful_sessions,"
    " failed_sessions FROM roll_domain WHERE day >= ?1 AND day < ?2 ORDER BY day",
    "SELECT day, organization, NULL, NULL, NULL, reports, successful_sessions,"
    " failed_sessions FROM roll_org WHERE day >= ?1 AND day < ?2 ORDER BY day",
    /* failure series leave out groups without failures, as the general
     * scan does */
    "SELECT day, NULL, policy_domain, mx_host, result_type, 0, 0, failed_sessions"
    " FROM roll_failure WHERE day >= ?1 AND day < ?2 AND failed_sessions > 0 ORDER BY day",
};

/* A key column: '' (absent) as NULL, borrowed until the next step. */
static const char *series_absent(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return t != NULL && t[0] != '\0' ? (const char *)t : NULL;
}

static int series_load(struct sqlite_store *st, const char *sql, int64_t since, int64_t until,
                       struct series_read *r, char *err, size_t errlen)
{
	sqlite3_stmt *s = NULL;
	int step, rc = -1;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return sqlite_fail(st, err, errlen, "cannot read the alert series");
	sqlite3_bind_int64(s, 1, since);
	sqlite3_bind_int64(s, 2, until);
	while ((step = sqlite3_step(s)) == SQLITE_ROW)
		series_read_add(r, sqlite3_column_int64(s, 0),
		                (const char *)sqlite3_column_text(s, 1), series_absent(s, 2),
		                series_absent(s, 3), (const char *)sqlite3_column_text(s, 4),
		                sqlite3_column_int64(s, 5), sqlite3_column_int64(s, 6),
		                sqlite3_column_int64(s, 7));
	if (step != SQLITE_DONE) {
		sqlite_fail(st, err, errlen, "cannot read the alert series");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(s);
	return rc;
}

int sqlite_alert_series_rolled(struct sqlite_store *st, int64_t since, int64_t until,
                               struct query_alert_series *out, char *err, size_t errlen)
{
	struct query_alert_series a;
	struct query_rows *const rows[] = {&a.domain_days, &a.organization_days, &a.failure_days};
	struct series_read r;
	size_t i;
	int rc = -1;

	memset(&a, 0, sizeof(a));
	memset(&r, 0, sizeof(r));
	for (i = 0; i < 3; i++) {
		if (series_load(st, series_sql[i], since, until, &r, err, errlen) < 0)
			goto out;
		series_read_emit(&r, rows[i], &a.strings, &a.n_strings);
		series_read_free(&r);
	}
	*out = a;
	memset(&a, 0, sizeof(a));
	rc = 0;
out:
	series_read_free(&r);
	query_alert_series_free(&a);
	return rc;
}
