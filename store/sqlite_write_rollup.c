/*
 * sqlite_write_rollup.c - the roll-ups and lifetime totals of
 * schema/012_rollups.sql, as sums of the aggregate tables (rollup.c, the
 * same for both backends), and the month and year tables of 021 and 027
 * (rollup_month.c):
 * rebuilt by 'tlswatch db check --repair', compared by 'db check'.
 * Triggers keep them as reports are stored, re-aggregated and pruned;
 * this is what they must equal. Input: our own database.
 */
#include <stdio.h>

#include "rollup.h"
#include "rollup_month.h"
#include "sqlite_impl.h"

/* Room for the longest statement of rollup.c (about 1,200 bytes). */
#define ROLLUP_SQL_MAX 4096

/* The first day of column day's month, for rollup_month_sql. */
#define ROLLUP_MONTH_OF                                                                            \
	"CAST(strftime('%s', day * 86400, 'unixepoch', 'start of month') AS INTEGER) / 86400"

/* The first day of column day's year, likewise. */
#define ROLLUP_YEAR_OF                                                                             \
	"CAST(strftime('%s', day * 86400, 'unixepoch', 'start of year') AS INTEGER) / 86400"

/* Statement `which` of table i: the tables of rollup.c, then the month and
 * year tables of rollup_month.c. */
static const char *rollup_any_sql(size_t i, enum rollup_stmt which, char *sql, size_t len)
{
	return rollup_all_sql(i, which, ROLLUP_MONTH_OF, ROLLUP_YEAR_OF, sql, len);
}

/* Empties table i and fills it with its sums. */
static int rollup_refill(struct sqlite_store *st, size_t i, char *err, size_t errlen)
{
	char sql[ROLLUP_SQL_MAX];
	int which;

	for (which = ROLLUP_CLEAR; which <= ROLLUP_FILL; which++) {
		if (rollup_any_sql(i, (enum rollup_stmt)which, sql, sizeof(sql)) == NULL) {
			snprintf(err, errlen, "internal error: roll-up statement too long");
			return -1;
		}
		if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
			return sqlite_fail(st, err, errlen, "cannot rebuild the roll-ups");
	}
	return 0;
}

int sqlite_rollup_rebuild(struct store *base, char *err, size_t errlen)
{
	struct sqlite_store *st = sqlite_of(base);
	char sql[ROLLUP_SQL_MAX];
	size_t i;

	if (sqlite_begin(base, err, errlen) < 0)
		return -1;
	for (i = 0; rollup_any_sql(i, ROLLUP_CLEAR, sql, sizeof(sql)) != NULL; i++) {
		if (rollup_refill(st, i, err, errlen) < 0) {
			sqlite_rollback(base);
			return -1;
		}
	}
	if (sqlite_reason_roll_fill(st, err, errlen) < 0) {
		sqlite_rollback(base);
		return -1;
	}
	return sqlite_commit(base, err, errlen);
}

int sqlite_rollup_differences(struct sqlite_store *st, size_t i, const char **table, int64_t *n,
                              char *err, size_t errlen)
{
	char sql[ROLLUP_SQL_MAX];
	const char *name = rollup_any_sql(i, ROLLUP_DIFF, sql, sizeof(sql));
	size_t last;

	if (name == NULL) {
		/* after rollup.c's and the month tables, roll_reason (SQLite
		 * only so far) */
		for (last = 0; rollup_any_sql(last, ROLLUP_CLEAR, sql, sizeof(sql)) != NULL; last++)
			;
		if (i != last)
			return 1;
		if (sqlite_reason_roll_differences(st, n, err, errlen) < 0)
			return -1;
		*table = "roll_reason";
		return 0;
	}
	if (sqlite_get_int(st, sql, n, err, errlen) < 0)
		return -1;
	*table = name;
	return 0;
}
