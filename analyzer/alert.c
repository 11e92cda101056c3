/*
 * alert.c - the spike rules and their evaluation over the aggregate tables
 * (see alert.h and docs/alerts.md). Rows hold report text (untrusted); it
 * is only compared and copied here.
 */
#include "alert.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "limits.h"
#include "query.h"
#include "store_trust.h"
#include "xalloc.h"

void alert_stats(const int64_t *daily, size_t n, double *mean, double *sd)
{
	double sum = 0, var = 0, m;
	size_t i;

	*mean = 0;
	*sd = 0;
	if (n == 0)
		return;
	for (i = 0; i < n; i++)
		sum += (double)daily[i];
	m = sum / (double)n;
	for (i = 0; i < n; i++)
		var += ((double)daily[i] - m) * ((double)daily[i] - m);
	*mean = m;
	*sd = sqrt(var / (double)n);
}

int alert_spike_rule(const struct alert_params *p, int64_t window_total, double mean, double sd,
                     int64_t baseline_days)
{
	double per_day = (double)window_total / (double)p->window;

	if (window_total < p->min_failures)
		return 0;
	/* no failure in the baseline (or no baseline yet): new */
	if (baseline_days <= 0 || mean <= 0)
		return 1 + ALERT_NEW_FAILURE;
	if (per_day >= p->factor * mean && per_day >= mean + p->factor * sd)
		return 1 + ALERT_FAILURE_SPIKE;
	return 0;
}

int alert_rate_rule(const struct alert_params *p, int64_t ok, int64_t failed, int64_t base_ok,
                    int64_t base_failed)
{
	double rate, base_rate;

	if (failed < p->min_failures || ok + failed <= 0 || base_ok + base_failed <= 0)
		return 0;
	rate = (double)failed / (double)(ok + failed); /* failure rates */
	base_rate = (double)base_failed / (double)(base_ok + base_failed);
	return (rate - base_rate) * 10000.0 >= ALERT_RATE_DROP_BP && rate >= p->factor * base_rate;
}

double alert_binomial_tail(int64_t n, int64_t k, double p)
{
	double lp = log(p), lq = log1p(-p), sum = 0, term;
	int64_t i;

	if (k <= 0)
		return 1;
	if (k > n)
		return 0;
	/* from k up the terms only shrink when k >= n p (our case: k is at
	 * least half of n, p under 5 %), so the loop ends in a few steps */
	for (i = k; i <= n; i++) {
		term = exp(lgamma((double)n + 1) - lgamma((double)i + 1) -
		           lgamma((double)(n - i) + 1) + (double)i * lp + (double)(n - i) * lq);
		sum += term;
		if (term < sum * 1e-12)
			break;
	}
	return sum;
}

int alert_small_rule(int64_t failed, int64_t sessions, int64_t base_failed, int64_t base_sessions)
{
	double p;

	/* integer basis points: no rounding at the 50 % and 5 % edges */
	if (failed < ALERT_SMALL_MIN_FAILURES || sessions <= 0 || base_sessions <= 0 ||
	    failed * 10000 < ALERT_SMALL_RATE_BP * sessions ||
	    base_failed * 10000 >= ALERT_SMALL_BASE_BP * base_sessions)
		return 0;
	/* the baseline's rate, never 0 (a clean month of 200 sessions does
	 * not prove a rate of 0): (failed + 1) / (sessions + 2) */
	p = ((double)base_failed + 1) / ((double)base_sessions + 2);
	if (failed > sessions)
		failed = sessions; /* details may list more than the summary */
	return alert_binomial_tail(sessions, failed, p) <= ALERT_SMALL_CHANCE;
}

static struct alert *alert_slot(struct alert_list *l)
{
	if (l->n == l->alloc) {
		l->alloc = l->alloc ? l->alloc * 2 : 16;
		l->alerts = xreallocarray(l->alerts, l->alloc, sizeof(*l->alerts));
	}
	return &l->alerts[l->n++];
}

void alert_list_take(struct alert_list *l, struct alert *a)
{
	*alert_slot(l) = *a;
	memset(a, 0, sizeof(*a));
}

void alert_clear(struct alert *a)
{
	free(a->policy_domain);
	free(a->mx_host);
	free(a->result_type);
	free(a->organization);
	free(a->reporters);
	free(a->reason_code);
	free(a->missing_reporters);
	free(a->message);
	memset(a, 0, sizeof(*a));
}

static struct alert *alert_add(struct alert_list *l, enum alert_kind kind)
{
	struct alert *a = alert_slot(l);

