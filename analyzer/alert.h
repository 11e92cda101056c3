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

#include "query.h"
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

/* Defaults of the settings (docs/alerts.md). */
#define ALERT_DEFAULT_WINDOW       1
#define ALERT_DEFAULT_BASELINE     28
#define ALERT_DEFAULT_FACTOR       3.0
#define ALERT_DEFAULT_MIN_FAILURES 10
#define ALERT_DEFAULT_REPEAT_AFTER 1
#define ALERT_DEFAULT_LOOKBACK     7

/* The failure-rate rule (docs/alerts.md, rule 1b): news however few the
 * sessions when at least ALERT_SMALL_MIN_FAILURES failed, making at least
 * ALERT_SMALL_RATE_BP of the window's sessions, after a baseline whose
 * failure rate was under ALERT_SMALL_BASE_BP, and when that many failures
 * would come by chance, at the baseline's rate, at most once in
 * 1/ALERT_SMALL_CHANCE days. On generated quiet months the first three
 * conditions alone alerted on 3 of 6 sessions failing at a domain whose
 * sessions fail 4 % of the time: once in about 1,000 domain-days, too
 * often for a job that watches hundreds of domains. */
#define ALERT_SMALL_MIN_FAILURES 3
#define ALERT_SMALL_RATE_BP      5000 /* 50 % */
#define ALERT_SMALL_BASE_BP      500  /* 5 % */
#define ALERT_SMALL_CHANCE       1e-5 /* once in 100,000 domain-days */

/* Discord's limit on a message's content, in characters. */
#define ALERT_DISCORD_MAX 2000

/* What --webhook POSTs (docs/alerts.md, Delivery). */
enum alert_webhook_format {
	ALERT_WEBHOOK_JSON,   /* the alert document */
	ALERT_WEBHOOK_SLACK,  /* {"text"}: Slack, Mattermost */
	ALERT_WEBHOOK_TEAMS,  /* a Teams Workflows message with an Adaptive Card */
	ALERT_WEBHOOK_MATRIX, /* m.room.message content {"msgtype", "body"} */
	ALERT_WEBHOOK_DISCORD /* {"content", "allowed_mentions"} */
};

struct config;

struct alert_params {
	int64_t at;           /* evaluate as if today were this UTC day */
	int64_t window;       /* days, >= 1 */
	int64_t baseline;     /* days, >= 1 */
	double factor;        /* > 0 */
	int64_t min_failures; /* >= 1 */
};

enum alert_kind {
	ALERT_FAILURE_SPIKE,   /* (domain, MX, result type) */
	ALERT_NEW_FAILURE,     /* (domain, MX, result type) without baseline */
	ALERT_DOMAIN_SPIKE,    /* domain overall */
	ALERT_RATE_DROP,       /* domain success rate */
	ALERT_SILENT_REPORTER, /* organization */
	/* organization: reports held because they conflict with a stored one
	 * (same organization and report-id, different content; docs/trust.md)
	 * -- possible forgery. window_failed: how many. */
	ALERT_CONFLICTING_REPORT,
	/* from the stored 'tlswatch check' results (alert_published.c,
	 * docs/check.md), message says what: a reporter still applying a
	 * policy past its max_age (organization), an MX certificate expiring
	 * within [check] expiry_warn_days (mx_host), a policy senders cannot
	 * fetch */
	ALERT_STALE_POLICY,
	ALERT_CERTIFICATE_EXPIRING,
	ALERT_POLICY_UNREACHABLE
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
	/* the periods judged: the window ends with the day the failures
	 * happened on (day = window_until - 1) */
	int64_t day;
	int64_t window_since, window_until;
	int64_t baseline_since, baseline_until;
	int64_t window_sessions; /* the domain's sessions in the window (the
	                          * reports count sessions per domain); 0:
	                          * unknown */
	int by_rate;             /* raised by the failure-rate rule (few
	                          * sessions, most failing), not by count */
	int late;                /* judged on a later run than its day's first:
	                          * its reports came late */
	int64_t since_day;       /* failure kinds: the first day of the run
	                          * of days with failures that ends in the
	                          * window */
	char *reporters;         /* who saw it: "A, B and 2 more"; NULL */
	char *reason_code;       /* its most common failure-reason-code */
	int64_t previous_value;  /* a "grown" follow-up: the figure sent
	                          * before for the same day; 0: first sending */
	int unverified_only;     /* the window's reports behind it are all
	                          * unverified-mail (docs/trust.md) */
	/* its domain's day not in yet (arrival.h): usual reporters, those in
	 * so far, and the missing ones by name; usual_reporters 0: complete */
	int64_t usual_reporters, reporters_in;
	char *missing_reporters;
	int waited;    /* held back while its day came in, now judged as it is */
	char *message; /* the check-result kinds: what was found */
};

