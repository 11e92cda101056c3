/*
 * sqlite_query_reason.c - who reported for a domain on which day, and
 * failed sessions by failure-reason-code (query_reason.h). The filter is
 * untrusted (a web query string): every value is a bound parameter; rows
 * hold report text (untrusted).
 */
#include "query_reason.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "limits.h"
#include "query_match.h"
#include "reason_roll.h"
#include "sqlite_query_impl.h"
#include "sqlite_impl.h"
#include "xalloc.h"

int sqlite_reporter_days(struct store *base, int64_t since, int64_t until, struct query_rows *out,
                         char *err, size_t errlen)
{
	struct sqlite_store *st = sqlite_of(base);
	struct query_rows r = {NULL, 0};
	sqlite3_stmt *s = NULL;
	size_t alloc = 0;
	int step, rc = -1;

	/* agg_domain's key is (day, policy_domain, organization): a row is
	 * one reporter's day already, no GROUP BY (a third of the time); read
	 * in the key's order and put in the domain's by query_rows_by_domain,
	 * not by SQL's sorter (0.55 s against 0.09 s for 575,000 rows) */
	if (sqlite3_prepare_v2(st->db,
	                       "SELECT policy_domain, organization, day, reports,"
	                       " successful_sessions, failed_sessions FROM agg_domain"
	                       " WHERE day >= ?1 AND day < ?2 AND reports > 0"
	                       " ORDER BY day, policy_domain, organization",
	                       -1, &s, NULL) != SQLITE_OK)
		return sqlite_fail(st, err, errlen, "cannot read reporters by day");
	sqlite3_bind_int64(s, 1, since);
	sqlite3_bind_int64(s, 2, until);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		struct query_row *row;
		const unsigned char *d = sqlite3_column_text(s, 0);

		if (r.n == alloc) {
			alloc = alloc ? alloc * 2 : 256;
			r.rows = xreallocarray(r.rows, alloc, sizeof(*r.rows));
		}
		row = &r.rows[r.n++];
		memset(row, 0, sizeof(*row));
		row->policy_domain = d != NULL && d[0] != '\0' ? xstrdup((const char *)d) : NULL;
		row->organization = query_column_strdup(s, 1);
		row->day = sqlite3_column_int64(s, 2);
		row->reports = sqlite3_column_int64(s, 3);
		row->successful_sessions = sqlite3_column_int64(s, 4);
		row->failed_sessions = sqlite3_column_int64(s, 5);
	}
	if (step != SQLITE_DONE) {
		sqlite_fail(st, err, errlen, "cannot read reporters by day");
		goto out;
	}
	query_rows_by_domain(&r);
	*out = r;
	memset(&r, 0, sizeof(r));
	rc = 0;
out:
	query_rows_free(&r);
	sqlite3_finalize(s);
	return rc;
}

/* Failed sessions per text of one failure detail column: col is one of
 * two constants named below (never input), "failure_reason_code" or
 * "additional_information". */
static int sqlite_failure_texts(struct store *base, const struct query_filter *f, size_t limit,
                                const char *col, struct query_reason_rows *out, char *err,
                                size_t errlen)
{
	struct sqlite_store *st = sqlite_of(base);
	struct query_reason_rows r = {NULL, 0};
	struct query_sql q;
	sqlite3_stmt *s = NULL;
	size_t alloc = 0;
	int step, rc = -1;

	query_sql_init(&q);
	if (reason_roll_answers(st->rollups, f)) {
		/* the same rows from roll_reason (schema/019_reason_rollup.sql) */
		if (sqlite_reason_roll_sql(&q, f, strcmp(col, "failure_reason_code") == 0 ? 0 : 1,
		                           limit, err, errlen) < 0)
			goto out;
		goto read;
	}
	/* per report and (domain, MX, code): sts and tlsa are two views of
	 * the same sessions, whatever result type each gives them; other
	 * types add (agg_mx's rule, docs/counting.md) */
	query_sql_add(&q, "SELECT code, group_concat(rts), sum(max(sts, tlsa) + other) AS failed,"
	                  " count(DISTINCT org) FROM (SELECT fl.");
	query_sql_add(&q, col);
	query_sql_add(&q, " AS code, group_concat(DISTINCT fl.result_type) AS rts,"
	                  " r.organization AS org," QUERY_DETAIL_SUMS_FROM);
	if (query_sql_where(&q, f, WHERE_FAILURE_DETAIL, err, errlen) < 0)
		goto out;
	query_sql_add(&q, " AND fl.");
	query_sql_add(&q, col);
	query_sql_add(&q, " IS NOT NULL GROUP BY r.id, coalesce(p.policy_domain, ''),"
	                  " coalesce(fl.receiving_mx_hostname, ''), code)"
	                  " GROUP BY code HAVING failed > 0"
	                  " ORDER BY failed DESC, code COLLATE BINARY");
	query_sql_limit(&q, limit);
read:
	if (sqlite_sql_prepare(st, &q, &s, err, errlen) < 0)
		goto out;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		struct query_reason_row *row;

		if (r.n == alloc) {
			alloc = alloc ? alloc * 2 : 64;
			r.rows = xreallocarray(r.rows, alloc, sizeof(*r.rows));
		}
		row = &r.rows[r.n++];
		row->reason_code = query_column_strdup(s, 0);
		if (row->reason_code == NULL)
			row->reason_code = xstrdup("");
		row->result_types = query_column_strdup(s, 1);
		if (row->result_types == NULL)
			row->result_types = xstrdup("");
		row->failed_sessions = sqlite3_column_int64(s, 2);
		row->reporters = sqlite3_column_int64(s, 3);
	}
	if (step != SQLITE_DONE) {
		sqlite_fail(st, err, errlen, "cannot read failures by reason code or information");
		goto out;
	}
	*out = r;
	memset(&r, 0, sizeof(r));
	rc = 0;
out:
	query_reason_rows_free(&r);
	sqlite3_finalize(s);
	query_sql_free(&q);
	return rc;
}

int sqlite_failure_reasons(struct store *base, const struct query_filter *f, size_t limit,
                           struct query_reason_rows *out, char *err, size_t errlen)
{
	return sqlite_failure_texts(base, f, limit, "failure_reason_code", out, err, errlen);
}

int sqlite_failure_infos(struct store *base, const struct query_filter *f, size_t limit,
                         struct query_reason_rows *out, char *err, size_t errlen)
{
	return sqlite_failure_texts(base, f, limit, "additional_information", out, err, errlen);
}
