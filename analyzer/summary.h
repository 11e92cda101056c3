/*
 * summary.h - the failure summary: one model, built once from the store
 * for a filter and period (and the previous period of the same length),
 * rendered as text (80 columns, for cron mail), JSON (the documented
 * contract of docs/summary-json.md, also served by the web API), CSV or a
 * standalone HTML page. The CLI and the web server call the same
 * functions, so they show the same numbers.
 *
 * The model holds report text (untrusted): every renderer escapes it for
 * its format (terminal escapes, JSON string escapes, CSV quoting plus
 * terminal escapes, escape_html).
 *
 * Errors: 0 or -1 with a one-line reason in err.
 */
#ifndef TLSWATCH_SUMMARY_H
#define TLSWATCH_SUMMARY_H

#include <stddef.h>
#include <stdint.h>

#include "arrival.h"
#include "mxdane.h"
#include "published.h"
#include "query.h"
#include "reasons.h"
#include "store.h"
#include "strbuf.h"

/* top_failures holds at most this many groups (the JSON contract). */
#define SUMMARY_TOP_FAILURES 20

enum summary_format { SUMMARY_TEXT, SUMMARY_JSON, SUMMARY_CSV, SUMMARY_HTML };

struct summary {
	int64_t since, until;           /* this period: [since, until) */
	int64_t prev_since, prev_until; /* the one before, as long */
	const char *const *domains;     /* the filter, borrowed from the caller */
	size_t n_domains;
	const char *organization;
	const char *provenance; /* NULL: reports of every provenance */

	struct query_totals totals, prev_totals;
	struct query_rows by_domain; /* QUERY_BY_DOMAIN, and so on */
	struct query_rows by_organization;
	struct query_rows by_mx;
	struct query_rows by_result_type;
	struct query_rows by_policy_type;
	struct query_rows by_day;       /* every day of the period, zeros filled */
	struct query_rows top_failures; /* QUERY_BY_FAILURE, first 20 */

	struct query_rows prev_by_domain;
	struct query_rows prev_by_organization;
	struct query_rows prev_by_mx;
	struct query_rows prev_by_result_type;

	/* The previous period's row for each row above (same index), or NULL
	 * when the key did not occur then. */
	const struct query_row **by_domain_prev;
	const struct query_row **by_organization_prev;
	const struct query_row **by_mx_prev;
	const struct query_row **by_result_type_prev;
	/* failed sessions of each top failure group in the previous period */
	int64_t *top_failures_prev;
	/* prev_by_organization rows (indices) that sent nothing this period */
	size_t *silent;
	size_t n_silent;

	int64_t quarantined; /* inputs refused in the period */
	int64_t conflicts;   /* conflicting reports held, whenever received (docs/trust.md) */

	/* Rows left out of by_domain, by_organization, by_mx and
	 * by_result_type past LIMIT_SUMMARY_ROWS each (and of the previous
	 * period's lists, which are written cut at the same count). */
	size_t by_domain_more, by_organization_more, by_mx_more, by_result_type_more;

	/* Days of the period still coming in (the last ARRIVAL_WAIT_DAYS
	 * before today) whose usual reporters are not all in, per domain of
	 * the filter (docs/alerts.md, "Days not in yet") */
	struct arrival not_in_yet;
	/* One problem, one row: top_failures' groups merged per (domain,
	 * MX, result type), most failed first, at most SUMMARY_TOP_FAILURES
	 * (reports: the reporters that saw it), with those reporters named
	 * ("A, B and 2 more") and the failed sessions of the previous
	 * period (same index) */
	struct query_rows problems;
	char **problem_reporters;
	int64_t *problems_prev;
	/* failed sessions by failure-reason-code, grouped (reasons.h) */
	struct reason_groups reasons;
	/* and by additional-information, grouped the same way */
	struct reason_groups infos;
	/* DANE results at the filtered domains' MX hosts, counted under
	 * the host and not in the totals (mxdane.h); empty without a
	 * domain filter */
	struct mxdane_list dane_at_mx;
	/* published vs reported (published.h), borrowed: set by the caller
	 * after summary_build; NULL leaves the JSON key "published" out */
	const struct published_list *published;
};

