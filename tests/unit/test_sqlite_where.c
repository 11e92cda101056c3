/* Unit tests for store/sqlite_where.c: the one translation of a filter
 * into SQL. Table-driven: a filter and a kind of rows in, the WHERE text
 * and the values to bind out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "sqlite_query_impl.h"

static const char *const one_domain[] = {"example.com"};
static const char *const two_domains[] = {"example.com", NULL};

struct where_case {
	const char *name;
	struct query_filter f;
	enum where_rows rows;
	const char *want_sql;
	const char *want_args; /* each value: i:N or t:TEXT or t:(null), ';'-joined */
};

#define PERIOD .since = 20000, .until = 20007

static const struct where_case where_cases[] = {
    {"period only", {PERIOD}, WHERE_AGG_DOMAIN, " WHERE day >= ? AND day < ?", "i:20000;i:20007"},
    {"agg_domain ignores what it cannot answer",
     {PERIOD, .mx_host = "mx", .result_type = "rt", .policy_type = "sts"},
     WHERE_AGG_DOMAIN,
     " WHERE day >= ? AND day < ?",
     "i:20000;i:20007"},
    {"agg_domain with organization and domains",
     {PERIOD, .domains = two_domains, .n_domains = 2, .organization = "Org"},
     WHERE_AGG_DOMAIN,
     " WHERE day >= ? AND day < ? AND organization = ? AND rtrim(lower(policy_domain), '.')"
     " IN (rtrim(lower(?), '.'),rtrim(lower(?), '.'))",
     "i:20000;i:20007;t:Org;t:example.com;t:"},
    {"agg_failure with MX and result type",
     {PERIOD, .domains = one_domain, .n_domains = 1, .mx_host = "mx.example.com",
      .result_type = "certificate-expired", .policy_type = "sts"},
     WHERE_AGG_FAILURE,
     " WHERE day >= ? AND day < ? AND rtrim(lower(policy_domain), '.') IN (rtrim(lower(?), '.'))"
     " AND mx_host = ? AND result_type = ?",
     "i:20000;i:20007;t:example.com;t:mx.example.com;t:certificate-expired"},
    {"agg_policy_type with policy type",
     {PERIOD, .policy_type = "tlsa", .mx_host = "mx"},
     WHERE_AGG_TYPE,
     " WHERE day >= ? AND day < ? AND policy_type = ?",
     "i:20000;i:20007;t:tlsa"},
    {"report: no policy-level part, no EXISTS",
     {PERIOD, .organization = "Org"},
     WHERE_REPORT,
     " WHERE r.day >= ? AND r.day < ? AND r.organization = ?",
     "i:20000;i:20007;t:Org"},
    {"report: domains and policy type in one EXISTS",
     {PERIOD, .domains = one_domain, .n_domains = 1, .policy_type = "sts"},
     WHERE_REPORT,
     " WHERE r.day >= ? AND r.day < ? AND EXISTS (SELECT 1 FROM policy p WHERE p.report = r.id"
     " AND rtrim(lower(coalesce(p.policy_domain, '')), '.') IN (rtrim(lower(?), '.'))"
     " AND p.policy_type = ?)",
     "i:20000;i:20007;t:example.com;t:sts"},
    {"report: a failure part joins the details",
     {PERIOD, .result_type = "starttls-not-supported"},
     WHERE_REPORT,
     " WHERE r.day >= ? AND r.day < ? AND EXISTS (SELECT 1 FROM policy p"
     " JOIN failure fl ON fl.policy = p.id WHERE p.report = r.id AND fl.result_type = ?)",
     "i:20000;i:20007;t:starttls-not-supported"},
    {"report domains: only what agg_domain answers",
     {PERIOD, .domains = one_domain, .n_domains = 1, .policy_type = "sts", .mx_host = "mx"},
     WHERE_REPORT_DOMAINS,
     " WHERE r.day >= ? AND r.day < ? AND EXISTS (SELECT 1 FROM policy p WHERE p.report = r.id"
     " AND rtrim(lower(coalesce(p.policy_domain, '')), '.') IN (rtrim(lower(?), '.')))",
     "i:20000;i:20007;t:example.com"},
    {"report domains: none asked, no EXISTS",
     {PERIOD, .policy_type = "sts"},
     WHERE_REPORT_DOMAINS,
     " WHERE r.day >= ? AND r.day < ?",
     "i:20000;i:20007"},
    {"failure details: flat over the join",
     {PERIOD, .domains = one_domain, .n_domains = 1, .organization = "Org", .mx_host = "",
      .result_type = "rt", .policy_type = "sts"},
     WHERE_FAILURE_DETAIL,
     " WHERE r.day >= ? AND r.day < ? AND r.organization = ?"
     " AND rtrim(lower(coalesce(p.policy_domain, '')), '.') IN (rtrim(lower(?), '.'))"
     " AND coalesce(fl.receiving_mx_hostname, '') = ? AND fl.result_type = ?",
     "i:20000;i:20007;t:Org;t:example.com;t:;t:rt"},
};

