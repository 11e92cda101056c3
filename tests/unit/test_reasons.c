/* Unit tests for grouping failure-reason-codes (analyzer/reasons.c):
 * the normal form shown and the key forms are grouped by, on tables of
 * what senders send and of pairs that must be one group or two. */
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
    /* a hex id split by a text rendering is joined (quirks E8) */
    {"https://reports.company-x.example/report_info ? id = 5065427 c - 23 d3# "
     "StarttlsNotSupported ",
     "https://<host>/report_info ? id = 5065427c-23d3# starttlsnotsupported"},
    {"https://reports.company-x.example/report_info?id=5065427c-23d3#StarttlsNotSupported",
     "https://<host>/report_info?id=5065427c-23d3#starttlsnotsupported"},
    {"id 946 ea0 e8 c4 be", "id 946ea0e8c4be"},
    /* ... but numbers and words are not */
    {"error 12 - 300", "error <n> - <n>"},
    {"expired 2026 - 12 - 01", "expired <n> - <n> - <n>"},
    {"received 7 bad records", "received <n> bad records"},
    {"cafe bad decade", "cafe bad decade"},
    {"deadline 12345678 exceeded", "deadline <n> exceeded"},
    {"- 5065427 c -", "- 5065427c -"},
};

/* Pairs of forms as sent: one group (same key) or two. */
static const struct {
	const char *a, *b;
	int same;
} pairs[] = {
    /* the RFC example's two spellings (tests/data/samples/\*rfc\*) */
    {"https://reports.company-x.example/report_info?id=5065427c-23d3#StarttlsNotSupported",
     "https://reports.company-x.example/report_info ? id = 5065427 c - 23 d3# "
     "StarttlsNotSupported ",
     1},
    {"TLS required (mx.example.org)", "tls required ( MX.example.org )", 1},
    {"bad https response code: 404", "Bad HTTPS response code : 500", 1},
    {"unable to do http request: Get \"https://mta-sts.example.com/x\": context deadline",
     "unable to do http request: Get \" https://mta-sts.example.net/x \" : context deadline", 1},
    {"Certificate expired on MX1.example.com", "certificate  expired on 192.0.2.7", 1},
    {"handshake failed - timeout", "handshake failed-timeout", 1},
    /* kept apart: words run together, other URLs, other ids, other codes */
    {"starttls not offered", "starttlsnotoffered", 0},
    {"starttls not offered", "starttls-not-offered", 0},
    {"https://reports.company-x.example/report_info?id=5065427c-23d3#StarttlsNotSupported",
     "https://reports.company-x.example/report_info?id=6065427c-23d3#StarttlsNotSupported", 0},
    {"https://reports.example/a?id=1", "https://reports.example/b?id=1", 0},
    {"https://reports.example/report_info#StarttlsNotSupported",
     "https://reports.example/report_info#CertificateExpired", 0},
    {"X509_V_ERR_CERT_HAS_EXPIRED", "X509_V_ERR_CERT_NOT_YET_VALID", 0},
    {"version 1.2 only", "version 1.3 only", 0},
    {"d\xc3\xa9lai d\xc3\xa9pass\xc3\xa9", "d\xc3\xa9laid\xc3\xa9pass\xc3\xa9", 0},
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

static void test_key_pairs(void **state)
{
	char a[256], b[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		reasons_key(pairs[i].a, a, sizeof(a));
		reasons_key(pairs[i].b, b, sizeof(b));
		if ((strcmp(a, b) == 0) != pairs[i].same)
			fail_msg("'%s' and '%s' should be %s: keys '%s', '%s'", pairs[i].a,
			         pairs[i].b, pairs[i].same ? "one group" : "two", a, b);
	}
}

static void test_key_readable(void **state)
{
	char key[256];

	(void)state;
	reasons_key("https://reports.company-x.example/report_info ? id = 5065427 c - 23 d3# "
	            "StarttlsNotSupported ",
	            key, sizeof(key));
	assert_string_equal(key,
	                    "https://<host>/report_info?id=5065427c-23d3#starttlsnotsupported");
	reasons_key("  TLS handshake   failed\twith mx1.example.com ", key, sizeof(key));
	assert_string_equal(key, "tls handshake failed with<host>");
	reasons_key("a ( b", key, 4);
	assert_string_equal(key, "a(");
	reasons_key("abc", key, 1);
	assert_string_equal(key, "");
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
	    cmocka_unit_test(test_key_pairs),
	    cmocka_unit_test(test_key_readable),
	    cmocka_unit_test(test_normalise_small_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
