/*
 * pages_reports.c - the report list (paginated, filtered like every page)
 * and one report: its policies, failure details, where it came from (mail
 * headers or the HTTPS client) and the raw JSON as received. Everything
 * shown from a report is escaped through html_text().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datetime.h"
#include "page.h"
#include "text.h"
#include "xalloc.h"

/* Appends len bytes of JSON (validated at ingest) indented for reading:
 * a newline and indentation after { [ and , and before } ]; strings are
 * copied as they are. Escaped by the caller's html_text. */
static void reports_json_indent(const char *json, size_t len, struct strbuf *sb)
{
	size_t i, depth = 0, k;
	int in_string = 0, escaped = 0, failed = 0;
	char c;

	for (i = 0; i < len && !failed; i++) {
		c = json[i];
		if (in_string) {
			failed |= strbuf_putc(sb, c);
			if (escaped)
				escaped = 0;
			else if (c == '\\')
				escaped = 1;
			else if (c == '"')
				in_string = 0;
			continue;
		}
		switch (c) {
		case ' ':
		case '\t':
		case '\r':
		case '\n':
			break;
		case '"':
			in_string = 1;
			failed |= strbuf_putc(sb, c);
			break;
		case '{':
		case '[':
			depth++;
			failed |= strbuf_putc(sb, c);
			failed |= strbuf_putc(sb, '\n');
			for (k = 0; k < depth && k < 64; k++)
				failed |= strbuf_puts(sb, "  ");
			break;
		case '}':
		case ']':
			depth = depth > 0 ? depth - 1 : 0;
			failed |= strbuf_putc(sb, '\n');
			for (k = 0; k < depth && k < 64; k++)
				failed |= strbuf_puts(sb, "  ");
			failed |= strbuf_putc(sb, c);
			break;
		case ',':
			failed |= strbuf_puts(sb, ",\n");
			for (k = 0; k < depth && k < 64; k++)
				failed |= strbuf_puts(sb, "  ");
			break;
		case ':':
			failed |= strbuf_puts(sb, ": ");
			break;
		default:
			failed |= strbuf_putc(sb, c);
			break;
		}
	}
}

static void reports_table(struct web_page *pg, const struct query_report_list *l)
{
	char day[16];
	size_t i;

	/* "stack": one block per report on a phone, every name whole */
	html_raw(pg, "<div class=\"scroll\"><table id=\"reports\" class=\"stack\">\n<thead><tr>"
	             "<th>Day</th>"
	             "<th>Organisation</th><th>Report ID</th><th>Policy domains</th>"
	             "<th class=\"num\">Successful</th><th class=\"num\">Failed</th></tr></thead>\n"
	             "<tbody>\n");
	for (i = 0; i < l->n; i++) {
		const struct query_report_entry *e = &l->entries[i];

		datetime_format_day(e->day, day, sizeof(day));
		html_printf(pg,
		            "<tr><td class=\"day\" data-label=\"Day\">%s</td>"
		            "<td data-label=\"Organisation\"><a class=\"report-link\" "
		            "href=\"/reports/%lld\">",
		            day, (long long)e->id);
		html_text(pg, e->organization);
		html_raw(pg, "</a></td><td class=\"name\" data-label=\"Report ID\">");
		html_text(pg, e->report_id);
		/* one span: a stacked cell lays its children side by side */
		html_raw(pg, "</td><td class=\"name\" data-label=\"Policy domains\"><span>");
		html_text(pg, e->first_domain);
		/* the others are on the report's page, never cut */
		if (e->n_domains > 1)
			html_printf(pg,
			            " <a class=\"absent\" href=\"/reports/%lld#policies\">+%lld "
			            "more</a>",
			            (long long)e->id, (long long)e->n_domains - 1);
		html_raw(pg, "</span></td><td class=\"num ok\" data-label=\"Successful\">");
		html_count(pg, e->successful_sessions);
		html_raw(pg, "</td><td class=\"num fail\" data-label=\"Failed\">");
		html_count(pg, e->failed_sessions);
		html_raw(pg, "</td></tr>\n");
	}
	html_raw(pg, "</tbody></table></div>\n");
}

void page_reports(struct web_page *pg)
{
	struct query_report_list l = {NULL, 0, 0};
	int64_t size = LIMIT_WEB_PAGE_ROWS;
	char err[ERR_LINE_MAX];

	if (query_reports(pg->st, &pg->filter.q, (pg->filter.page - 1) * size, size, &l, err,
	                  sizeof(err)) < 0) {
		web_response_error(pg->resp, 500, WEB_ERR_HTML, err);
		return;
	}
	html_begin(pg, "Reports", "reports");
	html_raw(pg, "<h1>Reports</h1>\n<p class=\"period\">");
	html_period(pg, pg->filter.q.since, pg->filter.q.until);
	html_raw(pg, "</p>\n");
	html_pager(pg, "/reports", l.total, size, NULL, 0);
	if (l.n > 0)
		reports_table(pg, &l);
	else
		html_raw(pg, "<p class=\"none\">No report matches this filter.</p>\n");
	if (l.total > size)
		html_pager(pg, "/reports", l.total, size, NULL, 0);
	html_end(pg);
	query_report_list_free(&l);
}

