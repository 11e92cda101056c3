/* Unit tests for published vs reported (analyzer/published.c) and the
 * check history (analyzer/check_history.c): a real SQLite store, check
 * results stored with chosen times, and hand-made reports through the
 * real ingest path whose policy strings change over the month. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "check_history.h"
#include "datetime.h"
#include "ingest.h"
#include "published.h"
#include "store.h"
#include "store_check.h"
#include "strbuf.h"

static int n_reports;

/* A report of org for domain on day: one sts policy of mode, max_age and
 * one mx line, ok sessions, and failed sessions of rtype at mx (none when
 * failed is 0). */
static void add_report(struct ingest *ig, const char *org, int64_t day, const char *domain,
                       const char *mode, long max_age, const char *mx, int64_t ok,
                       const char *rtype, const char *fmx, int64_t failed)
{
	char start[16], err[256];
	struct ingest_result res;
	struct source_info src;
	struct strbuf sb;

	datetime_format_day(day, start, sizeof(start));
	strbuf_init(&sb, 4096);
	assert_int_equal(
	    strbuf_printf(
	        &sb,
	        "{\"organization-name\": \"%s\", \"date-range\": {\"start-datetime\": "
	        "\"%sT00:00:00Z\", \"end-datetime\": \"%sT23:59:59Z\"}, \"contact-info\": "
	        "\"x@example\", \"report-id\": \"p%d\", \"policies\": [{\"policy\": "
	        "{\"policy-type\": \"sts\", \"policy-string\": [\"version: STSv1\", \"mode: %s\", "
	        "\"mx: %s\", \"max_age: %ld\"], \"policy-domain\": \"%s\", \"mx-host\": [\"%s\"]}, "
	        "\"summary\": {\"total-successful-session-count\": %lld, "
	        "\"total-failure-session-count\": %lld}, \"failure-details\": [",
	        org, start, start, ++n_reports, mode, mx, max_age, domain, mx, (long long)ok,
	        (long long)failed),
	    0);
	if (failed > 0)
		assert_int_equal(
		    strbuf_printf(&sb,
		                  "{\"result-type\": \"%s\", \"receiving-mx-hostname\": "
		                  "\"%s\", \"failed-session-count\": %lld}",
		                  rtype, fmx, (long long)failed),
		    0);
	assert_int_equal(strbuf_puts(&sb, "]}]}"), 0);
	memset(&src, 0, sizeof(src));
	src.kind = "file";
	src.received = day * 86400;
	assert_int_equal(ingest_input(ig, (const uint8_t *)strbuf_str(&sb), sb.len, (int64_t)sb.len,
	                              0, &src, &res, err, sizeof(err)),
	                 0);
	if (res.n_stored != 1)
		fail_msg("report not stored: %s", res.reason);
	strbuf_free(&sb);
}

/* Stores one check result of domain at day (noon). */
static void add_check(struct store *st, const char *domain, int64_t day, const char *id,
                      const char *mode, long max_age, const char *mx_pattern, const char *mx,
                      const char *certs, const char *policy_error)
{
	struct check_result r;
	char body[512], err[256];

	snprintf(body, sizeof(body), "version: STSv1\nmode: %s\nmx: %s\nmax_age: %ld\n",
	         mode != NULL ? mode : "", mx_pattern != NULL ? mx_pattern : "", max_age);
	memset(&r, 0, sizeof(r));
	r.domain = domain;
	r.checked_at = day * 86400 + 43200;
	r.status = "ok";
	r.sts_id = id;
	r.sts_mode = mode;
	r.sts_max_age = mode != NULL ? max_age : -1;
	r.sts_body = mode != NULL ? body : NULL;
	r.policy_error = policy_error;
	r.mx = mx;
	r.certs = certs;
	r.tlsa = "";
	assert_int_equal(store_begin(st, err, sizeof(err)), 0);
	assert_int_equal(store_check_add(st, &r, err, sizeof(err)), 0);
	assert_int_equal(store_commit(st, err, sizeof(err)), 0);
}

static const struct published *find(const struct published_list *l, const char *domain)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->d[i].domain, domain) == 0)
			return &l->d[i];
	fail_msg("no domain %s in the list", domain);
	return NULL;
}

/* The note of kind k (the first), or a failure saying what there was. */
static const struct published_note *note(const struct published *p, enum published_kind k)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (p->note[i].kind == k)
			return &p->note[i];
	for (i = 0; i < p->n; i++)
		print_message("  %s: %s\n", published_kind_name(p->note[i].kind), p->note[i].text);
	fail_msg("%s: no %s note", p->domain, published_kind_name(k));
	return NULL;
}

static void has_text(const struct published_note *n, const char *want)
{
	if (strstr(n->text, want) == NULL)
		fail_msg("note '%s' lacks '%s'", n->text, want);
}

