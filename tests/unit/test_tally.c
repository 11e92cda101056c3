/* Unit tests for core/tally.c (the count-once rules, docs/counting.md)
 * over reports parsed by core/report.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "report.h"
#include "unit_report.h"
#include "tally.h"

static void test_tally_count_once(void **state)
{
	struct report *r;
	struct tally t;

	(void)state;
	/* sts + tlsa for one domain: the same sessions, max of each; npf adds;
	 * another domain separate; the failure breakdown follows the same rule */
	r = parse_ok(
	    HEAD
	    "\"policies\":["
	    "{\"policy\":{\"policy-type\":\"sts\",\"policy-domain\":\"a.test\"}," SUMMARY(
	        10,
	        4) ",\"failure-details\":[{\"result-type\":\"certificate-expired\",\"receiving-mx-"
	           "hostname\":\"mx1\",\"failed-session-count\":4}]},"
	           "{\"policy\":{\"policy-type\":\"tlsa\",\"policy-domain\":\"a.test\"}," SUMMARY(
	               12,
	               3) ",\"failure-details\":[{\"result-type\":\"certificate-expired\","
	                  "\"receiving-mx-hostname\":\"mx1\",\"failed-session-count\":3},"
	                  "{\"result-type\":\"tlsa-invalid\",\"receiving-mx-hostname\":\"mx1\","
	                  "\"failed-session-count\":1}]},"
	                  "{\"policy\":{\"policy-type\":\"no-policy-found\",\"policy-domain\":\"a."
	                  "test\"}," SUMMARY(
	                      5,
	                      1) ",\"failure-details\":[{\"result-type\":\"certificate-expired\","
	                         "\"receiving-mx-hostname\":\"mx1\",\"failed-session-count\":1}]},"
	                         "{\"policy\":{\"policy-type\":\"sts\",\"policy-domain\":\"a."
	                         "test\"}," SUMMARY(
	                             1,
	                             0) "},"
	                                "{\"policy\":{\"policy-type\":\"sts\",\"policy-domain\":"
	                                "\"b.test\"}," SUMMARY(
	                                    7,
	                                    2) ",\"failure-details\":[{\"result-type\":\"sts-"
	                                       "policy-fetch-error\",\"failed-session-count\":2}]},"
	                                       "{\"policy\":{\"policy-type\":\"no-policy-found\"}"
	                                       "," SUMMARY(3, 0) "}]}");
	tally_report(r, &t);
	assert_int_equal(t.n_domains, 3);
	/* sorted by domain: "" (none), a.test, b.test */
	assert_string_equal(t.domains[0].policy_domain, "");
	assert_int_equal(t.domains[0].successful_sessions, 3);
	assert_string_equal(t.domains[1].policy_domain, "a.test");
	assert_int_equal(t.domains[1].successful_sessions, 12 + 5); /* max(10+1, 12) + 5 */
	assert_int_equal(t.domains[1].failed_sessions, 4 + 1);      /* max(4+0, 3) + 1 */
	assert_int_equal(t.domains[2].successful_sessions, 7);
	assert_int_equal(t.successful_sessions, 3 + 17 + 7);
	assert_int_equal(t.failed_sessions, 0 + 5 + 2);
	assert_int_equal(t.n_failures, 3);
	assert_string_equal(t.failures[0].mx_host, "mx1");
	assert_string_equal(t.failures[0].result_type, "certificate-expired");
	assert_int_equal(t.failures[0].failed_sessions, 4 + 1); /* max(4, 3) + 1 */
	assert_string_equal(t.failures[1].result_type, "tlsa-invalid");
	assert_int_equal(t.failures[1].failed_sessions, 1); /* max(0, 1) */
	assert_string_equal(t.failures[2].policy_domain, "b.test");
	assert_string_equal(t.failures[2].mx_host, "");
	assert_int_equal(t.failures[2].failed_sessions, 2);
	/* per-type views keep each type's own numbers */
	assert_int_equal(t.n_types, 5);
	assert_string_equal(t.types[3].policy_type, "tlsa");
	assert_int_equal(t.types[3].successful_sessions, 12);
	assert_string_equal(t.types[2].policy_type, "sts");
	assert_int_equal(t.types[2].policies, 2);
	assert_int_equal(t.types[2].successful_sessions, 11);
	tally_free(&t);
	report_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tally_count_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
