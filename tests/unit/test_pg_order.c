/* Unit tests for store/pg_query_order.c: pg_rows_sort puts the groups of
 * a breakdown in query.h's order whatever order they were read in: as a
 * roll-up's key sends them (one sorted run per day, merged), shuffled
 * (qsort), already in order, or in reverse. Checked against a comparator
 * written here from query.h's documented order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "pg_impl.h"

#define DAYS    31
#define DOMAINS 7
#define MXES    3
#define TYPES   2

static const char *const domains[DOMAINS] = {
    "a.example", "b.example", "ba.example", "c.example", "c.example.net", "z.example", NULL};
static const char *const mxes[MXES] = {"mx1.example", "mx2.example", NULL};
static const char *const types[TYPES] = {"certificate-expired", "sts-policy-fetch-error"};

static const char *or_empty(const char *s)
{
	return s != NULL ? s : "";
}

/* query.h: a failure series by domain, MX, result type, then day;
 * absent names ('') first */
static int want_failure_day(const void *x, const void *y)
{
	const struct query_row *a = x, *b = y;
	int c = strcmp(or_empty(a->policy_domain), or_empty(b->policy_domain));

	if (c == 0)
		c = strcmp(or_empty(a->mx_host), or_empty(b->mx_host));
	if (c == 0)
		c = strcmp(or_empty(a->result_type), or_empty(b->result_type));
	return c != 0 ? c : (a->day > b->day) - (a->day < b->day);
}

