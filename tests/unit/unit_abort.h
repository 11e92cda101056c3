/*
 * unit_abort.h - for the tests of invariant asserts: runs fn(arg) in a
 * child process and fails the test unless the child died of SIGABRT (an
 * assert that fired). Include after cmocka.h. static inline so that a test
 * using it builds without warnings.
 */
#ifndef UNIT_ABORT_H
#define UNIT_ABORT_H

#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static inline void unit_expect_abort(const char *what, void (*fn)(void *arg), void *arg)
{
	int status = 0;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* the assertion message is expected: keep the log quiet */
		if (freopen("/dev/null", "w", stderr) == NULL)
			_exit(3);
		fn(arg);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGABRT)
		fail_msg("%s: got status %#x, want SIGABRT from assert", what, status);
}

#endif
