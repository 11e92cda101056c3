/* Unit tests for the alert statistics and rules (analyzer/alert.c), and
 * one evaluation over a real SQLite store filled through the real ingest
 * path with hand-made reports whose figures are known. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "alert.h"
#include "datetime.h"
#include "ingest.h"
#include "store.h"
#include "strbuf.h"

static void test_alert_stats(void **state)
{
	static const int64_t flat[] = {4, 4, 4, 4};
	static const int64_t known[] = {2, 4, 4, 4, 5, 5, 7, 9}; /* mean 5, sd 2 */
	static const int64_t sparse[] = {0, 0, 0, 28};           /* mean 7, sd 7*sqrt(3) */
	double mean = -1, sd = -1;

	(void)state;
	alert_stats(NULL, 0, &mean, &sd);
	assert_true(mean == 0 && sd == 0);
	alert_stats(flat, 4, &mean, &sd);
	assert_true(mean == 4 && sd == 0);
	alert_stats(known, 8, &mean, &sd);
	assert_true(mean == 5 && sd == 2);
	alert_stats(sparse, 4, &mean, &sd);
	assert_true(mean == 7);
	assert_true(sd > 12.1243 && sd < 12.1244);
}

struct rule_case {
	int64_t window_days, min_failures;
	double factor;
	int64_t total;
	double mean, sd;
	int64_t baseline_days;
	int want; /* 0, or 1 + kind */
	const char *why;
};

#define SPIKE (1 + ALERT_FAILURE_SPIKE)
#define NEW   (1 + ALERT_NEW_FAILURE)

static const struct rule_case rule_cases[] = {
    {1, 10, 3, 9, 0, 0, 28, 0, "below --min-failures, even when new"},
    {1, 10, 3, 10, 0, 0, 28, NEW, "no failure in the baseline: new on the minimum alone"},
    {1, 10, 3, 10, 0, 0, 0, NEW, "no baseline at all (a new store): new"},
    {1, 10, 3, 30, 10, 0, 28, SPIKE, "exactly factor x mean, flat baseline"},
    {1, 10, 3, 29, 10, 0, 28, 0, "just under factor x mean"},
    {1, 10, 3, 30, 10, 7, 28, 0, "factor x mean but within mean + 3 sd (31)"},
    {1, 10, 3, 31, 10, 7, 28, SPIKE, "factor x mean and mean + 3 sd"},
    {1, 10, 2, 21, 10, 3, 28, SPIKE, "--factor 2: 2 x mean and mean + 2 sd (16)"},
    {1, 50, 3, 40, 1, 0, 28, 0, "--min-failures 50"},
    {3, 10, 3, 90, 10, 0, 28, SPIKE, "3-day window: 30 a day = 3 x mean"},
    {3, 10, 3, 89, 10, 0, 28, 0, "3-day window: under 30 a day"},
    {1, 1, 3, 1, 0, 0, 28, NEW, "--min-failures 1"},
};

static void test_alert_spike_rule(void **state)
{
	struct alert_params p;
	size_t i;
	int got;

	(void)state;
	for (i = 0; i < sizeof(rule_cases) / sizeof(rule_cases[0]); i++) {
		const struct rule_case *c = &rule_cases[i];

		memset(&p, 0, sizeof(p));
		p.window = c->window_days;
		p.baseline = 28;
		p.factor = c->factor;
		p.min_failures = c->min_failures;
		got = alert_spike_rule(&p, c->total, c->mean, c->sd, c->baseline_days);
		if (got != c->want)
			fail_msg("case %zu (%s): got %d, want %d", i, c->why, got, c->want);
	}
}

