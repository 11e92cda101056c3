/* Unit tests for the hints on result types (analyzer/hints.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "hints.h"

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
	hints_format("sts-policy-fetch-error", NULL, out, sizeof(out));
	assert_non_null(strstr(out, "https://mta-sts.<domain>/"));
	hints_format("certificate-expired", "example.com", out, sizeof(out));
	assert_string_equal(out, "the MX presented an expired certificate; renew it");
	/* a small buffer is filled, terminated, never overrun */
	memset(tiny, 'x', sizeof(tiny));
	hints_format("sts-policy-fetch-error", "example.com", tiny, sizeof(tiny));
	assert_true(strlen(tiny) < sizeof(tiny));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_hints),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
