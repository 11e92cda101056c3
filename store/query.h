/*
 * query.h - typed reads over the report store, for the analyzer (summary,
 * alert, reports, show) and the web dashboard: one code path for the
 * numbers, whoever shows them.
 *
 * Breakdowns read only the pre-aggregated tables (agg_domain, agg_failure,
 * agg_policy_type), whose primary keys start with the day, so a period
 * costs the rows of that period, not of the whole store; without an
 * organization filter, their roll-ups across reporters (roll_*,
 * schema/012_rollups.sql), so it costs days x series, not reports. The count-once
 * rules (docs/counting.md) were applied when the rows were written: here
 * rows are only summed. Every value is bound as a parameter; strings that
 * come back are report text (untrusted) and must be escaped on output.
 *
 * Days are UTC day numbers (days since 1970-01-01). In the aggregate tables
 * '' means "absent" (no policy-domain, no receiving-mx-hostname); here it
 * comes back as NULL.
 *
 * Errors: functions return 0 or -1 with a one-line reason in err. Output
 * parameters are written only on success.
 */
#ifndef TLSWATCH_QUERY_H
#define TLSWATCH_QUERY_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* A query_filter.since of QUERY_SINCE_EVER also counts the days 'db
 * prune' deleted (their totals, kept apart): all-time sums that never fall,
 * for /metrics. Breakdowns by day see them as this day. */
#define QUERY_SINCE_EVER (-1)

/* What to read. Strings are borrowed. since < until. */
struct query_filter {
	int64_t since;              /* first day, inclusive */
	int64_t until;              /* end day, exclusive */
	const char *const *domains; /* policy domains to keep (at most
	                             * LIMIT_FILTER_DOMAINS); none: all */
	size_t n_domains;
	const char *organization; /* NULL: every reporter */
	const char *mx_host;      /* NULL: all. Failure groups and the
	                           * report list only */
	const char *result_type;  /* NULL: all. Failure groups and the
	                           * report list only */
	const char *policy_type;  /* NULL: all. QUERY_BY_POLICY_TYPE and
	                           * the report list only */
	const char *provenance;   /* NULL: all (docs/trust.md). The report
	                           * list, failure details and every
	                           * breakdown and scan: these counted
	                           * again from each report of it (the
	                           * aggregates carry no provenance),
	                           * slower */
};

/* A breakdown. Each names its table, its key and its order (strings
 * compare bytewise; "absent" sorts after every name). */
enum query_group {
	/* agg_domain; by failed desc, successful desc, key asc */
	QUERY_BY_DOMAIN,       /* policy_domain */
	QUERY_BY_ORGANIZATION, /* organization */
	/* agg_domain; by key, then day */
	QUERY_BY_DAY,              /* day */
	QUERY_BY_DOMAIN_DAY,       /* policy_domain, day */
	QUERY_BY_ORGANIZATION_DAY, /* organization, day */
	/* agg_failure, groups with no failed session left out; by failed
	 * desc, then key asc */
	QUERY_BY_MX,          /* mx_host (agg_mx: once per MX; of one
	                       * result_type, agg_failure's figure) */
	QUERY_BY_RESULT_TYPE, /* result_type */
	QUERY_BY_FAILURE,     /* organization, policy_domain, mx_host,
	                       * result_type */
	/* agg_failure; by key, then day */
	QUERY_BY_FAILURE_DAY, /* policy_domain, mx_host, result_type, day */
	/* agg_mx (once per MX), groups with no failed session left out; by
	 * failed desc, then key asc */
	QUERY_BY_MX_DOMAIN, /* organization, policy_domain, mx_host */
	/* agg_policy_type; by failed desc, successful desc, key asc */
	QUERY_BY_POLICY_TYPE /* policy_type */
};

/* One row of a breakdown. Only the fields of the group's key are set;
 * the others are NULL (strings) or 0 (day). Strings are owned by the row. */
struct query_row {
	char *organization;
	char *policy_domain; /* NULL also where the domain was absent */
	char *mx_host;       /* NULL also where the MX was absent */
	char *result_type;
	char *policy_type;
	int64_t day;
	int64_t reports;             /* agg_domain groups; policies for
	                              * QUERY_BY_POLICY_TYPE; else 0 */
	int64_t successful_sessions; /* 0 for agg_failure groups */
	int64_t failed_sessions;
};

struct query_rows {
	struct query_row *rows;
	size_t n;
};

struct query_totals {
	int64_t reports; /* distinct reports of the period */
	int64_t successful_sessions;
	int64_t failed_sessions;
};

/* Sums the group's rows for the filter's period into *out (caller frees
 * with query_rows_free). limit 0: every row; else at most limit rows. */
