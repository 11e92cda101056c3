/*
 * pg_query_life.c - the lifetime totals /metrics reads (query_lifetime in
 * query.h) on PostgreSQL from life_* (schema/pg/012_rollups.sql): the
 * same rows as sqlite_query_life.c, at a cost in proportion to the
 * series, not the reports. The SQL is fixed fragments from this file
 * only; rows hold report text (untrusted).
 */
#include <stdio.h>
#include <string.h>

#include "pg_impl.h"
#include "query.h"
#include "xalloc.h"

/* The lifetime tables of schema/pg/012_rollups.sql: one row per series,
 * kept by triggers on agg_* and agg_*_pruned. */
#define LIFE_DOMAIN  " FROM life_domain AS life"
#define LIFE_FAILURE " FROM life_failure AS life"
#define LIFE_MX      " FROM life_mx AS life"

/* Every statement returns d, o, m, t (key columns: policy_domain,
 * organization, mx_host, result_type; '' where not kept), then reports,
 * successful, failed. */
static const char *const pg_life_sql[3][3] = {
    [QUERY_LIFE_DOMAIN] =
        {
            [QUERY_LABELS_DOMAIN] =
                "SELECT policy_domain AS d, '' AS o, '' AS m, '' AS t,"
                " sum(reports)::bigint AS rp, sum(successful_sessions)::bigint"
                " AS s, sum(failed_sessions)::bigint AS f" LIFE_DOMAIN " GROUP BY policy_domain",
            [QUERY_LABELS_DOMAIN_ORG] = "SELECT policy_domain AS d, organization AS o, '' AS m,"
                                        " '' AS t, reports::bigint AS rp,"
                                        " successful_sessions::bigint AS s,"
                                        " failed_sessions::bigint AS f" LIFE_DOMAIN,
            [QUERY_LABELS_FULL] = "SELECT policy_domain AS d, organization AS o, '' AS m,"
                                  " '' AS t, reports::bigint AS rp,"
                                  " successful_sessions::bigint AS s,"
                                  " failed_sessions::bigint AS f" LIFE_DOMAIN,
        },
    [QUERY_LIFE_FAILURE] =
        {
            [QUERY_LABELS_DOMAIN] = "SELECT policy_domain AS d, '' AS o, '' AS m,"
                                    " result_type AS t, 0::bigint AS rp, 0::bigint AS s,"
                                    " sum(failed_sessions)::bigint AS f" LIFE_FAILURE
                                    " GROUP BY policy_domain, result_type",
            [QUERY_LABELS_DOMAIN_ORG] = "SELECT policy_domain AS d, organization AS o, '' AS m,"
                                        " result_type AS t, 0::bigint AS rp, 0::bigint AS s,"
                                        " sum(failed_sessions)::bigint AS f" LIFE_FAILURE
                                        " GROUP BY policy_domain, organization, result_type",
            [QUERY_LABELS_FULL] = "SELECT policy_domain AS d, organization AS o, mx_host AS m,"
                                  " result_type AS t, 0::bigint AS rp, 0::bigint AS s,"
                                  " failed_sessions::bigint AS f" LIFE_FAILURE,
        },
    [QUERY_LIFE_MX] =
        {
            [QUERY_LABELS_DOMAIN] =
                "SELECT policy_domain AS d, '' AS o, mx_host AS m, '' AS t,"
                " 0::bigint AS rp, 0::bigint AS s,"
                " sum(failed_sessions)::bigint AS f" LIFE_MX " GROUP BY policy_domain, mx_host",
            [QUERY_LABELS_DOMAIN_ORG] = "SELECT policy_domain AS d, organization AS o,"
                                        " mx_host AS m, '' AS t, 0::bigint AS rp,"
                                        " 0::bigint AS s, failed_sessions::bigint AS f" LIFE_MX,
            [QUERY_LABELS_FULL] = "SELECT policy_domain AS d, organization AS o, mx_host AS m,"
                                  " '' AS t, 0::bigint AS rp, 0::bigint AS s,"
                                  " failed_sessions::bigint AS f" LIFE_MX,
        },
};

/* A key column: '' (absent, or not kept) as NULL. */
static char *pg_life_key(const PGresult *r, int row, int col)
{
	const char *t = pg_text(r, row, col);

	return t != NULL && t[0] != '\0' ? xstrdup(t) : NULL;
}

