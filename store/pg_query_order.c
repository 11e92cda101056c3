/*
 * pg_query_order.c - the orders of query.h's breakdowns, applied in C to
 * the groups pg_group_run reads unsorted: the same order as pg_query.c's
 * ORDER BY (bytewise, as COLLATE "C"; NAME_LAST's '' after every name),
 * without the server's sort. That sort compared numeric sums and nine
 * keys per pair: 11 of the 16 s of the failure breakdown of a year on
 * the 10M store (218,425 groups, load 18), where qsort here takes a
 * fraction of a second. The keys of a breakdown are unique, so the
 * order is total and the output the same row for row. Rows hold report
 * text (untrusted): compared only.
 */
#include <stdlib.h>
#include <string.h>

#include "pg_impl.h"
#include "xalloc.h"

/* '' (absent: '' on the server, NULL once read) after every name. */
static int order_name_last(const char *a, const char *b)
{
	int ea = a == NULL || a[0] == '\0', eb = b == NULL || b[0] == '\0';

	if (ea || eb)
		return ea - eb;
	return strcmp(a, b);
}

/* Plain ascending, '' first. */
static int order_asc(const char *a, const char *b)
{
	return strcmp(a != NULL ? a : "", b != NULL ? b : "");
}

static int order_desc(int64_t a, int64_t b)
{
	return a > b ? -1 : a < b;
}

static int order_day(const struct query_row *a, const struct query_row *b)
{
	return a->day < b->day ? -1 : a->day > b->day;
}

/* FAILED_DESC and BOTH_DESC of pg_query.c. */
static int order_failed(const struct query_row *a, const struct query_row *b)
{
	return order_desc(a->failed_sessions, b->failed_sessions);
}

static int order_both(const struct query_row *a, const struct query_row *b)
{
	int c = order_failed(a, b);

	return c != 0 ? c : order_desc(a->successful_sessions, b->successful_sessions);
}

static int by_domain(const void *x, const void *y)
{
	const struct query_row *a = x, *b = y;
	int c = order_both(a, b);

	return c != 0 ? c : order_name_last(a->policy_domain, b->policy_domain);
}

static int by_org(const void *x, const void *y)
{
	const struct query_row *a = x, *b = y;
	int c = order_both(a, b);

	return c != 0 ? c : order_name_last(a->organization, b->organization);
}

static int by_day(const void *x, const void *y)
{
	return order_day(x, y);
}

static int by_domain_day(const void *x, const void *y)
{
	const struct query_row *a = x, *b = y;
	int c = order_asc(a->policy_domain, b->policy_domain);

	return c != 0 ? c : order_day(a, b);
}

static int by_org_day(const void *x, const void *y)
{
	const struct query_row *a = x, *b = y;
	int c = order_asc(a->organization, b->organization);

	return c != 0 ? c : order_day(a, b);
}

static int by_mx(const void *x, const void *y)
{
	const struct query_row *a = x, *b = y;
	int c = order_failed(a, b);

	return c != 0 ? c : order_name_last(a->mx_host, b->mx_host);
}

static int by_rtype(const void *x, const void *y)
{
	const struct query_row *a = x, *b = y;
	int c = order_failed(a, b);

	return c != 0 ? c : order_name_last(a->result_type, b->result_type);
}

static int by_failure(const void *x, const void *y)
{
	const struct query_row *a = x, *b = y;
	int c = order_failed(a, b);

	if (c == 0)
		c = order_name_last(a->organization, b->organization);
	if (c == 0)
		c = order_name_last(a->policy_domain, b->policy_domain);
	if (c == 0)
		c = order_name_last(a->mx_host, b->mx_host);
	return c != 0 ? c : order_name_last(a->result_type, b->result_type);
}

static int by_failure_day(const void *x, const void *y)
{
	const struct query_row *a = x, *b = y;
	int c = order_asc(a->policy_domain, b->policy_domain);

	if (c == 0)
		c = order_asc(a->mx_host, b->mx_host);
	if (c == 0)
		c = order_asc(a->result_type, b->result_type);
	return c != 0 ? c : order_day(a, b);
}

