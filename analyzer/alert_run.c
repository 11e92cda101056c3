/*
 * alert_run.c - what one cron run of 'tlswatch alert' judges and sends
 * (docs/alerts.md, "Late reports"). Reports of day D arrive on D+1 from
 * about 10:00 UTC to late evening, some days later; a run that judged D
 * only once, in the morning, would never see them. So each run judges the
 * day before --at and every earlier day of the lookback whose reports
 * changed since it was last judged, and an alert is sent once per (kind,
 * key, day), by whichever run first sees enough. Report text in alerts is
 * only compared and copied here.
 */
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "arrival.h"
#include "limits.h"
#include "query_match.h"
#include "store_trust.h"
#include "xalloc.h"

static void alert_key(const struct alert *a, struct query_alert_key *k)
{
	static const char *const scopes[] = {
	    [ALERT_FAILURE_SPIKE] = "failure",
	    [ALERT_NEW_FAILURE] = "failure",
	    [ALERT_DOMAIN_SPIKE] = "domain",
	    [ALERT_RATE_DROP] = "rate",
	    [ALERT_SILENT_REPORTER] = "silent",
	    [ALERT_CONFLICTING_REPORT] = "conflict",
	    [ALERT_STALE_POLICY] = "stale-policy",
	    [ALERT_CERTIFICATE_EXPIRING] = "cert-expiring",
	    [ALERT_POLICY_UNREACHABLE] = "policy-unreachable",
	};

	k->scope = scopes[a->kind];
	k->policy_domain = a->policy_domain;
	k->mx_host = a->mx_host;
	k->result_type = a->result_type;
	k->organization = a->organization;
}

/* The figure an alert is sent with, and compared by for "grown". */
static int64_t alert_value(const struct alert *a)
{
	return a->kind == ALERT_SILENT_REPORTER ? a->baseline_reports : a->window_failed;
}

/* 1: send a (possibly as a grown follow-up, a->previous_value set), 0:
 * already sent; from what the store says of its key (query_alert_sent_many). */
static int alert_is_news(const struct alert_settings *s, struct alert *a,
                         const struct query_alert_sent *sent)
{
	if (s->repeat_after == 0)
		return 1;
	if (sent->found) {
		/* a grown follow-up only when the figure at least doubled */
		if (sent->value > 0 && alert_value(a) >= 2 * sent->value) {
			a->previous_value = sent->value;
			return 1;
		}
		return 0;
	}
	if (s->repeat_after > 1 && sent->found_before &&
	    a->day - sent->before_day < s->repeat_after)
		return 0;
	return 1;
}

/* Which days of [since, until) to judge: the last always (the usual
 * window), the others when their reports changed since they were judged,
 * or were never judged and hold reports. */
static int alert_days_to_judge(struct store *st, int64_t since, int64_t until,
                               struct query_day_mark *now, int *judge, char *err, size_t errlen)
{
	size_t n = (size_t)(until - since), i;
	struct query_day_mark *then = xcalloc(n, sizeof(*then));
	int *seen = xcalloc(n, sizeof(*seen));
	int rc = -1;

	if (query_day_marks(st, since, until, now, err, errlen) < 0 ||
	    query_alert_judged(st, since, until, then, seen, err, errlen) < 0)
		goto out;
	for (i = 0; i < n; i++)
		judge[i] = i + 1 == n || (seen[i] ? now[i].reports != then[i].reports ||
		                                        now[i].last_report != then[i].last_report
		                                  : now[i].reports > 0);
	rc = 0;
out:
	free(then);
	free(seen);
	return rc;
}

/* silence is judged in the usual window only: a late day's new reports
 * cannot make a reporter silent; held conflicts belong to no day, so the
 * usual window speaks for them */
static int alert_late_ignored(const struct alert *a, int late)
{
	return late && (a->kind == ALERT_SILENT_REPORTER || a->kind == ALERT_CONFLICTING_REPORT);
}

/* Moves the alerts of src that are news into l (late ones marked);
 * counts the others in *dropped. Their sent state in one read. */
