/*
 * arrival.c - which days are not in yet for which domain (arrival.h).
 * Rows hold report text (untrusted): only compared and copied here.
 */
#include "arrival.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "limits.h"
#include "query_reason.h"
#include "strbuf.h"
#include "xalloc.h"

static int arrival_same(const char *a, const char *b)
{
	return strcmp(a != NULL ? a : "", b != NULL ? b : "") == 0;
}

/* One domain's rows [i, j) (sorted by organization, block): its
 * reporters, and which day each reported, over [first, first + n_days). */
struct arrival_grid {
	const char **orgs; /* distinct, sorted; borrowed from the rows */
	size_t n_orgs;
	unsigned char *seen; /* seen[org * n_days + day - first] */
	unsigned char *any;  /* any[day - first]: the domain had a report */
	int64_t *last;       /* last[org]: its last day - first with a report, or -1 */
	int32_t *before;     /* before[org * (n_judged + 1) + x]: its days with a
	                      * report among [0, x), x up to n_judged */
	int64_t n_judged;    /* the judged days end at first + n_judged */
	int64_t first, n_days;
};

static void arrival_grid_fill(struct arrival_grid *g, const struct query_presence_rows *rows,
                              size_t i, size_t j)
{
	size_t k, o;
	uint32_t bits;
	int64_t x;
	int b;

	g->n_orgs = 0;
	memset(g->seen, 0, (j - i) * (size_t)g->n_days);
	memset(g->any, 0, (size_t)g->n_days);
	for (k = i; k < j; k++) {
		const struct query_presence *p = &rows->rows[k];
		unsigned char *seen;

		/* the rows of one reporter are adjacent */
		if (g->n_orgs == 0 || !arrival_same(g->orgs[g->n_orgs - 1], p->organization)) {
			g->last[g->n_orgs] = -1;
			g->orgs[g->n_orgs++] = p->organization;
		}
		seen = g->seen + (g->n_orgs - 1) * (size_t)g->n_days;
		/* the set bits only: a reporter misses few days */
		for (bits = p->days; bits != 0; bits &= bits - 1) {
			int64_t d;

			b = __builtin_ctz(bits);
			d = p->first_day + b - g->first;
			if (d < 0 || d >= g->n_days)
				continue;
			seen[d] = 1;
			g->any[d] = 1;
			if (d > g->last[g->n_orgs - 1])
				g->last[g->n_orgs - 1] = d;
		}
	}
	/* a reporter's days in any window by one subtraction: the window is
	 * judged for every reporter and day */
	for (o = 0; o < g->n_orgs; o++) {
		const unsigned char *seen = g->seen + o * (size_t)g->n_days;
		int32_t *before = g->before + o * (size_t)(g->n_judged + 1), days = 0;

		before[0] = 0;
		for (x = 0; x < g->n_judged; x++) {
			days += seen[x];
			before[x + 1] = days;
		}
	}
}

/* The entry for day (or nothing when complete) from the domain's grid. */
static void arrival_judge_day(const struct arrival_grid *g, const char *domain, int64_t day,
                              struct arrival *out, size_t *alloc, struct strbuf *names)
{
	int64_t d = day - g->first, h, history = 0, usual = 0, in = 0, missing = 0, later;
	size_t o;

	for (h = d - ARRIVAL_HISTORY_DAYS; h < d; h++)
		history += h >= 0 && g->any[h];
	if (history < ARRIVAL_MIN_HISTORY)
		return;
	strbuf_reset(names);
	for (o = 0; o < g->n_orgs; o++) {
		const unsigned char *seen = g->seen + o * (size_t)g->n_days;
		const int32_t *before = g->before + o * (size_t)(g->n_judged + 1);
		int64_t days =
		    before[d] - before[d > ARRIVAL_HISTORY_DAYS ? d - ARRIVAL_HISTORY_DAYS : 0];
		/* most of the days the domain had reports */
		if (2 * days <= history)
			continue;
		usual++;
		/* a report for a day past the wait (a replay of old mail, or
		 * a reporter that skipped the day): this day's is not coming */
		later = g->last[o] >= d + ARRIVAL_WAIT_DAYS + 1;
		if (seen[d] || later) {
			in++;
			continue;
		}
		/* past the buffer's cap the list stays as it is */
		if (missing < LIMIT_ALERT_REPORTERS &&
		    (strbuf_puts(names, missing > 0 ? ", " : "") < 0 ||
		     strbuf_puts(names, g->orgs[o] != NULL ? g->orgs[o] : "") < 0))
			strbuf_reset(names);
		missing++;
	}
	if (missing == 0)
		return;
	if (missing > LIMIT_ALERT_REPORTERS &&
	    strbuf_printf(names, " and %lld more", (long long)(missing - LIMIT_ALERT_REPORTERS)) <
	        0)
		strbuf_reset(names);
	if (out->n == *alloc) {
		*alloc = *alloc ? *alloc * 2 : 16;
		out->days = xreallocarray(out->days, *alloc, sizeof(*out->days));
	}
	out->days[out->n].policy_domain = domain != NULL ? xstrdup(domain) : NULL;
	out->days[out->n].day = day;
	out->days[out->n].usual = usual;
	out->days[out->n].in = in;
	out->days[out->n].missing = xstrdup(strbuf_str(names));
	out->n++;
}