static int by_mx_domain(const void *x, const void *y)
{
	const struct query_row *a = x, *b = y;
	int c = order_failed(a, b);

	if (c == 0)
		c = order_asc(a->organization, b->organization);
	if (c == 0)
		c = order_asc(a->policy_domain, b->policy_domain);
	return c != 0 ? c : order_asc(a->mx_host, b->mx_host);
}

static int by_ptype(const void *x, const void *y)
{
	const struct query_row *a = x, *b = y;
	int c = order_both(a, b);

	return c != 0 ? c : order_name_last(a->policy_type, b->policy_type);
}

static int (*const order_of[])(const void *, const void *) = {
    [QUERY_BY_DOMAIN] = by_domain,
    [QUERY_BY_ORGANIZATION] = by_org,
    [QUERY_BY_DAY] = by_day,
    [QUERY_BY_DOMAIN_DAY] = by_domain_day,
    [QUERY_BY_ORGANIZATION_DAY] = by_org_day,
    [QUERY_BY_MX] = by_mx,
    [QUERY_BY_RESULT_TYPE] = by_rtype,
    [QUERY_BY_FAILURE] = by_failure,
    [QUERY_BY_FAILURE_DAY] = by_failure_day,
    [QUERY_BY_MX_DOMAIN] = by_mx_domain,
    [QUERY_BY_POLICY_TYPE] = by_ptype,
};

/* Merges the sorted runs a[start[k]..start[k + 1]) for k < n_runs into
 * to, two by two, and leaves in start the n_runs / 2 rounded up runs of
 * to. */
static size_t order_merge_pass(const struct query_row *a, struct query_row *to, size_t *start,
                               size_t n_runs, int (*cmp)(const void *, const void *))
{
	size_t k, kept = 0;

	for (k = 0; k < n_runs; k += 2) {
		size_t i = start[k], mid = start[k + 1], j = mid;
		size_t end = k + 1 < n_runs ? start[k + 2] : mid, o = i;

		while (i < mid && j < end)
			to[o++] = cmp(&a[j], &a[i]) < 0 ? a[j++] : a[i++];
		while (i < mid)
			to[o++] = a[i++];
		while (j < end)
			to[o++] = a[j++];
		start[kept++] = start[k];
	}
	start[kept] = start[n_runs];
	return kept;
}

void pg_rows_sort(enum query_group g, struct query_rows *rows)
{
	int (*cmp)(const void *, const void *);
	struct query_row *a = rows->rows, *tmp, *from, *to;
	size_t *start, n_runs = 0, i;

	if ((unsigned)g >= sizeof(order_of) / sizeof(order_of[0]) || order_of[g] == NULL ||
	    rows->n < 2)
		return;
	cmp = order_of[g];
	/* rows read in a table's key order arrive as a few sorted runs (a
	 * series: one per day), merged in n log(runs) comparisons */
	for (i = 1; i < rows->n; i++)
		n_runs += cmp(&a[i - 1], &a[i]) > 0;
	if (n_runs == 0)
		return;
	if (n_runs > rows->n / 16) {
		qsort(a, rows->n, sizeof(*a), cmp);
		return;
	}
	start = xcalloc(n_runs + 2, sizeof(*start));
	for (i = 1, n_runs = 1; i < rows->n; i++)
		if (cmp(&a[i - 1], &a[i]) > 0)
			start[n_runs++] = i;
	start[n_runs] = rows->n;
	tmp = xcalloc(rows->n, sizeof(*tmp));
	from = a;
	to = tmp;
	while (n_runs > 1) {
		struct query_row *t = from;

		n_runs = order_merge_pass(from, to, start, n_runs, cmp);
		from = to;
		to = t;
	}
	if (from != a)
		memcpy(a, from, rows->n * sizeof(*a));
	free(tmp);
	free(start);
}
