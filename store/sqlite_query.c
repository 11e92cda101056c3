/*
 * sqlite_query.c - breakdowns and totals over the aggregate tables (see query.h).
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

/* A key column of an aggregate table: '' (absent) becomes NULL. */
static char *query_column_key(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return t != NULL && t[0] != '\0' ? xstrdup((const char *)t) : NULL;
}

/* How each group reads: the table, the key columns (selected in this order
 * into the row fields named by what), and the ORDER BY. */
enum query_field { F_ORG, F_DOMAIN, F_MX, F_RTYPE, F_PTYPE, F_DAY };

struct query_group_def {
	const char *table;
	const char *select_keys; /* also the GROUP BY list */
	enum query_field fields[4];
	int n_fields;
	const char *sums; /* reports/policies, successful, failed */
	const char *having;
	const char *order;
};

#define SUMS_DOMAIN   "sum(reports), sum(successful_sessions), sum(failed_sessions)"
#define SUMS_FAILURE  "0, 0, sum(failed_sessions)"
#define SUMS_TYPE     "sum(policies), sum(successful_sessions), sum(failed_sessions)"
#define HAVING_FAILED " HAVING sum(failed_sessions) > 0"
/* '' (absent) sorts after every name: (x = '') is 0 for names, 1 for '' */
#define NULLS_LAST(c) "(" c " = '') ASC, " c " COLLATE BINARY ASC"

static const struct query_group_def query_groups[] = {
    [QUERY_BY_DOMAIN] = {"agg_domain",
                         "policy_domain",
                         {F_DOMAIN},
                         1,
                         SUMS_DOMAIN,
                         "",
                         "sum(failed_sessions) DESC, sum(successful_sessions) DESC, " NULLS_LAST(
                             "policy_domain")},
    [QUERY_BY_ORGANIZATION] = {"agg_domain",
                               "organization",
                               {F_ORG},
                               1,
                               SUMS_DOMAIN,
                               "",
                               "sum(failed_sessions) DESC, sum(successful_sessions) DESC, "
                               "organization COLLATE BINARY ASC"},
    [QUERY_BY_DAY] = {"agg_domain", "day", {F_DAY}, 1, SUMS_DOMAIN, "", "day ASC"},
    [QUERY_BY_DOMAIN_DAY] = {"agg_domain",
                             "policy_domain, day",
                             {F_DOMAIN, F_DAY},
                             2,
                             SUMS_DOMAIN,
                             "",
                             "policy_domain COLLATE BINARY ASC, day ASC"},
    [QUERY_BY_ORGANIZATION_DAY] = {"agg_domain",
                                   "organization, day",
                                   {F_ORG, F_DAY},
                                   2,
                                   SUMS_DOMAIN,
                                   "",
                                   "organization COLLATE BINARY ASC, day ASC"},
    [QUERY_BY_MX] = {"agg_failure",
                     "mx_host",
                     {F_MX},
                     1,
                     SUMS_FAILURE,
                     HAVING_FAILED,
                     "sum(failed_sessions) DESC, " NULLS_LAST("mx_host")},
    [QUERY_BY_RESULT_TYPE] = {"agg_failure",
                              "result_type",
                              {F_RTYPE},
                              1,
                              SUMS_FAILURE,
                              HAVING_FAILED,
                              "sum(failed_sessions) DESC, result_type COLLATE BINARY ASC"},
    [QUERY_BY_FAILURE] =
        {"agg_failure",
         "organization, policy_domain, mx_host, result_type",
         {F_ORG, F_DOMAIN, F_MX, F_RTYPE},
         4,
         SUMS_FAILURE,
         HAVING_FAILED,
         "sum(failed_sessions) DESC, organization COLLATE BINARY ASC, " NULLS_LAST(
             "policy_domain") ", " NULLS_LAST("mx_host") ", result_type COLLATE BINARY ASC"},
    [QUERY_BY_FAILURE_DAY] = {"agg_failure",
                              "policy_domain, mx_host, result_type, day",
                              {F_DOMAIN, F_MX, F_RTYPE, F_DAY},
                              4,
                              SUMS_FAILURE,
                              HAVING_FAILED,
                              "policy_domain COLLATE BINARY ASC, mx_host COLLATE BINARY ASC, "
                              "result_type COLLATE BINARY ASC, day ASC"},
    [QUERY_BY_POLICY_TYPE] = {"agg_policy_type",
                              "policy_type",
                              {F_PTYPE},
                              1,
                              SUMS_TYPE,
                              "",
                              "sum(failed_sessions) DESC, sum(successful_sessions) DESC, "
                              "policy_type COLLATE BINARY ASC"},
};

