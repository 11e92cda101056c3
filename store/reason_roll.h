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

#endif
