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
 * kept for organization and type). The failures first: sent at once
 * (pg_exec_each), the server reads the domains' and reporters' days while
 * the failures' rows are taken here. */
static const char *const pg_series_sql[] = {
    /* groups without failures left out, as the general read does */
    "SELECT day, NULL, policy_domain, mx_host, result_type, 0, 0, failed_sessions"
    " FROM roll_failure WHERE day >= $1 AND day < $2 AND failed_sessions > 0 ORDER BY day",
    "SELECT day, NULL, policy_domain, NULL, NULL, reports, successful_sessions,"
    " failed_sessions FROM roll_domain WHERE day >= $1 AND day < $2 ORDER BY day",
    "SELECT day, organization, NULL, NULL, NULL, reports, successful_sessions,"
    " failed_sessions FROM roll_org WHERE day >= $1 AND day < $2 ORDER BY day",
};

/* The failures of the groups an alert run can use (query_alert_need):
 * those with min_failed ($5) on a day of [$3, $4). At 10M reports the
 * overview's 47,938 rows of 7,659 groups for 35 days become 8,226 of 620
 * (a hash of the few needed keys, probed by each row the day index
 * gives): the rows were most of what tlswatch parsed and filed for its
 * alerts, while the other handle waited for the cores. */
static const char pg_series_needed_sql[] =
    "SELECT day, NULL, policy_domain, mx_host, result_type, 0, 0, failed_sessions"
    " FROM roll_failure WHERE day >= $1 AND day < $2 AND failed_sessions > 0"
    " AND (policy_domain, mx_host, result_type) IN (SELECT policy_domain, mx_host,"
    " result_type FROM roll_failure WHERE day >= $3 AND day < $4 AND failed_sessions >= $5)"
    " ORDER BY day";

/* A key column: '' (absent) as NULL. */
static const char *pg_series_absent(const PGresult *r, int row, int col)
{
	const char *t = pg_text(r, row, col);

	return t != NULL && t[0] != '\0' ? t : NULL;
}

/* The series being read: statement i's rows go to rows[i]. */
struct pg_series {
	struct query_alert_series a;
	struct query_rows *rows[3];
};

static void pg_series_take(void *ctx, size_t i, const PGresult *r)
{
	struct pg_series *s = ctx;
	struct series_read sr;
	int k, n = PQntuples(r);

	memset(&sr, 0, sizeof(sr));
	for (k = 0; k < n; k++)
		series_read_add(&sr, pg_int(r, k, 0), pg_text(r, k, 1), pg_series_absent(r, k, 2),
		                pg_series_absent(r, k, 3), pg_text(r, k, 4), pg_int(r, k, 5),
		                pg_int(r, k, 6), pg_int(r, k, 7));
	series_read_emit(&sr, s->rows[i], &s->a.strings, &s->a.n_strings);
	series_read_free(&sr);
}

int pg_alert_series_rolled(struct pg_store *st, int64_t since, int64_t until,
                           const struct query_alert_need *need, struct query_alert_series *out,
                           char *err, size_t errlen)
{
	const char *sql[3] = {pg_series_sql[0], pg_series_sql[1], pg_series_sql[2]};
	struct pg_params p, pn;
	const struct pg_params *ps[3] = {&p, &p, &p};
	struct pg_series s;

	memset(&s, 0, sizeof(s));
	s.rows[0] = &s.a.failure_days;
	s.rows[1] = &s.a.domain_days;
	s.rows[2] = &s.a.organization_days;
	pg_params_init(&p);
	pg_param_int(&p, since);
	pg_param_int(&p, until);
	if (need != NULL && need->min_failed > 1) {
		pg_params_init(&pn);
		pg_param_int(&pn, since);
		pg_param_int(&pn, until);
		pg_param_int(&pn, need->since);
		pg_param_int(&pn, need->until);
		pg_param_int(&pn, need->min_failed);
		sql[0] = pg_series_needed_sql;
		ps[0] = &pn;
	}
	if (pg_exec_each(st, sql, 3, ps, "cannot read the alert series", pg_series_take, &s, err,
	                 errlen) < 0) {
		query_alert_series_free(&s.a);
		return -1;
	}
	*out = s.a;
	return 0;
}
