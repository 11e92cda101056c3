/*
 * html.c - the page frame (head, navigation, filter form) and helpers for
 * dashboard pages. Every string that is not a literal of ours -- report
 * text, query-string values -- goes through escape_html (lib/escape.c),
 * the one escaping function, via html_text() or the link helpers.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "datetime.h"
#include "escape.h"
#include "page.h"
#include "text.h"

void html_raw(struct web_page *pg, const char *s)
{
	if (strbuf_puts(pg->out, s) < 0)
		pg->failed = 1;
}

void html_printf(struct web_page *pg, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (strbuf_vprintf(pg->out, fmt, ap) < 0)
		pg->failed = 1;
	va_end(ap);
}

void html_text(struct web_page *pg, const char *s)
{
	if (s == NULL) {
		html_raw(pg, "<span class=\"absent\">&mdash;</span>");
		return;
	}
	if (escape_html(pg->out, s) < 0)
		pg->failed = 1;
}

void html_count(struct web_page *pg, int64_t v)
{
	char buf[32];

	html_raw(pg, text_count(v, buf, sizeof(buf)));
}

/* href="PATH?QUERY" with the query escaped as an attribute value. */
static void html_href(struct web_page *pg, const char *path, const struct web_kv *kv, size_t n)
{
	struct strbuf q;

	strbuf_init(&q, LIMIT_WEB_QUERY_BYTES * 3);
	if (web_filter_query(&q, &pg->filter, kv, n) < 0)
		pg->failed = 1;
	html_raw(pg, "href=\"");
	html_text(pg, path);
	html_text(pg, strbuf_str(&q));
	html_raw(pg, "\"");
	strbuf_free(&q);
}

void html_link(struct web_page *pg, const char *path, const struct web_kv *kv, size_t n,
               const char *text, const char *class_name)
{
	html_raw(pg, "<a ");
	if (class_name != NULL)
		html_printf(pg, "class=\"%s\" ", class_name);
	html_href(pg, path, kv, n);
	html_raw(pg, ">");
	html_text(pg, text);
	html_raw(pg, "</a>");
}

void html_count_link(struct web_page *pg, const char *path, const struct web_kv *kv, size_t n,
                     int64_t count)
{
	char buf[32];

	html_link(pg, path, kv, n, text_count(count, buf, sizeof(buf)), NULL);
}

void html_day_link(struct web_page *pg, const char *path, int64_t day, const char *text)
{
	char since[16], until[16];
	struct web_kv kv[2];

	datetime_format_day(day, since, sizeof(since));
	datetime_format_day(day + 1, until, sizeof(until));
	kv[0].key = "since";
	kv[0].value = since;
	kv[1].key = "until";
	kv[1].value = until;
	html_link(pg, path, kv, 2, text, NULL);
}

void html_period(struct web_page *pg, int64_t since, int64_t until)
{
	char a[16], b[16];

	if (until <= since) {
		html_raw(pg, "no reports yet");
		return;
	}
	datetime_format_day(since, a, sizeof(a));
	datetime_format_day(until - 1, b, sizeof(b));
	if (until - since == 1)
		html_printf(pg, "%s (1 day, UTC)", a);
	else
		html_printf(pg, "%s to %s (%lld days, UTC)", a, b, (long long)(until - since));
}

void html_pager(struct web_page *pg, const char *path, int64_t total, int64_t page_size,
                const struct web_kv *keep, size_t n_keep)
{
	struct web_kv kv[8];
	char num[32];
	int64_t first = (pg->filter.page - 1) * page_size;
	size_t n = n_keep < 7 ? n_keep : 7;

	if (n > 0)
		memcpy(kv, keep, n * sizeof(*kv));
	kv[n].key = "page";
	html_raw(pg, "<p class=\"pager\">");
	if (total == 0 || first >= total) {
		html_raw(pg, "Nothing on this page.");
	} else {
		html_printf(pg, "%lld&ndash;%lld of ", (long long)first + 1,
		            (long long)(first + page_size < total ? first + page_size : total));
		html_count(pg, total);
	}
	if (pg->filter.page > 1) {
		snprintf(num, sizeof(num), "%lld", (long long)pg->filter.page - 1);
		kv[n].value = num;
		html_raw(pg, " ");
		html_link(pg, path, kv, n + 1, "\xe2\x86\x90 newer", "prev");
	}
	if (first + page_size < total) {
		snprintf(num, sizeof(num), "%lld", (long long)pg->filter.page + 1);
		kv[n].value = num;
		html_raw(pg, " ");
		html_link(pg, path, kv, n + 1, "older \xe2\x86\x92", "next");
	}
	html_raw(pg, "</p>\n");
}

