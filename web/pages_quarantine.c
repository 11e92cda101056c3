/*
 * pages_quarantine.c - inputs that were refused, newest first, with the
 * reason; and one record with a preview of its bytes. Names, reasons and
 * data are untrusted (anyone can send an input): escaped on output, and
 * the data shown as text only when it is valid UTF-8, else as hex.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datetime.h"
#include "escape.h"
#include "page.h"
#include "utf8.h"
#include "xalloc.h"

/* Bytes of a quarantined input shown on its page. */
#define QUARANTINE_PREVIEW_TEXT 16384
#define QUARANTINE_PREVIEW_HEX  1024

struct quarantine_window {
	struct web_page *pg;
	int64_t total;       /* records seen */
	int64_t first, last; /* [first, last): indices to show */
	int counting;
};

static void quarantine_row(struct web_page *pg, const struct quarantine_entry *q)
{
	char when[32];

	datetime_format_utc(q->received, when, sizeof(when));
	html_printf(
	    pg, "<tr><td><a href=\"/quarantine/%lld\">#%lld</a></td><td class=\"day\">%s</td><td>",
	    (long long)q->id, (long long)q->id, when);
	html_text(pg, q->kind);
	html_raw(pg, "</td><td>");
	html_text(pg, q->name);
	html_raw(pg, "</td><td class=\"num\">");
	html_count(pg, q->size);
	html_raw(pg, "</td><td>");
	html_text(pg, q->reason);
	html_raw(pg, "</td><td>");
	if (q->released)
		html_printf(pg, "released into <a href=\"/reports/%lld\">report #%lld</a>",
		            (long long)q->released_report, (long long)q->released_report);
	else
		html_raw(pg, "held");
	html_raw(pg, "</td></tr>\n");
}

/* Records come oldest first; the page shows newest first, so the window
 * is counted from the end and rows are collected, then printed reversed. */
struct quarantine_rows {
	struct quarantine_window w;
	struct quarantine_entry *rows;
	size_t n;
};

static int quarantine_visit(const struct quarantine_entry *q, void *arg)
{
	struct quarantine_rows *r = arg;
	struct quarantine_entry *e;
	int64_t i = r->w.total++;

	if (r->w.counting || i < r->w.first || i >= r->w.last)
		return 0;
	e = &r->rows[r->n++];
	*e = *q;
	e->kind = q->kind != NULL ? xstrdup(q->kind) : NULL;
	e->name = q->name != NULL ? xstrdup(q->name) : NULL;
	e->reason = q->reason != NULL ? xstrdup(q->reason) : NULL;
	e->data = NULL;
	return 0;
}

void page_quarantine(struct web_page *pg)
{
	struct quarantine_rows r;
	int64_t size = LIMIT_WEB_PAGE_ROWS, total;
	char err[ERR_LINE_MAX];
	size_t i;

	memset(&r, 0, sizeof(r));
	r.w.counting = 1;
	if (store_quarantine_list(pg->st, 1, quarantine_visit, &r, err, sizeof(err)) < 0)
		goto fail;
	total = r.w.total;
	r.w.last = total - (pg->filter.page - 1) * size;
	r.w.first = r.w.last - size > 0 ? r.w.last - size : 0;
	r.w.total = 0;
	r.w.counting = 0;
	r.rows = xcalloc((size_t)size, sizeof(*r.rows));
	if (r.w.last > 0 &&
	    store_quarantine_list(pg->st, 1, quarantine_visit, &r, err, sizeof(err)) < 0)
		goto fail;
	html_begin(pg, "Quarantine", "quarantine");
	html_raw(pg, "<h1>Quarantine</h1>\n<p class=\"period\">Inputs that were refused, kept "
	             "byte-exact with the reason. 'tlswatch quarantine retry' parses them again "
	             "after an upgrade.</p>\n");
	html_pager(pg, "/quarantine", total, size, NULL, 0);
	if (r.n > 0) {
		html_raw(pg,
		         "<div class=\"scroll\"><table id=\"quarantine\">\n<thead><tr><th>#</th>"
		         "<th>Received (UTC)</th><th>Via</th><th>From</th><th class=\"num\">Bytes"
		         "</th><th>Reason</th><th>Status</th></tr></thead>\n<tbody>\n");
		for (i = r.n; i > 0; i--)
			quarantine_row(pg, &r.rows[i - 1]);
		html_raw(pg, "</tbody></table></div>\n");
	} else {
		html_raw(pg, "<p class=\"none\">Nothing here.</p>\n");
	}
	html_end(pg);
	goto out;
fail:
	web_response_error(pg->resp, 500, WEB_ERR_HTML, err);
out:
	for (i = 0; i < r.n; i++)
		store_quarantine_entry_free(&r.rows[i]);
	free(r.rows);
}

