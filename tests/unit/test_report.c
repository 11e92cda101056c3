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
    {"{\"organization-name\":\"\"}", "organization-name: empty string"},
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
         1, 0) ",\"failure-details\":[{\"failed-session-count\":1}]}]}",
     "policies[0].failure-details[0].result-type: missing"},
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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_report_bad),
	    cmocka_unit_test(test_report_quirks),
	    cmocka_unit_test(test_report_prefixes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
