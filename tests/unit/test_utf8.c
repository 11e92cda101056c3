/* Unit tests for lib/utf8.c: strict UTF-8 (RFC 3629) - no overlongs, no
 * surrogates, nothing above U+10FFFF, no truncated sequence. Table-driven;
 * each case gives the bytes and the valid prefix they must yield. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "utf8.h"

struct utf8_case {
	const char *name;
	const char *in;
	size_t len;  /* bytes of in (NULs count) */
	size_t want; /* utf8_valid_prefix */
};

#define U(name, s, want)                                                                           \
	{                                                                                          \
		name, s, sizeof(s) - 1, want                                                       \
	}

static const struct utf8_case utf8_cases[] = {
    U("empty", "", 0),
    U("ASCII", "abc", 3),
    U("NUL is ASCII", "a\0b", 3),
    U("2 bytes U+00E9", "\xc3\xa9", 2),
    U("lowest 2 bytes U+0080", "\xc2\x80", 2),
    U("3 bytes U+20AC", "\xe2\x82\xac", 3),
    U("lowest 3 bytes U+0800", "\xe0\xa0\x80", 3),
    U("below surrogates U+D7FF", "\xed\x9f\xbf", 3),
    U("above surrogates U+E000", "\xee\x80\x80", 3),
    U("4 bytes U+10348", "\xf0\x90\x8d\x88", 4),
    U("highest U+10FFFF", "\xf4\x8f\xbf\xbf", 4),
    U("mixed", "a\xc3\xa9\xe2\x82\xac\xf0\x90\x8d\x88z", 11),
    U("overlong 2 bytes C0", "\xc0\x80", 0),
    U("overlong 2 bytes C1", "\xc1\xbf", 0),
    U("overlong 3 bytes", "\xe0\x9f\xbf", 0),
    U("overlong 4 bytes", "\xf0\x8f\xbf\xbf", 0),
    U("surrogate U+D800", "\xed\xa0\x80", 0),
    U("surrogate U+DFFF", "\xed\xbf\xbf", 0),
    U("above U+10FFFF", "\xf4\x90\x80\x80", 0),
    U("lead F5", "\xf5\x80\x80\x80", 0),
    U("lead FF", "\xff", 0),
    U("lone continuation", "\x80", 0),
    U("continuation after ASCII", "ab\x80", 2),
    U("truncated 2 bytes", "a\xc3", 1),
    U("truncated 3 bytes", "\xe2\x82", 0),
    U("truncated 4 bytes", "xy\xf0\x90\x8d", 2),
    U("bad second byte", "\xc3\x41", 0),
    U("bad third byte", "\xe2\x82\x41", 0),
    U("bad fourth byte", "\xf0\x90\x8d\x41", 0),
    U("invalid after valid", "\xc3\xa9\xc3\xa9\xed\xa0\x80", 4),
};

static void test_utf8_table(void **state)
{
	size_t i, got;

	(void)state;
	for (i = 0; i < sizeof(utf8_cases) / sizeof(utf8_cases[0]); i++) {
		const struct utf8_case *c = &utf8_cases[i];

		got = utf8_valid_prefix((const unsigned char *)c->in, c->len);
		if (got != c->want)
			fail_msg("%s: got %zu, want %zu", c->name, got, c->want);
	}
}

/* Each case again from a heap buffer of its exact size (ASan sees any read
 * past the end, e.g. of a truncated sequence), then with a valid tail
 * appended: valid input stays valid to the end, and the offset of an
 * invalid byte does not move. */
static void test_utf8_exact_and_tail(void **state)
{
	size_t i, got, want;

	(void)state;
	for (i = 0; i < sizeof(utf8_cases) / sizeof(utf8_cases[0]); i++) {
		const struct utf8_case *c = &utf8_cases[i];
		unsigned char *p = malloc(c->len + 3);

		assert_non_null(p);
		memcpy(p, c->in, c->len);
		got = utf8_valid_prefix(p, c->len);
		if (got != c->want)
			fail_msg("%s (exact buffer): got %zu, want %zu", c->name, got, c->want);
		/* the tail starts with a lead byte, never a continuation, so a
		 * truncated sequence stays invalid where it was */
		memcpy(p + c->len, "\xc3\xa9z", 3);
		want = c->want == c->len ? c->len + 3 : c->want;
		got = utf8_valid_prefix(p, c->len + 3);
		if (got != want)
			fail_msg("%s + valid tail: got %zu, want %zu", c->name, got, want);
		free(p);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_utf8_table),
	    cmocka_unit_test(test_utf8_exact_and_tail),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