int query_group(struct store *st, const struct query_filter *f, enum query_group g, size_t limit,
                struct query_rows *out, char *err, size_t errlen);
/* Frees the rows. query_rows_free on a zeroed struct is a no-op. */
void query_rows_free(struct query_rows *r);

/* Totals of the period: reports whose day is in [since, until) that match
 * the domain and organization filters (a report matches a domain when one
 * of its policies names it), and their sessions (from agg_domain). */
int query_totals(struct store *st, const struct query_filter *f, struct query_totals *out,
                 char *err, size_t errlen);

/* Every breakdown a summary needs, from one pass over agg_domain and one
 * over agg_failure (SQLite: sqlite_query_scan.c); each in the order of its query_group
 * counterpart. Caller frees with query_scan_free. */
struct query_scan {
	struct query_totals totals;
	struct query_rows by_domain;       /* QUERY_BY_DOMAIN */
	struct query_rows by_organization; /* QUERY_BY_ORGANIZATION */
	struct query_rows by_day;          /* QUERY_BY_DAY: days with rows only */
	struct query_rows by_mx;           /* QUERY_BY_MX */
	struct query_rows by_result_type;  /* QUERY_BY_RESULT_TYPE */
	struct query_rows failures;        /* QUERY_BY_FAILURE, every group */
	struct query_rows by_policy_type;  /* QUERY_BY_POLICY_TYPE, when asked */
};

int query_summary_scan(struct store *st, const struct query_filter *f, int want_types,
                       struct query_scan *out, char *err, size_t errlen);
void query_scan_free(struct query_scan *sc);

/* query_summary_scan_top's want: by_policy_type read too; by_mx, and
 * by_result_type of a scan without top groups (top_n 0), may be left
 * empty (for a reader that shows none: the dashboard's overview). A
 * backend may read more than asked (query_summary_scan reads all but the
 * policy types unless asked). */
#define QUERY_SCAN_POLICY_TYPES    1
#define QUERY_SCAN_NO_MX           2
#define QUERY_SCAN_NO_RESULT_TYPES 4

/* query_summary_scan, but failures need hold only every group of each
 * problem (domain, MX, result type) that holds one of the top_n largest
 * groups or is one of the top_n largest problems, and every group of the
 * problem of each row of keep (may be NULL), in QUERY_BY_FAILURE's order
 * (a backend may add other groups of their domains: SQLite reads each
 * domain whole). So its first top_n groups and its top_n problems are
 * those of the full breakdown, read for far fewer groups (with the
 * roll-ups; with a filter they cannot answer, every group). */
int query_summary_scan_top(struct store *st, const struct query_filter *f, int want, size_t top_n,
                           const struct query_rows *keep, struct query_scan *out, char *err,
                           size_t errlen);
/* The second half of query_summary_scan_top(st, f, 0, 0, keep, ...) when
 * its first was asked with no keep (no failure groups: the breakdowns
 * alone, read beside on another handle while keep was being found, as
 * the summary reads the period before): into sc->failures the groups
 * that call would have read (there already when the first half read
 * every group: a filter the pruned read cannot answer); sc's other rows
 * are that scan's and are not changed. */
int query_summary_scan_groups(struct store *st, const struct query_filter *f,
                              const struct query_rows *keep, struct query_scan *sc, char *err,
                              size_t errlen);

/* The daily series the alert rules read, from one pass over agg_domain
 * and one over agg_failure: QUERY_BY_DOMAIN_DAY, QUERY_BY_ORGANIZATION_DAY
 * and QUERY_BY_FAILURE_DAY, each sorted by key (absent first), then day. */
struct query_alert_series {
	struct query_rows domain_days;
	struct query_rows organization_days;
	struct query_rows failure_days;
	/* NULL: each row owns its strings. Else the rows' strings are these
	 * (the rows of one key share them), freed with them. */
	char **strings;
	size_t n_strings;
};

/* The failure groups an alert run can use (alert.c): a group (policy
 * domain, MX, result type) none of whose days in [since, until) holds
 * min_failed failed sessions cannot meet a failure rule in a window
 * inside those days, and may be left out of failure_days whole. A backend
 * may return it all the same (SQLite does: its rows are not sent
 * anywhere); PostgreSQL leaves it on the server. min_failed <= 1: every
 * group. */
struct query_alert_need {
	int64_t since, until, min_failed;
};

/* need: NULL for every group. */
int query_alert_scan(struct store *st, const struct query_filter *f,
                     const struct query_alert_need *need, struct query_alert_series *out, char *err,
                     size_t errlen);
void query_alert_series_free(struct query_alert_series *a);

/* The first and last day holding a report. *found is 0 (and first, last
 * untouched) when the store holds none. */
