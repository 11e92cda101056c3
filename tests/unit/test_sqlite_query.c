/* Unit tests for store/sqlite_query*.c: the one-pass scans (used by summary and
 * alert) and the per-breakdown GROUP BY queries (query_group, for the web
 * dashboard) must give the same rows in the same order, on a real SQLite
 * store filled through ingest_input with reports built to exercise every
 * key: absent domain and MX, two domains in one report, sts+tlsa views of
 * the same sessions, names that differ only in case and by a NUL-less
 * prefix. With $TLSWATCH_TEST_DB set (a postgresql:// URI of an empty
 * database: tests/integration/pg_store.sh), the same on PostgreSQL. On
 * SQLite each filter is also asked with provenance "file" (every report
 * here is a file): counted again from the reports, the rows must be the
 * aggregates' (docs/trust.md; the PostgreSQL backend does not count
 * again by provenance yet). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <libpq-fe.h>

#include "datetime.h"
#include "ingest.h"
#include "limits.h"
#include "query.h"
#include "query_reason.h"
#include "store.h"
#include "strbuf.h"

static char dir[] = "/tmp/test_analyzer_query.XXXXXX";
static char path[256];
static struct store *st;
static int64_t d0;

/* A policy: type, domain (NULL: absent), sessions, and at most two
 * failure details (mx NULL: absent). */
struct pol {
	const char *type, *domain;
	int64_t ok, failed;
	const char *mx1, *rt1;
	int64_t f1;
	const char *mx2, *rt2;
	int64_t f2;
};

static void add(struct ingest *ig, const char *org, int64_t day, const struct pol *p, size_t n)
{
	static int serial;
	char start[16], err[256];
	struct ingest_result res;
	struct source_info src;
	struct strbuf sb;
	size_t i;

	datetime_format_day(day, start, sizeof(start));
	strbuf_init(&sb, 1 << 16);
	strbuf_printf(&sb,
	              "{\"organization-name\": \"%s\", \"date-range\": {\"start-datetime\": "
	              "\"%sT00:00:00Z\", \"end-datetime\": \"%sT23:59:59Z\"}, \"contact-info\": "
	              "null, \"report-id\": \"q%d\", \"policies\": [",
	              org, start, start, ++serial);
	for (i = 0; i < n; i++) {
		strbuf_printf(&sb, "%s{\"policy\": {\"policy-type\": \"%s\"", i ? ", " : "",
		              p[i].type);
		if (p[i].domain != NULL)
			strbuf_printf(&sb, ", \"policy-domain\": \"%s\"", p[i].domain);
		strbuf_printf(&sb,
		              "}, \"summary\": {\"total-successful-session-count\": %lld, "
		              "\"total-failure-session-count\": %lld}, \"failure-details\": [",
		              (long long)p[i].ok, (long long)p[i].failed);
		if (p[i].rt1 != NULL) {
			strbuf_printf(&sb,
			              "{\"result-type\": \"%s\", \"failed-session-count\": %lld",
			              p[i].rt1, (long long)p[i].f1);
			if (p[i].mx1 != NULL)
				strbuf_printf(&sb, ", \"receiving-mx-hostname\": \"%s\"", p[i].mx1);
			strbuf_puts(&sb, "}");
		}
		if (p[i].rt2 != NULL) {
			strbuf_printf(&sb,
			              ", {\"result-type\": \"%s\", \"failed-session-count\": %lld",
			              p[i].rt2, (long long)p[i].f2);
			if (p[i].mx2 != NULL)
				strbuf_printf(&sb, ", \"receiving-mx-hostname\": \"%s\"", p[i].mx2);
			strbuf_puts(&sb, "}");
		}
		strbuf_puts(&sb, "]}");
	}
	strbuf_puts(&sb, "]}");
	memset(&src, 0, sizeof(src));
	src.kind = "file";
	assert_int_equal(ingest_input(ig, (const uint8_t *)strbuf_str(&sb), sb.len, (int64_t)sb.len,
	                              0, &src, &res, err, sizeof(err)),
	                 0);
	if (res.n_stored != 1)
		fail_msg("not stored: %s", res.reason);
	strbuf_free(&sb);
}