static void test_published_read(void **state)
{
	char dir[] = "/tmp/test_published.XXXXXX", path[128], err[512], certs[128], ok_cert[128];
	int64_t d0 = datetime_days_from_civil(2026, 11, 1), now = (d0 + 30) * 86400 + 3600, day;
	struct published_list l;
	const struct published *p;
	const struct published_note *n;
	struct store *st = NULL;
	struct ingest *ig;
	const char *one = "DRIFT.example";

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/t.db", dir);
	assert_int_equal(store_open(path, STORE_READWRITE, &st, err, sizeof(err)), 0);
	snprintf(ok_cert, sizeof(ok_cert), "mx1.ready.example %lld\n",
	         (long long)(now + 100 * 86400));
	snprintf(certs, sizeof(certs), "mx1.drift.example %lld\n", (long long)(now + 3 * 86400));
	/* ready: testing since day 5, two reporters every day since, clean */
	add_check(st, "ready.example", d0 + 5, "1", "testing", 604800, "mx1.ready.example",
	          "10 mx1.ready.example\n", ok_cert, NULL);
	/* not ready: testing since day 25, one reporter, failures at an MX
	 * the policy does not cover and DNS does not list */
	add_check(st, "notready.example", d0 + 25, "1", "testing", 604800, "mx1.notready.example",
	          "10 mx1.notready.example\n", "", NULL);
	/* drift: testing (max_age a day) until day 10, then enforce; one
	 * reporter still applies testing on days 20-29 (stale), one the new
	 * policy; the certificate expires in 3 days */
	add_check(st, "drift.example", d0 + 2, "1", "testing", 86400, "mx1.drift.example",
	          "10 mx1.drift.example\n", certs, NULL);
	add_check(st, "drift.example", d0 + 10, "2", "enforce", 86400, "mx1.drift.example",
	          "10 mx1.drift.example\n", certs, NULL);
	/* within max_age: changed on day 28, a week's cache */
	add_check(st, "recent.example", d0 + 1, "1", "testing", 604800, "mx1.recent.example",
	          "10 mx1.recent.example\n", "", NULL);
	add_check(st, "recent.example", d0 + 28, "2", "enforce", 604800, "mx1.recent.example",
	          "10 mx1.recent.example\n", "", NULL);
	/* the policy host does not answer */
	add_check(st, "down.example", d0 + 29, "1", NULL, 0, NULL, "10 mx1.down.example\n", "",
	          "cannot fetch the policy: connection refused");

	ig = ingest_new(st);
	for (day = d0 + 6; day < d0 + 30; day++) {
		add_report(ig, "Google Inc.", day, "ready.example", "testing", 604800,
		           "mx1.ready.example", 900, NULL, NULL, 0);
		add_report(ig, "Microsoft Corporation", day, "ready.example", "testing", 604800,
		           "mx1.ready.example", 300, NULL, NULL, 0);
	}
	for (day = d0 + 26; day < d0 + 30; day++)
		add_report(ig, "Google Inc.", day, "notready.example", "testing", 604800,
		           "mx1.notready.example", 100, "certificate-expired",
		           "mx2.notready.example", 5);
	for (day = d0 + 20; day < d0 + 30; day++) {
		add_report(ig, "Old Corp", day, "drift.example", "testing", 86400,
		           "mx1.drift.example", 50, NULL, NULL, 0);
		add_report(ig, "New Corp", day, "drift.example", "enforce", 86400,
		           "mx1.drift.example", 50, NULL, NULL, 0);
	}
	add_report(ig, "Slow Corp", d0 + 29, "recent.example", "testing", 604800,
	           "mx1.recent.example", 50, NULL, NULL, 0);
	assert_int_equal(ingest_flush(ig, err, sizeof(err)), 0);
	ingest_free(ig);

	assert_int_equal(published_read(st, NULL, 0, now, 14, &l, err, sizeof(err)), 0);
	assert_int_equal(l.n, 5);

	p = find(&l, "ready.example");
	n = note(p, PUBLISHED_READY);
	has_text(n, "ready for enforce: 24 days of reports since 2026-11-06");
	has_text(n, "Google Inc. and Microsoft Corporation reporting, 0 failures");
	assert_int_equal(p->n, 1);

	p = find(&l, "notready.example");
	n = note(p, PUBLISHED_NOT_READY);
	has_text(n, "4 days of reports since 2026-11-26 (wait for 14)");
	has_text(n, "1 reporter (wait for 2)");
	has_text(n, "20 failed sessions of MTA-STS kinds");
	has_text(n, "MX not covered by the policy's mx lines: mx2.notready.example");
	has_text(note(p, PUBLISHED_MX_NOT_IN_DNS), "mx2.notready.example is named in failure");

	p = find(&l, "drift.example");
	n = note(p, PUBLISHED_STALE_POLICY);
	assert_true(n->alert);
	assert_string_equal(n->organization, "Old Corp");
	has_text(n, "Old Corp still applied mode testing (published: enforce) on 2026-11-30: "
	            "changed 2026-11-11, its cache should have expired by 2026-11-12");
	n = note(p, PUBLISHED_CERT_EXPIRING);
	assert_true(n->alert);
	assert_string_equal(n->host, "mx1.drift.example");
	has_text(n, "the certificate of mx1.drift.example expires on 2026-12-04");
	assert_int_equal(p->n, 2); /* New Corp applies what is published */

	p = find(&l, "recent.example");
	n = note(p, PUBLISHED_DRIFT);
	assert_false(n->alert);
	has_text(n, "1 reporter still applies a policy no longer published (Slow Corp): expected "
	            "while their caches last, until 2026-12-06 at most");

	p = find(&l, "down.example");
	n = note(p, PUBLISHED_POLICY_UNREACHABLE);
	assert_true(n->alert);
	has_text(n, "senders cannot fetch the policy: cannot fetch the policy: connection refused");
	published_list_free(&l);

	/* one domain only; [check] expiry_warn_days 2 puts the certificate
	 * out of the warning */
	assert_int_equal(published_read(st, &one, 1, now, 2, &l, err, sizeof(err)), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.d[0].n, 1);
	published_list_free(&l);

	store_close(st);
	unlink(path);
	rmdir(dir);
}

