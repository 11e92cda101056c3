/*
 * published.c - the stored 'tlswatch check' results read against the
 * reports (published.h): ready for enforce, drift, and the alert kinds
 * stale-policy, certificate-expiring and policy-unreachable. Input: the
 * store; its text came from the network and is only compared and copied
 * here (escaped by the renderers).
 */
#include "published.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "datetime.h"
#include "escape.h"
#include "mtasts.h"
#include "parse_int.h"
#include "query.h"
#include "store_check.h"
#include "xalloc.h"

const char *published_kind_name(enum published_kind k)
{
	static const char *const names[] = {
	    [PUBLISHED_READY] = "ready",
	    [PUBLISHED_NOT_READY] = "not-ready",
	    [PUBLISHED_DRIFT] = "drift",
	    [PUBLISHED_STALE_POLICY] = "stale-policy",
	    [PUBLISHED_MX_NOT_IN_DNS] = "mx-not-in-dns",
	    [PUBLISHED_MX_NOT_COVERED] = "mx-not-covered",
	    [PUBLISHED_CERT_EXPIRING] = "certificate-expiring",
	    [PUBLISHED_POLICY_UNREACHABLE] = "policy-unreachable",
	    [PUBLISHED_MORE] = "more",
	};

	return names[k];
}

int published_expiry_warn_days(const struct config *cfg, int *days, char *err, size_t errlen)
{
	const char *v = config_get(cfg, "check", "expiry_warn_days");
	int64_t n = PUBLISHED_EXPIRY_WARN_DEFAULT;

	if (v != NULL && parse_int(v, 0, 3650, &n, err, errlen) < 0)
		return -1;
	*days = (int)n;
	return 0;
}

