/* Unit tests for the note beside DANE results at an MX host
 * (analyzer/mxdane.c, mxdane_note): what it says, and that a small buffer
 * cuts it without overrun. Table-driven. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "mxdane.h"

static void test_mxdane_note(void **state)
{
	struct query_row types[2] = {
	    {.result_type = (char *)"tlsa-invalid", .failed_sessions = 1200},
	    {.result_type = (char *)"dnssec-invalid", .failed_sessions = 1}};
	static const struct {
		const char *name;
		int from;
		size_t n_shown, n_types, len;
		const char *want;
	} cases[] = {
	    {"reports only, one domain", MXDANE_FROM_REPORTS, 1, 0, MXDANE_NOTE_MAX,
	     "counted under mx.example.net; MX known from reports"},
	    {"DNS only", MXDANE_FROM_DNS, 1, 0, MXDANE_NOTE_MAX,
	     "counted under mx.example.net; MX known from DNS (tlswatch check)"},
	    {"both, two domains, result types", MXDANE_FROM_REPORTS | MXDANE_FROM_DNS, 2, 2,
	     MXDANE_NOTE_MAX,
	     "counted under mx.example.net; MX known from reports and DNS; shown under 2 "
	     "domains here, counted once; failed: tlsa-invalid 1,200, dnssec-invalid 1"},
	    {"cut, NUL-terminated", MXDANE_FROM_REPORTS, 2, 2, 20, "counted under mx.ex"},
	};
	struct mxdane_host x;
	char buf[MXDANE_NOTE_MAX];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&x, 0, sizeof(x));
		snprintf(x.mx_host, sizeof(x.mx_host), "mx.example.net");
		x.from = cases[i].from;
		x.n_shown = cases[i].n_shown;
		x.by_result_type.rows = types;
		x.by_result_type.n = cases[i].n_types;
		memset(buf, 'x', sizeof(buf));
		mxdane_note(&x, buf, cases[i].len);
		if (strcmp(buf, cases[i].want) != 0)
			fail_msg("%s: got '%s', want '%s'", cases[i].name, buf, cases[i].want);
		if (cases[i].len < sizeof(buf) && buf[cases[i].len] != 'x')
			fail_msg("%s: wrote past the buffer", cases[i].name);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mxdane_note),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
