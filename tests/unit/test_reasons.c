/* Unit tests for grouping failure-reason-codes (analyzer/reasons.c):
 * the normal form, on a table of what senders send. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "reasons.h"

static const struct {
	const char *in, *want;
} cases[] = {
    {"X509_V_ERR_CERT_HAS_EXPIRED", "x509_v_err_cert_has_expired"},
    {"x509_v_err_cert_has_expired", "x509_v_err_cert_has_expired"},
    {"  TLS handshake   failed\twith mx1.example.com ", "tls handshake failed with <host>"},
    {"tls handshake failed with MX2.Example.NET.", "tls handshake failed with <host>"},
    {"TLS handshake failed with 192.0.2.7", "tls handshake failed with <host>"},
    {"connect to 2001:db8::25 port 25 timed out", "connect to <host> port <n> timed out"},
    {"450 4.7.0 TLS required (mx.example.org)", "<n> 4.7.0 tls required (<host>)"},
    {"error 12 of 300", "error <n> of <n>"},
    {"version 1.2 only", "version 1.2 only"},
    {"file.c line", "file.c line"},
    {"", ""},
    {"   ", ""},
};

static void test_normalise(void **state)
{
	char out[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		reasons_normalise(cases[i].in, out, sizeof(out));
		if (strcmp(out, cases[i].want) != 0)
			fail_msg("'%s': got '%s', want '%s'", cases[i].in, out, cases[i].want);
	}
}

static void test_normalise_small_buffer(void **state)
{
	char tiny[8];

	(void)state;
	memset(tiny, 'x', sizeof(tiny));
	reasons_normalise("TLS handshake failed with mx1.example.com", tiny, sizeof(tiny));
	assert_string_equal(tiny, "tls han");
	reasons_normalise("abc", tiny, 1);
	assert_string_equal(tiny, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_normalise),
	    cmocka_unit_test(test_normalise_small_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