static void note_add(struct published *p, enum published_kind kind, const char *host,
                     const char *org, int64_t day, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

static void note_add(struct published *p, enum published_kind kind, const char *host,
                     const char *org, int64_t day, const char *fmt, ...)
{
	struct published_note *n;
	va_list ap;

	if (p->n >= LIMIT_PUBLISHED_NOTES)
		return;
	if (p->n == p->alloc) {
		/* most domains have a note or two */
		p->alloc = p->alloc == 0 ? 4 : p->alloc * 2;
		p->note = xrealloc(p->note, p->alloc * sizeof(*p->note));
	}
	n = &p->note[p->n++];
	if (p->n == LIMIT_PUBLISHED_NOTES) {
		/* the last slot says that notes were left out */
		memset(n, 0, sizeof(*n));
		n->kind = PUBLISHED_MORE;
		snprintf(n->text, sizeof(n->text), "more notes left out");
		return;
	}
	memset(n, 0, sizeof(*n));
	n->kind = kind;
	n->alert = kind == PUBLISHED_STALE_POLICY || kind == PUBLISHED_CERT_EXPIRING ||
	           kind == PUBLISHED_POLICY_UNREACHABLE;
	snprintf(n->host, sizeof(n->host), "%s", host != NULL ? host : "");
	snprintf(n->organization, sizeof(n->organization), "%s", org != NULL ? org : "");
	n->day = day;
	va_start(ap, fmt);
	vsnprintf(n->text, sizeof(n->text), fmt, ap);
	va_end(ap);
}

/* A policy text parsed into a new policy; NULL when absent or invalid. */
static struct mtasts_policy *policy_of(const char *text)
{
	struct mtasts_policy *p;
	char err[ERR_LINE_MAX];

	if (text == NULL)
		return NULL;
	p = xcalloc(1, sizeof(*p));
	if (mtasts_parse_policy(text, strlen(text), p, err, sizeof(err)) < 0) {
		free(p);
		return NULL;
	}
	return p;
}

static int policy_covers(const struct mtasts_policy *p, const char *host)
{
	int i;

	for (i = 0; i < p->n_mx; i++)
		if (mtasts_mx_matches(p->mx[i], host))
			return 1;
	return 0;
}

/* Same mode, max_age and set of mx patterns (in any order). */
static int policy_same(const struct mtasts_policy *a, const struct mtasts_policy *b)
{
	int i, j;

	if (a->mode != b->mode || a->max_age != b->max_age || a->n_mx != b->n_mx)
		return 0;
	for (i = 0; i < a->n_mx; i++) {
		for (j = 0; j < b->n_mx && strcasecmp(a->mx[i], b->mx[j]) != 0; j++)
			;
		if (j == b->n_mx)
			return 0;
	}
	return 1;
}

/* How b differs from the published a, for a note. */
static void policy_diff(const struct mtasts_policy *old, const struct mtasts_policy *cur, char *out,
                        size_t outlen)
{
	size_t used = 0;

	out[0] = '\0';
	if (old->mode != cur->mode)
		used += (size_t)snprintf(out + used, outlen - used, "mode %s (published: %s)",
		                         mtasts_mode_name(old->mode), mtasts_mode_name(cur->mode));
	if (used < outlen && old->max_age != cur->max_age)
		used +=
		    (size_t)snprintf(out + used, outlen - used, "%smax_age %ld (published: %ld)",
		                     used > 0 ? ", " : "", old->max_age, cur->max_age);
	if (used < outlen && !(old->mode != cur->mode || old->max_age != cur->max_age))
		snprintf(out + used, outlen - used, "an mx list that is no longer published");
	else if (used < outlen && old->n_mx != cur->n_mx)
		snprintf(out + used, outlen - used, ", another mx list");
}

void published_for_lines(const char *text, void (*fn)(const char *line, void *arg), void *arg)
{
	char line[LIMIT_CHECK_NAME_BYTES + 32];
	const char *p = text, *e;

	for (; p != NULL && *p != '\0'; p = *e != '\0' ? e + 1 : e) {
		e = strchr(p, '\n');
		if (e == NULL)
			e = p + strlen(p);
		if ((size_t)(e - p) >= sizeof(line) || e == p)
			continue;
		memcpy(line, p, (size_t)(e - p));
		line[e - p] = '\0';
		fn(line, arg);
	}
}

const char *published_mx_line_host(const char *line)
{
	const char *sp = strchr(line, ' ');

	return sp != NULL ? sp + 1 : line;
}

struct mx_find {
	const char *host;
	int found;
};

static void mx_find_line(const char *line, void *arg)
{
	struct mx_find *m = arg;

	if (mtasts_mx_matches(published_mx_line_host(line), m->host))
		m->found = 1;
}

static int mx_set_has(const char *mx, const char *host)
{
	struct mx_find m = {host, 0};

	published_for_lines(mx, mx_find_line, &m);
	return m.found;
}

/* --- ready for enforce ------------------------------------------------ */

static int sts_category(const char *result_type)
{
	/* the failures enforce turns into bounces (RFC 8460 section 4.3) */
	return result_type != NULL && (strncmp(result_type, "sts-", 4) == 0 ||
	                               strncmp(result_type, "certificate-", 12) == 0 ||
	                               strcmp(result_type, "starttls-not-supported") == 0 ||
	                               strcmp(result_type, "validation-failure") == 0);
}

struct uncovered {
	const struct mtasts_policy *pol;
	char list[512];
	int n;
};

static void uncovered_add(struct uncovered *u, const char *host)
{
	size_t used = strlen(u->list);

	if (host == NULL || policy_covers(u->pol, host) || strstr(u->list, host) != NULL)
		return;
	u->n++;
	if (used < sizeof(u->list))
		snprintf(u->list + used, sizeof(u->list) - used, "%s%s", used > 0 ? ", " : "",
		         host);
}

static void uncovered_line(const char *line, void *arg)
{
	uncovered_add(arg, published_mx_line_host(line));
}

static int published_readiness(struct store *st, const struct check_result *cur,
                               const struct mtasts_policy *pol, int64_t since, int64_t now,
                               struct published *p, char *err, size_t errlen)
{
	struct query_filter f;
	struct query_rows days = {NULL, 0}, orgs = {NULL, 0}, fail = {NULL, 0};
	struct uncovered u;
	const char *dom = cur->domain;
	char why[768], names[256] = "", day[16];
	int64_t sts_failed = 0;
	size_t i, used = 0, nnames = 0;
	int rc = -1;

	memset(&f, 0, sizeof(f));
	f.since = datetime_day_of(since);
	f.until = datetime_day_of(now) + 1;
	f.domains = &dom;
	f.n_domains = 1;
	if (query_group(st, &f, QUERY_BY_DAY, 0, &days, err, errlen) < 0 ||
	    query_group(st, &f, QUERY_BY_ORGANIZATION, 0, &orgs, err, errlen) < 0 ||
	    query_group(st, &f, QUERY_BY_FAILURE, 0, &fail, err, errlen) < 0)
		goto out;
	memset(&u, 0, sizeof(u));
	u.pol = pol;
	published_for_lines(cur->mx, uncovered_line, &u);
	for (i = 0; i < fail.n; i++) {
		if (!sts_category(fail.rows[i].result_type))
			continue;
		sts_failed += fail.rows[i].failed_sessions;
		uncovered_add(&u, fail.rows[i].mx_host);
	}
	for (i = 0; i < orgs.n && nnames < 3; i++, nnames++)
		snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
		         i > 0 ? (i + 1 == orgs.n || nnames == 2 ? " and " : ", ") : "",
		         orgs.rows[i].organization != NULL ? orgs.rows[i].organization : "?");
	if (orgs.n > 3)
		snprintf(names + strlen(names), sizeof(names) - strlen(names), " (%zu reporters)",
		         orgs.n);
	datetime_format_day(datetime_day_of(since), day, sizeof(day));
	why[0] = '\0';
	if ((int64_t)days.n < PUBLISHED_READY_DAYS)
		used += (size_t)snprintf(why + used, sizeof(why) - used,
		                         "%zu day%s of reports since %s (wait for %d)", days.n,
		                         days.n == 1 ? "" : "s", day, PUBLISHED_READY_DAYS);
	if (used < sizeof(why) && orgs.n < PUBLISHED_READY_REPORTERS)
		used += (size_t)snprintf(why + used, sizeof(why) - used,
		                         "%s%zu reporter%s (wait for %d)", used > 0 ? "; " : "",
		                         orgs.n, orgs.n == 1 ? "" : "s", PUBLISHED_READY_REPORTERS);
	if (used < sizeof(why) && sts_failed > 0)
		used += (size_t)snprintf(why + used, sizeof(why) - used,
		                         "%s%lld failed sessions of MTA-STS kinds enforce would "
		                         "turn into bounces (tlswatch summary --domain %s)",
		                         used > 0 ? "; " : "", (long long)sts_failed, dom);
	if (used < sizeof(why) && u.n > 0)
		snprintf(why + used, sizeof(why) - used,
		         "%sMX not covered by the policy's mx lines: %s (add them, raise the id)",
		         used > 0 ? "; " : "", u.list);
	if (why[0] == '\0')
		note_add(
		    p, PUBLISHED_READY, NULL, NULL, datetime_day_of(now),
		    "ready for enforce: %zu days of reports since %s, %s reporting, 0 failures "
		    "that enforce would turn into bounces; every MX covered",
		    days.n, day, names);
	else
		note_add(p, PUBLISHED_NOT_READY, NULL, NULL, datetime_day_of(now),
		         "not ready for enforce: %s", why);
	rc = 0;
out:
	query_rows_free(&days);
	query_rows_free(&orgs);
	query_rows_free(&fail);
	return rc;
}

