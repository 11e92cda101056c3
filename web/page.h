/*
 * page.h - what the dashboard pages, the API and /metrics share: the
 * request's parsed parameters and filter, a borrowed read-only store, and
 * the HTML helpers (html.c). Every string from a report or a request goes
 * through html_text() (core's escape_html) on its way into a page.
 */
#ifndef TLSWATCH_WEB_PAGE_H
#define TLSWATCH_WEB_PAGE_H

#include <stddef.h>
#include <stdint.h>

#include "http.h"
#include "params.h"
#include "query.h"
#include "store.h"
#include "summary.h"

struct web_page {
	struct web_app *app;
	const struct web_request *req;
	struct web_response *resp;
	struct store *st; /* read-only, borrowed for the request */
	struct web_params params;
	struct web_filter filter; /* period resolved (all=1 included) */
	struct strbuf *out;       /* = &resp->body */
	int failed;               /* an append hit the page cap */
};

/* Pages: each fills pg->resp (status 200 and a body, or an error). The
 * rest of the path (after "/reports/") is given where a page takes one. */
void page_overview(struct web_page *pg);
void page_failures(struct web_page *pg);
void page_reports(struct web_page *pg);
void page_report(struct web_page *pg, const char *id);
void page_quarantine(struct web_page *pg);
void page_quarantine_entry(struct web_page *pg, const char *id);
/* The overview's "Published vs reported" panel (pages_published.c). */
void page_published_panel(struct web_page *pg);

/* API (api.c) and Prometheus metrics (metrics.c). */
void api_summary(struct web_page *pg);
void api_timeseries(struct web_page *pg);
void api_failures(struct web_page *pg);
void api_reports(struct web_page *pg);
void api_report(struct web_page *pg, const char *id);
void page_metrics(struct web_page *pg);

/* Static assets (static.c). */
extern const char *const web_stylesheet[]; /* parts, NULL-terminated */
extern const char web_icon_svg[];

/* --- failure groups shared by the failures page and its API (failures.c) */

enum web_group_by {
	GROUP_ORGANIZATION,
	GROUP_MX,
	GROUP_RESULT_TYPE,
	GROUP_DOMAIN,
	GROUP_IP,
	GROUP_REASON, /* failure-reason-code, grouped (analyzer/reasons.c) */
	GROUP_INFO    /* additional-information, grouped the same way */
};

struct web_group {
	char *key; /* NULL: absent in the reports */
	int64_t failed_sessions;
	char *detail;  /* GROUP_REASON, GROUP_INFO: its result types; else NULL */
	int64_t forms; /* GROUP_REASON, GROUP_INFO: its forms as sent */
};

struct web_groups {
	struct web_group *groups;
	size_t n;
};

/* group_by values: "organization", "mx", "result_type", "domain",
 * "sending_ip", "reason",
 * "additional_information"; -1 for anything else. */
int web_group_parse(const char *s, enum web_group_by *g);
const char *web_group_name(enum web_group_by g);
/* The key's name in JSON ("organization", "mx_host", "result_type",
 * "policy_domain", "sending_ip"). */
const char *web_group_json_key(enum web_group_by g);
/* The filter parameter that selects one group's key ("org", "mx", ...). */
const char *web_group_param(enum web_group_by g);
const char *web_group_title(enum web_group_by g);
/* Failed sessions of the filter's period grouped by g, most first (ties by
 * key; absent last), from the analyzer's failure groups (sending IPs from
 * the failure details, counted once). Caller frees with web_groups_free. */
int web_groups_read(struct store *st, const struct web_filter *f, enum web_group_by g,
                    struct web_groups *out, char *err, size_t errlen);
void web_groups_free(struct web_groups *g);

/* --- HTML (html.c) --- */

/* The page head, navigation (active: "overview", "failures", "reports",
 * "quarantine") and the filter form; title is ours (trusted). */
void html_begin(struct web_page *pg, const char *title, const char *active);
/* Closes the page and sets status 200, text/html; a page that hit the cap
 * becomes a 500. */
void html_end(struct web_page *pg);
/* Literal HTML (ours). */
void html_raw(struct web_page *pg, const char *s);
void html_printf(struct web_page *pg, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Untrusted text, escaped; absent (NULL) shows as an em dash. */
void html_text(struct web_page *pg, const char *s);
/* A count with thousands separators. */
void html_count(struct web_page *pg, int64_t v);
/* <a href="PATH?FILTER">TEXT</a> with the n kv pairs replacing or adding
 * parameters (see web_filter_query); every part escaped. class_name may be
 * NULL. */
void html_link(struct web_page *pg, const char *path, const struct web_kv *kv, size_t n,
               const char *text, const char *class_name);
/* The same link around a count. */
void html_count_link(struct web_page *pg, const char *path, const struct web_kv *kv, size_t n,
                     int64_t count);
/* A link to the overview of the single day 'day'. */
void html_day_link(struct web_page *pg, const char *path, int64_t day, const char *text);
/* "Reports 1-50 of 123" and previous/next links for a paginated list;
 * keep (n_keep pairs) are parameters of the list beyond the filter. */
void html_pager(struct web_page *pg, const char *path, int64_t total, int64_t page_size,
                const struct web_kv *keep, size_t n_keep);
/* The period in words: "2026-11-22 to 2026-11-28 (7 days)". */
void html_period(struct web_page *pg, int64_t since, int64_t until);

/* The daily chart (chart.c): successful and failed sessions per day as
 * stacked bars, and failed sessions on their own scale. */
void chart_days(struct web_page *pg, const struct query_rows *days);

#endif