	memset(a, 0, sizeof(*a));
	a->kind = kind;
	a->day = l->window_until - 1;
	a->since_day = l->window_since;
	a->window_since = l->window_since;
	a->window_until = l->window_until;
	a->baseline_since = l->baseline_since;
	a->baseline_until = l->baseline_until;
	return a;
}

static char *alert_strdup(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

void alert_list_free(struct alert_list *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++)
		alert_clear(&l->alerts[i]);
	free(l->alerts);
	free(l->judged);
	memset(l, 0, sizeof(*l));
}

static int alert_same(const char *a, const char *b)
{
	/* the rows of one series share their key's strings */
	return a == b || strcmp(a != NULL ? a : "", b != NULL ? b : "") == 0;
}

/* One group's series: the rows [i, j) of a day-sorted breakdown. */
struct alert_series {
	int64_t *daily; /* failed per baseline day */
	int64_t window_failed, window_ok, window_reports;
	int64_t base_failed, base_ok;
	int64_t base_days_reported; /* baseline days with a report */
};

static void alert_series_read(const struct alert_list *l, const struct query_rows *rows, size_t i,
                              size_t j, struct alert_series *s)
{
	int64_t nb = l->baseline_until - l->baseline_since;

	memset(s->daily, 0, (size_t)(nb > 0 ? nb : 1) * sizeof(*s->daily));
	s->window_failed = s->window_ok = s->window_reports = 0;
	s->base_failed = s->base_ok = s->base_days_reported = 0;
	for (; i < j; i++) {
		const struct query_row *r = &rows->rows[i];

		if (r->day >= l->window_since && r->day < l->window_until) {
			s->window_failed += r->failed_sessions;
			s->window_ok += r->successful_sessions;
			s->window_reports += r->reports;
		} else if (r->day >= l->baseline_since && r->day < l->baseline_until) {
			s->daily[r->day - l->baseline_since] += r->failed_sessions;
			s->base_failed += r->failed_sessions;
			s->base_ok += r->successful_sessions;
			s->base_days_reported += r->reports > 0;
		}
	}
}

/* The failed sessions of rows [i, j) in the window: a group under
 * alert_can_fail's floor cannot alert, and is then not read whole (most
 * of the failure groups at 10M reports: 7,700 groups for 1,450 a day). */
static int64_t alert_window_failed(const struct alert_list *l, const struct query_rows *rows,
                                   size_t i, size_t j)
{
	int64_t failed = 0;

	for (; i < j; i++)
		if (rows->rows[i].day >= l->window_since && rows->rows[i].day < l->window_until)
			failed += rows->rows[i].failed_sessions;
	return failed;
}

/* The failures in the window a group needs to meet a failure rule:
 * alert_spike_rule and alert_rate_rule need p->min_failures,
 * alert_small_rule ALERT_SMALL_MIN_FAILURES. */
static int64_t alert_fail_floor(const struct alert_params *p)
{
	return p->min_failures < ALERT_SMALL_MIN_FAILURES ? p->min_failures
	                                                  : ALERT_SMALL_MIN_FAILURES;
}

static int alert_can_fail(const struct alert_list *l, int64_t window_failed)
{
	return window_failed >= alert_fail_floor(&l->params);
}

/* End of the group starting at row i: same key, any day. */
static size_t alert_group_end(const struct query_rows *rows, size_t i)
{
	const struct query_row *a = &rows->rows[i];
	size_t j = i + 1;

	while (j < rows->n && alert_same(a->organization, rows->rows[j].organization) &&
	       alert_same(a->policy_domain, rows->rows[j].policy_domain) &&
	       alert_same(a->mx_host, rows->rows[j].mx_host) &&
	       alert_same(a->result_type, rows->rows[j].result_type))
		j++;
	return j;
}

/* At each group's first row of rows, the end of its group (the rest
 * unset). Caller frees. */
static size_t *alert_group_ends(const struct query_rows *rows)
{
	size_t *ends = xcalloc(rows->n + 1, sizeof(*ends));
	size_t i;

	for (i = 0; i < rows->n; i = ends[i])
		ends[i] = alert_group_end(rows, i);
	return ends;
}

static int alert_domain_has_alert(const struct alert_list *l, const char *domain)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->alerts[i].kind != ALERT_SILENT_REPORTER &&
		    l->alerts[i].kind != ALERT_CONFLICTING_REPORT &&
		    alert_same(l->alerts[i].policy_domain, domain))
			return 1;
	return 0;
}