/* --- drift ------------------------------------------------------------ */

/* When the published policy stopped being old: the check after the last
 * one that served it; *known 0 when tlswatch never saw it published (then
 * the first check). */
static int64_t policy_left(const struct check_results *h, const struct mtasts_policy *old,
                           int *known)
{
	size_t i;

	for (i = h->n; i-- > 0;) {
		struct mtasts_policy *p = policy_of(h->r[i].sts_body);
		int same = p != NULL && policy_same(p, old);

		free(p);
		if (same && i + 1 < h->n) {
			*known = 1;
			return h->r[i + 1].checked_at;
		}
	}
	*known = 0;
	return h->r[0].checked_at;
}

/* 1 when org applied the current policy (current[k]) on day or later:
 * it caught up, whatever it applied before. */
static int caught_up(const struct policy_seen_rows *seen, const unsigned char *current,
                     const char *org, int64_t day)
{
	size_t k;

	for (k = 0; k < seen->n; k++)
		if (current[k] && seen->r[k].last_day >= day && seen->r[k].organization != NULL &&
		    strcmp(seen->r[k].organization, org) == 0)
			return 1;
	return 0;
}

/* Reporters whose newest reports apply a policy no longer published: past
 * its max_age one stale-policy note each (an alert); within it, one drift
 * note for them all (expected while caches last). */
