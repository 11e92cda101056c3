/*
 * sqlite_query_series.c - the alert series (query_alert_scan in query.h)
 * from the roll-ups of schema/012_rollups.sql, read as they are stored.
 * A roll-up holds one row per (day, key), so the general scan's hash
 * table of (key, day) groups, a copy of every row's strings and a sort of
 * every row by its strings (60 % of 'alert' on a store of 26,000 reports
 * a day: about 60,000 rows for 31 days) are not needed: each key is found
 * once by its strings, the keys (a few thousand) are sorted, and each
 * key's rows, which come in day order, follow it sharing its strings
 * (query_alert_series.strings owns them). The same rows, in the same
 * order, as sqlite_alert_scan's. Rows hold report text (untrusted),
 * compared and copied only.
 */
#include <stdlib.h>
#include <string.h>

#include "query.h"
#include "sqlite_impl.h"
#include "sqlite_query_impl.h"
#include "xalloc.h"

/* One key of a series: its strings (NULL: absent) and its rows. */
struct series_key {
	char *org, *domain, *mx, *rtype;
	uint64_t hash;
	size_t n_rows, next; /* next: where its next row goes */
};

/* One row as read: its key's index and its figures. */
struct series_rec {
	size_t key;
	int64_t day, reports, ok, failed;
};

struct series_read {
	struct series_key *keys;
	size_t n_keys, keys_alloc;
	size_t *slots; /* key index + 1; 0 = empty */
	size_t n_slots;
	struct series_rec *recs;
	size_t n_recs, recs_alloc;
};

/* The roll-ups, each as (day, organization, policy domain, MX, result
 * type, reports, successful, failed) in day order ('' as in the general
 * scan: absent for domain and MX, kept for organization and type). */
static const char *const series_sql[] = {
    "SELECT day, NULL, policy_domain, NULL, NULL, reports, successful_sessions,"
    " failed_sessions FROM roll_domain WHERE day >= ?1 AND day < ?2 ORDER BY day",
    "SELECT day, organization, NULL, NULL, NULL, reports, successful_sessions,"
    " failed_sessions FROM roll_org WHERE day >= ?1 AND day < ?2 ORDER BY day",
    /* failure series leave out groups without failures, as the general
     * scan does */
    "SELECT day, NULL, policy_domain, mx_host, result_type, 0, 0, failed_sessions"
    " FROM roll_failure WHERE day >= ?1 AND day < ?2 AND failed_sessions > 0 ORDER BY day",
};

static void series_grow(struct series_read *r)
{
	size_t n = r->n_slots ? r->n_slots * 2 : 1024, i, j;

	free(r->slots);
	r->slots = xcalloc(n, sizeof(*r->slots));
	r->n_slots = n;
	for (i = 0; i < r->n_keys; i++) {
		j = (size_t)r->keys[i].hash & (n - 1);
		while (r->slots[j] != 0)
			j = (j + 1) & (n - 1);
		r->slots[j] = i + 1;
	}
}

