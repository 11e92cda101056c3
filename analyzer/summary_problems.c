/*
 * summary_problems.c - one problem, one row (docs/summary-json.md,
 * "problems"): the failure groups of (reporter, domain, MX, result type)
 * merged per (domain, MX, result type), with the reporters that saw each,
 * so that one expired certificate is one row, not one per reporter. Rows
 * are grouped by a hash of the key and only the rows of the problems
 * shown are sorted (sorting every failure row by its strings cost an
 * eighth of the dashboard's /?all=1 on a 10M-report store). Rows hold
 * report text (untrusted): only compared and copied here.
 */
#include <stdlib.h>
#include <string.h>

#include "limits.h"
#include "strbuf.h"
#include "summary.h"
#include "xalloc.h"

static int problems_str_cmp(const char *a, const char *b)
{
	return strcmp(a != NULL ? a : "", b != NULL ? b : "");
}

static int problems_key_cmp(const struct query_row *a, const struct query_row *b)
{
	int c = problems_str_cmp(a->policy_domain, b->policy_domain);

	if (c == 0)
		c = problems_str_cmp(a->mx_host, b->mx_host);
	if (c == 0)
		c = problems_str_cmp(a->result_type, b->result_type);
	return c;
}

struct problem {
	struct query_row row;
	char *reporters;
};

/* A problem's key (domain, MX, result type) hashed as problems_key_cmp
 * compares it: NULL as "" (FNV-1a, a separator between the fields). */
static uint64_t problems_hash(const struct query_row *r)
{
	const char *f[3] = {r->policy_domain, r->mx_host, r->result_type};
	uint64_t h = 14695981039346656037ULL;
	size_t i;

	for (i = 0; i < 3; i++) {
		for (const char *s = f[i]; s != NULL && *s != '\0'; s++) {
			h ^= (unsigned char)*s;
			h *= 1099511628211ULL;
		}
		h ^= 0x1fu;
		h *= 1099511628211ULL;
	}
	return h;
}

/* The rows of failures grouped by key: group[i] is row i's group, first[g]
 * a row of group g (the first met), count[g] its rows, failed[g] their
 * failed sessions; returns the number of groups. An open-addressing table
 * of group numbers (load under 1/2) instead of sorting every row. */
struct problems_groups {
	size_t *group, *first, *count, *start, *members;
	int64_t *failed;
	size_t n;
};

static void problems_group(const struct query_rows *failures, struct problems_groups *g)
{
	size_t nslots = 16, i, j, *slots;

	while (nslots < 2 * failures->n + 2)
		nslots *= 2;
	slots = xcalloc(nslots, sizeof(*slots)); /* group + 1; 0 = empty */
	g->group = xcalloc(failures->n + 1, sizeof(*g->group));
	g->first = xcalloc(failures->n + 1, sizeof(*g->first));
	g->count = xcalloc(failures->n + 1, sizeof(*g->count));
	g->failed = xcalloc(failures->n + 1, sizeof(*g->failed));
	g->n = 0;
	for (i = 0; i < failures->n; i++) {
		const struct query_row *r = &failures->rows[i];

		j = (size_t)problems_hash(r) & (nslots - 1);
		while (slots[j] != 0 &&
		       problems_key_cmp(&failures->rows[g->first[slots[j] - 1]], r) != 0)
			j = (j + 1) & (nslots - 1);
		if (slots[j] == 0) {
			g->first[g->n] = i;
			slots[j] = ++g->n;
		}
		g->group[i] = slots[j] - 1;
		g->count[g->group[i]]++;
		g->failed[g->group[i]] += r->failed_sessions;
	}
	free(slots);
	/* each group's rows together, in the rows' order */
	g->start = xcalloc(g->n + 1, sizeof(*g->start));
	g->members = xcalloc(failures->n + 1, sizeof(*g->members));
	for (i = 1; i <= g->n; i++)
		g->start[i] = g->start[i - 1] + g->count[i - 1];
	for (i = 0; i < g->n; i++)
		g->count[i] = 0;
	for (i = 0; i < failures->n; i++) {
		size_t k = g->group[i];

		g->members[g->start[k] + g->count[k]++] = i;
	}
}

static void problems_groups_free(struct problems_groups *g)
{
	free(g->group);
	free(g->first);
	free(g->count);
	free(g->start);
	free(g->members);
	free(g->failed);
}

/* The order of the table: most failed first, then by key. */
struct problems_order_ctx {
	const struct query_rows *failures;
	const struct problems_groups *g;
};

static int problems_group_cmp(const void *x, const void *y, void *arg)
{
	const struct problems_order_ctx *c = arg;
	size_t a = *(const size_t *)x, b = *(const size_t *)y;

	if (c->g->failed[a] != c->g->failed[b])
		return c->g->failed[a] > c->g->failed[b] ? -1 : 1;
	return problems_key_cmp(&c->failures->rows[c->g->first[a]],
	                        &c->failures->rows[c->g->first[b]]);
}