/* A domain's baseline, for the spread of its groups. */
struct alert_domain_stat {
	const char *domain; /* borrowed from the domain rows; NULL: absent */
	double sd;
	int64_t window_ok, window_failed; /* the denominators of the rate rule */
	int64_t base_ok, base_failed;
};

static int alert_domain_stat_cmp(const void *x, const void *y)
{
	const struct alert_domain_stat *a = x, *b = y;

	return strcmp(a->domain != NULL ? a->domain : "", b->domain != NULL ? b->domain : "");
}

/* The standard deviation of each domain's daily failures in the baseline,
 * sorted by domain (the rows already are). Caller frees. */
static struct alert_domain_stat *alert_domain_stats(const struct alert_list *l,
                                                    const struct query_rows *rows,
                                                    const size_t *ends, struct alert_series *s,
                                                    size_t *n)
{
	int64_t nb = l->baseline_until - l->baseline_since;
	struct alert_domain_stat *st = xcalloc(rows->n ? rows->n : 1, sizeof(*st));
	size_t i, j;
	double mean;

	*n = 0;
	for (i = 0; i < rows->n; i = j) {
		j = ends[i];
		alert_series_read(l, rows, i, j, s);
		st[*n].domain = rows->rows[i].policy_domain;
		st[*n].window_ok = s->window_ok;
		st[*n].window_failed = s->window_failed;
		st[*n].base_ok = s->base_ok;
		st[*n].base_failed = s->base_failed;
		alert_stats(s->daily, (size_t)(nb > 0 ? nb : 0), &mean, &st[*n].sd);
		(*n)++;
	}
	return st;
}

/* Since when it has been this bad: the first day of the run of days
 * before the window with at least half the window's daily failures (a
 * group failing a little every day did not start failing a month ago).
 * The group's series s was just read. */
static int64_t alert_since(const struct alert_list *l, const struct alert_series *s)
{
	int64_t d = l->window_since, per_day = s->window_failed / l->params.window;

	while (d > l->baseline_since && d - 1 < l->baseline_until && per_day > 0 &&
	       s->daily[d - 1 - l->baseline_since] * 2 >= per_day)
		d--;
	return d;
}

static void alert_failures(struct alert_list *l, const struct query_rows *rows, const size_t *ends,
                           const struct alert_domain_stat *dstat, size_t n_dstat,
                           struct alert_series *s)
{
	int64_t nb = l->baseline_until - l->baseline_since;
	const struct alert_domain_stat *hit;
	struct alert_domain_stat key;
	size_t i, j;
	double mean, sd, spread;
	int kind;

	memset(&key, 0, sizeof(key));
	for (i = 0; i < rows->n; i = j) {
		const struct query_row *r = &rows->rows[i];
		struct alert *a;
		int by_rate = 0;

		j = ends[i];
		if (!alert_can_fail(l, alert_window_failed(l, rows, i, j)))
			continue;
		alert_series_read(l, rows, i, j, s);
		alert_stats(s->daily, (size_t)(nb > 0 ? nb : 0), &mean, &sd);
		key.domain = r->policy_domain;
		hit = n_dstat > 0
		          ? bsearch(&key, dstat, n_dstat, sizeof(*dstat), alert_domain_stat_cmp)
		          : NULL;
		spread = hit != NULL && hit->sd > sd ? hit->sd : sd;
		kind = alert_spike_rule(&l->params, s->window_failed, mean, spread, nb);
		/* the group's failures against its domain's sessions: the
		 * reports count sessions per domain, not per MX */
		if (kind == 0 && hit != NULL &&
		    alert_small_rule(s->window_failed, hit->window_ok + hit->window_failed,
		                     hit->base_failed, hit->base_ok + hit->base_failed)) {
			kind = 1 + (mean > 0 ? ALERT_FAILURE_SPIKE : ALERT_NEW_FAILURE);
			by_rate = 1;
		}
		if (kind == 0)
			continue;
		a = alert_add(l, (enum alert_kind)(kind - 1));
		a->by_rate = by_rate;
		a->since_day = alert_since(l, s);
		/* details may list more failures than the summary counted
		 * (docs/counting.md): never fewer sessions than failures */
		if (hit != NULL)
			a->window_sessions = hit->window_ok + hit->window_failed > s->window_failed
			                         ? hit->window_ok + hit->window_failed
			                         : s->window_failed;
		a->policy_domain = alert_strdup(r->policy_domain);
		a->mx_host = alert_strdup(r->mx_host);
		a->result_type = alert_strdup(r->result_type);
		a->window_failed = s->window_failed;
		a->baseline_failed = s->base_failed;
		a->baseline_mean = mean;
		a->baseline_sd = sd;
		a->spread = spread;
	}
}

