/* Unit tests for listen addresses (web/netaddr.c). Table-driven; a
 * failure names the case. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <crypt.h>
#include <netinet/in.h>
#include <sys/stat.h>
#include <unistd.h>

#include "netaddr.h"

static void test_netaddr(void **state)
{
	static const struct {
		const char *in;
		int ok;
		int loopback;
		const char *printed; /* netaddr_format with port 80 */
	} cases[] = {
	    {"127.0.0.1:8080", 1, 1, "127.0.0.1:80"},
	    {"localhost:0", 1, 1, "127.0.0.1:80"},
	    {"127.9.9.9:1", 1, 1, "127.9.9.9:80"},
	    {"0.0.0.0:443", 1, 0, "0.0.0.0:80"},
	    {"192.0.2.1:65535", 1, 0, "192.0.2.1:80"},
	    {"[::1]:8080", 1, 1, "[::1]:80"},
	    {"[2001:db8::1]:80", 1, 0, "[2001:db8::1]:80"},
	    {"[::ffff:127.0.0.1]:80", 1, 1, "127.0.0.1:80"},
	    {"127.0.0.1", 0, 0, NULL},
	    {"127.0.0.1:", 0, 0, NULL},
	    {"127.0.0.1:65536", 0, 0, NULL},
	    {"127.0.0.1:99999", 0, 0, NULL},
	    {"127.0.0.1:-1", 0, 0, NULL},
	    {"127.0.0.1:8o", 0, 0, NULL},
	    {"::1:80", 0, 0, NULL},
	    {"[::1]80", 0, 0, NULL},
	    {"example.com:80", 0, 0, NULL},
	    {":80", 0, 0, NULL},
	    {"", 0, 0, NULL},
	};
	struct netaddr a;
	char err[256], buf[80];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = netaddr_parse(cases[i].in, &a, err, sizeof(err));

		if ((rc == 0) != cases[i].ok)
			fail_msg("'%s': got %d, want %s", cases[i].in, rc,
			         cases[i].ok ? "ok" : "error");
		if (!cases[i].ok) {
			assert_non_null(strstr(err, "ADDR:PORT"));
			continue;
		}
		if (netaddr_is_loopback((const struct sockaddr *)&a.ss) != cases[i].loopback)
			fail_msg("'%s': loopback got %d", cases[i].in, !cases[i].loopback);
		netaddr_format((const struct sockaddr *)&a.ss, 80, buf, sizeof(buf));
		if (strcmp(buf, cases[i].printed) != 0)
			fail_msg("'%s': printed '%s', want '%s'", cases[i].in, buf,
			         cases[i].printed);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_netaddr),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
