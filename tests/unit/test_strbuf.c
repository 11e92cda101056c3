/* Unit tests for lib/strbuf.c, the capped buffer every output and every
 * untrusted input goes through: appends up to the cap succeed, one byte
 * more fails and leaves the contents as they were; the contents stay
 * NUL-terminated; memory never exceeds cap + 1. Table-driven: each case is
 * a sequence of steps with the return code and contents each must give. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "strbuf.h"
#include "unit_abort.h"

enum op { END, PUTS, PUTC, APPEND, PRINTF, RESET };

struct step {
	enum op op;
	const char *arg; /* PUTS, APPEND (arg_len bytes), PRINTF ("%s-%d" with arg, 42) */
	size_t arg_len;
	int rc;          /* want */
	const char *str; /* want: strbuf_str() after the step */
	size_t len;      /* want: sb.len after the step */
};

struct strbuf_case {
	const char *name;
	size_t cap;
	struct step steps[8];
};

static const struct strbuf_case strbuf_cases[] = {
    {"fills to the cap exactly",
     5,
     {{PUTS, "abc", 0, 0, "abc", 3},
      {PUTS, "de", 0, 0, "abcde", 5},
      {PUTC, "f", 0, -1, "abcde", 5},
      {PUTS, "", 0, 0, "abcde", 5},
      {END, NULL, 0, 0, NULL, 0}}},
    {"a too long append adds nothing",
     4,
     {{PUTS, "ab", 0, 0, "ab", 2},
      {PUTS, "cde", 0, -1, "ab", 2},
      {APPEND, "cd", 2, 0, "abcd", 4},
      {END, NULL, 0, 0, NULL, 0}}},
    {"cap 0 takes only nothing",
     0,
     {{PUTS, "", 0, 0, "", 0}, {PUTC, "x", 0, -1, "", 0}, {END, NULL, 0, 0, NULL, 0}}},
    {"embedded NUL counts in len",
     16,
     {{APPEND, "a\0b", 3, 0, "a", 3}, {PUTC, "c", 0, 0, "a", 4}, {END, NULL, 0, 0, NULL, 0}}},
    {"printf formats and respects the cap",
     10,
     {{PRINTF, "x", 0, 0, "x-42", 4},
      {PRINTF, "y", 0, 0, "x-42y-42", 8},
      {PRINTF, "z", 0, -1, "x-42y-42", 8},
      {END, NULL, 0, 0, NULL, 0}}},
    {"reset empties and keeps the cap",
     3,
     {{PUTS, "abc", 0, 0, "abc", 3},
      {RESET, NULL, 0, 0, "", 0},
      {PUTS, "xyz", 0, 0, "xyz", 3},
      {PUTC, "!", 0, -1, "xyz", 3},
      {END, NULL, 0, 0, NULL, 0}}},
    {"reset of an unused buffer",
     8,
     {{RESET, NULL, 0, 0, "", 0}, {PUTC, "a", 0, 0, "a", 1}, {END, NULL, 0, 0, NULL, 0}}},
};

static int run_step(struct strbuf *sb, const struct step *s)
{
	switch (s->op) {
	case PUTS:
		return strbuf_puts(sb, s->arg);
	case PUTC:
		return strbuf_putc(sb, s->arg[0]);
	case APPEND:
		return strbuf_append(sb, s->arg, s->arg_len);
	case PRINTF:
		return strbuf_printf(sb, "%s-%d", s->arg, 42);
	case RESET:
		strbuf_reset(sb);
		return 0;
	case END:
		break;
	}
	return 0;
}

