/* Unit tests for the analyzer's date options (analyzer/period.c), hints
 * and text helpers (analyzer/hints.c, analyzer/text.c). Table-driven. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "datetime.h"
#include "hints.h"
#include "limits.h"
#include "period.h"
#include "text.h"

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

static const char *const registered[] = {
    "starttls-not-supported", "certificate-host-mismatch",
    "certificate-expired",    "certificate-not-trusted",
    "validation-failure",     "tlsa-invalid",
    "dnssec-invalid",         "dane-required",
    "sts-policy-fetch-error", "sts-policy-invalid",
    "sts-webpki-invalid",
};

static void test_hints(void **state)
{
	char out[HINTS_MAX], generic[HINTS_MAX], tiny[24];
	size_t i;

	(void)state;
	hints_format("x-not-registered", "example.com", generic, sizeof(generic));
	assert_non_null(strstr(generic, "not a result type RFC 8460 registers"));
	assert_false(hints_is_registered("x-not-registered"));
	assert_false(hints_is_registered(NULL));
	for (i = 0; i < sizeof(registered) / sizeof(registered[0]); i++) {
		hints_format(registered[i], "example.com", out, sizeof(out));
		if (!hints_is_registered(registered[i]) || strcmp(out, generic) == 0 ||
		    strlen(out) < 30 || strchr(out, '{') != NULL)
			fail_msg("%s: hint '%s'", registered[i], out);
	}
	hints_format("sts-policy-fetch-error", "example.com", out, sizeof(out));
	assert_non_null(strstr(out, "https://mta-sts.example.com/.well-known/mta-sts.txt"));
	/* no one domain (NULL), or the "(none)" domain (""): no placeholder */
	for (i = 0; i < 2 * sizeof(registered) / sizeof(registered[0]); i++) {
		hints_format(registered[i / 2], i % 2 ? "" : NULL, out, sizeof(out));
		if (strchr(out, '<') != NULL || strchr(out, '{') != NULL ||
		    strstr(out, "mta-sts./") != NULL || strstr(out, "of ;") != NULL ||
		    out[strlen(out) - 1] == ' ')
			fail_msg("%s without a domain: hint '%s'", registered[i / 2], out);
	}
	hints_format("sts-policy-fetch-error", NULL, out, sizeof(out));
	assert_non_null(strstr(out, "the domain's MTA-STS policy"));
	hints_format("certificate-expired", "example.com", out, sizeof(out));
	assert_string_equal(out, "the MX presented an expired certificate; renew it");
	/* a small buffer is filled, terminated, never overrun */
	memset(tiny, 'x', sizeof(tiny));
	hints_format("sts-policy-fetch-error", "example.com", tiny, sizeof(tiny));
	assert_true(strlen(tiny) < sizeof(tiny));
}

