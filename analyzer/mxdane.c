/*
 * mxdane.c - "DANE results at your MX hosts" (mxdane.h): the figures
 * counted under the name of a host that serves a filtered domain, read
 * from the aggregates under that name, beside the domain and never added
 * into it. Input: the store (report and DNS text, untrusted; bounded by
 * LIMIT_MXDANE_HOSTS and the limits of the reads it makes).
 */
#include "mxdane.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mtasts.h"
#include "published.h"
#include "store_check.h"
#include "text.h"
#include "xalloc.h"

/* The mx-host lists are read from the period's last this many days: the
 * read costs every report of those days (no index by domain), and every
 * reporter applying a domain's policy lists its MX hosts in each daily
 * report, so a week names them all; an MX dropped before that week is
 * still known from DNS only if the check saw it. */
#define MXDANE_SEEN_DAYS 7
/* The check results read back for one domain, newest last: enough to find
 * the newest before a period's end after weeks of daily runs since. */
#define MXDANE_CHECKS 64

/* The hosts and patterns one domain's MX lists name. */
struct mxdane_cands {
	char host[LIMIT_MXDANE_HOSTS][LIMIT_CHECK_NAME_BYTES];
	int from[LIMIT_MXDANE_HOSTS];
	size_t n, more;
	int from_now; /* MXDANE_FROM_* of the lines being added */
};

static void cands_add(struct mxdane_cands *c, const char *host)
{
	size_t i, len = strlen(host);

	if (len == 0 || len >= LIMIT_CHECK_NAME_BYTES)
		return;
	for (i = 0; i < c->n; i++)
		if (strcasecmp(c->host[i], host) == 0 || (host[0] != '*' && c->host[i][0] != '*' &&
		                                          mtasts_mx_matches(c->host[i], host))) {
			c->from[i] |= c->from_now;
			return;
		}
	if (c->n == LIMIT_MXDANE_HOSTS) {
		c->more++;
		return;
	}
	memcpy(c->host[c->n], host, len + 1);
	c->from[c->n++] = c->from_now;
}

static void cands_add_line(const char *line, void *arg)
{
	cands_add(arg, line);
}

static void cands_add_mx_line(const char *line, void *arg)
{
	cands_add(arg, published_mx_line_host(line));
}

/* The MX hosts of domain known from reports of f's period and from DNS. */
static int mxdane_candidates(struct store *st, const struct query_filter *f, const char *domain,
                             struct mxdane_cands *c, char *err, size_t errlen)
{
	struct policy_seen_rows seen = {NULL, 0};
	struct check_results h = {NULL, 0};
	const struct check_result *use = NULL;
	int64_t since = f->since;
	size_t i;
	int rc = -1;

	if (f->until - f->since > MXDANE_SEEN_DAYS)
		since = f->until - MXDANE_SEEN_DAYS;
	if (store_policy_seen(st, domain, since, f->until, &seen, err, errlen) < 0 ||
	    store_check_history(st, domain, MXDANE_CHECKS, &h, err, errlen) < 0)
		goto out;
	c->from_now = MXDANE_FROM_REPORTS;
	for (i = 0; i < seen.n; i++)
		published_for_lines(seen.r[i].mx_hosts, cands_add_line, c);
	/* the MX set as of the period's end, else the nearest after it */
	for (i = 0; i < h.n; i++)
		if (use == NULL || h.r[i].checked_at < f->until * 86400)
			use = &h.r[i];
	c->from_now = MXDANE_FROM_DNS;
	if (use != NULL)
		published_for_lines(use->mx, cands_add_mx_line, c);
	rc = 0;
out:
	store_policy_seen_free(&seen);
	store_check_results_free(&h);
	return rc;
}

/* Adds host (an exact name) for domain with the figures under its name,
 * when it has any and is not there yet. */