static void test_strbuf_steps(void **state)
{
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof(strbuf_cases) / sizeof(strbuf_cases[0]); i++) {
		const struct strbuf_case *c = &strbuf_cases[i];
		struct strbuf sb;

		strbuf_init(&sb, c->cap);
		assert_string_equal(strbuf_str(&sb), "");
		for (k = 0; c->steps[k].op != END; k++) {
			const struct step *s = &c->steps[k];
			int rc = run_step(&sb, s);

			if (rc != s->rc)
				fail_msg("%s, step %zu: rc got %d, want %d", c->name, k + 1, rc,
				         s->rc);
			if (strcmp(strbuf_str(&sb), s->str) != 0)
				fail_msg("%s, step %zu: got \"%s\", want \"%s\"", c->name, k + 1,
				         strbuf_str(&sb), s->str);
			if (sb.len != s->len)
				fail_msg("%s, step %zu: len got %zu, want %zu", c->name, k + 1,
				         sb.len, s->len);
			if (sb.len > sb.cap || (sb.data != NULL && sb.data[sb.len] != '\0'))
				fail_msg("%s, step %zu: past the cap or not terminated", c->name,
				         k + 1);
			if (sb.alloc > sb.cap + 1)
				fail_msg("%s, step %zu: %zu bytes allocated for a cap of %zu",
				         c->name, k + 1, sb.alloc, sb.cap);
		}
		strbuf_free(&sb);
	}
}

/* Growth by doubling never allocates past cap + 1, even for big caps. */
static void test_strbuf_growth_bounded(void **state)
{
	static const size_t caps[] = {1, 63, 64, 65, 1000, 4097, 100000};
	char chunk[333];
	size_t i, total;

	(void)state;
	memset(chunk, 'x', sizeof(chunk));
	for (i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		struct strbuf sb;

		strbuf_init(&sb, caps[i]);
		total = 0;
		while (total + sizeof(chunk) <= caps[i]) {
			assert_int_equal(strbuf_append(&sb, chunk, sizeof(chunk)), 0);
			total += sizeof(chunk);
		}
		assert_int_equal(strbuf_append(&sb, chunk, caps[i] - total), 0);
		if (sb.len != caps[i] || sb.alloc > caps[i] + 1)
			fail_msg("cap %zu: len %zu, alloc %zu", caps[i], sb.len, sb.alloc);
		assert_int_equal(strbuf_putc(&sb, 'y'), -1);
		assert_int_equal(sb.len, caps[i]);
		strbuf_free(&sb);
	}
}

/* detach hands over the contents (never NULL) and leaves an empty buffer
 * that can be used again; free may be called twice. */
static void test_strbuf_detach(void **state)
{
	struct strbuf sb;
	size_t len = 99;
	char *p;

	(void)state;
	strbuf_init(&sb, 16);
	p = strbuf_detach(&sb, &len);
	assert_non_null(p);
	assert_string_equal(p, "");
	assert_int_equal(len, 0);
	free(p);

	assert_int_equal(strbuf_puts(&sb, "report"), 0);
	p = strbuf_detach(&sb, &len);
	assert_string_equal(p, "report");
	assert_int_equal(len, 6);
	assert_null(sb.data);
	assert_int_equal(sb.len, 0);
	assert_string_equal(strbuf_str(&sb), "");
	free(p);

	assert_int_equal(strbuf_puts(&sb, "again"), 0);
	p = strbuf_detach(&sb, NULL);
	assert_string_equal(p, "again");
	free(p);
	strbuf_free(&sb);
	strbuf_free(&sb);
}

/* A buffer whose length was broken (here by hand), then appended to. */
static void break_and_append(void *arg)
{
	struct strbuf sb;

	(void)arg;
	strbuf_init(&sb, 8);
	strbuf_puts(&sb, "abc");
	sb.len = sb.cap + 1;
	strbuf_putc(&sb, 'x');
}

/* len <= cap is asserted on every append, and assert is active in the
 * test build (docs/style.md): the broken buffer stops the program at the
 * next append instead of writing past its allocation. */
static void test_strbuf_invariant_asserted(void **state)
{
	(void)state;
	unit_expect_abort("append to a buffer with len > cap", break_and_append, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_strbuf_steps),
	    cmocka_unit_test(test_strbuf_growth_bounded),
	    cmocka_unit_test(test_strbuf_detach),
	    cmocka_unit_test(test_strbuf_invariant_asserted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
