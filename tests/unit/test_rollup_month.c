/* Unit tests for store/rollup_month.c: the period split every reader of
 * the month tables uses (both backends), and the list of roll-up
 * statements 'db check' and 'db check --repair' run, table-driven. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "rollup_month.h"

/* day numbers: 2025-11-17, 2025-12-01, 2025-12-31, 2026-01-01,
 * 2026-01-02, 2026-02-01, 2026-02-11 */
enum {
	NOV17 = 20409,
	DEC1 = 20423,
	DEC31 = 20453,
	JAN1 = 20454,
	JAN2 = 20455,
	FEB1 = 20485,
	FEB11 = 20495
};

struct span_case {
	int64_t since, until;
	size_t n;
	struct rollup_span want[3];
};

static const struct span_case span_cases[] = {
    /* days, whole months, days */
    {NOV17, FEB11, 3, {{NOV17, DEC1, 0, 0}, {DEC1, FEB1, 1, 0}, {FEB1, FEB11, 0, 0}}},
    /* whole months only, across a year's end */
    {DEC1, FEB1, 1, {{DEC1, FEB1, 1, 0}}},
    /* no whole month: days only */
    {DEC31, JAN2, 1, {{DEC31, JAN2, 0, 0}}},
    {NOV17, DEC31, 2, {{NOV17, DEC1, 0, 0}, {DEC1, DEC31, 0, 0}}},
    /* a whole month and the days after */
    {JAN1, FEB11, 2, {{JAN1, FEB1, 1, 0}, {FEB1, FEB11, 0, 0}}},
    /* empty */
    {DEC1, DEC1, 0, {{0, 0, 0, 0}}},
};

static void test_rollup_month_spans(void **state)
{
	struct rollup_span got[3];
	char msg[160];
	size_t i, j, n;
	int64_t covered;

	(void)state;
	for (i = 0; i < sizeof(span_cases) / sizeof(span_cases[0]); i++) {
		const struct span_case *c = &span_cases[i];

		n = rollup_month_spans(c->since, c->until, got);
		covered = c->since;
		for (j = 0; j < n; j++) {
			/* the parts follow each other with no gap */
			snprintf(msg, sizeof(msg), "[%lld, %lld) part %zu: [%lld, %lld) after %lld",
			         (long long)c->since, (long long)c->until, j,
			         (long long)got[j].since, (long long)got[j].until,
			         (long long)covered);
			if (got[j].since != covered || got[j].until <= got[j].since)
				fail_msg("%s", msg);
			covered = got[j].until;
		}
		if (n > 0 && covered != c->until)
			fail_msg("[%lld, %lld): parts end at %lld", (long long)c->since,
			         (long long)c->until, (long long)covered);
		/* merged adjacent day parts are allowed: compare month parts
		 * and the set of days read day by day */
		for (j = 0; j < n; j++) {
			size_t k, hit = 0;

			if (got[j].level != ROLLUP_MONTHS)
				continue;
			for (k = 0; k < c->n; k++)
				hit |= c->want[k].level == ROLLUP_MONTHS &&
				       c->want[k].since == got[j].since &&
				       c->want[k].until == got[j].until;
			if (!hit)
				fail_msg("[%lld, %lld): month part [%lld, %lld) not wanted",
				         (long long)c->since, (long long)c->until,
				         (long long)got[j].since, (long long)got[j].until);
		}
		for (j = 0; j < c->n; j++) {
			size_t k, hit = 0;

			if (c->want[j].level != ROLLUP_MONTHS)
				continue;
			for (k = 0; k < n; k++)
				hit |= got[k].level == ROLLUP_MONTHS &&
				       got[k].since == c->want[j].since;
			if (!hit)
				fail_msg("[%lld, %lld): month part from %lld missing",
				         (long long)c->since, (long long)c->until,
				         (long long)c->want[j].since);
		}
	}
}

/* Fails unless the parts count each day of [since, until) once (minus
 * parts taking away) and no day of [since - 400, until + 400) else. */
static void check_exact(int64_t since, int64_t until, int64_t hi, const struct rollup_span *got,
                        size_t n)
{
	static int count[1024 + 800];
	int64_t w0 = since - 400, d;
	size_t j;
	int c = 0;

	assert_true(until - w0 + 400 <= (int64_t)(sizeof(count) / sizeof(count[0])));
	memset(count, 0, sizeof(count));
	/* each part: +1 from its first day, -1 after its last (a difference
	 * array; the window holds every part: a year at most each side) */
	for (j = 0; j < n; j++) {
		assert_true(got[j].since >= w0 && got[j].until <= until + 400);
		assert_true(got[j].since < got[j].until);
		count[got[j].since - w0] += got[j].minus ? -1 : 1;
		count[got[j].until - w0] -= got[j].minus ? -1 : 1;
	}
	for (d = w0; d < until + 400; d++) {
		c += count[d - w0];
		if (c != (d >= since && d < until))
			fail_msg("[%lld, %lld) held to %lld: day %lld counted %d", (long long)since,
			         (long long)until, (long long)hi, (long long)d, c);
	}
}

