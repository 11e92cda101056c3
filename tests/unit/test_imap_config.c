/* Unit tests for the [imap] checks (collector/imap_config.c).
 * Table-driven. */
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
#include "config.h"
#include "imap.h"
#include "limits.h"

/* --- [imap] */

struct config_case {
	const char *ini;
	const char *err; /* NULL: loads */
};

#define BASE "[imap]\nhost=h\nuser=u\npassword_file=/p\n"

static const struct config_case config_cases[] = {
    {BASE, NULL},
    {"[imap]\nuser=u\npassword_file=/p\n", "host is not set"},
    {"[imap]\nhost=h\npassword_file=/p\n", "user is not set"},
    {"[imap]\nhost=h\nuser=u\n", "exactly one of password_file and password_command"},
    {BASE "password_command=x\n", "exactly one"},
    {BASE "tls=ssl\n", "neither imaps nor starttls"},
    {BASE "tls_verify=off\n", "neither yes nor no"},
    {BASE "port=0\n", "not a port number"},
    {BASE "port=65536\n", "not a port number"},
    {BASE "port=99x\n", "not a port number"},
    {BASE "auth=plain\n", "neither login nor xoauth2"},
    {BASE "processed_folder=INBOX\n", "cannot also be where messages are moved"},
    {BASE "folder=R\nother_folder=R\n", "cannot also be"},
    {BASE "timeout=0\n", "not 1..3600"},
    {BASE "batch_size=0\n", "batch_size"},
    {BASE "batch_size=1001\n", "batch_size"},
    {BASE "batch_size=1000\n", NULL},
    {BASE "password_command_timeout=0\n", "password_command_timeout"},
    {BASE "password_command_timeout=601\n", "password_command_timeout"},
    {BASE "password_command_timeout=5\n", NULL},
};

static void test_config_table(void **state)
{
	struct config *cfg = NULL;
	struct imap_config ic;
	char err[512];
	const char *path;
	size_t i;
	int r;

	(void)state;
	for (i = 0; i < sizeof(config_cases) / sizeof(config_cases[0]); i++) {
		path = write_file("c.conf", config_cases[i].ini, strlen(config_cases[i].ini), 0600);
		assert_int_equal(config_load(path, &cfg, err, sizeof(err)), 0);
		err[0] = '\0';
		r = imap_config_load(cfg, NULL, &ic, err, sizeof(err));
		if (config_cases[i].err == NULL && r != 0)
			fail_msg("case %zu: got '%s', want it to load", i, err);
		if (config_cases[i].err != NULL &&
		    (r == 0 || strstr(err, config_cases[i].err) == NULL))
			fail_msg("case %zu: got '%s', want '%s'", i, r == 0 ? "loaded" : err,
			         config_cases[i].err);
		config_free(cfg);
	}
}

static void test_config_defaults(void **state)
{
	struct config *cfg = NULL;
	struct imap_config ic;
	char err[512];
	const char *path;

	(void)state;
	path = write_file("c.conf", BASE, strlen(BASE), 0600);
	assert_int_equal(config_load(path, &cfg, err, sizeof(err)), 0);
	assert_int_equal(imap_config_load(cfg, NULL, &ic, err, sizeof(err)), 0);
	assert_int_equal(ic.tls, IMAP_TLS_IMAPS);
	assert_int_equal(ic.port, 993);
	assert_int_equal(ic.tls_verify, 1);
	assert_int_equal(ic.auth, IMAP_AUTH_LOGIN);
	assert_string_equal(ic.folder, "INBOX");
	assert_null(ic.processed_folder);
	assert_int_equal(ic.timeout, 60);
	assert_int_equal(ic.batch_size, LIMIT_IMAP_BATCH_DEFAULT);
	assert_int_equal(ic.password_timeout, LIMIT_SECRET_SECONDS_DEFAULT);
	assert_string_equal(ic.server, "h:993");
	assert_int_equal(imap_config_load(cfg, "Reports", &ic, err, sizeof(err)), 0);
	assert_string_equal(ic.folder, "Reports");
	config_free(cfg);
	path = write_file("c.conf", BASE "tls=starttls\n", strlen(BASE "tls=starttls\n"), 0600);
	assert_int_equal(config_load(path, &cfg, err, sizeof(err)), 0);
	assert_int_equal(imap_config_load(cfg, NULL, &ic, err, sizeof(err)), 0);
	assert_int_equal(ic.port, 143);
	config_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_config_table),
	    cmocka_unit_test(test_config_defaults),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