int query_day_span(struct store *st, int64_t *first, int64_t *last, int *found, char *err,
                   size_t errlen);

/* Inputs quarantined (received) in [since, until), released or not. */
int query_quarantined(struct store *st, int64_t since, int64_t until, int64_t *n, char *err,
                      size_t errlen);

/* --- the report list and one report --- */

/* One report as listed. Strings owned by the entry. */
struct query_report_entry {
	int64_t id;
	int64_t day;
	int64_t start_time;
	int64_t end_time;
	char *organization;
	char *report_id;
	char *domains_json; /* its distinct policy domains, a JSON
	                     * array (SQLite's json_group_array) */
	char *first_domain; /* the first of them bytewise, or NULL */
	int64_t n_domains;
	int64_t successful_sessions;
	int64_t failed_sessions;
	char *provenance;
};

struct query_report_list {
	struct query_report_entry *entries;
	size_t n;
	int64_t total; /* matching reports, all pages */
};

/* Reports of the period matching every filter (domains, organization,
 * policy type, MX host, result type), newest first (day, then id,
 * descending); offset skips, limit (1..LIMIT_REPORT_PAGE) caps. */
int query_reports(struct store *st, const struct query_filter *f, int64_t offset, int64_t limit,
                  struct query_report_list *out, char *err, size_t errlen);
void query_report_list_free(struct query_report_list *l);

struct query_failure_detail {
	char *result_type;
	char *sending_mta_ip; /* NULL when absent, as are the rest */
	char *receiving_mx_hostname;
	char *receiving_mx_helo;
	char *receiving_ip;
	char *additional_information;
	char *failure_reason_code;
	int64_t failed_sessions;
};

struct query_policy_detail {
	char *policy_type;
	char *policy_domain;        /* NULL when absent */
	char *policy_domain_source; /* NULL: as sent; else where it was inferred from */
	char *policy_strings;       /* JSON array, or NULL */
	char *mx_hosts;             /* JSON array, or NULL */
	int64_t successful_sessions;
	int64_t failed_sessions;
	struct query_failure_detail *failures;
	size_t n_failures;
};

/* Where the report came from; every string may be NULL. */
struct query_source_detail {
	int present; /* 0: no source recorded */
	char *kind;
	char *name;
	int64_t received;
	char *message_id;
	char *mail_from;
	char *mail_date;
	char *subject;
	char *tls_report_domain;
	char *tls_report_submitter;
	char *auth_headers;
	char *dkim;        /* DKIM result (docs/trust.md), NULL: not checked */
	char *dkim_domain; /* the d= it rests on */
	char *dkim_ar;     /* the Authentication-Results header it was read from */
};

struct query_report_detail {
	int64_t id;
	char *organization;
	char *report_id;
	char *contact_info; /* NULL when absent */
	char *quirks;       /* what the sender got slightly wrong, or NULL */
	int64_t start_time;
	int64_t end_time;
	int64_t day;
	int64_t successful_sessions; /* counted once */
	int64_t failed_sessions;
	struct query_policy_detail *policies;
	size_t n_policies;
	struct query_source_detail source;
	char *provenance; /* dkim-verified, file, https or unverified-mail */
	char *raw_json;   /* the report as received, NUL-terminated */
	size_t raw_json_len;
	char raw_sha256_hex[65];
};

/* Loads report id with its policies, failure details, source and raw JSON
 * (inflated with the LIMIT_INFLATED_BYTES cap). -1 with "no report N" when
 * there is none. Caller frees with query_report_detail_free. */
int query_report_get(struct store *st, int64_t id, struct query_report_detail *out, char *err,
                     size_t errlen);
void query_report_detail_free(struct query_report_detail *d);

/* --- alert state: the tables the analyzer writes --- */

/* An alert's identity: scope ("failure", "domain", "rate", "silent") and
 * its key; NULL or "" where a part does not apply or was absent. */
struct query_alert_key {
	const char *scope;
	const char *policy_domain;
	const char *mx_host;
	const char *result_type;
	const char *organization;
};

/* The value (failed sessions, or reports) the alert was sent with for the
 * day its failures happened on; *found 0 when never. */
int query_alert_sent_on(struct store *st, const struct query_alert_key *k, int64_t day,
                        int64_t *value, int *found, char *err, size_t errlen);
/* The latest day before `before` the alert was sent for; *found 0 when
 * none. */
int query_alert_sent_before(struct store *st, const struct query_alert_key *k, int64_t before,
                            int64_t *day, int *found, char *err, size_t errlen);
/* What query_alert_sent_on says of key keys[i] and day days[i], and with
 * before 1 what query_alert_sent_before says of them, for i < n: one read
 * for every alert of a run, not one (or two) per alert. */