/* rollup_month_parts without year tables: for periods of every length
 * from 1 to 120 days starting on each day of 2025-11-17 .. 2026-02-11,
 * with the rows held over the whole range or only up to the period's end:
 * each day of the period is counted once over its parts (minus parts
 * taking away), no other day at all; month parts are whole months, never
 * taken away; parts fit the array. */
static void test_rollup_month_parts_exact(void **state)
{
	struct rollup_span got[ROLLUP_PARTS_MAX];
	int64_t since, len, lo = NOV17 - 60;
	size_t j, n;
	int held;

	(void)state;
	for (since = NOV17; since < FEB11; since++)
		for (len = 1; len <= 120; len++)
			for (held = 0; held < 2; held++) {
				int64_t until = since + len, hi = held ? until : FEB11 + 90;

				n = rollup_month_parts(since, until, lo, hi, 0, got);
				assert_true(n <= ROLLUP_PARTS_MAX);
				check_exact(since, until, hi, got, n);
				for (j = 0; j < n; j++)
					assert_true(got[j].level != ROLLUP_YEARS &&
					            (got[j].level == ROLLUP_DAYS || !got[j].minus));
			}
}

/* With year tables: periods of 1 to 40 days, then every 13th length to
 * 800 days, starting on each day of 2025-01-01 .. 2026-12-31, the rows held
 * from 2024-07 to the period's end or to 2027-06: each day counted once,
 * year parts whole years never taken away, fewer parts than the array. */
static void test_rollup_month_parts_years(void **state)
{
	struct rollup_span got[ROLLUP_PARTS_MAX];
	int64_t since, len, y2025 = JAN1 - 365, lo = y2025 - 180;
	size_t j, n, most = 0;
	int held, years = 0;

	(void)state;
	for (since = y2025; since < JAN1 + 365; since++)
		for (len = 1; len <= 800; len += len < 40 ? 1 : 13)
			for (held = 0; held < 2; held++) {
				int64_t until = since + len, hi = held ? until : JAN1 + 365 + 180;

				n = rollup_month_parts(since, until, lo, hi, 1, got);
				check_exact(since, until, hi, got, n);
				most = n > most ? n : most;
				for (j = 0; j < n; j++) {
					years += got[j].level == ROLLUP_YEARS;
					assert_true(got[j].level != ROLLUP_YEARS || !got[j].minus);
				}
			}
	/* the array's bound is reached by some period, never passed (a
	 * part dropped would have failed check_exact) */
	assert_true(most <= ROLLUP_PARTS_MAX);
	assert_true(years > 0);
}

/* The choice: a month mostly in the period is read as its month row less
 * the days outside; a few days are read as days; days that hold no rows
 * cost nothing. */