struct change_case {
	const char *name;
	struct check_result prev, cur;
	const char *want;
};

#define BODY_T "version: STSv1\nmode: testing\nmx: mx1.example.com\nmax_age: 86400\n"
#define BODY_E                                                                                     \
	"version: STSv1\nmode: enforce\nmx: mx1.example.com\nmx: mx2.example.com\nmax_age: "       \
	"604800\n"

static void test_check_history_changes(void **state)
{
	static const struct change_case cases[] = {
	    {"nothing changed",
	     {NULL, 0, "ok", "1", "testing", 86400, BODY_T, NULL, "10 mx1.example.com\n", "", "",
	      NULL},
	     {NULL, 86400, "ok", "1", "testing", 86400, BODY_T, NULL, "10 mx1.example.com\n", "",
	      "", NULL},
	     ""},
	    {"id, mode, max_age, mx lines",
	     {NULL, 0, "ok", "20250101", "testing", 86400, BODY_T, NULL, "10 mx1.example.com\n", "",
	      "", NULL},
	     {NULL, 86400, "ok", "20251120", "enforce", 604800, BODY_E, NULL,
	      "10 mx1.example.com\n", "", "", NULL},
	     "MTA-STS id changed from 20250101 to 20251120; mode testing -> enforce; max_age 86400 "
	     "-> 604800; policy mx: added mx2.example.com"},
	    {"policy changed, id kept",
	     {NULL, 0, "ok", "1", "testing", 86400, BODY_T, NULL, "", "", "", NULL},
	     {NULL, 86400, "ok", "1", "enforce", 604800, BODY_E, NULL, "", "", "", NULL},
	     "mode testing -> enforce; max_age 86400 -> 604800; policy mx: added mx2.example.com; "
	     "WARNING: the policy changed but the id stayed 1: senders that cached it keep the old "
	     "one (until 1970-01-03 at most); raise the id"},
	    {"MX, certificate, TLSA, TLSRPT, unreachable policy",
	     {NULL, 0, "ok", "1", "testing", 86400, BODY_T, NULL, "10 a.example\n20 b.example\n",
	      "a.example 86400\n", "a.example 3 1 1 aa\n", "mailto:x@example"},
	     {NULL, 86400, "fail", "1", NULL, -1, NULL, "cannot fetch the policy: timeout",
	      "10 a.example\n30 c.example\n", "a.example 8640000\n", "a.example 3 1 1 bb\n",
	      "mailto:y@example"},
	     "status ok -> fail; mode testing -> (none); policy unreachable: cannot fetch the "
	     "policy: timeout; MX added: 30 c.example; MX removed: 20 b.example; a.example "
	     "certificate replaced: expires 1970-04-11 (was 1970-01-02); TLSA added: a.example 3 "
	     "1 1 bb; TLSA removed: a.example 3 1 1 aa; TLSRPT rua mailto:x@example -> "
	     "mailto:y@example"},
	};
	struct strbuf sb;
	size_t i;
	int n;

	(void)state;
	strbuf_init(&sb, 1 << 16);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		strbuf_reset(&sb);
		assert_int_equal(check_history_changes(&cases[i].prev, &cases[i].cur, &sb, &n), 0);
		if (strcmp(strbuf_str(&sb), cases[i].want) != 0)
			fail_msg("%s: got '%s', want '%s'", cases[i].name, strbuf_str(&sb),
			         cases[i].want);
		assert_int_equal(n == 0, cases[i].want[0] == '\0');
	}
	strbuf_reset(&sb);
	assert_int_equal(check_history_changes(NULL, &cases[1].cur, &sb, &n), 0);
	assert_string_equal(strbuf_str(&sb), "first checked: ok; MTA-STS id 20251120, mode "
	                                     "enforce, max_age 604800; MX 10 mx1.example.com");
	strbuf_free(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_published_read),
	    cmocka_unit_test(test_check_history_changes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
