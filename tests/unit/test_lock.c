/* Unit tests for the collector lock (collector/lock.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "unit_tmpdir.h"
#include "lock.h"

/* --- one collector per database */

static void test_lock(void **state)
{
	char db[256], err[512];
	int a, b;

	(void)state;
	snprintf(db, sizeof(db), "%s/t.db", tmpdir);
	a = lock_collector(db, err, sizeof(err));
	assert_true(a >= 0);
	b = lock_collector(db, err, sizeof(err));
	assert_int_equal(b, -1);
	assert_non_null(strstr(err, "another collector is running"));
	lock_release(a);
	b = lock_collector(db, err, sizeof(err));
	assert_true(b >= 0);
	lock_release(b);
	lock_release(-1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lock),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
