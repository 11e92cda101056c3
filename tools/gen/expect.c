/*
 * expect.c - the figures "tlswatch summary --format json" must show
 * for the generated reports (--expect FILE), computed from the generator's
 * in-memory model with the count-once rules of docs/counting.md, written
 * here from the rules, not from core/tally.c.
 *
 * Input is trusted: the model. Every report is added once (re-sends are
 * never added), and only when its UTC day is in [since, until).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"

/* Call after the model (domains, MX hosts, result types) is complete. */
void expect_init(struct gen_expect *e, const struct gen *g)
{
	size_t days = (size_t)(e->until - e->since);

	e->by_dom = gen_xcalloc((size_t)g->n_dom + 1, sizeof(*e->by_dom));
	e->by_org = gen_xcalloc((size_t)g->n_snd, sizeof(*e->by_org));
	e->by_mx = gen_xcalloc(g->mx.n + 1, sizeof(*e->by_mx));
	e->by_rt = gen_xcalloc(g->rt.n, sizeof(*e->by_rt));
	e->day_ok = gen_xcalloc(days, sizeof(*e->day_ok));
	e->day_fail = gen_xcalloc(days, sizeof(*e->day_fail));
	e->cap_top = 1024;
	e->top = gen_xcalloc(e->cap_top, sizeof(*e->top));
}

static int exp_class(int policy_type)
{
	return policy_type == P_STS ? 0 : policy_type == P_TLSA ? 1 : 2;
}

/* sts and tlsa describe the same sessions: the larger; other types add. */
static int64_t exp_once(const int64_t sum[3])
{
	return (sum[0] > sum[1] ? sum[0] : sum[1]) + sum[2];
}

/* organisation + 1 (8 bits), domain + 1 (20), MX + 1 (22), result type
 * (14); gen.c keeps every id within these widths. */
static uint64_t exp_top_key(int org, int dom, int mx, int rt)
{
	return ((uint64_t)(org + 1) << 56) | ((uint64_t)(dom + 1) << 36) |
	       ((uint64_t)(mx + 1) << 14) | (uint64_t)rt;
}

static void exp_top_add(struct gen_expect *e, uint64_t key, int64_t fail)
{
	size_t i, j;

	if ((e->n_top + 1) * 2 > e->cap_top) {
		struct exp_slot *old = e->top;
		size_t old_cap = e->cap_top;

		e->cap_top *= 2;
		e->top = gen_xcalloc(e->cap_top, sizeof(*e->top));
		for (i = 0; i < old_cap; i++) {
			if (old[i].key == 0)
				continue;
			for (j = mix64(old[i].key) & (e->cap_top - 1); e->top[j].key != 0;
			     j = (j + 1) & (e->cap_top - 1))
				;
			e->top[j] = old[i];
		}
		free(old);
	}
	for (j = mix64(key) & (e->cap_top - 1); e->top[j].key != 0 && e->top[j].key != key;
	     j = (j + 1) & (e->cap_top - 1))
		;
	if (e->top[j].key == 0) {
		e->top[j].key = key;
		e->n_top++;
	}
	e->top[j].fail += fail;
}

static int exp_item_cmp(const void *a, const void *b)
{
	const struct exp_item *x = a, *y = b;

	if (x->dom != y->dom)
		return x->dom < y->dom ? -1 : 1;
	if (x->mx != y->mx)
		return x->mx < y->mx ? -1 : 1;
	return x->rt < y->rt ? -1 : x->rt > y->rt;
}

static int exp_selected(const struct gen_expect *e, int dom)
{
	return e->dom_sel == NULL || (dom >= 0 && e->dom_sel[dom]);
}

