/* Unit tests for core/report_hash.c: the same parsed report gives the same
 * hash however it was written (whitespace, key order, 1 vs 1.0, a date
 * with another offset for the same instant); any change of content gives
 * another (docs/trust.md). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "report.h"
#include "report_hash.h"
#include "unit_report.h"

#define POLICY(ok, fail)                                                                           \
	"\"policies\":[{\"policy\":{\"policy-type\":\"sts\",\"policy-domain\":\"example.com\"}"    \
	"," SUMMARY(ok, fail) "}]}"

static void hash_of(const char *json, uint8_t out[REPORT_HASH_LEN])
{
	struct report *r = parse_ok(json);

	report_content_hash(r, out);
	report_free(r);
}

static void test_report_hash_same(void **state)
{
	static const char *const same[] = {
	    /* whitespace and key order */
	    "{ \"report-id\" : \"R\", \"organization-name\":\"Org\",\n\"date-range\":"
	    "{\"end-datetime\":\"2024-01-01T23:59:59Z\",\"start-datetime\":\"2024-01-01T00:00:"
	    "00Z\"},"
	    " " POLICY(5, 1),
	    /* number formatting */
	    HEAD POLICY(5.0, 1e0),
	};
	uint8_t want[REPORT_HASH_LEN], got[REPORT_HASH_LEN];
	size_t i;

	(void)state;
	hash_of(HEAD POLICY(5, 1), want);
	for (i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		hash_of(same[i], got);
		assert_memory_equal(got, want, REPORT_HASH_LEN);
	}
}

static void test_report_hash_differs(void **state)
{
	static const char *const other[] = {
	    HEAD POLICY(5, 2),
	    HEAD POLICY(6, 1),
	    "{\"organization-name\":\"Org\",\"date-range\":{\"start-datetime\":\"2024-01-01T00:00:"
	    "00Z\",\"end-datetime\":\"2024-01-01T23:59:58Z\"},\"report-id\":\"R\"," POLICY(5, 1),
	    HEAD "\"contact-info\":\"a@b.example\"," POLICY(5, 1),
	    HEAD "\"policies\":[{\"policy\":{\"policy-type\":\"sts\",\"policy-domain\":"
	         "\"example.net\"}," SUMMARY(5, 1) "}]}",
	};
	uint8_t base[REPORT_HASH_LEN], got[REPORT_HASH_LEN];
	size_t i;

	(void)state;
	hash_of(HEAD POLICY(5, 1), base);
	for (i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
		hash_of(other[i], got);
		assert_memory_not_equal(got, base, REPORT_HASH_LEN);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_report_hash_same),
	    cmocka_unit_test(test_report_hash_differs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
