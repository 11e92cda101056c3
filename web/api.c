/*
 * api.c - the JSON API (/api/v1/...): the summary document exactly as
 * 'tlswatch summary --format json' writes it, the daily series, failure
 * groups, the report list and one report. Filters as on every page.
 * Report text is written through jsonw, which escapes it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datetime.h"
#include "jsonw.h"
#include "page.h"
#include "reports.h"
#include "xalloc.h"

static void api_done(struct web_page *pg, const struct jsonw *w)
{
	if (w->failed || strbuf_putc(pg->out, '\n') < 0) {
		web_response_error(pg->resp, 500, WEB_ERR_JSON,
		                   "response larger than its limit; narrow the period or filter");
		return;
	}
	pg->resp->status = 200;
	pg->resp->content_type = "application/json";
}

/* A document an analyzer function has already written (newline included). */
static void api_done_raw(struct web_page *pg)
{
	pg->resp->status = 200;
	pg->resp->content_type = "application/json";
}

static void api_period(struct jsonw *w, const struct web_filter *f)
{
	jsonw_key(w, "period");
	jsonw_period(w, f->q.since, f->q.until);
}

/* page_size=1..LIMIT_REPORT_PAGE (default LIMIT_WEB_PAGE_ROWS) into
 * *size; -1 after answering 400. */
static int api_page_size(struct web_page *pg, int64_t *size)
{
	const char *size_s = web_params_get(&pg->params, "page_size");
	char err[64];

	*size = LIMIT_WEB_PAGE_ROWS;
	if (size_s != NULL && (web_parse_id(size_s, size) < 0 || *size > LIMIT_REPORT_PAGE)) {
		snprintf(err, sizeof(err), "page_size: want 1..%d", LIMIT_REPORT_PAGE);
		web_response_error(pg->resp, 400, WEB_ERR_JSON, err);
		return -1;
	}
	return 0;
}

/* "total", "page" and "page_size" of a paged list. */
static void api_paging(struct jsonw *w, const struct web_page *pg, int64_t total, int64_t size)
{
	jsonw_key(w, "total");
	jsonw_int(w, total);
	jsonw_key(w, "page");
	jsonw_int(w, pg->filter.page);
	jsonw_key(w, "page_size");
	jsonw_int(w, size);
}

/* The days not in yet of the summary, built beside it on a second
 * handle (as 'tlswatch summary' does): on PostgreSQL at 10M reports the
 * presence read is a third of the request's statements' time. */
struct api_days {
	struct web_beside beside;
	struct arrival arr;
	int64_t since, until;
	char err[ERR_LINE_MAX]; /* not shown: the summary reads its own */
};

static int api_days_build(struct store *st, void *arg)
{
	struct api_days *d = arg;

	return arrival_build(st, d->since, d->until, &d->arr, d->err, sizeof(d->err));
}

/* summary_known's wait: the second thread joined, its result. */
static int api_days_wait(void *ctx)
{
	struct api_days *d = ctx;

	return web_app_beside_join(&d->beside);
}

/* summary_build, the days not in yet read beside when it shows them. */
static int api_summary_build(struct web_page *pg, struct summary *s, char *err, size_t errlen)
{
	struct summary_known known = {.arrival = NULL};
	struct api_days d;
	int rc;

	memset(&d, 0, sizeof(d));
	if (pg->filter.q.organization != NULL ||
	    !summary_arrival_period(&pg->filter.q, &d.since, &d.until))
		return summary_build(pg->st, &pg->filter.q, s, err, errlen);
	known.arrival = &d.arr;
	known.since = d.since;
	known.until = d.until;
	known.wait = api_days_wait;
	known.wait_ctx = &d;
	web_app_beside_start(&d.beside, pg->app, pg->st, api_days_build, &d);
	rc = summary_build_known(pg->st, &pg->filter.q, &known, s, err, errlen);
	web_app_beside_join(&d.beside);
	arrival_free(&d.arr);
	return rc;
}

void api_summary(struct web_page *pg)
{
	struct summary s;
	struct published_list pub = {NULL, 0};
	char err[ERR_LINE_MAX];

	if (api_summary_build(pg, &s, err, sizeof(err)) < 0) {
		web_response_error(pg->resp, 500, WEB_ERR_JSON, err);
		return;
	}
	/* as 'tlswatch summary --format json': left out when the store
	 * cannot read check results */
	if (published_read_period(pg->st, &pg->filter.q, pg->app->expiry_warn_days, &pub, err,
	                          sizeof(err)) == 0)
		s.published = &pub;
	/* the summary has its own, larger cap: the same as the CLI's */
	strbuf_free(pg->out);
	strbuf_init(pg->out, LIMIT_SUMMARY_BYTES);
	if (summary_render(&s, SUMMARY_JSON, pg->out, err, sizeof(err)) < 0) {
		web_response_error(pg->resp, 500, WEB_ERR_JSON, err);
	} else {
		pg->resp->status = 200;
		pg->resp->content_type = "application/json";
	}
	summary_free(&s);
	published_list_free(&pub);
}