/* Adds one (distinct) report to the figures. */
void expect_add(struct gen_expect *e, const struct gen *g, const struct gen_report *r)
{
	int doms[GEN_MAX_POLICIES], nd = 0, i, j, k;
	size_t n = 0, a, b;
	int64_t ok[3], fail[3], o, f;

	if (e->path == NULL || r->day < e->since || r->day >= e->until)
		return;
	if (e->org_name != NULL && r->sender != e->org)
		return;
	for (i = 0; i < r->npol; i++) {
		if (!exp_selected(e, r->pol[i].dom))
			continue;
		for (j = 0; j < nd && doms[j] != r->pol[i].dom; j++)
			;
		if (j == nd)
			doms[nd++] = r->pol[i].dom;
	}
	if (nd == 0)
		return; /* no policy domain asked for */

	/* per domain: summaries, count-once */
	for (j = 0; j < nd; j++) {
		struct exp_counts *c = &e->by_dom[doms[j] < 0 ? g->n_dom : doms[j]];

		memset(ok, 0, sizeof(ok));
		memset(fail, 0, sizeof(fail));
		for (i = 0; i < r->npol; i++) {
			if (r->pol[i].dom != doms[j])
				continue;
			ok[exp_class(r->pol[i].type)] += r->pol[i].ok;
			fail[exp_class(r->pol[i].type)] += r->pol[i].fail;
		}
		o = exp_once(ok);
		f = exp_once(fail);
		c->reports++;
		c->ok += o;
		c->fail += f;
		e->total.ok += o;
		e->total.fail += f;
		e->by_org[r->sender].ok += o;
		e->by_org[r->sender].fail += f;
		e->day_ok[r->day - e->since] += o;
		e->day_fail[r->day - e->since] += f;
	}
	e->total.reports++;
	e->by_org[r->sender].reports++;

	/* failure breakdown: details, count-once per (domain, MX, type) */
	for (i = 0; i < r->npol; i++) {
		const struct gen_policy *p = &r->pol[i];

		if (!exp_selected(e, p->dom))
			continue;
		for (a = 0; a < p->n; a++) {
			if (n == e->cap_items) {
				e->items = gen_xgrow(e->items, n * sizeof(*e->items),
				                     (n ? n * 2 : 64) * sizeof(*e->items));
				e->cap_items = n ? n * 2 : 64;
			}
			e->items[n].dom = p->dom;
			e->items[n].mx = p->d[a].mx;
			e->items[n].rt = p->d[a].rt;
			e->items[n].cls = exp_class(p->type);
			e->items[n].count = p->d[a].count;
			n++;
		}
	}
	if (n > 1)
		qsort(e->items, n, sizeof(*e->items), exp_item_cmp);
	for (a = 0; a < n; a = b) {
		const struct exp_item *x = &e->items[a];

		memset(fail, 0, sizeof(fail));
		for (b = a; b < n && exp_item_cmp(x, &e->items[b]) == 0; b++)
			fail[e->items[b].cls] += e->items[b].count;
		f = exp_once(fail);
		if (f == 0)
			continue;
		k = x->mx < 0 ? (int)g->mx.n : x->mx;
		e->by_mx[k] += f;
		e->by_rt[x->rt] += f;
		exp_top_add(e, exp_top_key(r->sender, x->dom, x->mx, x->rt), f);
	}
}

/* --- output: keys in the contract's order, laid out as "jq ." prints */

struct exp_row {
	const char *name[4]; /* NULL = JSON null */
	int64_t reports, ok, fail;
};

/* bytewise, null last */
static int exp_name_cmp(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a == NULL) - (b == NULL);
	return strcmp(a, b);
}

static int exp_cmp_i64_desc(int64_t a, int64_t b)
{
	return a > b ? -1 : a < b;
}

/* by_domain, by_organization: failed desc, successful desc, name asc */
static int exp_row_cmp_sessions(const void *a, const void *b)
{
	const struct exp_row *x = a, *y = b;
	int c = exp_cmp_i64_desc(x->fail, y->fail);

	if (c == 0)
		c = exp_cmp_i64_desc(x->ok, y->ok);
	return c != 0 ? c : exp_name_cmp(x->name[0], y->name[0]);
}

/* by_mx, by_result_type, top_failures: failed desc, then names asc */
static int exp_row_cmp_failed(const void *a, const void *b)
{
	const struct exp_row *x = a, *y = b;
	int c = exp_cmp_i64_desc(x->fail, y->fail), i;

	for (i = 0; c == 0 && i < 4; i++)
		c = exp_name_cmp(x->name[i], y->name[i]);
	return c;
}