/* <dt>NAME</dt><dd>VALUE</dd>, the value escaped; absent values skipped
 * unless always. */
static void reports_meta(struct web_page *pg, const char *name, const char *value, int always)
{
	size_t len;
	char *cut;

	if (value == NULL && !always)
		return;
	html_printf(pg, "<dt>%s</dt><dd>", name);
	len = value != NULL ? strlen(value) : 0;
	if (len <= LIMIT_WEB_VALUE_SHOWN) {
		html_text(pg, value);
	} else {
		/* a list of a thousand policy lines: the start, and where the
		 * rest is (cut on a UTF-8 boundary) */
		len = LIMIT_WEB_VALUE_SHOWN;
		while (len > 0 && ((unsigned char)value[len] & 0xc0) == 0x80)
			len--;
		cut = xstrndup(value, len);
		html_text(pg, cut);
		free(cut);
		html_printf(pg,
		            " <span class=\"absent\">&hellip; %zu more bytes (in the raw JSON "
		            "and the API)</span>",
		            strlen(value) - len);
	}
	html_raw(pg, "</dd>\n");
}

static void reports_meta_time(struct web_page *pg, const char *name, int64_t t)
{
	char buf[32];

	datetime_format_utc(t, buf, sizeof(buf));
	reports_meta(pg, name, buf, 1);
}

static void reports_source(struct web_page *pg, const struct query_source_detail *src)
{
	html_raw(pg, "<h2>Source</h2>\n");
	if (!src->present) {
		html_raw(pg, "<p class=\"none\">No source recorded.</p>\n");
		return;
	}
	html_raw(pg, "<dl class=\"meta\" id=\"source\">\n");
	reports_meta(pg, "Received via", src->kind, 1);
	reports_meta(pg,
	             strcmp(src->kind != NULL ? src->kind : "", "https") == 0 ? "Client address"
	                                                                      : "Name",
	             src->name, 0);
	reports_meta_time(pg, "Received", src->received);
	reports_meta(pg, "Message-ID", src->message_id, 0);
	reports_meta(pg, "From", src->mail_from, 0);
	reports_meta(pg, "Date", src->mail_date, 0);
	reports_meta(pg, "Subject", src->subject, 0);
	reports_meta(pg, "TLS-Report-Domain", src->tls_report_domain, 0);
	reports_meta(pg, "TLS-Report-Submitter", src->tls_report_submitter, 0);
	html_raw(pg, "</dl>\n");
	if (src->auth_headers != NULL) {
		html_raw(pg, "<h3>Authentication headers</h3>\n<pre>");
		html_text(pg, src->auth_headers);
		html_raw(pg, "</pre>\n");
	}
}

static void reports_failures(struct web_page *pg, const struct query_policy_detail *p)
{
	size_t i, shown;

	if (p->n_failures == 0)
		return;
	shown = p->n_failures < LIMIT_WEB_PAGE_ROWS ? p->n_failures : LIMIT_WEB_PAGE_ROWS;
	html_raw(pg, "<div class=\"scroll\"><table class=\"failure-details\">\n<thead><tr>"
	             "<th>Result type</th><th>Sending IP</th><th>MX host</th><th>MX HELO</th>"
	             "<th>Receiving IP</th><th class=\"num\">Failed</th><th>Reason code</th>"
	             "<th>Additional information</th></tr></thead>\n<tbody>\n");
	for (i = 0; i < shown; i++) {
		const struct query_failure_detail *f = &p->failures[i];

		html_raw(pg, "<tr><td>");
		html_text(pg, f->result_type);
		html_raw(pg, "</td><td>");
		html_text(pg, f->sending_mta_ip);
		html_raw(pg, "</td><td>");
		html_text(pg, f->receiving_mx_hostname);
		html_raw(pg, "</td><td>");
		html_text(pg, f->receiving_mx_helo);
		html_raw(pg, "</td><td>");
		html_text(pg, f->receiving_ip);
		html_raw(pg, "</td><td class=\"num fail\">");
		html_count(pg, f->failed_sessions);
		html_raw(pg, "</td><td>");
		html_text(pg, f->failure_reason_code);
		html_raw(pg, "</td><td>");
		html_text(pg, f->additional_information);
		html_raw(pg, "</td></tr>\n");
	}
	html_raw(pg, "</tbody></table></div>\n");
	if (shown < p->n_failures)
		html_printf(pg,
		            "<p class=\"none\">%zu more failure details (in the raw JSON and "
		            "the API).</p>\n",
		            p->n_failures - shown);
}