/* Writes the rows of one series (sorted by day, days with no row left
 * out of rows) as every day of [since, until) with zeros filled. */
static void api_days(struct jsonw *w, const struct query_row *rows, size_t n, int64_t since,
                     int64_t until)
{
	int64_t day;
	size_t j = 0;
	char d[16];

	jsonw_array_begin(w);
	for (day = since; day < until; day++) {
		const struct query_row *r = j < n && rows[j].day == day ? &rows[j++] : NULL;

		datetime_format_day(day, d, sizeof(d));
		jsonw_object_begin(w);
		jsonw_key(w, "day");
		jsonw_string(w, d);
		jsonw_key(w, "reports");
		jsonw_int(w, r != NULL ? r->reports : 0);
		jsonw_key(w, "successful_sessions");
		jsonw_int(w, r != NULL ? r->successful_sessions : 0);
		jsonw_key(w, "failed_sessions");
		jsonw_int(w, r != NULL ? r->failed_sessions : 0);
		jsonw_object_end(w);
	}
	jsonw_array_end(w);
}

/* ?series=total (default): one series; series=domain: one per policy
 * domain. Counts from the analyzer's per-day groups. */
void api_timeseries(struct web_page *pg)
{
	const char *series = web_params_get(&pg->params, "series");
	struct query_rows rows = {NULL, 0};
	int per_domain = series != NULL && strcmp(series, "domain") == 0;
	char err[ERR_LINE_MAX];
	struct jsonw w;
	size_t i, j;

	if (series != NULL && !per_domain && strcmp(series, "total") != 0) {
		web_response_error(pg->resp, 400, WEB_ERR_JSON, "series: want total or domain");
		return;
	}
	if (query_group(pg->st, &pg->filter.q, per_domain ? QUERY_BY_DOMAIN_DAY : QUERY_BY_DAY, 0,
	                &rows, err, sizeof(err)) < 0) {
		web_response_error(pg->resp, 500, WEB_ERR_JSON, err);
		return;
	}
	jsonw_init(&w, pg->out, 1);
	jsonw_object_begin(&w);
	api_period(&w, &pg->filter);
	jsonw_key(&w, "series");
	jsonw_array_begin(&w);
	for (i = 0; i < rows.n; i = j) {
		for (j = i + 1;
		     per_domain && j < rows.n && summary_same_key(&rows.rows[i], &rows.rows[j]);
		     j++)
			;
		if (!per_domain)
			j = rows.n;
		jsonw_object_begin(&w);
		if (per_domain) {
			jsonw_key(&w, "policy_domain");
			jsonw_string(&w, rows.rows[i].policy_domain);
		}
		jsonw_key(&w, "days");
		api_days(&w, rows.rows + i, j - i, pg->filter.q.since, pg->filter.q.until);
		jsonw_object_end(&w);
	}
	/* an empty period still has its days */
	if (rows.n == 0 && !per_domain) {
		static const struct query_row none;

		jsonw_object_begin(&w);
		jsonw_key(&w, "days");
		api_days(&w, &none, 0, pg->filter.q.since, pg->filter.q.until);
		jsonw_object_end(&w);
	}
	jsonw_array_end(&w);
	jsonw_object_end(&w);
	api_done(pg, &w);
	query_rows_free(&rows);
}

void api_failures(struct web_page *pg)
{
	const char *by = web_params_get(&pg->params, "group_by");
	struct web_groups groups = {NULL, 0};
	enum web_group_by g = GROUP_RESULT_TYPE;
	char err[ERR_LINE_MAX];
	struct jsonw w;
	int64_t size;
	size_t i, first, end;

	if (by != NULL && web_group_parse(by, &g) < 0) {
		web_response_error(pg->resp, 400, WEB_ERR_JSON,
		                   "group_by: want organization, mx, result_type, domain, "
		                   "sending_ip, reason or additional_information");
		return;
	}
	if (api_page_size(pg, &size) < 0)
		return;
	if (web_groups_read(pg->st, &pg->filter, g, &groups, err, sizeof(err)) < 0) {
		web_response_error(pg->resp, 500, WEB_ERR_JSON, err);
		return;
	}
	/* one page of groups, as on /failures */
	first = (size_t)((pg->filter.page - 1) * size);
	if (first > groups.n)
		first = groups.n;
	end = groups.n - first < (size_t)size ? groups.n : first + (size_t)size;
	jsonw_init(&w, pg->out, 1);
	jsonw_object_begin(&w);
	api_period(&w, &pg->filter);
	jsonw_key(&w, "group_by");
	jsonw_string(&w, web_group_name(g));
	api_paging(&w, pg, (int64_t)groups.n, size);
	jsonw_key(&w, "groups");
	jsonw_array_begin(&w);
	for (i = first; i < end; i++) {
		jsonw_object_begin(&w);
		jsonw_key(&w, web_group_json_key(g));
		jsonw_string(&w, groups.groups[i].key);
		jsonw_key(&w, "failed_sessions");
		jsonw_int(&w, groups.groups[i].failed_sessions);
		if (g == GROUP_REASON || g == GROUP_INFO) {
			jsonw_key(&w, "result_types");
			jsonw_string(&w, groups.groups[i].detail);
			jsonw_key(&w, "forms");
			jsonw_int(&w, groups.groups[i].forms);
		}
		jsonw_object_end(&w);
	}
	jsonw_array_end(&w);
	jsonw_object_end(&w);
	api_done(pg, &w);
	web_groups_free(&groups);
}

