/*
 * pg_write_rollup.c - the roll-ups and lifetime totals of
 * schema/pg/012_rollups.sql and the month and year tables of 026 and 034
 * on PostgreSQL:
 * rebuilt from their sums (rollup.c and rollup_month.c, shared with
 * SQLite) by 'tlswatch db check --repair' and 'db copy', and compared
 * with them by 'db check'. Input: our own database.
 */
#include <stdio.h>

#include "pg_impl.h"
#include "rollup.h"
#include "rollup_month.h"

/* Room for the longest statement of rollup.c (about 1,200 bytes). */
#define ROLLUP_SQL_MAX 4096

/* The first day of column day's month and year
 * (schema/pg/026_month_rollups.sql, 034_year_rollups.sql). */
#define PG_MONTH_OF "tlswatch_month_of(day)"
#define PG_YEAR_OF  "tlswatch_year_of(day)"

int pg_rollup_refill(struct pg_store *st, const char *what, char *err, size_t errlen)
{
	char sql[ROLLUP_SQL_MAX];
	size_t i;

	/* roll_report_day is counted again from report below: this
	 * transaction's changes waiting for its commit are in that count
	 * (schema/pg/028_ingest_writers.sql) */
	if (pg_run(st, "DELETE FROM roll_report_day_txn WHERE xid = txid_current()", NULL, what,
	           NULL, err, errlen) < 0)
		return -1;
	for (i = 0;
	     rollup_all_sql(i, ROLLUP_CLEAR, PG_MONTH_OF, PG_YEAR_OF, sql, sizeof(sql)) != NULL;
	     i++)
		if (pg_run(st, sql, NULL, what, NULL, err, errlen) < 0 ||
		    rollup_all_sql(i, ROLLUP_FILL, PG_MONTH_OF, PG_YEAR_OF, sql, sizeof(sql)) ==
		        NULL ||
		    pg_run(st, sql, NULL, what, NULL, err, errlen) < 0)
			return -1;
	/* roll_reason (schema/pg/025): summed from the details */
	return pg_reason_roll_fill(st, err, errlen);
}

int pg_rollup_rebuild(struct store *base, char *err, size_t errlen)
{
	struct pg_store *st = pg_of(base);

	/* in one batch: under the writer lock, so no writer's trigger adds
	 * to a table between its DELETE and its INSERT */
	if (pg_begin(base, err, errlen) < 0)
		return -1;
	if (pg_rollup_refill(st, "cannot rebuild the roll-ups", err, errlen) < 0) {
		pg_rollback(base);
		return -1;
	}
	return pg_commit(base, err, errlen);
}

int pg_rollup_check(struct pg_store *st, void (*problem)(const char *msg, void *arg), void *arg,
                    int *n_problems, char *err, size_t errlen)
{
	char sql[ROLLUP_SQL_MAX], msg[256];
	const char *table;
	int64_t n;
	size_t i;

	for (i = 0; (table = rollup_all_sql(i, ROLLUP_DIFF, PG_MONTH_OF, PG_YEAR_OF, sql,
	                                    sizeof(sql))) != NULL;
	     i++) {
		if (pg_get_int(st, sql, NULL, "cannot check the roll-ups", &n, err, errlen) < 0)
			return -1;
		if (n == 0)
			continue;
		rollup_problem(table, (long long)n, msg, sizeof(msg));
		problem(msg, arg);
		(*n_problems)++;
	}
	/* after rollup.c's tables, roll_reason (kept in C, not by triggers) */
	if (pg_reason_roll_differences(st, &n, err, errlen) < 0)
		return -1;
	if (n > 0) {
		rollup_problem("roll_reason", (long long)n, msg, sizeof(msg));
		problem(msg, arg);
		(*n_problems)++;
	}
	return 0;
}
