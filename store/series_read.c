/*
 * series_read.c - the alert series built from a roll-up read as stored
 * (series_read.h), for sqlite_query_series.c and pg_query_series.c.
 * Rows hold report text (untrusted), compared and copied only.
 */
#include <stdlib.h>
#include <string.h>

#include "scan_top.h"
#include "series_read.h"
#include "xalloc.h"

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

int series_read_applies(const struct query_filter *f)
{
	return f->since > QUERY_SINCE_EVER && f->n_domains == 0 && f->organization == NULL &&
	       f->mx_host == NULL && f->result_type == NULL && f->policy_type == NULL &&
	       f->provenance == NULL;
}

void series_read_add(struct series_read *r, int64_t day, const char *org, const char *domain,
                     const char *mx, const char *rtype, int64_t reports, int64_t ok, int64_t failed)
{
	struct series_rec *rec;

	if (r->n_recs == r->recs_alloc) {
		r->recs_alloc = r->recs_alloc ? r->recs_alloc * 2 : 4096;
		r->recs = xreallocarray(r->recs, r->recs_alloc, sizeof(*r->recs));
	}
	rec = &r->recs[r->n_recs++];
	rec->key = series_key_of(r, org, domain, mx, rtype);
	rec->day = day;
	rec->reports = reports;
	rec->ok = ok;
	rec->failed = failed;
	r->keys[rec->key].n_rows++;
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
void series_read_emit(struct series_read *r, struct query_rows *out, char ***strings,
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

void series_read_free(struct series_read *r)
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