/* The kind of rows of an aggregate table, for query_sql_where. */
static enum where_rows query_agg_rows(const char *table)
{
	if (strcmp(table, "agg_failure") == 0)
		return WHERE_AGG_FAILURE;
	if (strcmp(table, "agg_policy_type") == 0)
		return WHERE_AGG_TYPE;
	return WHERE_AGG_DOMAIN;
}

static void query_read_row(sqlite3_stmt *s, const struct query_group_def *def,
                           struct query_row *row)
{
	int i;

	memset(row, 0, sizeof(*row));
	for (i = 0; i < def->n_fields; i++) {
		switch (def->fields[i]) {
		case F_ORG:
			row->organization = query_column_strdup(s, i);
			break;
		case F_DOMAIN:
			row->policy_domain = query_column_key(s, i);
			break;
		case F_MX:
			row->mx_host = query_column_key(s, i);
			break;
		case F_RTYPE:
			row->result_type = query_column_strdup(s, i);
			break;
		case F_PTYPE:
			row->policy_type = query_column_strdup(s, i);
			break;
		case F_DAY:
			row->day = sqlite3_column_int64(s, i);
			break;
		}
	}
	row->reports = sqlite3_column_int64(s, def->n_fields);
	row->successful_sessions = sqlite3_column_int64(s, def->n_fields + 1);
	row->failed_sessions = sqlite3_column_int64(s, def->n_fields + 2);
}

int sqlite_group(struct store *base, const struct query_filter *f, enum query_group g, size_t limit,
                 struct query_rows *out, char *err, size_t errlen)
{
	struct sqlite_store *st = sqlite_of(base);
	const struct query_group_def *def;
	struct query_rows rows = {NULL, 0};
	struct query_sql q;
	sqlite3_stmt *s = NULL;
	size_t alloc = 0;
	int step, rc = -1;

	if ((unsigned)g >= sizeof(query_groups) / sizeof(query_groups[0])) {
		snprintf(err, errlen, "internal error: no such breakdown %d", (int)g);
		return -1;
	}
	def = &query_groups[g];
	query_sql_init(&q);
	query_sql_add(&q, "SELECT ");
	query_sql_add(&q, def->select_keys);
	query_sql_add(&q, ", ");
	query_sql_add(&q, def->sums);
	query_sql_add(&q, " FROM ");
	query_sql_add(&q, def->table);
	if (query_sql_where(&q, f, query_agg_rows(def->table), err, errlen) < 0)
		goto out;
	query_sql_add(&q, " GROUP BY ");
	query_sql_add(&q, def->select_keys);
	query_sql_add(&q, def->having);
	query_sql_add(&q, " ORDER BY ");
	query_sql_add(&q, def->order);
	if (limit > 0) {
		query_sql_add(&q, " LIMIT ");
		query_sql_int(&q, (int64_t)limit);
	}
	if (sqlite_sql_prepare(st, &q, &s, err, errlen) < 0)
		goto out;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		if (rows.n == alloc) {
			alloc = alloc ? alloc * 2 : 64;
			rows.rows = xreallocarray(rows.rows, alloc, sizeof(*rows.rows));
		}
		query_read_row(s, def, &rows.rows[rows.n++]);
	}
	if (step != SQLITE_DONE) {
		sqlite_fail(st, err, errlen, "cannot read breakdown");
		goto out;
	}
	*out = rows;
	rows.rows = NULL;
	rows.n = 0;
	rc = 0;
out:
	query_rows_free(&rows);
	sqlite3_finalize(s);
	query_sql_free(&q);
	return rc;
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
	 * policy has none */
	query_sql_init(&q);
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

	/* sessions: the domain rows of the period */
	query_sql_init(&q);
	query_sql_add(&q, "SELECT coalesce(sum(successful_sessions), 0),"
	                  " coalesce(sum(failed_sessions), 0), coalesce(sum(reports), 0)"
	                  " FROM agg_domain");
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
