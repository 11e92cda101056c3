/*
 * pg_query_series.c - the alert series (query_alert_scan in query.h) on
 * PostgreSQL for a period alone, as alert asks: the roll-ups of
 * schema/pg/012_rollups.sql read as they are stored, by index only
 * (031), and built by series_read.h as SQLite builds them. The general
 * read (pg_group_run) copied every row's strings and put the rows in
 * order by them: at 10M reports 42,000 rows of roll_failure for 31 days,
 * a third of 'alert''s own time. The same rows, in the same order. Rows
 * hold report text (untrusted), compared and copied only.
 */
#include <string.h>

#include "pg_impl.h"
#include "series_read.h"

/* (day, organization, policy domain, MX, result type, reports,
 * successful, failed), each key's rows in day order: the keys' index
 * order, day first ('' as in the general read: absent for domain and MX,
 * kept for organization and type). */
static const char *const pg_series_sql[] = {
    "SELECT day, NULL, policy_domain, NULL, NULL, reports, successful_sessions,"
    " failed_sessions FROM roll_domain WHERE day >= $1 AND day < $2 ORDER BY day",
    "SELECT day, organization, NULL, NULL, NULL, reports, successful_sessions,"
    " failed_sessions FROM roll_org WHERE day >= $1 AND day < $2 ORDER BY day",
    /* groups without failures left out, as the general read does */
    "SELECT day, NULL, policy_domain, mx_host, result_type, 0, 0, failed_sessions"
    " FROM roll_failure WHERE day >= $1 AND day < $2 AND failed_sessions > 0 ORDER BY day",
};

/* A key column: '' (absent) as NULL. */
static const char *pg_series_absent(const PGresult *r, int row, int col)
{
	const char *t = pg_text(r, row, col);

	return t != NULL && t[0] != '\0' ? t : NULL;
}

int pg_alert_series_rolled(struct pg_store *st, int64_t since, int64_t until,
                           struct query_alert_series *out, char *err, size_t errlen)
{
	struct query_alert_series a;
	struct query_rows *const rows[] = {&a.domain_days, &a.organization_days, &a.failure_days};
	struct series_read sr;
	struct pg_params p;
	PGresult *r = NULL;
	size_t i;
	int k, n, rc = -1;

	memset(&a, 0, sizeof(a));
	memset(&sr, 0, sizeof(sr));
	pg_params_init(&p);
	pg_param_int(&p, since);
	pg_param_int(&p, until);
	for (i = 0; i < sizeof(pg_series_sql) / sizeof(pg_series_sql[0]); i++) {
		if ((r = pg_exec(st, pg_series_sql[i], &p, "cannot read the alert series", err,
		                 errlen)) == NULL)
			goto out;
		n = PQntuples(r);
		for (k = 0; k < n; k++)
			series_read_add(&sr, pg_int(r, k, 0), pg_text(r, k, 1),
			                pg_series_absent(r, k, 2), pg_series_absent(r, k, 3),
			                pg_text(r, k, 4), pg_int(r, k, 5), pg_int(r, k, 6),
			                pg_int(r, k, 7));
		PQclear(r);
		r = NULL;
		series_read_emit(&sr, rows[i], &a.strings, &a.n_strings);
		series_read_free(&sr);
	}
	*out = a;
	memset(&a, 0, sizeof(a));
	rc = 0;
out:
	PQclear(r);
	series_read_free(&sr);
	query_alert_series_free(&a);
	return rc;
}