static void reports_policy_pager(struct web_page *pg, const struct query_report_detail *d)
{
	char path[64];

	snprintf(path, sizeof(path), "/reports/%lld", (long long)d->id);
	html_pager(pg, path, (int64_t)d->n_policies, LIMIT_WEB_PAGE_ROWS, NULL, 0);
}

static void reports_policies(struct web_page *pg, const struct query_report_detail *d)
{
	size_t i, first, end;

	html_printf(pg, "<h2 id=\"policies\">Policies (%zu)</h2>\n", d->n_policies);
	/* one page of policies: a report may hold thousands */
	first = (size_t)(pg->filter.page - 1) * LIMIT_WEB_PAGE_ROWS;
	if (first > d->n_policies)
		first = d->n_policies;
	end = d->n_policies - first < LIMIT_WEB_PAGE_ROWS ? d->n_policies
	                                                  : first + LIMIT_WEB_PAGE_ROWS;
	if (d->n_policies > LIMIT_WEB_PAGE_ROWS)
		reports_policy_pager(pg, d);
	for (i = first; i < end; i++) {
		const struct query_policy_detail *p = &d->policies[i];
		char n[32];

		html_printf(pg, "<section class=\"policy\">\n<h3>%zu. ", i + 1);
		html_text(pg, p->policy_type);
		html_raw(pg, " policy for ");
		html_text(pg, p->policy_domain);
		html_raw(pg, "</h3>\n<dl class=\"meta\">\n");
		reports_meta(pg, "Successful sessions",
		             text_count(p->successful_sessions, n, sizeof(n)), 1);
		reports_meta(pg, "Failed sessions", text_count(p->failed_sessions, n, sizeof(n)),
		             1);
		reports_meta(pg, "Policy strings", p->policy_strings, 0);
		reports_meta(pg, "MX hosts", p->mx_hosts, 0);
		html_raw(pg, "</dl>\n");
		reports_failures(pg, p);
		html_raw(pg, "</section>\n");
	}
}

void page_report(struct web_page *pg, const char *id_s)
{
	struct query_report_detail d;
	struct strbuf pretty;
	char err[ERR_LINE_MAX], n[32];
	int64_t id;

	memset(&d, 0, sizeof(d));
	if (web_parse_id(id_s, &id) < 0) {
		web_response_error(pg->resp, 404, WEB_ERR_HTML, "no such report");
		return;
	}
	if (query_report_get(pg->st, id, &d, err, sizeof(err)) < 0) {
		web_response_error(pg->resp, strncmp(err, "no report", 9) == 0 ? 404 : 500,
		                   WEB_ERR_HTML, err);
		return;
	}
	html_begin(pg, "Report", "reports");
	html_printf(pg, "<h1>Report #%lld</h1>\n<dl class=\"meta\" id=\"report-meta\">\n",
	            (long long)d.id);
	reports_meta(pg, "Organisation", d.organization, 1);
	reports_meta(pg, "Report ID", d.report_id, 1);
	reports_meta(pg, "Contact", d.contact_info, 1);
	reports_meta_time(pg, "Start", d.start_time);
	reports_meta_time(pg, "End", d.end_time);
	reports_meta(pg, "Successful sessions", text_count(d.successful_sessions, n, sizeof(n)), 1);
	reports_meta(pg, "Failed sessions", text_count(d.failed_sessions, n, sizeof(n)), 1);
	reports_meta(pg, "SHA-256 of the JSON", d.raw_sha256_hex, 1);
	html_raw(pg, "</dl>\n");
	reports_policies(pg, &d);
	reports_source(pg, &d.source);
	html_printf(pg, "<h2>Raw JSON</h2>\n<p><a href=\"/api/v1/reports/%lld\">As JSON</a>",
	            (long long)d.id);
	if (d.raw_json_len > LIMIT_WEB_RAW_SHOWN)
		html_printf(pg, " (the first %u bytes of %zu are shown)", LIMIT_WEB_RAW_SHOWN,
		            d.raw_json_len);
	html_raw(pg, "</p>\n<pre id=\"raw-json\">");
	strbuf_init(&pretty, LIMIT_WEB_RAW_SHOWN * 4);
	reports_json_indent(
	    d.raw_json != NULL ? d.raw_json : "",
	    d.raw_json_len < LIMIT_WEB_RAW_SHOWN ? d.raw_json_len : LIMIT_WEB_RAW_SHOWN, &pretty);
	html_text(pg, strbuf_str(&pretty));
	strbuf_free(&pretty);
	html_raw(pg, "</pre>\n");
	html_end(pg);
	query_report_detail_free(&d);
}
