/*
 * scan_top.c - the failure groups a summary must read, chosen as
 * scan_top.h says (the exactness argument: docs/performance.md, "summary
 * at 10M, session 7"); the backends only read the domains chosen. Rows
 * hold report text (untrusted): compared and hashed only.
 */
#include <stdlib.h>
#include <string.h>

#include "scan_top.h"
#include "xalloc.h"

int scan_str_eq(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* One step of the string hash: multiply, then fold the high half down,
 * so the low bits a table masks depend on every input bit. */
static uint64_t scan_mix(uint64_t h)
{
	h *= 0x9e3779b97f4a7c15ULL;
	return h ^ (h >> 32);
}

uint64_t scan_hash_str(uint64_t h, const char *s)
{
	uint64_t w = 0;
	size_t n, i;

	/* eight bytes a step; NULL and "" differ by the marker, the length in
	 * the top byte of the last word (at most 7 bytes of string) */
	if (s == NULL)
		return scan_mix(h ^ 0xffu);
	n = strlen(s);
	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&w, s + i, 8);
		h = scan_mix(h ^ w);
	}
	w = 0;
	memcpy(&w, s + i, n - i);
	return scan_mix(h ^ w ^ ((uint64_t)(n & 0xff) << 56) ^ 0x01u);
}

int scan_top_totals(const struct query_filter *f, struct query_scan *sc)
{
	size_t i;

	for (i = 0; i < sc->by_day.n; i++) {
		sc->totals.successful_sessions += sc->by_day.rows[i].successful_sessions;
		sc->totals.failed_sessions += sc->by_day.rows[i].failed_sessions;
	}
	if (f->n_domains != 1)
		return 1;
	for (i = 0; i < sc->by_domain.n; i++)
		sc->totals.reports += sc->by_domain.rows[i].reports;
	return 0;
}

/* The keys wanted (domains alone, or problems), in the order first
 * wanted (names borrowed from the caller's rows), found through an
 * open-addressing table of indices (load kept under 1/2). */
struct scan_top_set {
	struct scan_top_key *keys;
	size_t n;
	size_t alloc;
	size_t *slots; /* index + 1; 0 = empty */
	size_t nslots;
};

static int scan_top_key_eq(const struct scan_top_key *a, const struct scan_top_key *b)
{
	return scan_str_eq(a->policy_domain, b->policy_domain) &&
	       scan_str_eq(a->mx_host, b->mx_host) && scan_str_eq(a->result_type, b->result_type);
}

static size_t scan_top_slot(const struct scan_top_set *s, const struct scan_top_key *k)
{
	uint64_t h = scan_hash_str(14695981039346656037ULL, k->policy_domain);
	size_t i;

	h = scan_hash_str(scan_hash_str(h, k->mx_host), k->result_type);
	i = (size_t)h & (s->nslots - 1);
	while (s->slots[i] != 0 && !scan_top_key_eq(&s->keys[s->slots[i] - 1], k))
		i = (i + 1) & (s->nslots - 1);
	return i;
}

static void scan_top_grow(struct scan_top_set *s)
{
	size_t i, n = s->nslots ? s->nslots * 2 : 64;

	free(s->slots);
	s->slots = xcalloc(n, sizeof(*s->slots));
	s->nslots = n;
	for (i = 0; i < s->n; i++)
		s->slots[scan_top_slot(s, &s->keys[i])] = i + 1;
}

/* Marks key k wanted. */
static void scan_top_add(struct scan_top_set *s, const struct scan_top_key *k)
{
	size_t i;

	if ((s->n + 1) * 2 > s->nslots)
		scan_top_grow(s);
	i = scan_top_slot(s, k);
	if (s->slots[i] != 0)
		return;
	if (s->n == s->alloc) {
		s->alloc = s->alloc ? s->alloc * 2 : 64;
		s->keys = xreallocarray(s->keys, s->alloc, sizeof(*s->keys));
	}
	s->keys[s->n++] = *k;
	s->slots[i] = s->n;
}

static void scan_top_set_free(struct scan_top_set *s)
{
	free(s->keys);
	free(s->slots);
}

/* Marks the problem of row r wanted, and its domain. */
static void scan_top_want(struct scan_top_set *problems, struct scan_top_set *domains,
                          const struct query_row *r)
{
	struct scan_top_key k = {r->policy_domain, r->mx_host, r->result_type};
	struct scan_top_key d = {r->policy_domain, NULL, NULL};

	scan_top_add(problems, &k);
	scan_top_add(domains, &d);
}

static int scan_top_desc(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;

	return a > b ? -1 : a < b;
}

/* The top_n-th largest failed sessions of the rows of r: 1 when r holds
 * fewer with failures (every problem may then hold a shown group). */
static int64_t scan_top_threshold(const struct query_rows *r, size_t top_n)
{
	int64_t *v, t = 1;
	size_t i, n = 0;

	v = xcalloc(r->n ? r->n : 1, sizeof(*v));
	for (i = 0; i < r->n; i++)
		if (r->rows[i].failed_sessions > 0)
			v[n++] = r->rows[i].failed_sessions;
	if (top_n > 0 && n >= top_n) {
		qsort(v, n, sizeof(*v), scan_top_desc);
		t = v[top_n - 1] > 1 ? v[top_n - 1] : 1;
	}
	free(v);
	return t;
}

int scan_top_select(const struct scan_top_reader *rd, size_t top_n,
                    const struct query_rows *problems, const struct query_rows *keep,
                    size_t n_domains, char *err, size_t errlen)
{
	struct scan_top_set want, domains;
	int64_t edge;
	size_t i, done = 0, done_domains = 0;
	int rc = -1;

	memset(&want, 0, sizeof(want));
	memset(&domains, 0, sizeof(domains));
	for (i = 0; keep != NULL && i < keep->n; i++)
		scan_top_want(&want, &domains, &keep->rows[i]);
	edge = scan_top_threshold(problems, top_n);
	for (;;) {
		for (i = 0; top_n > 0 && i < problems->n; i++)
			if (problems->rows[i].failed_sessions >= edge)
				scan_top_want(&want, &domains, &problems->rows[i]);
		if (done == want.n)
			break;
		/* seeking most domains costs more than one pass over them all */
		if (domains.n * 2 > n_domains) {
			rc = rd->read_all(rd->ctx, err, errlen) < 0 ? -1 : 1;
			goto out;
		}
		if (rd->read(rd->ctx, domains.keys + done_domains, domains.n - done_domains,
		             want.keys + done, want.n - done, err, errlen) < 0)
			goto out;
		done = want.n;
		done_domains = domains.n;
		if (top_n == 0)
			break;
		edge = scan_top_threshold(rd->groups(rd->ctx), top_n);
	}
	rc = 0;
out:
	scan_top_set_free(&want);
	scan_top_set_free(&domains);
	return rc;
}
