/*
 * alert.h - spike alerts for a daily cron job (docs/alerts.md).
 *
 * For the window (the --window complete UTC days before --at) against the
 * baseline (the --baseline days before the window), from the aggregate
 * tables:
 *  - each (policy domain, MX host, result type): failed sessions in the
 *    window against the baseline's daily mean and spread: a spike when the
 *    window reaches min_failures, factor x the mean, and the mean plus
 *    factor times the spread (per day). The spread is the larger of the
 *    group's standard deviation and its domain's: a group's own 28 days
 *    are mostly zeros and rarely show how bursty it is, its domain's total
 *    does. A group without failures in the baseline is a new failure, on
 *    min_failures alone;
 *  - each policy domain overall, by the same rule with its own deviation
 *    (only when none of its groups alerted);
 *  - each policy domain's success rate falling sharply (only when nothing
 *    else alerted for it);
 *  - each reporter that sent reports on every day before the last
 *    max(window, ALERT_SILENT_GAP_DAYS) days (at least
 *    ALERT_SILENT_MIN_DAYS, with ALERT_SILENT_MIN_SESSIONS a day) and
 *    none in those.
 * Alerts already sent (alert_sent table) are not sent again until
 * repeat_after days have passed.
 *
 * Evaluation reads only; alert_filter_sent and alert_record_sent use the
 * state table. Report text in alerts is escaped by the renderers.
 * Errors: 0 or -1 with a one-line reason in err.
 */
#ifndef TLSWATCH_ALERT_H
#define TLSWATCH_ALERT_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"
#include "strbuf.h"

/* A domain's success rate must fall by at least this many basis points
 * (5 percentage points) to alert: smaller moves are noise at low volume. */
#define ALERT_RATE_DROP_BP 500
/* A reporter is "daily" only after this many days in a row: a small one
 * that reports on 80% of days still has a week-long run now and then,
 * a three-week run it almost never has by chance. */
#define ALERT_SILENT_MIN_DAYS 21
/* Silence is at least this many days (the window, or more when shorter):
 * a reporter that had no mail to a domain one day sends nothing that day,
 * so one missing day is common; two in a row from a daily reporter are not. */
#define ALERT_SILENT_GAP_DAYS 2
/* ... and only for a reporter with at least this many sessions a day on
 * average: mail traffic is roughly Poisson, and at 20 a day a day without
 * any comes once in 10^9 days, while a reporter with a handful can have
 * no mail for you for days on end. */
#define ALERT_SILENT_MIN_SESSIONS 20

struct alert_params {
	int64_t at;           /* evaluate as if today were this UTC day */
	int64_t window;       /* days, >= 1 */
	int64_t baseline;     /* days, >= 1 */
	double factor;        /* > 0 */
	int64_t min_failures; /* >= 1 */
};

enum alert_kind {
	ALERT_FAILURE_SPIKE,  /* (domain, MX, result type) */
	ALERT_NEW_FAILURE,    /* (domain, MX, result type) without baseline */
	ALERT_DOMAIN_SPIKE,   /* domain overall */
	ALERT_RATE_DROP,      /* domain success rate */
	ALERT_SILENT_REPORTER /* organization */
};

struct alert {
	enum alert_kind kind;
	char *policy_domain; /* NULL: absent in the reports, or not part */
	char *mx_host;       /* of this kind's key */
	char *result_type;
	char *organization;
	int64_t window_failed; /* failed sessions in the window */
	int64_t window_successful;
	int64_t baseline_failed; /* failed sessions in the whole baseline */
	int64_t baseline_successful;
	int64_t baseline_reports; /* silent reporter: reports in the baseline */
	double baseline_mean;     /* failed sessions per baseline day */
	double baseline_sd;       /* their population standard deviation */
	double spread;            /* the deviation the rule used: the larger of
	                           * baseline_sd and the domain's */
	int64_t silent_days;      /* silent reporter: days without a report */
	int64_t regular_days;     /* ... after reporting on each of these */
};

struct alert_list {
	struct alert *alerts;
	size_t n;
	size_t alloc;
	struct alert_params params;
	int64_t window_since, window_until;     /* [since, until) */
	int64_t baseline_since, baseline_until; /* shortened to the first
	                                         * day with reports */
};

/* Mean and population standard deviation of n daily values (0, 0 when n
 * is 0). */
void alert_stats(const int64_t *daily, size_t n, double *mean, double *sd);

/* The spike rule for a window total against baseline statistics over
 * baseline_days (0: no baseline). Returns 0 (no alert), or
 * ALERT_FAILURE_SPIKE / ALERT_NEW_FAILURE + 1 -- i.e. 1 + the kind. */
int alert_spike_rule(const struct alert_params *p, int64_t window_total, double mean, double sd,
                     int64_t baseline_days);

/* Success-rate rule: 1 when the window's rate fell sharply against the
 * baseline's (see docs/alerts.md). */
int alert_rate_rule(const struct alert_params *p, int64_t ok, int64_t failed, int64_t base_ok,
                    int64_t base_failed);

/* Evaluates every rule; *out lists the alerts (caller frees). */
int alert_evaluate(struct store *st, const struct alert_params *p, struct alert_list *out,
                   char *err, size_t errlen);
void alert_list_free(struct alert_list *l);

/* Removes the alerts sent for an --at day d with d <= at < d + repeat_after
 * (repeat_after 0 removes none); *suppressed counts them. */
int alert_filter_sent(struct store *st, struct alert_list *l, int64_t repeat_after,
                      size_t *suppressed, char *err, size_t errlen);
/* Records every alert of l as sent for l's --at day at the UTC second now,
 * in one transaction. Needs a read-write store. */
int alert_record_sent(struct store *st, const struct alert_list *l, int64_t now, char *err,
                      size_t errlen);

/* One line describing a (what, where, how much, against what baseline),
 * report text escaped for a terminal, into sb (no newline). */
STRBUF_MUST_CHECK int alert_format_line(const struct alert_list *l, const struct alert *a,
                                        struct strbuf *sb);
/* One line per alert. */
STRBUF_MUST_CHECK int alert_render_text(const struct alert_list *l, struct strbuf *sb);
/* The alert document (docs/alerts.md), with a Slack/Mattermost/Teams
 * "text" field. */
STRBUF_MUST_CHECK int alert_render_json(const struct alert_list *l, struct strbuf *sb, int pretty);
/* The kind's name in JSON: "failure-spike", "new-failure", ... */
const char *alert_kind_name(enum alert_kind k);

#endif
