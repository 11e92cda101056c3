/* Unit tests for core/report.c (RFC 8460 parsing and sender quirks).
 * Table-driven; each failure says got/want. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "input.h"
#include "report.h"
#include "unit_report.h"

struct bad_case {
	const char *json;
	const char *err;
};

static const struct bad_case bad_cases[] = {
    {"{}", "organization-name: missing"},
    {"{\"organization-name\":\"\"}", "report-id: missing"}, /* "" is kept (quirks K1) */
    {HEAD "\"policies\":[{\"policy\":{\"policy-type\":\"sts\",\"mx-host\":[\"x\"]}," SUMMARY(
         1, 0) ",\"failure-details\":[{\"result-type\":5,\"failed-session-count\":1}]}]}",
     "policies[0].failure-details[0].result-type: expected a string"},
    {"{\"organization-name\":5}", "organization-name: expected a string"},
    {HEAD "\"policies\":[]}\n}", "invalid JSON"},
    {HEAD "\"policies\":[{\"policy\":{\"policy-type\":\"sts\"}}]}", "policies[0].summary: missing"},
    {HEAD "\"policies\":[{\"policy\":[]," SUMMARY(1, 0) "}]}",
     "policies[0].policy: expected an object"},
    {HEAD
     "\"policies\":[{\"policy\":{\"policy-type\":\"sts\",\"mx-host\":[1]}," SUMMARY(1, 0) "}]}",
     "policies[0].policy.mx-host[0]: expected a string"},
    {HEAD "\"policies\":[{\"policy\":{\"policy-type\":\"sts\"}," SUMMARY(
         1, 0) ",\"failure-details\":{}}]}",
     "policies[0].failure-details: expected an array"},
    {HEAD "\"policies\":[{\"policy\":{\"policy-type\":\"sts\"}," SUMMARY(
         1, 0) ",\"failure-details\":[{\"result-type\":\"x\"}]}]}",
     "policies[0].failure-details[0].failed-session-count: missing"},
    {HEAD "\"policies\":[{\"policy\":{\"policy-type\":\"sts\"}," SUMMARY(
         1, 0) ",\"failure-details\":[{\"result-type\":\"x\",\"failed-session-count\":-1}]}]}",
     "policies[0].failure-details[0].failed-session-count: negative number"},
    {HEAD "\"policies\":[{\"policy\":{\"policy-type\":\"sts\"}," SUMMARY(-0.5, 0) "}]}",
     "negative number"},
    {HEAD "\"policies\":[{\"policy\":{\"policy-type\":\"sts\"}," SUMMARY(true, 0) "}]}",
     "expected a number"},
    {HEAD "\"contact-info\":7,\"policies\":[]}", "contact-info: expected a string"},
    {"\xef\xbb\xbf"
     "{\"organization-name\":\"x\"}",
     "report-id: missing"},
    {"{\"a\":1,\"b\":2,\"a\":3}", "duplicate key \"a\""},
    /* more than 16 keys: the sorted duplicate check */
    {"{\"k1\":1,\"k2\":1,\"k3\":1,\"k4\":1,\"k5\":1,\"k6\":1,\"k7\":1,\"k8\":1,\"k9\":1,\"k10\":1,"
     "\"k11\":1,\"k12\":1,\"k13\":1,\"k14\":1,\"k15\":1,\"k16\":1,\"k17\":1,\"k3\":2}",
     "duplicate key \"k3\""},
};

static void test_report_bad(void **state)
{
	struct report *r = NULL;
	char err[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];

		err[0] = '\0';
		if (report_parse_json(c->json, strlen(c->json), &r, err, sizeof(err)) != -1 ||
		    r != NULL)
			fail_msg("case %zu accepted, want error '%s'", i, c->err);
		if (strstr(err, c->err) == NULL)
			fail_msg("case %zu: got '%s', want '%s'", i, err, c->err);
	}
}

