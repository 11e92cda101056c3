/*
 * query_match.c - keys by domain for the batched alert queries
 * (query_match.h), shared by both backends.
 */
#include <stdlib.h>
#include <string.h>

#include "limits.h"
#include "query.h"
#include "query_match.h"
#include "strbuf.h"
#include "xalloc.h"

struct match_entry {
	const char *domain;
	size_t i;
};

static int match_cmp(const void *x, const void *y)
{
	const struct match_entry *a = x, *b = y;
	int c = strcmp(a->domain, b->domain);

	if (c != 0)
		return c;
	return a->i < b->i ? -1 : a->i > b->i;
}

void query_match_init(struct query_match *m, const char *const *domains, size_t n)
{
	struct match_entry *e = xcalloc(n > 0 ? n : 1, sizeof(*e));
	size_t j;

	for (j = 0; j < n; j++) {
		e[j].domain = domains[j];
		e[j].i = j;
	}
	qsort(e, n, sizeof(*e), match_cmp);
	m->domain = xcalloc(n > 0 ? n : 1, sizeof(*m->domain));
	m->idx = xcalloc(n > 0 ? n : 1, sizeof(*m->idx));
	for (j = 0; j < n; j++) {
		m->domain[j] = e[j].domain;
		m->idx[j] = e[j].i;
	}
	m->n = n;
	free(e);
}