static void exp_json_name(struct buf *b, const char *indent, const char *key, const char *v)
{
	buf_str(b, indent);
	buf_ch(b, '"');
	buf_str(b, key);
	buf_str(b, "\": ");
	if (v == NULL)
		buf_str(b, "null");
	else
		buf_json_str(b, v);
}

static void exp_json_int(struct buf *b, const char *indent, const char *key, int64_t v)
{
	buf_str(b, indent);
	buf_ch(b, '"');
	buf_str(b, key);
	buf_str(b, "\": ");
	buf_i64(b, v);
}

/* Writes one array member; keys[i] names row->name[i] (NULL ends them),
 * then the counts listed in counts ("r", "o", "f"). */
static void exp_json_rows(struct buf *b, const char *array, const struct exp_row *rows, size_t n,
                          const char *const *keys, const char *counts, int last)
{
	size_t i;
	int k;
	const char *c;

	buf_str(b, "  \"");
	buf_str(b, array);
	buf_str(b, n == 0 ? "\": []" : "\": [\n");
	for (i = 0; i < n; i++) {
		buf_str(b, "    {\n");
		for (k = 0; k < 4 && keys[k] != NULL; k++) {
			exp_json_name(b, "      ", keys[k], rows[i].name[k]);
			buf_str(b, ",\n");
		}
		for (c = counts; *c != '\0'; c++) {
			if (*c == 'r')
				exp_json_int(b, "      ", "reports", rows[i].reports);
			else if (*c == 'o')
				exp_json_int(b, "      ", "successful_sessions", rows[i].ok);
			else
				exp_json_int(b, "      ", "failed_sessions", rows[i].fail);
			buf_str(b, c[1] != '\0' ? ",\n" : "\n");
		}
		buf_str(b, i + 1 < n ? "    },\n" : "    }\n  ]");
	}
	buf_str(b, last ? "\n" : ",\n");
}

/* Top failures shown: the first 20, as the summary shows them. */
#define EXP_TOP_FAILURES 20