int pg_lifetime(struct store *base, enum query_life family, enum query_labels labels, size_t limit,
                struct query_rows *out, size_t *n_series, char *err, size_t errlen)
{
	struct pg_store *st = pg_of(base);
	struct query_rows rows = {NULL, 0};
	struct query_sql q;
	PGresult *r = NULL;
	int64_t count, least;
	char reset_err[ERR_LINE_MAX];
	int i, n, rc = -1;

	if ((unsigned)family > QUERY_LIFE_MX || (unsigned)labels > QUERY_LABELS_FULL ||
	    limit == 0) {
		snprintf(err, errlen, "internal error: no such lifetime family %d/%d", (int)family,
		         (int)labels);
		return -1;
	}
	/* the series, and the failed count of the limit-th most failed:
	 * the rows the limit keeps are those with at least that many, so
	 * the server sorts those few instead of every series (218,000 rows
	 * of life_failure at 10M reports, ties on the failed count broken
	 * by four names: 85 ms of the top-N sort, 25 ms for the count). */
	/* one process each: the server's parallel workers sorted their
	 * thirds of the series to merge them (Gather Merge), where one scan
	 * sorts only the limit's few: 51 -> 31 ms at 10M reports on two
	 * cores, where /metrics reads two families at once already */
	if (pg_run(st, "SET max_parallel_workers_per_gather = 0", NULL,
	           "cannot set up the lifetime reads", NULL, err, errlen) < 0)
		return -1;
	pg_sql_init(&q);
	query_sql_add(&q, "SELECT count(*), (SELECT f FROM (");
	query_sql_add(&q, pg_life_sql[family][labels]);
	query_sql_add(&q, ") AS s ORDER BY f DESC OFFSET ");
	query_sql_int(&q, (int64_t)limit - 1);
	query_sql_add(&q, " LIMIT 1) FROM (");
	query_sql_add(&q, pg_life_sql[family][labels]);
	query_sql_add(&q, ") AS series");
	if ((r = pg_exec_sql(st, &q, "cannot count the lifetime series", err, errlen)) == NULL)
		goto out;
	count = PQntuples(r) > 0 ? pg_int(r, 0, 0) : 0;
	least = PQntuples(r) > 0 && !PQgetisnull(r, 0, 1) ? pg_int(r, 0, 1) : -1;
	PQclear(r);
	query_sql_free(&q);
	/* most failed first, so that the series the limit leaves out are the
	 * quiet ones; then the keys, bytewise (COLLATE "C"), as SQLite */
	pg_sql_init(&q);
	query_sql_add(&q, "SELECT d, o, m, t, rp, s, f FROM (");
	query_sql_add(&q, pg_life_sql[family][labels]);
	query_sql_add(&q, ") AS series");
	if (least >= 0) {
		query_sql_add(&q, " WHERE f >= ");
		query_sql_int(&q, least);
	}
	query_sql_add(&q, " ORDER BY f DESC, s DESC, d COLLATE \"C\", o COLLATE \"C\","
	                  " m COLLATE \"C\", t COLLATE \"C\" LIMIT ");
	query_sql_int(&q, (int64_t)limit);
	if ((r = pg_exec_sql(st, &q, "cannot read the lifetime totals", err, errlen)) == NULL)
		goto out;
	n = PQntuples(r);
	if (n > 0)
		rows.rows = xcalloc((size_t)n, sizeof(*rows.rows));
	for (i = 0; i < n; i++) {
		struct query_row *row = &rows.rows[rows.n++];

		row->policy_domain = pg_life_key(r, i, 0);
		row->organization = pg_life_key(r, i, 1);
		row->mx_host = pg_life_key(r, i, 2);
		row->result_type = pg_life_key(r, i, 3);
		row->reports = pg_int(r, i, 4);
		row->successful_sessions = pg_int(r, i, 5);
		row->failed_sessions = pg_int(r, i, 6);
	}
	*out = rows;
	memset(&rows, 0, sizeof(rows));
	*n_series = (size_t)count;
	rc = 0;
out:
	query_rows_free(&rows);
	PQclear(r);
	query_sql_free(&q);
	/* the server's (or the role's) setting for every other read; a
	 * RESET that fails leaves a broken connection the next statement
	 * reports, and the rows read are whole */
	pg_run(st, "RESET max_parallel_workers_per_gather", NULL, "cannot reset a setting", NULL,
	       reset_err, sizeof(reset_err));
	return rc;
}
