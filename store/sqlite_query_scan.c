/*
 * sqlite_query_scan.c - every breakdown (query_group, query_summary_scan,
 * query_alert_scan in query.h; query_summary_scan_top's in
 * sqlite_query_scan_top.c), summed in one place: rows of an aggregate
 * table are read once, in the filter's period, and each breakdown asked
 * of that table adds them to its own hash table by its key; then each is
 * sorted in its documented order. Summing in C instead of one GROUP BY
 * per breakdown reads each row once and sorts only the groups, not the
 * rows: a summary costs a third of the instructions of seven GROUP BYs
 * (callgrind, 100,000 reports). Values are bound; rows hold report text
 * (untrusted).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "query.h"
#include "datetime.h"
#include "rollup_month.h"
#include "sqlite_query_impl.h"
#include "sqlite_impl.h"
#include "sqlite_restore.h"
#include "scan_top.h"
#include "series_read.h"
#include "sqlite_scan.h"
#include "tally.h"
#include "xalloc.h"

static uint64_t scan_hash(const struct query_row *k)
{
	uint64_t h = 14695981039346656037ULL;

	h = scan_hash_str(h, k->organization);
	h = scan_hash_str(h, k->policy_domain);
	h = scan_hash_str(h, k->mx_host);
	h = scan_hash_str(h, k->result_type);
	h = scan_hash_str(h, k->policy_type);
	return scan_hash_str(h ^ (uint64_t)k->day, NULL);
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
	struct scan_slot *old = m->slots;
	size_t n = m->nslots ? m->nslots * 2 : 256, i, j;

	m->slots = xcalloc(n, sizeof(*m->slots));
	for (i = 0; i < m->nslots; i++) {
		if (old[i].idx == 0)
			continue;
		j = (size_t)old[i].hash & (n - 1);
		while (m->slots[j].idx != 0)
			j = (j + 1) & (n - 1);
		m->slots[j] = old[i];
	}
	m->nslots = n;
	free(old);
}

/* Adds the key's figures to its group, creating it (copying the key's
 * strings) when new. */
