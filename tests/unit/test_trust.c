/* Unit tests for collector/trust.c: the From domain, alignment of d=,
 * [trust] domains with wildcards, the settings, and the verdict from
 * Authentication-Results (topmost with our id only; forged ones ignored). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "config.h"
#include "mail.h"
#include "trust.h"

static void test_trust_from_domain(void **state)
{
	static const struct {
		const char *from, *want; /* want NULL: no domain */
	} cases[] = {
	    {"noreply-smtp-tls-reporting@google.com", "google.com"},
	    {"\"TLS Reports\" <Reports@Mail.Example.NET>", "mail.example.net"},
	    {"a@b.example, c@evil.example", "b.example"},
	    {"Name <a@x.example> (comment)", "x.example"},
	    {"no address here", NULL},
	    {"Name <a@bad domain>", NULL},
	    {"<a@>", NULL},
	};
	char d[300];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = trust_from_domain(cases[i].from, d, sizeof(d));

		if (cases[i].want == NULL) {
			assert_int_equal(rc, -1);
		} else {
			assert_int_equal(rc, 0);
			assert_string_equal(d, cases[i].want);
		}
	}
}

static void test_trust_aligned(void **state)
{
	(void)state;
	assert_true(trust_domain_aligned("google.com", "google.com"));
	assert_true(trust_domain_aligned("google.com", "mail.google.com"));
	assert_true(trust_domain_aligned("Google.COM", "google.com"));
	assert_false(trust_domain_aligned("evil.example", "google.com"));
	assert_false(trust_domain_aligned("mail.google.com", "google.com"));
	assert_false(trust_domain_aligned("com", "google.com"));       /* a bare TLD */
	assert_false(trust_domain_aligned("oogle.com", "google.com")); /* not a label */
	assert_false(trust_domain_aligned("", "google.com"));
	/* parents by the Public Suffix List, not by counting dots */
	assert_true(trust_domain_aligned("example.co.uk", "mail.example.co.uk"));
	assert_false(trust_domain_aligned("co.uk", "example.co.uk"));
	assert_false(trust_domain_aligned("co.uk", "mail.example.co.uk"));
	assert_false(trust_domain_aligned("github.io", "reports.github.io"));
	assert_true(trust_domain_aligned("reports.github.io", "tls.reports.github.io"));
	assert_true(trust_domain_aligned("b.example", "a.b.example"));
	assert_false(trust_domain_aligned("example", "b.example")); /* "*": unknown TLD */
	assert_true(trust_domain_aligned("co.uk", "co.uk"));        /* the same name, if odd */
}

static struct trust_config *trust_load(const char *ini)
{
	static struct trust_config t;
	struct config *c = NULL;
	char err[256];

	assert_int_equal(config_parse_text(ini, strlen(ini), "test", &c, err, sizeof(err)), 0);
	assert_int_equal(trust_config_load(c, &t, err, sizeof(err)), 0);
	config_free(c);
	return &t;
}

static void test_trust_domains(void **state)
{
	struct trust_config *t = trust_load("[trust]\ndomains = example.com, *.Example.ORG\n");

	(void)state;
	assert_int_equal(t->dkim, TRUST_DKIM_REQUIRE); /* the default */
	assert_true(trust_domain_configured(t, "example.com"));
	assert_true(trust_domain_configured(t, "EXAMPLE.com."));
	assert_true(trust_domain_configured(t, "mail.example.org"));
	assert_true(trust_domain_configured(t, "a.b.example.org"));
	assert_false(trust_domain_configured(t, "example.org")); /* list it too */
	assert_false(trust_domain_configured(t, "sub.example.com"));
	assert_false(trust_domain_configured(t, "evil.example"));
	assert_false(trust_domain_configured(t, "notexample.org"));
	assert_false(trust_domain_configured(t, NULL));
	trust_config_free(t);
	assert_true(trust_domain_configured(NULL, "anything.example"));
}

static void test_trust_settings_refused(void **state)
{
	static const char *const bad[] = {
	    "[trust]\ndkim = maybe\n",         "[trust]\ndomains = exa mple..com;x\n",
	    "[trust]\nresolver = not-an-ip\n", "[trust]\nresolver = 127.0.0.1:99999\n",
	    "[trust]\ndns_timeout = 0\n",      "[trust]\nauthserv_id = mx.example.com; evil\n",
	};
	struct trust_config t;
	struct config *c;
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		c = NULL;
		assert_int_equal(
		    config_parse_text(bad[i], strlen(bad[i]), "t", &c, err, sizeof(err)), 0);
		assert_int_equal(trust_config_load(c, &t, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "trust."));
		config_free(c);
	}
}

/* The verdict from A-R headers, as mail.c collects them (top first). */
static void test_trust_ar(void **state)
{
	static const struct {
		const char *auth, *result, *reason; /* reason NULL: pass */
	} cases[] = {
	    {"Authentication-Results: mx.example.com; dkim=pass header.d=google.com\n", "pass",
	     NULL},
	    {"Authentication-Results: mx.example.com (v=1); dkim=pass (2048-bit key)"
	     " header.i=@google.com header.s=s1\n",
	     "pass", NULL},
	    /* forged below the trusted one: the topmost decides */
	    {"Authentication-Results: mx.example.com; dkim=fail header.d=google.com\n"
	     "Authentication-Results: mx.example.com; dkim=pass header.d=google.com\n",
	     "fail", "not DKIM-signed by the reporting domain (dkim=fail header.d=google.com)"},
	    /* another server's, above: ignored */
	    {"Authentication-Results: evil.example; dkim=pass header.d=google.com\n"
	     "Authentication-Results: mx.example.com; dkim=none\n",
	     "none", "not DKIM-signed by the reporting domain (dkim=none)"},
	    /* an id that only starts like ours */
	    {"Authentication-Results: mx.example.com.evil.example; dkim=pass header.d=google.com\n",
	     "none",
	     "not DKIM-signed by the reporting domain (no Authentication-Results from "
	     "mx.example.com)"},
	    {"Authentication-Results: mx.example.com; dkim=pass header.d=evil.example\n", "fail",
	     "not DKIM-signed by the reporting domain (dkim=fail header.d=evil.example)"},
	    /* the aligned pass wins over another domain's */
	    {"Authentication-Results: mx.example.com; dkim=pass header.d=evil.example;"
	     " dkim=pass header.d=google.com\n",
	     "pass", NULL},
	    {"DKIM-Signature: v=1; d=google.com\n", "none",
	     "not DKIM-signed by the reporting domain (no Authentication-Results from "
	     "mx.example.com)"},
	};
	struct trust_config *t = trust_load("[trust]\nauthserv_id = mx.example.com\n");
	struct trust_verdict v;
	struct mail_message m;
	size_t i;

	(void)state;
	memset(&m, 0, sizeof(m));
	m.from = (char *)"noreply-smtp-tls-reporting@google.com";
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		m.auth_headers = (char *)cases[i].auth;
		trust_check_mail(t, &m, NULL, 0, &v);
		assert_string_equal(v.result, cases[i].result);
		assert_int_equal(v.pass, cases[i].reason == NULL);
		if (cases[i].reason != NULL)
			assert_string_equal(v.reason, cases[i].reason);
		else
			assert_non_null(strstr(v.ar, "mx.example.com"));
	}
	trust_config_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_trust_from_domain), cmocka_unit_test(test_trust_aligned),
	    cmocka_unit_test(test_trust_domains),     cmocka_unit_test(test_trust_settings_refused),
	    cmocka_unit_test(test_trust_ar),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
