/* Unit tests for the alert statistics and rules (analyzer/alert.c), and
 * one evaluation over a real SQLite store filled through the real ingest
 * path with hand-made reports whose figures are known. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "alert.h"
#include "config.h"
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
	static const struct detail small8[] = {{"mx.small.example", "certificate-expired", 8}};
	static const struct detail steady3[] = {{"mx.steady.example", "starttls-not-supported", 3}};
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
		/* a small domain: 8 of 8 sessions fail on day 34, after a clean
		 * month; a larger one fails 3 of 903 every day */
		if (day == d0 + 34)
			add_report(ig, "Big", day, "small.example", 0, small8, 1);
		else
			add_report(ig, "Big", day, "small.example", 8, NULL, 0);
		add_report(ig, "Big", day, "steady.example", 900, steady3, 1);
		/* a daily reporter with 100 sessions, and a tiny one, stop after
		 * day 31: silent on days 32 and 33 (day 34, the window, is still
		 * coming in) */
		if (day <= d0 + 31) {
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
	struct alert_settings s;
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
	if (l.n != 5)
		fail_msg("got %zu alerts, want 5", l.n);
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
	/* 8 of 8: the failure-rate rule, under --min-failures */
	assert_int_equal(l.alerts[2].kind, ALERT_NEW_FAILURE);
	assert_string_equal(l.alerts[2].policy_domain, "small.example");
	assert_int_equal(l.alerts[2].window_failed, 8);
	assert_int_equal(l.alerts[2].window_sessions, 8);
	assert_true(l.alerts[2].by_rate);
	/* example.com's own domain alert is left out: its groups alerted;
	 * steady.example's 3 of 903 is no news */
	assert_int_equal(l.alerts[3].kind, ALERT_RATE_DROP);
	assert_string_equal(l.alerts[3].policy_domain, "example.org");
	assert_int_equal(l.alerts[3].window_successful, 450);
	assert_int_equal(l.alerts[4].kind, ALERT_SILENT_REPORTER);
	assert_string_equal(l.alerts[4].organization, "Daily");
	assert_int_equal(l.alerts[4].silent_days, 2);

	strbuf_init(&sb, 1 << 16);
	assert_int_equal(alert_render_text(&l, &sb), 0);
	assert_non_null(strstr(strbuf_str(&sb), "failure spike: example.com, MX mx1.example.com, "
	                                        "certificate-expired: 50 of 1,062 sessions failed "
	                                        "on 2026-02-04; usually about 2.0 a day (28 "
	                                        "days before)"));
	assert_non_null(strstr(strbuf_str(&sb), "silent reporter: Daily sent no report in 2 days"));
	assert_non_null(strstr(strbuf_str(&sb), "new failure: small.example, MX mx.small.example, "
	                                        "certificate-expired: 8 of 8 sessions failed on "
	                                        "2026-02-04; none in the 28 days before"));
	strbuf_free(&sb);

	alert_list_free(&l);

	/* a run: sent once per day, not again; again when repeat-after 0 */
	alert_settings_default(&s, d0 + 35);
	assert_int_equal(alert_run(st, &s, &l, &suppressed, err, sizeof(err)), 0);
	assert_int_equal(l.n, 5);
	assert_int_equal(suppressed, 0);
	assert_int_equal(l.alerts[0].day, d0 + 34);
	assert_int_equal(l.alerts[0].late, 0);
	assert_int_equal(alert_record_sent(st, &l, 1, err, sizeof(err)), 0);
	alert_list_free(&l);
	assert_int_equal(alert_run(st, &s, &l, &suppressed, err, sizeof(err)), 0);
	assert_int_equal(suppressed, 5);
	assert_int_equal(l.n, 0);
	alert_list_free(&l);
	s.repeat_after = 0;
	assert_int_equal(alert_run(st, &s, &l, &suppressed, err, sizeof(err)), 0);
	assert_int_equal(suppressed, 0);
	assert_int_equal(l.n, 5);
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

struct small_case {
	int64_t failed, sessions, base_failed, base_sessions;
	int want;
	const char *why;
};

static const struct small_case small_cases[] = {
    {8, 8, 0, 224, 1, "8 of 8 after four clean weeks"},
    {3, 903, 84, 25284, 0, "3 of 903, as on every day"},
    {3, 6, 0, 168, 1, "3 of 6: half"},
    {3, 7, 0, 196, 0, "3 of 7: under half"},
    {2, 2, 0, 56, 0, "2 of 2: too few to tell"},
    {5, 5, 0, 0, 0, "no baseline sessions: nothing to compare with"},
    {8, 8, 11, 224, 1, "baseline at 4.9 %: still clean"},
    {8, 8, 12, 240, 0, "baseline at exactly 5 %: not clean"},
    {40, 50, 1, 1400, 1, "many failures, most sessions: the rule has no upper bound"},
    {3, 6, 9, 224, 0, "3 of 6 after a 4 % baseline: chance, once in 600 days"},
    {3, 3, 0, 100, 1, "3 of 3 after a clean baseline"},
    {4, 8, 9, 224, 0, "4 of 8 after a 4 % baseline: once in 4,000 days"},
    {9, 8, 0, 224, 1, "details listing more failures than sessions"},
};

static void test_alert_small_rule(void **state)
{
	size_t i;
	int got;

	(void)state;
	for (i = 0; i < sizeof(small_cases) / sizeof(small_cases[0]); i++) {
		const struct small_case *c = &small_cases[i];

		got = alert_small_rule(c->failed, c->sessions, c->base_failed, c->base_sessions);
		if (got != c->want)
			fail_msg("%s: got %d, want %d", c->why, got, c->want);
	}
}

static void test_alert_binomial_tail(void **state)
{
	(void)state;
	/* P(X >= 0) = 1; P(X >= 1 | 1, p) = p; P(X >= 2 | 2, .5) = .25;
	 * P(X >= 3 | 6, .04) = 1.168e-3 (20 p^3 q^3 + 15 p^4 q^2 + ...) */
	assert_true(alert_binomial_tail(10, 0, 0.1) == 1);
	assert_true(fabs(alert_binomial_tail(1, 1, 0.3) - 0.3) < 1e-12);
	assert_true(fabs(alert_binomial_tail(2, 2, 0.5) - 0.25) < 1e-12);
	assert_true(fabs(alert_binomial_tail(6, 3, 0.04) - 1.16845e-3) < 1e-8);
	assert_true(alert_binomial_tail(5, 6, 0.5) == 0);
	assert_true(alert_binomial_tail(100000, 50000, 0.01) < 1e-300);
}

/* Report text in each webhook format: escaped for its target. */
static void test_alert_render_webhook(void **state)
{
	static const struct {
		enum alert_webhook_format f;
		const char *want, *not ;
	} cases[] = {
	    {ALERT_WEBHOOK_SLACK, "&lt;!channel&gt; [click](http://evil)", "<!channel>"},
	    {ALERT_WEBHOOK_TEAMS, "\\\\[click\\\\]\\\\(http://evil\\\\)", "[click](http"},
	    {ALERT_WEBHOOK_DISCORD, "\\\\[click\\\\]", "[click](http"},
	    {ALERT_WEBHOOK_DISCORD, "\"allowed_mentions\":{\"parse\":[]}", NULL},
	    {ALERT_WEBHOOK_MATRIX, "\"msgtype\":\"m.text\"", NULL},
	};
	struct alert_list l;
	struct alert a;
	struct strbuf sb;
	size_t i;

	(void)state;
	memset(&l, 0, sizeof(l));
	memset(&a, 0, sizeof(a));
	l.params.window = 1;
	l.window_since = 100;
	l.window_until = 101;
	a.kind = ALERT_NEW_FAILURE;
	a.policy_domain = (char *)"example.com";
	a.result_type = (char *)"<!channel> [click](http://evil) @everyone";
	a.window_failed = 12;
	a.window_since = 100;
	a.window_until = 101;
	a.since_day = 100;
	l.alerts = &a;
	l.n = 1;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		strbuf_init(&sb, 1 << 16);
		assert_int_equal(alert_render_webhook(&l, cases[i].f, &sb), 0);
		if (strstr(strbuf_str(&sb), cases[i].want) == NULL)
			fail_msg("format %d: got %s, want %s in it", (int)cases[i].f,
			         strbuf_str(&sb), cases[i].want);
		if (cases[i].not != NULL && strstr(strbuf_str(&sb), cases[i].not ) != NULL)
			fail_msg("format %d: got %s, want no %s", (int)cases[i].f, strbuf_str(&sb),
			         cases[i].not );
		strbuf_free(&sb);
	}
}