static void test_text_numbers(void **state)
{
	char b[64];

	(void)state;
	assert_string_equal(text_count(0, b, sizeof(b)), "0");
	assert_string_equal(text_count(999, b, sizeof(b)), "999");
	assert_string_equal(text_count(1000, b, sizeof(b)), "1,000");
	assert_string_equal(text_count(1234567, b, sizeof(b)), "1,234,567");
	assert_string_equal(text_count(-1234, b, sizeof(b)), "-1,234");
	assert_string_equal(text_count(LIMIT_COUNT_MAX, b, sizeof(b)), "9,007,199,254,740,991");
	assert_string_equal(text_rate(0, 0, b, sizeof(b)), "-");
	assert_string_equal(text_rate(1, 0, b, sizeof(b)), "100.00%");
	assert_string_equal(text_rate(0, 1, b, sizeof(b)), "0.00%");
	/* truncated, so 100.00% only without failures */
	assert_string_equal(text_rate(99999, 1, b, sizeof(b)), "99.99%");
	assert_string_equal(text_rate(2, 1, b, sizeof(b)), "66.67%"); /* rounded, not cut */
	assert_string_equal(text_rate(17742, 18205 - 17742, b, sizeof(b)), "97.46%");
	assert_string_equal(text_rate(1, 2, b, sizeof(b)), "33.33%");
	/* 100.00% and 0.00% stay exact: 99.9999% and 0.0001% do not round there */
	assert_string_equal(text_rate(999999, 1, b, sizeof(b)), "99.99%");
	assert_string_equal(text_rate(1, 999999, b, sizeof(b)), "0.01%");
	assert_string_equal(text_percent(1, 8, b, sizeof(b)), "12.50%");
	assert_string_equal(text_percent(1, 0, b, sizeof(b)), "-");
	assert_string_equal(text_rate(LIMIT_COUNT_MAX, 1, b, sizeof(b)), "99.99%");
	assert_string_equal(text_rate(LIMIT_COUNT_MAX, LIMIT_COUNT_MAX, b, sizeof(b)), "50.00%");
	assert_string_equal(text_delta(5, 3, 1, b, sizeof(b)), "+2");
	assert_string_equal(text_delta(3, 5, 1, b, sizeof(b)), "-2");
	assert_string_equal(text_delta(5, 5, 1, b, sizeof(b)), "0");
	assert_string_equal(text_delta(5000, 0, 1, b, sizeof(b)), "+5,000");
	assert_string_equal(text_delta(5, 0, 0, b, sizeof(b)), "new");
	assert_string_equal(text_rate_delta(99, 1, 100, 0, b, sizeof(b)), "-1.00 pp");
	assert_string_equal(text_rate_delta(100, 0, 99, 1, b, sizeof(b)), "+1.00 pp");
	assert_string_equal(text_rate_delta(1, 0, 1, 0, b, sizeof(b)), "0.00 pp");
	assert_string_equal(text_rate_delta(1, 0, 0, 0, b, sizeof(b)), "-");
}

static void test_text_escape_and_wrap(void **state)
{
	struct strbuf sb;
	struct text_out o;
	char buf[TEXT_CELL_MAX];
	const char *p, *nl;
	size_t longest = 0;

	(void)state;
	assert_string_equal(text_escape("\033[2JEvil\r\nCorp", buf, sizeof(buf)),
	                    "\\x1b[2JEvil\\x0d\\x0aCorp");
	assert_int_equal(text_width("Gr\xc3\xbc\xc3\x9f Gott"), 9);
	strbuf_init(&sb, 4096);
	o.sb = &sb;
	o.failed = 0;
	text_wrap(&o, 4,
	          "senders could not fetch https://mta-sts.example.com/.well-known/mta-sts.txt; "
	          "check the web server, its DNS and that the file is served, and then check it "
	          "again tomorrow");
	text_wrap(&o, 2,
	          "https://a-very-long-unbreakable-word.example/that/is/longer/than/eighty/"
	          "columns/all/by/itself");
	for (p = strbuf_str(&sb); *p != '\0'; p = nl + 1) {
		size_t len;

		nl = strchr(p, '\n');
		assert_non_null(nl);
		len = (size_t)(nl - p);
		/* a line over 80 columns is one word after its indent */
		if (len > TEXT_COLUMNS && memchr(p + 2, ' ', len - 2) != NULL)
			fail_msg("line of %zu columns with a space: '%.*s'", len, (int)len, p);
		if (len > longest)
			longest = len;
	}
	assert_true(longest > TEXT_COLUMNS); /* the unbreakable word */
	assert_int_equal(o.failed, 0);
	/* a full buffer is reported, not silently cut */
	strbuf_free(&sb);
	strbuf_init(&sb, 16);
	text_puts(&o, "0123456789");
	text_puts(&o, "0123456789");
	assert_int_equal(o.failed, 1);
	strbuf_free(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_period_days),    cmocka_unit_test(test_period_since),
	    cmocka_unit_test(test_period_resolve), cmocka_unit_test(test_hints),
	    cmocka_unit_test(test_text_numbers),   cmocka_unit_test(test_text_escape_and_wrap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
