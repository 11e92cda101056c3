/*
 * alert_current.c - the dashboard's "current alerts" (alert.h,
 * alert_current): the days the cron job judges, each alert once. Report
 * text in alerts is only compared and copied here.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "arrival.h"
#include "xalloc.h"

static int alert_str_same(const char *a, const char *b)
{
	return strcmp(a != NULL ? a : "", b != NULL ? b : "") == 0;
}

/* Spikes and new failures of one group are one subject (alert_sent_day's
 * "failure" scope). */
static int alert_subject(enum alert_kind k)
{
	return k == ALERT_NEW_FAILURE ? ALERT_FAILURE_SPIKE : (int)k;
}

static int alert_listed(const struct alert_list *l, const struct alert *a)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		const struct alert *b = &l->alerts[i];

		if (alert_subject(a->kind) == alert_subject(b->kind) &&
		    alert_str_same(a->policy_domain, b->policy_domain) &&
		    alert_str_same(a->mx_host, b->mx_host) &&
		    alert_str_same(a->result_type, b->result_type) &&
		    alert_str_same(a->organization, b->organization))
			return 1;
	}
	return 0;
}

int alert_current(struct store *st, const struct alert_settings *s, struct alert_list *out,
                  char *err, size_t errlen)
{
	return alert_current_known(st, s, NULL, out, err, errlen);
}

int alert_current_load(struct store *st, const struct alert_settings *s,
                       struct alert_current_reads *out, char *err, size_t errlen)
{
	struct alert_current_reads r;
	int64_t lookback = alert_lookback_days(s), until = s->p.at, first_at;
	size_t i, n = (size_t)lookback;
	int rc = -1;

	memset(&r, 0, sizeof(r));
	r.at = until;
	/* which days hold reports: only those are judged (counting their
	 * reports, as alert_run's marks do, cost a tenth of the page) */
	r.has = xcalloc(n, sizeof(*r.has));
	if (query_days_with_reports(st, until - lookback, until, r.has, err, errlen) < 0)
		goto out;
	/* every judged day's series in one read */
	for (first_at = until, i = 0; i + 1 < n; i++)
		if (r.has[i] && until - lookback + (int64_t)i + 1 < first_at)
			first_at = until - lookback + (int64_t)i + 1;
	if (alert_reads_start(st, &s->p, first_at, until, &r.reads, err, errlen) < 0)
		goto out;
	*out = r;
	memset(&r, 0, sizeof(r));
	rc = 0;
out:
	alert_current_reads_free(&r);
	return rc;
}

void alert_current_reads_free(struct alert_current_reads *r)
{
	if (r == NULL)
		return;
	free(r->has);
	alert_reads_free(&r->reads);
	memset(r, 0, sizeof(*r));
}

/* The alerts of alert_current_known without their context, judged from
 * r (alert_current_load with the same s). */
static int alert_current_judge(struct store *st, const struct alert_settings *s,
                               const struct alert_current_reads *r, const struct arrival *known,
                               struct alert_list *out, char *err, size_t errlen)
{
	struct alert_list l, day_list, published;
	struct alert_params p = s->p;
	struct arrival arr = {NULL, 0};
	int64_t lookback = alert_lookback_days(s), until = s->p.at;
	size_t i, k, n;
	int wait, rc = -1;