/* Domain spikes first (skipping domains whose groups alerted), then rate
 * drops (skipping domains with any alert). */
static void alert_domains(struct alert_list *l, const struct query_rows *rows, const size_t *ends,
                          struct alert_series *s)
{
	int64_t nb = l->baseline_until - l->baseline_since;
	size_t i, j, n_failure_alerts = l->n;
	double mean, sd;
	int kind, pass;

	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < rows->n; i = j) {
			const struct query_row *r = &rows->rows[i];
			struct alert *a;

			j = ends[i];
			if (pass == 0) {
				struct alert_list head = *l;

				head.n = n_failure_alerts;
				if (alert_domain_has_alert(&head, r->policy_domain))
					continue;
			} else if (alert_domain_has_alert(l, r->policy_domain)) {
				continue;
			}
			if (!alert_can_fail(l, alert_window_failed(l, rows, i, j)))
				continue;
			alert_series_read(l, rows, i, j, s);
			alert_stats(s->daily, (size_t)(nb > 0 ? nb : 0), &mean, &sd);
			if (pass == 0) {
				int by_rate = 0;

				kind = alert_spike_rule(&l->params, s->window_failed, mean, sd, nb);
				if (kind == 0 &&
				    alert_small_rule(s->window_failed,
				                     s->window_ok + s->window_failed,
				                     s->base_failed, s->base_ok + s->base_failed))
					kind = by_rate = 1;
				if (kind == 0)
					continue;
				a = alert_add(l, ALERT_DOMAIN_SPIKE);
				a->by_rate = by_rate;
				a->since_day = alert_since(l, s);
				a->window_sessions = s->window_ok + s->window_failed;
			} else {
				if (nb <= 0 ||
				    !alert_rate_rule(&l->params, s->window_ok, s->window_failed,
				                     s->base_ok, s->base_failed))
					continue;
				a = alert_add(l, ALERT_RATE_DROP);
			}
			a->policy_domain = alert_strdup(r->policy_domain);
			a->window_failed = s->window_failed;
			a->window_successful = s->window_ok;
			a->baseline_failed = s->base_failed;
			a->baseline_successful = s->base_ok;
			a->baseline_mean = mean;
			a->baseline_sd = sd;
			a->spread = sd;
		}
	}
}

/* Reporters silent for max(window, ALERT_SILENT_GAP_DAYS) days, up to the
 * window's last day (excluded), after reporting on every day before them (at least
 * ALERT_SILENT_MIN_DAYS of the baseline, ALERT_SILENT_MIN_SESSIONS a day). */
static void alert_silent(struct alert_list *l, const struct query_rows *rows, const size_t *ends)
{
	int64_t gap =
	    l->params.window > ALERT_SILENT_GAP_DAYS ? l->params.window : ALERT_SILENT_GAP_DAYS;
	/* the window's last day is still coming in (reports arrive a day
	 * late, some later): silence is judged on the days before it */
	int64_t gap_until = l->window_until - 1, gap_since = gap_until - gap;
	int64_t regular = gap_since - l->baseline_since;
	size_t i, j, k;

	if (regular < ALERT_SILENT_MIN_DAYS)
		return;
	for (i = 0; i < rows->n; i = j) {
		int64_t days = 0, reports = 0, silent_reports = 0, sessions = 0;
		struct alert *a;

		j = ends[i];
		for (k = i; k < j; k++) {
			const struct query_row *r = &rows->rows[k];

			if (r->day >= gap_since && r->day < gap_until)
				silent_reports += r->reports;
			else if (r->day >= l->baseline_since && r->day < gap_since &&
			         r->reports > 0) {
				days++;
				reports += r->reports;
				sessions += r->successful_sessions + r->failed_sessions;
			}
		}
		if (days < regular || silent_reports > 0 ||
		    sessions < ALERT_SILENT_MIN_SESSIONS * regular)
			continue;
		a = alert_add(l, ALERT_SILENT_REPORTER);
		a->organization = alert_strdup(rows->rows[i].organization);
		a->baseline_reports = reports;
		a->silent_days = gap;
		a->regular_days = regular;
	}
}

/* One alert per organization with conflicts held: however old, each
 * waits for the postmaster (docs/trust.md). */