static void where_args(const struct query_sql *q, char *out, size_t outlen)
{
	size_t used = 0;
	int i, n;

	out[0] = '\0';
	for (i = 0; i < q->n_args && used < outlen; i++) {
		if (q->args[i].is_text)
			n = snprintf(out + used, outlen - used, "%st:%s", i ? ";" : "",
			             q->args[i].text != NULL ? q->args[i].text : "(null)");
		else
			n = snprintf(out + used, outlen - used, "%si:%lld", i ? ";" : "",
			             (long long)q->args[i].num);
		used += (size_t)n;
	}
}

static void test_where_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(where_cases) / sizeof(where_cases[0]); i++) {
		const struct where_case *c = &where_cases[i];
		struct query_sql q;
		char err[256] = "", args[1024];

		query_sql_init(&q);
		if (query_sql_where(&q, &c->f, c->rows, err, sizeof(err)) != 0)
			fail_msg("%s: failed: %s", c->name, err);
		if (strcmp(strbuf_str(&q.sb), c->want_sql) != 0)
			fail_msg("%s:\n got SQL  %s\n want SQL %s", c->name, strbuf_str(&q.sb),
			         c->want_sql);
		where_args(&q, args, sizeof(args));
		if (strcmp(args, c->want_args) != 0)
			fail_msg("%s:\n got values  %s\n want values %s", c->name, args,
			         c->want_args);
		query_sql_free(&q);
	}
}

static void test_where_too_many_domains(void **state)
{
	const char *many[LIMIT_FILTER_DOMAINS + 1];
	struct query_filter f = {PERIOD, .domains = many, .n_domains = LIMIT_FILTER_DOMAINS + 1};
	struct query_sql q;
	char err[256] = "";
	size_t i;

	(void)state;
	for (i = 0; i < LIMIT_FILTER_DOMAINS + 1; i++)
		many[i] = "example.com";
	query_sql_init(&q);
	assert_int_equal(query_sql_where(&q, &f, WHERE_AGG_DOMAIN, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "domains in one filter"));
	query_sql_free(&q);
	/* exactly at the limit: every domain bound, none pasted */
	f.n_domains = LIMIT_FILTER_DOMAINS;
	query_sql_init(&q);
	assert_int_equal(query_sql_where(&q, &f, WHERE_AGG_DOMAIN, err, sizeof(err)), 0);
	assert_int_equal(q.n_args, 2 + LIMIT_FILTER_DOMAINS);
	assert_int_equal(q.failed, 0);
	assert_null(strstr(strbuf_str(&q.sb), "example"));
	query_sql_free(&q);
}

/* PostgreSQL reads a period over the month roll-ups in one statement,
 * the whole filter once per span (pg_from_where): three filters of
 * LIMIT_FILTER_DOMAINS domains and two typed arrays each fit. */
static void test_where_three_spans(void **state)
{
	const char *many[LIMIT_FILTER_DOMAINS];
	struct query_filter f = {PERIOD,
	                         .domains = many,
	                         .n_domains = LIMIT_FILTER_DOMAINS,
	                         .organization = "Org",
	                         .mx_host = "mx",
	                         .result_type = "rt"};
	struct query_sql q;
	char err[256] = "";
	size_t i;

	(void)state;
	for (i = 0; i < LIMIT_FILTER_DOMAINS; i++)
		many[i] = "example.com";
	query_sql_init(&q);
	q.dollar = 1;
	for (i = 0; i < 3; i++) {
		assert_int_equal(query_sql_where(&q, &f, WHERE_AGG_FAILURE, err, sizeof(err)), 0);
		query_sql_typed(&q, "{20000}", "bigint[]");
		query_sql_typed(&q, "{example.com}", "text[]");
	}
	assert_int_equal(q.failed, 0);
	assert_int_equal(q.n_args, 3 * (2 + 3 + LIMIT_FILTER_DOMAINS + 2));
	query_sql_free(&q);
}

/* A typed value is "$n::type", bound as its text form. */
static void test_typed_placeholder(void **state)
{
	struct query_sql q;

	(void)state;
	query_sql_init(&q);
	q.dollar = 1;
	query_sql_add(&q, "day = ANY(");
	query_sql_typed(&q, "{1,2}", "bigint[]");
	query_sql_add(&q, ") AND d = ");
	query_sql_text(&q, "x");
	assert_string_equal(strbuf_str(&q.sb),
	                    "day = ANY($1::bigint[]) AND d = ($2::text COLLATE \"C\")");
	assert_int_equal(q.n_args, 2);
	assert_int_equal(q.args[0].is_text, 1);
	assert_string_equal(q.args[0].text, "{1,2}");
	query_sql_free(&q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_where_table),
	    cmocka_unit_test(test_where_too_many_domains),
	    cmocka_unit_test(test_where_three_spans),
	    cmocka_unit_test(test_typed_placeholder),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
