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
	/* sts + tlsa for one domain with different summaries, from a reporter
	 * tlswatch does not know: different sessions, they add; npf adds;
	 * another domain separate; the failure breakdown follows the domain */
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
	assert_int_equal(t.domains[1].sts_tlsa_same, 0);
	assert_int_equal(t.domains[1].successful_sessions, 10 + 1 + 12 + 5);
	assert_int_equal(t.domains[1].failed_sessions, 4 + 3 + 1);
	assert_int_equal(t.domains[2].successful_sessions, 7);
	assert_int_equal(t.successful_sessions, 3 + 28 + 7);
	assert_int_equal(t.failed_sessions, 0 + 8 + 2);
	assert_int_equal(t.n_failures, 3);
	assert_string_equal(t.failures[0].mx_host, "mx1");
	assert_string_equal(t.failures[0].result_type, "certificate-expired");
	assert_int_equal(t.failures[0].failed_sessions, 4 + 3 + 1);
	assert_string_equal(t.failures[1].result_type, "tlsa-invalid");
	assert_int_equal(t.failures[1].failed_sessions, 1);
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

/* One sts and one tlsa policy for apex.test, with failure details. */
#define PAIR(org, id, sok, sfail, tok, tfail)                                                      \
	"{\"organization-name\":\"" org                                                            \
	"\",\"date-range\":{\"start-datetime\":\"2024-01-01T00:00:"                                \
	"00Z\",\"end-datetime\":\"2024-01-01T23:59:59Z\"},\"report-id\":\"" id "\",\"policies\":[" \
	"{\"policy\":{\"policy-type\":\"tlsa\",\"policy-domain\":\"apex.test\"}," SUMMARY(         \
	    tok,                                                                                   \
	    tfail) ",\"failure-details\":[{\"result-type\":\"tlsa-invalid\",\"receiving-mx-"       \
	           "hostname\":\"apex.test\",\"failed-session-count\":" #tfail "}]},"              \
	           "{\"policy\":{\"policy-type\":\"sts\",\"policy-domain\":\"apex.test\"}"         \
	           "," SUMMARY(sok,                                                                \
	                       sfail) ",\"failure-details\":[{\"result-type\":\"tlsa-invalid\","   \
	                              "\"receiving-mx-"                                            \
	                              "hostname\":\"apex.test\",\"failed-session-count\":" #sfail  \
	                              "}]}]}"

struct pair_case {
	const char *name;
	const char *json;
	int same;
	int64_t ok, failed;
};

/* The count-once decision, side by side: Microsoft (the same sessions
 * under sts and tlsa, identical counts) and the sys4 reporter (each
 * session under one policy: disjoint, even when the counts happen to be
 * equal); an unknown reporter goes by whether the summaries are equal. */
static const struct pair_case pair_cases[] = {
    {"microsoft identical", PAIR("Microsoft Corporation", "133+apex.test", 5, 2, 5, 2), 1, 5, 2},
    {"sys4 disjoint", PAIR("", "2024-01-01T00:00:00Z_idx1_apex.test", 5, 2, 8, 3), 0, 13, 5},
    {"sys4 equal counts", PAIR("mx.test", "2024-01-01T00:00:00Z_idx12_apex.test", 5, 2, 5, 2), 0,
     10, 4},
    {"sys4-like id, not sys4", PAIR("Org", "2024-01-01T00:00:00Z_idxA_apex.test", 5, 2, 5, 2), 1, 5,
     2},
    {"unknown identical", PAIR("Org", "r1", 5, 2, 5, 2), 1, 5, 2},
    {"unknown different", PAIR("Org", "r1", 5, 2, 8, 3), 0, 13, 5},
};

static void test_tally_sts_tlsa(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(pair_cases) / sizeof(pair_cases[0]); i++) {
		const struct pair_case *c = &pair_cases[i];
		struct report *r = parse_ok(c->json);
		struct tally t;

		tally_report(r, &t);
		if (t.n_domains != 1 || t.domains[0].sts_tlsa_same != c->same ||
		    t.successful_sessions != c->ok || t.failed_sessions != c->failed)
			fail_msg("%s: got same %d, %lld/%lld; want same %d, %lld/%lld", c->name,
			         t.domains[0].sts_tlsa_same, (long long)t.successful_sessions,
			         (long long)t.failed_sessions, c->same, (long long)c->ok,
			         (long long)c->failed);
		/* the MX breakdown follows the domain's decision */
		if (t.n_failures != 1 || t.failures[0].failed_sessions != c->failed)
			fail_msg("%s: by MX got %lld, want %lld", c->name,
			         t.n_failures ? (long long)t.failures[0].failed_sessions : -1LL,
			         (long long)c->failed);
		tally_free(&t);
		report_free(r);
	}
}