struct query_alert_sent {
	int found; /* sent for days[i], with value */
	int64_t value;
	int found_before; /* sent before days[i], last on before_day */
	int64_t before_day;
};
int query_alert_sent_many(struct store *st, const struct query_alert_key *keys, const int64_t *days,
                          size_t n, int before, struct query_alert_sent *out, char *err,
                          size_t errlen);
/* Records that the alert was sent for day with value at the UTC second
 * now (again: value replaced, times counted). Needs a read-write store and
 * an open batch (store_begin). */
int query_alert_record_sent(struct store *st, const struct query_alert_key *k, int64_t day,
                            int64_t value, int64_t now, char *err, size_t errlen);

/* What a postmaster needs beside an alert's figures, for the alert's
 * key in [since, until): the reporters that saw its failures, most failed
 * sessions first ("A, B, C", at most LIMIT_ALERT_REPORTERS named, then
 * "and N more"), and the most common failure-reason-code of its failure
 * details (NULL: none given). Scope "failure" matches (domain, MX, result
 * type), "domain" and "rate" the domain; others get NULL, NULL. Strings
 * are report text (untrusted), owned by the caller. */
int query_alert_context(struct store *st, const struct query_alert_key *k, int64_t since,
                        int64_t until, char **reporters, char **reason, char *err, size_t errlen);
/* The same for n keys at once, keys[i] over [since[i], until[i]), into
 * reporters[i] and reasons[i] (each NULL or the caller's): the failure
 * details of the days from the first since to the last until are read
 * once, not once per alert nor per window (issue 18), kept apart by day
 * when the keys' windows differ (callers keep that span short: a
 * lookback). On -1 nothing is left to free. */
int query_alert_contexts(struct store *st, const struct query_alert_key *keys, size_t n,
                         const int64_t *since, const int64_t *until, char **reporters,
                         char **reasons, char *err, size_t errlen);

/* What the store holds for one day, to tell whether it changed since: its
 * reports and their largest id (ids only grow, so a report that came in
 * since changes it even after a prune removed another). */
struct query_day_mark {
	int64_t day;
	int64_t reports;
	int64_t last_report; /* 0: no report */
};

/* The marks of the days [since, until) now: out[i] is day since + i, for
 * until - since <= LIMIT_ALERT_LOOKBACK_DAYS days. */
int query_day_marks(struct store *st, int64_t since, int64_t until, struct query_day_mark *out,
                    char *err, size_t errlen);
/* has[i] = 1 when day since + i holds a report, else 0, for until - since
 * <= LIMIT_ALERT_LOOKBACK_DAYS days: what the marks' reports tell, without
 * counting them (the dashboard's current alerts; issue 18). */
int query_days_with_reports(struct store *st, int64_t since, int64_t until, int *has, char *err,
                            size_t errlen);
/* The marks recorded when those days were last judged (alert_judged);
 * judged[i] is 0 where day since + i never was. */
int query_alert_judged(struct store *st, int64_t since, int64_t until, struct query_day_mark *out,
                       int *judged, char *err, size_t errlen);
/* Records that m's day was judged holding m, at the UTC second now. Needs
 * a read-write store and an open batch. */
int query_alert_record_judged(struct store *st, const struct query_day_mark *m, int64_t now,
                              char *err, size_t errlen);

/* --- /metrics: lifetime totals (schema/012_rollups.sql) --- */

/* The labels a /metrics series keeps ([web] metrics_labels). */
enum query_labels {
	QUERY_LABELS_DOMAIN,     /* policy_domain */
	QUERY_LABELS_DOMAIN_ORG, /* policy_domain, organization */
	QUERY_LABELS_FULL        /* and, for failures, mx_host */
};

/* A family of lifetime totals: every report ever stored, with the days
 * 'db prune' deleted (the figures never fall). */
enum query_life {
	QUERY_LIFE_DOMAIN,  /* reports, successful, failed (rules 1-4) by
	                     * policy_domain [, organization] */
	QUERY_LIFE_FAILURE, /* failed, by policy_domain [, organization]
	                     * [, mx_host (full)], result_type */
	QUERY_LIFE_MX       /* failed, once per MX, by policy_domain
	                     * [, organization], mx_host */
};

/* At most limit (>= 1) series of the family with the labels kept, most
 * failed sessions first (then successful, then the keys); fields of keys
 * not kept are NULL, as are absent ones. *n_series gets how many series
 * there are in all (some left out when more than limit). Costs the
 * series, not the reports. Caller frees with query_rows_free. */
int query_lifetime(struct store *st, enum query_life family, enum query_labels labels, size_t limit,
                   struct query_rows *out, size_t *n_series, char *err, size_t errlen);

#endif
