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

			if (!got[j].monthly)
				continue;
			for (k = 0; k < c->n; k++)
				hit |= c->want[k].monthly && c->want[k].since == got[j].since &&
				       c->want[k].until == got[j].until;
			if (!hit)
				fail_msg("[%lld, %lld): month part [%lld, %lld) not wanted",
				         (long long)c->since, (long long)c->until,
				         (long long)got[j].since, (long long)got[j].until);
		}
		for (j = 0; j < c->n; j++) {
			size_t k, hit = 0;

			if (!c->want[j].monthly)
				continue;
			for (k = 0; k < n; k++)
				hit |= got[k].monthly && got[k].since == c->want[j].since;
			if (!hit)
				fail_msg("[%lld, %lld): month part from %lld missing",
				         (long long)c->since, (long long)c->until,
				         (long long)c->want[j].since);
		}
	}
}

/* 1 when day d is in part p. */
static int day_in(int64_t d, const struct rollup_span *p)
{
	return d >= p->since && d < p->until;
}

/* rollup_month_parts: for periods of every length from 1 to 120 days
 * starting on each day of 2025-11-17 .. 2026-02-11, with the rows held
 * over the whole range or only up to the period's end: each day of the
 * period is counted once over its parts (minus parts taking away), no
 * other day at all; month parts are whole months; parts fit the array. */
static void test_rollup_month_parts_exact(void **state)
{
	struct rollup_span got[ROLLUP_PARTS_MAX];
	int64_t since, len, d, lo = NOV17 - 60;
	size_t j, n;
	int held, count;

	(void)state;
	for (since = NOV17; since < FEB11; since++)
		for (len = 1; len <= 120; len++)
			for (held = 0; held < 2; held++) {
				int64_t until = since + len, hi = held ? until : FEB11 + 90;

				n = rollup_month_parts(since, until, lo, hi, got);
				assert_true(n <= ROLLUP_PARTS_MAX);
				for (d = since - 62; d < until + 62; d++) {
					count = 0;
					for (j = 0; j < n; j++)
						if (day_in(d, &got[j]))
							count += got[j].minus ? -1 : 1;
					if (count != (d >= since && d < until))
						fail_msg("[%lld, %lld) held to %lld: day %lld "
						         "counted %d",
						         (long long)since, (long long)until,
						         (long long)hi, (long long)d, count);
				}
				for (j = 0; j < n; j++)
					assert_true(!got[j].monthly || !got[j].minus);
			}
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
	n = rollup_month_parts(DEC1 + 5, JAN1 + 4, NOV17, JAN1 + 4, got);
	assert_int_equal(n, 3);
	assert_true(got[0].monthly && !got[0].minus && got[0].since == DEC1 &&
	            got[0].until == JAN1);
	assert_true(!got[1].monthly && got[1].minus && got[1].since == DEC1 &&
	            got[1].until == DEC1 + 5);
	assert_true(!got[2].monthly && !got[2].minus && got[2].since == JAN1 &&
	            got[2].until == JAN1 + 4);
	/* 7 days across a month's end: one read of days */
	n = rollup_month_parts(DEC31 - 3, JAN1 + 3, NOV17, FEB11, got);
	assert_int_equal(n, 1);
	assert_true(!got[0].monthly && got[0].since == DEC31 - 3 && got[0].until == JAN1 + 3);
	/* December from the 10th, no rows before the 10th: the month alone,
	 * its first nine days taken away */
	n = rollup_month_parts(DEC1 + 9, JAN1, DEC1 + 9, FEB11, got);
	assert_int_equal(n, 2);
	assert_true(got[0].monthly && got[0].since == DEC1);
	assert_true(got[1].minus && got[1].since == DEC1 && got[1].until == DEC1 + 9);
	/* no rows at all: days, which cost nothing either */
	n = rollup_month_parts(DEC1 + 2, JAN1, 0, 0, got);
	assert_int_equal(n, 1);
	assert_true(!got[0].monthly && !got[0].minus);
	assert_int_equal(rollup_month_parts(DEC1, DEC1, NOV17, FEB11, got), 0);
}

/* The tables 'db check' walks: rollup.c's, then the seven month tables
 * in this order, then none; the backend's month expression in their
 * sums, roll_day's by day. */
static void test_rollup_all_sql(void **state)
{
	static const char *const months[] = {
	    "roll_day",          "roll_domain_month", "roll_org_month", "roll_failure_month",
	    "agg_failure_month", "roll_mx_month",     "roll_type_month"};
	char sql[4096];
	const char *name;
	size_t i, first = 0, n = 0;

	(void)state;
	while ((name = rollup_sql(first, ROLLUP_CLEAR, sql, sizeof(sql))) != NULL) {
		assert_string_equal(
		    rollup_all_sql(first, ROLLUP_CLEAR, "MONTH(day)", sql, sizeof(sql)), name);
		first++;
	}
	assert_true(first > 0);
	for (i = first;
	     (name = rollup_all_sql(i, ROLLUP_FILL, "MONTH(day)", sql, sizeof(sql))) != NULL; i++) {
		assert_true(n < sizeof(months) / sizeof(months[0]));
		assert_string_equal(name, months[n]);
		if (n == 0)
			assert_null(strstr(sql, "MONTH(day)"));
		else
			assert_non_null(strstr(sql, "GROUP BY MONTH(day)"));
		n++;
	}
	assert_int_equal(n, sizeof(months) / sizeof(months[0]));
	/* too small a buffer: no statement, not a truncated one */
	assert_null(rollup_all_sql(first, ROLLUP_DIFF, "MONTH(day)", sql, 32));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rollup_month_spans),
	    cmocka_unit_test(test_rollup_month_parts_exact),
	    cmocka_unit_test(test_rollup_month_parts_choice),
	    cmocka_unit_test(test_rollup_all_sql),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
