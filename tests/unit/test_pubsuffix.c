/* Unit tests for lib/pubsuffix.c: registrable domains by the Public
 * Suffix List, at the edges where counting dots goes wrong (multi-label
 * ICANN suffixes, private suffixes, wildcard and exception rules, unknown
 * TLDs, case, bounds). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "limits.h"
#include "pubsuffix.h"

static void test_pubsuffix_registrable(void **state)
{
	static const struct {
		const char *host, *want; /* want NULL: a public suffix, or none */
	} cases[] = {
	    {"google.com", "google.com"},
	    {"mail.google.com", "google.com"},
	    {"com", NULL},
	    {"co.uk", NULL},                    /* a two-label ICANN suffix */
	    {"example.co.uk", "example.co.uk"}, /* not covered by co.uk */
	    {"mx.mail.example.co.uk", "example.co.uk"},
	    {"github.io", NULL}, /* a private suffix */
	    {"reports.github.io", "reports.github.io"},
	    {"foo.ck", NULL},                         /* *.ck */
	    {"www.ck", "www.ck"},                     /* !www.ck */
	    {"city.kawasaki.jp", "city.kawasaki.jp"}, /* !city.kawasaki.jp */
	    {"x.kawasaki.jp", NULL},                  /* *.kawasaki.jp */
	    {"a.b.x.kawasaki.jp", "b.x.kawasaki.jp"},
	    {"example", NULL}, /* unknown TLD: the "*" rule */
	    {"a.b.example", "b.example"},
	    {"Mail.Example.CO.UK", "Example.CO.UK"}, /* case kept, compared lower */
	    {"", NULL},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = pubsuffix_registrable(cases[i].host);

		if (cases[i].want == NULL) {
			if (got != NULL)
				fail_msg("%s: got %s, want none", cases[i].host, got);
		} else if (got == NULL || strcmp(got, cases[i].want) != 0) {
			fail_msg("%s: got %s, want %s", cases[i].host, got ? got : "none",
			         cases[i].want);
		}
	}
}

static void test_pubsuffix_bounds(void **state)
{
	char host[LIMIT_DOMAIN_BYTES + 16];
	size_t i;

	(void)state;
	/* "a.a.a....example.com", one byte over the limit: refused */
	for (i = 0; i + 1 < LIMIT_DOMAIN_BYTES - 11; i += 2)
		memcpy(host + i, "a.", 2);
	memcpy(host + i, "example.com", 12);
	assert_true(strlen(host) <= LIMIT_DOMAIN_BYTES);
	assert_string_equal(pubsuffix_registrable(host), "example.com");
	memmove(host + 2, host, strlen(host) + 1);
	memcpy(host, "a.", 2);
	assert_true(strlen(host) > LIMIT_DOMAIN_BYTES);
	assert_null(pubsuffix_registrable(host));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pubsuffix_registrable),
	    cmocka_unit_test(test_pubsuffix_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