static void quarantine_preview(struct web_page *pg, const struct quarantine_entry *q)
{
	size_t n, i;
	struct strbuf text;

	if (q->data_len == 0) {
		html_raw(pg, "<p class=\"none\">The input was empty.</p>\n");
		return;
	}
	n = q->data_len < QUARANTINE_PREVIEW_TEXT ? q->data_len : QUARANTINE_PREVIEW_TEXT;
	if (memchr(q->data, '\0', n) == NULL && utf8_valid_prefix(q->data, n) + 4 > n) {
		/* line ends kept, other control characters shown as \xNN,
		 * then HTML-escaped */
		strbuf_init(&text, QUARANTINE_PREVIEW_TEXT * 8 + 8);
		if (escape_text_lines(&text, (const char *)q->data, n) < 0)
			pg->failed = 1;
		html_printf(pg, "<p>The first %zu bytes, as text:</p>\n<pre id=\"preview\">", n);
		html_text(pg, strbuf_str(&text));
		html_raw(pg, "</pre>\n");
		strbuf_free(&text);
		return;
	}
	n = q->data_len < QUARANTINE_PREVIEW_HEX ? q->data_len : QUARANTINE_PREVIEW_HEX;
	html_printf(pg, "<p>Binary data; the first %zu bytes in hex:</p>\n<pre id=\"preview\">", n);
	for (i = 0; i < n; i++)
		html_printf(pg, "%02x%s", q->data[i], i % 32 == 31 ? "\n" : i % 2 ? " " : "");
	html_raw(pg, "</pre>\n");
}

void page_quarantine_entry(struct web_page *pg, const char *id_s)
{
	struct quarantine_entry q;
	char err[ERR_LINE_MAX], when[32];
	int64_t id;

	memset(&q, 0, sizeof(q));
	if (web_parse_id(id_s, &id) < 0) {
		web_response_error(pg->resp, 404, WEB_ERR_HTML, "no such quarantine record");
		return;
	}
	if (store_quarantine_get(pg->st, id, &q, err, sizeof(err)) < 0) {
		web_response_error(pg->resp, strncmp(err, "no quarantine", 13) == 0 ? 404 : 500,
		                   WEB_ERR_HTML, err);
		return;
	}
	html_begin(pg, "Quarantine record", "quarantine");
	html_printf(pg, "<h1>Quarantine record #%lld</h1>\n<dl class=\"meta\">\n", (long long)q.id);
	datetime_format_utc(q.received, when, sizeof(when));
	html_printf(pg, "<dt>Received</dt><dd>%s</dd>\n<dt>Via</dt><dd>", when);
	html_text(pg, q.kind);
	html_raw(pg, "</dd>\n<dt>From</dt><dd>");
	html_text(pg, q.name);
	html_raw(pg, "</dd>\n<dt>Reason</dt><dd id=\"reason\">");
	html_text(pg, q.reason);
	html_raw(pg, "</dd>\n<dt>Size</dt><dd>");
	html_count(pg, q.size);
	html_printf(pg, " bytes%s</dd>\n<dt>SHA-256</dt><dd>%s</dd>\n<dt>Status</dt><dd>",
	            q.truncated ? " (over the size limit: only the first part is kept)" : "",
	            q.sha256_hex);
	if (q.released)
		html_printf(pg, "released into <a href=\"/reports/%lld\">report #%lld</a>",
		            (long long)q.released_report, (long long)q.released_report);
	else
		html_raw(pg, "held");
	html_raw(pg, "</dd>\n</dl>\n<h2>Content</h2>\n");
	quarantine_preview(pg, &q);
	html_end(pg);
	store_quarantine_entry_free(&q);
}