static int mxdane_add(struct store *st, const struct query_filter *f, const char *domain,
                      const char *host, int from, struct mxdane_list *out, char *err, size_t errlen)
{
	struct query_filter hf = *f;
	struct query_rows dom = {NULL, 0};
	struct mxdane_host x;
	size_t i;
	int rc = -1;

	if (mtasts_mx_matches(domain, host))
		return 0; /* an apex MX: its figures are the domain's own */
	for (i = 0; i < out->n; i++)
		if (strcmp(out->h[i].domain, domain) == 0 &&
		    mtasts_mx_matches(out->h[i].mx_host, host)) {
			out->h[i].from |= from;
			return 0;
		}
	/* full: not read (each read is two queries), only counted */
	if (out->n == LIMIT_MXDANE_HOSTS) {
		out->more++;
		return 0;
	}
	memset(&x, 0, sizeof(x));
	hf.domains = &host;
	hf.n_domains = 1;
	hf.mx_host = hf.result_type = hf.policy_type = NULL;
	if (query_group(st, &hf, QUERY_BY_DOMAIN, 0, &dom, err, errlen) < 0)
		goto out;
	for (i = 0; i < dom.n; i++) {
		x.reports += dom.rows[i].reports;
		x.successful_sessions += dom.rows[i].successful_sessions;
		x.failed_sessions += dom.rows[i].failed_sessions;
	}
	rc = 0;
	if (x.reports == 0)
		goto out;
	rc = -1;
	if (query_group(st, &hf, QUERY_BY_RESULT_TYPE, 0, &x.by_result_type, err, errlen) < 0)
		goto out;
	snprintf(x.domain, sizeof(x.domain), "%s", domain);
	snprintf(x.mx_host, sizeof(x.mx_host), "%s",
	         dom.n > 0 && dom.rows[0].policy_domain != NULL ? dom.rows[0].policy_domain : host);
	x.from = from;
	out->h = xreallocarray(out->h, out->n + 1, sizeof(*out->h));
	out->h[out->n++] = x;
	rc = 0;
out:
	query_rows_free(&dom);
	return rc;
}

static int mxdane_cmp_host(const void *a, const void *b)
{
	return strcmp(((const struct mxdane_host *)a)->mx_host,
	              ((const struct mxdane_host *)b)->mx_host);
}

/* One filtered domain's hosts, sorted by name. names: the period's names
 * with figures, read once for the first wildcard (NULL until then). */
static int mxdane_domain(struct store *st, const struct query_filter *f, const char *domain,
                         struct query_rows *names, int *names_read, struct mxdane_list *out,
                         char *err, size_t errlen)
{
	struct mxdane_cands *c = xcalloc(1, sizeof(*c));
	struct query_filter nf = *f;
	size_t i, k, first = out->n;
	int rc = -1;

	if (mxdane_candidates(st, f, domain, c, err, errlen) < 0)
		goto out;
	out->more += c->more;
	for (i = 0; i < c->n; i++) {
		if (c->host[i][0] != '*') {
			if (mxdane_add(st, f, domain, c->host[i], c->from[i], out, err, errlen) < 0)
				goto out;
			continue;
		}
		if (!*names_read) {
			nf.domains = NULL;
			nf.n_domains = 0;
			if (query_group(st, &nf, QUERY_BY_DOMAIN, 0, names, err, errlen) < 0)
				goto out;
			*names_read = 1;
		}
		for (k = 0; k < names->n; k++) {
			const char *name = names->rows[k].policy_domain;

			if (name != NULL && mtasts_mx_matches(c->host[i], name) &&
			    mxdane_add(st, f, domain, name, c->from[i], out, err, errlen) < 0)
				goto out;
		}
	}
	if (out->n > first)
		qsort(out->h + first, out->n - first, sizeof(*out->h), mxdane_cmp_host);
	rc = 0;
out:
	free(c);
	return rc;
}

/* A --domain as the reports and checks store it: lower case, without the
 * root dot (the filter compares as domains; the mx-host and check reads
 * below compare exactly). -1 when too long to be a domain. */
static int mxdane_domain_name(const char *in, char *out, size_t outlen)
{
	size_t i, n = strlen(in);

	if (n > 0 && in[n - 1] == '.')
		n--;
	if (n == 0 || n >= outlen)
		return -1;
	for (i = 0; i < n; i++)
		out[i] = (char)((in[i] >= 'A' && in[i] <= 'Z') ? in[i] - 'A' + 'a' : in[i]);
	out[n] = '\0';
	return 0;
}

