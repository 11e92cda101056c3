/* Unit tests for lib/parse_int.c: the bounded integer parser, table-driven. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "parse_int.h"

struct pi_case {
	const char *in;
	int64_t min, max;
	int rc;          /* 0, PARSE_INT_INVALID or PARSE_INT_RANGE */
	int64_t want;    /* when rc == 0 */
	const char *err; /* substring, when rc != 0 */
};

static const struct pi_case pi_cases[] = {
    {"0", 0, 10, 0, 0, NULL},
    {"7", 0, 10, 0, 7, NULL},
    {"10", 0, 10, 0, 10, NULL},
    {"010", 0, 10, 0, 10, NULL}, /* decimal, never octal */
    {"0x10", 0, 100, PARSE_INT_INVALID, 0, "not a decimal integer"},
    {"1e3", 0, 10000, PARSE_INT_INVALID, 0, "not a decimal integer"},
    {"11", 0, 10, PARSE_INT_RANGE, 0, "out of range 0..10"},
    {"0", 1, 10, PARSE_INT_RANGE, 0, "out of range 1..10"},
    /* empty, whitespace, trailing junk */
    {"", 0, 10, PARSE_INT_INVALID, 0, "not a decimal integer"},
    {" 1", 0, 10, PARSE_INT_INVALID, 0, "not a decimal integer"},
    {"1 ", 0, 10, PARSE_INT_INVALID, 0, "not a decimal integer"},
    {"\t1", 0, 10, PARSE_INT_INVALID, 0, "not a decimal integer"},
    {"1\n", 0, 10, PARSE_INT_INVALID, 0, "not a decimal integer"},
    {"10d", 1, 1000, PARSE_INT_INVALID, 0, "not a decimal integer"},
    {"1.5", 0, 10, PARSE_INT_INVALID, 0, "not a decimal integer"},
    {"abc", 0, 10, PARSE_INT_INVALID, 0, "not a decimal integer"},
    /* sign games */
    {"+1", 0, 10, PARSE_INT_INVALID, 0, "not a decimal integer"},
    {"-1", 0, 10, PARSE_INT_INVALID, 0, "not a decimal integer"},
    {"-0", 0, 10, PARSE_INT_INVALID, 0, "not a decimal integer"},
    {"-", -10, 10, PARSE_INT_INVALID, 0, "not a decimal integer"},
    {"--1", -10, 10, PARSE_INT_INVALID, 0, "not a decimal integer"},
    {"-+1", -10, 10, PARSE_INT_INVALID, 0, "not a decimal integer"},
    {"+-1", -10, 10, PARSE_INT_INVALID, 0, "not a decimal integer"},
    {"-1", -10, 10, 0, -1, NULL},
    {"-10", -10, 10, 0, -10, NULL},
    {"-11", -10, 10, PARSE_INT_RANGE, 0, "out of range -10..10"},
    /* the edges of int64_t, and past them */
    {"9223372036854775807", 0, INT64_MAX, 0, INT64_MAX, NULL},
    {"9223372036854775808", 0, INT64_MAX, PARSE_INT_RANGE, 0, "out of range"},
    {"99999999999999999999999", 0, INT64_MAX, PARSE_INT_RANGE, 0, "out of range"},
    {"-9223372036854775808", INT64_MIN, 0, 0, INT64_MIN, NULL},
    {"-9223372036854775809", INT64_MIN, 0, PARSE_INT_RANGE, 0, "out of range"},
    /* an overflowing prefix does not hide trailing junk */
    {"99999999999999999999999x", 0, INT64_MAX, PARSE_INT_INVALID, 0, "not a decimal"},
    /* the limits the callers use */
    {"9007199254740991", 1, 9007199254740991LL, 0, 9007199254740991LL, NULL},
    {"9007199254740992", 1, 9007199254740991LL, PARSE_INT_RANGE, 0, "out of range"},
    {"65535", 1, 65535, 0, 65535, NULL},
    {"65536", 1, 65535, PARSE_INT_RANGE, 0, "out of range 1..65535"},
};

static void test_parse_int_table(void **state)
{
	char err[128], msg[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(pi_cases) / sizeof(pi_cases[0]); i++) {
		const struct pi_case *c = &pi_cases[i];
		int64_t got = 12345;
		int rc;

		err[0] = '\0';
		rc = parse_int(c->in, c->min, c->max, &got, err, sizeof(err));
		snprintf(msg, sizeof(msg), "'%s' in %lld..%lld: rc %d got %lld err '%s'", c->in,
		         (long long)c->min, (long long)c->max, rc, (long long)got, err);
		if (rc != c->rc)
			fail_msg("%s, want rc %d", msg, c->rc);
		if (c->rc == 0 && got != c->want)
			fail_msg("%s, want %lld", msg, (long long)c->want);
		if (c->rc != 0 && (got != 12345 || strstr(err, c->err) == NULL))
			fail_msg("%s, want output untouched and error containing '%s'", msg,
			         c->err);
	}
}

/* err may be NULL or empty: the caller then writes its own message. */
static void test_parse_int_no_err(void **state)
{
	int64_t got = 0;
	char one[1] = {'x'};

	(void)state;
	assert_int_equal(parse_int("x", 0, 1, &got, NULL, 0), PARSE_INT_INVALID);
	assert_int_equal(parse_int("2", 0, 1, &got, one, 0), PARSE_INT_RANGE);
	assert_int_equal(one[0], 'x');
	assert_int_equal(parse_int("1", 0, 1, &got, NULL, 0), 0);
	assert_int_equal(got, 1);
}

static void test_parse_hex_digit(void **state)
{
	static const char digits[] = "0123456789abcdef", upper[] = "ABCDEF";
	int i;

	(void)state;
	for (i = 0; i < 16; i++)
		assert_int_equal(parse_hex_digit(digits[i]), i);
	for (i = 0; i < 6; i++)
		assert_int_equal(parse_hex_digit(upper[i]), 10 + i);
	assert_int_equal(parse_hex_digit('g'), -1);
	assert_int_equal(parse_hex_digit('G'), -1);
	assert_int_equal(parse_hex_digit('/'), -1);
	assert_int_equal(parse_hex_digit(':'), -1);
	assert_int_equal(parse_hex_digit('\0'), -1);
	assert_int_equal(parse_hex_digit((char)0xe4), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_int_table),
	    cmocka_unit_test(test_parse_int_no_err),
	    cmocka_unit_test(test_parse_hex_digit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