static void test_report_quirks(void **state)
{
	struct report *r;

	(void)state;
	/* Microsoft: no zone; TLSA as one JSON-encoded string */
	r = parse_ok(
	    "{\"organization-name\":\"Microsoft "
	    "Corporation\",\"date-range\":{\"start-datetime\":\"2023-01-10T00:00:00\",\"end-"
	    "datetime\":\"2023-01-10T23:59:59\"},\"report-id\":\"1+x\",\"policies\":[{\"policy\":{"
	    "\"policy-type\":\"tlsa\",\"policy-string\":[\"[\\\"3 1 1 AB\\\",\\\"3 1 1 "
	    "CD\\\"]\"],\"policy-domain\":\"x.test\"}," SUMMARY(2, 0) "}]}");
	assert_int_equal(r->start_time, 1673308800);
	assert_int_equal(r->policies[0].n_policy_strings, 2);
	assert_string_equal(r->policies[0].policy_strings[1], "3 1 1 CD");
	assert_null(r->contact_info);
	report_free(r);

	/* contact-info null, policy-domain absent, policy-string [], mx-host [] */
	r = parse_ok(HEAD "\"contact-info\":null,\"policies\":[{\"policy\":{\"policy-type\":\"no-"
	                  "policy-found\",\"policy-string\":[],\"mx-host\":[]}," SUMMARY(
	                      1, 0) ",\"failure-details\":[]}]}");
	assert_null(r->contact_info);
	assert_null(r->policies[0].policy_domain);
	assert_int_equal(r->policies[0].n_policy_strings, 0);
	assert_int_equal(r->policies[0].n_mx_hosts, 0);
	assert_int_equal(r->policies[0].n_failures, 0);
	report_free(r);

	/* mx-host as a plain string (RFC 8460 4.8 example); CR stripped */
	r = parse_ok(
	    HEAD
	    "\"policies\":[{\"policy\":{\"policy-type\":\"sts\",\"policy-string\":[\"version: "
	    "STSv1\\r\",\"mode: "
	    "enforce\\r\"],\"mx-host\":\"*.mail.example\",\"policy-domain\":\"example\"}," SUMMARY(
	        1, 0) "}]}");
	assert_int_equal(r->policies[0].n_mx_hosts, 1);
	assert_string_equal(r->policies[0].mx_hosts[0], "*.mail.example");
	assert_string_equal(r->policies[0].policy_strings[0], "version: STSv1");
	report_free(r);

	/* misspelt and draft-era keys; unknown result type and keys kept */
	r = parse_ok(
	    HEAD
	    "\"x-extension\":{\"a\":[1,2]},\"policies\":[{\"policy\":{\"policy-type\":\"sts\"}"
	    "," SUMMARY(
	        0, 3) ",\"failure-details\":[{\"result-type\":\"brand-new-type\",\"receiving-mx-"
	              "host-name\":\"mx.example\",\"failure-error-code\":\"E1\",\"additional-info-"
	              "uri\":\"https://x\",\"failed-session-count\":3,\"unknown\":true}]}]}");
	assert_string_equal(r->policies[0].failures[0].result_type, "brand-new-type");
	assert_string_equal(r->policies[0].failures[0].receiving_mx_hostname, "mx.example");
	assert_string_equal(r->policies[0].failures[0].failure_reason_code, "E1");
	assert_string_equal(r->policies[0].failures[0].additional_information, "https://x");
	assert_null(r->policies[0].failures[0].sending_mta_ip);
	report_free(r);

	/* exclusive next-midnight end (Mail.ru) belongs to the start's day */
	r = parse_ok("{\"organization-name\":\"Mail.ru\",\"date-range\":{\"start-datetime\":\"2024-"
	             "02-22T00:00:00Z\",\"end-datetime\":\"2024-02-23T00:00:00Z\"},\"report-id\":"
	             "\"u@mail.ru\",\"policies\":[]}");
	assert_int_equal(report_day(r), 19775);
	report_free(r);
}