static void published_reporters(const struct check_results *h, const struct mtasts_policy *pol,
                                const struct policy_seen_rows *seen, int64_t now,
                                struct published *p)
{
	unsigned char *current = xcalloc(seen->n > 0 ? seen->n : 1, 1);
	char names[256] = "", exp[16];
	int64_t drift_until = 0;
	size_t i, n_drift = 0;

	for (i = 0; i < seen->n; i++) {
		struct mtasts_policy *q = policy_of(seen->r[i].policy);

		current[i] = q != NULL && policy_same(q, pol);
		free(q);
	}
	for (i = 0; i < seen->n; i++) {
		const struct policy_seen *s = &seen->r[i];
		struct mtasts_policy *old;
		char diff[256], left[16], last[16];
		int64_t change, expiry;
		int known;

		if (current[i] || s->policy == NULL || s->organization == NULL ||
		    caught_up(seen, current, s->organization, s->last_day))
			continue;
		old = policy_of(s->policy);
		if (old == NULL)
			continue;
		change = policy_left(h, old, &known);
		if (s->last_day < datetime_day_of(change)) {
			free(old); /* applied before the change: as it should */
			continue;
		}
		expiry = change + old->max_age;
		if (s->last_day > datetime_day_of(expiry) && now > expiry) {
			policy_diff(old, pol, diff, sizeof(diff));
			datetime_format_day(datetime_day_of(change), left, sizeof(left));
			datetime_format_day(datetime_day_of(expiry), exp, sizeof(exp));
			datetime_format_day(s->last_day, last, sizeof(last));
			note_add(p, PUBLISHED_STALE_POLICY, NULL, s->organization, s->last_day,
			         "%s still applied %s on %s: changed %s%s, its cache should have "
			         "expired by %s (max_age %ld)",
			         s->organization, diff, last, known ? "" : "before ", left, exp,
			         old->max_age);
		} else {
			if (n_drift < 3 && strstr(names, s->organization) == NULL)
				snprintf(names + strlen(names), sizeof(names) - strlen(names),
				         "%s%s", n_drift > 0 ? ", " : "", s->organization);
			n_drift++;
			if (expiry > drift_until)
				drift_until = expiry;
		}
		free(old);
	}
	if (n_drift > 0) {
		datetime_format_day(datetime_day_of(drift_until), exp, sizeof(exp));
		note_add(
		    p, PUBLISHED_DRIFT, NULL, NULL, datetime_day_of(now),
		    "%zu reporter%s still appl%s a policy no longer published (%s%s): expected "
		    "while their caches last, until %s at most",
		    n_drift, n_drift == 1 ? "" : "s", n_drift == 1 ? "ies" : "y", names,
		    n_drift > 3 ? " and more" : "", exp);
	}
	free(current);
}

struct mx_cover {
	const struct policy_seen_rows *seen;
	const struct mtasts_policy *pol;
	struct published *p;
	int64_t day;
};

/* A DNS MX that the mx-host list reporters applied lately does not cover. */
static void mx_cover_line(const char *line, void *arg)
{
	struct mx_cover *c = arg;
	const char *host = published_mx_line_host(line);
	char pat[LIMIT_CHECK_NAME_BYTES];
	size_t i;
	int lists = 0;

	for (i = 0; i < c->seen->n; i++) {
		const char *m = c->seen->r[i].mx_hosts, *e;

		if (m == NULL || c->seen->r[i].last_day < c->day - 7)
			continue;
		lists++;
		for (; *m != '\0'; m = *e != '\0' ? e + 1 : e) {
			e = strchr(m, '\n');
			if (e == NULL)
				e = m + strlen(m);
			if ((size_t)(e - m) >= sizeof(pat))
				continue;
			memcpy(pat, m, (size_t)(e - m));
			pat[e - m] = '\0';
			if (mtasts_mx_matches(pat, host))
				return;
		}
	}
	if (lists > 0)
		note_add(c->p, PUBLISHED_MX_NOT_COVERED, host, NULL, c->day,
		         "%s is in DNS but no mx-host list reporters applied this week covers it: "
		         "under enforce they refuse it until their cache holds a policy naming it",
		         host);
}

