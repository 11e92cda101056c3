/* Unit tests for chain verification edge cases (collector/tlsverify.c)
 * that need no server. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "limits.h"
#include "tlsverify.h"

/* --- chain verification: what a hostile server can send */

static void test_tlsverify_refusals(void **state)
{
	static const unsigned char junk[] = {0x30, 0x03, 0x02, 0x01, 0x00};
	struct tlsverify_cert certs[LIMIT_TLS_CHAIN + 1];
	char err[512];
	size_t i;

	(void)state;
	memset(certs, 0, sizeof(certs));
	assert_int_equal(tlsverify_chain(certs, 0, "localhost", NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "sent no certificate"));
	for (i = 0; i < LIMIT_TLS_CHAIN + 1; i++) {
		certs[i].der = junk;
		certs[i].len = sizeof(junk);
	}
	assert_int_equal(
	    tlsverify_chain(certs, LIMIT_TLS_CHAIN + 1, "localhost", NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "certificates (more than"));
	assert_int_equal(tlsverify_chain(certs, 1, "localhost", NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "bad certificate"));
	assert_int_equal(
	    tlsverify_chain(certs, 1, "localhost", "/nonexistent.pem", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "ca_file /nonexistent.pem"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tlsverify_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