/* Every prefix of a real report is refused cleanly (no crash, no leak), and
 * only the whole of it parses. */
static void test_report_prefixes(void **state)
{
	struct input in;
	struct report *r;
	char err[512], *buf;
	size_t n;

	(void)state;
	assert_int_equal(
	    input_read_path(
	        "tests/data/samples/"
	        "cry-inc__dmarc-report-viewer__testdata__smtp-tls-reports__full-example.json",
	        1 << 20, &in, err, sizeof(err)),
	    0);
	for (n = 0; n < in.len; n++) {
		buf = malloc(n + 1);
		memcpy(buf, in.data, n);
		buf[n] = '\0';
		r = NULL;
		if (report_parse_json(buf, n, &r, err, sizeof(err)) == 0) {
			/* trailing white space may be cut and still be whole */
			size_t k;

			for (k = n; k < in.len; k++)
				assert_non_null(strchr(" \r\n\t", in.data[k]));
			report_free(r);
		}
		free(buf);
	}
	assert_int_equal(report_parse_json((char *)in.data, in.len, &r, err, sizeof(err)), 0);
	report_free(r);
	input_free(&in);
}

/* What a sender got slightly wrong is kept and marked. */
static void test_report_lenient(void **state)
{
	struct report_context c;
	struct report *r;
	char big[4000], json[6000], buf[512], err[256];

	(void)state;
	memset(&c, 0, sizeof(c));
	/* sys4 defaults: organization-name "", contact-info ""; a detail
	 * without result-type; a 2,223-byte multi-line HELO */
	memset(big, 'h', 2225); /* two escapes: 2,223 bytes decoded */
	memcpy(big + 100, "\\r\\n250-", 8);
	big[2225] = '\0';
	snprintf(json, sizeof(json),
	         "{\"organization-name\":\"\",\"contact-info\":\"\",\"date-range\":{\"start-"
	         "datetime\":\"2024-01-01T00:00:00Z\",\"end-datetime\":\"2024-01-01T23:59:59Z\"},"
	         "\"report-id\":\"2024-01-01T00:00:00Z_idx1_apex.test\",\"policies\":[{\"policy\":{"
	         "\"policy-type\":\"no-policy-found\"}," SUMMARY(
	             3, 2) ",\"failure-details\":[{\"failed-session-count\":1},{\"result-type\":"
	                   "\"starttls-not-supported\",\"receiving-mx-helo\":\"%s\","
	                   "\"failed-session-count\":1}]}]}",
	         big);
	r = parse_ok(json);
	assert_string_equal(r->organization_name, "");
	assert_true(report_needs_context(r));
	assert_string_equal(r->policies[0].failures[0].result_type, "unknown");
	assert_non_null(strstr(r->policies[0].failures[1].receiving_mx_helo,
	                       "[... shortened from 2223 bytes]"));
	assert_true(strlen(r->policies[0].failures[1].receiving_mx_helo) <= 2048);
	/* no header, no contact, no From: the HTTPS client names it */
	c.https_client = "192.0.2.7";
	assert_int_equal(report_apply_context(r, &c, err, sizeof(err)), 0);
	assert_string_equal(r->organization_name, "192.0.2.7");
	/* the report-id names the domain of the no-policy-found policy */
	assert_string_equal(r->policies[0].policy_domain, "apex.test");
	assert_string_equal(r->policies[0].policy_domain_source, "report-id");
	assert_false(report_needs_context(r));
	assert_string_equal(report_quirks_text(r, buf, sizeof(buf)),
	                    "organization-name empty: named from HTTPS client; 1 failure detail "
	                    "without result-type: stored as unknown; 1 over-long free-text field "
	                    "shortened; policy-domain of no-policy-found inferred from report-id");
	report_free(r);

	/* by mail: TLS-Report-Submitter first, TLS-Report-Domain first */
	r = parse_ok(
	    HEAD
	    "\"policies\":[{\"policy\":{\"policy-type\":\"no-policy-found\"}," SUMMARY(1, 0) "}]}");
	memset(&c, 0, sizeof(c));
	c.subject = "Report Domain: Subj.Example Submitter: s.example Report-ID: <x@s.example>";
	c.file_name = "/tmp/s.example!file.example!1!2!0.json.gz";
	assert_int_equal(report_apply_context(r, &c, err, sizeof(err)), 0);
	assert_string_equal(r->organization_name, "Org"); /* named: untouched */
	assert_string_equal(r->policies[0].policy_domain, "subj.example");
	assert_string_equal(r->policies[0].policy_domain_source, "subject");
	report_free(r);
	r = parse_ok(
	    HEAD
	    "\"policies\":[{\"policy\":{\"policy-type\":\"no-policy-found\"}," SUMMARY(1, 0) "}]}");
	assert_int_equal(report_apply_context(r, &(struct report_context){.file_name = c.file_name},
	                                      err, sizeof(err)),
	                 0);
	assert_string_equal(r->policies[0].policy_domain, "file.example");
	report_free(r);

	/* a hostile header is no domain; nothing to name the sender by */
	r = parse_ok("{\"organization-name\":null,\"date-range\":{\"start-datetime\":\"2024-01-"
	             "01T00:00:00Z\",\"end-datetime\":\"2024-01-01T23:59:59Z\"},\"report-id\":"
	             "\"R\",\"policies\":[]}");
	memset(&c, 0, sizeof(c));
	c.tls_report_submitter = "<script>";
	c.mail_from = "Reports <tlsrpt@From.Example>";
	assert_int_equal(report_apply_context(r, &c, err, sizeof(err)), 0);
	assert_string_equal(r->organization_name, "from.example");
	report_free(r);
	r = parse_ok("{\"organization-name\":\"\",\"date-range\":{\"start-datetime\":\"2024-01-"
	             "01T00:00:00Z\",\"end-datetime\":\"2024-01-01T23:59:59Z\"},\"report-id\":"
	             "\"R\",\"policies\":[]}");
	memset(&c, 0, sizeof(c));
	assert_int_equal(report_apply_context(r, &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "organization-name: empty"));
	report_free(r);
}