static int published_mx(struct store *st, const struct check_result *cur,
                        const struct mtasts_policy *pol, const struct policy_seen_rows *seen,
                        int64_t now, struct published *p, char *err, size_t errlen)
{
	struct query_filter f;
	struct query_rows mx = {NULL, 0};
	const char *dom = cur->domain;
	size_t i;

	memset(&f, 0, sizeof(f));
	f.until = datetime_day_of(now) + 1;
	f.since = f.until - PUBLISHED_MX_DAYS;
	f.domains = &dom;
	f.n_domains = 1;
	if (query_group(st, &f, QUERY_BY_MX, 0, &mx, err, errlen) < 0)
		return -1;
	for (i = 0; i < mx.n; i++)
		if (mx.rows[i].mx_host != NULL && !mx_set_has(cur->mx, mx.rows[i].mx_host))
			note_add(p, PUBLISHED_MX_NOT_IN_DNS, mx.rows[i].mx_host, NULL, f.until - 1,
			         "%s is named in failure reports of the last %d days but is not in "
			         "the MX set: senders still use an old MX list (or a DNS cache)",
			         mx.rows[i].mx_host, PUBLISHED_MX_DAYS);
	query_rows_free(&mx);
	if (pol != NULL) {
		struct mx_cover c = {seen, pol, p, datetime_day_of(now)};

		published_for_lines(cur->mx, mx_cover_line, &c);
	}
	return 0;
}

/* --- the newest result alone ------------------------------------------ */

struct cert_scan {
	struct published *p;
	int64_t now;
	int warn_days;
};

static void cert_line(const char *line, void *arg)
{
	struct cert_scan *c = arg;
	const char *sp = strrchr(line, ' ');
	char host[LIMIT_CHECK_NAME_BYTES], day[16];
	int64_t not_after;

	if (sp == NULL || (size_t)(sp - line) >= sizeof(host))
		return;
	memcpy(host, line, (size_t)(sp - line));
	host[sp - line] = '\0';
	not_after = strtoll(sp + 1, NULL, 10);
	if (not_after == 0 || not_after - c->now >= (int64_t)c->warn_days * 86400)
		return;
	datetime_format_day(datetime_day_of(not_after), day, sizeof(day));
	note_add(c->p, PUBLISHED_CERT_EXPIRING, host, NULL, datetime_day_of(c->now),
	         not_after <= c->now ? "the certificate of %s expired on %s: renew it"
	                             : "the certificate of %s expires on %s: renew it",
	         host, day);
}

/* Reports prove a policy was published on the day a reporter applied
 * it: the current policy's first day in the reports when that is before
 * the first check that saw it, but not before the check that last saw
 * another policy (before: -1). */
static int64_t published_first_applied(const struct policy_seen_rows *seen,
                                       const struct mtasts_policy *pol, int64_t since,
                                       int64_t before)
{
	int64_t first = datetime_day_of(since);
	size_t i;

	for (i = 0; i < seen->n; i++) {
		struct mtasts_policy *q = policy_of(seen->r[i].policy);

		if (q != NULL && policy_same(q, pol) && seen->r[i].first_day < first &&
		    (before < 0 || seen->r[i].first_day > datetime_day_of(before)))
			first = seen->r[i].first_day;
		free(q);
	}
	return first < datetime_day_of(since) ? first * 86400 : since;
}

