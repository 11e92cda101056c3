/* Unit tests for web/deadline.c: a connection past its deadline is shut
 * down (the peer reads end of stream), one restarted in time is not, and
 * a removed one is never touched. Waits are bounded (a few seconds). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "deadline.h"

/* 1 when fd reads end of stream within the wait (poll by MSG_DONTWAIT). */
static int deadline_eof_within(int fd, int ms)
{
	struct timespec tick = {0, 50 * 1000 * 1000};
	char c;
	int i;

	for (i = 0; i < ms / 50; i++) {
		if (recv(fd, &c, 1, MSG_DONTWAIT) == 0)
			return 1;
		nanosleep(&tick, NULL);
	}
	return 0;
}

static void test_deadline_expires(void **state)
{
	struct deadline *d = deadline_new(1);
	struct deadline_conn *late, *kept;
	int a[2], b[2];

	(void)state;
	assert_non_null(d);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, a), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, b), 0);
	late = deadline_add(d, a[0]);
	kept = deadline_add(d, b[0]);
	deadline_remove(d, kept); /* as the server does before closing */
	assert_int_equal(deadline_eof_within(a[1], 4000), 1);
	assert_int_equal(deadline_expired(d), 1);
	assert_int_equal(deadline_eof_within(b[1], 100), 0);
	deadline_remove(d, late);
	deadline_free(d);
	close(a[0]);
	close(a[1]);
	close(b[0]);
	close(b[1]);
}

static void test_deadline_restart(void **state)
{
	struct deadline *d = deadline_new(2);
	struct deadline_conn *c;
	struct timespec second = {1, 0};
	int s[2], i;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, s), 0);
	c = deadline_add(d, s[0]);
	/* answered every second: never past 2 s */
	for (i = 0; i < 4; i++) {
		nanosleep(&second, NULL);
		deadline_restart(d, c);
	}
	assert_int_equal(deadline_eof_within(s[1], 100), 0);
	assert_int_equal(deadline_expired(d), 0);
	deadline_remove(d, c);
	deadline_free(d);
	close(s[0]);
	close(s[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_deadline_expires),
	    cmocka_unit_test(test_deadline_restart),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
