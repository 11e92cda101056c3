/*
 * sqlite_query_life.c - the lifetime totals /metrics reads (query_lifetime
 * in query.h) from life_* (schema/012_rollups.sql): one row per series, so
 * a scrape costs the series, not the reports. Read in one pass, grouped
 * and ordered in C (sqlite_query_life_scan.c); TLSWATCH_NO_METRICS_SCAN=1
 * reads as before, grouped, counted and ordered by SQLite (this file), the
 * reference the tests compare the pass with. Rows hold report text
 * (untrusted); the SQL is fixed fragments from this file only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "query.h"
#include "sqlite_query_impl.h"
#include "sqlite_impl.h"
#include "xalloc.h"

/* The key columns of each family per label set, and its figures; every
 * statement returns key columns policy_domain, organization, mx_host,
 * result_type ('' where not kept), then reports, successful, failed. */
static const char *const life_sql[3][3] = {
    [QUERY_LIFE_DOMAIN] =
        {
            [QUERY_LABELS_DOMAIN] = "SELECT policy_domain, '', '', '', sum(reports),"
                                    " sum(successful_sessions), sum(failed_sessions)"
                                    " FROM life_domain GROUP BY policy_domain",
            [QUERY_LABELS_DOMAIN_ORG] = "SELECT policy_domain, organization, '', '', reports,"
                                        " successful_sessions, failed_sessions FROM life_domain",
            [QUERY_LABELS_FULL] = "SELECT policy_domain, organization, '', '', reports,"
                                  " successful_sessions, failed_sessions FROM life_domain",
        },
    [QUERY_LIFE_FAILURE] =
        {
            [QUERY_LABELS_DOMAIN] = "SELECT policy_domain, '', '', result_type, 0, 0,"
                                    " sum(failed_sessions) FROM life_failure"
                                    " GROUP BY policy_domain, result_type",
            [QUERY_LABELS_DOMAIN_ORG] = "SELECT policy_domain, organization, '', result_type,"
                                        " 0, 0, sum(failed_sessions) FROM life_failure GROUP BY"
                                        " policy_domain, organization, result_type",
            [QUERY_LABELS_FULL] = "SELECT policy_domain, organization, mx_host, result_type, 0,"
                                  " 0, failed_sessions FROM life_failure",
        },
    [QUERY_LIFE_MX] =
        {
            [QUERY_LABELS_DOMAIN] = "SELECT policy_domain, '', mx_host, '', 0, 0,"
                                    " sum(failed_sessions) FROM life_mx"
                                    " GROUP BY policy_domain, mx_host",
            [QUERY_LABELS_DOMAIN_ORG] = "SELECT policy_domain, organization, mx_host, '', 0, 0,"
                                        " failed_sessions FROM life_mx",
            [QUERY_LABELS_FULL] = "SELECT policy_domain, organization, mx_host, '', 0, 0,"
                                  " failed_sessions FROM life_mx",
        },
};

/* A key column: '' (absent, or not kept) as NULL. */
static char *life_key(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return t != NULL && t[0] != '\0' ? xstrdup((const char *)t) : NULL;
}

int sqlite_lifetime(struct store *base, enum query_life family, enum query_labels labels,
                    size_t limit, struct query_rows *out, size_t *n_series, char *err,
                    size_t errlen)
{
	struct sqlite_store *st = sqlite_of(base);
	struct query_rows rows = {NULL, 0};
	struct query_row *r;
	char sql[1024];
	sqlite3_stmt *s = NULL;
	size_t total = 0, alloc = 0;
	int64_t count;
	int n, step, rc = -1;

	if ((unsigned)family > QUERY_LIFE_MX || (unsigned)labels > QUERY_LABELS_FULL ||
	    limit == 0) {
		snprintf(err, errlen, "internal error: no such lifetime family %d/%d", (int)family,
		         (int)labels);
		return -1;
	}
	if (getenv("TLSWATCH_NO_METRICS_SCAN") == NULL)
		return sqlite_lifetime_scan(st, family, labels, limit, out, n_series, err, errlen);
	/* how many series in all: the count alone, since a window function
	 * over the sorted rows would keep every row instead of the limit's
	 * (0.65 s against 0.09 s for 134,000 series) */
	n = snprintf(sql, sizeof(sql), "SELECT count(*) FROM (%s)", life_sql[family][labels]);
	if (n < 0 || (size_t)n >= sizeof(sql)) {
		snprintf(err, errlen, "internal error: lifetime statement too long");
		return -1;
	}
	if (sqlite_get_int(st, sql, &count, err, errlen) < 0)
		return -1;
	total = (size_t)count;
	/* most failed first, so that the series a family's limit leaves out
	 * are the quiet ones; then the keys, for a stable order */
	n = snprintf(sql, sizeof(sql),
	             "SELECT * FROM (%s) ORDER BY 7 DESC, 6 DESC, 1, 2, 3, 4 LIMIT ?1",
	             life_sql[family][labels]);
	if (n < 0 || (size_t)n >= sizeof(sql) ||
	    sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		sqlite_fail(st, err, errlen, "cannot read the lifetime totals");
		goto out;
	}
	sqlite3_bind_int64(s, 1, (int64_t)limit);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		if (rows.n == alloc) {
			alloc = alloc ? alloc * 2 : 64;
			rows.rows = xreallocarray(rows.rows, alloc, sizeof(*rows.rows));
		}
		r = &rows.rows[rows.n++];
		memset(r, 0, sizeof(*r));
		r->policy_domain = life_key(s, 0);
		r->organization = life_key(s, 1);
		r->mx_host = life_key(s, 2);
		r->result_type = life_key(s, 3);
		r->reports = sqlite3_column_int64(s, 4);
		r->successful_sessions = sqlite3_column_int64(s, 5);
		r->failed_sessions = sqlite3_column_int64(s, 6);
	}
	if (step != SQLITE_DONE) {
		sqlite_fail(st, err, errlen, "cannot read the lifetime totals");
		goto out;
	}
	*out = rows;
	rows.rows = NULL;
	rows.n = 0;
	*n_series = total;
	rc = 0;
out:
	query_rows_free(&rows);
	sqlite3_finalize(s);
	return rc;
}
