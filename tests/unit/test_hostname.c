/* Unit tests for core/hostname.c: host names, MX patterns, IP literals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "hostname.h"

struct host_case {
	const char *in;
	enum hostname_kind kind;
	const char *why; /* NULL: accepted; else a substring of the reason */
};

static const struct host_case host_cases[] = {
    {"example.com", HOSTNAME_DOMAIN, NULL},
    {"example.com.", HOSTNAME_DOMAIN, NULL},
    {"xn--gpher-jua.test", HOSTNAME_DOMAIN, NULL},
    {"b\xc3\xbc"
     "cher.example",
     HOSTNAME_DOMAIN, NULL},
    {"_mta-sts.example.com", HOSTNAME_DOMAIN, NULL},
    {"", HOSTNAME_DOMAIN, "empty host name"},
    {".", HOSTNAME_DOMAIN, "empty host name"},
    {"a..b", HOSTNAME_DOMAIN, "empty label at byte 2"},
    {".a", HOSTNAME_DOMAIN, "empty label at byte 0"},
    {"a b.example", HOSTNAME_DOMAIN, "byte 0x20 at 1"},
    {"<svg>.example", HOSTNAME_DOMAIN, "byte 0x3c at 0"},
    {"mx\r\n.example", HOSTNAME_DOMAIN, "byte 0x0d at 2"},
    {"ex\xe2\x80\xae"
     "ample.com",
     HOSTNAME_DOMAIN, "U+202E at 2"},
    {"ex\xe2\x80\x8b"
     "ample.com",
     HOSTNAME_DOMAIN, "U+200B at 2"},
    {"*.example.com", HOSTNAME_DOMAIN, "byte 0x2a"},
    {"*.example.com", HOSTNAME_PATTERN, NULL},
    {"mx: mx.example.com", HOSTNAME_PATTERN, NULL},
    {"mx: ", HOSTNAME_PATTERN, "empty host name"},
    {"192.0.2.1", HOSTNAME_IP, NULL},
    {"2001:db8::1", HOSTNAME_IP, NULL},
    {"[2001:db8::1]", HOSTNAME_IP, NULL},
    {"::ffff:192.0.2.1", HOSTNAME_IP, NULL},
    {"192.0.2.256", HOSTNAME_IP, "not an IP address"},
    {"mx.example.com", HOSTNAME_IP, "not an IP address"},
    {"192.0.2.1", HOSTNAME_MX, NULL},
    {"mx.example.com", HOSTNAME_MX, NULL},
    {"[mx.example.com]", HOSTNAME_MX, "byte 0x5b"},
};

static void test_hostname_cases(void **state)
{
	char why[128];
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(host_cases) / sizeof(host_cases[0]); i++) {
		const struct host_case *c = &host_cases[i];

		why[0] = '\0';
		rc = hostname_check(c->in, c->kind, why, sizeof(why));
		if (c->why == NULL && rc != 0)
			fail_msg("case %zu '%s': got -1 (%s), want 0", i, c->in, why);
		if (c->why != NULL && (rc != -1 || strstr(why, c->why) == NULL))
			fail_msg("case %zu '%s': got %d '%s', want -1 '%s'", i, c->in, rc, why,
			         c->why);
	}
}

/* The length limits at their edges: 63-byte labels, 253-byte names. */
static void test_hostname_lengths(void **state)
{
	char name[300], why[128];
	size_t i;

	(void)state;
	memset(name, 'a', 63);
	name[63] = '\0';
	assert_int_equal(hostname_check(name, HOSTNAME_DOMAIN, why, sizeof(why)), 0);
	name[63] = 'a';
	name[64] = '\0';
	assert_int_equal(hostname_check(name, HOSTNAME_DOMAIN, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "label longer than 63 bytes"));
	/* 63+1+63+1+63+1+61 = 253 */
	for (i = 0; i < 253; i++)
		name[i] = (i % 64 == 63) ? '.' : 'b';
	name[253] = '\0';
	assert_int_equal(hostname_check(name, HOSTNAME_DOMAIN, why, sizeof(why)), 0);
	name[253] = '.';
	name[254] = '\0';
	assert_int_equal(hostname_check(name, HOSTNAME_DOMAIN, why, sizeof(why)), 0);
	name[253] = 'b';
	assert_int_equal(hostname_check(name, HOSTNAME_DOMAIN, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "longer than 253 bytes"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_hostname_cases),
	    cmocka_unit_test(test_hostname_lengths),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
