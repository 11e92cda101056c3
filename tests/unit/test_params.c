/* Unit tests for web/params.c: query strings, their limits, and the
 * dashboard filter. Table-driven; a failure names the case. */
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

#include "limits.h"
#include "params.h"

static void test_params_decode(void **state)
{
	static const struct {
		const char *query;
		const char *name;
		const char *want; /* NULL: absent; "ERR": parse error */
	} cases[] = {
	    {"org=Google+Inc.", "org", "Google Inc."},
	    {"org=%47oogle%20Inc%2e", "org", "Google Inc."},
	    {"org=a%2Bb", "org", "a+b"},
	    {"org=%3Cscript%3E", "org", "<script>"},
	    {"org=caf%C3%A9", "org", "caf\xc3\xa9"},
	    {"a=1&&org=x&", "org", "x"},
	    {"org=x&org=y", "org", "x"},
	    {"org=", "org", NULL},
	    {"org", "org", NULL},
	    {"domain=a", "org", NULL},
	    {"org=%4", "org", "ERR"},
	    {"org=%", "org", "ERR"},
	    {"org=%zz", "org", "ERR"},
	    {"org=%00", "org", "ERR"},
	    {"org=%0a", "org", "ERR"},
	    {"org=%7f", "org", "ERR"},
	    {"org=%C3%28", "org", "ERR"},
	    {"org=%ED%A0%80", "org", "ERR"},
	    {"%zz=1", "org", "ERR"},
	};
	struct web_params p;
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc =
		    web_params_parse(cases[i].query, strlen(cases[i].query), &p, err, sizeof(err));
		const char *got;

		if (strcmp(cases[i].want != NULL ? cases[i].want : "", "ERR") == 0) {
			if (rc == 0)
				fail_msg("'%s': parsed, want an error", cases[i].query);
			assert_int_equal(p.n, 0);
			continue;
		}
		if (rc != 0)
			fail_msg("'%s': %s", cases[i].query, err);
		got = web_params_get(&p, cases[i].name);
		if ((got == NULL) != (cases[i].want == NULL) ||
		    (got != NULL && strcmp(got, cases[i].want) != 0))
			fail_msg("'%s': got '%s', want '%s'", cases[i].query, got ? got : "(null)",
			         cases[i].want ? cases[i].want : "(null)");
		web_params_free(&p);
	}
}

static void test_params_limits(void **state)
{
	struct web_params p;
	struct strbuf q;
	char err[256];
	unsigned i;

	(void)state;
	strbuf_init(&q, 1 << 20);
	for (i = 0; i < LIMIT_WEB_QUERY_PARAMS; i++)
		strbuf_printf(&q, "%sd=%u", i ? "&" : "", i);
	assert_int_equal(web_params_parse(q.data, q.len, &p, err, sizeof(err)), 0);
	assert_int_equal(p.n, LIMIT_WEB_QUERY_PARAMS);
	web_params_free(&p);
	strbuf_puts(&q, "&one=more");
	assert_int_equal(web_params_parse(q.data, q.len, &p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "query parameters"));
	strbuf_reset(&q);
	strbuf_puts(&q, "org=");
	for (i = 0; i < LIMIT_WEB_QUERY_BYTES; i++)
		strbuf_putc(&q, 'a');
	assert_int_equal(web_params_parse(q.data, q.len, &p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "longer than"));
	strbuf_free(&q);
}

static void test_filter(void **state)
{
	static const struct {
		const char *query;
		int ok;
		int64_t since, until; /* today is day 20527 (2026-03-15) */
		const char *link;     /* web_filter_query with page=2 */
	} cases[] = {
	    {"", 1, 20520, 20527, "?page=2"},
	    {"since=2026-03-01&until=2026-03-15", 1, 20513, 20527,
	     "?since=2026-03-01&until=2026-03-15&page=2"},
	    {"since=30d", 1, 20497, 20527, "?since=30d&page=2"},
	    {"all=1&domain=a.example&domain=b.example&org=Google+Inc.", 1, 0, 0,
	     "?all=1&domain=a.example&domain=b.example&org=Google%20Inc.&page=2"},
	    {"mx=mx1.example.com&result_type=certificate-expired&page=3&group_by=mx", 1, 20520,
	     20527, "?mx=mx1.example.com&result_type=certificate-expired&page=2"},
	    {"domain=&org=&since=", 1, 20520, 20527, "?page=2"},
	    {"since=2026-03-15&until=2026-03-15", 0, 0, 0, NULL},
	    {"since=yesterday", 0, 0, 0, NULL},
	    {"until=2026-02-30", 0, 0, 0, NULL},
	    {"all=yes", 0, 0, 0, NULL},
	    {"all=1&since=7d", 0, 0, 0, NULL},
	    {"page=0", 0, 0, 0, NULL},
	    {"page=-1", 0, 0, 0, NULL},
	    {"page=99999999999", 0, 0, 0, NULL},
	};
	struct web_kv kv = {"page", "2"};
	struct web_params p;
	struct web_filter f;
	struct strbuf sb;
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(
		    web_params_parse(cases[i].query, strlen(cases[i].query), &p, err, sizeof(err)),
		    0);
		if ((web_filter_parse(&p, 20527, &f, err, sizeof(err)) == 0) != cases[i].ok)
			fail_msg("'%s': want %s (%s)", cases[i].query,
			         cases[i].ok ? "ok" : "an error", err);
		if (cases[i].ok) {
			if (!f.all && (f.q.since != cases[i].since || f.q.until != cases[i].until))
				fail_msg("'%s': period [%lld, %lld)", cases[i].query,
				         (long long)f.q.since, (long long)f.q.until);
			strbuf_init(&sb, 4096);
			web_filter_query(&sb, &f, &kv, 1);
			if (strcmp(strbuf_str(&sb), cases[i].link) != 0)
				fail_msg("'%s': link '%s', want '%s'", cases[i].query,
				         strbuf_str(&sb), cases[i].link);
			strbuf_free(&sb);
		}
		web_params_free(&p);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_params_decode),
	    cmocka_unit_test(test_params_limits),
	    cmocka_unit_test(test_filter),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
