/* Unit tests for lib/datetime.c: RFC 3339 parsing, table-driven. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "datetime.h"

struct dt_case {
	const char *in;
	int ok;
	int64_t want;    /* when ok */
	const char *err; /* substring, when not ok */
};

static const struct dt_case dt_cases[] = {
    {"2024-01-01T00:00:00Z", 1, 1704067200, NULL},
    {"2024-01-01T23:59:59Z", 1, 1704153599, NULL},
    {"2024-01-01t00:00:00z", 1, 1704067200, NULL},
    {"2024-01-01 00:00:00Z", 1, 1704067200, NULL},
    /* Microsoft sends no zone: UTC (quirks A1) */
    {"2023-01-10T00:00:00", 1, 1673308800, NULL},
    {"2024-01-01T02:00:00+02:00", 1, 1704067200, NULL},
    {"2023-12-31T19:00:00-05:00", 1, 1704067200, NULL},
    {"2024-01-01T00:00:00.123456Z", 1, 1704067200, NULL},
    {"2016-12-31T23:59:60Z", 1, 1483228799, NULL},
    {"2024-02-29T00:00:00Z", 1, 1709164800, NULL},
    {"2023-02-29T00:00:00Z", 0, 0, "no such date"},
    {"2024-13-01T00:00:00Z", 0, 0, "no such date"},
    {"2024-01-01T24:00:00Z", 0, 0, "out of range"},
    {"2024-01-01T00:60:00Z", 0, 0, "out of range"},
    {"2024-01-01", 0, 0, "no 'T'"},
    {"2024-01-01T00:00Z", 0, 0, "HH:MM:SS"},
    {"2024-01-01T00:00:00+0200", 0, 0, "zone offset"},
    {"2024-01-01T00:00:00.Z", 0, 0, "empty fraction"},
    {"2024-01-01T00:00:00Z ", 0, 0, "trailing"},
    {"1969-12-31T23:59:59Z", 0, 0, "year 1969 out of range"},
    {"9999-01-01T00:00:00Z", 0, 0, "out of range"},
    {"", 0, 0, "not a date"},
    {"yesterday", 0, 0, "not a date"},
    {"2024-1-01T00:00:00Z", 0, 0, "not a date"},
};

static void test_datetime_table(void **state)
{
	char err[128], msg[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(dt_cases) / sizeof(dt_cases[0]); i++) {
		const struct dt_case *c = &dt_cases[i];
		int64_t got = -1;
		int rc;

		err[0] = '\0';
		rc = datetime_parse_rfc3339(c->in, &got, err, sizeof(err));
		snprintf(msg, sizeof(msg), "'%s': rc %d got %lld err '%s'", c->in, rc,
		         (long long)got, err);
		if (c->ok) {
			if (rc != 0 || got != c->want)
				fail_msg("%s, want %lld", msg, (long long)c->want);
		} else {
			if (rc != -1 || strstr(err, c->err) == NULL)
				fail_msg("%s, want error containing '%s'", msg, c->err);
			if (got != -1)
				fail_msg("%s: output written on failure", msg);
		}
	}
}

static void test_datetime_days(void **state)
{
	char buf[32];
	int64_t day;
	char err[64];

	(void)state;
	assert_int_equal(datetime_days_from_civil(1970, 1, 1), 0);
	assert_int_equal(datetime_days_from_civil(2000, 3, 1), 11017);
	assert_int_equal(datetime_day_of(86399), 0);
	assert_int_equal(datetime_day_of(86400), 1);
	assert_int_equal(datetime_day_of(-1), -1);
	datetime_format_day(19775, buf, sizeof(buf));
	assert_string_equal(buf, "2024-02-22");
	datetime_format_utc(1704153599, buf, sizeof(buf));
	assert_string_equal(buf, "2024-01-01T23:59:59Z");
	assert_int_equal(datetime_parse_day("2024-02-22", &day, err, sizeof(err)), 0);
	assert_int_equal(day, 19775);
	assert_int_equal(datetime_parse_day("2024-02-22x", &day, err, sizeof(err)), -1);
	assert_int_equal(datetime_parse_day("2024-02-30", &day, err, sizeof(err)), -1);
	/* every day from 2000 to 2199 round-trips */
	for (day = 10957; day < datetime_days_from_civil(2200, 1, 1); day++) {
		int64_t back;

		datetime_format_day(day, buf, sizeof(buf));
		assert_int_equal(datetime_parse_day(buf, &back, err, sizeof(err)), 0);
		assert_int_equal(back, day);
	}
}

static int64_t day_of(const char *s)
{
	int64_t day = 0;
	char err[64];

	assert_int_equal(datetime_parse_day(s, &day, err, sizeof(err)), 0);
	return day;
}

static void test_datetime_months(void **state)
{
	static const struct {
		const char *since, *until, *months_since, *months_until;
	} cases[] = {
	    {"2024-01-15", "2024-04-10", "2024-02-01", "2024-04-01"},
	    {"2024-01-01", "2024-03-01", "2024-01-01", "2024-03-01"},
	    {"2024-01-01", "2024-02-01", "2024-01-01", "2024-02-01"},
	    {"2023-12-01", "2024-02-01", "2023-12-01", "2024-02-01"},
	    {"2023-11-30", "2024-01-02", "2023-12-01", "2024-01-01"},
	    /* no whole month: all of it read by day */
	    {"2024-01-15", "2024-02-10", "2024-01-15", "2024-01-15"},
	    {"2024-01-01", "2024-01-31", "2024-01-01", "2024-01-01"},
	    {"2024-02-02", "2024-03-01", "2024-02-02", "2024-02-02"},
	    {"2024-03-01", "2024-03-01", "2024-03-01", "2024-03-01"},
	};
	int64_t since, until, ms, mu, first;
	size_t i;

	(void)state;
	assert_int_equal(datetime_month_start(day_of("2024-02-29")), day_of("2024-02-01"));
	assert_int_equal(datetime_month_start(-1), -31); /* 1969-12-31, 1969-12-01 */
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		datetime_split_months(day_of(cases[i].since), day_of(cases[i].until), &ms, &mu);
		assert_int_equal(ms, day_of(cases[i].months_since));
		assert_int_equal(mu, day_of(cases[i].months_until));
	}
	/* every period of up to 70 days over two years: the parts tile it and
	 * the middle is whole months */
	for (since = day_of("2023-01-01"); since < day_of("2025-01-01"); since++)
		for (until = since; until < since + 70; until++) {
			datetime_split_months(since, until, &ms, &mu);
			assert_true(since <= ms && ms <= mu && mu <= until);
			if (ms < mu) {
				assert_int_equal(datetime_month_start(ms), ms);
				assert_int_equal(datetime_month_start(mu), mu);
			}
			/* no whole month left out: the first month start in the
			 * period and the last one bound the middle */
			first = datetime_month_start(since) == since
			            ? since
			            : datetime_month_start(datetime_month_start(since) + 40);
			if (ms < mu)
				assert_true(ms == first && mu == datetime_month_start(until));
			else
				assert_true(first >= datetime_month_start(until));
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_datetime_table),
	    cmocka_unit_test(test_datetime_days),
	    cmocka_unit_test(test_datetime_months),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
