/* Unit tests for lib/gz.c: inflate with a cap, multi-member, corruption. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "gz.h"

static void test_gz_roundtrip(void **state)
{
	const char *text = "{\"organization-name\":\"x\"}";
	uint8_t *gz, *out;
	size_t gzlen, outlen;
	char err[128];

	(void)state;
	gz_deflate((const uint8_t *)text, strlen(text), &gz, &gzlen);
	assert_true(gz_is_gzip(gz, gzlen));
	assert_int_equal(gz_inflate(gz, gzlen, 1024, &out, &outlen, err, sizeof(err)), 0);
	assert_int_equal(outlen, strlen(text));
	assert_memory_equal(out, text, outlen);
	assert_int_equal(out[outlen], '\0');
	free(out);
	free(gz);
}

static void test_gz_cap(void **state)
{
	uint8_t *zeros = calloc(1, 1 << 20), *gz, *out = NULL;
	size_t gzlen, outlen = 0;
	char err[128];

	(void)state;
	gz_deflate(zeros, 1 << 20, &gz, &gzlen);
	assert_int_equal(gz_inflate(gz, gzlen, 4096, &out, &outlen, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "exceeds the limit of 4096 bytes"));
	assert_null(out);
	/* exactly at the cap is fine */
	assert_int_equal(gz_inflate(gz, gzlen, 1 << 20, &out, &outlen, err, sizeof(err)), 0);
	assert_int_equal(outlen, 1 << 20);
	free(out);
	free(gz);
	free(zeros);
}

static void test_gz_multimember_and_errors(void **state)
{
	uint8_t *a, *b, *both, *out = NULL;
	size_t alen, blen, outlen;
	char err[128];
	size_t cut;

	(void)state;
	gz_deflate((const uint8_t *)"hello ", 6, &a, &alen);
	gz_deflate((const uint8_t *)"world", 5, &b, &blen);
	both = malloc(alen + blen + 8);
	memcpy(both, a, alen);
	memcpy(both + alen, b, blen);
	assert_int_equal(gz_inflate(both, alen + blen, 100, &out, &outlen, err, sizeof(err)), 0);
	assert_string_equal((char *)out, "hello world");
	free(out);
	/* every truncation is an error, never a crash or a silent success */
	for (cut = 0; cut < alen; cut++) {
		out = NULL;
		assert_int_equal(gz_inflate(a, cut, 100, &out, &outlen, err, sizeof(err)), -1);
		assert_null(out);
	}
	/* trailing garbage after a member */
	memcpy(both + alen, "junk", 4);
	assert_int_equal(gz_inflate(both, alen + 4, 100, &out, &outlen, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "trailing garbage"));
	/* corrupt CRC */
	a[alen - 5] ^= 0xff;
	assert_int_equal(gz_inflate(a, alen, 100, &out, &outlen, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "corrupt"));
	assert_int_equal(gz_inflate((const uint8_t *)"{}", 2, 100, &out, &outlen, err, sizeof(err)),
	                 -1);
	assert_string_equal(err, "not gzip data");
	free(a);
	free(b);
	free(both);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_gz_roundtrip),
	    cmocka_unit_test(test_gz_cap),
	    cmocka_unit_test(test_gz_multimember_and_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
