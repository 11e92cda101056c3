/*
 * router.c - from a request to a page: method and path checks, the query
 * string and filter (untrusted: parsed strictly, 400 on anything wrong),
 * and a borrowed read-only store for the page's duration.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "http.h"
#include "log.h"
#include "page.h"
#include "period.h"
#include "xalloc.h"

struct web_route_def {
	const char *path; /* exact, or a prefix ending in '/' with an id */
	enum web_error_kind kind;
	void (*page)(struct web_page *pg);
	void (*page_id)(struct web_page *pg, const char *id);
};

static const struct web_route_def web_routes[] = {
    {"/", WEB_ERR_HTML, page_overview, NULL},
    {"/failures", WEB_ERR_HTML, page_failures, NULL},
    {"/reports", WEB_ERR_HTML, page_reports, NULL},
    {"/reports/", WEB_ERR_HTML, NULL, page_report},
    {"/quarantine", WEB_ERR_HTML, page_quarantine, NULL},
    {"/quarantine/", WEB_ERR_HTML, NULL, page_quarantine_entry},
    {"/api/v1/summary", WEB_ERR_JSON, api_summary, NULL},
    {"/api/v1/timeseries", WEB_ERR_JSON, api_timeseries, NULL},
    {"/api/v1/failures", WEB_ERR_JSON, api_failures, NULL},
    {"/api/v1/reports", WEB_ERR_JSON, api_reports, NULL},
    {"/api/v1/reports/", WEB_ERR_JSON, NULL, api_report},
    {"/metrics", WEB_ERR_TEXT, page_metrics, NULL},
};

/* Answers the paths that need no database. 1 when answered. */
static int web_route_static(const struct web_request *req, struct web_response *resp)
{
	size_t i;
	int failed = 0;

	if (strcmp(req->path, "/static/style.css") == 0) {
		resp->content_type = "text/css; charset=utf-8";
		for (i = 0; web_stylesheet[i] != NULL; i++)
			failed |= strbuf_puts(&resp->body, web_stylesheet[i]) < 0;
	} else if (strcmp(req->path, "/static/icon.svg") == 0 ||
	           strcmp(req->path, "/favicon.ico") == 0) {
		resp->content_type = "image/svg+xml";
		failed |= strbuf_puts(&resp->body, web_icon_svg) < 0;
	} else {
		return 0;
	}
	if (failed) {
		web_response_error(resp, 500, WEB_ERR_TEXT, "static file larger than a page");
		return 1;
	}
	resp->status = 200;
	resp->cacheable = 1;
	return 1;
}

/* /healthz: 200 when the database can be read, else 503 with why. */
static void web_route_health(struct web_app *app, struct web_response *resp)
{
	struct store *st = NULL;
	int64_t first, last;
	char err[ERR_LINE_MAX];
	int found;

	if (web_app_reader(app, &st, err, sizeof(err)) < 0 ||
	    query_day_span(st, &first, &last, &found, err, sizeof(err)) < 0) {
		log_error("healthz: %s", err);
		web_response_error(resp, 503, WEB_ERR_TEXT, "database unavailable");
	} else {
		resp->status = 200;
		resp->content_type = "text/plain; charset=utf-8";
		web_response_line(resp, "ok");
	}
	web_app_release(app, st);
}

/* Asks the response cache (cache.h) for this request, after telling it
 * whether the store changed since the borrowed handle last looked. The
 * key is the UTC day (the default period and today's alerts follow it),
 * the path and the raw query string. A HIT has filled resp; on a MISS
 * *key is the caller's to pass on to web_cache_done and free. */
static enum web_cache_result web_route_cached(struct web_app *app, struct web_page *pg, char **key,
                                              struct web_cache_ticket *t)
{
	char err[ERR_LINE_MAX];
	size_t n;
	int changed = 1;

	if (store_data_changed(pg->st, &changed, err, sizeof(err)) < 0)
		log_error("%s", err);
	if (changed)
		web_cache_invalidate(app->cache);
	n = strlen(pg->req->path) + pg->req->query_len + 32;
	*key = xmalloc(n);
	snprintf(*key, n, "%lld %s?%.*s", (long long)pg->filter.today, pg->req->path,
	         (int)pg->req->query_len, pg->req->query);
	return web_cache_get(app->cache, *key, pg->resp, t);
}

static const struct web_route_def *web_route_find(const char *path, const char **id)
{
	size_t i, n;

	*id = NULL;
	for (i = 0; i < sizeof(web_routes) / sizeof(web_routes[0]); i++) {
		const struct web_route_def *r = &web_routes[i];

		n = strlen(r->path);
		if (r->page != NULL && strcmp(path, r->path) == 0)
			return r;
		if (r->page_id != NULL && strncmp(path, r->path, n) == 0 && path[n] != '\0' &&
		    strchr(path + n, '/') == NULL) {
			*id = path + n;
			return r;
		}
	}
	return NULL;
}

void web_route(struct web_app *app, const struct web_request *req, struct web_response *resp)
{
	const struct web_route_def *r;
	struct web_cache_ticket ticket;
	struct web_page pg;
	const char *id;
	char err[ERR_LINE_MAX], *key = NULL;

	memset(&pg, 0, sizeof(pg));
	if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0) {
		resp->allow = "GET, HEAD";
		web_response_error(resp, 405, WEB_ERR_TEXT, "method not allowed");
		return;
	}
	if (web_route_static(req, resp))
		return;
	if (strcmp(req->path, "/healthz") == 0) {
		web_route_health(app, resp);
		return;
	}
	r = web_route_find(req->path, &id);
	if (r == NULL) {
		web_response_error(
		    resp, 404, strncmp(req->path, "/api/", 5) == 0 ? WEB_ERR_JSON : WEB_ERR_HTML,
		    "no such page");
		return;
	}
	pg.app = app;
	pg.req = req;
	pg.resp = resp;
	pg.out = &resp->body;
	if (web_params_parse(req->query, req->query_len, &pg.params, err, sizeof(err)) < 0 ||
	    web_filter_parse(&pg.params, period_today(), &pg.filter, err, sizeof(err)) < 0) {
		web_response_error(resp, 400, r->kind, err);
		goto out;
	}
	if (web_app_reader(app, &pg.st, err, sizeof(err)) < 0 ||
	    (pg.filter.all && summary_period_all(pg.st, pg.filter.today, &pg.filter.q.since,
	                                         &pg.filter.q.until, err, sizeof(err)) < 0)) {
		log_error("%s", err);
		web_response_error(resp, 503, r->kind, "database unavailable");
		goto out;
	}
	if (app->cache != NULL && web_route_cached(app, &pg, &key, &ticket) == WEB_CACHE_HIT)
		goto out;
	if (r->page != NULL)
		r->page(&pg);
	else
		r->page_id(&pg, id);
	if (key != NULL)
		web_cache_done(app->cache, &ticket, resp);
out:
	free(key);
	web_app_release(app, pg.st);
	web_params_free(&pg.params);
}