/* The period of 'summary --all': the first to the last day holding a
 * report (until = last + 1); an empty store gives the empty period
 * [today, today). */
int summary_period_all(struct store *st, int64_t today, int64_t *since, int64_t *until, char *err,
                       size_t errlen);

/* Builds the model for [since, until) with the filter's domains and
 * organization (its other fields are ignored). The filter's strings are
 * borrowed and must outlive *out. Caller frees with summary_free. */
int summary_build(struct store *st, const struct query_filter *f, struct summary *out, char *err,
                  size_t errlen);
/* The days summary_build builds its "not in yet" over, [*since, today)
 * (*until is today), and keeps those of f's period: 1, or 0 when f's
 * period has none of them (a period long over). */
int summary_arrival_period(const struct query_filter *f, int64_t *since, int64_t *until);

/* The filters summary_build reads with from f: this period, and the
 * period of the same length before it. */
void summary_periods(const struct query_filter *f, struct query_filter *cur,
                     struct query_filter *prev);

/* What a caller already read that the summary would read again: the
 * days not in yet over [since, until) (arrival_build), as the overview
 * reads them for its current alerts (issue 18). wait (when not NULL) is
 * called before arrival is read, which may still be being built beside
 * (cmd_summary): -1 when it did not come, and the summary reads its own.
 * prev (when not NULL) hands over the period before's breakdowns,
 * query_summary_scan_top(summary_periods' prev, 0, 0, NULL) read beside
 * on another handle (cmd_summary): 0 and *out filled, or -1 when they
 * did not come, and the summary reads them itself. overview 1: the model
 * is for the dashboard's overview, which shows no breakdown by MX, result
 * type or policy type and no failure texts: those may be left empty. */
struct summary_known {
	const struct arrival *arrival;
	int64_t since, until;
	int (*wait)(void *ctx);
	void *wait_ctx;
	int (*prev)(void *ctx, struct query_scan *out);
	void *prev_ctx;
	int overview;
};
/* summary_build, taking from known what it covers (NULL: nothing); the
 * same model either way. */
int summary_build_known(struct store *st, const struct query_filter *f,
                        const struct summary_known *known, struct summary *out, char *err,
                        size_t errlen);
void summary_free(struct summary *s);

/* "text", "json", "csv" or "html" into *fmt; -1 for anything else. */
int summary_parse_format(const char *s, enum summary_format *fmt);

/* Appends the document in fmt to sb (whose cap bounds it). -1 with
 * "summary larger than N bytes" when the cap is hit. */
STRBUF_MUST_CHECK int summary_render(const struct summary *s, enum summary_format fmt,
                                     struct strbuf *sb, char *err, size_t errlen);

/* The renderers behind summary_render. */
STRBUF_MUST_CHECK int summary_render_json(const struct summary *s, struct strbuf *sb, int pretty);
STRBUF_MUST_CHECK int summary_render_text(const struct summary *s, struct strbuf *sb);
STRBUF_MUST_CHECK int summary_render_csv(const struct summary *s, struct strbuf *sb);
STRBUF_MUST_CHECK int summary_render_html(const struct summary *s, struct strbuf *sb);

/* The (reporter, domain, MX, result type) failure groups merged per
 * (domain, MX, result type) into *out, most failed first, at most limit
 * (the others are neither sorted nor named), with the reporters of each
 * named in (*reporters)[i] (caller frees both). */
void summary_problems_top(const struct query_rows *failures, size_t limit, struct query_rows *out,
                          char ***reporters);
/* failed[i]: the failed sessions of failures (failure groups) under the
 * key of problems->rows[i], 0 when none (the previous period's figure). */
void summary_problems_failed(const struct query_rows *problems, const struct query_rows *failures,
                             int64_t *failed);

/* 1 when two rows have the same key (NULL and "" both mean absent). */
int summary_same_key(const struct query_row *a, const struct query_row *b);

#endif