static int setup(void **state)
{
	struct ingest *ig;
	char err[256];
	int64_t day;
	int k;

	(void)state;
	d0 = datetime_days_from_civil(2026, 5, 1);
	if (mkdtemp(dir) == NULL)
		return -1;
	if (getenv("TLSWATCH_TEST_DB") != NULL)
		snprintf(path, sizeof(path), "%s", getenv("TLSWATCH_TEST_DB"));
	else
		snprintf(path, sizeof(path), "%s/q.db", dir);
	if (store_open(path, STORE_READWRITE, &st, err, sizeof(err)) < 0)
		return -1;
	ig = ingest_new(st);
	for (day = d0; day < d0 + 10; day++) {
		k = (int)(day - d0);
		{
			const struct pol p[] = {
			    {"sts", "example.com", 100 + k, 3 + k % 4, "mx1.example.com",
			     "certificate-expired", 2, "mx2.example.com", "starttls-not-supported",
			     1 + k % 4},
			    {"tlsa", "example.com", 100 + k, 3, "mx1.example.com", "tlsa-invalid",
			     3, NULL, NULL, 0},
			};
			add(ig, "Alpha", day, p, 2);
		}
		{
			const struct pol p[] = {
			    {"sts", "example.net", 50, k % 3, NULL,
			     k % 3 ? "sts-policy-fetch-error" : NULL, k % 3, NULL, NULL, 0},
			    {"sts", "Example.net", 7, 1, "MX.example.net", "validation-failure", 1,
			     NULL, NULL, 0},
			    {"no-policy-found", NULL, 4, k % 2, "mx.example",
			     k % 2 ? "starttls-not-supported" : NULL, k % 2, NULL, NULL, 0},
			};
			add(ig, "Beta", day, p, 3);
		}
		if (k % 2 == 0) {
			const struct pol p[] = {
			    {"sts", "example.com", 10, 5, "mx1.example.com", "certificate-expired",
			     5, NULL, NULL, 0},
			};
			add(ig, "Alph", day, p, 1);
		}
	}
	if (ingest_flush(ig, err, sizeof(err)) < 0)
		return -1;
	ingest_free(ig);
	return 0;
}

static int teardown(void **state)
{
	char p[sizeof(path) + 8];

	(void)state;
	store_close(st);
	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
	rmdir(dir);
	return 0;
}

static const char *s_or(const char *s)
{
	return s != NULL ? s : "(null)";
}

/* Same rows, same order, same figures. */
static void same_rows(const char *what, const struct query_rows *a, const struct query_rows *b)
{
	size_t i;

	if (a->n != b->n)
		fail_msg("%s: %zu rows from the scan, %zu from query_group", what, a->n, b->n);
	for (i = 0; i < a->n; i++) {
		const struct query_row *x = &a->rows[i], *y = &b->rows[i];

		if (strcmp(s_or(x->organization), s_or(y->organization)) != 0 ||
		    strcmp(s_or(x->policy_domain), s_or(y->policy_domain)) != 0 ||
		    strcmp(s_or(x->mx_host), s_or(y->mx_host)) != 0 ||
		    strcmp(s_or(x->result_type), s_or(y->result_type)) != 0 ||
		    strcmp(s_or(x->policy_type), s_or(y->policy_type)) != 0 || x->day != y->day ||
		    x->reports != y->reports || x->successful_sessions != y->successful_sessions ||
		    x->failed_sessions != y->failed_sessions)
			fail_msg(
			    "%s row %zu: scan (%s %s %s %s %s %lld: %lld %lld %lld), query_group "
			    "(%s %s %s %s %s %lld: %lld %lld %lld)",
			    what, i, s_or(x->organization), s_or(x->policy_domain),
			    s_or(x->mx_host), s_or(x->result_type), s_or(x->policy_type),
			    (long long)x->day, (long long)x->reports,
			    (long long)x->successful_sessions, (long long)x->failed_sessions,
			    s_or(y->organization), s_or(y->policy_domain), s_or(y->mx_host),
			    s_or(y->result_type), s_or(y->policy_type), (long long)y->day,
			    (long long)y->reports, (long long)y->successful_sessions,
			    (long long)y->failed_sessions);
	}
}

/* Every report here is a file: with provenance "file" each breakdown is
 * counted again from the reports (docs/trust.md) and must equal the
 * aggregate tables' rows; with "https" nothing is left. */