struct context_case {
	const char *name;
	struct report_context c;
	const char *report_id;
	const char *org;    /* the organization it gets; NULL: refused */
	const char *domain; /* the no-policy-found domain; NULL: none */
};

/* Hostile or broken context never becomes a name: each field must be a
 * plain host name (or an address), else the next source is asked. */
static const struct context_case context_cases[] = {
    {"empty everything", {NULL, "", "", "", "", ""}, "R", NULL, NULL},
    {"submitter with a space",
     {NULL, "a b.test", NULL, NULL, NULL, "192.0.2.1"},
     "R",
     "192.0.2.1",
     NULL},
    {"submitter with a trailing dot, upper case",
     {NULL, " Mx.Test. ", NULL, NULL, NULL, NULL},
     "R",
     "mx.test",
     NULL},
    {"double dot", {"a..test", "b..test", NULL, NULL, "x@c..test", NULL}, "R", NULL, NULL},
    {"leading dot", {".a.test", NULL, NULL, NULL, "x@.test", "::1"}, "R", "::1", NULL},
    {"From without an address",
     {NULL, NULL, NULL, NULL, "Reports <>", "2001:db8::1"},
     "R",
     "2001:db8::1",
     NULL},
    {"client not an address", {NULL, NULL, NULL, NULL, NULL, "evil.test"}, "R", NULL, NULL},
    {"subject key at the end",
     {NULL, "s.test", "Report Domain:", NULL, NULL, NULL},
     "R",
     "s.test",
     NULL},
    {"subject, any case",
     {NULL, "s.test", "x REPORT DOMAIN:  D.Test Submitter: s", NULL, NULL, NULL},
     "R",
     "s.test",
     "d.test"},
    {"file name with two fields",
     {NULL, NULL, NULL, "s.test!d.test.json", NULL, NULL},
     "R",
     NULL,
     NULL},
    {"file name with empty fields", {NULL, NULL, NULL, "!!!", NULL, NULL}, "R", NULL, NULL},
    {"file name in a folder",
     {NULL, NULL, NULL, "/x!y/s.test!d.test!1!2.json", NULL, NULL},
     "R",
     "s.test",
     "d.test"},
    {"report-id with an empty domain",
     {NULL, "s.test", NULL, NULL, NULL, NULL},
     "2024-01-01T00:00:00Z_idx1_",
     "s.test",
     NULL},
    {"report-id not quite sys4",
     {NULL, "s.test", NULL, NULL, NULL, NULL},
     "2024-01-01T00:00:00Z_idx_d.test",
     "s.test",
     NULL},
    {"a label over 63 bytes (hostname_check)",
     {"x.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.test", "s.test",
      NULL, NULL, NULL, NULL},
     "R",
     "s.test",
     NULL},
    {"invalid UTF-8 in a header",
     {"d\xff.test", "s\xc3.test", NULL, NULL, NULL, "::1"},
     "R",
     "::1",
     NULL},
    {"a bidi control in a header",
     {"d\xe2\x80\xae.test", "s.test", NULL, NULL, NULL, NULL},
     "R",
     "s.test",
     NULL},
    {"a U-label is a host name, only ASCII folded",
     {"B\xc3\xbc"
      "cher.Test",
      "s.test", NULL, NULL, NULL, NULL},
     "R",
     "s.test",
     "b\xc3\xbc"
     "cher.test"},
    {"header beats the report-id",
     {"h.test", "s.test", NULL, NULL, NULL, NULL},
     "2024-01-01T00:00:00Z_idx1_d.test",
     "s.test",
     "h.test"},
};