static void test_alert_rate_rule(void **state)
{
	struct alert_params p = {0, 1, 28, 3.0, 10};

	(void)state;
	/* 0.5% failing before, 10% now: 9.5 points and 20 times */
	assert_int_equal(alert_rate_rule(&p, 450, 50, 9950 * 28, 50 * 28), 1);
	/* the same failure rate as before */
	assert_int_equal(alert_rate_rule(&p, 9950, 50, 9950 * 28, 50 * 28), 0);
	/* 4 points worse only */
	assert_int_equal(alert_rate_rule(&p, 480, 20, 1000 * 28, 0), 0);
	/* 10 points, but under 3 times the old 5% rate (15%) */
	assert_int_equal(alert_rate_rule(&p, 860, 140, 950 * 28, 50 * 28), 0);
	/* too few failures */
	assert_int_equal(alert_rate_rule(&p, 1, 9, 1000, 0), 0);
	/* nothing to compare with */
	assert_int_equal(alert_rate_rule(&p, 0, 50, 0, 0), 0);
}

/* --- one evaluation over a real store --- */

struct detail {
	const char *mx;
	const char *rtype;
	int64_t failed;
};

static int n_reports;

static void add_report(struct ingest *ig, const char *org, int64_t day, const char *domain,
                       int64_t ok, const struct detail *d, size_t nd)
{
	char start[16], json[4096], err[256];
	struct ingest_result res;
	struct source_info src;
	struct strbuf sb;
	int64_t failed = 0;
	size_t i;

	for (i = 0; i < nd; i++)
		failed += d[i].failed;
	datetime_format_day(day, start, sizeof(start));
	strbuf_init(&sb, sizeof(json));
	strbuf_printf(
	    &sb,
	    "{\"organization-name\": \"%s\", \"date-range\": {\"start-datetime\": "
	    "\"%sT00:00:00Z\", \"end-datetime\": \"%sT23:59:59Z\"}, \"contact-info\": "
	    "\"x@example\", \"report-id\": \"r%d\", \"policies\": [{\"policy\": "
	    "{\"policy-type\": \"sts\", \"policy-string\": [\"version: STSv1\"], "
	    "\"policy-domain\": \"%s\"}, \"summary\": {\"total-successful-session-count\": "
	    "%lld, \"total-failure-session-count\": %lld}, \"failure-details\": [",
	    org, start, start, ++n_reports, domain, (long long)ok, (long long)failed);
	for (i = 0; i < nd; i++)
		strbuf_printf(&sb,
		              "%s{\"result-type\": \"%s\", \"receiving-mx-hostname\": \"%s\", "
		              "\"failed-session-count\": %lld}",
		              i ? ", " : "", d[i].rtype, d[i].mx, (long long)d[i].failed);
	strbuf_puts(&sb, "]}]}");
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

/* 40 days from 2026-01-01; --at is day 35, so the window is day 34 and the
 * baseline days 6..33. */
static void fill_store(struct store *st, int64_t d0)
{
	static const struct detail expired2[] = {{"mx1.example.com", "certificate-expired", 2}};
	static const struct detail spike[] = {{"mx1.example.com", "certificate-expired", 50},
	                                      {"mx2.example.com", "starttls-not-supported", 12}};
	static const struct detail org50[] = {{"mx1.example.org", "validation-failure", 50}};
	struct ingest *ig = ingest_new(st);
	char err[256];
	int64_t day;

	for (day = d0; day < d0 + 35; day++) {
		/* example.com: 2 failures a day, then 50 plus a new kind on day 34 */
		if (day == d0 + 34)
			add_report(ig, "Big", day, "example.com", 1000, spike, 2);
		else
			add_report(ig, "Big", day, "example.com", 1000, expired2, 1);
		/* example.org: as many failures, of far fewer sessions, on day 34 */
		add_report(ig, "Big", day, "example.org", day == d0 + 34 ? 450 : 9950, org50, 1);
		/* a daily reporter with 100 sessions, and a tiny one, stop after day 32 */
		if (day <= d0 + 32) {
			add_report(ig, "Daily", day, "example.net", 100, NULL, 0);
			add_report(ig, "Tiny", day, "example.net", 5, NULL, 0);
		}
	}
	assert_int_equal(ingest_flush(ig, err, sizeof(err)), 0);
	ingest_free(ig);
}

static void test_alert_evaluate(void **state)
{
	char dir[] = "/tmp/test_analyzer_alert.XXXXXX", path[128], err[512];
	int64_t d0 = datetime_days_from_civil(2026, 1, 1);
	struct alert_params p = {d0 + 35, 1, 28, 3.0, 10};
	struct alert_list l;
	struct store *st = NULL;
	struct strbuf sb;
	size_t suppressed = 99;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/t.db", dir);
	assert_int_equal(store_open(path, STORE_READWRITE, &st, err, sizeof(err)), 0);
	fill_store(st, d0);

	assert_int_equal(alert_evaluate(st, &p, &l, err, sizeof(err)), 0);
	assert_int_equal(l.window_since, d0 + 34);
	assert_int_equal(l.baseline_since, d0 + 6);
	assert_int_equal(l.baseline_until, d0 + 34);
	if (l.n != 4)
		fail_msg("got %zu alerts, want 4", l.n);
	assert_int_equal(l.alerts[0].kind, ALERT_FAILURE_SPIKE);
	assert_string_equal(l.alerts[0].policy_domain, "example.com");
	assert_string_equal(l.alerts[0].mx_host, "mx1.example.com");
	assert_string_equal(l.alerts[0].result_type, "certificate-expired");
	assert_int_equal(l.alerts[0].window_failed, 50);
	assert_true(l.alerts[0].baseline_mean == 2 && l.alerts[0].baseline_sd == 0);
	assert_int_equal(l.alerts[1].kind, ALERT_NEW_FAILURE);
	assert_string_equal(l.alerts[1].mx_host, "mx2.example.com");
	assert_string_equal(l.alerts[1].result_type, "starttls-not-supported");
	assert_int_equal(l.alerts[1].window_failed, 12);
	/* example.com's own domain alert is left out: its groups alerted */
	assert_int_equal(l.alerts[2].kind, ALERT_RATE_DROP);
	assert_string_equal(l.alerts[2].policy_domain, "example.org");
	assert_int_equal(l.alerts[2].window_successful, 450);
	assert_int_equal(l.alerts[3].kind, ALERT_SILENT_REPORTER);
	assert_string_equal(l.alerts[3].organization, "Daily");
	assert_int_equal(l.alerts[3].silent_days, 2);

	strbuf_init(&sb, 1 << 16);
	assert_int_equal(alert_render_text(&l, &sb), 0);
	assert_non_null(strstr(strbuf_str(&sb), "failure spike: example.com, MX mx1.example.com, "
	                                        "certificate-expired: 50 failed sessions on "
	                                        "2026-02-04; baseline 2.0/day"));
	assert_non_null(strstr(strbuf_str(&sb), "silent reporter: Daily sent no report in 2 days"));
	strbuf_free(&sb);

	/* sent once: not again for the same --at, again when repeat-after 0 */
	assert_int_equal(alert_record_sent(st, &l, 1, err, sizeof(err)), 0);
	alert_list_free(&l);
	assert_int_equal(alert_evaluate(st, &p, &l, err, sizeof(err)), 0);
	assert_int_equal(alert_filter_sent(st, &l, 1, &suppressed, err, sizeof(err)), 0);
	assert_int_equal(suppressed, 4);
	assert_int_equal(l.n, 0);
	alert_list_free(&l);
	assert_int_equal(alert_evaluate(st, &p, &l, err, sizeof(err)), 0);
	assert_int_equal(alert_filter_sent(st, &l, 0, &suppressed, err, sizeof(err)), 0);
	assert_int_equal(suppressed, 0);
	assert_int_equal(l.n, 4);
	alert_list_free(&l);

	/* a day earlier nothing was wrong yet */
	p.at = d0 + 34;
	assert_int_equal(alert_evaluate(st, &p, &l, err, sizeof(err)), 0);
	if (l.n != 0)
		fail_msg("got %zu alerts the day before, want none", l.n);
	alert_list_free(&l);

	store_close(st);
	unlink(path);
	snprintf(path, sizeof(path), "%s/t.db-wal", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/t.db-shm", dir);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_alert_stats),
	    cmocka_unit_test(test_alert_spike_rule),
	    cmocka_unit_test(test_alert_rate_rule),
	    cmocka_unit_test(test_alert_evaluate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