static char *series_dup(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

/* The index of the key of these strings (borrowed), added when new. */
static size_t series_key_of(struct series_read *r, const char *org, const char *domain,
                            const char *mx, const char *rtype)
{
	uint64_t h = 14695981039346656037ULL;
	struct series_key *k;
	size_t j;

	h = scan_hash_str(h, org);
	h = scan_hash_str(h, domain);
	h = scan_hash_str(h, mx);
	h = scan_hash_str(h, rtype);
	if ((r->n_keys + 1) * 2 > r->n_slots)
		series_grow(r);
	for (j = (size_t)h & (r->n_slots - 1); r->slots[j] != 0; j = (j + 1) & (r->n_slots - 1)) {
		k = &r->keys[r->slots[j] - 1];
		if (k->hash == h && scan_str_eq(k->org, org) && scan_str_eq(k->domain, domain) &&
		    scan_str_eq(k->mx, mx) && scan_str_eq(k->rtype, rtype))
			return r->slots[j] - 1;
	}
	if (r->n_keys == r->keys_alloc) {
		r->keys_alloc = r->keys_alloc ? r->keys_alloc * 2 : 256;
		r->keys = xreallocarray(r->keys, r->keys_alloc, sizeof(*r->keys));
	}
	k = &r->keys[r->n_keys];
	memset(k, 0, sizeof(*k));
	k->org = series_dup(org);
	k->domain = series_dup(domain);
	k->mx = series_dup(mx);
	k->rtype = series_dup(rtype);
	k->hash = h;
	r->slots[j] = ++r->n_keys;
	return r->n_keys - 1;
}

/* A key column: '' (absent) as NULL, borrowed until the next step. */
static const char *series_absent(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return t != NULL && t[0] != '\0' ? (const char *)t : NULL;
}

static int series_load(struct sqlite_store *st, const char *sql, int64_t since, int64_t until,
                       struct series_read *r, char *err, size_t errlen)
{
	sqlite3_stmt *s = NULL;
	int step, rc = -1;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return sqlite_fail(st, err, errlen, "cannot read the alert series");
	sqlite3_bind_int64(s, 1, since);
	sqlite3_bind_int64(s, 2, until);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		struct series_rec *rec;

		if (r->n_recs == r->recs_alloc) {
			r->recs_alloc = r->recs_alloc ? r->recs_alloc * 2 : 4096;
			r->recs = xreallocarray(r->recs, r->recs_alloc, sizeof(*r->recs));
		}
		rec = &r->recs[r->n_recs++];
		rec->key =
		    series_key_of(r, (const char *)sqlite3_column_text(s, 1), series_absent(s, 2),
		                  series_absent(s, 3), (const char *)sqlite3_column_text(s, 4));
		rec->day = sqlite3_column_int64(s, 0);
		rec->reports = sqlite3_column_int64(s, 5);
		rec->ok = sqlite3_column_int64(s, 6);
		rec->failed = sqlite3_column_int64(s, 7);
		r->keys[rec->key].n_rows++;
	}
	if (step != SQLITE_DONE) {
		sqlite_fail(st, err, errlen, "cannot read the alert series");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(s);
	return rc;
}

/* The series order of query.h: by key, absent as '' (then day). */
static int series_cmp_str(const char *a, const char *b)
{
	return strcmp(a != NULL ? a : "", b != NULL ? b : "");
}

static int series_cmp_key(const void *x, const void *y)
{
	const struct series_key *a = *(const struct series_key *const *)x;
	const struct series_key *b = *(const struct series_key *const *)y;
	int c = series_cmp_str(a->org, b->org);

	if (c == 0)
		c = series_cmp_str(a->domain, b->domain);
	if (c == 0)
		c = series_cmp_str(a->mx, b->mx);
	return c != 0 ? c : series_cmp_str(a->rtype, b->rtype);
}

/* The rows of r into out, keys in order, each key's rows in the order
 * read (by day); the keys' strings move to *strings. */
static void series_emit(struct series_read *r, struct query_rows *out, char ***strings,
                        size_t *n_strings)
{
	struct series_key **order = xcalloc(r->n_keys + 1, sizeof(*order));
	size_t i, at = 0;

	for (i = 0; i < r->n_keys; i++)
		order[i] = &r->keys[i];
	if (r->n_keys > 1)
		qsort(order, r->n_keys, sizeof(*order), series_cmp_key);
	for (i = 0; i < r->n_keys; i++) {
		order[i]->next = at;
		at += order[i]->n_rows;
	}
	out->rows = xcalloc(r->n_recs + 1, sizeof(*out->rows));
	out->n = r->n_recs;
	for (i = 0; i < r->n_recs; i++) {
		const struct series_rec *rec = &r->recs[i];
		struct series_key *k = &r->keys[rec->key];
		struct query_row *row = &out->rows[k->next++];

		row->organization = k->org;
		row->policy_domain = k->domain;
		row->mx_host = k->mx;
		row->result_type = k->rtype;
		row->day = rec->day;
		row->reports = rec->reports;
		row->successful_sessions = rec->ok;
		row->failed_sessions = rec->failed;
	}
	*strings = xreallocarray(*strings, *n_strings + 4 * r->n_keys + 1, sizeof(**strings));
	for (i = 0; i < r->n_keys; i++) {
		struct series_key *k = &r->keys[i];
		char *s[4] = {k->org, k->domain, k->mx, k->rtype};
		int j;

		for (j = 0; j < 4; j++)
			if (s[j] != NULL)
				(*strings)[(*n_strings)++] = s[j];
	}
	r->n_keys = 0; /* their strings moved */
	free(order);
}

static void series_read_free(struct series_read *r)
{
	size_t i;

	for (i = 0; i < r->n_keys; i++) {
		free(r->keys[i].org);
		free(r->keys[i].domain);
		free(r->keys[i].mx);
		free(r->keys[i].rtype);
	}
	free(r->keys);
	free(r->slots);
	free(r->recs);
	memset(r, 0, sizeof(*r));
}

int sqlite_alert_series_rolled(struct sqlite_store *st, int64_t since, int64_t until,
                               struct query_alert_series *out, char *err, size_t errlen)
{
	struct query_alert_series a;
	struct query_rows *const rows[] = {&a.domain_days, &a.organization_days, &a.failure_days};
	struct series_read r;
	size_t i;
	int rc = -1;

	memset(&a, 0, sizeof(a));
	memset(&r, 0, sizeof(r));
	for (i = 0; i < 3; i++) {
		if (series_load(st, series_sql[i], since, until, &r, err, errlen) < 0)
			goto out;
		series_emit(&r, rows[i], &a.strings, &a.n_strings);
		series_read_free(&r);
	}
	*out = a;
	memset(&a, 0, sizeof(a));
	rc = 0;
out:
	series_read_free(&r);
	query_alert_series_free(&a);
	return rc;
}