static int published_domain(struct store *st, const struct check_result *latest, int64_t now,
                            int warn_days, struct published *p, char *err, size_t errlen)
{
	struct check_results h = {NULL, 0};
	struct policy_seen_rows seen = {NULL, 0};
	struct mtasts_policy *pol = NULL;
	struct cert_scan cs = {p, now, warn_days};
	const struct check_result *cur;
	size_t k;
	int rc = -1;

	if (store_check_history(st, latest->domain, LIMIT_CHECK_HISTORY, &h, err, errlen) < 0)
		return -1;
	if (h.n == 0) {
		rc = 0;
		goto out;
	}
	cur = &h.r[h.n - 1];
	snprintf(p->domain, sizeof(p->domain), "%s", cur->domain);
	p->checked_at = cur->checked_at;
	snprintf(p->sts_id, sizeof(p->sts_id), "%s", cur->sts_id != NULL ? cur->sts_id : "");
	snprintf(p->sts_mode, sizeof(p->sts_mode), "%s",
	         cur->sts_mode != NULL ? cur->sts_mode : "");
	/* the current id and policy were first seen at the start of the
	 * newest run of checks that saw both unchanged */
	for (k = h.n - 1; k > 0; k--) {
		const struct check_result *b = &h.r[k - 1];

		if ((b->sts_id == NULL) != (cur->sts_id == NULL) ||
		    (b->sts_id != NULL && strcmp(b->sts_id, cur->sts_id) != 0) ||
		    (b->sts_body == NULL) != (cur->sts_body == NULL) ||
		    (b->sts_body != NULL && strcmp(b->sts_body, cur->sts_body) != 0))
			break;
	}
	p->published_since = h.r[k].checked_at;
	if (cur->policy_error != NULL)
		note_add(p, PUBLISHED_POLICY_UNREACHABLE, NULL, NULL, datetime_day_of(now),
		         "senders cannot fetch the policy: %s", cur->policy_error);
	published_for_lines(cur->certs, cert_line, &cs);
	pol = policy_of(cur->sts_body);
	/* the last PUBLISHED_SEEN_DAYS only (the read costs the reports of
	 * the period); a reporter stale for longer still reports in it */
	if (store_policy_seen(st, cur->domain, datetime_day_of(now) + 1 - PUBLISHED_SEEN_DAYS,
	                      datetime_day_of(now) + 1, &seen, err, errlen) < 0)
		goto out;
	if (pol != NULL)
		p->published_since = published_first_applied(&seen, pol, p->published_since,
		                                             k > 0 ? h.r[k - 1].checked_at : -1);
	if (pol != NULL && pol->mode == MTASTS_MODE_TESTING &&
	    published_readiness(st, cur, pol, p->published_since, now, p, err, errlen) < 0)
		goto out;
	if (pol != NULL)
		published_reporters(&h, pol, &seen, now, p);
	if (published_mx(st, cur, pol, &seen, now, p, err, errlen) < 0)
		goto out;
	rc = 0;
out:
	free(pol);
	store_policy_seen_free(&seen);
	store_check_results_free(&h);
	return rc;
}

static int published_wanted(const char *const *domains, size_t n, const char *domain)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcasecmp(domains[i], domain) == 0)
			return 1;
	return n == 0;
}

int published_read(struct store *st, const char *const *domains, size_t n_domains, int64_t now,
                   int expiry_warn_days, struct published_list *out, char *err, size_t errlen)
{
	struct check_results latest = {NULL, 0};
	struct published_list l = {NULL, 0};
	size_t i;
	int rc = -1;

	if (!store_check_supported(st)) {
		/* a backend without check results: nothing was published */
		memset(out, 0, sizeof(*out));
		return 0;
	}
	if (store_check_latest(st, &latest, err, errlen) < 0)
		return -1;
	l.d = xcalloc(latest.n > 0 ? latest.n : 1, sizeof(*l.d));
	for (i = 0; i < latest.n; i++) {
		if (!published_wanted(domains, n_domains, latest.r[i].domain))
			continue;
		if (published_domain(st, &latest.r[i], now, expiry_warn_days, &l.d[l.n], err,
		                     errlen) < 0) {
			free(l.d[l.n].note);
			goto out;
		}
		if (l.d[l.n].domain[0] != '\0')
			l.n++;
		else
			free(l.d[l.n].note);
	}
	*out = l;
	memset(&l, 0, sizeof(l));
	rc = 0;
out:
	published_list_free(&l);
	store_check_results_free(&latest);
	return rc;
}

