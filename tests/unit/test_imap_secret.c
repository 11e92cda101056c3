/* Unit tests for the IMAP secret (collector/imap_secret.c): read from a
 * file or a command, its limits and its owner and mode checks.
 * Table-driven. The protocol itself is tested against a real Dovecot in
 * tests/integration/imap_*.sh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "unit_tmpdir.h"
#include "imap_secret.h"
#include "limits.h"

/* --- the secret */

struct secret_case {
	const char *content; /* file content, or a shell command when cmd */
	int cmd;
	mode_t mode;
	const char *want; /* NULL: an error containing err */
	const char *err;
};

static const struct secret_case secret_cases[] = {
    {"pw\n", 0, 0600, "pw", NULL},
    {"pw\r\nsecond\n", 0, 0600, "pw", NULL},
    {"no newline", 0, 0400, "no newline", NULL},
    {"pw\n", 0, 0640, NULL, "mode 640 lets others read it"},
    {"pw\n", 0, 0604, NULL, "mode 604 lets others read it"},
    {"\nsecond\n", 0, 0600, NULL, "the first line is empty"},
    {"", 0, 0600, NULL, "the first line is empty"},
    {"echo tok; echo other", 1, 0, "tok", NULL},
    {"printf tok", 1, 0, "tok", NULL},
    {"echo tok; exit 4", 1, 0, NULL, "password_command exited with status 4"},
    {"kill -9 $$", 1, 0, NULL, "password_command was killed by signal 9"},
    {"true", 1, 0, NULL, "password_command: the first line is empty"},
    {"read x; echo \"got${x}\"", 1, 0, "got", NULL}, /* stdin is /dev/null */
};

static void test_secret_table(void **state)
{
	char err[512], *secret;
	const char *path;
	size_t i;
	int r;

	(void)state;
	for (i = 0; i < sizeof(secret_cases) / sizeof(secret_cases[0]); i++) {
		const struct secret_case *c = &secret_cases[i];

		secret = NULL;
		err[0] = '\0';
		if (c->cmd) {
			r = imap_secret_read(NULL, c->content, 30, &secret, err, sizeof(err));
		} else {
			path = write_file("pw", c->content, strlen(c->content), c->mode);
			r = imap_secret_read(path, NULL, 30, &secret, err, sizeof(err));
		}
		if (c->want != NULL) {
			if (r != 0)
				fail_msg("case %zu: got error '%s', want '%s'", i, err, c->want);
			assert_string_equal(secret, c->want);
		} else {
			if (r == 0)
				fail_msg("case %zu: got '%s', want an error", i, secret);
			if (strstr(err, c->err) == NULL)
				fail_msg("case %zu: got '%s', want '%s'", i, err, c->err);
			/* the error never carries the secret */
			assert_null(strstr(err, "pw\n"));
			assert_null(strstr(err, "tok"));
		}
		imap_secret_free(secret);
	}
}

/* pid runs (exists and is not a zombie). */
static int process_alive(long pid)
{
	char path[64], stat[256], *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	f = fopen(path, "r");
	if (f == NULL)
		return 0;
	n = fread(stat, 1, sizeof(stat) - 1, f);
	fclose(f);
	stat[n] = '\0';
	p = strrchr(stat, ')');
	return p != NULL && p[1] == ' ' && p[2] != 'Z' && p[2] != 'X';
}

/* password_command past its timeout: the whole process group is killed;
 * a helper that exits but leaves a child holding stdout is not waited for. */
static void test_secret_timeout(void **state)
{
	char err[512], cmd[512], pidfile[300], buf[32], *secret = NULL;
	struct timespec t0, t1;
	FILE *f;
	long pid;
	int tries;

	(void)state;
	snprintf(pidfile, sizeof(pidfile), "%s/bg.pid", tmpdir);
	snprintf(cmd, sizeof(cmd), "sleep 60 & echo $! > %s; wait", pidfile);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(imap_secret_read(NULL, cmd, 1, &secret, err, sizeof(err)), -1);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_non_null(strstr(err, "did not finish within 1 seconds"));
	assert_true(t1.tv_sec - t0.tv_sec < 10);
	f = fopen(pidfile, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	pid = strtol(buf, NULL, 10);
	assert_true(pid > 1);
	/* the background child was in the group: gone, or a zombie waiting
	 * for a reaper (SIGKILL is asynchronous) */
	for (tries = 0; tries < 50 && process_alive(pid); tries++)
		usleep(20000);
	assert_false(process_alive(pid));

	/* exits at once, a child keeps stdout for a minute */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(imap_secret_read(NULL, "echo tok; (sleep 60; echo late) &", 20, &secret,
	                                  err, sizeof(err)),
	                 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_string_equal(secret, "tok");
	assert_true(t1.tv_sec - t0.tv_sec < 10);
	imap_secret_free(secret);
}

static void test_secret_limits(void **state)
{
	char err[512], *secret = NULL, *big;
	const char *path;

	(void)state;
	big = malloc(LIMIT_SECRET_BYTES + 2);
	assert_non_null(big);
	memset(big, 'a', LIMIT_SECRET_BYTES + 1);
	big[LIMIT_SECRET_BYTES + 1] = '\n';
	path = write_file("big", big, LIMIT_SECRET_BYTES + 2, 0600);
	assert_int_equal(imap_secret_read(path, NULL, 30, &secret, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "secret longer than"));
	/* exactly at the limit is fine */
	big[LIMIT_SECRET_BYTES] = '\n';
	path = write_file("big", big, LIMIT_SECRET_BYTES + 1, 0600);
	assert_int_equal(imap_secret_read(path, NULL, 30, &secret, err, sizeof(err)), 0);
	assert_int_equal(strlen(secret), LIMIT_SECRET_BYTES);
	imap_secret_free(secret);
	free(big);
	/* neither, or both */
	assert_int_equal(imap_secret_read(NULL, NULL, 30, &secret, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "exactly one"));
	assert_int_equal(imap_secret_read(path, "echo x", 30, &secret, err, sizeof(err)), -1);
	/* not a regular file, missing, a symlink */
	assert_int_equal(imap_secret_read(tmpdir, NULL, 30, &secret, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a regular file"));
	assert_int_equal(imap_secret_read("/nonexistent/pw", NULL, 30, &secret, err, sizeof(err)),
	                 -1);
	assert_non_null(strstr(err, "No such file"));
}

static void test_secret_owner(void **state)
{
	char err[512], *secret = NULL;
	const char *path;

	(void)state;
	if (geteuid() != 0)
		skip();
	path = write_file("pw", "pw\n", 3, 0600);
	assert_int_equal(chown(path, 1, (gid_t)-1), 0);
	assert_int_equal(imap_secret_read(path, NULL, 30, &secret, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "owned by uid 1"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_secret_table),
	    cmocka_unit_test(test_secret_limits),
	    cmocka_unit_test(test_secret_timeout),
	    cmocka_unit_test(test_secret_owner),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
