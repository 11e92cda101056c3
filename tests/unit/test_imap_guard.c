/* Unit tests for collector/imap_guard.c: what an IMAP server sends is
 * passed or refused before libetpan parses it. Each case is fed whole and
 * then one byte at a time (a lexer must not depend on how TCP cuts). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "imap_guard.h"
#include "limits.h"

struct guard_case {
	const char *name;
	const char *input;
	uint64_t budget, literal_max; /* 0: the greeting's defaults */
	const char *why;              /* NULL: passes */
};

static const struct guard_case cases[] = {
    {"greeting", "* OK [CAPABILITY IMAP4rev1 MOVE] ready\r\n", 0, 0, NULL},
    {"tagged ok", "12 OK [READ-WRITE] SELECT completed (0.001 + 0.000 secs).\r\n", 0, 0, NULL},
    {"continuation", "+ idling\r\n", 0, 0, NULL},
    {"fetch with a literal",
     "* 1 FETCH (UID 7 FLAGS (\\Seen) BODY[] {5}\r\n((((()\r\n3 OK done\r\n", 100, 5, NULL},
    {"literal content is not parsed", "* 1 FETCH (BODY[] {15}\r\nBODYSTRUCTU(\"\r\n)\r\n", 100, 15,
     NULL},
    {"list with a quoted name", "* LIST (\\HasNoChildren) \".\" \"a (b) {3}\"\r\n", 0, 0, NULL},
    {"list with a literal name", "* LIST () \".\" {3}\r\nabc\r\n", 0, 0, NULL},
    {"escaped quote", "* LIST () \".\" \"a\\\"(((((((((\"\r\n", 0, 0, NULL},
    {"text with parens", "* OK ((((((((((((((((((( fine in text\r\n", 0, 0, NULL},
    {"a huge literal", "* 1 FETCH (UID 1 BODY[] {99999999999}\r\n", 1000, 100,
     "announced a literal larger than 100 bytes"},
    {"literal over the budget", "* 1 FETCH (UID 1 BODY[] {90}\r\n", 100, 100,
     "more than is left of the 100 bytes"},
    {"too many responses", "* 1 EXISTS\r\n* 2 EXISTS\r\n* 3 EXISTS\r\n* 4 EXISTS\r\n", 1000, 10,
     "sent more than 3 responses in answer to one command"},
    {"answer over the budget", "* 1 FETCH (UID 1 RFC822.SIZE 1)\r\n* 2 FETCH (UID 2)\r\n", 40, 10,
     "sent more than 40 bytes in answer to one command"},
    {"bodystructure", "* 1 FETCH (BODYSTRUCTURE (\"text\" \"plain\"))\r\n", 0, 0,
     "sent a BODYSTRUCTURE"},
    {"bodystructure lower case", "* 1 fetch (bodystructure (\"text\"))\r\n", 0, 0,
     "sent a BODYSTRUCTURE"},
    {"body short form", "* 1 FETCH (UID 1 BODY (\"text\" \"plain\"))\r\n", 0, 0,
     "sent a BODY structure"},
    {"deep parentheses", "* 1 FETCH (X (((((((((((\r\n", 0, 0, "nested parentheses deeper than 8"},
    {"deep, before the FETCH word", "* 1 XFETCH ((((((((((\r\n", 0, 0,
     "nested parentheses deeper than 8"},
    {"literal in a status response", "* OK [BADCHARSET ({5}\r\nabcde)] x\r\n", 0, 0,
     "sent a literal in a status response"},
    {"Free's {-1}", "* OK [X {-1}\r\n", 0, 0, "sent a literal in a status response"},
    {"Domino literal without CRLF", "* LIST () \".\" {3}  abc\r\n", 0, 0, "malformed literal"},
    {"negative literal", "* LIST () \".\" {-3}\r\n", 0, 0, "malformed literal"},
    {"empty literal size", "* LIST () \".\" {}\r\n", 0, 0, "malformed literal"},
    {"unterminated quote", "* LIST () \".\" \"abc\r\n", 0, 0, "unterminated quoted string"},
    {"NUL in a line", "* OK a\0b\r\n", 0, 0, "NUL byte"},
    {"not a response", "hello there\r\n", 0, 0, "neither '*', '+' nor a tag"},
};

static void run_case(const struct guard_case *c, size_t len, int bytewise)
{
	struct imap_guard g;
	size_t i;
	int r = 0;

	imap_guard_init(&g);
	if (c->budget != 0)
		imap_guard_expect(&g, c->budget, c->literal_max, 3);
	if (bytewise)
		for (i = 0; i < len && r == 0; i++)
			r = imap_guard_feed(&g, c->input + i, 1);
	else
		r = imap_guard_feed(&g, c->input, len);
	if (c->why == NULL && r != 0)
		fail_msg("%s (%s): got refused '%s', want passed", c->name,
		         bytewise ? "bytewise" : "whole", g.why);
	if (c->why != NULL && (r == 0 || strstr(g.why, c->why) == NULL))
		fail_msg("%s (%s): got '%s', want '%s'", c->name, bytewise ? "bytewise" : "whole",
		         r == 0 ? "passed" : g.why, c->why);
	/* refused stays refused */
	if (r != 0)
		assert_int_equal(imap_guard_feed(&g, "* OK\r\n", 6), -1);
}

static void test_guard_table(void **state)
{
	size_t i, len;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* cases hold a NUL on purpose: the length runs to the last CRLF */
		len = strlen(cases[i].input);
		if (strcmp(cases[i].name, "NUL in a line") == 0)
			len = 11;
		run_case(&cases[i], len, 0);
		run_case(&cases[i], len, 1);
	}
}

/* A long line and the connection's allowance. */
static void test_guard_sizes(void **state)
{
	struct imap_guard g;
	char *line = malloc(LIMIT_IMAP_LINE_BYTES + 16);

	(void)state;
	assert_non_null(line);
	memcpy(line, "* OK ", 5);
	memset(line + 5, 'x', LIMIT_IMAP_LINE_BYTES + 10);
	imap_guard_init(&g);
	assert_int_equal(imap_guard_feed(&g, line, LIMIT_IMAP_LINE_BYTES + 15), -1);
	assert_non_null(strstr(g.why, "response line longer than"));
	free(line);

	imap_guard_init(&g);
	g.connection_bytes = LIMIT_IMAP_CONNECTION_BYTES - 2;
	assert_int_equal(imap_guard_feed(&g, "* OK\r\n", 6), -1);
	assert_non_null(strstr(g.why, "on one connection"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_guard_table),
	    cmocka_unit_test(test_guard_sizes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
