/* Unit tests for the HTTPS report intake (web/intake.c): its header
 * checks and body caps. Table-driven; a failure names the case. */
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

#include "intake.h"
#include "limits.h"

static void test_intake_headers(void **state)
{
	static const struct {
		const char *method, *type, *length;
		unsigned status; /* 0: accepted */
	} cases[] = {
	    {"POST", "application/tlsrpt+json", "10", 0},
	    {"POST", "application/tlsrpt+gzip", NULL, 0},
	    {"POST", "Application/TLSRPT+GZIP; charset=binary", "1", 0},
	    {"POST", " application/tlsrpt+json ; x=y", "1", 0},
	    {"POST", "application/tlsrpt+json", "10485760", 0},
	    {"POST", "application/tlsrpt+json", "10485761", 413},
	    {"POST", "application/tlsrpt+json", "99999999999999999999999999", 413},
	    {"POST", "application/tlsrpt+jsonx", "1", 415},
	    {"POST", "application/tlsrpt+json x", "1", 415},
	    {"POST", "application/json", "1", 415},
	    {"POST", "application/tlsrpt", "1", 415},
	    {"POST", NULL, "1", 415},
	    {"GET", "application/tlsrpt+json", NULL, 405},
	    {"PUT", "application/tlsrpt+json", "1", 405},
	};
	struct intake_reply r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = intake_begin(cases[i].method, cases[i].type, cases[i].length, &r);

		if (cases[i].status == 0 && rc != 0)
			fail_msg("%s '%s' %s: refused %u", cases[i].method, cases[i].type,
			         cases[i].length, r.status);
		if (cases[i].status != 0 && (rc != -1 || r.status != cases[i].status))
			fail_msg("%s '%s' %s: got %d/%u, want %u", cases[i].method, cases[i].type,
			         cases[i].length, rc, rc ? r.status : 0, cases[i].status);
	}
}

static void test_intake_body(void **state)
{
	static const char report[] =
	    "{\"organization-name\":\"Org\",\"date-range\":{\"start-datetime\":"
	    "\"2026-03-01T00:00:00Z\",\"end-datetime\":\"2026-03-01T23:59:59Z\"},"
	    "\"contact-info\":\"x@example.com\",\"report-id\":\"R1\",\"policies\":[{\"policy\":"
	    "{\"policy-type\":\"sts\",\"policy-domain\":\"example.com\"},\"summary\":{"
	    "\"total-successful-session-count\":3,\"total-failure-session-count\":0}}]}";
	static char chunk[64 * 1024];
	struct intake *in = NULL;
	struct intake_reply r;
	struct intake_body b;
	char err[256];
	size_t sent, i;

	(void)state;
	assert_int_equal(intake_new(NULL, &in, err, sizeof(err)), 0);
	/* a valid report, one byte at a time (dry run: "stored", 201) */
	intake_body_init(&b);
	for (i = 0; i < sizeof(report) - 1; i++)
		intake_body_append(in, &b, report + i, 1);
	intake_finish(in, &b, "192.0.2.1", &r);
	intake_body_free(in, &b);
	assert_int_equal(r.status, 201);
	/* an invalid one: 400 with the JSON path */
	intake_body_init(&b);
	intake_body_append(in, &b, "{\"organization-name\":1}", 23);
	intake_finish(in, &b, "192.0.2.1", &r);
	intake_body_free(in, &b);
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(r.message, "organization-name"));
	/* an empty body */
	intake_body_init(&b);
	intake_finish(in, &b, "192.0.2.1", &r);
	intake_body_free(in, &b);
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(r.message, "empty input"));
	/* past the cap while streaming: the body is dropped at once */
	intake_body_init(&b);
	memset(chunk, '{', sizeof(chunk));
	for (sent = 0; sent <= LIMIT_WEB_INTAKE_BODY_BYTES; sent += sizeof(chunk))
		intake_body_append(in, &b, chunk, sizeof(chunk));
	assert_true(b.too_large);
	assert_int_equal(b.data.len, 0);
	assert_int_equal(b.reserved, 0);
	intake_finish(in, &b, "192.0.2.1", &r);
	intake_body_free(in, &b);
	assert_int_equal(r.status, 413);
	intake_free(in);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_intake_headers),
	    cmocka_unit_test(test_intake_body),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
