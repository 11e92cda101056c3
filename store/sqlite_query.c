/*
 * sqlite_query.c - totals over the aggregate tables and the report table
 * (see query.h); the breakdowns are summed in sqlite_query_scan.c.
 * Filters become SQL in one place only: query_sql_where (sqlite_where.c).
 * The filter comes from the operator or a web query string (untrusted):
 * every value is a bound parameter; only fixed SQL fragments from this
 * file are ever pasted into a statement. Rows hold report text (untrusted).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "limits.h"
#include "query.h"
#include "sqlite_query_impl.h"
#include "sqlite_impl.h"
#include "xalloc.h"

int sqlite_sql_prepare(struct sqlite_store *st, struct query_sql *q, sqlite3_stmt **out, char *err,
                       size_t errlen)
{
	sqlite3_stmt *s = NULL;
	int i;

	if (q->failed) {
		snprintf(err, errlen, "internal error: query too large");
		return -1;
	}
	if (sqlite3_prepare_v2(st->db, strbuf_str(&q->sb), -1, &s, NULL) != SQLITE_OK)
		return sqlite_fail(st, err, errlen, "cannot prepare query");
	for (i = 0; i < q->n_args; i++) {
		int rc = q->args[i].is_text ? sqlite_bind_text(s, i + 1, q->args[i].text)
		                            : sqlite3_bind_int64(s, i + 1, q->args[i].num);

		if (rc != SQLITE_OK) {
			sqlite3_finalize(s);
			return sqlite_fail(st, err, errlen, "cannot bind query value");
		}
	}
	*out = s;
	return 0;
}

char *query_column_strdup(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return t != NULL ? xstrdup((const char *)t) : NULL;
}

/* One row of integers from a statement built in q. */
static int query_ints(struct sqlite_store *st, struct query_sql *q, int64_t *v, int n, char *err,
                      size_t errlen)
{
	sqlite3_stmt *s = NULL;
	int i, rc = -1;

	if (sqlite_sql_prepare(st, q, &s, err, errlen) < 0)
		return -1;
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite_fail(st, err, errlen, "cannot read totals");
		goto out;
	}
	for (i = 0; i < n; i++)
		v[i] = sqlite3_column_int64(s, i);
	rc = 0;
out:
	sqlite3_finalize(s);
	return rc;
}

int sqlite_count_reports(struct sqlite_store *st, const struct query_filter *f, int64_t *n,
                         char *err, size_t errlen)
{
	struct query_sql q;
	int rc = -1;

	/* counted in the report table (by its day index): a report naming two
	 * domains has a row for each in agg_domain, and a report with no
	 * policy has none; per day in roll_report_day, kept by the report
	 * table's triggers, when no domain, organization or provenance is
	 * asked */
	query_sql_init(&q);
	if (st->rollups && f->n_domains == 0 && f->organization == NULL && f->provenance == NULL)
		query_sql_add(&q, "SELECT coalesce(sum(reports), 0) FROM roll_report_day r");
	else
		query_sql_add(&q, "SELECT count(*) FROM report r");
	if (query_sql_where(&q, f, WHERE_REPORT_DOMAINS, err, errlen) == 0)
		rc = query_ints(st, &q, n, 1, err, errlen);
	query_sql_free(&q);
	return rc;
}

int sqlite_totals(struct store *base, const struct query_filter *f, struct query_totals *out,
                  char *err, size_t errlen)
{
	struct sqlite_store *st = sqlite_of(base);
	struct query_sql q;
	int64_t sums[3], reports;
	int rc = -1;

	if (f->provenance != NULL) {
		/* the aggregates carry no provenance: counted again */
		struct query_scan sc;

		if (sqlite_summary_scan(base, f, 0, &sc, err, errlen) < 0)
			return -1;
		*out = sc.totals;
		query_scan_free(&sc);
		return 0;
	}
	/* sessions: the domain rows of the period (across reporters in
	 * roll_domain when no organization is asked) */
	query_sql_init(&q);
	query_sql_add(&q, "SELECT coalesce(sum(successful_sessions), 0),"
	                  " coalesce(sum(failed_sessions), 0), coalesce(sum(reports), 0)");
	query_sql_add(&q, st->rollups && f->organization == NULL ? " FROM roll_domain"
	                                                         : " FROM agg_domain");
	if (query_sql_where(&q, f, WHERE_AGG_DOMAIN, err, errlen) < 0 ||
	    query_ints(st, &q, sums, 3, err, errlen) < 0)
		goto out;
	/* one domain: a report has at most one agg_domain row for it (the
	 * tally merges its policies per domain), so the sum is exact */
	if (f->n_domains == 1)
		reports = sums[2];
	else if (sqlite_count_reports(st, f, &reports, err, errlen) < 0)
		goto out;
	out->reports = reports;
	out->successful_sessions = sums[0];
	out->failed_sessions = sums[1];
	rc = 0;
out:
	query_sql_free(&q);
	return rc;
}

int sqlite_day_span(struct store *base, int64_t *first, int64_t *last, int *found, char *err,
                    size_t errlen)
{
	struct sqlite_store *st = sqlite_of(base);
	struct query_sql q;
	int64_t v[3];
	int rc;

	query_sql_init(&q);
	/* two subqueries: each min() or max() alone is one index lookup */
	query_sql_add(&q, "SELECT (SELECT count(*) FROM (SELECT 1 FROM report LIMIT 1)),"
	                  " coalesce((SELECT min(day) FROM report), 0),"
	                  " coalesce((SELECT max(day) FROM report), 0)");
	rc = query_ints(st, &q, v, 3, err, errlen);
	query_sql_free(&q);
	if (rc < 0)
		return -1;
	*found = v[0] != 0;
	if (*found) {
		*first = v[1];
		*last = v[2];
	}
	return 0;
}

int sqlite_quarantined(struct store *base, int64_t since, int64_t until, int64_t *n, char *err,
                       size_t errlen)
{
	struct sqlite_store *st = sqlite_of(base);
	struct query_sql q;
	int rc;

	query_sql_init(&q);
	query_sql_add(&q, "SELECT count(*) FROM quarantine WHERE received >= ");
	query_sql_int(&q, since * 86400);
	query_sql_add(&q, " AND received < ");
	query_sql_int(&q, until * 86400);
	rc = query_ints(st, &q, n, 1, err, errlen);
	query_sql_free(&q);
	return rc;
}