static char *dup_or_null(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

/* Every key of the series, in the roll-up's key order: day, then the
 * names (as the server sends an as-is read). */
static void rows_fill(struct query_rows *rows)
{
	size_t d, i, m, t, n = 0;

	rows->rows = calloc(DAYS * DOMAINS * MXES * TYPES, sizeof(*rows->rows));
	assert_non_null(rows->rows);
	for (d = 0; d < DAYS; d++)
		for (i = 0; i < DOMAINS; i++)
			for (m = 0; m < MXES; m++)
				for (t = 0; t < TYPES; t++) {
					struct query_row *r = &rows->rows[n++];

					/* a key absent on some days: runs of
					 * unequal lengths */
					if ((d + i + m) % 5 == 0) {
						n--;
						continue;
					}
					r->day = 20000 + (int64_t)d;
					r->policy_domain = dup_or_null(domains[i]);
					r->mx_host = dup_or_null(mxes[m]);
					r->result_type = dup_or_null(types[t]);
					r->failed_sessions = (int64_t)(d * 7 + i);
				}
	rows->n = n;
	/* the server's key order is byte order with '' first, as here */
	qsort(rows->rows, rows->n, sizeof(*rows->rows), want_failure_day);
}

/* day first: the order an as-is read of roll_failure arrives in */
static int day_major(const void *x, const void *y)
{
	const struct query_row *a = x, *b = y;

	if (a->day != b->day)
		return (a->day > b->day) - (a->day < b->day);
	return want_failure_day(x, y);
}

static void rows_check(const struct query_rows *got, const struct query_rows *want)
{
	size_t i;

	assert_int_equal(got->n, want->n);
	for (i = 0; i < got->n; i++) {
		assert_int_equal(got->rows[i].day, want->rows[i].day);
		assert_string_equal(or_empty(got->rows[i].policy_domain),
		                    or_empty(want->rows[i].policy_domain));
		assert_string_equal(or_empty(got->rows[i].mx_host),
		                    or_empty(want->rows[i].mx_host));
		assert_string_equal(or_empty(got->rows[i].result_type),
		                    or_empty(want->rows[i].result_type));
		/* the figures move with their row */
		assert_int_equal(got->rows[i].failed_sessions, want->rows[i].failed_sessions);
	}
}

static void rows_copy(struct query_rows *to, const struct query_rows *from)
{
	size_t i;

	to->rows = calloc(from->n, sizeof(*to->rows));
	assert_non_null(to->rows);
	to->n = from->n;
	for (i = 0; i < from->n; i++) {
		to->rows[i] = from->rows[i];
		to->rows[i].policy_domain = dup_or_null(from->rows[i].policy_domain);
		to->rows[i].mx_host = dup_or_null(from->rows[i].mx_host);
		to->rows[i].result_type = dup_or_null(from->rows[i].result_type);
	}
}

/* pg_rows_sort(got) equals got sorted by qsort with the comparator above. */
static void sort_check(struct query_rows *got)
{
	struct query_rows want = {NULL, 0};

	rows_copy(&want, got);
	qsort(want.rows, want.n, sizeof(*want.rows), want_failure_day);
	pg_rows_sort(QUERY_BY_FAILURE_DAY, got);
	rows_check(got, &want);
	query_rows_free(&want);
}

static void test_pg_order_arrivals(void **state)
{
	struct query_rows want = {NULL, 0}, got = {NULL, 0};
	size_t i, j;
	unsigned seed = 7;

	(void)state;
	rows_fill(&want);
	assert_true(want.n > 1000);

	/* day-major: 31 sorted runs, merged */
	rows_copy(&got, &want);
	qsort(got.rows, got.n, sizeof(*got.rows), day_major);
	pg_rows_sort(QUERY_BY_FAILURE_DAY, &got);
	rows_check(&got, &want);
	query_rows_free(&got);

	/* day-major, the last day's run cut short and a run fewer: an odd
	 * number of runs of unequal lengths */
	rows_copy(&got, &want);
	qsort(got.rows, got.n, sizeof(*got.rows), day_major);
	for (i = got.n - 40; i < got.n; i++) {
		free(got.rows[i].policy_domain);
		free(got.rows[i].mx_host);
		free(got.rows[i].result_type);
	}
	got.n -= 40;
	sort_check(&got);
	query_rows_free(&got);

	/* shuffled: many runs, sorted whole */
	rows_copy(&got, &want);
	for (i = got.n - 1; i > 0; i--) {
		struct query_row t;

		j = (size_t)rand_r(&seed) % (i + 1);
		t = got.rows[i];
		got.rows[i] = got.rows[j];
		got.rows[j] = t;
	}
	pg_rows_sort(QUERY_BY_FAILURE_DAY, &got);
	rows_check(&got, &want);
	query_rows_free(&got);

	/* already in order: unchanged */
	rows_copy(&got, &want);
	pg_rows_sort(QUERY_BY_FAILURE_DAY, &got);
	rows_check(&got, &want);
	query_rows_free(&got);

	/* two runs: the second half first */
	rows_copy(&got, &want);
	{
		size_t half = got.n / 2;
		struct query_row *t = calloc(got.n, sizeof(*t));

		assert_non_null(t);
		memcpy(t, got.rows + half, (got.n - half) * sizeof(*t));
		memcpy(t + (got.n - half), got.rows, half * sizeof(*t));
		memcpy(got.rows, t, got.n * sizeof(*t));
		free(t);
	}
	pg_rows_sort(QUERY_BY_FAILURE_DAY, &got);
	rows_check(&got, &want);
	query_rows_free(&got);

	query_rows_free(&want);
}

/* A domain series (QUERY_BY_DOMAIN_DAY): by name, then day. */
static void test_pg_order_domain_days(void **state)
{
	static const char *const names[] = {"b.example", "a.example", "c.example"};
	struct query_rows rows = {NULL, 0};
	size_t d, i, n = 0;

	(void)state;
	rows.rows = calloc(3 * 4, sizeof(*rows.rows));
	assert_non_null(rows.rows);
	for (d = 0; d < 4; d++)
		for (i = 0; i < 3; i++) {
			rows.rows[n].day = 100 + (int64_t)d;
			rows.rows[n].policy_domain = strdup(names[i]);
			rows.rows[n].reports = (int64_t)(d * 10 + i);
			n++;
		}
	rows.n = n;
	pg_rows_sort(QUERY_BY_DOMAIN_DAY, &rows);
	for (i = 0; i < n; i++) {
		assert_string_equal(rows.rows[i].policy_domain, i < 4   ? "a.example"
		                                                : i < 8 ? "b.example"
		                                                        : "c.example");
		assert_int_equal(rows.rows[i].day, 100 + (int64_t)(i % 4));
	}
	/* a.example's figures (index 1 of names) went with it */
	assert_int_equal(rows.rows[0].reports, 1);
	assert_int_equal(rows.rows[3].reports, 31);
	query_rows_free(&rows);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pg_order_arrivals),
	    cmocka_unit_test(test_pg_order_domain_days),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