/* End of the domain's rows starting at i. */
static size_t arrival_group_end(const struct query_presence_rows *rows, size_t i)
{
	size_t j = i + 1;

	while (j < rows->n &&
	       arrival_same(rows->rows[i].policy_domain, rows->rows[j].policy_domain))
		j++;
	return j;
}

/* The days of [since, until) not in yet, from rows read for [g->first,
 * g->first + g->n_days): the domains of rows, or of domains[0..n) only
 * when domains is not NULL. */
static void arrival_judge_rows(const struct query_presence_rows *rows, int64_t since, int64_t until,
                               const char *const *domains, size_t n, struct arrival_grid *g,
                               struct arrival *out)
{
	struct arrival a = {NULL, 0};
	struct strbuf names;
	size_t i, j, k, alloc = 0, max_rows = 1;
	int64_t day;

	strbuf_init(&names, 64 * (LIMIT_ALERT_REPORTERS + 1) + LIMIT_STRING_BYTES);
	/* sized by the largest domain's rows: a domain has at most that
	 * many reporters */
	for (i = 0; i < rows->n; i = j) {
		j = arrival_group_end(rows, i);
		if (j - i > max_rows)
			max_rows = j - i;
	}
	g->orgs = xcalloc(max_rows, sizeof(*g->orgs));
	g->last = xcalloc(max_rows, sizeof(*g->last));
	g->before = xcalloc(max_rows * (size_t)(g->n_judged + 1), sizeof(*g->before));
	g->seen = xcalloc(max_rows * (size_t)g->n_days, 1);
	g->any = xcalloc((size_t)g->n_days, 1);
	for (i = 0; i < rows->n; i = j) {
		const char *d = rows->rows[i].policy_domain;

		j = arrival_group_end(rows, i);
		for (k = 0; domains != NULL && k < n && !arrival_same(d, domains[k]); k++)
			;
		if (domains != NULL && k == n)
			continue;
		arrival_grid_fill(g, rows, i, j);
		for (day = since; day < until; day++)
			arrival_judge_day(g, d, day, &a, &alloc, &names);
	}
	strbuf_free(&names);
	*out = a;
}

/* arrival_build, or for domains[0..n) only when domains is not NULL. */
static int arrival_build_of(struct store *st, int64_t since, int64_t until,
                            const char *const *domains, size_t n, struct arrival *out, char *err,
                            size_t errlen)
{
	struct query_presence_rows rows = {NULL, 0, NULL};
	struct arrival_grid g;
	int rc = -1;

	memset(&g, 0, sizeof(g));
	memset(out, 0, sizeof(*out));
	if (until <= since || until - since > LIMIT_ALERT_LOOKBACK_DAYS) {
		snprintf(err, errlen, "internal error: %lld days to tell arrivals of",
		         (long long)(until - since));
		return -1;
	}
	if (domains != NULL && n == 0)
		return 0;
	g.first = since - ARRIVAL_HISTORY_DAYS;
	/* and the days after, for reports of later days */
	g.n_days = until + LIMIT_ALERT_LOOKBACK_DAYS - g.first;
	g.n_judged = until - g.first;
	/* reporter days as bits (schema/014_presence.sql): a row per
	 * domain, reporter and block of days, not per reporter day */
	if ((domains != NULL ? query_reporter_presence_of(st, g.first, g.first + g.n_days, domains,
	                                                  n, &rows, err, errlen)
	                     : query_reporter_presence(st, g.first, g.first + g.n_days, &rows, err,
	                                               errlen)) < 0)
		goto out;
	arrival_judge_rows(&rows, since, until, domains, n, &g, out);
	rc = 0;
out:
	free(g.orgs);
	free(g.last);
	free(g.before);
	free(g.seen);
	free(g.any);
	query_presence_rows_free(&rows);
	return rc;
}

int arrival_build(struct store *st, int64_t since, int64_t until, struct arrival *out, char *err,
                  size_t errlen)
{
	return arrival_build_of(st, since, until, NULL, 0, out, err, errlen);
}

static int arrival_cmp_name(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

int arrival_build_domains(struct store *st, int64_t since, int64_t until, const char **domains,
                          size_t n, struct arrival *out, char *err, size_t errlen)
{
	size_t i, k = 0;

	/* each once, in byte order: the order of arrival_build's entries */
	if (n > 1)
		qsort(domains, n, sizeof(*domains), arrival_cmp_name);
	for (i = 0; i < n; i++)
		if (k == 0 || strcmp(domains[k - 1], domains[i]) != 0)
			domains[k++] = domains[i];
	return arrival_build_of(st, since, until, domains, k, out, err, errlen);
}

const struct arrival_day *arrival_find(const struct arrival *a, const char *policy_domain,
                                       int64_t day)
{
	size_t i;

	/* linear: asked once per alert, and alerts are few */
	for (i = 0; i < a->n; i++)
		if (a->days[i].day == day && arrival_same(a->days[i].policy_domain, policy_domain))
			return &a->days[i];
	return NULL;
}

void arrival_free(struct arrival *a)
{
	size_t i;

	if (a == NULL)
		return;
	for (i = 0; i < a->n; i++) {
		free(a->days[i].policy_domain);
		free(a->days[i].missing);
	}
	free(a->days);
	memset(a, 0, sizeof(*a));
}
