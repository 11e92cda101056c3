/*
 * rollup.h - the roll-ups and lifetime totals (schema/012_rollups.sql,
 * schema/pg/012_rollups.sql) as sums of the aggregate tables, in SQL both
 * backends run: 'tlswatch db check' compares each table with its sums,
 * 'db check --repair' refills it from them. Fixed fragments only.
 */
#ifndef TLSWATCH_ROLLUP_H
#define TLSWATCH_ROLLUP_H

#include <stddef.h>
#include <stdint.h>

enum rollup_stmt {
	ROLLUP_CLEAR, /* empties the table */
	ROLLUP_FILL,  /* fills it with its sums */
	ROLLUP_DIFF   /* one count: rows in the table or in its sums, not both */
};

/* Statement `which` of roll-up table i into sql: the table's name, or
 * NULL when i is past the last table or sql is too small. */
const char *rollup_sql(size_t i, enum rollup_stmt which, char *sql, size_t len);
/* Statement `which` for table with these columns and sums (a SELECT of
 * the same columns) into sql: 0, or -1 when sql is too small. */
int rollup_stmt_sql(enum rollup_stmt which, const char *table, const char *columns,
                    const char *sums, char *sql, size_t len);
struct query_sql;
/* Appends to q the read of query_reporter_presence (query_reason.h) for
 * [since, until): from roll_presence (schema/014_presence.sql), or with
 * rolled 0 the same rows summed from agg_domain. */
void rollup_presence_sql(struct query_sql *q, int rolled, int64_t since, int64_t until);
/* What 'db check' says of roll-up table `table` when n rows differ. */
void rollup_problem(const char *table, long long n, char *msg, size_t len);

#endif