struct alert_list {
	struct alert *alerts;
	size_t n;
	size_t alloc;
	struct alert_params params;
	int64_t window_since, window_until;     /* [since, until) */
	int64_t baseline_since, baseline_until; /* shortened to the first
	                                         * day with reports */
	/* alert_run: the days judged, and what each held (recorded with the
	 * alerts by alert_record_sent) */
	struct query_day_mark *judged;
	size_t n_judged;
	const char *base_url; /* borrowed: [web] base_url, for links; NULL */
	size_t waiting;       /* alert_run: alerts held back until their day's
	                       * usual reporters are in (arrival.h) */
};

/* Everything the [alert] section and 'tlswatch alert' set: the rules
 * (also the dashboard's), and how the cron job sends. */
struct alert_settings {
	struct alert_params p;
	int64_t repeat_after; /* days, >= 0 */
	int64_t lookback;     /* days judged again when their data changed */
	const char *exec;     /* borrowed; NULL: none */
	const char *webhook;  /* borrowed; NULL: none */
	enum alert_webhook_format webhook_format;
	const char *base_url; /* borrowed: [web] base_url, the dashboard's
	                       * address for links in alerts; NULL: none */
	int expiry_warn_days; /* [check] expiry_warn_days (published.h) */
};

/* The defaults, evaluated for day today. */
void alert_settings_default(struct alert_settings *s, int64_t today);
/* One setting by its [alert] key ("window", "min_failures", ...) from its
 * text. 0, or -1 with the reason in err (s untouched). v is borrowed for
 * exec and webhook. */
int alert_setting_set(struct alert_settings *s, const char *key, const char *v, char *err,
                      size_t errlen);
/* Applies the configuration's [alert] section (and [web] base_url) over s: the one reader of
 * those keys, for 'tlswatch alert' and 'tlswatch web' alike. 0, or -1 with
 * "[alert] key: reason" in err. */
int alert_params_from_config(const struct config *cfg, struct alert_settings *s, char *err,
                             size_t errlen);

/* Mean and population standard deviation of n daily values (0, 0 when n
 * is 0). */
void alert_stats(const int64_t *daily, size_t n, double *mean, double *sd);

/* The spike rule for a window total against baseline statistics over
 * baseline_days (0: no baseline). Returns 0 (no alert), or
 * ALERT_FAILURE_SPIKE / ALERT_NEW_FAILURE + 1 -- i.e. 1 + the kind. */
int alert_spike_rule(const struct alert_params *p, int64_t window_total, double mean, double sd,
                     int64_t baseline_days);

/* The failure-rate rule for small volumes: 1 when failed of sessions
 * failed (>= ALERT_SMALL_MIN_FAILURES, >= ALERT_SMALL_RATE_BP) after a
 * baseline with base_failed of base_sessions under ALERT_SMALL_BASE_BP. */
int alert_small_rule(int64_t failed, int64_t sessions, int64_t base_failed, int64_t base_sessions);
/* P(X >= k) for X binomial(n, p), 0 < p < 1. */
double alert_binomial_tail(int64_t n, int64_t k, double p);

/* Success-rate rule: 1 when the window's rate fell sharply against the
 * baseline's (see docs/alerts.md). */
int alert_rate_rule(const struct alert_params *p, int64_t ok, int64_t failed, int64_t base_ok,
                    int64_t base_failed);

/* Evaluates every rule; *out lists the alerts (caller frees), without
 * their context (alert_add_context). */
