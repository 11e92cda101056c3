/*
 * tally.c - count-once figures for one validated report (trusted input:
 * already bounded by the parser's limits). Sort-and-merge keeps it
 * O(n log n) in the number of policies and failure details.
 */
#include "tally.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "limits.h"
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

/* [counting] sts_tlsa_same / sts_tlsa_disjoint: set once at start-up
 * (tally_set_overrides), read-only afterwards. */
struct tally_override {
	char org[LIMIT_TALLY_OVERRIDE_BYTES + 1];
	int same;
};
static struct tally_override tally_overrides[LIMIT_TALLY_OVERRIDES];
static size_t tally_n_overrides;

/* Adds the comma-separated names of list with the given decision. */
static int tally_add_overrides(const char *list, int same, char *err, size_t errlen)
{
	const char *p = list, *end;
	size_t len, i;

	while (list != NULL && *p != '\0') {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '\0')
			break;
		for (end = p; *end != '\0' && *end != ','; end++)
			;
		len = (size_t)(end - p);
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len > LIMIT_TALLY_OVERRIDE_BYTES) {
			snprintf(err, errlen, "[counting] organization name longer than %d bytes",
			         LIMIT_TALLY_OVERRIDE_BYTES);
			return -1;
		}
		for (i = 0; i < tally_n_overrides; i++)
			if (strlen(tally_overrides[i].org) == len &&
			    memcmp(tally_overrides[i].org, p, len) == 0) {
				snprintf(err, errlen,
				         "[counting] '%.*s' is in both sts_tlsa_same and "
				         "sts_tlsa_disjoint",
				         (int)len, p);
				return -1;
			}
		if (tally_n_overrides == LIMIT_TALLY_OVERRIDES) {
			snprintf(err, errlen, "[counting] more than %d organizations",
			         LIMIT_TALLY_OVERRIDES);
			return -1;
		}
		memcpy(tally_overrides[tally_n_overrides].org, p, len);
		tally_overrides[tally_n_overrides].org[len] = '\0';
		tally_overrides[tally_n_overrides].same = same;
		tally_n_overrides++;
		p = end;
	}
	return 0;
}

int tally_set_overrides(const char *same, const char *disjoint, char *err, size_t errlen)
{
	tally_n_overrides = 0;
	if (tally_add_overrides(same, 1, err, errlen) < 0 ||
	    tally_add_overrides(disjoint, 0, err, errlen) < 0) {
		tally_n_overrides = 0;
		return -1;
	}
	return 0;
}

int tally_sts_tlsa_same(const struct report *r, int64_t sts_ok, int64_t sts_fail, int64_t tlsa_ok,
                        int64_t tlsa_fail)
{
	size_t i;

	/* the operator knows the reporter best */
	for (i = 0; i < tally_n_overrides; i++)
		if (strcmp(tally_overrides[i].org, r->organization_name) == 0)
			return tally_overrides[i].same;
	/* Postfix counts each session under the one policy it applied, and
	 * collectd adds one datagram per session: disjoint by construction */
	if (report_sys4_domain(r->report_id) != NULL)
		return 0;
	/* Microsoft lists every session under both, with identical counts */
	if (strcmp(r->organization_name, "Microsoft Corporation") == 0)
		return 1;
	return sts_ok == tlsa_ok && sts_fail == tlsa_fail;
}

static int64_t tally_combine(int same, int64_t sts, int64_t tlsa)
{
	if (same)
		return sts > tlsa ? sts : tlsa;
	return sts + tlsa;
}

/* Merges a sorted run of items with one key: sum per class, then sts and
 * tlsa combined as decided for the domain (same: the larger, else the sum),
 * plus every other class, separately for successes and failures. */
static void tally_merge(const struct tally_item *items, size_t n, int same, int64_t *ok,
                        int64_t *fail)
{
	int64_t sum_ok[3] = {0, 0, 0}, sum_fail[3] = {0, 0, 0};
	size_t i;

	for (i = 0; i < n; i++) {
		sum_ok[items[i].cls] += items[i].ok;
		sum_fail[items[i].cls] += items[i].fail;
	}
	*ok = tally_combine(same, sum_ok[CLASS_STS], sum_ok[CLASS_TLSA]) + sum_ok[CLASS_OTHER];
	*fail =
	    tally_combine(same, sum_fail[CLASS_STS], sum_fail[CLASS_TLSA]) + sum_fail[CLASS_OTHER];
}

/* 1 when MX host pattern pat (an mx-host entry: "mx.example.net" or
 * "*.example.net", RFC 8461 section 4.1) names host. */
static int tally_mx_matches(const char *pat, const char *host)
{
	const char *dot;

	if (strcasecmp(pat, host) == 0)
		return 1;
	if (pat[0] != '*' || pat[1] != '.' || (dot = strchr(host, '.')) == NULL || dot == host)
		return 0;
	return strcasecmp(pat + 1, dot) == 0;
}

