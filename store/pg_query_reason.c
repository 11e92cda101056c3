/*
 * pg_query_reason.c - who reported for a domain on which day, and failed
 * sessions by failure-reason-code (query_reason.h) on PostgreSQL: the
 * same rows as sqlite_query_reason.c. The filter is untrusted (a web
 * query string): every value is a parameter; rows hold report text
 * (untrusted).
 */
#include <stdlib.h>
#include <string.h>

#include "pg_impl.h"
#include "query_match.h"
#include "query_reason.h"
#include "reason_roll.h"
#include "xalloc.h"

int pg_reporter_days(struct store *base, int64_t since, int64_t until, struct query_rows *out,
                     char *err, size_t errlen)
{
	struct pg_store *st = pg_of(base);
	struct query_rows rows = {NULL, 0};
	struct query_sql q;
	PGresult *r = NULL;
	const char *d;
	int i, n, rc = -1;

	pg_sql_init(&q);
	/* agg_domain's key is (day, policy_domain, organization): a row is
	 * one reporter's day already; read in the key's order (its index,
	 * no sort on the server: 4.7 s of a 7-day summary on 784,000
	 * reports) and put in the domain's by query_rows_by_domain, as
	 * sqlite_reporter_days does */
	query_sql_add(&q, "SELECT policy_domain, organization, day, reports,"
	                  " successful_sessions, failed_sessions FROM agg_domain WHERE day >= ");
	query_sql_int(&q, since);
	query_sql_add(&q, " AND day < ");
	query_sql_int(&q, until);
	query_sql_add(&q, " AND reports > 0 ORDER BY day, policy_domain, organization");
	if ((r = pg_exec_sql(st, &q, "cannot read reporters by day", err, errlen)) == NULL)
		goto out;
	n = PQntuples(r);
	if (n > 0)
		rows.rows = xcalloc((size_t)n, sizeof(*rows.rows));
	for (i = 0; i < n; i++) {
		struct query_row *row = &rows.rows[rows.n++];

		d = pg_text(r, i, 0);
		row->policy_domain = d != NULL && d[0] != '\0' ? xstrdup(d) : NULL;
		row->organization = pg_strdup(r, i, 1);
		row->day = pg_int(r, i, 2);
		row->reports = pg_int(r, i, 3);
		row->successful_sessions = pg_int(r, i, 4);
		row->failed_sessions = pg_int(r, i, 5);
	}
	query_rows_by_domain(&rows);
	*out = rows;
	memset(&rows, 0, sizeof(rows));
	rc = 0;
out:
	query_rows_free(&rows);
	PQclear(r);
	query_sql_free(&q);
	return rc;
}

/* Failed sessions per text of one failure detail column: col is one of
 * two constants named below (never input), "failure_reason_code" or
 * "additional_information". */
static int pg_failure_texts(struct store *base, const struct query_filter *f, size_t limit,
                            const char *col, struct query_reason_rows *out, char *err,
                            size_t errlen)
{
	struct pg_store *st = pg_of(base);
	struct query_reason_rows rows = {NULL, 0};
	struct query_sql q;
	PGresult *r = NULL;
	int i, n, rc = -1;

	pg_sql_init(&q);
	if (reason_roll_answers(st->rollups, f)) {
		/* the same rows from roll_reason (schema/pg/025_reason_roll.sql) */
		if (pg_reason_roll_sql(&q, f, strcmp(col, "failure_reason_code") == 0 ? 0 : 1,
		                       limit, err, errlen) < 0)
			goto out;
		goto read;
	}
	/* per report and (domain, MX, code): sts and tlsa are two views of
	 * the same sessions, other types add (agg_mx's rule,
	 * docs/counting.md); the result types' order is the analyzer's */
	query_sql_add(&q, "SELECT code, string_agg(rts, ','),"
	                  " sum(greatest(sts, tlsa) + other)::bigint AS failed,"
	                  " count(DISTINCT org) FROM (SELECT fl.");
	query_sql_add(&q, col);
	query_sql_add(&q, " AS code, string_agg(DISTINCT fl.result_type, ',') AS rts,"
	                  " r.organization AS org," QUERY_DETAIL_SUMS_FROM);
	if (query_sql_where(&q, f, WHERE_FAILURE_DETAIL, err, errlen) < 0)
		goto out;
	query_sql_add(&q, " AND fl.");
	query_sql_add(&q, col);
	query_sql_add(&q, " IS NOT NULL GROUP BY r.id, r.organization,"
	                  " coalesce(p.policy_domain, ''), coalesce(fl.receiving_mx_hostname, ''),"
	                  " fl.");
	query_sql_add(&q, col);
	query_sql_add(&q,
	              ") AS per_report GROUP BY code"
	              " HAVING sum(greatest(sts, tlsa) + other) > 0 ORDER BY failed DESC, code");
	query_sql_limit(&q, limit);
read:
	if ((r = pg_exec_sql(st, &q, "cannot read failures by reason code or information", err,
	                     errlen)) == NULL)
		goto out;
	n = PQntuples(r);
	if (n > 0)
		rows.rows = xcalloc((size_t)n, sizeof(*rows.rows));
	for (i = 0; i < n; i++) {
		struct query_reason_row *row = &rows.rows[rows.n++];
		const char *t;

		t = pg_text(r, i, 0);
		row->reason_code = xstrdup(t != NULL ? t : "");
		t = pg_text(r, i, 1);
		row->result_types = xstrdup(t != NULL ? t : "");
		row->failed_sessions = pg_int(r, i, 2);
		row->reporters = pg_int(r, i, 3);
	}
	*out = rows;
	memset(&rows, 0, sizeof(rows));
	rc = 0;
out:
	query_reason_rows_free(&rows);
	PQclear(r);
	query_sql_free(&q);
	return rc;
}

int pg_failure_reasons(struct store *base, const struct query_filter *f, size_t limit,
                       struct query_reason_rows *out, char *err, size_t errlen)
{
	return pg_failure_texts(base, f, limit, "failure_reason_code", out, err, errlen);
}

int pg_failure_infos(struct store *base, const struct query_filter *f, size_t limit,
                     struct query_reason_rows *out, char *err, size_t errlen)
{
	return pg_failure_texts(base, f, limit, "additional_information", out, err, errlen);
}
