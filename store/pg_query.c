/*
 * pg_query.c - totals and every breakdown (query.h) on PostgreSQL. Where
 * SQLite sums the aggregate rows in C (sqlite_query_scan.c says why),
 * PostgreSQL groups and orders on the server: one GROUP BY per breakdown,
 * ordered as query.h documents (bytewise: every text column is COLLATE
 * "C"; '' is how the aggregates store an absent domain or MX). Filters
 * become SQL in query_sql_where only; every value is a parameter; rows
 * hold report text (untrusted).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_impl.h"
#include "rollup_month.h"
#include "scan_top.h"
#include "series_read.h"
#include "xalloc.h"

/* One row of integers from a statement built in q. */
static int pg_ints(struct pg_store *st, struct query_sql *q, int64_t *v, int n, char *err,
                   size_t errlen)
{
	PGresult *r = pg_exec_sql(st, q, "cannot read totals", err, errlen);
	int i;

	if (r == NULL)
		return -1;
	for (i = 0; i < n; i++)
		v[i] = PQntuples(r) > 0 ? pg_int(r, 0, i) : 0;
	PQclear(r);
	return 0;
}

int pg_count_reports(struct pg_store *st, const struct query_filter *f, int64_t *n, char *err,
                     size_t errlen)
{
	struct query_sql q;
	int rc = -1;

	/* per day in roll_report_day when no domain, organization or
	 * provenance is asked, as sqlite_count_reports; with this
	 * transaction's own changes, which reach it at commit
	 * (schema/pg/028_ingest_writers.sql) */
	pg_sql_init(&q);
	if (st->rollups && f->n_domains == 0 && f->organization == NULL && f->provenance == NULL)
		query_sql_add(&q,
		              "SELECT coalesce(sum(reports), 0)::bigint FROM (SELECT day, reports"
		              " FROM roll_report_day UNION ALL SELECT day, reports FROM"
		              " roll_report_day_txn WHERE xid = txid_current_if_assigned()) r");
	else
		query_sql_add(&q, "SELECT count(*) FROM report r");
	if (query_sql_where(&q, f, WHERE_REPORT_DOMAINS, err, errlen) == 0)
		rc = pg_ints(st, &q, n, 1, err, errlen);
	query_sql_free(&q);
	return rc;
}

int pg_totals(struct store *base, const struct query_filter *f, struct query_totals *out, char *err,
              size_t errlen)
{
	struct pg_store *st = pg_of(base);
	struct query_sql q;
	int64_t sums[3], reports;
	int rc = -1;

	if (f->provenance != NULL) {
		/* the aggregates carry no provenance: counted again */
		struct query_scan sc;

		if (pg_summary_scan(base, f, 0, &sc, err, errlen) < 0)
			return -1;
		*out = sc.totals;
		query_scan_free(&sc);
		return 0;
	}
	pg_sql_init(&q);
	query_sql_add(&q, "SELECT coalesce(sum(successful_sessions), 0)::bigint,"
	                  " coalesce(sum(failed_sessions), 0)::bigint,"
	                  " coalesce(sum(reports), 0)::bigint");
	/* across reporters in roll_domain when no organization is asked */
	query_sql_add(&q, st->rollups && f->organization == NULL ? " FROM roll_domain"
	                                                         : " FROM agg_domain");
	if (query_sql_where(&q, f, WHERE_AGG_DOMAIN, err, errlen) < 0 ||
	    pg_ints(st, &q, sums, 3, err, errlen) < 0)
		goto out;
	/* one domain: one agg_domain row per report (sqlite_query.c) */
	if (f->n_domains == 1)
		reports = sums[2];
	else if (pg_count_reports(st, f, &reports, err, errlen) < 0)
		goto out;
	out->reports = reports;
	out->successful_sessions = sums[0];
	out->failed_sessions = sums[1];
	rc = 0;
out:
	query_sql_free(&q);
	return rc;
}

