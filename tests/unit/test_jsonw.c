/* Unit tests for lib/jsonw.c, the one JSON writer: strings escaped so the
 * document stays valid whatever a report holds (quotes, backslashes, C0,
 * DEL and C1 controls), commas and indentation placed by the writer, the
 * number forms, and a full buffer marked as failed rather than cut
 * silently. Table-driven; a failure shows got and want. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>

#include "jsonw.h"
#include "strbuf.h"
#include "unit_abort.h"

static void test_jsonw_quote(void **state)
{
	static const struct {
		const char *in;
		const char *want;
	} cases[] = {
	    {"", "\"\""},
	    {"example.com", "\"example.com\""},
	    {"say \"hi\"", "\"say \\\"hi\\\"\""},
	    {"C:\\path", "\"C:\\\\path\""},
	    {"a\nb\rc\td", "\"a\\nb\\rc\\td\""},
	    {"\x01\x1f", "\"\\u0001\\u001f\""},
	    {"del\x7f", "\"del\\u007f\""},
	    {"C1 \xc2\x85 \xc2\x9f", "\"C1 \\u0085 \\u009f\""},
	    {"nbsp \xc2\xa0", "\"nbsp \xc2\xa0\""},
	    {"caf\xc3\xa9 \xe2\x82\xac", "\"caf\xc3\xa9 \xe2\x82\xac\""},
	    {"lone \xc2", "\"lone \xc2\""},
	    {"</script>", "\"</script>\""},
	    /* Mail.ru's Go error text as failure-reason-code (quirks E6) */
	    {"Get \"https://mta-sts.example/.well-known/mta-sts.txt\": timeout",
	     "\"Get \\\"https://mta-sts.example/.well-known/mta-sts.txt\\\": timeout\""},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct strbuf sb;

		strbuf_init(&sb, 1024);
		assert_int_equal(jsonw_quote(&sb, cases[i].in), 0);
		if (strcmp(strbuf_str(&sb), cases[i].want) != 0)
			fail_msg("case %zu: got %s, want %s", i, strbuf_str(&sb), cases[i].want);
		strbuf_free(&sb);
	}
}

/* One document with every kind of value, compact and pretty. */
static void build_document(struct jsonw *w)
{
	jsonw_object_begin(w);
	jsonw_key(w, "name");
	jsonw_string(w, "a\"b");
	jsonw_key(w, "none");
	jsonw_string(w, NULL);
	jsonw_key(w, "n");
	jsonw_int(w, -42);
	jsonw_key(w, "ok");
	jsonw_bool(w, 1);
	jsonw_key(w, "bad");
	jsonw_bool(w, 0);
	jsonw_key(w, "list");
	jsonw_array_begin(w);
	jsonw_int(w, 1);
	jsonw_array_begin(w);
	jsonw_array_end(w);
	jsonw_object_begin(w);
	jsonw_object_end(w);
	jsonw_null(w);
	jsonw_array_end(w);
	jsonw_key(w, "raw");
	jsonw_raw(w, "[true]");
	jsonw_object_end(w);
}

