/*
 * query_sql.h - a statement built from fixed fragments with its values
 * kept aside for binding, and the one translation of a query_filter into
 * a WHERE clause (sqlite_where.c), shared by both backends: the SQLite
 * files bind the values with sqlite3, the PostgreSQL files (pg*.c) pass
 * them to PQexecParams. Nothing here includes a database library.
 */
#ifndef TLSWATCH_QUERY_SQL_H
#define TLSWATCH_QUERY_SQL_H

#include <stdint.h>

#include "limits.h"
#include "query.h"
#include "strbuf.h"

/* Values of one filter in a statement: the domains plus a dozen others. */
#define QUERY_FILTER_ARGS (LIMIT_FILTER_DOMAINS + 16)
/* Values in one statement: a filter and a seek's two arrays (pg_query.c,
 * pg_where_only) once for each part of a period split over the month
 * roll-ups (rollup_month_spans: at most 3), which PostgreSQL reads in one
 * statement, each part with the whole filter (pg_from_where), and the
 * seek's three arrays of problems once (pg_where_problems). At one
 * filter's worth, --all with 88 domains failed ("query too large"). */
#define QUERY_MAX_ARGS (3 * (QUERY_FILTER_ARGS + 2) + 3)

/* The failure details (fl) of a report's policies (p), as the sums the
 * count-once rule takes: sts and tlsa are two views of the same sessions
 * (max(sts, tlsa) + other, once grouped per report and key; tally.c).
 * Columns of a SELECT, then its FROM. */
#define QUERY_DETAIL_SUMS_FROM                                                                     \
	" sum(CASE WHEN p.policy_type = 'sts' THEN fl.failed_sessions ELSE 0 END) AS sts,"         \
	" sum(CASE WHEN p.policy_type = 'tlsa' THEN fl.failed_sessions ELSE 0 END) AS tlsa,"       \
	" sum(CASE WHEN p.policy_type IN ('sts', 'tlsa') THEN 0 ELSE fl.failed_sessions END)"      \
	" AS other FROM report r JOIN policy p ON p.report = r.id"                                 \
	" JOIN failure fl ON fl.policy = p.id"

struct query_arg {
	int is_text;
	const char *text; /* borrowed; NULL binds SQL NULL */
	int64_t num;
};

struct query_sql {
	struct strbuf sb;
	int dollar; /* 1: placeholders are $1, $2 ... (PostgreSQL), else ? */
	struct query_arg args[QUERY_MAX_ARGS];
	int n_args;
	int failed; /* too long or too many values */
};

void query_sql_init(struct query_sql *q);
void query_sql_free(struct query_sql *q);
/* Appends a fixed SQL fragment (never report or user text). */
void query_sql_add(struct query_sql *q, const char *sql);
/* Appends '?' and keeps v to bind there. */
void query_sql_text(struct query_sql *q, const char *v);
/* PostgreSQL only (q->dollar): appends "$n::pg_type" (a fixed fragment,
 * such as "bigint[]") and keeps v, that type's text form, to bind there.
 * The server reads v as pg_type once, when it plans the statement: the
 * plan holds a value (an array's length known, "= ANY" hashed), where
 * query_sql_text's "::text" cast on to an array type is converted again
 * for every row a filter tests. */
void query_sql_typed(struct query_sql *q, const char *v, const char *pg_type);
void query_sql_int(struct query_sql *q, int64_t v);
/* One page of a list: -1 with the reason when limit is outside
 * 1..LIMIT_REPORT_PAGE or offset is negative, else 0 with " LIMIT n
 * OFFSET m" appended (after the caller's ORDER BY). */
int query_sql_page(struct query_sql *q, int64_t limit, int64_t offset, char *err, size_t errlen);
/* Appends " LIMIT n" when limit > 0 (0: every row). */
void query_sql_limit(struct query_sql *q, size_t limit);
/* The kinds of rows a filter is applied to (sqlite_where.c). */
enum where_rows {
	WHERE_AGG_DOMAIN,     /* agg_domain: period, organization, domains */
	WHERE_AGG_FAILURE,    /* agg_failure: and MX host, result type */
	WHERE_AGG_MX,         /* agg_mx: and MX host */
	WHERE_AGG_TYPE,       /* agg_policy_type: and policy type */
	WHERE_REPORT,         /* report r: every part; the domains, policy type,
	                       * MX host and result type asked of one of its
	                       * policies (and that policy's failure details) */
	WHERE_REPORT_DOMAINS, /* report r: period, organization, domains only
	                       * (what agg_domain answers, for its totals) */
	WHERE_FAILURE_DETAIL, /* report r JOIN policy p JOIN failure fl: period,
	                       * organization, domains, MX host, result type */
	WHERE_ROLL_REASON     /* roll_reason: period, organization, domains, MX
	                       * host (schema/019_reason_rollup.sql) */
};
/* Appends " WHERE ..." applying filter f to rows of that kind: the
 * period, then each part of the filter those rows can answer (the others
 * are not applied). Every value is bound. 0, or -1 with the reason (more
 * than LIMIT_FILTER_DOMAINS domains). */
int query_sql_where(struct query_sql *q, const struct query_filter *f, enum where_rows rows,
                    char *err, size_t errlen);
#endif
