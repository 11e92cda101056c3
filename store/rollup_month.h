/*
 * rollup_month.h - the per-month roll-ups (schema/021_month_rollups.sql):
 * how a period splits into the days read from day tables and the whole
 * months read from month tables, and each month table's sums (and
 * roll_day's, the day totals across domains) for 'db check' and 'db check
 * --repair'. Fixed fragments only.
 */
#ifndef TLSWATCH_ROLLUP_MONTH_H
#define TLSWATCH_ROLLUP_MONTH_H

#include <stddef.h>
#include <stdint.h>

#include "rollup.h"

/* One part of a period: days [since, until), read from the day table
 * (monthly 0) or from its month table (monthly 1: since and until are
 * month starts); minus 1: its figures taken away (rollup_month_parts). */
struct rollup_span {
	int64_t since;
	int64_t until;
	int monthly;
	int minus;
};

/* The most parts rollup_month_parts gives: a partial month at each end as
 * its month less up to two runs of days, the whole months between. */
#define ROLLUP_PARTS_MAX 7

/* Splits [since, until) into at most three non-empty spans, in day order
 * (datetime_split_months): the days before the first whole month, the
 * whole months, the days after. Returns how many. The one split of the
 * period for every reader of month tables. */
size_t rollup_month_spans(int64_t since, int64_t until, struct rollup_span out[3]);

/* As rollup_month_spans, but a month partly in the period may be read as
 * its month row less the days of it outside the period, when that reads
 * fewer rows: a month row costs about ROLLUP_MONTH_COST_DAYS days of rows,
 * and days outside [lo, hi) (the days that hold rows, for the estimate
 * only) cost nothing. Sums of parts with minus taken away are exact; a
 * key whose figures all end at 0 had no row in the period. */
size_t rollup_month_parts(int64_t since, int64_t until, int64_t lo, int64_t hi,
                          struct rollup_span out[ROLLUP_PARTS_MAX]);

/* Statement `which` of month table i into sql, with month the backend's
 * expression of the first day of the month holding column day: the
 * table's name, or NULL past the last table or when sql is too small. */
const char *rollup_month_sql(size_t i, enum rollup_stmt which, const char *month, char *sql,
                             size_t len);

/* Statement `which` of table i of every roll-up a store checks and
 * refills: rollup.c's tables (rollup_sql), then the month tables (month
 * as for rollup_month_sql). The table's name, or NULL past the last. */
const char *rollup_all_sql(size_t i, enum rollup_stmt which, const char *month, char *sql,
                           size_t len);

#endif