int pg_day_span(struct store *base, int64_t *first, int64_t *last, int *found, char *err,
                size_t errlen)
{
	struct pg_store *st = pg_of(base);
	struct query_sql q;
	int64_t v[3];
	int rc;

	pg_sql_init(&q);
	/* the days holding reports are roll_report_day's (028: a day's row
	 * goes when its count reaches 0), a table of a row a day: planning
	 * min and max over report's partitions cost a new session 3-9 ms.
	 * A writer's own transaction has its days in roll_report_day_txn
	 * until its commit, so it reads report. */
	if (st->rollups && !st->in_batch)
		query_sql_add(&q, "SELECT count(*), coalesce(min(day), 0), coalesce(max(day), 0)"
		                  " FROM roll_report_day WHERE reports > 0");
	else
		query_sql_add(&q,
		              "SELECT (SELECT count(*) FROM (SELECT 1 FROM report LIMIT 1) AS one),"
		              " coalesce((SELECT min(day) FROM report), 0),"
		              " coalesce((SELECT max(day) FROM report), 0)");
	rc = pg_ints(st, &q, v, 3, err, errlen);
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

int pg_quarantined(struct store *base, int64_t since, int64_t until, int64_t *n, char *err,
                   size_t errlen)
{
	struct query_sql q;
	int rc;

	pg_sql_init(&q);
	query_sql_add(&q, "SELECT count(*) FROM quarantine WHERE received >= ");
	query_sql_int(&q, since * 86400);
	query_sql_add(&q, " AND received < ");
	query_sql_int(&q, until * 86400);
	rc = pg_ints(pg_of(base), &q, n, 1, err, errlen);
	query_sql_free(&q);
	return rc;
}

/* The aggregate tables; "ever" adds the pruned days' totals as day -1
 * (QUERY_SINCE_EVER: the lifetime totals of /metrics). Each reads as
 * columns day, organization, policy_domain, mx_host, result_type,
 * policy_type, reports, successful_sessions, failed_sessions. */
enum pg_table {
	T_DOMAIN,
	T_FAILURE,
	T_MX,
	T_TYPE,
	/* the roll-ups of schema/pg/012_rollups.sql: the same rows summed
	 * across reporters (roll_org: across domains), read only where they
	 * answer exactly (pg_table_of) */
	T_ROLL_DOMAIN,
	T_ROLL_ORG,
	T_ROLL_FAILURE,
	T_ROLL_MX,
	T_ROLL_TYPE,
	/* the month tables of schema/pg/026_month_rollups.sql: the rows of
	 * their day twin (pg_month_of) summed per month, day the month's
	 * first; and roll_day, agg_domain summed per day */
	T_MONTH_DOMAIN,
	T_MONTH_ORG,
	T_MONTH_FAILURE,
	T_MONTH_MX,
	T_MONTH_TYPE,
	T_MONTH_AGG_FAILURE,
	/* the year tables of schema/pg/034_year_rollups.sql: the rows of their
	 * month twin (pg_year_of) summed per year, day the year's first */
	T_YEAR_DOMAIN,
	T_YEAR_ORG,
	T_YEAR_FAILURE,
	T_YEAR_MX,
	T_YEAR_TYPE,
	T_YEAR_AGG_FAILURE,
	T_ROLL_DAY,
	T_NONE
};

/* The shapes that a day roll-up and its month and year twins share, read
 * from table t. */
#define FROM_ROLL_DOMAIN(t)                                                                        \
	" FROM (SELECT day, NULL::text AS organization, policy_domain, '' AS mx_host,"             \
	" '' AS result_type, '' AS policy_type, reports, successful_sessions, failed_sessions"     \
	" FROM " t ") AS a"
#define FROM_ROLL_ORG(t)                                                                           \
	" FROM (SELECT day, organization, '' AS policy_domain, '' AS mx_host, '' AS result_type,"  \
	" '' AS policy_type, reports, successful_sessions, failed_sessions FROM " t ") AS a"
#define FROM_ROLL_FAILURE(t)                                                                       \
	" FROM (SELECT day, NULL::text AS organization, policy_domain, mx_host, result_type,"      \
	" '' AS policy_type, 0 AS reports, 0 AS successful_sessions, failed_sessions FROM " t      \
	") AS a"
#define FROM_ROLL_MX(t)                                                                            \
	" FROM (SELECT day, NULL::text AS organization, policy_domain, mx_host,"                   \
	" '' AS result_type, '' AS policy_type, 0 AS reports, 0 AS successful_sessions,"           \
	" failed_sessions FROM " t ") AS a"
#define FROM_ROLL_TYPE(t)                                                                          \
	" FROM (SELECT day, NULL::text AS organization, policy_domain, '' AS mx_host,"             \
	" '' AS result_type, policy_type, policies AS reports, successful_sessions,"               \
	" failed_sessions FROM " t ") AS a"
/* agg_failure and its month and year twins (which keep the organisation) */
#define FROM_AGG_FAILURE(t)                                                                        \
	" FROM (SELECT day, organization, policy_domain, mx_host, result_type,"                    \
	" '' AS policy_type, 0 AS reports, 0 AS successful_sessions, failed_sessions FROM " t      \
	") AS a"

/* key: the table's primary key, where a row is a day's (a breakdown
 * grouped by exactly that key reads its rows as they are: pg_group_run);
 * order: that key's columns in the index's order, for the roll-ups (a
 * read in it costs the server nothing, and pg_rows_sort merges its runs). */
static const struct {
	const char *from;
	const char *ever;
	enum where_rows rows;
	unsigned key;
	const char *order;
} pg_tables[] = {
    [T_DOMAIN] = {" FROM (SELECT day, organization, policy_domain, '' AS mx_host,"
                  " '' AS result_type, '' AS policy_type, reports, successful_sessions,"
                  " failed_sessions FROM agg_domain) AS a",
                  " FROM (SELECT day, organization, policy_domain, '' AS mx_host,"
                  " '' AS result_type, '' AS policy_type, reports, successful_sessions,"
                  " failed_sessions FROM agg_domain UNION ALL SELECT -1, organization,"
                  " policy_domain, '', '', '', reports, successful_sessions, failed_sessions"
                  " FROM agg_domain_pruned) AS a",
                  WHERE_AGG_DOMAIN, K_DAY | K_DOMAIN | K_ORG},
    [T_FAILURE] = {FROM_AGG_FAILURE("agg_failure"),
                   " FROM (SELECT day, organization, policy_domain, mx_host, result_type,"
                   " '' AS policy_type, 0 AS reports, 0 AS successful_sessions,"
                   " failed_sessions FROM agg_failure UNION ALL SELECT -1, organization,"
                   " policy_domain, mx_host, result_type, '', 0, 0, failed_sessions"
                   " FROM agg_failure_pruned) AS a",
                   WHERE_AGG_FAILURE, K_DAY | K_ORG | K_DOMAIN | K_MX | K_RTYPE},
    [T_MX] = {" FROM (SELECT day, organization, policy_domain, mx_host, '' AS result_type,"
              " '' AS policy_type, 0 AS reports, 0 AS successful_sessions, failed_sessions"
              " FROM agg_mx) AS a",
              " FROM (SELECT day, organization, policy_domain, mx_host, '' AS result_type,"
              " '' AS policy_type, 0 AS reports, 0 AS successful_sessions, failed_sessions"
              " FROM agg_mx UNION ALL SELECT -1, organization, policy_domain, mx_host, '', '',"
              " 0, 0, failed_sessions FROM agg_mx_pruned) AS a",
              WHERE_AGG_MX, K_DAY | K_ORG | K_DOMAIN | K_MX},
    [T_TYPE] = {" FROM (SELECT day, organization, policy_domain, '' AS mx_host,"
                " '' AS result_type, policy_type, policies AS reports, successful_sessions,"
                " failed_sessions FROM agg_policy_type) AS a",
                " FROM (SELECT day, organization, policy_domain, '' AS mx_host,"
                " '' AS result_type, policy_type, policies AS reports, successful_sessions,"
                " failed_sessions FROM agg_policy_type) AS a",
                WHERE_AGG_TYPE, K_DAY | K_DOMAIN | K_ORG | K_PTYPE},
    [T_ROLL_DOMAIN] = {FROM_ROLL_DOMAIN("roll_domain"), NULL, WHERE_AGG_DOMAIN, K_DAY | K_DOMAIN,
                       "day, policy_domain"},
    [T_ROLL_ORG] = {FROM_ROLL_ORG("roll_org"), NULL, WHERE_AGG_DOMAIN, K_DAY | K_ORG,
                    "day, organization"},
    [T_ROLL_FAILURE] = {FROM_ROLL_FAILURE("roll_failure"), NULL, WHERE_AGG_FAILURE,
                        K_DAY | K_DOMAIN | K_MX | K_RTYPE,
                        "day, policy_domain, mx_host, result_type"},
    [T_ROLL_MX] = {FROM_ROLL_MX("roll_mx"), NULL, WHERE_AGG_MX, K_DAY | K_DOMAIN | K_MX,
                   "day, policy_domain, mx_host"},
    [T_ROLL_TYPE] = {FROM_ROLL_TYPE("roll_type"), NULL, WHERE_AGG_TYPE, K_DAY | K_DOMAIN | K_PTYPE,
                     "day, policy_domain, policy_type"},
    [T_MONTH_DOMAIN] = {FROM_ROLL_DOMAIN("roll_domain_month"), NULL, WHERE_AGG_DOMAIN},
    [T_MONTH_ORG] = {FROM_ROLL_ORG("roll_org_month"), NULL, WHERE_AGG_DOMAIN},
    [T_MONTH_FAILURE] = {FROM_ROLL_FAILURE("roll_failure_month"), NULL, WHERE_AGG_FAILURE},
    [T_MONTH_MX] = {FROM_ROLL_MX("roll_mx_month"), NULL, WHERE_AGG_MX},
    [T_MONTH_TYPE] = {FROM_ROLL_TYPE("roll_type_month"), NULL, WHERE_AGG_TYPE},
    [T_MONTH_AGG_FAILURE] = {FROM_AGG_FAILURE("agg_failure_month"), NULL, WHERE_AGG_FAILURE},
    [T_YEAR_DOMAIN] = {FROM_ROLL_DOMAIN("roll_domain_year"), NULL, WHERE_AGG_DOMAIN},
    [T_YEAR_ORG] = {FROM_ROLL_ORG("roll_org_year"), NULL, WHERE_AGG_DOMAIN},
    [T_YEAR_FAILURE] = {FROM_ROLL_FAILURE("roll_failure_year"), NULL, WHERE_AGG_FAILURE},
    [T_YEAR_MX] = {FROM_ROLL_MX("roll_mx_year"), NULL, WHERE_AGG_MX},
    [T_YEAR_TYPE] = {FROM_ROLL_TYPE("roll_type_year"), NULL, WHERE_AGG_TYPE},
    [T_YEAR_AGG_FAILURE] = {FROM_AGG_FAILURE("agg_failure_year"), NULL, WHERE_AGG_FAILURE},
    [T_ROLL_DAY] = {" FROM (SELECT day, NULL::text AS organization, '' AS policy_domain,"
                    " '' AS mx_host, '' AS result_type, '' AS policy_type, reports,"
                    " successful_sessions, failed_sessions FROM roll_day) AS a",
                    NULL, WHERE_AGG_DOMAIN, K_DAY, "day"},
};

/* The month table of day table t (schema/pg/026_month_rollups.sql), or
 * T_NONE. */
static enum pg_table pg_month_of(enum pg_table t)
{
	switch (t) {
	case T_ROLL_DOMAIN:
		return T_MONTH_DOMAIN;
	case T_ROLL_ORG:
		return T_MONTH_ORG;
	case T_ROLL_FAILURE:
		return T_MONTH_FAILURE;
	case T_ROLL_MX:
		return T_MONTH_MX;
	case T_ROLL_TYPE:
		return T_MONTH_TYPE;
	case T_FAILURE:
		return T_MONTH_AGG_FAILURE;
	default:
		return T_NONE;
	}
}

/* The year table of month table m (schema/pg/034_year_rollups.sql), or
 * T_NONE. */
static enum pg_table pg_year_of(enum pg_table m)
{
	switch (m) {
	case T_MONTH_DOMAIN:
		return T_YEAR_DOMAIN;
	case T_MONTH_ORG:
		return T_YEAR_ORG;
	case T_MONTH_FAILURE:
		return T_YEAR_FAILURE;
	case T_MONTH_MX:
		return T_YEAR_MX;
	case T_MONTH_TYPE:
		return T_YEAR_TYPE;
	case T_MONTH_AGG_FAILURE:
		return T_YEAR_AGG_FAILURE;
	default:
		return T_NONE;
	}
}

/* The table part p of a period (rollup_month_parts) reads for day table
 * t, which has a month twin (pg_group_run's monthly): t, the month twin
 * or its year twin. */
static enum pg_table pg_part_table(enum pg_table t, const struct rollup_span *p)
{
	switch (p->level) {
	case ROLLUP_DAYS:
		return t;
	case ROLLUP_MONTHS:
		return pg_month_of(t);
	default:
		return pg_year_of(pg_month_of(t));
	}
}

/* "absent last" sorts '' after every name; a series sorts it first. */
#define NAME_LAST(c) "(" c " = '') ASC, " c " ASC"
#define FAILED_DESC  "sum(failed_sessions) DESC"
#define BOTH_DESC    "sum(failed_sessions) DESC, sum(successful_sessions) DESC"

/* Each breakdown of query.h: table, key, order (sqlite_query_scan.c's
 * comparators, in SQL), and whether groups without failures are left out. */
static const struct {
	enum pg_table table;
	unsigned key;
	const char *order;
	int failed_only;
} pg_groups[] = {
    [QUERY_BY_DOMAIN] = {T_DOMAIN, K_DOMAIN, BOTH_DESC ", " NAME_LAST("policy_domain"), 0},
    [QUERY_BY_ORGANIZATION] = {T_DOMAIN, K_ORG, BOTH_DESC ", " NAME_LAST("organization"), 0},
    [QUERY_BY_DAY] = {T_DOMAIN, K_DAY, "day ASC", 0},
    [QUERY_BY_DOMAIN_DAY] = {T_DOMAIN, K_DOMAIN | K_DAY, "policy_domain ASC, day ASC", 0},
    [QUERY_BY_ORGANIZATION_DAY] = {T_DOMAIN, K_ORG | K_DAY, "organization ASC, day ASC", 0},
    [QUERY_BY_MX] = {T_MX, K_MX, FAILED_DESC ", " NAME_LAST("mx_host"), 1},
    [QUERY_BY_RESULT_TYPE] = {T_FAILURE, K_RTYPE, FAILED_DESC ", " NAME_LAST("result_type"), 1},
    [QUERY_BY_FAILURE] = {T_FAILURE, K_ORG | K_DOMAIN | K_MX | K_RTYPE,
                          FAILED_DESC ", " NAME_LAST("organization") ", " NAME_LAST(
                              "policy_domain") ", " NAME_LAST("mx_host") ", " NAME_LAST("resul"
                                                                                        "t_type"),
                          1},
    [QUERY_BY_FAILURE_DAY] = {T_FAILURE, K_DOMAIN | K_MX | K_RTYPE | K_DAY,
                              "policy_domain ASC, mx_host ASC, result_type ASC, day ASC", 1},
    [QUERY_BY_MX_DOMAIN] = {T_MX, K_ORG | K_DOMAIN | K_MX,
                            FAILED_DESC ", organization ASC, policy_domain ASC, mx_host ASC", 1},
    [QUERY_BY_POLICY_TYPE] = {T_TYPE, K_PTYPE, BOTH_DESC ", " NAME_LAST("policy_type"), 0},
    /* pg_query_scan_top.c: across reporters, so roll_failure */
    [PG_BY_PROBLEM] = {T_FAILURE, K_DOMAIN | K_MX | K_RTYPE, FAILED_DESC, 1},
};

/* The key columns, in the order the result is read. */
static const struct {
	unsigned bit;
	const char *column;
	const char *absent; /* selected when the key lacks it */
} pg_keys[] = {
    {K_DAY, "day", "0"},
    {K_ORG, "organization", "NULL"},
    {K_DOMAIN, "policy_domain", "NULL"},
    {K_MX, "mx_host", "NULL"},
    {K_RTYPE, "result_type", "NULL"},
    {K_PTYPE, "policy_type", "NULL"},
};

/* With a provenance filter, the rows of table t counted again from the
 * filter's reports (pg_query_provenance.c: one JSON parameter, its rows
 * tagged with their table), read as the agg_* rows are; COLLATE "C" as
 * the tables' columns. */
#define PROV_FROM_OPEN                                                                             \
	" FROM (SELECT day, organization COLLATE \"C\" AS organization, policy_domain COLLATE"     \
	" \"C\" AS policy_domain, mx_host COLLATE \"C\" AS mx_host, result_type COLLATE \"C\""     \
	" AS result_type, policy_type COLLATE \"C\" AS policy_type, reports, successful_sessions," \
	" failed_sessions FROM json_to_recordset("
#define PROV_FROM_CLOSE                                                                            \
	"::json) AS j(t integer, day bigint, organization text, policy_domain text, mx_host text," \
	" result_type text, policy_type text, reports bigint, successful_sessions bigint,"         \
	" failed_sessions bigint) WHERE t = "

/* The table breakdown g reads for filter f, as sqlite_query_scan.c's
 * scan_table_of: a roll-up where one answers it exactly (no organization
 * asked of the rows nor kept in the key; by organization alone, roll_org
 * without a domain filter), so a period costs days x series, not
 * reports; else the agg_* table. ever (the pruned days too) reads agg_*. */
static enum pg_table pg_table_of(const struct pg_store *st, enum query_group g,
                                 const struct query_filter *f, int ever)
{
	static const enum pg_table rolled[] = {[T_DOMAIN] = T_ROLL_DOMAIN,
	                                       [T_FAILURE] = T_ROLL_FAILURE,
	                                       [T_MX] = T_ROLL_MX,
	                                       [T_TYPE] = T_ROLL_TYPE};
	enum pg_table t = pg_groups[g].table;

	if (g == QUERY_BY_MX && f->result_type != NULL)
		t = T_FAILURE; /* by MX of one result type: agg_failure's figure */
	if (ever || !st->rollups || f->organization != NULL || f->provenance != NULL)
		return t;
	if (pg_groups[g].key & K_ORG)
		return t == T_DOMAIN && f->n_domains == 0 ? T_ROLL_ORG : t;
	/* the day series of every domain: a row per day (026) */
	if (g == QUERY_BY_DAY && f->n_domains == 0 && st->month_rollups)
		return T_ROLL_DAY;
	return rolled[t];
}

/* Appends to q the condition that a row is of only's domains and the days
 * of part p (span: which of only's literals, pg_only_days), when only is
 * not NULL. The arrays are bound as arrays (query_sql_typed): bound as
 * text and cast, the domain list was parsed again for each row the filter
 * tested (a week's 12,000 rows of agg_failure at 10M: 30-55 ms a
 * statement, 3 ms now). */
static void pg_where_only(struct query_sql *q, struct pg_only *only, const struct rollup_span *p,
                          size_t span)
{
	if (only == NULL)
		return;
	pg_only_days(only, p, &only->span_days[span]);
	query_sql_add(q, " AND day = ANY(");
	query_sql_typed(q, strbuf_str(&only->span_days[span]), "bigint[]");
	query_sql_add(q, ") AND policy_domain = ANY(");
	query_sql_typed(q, only->domains, "text[]");
	query_sql_add(q, ")");
}

/* Appends to q, after the rows of only's domains (one table's where
 * clause, or the parts' UNION ALL: joined says which), that a row is of
 * one of only's problems. Once over the union, not in each part: each
 * part binds its own arrays (pg_from_where's per_part), and the domains'
 * index already bounds each part's rows ('summary --all' at 10M: 13,170
 * groups of the second round's 27 domains, 2,744 of the problems asked). */
static void pg_where_problems(struct query_sql *q, const struct pg_only *only, int joined)
{
	size_t i;

	if (only == NULL || only->problems[0] == NULL)
		return;
	query_sql_add(q, joined ? " WHERE" : " AND");
	query_sql_add(q, " (policy_domain, mx_host, result_type) IN (SELECT * FROM unnest(");
	for (i = 0; i < 3; i++) {
		query_sql_add(q, i > 0 ? ", " : "");
		query_sql_typed(q, only->problems[i], "text[]");
	}
	query_sql_add(q, "))");
}

/* A part of a period taken away (rollup_month_parts): its figures
 * negated, named as the tables' shapes name them (the first branch of a
 * UNION ALL names its columns). */
#define PG_MINUS_PART                                                                              \
	"SELECT day, organization, policy_domain, mx_host, result_type, policy_type,"              \
	" -reports AS reports, -successful_sessions AS successful_sessions,"                       \
	" -failed_sessions AS failed_sessions"

/* The days that hold rows, [*lo, *hi) (roll_day's first and last; empty
 * when none): what rollup_month_parts estimates its reads by, as on
 * SQLite (sqlite_query_scan.c), so that a year of which the store holds
 * only the days in the period is read as its year row. */
static int pg_days_held(struct pg_store *st, int64_t *lo, int64_t *hi, char *err, size_t errlen)
{
	PGresult *r;

	if (st->held_known) {
		*lo = st->held_lo;
		*hi = st->held_hi;
		return 0;
	}
	r = pg_exec(st,
	            "SELECT (SELECT min(day) FROM roll_day),"
	            " (SELECT max(day) FROM roll_day) + 1",
	            NULL, "cannot read the aggregates", err, errlen);
	*lo = *hi = 0;
	if (r == NULL)
		return -1;
	if (PQntuples(r) > 0 && !PQgetisnull(r, 0, 0)) {
		*lo = pg_int(r, 0, 0);
		*hi = pg_int(r, 0, 1);
	}
	PQclear(r);
	/* one snapshot: the same for each breakdown of the scan */
	st->held_known = st->held_keep;
	st->held_lo = *lo;
	st->held_hi = *hi;
	return 0;
}

/* Appends to q the rows of table t that filter f keeps: " FROM ... WHERE
 * ...", of only's domains and days (pg_where_only). monthly: the period
 * split as rollup_month_parts says (*minus set to 1 when a part is taken
 * away): whole months from t's month table, whole years from its year
 * table when the store keeps them, days from t, and a month (or year)
 * partly in the period read as its row less its days (and months) outside
 * when that reads fewer rows (a 30-day period: a month's rows and 3 to 6
 * days' instead of 30 days'). A seek of only's domains without a year
 * among the parts, and a filter of so many domains that the parts would
 * bind more than a statement may (each part binds the whole filter), read
 * whole months and days (rollup_month_spans). */
static int pg_from_where(struct query_sql *q, struct pg_store *st, enum pg_table t,
                         const struct query_filter *f, struct pg_only *only, int ever, int monthly,
                         int *minus, char *err, size_t errlen)
{
	struct rollup_span span[ROLLUP_PARTS_MAX];
	struct query_filter part = *f;
	/* what each part binds: the filter, and only's two arrays; once
	 * after the parts, only's problems */
	size_t per_part = (size_t)f->n_domains + QUERY_FILTER_ARGS - LIMIT_FILTER_DOMAINS +
	                  (only != NULL ? 2 : 0);
	size_t once = only != NULL && only->problems[0] != NULL ? 3 : 0;
	size_t i, n = 0;
	int64_t lo, hi;

	_Static_assert(3 * (QUERY_FILTER_ARGS + 2) + 3 <= QUERY_MAX_ARGS,
	               "each span of one statement binds the whole filter and only's arrays");
	*minus = 0;
	if (monthly && ROLLUP_PARTS_MAX * per_part + once <= QUERY_MAX_ARGS) {
		if (pg_days_held(st, &lo, &hi, err, errlen) < 0)
			return -1;
		n = rollup_month_parts(f->since, f->until, lo, hi, st->year_rollups, span);
		/* a seek of a few domains reads a month less its days as about
		 * as many rows as its days, in three seeks (30 days at 10M:
		 * 3,800 rows against 4,300, 9% slower); only a year row pays */
		for (i = 0; only != NULL && i < n && span[i].level != ROLLUP_YEARS; i++)
			;
		if (only != NULL && i == n)
			n = 0;
	}
	if (monthly && n == 0)
		n = rollup_month_spans(f->since, f->until, span);
	if (n == 0) {
		const struct rollup_span all = {f->since, f->until, ROLLUP_DAYS, 0};

		query_sql_add(q, ever ? pg_tables[t].ever : pg_tables[t].from);
		if (query_sql_where(q, f, pg_tables[t].rows, err, errlen) < 0)
			return -1;
		pg_where_only(q, only, &all, 0);
		pg_where_problems(q, only, 0);
		return 0;
	}
	query_sql_add(q, " FROM (");
	for (i = 0; i < n; i++) {
		part.since = span[i].since;
		part.until = span[i].until;
		*minus |= span[i].minus;
		query_sql_add(q, i > 0 ? " UNION ALL " : "");
		query_sql_add(q, span[i].minus ? PG_MINUS_PART : "SELECT *");
		query_sql_add(q, pg_tables[pg_part_table(t, &span[i])].from);
		if (query_sql_where(q, &part, pg_tables[t].rows, err, errlen) < 0)
			return -1;
		pg_where_only(q, only, &span[i], i);
	}
	query_sql_add(q, ") AS a");
	pg_where_problems(q, only, 1);
	return 0;
}

int pg_group_run(struct pg_store *st, const struct query_filter *f, enum query_group g,
                 const char *prov, struct pg_only *only, size_t limit, struct query_rows *out,
                 char *err, size_t errlen)
{
	int ever = f->since <= QUERY_SINCE_EVER;
	enum pg_table t = pg_table_of(st, g, f, ever);
	unsigned key = pg_groups[g].key;
	/* a month table sums t's rows, and g keeps no day */
	int monthly = st->month_rollups && !ever && prov == NULL && !(key & K_DAY) &&
	              pg_month_of(t) != T_NONE;
	/* grouped by the table's own key (a day series of a roll-up): each
	 * group is one row, so the rows are read as they are, without the
	 * server's aggregation (a third of the alert series' 42,000 rows of
	 * roll_failure at 10M reports). The where clause always bounds the
	 * days here (not ever), so the failed-only test can follow it. */
	int as_is = !ever && !monthly && prov == NULL && limit == 0 && pg_tables[t].key == key;
	struct query_rows rows = {NULL, 0};
	struct query_sql q;
	PGresult *r = NULL;
	size_t i, n, grouped = 0;
	int minus = 0, rc = -1;

	pg_sql_init(&q);
	query_sql_add(&q, "SELECT ");
	for (i = 0; i < sizeof(pg_keys) / sizeof(pg_keys[0]); i++) {
		query_sql_add(&q, i > 0 ? ", " : "");
		query_sql_add(&q, key & pg_keys[i].bit ? pg_keys[i].column : pg_keys[i].absent);
	}
	query_sql_add(&q, as_is ? ", reports::bigint, successful_sessions::bigint,"
	                          " failed_sessions::bigint"
	                        : ", sum(reports)::bigint, sum(successful_sessions)::bigint,"
	                          " sum(failed_sessions)::bigint");
	if (prov != NULL) {
		query_sql_add(&q, PROV_FROM_OPEN);
		query_sql_text(&q, prov);
		query_sql_add(&q, PROV_FROM_CLOSE);
		query_sql_int(&q, (int64_t)t);
		query_sql_add(&q, ") AS a");
		if (query_sql_where(&q, f, pg_tables[t].rows, err, errlen) < 0)
			goto out;
	} else if (pg_from_where(&q, st, t, f, only, ever, monthly, &minus, err, errlen) < 0) {
		goto out;
	}
	for (i = 0; i < sizeof(pg_keys) / sizeof(pg_keys[0]) && !as_is; i++) {
		if (!(key & pg_keys[i].bit))
			continue;
		query_sql_add(&q, grouped++ > 0 ? ", " : " GROUP BY ");
		query_sql_add(&q, pg_keys[i].column);
	}
	if (pg_groups[g].failed_only)
		query_sql_add(&q, as_is ? " AND failed_sessions > 0"
		                        : " HAVING sum(failed_sessions) > 0");
	/* a key whose figures all end at 0 was only in the days taken away */
	else if (minus)
		query_sql_add(&q, " HAVING sum(reports) <> 0 OR sum(successful_sessions) <> 0"
		                  " OR sum(failed_sessions) <> 0");
	/* all groups: sorted here, not by the server (pg_query_order.c) */
	if (limit > 0) {
		query_sql_add(&q, " ORDER BY ");
		query_sql_add(&q, pg_groups[g].order);
		query_sql_limit(&q, limit);
	} else if (as_is && pg_tables[t].order != NULL) {
		query_sql_add(&q, " ORDER BY ");
		query_sql_add(&q, pg_tables[t].order);
	}
	if ((r = pg_exec_sql(st, &q, "cannot read the aggregates", err, errlen)) == NULL)
		goto out;
	n = (size_t)PQntuples(r);
	rows.rows = n > 0 ? xcalloc(n, sizeof(*rows.rows)) : NULL;
	for (i = 0; i < n; i++) {
		struct query_row *row = &rows.rows[rows.n++];
		const char *dom = pg_text(r, (int)i, 2), *mx = pg_text(r, (int)i, 3);

		row->day = pg_int(r, (int)i, 0);
		row->organization = pg_strdup(r, (int)i, 1);
		row->policy_domain = dom != NULL && dom[0] != '\0' ? xstrdup(dom) : NULL;
		row->mx_host = mx != NULL && mx[0] != '\0' ? xstrdup(mx) : NULL;
		row->result_type = pg_strdup(r, (int)i, 4);
		row->policy_type = pg_strdup(r, (int)i, 5);
		if (pg_tables[t].rows == WHERE_AGG_DOMAIN || pg_tables[t].rows == WHERE_AGG_TYPE) {
			row->reports = pg_int(r, (int)i, 6);
			row->successful_sessions = pg_int(r, (int)i, 7);
		}
		row->failed_sessions = pg_int(r, (int)i, 8);
	}
	if (limit == 0)
		pg_rows_sort(g, &rows);
	*out = rows;
	memset(&rows, 0, sizeof(rows));
	rc = 0;
out:
	query_rows_free(&rows);
	PQclear(r);
	query_sql_free(&q);
	return rc;
}

/* The provenance filter's rows into prov, *json pointing at them; with no
 * provenance asked, *json NULL (the tables). prov is freed by the caller
 * either way once this returned 0. */
static int pg_prov_begin(struct pg_store *st, const struct query_filter *f, struct strbuf *prov,
                         const char **json, char *err, size_t errlen)
{
	*json = NULL;
	if (f->provenance == NULL) {
		strbuf_init(prov, 1);
		return 0;
	}
	if (pg_provenance_rows(st, f, prov, err, errlen) < 0)
		return -1;
	*json = strbuf_str(prov);
	return 0;
}

int pg_group(struct store *base, const struct query_filter *f, enum query_group g, size_t limit,
             struct query_rows *out, char *err, size_t errlen)
{
	struct pg_store *st = pg_of(base);
	struct strbuf prov;
	const char *json;
	int rc;

	if ((unsigned)g > QUERY_BY_POLICY_TYPE) {
		snprintf(err, errlen, "internal error: no such breakdown %d", (int)g);
		return -1;
	}
	if (pg_prov_begin(st, f, &prov, &json, err, errlen) < 0)
		return -1;
	rc = pg_group_run(st, f, g, json, NULL, limit, out, err, errlen);
	strbuf_free(&prov);
	return rc;
}

int pg_alert_scan(struct store *base, const struct query_filter *f,
                  const struct query_alert_need *need, struct query_alert_series *out, char *err,
                  size_t errlen)
{
	struct pg_store *st = pg_of(base);
	struct query_alert_series a;
	struct strbuf prov;
	const char *json;
	int rc = -1;

	/* a period alone, as alert asks: the roll-ups as they are stored */
	if (st->rollups && series_read_applies(f))
		return pg_alert_series_rolled(st, f->since, f->until, need, out, err, errlen);
	/* the details grouped: every failure group (a superset of need) */
	memset(&a, 0, sizeof(a));
	if (pg_prov_begin(st, f, &prov, &json, err, errlen) < 0)
		return -1;
	if (pg_group_run(st, f, QUERY_BY_DOMAIN_DAY, json, NULL, 0, &a.domain_days, err, errlen) <
	        0 ||
	    pg_group_run(st, f, QUERY_BY_ORGANIZATION_DAY, json, NULL, 0, &a.organization_days, err,
	                 errlen) < 0 ||
	    pg_group_run(st, f, QUERY_BY_FAILURE_DAY, json, NULL, 0, &a.failure_days, err, errlen) <
	        0) {
		query_alert_series_free(&a);
		goto out;
	}
	*out = a;
	rc = 0;
out:
	strbuf_free(&prov);
	return rc;
}

int pg_scan_totals(struct pg_store *st, const struct query_filter *f, struct query_scan *sc,
                   char *err, size_t errlen)
{
	if (scan_top_totals(f, sc) == 0)
		return 0;
	return pg_count_reports(st, f, &sc->totals.reports, err, errlen);
}

int pg_summary_scan(struct store *base, const struct query_filter *f, int want_types,
                    struct query_scan *out, char *err, size_t errlen)
{
	struct pg_store *st = pg_of(base);
	static const enum query_group groups[] = {
	    QUERY_BY_DOMAIN,      QUERY_BY_ORGANIZATION, QUERY_BY_DAY,        QUERY_BY_MX,
	    QUERY_BY_RESULT_TYPE, QUERY_BY_FAILURE,      QUERY_BY_POLICY_TYPE};
	struct query_scan sc;
	struct query_rows *const rows[] = {&sc.by_domain,     &sc.by_organization, &sc.by_day,
	                                   &sc.by_mx,         &sc.by_result_type,  &sc.failures,
	                                   &sc.by_policy_type};
	size_t i, n = want_types ? 7 : 6;
	struct strbuf prov;
	const char *json;

	memset(&sc, 0, sizeof(sc));
	if (pg_prov_begin(st, f, &prov, &json, err, errlen) < 0)
		return -1;
	for (i = 0; i < n; i++)
		if (pg_group_run(st, f, groups[i], json, NULL, 0, rows[i], err, errlen) < 0)
			goto fail;
	if (pg_scan_totals(st, f, &sc, err, errlen) < 0)
		goto fail;
	strbuf_free(&prov);
	*out = sc;
	return 0;
fail:
	strbuf_free(&prov);
	query_scan_free(&sc);
	return -1;
}