void query_match_find(const struct query_match *m, const char *dom, size_t *first, size_t *end)
{
	size_t lo = 0, hi = m->n, mid;

	while (lo < hi) { /* the first domain >= dom */
		mid = lo + (hi - lo) / 2;
		if (strcmp(m->domain[mid], dom) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*first = lo;
	while (lo < m->n && strcmp(m->domain[lo], dom) == 0)
		lo++;
	*end = lo;
}

void query_match_free(struct query_match *m)
{
	free(m->domain);
	free(m->idx);
	memset(m, 0, sizeof(*m));
}

void query_periods_span(const int64_t *since, const int64_t *until, size_t n, int64_t *lo,
                        int64_t *hi, int *differ)
{
	size_t i;

	*lo = *hi = 0;
	*differ = 0;
	for (i = 0; i < n; i++) {
		if (i == 0 || since[i] < *lo)
			*lo = since[i];
		if (i == 0 || until[i] > *hi)
			*hi = until[i];
		if (i > 0 && (since[i] != since[0] || until[i] != until[0]))
			*differ = 1;
	}
}

void query_trust_init(struct query_trust *t, const int64_t *since, const int64_t *until,
                      const char *const *domains, const char *const *organizations, size_t n,
                      int64_t *verified, int64_t *unverified)
{
	size_t i;
	int differ;

	memset(t, 0, sizeof(*t));
	query_match_init(&t->m, domains, n);
	t->organizations = organizations;
	t->since = since;
	t->until = until;
	t->verified = verified;
	t->unverified = unverified;
	for (i = 0; i < n; i++)
		verified[i] = unverified[i] = 0;
	query_periods_span(since, until, n, &t->lo, &t->hi, &differ);
}

void query_trust_add(const struct query_trust *t, size_t first, size_t end, const char *org,
                     int64_t day, int64_t v, int64_t u)
{
	size_t i, j;

	for (j = first; j < end; j++) {
		i = t->m.idx[j];
		if (day < t->since[i] || day >= t->until[i] ||
		    (t->organizations[i] != NULL && strcmp(t->organizations[i], org) != 0))
			continue;
		t->verified[i] += v;
		t->unverified[i] += u;
	}
}

void query_trust_free(struct query_trust *t)
{
	query_match_free(&t->m);
	memset(t, 0, sizeof(*t));
}

void query_code_add(struct query_code_sums *c, const char *code, int64_t failed)
{
	size_t j;

	for (j = 0; j < c->n; j++)
		if (strcmp(c->code[j], code) == 0) {
			c->sum[j] += failed;
			return;
		}
	if (c->n == c->alloc) {
		c->alloc = c->alloc ? c->alloc * 2 : 4;
		c->code = xreallocarray(c->code, c->alloc, sizeof(*c->code));
		c->sum = xreallocarray(c->sum, c->alloc, sizeof(*c->sum));
	}
	c->code[c->n] = xstrdup(code);
	c->sum[c->n++] = failed;
}

char *query_code_take_top(struct query_code_sums *c)
{
	char *top = NULL;
	size_t j, best = 0;

	for (j = 1; j < c->n; j++)
		if (c->sum[j] > c->sum[best] ||
		    (c->sum[j] == c->sum[best] && strcmp(c->code[j], c->code[best]) < 0))
			best = j;
	for (j = 0; j < c->n; j++) {
		if (j == best)
			top = c->code[j];
		else
			free(c->code[j]);
	}
	free(c->code);
	free(c->sum);
	memset(c, 0, sizeof(*c));
	return top;
}

/* One name and its sum, sorted most first, then by name. */
struct match_named {
	const char *name;
	int64_t sum;
};

static int match_named_cmp(const void *x, const void *y)
{
	const struct match_named *a = x, *b = y;

	if (a->sum != b->sum)
		return a->sum > b->sum ? -1 : 1;
	return strcmp(a->name, b->name);
}

char *query_code_take_reporters(struct query_code_sums *c)
{
	struct match_named *e = xcalloc(c->n > 0 ? c->n : 1, sizeof(*e));
	struct strbuf sb;
	char *out;
	size_t j, n_named = 0;
	int n = 0;

	for (j = 0; j < c->n; j++)
		if (c->sum[j] > 0) {
			e[n_named].name = c->code[j];
			e[n_named++].sum = c->sum[j];
		}
	qsort(e, n_named, sizeof(*e), match_named_cmp);
	strbuf_init(&sb, 64 * (LIMIT_ALERT_REPORTERS + 1) + LIMIT_STRING_BYTES);
	for (j = 0; j < n_named; j++) {
		if (n < LIMIT_ALERT_REPORTERS &&
		    (strbuf_puts(&sb, n > 0 ? ", " : "") < 0 || strbuf_puts(&sb, e[j].name) < 0))
			break; /* a name longer than the cap: the list stops */
		n++;
	}
	/* past the buffer's cap the list stays as it is */
	if (n > LIMIT_ALERT_REPORTERS &&
	    strbuf_printf(&sb, " and %d more", n - LIMIT_ALERT_REPORTERS) < 0)
		n = LIMIT_ALERT_REPORTERS;
	out = sb.len > 0 ? xstrdup(strbuf_str(&sb)) : NULL;
	strbuf_free(&sb);
	free(e);
	for (j = 0; j < c->n; j++)
		free(c->code[j]);
	free(c->code);
	free(c->sum);
	memset(c, 0, sizeof(*c));
	return out;
}

/* NULL (absent) first, then byte order. */
static int match_domain_cmp(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

static int match_name_cmp(const void *x, const void *y)
{
	return match_domain_cmp(*(const char *const *)x, *(const char *const *)y);
}

void query_rows_by_domain(struct query_rows *rows)
{
	size_t n = rows->n, n_runs = 0, n_names = 0, i, k, lo, hi, mid;
	size_t *run = xcalloc(n + 1, sizeof(*run)), *id, *pos;
	const char **names;
	struct query_row *sorted;

	if (n < 2) {
		free(run);
		return;
	}
	/* runs of one domain, and their domains sorted and made unique */
	for (i = 0; i < n; i++)
		if (i == 0 || match_domain_cmp(rows->rows[i].policy_domain,
		                               rows->rows[i - 1].policy_domain) != 0)
			run[n_runs++] = i;
	run[n_runs] = n;
	names = xcalloc(n_runs, sizeof(*names));
	for (k = 0; k < n_runs; k++)
		names[k] = rows->rows[run[k]].policy_domain;
	qsort(names, n_runs, sizeof(*names), match_name_cmp);
	for (k = 0; k < n_runs; k++)
		if (n_names == 0 || match_domain_cmp(names[n_names - 1], names[k]) != 0)
			names[n_names++] = names[k];
	/* each run's domain number, the rows per domain, and a stable
	 * counting sort by it */
	id = xcalloc(n_runs, sizeof(*id));
	pos = xcalloc(n_names + 1, sizeof(*pos));
	for (k = 0; k < n_runs; k++) {
		const char *d = rows->rows[run[k]].policy_domain;

		for (lo = 0, hi = n_names; lo < hi;) {
			mid = lo + (hi - lo) / 2;
			if (match_domain_cmp(names[mid], d) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		id[k] = lo;
		pos[lo + 1] += run[k + 1] - run[k];
	}
	for (k = 1; k <= n_names; k++)
		pos[k] += pos[k - 1];
	sorted = xreallocarray(NULL, n, sizeof(*sorted));
	for (k = 0; k < n_runs; k++)
		for (i = run[k]; i < run[k + 1]; i++)
			sorted[pos[id[k]]++] = rows->rows[i];
	free(rows->rows);
	rows->rows = sorted;
	free(run);
	free(names);
	free(id);
	free(pos);
}
