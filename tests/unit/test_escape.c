/* Unit tests for lib/escape.c: untrusted text made safe for a terminal or
 * a log (C0, DEL, backslash and the C1 range escaped, long text cut with
 * "...", never past the output buffer) and for HTML (the five special
 * characters as entities). Table-driven; a failure names the case and
 * shows got and want. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "escape.h"
#include "limits.h"
#include "strbuf.h"

struct text_case {
	const char *name;
	const char *in;
	size_t len; /* bytes of in */
	size_t max_in;
	size_t outlen;
	const char *want;
};

#define T(name, s, max_in, outlen, want)                                                           \
	{                                                                                          \
		name, s, sizeof(s) - 1, max_in, outlen, want                                       \
	}

static const struct text_case text_cases[] = {
    T("plain", "mx1.example.com", 100, 64, "mx1.example.com"),
    T("empty", "", 100, 64, ""),
    T("newline", "a\nb", 100, 64, "a\\x0ab"),
    T("CR and tab", "\r\t", 100, 64, "\\x0d\\x09"),
    T("terminal escape", "\x1b[31mred", 100, 64, "\\x1b[31mred"),
    T("DEL", "del\x7f", 100, 64, "del\\x7f"),
    T("backslash doubled", "a\\b", 100, 64, "a\\\\b"),
    T("NUL inside", "a\0b", 100, 64, "a\\x00b"),
    T("C1 CSI", "x\xc2\x9by", 100, 64, "x\\u009by"),
    T("C1 lowest", "\xc2\x80", 100, 64, "\\u0080"),
    T("NBSP is not C1", "\xc2\xa0", 100, 64, "\xc2\xa0"),
    T("UTF-8 kept", "caf\xc3\xa9", 100, 64, "caf\xc3\xa9"),
    T("lone C2 at the end kept", "a\xc2", 100, 64, "a\xc2"),
    T("invalid UTF-8 kept", "\xff\xfe", 100, 64, "\xff\xfe"),
    T("cut after max_in", "abcdef", 3, 64, "abc..."),
    T("exactly max_in", "abc", 3, 64, "abc"),
    T("cut counts input bytes", "\n\n\n\n", 2, 64, "\\x0a\\x0a..."),
    T("output full", "abcdef", 100, 4, "abc"),
    T("no room for the dots", "abcdef", 3, 6, "abc"),
    T("an escape is never split", "ab\n", 100, 6, "ab"),
    T("an escape that fits", "ab\n", 100, 7, "ab\\x0a"),
    T("outlen 1", "abc", 100, 1, ""),
};

static void test_escape_text(void **state)
{
	char out[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(text_cases) / sizeof(text_cases[0]); i++) {
		const struct text_case *c = &text_cases[i];
		char *got;

		memset(out, '#', sizeof(out));
		got = escape_text(c->in, c->len, c->max_in, out, c->outlen);
		assert_ptr_equal(got, out);
		if (strcmp(got, c->want) != 0)
			fail_msg("%s: got \"%s\", want \"%s\"", c->name, got, c->want);
		if (c->outlen < sizeof(out) && out[c->outlen] != '#')
			fail_msg("%s: wrote past outlen %zu", c->name, c->outlen);
	}
	/* outlen 0 writes nothing at all */
	memset(out, '#', sizeof(out));
	assert_ptr_equal(escape_text("abc", 3, 100, out, 0), out);
	assert_int_equal(out[0], '#');
}

/* A case for the functions that append to a capped strbuf. */
struct sb_case {
	const char *in;
	size_t cap;
	int rc;
	const char *want; /* NULL: not checked (the cap was hit) */
};

static void check_sb_cases(const char *fn_name, int (*fn)(struct strbuf *, const char *),
                           const struct sb_case *cases, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct strbuf sb;
		int rc;

		strbuf_init(&sb, cases[i].cap);
		rc = fn(&sb, cases[i].in);
		if (rc != cases[i].rc)
			fail_msg("%s case %zu: rc got %d, want %d", fn_name, i, rc, cases[i].rc);
		if (cases[i].want != NULL && strcmp(strbuf_str(&sb), cases[i].want) != 0)
			fail_msg("%s case %zu: got \"%s\", want \"%s\"", fn_name, i,
			         strbuf_str(&sb), cases[i].want);
		strbuf_free(&sb);
	}
}

/* The strbuf form escapes the same way, without the cut. */
static void test_escape_text_sb(void **state)
{
	static const struct sb_case cases[] = {
	    {"plain", 100, 0, "plain"},
	    {"a\nb\\c\x7f", 100, 0, "a\\x0ab\\\\c\\x7f"},
	    {"x\xc2\x9by\xc2\xa0", 100, 0, "x\\u009by\xc2\xa0"},
	    {"caf\xc3\xa9", 100, 0, "caf\xc3\xa9"},
	    {"", 100, 0, ""},
	    {"abcdef", 5, -1, NULL},
	    {"ab\n", 5, -1, NULL},
	};

	(void)state;
	check_sb_cases("escape_text_sb", escape_text_sb, cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_escape_html(void **state)
{
	static const struct sb_case cases[] = {
	    {"plain text", 100, 0, "plain text"},
	    {"", 100, 0, ""},
	    {"<script>alert(1)</script>", 100, 0, "&lt;script&gt;alert(1)&lt;/script&gt;"},
	    {"a=\"1\" b='2'", 100, 0, "a=&quot;1&quot; b=&#39;2&#39;"},
	    {"Tom & Jerry", 100, 0, "Tom &amp; Jerry"},
	    {"&amp;", 100, 0, "&amp;amp;"},
	    {"caf\xc3\xa9 \x01", 100, 0, "caf\xc3\xa9 \x01"},
	    {"<<", 7, -1, NULL},
	    {"ab<", 5, -1, NULL},
	};

	(void)state;
	check_sb_cases("escape_html", escape_html, cases, sizeof(cases) / sizeof(cases[0]));
}

/* esc(): NULL prints "-", text is escaped and cut at LIMIT_LOG_STRING
 * input bytes, and four results stay valid at once (one log line may
 * escape several fields). */
static void test_esc(void **state)
{
	char longer[LIMIT_LOG_STRING + 50], want[LIMIT_LOG_STRING + 4];
	const char *a, *b, *c, *d;

	(void)state;
	assert_string_equal(esc(NULL), "-");
	assert_string_equal(esc("a\nb"), "a\\x0ab");

	memset(longer, 'x', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	memset(want, 'x', LIMIT_LOG_STRING);
	memcpy(want + LIMIT_LOG_STRING, "...", 4);
	assert_string_equal(esc(longer), want);

	/* the worst case, every byte escaped, still fits its buffer */
	memset(longer, '\x01', sizeof(longer) - 1);
	assert_int_equal(strlen(esc(longer)), LIMIT_LOG_STRING * 4 + 3);

	a = esc("one");
	b = esc("two");
	c = esc("three");
	d = esc("four");
	assert_string_equal(a, "one");
	assert_string_equal(b, "two");
	assert_string_equal(c, "three");
	assert_string_equal(d, "four");
}

/* Bidi controls and zero-width characters, CSV cells and Prometheus
 * label values (issue 13). */
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

static void test_escape_formats(void **state)
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
static void test_escape_invisible_cut(void **state)
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
	    cmocka_unit_test(test_escape_text),    cmocka_unit_test(test_escape_text_sb),
	    cmocka_unit_test(test_escape_html),    cmocka_unit_test(test_esc),
	    cmocka_unit_test(test_escape_formats), cmocka_unit_test(test_escape_invisible_cut),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