void published_list_free(struct published_list *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++)
		free(l->d[i].note);
	free(l->d);
	memset(l, 0, sizeof(*l));
}

int published_render_text(const struct published_list *l, struct strbuf *sb)
{
	char line[LIMIT_PUBLISHED_NOTE_TEXT * 4 + 8], when[32];
	size_t i, k;

	if (l->n == 0)
		return 0;
	if (strbuf_puts(sb, "\nPublished vs reported (tlswatch check; docs/check.md)\n") < 0)
		return -1;
	for (i = 0; i < l->n; i++) {
		const struct published *p = &l->d[i];

		datetime_format_utc(p->checked_at, when, sizeof(when));
		if (strbuf_printf(sb, "  %s: MTA-STS %s%s%s, checked %s\n", esc(p->domain),
		                  p->sts_mode[0] != '\0' ? p->sts_mode : "none",
		                  p->sts_id[0] != '\0' ? " id " : "",
		                  p->sts_id[0] != '\0' ? esc(p->sts_id) : "", when) < 0)
			return -1;
		for (k = 0; k < p->n; k++) {
			const struct published_note *n = &p->note[k];

			escape_text(n->text, strlen(n->text), sizeof(n->text), line, sizeof(line));
			if (strbuf_printf(sb, "    %-20s %s\n", published_kind_name(n->kind),
			                  line) < 0)
				return -1;
		}
		if (p->n == 0 && strbuf_puts(sb, "    nothing to note\n") < 0)
			return -1;
	}
	return 0;
}

int published_read_period(struct store *st, const struct query_filter *f, int expiry_warn_days,
                          struct published_list *out, char *err, size_t errlen)
{
	int64_t now = (int64_t)time(NULL);

	if (f->until * 86400 < now)
		now = f->until * 86400;
	return published_read(st, f->domains, f->n_domains, now, expiry_warn_days, out, err,
	                      errlen);
}

/* a UTC second or day as text, null when unknown (0) */
static void published_json_time(struct jsonw *w, int64_t t, int day)
{
	char s[32];

	if (t == 0) {
		jsonw_null(w);
		return;
	}
	if (day)
		datetime_format_day(t, s, sizeof(s));
	else
		datetime_format_utc(t, s, sizeof(s));
	jsonw_string(w, s);
}

static void published_json_opt(struct jsonw *w, const char *key, const char *s)
{
	jsonw_key(w, key);
	jsonw_string(w, s[0] != '\0' ? s : NULL);
}

void published_render_json(const struct published_list *l, struct jsonw *w)
{
	size_t i, k;

	jsonw_array_begin(w);
	for (i = 0; i < l->n; i++) {
		const struct published *p = &l->d[i];

		jsonw_object_begin(w);
		jsonw_key(w, "domain");
		jsonw_string(w, p->domain);
		jsonw_key(w, "checked_at");
		published_json_time(w, p->checked_at, 0);
		published_json_opt(w, "sts_id", p->sts_id);
		published_json_opt(w, "sts_mode", p->sts_mode);
		jsonw_key(w, "published_since");
		published_json_time(w, p->published_since, 0);
		jsonw_key(w, "notes");
		jsonw_array_begin(w);
		for (k = 0; k < p->n; k++) {
			const struct published_note *n = &p->note[k];

			jsonw_object_begin(w);
			jsonw_key(w, "kind");
			jsonw_string(w, published_kind_name(n->kind));
			jsonw_key(w, "alert");
			jsonw_bool(w, n->alert != 0);
			published_json_opt(w, "mx_host", n->host);
			published_json_opt(w, "organization", n->organization);
			jsonw_key(w, "day");
			published_json_time(w, n->day, 1);
			jsonw_key(w, "text");
			jsonw_string(w, n->text);
			jsonw_object_end(w);
		}
		jsonw_array_end(w);
		jsonw_object_end(w);
	}
	jsonw_array_end(w);
}