static void scan_add(struct scan_map *m, const struct query_row *k)
{
	struct query_row *r;
	uint64_t h = scan_hash(k);
	size_t j;

	if ((m->rows->n + 1) * 2 > m->nslots)
		scan_grow(m);
	j = (size_t)h & (m->nslots - 1);
	while (m->slots[j].idx != 0) {
		r = &m->rows->rows[m->slots[j].idx - 1];
		if (m->slots[j].hash == h && scan_key_eq(r, k)) {
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
	m->slots[j].idx = ++m->rows->n;
	m->slots[j].hash = h;
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

/* Failures by MX and domain: failed sessions, then the keys bytewise
 * (absent first, as '' sorts in SQL). */
static int scan_order_mx_domain(const void *x, const void *y)
{
	const struct query_row *a = x, *b = y;
	int c = scan_cmp_count(a->failed_sessions, b->failed_sessions);

	if (c == 0)
		c = scan_cmp_key(a->organization, b->organization);
	if (c == 0)
		c = scan_cmp_key(a->policy_domain, b->policy_domain);
	return c != 0 ? c : scan_cmp_key(a->mx_host, b->mx_host);
}

/* Drops the groups a breakdown leaves out: without failed sessions when
 * failed_only (the contract leaves them out; the store writes no
 * agg_failure row of 0, this holds anyway), else those whose figures all
 * came to 0: keys with no row in the period, left after rows were taken
 * away (rollup_month_parts), as every stored row counts a report, a
 * policy or a failed session. */
static void scan_drop(struct query_rows *r, int failed_only)
{
	size_t i, k = 0;

	for (i = 0; i < r->n; i++) {
		const struct query_row *g = &r->rows[i];

		if (g->failed_sessions > 0 ||
		    (!failed_only && (g->reports != 0 || g->successful_sessions != 0))) {
			r->rows[k++] = r->rows[i];
			continue;
		}
		free(g->organization);
		free(g->policy_domain);
		free(g->mx_host);
		free(g->result_type);
		free(g->policy_type);
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

/* The aggregate tables, each read with the same columns into a row: day,
 * organization, policy domain, then the table's own key and figures. */
enum scan_table {
	SCAN_DOMAIN,
	SCAN_FAILURE,
	SCAN_MX,
	SCAN_TYPE,
	/* the roll-ups of schema/012_rollups.sql: the same rows summed across
	 * reporters (roll_org: across domains), organization NULL (domain '') */
	SCAN_ROLL_DOMAIN,
	SCAN_ROLL_ORG,
	SCAN_ROLL_FAILURE,
	SCAN_ROLL_MX,
	SCAN_ROLL_TYPE,
	/* the month tables of schema/021_month_rollups.sql: the rows of their
	 * day twin (scan_level_of) summed per month, day the month's first */
	SCAN_MONTH_DOMAIN,
	SCAN_MONTH_ORG,
	SCAN_MONTH_FAILURE,
	SCAN_MONTH_MX,
	SCAN_MONTH_TYPE,
	SCAN_MONTH_AGG_FAILURE,
	/* the year tables of schema/027_year_rollups.sql: the same summed per
	 * year, day the year's first */
	SCAN_YEAR_DOMAIN,
	SCAN_YEAR_ORG,
	SCAN_YEAR_FAILURE,
	SCAN_YEAR_MX,
	SCAN_YEAR_TYPE,
	SCAN_YEAR_AGG_FAILURE,
	/* 021's day totals across domains and reporters (organization NULL,
	 * domain '') */
	SCAN_ROLL_DAY,
	SCAN_NO_TABLE
};

/* ever: the same with the pruned days' totals as day QUERY_SINCE_EVER
 * (for a filter from QUERY_SINCE_EVER: the lifetime totals of /metrics). */
static const struct {
	const char *sql;
	const char *ever;
	enum where_rows rows;
	enum scan_table reads_as; /* the layout of its rows */
} scan_tables[] = {
    [SCAN_DOMAIN] = {"SELECT day, organization, policy_domain, reports, successful_sessions,"
                     " failed_sessions FROM agg_domain",
                     "SELECT day, organization, policy_domain, reports, successful_sessions,"
                     " failed_sessions FROM (SELECT * FROM agg_domain UNION ALL SELECT -1,"
                     " policy_domain, organization, reports, successful_sessions,"
                     " failed_sessions FROM agg_domain_pruned) AS agg_domain",
                     WHERE_AGG_DOMAIN, SCAN_DOMAIN},
    [SCAN_FAILURE] = {"SELECT day, organization, policy_domain, mx_host, result_type,"
                      " failed_sessions FROM agg_failure",
                      "SELECT day, organization, policy_domain, mx_host, result_type,"
                      " failed_sessions FROM (SELECT * FROM agg_failure UNION ALL SELECT -1,"
                      " policy_domain, organization, mx_host, result_type, failed_sessions"
                      " FROM agg_failure_pruned) AS agg_failure",
                      WHERE_AGG_FAILURE, SCAN_FAILURE},
    [SCAN_MX] = {"SELECT day, organization, policy_domain, mx_host, '', failed_sessions"
                 " FROM agg_mx",
                 "SELECT day, organization, policy_domain, mx_host, '', failed_sessions"
                 " FROM (SELECT * FROM agg_mx UNION ALL SELECT -1, policy_domain,"
                 " organization, mx_host, failed_sessions FROM agg_mx_pruned) AS agg_mx",
                 WHERE_AGG_MX, SCAN_MX},
    [SCAN_TYPE] = {"SELECT day, organization, policy_domain, policy_type, policies,"
                   " successful_sessions, failed_sessions FROM agg_policy_type",
                   "SELECT day, organization, policy_domain, policy_type, policies,"
                   " successful_sessions, failed_sessions FROM agg_policy_type",
                   WHERE_AGG_TYPE, SCAN_TYPE},
    /* read with no organization filter only (scan_table_of): the WHERE
     * of their agg_* counterpart then names none of the columns they
     * lack (roll_org: nor a domain filter) */
    [SCAN_ROLL_DOMAIN] = {"SELECT day, NULL, policy_domain, reports, successful_sessions,"
                          " failed_sessions FROM roll_domain",
                          NULL, WHERE_AGG_DOMAIN, SCAN_DOMAIN},
    [SCAN_ROLL_ORG] = {"SELECT day, organization, '', reports, successful_sessions,"
                       " failed_sessions FROM roll_org",
                       NULL, WHERE_AGG_DOMAIN, SCAN_DOMAIN},
    [SCAN_ROLL_FAILURE] = {"SELECT day, NULL, policy_domain, mx_host, result_type,"
                           " failed_sessions FROM roll_failure",
                           NULL, WHERE_AGG_FAILURE, SCAN_FAILURE},
    [SCAN_ROLL_MX] = {"SELECT day, NULL, policy_domain, mx_host, '', failed_sessions"
                      " FROM roll_mx",
                      NULL, WHERE_AGG_MX, SCAN_MX},
    [SCAN_ROLL_TYPE] = {"SELECT day, NULL, policy_domain, policy_type, policies,"
                        " successful_sessions, failed_sessions FROM roll_type",
                        NULL, WHERE_AGG_TYPE, SCAN_TYPE},
    [SCAN_MONTH_DOMAIN] = {"SELECT day, NULL, policy_domain, reports, successful_sessions,"
                           " failed_sessions FROM roll_domain_month",
                           NULL, WHERE_AGG_DOMAIN, SCAN_DOMAIN},
    [SCAN_MONTH_ORG] = {"SELECT day, organization, '', reports, successful_sessions,"
                        " failed_sessions FROM roll_org_month",
                        NULL, WHERE_AGG_DOMAIN, SCAN_DOMAIN},
    [SCAN_MONTH_FAILURE] = {"SELECT day, NULL, policy_domain, mx_host, result_type,"
                            " failed_sessions FROM roll_failure_month",
                            NULL, WHERE_AGG_FAILURE, SCAN_FAILURE},
    [SCAN_MONTH_MX] = {"SELECT day, NULL, policy_domain, mx_host, '', failed_sessions"
                       " FROM roll_mx_month",
                       NULL, WHERE_AGG_MX, SCAN_MX},
    [SCAN_MONTH_TYPE] = {"SELECT day, NULL, policy_domain, policy_type, policies,"
                         " successful_sessions, failed_sessions FROM roll_type_month",
                         NULL, WHERE_AGG_TYPE, SCAN_TYPE},
    [SCAN_MONTH_AGG_FAILURE] = {"SELECT day, organization, policy_domain, mx_host, result_type,"
                                " failed_sessions FROM agg_failure_month",
                                NULL, WHERE_AGG_FAILURE, SCAN_FAILURE},
    [SCAN_YEAR_DOMAIN] = {"SELECT day, NULL, policy_domain, reports, successful_sessions,"
                          " failed_sessions FROM roll_domain_year",
                          NULL, WHERE_AGG_DOMAIN, SCAN_DOMAIN},
    [SCAN_YEAR_ORG] = {"SELECT day, organization, '', reports, successful_sessions,"
                       " failed_sessions FROM roll_org_year",
                       NULL, WHERE_AGG_DOMAIN, SCAN_DOMAIN},
    [SCAN_YEAR_FAILURE] = {"SELECT day, NULL, policy_domain, mx_host, result_type,"
                           " failed_sessions FROM roll_failure_year",
                           NULL, WHERE_AGG_FAILURE, SCAN_FAILURE},
    [SCAN_YEAR_MX] = {"SELECT day, NULL, policy_domain, mx_host, '', failed_sessions"
                      " FROM roll_mx_year",
                      NULL, WHERE_AGG_MX, SCAN_MX},
    [SCAN_YEAR_TYPE] = {"SELECT day, NULL, policy_domain, policy_type, policies,"
                        " successful_sessions, failed_sessions FROM roll_type_year",
                        NULL, WHERE_AGG_TYPE, SCAN_TYPE},
    [SCAN_YEAR_AGG_FAILURE] = {"SELECT day, organization, policy_domain, mx_host, result_type,"
                               " failed_sessions FROM agg_failure_year",
                               NULL, WHERE_AGG_FAILURE, SCAN_FAILURE},
    [SCAN_ROLL_DAY] = {"SELECT day, NULL, '', reports, successful_sessions, failed_sessions"
                       " FROM roll_day",
                       NULL, WHERE_AGG_DOMAIN, SCAN_DOMAIN},
};

/* The table that sums day table t's rows per month or per year (level,
 * schema/021 and 027), t itself for ROLLUP_DAYS, or SCAN_NO_TABLE. */
static enum scan_table scan_level_of(enum scan_table t, enum rollup_level level)
{
	static const enum scan_table sums[][2] = {
	    [SCAN_ROLL_DOMAIN] = {SCAN_MONTH_DOMAIN, SCAN_YEAR_DOMAIN},
	    [SCAN_ROLL_ORG] = {SCAN_MONTH_ORG, SCAN_YEAR_ORG},
	    [SCAN_ROLL_FAILURE] = {SCAN_MONTH_FAILURE, SCAN_YEAR_FAILURE},
	    [SCAN_ROLL_MX] = {SCAN_MONTH_MX, SCAN_YEAR_MX},
	    [SCAN_ROLL_TYPE] = {SCAN_MONTH_TYPE, SCAN_YEAR_TYPE},
	    [SCAN_FAILURE] = {SCAN_MONTH_AGG_FAILURE, SCAN_YEAR_AGG_FAILURE},
	};

	if (level == ROLLUP_DAYS)
		return t;
	/* a table left out above has {0, 0}: SCAN_DOMAIN, which sums no one */
	if ((size_t)t >= sizeof(sums) / sizeof(sums[0]) || sums[t][0] == SCAN_DOMAIN)
		return SCAN_NO_TABLE;
	return sums[t][level == ROLLUP_YEARS];
}

/* Each breakdown of query.h: its table, its key, its order, and whether
 * groups without failed sessions are left out (agg_failure's, agg_mx's).
 * By MX counts each MX once (agg_mx); of one result type that is
 * agg_failure's per-type figure (scan_table_of). */
static const struct {
	enum scan_table table;
	unsigned key;
	int (*order)(const void *, const void *);
	int failed_only;
} scan_groups[] = {
    [QUERY_BY_DOMAIN] = {SCAN_DOMAIN, K_DOMAIN, scan_order_domain, 0},
    [QUERY_BY_ORGANIZATION] = {SCAN_DOMAIN, K_ORG, scan_order_org, 0},
    [QUERY_BY_DAY] = {SCAN_DOMAIN, K_DAY, scan_order_day, 0},
    [QUERY_BY_DOMAIN_DAY] = {SCAN_DOMAIN, K_DOMAIN | K_DAY, scan_order_series, 0},
    [QUERY_BY_ORGANIZATION_DAY] = {SCAN_DOMAIN, K_ORG | K_DAY, scan_order_series, 0},
    [QUERY_BY_MX] = {SCAN_MX, K_MX, scan_order_mx, 1},
    [QUERY_BY_RESULT_TYPE] = {SCAN_FAILURE, K_RTYPE, scan_order_rtype, 1},
    [QUERY_BY_FAILURE] = {SCAN_FAILURE, K_ORG | K_DOMAIN | K_MX | K_RTYPE, scan_order_failure, 1},
    [QUERY_BY_FAILURE_DAY] = {SCAN_FAILURE, K_DOMAIN | K_MX | K_RTYPE | K_DAY, scan_order_series,
                              1},
    [QUERY_BY_MX_DOMAIN] = {SCAN_MX, K_ORG | K_DOMAIN | K_MX, scan_order_mx_domain, 1},
    [QUERY_BY_POLICY_TYPE] = {SCAN_TYPE, K_PTYPE, scan_order_ptype, 0},
    /* SCAN_BY_PROBLEM (sqlite_summary_scan_top): across reporters */
    [QUERY_BY_POLICY_TYPE + 1] = {SCAN_FAILURE, K_DOMAIN | K_MX | K_RTYPE, scan_order_failure, 1},
};

/* The table breakdown g reads for filter f: a roll-up where one answers
 * it exactly (no organization asked of the rows nor kept in the key; by
 * organization alone, roll_org without a domain filter), so a period
 * costs days x series, not reports; else the agg_* table. ever (the
 * pruned days too) reads agg_*. */
/* The daily aggregate table a breakdown reads (what a report adds to:
 * the per-report count of a provenance filter feeds these). */
static enum scan_table scan_base_table(enum query_group g, const struct query_filter *f)
{
	if (g == QUERY_BY_MX && f->result_type != NULL)
		return SCAN_FAILURE;
	return scan_groups[g].table;
}

static enum scan_table scan_table_of(const struct sqlite_store *st, enum query_group g,
                                     const struct query_filter *f, int ever)
{
	static const enum scan_table rolled[] = {[SCAN_DOMAIN] = SCAN_ROLL_DOMAIN,
	                                         [SCAN_FAILURE] = SCAN_ROLL_FAILURE,
	                                         [SCAN_MX] = SCAN_ROLL_MX,
	                                         [SCAN_TYPE] = SCAN_ROLL_TYPE};
	enum scan_table t = scan_base_table(g, f);

	if (ever || !st->rollups || f->organization != NULL)
		return t;
	if (scan_groups[g].key & K_ORG)
		return t == SCAN_DOMAIN && f->n_domains == 0 ? SCAN_ROLL_ORG : t;
	/* the day series of every domain: a row per day (021) */
	if (g == QUERY_BY_DAY && f->n_domains == 0 && st->month_rollups)
		return SCAN_ROLL_DAY;
	return rolled[t];
}

/* Reads one row of table t (the strings borrow the statement's). */
static void scan_read(sqlite3_stmt *s, enum scan_table t, struct query_row *row)
{
	t = scan_tables[t].reads_as;
	memset(row, 0, sizeof(*row));
	row->day = sqlite3_column_int64(s, 0);
	row->organization = (char *)sqlite3_column_text(s, 1);
	row->policy_domain = scan_key(s, 2);
	switch (t) {
	case SCAN_DOMAIN:
		row->reports = sqlite3_column_int64(s, 3);
		row->successful_sessions = sqlite3_column_int64(s, 4);
		row->failed_sessions = sqlite3_column_int64(s, 5);
		break;
	case SCAN_FAILURE:
	case SCAN_MX:
		row->mx_host = scan_key(s, 3);
		row->result_type = (char *)sqlite3_column_text(s, 4);
		row->failed_sessions = sqlite3_column_int64(s, 5);
		break;
	case SCAN_TYPE:
		row->policy_type = (char *)sqlite3_column_text(s, 3);
		row->reports = sqlite3_column_int64(s, 4);
		row->successful_sessions = sqlite3_column_int64(s, 5);
		row->failed_sessions = sqlite3_column_int64(s, 6);
		break;
	default: /* the roll-ups read as their agg_* table, above */
		break;
	}
}

/* The row with only the fields of key kept (scan_add copies them). */
static void scan_key_of(const struct query_row *row, unsigned key, struct query_row *k)
{
	*k = *row;
	k->organization = key & K_ORG ? row->organization : NULL;
	k->policy_domain = key & K_DOMAIN ? row->policy_domain : NULL;
	k->mx_host = key & K_MX ? row->mx_host : NULL;
	k->result_type = key & K_RTYPE ? row->result_type : NULL;
	k->policy_type = key & K_PTYPE ? row->policy_type : NULL;
	k->day = key & K_DAY ? row->day : 0;
}

/* 1 when breakdown g reads table t month by month where it can: a month
 * table sums t's rows, and g keeps no day (nor reads the pruned days). */
static int scan_monthly(const struct sqlite_store *st, enum query_group g, enum scan_table t,
                        int ever)
{
	return st->month_rollups && !ever && !(scan_groups[g].key & K_DAY) &&
	       scan_level_of(t, ROLLUP_MONTHS) != SCAN_NO_TABLE;
}

/* The row's figures negated, to take it away from its group. */
static void scan_negate(struct query_row *row)
{
	row->reports = -row->reports;
	row->successful_sessions = -row->successful_sessions;
	row->failed_sessions = -row->failed_sessions;
}

void scan_add_failure(sqlite3_stmt *s, int minus, struct scan_want *w)
{
	struct query_row row, k;

	scan_read(s, SCAN_FAILURE, &row);
	if (minus)
		scan_negate(&row);
	scan_key_of(&row, scan_groups[w->g].key, &k);
	scan_add(&w->map, &k);
}

/* One pass over table t for the filter's period and parts (those the
 * table can answer), adding each row to every wanted breakdown (minus:
 * taking it away). */
static int scan_table(struct sqlite_store *st, const struct query_filter *f, enum scan_table t,
                      int ever, int minus, struct scan_want *want, size_t n_want, char *err,
                      size_t errlen)
{
	struct query_row row, k;
	struct query_sql q;
	sqlite3_stmt *s = NULL;
	size_t i;
	int step, rc = -1;

	query_sql_init(&q);
	query_sql_add(&q, ever ? scan_tables[t].ever : scan_tables[t].sql);
	if (query_sql_where(&q, f, scan_tables[t].rows, err, errlen) < 0 ||
	    sqlite_sql_prepare(st, &q, &s, err, errlen) < 0)
		goto out;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		scan_read(s, t, &row);
		if (minus)
			scan_negate(&row);
		for (i = 0; i < n_want; i++) {
			scan_key_of(&row, scan_groups[want[i].g].key, &k);
			scan_add(&want[i].map, &k);
		}
	}
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

/* The days that hold rows, [*lo, *hi) (roll_day's first and last; empty
 * when none): what rollup_month_parts estimates its reads by. */
static int scan_days_held(struct sqlite_store *st, int64_t *lo, int64_t *hi, char *err,
                          size_t errlen)
{
	sqlite3_stmt *s = sqlite_stmt(st, STMT_DAYS_HELD,
	                              "SELECT (SELECT min(day) FROM roll_day),"
	                              " (SELECT max(day) FROM roll_day) + 1",
	                              err, errlen);
	int step;

	*lo = *hi = 0;
	if (s == NULL)
		return -1;
	step = sqlite3_step(s);
	if (step == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL) {
		*lo = sqlite3_column_int64(s, 0);
		*hi = sqlite3_column_int64(s, 1);
	}
	/* reset at once: a cached statement left stepped holds the read */
	sqlite3_reset(s);
	return step == SQLITE_ROW ? 0 : sqlite_fail(st, err, errlen, "cannot read the aggregates");
}

int scan_parts(struct sqlite_store *st, const struct query_filter *f,
               struct rollup_span span[ROLLUP_PARTS_MAX], size_t *n, char *err, size_t errlen)
{
	int64_t lo, hi;

	if (scan_days_held(st, &lo, &hi, err, errlen) < 0)
		return -1;
	*n = rollup_month_parts(f->since, f->until, lo, hi, st->year_rollups, span);
	return 0;
}

/* scan_table over the period's parts: whole years and months (or a year
 * or month less what lies outside the period) from t's year and month
 * tables, other days from t. */
static int scan_table_months(struct sqlite_store *st, const struct query_filter *f,
                             enum scan_table t, struct scan_want *want, size_t n_want, char *err,
                             size_t errlen)
{
	struct rollup_span span[ROLLUP_PARTS_MAX];
	struct query_filter part = *f;
	size_t i, n;

	if (scan_parts(st, f, span, &n, err, errlen) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		part.since = span[i].since;
		part.until = span[i].until;
		if (scan_table(st, &part, scan_level_of(t, span[i].level), 0, span[i].minus, want,
		               n_want, err, errlen) < 0)
			return -1;
	}
	return 0;
}

void scan_finish(struct scan_want *w)
{
	scan_drop(w->map.rows, scan_groups[w->g].failed_only);
	scan_sort(w->map.rows, scan_groups[w->g].order);
}

/* --- the provenance filter (docs/trust.md). The aggregate tables carry
 * no provenance, so the rows they would hold are made again from each
 * report of the period with that provenance, as it was stored
 * (sqlite_restore.h), counted once by tally_report as at ingest. Every
 * such report is parsed again: slower, and only with the filter. */

/* 1 when domains a and b are the same as query_sql_where compares them:
 * ASCII case folded, trailing root dots dropped. */
static int scan_domain_eq(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);

	while (na > 0 && a[na - 1] == '.')
		na--;
	while (nb > 0 && b[nb - 1] == '.')
		nb--;
	return na == nb && strncasecmp(a, b, na) == 0;
}

/* 1 when a row of table t with these keys ("" for absent) passes what
 * query_sql_where asks of the table's rows. */
static int scan_row_wanted(const struct query_filter *f, enum scan_table t, const char *dom,
                           const char *mx, const char *rtype, const char *ptype)
{
	size_t i;

	if (f->n_domains > 0) {
		for (i = 0; i < f->n_domains; i++)
			if (scan_domain_eq(dom, f->domains[i] != NULL ? f->domains[i] : ""))
				break;
		if (i == f->n_domains)
			return 0;
	}
	if ((t == SCAN_FAILURE || t == SCAN_MX) && f->mx_host != NULL &&
	    strcmp(mx, f->mx_host) != 0)
		return 0;
	if (t == SCAN_FAILURE && f->result_type != NULL && strcmp(rtype, f->result_type) != 0)
		return 0;
	return t != SCAN_TYPE || f->policy_type == NULL || strcmp(ptype, f->policy_type) == 0;
}

/* A key as scan_read gives it: '' (absent) as NULL. */
static char *scan_nz(const char *s)
{
	return s[0] != '\0' ? (char *)s : NULL;
}

/* Adds row (of table t) to every breakdown that reads t, when the filter
 * keeps it. */
static void scan_feed(const struct query_filter *f, enum scan_table t, const struct query_row *row,
                      const char *mx, const char *ptype, struct scan_want *want, size_t n)
{
	struct query_row k;
	size_t i;

	if (!scan_row_wanted(f, t, row->policy_domain != NULL ? row->policy_domain : "", mx,
	                     row->result_type != NULL ? row->result_type : "", ptype))
		return;
	for (i = 0; i < n; i++) {
		if (scan_base_table(want[i].g, f) != t)
			continue;
		scan_key_of(row, scan_groups[want[i].g].key, &k);
		scan_add(&want[i].map, &k);
	}
}

/* The rows one report adds to each aggregate table (sqlite_add_aggregates
 * writes the same), fed to the breakdowns. */
static void scan_tally_rows(const struct query_filter *f, const struct tally *t, int64_t day,
                            const char *org, struct scan_want *want, size_t n)
{
	struct query_row row;
	size_t i;

	for (i = 0; i < t->n_domains; i++) {
		memset(&row, 0, sizeof(row));
		row.day = day;
		row.organization = (char *)org;
		row.policy_domain = scan_nz(t->domains[i].policy_domain);
		row.reports = 1;
		row.successful_sessions = t->domains[i].successful_sessions;
		row.failed_sessions = t->domains[i].failed_sessions;
		scan_feed(f, SCAN_DOMAIN, &row, "", "", want, n);
	}
	for (i = 0; i < t->n_failures + t->n_mxs; i++) {
		int by_mx = i >= t->n_failures;
		const struct tally_failure *tf =
		    by_mx ? &t->mxs[i - t->n_failures] : &t->failures[i];

		memset(&row, 0, sizeof(row));
		row.day = day;
		row.organization = (char *)org;
		row.policy_domain = scan_nz(tf->policy_domain);
		row.mx_host = scan_nz(tf->mx_host);
		row.result_type = (char *)(by_mx ? "" : tf->result_type);
		row.failed_sessions = tf->failed_sessions;
		scan_feed(f, by_mx ? SCAN_MX : SCAN_FAILURE, &row, tf->mx_host, "", want, n);
	}
	for (i = 0; i < t->n_types; i++) {
		memset(&row, 0, sizeof(row));
		row.day = day;
		row.organization = (char *)org;
		row.policy_domain = scan_nz(t->types[i].policy_domain);
		row.policy_type = (char *)t->types[i].policy_type;
		row.reports = t->types[i].policies;
		row.successful_sessions = t->types[i].successful_sessions;
		row.failed_sessions = t->types[i].failed_sessions;
		scan_feed(f, SCAN_TYPE, &row, "", t->types[i].policy_type, want, n);
	}
}

/* What scan_reports hands each report to. */
struct scan_reports_ctx {
	const struct query_filter *f;
	struct scan_want *want;
	size_t n;
};

/* sqlite_reports_tally's step: the report's rows (its day in column 3)
 * fed to the breakdowns. */
static int scan_report(void *ctx, sqlite3_stmt *row, const struct report *r, const struct tally *t,
                       char *err, size_t errlen)
{
	const struct scan_reports_ctx *c = ctx;

	(void)err;
	(void)errlen;
	scan_tally_rows(c->f, t, sqlite3_column_int64(row, 3), r->organization_name, c->want, c->n);
	return 0;
}

/* One pass over the reports the filter keeps (period, organization,
 * provenance, a policy of a filtered domain), each counted again. */
static int scan_reports(struct sqlite_store *st, const struct query_filter *f,
                        struct scan_want *want, size_t n, char *err, size_t errlen)
{
	struct scan_reports_ctx c = {f, want, n};
	struct query_sql q;
	sqlite3_stmt *s = NULL;
	int rc = -1;

	query_sql_init(&q);
	query_sql_add(&q, "SELECT r.id, r.organization, rr.gz, r.day FROM report r"
	                  " JOIN raw_report rr ON rr.id = r.raw_id");
	if (query_sql_where(&q, f, WHERE_REPORT_DOMAINS, err, errlen) < 0 ||
	    sqlite_sql_prepare(st, &q, &s, err, errlen) < 0)
		goto out;
	rc = sqlite_reports_tally(st, s, scan_report, &c, err, errlen);
out:
	sqlite3_finalize(s);
	query_sql_free(&q);
	return rc;
}

int scan_groups_run(struct sqlite_store *st, const struct query_filter *f, int ever,
                    struct scan_want *want, size_t n, char *err, size_t errlen)
{
	size_t i, j;
	int rc = 0;

	if (f->provenance != NULL)
		rc = scan_reports(st, f, want, n, err, errlen);
	/* callers list the breakdowns of one table together */
	for (i = 0; i < n && rc == 0 && f->provenance == NULL; i = j) {
		enum scan_table t = scan_table_of(st, want[i].g, f, ever);
		int monthly = scan_monthly(st, want[i].g, t, ever);

		for (j = i + 1; j < n && scan_table_of(st, want[j].g, f, ever) == t &&
		                scan_monthly(st, want[j].g, t, ever) == monthly;
		     j++)
			;
		rc = monthly ? scan_table_months(st, f, t, &want[i], j - i, err, errlen)
		             : scan_table(st, f, t, ever, 0, &want[i], j - i, err, errlen);
	}
	for (i = 0; i < n; i++) {
		if (rc == 0)
			scan_finish(&want[i]);
		free(want[i].map.slots);
		want[i].map.slots = NULL;
	}
	return rc;
}

void scan_want_init(struct scan_want *want, const enum query_group *groups,
                    struct query_rows *const *rows, size_t n)
{
	size_t i;

	memset(want, 0, n * sizeof(*want));
	for (i = 0; i < n; i++) {
		want[i].g = groups[i];
		want[i].map.rows = rows[i];
	}
}

int sqlite_group(struct store *base, const struct query_filter *f, enum query_group g, size_t limit,
                 struct query_rows *out, char *err, size_t errlen)
{
	struct sqlite_store *st = sqlite_of(base);
	struct query_rows rows = {NULL, 0};
	struct scan_want want;
	size_t i;

	if ((unsigned)g >= sizeof(scan_groups) / sizeof(scan_groups[0])) {
		snprintf(err, errlen, "internal error: no such breakdown %d", (int)g);
		return -1;
	}
	memset(&want, 0, sizeof(want));
	want.g = g;
	want.map.rows = &rows;
	/* a filter from QUERY_SINCE_EVER counts the pruned days too */
	if (scan_groups_run(st, f, f->since <= QUERY_SINCE_EVER, &want, 1, err, errlen) < 0) {
		query_rows_free(&rows);
		return -1;
	}
	if (limit > 0 && rows.n > limit) {
		for (i = limit; i < rows.n; i++) {
			free(rows.rows[i].organization);
			free(rows.rows[i].policy_domain);
			free(rows.rows[i].mx_host);
			free(rows.rows[i].result_type);
			free(rows.rows[i].policy_type);
		}
		rows.n = limit;
	}
	*out = rows;
	return 0;
}

int sqlite_alert_scan(struct store *base, const struct query_filter *f,
                      const struct query_alert_need *need, struct query_alert_series *out,
                      char *err, size_t errlen)
{
	struct sqlite_store *st = sqlite_of(base);
	static const enum query_group groups[] = {QUERY_BY_DOMAIN_DAY, QUERY_BY_ORGANIZATION_DAY,
	                                          QUERY_BY_FAILURE_DAY};
	struct query_alert_series a;
	struct query_rows *const rows[] = {&a.domain_days, &a.organization_days, &a.failure_days};
	struct scan_want want[3];

	/* every failure group, needed or not: read here, none is sent */
	(void)need;
	/* a period alone, as alert asks: the roll-ups as they are stored */
	if (st->rollups && series_read_applies(f))
		return sqlite_alert_series_rolled(st, f->since, f->until, out, err, errlen);
	memset(&a, 0, sizeof(a));
	scan_want_init(want, groups, rows, 3);
	if (scan_groups_run(st, f, 0, want, 3, err, errlen) < 0) {
		query_alert_series_free(&a);
		return -1;
	}
	*out = a;
	return 0;
}

int scan_summary_totals(struct sqlite_store *st, const struct query_filter *f,
                        struct query_scan *sc, char *err, size_t errlen)
{
	if (scan_top_totals(f, sc) == 0)
		return 0;
	return sqlite_count_reports(st, f, &sc->totals.reports, err, errlen);
}

int sqlite_summary_scan(struct store *base, const struct query_filter *f, int want_types,
                        struct query_scan *out, char *err, size_t errlen)
{
	struct sqlite_store *st = sqlite_of(base);
	/* the breakdowns of one table listed together: one pass each */
	static const enum query_group groups[] = {
	    QUERY_BY_DOMAIN,      QUERY_BY_DAY,     QUERY_BY_ORGANIZATION, QUERY_BY_MX,
	    QUERY_BY_RESULT_TYPE, QUERY_BY_FAILURE, QUERY_BY_POLICY_TYPE};
	struct query_scan sc;
	struct query_rows *const rows[] = {
	    &sc.by_domain,      &sc.by_day,   &sc.by_organization, &sc.by_mx,
	    &sc.by_result_type, &sc.failures, &sc.by_policy_type};
	struct scan_want want[7];

	memset(&sc, 0, sizeof(sc));
	scan_want_init(want, groups, rows, 7);
	if (scan_groups_run(st, f, 0, want, want_types ? 7 : 6, err, errlen) < 0 ||
	    scan_summary_totals(st, f, &sc, err, errlen) < 0) {
		query_scan_free(&sc);
		return -1;
	}
	*out = sc;
	return 0;
}
