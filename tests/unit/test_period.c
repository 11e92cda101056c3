/* Unit tests for the analyzer's date options (analyzer/period.c).
 * Table-driven. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "datetime.h"
#include "limits.h"
#include "period.h"

/* 2026-11-29, a fixed "today" */
#define TODAY 20786

struct days_case {
	const char *in;
	int64_t min, max;
	int ok;
	int64_t want;
	const char *err;
};

static const struct days_case days_cases[] = {
    {"1", 1, 100, 1, 1, NULL},
    {"7d", 1, 100, 1, 7, NULL},
    {"28d", 1, 100, 1, 28, NULL},
    {"007d", 1, 100, 1, 7, NULL},
    {"0d", 0, 100, 1, 0, NULL},
    {"0d", 1, 100, 0, 0, "out of range 1..100"},
    {"101d", 1, 100, 0, 0, "out of range"},
    {"36525d", 1, LIMIT_PERIOD_DAYS, 1, 36525, NULL},
    {"36526d", 1, LIMIT_PERIOD_DAYS, 0, 0, "out of range"},
    {"99999999999d", 1, LIMIT_PERIOD_DAYS, 0, 0, "not a number of days"},
    {"d", 1, 100, 0, 0, "not a number of days"},
    {"", 1, 100, 0, 0, "not a number of days"},
    {"-1d", 0, 100, 0, 0, "not a number of days"},
    {"+1d", 0, 100, 0, 0, "not a number of days"},
    {" 1d", 0, 100, 0, 0, "not a number of days"},
    {"1.5d", 0, 100, 0, 0, "not a number of days"},
    {"1dd", 0, 100, 0, 0, "not a number of days"},
    {"1w", 0, 100, 0, 0, "not a number of days"},
    {"0x10", 0, 100, 0, 0, "not a number of days"},
};

static void test_period_days(void **state)
{
	char err[128], msg[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(days_cases) / sizeof(days_cases[0]); i++) {
		const struct days_case *c = &days_cases[i];
		int64_t got = -42;
		int rc;

		err[0] = '\0';
		rc = period_parse_days(c->in, c->min, c->max, &got, err, sizeof(err));
		snprintf(msg, sizeof(msg), "'%s': rc %d got %lld err '%s'", c->in, rc,
		         (long long)got, err);
		if (c->ok) {
			if (rc != 0 || got != c->want)
				fail_msg("%s, want %lld", msg, (long long)c->want);
		} else {
			if (rc != -1 || got != -42 || strstr(err, c->err) == NULL)
				fail_msg("%s, want error '%s' and output untouched", msg, c->err);
		}
	}
}

struct since_case {
	const char *in;
	int ok;
	int64_t want; /* day number */
	const char *err;
};

static const struct since_case since_cases[] = {
    {"7d", 1, TODAY - 7, NULL},
    {"1d", 1, TODAY - 1, NULL},
    {"2026-11-22", 1, TODAY - 7, NULL},
    {"2024-02-29", 1, 19782, NULL},
    {"1970-01-01", 0, 0, "out of range"},
    {"2023-02-29", 0, 0, "no such date"},
    {"2026-11-22T00:00:00Z", 0, 0, "not a date"},
    {"7", 0, 0, "not a date"},
    {"0d", 0, 0, "out of range"},
    {"yesterday", 0, 0, "not a date"},
    {"", 0, 0, "not a date"},
};

static void test_period_since(void **state)
{
	char err[128], msg[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(since_cases) / sizeof(since_cases[0]); i++) {
		const struct since_case *c = &since_cases[i];
		int64_t got = -42;
		int rc;

		err[0] = '\0';
		rc = period_parse_since(c->in, TODAY, &got, err, sizeof(err));
		snprintf(msg, sizeof(msg), "'%s': rc %d got %lld err '%s'", c->in, rc,
		         (long long)got, err);
		if (c->ok && (rc != 0 || got != c->want))
			fail_msg("%s, want %lld", msg, (long long)c->want);
		if (!c->ok && (rc != -1 || got != -42 || strstr(err, c->err) == NULL))
			fail_msg("%s, want error '%s'", msg, c->err);
	}
}

static void test_period_resolve(void **state)
{
	int64_t a = -1, b = -1;
	char err[128], d[16];

	(void)state;
	/* the default: the 7 complete days before today */
	assert_int_equal(period_resolve(NULL, NULL, TODAY, 7, &a, &b, err, sizeof(err)), 0);
	assert_int_equal(a, TODAY - 7);
	assert_int_equal(b, TODAY);
	datetime_format_day(a, d, sizeof(d));
	assert_string_equal(d, "2026-11-22");
	/* until is exclusive: one day */
	assert_int_equal(
	    period_resolve("2024-02-22", "2024-02-23", TODAY, 7, &a, &b, err, sizeof(err)), 0);
	assert_int_equal(b - a, 1);
	/* Nd with an explicit until */
	assert_int_equal(period_resolve("30d", "2026-11-01", TODAY, 7, &a, &b, err, sizeof(err)),
	                 0);
	assert_int_equal(a, TODAY - 30);
	/* empty and reversed periods are refused, output untouched */
	a = b = -5;
	assert_int_equal(
	    period_resolve("2024-02-22", "2024-02-22", TODAY, 7, &a, &b, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "empty period"));
	assert_int_equal(
	    period_resolve("2024-02-23", "2024-02-22", TODAY, 7, &a, &b, err, sizeof(err)), -1);
	assert_int_equal(period_resolve(NULL, "2000-13-01", TODAY, 7, &a, &b, err, sizeof(err)),
	                 -1);
	assert_non_null(strstr(err, "no such date"));
	assert_int_equal(a, -5);
	assert_int_equal(b, -5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_period_days),
	    cmocka_unit_test(test_period_since),
	    cmocka_unit_test(test_period_resolve),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