int mxdane_read(struct store *st, const struct query_filter *f, struct mxdane_list *out, char *err,
                size_t errlen)
{
	struct mxdane_list l = {NULL, 0, 0, 0};
	size_t n_read = 0;
	struct query_rows names = {NULL, 0};
	char dom[LIMIT_CHECK_NAME_BYTES];
	int names_read = 0, rc = -1;
	size_t i, j;

	if (f->n_domains == 0 || !store_check_supported(st)) {
		*out = l;
		return 0;
	}
	for (i = 0; i < f->n_domains; i++) {
		for (j = 0; j < i && !mtasts_mx_matches(f->domains[j], f->domains[i]); j++)
			;
		if (j < i || mxdane_domain_name(f->domains[i], dom, sizeof(dom)) < 0)
			continue;
		if (n_read == LIMIT_MXDANE_DOMAINS) {
			l.domains_more++;
			continue;
		}
		n_read++;
		if (mxdane_domain(st, f, dom, &names, &names_read, &l, err, errlen) < 0)
			goto out;
	}
	/* a host serving several domains is shown under each: say so */
	for (i = 0; i < l.n; i++)
		for (j = 0; j < l.n; j++)
			if (mtasts_mx_matches(l.h[i].mx_host, l.h[j].mx_host))
				l.h[i].n_shown++;
	*out = l;
	memset(&l, 0, sizeof(l));
	rc = 0;
out:
	query_rows_free(&names);
	mxdane_list_free(&l);
	return rc;
}

void mxdane_list_free(struct mxdane_list *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++)
		query_rows_free(&l->h[i].by_result_type);
	free(l->h);
	memset(l, 0, sizeof(*l));
}

const char *mxdane_note(const struct mxdane_host *x, char *buf, size_t len)
{
	char n[32];
	size_t k, used;
	int w;

	w = snprintf(buf, len, "counted under %s; MX known from %s", x->mx_host,
	             x->from == (MXDANE_FROM_REPORTS | MXDANE_FROM_DNS) ? "reports and DNS"
	             : x->from == MXDANE_FROM_DNS                       ? "DNS (tlswatch check)"
	                                                                : "reports");
	used = w > 0 ? (size_t)w : 0;
	if (x->n_shown > 1 && used < len) {
		w = snprintf(buf + used, len - used, "; shown under %zu domains here, counted once",
		             x->n_shown);
		used += w > 0 ? (size_t)w : 0;
	}
	for (k = 0; k < x->by_result_type.n && used < len; k++) {
		w = snprintf(buf + used, len - used, "%s%s %s", k == 0 ? "; failed: " : ", ",
		             x->by_result_type.rows[k].result_type,
		             text_count(x->by_result_type.rows[k].failed_sessions, n, sizeof(n)));
		used += w > 0 ? (size_t)w : 0;
	}
	return buf;
}

void mxdane_render_json(const struct mxdane_list *l, struct jsonw *w)
{
	size_t i, k;

	jsonw_array_begin(w);
	for (i = 0; i < l->n; i++) {
		const struct mxdane_host *x = &l->h[i];

		jsonw_object_begin(w);
		jsonw_key(w, "policy_domain");
		jsonw_string(w, x->domain);
		jsonw_key(w, "mx_host");
		jsonw_string(w, x->mx_host);
		jsonw_key(w, "known_from");
		jsonw_array_begin(w);
		if (x->from & MXDANE_FROM_REPORTS)
			jsonw_string(w, "reports");
		if (x->from & MXDANE_FROM_DNS)
			jsonw_string(w, "dns");
		jsonw_array_end(w);
		jsonw_key(w, "counted_under");
		jsonw_string(w, x->mx_host);
		jsonw_key(w, "in_domain_totals");
		jsonw_bool(w, 0);
		jsonw_key(w, "domains_shown");
		jsonw_int(w, (int64_t)x->n_shown);
		jsonw_key(w, "reports");
		jsonw_int(w, x->reports);
		jsonw_key(w, "successful_sessions");
		jsonw_int(w, x->successful_sessions);
		jsonw_key(w, "failed_sessions");
		jsonw_int(w, x->failed_sessions);
		jsonw_key(w, "by_result_type");
		jsonw_array_begin(w);
		for (k = 0; k < x->by_result_type.n; k++) {
			jsonw_object_begin(w);
			jsonw_key(w, "result_type");
			jsonw_string(w, x->by_result_type.rows[k].result_type);
			jsonw_key(w, "failed_sessions");
			jsonw_int(w, x->by_result_type.rows[k].failed_sessions);
			jsonw_object_end(w);
		}
		jsonw_array_end(w);
		jsonw_object_end(w);
	}
	jsonw_array_end(w);
}