/* The one reader of [alert]: what 'tlswatch alert' and 'tlswatch web' use. */
static void test_alert_params_from_config(void **state)
{
	static const char good[] = "[alert]\nwindow = 2\nbaseline = 14d\nfactor = 2.5\n"
	                           "min_failures = 4\nrepeat_after = 0\nlookback = 3\n"
	                           "webhook = https://hooks.example/x\n";
	static const char *const bad[] = {
	    "[alert]\nwindow = 0\n",    "[alert]\nfactor = -1\n",    "[alert]\nmin_failures = x\n",
	    "[alert]\nlookback = 63\n", "[alert]\nbaseline = 1.5\n",
	};
	struct alert_settings s;
	struct config *cfg = NULL;
	char err[256];
	size_t i;

	(void)state;
	assert_int_equal(config_parse_text(good, strlen(good), "t", &cfg, err, sizeof(err)), 0);
	alert_settings_default(&s, 100);
	assert_int_equal(alert_params_from_config(cfg, &s, err, sizeof(err)), 0);
	assert_true(s.p.at == 100 && s.p.window == 2 && s.p.baseline == 14 && s.p.factor == 2.5);
	assert_true(s.p.min_failures == 4 && s.repeat_after == 0 && s.lookback == 3);
	assert_string_equal(s.webhook, "https://hooks.example/x");
	assert_null(s.exec);
	config_free(cfg);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cfg = NULL;
		assert_int_equal(
		    config_parse_text(bad[i], strlen(bad[i]), "t", &cfg, err, sizeof(err)), 0);
		alert_settings_default(&s, 100);
		if (alert_params_from_config(cfg, &s, err, sizeof(err)) != -1)
			fail_msg("got success for %s, want an error", bad[i]);
		if (strncmp(err, "[alert] ", 8) != 0)
			fail_msg("got '%s', want it to name the [alert] key", err);
		assert_true(s.p.window == ALERT_DEFAULT_WINDOW);
		config_free(cfg);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_alert_stats),
	    cmocka_unit_test(test_alert_spike_rule),
	    cmocka_unit_test(test_alert_rate_rule),
	    cmocka_unit_test(test_alert_evaluate),
	    cmocka_unit_test(test_alert_params_from_config),
	    cmocka_unit_test(test_alert_small_rule),
	    cmocka_unit_test(test_alert_render_webhook),
	    cmocka_unit_test(test_alert_binomial_tail),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