static void check_provenance(const struct query_filter *plain)
{
	static const enum query_group groups[] = {
	    QUERY_BY_DOMAIN,      QUERY_BY_ORGANIZATION, QUERY_BY_DAY,
	    QUERY_BY_MX,          QUERY_BY_RESULT_TYPE,  QUERY_BY_FAILURE,
	    QUERY_BY_POLICY_TYPE, QUERY_BY_DOMAIN_DAY,   QUERY_BY_ORGANIZATION_DAY,
	    QUERY_BY_FAILURE_DAY, QUERY_BY_MX_DOMAIN};
	struct query_filter f = *plain;
	struct query_rows want, got;
	struct query_totals tw, tg;
	char err[512];
	size_t i;

	for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		f.provenance = NULL;
		assert_int_equal(query_group(st, &f, groups[i], 0, &want, err, sizeof(err)), 0);
		f.provenance = "file";
		assert_int_equal(query_group(st, &f, groups[i], 0, &got, err, sizeof(err)), 0);
		same_rows("counted again", &want, &got);
		query_rows_free(&got);
		f.provenance = "https";
		assert_int_equal(query_group(st, &f, groups[i], 0, &got, err, sizeof(err)), 0);
		assert_int_equal(got.n, 0);
		query_rows_free(&got);
		query_rows_free(&want);
	}
	f.provenance = NULL;
	assert_int_equal(query_totals(st, &f, &tw, err, sizeof(err)), 0);
	f.provenance = "file";
	assert_int_equal(query_totals(st, &f, &tg, err, sizeof(err)), 0);
	assert_true(tw.reports > 0);
	assert_int_equal(tg.reports, tw.reports);
	assert_int_equal(tg.successful_sessions, tw.successful_sessions);
	assert_int_equal(tg.failed_sessions, tw.failed_sessions);
	f.provenance = "https";
	assert_int_equal(query_totals(st, &f, &tg, err, sizeof(err)), 0);
	assert_int_equal(tg.reports + tg.successful_sessions + tg.failed_sessions, 0);
}

