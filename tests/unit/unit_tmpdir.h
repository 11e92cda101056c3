/*
 * unit_tmpdir.h - a scratch directory for the unit tests that write files
 * (the collector's secret, config and lock tests): setup/teardown for
 * cmocka_run_group_tests and write_file() into it. Include after cmocka.h.
 * static inline so that a test using part of it builds without warnings.
 */
#ifndef UNIT_TMPDIR_H
#define UNIT_TMPDIR_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

static char tmpdir[] = "/tmp/tlswatch-unit-imap.XXXXXX";

static inline int setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static inline int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static inline const char *write_file(const char *name, const void *data, size_t len, mode_t mode)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
	return path;
}

#endif