const char *tally_policy_domain(const struct report *r, size_t i)
{
	const struct report_policy *p = &r->policies[i], *q;
	const char *dom = p->policy_domain, *found = NULL;
	size_t j, k;

	if (dom == NULL)
		return "";
	if (strcmp(p->policy_type, "tlsa") != 0 || r->n_policies > LIMIT_TALLY_MX_POLICIES)
		return dom;
	for (j = 0; j < r->n_policies; j++) {
		q = &r->policies[j];
		if (q->policy_domain == NULL || strcmp(q->policy_type, "tlsa") == 0)
			continue;
		if (strcasecmp(q->policy_domain, dom) == 0)
			return dom; /* a policy domain itself (an apex MX) */
		for (k = 0; k < q->n_mx_hosts; k++) {
			if (!tally_mx_matches(q->mx_hosts[k], dom))
				continue;
			if (found != NULL && strcmp(found, q->policy_domain) != 0)
				return dom; /* the MX of several: ambiguous, by MX */
			found = q->policy_domain;
		}
	}
	if (found == NULL && (found = report_sys4_domain(r->report_id)) != NULL &&
	    (found[0] == '\0' || strcasecmp(found, dom) == 0))
		found = NULL;
	return found != NULL ? found : dom;
}

/* The domain's own decision, as tally_domains made it (domains are sorted). */
static int tally_domain_same(const struct tally *t, const char *domain)
{
	size_t lo = 0, hi = t->n_domains;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(t->domains[mid].policy_domain, domain);

		if (c == 0)
			return t->domains[mid].sts_tlsa_same;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* A domain's run of policy summaries: which way its sts and tlsa go. */
static int tally_run_same(const struct report *r, const struct tally_item *items, size_t n)
{
	int64_t ok[3] = {0, 0, 0}, fail[3] = {0, 0, 0};
	size_t i;

	for (i = 0; i < n; i++) {
		ok[items[i].cls] += items[i].ok;
		fail[items[i].cls] += items[i].fail;
	}
	return tally_sts_tlsa_same(r, ok[CLASS_STS], fail[CLASS_STS], ok[CLASS_TLSA],
	                           fail[CLASS_TLSA]);
}

/* One item per policy, its summary counts keyed by the domain it counts
 * under (rule 5); with by_type, keyed by the domain as sent and its policy
 * type in the rtype slot (per-type views are plain sums, by the names the
 * reporter used). Sorted by key; the caller frees. */
static struct tally_item *tally_policy_items(const struct report *r, int by_type)
{
	struct tally_item *items = xcalloc(r->n_policies ? r->n_policies : 1, sizeof(*items));
	size_t i;

	for (i = 0; i < r->n_policies; i++) {
		const struct report_policy *p = &r->policies[i];

		if (by_type)
			items[i].domain = p->policy_domain != NULL ? p->policy_domain : "";
		else
			items[i].domain = tally_policy_domain(r, i);
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
		d->sts_tlsa_same = tally_run_same(r, items + i, j - i);
		tally_merge(items + i, j - i, d->sts_tlsa_same, &d->successful_sessions,
		            &d->failed_sessions);
		t->successful_sessions += d->successful_sessions;
		t->failed_sessions += d->failed_sessions;
	}
	free(items);
}

/* The failure details as items, sorted: keyed by (domain, MX, result
 * type), or by (domain, MX) when by_mx. Caller frees. */
static struct tally_item *tally_detail_items(const struct report *r, int by_mx, size_t *n_out)
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

			items[k].domain = tally_policy_domain(r, i);
			items[k].mx =
			    f->receiving_mx_hostname != NULL ? f->receiving_mx_hostname : "";
			items[k].rtype = by_mx ? "" : f->result_type;
			items[k].cls = tally_class_of(p->policy_type);
			items[k].fail = f->failed_sessions;
		}
	}
	qsort(items, n, sizeof(*items), tally_item_cmp);
	*n_out = n;
	return items;
}

/* The failure breakdown: per (domain, MX, result type), or per (domain,
 * MX) with result type "" when by_mx. A reporter may list the same
 * sessions under sts and tlsa with different result types (sts
 * certificate-expired, tlsa tlsa-invalid), so by MX takes the rule of
 * tally_merge over all of the MX's details, not the sum over result
 * types; sts and tlsa combine as t's domain decided (tally_domain_same).
 * Groups without failed sessions are left out. */
static void tally_details(const struct report *r, const struct tally *t, int by_mx,
                          struct tally_failure **out, size_t *n_out)
{
	size_t i, j, n;
	struct tally_item *items = tally_detail_items(r, by_mx, &n);

	*out = xcalloc(n ? n : 1, sizeof(**out));
	*n_out = 0;
	for (i = 0; i < n; i = j) {
		struct tally_failure *f = &(*out)[*n_out];
		int64_t ok;

		for (j = i + 1; j < n && tally_same_key(&items[i], &items[j]); j++)
			;
		f->policy_domain = items[i].domain;
		f->mx_host = items[i].mx;
		f->result_type = items[i].rtype;
		tally_merge(items + i, j - i, tally_domain_same(t, f->policy_domain), &ok,
		            &f->failed_sessions);
		if (f->failed_sessions > 0)
			(*n_out)++;
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
	tally_details(r, t, 0, &t->failures, &t->n_failures);
	tally_details(r, t, 1, &t->mxs, &t->n_mxs);
	tally_types(r, t);
}

void tally_free(struct tally *t)
{
	free(t->domains);
	free(t->failures);
	free(t->mxs);
	free(t->types);
	memset(t, 0, sizeof(*t));
}
