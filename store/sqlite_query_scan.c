/*
 * sqlite_query_scan.c - every breakdown of a summary from one pass over each
 * aggregate table (see query_summary_scan in query.h). Summing in C with a
 * hash table instead of one GROUP BY per breakdown reads each row once and
 * sorts only the groups, not the rows: a week of a million-report store is
 * read in a few milliseconds. The order of each breakdown is that of
 * query_group. Values are bound; rows hold report text (untrusted).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "query.h"
#include "sqlite_query_impl.h"
#include "sqlite_impl.h"
#include "xalloc.h"

/* Groups of one breakdown, found by key through an open-addressing table
 * of indices (load kept under 1/2). */
struct scan_map {
	struct query_rows *rows;
	size_t alloc;
	size_t *slots; /* index + 1; 0 = empty */
	size_t nslots;
};

static int scan_str_eq(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static uint64_t scan_hash_str(uint64_t h, const char *s)
{
	/* FNV-1a; NULL and "" differ by the marker byte */
	h ^= s == NULL ? 0xffu : 0x01u;
	h *= 1099511628211ULL;
	for (; s != NULL && *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

static uint64_t scan_hash(const struct query_row *k)
{
	uint64_t h = 14695981039346656037ULL;

	h = scan_hash_str(h, k->organization);
	h = scan_hash_str(h, k->policy_domain);
	h = scan_hash_str(h, k->mx_host);
	h = scan_hash_str(h, k->result_type);
	h = scan_hash_str(h, k->policy_type);
	h ^= (uint64_t)k->day;
	return h * 1099511628211ULL;
}

static int scan_key_eq(const struct query_row *a, const struct query_row *b)
{
	return a->day == b->day && scan_str_eq(a->organization, b->organization) &&
	       scan_str_eq(a->policy_domain, b->policy_domain) &&
	       scan_str_eq(a->mx_host, b->mx_host) && scan_str_eq(a->result_type, b->result_type) &&
	       scan_str_eq(a->policy_type, b->policy_type);
}

static char *scan_dup(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

static void scan_grow(struct scan_map *m)
{
	size_t n = m->nslots ? m->nslots * 2 : 256, i, j;

	free(m->slots);
	m->slots = xcalloc(n, sizeof(*m->slots));
	m->nslots = n;
	for (i = 0; i < m->rows->n; i++) {
		j = (size_t)scan_hash(&m->rows->rows[i]) & (n - 1);
		while (m->slots[j] != 0)
			j = (j + 1) & (n - 1);
		m->slots[j] = i + 1;
	}
}

/* Adds the key's figures to its group, creating it (copying the key's
 * strings) when new. */
static void scan_add(struct scan_map *m, const struct query_row *k)
{
	struct query_row *r;
	size_t j;

	if ((m->rows->n + 1) * 2 > m->nslots)
		scan_grow(m);
	j = (size_t)scan_hash(k) & (m->nslots - 1);
	while (m->slots[j] != 0) {
		r = &m->rows->rows[m->slots[j] - 1];
		if (scan_key_eq(r, k)) {
			r->reports += k->reports;
			r->successful_sessions += k->successful_sessions;
			r->failed_sessions += k->failed_sessions;
			return;
		}
		j = (j + 1) & (m->nslots - 1);
	}
	if (m->rows->rows == NULL || m->rows->n == m->alloc) {
		m->alloc = m->alloc ? m->alloc * 2 : 64;
		m->rows->rows = xreallocarray(m->rows->rows, m->alloc, sizeof(*m->rows->rows));
	}
	r = &m->rows->rows[m->rows->n];
	*r = *k;
	r->organization = scan_dup(k->organization);
	r->policy_domain = scan_dup(k->policy_domain);
	r->mx_host = scan_dup(k->mx_host);
	r->result_type = scan_dup(k->result_type);
	r->policy_type = scan_dup(k->policy_type);
	m->slots[j] = ++m->rows->n;
}

/* --- the orders of query.h: bytewise, absent (NULL) last */

static int scan_cmp_name(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a == NULL) - (b == NULL);
	return strcmp(a, b);
}

static int scan_cmp_count(int64_t a, int64_t b)
{
	return a > b ? -1 : a < b; /* descending */
}

static int scan_cmp_sessions(const struct query_row *a, const struct query_row *b)
{
	int c = scan_cmp_count(a->failed_sessions, b->failed_sessions);

	return c != 0 ? c : scan_cmp_count(a->successful_sessions, b->successful_sessions);
}

static int scan_order_domain(const void *x, const void *y)
{
	const struct query_row *a = x, *b = y;
	int c = scan_cmp_sessions(a, b);

	return c != 0 ? c : scan_cmp_name(a->policy_domain, b->policy_domain);
}

static int scan_order_org(const void *x, const void *y)
{
	const struct query_row *a = x, *b = y;
	int c = scan_cmp_sessions(a, b);

	return c != 0 ? c : scan_cmp_name(a->organization, b->organization);
}

static int scan_order_day(const void *x, const void *y)
{
	const struct query_row *a = x, *b = y;

	return a->day < b->day ? -1 : a->day > b->day;
}

static int scan_order_mx(const void *x, const void *y)
{
	const struct query_row *a = x, *b = y;
	int c = scan_cmp_count(a->failed_sessions, b->failed_sessions);

	return c != 0 ? c : scan_cmp_name(a->mx_host, b->mx_host);
}

static int scan_order_rtype(const void *x, const void *y)
{
	const struct query_row *a = x, *b = y;
	int c = scan_cmp_count(a->failed_sessions, b->failed_sessions);

	return c != 0 ? c : scan_cmp_name(a->result_type, b->result_type);
}

static int scan_order_failure(const void *x, const void *y)
{
	const struct query_row *a = x, *b = y;
	int c = scan_cmp_count(a->failed_sessions, b->failed_sessions);

	if (c == 0)
		c = scan_cmp_name(a->organization, b->organization);
	if (c == 0)
		c = scan_cmp_name(a->policy_domain, b->policy_domain);
	if (c == 0)
		c = scan_cmp_name(a->mx_host, b->mx_host);
	if (c == 0)
		c = scan_cmp_name(a->result_type, b->result_type);
	return c;
}

static int scan_order_ptype(const void *x, const void *y)
{
	const struct query_row *a = x, *b = y;
	int c = scan_cmp_sessions(a, b);

	return c != 0 ? c : scan_cmp_name(a->policy_type, b->policy_type);
}

/* Day series: by key (absent first, as '' sorts in SQL), then day. */
static int scan_cmp_key(const char *a, const char *b)
{
	return strcmp(a != NULL ? a : "", b != NULL ? b : "");
}

static int scan_order_series(const void *x, const void *y)
{
	const struct query_row *a = x, *b = y;
	int c = scan_cmp_key(a->organization, b->organization);

	if (c == 0)
		c = scan_cmp_key(a->policy_domain, b->policy_domain);
	if (c == 0)
		c = scan_cmp_key(a->mx_host, b->mx_host);
	if (c == 0)
		c = scan_cmp_key(a->result_type, b->result_type);
	return c != 0 ? c : scan_order_day(x, y);
}

/* Drops groups without failed sessions: the contract leaves them out
 * (the store writes no agg_failure row of 0; this holds anyway). */
static void scan_drop_unfailed(struct query_rows *r)
{
	size_t i, k = 0;

	for (i = 0; i < r->n; i++) {
		if (r->rows[i].failed_sessions > 0) {
			r->rows[k++] = r->rows[i];
			continue;
		}
		free(r->rows[i].organization);
		free(r->rows[i].policy_domain);
		free(r->rows[i].mx_host);
		free(r->rows[i].result_type);
		free(r->rows[i].policy_type);
	}
	r->n = k;
}

static void scan_sort(struct query_rows *r, int (*cmp)(const void *, const void *))
{
	if (r->n > 1)
		qsort(r->rows, r->n, sizeof(*r->rows), cmp);
}

/* A key column: '' (absent) as NULL, borrowed until the next step. */
static char *scan_key(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return t != NULL && t[0] != '\0' ? (char *)t : NULL;
}

/* What one pass reads, and into which maps. */
enum scan_mode {
	SCAN_DOMAIN,      /* agg_domain: by domain, organization, day */
	SCAN_FAILURE,     /* agg_failure: by MX, result type, failure group */
	SCAN_TYPE,        /* agg_policy_type: by policy type */
	SCAN_DOMAIN_DAYS, /* agg_domain: (domain, day), (organization, day) */
	SCAN_FAILURE_DAYS /* agg_failure: (domain, MX, result type, day) */
};

static const char *const scan_sql[] = {
    [SCAN_DOMAIN] = "SELECT day, organization, policy_domain, reports, successful_sessions,"
                    " failed_sessions FROM agg_domain",
    [SCAN_FAILURE] = "SELECT day, organization, policy_domain, mx_host, result_type,"
                     " failed_sessions FROM agg_failure",
    [SCAN_TYPE] = "SELECT day, organization, policy_domain, policy_type, policies,"
                  " successful_sessions, failed_sessions FROM agg_policy_type",
    [SCAN_DOMAIN_DAYS] = "SELECT day, organization, policy_domain, reports,"
                         " successful_sessions, failed_sessions FROM agg_domain",
    [SCAN_FAILURE_DAYS] = "SELECT day, organization, policy_domain, mx_host, result_type,"
                          " failed_sessions FROM agg_failure",
};

/* Adds one row of the statement to the mode's maps. The key borrows the
 * statement's text: scan_add copies what it keeps. */
static void scan_row(sqlite3_stmt *s, enum scan_mode mode, struct scan_map *maps,
                     struct query_totals *sessions)
{
	char *org = (char *)sqlite3_column_text(s, 1), *dom = scan_key(s, 2);
	int64_t day = sqlite3_column_int64(s, 0);
	struct query_row k;

	memset(&k, 0, sizeof(k));
	switch (mode) {
	case SCAN_DOMAIN:
	case SCAN_DOMAIN_DAYS:
		k.reports = sqlite3_column_int64(s, 3);
		k.successful_sessions = sqlite3_column_int64(s, 4);
		k.failed_sessions = sqlite3_column_int64(s, 5);
		if (mode == SCAN_DOMAIN_DAYS) {
			k.day = day;
			k.policy_domain = dom;
			scan_add(&maps[0], &k);
			k.policy_domain = NULL;
			k.organization = org;
			scan_add(&maps[1], &k);
			return;
		}
		sessions->successful_sessions += k.successful_sessions;
		sessions->failed_sessions += k.failed_sessions;
		k.policy_domain = dom;
		scan_add(&maps[0], &k);
		k.policy_domain = NULL;
		k.organization = org;
		scan_add(&maps[1], &k);
		k.organization = NULL;
		k.day = day;
		scan_add(&maps[2], &k);
		return;
	case SCAN_FAILURE:
	case SCAN_FAILURE_DAYS:
		k.failed_sessions = sqlite3_column_int64(s, 5);
		k.mx_host = scan_key(s, 3);
		k.result_type = (char *)sqlite3_column_text(s, 4);
		if (mode == SCAN_FAILURE_DAYS) {
			k.day = day;
			k.policy_domain = dom;
			scan_add(&maps[0], &k);
			return;
		}
		k.result_type = NULL;
		scan_add(&maps[0], &k);
		k.mx_host = NULL;
		k.result_type = (char *)sqlite3_column_text(s, 4);
		scan_add(&maps[1], &k);
		k.organization = org;
		k.policy_domain = dom;
		k.mx_host = scan_key(s, 3);
		scan_add(&maps[2], &k);
		return;
	case SCAN_TYPE:
		k.policy_type = (char *)sqlite3_column_text(s, 3);
		k.reports = sqlite3_column_int64(s, 4);
		k.successful_sessions = sqlite3_column_int64(s, 5);
		k.failed_sessions = sqlite3_column_int64(s, 6);
		scan_add(&maps[0], &k);
		return;
	}
}

/* One pass over the mode's table for the filter's period: the domains and
 * organization always; MX host and result type on agg_failure; policy
 * type on agg_policy_type. */
static int scan_table(struct sqlite_store *st, const struct query_filter *f, enum scan_mode mode,
                      struct scan_map *maps, struct query_totals *sessions, char *err,
                      size_t errlen)
{
	int failures = mode == SCAN_FAILURE || mode == SCAN_FAILURE_DAYS;
	struct query_sql q;
	sqlite3_stmt *s = NULL;
	int step, rc = -1;

	query_sql_init(&q);
	query_sql_add(&q, scan_sql[mode]);
	if (query_sql_where(&q, f,
	                    failures ? WHERE_AGG_FAILURE
	                             : (mode == SCAN_TYPE ? WHERE_AGG_TYPE : WHERE_AGG_DOMAIN),
	                    err, errlen) < 0)
		goto out;
	if (sqlite_sql_prepare(st, &q, &s, err, errlen) < 0)
		goto out;
	while ((step = sqlite3_step(s)) == SQLITE_ROW)
		scan_row(s, mode, maps, sessions);
	if (step != SQLITE_DONE) {
		sqlite_fail(st, err, errlen, "cannot read the aggregates");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(s);
	query_sql_free(&q);
	return rc;
}

static void scan_maps_free(struct scan_map *maps, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(maps[i].slots);
}

int sqlite_alert_scan(struct store *base, const struct query_filter *f,
                      struct query_alert_series *out, char *err, size_t errlen)
{
	struct sqlite_store *st = sqlite_of(base);
	struct query_alert_series a;
	struct scan_map dmaps[2], fmaps[1];
	int rc = -1;

	memset(&a, 0, sizeof(a));
	memset(dmaps, 0, sizeof(dmaps));
	memset(fmaps, 0, sizeof(fmaps));
	dmaps[0].rows = &a.domain_days;
	dmaps[1].rows = &a.organization_days;
	fmaps[0].rows = &a.failure_days;
	if (scan_table(st, f, SCAN_DOMAIN_DAYS, dmaps, NULL, err, errlen) < 0 ||
	    scan_table(st, f, SCAN_FAILURE_DAYS, fmaps, NULL, err, errlen) < 0)
		goto out;
	scan_drop_unfailed(&a.failure_days);
	scan_sort(&a.domain_days, scan_order_series);
	scan_sort(&a.organization_days, scan_order_series);
	scan_sort(&a.failure_days, scan_order_series);
	*out = a;
	memset(&a, 0, sizeof(a));
	rc = 0;
out:
	scan_maps_free(dmaps, 2);
	scan_maps_free(fmaps, 1);
	query_alert_series_free(&a);
	return rc;
}

int sqlite_summary_scan(struct store *base, const struct query_filter *f, int want_types,
                        struct query_scan *out, char *err, size_t errlen)
{
	struct sqlite_store *st = sqlite_of(base);
	struct query_scan sc;
	struct scan_map dmaps[3], fmaps[3], tmap[1];
	size_t i;
	int rc = -1;

	memset(&sc, 0, sizeof(sc));
	memset(dmaps, 0, sizeof(dmaps));
	memset(fmaps, 0, sizeof(fmaps));
	memset(tmap, 0, sizeof(tmap));
	tmap[0].rows = &sc.by_policy_type;
	dmaps[0].rows = &sc.by_domain;
	dmaps[1].rows = &sc.by_organization;
	dmaps[2].rows = &sc.by_day;
	fmaps[0].rows = &sc.by_mx;
	fmaps[1].rows = &sc.by_result_type;
	fmaps[2].rows = &sc.failures;
	if (scan_table(st, f, SCAN_DOMAIN, dmaps, &sc.totals, err, errlen) < 0 ||
	    scan_table(st, f, SCAN_FAILURE, fmaps, NULL, err, errlen) < 0 ||
	    (want_types && scan_table(st, f, SCAN_TYPE, tmap, NULL, err, errlen) < 0))
		goto out;
	/* reports as query_totals counts them: with one domain the domain's
	 * rows are exact (one per report), else the report table decides */
	if (f->n_domains == 1) {
		for (i = 0; i < sc.by_domain.n; i++)
			sc.totals.reports += sc.by_domain.rows[i].reports;
	} else if (sqlite_count_reports(st, f, &sc.totals.reports, err, errlen) < 0) {
		goto out;
	}
	scan_drop_unfailed(&sc.by_mx);
	scan_drop_unfailed(&sc.by_result_type);
	scan_drop_unfailed(&sc.failures);
	scan_sort(&sc.by_domain, scan_order_domain);
	scan_sort(&sc.by_organization, scan_order_org);
	scan_sort(&sc.by_day, scan_order_day);
	scan_sort(&sc.by_mx, scan_order_mx);
	scan_sort(&sc.by_result_type, scan_order_rtype);
	scan_sort(&sc.failures, scan_order_failure);
	scan_sort(&sc.by_policy_type, scan_order_ptype);
	*out = sc;
	memset(&sc, 0, sizeof(sc));
	rc = 0;
out:
	scan_maps_free(dmaps, 3);
	scan_maps_free(fmaps, 3);
	scan_maps_free(tmap, 1);
	query_scan_free(&sc);
	return rc;
}