void api_reports(struct web_page *pg)
{
	struct query_report_list l = {NULL, 0, 0};
	int64_t size;
	char err[ERR_LINE_MAX];
	struct jsonw w;

	if (api_page_size(pg, &size) < 0)
		return;
	if (query_reports(pg->st, &pg->filter.q, (pg->filter.page - 1) * size, size, &l, err,
	                  sizeof(err)) < 0) {
		web_response_error(pg->resp, 500, WEB_ERR_JSON, err);
		return;
	}
	jsonw_init(&w, pg->out, 1);
	jsonw_object_begin(&w);
	api_period(&w, &pg->filter);
	api_paging(&w, pg, l.total, size);
	jsonw_key(&w, "reports");
	/* the entries as 'tlswatch reports --format json' writes them */
	reports_json_entries(&w, &l);
	jsonw_object_end(&w);
	api_done(pg, &w);
	query_report_list_free(&l);
}

/* One report too large to answer whole: one page of its policies, at most
 * LIMIT_WEB_PAGE_ROWS failure details each and no raw JSON, through the
 * same writer, then a "truncated" member saying what was left out. */
static int api_report_cut(struct web_page *pg, const struct query_report_detail *d)
{
	struct query_report_detail v = *d;
	struct query_policy_detail *pols;
	struct strbuf doc;
	size_t first, i, n;
	int rc = -1;

	first = (size_t)(pg->filter.page - 1) * LIMIT_WEB_PAGE_ROWS;
	if (first > d->n_policies)
		first = d->n_policies;
	n = d->n_policies - first < LIMIT_WEB_PAGE_ROWS ? d->n_policies - first
	                                                : LIMIT_WEB_PAGE_ROWS;
	/* shallow copies: the strings stay d's */
	pols = xcalloc(n ? n : 1, sizeof(*pols));
	for (i = 0; i < n; i++) {
		pols[i] = d->policies[first + i];
		if (pols[i].n_failures > LIMIT_WEB_PAGE_ROWS)
			pols[i].n_failures = LIMIT_WEB_PAGE_ROWS;
	}
	v.policies = pols;
	v.n_policies = n;
	v.raw_json = NULL;
	strbuf_init(&doc, LIMIT_WEB_PAGE_BYTES);
	if (reports_render_detail_json(&v, &doc, 1) < 0 || doc.len < 2)
		goto out;
	/* the writer ends with "}\n": reopen the object for one member */
	if (strbuf_append(pg->out, doc.data, doc.len - 2) < 0 ||
	    strbuf_printf(pg->out,
	                  ",\n  \"truncated\": {\n    \"policies_total\": %zu,\n    \"page\": "
	                  "%lld,\n    \"page_size\": %d,\n    \"failure_details_per_policy\": "
	                  "%d,\n    \"raw_json_bytes\": %zu\n  }\n}\n",
	                  d->n_policies, (long long)pg->filter.page, LIMIT_WEB_PAGE_ROWS,
	                  LIMIT_WEB_PAGE_ROWS, d->raw_json_len) < 0)
		goto out;
	rc = 0;
out:
	strbuf_free(&doc);
	free(pols);
	return rc;
}

void api_report(struct web_page *pg, const char *id_s)
{
	struct query_report_detail d;
	char err[ERR_LINE_MAX];
	int64_t id;

	memset(&d, 0, sizeof(d));
	if (web_parse_id(id_s, &id) < 0) {
		web_response_error(pg->resp, 404, WEB_ERR_JSON, "no such report");
		return;
	}
	if (query_report_get(pg->st, id, &d, err, sizeof(err)) < 0) {
		web_response_error(pg->resp, strncmp(err, "no report", 9) == 0 ? 404 : 500,
		                   WEB_ERR_JSON, err);
		return;
	}
	/* the same document as 'tlswatch show ID --format json' when it
	 * fits LIMIT_WEB_API_REPORT_BYTES; a larger one is cut (one report
	 * may hold 64 MiB of JSON: the CLI's show --raw gives it whole) */
	strbuf_free(pg->out);
	strbuf_init(pg->out, LIMIT_WEB_API_REPORT_BYTES);
	if (reports_render_detail_json(&d, pg->out, 1) < 0) {
		strbuf_free(pg->out);
		strbuf_init(pg->out, LIMIT_WEB_PAGE_BYTES);
		if (api_report_cut(pg, &d) < 0) {
			web_response_error(pg->resp, 500, WEB_ERR_JSON, "report too large to show");
			query_report_detail_free(&d);
			return;
		}
	}
	api_done_raw(pg);
	query_report_detail_free(&d);
}