/* A group's rows: the most failed reporter first, then by name, then in
 * the rows' order (as the stable sort of every row did). */
static int problems_member_cmp(const void *x, const void *y, void *arg)
{
	const struct query_rows *failures = arg;
	size_t ia = *(const size_t *)x, ib = *(const size_t *)y;
	const struct query_row *a = &failures->rows[ia], *b = &failures->rows[ib];
	int c;

	if (a->failed_sessions != b->failed_sessions)
		return a->failed_sessions > b->failed_sessions ? -1 : 1;
	c = problems_str_cmp(a->organization, b->organization);
	if (c != 0)
		return c;
	return ia < ib ? -1 : ia > ib;
}

/* Problem e from the group's rows idx[0..n), sorted as named. */
static void problems_fill(const struct query_rows *failures, const size_t *idx, size_t n,
                          struct strbuf *sb, struct problem *e)
{
	const struct query_row *head = &failures->rows[idx[0]];
	size_t k;

	e->row.policy_domain = head->policy_domain ? xstrdup(head->policy_domain) : NULL;
	e->row.mx_host = head->mx_host ? xstrdup(head->mx_host) : NULL;
	e->row.result_type = head->result_type ? xstrdup(head->result_type) : NULL;
	strbuf_reset(sb);
	for (k = 0; k < n; k++) {
		const struct query_row *r = &failures->rows[idx[k]];

		e->row.failed_sessions += r->failed_sessions;
		e->row.reports++; /* here: the reporters that saw it */
		/* past the buffer's cap the list stays as it is */
		if (k < LIMIT_ALERT_REPORTERS &&
		    (strbuf_puts(sb, k > 0 ? ", " : "") < 0 ||
		     strbuf_puts(sb, r->organization ? r->organization : "") < 0))
			continue;
	}
	if (n > LIMIT_ALERT_REPORTERS &&
	    strbuf_printf(sb, " and %zu more", n - LIMIT_ALERT_REPORTERS) < 0)
		strbuf_reset(sb);
	e->reporters = xstrdup(strbuf_str(sb));
}

void summary_problems_top(const struct query_rows *failures, size_t limit, struct query_rows *out,
                          char ***reporters)
{
	struct problems_groups g;
	struct problems_order_ctx ctx = {failures, &g};
	struct strbuf sb;
	size_t *order, i, n;

	memset(&g, 0, sizeof(g));
	problems_group(failures, &g);
	order = xcalloc(g.n + 1, sizeof(*order));
	for (i = 0; i < g.n; i++)
		order[i] = i;
	qsort_r(order, g.n, sizeof(*order), problems_group_cmp, &ctx);
	n = g.n < limit ? g.n : limit;
	out->rows = xcalloc(n ? n : 1, sizeof(*out->rows));
	out->n = n;
	*reporters = xcalloc(n ? n : 1, sizeof(**reporters));
	strbuf_init(&sb, 64 * (LIMIT_ALERT_REPORTERS + 1) + LIMIT_STRING_BYTES);
	for (i = 0; i < n; i++) {
		size_t *idx = g.members + g.start[order[i]], cnt = g.count[order[i]];
		struct problem e;

		memset(&e, 0, sizeof(e));
		/* only the rows of the problems shown are sorted */
		qsort_r(idx, cnt, sizeof(*idx), problems_member_cmp, (void *)failures);
		problems_fill(failures, idx, cnt, &sb, &e);
		out->rows[i] = e.row;
		(*reporters)[i] = e.reporters;
	}
	strbuf_free(&sb);
	free(order);
	problems_groups_free(&g);
}

void summary_problems_failed(const struct query_rows *problems, const struct query_rows *failures,
                             int64_t *failed)
{
	size_t nslots = 16, i, j, *slots;

	while (nslots < 2 * problems->n + 2)
		nslots *= 2;
	slots = xcalloc(nslots, sizeof(*slots)); /* problem + 1; 0 = empty */
	for (i = 0; i < problems->n; i++) {
		failed[i] = 0;
		j = (size_t)problems_hash(&problems->rows[i]) & (nslots - 1);
		while (slots[j] != 0)
			j = (j + 1) & (nslots - 1);
		slots[j] = i + 1;
	}
	for (i = 0; i < failures->n; i++) {
		const struct query_row *r = &failures->rows[i];

		j = (size_t)problems_hash(r) & (nslots - 1);
		while (slots[j] != 0 && problems_key_cmp(&problems->rows[slots[j] - 1], r) != 0)
			j = (j + 1) & (nslots - 1);
		if (slots[j] != 0)
			failed[slots[j] - 1] += r->failed_sessions;
	}
	free(slots);
}