int alert_evaluate(struct store *st, const struct alert_params *p, struct alert_list *out,
                   char *err, size_t errlen);

/* The series alert_evaluate reads, read once for every window a run
 * judges (issue 18): the windows ending at first_at..last_at (p's window
 * and baseline) share one read of the store, as the next day's baseline
 * is mostly this one's. */
/* The conflicts held, by organization (store_conflicts_by_organization):
 * the same for every window, so read once a run. */
struct alert_conflicts {
	char **organization; /* "" where none */
	int64_t *n;
	size_t count, alloc;
};
struct alert_reads {
	struct query_alert_series series; /* days [since, until) */
	struct alert_conflicts conflicts;
	/* for the domain, failure and organization rows: at each group's
	 * first row, the end of its group, found once for every day judged */
	size_t *domain_ends, *failure_ends, *organization_ends;
	int64_t since, until;
	int64_t first_at, last_at; /* the windows' ends it serves */
	/* p's window and floor, which chose the failure groups read
	 * (query_alert_need): a window judged from r must have the same */
	int64_t window, floor;
	int64_t first, last; /* the store's days (query_day_span) */
	int found;           /* 0: the store holds no report */
	int per_day;         /* alert_reads_start: each window read apart */
};
/* Reads the series for the windows ending at first_at..last_at (at most
 * LIMIT_ALERT_LOOKBACK_DAYS of them) into *out; free with alert_reads_free. */
int alert_reads_load(struct store *st, const struct alert_params *p, int64_t first_at,
                     int64_t last_at, struct alert_reads *out, char *err, size_t errlen);
/* alert_evaluate for the window ending at p->at (within r's), from r:
 * the same alerts, in the same order. Reads nothing more. */
int alert_evaluate_reads(const struct alert_params *p, const struct alert_reads *r,
                         struct alert_list *out, char *err, size_t errlen);
void alert_reads_free(struct alert_reads *r);
/* 0 when TLSWATCH_NO_SHARED_READS is set in the environment: each judged
 * window, and the overview's days not in yet, are read apart as before
 * issue 18, and alert reads every domain's days not in yet, not only its
 * alerts' (the reference the tests compare the shared reads with). */
int alert_shared_reads(void);
/* alert_reads_load for a run; with TLSWATCH_NO_SHARED_READS set in the
 * environment nothing is read and each window is read apart when judged,
 * as before issue 18: the reference the tests compare with. */
int alert_reads_start(struct store *st, const struct alert_params *p, int64_t first_at,
                      int64_t last_at, struct alert_reads *out, char *err, size_t errlen);
/* The alerts of the window ending at p->at, from r (alert_reads_start). */
int alert_evaluate_day(struct store *st, const struct alert_params *p, const struct alert_reads *r,
                       struct alert_list *out, char *err, size_t errlen);
void alert_list_free(struct alert_list *l);
/* Moves *a (and its strings) to the end of l; *a is zeroed. */
void alert_list_take(struct alert_list *l, struct alert *a);
/* The alerts of the stored check results (published.h) as of day at:
 * stale-policy, certificate-expiring, policy-unreachable, each for its
 * day (once a day while it lasts). Into *out (caller frees). */
int alert_published(struct store *st, int64_t at, int expiry_warn_days, struct alert_list *out,
                    char *err, size_t errlen);
/* Frees a's strings and zeroes it. */
void alert_clear(struct alert *a);

/* What a cron run does (docs/alerts.md): judges the day before s->p.at
 * and every earlier day of the last s->lookback whose reports changed
 * since it was last judged (alert_judged), each with s->p's window
 * ending that day; keeps each alert only when it was not sent for that
 * day yet (nor, with repeat_after > 1, for one of the repeat_after - 1
 * days before), or as a "grown" follow-up when its figure at least
 * doubled since. repeat_after 0 keeps every alert. *out lists the alerts
 * (oldest day first) and the days judged; *suppressed counts the alerts
 * left out. Reads only. */
int alert_run(struct store *st, const struct alert_settings *s, struct alert_list *out,
              size_t *suppressed, char *err, size_t errlen);
