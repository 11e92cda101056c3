/*
 * tally.c - count-once figures for one validated report (trusted input:
 * already bounded by the parser's limits). Sort-and-merge keeps it
 * O(n log n) in the number of policies and failure details.
 */
#include "tally.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

enum tally_class { CLASS_STS, CLASS_TLSA, CLASS_OTHER };

/* One contribution to a key: a policy's summary, or one failure detail. */
struct tally_item {
	const char *domain;
	const char *mx;
	const char *rtype;
	enum tally_class cls;
	int64_t ok;
	int64_t fail;
};

static enum tally_class tally_class_of(const char *policy_type)
{
	if (strcmp(policy_type, "sts") == 0)
		return CLASS_STS;
	if (strcmp(policy_type, "tlsa") == 0)
		return CLASS_TLSA;
	return CLASS_OTHER;
}

static int tally_item_cmp(const void *a, const void *b)
{
	const struct tally_item *x = a, *y = b;
	int c = strcmp(x->domain, y->domain);

	if (c == 0)
		c = strcmp(x->mx, y->mx);
	if (c == 0)
		c = strcmp(x->rtype, y->rtype);
	return c;
}

static int tally_same_key(const struct tally_item *x, const struct tally_item *y)
{
	return strcmp(x->domain, y->domain) == 0 && strcmp(x->mx, y->mx) == 0 &&
	       strcmp(x->rtype, y->rtype) == 0;
}

/* Merges a sorted run of items with one key: sum per class, then
 * max(sts, tlsa) + other, separately for successes and failures. */
static void tally_merge(const struct tally_item *items, size_t n, int64_t *ok, int64_t *fail)
{
	int64_t sum_ok[3] = {0, 0, 0}, sum_fail[3] = {0, 0, 0};
	size_t i;

	for (i = 0; i < n; i++) {
		sum_ok[items[i].cls] += items[i].ok;
		sum_fail[items[i].cls] += items[i].fail;
	}
	*ok = (sum_ok[CLASS_STS] > sum_ok[CLASS_TLSA] ? sum_ok[CLASS_STS] : sum_ok[CLASS_TLSA]) +
	      sum_ok[CLASS_OTHER];
	*fail = (sum_fail[CLASS_STS] > sum_fail[CLASS_TLSA] ? sum_fail[CLASS_STS]
	                                                    : sum_fail[CLASS_TLSA]) +
	        sum_fail[CLASS_OTHER];
}

/* One item per policy, its summary counts keyed by its domain; with
 * by_type its policy type stands in the rtype slot (per-type views are
 * plain sums). Sorted by key; the caller frees. */
static struct tally_item *tally_policy_items(const struct report *r, int by_type)
{
	struct tally_item *items = xcalloc(r->n_policies ? r->n_policies : 1, sizeof(*items));
	size_t i;

	for (i = 0; i < r->n_policies; i++) {
		const struct report_policy *p = &r->policies[i];

		items[i].domain = p->policy_domain != NULL ? p->policy_domain : "";
		items[i].mx = "";
		items[i].rtype = by_type ? p->policy_type : "";
		items[i].cls = tally_class_of(p->policy_type);
		items[i].ok = p->successful_sessions;
		items[i].fail = p->failed_sessions;
	}
	qsort(items, r->n_policies, sizeof(*items), tally_item_cmp);
	return items;
}

static void tally_domains(const struct report *r, struct tally *t)
{
	struct tally_item *items = tally_policy_items(r, 0);
	size_t i, j, n = r->n_policies;

	t->domains = xcalloc(n ? n : 1, sizeof(*t->domains));
	for (i = 0; i < n; i = j) {
		struct tally_domain *d = &t->domains[t->n_domains++];

		for (j = i + 1; j < n && tally_same_key(&items[i], &items[j]); j++)
			;
		d->policy_domain = items[i].domain;
		tally_merge(items + i, j - i, &d->successful_sessions, &d->failed_sessions);
		t->successful_sessions += d->successful_sessions;
		t->failed_sessions += d->failed_sessions;
	}
	free(items);
}

static void tally_failures(const struct report *r, struct tally *t)
{
	struct tally_item *items;
	size_t i, j, k, n = 0;

	for (i = 0; i < r->n_policies; i++)
		n += r->policies[i].n_failures;
	items = xcalloc(n ? n : 1, sizeof(*items));
	for (i = 0, k = 0; i < r->n_policies; i++) {
		const struct report_policy *p = &r->policies[i];

		for (j = 0; j < p->n_failures; j++, k++) {
			const struct report_failure *f = &p->failures[j];

			items[k].domain = p->policy_domain != NULL ? p->policy_domain : "";
			items[k].mx =
			    f->receiving_mx_hostname != NULL ? f->receiving_mx_hostname : "";
			items[k].rtype = f->result_type;
			items[k].cls = tally_class_of(p->policy_type);
			items[k].fail = f->failed_sessions;
		}
	}
	qsort(items, n, sizeof(*items), tally_item_cmp);
	t->failures = xcalloc(n ? n : 1, sizeof(*t->failures));
	for (i = 0; i < n; i = j) {
		struct tally_failure *f = &t->failures[t->n_failures];
		int64_t ok;

		for (j = i + 1; j < n && tally_same_key(&items[i], &items[j]); j++)
			;
		f->policy_domain = items[i].domain;
		f->mx_host = items[i].mx;
		f->result_type = items[i].rtype;
		tally_merge(items + i, j - i, &ok, &f->failed_sessions);
		if (f->failed_sessions > 0)
			t->n_failures++;
	}
	free(items);
}

static void tally_types(const struct report *r, struct tally *t)
{
	struct tally_item *items = tally_policy_items(r, 1);
	size_t i, j, n = r->n_policies;

	t->types = xcalloc(n ? n : 1, sizeof(*t->types));
	for (i = 0; i < n; i = j) {
		struct tally_type *ty = &t->types[t->n_types++];

		ty->policy_domain = items[i].domain;
		ty->policy_type = items[i].rtype;
		for (j = i; j < n && tally_same_key(&items[i], &items[j]); j++) {
			ty->policies++;
			ty->successful_sessions += items[j].ok;
			ty->failed_sessions += items[j].fail;
		}
	}
	free(items);
}

void tally_report(const struct report *r, struct tally *t)
{
	memset(t, 0, sizeof(*t));
	tally_domains(r, t);
	tally_failures(r, t);
	tally_types(r, t);
}

void tally_free(struct tally *t)
{
	free(t->domains);
	free(t->failures);
	free(t->types);
	memset(t, 0, sizeof(*t));
}