static void test_report_context_hostile(void **state)
{
	char json[512], err[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(context_cases) / sizeof(context_cases[0]); i++) {
		const struct context_case *k = &context_cases[i];
		struct report *r;
		int rc;

		snprintf(json, sizeof(json),
		         "{\"organization-name\":\"\",\"date-range\":{\"start-datetime\":\"2024-01-"
		         "01T00:00:00Z\",\"end-datetime\":\"2024-01-01T23:59:59Z\"},\"report-id\":"
		         "\"%s\","
		         "\"policies\":[{\"policy\":{\"policy-type\":\"no-policy-found\"}," SUMMARY(
		             1, 0) "}]}",
		         k->report_id);
		r = parse_ok(json);
		rc = report_apply_context(r, &k->c, err, sizeof(err));
		if (k->org == NULL ? rc != -1
		                   : rc != 0 || strcmp(r->organization_name, k->org) != 0)
			fail_msg("%s: got rc %d, organization '%s'; want '%s'", k->name, rc,
			         r->organization_name, k->org != NULL ? k->org : "(refused)");
		if (rc == 0 &&
		    (k->domain == NULL ? r->policies[0].policy_domain != NULL
		                       : r->policies[0].policy_domain == NULL ||
		                             strcmp(r->policies[0].policy_domain, k->domain) != 0))
			fail_msg("%s: got domain '%s', want '%s'", k->name,
			         r->policies[0].policy_domain != NULL ? r->policies[0].policy_domain
			                                              : "(none)",
			         k->domain != NULL ? k->domain : "(none)");
		report_free(r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_report_bad),
	    cmocka_unit_test(test_report_quirks),
	    cmocka_unit_test(test_report_prefixes),
	    cmocka_unit_test(test_report_lenient),
	    cmocka_unit_test(test_report_context_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
