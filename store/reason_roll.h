/*
 * reason_roll.h - the rows one report adds to roll_reason (schema
 * 019_reason_rollup.sql on SQLite, schema/pg/025_reason_roll.sql on
 * PostgreSQL), computed from the report in memory so that neither backend
 * reads back what it has just written. Both backends' writers emit the
 * same rows; their SQL sums over the details (db check, --repair, a
 * report that loses a conflict) are the same figures.
 */
#ifndef TLSWATCH_REASON_ROLL_H
#define TLSWATCH_REASON_ROLL_H

#include <stddef.h>
#include <stdint.h>

#include "report.h"

/* One row's figures: kind 0 the failure-reason-code, 1 the
 * additional-information; failed the group's resolved figure on its
 * first result type (0 on the others), sent the details' own counts of
 * this result type. Strings borrowed from the report. */
struct reason_roll_row {
	int kind;
	const char *text, *policy_domain, *mx_host, *result_type;
	int64_t failed, sent;
};

/* Called once per row: 0 to go on, -1 to stop (err filled). */
typedef int (*reason_roll_emit)(void *arg, const struct reason_roll_row *row, char *err,
                                size_t errlen);

/* 0 when report r has no failure text: nothing for roll_reason. */
int reason_roll_wanted(const struct report *r);

/* Emits r's rows: within the report the details of one (domain, MX,
 * kind, text) count max(sts, tlsa) + other (docs/counting.md) on the
 * group's first result type (bytewise). 0, or the first -1 of emit. */
int reason_roll_report(const struct report *r, reason_roll_emit emit, void *arg, char *err,
                       size_t errlen);

struct query_filter;
struct query_sql;

/* 1 when roll_reason answers filter f exactly (rollups: the store reads
 * its roll-ups), otherwise 0 and the details are read: a result type
 * filter changes which details make a group (and so its max(sts, tlsa));
 * provenance is not in the roll-up. */
int reason_roll_answers(int rollups, const struct query_filter *f);

/* The read of query_failure_reasons (kind 0) or query_failure_infos
 * (kind 1) from roll_reason into q, in a backend's dialect: select its
 * "SELECT text, <result types>, <failed> AS failed, <organizations> FROM
 * roll_reason", tail its "GROUP BY text HAVING ... ORDER BY ...". 0, or -1
 * with err (a filter the table cannot take). */
int reason_roll_sql(struct query_sql *q, const struct query_filter *f, int kind, size_t limit,
                    const char *select, const char *tail, char *err, size_t errlen);

/* The rows roll_reason must hold for the reports the condition cond
 * keeps, in a backend's words: cond a fixed fragment ending in AND (or
 * empty); BIGINT what follows a sum ("" or "::bigint"); MAX the larger of
 * two ("max", "greatest"); PDAY and FDAY what else joins a policy to its
 * report and a detail to its policy (PostgreSQL: the day, so that each
 * partition meets its own); KINDS kinds 0 and 1 as k (kind). Each group
 * of one report's details (domain, MX, kind, text) counts max(sts, tlsa)
 * + other, as the read over the details does (QUERY_DETAIL_SUMS_FROM);
 * its first result type carries that figure, every result type of it 1
 * in n_rows; sent_sessions sums the details' own counts. The same
 * statement as the migrations' (schema/019, schema/pg/025). */
#define REASON_ROLL_SUMS(cond, BIGINT, MAX, PDAY, FDAY, KINDS)                                     \
	"SELECT day, kind, text, dom, org, mx, rt, count(*) AS n, sum(failed)" BIGINT " AS f,"     \
	" sum(a + b + c)" BIGINT " AS t FROM (SELECT day, kind, text, dom, org, mx, rt, a, b, c,"  \
	" CASE WHEN rt = min(rt) OVER g THEN " MAX "(sum(a) OVER g, sum(b) OVER g)"                \
	" + sum(c) OVER g ELSE 0 END AS failed FROM ("                                             \
	" SELECT rid, day, org, dom, mx, kind, text, rt, sum(a) AS a, sum(b) AS b, sum(c) AS c"    \
	" FROM (SELECT r.id AS rid, r.day AS day, r.organization AS org,"                          \
	" coalesce(p.policy_domain, '') AS dom, coalesce(fl.receiving_mx_hostname, '') AS mx,"     \
	" k.kind AS kind, CASE k.kind WHEN 0 THEN fl.failure_reason_code"                          \
	" ELSE fl.additional_information END AS text, fl.result_type AS rt,"                       \
	" CASE WHEN p.policy_type = 'sts' THEN fl.failed_sessions ELSE 0 END AS a,"                \
	" CASE WHEN p.policy_type = 'tlsa' THEN fl.failed_sessions ELSE 0 END AS b,"               \
	" CASE WHEN p.policy_type IN ('sts', 'tlsa') THEN 0 ELSE fl.failed_sessions END AS c"      \
	" FROM report r JOIN policy p ON p.report = r.id" PDAY                                     \
	" JOIN failure fl ON fl.policy = p.id" FDAY " " KINDS " WHERE " cond                       \
	" (CASE k.kind WHEN 0 THEN fl.failure_reason_code"                                         \
	" ELSE fl.additional_information END) IS NOT NULL) AS d"                                   \
	" GROUP BY rid, day, org, dom, mx, kind, text, rt) AS s"                                   \
	" WINDOW g AS (PARTITION BY rid, dom, mx, kind, text)) AS w"                               \
	" GROUP BY day, kind, text, dom, org, mx, rt"

/* roll_reason's columns in the order of REASON_ROLL_SUMS's */
#define REASON_ROLL_COLUMNS                                                                        \
	"day, kind, text, policy_domain, organization, mx_host, result_type, n_rows,"              \
	" failed_sessions, sent_sessions"

#endif
