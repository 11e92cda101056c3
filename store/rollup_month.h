/*
 * rollup_month.h - the per-month and per-year roll-ups (schema/021 and
 * 027): how a period splits into the days read from day tables, the months
 * read from month tables and the years read from year tables, and each
 * such table's sums (and roll_day's, the day totals across domains) for
 * 'db check' and 'db check --repair'. Fixed fragments only.
 */
#ifndef TLSWATCH_ROLLUP_MONTH_H
#define TLSWATCH_ROLLUP_MONTH_H

#include <stddef.h>
#include <stdint.h>

#include "rollup.h"

/* What a part of a period is read from: its days from a day table, its
 * months from the month table (021), its years from the year table (027). */
enum rollup_level { ROLLUP_DAYS, ROLLUP_MONTHS, ROLLUP_YEARS };

/* One part of a period: days [since, until), read at level (for months
 * and years, since and until are their first days); minus 1: its figures
 * taken away (rollup_month_parts). */
struct rollup_span {
	int64_t since;
	int64_t until;
	enum rollup_level level;
	int minus;
};

/* The most parts rollup_month_parts gives. Within one calendar year, a
 * year less what lies outside: the year, then up to three parts before
 * the period (the whole months, a month less its days) and three after
 * (7); read as months, at most a month less its days at each end and the
 * months between (5). A period across years: its first year as at most 4
 * parts (the year less up to three before, or three of months), the whole
 * years between (1), its last year as at most 4 (9). */
#define ROLLUP_PARTS_MAX 9

/* Splits [since, until) into at most three non-empty spans, in day order
 * (datetime_split_months): the days before the first whole month, the
 * whole months, the days after. Returns how many. The one split of the
 * period for every reader of month tables without year tables. */
size_t rollup_month_spans(int64_t since, int64_t until, struct rollup_span out[3]);

/* As rollup_month_spans, but a month partly in the period may be read as
 * its month row less the days of it outside the period, and (years 1: the
 * store keeps year tables) a year partly in it as its year row less the
 * months and days outside, when that reads fewer rows: a month row costs
 * about ROLLUP_MONTH_COST_DAYS days of rows, a year row
 * ROLLUP_YEAR_COST_DAYS, and days outside [lo, hi) (the days that hold
 * rows, for the estimate only) cost nothing. Sums of parts with minus
 * taken away are exact; a key whose figures all end at 0 had no row in
 * the period. Returns how many parts. */
size_t rollup_month_parts(int64_t since, int64_t until, int64_t lo, int64_t hi, int years,
                          struct rollup_span out[ROLLUP_PARTS_MAX]);

/* Statement `which` of month or year table i into sql, with month and
 * year the backend's expressions of the first day of the month and of the
 * year holding column day (year NULL: the store keeps no year tables, they
 * are left out): the table's name, or NULL past the last table or when sql
 * is too small. */
const char *rollup_month_sql(size_t i, enum rollup_stmt which, const char *month, const char *year,
                             char *sql, size_t len);

/* Statement `which` of table i of every roll-up a store checks and
 * refills: rollup.c's tables (rollup_sql), then the month and year tables
 * (month and year as for rollup_month_sql). The table's name, or NULL
 * past the last. */
const char *rollup_all_sql(size_t i, enum rollup_stmt which, const char *month, const char *year,
                           char *sql, size_t len);

#endif