static void test_rollup_month_parts_choice(void **state)
{
	struct rollup_span got[ROLLUP_PARTS_MAX];
	size_t n;

	(void)state;
	/* 30 days ending with Jan 4 (rows up to then): December less its
	 * first 5 days, then Jan 1-4 as days */
	n = rollup_month_parts(DEC1 + 5, JAN1 + 4, NOV17, JAN1 + 4, 1, got);
	assert_int_equal(n, 3);
	assert_true(got[0].level == ROLLUP_MONTHS && !got[0].minus && got[0].since == DEC1 &&
	            got[0].until == JAN1);
	assert_true(got[1].level == ROLLUP_DAYS && got[1].minus && got[1].since == DEC1 &&
	            got[1].until == DEC1 + 5);
	assert_true(got[2].level == ROLLUP_DAYS && !got[2].minus && got[2].since == JAN1 &&
	            got[2].until == JAN1 + 4);
	/* 7 days across a month's end: one read of days */
	n = rollup_month_parts(DEC31 - 3, JAN1 + 3, NOV17, FEB11, 1, got);
	assert_int_equal(n, 1);
	assert_true(got[0].level == ROLLUP_DAYS && got[0].since == DEC31 - 3 &&
	            got[0].until == JAN1 + 3);
	/* December from the 10th, no rows before the 10th: the month alone,
	 * its first nine days taken away */
	n = rollup_month_parts(DEC1 + 9, JAN1, DEC1 + 9, FEB11, 1, got);
	assert_int_equal(n, 2);
	assert_true(got[0].level == ROLLUP_MONTHS && got[0].since == DEC1);
	assert_true(got[1].minus && got[1].since == DEC1 && got[1].until == DEC1 + 9);
	/* no rows at all: days, which cost nothing either */
	n = rollup_month_parts(DEC1 + 2, JAN1, 0, 0, 1, got);
	assert_int_equal(n, 1);
	assert_true(got[0].level == ROLLUP_DAYS && !got[0].minus);
	assert_int_equal(rollup_month_parts(DEC1, DEC1, NOV17, FEB11, 1, got), 0);
	/* a store of the 365 days to 2026-12-03, --all: December 2025 as its
	 * month (less three days with no rows), 2026 as its year (less
	 * December 4-31, with none either); without year tables, months */
	n = rollup_month_parts(DEC1 + 3, JAN1 + 337, DEC1 + 3, JAN1 + 337, 1, got);
	assert_int_equal(n, 4);
	assert_true(got[0].level == ROLLUP_MONTHS && got[0].since == DEC1 && got[0].until == JAN1);
	assert_true(got[1].level == ROLLUP_DAYS && got[1].minus && got[1].until == DEC1 + 3);
	assert_true(got[2].level == ROLLUP_YEARS && got[2].since == JAN1 &&
	            got[2].until == JAN1 + 365);
	assert_true(got[3].level == ROLLUP_DAYS && got[3].minus && got[3].since == JAN1 + 337 &&
	            got[3].until == JAN1 + 365);
	n = rollup_month_parts(DEC1 + 3, JAN1 + 337, DEC1 + 3, JAN1 + 337, 0, got);
	for (; n > 0; n--)
		assert_true(got[n - 1].level != ROLLUP_YEARS);
	/* half a year of a year held whole: its months, not the year */
	n = rollup_month_parts(JAN1, JAN1 + 181, 0, JAN1 + 700, 1, got);
	assert_int_equal(n, 1);
	assert_true(got[0].level == ROLLUP_MONTHS);
	/* all but two weeks of a year held whole: the year less the weeks */
	n = rollup_month_parts(JAN1 + 14, JAN1 + 365, 0, JAN1 + 700, 1, got);
	assert_int_equal(n, 2);
	assert_true(got[0].level == ROLLUP_YEARS && !got[0].minus);
	assert_true(got[1].level == ROLLUP_DAYS && got[1].minus && got[1].since == JAN1 &&
	            got[1].until == JAN1 + 14);
}

/* The tables 'db check' walks: rollup.c's, then the seven month tables
 * and the six year tables in this order, then none (without a year
 * expression, a store with no year tables: the month tables only); the
 * backend's month and year expressions in their sums, roll_day's by day. */
static void test_rollup_all_sql(void **state)
{
	static const char *const months[] = {
	    "roll_day",          "roll_domain_month", "roll_org_month",   "roll_failure_month",
	    "agg_failure_month", "roll_mx_month",     "roll_type_month",  "roll_domain_year",
	    "roll_org_year",     "roll_failure_year", "agg_failure_year", "roll_mx_year",
	    "roll_type_year"};
	char sql[4096];
	const char *name, *year;
	size_t i, first = 0, n, pass;

	(void)state;
	while ((name = rollup_sql(first, ROLLUP_CLEAR, sql, sizeof(sql))) != NULL) {
		assert_string_equal(rollup_all_sql(first, ROLLUP_CLEAR, "MONTH(day)", "YEAR(day)",
		                                   sql, sizeof(sql)),
		                    name);
		first++;
	}
	assert_true(first > 0);
	for (pass = 0; pass < 2; pass++) {
		year = pass == 0 ? "YEAR(day)" : NULL;
		n = 0;
		for (i = first; (name = rollup_all_sql(i, ROLLUP_FILL, "MONTH(day)", year, sql,
		                                       sizeof(sql))) != NULL;
		     i++) {
			assert_true(n < (year != NULL ? 13 : 7));
			assert_string_equal(name, months[n]);
			if (n == 0)
				assert_null(strstr(sql, "MONTH(day)"));
			else if (n < 7)
				assert_non_null(strstr(sql, "GROUP BY MONTH(day)"));
			else
				assert_non_null(strstr(sql, "GROUP BY YEAR(day)"));
			n++;
		}
		assert_int_equal(n, year != NULL ? 13 : 7);
	}
	/* too small a buffer: no statement, not a truncated one */
	assert_null(rollup_all_sql(first, ROLLUP_DIFF, "MONTH(day)", "YEAR(day)", sql, 32));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rollup_month_spans),
	    cmocka_unit_test(test_rollup_month_parts_exact),
	    cmocka_unit_test(test_rollup_month_parts_years),
	    cmocka_unit_test(test_rollup_month_parts_choice),
	    cmocka_unit_test(test_rollup_all_sql),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