	assert(r->at == until);
	memset(&l, 0, sizeof(l));
	memset(&day_list, 0, sizeof(day_list));
	memset(&published, 0, sizeof(published));
	n = (size_t)lookback;
	if ((known == NULL && arrival_build(st, until - lookback, until, &arr, err, errlen) < 0) ||
	    alert_evaluate_day(st, &p, &r->reads, &l, err, errlen) < 0)
		goto out;
	wait = 0;
	alert_apply_arrival(&l, known != NULL ? known : &arr, until, lookback, &wait);
	/* the earlier days, latest first: an alert found again on an
	 * earlier day is the same problem, already listed */
	for (i = n - 1; i-- > 0;) {
		if (!r->has[i])
			continue;
		p.at = until - lookback + (int64_t)i + 1;
		if (alert_evaluate_day(st, &p, &r->reads, &day_list, err, errlen) < 0)
			goto out;
		alert_apply_arrival(&day_list, known != NULL ? known : &arr, until, lookback,
		                    &wait);
		l.waiting += day_list.waiting;
		for (k = 0; k < day_list.n; k++) {
			struct alert *a = &day_list.alerts[k];

			/* as alert_run: silence and held conflicts belong to
			 * the usual window */
			if (a->kind == ALERT_SILENT_REPORTER ||
			    a->kind == ALERT_CONFLICTING_REPORT || alert_listed(&l, a))
				continue;
			alert_list_take(&l, a);
		}
		alert_list_free(&day_list);
	}
	/* the stored check results' kinds, as alert_run adds them */
	if (alert_published(st, until, s->expiry_warn_days, &published, err, errlen) < 0)
		goto out;
	for (k = 0; k < published.n; k++)
		if (!alert_listed(&l, &published.alerts[k]))
			alert_list_take(&l, &published.alerts[k]);
	*out = l;
	memset(&l, 0, sizeof(l));
	rc = 0;
out:
	arrival_free(&arr);
	alert_list_free(&day_list);
	alert_list_free(&published);
	alert_list_free(&l);
	return rc;
}

int alert_current_known(struct store *st, const struct alert_settings *s,
                        const struct arrival *known, struct alert_list *out, char *err,
                        size_t errlen)
{
	struct alert_current_reads r;
	struct alert_list l;
	int rc;

	if (alert_current_load(st, s, &r, err, errlen) < 0)
		return -1;
	rc = alert_current_judge(st, s, &r, known, &l, err, errlen);
	alert_current_reads_free(&r);
	if (rc < 0)
		return -1;
	if (alert_add_context(st, &l, err, errlen) < 0) {
		alert_list_free(&l);
		return -1;
	}
	*out = l;
	return 0;
}

int alert_current_shown(struct store *st, const struct alert_settings *s,
                        const struct alert_current_reads *r, const struct arrival *known,
                        int (*shown)(const struct alert *a, const void *arg), const void *arg,
                        size_t limit, struct alert_list *out, char *err, size_t errlen)
{
	struct alert_list l, sub;
	size_t *which = NULL, i;
	int rc = -1;

	if (alert_current_judge(st, s, r, known, &l, err, errlen) < 0)
		return -1;
	/* the shown alerts, copied shallow: their context is read (one
	 * query per alert) and handed back, the copies' array freed alone */
	memset(&sub, 0, sizeof(sub));
	sub.alerts = xcalloc(limit < l.n ? limit + 1 : l.n + 1, sizeof(*sub.alerts));
	which = xcalloc(limit < l.n ? limit + 1 : l.n + 1, sizeof(*which));
	for (i = 0; i < l.n && sub.n < limit; i++)
		if (shown(&l.alerts[i], arg)) {
			which[sub.n] = i;
			sub.alerts[sub.n++] = l.alerts[i];
		}
	if (alert_add_context(st, &sub, err, errlen) < 0) {
		for (i = 0; i < sub.n; i++) {
			free(sub.alerts[i].reporters);
			free(sub.alerts[i].reason_code);
		}
		goto out;
	}
	for (i = 0; i < sub.n; i++) {
		l.alerts[which[i]].reporters = sub.alerts[i].reporters;
		l.alerts[which[i]].reason_code = sub.alerts[i].reason_code;
		l.alerts[which[i]].unverified_only = sub.alerts[i].unverified_only;
	}
	*out = l;
	memset(&l, 0, sizeof(l));
	rc = 0;
out:
	free(sub.alerts);
	free(which);
	alert_list_free(&l);
	return rc;
}