/* The operator's [counting] overrides win over every built-in rule. */
static void test_tally_overrides(void **state)
{
	struct report *ms = parse_ok(PAIR("Microsoft Corporation", "1+apex.test", 5, 2, 5, 2));
	struct report *other = parse_ok(PAIR("Other Org", "r1", 5, 2, 8, 3));
	char err[256];

	(void)state;
	assert_int_equal(
	    tally_set_overrides(" Other Org ,x", "Microsoft Corporation", err, sizeof(err)), 0);
	assert_int_equal(tally_sts_tlsa_same(ms, 5, 2, 5, 2), 0);
	assert_int_equal(tally_sts_tlsa_same(other, 5, 2, 8, 3), 1);
	assert_int_equal(tally_set_overrides("a, b", "b", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "'b' is in both"));
	/* a failed call leaves no override behind */
	assert_int_equal(tally_sts_tlsa_same(ms, 5, 2, 5, 2), 1);
	assert_int_equal(tally_set_overrides(NULL, NULL, err, sizeof(err)), 0);
	assert_int_equal(tally_sts_tlsa_same(other, 5, 2, 8, 3), 0);
	report_free(ms);
	report_free(other);
}

struct mxdom_case {
	const char *name;
	const char *id;
	const char *policies;
	const char *want; /* the tlsa policy's (policies[0]) counted domain */
};

#define TLSA0(dom)                                                                                 \
	"{\"policy\":{\"policy-type\":\"tlsa\",\"policy-domain\":\"" dom "\"}," SUMMARY(1, 0) "}"
#define STS(dom, mx)                                                                               \
	",{\"policy\":{\"policy-type\":\"sts\",\"policy-domain\":\"" dom "\",\"mx-host\":[\"" mx   \
	"\"]}," SUMMARY(1, 0) "}"

static const struct mxdom_case mxdom_cases[] = {
    {"MX of one domain", "r", TLSA0("mx.host.test") STS("shop.test", "mx.host.test"), "shop.test"},
    {"wildcard mx-host", "r", TLSA0("mx1.host.test") STS("shop.test", "*.host.test"), "shop.test"},
    {"wildcard is one label", "r", TLSA0("a.mx1.host.test") STS("shop.test", "*.host.test"),
     "a.mx1.host.test"},
    {"apex: a policy domain itself", "r", TLSA0("apex.test") STS("apex.test", "apex.test"),
     "apex.test"},
    {"MX of two domains: by MX", "r",
     TLSA0("mx.host.test") STS("a.test", "mx.host.test") STS("b.test", "mx.host.test"),
     "mx.host.test"},
    {"no link: as sent", "r", TLSA0("mx.host.test") STS("shop.test", "other.test"), "mx.host.test"},
    {"sys4, tlsa only: the report-id's domain", "2024-01-01T00:00:00Z_idx1_shop.test",
     TLSA0("mx.host.test"), "shop.test"},
};

static void test_tally_policy_domain(void **state)
{
	char json[2048];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(mxdom_cases) / sizeof(mxdom_cases[0]); i++) {
		const struct mxdom_case *c = &mxdom_cases[i];
		struct report *r;

		snprintf(
		    json, sizeof(json),
		    "{\"organization-name\":\"O\",\"date-range\":{\"start-datetime\":\"2024-01-"
		    "01T00:00:00Z\",\"end-datetime\":\"2024-01-01T23:59:59Z\"},\"report-id\":\"%"
		    "s\","
		    "\"policies\":[%s]}",
		    c->id, c->policies);
		r = parse_ok(json);
		if (strcmp(tally_policy_domain(r, 0), c->want) != 0)
			fail_msg("%s: got %s, want %s", c->name, tally_policy_domain(r, 0),
			         c->want);
		report_free(r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tally_count_once),
	    cmocka_unit_test(test_tally_sts_tlsa),
	    cmocka_unit_test(test_tally_policy_domain),
	    cmocka_unit_test(test_tally_overrides),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