static void html_nav_item(struct web_page *pg, const char *path, const char *name,
                          const char *label, const char *active)
{
	html_link(pg, path, NULL, 0, label, strcmp(name, active) == 0 ? "active" : NULL);
}

/* One text input of the filter form, pre-filled (escaped). */
static void html_input(struct web_page *pg, const char *name, const char *label, const char *value,
                       const char *placeholder)
{
	html_printf(pg, "<label>%s <input type=\"text\" name=\"%s\" placeholder=\"%s\" value=\"",
	            label, name, placeholder);
	if (value != NULL)
		html_text(pg, value);
	html_raw(pg, "\"></label>\n");
}

static void html_filter_form(struct web_page *pg, const char *active)
{
	const struct web_filter *f = &pg->filter;
	const char *action = strcmp(active, "overview") == 0 ? "/" : NULL;
	const char *group_by = web_params_get(&pg->params, "group_by");
	char path[32];
	size_t i;

	snprintf(path, sizeof(path), "/%s", active);
	if (action == NULL)
		action = path;
	html_printf(pg, "<form class=\"filters\" method=\"get\" action=\"%s\">\n", action);
	html_input(pg, "since", "Since", f->all ? NULL : f->since_arg, "7d or YYYY-MM-DD");
	html_input(pg, "until", "Until", f->until_arg, "YYYY-MM-DD (excl.)");
	for (i = 0; i < f->q.n_domains; i++)
		html_input(pg, "domain", "Policy domain", f->q.domains[i], "example.com");
	if (f->q.n_domains == 0)
		html_input(pg, "domain", "Policy domain", NULL, "example.com");
	html_input(pg, "org", "Organisation", f->q.organization, "reporter");
	html_input(pg, "mx", "MX host", f->q.mx_host, "mx.example.com");
	html_input(pg, "result_type", "Result type", f->q.result_type, "certificate-expired");
	html_input(pg, "provenance", "Provenance", f->q.provenance, "dkim-verified");
	if (group_by != NULL && strcmp(active, "failures") == 0) {
		html_raw(pg, "<input type=\"hidden\" name=\"group_by\" value=\"");
		html_text(pg, group_by);
		html_raw(pg, "\">\n");
	}
	html_printf(pg,
	            "<div class=\"buttons\"><button type=\"submit\">Apply</button> "
	            "<a href=\"%s\">Reset</a> ",
	            action);
	html_link(pg, action, (const struct web_kv[]){{"all", "1"}}, 1, "All time", NULL);
	html_raw(pg, "</div>\n</form>\n");
}

void html_begin(struct web_page *pg, const char *title, const char *active)
{
	html_raw(pg, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	             "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	             "<title>tlswatch: ");
	html_text(pg, title);
	html_raw(pg,
	         "</title>\n<link rel=\"stylesheet\" href=\"/static/style.css\">\n"
	         "<link rel=\"icon\" href=\"/static/icon.svg\" type=\"image/svg+xml\">\n"
	         "</head>\n<body>\n<header>\n<a class=\"brand\" href=\"/\">tlswatch</a>\n<nav>");
	html_nav_item(pg, "/", "overview", "Overview", active);
	html_nav_item(pg, "/failures", "failures", "Failures", active);
	html_nav_item(pg, "/reports", "reports", "Reports", active);
	html_nav_item(pg, "/quarantine", "quarantine", "Quarantine", active);
	html_raw(pg, "</nav>\n</header>\n");
	if (strcmp(active, "quarantine") != 0)
		html_filter_form(pg, active);
	html_raw(pg, "<main>\n");
}

void html_end(struct web_page *pg)
{
	html_raw(pg, "</main>\n<footer>tlswatch &middot; SMTP TLS reports (RFC 8460) &middot; ");
	/* the same view as JSON */
	html_link(pg, "/api/v1/summary", NULL, 0, "summary as JSON", NULL);
	html_raw(pg, "</footer>\n</body>\n</html>\n");
	if (pg->failed) {
		web_response_error(
		    pg->resp, 500, WEB_ERR_HTML,
		    "this page grew past its size limit; narrow the period or filter");
		return;
	}
	pg->resp->status = 200;
	pg->resp->content_type = "text/html; charset=utf-8";
}
