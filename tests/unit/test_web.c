/* Unit tests for web/: listen addresses, query strings and filters, the
 * intake's header checks and body caps, and the auth file. Table-driven;
 * a failure names the case. */
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
#include "intake.h"
#include "limits.h"
#include "netaddr.h"
#include "params.h"

static void test_netaddr(void **state)
{
	static const struct {
		const char *in;
		int ok;
		int loopback;
		const char *printed; /* netaddr_format with port 80 */
	} cases[] = {
	    {"127.0.0.1:8080", 1, 1, "127.0.0.1:80"},
	    {"localhost:0", 1, 1, "127.0.0.1:80"},
	    {"127.9.9.9:1", 1, 1, "127.9.9.9:80"},
	    {"0.0.0.0:443", 1, 0, "0.0.0.0:80"},
	    {"192.0.2.1:65535", 1, 0, "192.0.2.1:80"},
	    {"[::1]:8080", 1, 1, "[::1]:80"},
	    {"[2001:db8::1]:80", 1, 0, "[2001:db8::1]:80"},
	    {"[::ffff:127.0.0.1]:80", 1, 1, "127.0.0.1:80"},
	    {"127.0.0.1", 0, 0, NULL},
	    {"127.0.0.1:", 0, 0, NULL},
	    {"127.0.0.1:65536", 0, 0, NULL},
	    {"127.0.0.1:99999", 0, 0, NULL},
	    {"127.0.0.1:-1", 0, 0, NULL},
	    {"127.0.0.1:8o", 0, 0, NULL},
	    {"::1:80", 0, 0, NULL},
	    {"[::1]80", 0, 0, NULL},
	    {"example.com:80", 0, 0, NULL},
	    {":80", 0, 0, NULL},
	    {"", 0, 0, NULL},
	};
	struct netaddr a;
	char err[256], buf[80];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = netaddr_parse(cases[i].in, &a, err, sizeof(err));

		if ((rc == 0) != cases[i].ok)
			fail_msg("'%s': got %d, want %s", cases[i].in, rc,
			         cases[i].ok ? "ok" : "error");
		if (!cases[i].ok) {
			assert_non_null(strstr(err, "ADDR:PORT"));
			continue;
		}
		if (netaddr_is_loopback((const struct sockaddr *)&a.ss) != cases[i].loopback)
			fail_msg("'%s': loopback got %d", cases[i].in, !cases[i].loopback);
		netaddr_format((const struct sockaddr *)&a.ss, 80, buf, sizeof(buf));
		if (strcmp(buf, cases[i].printed) != 0)
			fail_msg("'%s': printed '%s', want '%s'", cases[i].in, buf,
			         cases[i].printed);
	}
}

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

static void test_intake_headers(void **state)
{
	static const struct {
		const char *method, *type, *length;
		unsigned status; /* 0: accepted */
	} cases[] = {
	    {"POST", "application/tlsrpt+json", "10", 0},
	    {"POST", "application/tlsrpt+gzip", NULL, 0},
	    {"POST", "Application/TLSRPT+GZIP; charset=binary", "1", 0},
	    {"POST", " application/tlsrpt+json ; x=y", "1", 0},
	    {"POST", "application/tlsrpt+json", "10485760", 0},
	    {"POST", "application/tlsrpt+json", "10485761", 413},
	    {"POST", "application/tlsrpt+json", "99999999999999999999999999", 413},
	    {"POST", "application/tlsrpt+jsonx", "1", 415},
	    {"POST", "application/tlsrpt+json x", "1", 415},
	    {"POST", "application/json", "1", 415},
	    {"POST", "application/tlsrpt", "1", 415},
	    {"POST", NULL, "1", 415},
	    {"GET", "application/tlsrpt+json", NULL, 405},
	    {"PUT", "application/tlsrpt+json", "1", 405},
	};
	struct intake_reply r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = intake_begin(cases[i].method, cases[i].type, cases[i].length, &r);

		if (cases[i].status == 0 && rc != 0)
			fail_msg("%s '%s' %s: refused %u", cases[i].method, cases[i].type,
			         cases[i].length, r.status);
		if (cases[i].status != 0 && (rc != -1 || r.status != cases[i].status))
			fail_msg("%s '%s' %s: got %d/%u, want %u", cases[i].method, cases[i].type,
			         cases[i].length, rc, rc ? r.status : 0, cases[i].status);
	}
}

static void test_intake_body(void **state)
{
	static const char report[] =
	    "{\"organization-name\":\"Org\",\"date-range\":{\"start-datetime\":"
	    "\"2026-03-01T00:00:00Z\",\"end-datetime\":\"2026-03-01T23:59:59Z\"},"
	    "\"contact-info\":\"x@example.com\",\"report-id\":\"R1\",\"policies\":[{\"policy\":"
	    "{\"policy-type\":\"sts\",\"policy-domain\":\"example.com\"},\"summary\":{"
	    "\"total-successful-session-count\":3,\"total-failure-session-count\":0}}]}";
	static char chunk[64 * 1024];
	struct intake *in = NULL;
	struct intake_reply r;
	struct intake_body b;
	char err[256];
	size_t sent, i;

	(void)state;
	assert_int_equal(intake_new(NULL, &in, err, sizeof(err)), 0);
	/* a valid report, one byte at a time (dry run: "stored", 201) */
	intake_body_init(&b);
	for (i = 0; i < sizeof(report) - 1; i++)
		intake_body_append(in, &b, report + i, 1);
	intake_finish(in, &b, "192.0.2.1", &r);
	intake_body_free(in, &b);
	assert_int_equal(r.status, 201);
	/* an invalid one: 400 with the JSON path */
	intake_body_init(&b);
	intake_body_append(in, &b, "{\"organization-name\":1}", 23);
	intake_finish(in, &b, "192.0.2.1", &r);
	intake_body_free(in, &b);
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(r.message, "organization-name"));
	/* an empty body */
	intake_body_init(&b);
	intake_finish(in, &b, "192.0.2.1", &r);
	intake_body_free(in, &b);
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(r.message, "empty input"));
	/* past the cap while streaming: the body is dropped at once */
	intake_body_init(&b);
	memset(chunk, '{', sizeof(chunk));
	for (sent = 0; sent <= LIMIT_WEB_INTAKE_BODY_BYTES; sent += sizeof(chunk))
		intake_body_append(in, &b, chunk, sizeof(chunk));
	assert_true(b.too_large);
	assert_int_equal(b.data.len, 0);
	assert_int_equal(b.reserved, 0);
	intake_finish(in, &b, "192.0.2.1", &r);
	intake_body_free(in, &b);
	assert_int_equal(r.status, 413);
	intake_free(in);
}

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
	    cmocka_unit_test(test_netaddr),        cmocka_unit_test(test_params_decode),
	    cmocka_unit_test(test_params_limits),  cmocka_unit_test(test_filter),
	    cmocka_unit_test(test_intake_headers), cmocka_unit_test(test_intake_body),
	    cmocka_unit_test(test_auth),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