static void check_filter(const struct query_filter *f)
{
	struct query_rows g = {NULL, 0};
	struct query_alert_series a;
	struct query_totals t;
	struct query_scan sc;
	char err[512];

	assert_int_equal(query_summary_scan(st, f, 1, &sc, err, sizeof(err)), 0);
	assert_int_equal(query_totals(st, f, &t, err, sizeof(err)), 0);
	assert_int_equal(t.reports, sc.totals.reports);
	assert_int_equal(t.successful_sessions, sc.totals.successful_sessions);
	assert_int_equal(t.failed_sessions, sc.totals.failed_sessions);
#define SAME(group, rows)                                                                          \
	do {                                                                                       \
		assert_int_equal(query_group(st, f, group, 0, &g, err, sizeof(err)), 0);           \
		same_rows(#group, &(rows), &g);                                                    \
		query_rows_free(&g);                                                               \
	} while (0)
	SAME(QUERY_BY_DOMAIN, sc.by_domain);
	SAME(QUERY_BY_ORGANIZATION, sc.by_organization);
	SAME(QUERY_BY_DAY, sc.by_day);
	SAME(QUERY_BY_MX, sc.by_mx);
	SAME(QUERY_BY_RESULT_TYPE, sc.by_result_type);
	SAME(QUERY_BY_FAILURE, sc.failures);
	SAME(QUERY_BY_POLICY_TYPE, sc.by_policy_type);
	query_scan_free(&sc);
	assert_int_equal(query_alert_scan(st, f, NULL, &a, err, sizeof(err)), 0);
	SAME(QUERY_BY_DOMAIN_DAY, a.domain_days);
	SAME(QUERY_BY_ORGANIZATION_DAY, a.organization_days);
	SAME(QUERY_BY_FAILURE_DAY, a.failure_days);
	query_alert_series_free(&a);
#undef SAME
	if (getenv("TLSWATCH_TEST_DB") == NULL)
		check_provenance(f);
}

static void test_scan_equals_group(void **state)
{
	static const char *const one[] = {"example.com"};
	static const char *const two[] = {"example.net", ""};
	struct query_filter f;

	(void)state;
	memset(&f, 0, sizeof(f));
	f.since = d0;
	f.until = d0 + 10;
	check_filter(&f);
	f.since = d0 + 3;
	f.until = d0 + 4;
	check_filter(&f);
	f.since = d0 - 5; /* reaching before the first day */
	f.until = d0 + 2;
	check_filter(&f);
	f.since = d0;
	f.until = d0 + 10;
	f.domains = one;
	f.n_domains = 1;
	check_filter(&f);
	f.domains = two;
	f.n_domains = 2;
	check_filter(&f);
	f.n_domains = 0;
	f.organization = "Alph";
	check_filter(&f);
	f.organization = NULL;
	f.mx_host = "mx1.example.com";
	f.result_type = "certificate-expired";
	check_filter(&f);
	f.mx_host = ""; /* details without an MX */
	f.result_type = NULL;
	f.policy_type = "no-policy-found";
	check_filter(&f);
}

static void test_known_figures(void **state)
{
	struct query_filter f;
	struct query_scan sc;
	char err[512];

	(void)state;
	memset(&f, 0, sizeof(f));
	f.since = d0;
	f.until = d0 + 1; /* day 0: k = 0 */
	assert_int_equal(query_summary_scan(st, &f, 1, &sc, err, sizeof(err)), 0);
	/* Alpha, Beta and Alph each sent one report */
	assert_int_equal(sc.totals.reports, 3);
	/* example.com: Alpha's sts and tlsa count once (max: 100 ok, 3 failed)
	 * plus Alph's 10 and 5 */
	assert_string_equal(sc.by_domain.rows[0].policy_domain, "example.com");
	assert_int_equal(sc.by_domain.rows[0].successful_sessions, 110);
	assert_int_equal(sc.by_domain.rows[0].failed_sessions, 8);
	assert_int_equal(sc.by_domain.rows[0].reports, 2);
	/* names differing in case are different domains; absent comes last */
	assert_int_equal(sc.by_domain.n, 4);
	assert_null(sc.by_domain.rows[3].policy_domain);
	/* policy types kept apart */
	assert_int_equal(sc.by_policy_type.n, 3);
	query_scan_free(&sc);
	/* the reports table decides with two domains: Beta has both */
	{
		static const char *const both[] = {"example.net", "Example.net"};
		struct query_totals t;

		f.domains = both;
		f.n_domains = 2;
		assert_int_equal(query_totals(st, &f, &t, err, sizeof(err)), 0);
		assert_int_equal(t.reports, 1);
	}
}

/* The days holding a report (the overview's current alerts) are the days
 * whose marks count reports: d0 .. d0 + 9, not the days around. */
static void test_days_with_reports(void **state)
{
	struct query_day_mark m[14];
	int has[14], i;
	char err[512];

	(void)state;
	memset(has, 0xff, sizeof(has));
	assert_int_equal(query_days_with_reports(st, d0 - 2, d0 + 12, has, err, sizeof(err)), 0);
	assert_int_equal(query_day_marks(st, d0 - 2, d0 + 12, m, err, sizeof(err)), 0);
	for (i = 0; i < 14; i++) {
		assert_int_equal(has[i], i >= 2 && i < 12);
		assert_int_equal(has[i], m[i].reports != 0);
	}
	/* more days than a lookback may hold: refused, as the marks are */
	assert_int_equal(query_days_with_reports(st, d0, d0 + LIMIT_ALERT_LOOKBACK_DAYS + 1, has,
	                                         err, sizeof(err)),
	                 -1);
}

/* a before b in the contract's order: domain (absent first), organization,
 * block, byte order */
static int presence_before(const struct query_presence *a, const struct query_presence *b)
{
	int c = strcmp(a->policy_domain != NULL ? a->policy_domain : "",
	               b->policy_domain != NULL ? b->policy_domain : "");

	if (c == 0)
		c = strcmp(a->organization, b->organization);
	return c < 0 || (c == 0 && a->first_day < b->first_day);
}

/* Reporter presence (query_reason.h): the days d0 .. d0 + 9 straddle two
 * blocks of 32 days, so the roll-up's rows come from two blocks whose
 * order is not the names' order; they must be merged into the order and
 * the rows of agg_domain's sums (TLSWATCH_NO_ROLLUPS), adjacent equal
 * names sharing one string; and the rows of some domains the same rows
 * filtered. */
static void test_presence_order(void **state)
{
	static const char *const domains[] = {"", "example.com"};
	struct query_presence_rows got, want, some;
	struct store *plain = NULL;
	int64_t since = d0 - 14, until = d0 + 20;
	char err[512];
	size_t i, j, k = 0;

	(void)state;
	assert_true(d0 / QUERY_PRESENCE_SPAN != (d0 + 9) / QUERY_PRESENCE_SPAN);
	assert_int_equal(query_reporter_presence(st, since, until, &got, err, sizeof(err)), 0);
	setenv("TLSWATCH_NO_ROLLUPS", "1", 1);
	assert_int_equal(store_open(path, STORE_READONLY, &plain, err, sizeof(err)), 0);
	unsetenv("TLSWATCH_NO_ROLLUPS");
	assert_int_equal(query_reporter_presence(plain, since, until, &want, err, sizeof(err)), 0);
	store_close(plain);
	assert_true(got.n > 8);
	assert_int_equal(got.n, want.n);
	for (i = 0; i < got.n; i++) {
		const struct query_presence *g = &got.rows[i], *w = &want.rows[i];

		if (strcmp(s_or(g->policy_domain), s_or(w->policy_domain)) != 0 ||
		    strcmp(g->organization, w->organization) != 0 || g->first_day != w->first_day ||
		    g->days != w->days)
			fail_msg("presence row %zu: got (%s %s %lld %#x), want (%s %s %lld %#x)", i,
			         s_or(g->policy_domain), g->organization, (long long)g->first_day,
			         g->days, s_or(w->policy_domain), w->organization,
			         (long long)w->first_day, w->days);
		if (i > 0 && !presence_before(g - 1, g))
			fail_msg("presence row %zu (%s %s %lld) not after the row before it", i,
			         s_or(g->policy_domain), g->organization, (long long)g->first_day);
		/* equal neighbours share their strings */
		if (i > 0 && strcmp(s_or(g[-1].policy_domain), s_or(g->policy_domain)) == 0) {
			assert_ptr_equal(g[-1].policy_domain, g->policy_domain);
			if (strcmp(g[-1].organization, g->organization) == 0)
				assert_ptr_equal(g[-1].organization, g->organization);
		}
	}
	/* a backend without the filtered read answers with every domain's
	 * rows (store.c): the rows of the domains asked are compared, and
	 * SQLite, which has it, must answer with those alone */
	assert_int_equal(
	    query_reporter_presence_of(st, since, until, domains, 2, &some, err, sizeof(err)), 0);
	for (i = 0, j = 0; i < got.n; i++) {
		const char *d = s_or(got.rows[i].policy_domain);

		if (strcmp(d, "(null)") != 0 && strcmp(d, "example.com") != 0)
			continue;
		while (j < some.n && strcmp(s_or(some.rows[j].policy_domain), "(null)") != 0 &&
		       strcmp(some.rows[j].policy_domain, "example.com") != 0)
			j++;
		assert_true(j < some.n);
		assert_string_equal(s_or(some.rows[j].policy_domain), d);
		assert_string_equal(some.rows[j].organization, got.rows[i].organization);
		assert_int_equal(some.rows[j].first_day, got.rows[i].first_day);
		assert_int_equal(some.rows[j].days, got.rows[i].days);
		j++;
		k++;
	}
	for (; j < some.n; j++)
		assert_true(strcmp(s_or(some.rows[j].policy_domain), "(null)") != 0 &&
		            strcmp(some.rows[j].policy_domain, "example.com") != 0);
	if (getenv("TLSWATCH_TEST_DB") == NULL)
		assert_int_equal(k, some.n);
	query_presence_rows_free(&some);
	query_presence_rows_free(&got);
	query_presence_rows_free(&want);
}

/* On PostgreSQL: the alert series are sent as one pipeline
 * (store/pg_pipeline.c); a connection the server has dropped since the
 * last statement (a restart, an idle timeout, an administrator's
 * pg_terminate_backend) is made again and the series read in full, as
 * any other statement's is (pg.c, pg_exec). */
static void test_series_after_cut(void **state)
{
	struct query_alert_series a, b;
	struct query_filter f;
	PGconn *c;
	PGresult *r;
	char err[512];
	const char *db = getenv("TLSWATCH_TEST_DB");

	(void)state;
	if (db == NULL || strncmp(db, "postgresql://", 13) != 0)
		skip();
	memset(&f, 0, sizeof(f));
	f.since = d0;
	f.until = d0 + 10;
	assert_int_equal(query_alert_scan(st, &f, NULL, &a, err, sizeof(err)), 0);
	assert_true(a.failure_days.n > 0 && a.domain_days.n > 0 && a.organization_days.n > 0);
	c = PQconnectdb(db);
	assert_int_equal(PQstatus(c), CONNECTION_OK);
	r = PQexec(c, "SELECT count(*) FROM pg_stat_activity, pg_terminate_backend(pid)"
	              " WHERE datname = current_database() AND pid <> pg_backend_pid()");
	assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
	assert_string_equal(PQgetvalue(r, 0, 0), "1");
	PQclear(r);
	PQfinish(c);
	if (query_alert_scan(st, &f, NULL, &b, err, sizeof(err)) < 0)
		fail_msg("after the connection was cut: %s", err);
	same_rows("failures after the cut", &a.failure_days, &b.failure_days);
	same_rows("domains after the cut", &a.domain_days, &b.domain_days);
	same_rows("organizations after the cut", &a.organization_days, &b.organization_days);
	query_alert_series_free(&a);
	query_alert_series_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_scan_equals_group), cmocka_unit_test(test_known_figures),
	    cmocka_unit_test(test_days_with_reports), cmocka_unit_test(test_presence_order),
	    cmocka_unit_test(test_series_after_cut),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