void expect_write(struct gen_expect *e, const struct gen *g)
{
	static const char *const k_dom[] = {"policy_domain", NULL};
	static const char *const k_org[] = {"organization", NULL};
	static const char *const k_mx[] = {"mx_host", NULL};
	static const char *const k_rt[] = {"result_type", NULL};
	static const char *const k_day[] = {"day", NULL};
	static const char *const k_top[] = {"organization", "policy_domain", "mx_host",
	                                    "result_type"};
	size_t nrows = (size_t)g->n_dom + g->mx.n + g->rt.n + e->n_top + (size_t)g->n_snd + 2;
	struct exp_row *rows;
	struct buf b = {NULL, 0, 0}, days = {NULL, 0, 0};
	size_t n, i;
	int64_t d;

	if ((size_t)(e->until - e->since) > nrows)
		nrows = (size_t)(e->until - e->since);
	rows = gen_xcalloc(nrows, sizeof(*rows));
	buf_str(&b, "{\n  \"period\": {\n    \"since\": \"");
	buf_date(&b, e->since);
	buf_str(&b, "\",\n    \"until\": \"");
	buf_date(&b, e->until);
	buf_str(&b, "\"\n  },\n  \"totals\": {\n");
	exp_json_int(&b, "    ", "reports", e->total.reports);
	buf_str(&b, ",\n");
	exp_json_int(&b, "    ", "successful_sessions", e->total.ok);
	buf_str(&b, ",\n");
	exp_json_int(&b, "    ", "failed_sessions", e->total.fail);
	buf_str(&b, "\n  },\n");

	for (i = 0, n = 0; i <= (size_t)g->n_dom; i++) {
		if (e->by_dom[i].reports == 0)
			continue;
		rows[n].name[0] = i < (size_t)g->n_dom ? g->dom[i].name : NULL;
		rows[n].reports = e->by_dom[i].reports;
		rows[n].ok = e->by_dom[i].ok;
		rows[n++].fail = e->by_dom[i].fail;
	}
	qsort(rows, n, sizeof(*rows), exp_row_cmp_sessions);
	exp_json_rows(&b, "by_domain", rows, n, k_dom, "rof", 0);

	for (i = 0, n = 0; i < (size_t)g->n_snd; i++) {
		if (e->by_org[i].reports == 0)
			continue;
		memset(&rows[n], 0, sizeof(rows[n]));
		rows[n].name[0] = g->snd[i].org;
		rows[n].reports = e->by_org[i].reports;
		rows[n].ok = e->by_org[i].ok;
		rows[n++].fail = e->by_org[i].fail;
	}
	qsort(rows, n, sizeof(*rows), exp_row_cmp_sessions);
	exp_json_rows(&b, "by_organization", rows, n, k_org, "rof", 0);

	for (i = 0, n = 0; i <= g->mx.n; i++) {
		if (e->by_mx[i] == 0)
			continue;
		memset(&rows[n], 0, sizeof(rows[n]));
		rows[n].name[0] = i < g->mx.n ? g->mx.s[i] : NULL;
		rows[n++].fail = e->by_mx[i];
	}
	qsort(rows, n, sizeof(*rows), exp_row_cmp_failed);
	exp_json_rows(&b, "by_mx", rows, n, k_mx, "f", 0);

	for (i = 0, n = 0; i < g->rt.n; i++) {
		if (e->by_rt[i] == 0)
			continue;
		memset(&rows[n], 0, sizeof(rows[n]));
		rows[n].name[0] = g->rt.s[i];
		rows[n++].fail = e->by_rt[i];
	}
	qsort(rows, n, sizeof(*rows), exp_row_cmp_failed);
	exp_json_rows(&b, "by_result_type", rows, n, k_rt, "f", 0);

	for (d = e->since, n = 0; d < e->until; d++, n++) {
		memset(&rows[n], 0, sizeof(rows[n]));
		buf_date(&days, d); /* 10 bytes and a NUL per day */
		buf_ch(&days, '\0');
		rows[n].ok = e->day_ok[d - e->since];
		rows[n].fail = e->day_fail[d - e->since];
	}
	for (i = 0; i < n; i++) /* days.p is final only now */
		rows[i].name[0] = days.p + i * 11;
	exp_json_rows(&b, "by_day", rows, n, k_day, "of", 0);

	for (i = 0, n = 0; i < e->cap_top; i++) {
		uint64_t key = e->top[i].key;

		if (key == 0 || e->top[i].fail == 0)
			continue;
		memset(&rows[n], 0, sizeof(rows[n]));
		rows[n].name[0] = g->snd[(key >> 56) - 1].org;
		rows[n].name[1] =
		    ((key >> 36) & 0xfffff) ? g->dom[((key >> 36) & 0xfffff) - 1].name : NULL;
		rows[n].name[2] =
		    ((key >> 14) & 0x3fffff) ? g->mx.s[((key >> 14) & 0x3fffff) - 1] : NULL;
		rows[n].name[3] = g->rt.s[key & 0x3fff];
		rows[n++].fail = e->top[i].fail;
	}
	qsort(rows, n, sizeof(*rows), exp_row_cmp_failed);
	exp_json_rows(&b, "top_failures", rows, n < EXP_TOP_FAILURES ? n : EXP_TOP_FAILURES, k_top,
	              "f", 1);
	buf_str(&b, "}\n");

	if (strcmp(e->path, "-") == 0) {
		if (fwrite(b.p, 1, b.n, stdout) != b.n || fflush(stdout) != 0)
			gen_die("stdout: write error");
	} else {
		out_write_file(e->path, b.p, b.n);
	}
	free(b.p);
	free(days.p);
	free(rows);
}

void expect_free(struct gen_expect *e)
{
	free(e->by_dom);
	free(e->by_org);
	free(e->by_mx);
	free(e->by_rt);
	free(e->day_ok);
	free(e->day_fail);
	free(e->top);
	free(e->items);
	free(e->dom_sel);
}
