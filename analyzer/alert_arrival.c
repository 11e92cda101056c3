/*
 * alert_arrival.c - alerts on a day whose reports are not all in yet
 * (alert.h, alert_apply_arrival; docs/alerts.md "Days not in yet"). Alert
 * strings are report text: only copied here.
 */
#include <string.h>

#include "alert.h"
#include "arrival.h"
#include "xalloc.h"

/* Rules a missing reporter's sessions could undo: they judge failures
 * against the day's sessions. A count only grows as reports come in. */
static int alert_rests_on_sessions(const struct alert *a)
{
	return a->by_rate || a->kind == ALERT_RATE_DROP;
}

void alert_apply_arrival(struct alert_list *l, const struct arrival *arr, int64_t at,
                         int64_t lookback, int *wait)
{
	size_t i, kept = 0;

	for (i = 0; i < l->n; i++) {
		struct alert *a = &l->alerts[i];
		const struct arrival_day *d = NULL;

		if (a->kind != ALERT_SILENT_REPORTER && a->kind != ALERT_CONFLICTING_REPORT)
			d = arrival_find(arr, a->policy_domain, a->day);
		/* a later run still looks at the day (the usual window ends
		 * the day before at; the lookback keeps lookback days) */
		if (d != NULL && alert_rests_on_sessions(a) && at - a->day <= ARRIVAL_WAIT_DAYS &&
		    at - a->day < lookback) {
			alert_clear(a);
			l->waiting++;
			*wait = 1;
			continue;
		}
		if (d != NULL) {
			a->waited = alert_rests_on_sessions(a);
			a->usual_reporters = d->usual;
			a->reporters_in = d->in;
			a->missing_reporters = xstrdup(d->missing);
		}
		if (kept != i) {
			l->alerts[kept] = *a;
			memset(a, 0, sizeof(*a));
		}
		kept++;
	}
	l->n = kept;
}
