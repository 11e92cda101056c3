/* Unit tests for lib/escape.c: terminal, HTML, CSV and Prometheus label
 * escaping of hostile strings, table-driven. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "escape.h"

enum esc_kind { ESC_TEXT, ESC_HTML, ESC_CSV, ESC_PROM };

struct esc_case {
	enum esc_kind kind;
	const char *in;
	const char *want;
};

static const struct esc_case esc_cases[] = {
    {ESC_TEXT, "plain", "plain"},
    {ESC_TEXT, "a\x1b[2Jb\x07", "a\\x1b[2Jb\\x07"},
    {ESC_TEXT, "back\\slash", "back\\\\slash"},
    {ESC_TEXT,
     "csi\xc2\x9b"
     "2J",
     "csi\\u009b2J"},
    {ESC_TEXT,
     "evil\xe2\x80\xae"
     "txt.exe",
     "evil\\u202etxt.exe"},
    {ESC_TEXT, "zero\xe2\x80\x8bwidth\xef\xbb\xbf", "zero\\u200bwidth\\ufeff"},
    {ESC_TEXT, "iso\xe2\x81\xa6late\xd8\x9c", "iso\\u2066late\\u061c"},
    {ESC_TEXT, "caf\xc3\xa9 \xe2\x82\xac", "caf\xc3\xa9 \xe2\x82\xac"},
    {ESC_HTML, "<a href=\"x\">'&'</a>", "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"},
    {ESC_HTML, "Corp\xe2\x80\xae<", "Corp\\u202e&lt;"},
    {ESC_HTML, "caf\xc3\xa9", "caf\xc3\xa9"},
    {ESC_CSV, "plain", "plain"},
    {ESC_CSV, "a,b", "\"a,b\""},
    {ESC_CSV, "Acme;=cmd|' /C calc'!A0", "\"Acme;=cmd|' /C calc'!A0\""},
    {ESC_CSV, "tab\there", "tab\\x09here"},
    {ESC_CSV, "=1+1", "\"'=1+1\""},
    {ESC_CSV, "@SUM(A1)", "\"'@SUM(A1)\""},
    {ESC_CSV, "-2", "\"'-2\""},
    {ESC_CSV, "say \"hi\"", "\"say \"\"hi\"\"\""},
    {ESC_CSV, "r\xe2\x80\xaeL", "r\\u202eL"},
    {ESC_PROM, "plain", "plain"},
    {ESC_PROM, "q\"b\\n\nx", "q\\\"b\\\\n\\nx"},
    {ESC_PROM, "\x1b[31mred\x07\r", "[31mred"},
    {ESC_PROM, "c1\xc2\x9b", "c1"},
    {ESC_PROM, "bidi\xe2\x80\xae", "bidi\\\\u202e"},
};

static void test_escape_cases(void **state)
{
	struct strbuf sb;
	size_t i;
	int rc = 0;

	(void)state;
	for (i = 0; i < sizeof(esc_cases) / sizeof(esc_cases[0]); i++) {
		const struct esc_case *c = &esc_cases[i];

		strbuf_init(&sb, 4096);
		switch (c->kind) {
		case ESC_TEXT:
			rc = escape_text_sb(&sb, c->in);
			break;
		case ESC_HTML:
			rc = escape_html(&sb, c->in);
			break;
		case ESC_CSV:
			rc = escape_csv(&sb, c->in);
			break;
		case ESC_PROM:
			rc = escape_prom_label(&sb, c->in);
			break;
		}
		if (rc != 0 || strcmp(strbuf_str(&sb), c->want) != 0)
			fail_msg("case %zu: got %d '%s', want '%s'", i, rc, strbuf_str(&sb),
			         c->want);
		strbuf_free(&sb);
	}
}

/* The fixed-size form cuts, and never splits an escape. */
static void test_escape_text_cut(void **state)
{
	char out[64];
	const char *in = "ab\xe2\x80\xae"
	                 "cd";

	(void)state;
	assert_string_equal(escape_text(in, strlen(in), 100, out, sizeof(out)), "ab\\u202ecd");
	assert_string_equal(escape_text(in, strlen(in), 2, out, sizeof(out)), "ab...");
	assert_string_equal(escape_text(in, strlen(in), 100, out, 6), "ab");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_escape_cases),
	    cmocka_unit_test(test_escape_text_cut),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