static void test_jsonw_document(void **state)
{
	static const struct {
		int pretty;
		const char *want;
	} cases[] = {
	    {0, "{\"name\":\"a\\\"b\",\"none\":null,\"n\":-42,\"ok\":true,\"bad\":false,"
	        "\"list\":[1,[],{},null],\"raw\":[true]}"},
	    {1, "{\n"
	        "  \"name\": \"a\\\"b\",\n"
	        "  \"none\": null,\n"
	        "  \"n\": -42,\n"
	        "  \"ok\": true,\n"
	        "  \"bad\": false,\n"
	        "  \"list\": [\n"
	        "    1,\n"
	        "    [],\n"
	        "    {},\n"
	        "    null\n"
	        "  ],\n"
	        "  \"raw\": [true]\n"
	        "}"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct strbuf sb;
		struct jsonw w;

		strbuf_init(&sb, 4096);
		jsonw_init(&w, &sb, cases[i].pretty);
		build_document(&w);
		assert_int_equal(w.failed, 0);
		assert_int_equal(w.depth, 0);
		if (strcmp(strbuf_str(&sb), cases[i].want) != 0)
			fail_msg("pretty=%d:\ngot  %s\nwant %s", cases[i].pretty, strbuf_str(&sb),
			         cases[i].want);
		strbuf_free(&sb);
	}
}

static void test_jsonw_numbers(void **state)
{
	static const struct {
		int is_int;
		int64_t i;
		double d;
		const char *want;
	} cases[] = {
	    {1, 0, 0, "0"},
	    {1, INT64_MAX, 0, "9223372036854775807"},
	    {1, INT64_MIN, 0, "-9223372036854775808"},
	    {0, 0, 0.0, "0"},
	    {0, 0, 1.5, "1.5"},
	    {0, 0, -0.25, "-0.25"},
	    {0, 0, 0.1234567, "0.123457"},
	    {0, 0, 1e20, "1e+20"},
	    {0, 0, NAN, "null"},
	    {0, 0, INFINITY, "null"},
	    {0, 0, -INFINITY, "null"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct strbuf sb;
		struct jsonw w;

		strbuf_init(&sb, 64);
		jsonw_init(&w, &sb, 0);
		if (cases[i].is_int)
			jsonw_int(&w, cases[i].i);
		else
			jsonw_double(&w, cases[i].d);
		if (strcmp(strbuf_str(&sb), cases[i].want) != 0)
			fail_msg("case %zu: got %s, want %s", i, strbuf_str(&sb), cases[i].want);
		strbuf_free(&sb);
	}
}

/* The period object every JSON document carries: UTC day numbers as dates. */
static void test_jsonw_period(void **state)
{
	struct strbuf sb;
	struct jsonw w;

	(void)state;
	strbuf_init(&sb, 256);
	jsonw_init(&w, &sb, 0);
	jsonw_period(&w, 20520, 20527);
	assert_string_equal(strbuf_str(&sb), "{\"since\":\"2026-03-08\",\"until\":\"2026-03-15\"}");
	strbuf_free(&sb);
}

/* A buffer that fills up marks the writer failed (callers check it) and
 * never grows past its cap; nesting up to JSONW_MAX_DEPTH - 1 writes
 * balanced brackets (deeper is a programmer error: test_jsonw_asserts). */
static void test_jsonw_limits(void **state)
{
	static const size_t caps[] = {0, 1, 5, 10, 20};
	struct strbuf sb;
	struct jsonw w;
	size_t i;
	int k;

	(void)state;
	for (i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		strbuf_init(&sb, caps[i]);
		jsonw_init(&w, &sb, 1);
		build_document(&w);
		if (!w.failed || sb.len > caps[i])
			fail_msg("cap %zu: failed %d, len %zu", caps[i], w.failed, sb.len);
		strbuf_free(&sb);
	}

	strbuf_init(&sb, 4096);
	jsonw_init(&w, &sb, 0);
	for (k = 0; k < JSONW_MAX_DEPTH - 1; k++)
		jsonw_array_begin(&w);
	for (k = 0; k < JSONW_MAX_DEPTH - 1; k++)
		jsonw_array_end(&w);
	assert_int_equal(w.failed, 0);
	assert_int_equal(w.depth, 0);
	assert_int_equal(sb.len, 2 * (JSONW_MAX_DEPTH - 1));
	for (k = 0; k < JSONW_MAX_DEPTH - 1; k++) {
		assert_int_equal(sb.data[k], '[');
		assert_int_equal(sb.data[JSONW_MAX_DEPTH - 1 + k], ']');
	}
	strbuf_free(&sb);
}

/* Misuses of the writer, each on a fresh writer. */
static void misuse_too_deep(struct jsonw *w)
{
	int k;

	for (k = 0; k < JSONW_MAX_DEPTH; k++)
		jsonw_array_begin(w);
}

static void misuse_end_unopened(struct jsonw *w)
{
	jsonw_object_end(w);
}

static void misuse_key_after_key(struct jsonw *w)
{
	jsonw_object_begin(w);
	jsonw_key(w, "a");
	jsonw_key(w, "b");
}

static void misuse_key_outside_object(struct jsonw *w)
{
	jsonw_key(w, "a");
}

static void run_misuse(void *arg)
{
	void (*misuse)(struct jsonw * w) = *(void (**)(struct jsonw *))arg;
	struct strbuf sb;
	struct jsonw w;

	strbuf_init(&sb, 4096);
	jsonw_init(&w, &sb, 0);
	misuse(&w);
}

/* The writer's invariants are asserted, and assert is active in the test
 * build (docs/style.md): each misuse stops the program (SIGABRT) at its
 * source instead of writing a broken document. */
static void test_jsonw_asserts(void **state)
{
	static struct {
		const char *name;
		void (*misuse)(struct jsonw *w);
	} cases[] = {
	    {"nesting JSONW_MAX_DEPTH deep", misuse_too_deep},
	    {"an end with nothing open", misuse_end_unopened},
	    {"a key right after a key", misuse_key_after_key},
	    {"a key outside an object", misuse_key_outside_object},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		unit_expect_abort(cases[i].name, run_misuse, &cases[i].misuse);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_jsonw_quote),   cmocka_unit_test(test_jsonw_document),
	    cmocka_unit_test(test_jsonw_numbers), cmocka_unit_test(test_jsonw_period),
	    cmocka_unit_test(test_jsonw_limits),  cmocka_unit_test(test_jsonw_asserts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