static void alert_conflicts_add(struct alert_list *l, const struct alert_conflicts *c)
{
	size_t i;

	for (i = 0; i < c->count; i++) {
		struct alert *a = alert_add(l, ALERT_CONFLICTING_REPORT);

		a->organization =
		    alert_strdup(c->organization[i][0] != '\0' ? c->organization[i] : NULL);
		a->window_failed = c->n[i];
	}
}

/* store_conflicts_by_organization's function: each into the reads. */
static int alert_conflict_read(const char *organization, int64_t n, void *arg)
{
	struct alert_conflicts *c = arg;

	if (c->count == c->alloc) {
		c->alloc = c->alloc ? c->alloc * 2 : 8;
		c->organization =
		    xreallocarray(c->organization, c->alloc, sizeof(*c->organization));
		c->n = xreallocarray(c->n, c->alloc, sizeof(*c->n));
	}
	c->organization[c->count] = xstrdup(organization);
	c->n[c->count++] = n;
	return 0;
}

static int alert_cmp(const void *x, const void *y)
{
	const struct alert *a = x, *b = y;
	int ka = a->kind == ALERT_NEW_FAILURE ? ALERT_FAILURE_SPIKE : (int)a->kind;
	int kb = b->kind == ALERT_NEW_FAILURE ? ALERT_FAILURE_SPIKE : (int)b->kind;

	if (ka != kb)
		return ka < kb ? -1 : 1;
	if (a->window_failed != b->window_failed)
		return a->window_failed > b->window_failed ? -1 : 1;
	/* then by key, so that the output order is stable */
	if (!alert_same(a->policy_domain, b->policy_domain))
		return strcmp(a->policy_domain != NULL ? a->policy_domain : "",
		              b->policy_domain != NULL ? b->policy_domain : "");
	if (!alert_same(a->mx_host, b->mx_host))
		return strcmp(a->mx_host != NULL ? a->mx_host : "",
		              b->mx_host != NULL ? b->mx_host : "");
	if (!alert_same(a->result_type, b->result_type))
		return strcmp(a->result_type != NULL ? a->result_type : "",
		              b->result_type != NULL ? b->result_type : "");
	return strcmp(a->organization != NULL ? a->organization : "",
	              b->organization != NULL ? b->organization : "");
}

/* The periods of the list judging the window that ends at p->at, its
 * baseline cut at the store's first day. 0, or -1 on bad parameters. */
static int alert_periods(const struct alert_params *p, int64_t first, struct alert_list *l,
                         char *err, size_t errlen)
{
	if (p->window < 1 || p->baseline < 1 || !(p->factor > 0) || p->min_failures < 1) {
		snprintf(err, errlen, "internal error: alert parameters out of range");
		return -1;
	}
	l->params = *p;
	l->window_since = p->at - p->window;
	l->window_until = p->at;
	l->baseline_until = l->window_since;
	l->baseline_since = l->baseline_until - p->baseline;
	/* no baseline before the store's first day: an empty past is not a
	 * quiet one */
	if (l->baseline_since < first)
		l->baseline_since = first < l->baseline_until ? first : l->baseline_until;
	return 0;
}

/* The failure groups that can alert on a day of [first_at, last_at]:
 * alert_failures skips a group under alert_can_fail's floor in the
 * judged window, and a window of w days with floor failures has a day
 * with at least floor / w of them (rounded up), in the windows' union. */
static void alert_need(const struct alert_params *p, int64_t first_at, int64_t last_at,
                       struct query_alert_need *need)
{
	int64_t floor = alert_fail_floor(p);

	need->since = first_at - p->window;
	need->until = last_at;
	need->min_failed = (floor + p->window - 1) / p->window;
}

