/*
 * alert_published.c - the alert kinds read from the stored 'tlswatch
 * check' results (published.h, docs/check.md): stale-policy,
 * certificate-expiring and policy-unreachable, as alerts that
 * alert_run.c sends once per (kind, key, day) like the others. The text
 * came from DNS, HTTPS, SMTP and reports: copied here, escaped by the
 * renderers.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alert.h"
#include "datetime.h"
#include "published.h"
#include "xalloc.h"

static enum alert_kind alert_of(enum published_kind k)
{
	switch (k) {
	case PUBLISHED_STALE_POLICY:
		return ALERT_STALE_POLICY;
	case PUBLISHED_CERT_EXPIRING:
		return ALERT_CERTIFICATE_EXPIRING;
	default:
		return ALERT_POLICY_UNREACHABLE;
	}
}

int alert_published(struct store *st, int64_t at, int expiry_warn_days, struct alert_list *out,
                    char *err, size_t errlen)
{
	struct published_list pl = {NULL, 0};
	struct alert_list l;
	int64_t now = (int64_t)time(NULL);
	size_t i, k;

	/* judged as of --at: the end of the day before it, or now when that
	 * is later (today's run) */
	if (at < datetime_day_of(now))
		now = at * 86400;
	if (published_read(st, NULL, 0, now, expiry_warn_days, &pl, err, errlen) < 0)
		return -1;
	memset(&l, 0, sizeof(l));
	for (i = 0; i < pl.n; i++) {
		for (k = 0; k < pl.d[i].n; k++) {
			const struct published_note *n = &pl.d[i].note[k];
			struct alert a;

			if (!n->alert)
				continue;
			memset(&a, 0, sizeof(a));
			a.kind = alert_of(n->kind);
			a.policy_domain = xstrdup(pl.d[i].domain);
			a.mx_host = n->host[0] != '\0' ? xstrdup(n->host) : NULL;
			a.organization =
			    n->organization[0] != '\0' ? xstrdup(n->organization) : NULL;
			a.message = xstrdup(n->text);
			a.window_failed = 1; /* the value it is sent with */
			a.day = n->day;
			a.since_day = n->day;
			a.window_since = n->day;
			a.window_until = n->day + 1;
			alert_list_take(&l, &a);
		}
	}
	published_list_free(&pl);
	*out = l;
	return 0;
}
