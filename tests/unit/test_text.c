/* Unit tests for the text helpers (analyzer/text.c): numbers, escaping
 * and wrapping. Table-driven. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "strbuf.h"
#include "text.h"

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
	assert_string_equal(text_rate(2, 1, b, sizeof(b)), "66.66%");
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
	    cmocka_unit_test(test_text_numbers),
	    cmocka_unit_test(test_text_escape_and_wrap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