static int alert_keep_news(struct store *st, const struct alert_settings *s, struct alert_list *src,
                           int late, struct alert_list *l, size_t *dropped, char *err,
                           size_t errlen)
{
	struct query_alert_key *keys = xcalloc(src->n + 1, sizeof(*keys));
	struct query_alert_sent *sent = xcalloc(src->n + 1, sizeof(*sent));
	int64_t *days = xcalloc(src->n + 1, sizeof(*days));
	size_t k, m = 0;
	int rc = -1;

	for (k = 0; k < src->n && s->repeat_after != 0; k++)
		if (!alert_late_ignored(&src->alerts[k], late)) {
			alert_key(&src->alerts[k], &keys[m]);
			days[m++] = src->alerts[k].day;
		}
	if (query_alert_sent_many(st, keys, days, m, s->repeat_after > 1, sent, err, errlen) < 0)
		goto out;
	for (k = 0, m = 0; k < src->n; k++) {
		struct alert *a = &src->alerts[k];

		if (alert_late_ignored(a, late) ||
		    !alert_is_news(s, a, s->repeat_after != 0 ? &sent[m++] : &sent[0])) {
			(*dropped)++;
			continue;
		}
		/* one held back for its reporters did not come late */
		a->late = late && !a->waited;
		alert_list_take(l, a);
	}
	rc = 0;
out:
	free(keys);
	free(sent);
	free(days);
	return rc;
}

/* Marks the alerts whose window holds only unverified-mail reports for
 * their domain (and organization): anyone could have sent those. Each
 * alert over its own window (late days have theirs), all in one read. */
static int alert_mark_unverified(struct store *st, struct alert_list *l, char *err, size_t errlen)
{
	const char **domains = xcalloc(l->n + 1, sizeof(*domains));
	const char **orgs = xcalloc(l->n + 1, sizeof(*orgs));
	int64_t *since = xcalloc(l->n + 1, sizeof(*since));
	int64_t *until = xcalloc(l->n + 1, sizeof(*until));
	int64_t *verified = xcalloc(l->n + 1, sizeof(*verified));
	int64_t *unverified = xcalloc(l->n + 1, sizeof(*unverified));
	size_t *which = xcalloc(l->n + 1, sizeof(*which));
	size_t i, n = 0;
	int rc = -1;

	for (i = 0; i < l->n; i++) {
		const struct alert *a = &l->alerts[i];

		/* silence, held conflicts and check results rest on no
		 * window of reports */
		if (a->kind != ALERT_FAILURE_SPIKE && a->kind != ALERT_NEW_FAILURE &&
		    a->kind != ALERT_DOMAIN_SPIKE && a->kind != ALERT_RATE_DROP)
			continue;
		domains[n] = a->policy_domain != NULL ? a->policy_domain : "";
		orgs[n] = a->organization;
		since[n] = a->window_since;
		until[n] = a->window_until;
		which[n++] = i;
	}
	if (n > 0 && store_reports_by_trust_many(st, since, until, domains, orgs, n, verified,
	                                         unverified, err, errlen) < 0)
		goto out;
	for (i = 0; i < n; i++)
		l->alerts[which[i]].unverified_only = verified[i] == 0 && unverified[i] > 0;
	rc = 0;
out:
	free(domains);
	free(orgs);
	free(since);
	free(until);
	free(verified);
	free(unverified);
	free(which);
	return rc;
}