int alert_reads_load(struct store *st, const struct alert_params *p, int64_t first_at,
                     int64_t last_at, struct alert_reads *out, char *err, size_t errlen)
{
	struct alert_reads r;
	struct alert_list l;
	struct alert_params q = *p;
	struct query_alert_need need;
	struct query_filter f;
	int64_t at;

	memset(&r, 0, sizeof(r));
	memset(&l, 0, sizeof(l));
	if (first_at > last_at || last_at - first_at >= LIMIT_ALERT_LOOKBACK_DAYS) {
		snprintf(err, errlen, "internal error: %lld days to judge",
		         (long long)(last_at - first_at + 1));
		return -1;
	}
	if (query_day_span(st, &r.first, &r.last, &r.found, err, errlen) < 0)
		return -1;
	r.first_at = first_at;
	r.last_at = last_at;
	r.window = p->window;
	r.floor = alert_fail_floor(p);
	if (!r.found) {
		*out = r;
		return 0;
	}
	/* the days every judged window and its baseline cover: the next
	 * day's baseline is mostly this one's */
	r.since = INT64_MAX;
	for (at = first_at; at <= last_at; at++) {
		q.at = at;
		if (alert_periods(&q, r.first, &l, err, errlen) < 0)
			return -1;
		if (l.baseline_since < r.since)
			r.since = l.baseline_since;
	}
	r.until = last_at;
	memset(&f, 0, sizeof(f));
	f.since = r.since;
	f.until = r.until;
	alert_need(p, first_at, last_at, &need);
	if (query_alert_scan(st, &f, &need, &r.series, err, errlen) < 0)
		return -1;
	if (store_conflicts_by_organization(st, alert_conflict_read, &r.conflicts, err, errlen) <
	    0) {
		alert_reads_free(&r);
		return -1;
	}
	r.domain_ends = alert_group_ends(&r.series.domain_days);
	r.failure_ends = alert_group_ends(&r.series.failure_days);
	r.organization_ends = alert_group_ends(&r.series.organization_days);
	*out = r;
	return 0;
}

void alert_reads_free(struct alert_reads *r)
{
	size_t i;

	if (r == NULL)
		return;
	query_alert_series_free(&r->series);
	for (i = 0; i < r->conflicts.count; i++)
		free(r->conflicts.organization[i]);
	free(r->conflicts.organization);
	free(r->conflicts.n);
	free(r->domain_ends);
	free(r->failure_ends);
	free(r->organization_ends);
	memset(r, 0, sizeof(*r));
}

int alert_evaluate_reads(const struct alert_params *p, const struct alert_reads *r,
                         struct alert_list *out, char *err, size_t errlen)
{
	struct alert_domain_stat *dstat = NULL;
	struct alert_list l;
	struct alert_series s;
	size_t n_dstat = 0;

	memset(&l, 0, sizeof(l));
	memset(&s, 0, sizeof(s));
	if (p->at < r->first_at || p->at > r->last_at) {
		snprintf(err, errlen, "internal error: day %lld outside the days read",
		         (long long)p->at);
		return -1;
	}
	if (r->found && (p->window != r->window || alert_fail_floor(p) != r->floor)) {
		snprintf(err, errlen, "internal error: alert parameters other than those read");
		return -1;
	}
	if (alert_periods(p, r->first, &l, err, errlen) < 0)
		return -1;
	if (!r->found) {
		*out = l;
		return 0;
	}
	/* the series hold the days of every window read: each group's rows
	 * outside this window and baseline are skipped as they are read */
	s.daily = xcalloc((size_t)(l.baseline_until - l.baseline_since + 1), sizeof(*s.daily));
	dstat = alert_domain_stats(&l, &r->series.domain_days, r->domain_ends, &s, &n_dstat);
	alert_failures(&l, &r->series.failure_days, r->failure_ends, dstat, n_dstat, &s);
	alert_domains(&l, &r->series.domain_days, r->domain_ends, &s);
	alert_silent(&l, &r->series.organization_days, r->organization_ends);
	alert_conflicts_add(&l, &r->conflicts);
	if (l.n > 1)
		qsort(l.alerts, l.n, sizeof(*l.alerts), alert_cmp);
	*out = l;
	free(dstat);
	free(s.daily);
	return 0;
}

int alert_evaluate(struct store *st, const struct alert_params *p, struct alert_list *out,
                   char *err, size_t errlen)
{
	struct alert_reads r;
	int rc;

	if (alert_reads_load(st, p, p->at, p->at, &r, err, errlen) < 0)
		return -1;
	rc = alert_evaluate_reads(p, &r, out, err, errlen);
	alert_reads_free(&r);
	return rc;
}

int alert_shared_reads(void)
{
	return getenv("TLSWATCH_NO_SHARED_READS") == NULL;
}

int alert_reads_start(struct store *st, const struct alert_params *p, int64_t first_at,
                      int64_t last_at, struct alert_reads *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	out->per_day = !alert_shared_reads();
	if (out->per_day)
		return 0;
	return alert_reads_load(st, p, first_at, last_at, out, err, errlen);
}

int alert_evaluate_day(struct store *st, const struct alert_params *p, const struct alert_reads *r,
                       struct alert_list *out, char *err, size_t errlen)
{
	if (r->per_day)
		return alert_evaluate(st, p, out, err, errlen);
	return alert_evaluate_reads(p, r, out, err, errlen);
}