/* s->lookback within 1..LIMIT_ALERT_LOOKBACK_DAYS: the days a run looks
 * back at. */
int64_t alert_lookback_days(const struct alert_settings *s);
/* Adds what a postmaster needs beside the figures to each alert of l:
 * who saw it, the most common failure-reason-code, and whether it rests
 * only on unverified reports (unverified_only), over its window. */
int alert_add_context(struct store *st, struct alert_list *l, char *err, size_t errlen);
/* The dashboard's "current alerts": what alert_run judges at s->p.at --
 * the usual window and every earlier day of the lookback holding reports
 * -- whether or not it was sent (the state tables are not read): each
 * alert once, for the latest day it is found on; alerts waiting for a
 * day's usual reporters left out as alert_run leaves them. Reads only. */
int alert_current(struct store *st, const struct alert_settings *s, struct alert_list *out,
                  char *err, size_t errlen);
struct arrival;
/* alert_current with the days not in yet of [s->p.at - lookback, s->p.at)
 * built by the caller (arrival_build; NULL: built here), as the overview
 * shares them with its summary. */
int alert_current_known(struct store *st, const struct alert_settings *s,
                        const struct arrival *known, struct alert_list *out, char *err,
                        size_t errlen);
/* What alert_current judges from that does not need the days not in yet:
 * the days of the lookback holding reports and every judged day's series
 * (alert_reads_start). The overview reads it on a second store handle
 * while it builds the days not in yet and its summary (issue 18). */
struct alert_current_reads {
	int *has;                 /* per day of the lookback: holds reports */
	struct alert_reads reads; /* the judged days' series */
	int64_t at;               /* s->p.at it was read for */
};
/* Reads *out for s (owned: free with alert_current_reads_free). 0, or -1
 * with the reason in err (*out untouched). Reads only. */
int alert_current_load(struct store *st, const struct alert_settings *s,
                       struct alert_current_reads *out, char *err, size_t errlen);
void alert_current_reads_free(struct alert_current_reads *r);
/* alert_current_known from r (alert_current_load with the same s, on any
 * handle of the same store), with the context (alert_add_context: one
 * query per alert) read only for the first limit alerts that shown(a,
 * arg) accepts, in the list's order: the dashboard shows those and counts
 * the rest (issue 18). The others' reporters and reason_code stay NULL,
 * their unverified_only 0. */
int alert_current_shown(struct store *st, const struct alert_settings *s,
                        const struct alert_current_reads *r, const struct arrival *known,
                        int (*shown)(const struct alert *a, const void *arg), const void *arg,
                        size_t limit, struct alert_list *out, char *err, size_t errlen);

struct arrival;
/* Days not in yet (docs/alerts.md): each alert of l whose domain's day
 * is still missing usual reporters carries them (usual_reporters,
 * reporters_in, missing_reporters). One the missing reporters could undo
 * -- the failure-rate rule and a success-rate drop rest on the day's
 * sessions -- is taken out of l while its day can still be judged again
 * (within ARRIVAL_WAIT_DAYS after it, and inside the lookback ending
 * before at), counted in l->waiting, and *wait set: its day is not
 * recorded as judged, so the next run judges it again. Later it is kept,
 * with the note. */
void alert_apply_arrival(struct alert_list *l, const struct arrival *arr, int64_t at,
                         int64_t lookback, int *wait);

/* Records every alert of l as sent for its day, and every day l judged,
 * at the UTC second now, in one transaction. Needs a read-write store. */
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
/* The body --webhook POSTs in format f, each escaped for its target:
 * Slack's & < >, Markdown's active characters for Teams and Discord (whose
 * mentions are switched off), none for Matrix's plain body. */
STRBUF_MUST_CHECK int alert_render_webhook(const struct alert_list *l, enum alert_webhook_format f,
                                           struct strbuf *sb);
/* "json", "slack", "teams", "matrix", "discord": 0, or -1 for others. */
int alert_webhook_format_parse(const char *s, enum alert_webhook_format *out);
/* The kind's name in JSON: "failure-spike", "new-failure", ... */
const char *alert_kind_name(enum alert_kind k);

#endif
