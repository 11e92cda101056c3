/*
 * sqlite_query_ip.c - failures by sending IP, and the details behind one IP (see
 * query_ip.h). The filter is untrusted (a web query string): every value
 * is a bound parameter; only fixed fragments from this file are pasted.
 */
#include "query_ip.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "limits.h"
#include "sqlite_query_impl.h"
#include "sqlite_impl.h"
#include "xalloc.h"

int sqlite_failure_ips(struct store *base, const struct query_filter *f, size_t limit,
                       struct query_ip_rows *out, char *err, size_t errlen)
{
	struct sqlite_store *st = sqlite_of(base);
	struct query_ip_rows r = {NULL, 0};
	struct query_sql q;
	sqlite3_stmt *s = NULL;
	size_t alloc = 0;
	int step, rc = -1;
	const unsigned char *t;

	query_sql_init(&q);
	/* per report and (domain, MX, result type, IP): sts and tlsa are
	 * two views of the same sessions, other types add (tally.c) */
	query_sql_add(&q, "SELECT ip, sum(max(sts, tlsa) + other) AS failed FROM (SELECT"
	                  " coalesce(fl.sending_mta_ip, '') AS ip," QUERY_DETAIL_SUMS_FROM);
	if (query_sql_where(&q, f, WHERE_FAILURE_DETAIL, err, errlen) < 0)
		goto out;
	query_sql_add(&q, " GROUP BY r.id, coalesce(p.policy_domain, ''),"
	                  " coalesce(fl.receiving_mx_hostname, ''), fl.result_type, ip)"
	                  " GROUP BY ip HAVING failed > 0"
	                  " ORDER BY failed DESC, (ip = '') ASC, ip COLLATE BINARY ASC");
	query_sql_limit(&q, limit);
	if (sqlite_sql_prepare(st, &q, &s, err, errlen) < 0)
		goto out;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		if (r.n == alloc) {
			alloc = alloc ? alloc * 2 : 64;
			r.rows = xreallocarray(r.rows, alloc, sizeof(*r.rows));
		}
		t = sqlite3_column_text(s, 0);
		r.rows[r.n].sending_ip =
		    t != NULL && t[0] != '\0' ? xstrdup((const char *)t) : NULL;
		r.rows[r.n].failed_sessions = sqlite3_column_int64(s, 1);
		r.n++;
	}
	if (step != SQLITE_DONE) {
		sqlite_fail(st, err, errlen, "cannot read failures by sending IP");
		goto out;
	}
	*out = r;
	memset(&r, 0, sizeof(r));
	rc = 0;
out:
	query_ip_rows_free(&r);
	sqlite3_finalize(s);
	query_sql_free(&q);
	return rc;
}

#define QUERY_IP_FROM                                                                              \
	" FROM report r JOIN policy p ON p.report = r.id"                                          \
	" JOIN failure fl ON fl.policy = p.id"

int sqlite_ip_details(struct store *base, const struct query_filter *f, const char *ip,
                      int64_t offset, int64_t limit, struct query_ip_details *out, char *err,
                      size_t errlen)
{
	struct sqlite_store *st = sqlite_of(base);
	struct query_ip_details d = {NULL, 0, 0};
	struct query_sql q;
	sqlite3_stmt *s = NULL;
	int step, rc = -1;

	query_sql_init(&q);
	query_sql_add(&q, "SELECT count(*)" QUERY_IP_FROM);
	if (query_sql_where(&q, f, WHERE_FAILURE_DETAIL, err, errlen) < 0)
		goto out;
	query_sql_add(&q, " AND coalesce(fl.sending_mta_ip, '') = ");
	query_sql_text(&q, ip);
	if (sqlite_sql_prepare(st, &q, &s, err, errlen) < 0)
		goto out;
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite_fail(st, err, errlen, "cannot count failure details");
		goto out;
	}
	d.total = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	s = NULL;
	query_sql_free(&q);
	query_sql_init(&q);
	query_sql_add(&q, "SELECT r.id, r.day, r.organization, p.policy_type, p.policy_domain,"
	                  " fl.receiving_mx_hostname, fl.result_type, fl.receiving_ip,"
	                  " fl.failure_reason_code, fl.failed_sessions" QUERY_IP_FROM);
	if (query_sql_where(&q, f, WHERE_FAILURE_DETAIL, err, errlen) < 0)
		goto out;
	query_sql_add(&q, " AND coalesce(fl.sending_mta_ip, '') = ");
	query_sql_text(&q, ip);
	query_sql_add(&q, " ORDER BY r.day DESC, r.id DESC, fl.id ASC");
	if (query_sql_page(&q, limit, offset, err, errlen) < 0 ||
	    sqlite_sql_prepare(st, &q, &s, err, errlen) < 0)
		goto out;
	d.details = xcalloc((size_t)limit, sizeof(*d.details));
	while ((step = sqlite3_step(s)) == SQLITE_ROW && d.n < (size_t)limit) {
		struct query_ip_detail *e = &d.details[d.n++];

		e->report = sqlite3_column_int64(s, 0);
		e->day = sqlite3_column_int64(s, 1);
		e->organization = query_column_strdup(s, 2);
		e->policy_type = query_column_strdup(s, 3);
		e->policy_domain = query_column_strdup(s, 4);
		e->receiving_mx_hostname = query_column_strdup(s, 5);
		e->result_type = query_column_strdup(s, 6);
		e->receiving_ip = query_column_strdup(s, 7);
		e->failure_reason_code = query_column_strdup(s, 8);
		e->failed_sessions = sqlite3_column_int64(s, 9);
	}
	if (step != SQLITE_DONE && step != SQLITE_ROW) {
		sqlite_fail(st, err, errlen, "cannot list failure details");
		goto out;
	}
	*out = d;
	memset(&d, 0, sizeof(d));
	rc = 0;
out:
	query_ip_details_free(&d);
	sqlite3_finalize(s);
	query_sql_free(&q);
	return rc;
}