int alert_add_context(struct store *st, struct alert_list *l, char *err, size_t errlen)
{
	struct query_alert_key *keys = xcalloc(l->n + 1, sizeof(*keys));
	char **reporters = xcalloc(l->n + 1, sizeof(*reporters));
	char **reasons = xcalloc(l->n + 1, sizeof(*reasons));
	int64_t *since = xcalloc(l->n + 1, sizeof(*since));
	int64_t *until = xcalloc(l->n + 1, sizeof(*until));
	size_t *which = xcalloc(l->n + 1, sizeof(*which));
	int *done = xcalloc(l->n + 1, sizeof(*done));
	size_t i, j, n;
	int64_t lo, hi;
	int together, differ, rc = -1;

	if (alert_mark_unverified(st, l, err, errlen) < 0)
		goto out;
	/* every alert's failure details in one read of their days when they
	 * span at most a lookback (a run's late days have windows of their
	 * own); else the alerts of one window together */
	for (i = 0; i < l->n; i++) {
		since[i] = l->alerts[i].window_since;
		until[i] = l->alerts[i].window_until;
	}
	query_periods_span(since, until, l->n, &lo, &hi, &differ);
	together = hi - lo <= LIMIT_ALERT_LOOKBACK_DAYS;
	for (i = 0; i < l->n; i++) {
		const struct alert *a = &l->alerts[i];

		if (done[i])
			continue;
		for (j = i, n = 0; j < l->n; j++) {
			const struct alert *b = &l->alerts[j];

			if (done[j] || (!together && (b->window_since != a->window_since ||
			                              b->window_until != a->window_until)))
				continue;
			done[j] = 1;
			alert_key(b, &keys[n]);
			since[n] = b->window_since;
			until[n] = b->window_until;
			which[n++] = j;
		}
		if (query_alert_contexts(st, keys, n, since, until, reporters, reasons, err,
		                         errlen) < 0)
			goto out;
		for (j = 0; j < n; j++) {
			l->alerts[which[j]].reporters = reporters[j];
			l->alerts[which[j]].reason_code = reasons[j];
		}
	}
	rc = 0;
out:
	free(keys);
	free(reporters);
	free(reasons);
	free(since);
	free(until);
	free(which);
	free(done);
	return rc;
}

int64_t alert_lookback_days(const struct alert_settings *s)
{
	if (s->lookback < 1)
		return 1;
	return s->lookback > LIMIT_ALERT_LOOKBACK_DAYS ? LIMIT_ALERT_LOOKBACK_DAYS : s->lookback;
}

/* The days not in yet of [since, until) for the domains the alerts of
 * lists[0..n) name (those alert_apply_arrival asks about): a few rows per
 * domain, none without alerts. With TLSWATCH_NO_SHARED_READS every
 * domain's, as before (the reference of alert_shared.sh). */
static int alert_arrival(struct store *st, const struct alert_reads *reads, int64_t since,
                         int64_t until, const struct alert_list *lists, size_t n,
                         struct arrival *arr, char *err, size_t errlen)
{
	const char **domains;
	size_t i, k, count = 0;
	int rc;

	if (reads->per_day)
		return arrival_build(st, since, until, arr, err, errlen);
	for (i = 0; i < n; i++)
		count += lists[i].n;
	domains = xcalloc(count + 1, sizeof(*domains));
	for (i = 0, count = 0; i < n; i++)
		for (k = 0; k < lists[i].n; k++) {
			const struct alert *a = &lists[i].alerts[k];

			if (a->kind != ALERT_SILENT_REPORTER && a->kind != ALERT_CONFLICTING_REPORT)
				domains[count++] = a->policy_domain != NULL ? a->policy_domain : "";
		}
	rc = arrival_build_domains(st, since, until, domains, count, arr, err, errlen);
	free(domains);
	return rc;
}

