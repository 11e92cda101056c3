/* Unit tests for web/budget.c: the intake's per-client rate and day
 * budgets, with the clock given by the test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "budget.h"

#define DAY0 ((time_t)20000 * 86400) /* a UTC midnight */

static void test_budget_rate(void **state)
{
	struct budget_limits lim = {2, 0, 0};
	struct budget *b = budget_new(&lim);
	char why[256];
	unsigned retry = 0;

	(void)state;
	assert_int_equal(budget_admit(b, "192.0.2.1", DAY0, -1, &retry, why, sizeof(why)), 0);
	assert_int_equal(budget_admit(b, "192.0.2.1", DAY0, -1, &retry, why, sizeof(why)), 0);
	assert_int_equal(budget_admit(b, "192.0.2.1", DAY0, -1, &retry, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "more than 2 reports a minute"));
	assert_in_range(retry, 1, 31);
	/* another client has its own bucket */
	assert_int_equal(budget_admit(b, "192.0.2.2", DAY0, -1, &retry, why, sizeof(why)), 0);
	/* half a minute later: one more (2 a minute) */
	assert_int_equal(budget_admit(b, "192.0.2.1", DAY0 + 30, -1, &retry, why, sizeof(why)), 0);
	assert_int_equal(budget_admit(b, "192.0.2.1", DAY0 + 30, -1, &retry, why, sizeof(why)), -1);
	/* an IPv6 /64 is one client */
	assert_int_equal(budget_admit(b, "2001:db8::1", DAY0, -1, &retry, why, sizeof(why)), 0);
	assert_int_equal(budget_admit(b, "2001:db8::2", DAY0, -1, &retry, why, sizeof(why)), 0);
	assert_int_equal(budget_admit(b, "2001:db8::ffff:3", DAY0, -1, &retry, why, sizeof(why)),
	                 -1);
	assert_int_equal(budget_admit(b, "2001:db8:0:1::1", DAY0, -1, &retry, why, sizeof(why)), 0);
	budget_free(b);
}

static void test_budget_bytes(void **state)
{
	struct budget_limits lim = {0, 1000, 1500};
	struct budget *b = budget_new(&lim);
	char why[256];
	unsigned retry = 0;

	(void)state;
	/* an announced length over the client's day is refused up front */
	assert_int_equal(budget_admit(b, "192.0.2.1", DAY0, 1001, &retry, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "would pass 1000 bytes"));
	assert_int_equal(retry, 86400);
	assert_int_equal(budget_admit(b, "192.0.2.1", DAY0 + 3600, 600, &retry, why, sizeof(why)),
	                 0);
	assert_int_equal(budget_charge(b, "192.0.2.1", DAY0 + 3600, 600, &retry, why, sizeof(why)),
	                 0);
	assert_int_equal(budget_charge(b, "192.0.2.1", DAY0 + 3600, 401, &retry, why, sizeof(why)),
	                 -1);
	assert_int_equal(retry, 86400 - 3600);
	assert_int_equal(budget_charge(b, "192.0.2.1", DAY0 + 3600, 400, &retry, why, sizeof(why)),
	                 0);
	/* over every client: 1500 a day */
	assert_int_equal(budget_charge(b, "192.0.2.2", DAY0 + 3600, 501, &retry, why, sizeof(why)),
	                 -1);
	assert_non_null(strstr(why, "the intake's 1500 bytes"));
	assert_int_equal(budget_charge(b, "192.0.2.2", DAY0 + 3600, 500, &retry, why, sizeof(why)),
	                 0);
	/* the next UTC day starts afresh */
	assert_int_equal(
	    budget_charge(b, "192.0.2.1", DAY0 + 86400, 1000, &retry, why, sizeof(why)), 0);
	budget_free(b);
}

/* More clients than the table holds: the one seen longest ago goes, and
 * nothing breaks. */
static void test_budget_many_clients(void **state)
{
	struct budget_limits lim = {1, 0, 0};
	struct budget *b = budget_new(&lim);
	char ip[64], why[256];
	unsigned retry = 0;
	int i;

	(void)state;
	for (i = 0; i < 5000; i++) {
		snprintf(ip, sizeof(ip), "10.%d.%d.1", i / 256, i % 256);
		assert_int_equal(budget_admit(b, ip, DAY0 + i, -1, &retry, why, sizeof(why)), 0);
	}
	/* the newest is still remembered: its second POST is refused */
	assert_int_equal(budget_admit(b, ip, DAY0 + i, -1, &retry, why, sizeof(why)), -1);
	budget_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_budget_rate),
	    cmocka_unit_test(test_budget_bytes),
	    cmocka_unit_test(test_budget_many_clients),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
