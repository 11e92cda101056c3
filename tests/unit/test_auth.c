/* Unit tests for the dashboard's auth file (web/auth.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <crypt.h>
#include <netinet/in.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth.h"

/* Writes an auth file with mode and content; returns its path. */
static const char *write_file(const char *name, mode_t mode, const char *content)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "/tmp/tlswatch-test-web-%d-%s", (int)getpid(), name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
	chmod(path, mode);
	return path;
}

static void test_auth(void **state)
{
	struct crypt_data *cd = calloc(1, sizeof(*cd));
	char setting[CRYPT_GENSALT_OUTPUT_SIZE], content[1024], err[512];
	const char *path, *hash;
	struct web_auth *a = NULL;

	(void)state;
	assert_non_null(crypt_gensalt_rn("$6$", 0, NULL, 0, setting, sizeof(setting)));
	hash = crypt_rn("right", setting, cd, sizeof(*cd));
	assert_non_null(hash);
	snprintf(content, sizeof(content), "# users\n\nalice:%s\r\n", hash);
	path = write_file("ok", 0600, content);
	assert_int_equal(web_auth_load(path, &a, err, sizeof(err)), 0);
	assert_int_equal(web_auth_check(a, "alice", "right"), 1);
	assert_int_equal(web_auth_check(a, "alice", "right"), 1); /* from the cache */
	assert_int_equal(web_auth_check(a, "alice", "wrong"), 0);
	assert_int_equal(web_auth_check(a, "alice", "righ"), 0);
	assert_int_equal(web_auth_check(a, "bob", "right"), 0);
	assert_int_equal(web_auth_check(a, "alice", NULL), 0);
	assert_int_equal(web_auth_check(a, NULL, "right"), 0);
	web_auth_free(a);
	unlink(path);

	/* unknown users are checked against a dummy of a user's own method
	 * and cost, for every method in the file */
	{
		char setting2[CRYPT_GENSALT_OUTPUT_SIZE], hash6[256];
		const char *hash_y;

		snprintf(hash6, sizeof(hash6), "%s", hash);
		assert_non_null(crypt_gensalt_rn("$y$", 0, NULL, 0, setting2, sizeof(setting2)));
		hash_y = crypt_rn("other", setting2, cd, sizeof(*cd));
		assert_non_null(hash_y);
		snprintf(content, sizeof(content), "alice:%s\ncarol:%s\n", hash6, hash_y);
		path = write_file("two", 0640, content);
		assert_int_equal(web_auth_load(path, &a, err, sizeof(err)), 0);
		assert_int_equal(web_auth_dummy_checks(a), 0);
		assert_int_equal(web_auth_check(a, "carol", "other"), 1);
		assert_int_equal(web_auth_check(a, "alice", "nope"), 0);
		assert_int_equal(web_auth_dummy_checks(a), 0);
		assert_int_equal(web_auth_check(a, "mallory", "other"), 0);
		assert_int_equal(web_auth_check(a, "eve", "right"), 0);
		assert_int_equal(web_auth_dummy_checks(a), 2);
		web_auth_free(a);
		a = NULL;
		unlink(path);
		snprintf(content, sizeof(content), "alice:%s\n", hash6);
	}
	path = write_file("or", 0604, content);
	assert_int_equal(web_auth_load(path, &a, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "readable by others"));
	unlink(path);
	if (geteuid() == 0) {
		path = write_file("owner", 0600, content);
		assert_int_equal(chown(path, 4242, 4242), 0);
		assert_int_equal(web_auth_load(path, &a, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "owned by uid 4242"));
		unlink(path);
	}
	path = write_file("gw", 0620, content);
	assert_int_equal(web_auth_load(path, &a, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "writable by group or others"));
	unlink(path);
	path = write_file("ww", 0602, content);
	assert_int_equal(web_auth_load(path, &a, err, sizeof(err)), -1);
	unlink(path);

	static const struct {
		const char *content, *why;
	} bad[] = {
	    {"alice:plaintext\n", "not one tlswatch accepts"},
	    {"alice:$1$abcdefgh$abcdefghijklmnopqrstuv\n", "not one tlswatch accepts"},
	    {"alice\n", "want user:hash"},
	    {":$6$x$y\n", "want user:hash"},
	    {"# nobody\n", "no user:hash line"},
	    {"", "no user:hash line"},
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		path = write_file("bad", 0600, bad[i].content);
		if (web_auth_load(path, &a, err, sizeof(err)) == 0 ||
		    strstr(err, bad[i].why) == NULL)
			fail_msg("'%s': got '%s', want '%s'", bad[i].content, err, bad[i].why);
		unlink(path);
	}
	snprintf(content, sizeof(content), "alice:%s\nalice:%s\n", hash, hash);
	path = write_file("dup", 0600, content);
	assert_int_equal(web_auth_load(path, &a, err, sizeof(err)), -1);
	assert_non_null(strstr(err, ":2: user 'alice' listed twice"));
	unlink(path);
	free(cd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_auth),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