int alert_run(struct store *st, const struct alert_settings *s, struct alert_list *out,
              size_t *suppressed, char *err, size_t errlen)
{
	struct alert_list l, published, *days = NULL;
	struct alert_params p = s->p;
	struct query_day_mark *marks = NULL;
	struct arrival arr = {NULL, 0};
	struct alert_reads reads;
	int64_t lookback, until = s->p.at, first_at;
	size_t i, n, dropped = 0;
	int *judge = NULL, wait, rc = -1;

	memset(&l, 0, sizeof(l));
	memset(&published, 0, sizeof(published));
	memset(&reads, 0, sizeof(reads));
	lookback = alert_lookback_days(s);
	n = (size_t)lookback;
	marks = xcalloc(n, sizeof(*marks));
	judge = xcalloc(n, sizeof(*judge));
	/* days[i]: the alerts of judged day i; days[n - 1] the usual window */
	days = xcalloc(n, sizeof(*days));
	if (alert_days_to_judge(st, until - lookback, until, marks, judge, err, errlen) < 0)
		goto out;
	/* every judged day's series in one read */
	for (first_at = until, i = 0; i + 1 < n; i++)
		if (judge[i] && marks[i].day + 1 < first_at)
			first_at = marks[i].day + 1;
	if (alert_reads_start(st, &p, first_at, until, &reads, err, errlen) < 0 ||
	    alert_evaluate_day(st, &p, &reads, &days[n - 1], err, errlen) < 0)
		goto out;
	/* every judged day's alerts first: the days not in yet are then
	 * read for their domains only */
	for (i = 0; i + 1 < n; i++) {
		if (!judge[i])
			continue;
		p.at = marks[i].day + 1;
		if (alert_evaluate_day(st, &p, &reads, &days[i], err, errlen) < 0)
			goto out;
	}
	if (alert_arrival(st, &reads, until - lookback, until, days, n, &arr, err, errlen) < 0)
		goto out;
	/* the usual window gives the list its periods; late days come first */
	l.params = days[n - 1].params;
	l.window_since = days[n - 1].window_since;
	l.window_until = days[n - 1].window_until;
	l.baseline_since = days[n - 1].baseline_since;
	l.baseline_until = days[n - 1].baseline_until;
	l.judged = xcalloc(n, sizeof(*l.judged));
	for (i = 0; i + 1 < n; i++) {
		if (!judge[i])
			continue;
		/* a day with alerts waiting for its reporters is judged again */
		wait = 0;
		alert_apply_arrival(&days[i], &arr, until, lookback, &wait);
		l.waiting += days[i].waiting;
		if (!wait)
			l.judged[l.n_judged++] = marks[i];
		if (alert_keep_news(st, s, &days[i], 1, &l, &dropped, err, errlen) < 0)
			goto out;
	}
	wait = 0;
	alert_apply_arrival(&days[n - 1], &arr, until, lookback, &wait);
	l.waiting += days[n - 1].waiting;
	if (!wait)
		l.judged[l.n_judged++] = marks[n - 1];
	/* the stored check results' kinds (docs/check.md), judged as of --at */
	if (alert_keep_news(st, s, &days[n - 1], 0, &l, &dropped, err, errlen) < 0 ||
	    alert_published(st, until, s->expiry_warn_days, &published, err, errlen) < 0 ||
	    alert_keep_news(st, s, &published, 0, &l, &dropped, err, errlen) < 0 ||
	    alert_add_context(st, &l, err, errlen) < 0)
		goto out;
	l.base_url = s->base_url;
	*suppressed = dropped;
	*out = l;
	memset(&l, 0, sizeof(l));
	rc = 0;
out:
	for (i = 0; i < n; i++)
		alert_list_free(&days[i]);
	free(days);
	free(marks);
	free(judge);
	alert_reads_free(&reads);
	arrival_free(&arr);
	alert_list_free(&published);
	alert_list_free(&l);
	return rc;
}

int alert_record_sent(struct store *st, const struct alert_list *l, int64_t now, char *err,
                      size_t errlen)
{
	struct query_alert_key k;
	size_t i;
	int rc = -1;

	if (store_begin(st, err, errlen) < 0)
		return -1;
	for (i = 0; i < l->n; i++) {
		const struct alert *a = &l->alerts[i];

		alert_key(a, &k);
		if (query_alert_record_sent(st, &k, a->day, alert_value(a), now, err, errlen) < 0)
			goto out;
	}
	for (i = 0; i < l->n_judged; i++)
		if (query_alert_record_judged(st, &l->judged[i], now, err, errlen) < 0)
			goto out;
	rc = 0;
out:
	if (rc < 0) {
		store_rollback(st);
		return -1;
	}
	return store_commit(st, err, errlen);
}
