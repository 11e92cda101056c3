/*
 * summary_export.c - the summary as CSV (one long table for spreadsheets)
 * and as a standalone HTML page. Report strings (untrusted) have their
 * control characters escaped first (so neither file can drive a terminal
 * it is printed on), then: CSV quotes a cell holding a separator (, ; tab)
 * or quote and defuses a leading = + - @ (spreadsheet formulas) with a
 * quote mark (escape_csv);
 * HTML passes every one through escape_html, under a CSP that allows no
 * script and no remote resource.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "datetime.h"
#include "escape.h"
#include "hints.h"
#include "summary.h"
#include "text.h"

/* --- CSV (RFC 4180) --- */

static void csv_cell(struct text_out *o, const char *s)
{
	text_puts(o, ",");
	if (s != NULL && escape_csv(o->sb, s) < 0)
		o->failed = 1;
}

struct csv_row {
	const char *section;
	int64_t day;                 /* < 0: none */
	const struct query_row *r;   /* keys and counts */
	int64_t reports, ok, failed; /* used when r is NULL */
	int sessions;                /* reports and successful apply */
	int has_prev;
	int64_t prev_failed;
};

static void csv_row(struct text_out *o, const struct summary *s, const struct csv_row *c)
{
	char a[16], b[16];
	const struct query_row *r = c->r;

	datetime_format_day(s->since, a, sizeof(a));
	datetime_format_day(s->until, b, sizeof(b));
	text_printf(o, "%s,%s,%s,", c->section, a, b);
	if (c->day >= 0) {
		datetime_format_day(c->day, a, sizeof(a));
		text_puts(o, a);
	}
	csv_cell(o, r != NULL ? r->organization : NULL);
	csv_cell(o, r != NULL ? r->policy_domain : NULL);
	csv_cell(o, r != NULL ? r->mx_host : NULL);
	csv_cell(o, r != NULL ? r->result_type : NULL);
	if (!c->sessions)
		text_puts(o, ",,");
	else if (r != NULL)
		text_printf(o, ",%" PRId64 ",%" PRId64, r->reports, r->successful_sessions);
	else
		text_printf(o, ",%" PRId64 ",%" PRId64, c->reports, c->ok);
	text_printf(o, ",%" PRId64 ",", r != NULL ? r->failed_sessions : c->failed);
	if (c->has_prev)
		text_printf(o, "%" PRId64, c->prev_failed);
	text_puts(o, "\r\n");
}

static void csv_rows(struct text_out *o, const struct summary *s, const char *section,
                     const struct query_rows *rows, const struct query_row **prev, int sessions)
{
	struct csv_row c;
	size_t i;

	for (i = 0; i < rows->n; i++) {
		memset(&c, 0, sizeof(c));
		c.section = section;
		c.day = strcmp(section, "day") == 0 ? rows->rows[i].day : -1;
		c.r = &rows->rows[i];
		c.sessions = sessions;
		c.has_prev = prev != NULL && prev[i] != NULL;
		c.prev_failed = c.has_prev ? prev[i]->failed_sessions : 0;
		csv_row(o, s, &c);
	}
}

int summary_render_csv(const struct summary *s, struct strbuf *sb)
{
	struct text_out o = {sb, 0};
	struct csv_row c;
	size_t i;

	text_puts(&o, "section,since,until,day,organization,policy_domain,mx_host,result_type,"
	              "reports,successful_sessions,failed_sessions,previous_failed_sessions\r\n");
	memset(&c, 0, sizeof(c));
	c.section = "totals";
	c.day = -1;
	c.reports = s->totals.reports;
	c.ok = s->totals.successful_sessions;
	c.failed = s->totals.failed_sessions;
	c.has_prev = 1;
	c.prev_failed = s->prev_totals.failed_sessions;
	c.sessions = 1;
	csv_row(&o, s, &c);
	csv_rows(&o, s, "domain", &s->by_domain, s->by_domain_prev, 1);
	csv_rows(&o, s, "organization", &s->by_organization, s->by_organization_prev, 1);
	csv_rows(&o, s, "mx", &s->by_mx, s->by_mx_prev, 0);
	csv_rows(&o, s, "result_type", &s->by_result_type, s->by_result_type_prev, 0);
	csv_rows(&o, s, "day", &s->by_day, NULL, 1);
	for (i = 0; i < s->top_failures.n; i++) {
		memset(&c, 0, sizeof(c));
		c.section = "top_failure";
		c.day = -1;
		c.r = &s->top_failures.rows[i];
		c.has_prev = 1;
		c.prev_failed = s->top_failures_prev[i];
		csv_row(&o, s, &c);
	}
	return o.failed ? -1 : 0;
}

/* --- HTML --- */

static const char html_head[] =
    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
    "style-src 'unsafe-inline'\">\n"
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    "<style>\n"
    "body{font-family:system-ui,sans-serif;margin:1em auto;max-width:60em;padding:0 1em}\n"
    "table{border-collapse:collapse;margin-bottom:1.5em}\n"
    "th,td{padding:.2em .6em;border-bottom:1px solid #ddd;text-align:left}\n"
    "td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}\n"
    ".hint{color:#555;font-size:90%}\n.up{color:#b00}\n.down{color:#070}\n"
    "</style>\n";

/* Report text: control characters escaped, then HTML-escaped. */
static void html_text(struct text_out *o, const char *s)
{
	char buf[TEXT_CELL_MAX];

	if (escape_html(o->sb, text_escape(s, buf, sizeof(buf))) < 0)
		o->failed = 1;
}

static void html_name(struct text_out *o, const char *s, const char *absent)
{
	if (s == NULL)
		text_printf(o, "<i>%s</i>", absent);
	else
		html_text(o, s);
}

static void html_num(struct text_out *o, int64_t v)
{
	char buf[32];

	text_printf(o, "<td class=\"n\">%s</td>", text_count(v, buf, sizeof(buf)));
}

static void html_change(struct text_out *o, int64_t cur, int64_t prev, int present)
{
	char buf[32];

	text_printf(o, "<td class=\"n%s\">%s</td>",
	            !present || cur > prev ? " up"
	            : cur < prev           ? " down"
	                                   : "",
	            text_delta(cur, prev, present, buf, sizeof(buf)));
}

static void html_sessions(struct text_out *o, const char *title, const struct query_rows *rows,
                          const struct query_row **prev, int by_org)
{
	char rate[16];
	size_t i;

	text_printf(o,
	            "<h2>%s</h2>\n<table>\n<tr><th>%s</th><th class=\"n\">reports</th>"
	            "<th class=\"n\">successful</th><th class=\"n\">failed</th>"
	            "<th class=\"n\">rate</th><th class=\"n\">change</th></tr>\n",
	            title, by_org ? "organization" : "policy domain");
	for (i = 0; i < rows->n; i++) {
		const struct query_row *r = &rows->rows[i];

		text_puts(o, "<tr><td>");
		if (by_org)
			html_text(o, r->organization);
		else
			html_name(o, r->policy_domain, "no policy domain");
		text_puts(o, "</td>");
		html_num(o, r->reports);
		html_num(o, r->successful_sessions);
		html_num(o, r->failed_sessions);
		text_printf(
		    o, "<td class=\"n\">%s</td>",
		    text_rate(r->successful_sessions, r->failed_sessions, rate, sizeof(rate)));
		html_change(o, r->failed_sessions, prev[i] != NULL ? prev[i]->failed_sessions : 0,
		            prev[i] != NULL);
		text_puts(o, "</tr>\n");
	}
	text_puts(o, "</table>\n");
}

static void html_failed(struct text_out *o, const char *title, const struct query_rows *rows,
                        const struct query_row **prev, int by_mx)
{
	char hint[HINTS_MAX];
	size_t i;

	text_printf(o,
	            "<h2>%s</h2>\n<table>\n<tr><th>%s</th><th class=\"n\">failed</th>"
	            "<th class=\"n\">change</th>%s</tr>\n",
	            title, by_mx ? "MX host" : "result type",
	            by_mx ? "" : "<th>what to check</th>");
	for (i = 0; i < rows->n; i++) {
		const struct query_row *r = &rows->rows[i];

		text_puts(o, "<tr><td>");
		if (by_mx)
			html_name(o, r->mx_host, "none named");
		else
			html_text(o, r->result_type);
		text_puts(o, "</td>");
		html_num(o, r->failed_sessions);
		html_change(o, r->failed_sessions, prev[i] != NULL ? prev[i]->failed_sessions : 0,
		            prev[i] != NULL);
		if (!by_mx) {
			text_puts(o, "<td class=\"hint\">");
			html_text(o, hints_format(r->result_type, NULL, hint, sizeof(hint)));
			text_puts(o, "</td>");
		}
		text_puts(o, "</tr>\n");
	}
	text_puts(o, "</table>\n");
}

/* One problem, one row (as the text summary): (domain, MX, result type)
 * with the reporters that saw it (summary_problems.c). */
static void html_top(struct text_out *o, const struct summary *s)
{
	char hint[HINTS_MAX];
	size_t i;

	text_puts(o, "<h2>Top failures</h2>\n<table id=\"top-failures\">\n<tr><th>result type</th>"
	             "<th>MX host</th><th>policy domain</th><th>reported by</th>"
	             "<th class=\"n\">failed</th><th class=\"n\">change</th></tr>\n");
	for (i = 0; i < s->problems.n; i++) {
		const struct query_row *r = &s->problems.rows[i];
		int64_t p = s->problems_prev[i];

		text_puts(o, "<tr><td>");
		html_text(o, r->result_type);
		text_puts(o, "</td><td>");
		html_name(o, r->mx_host, "none named");
		text_puts(o, "</td><td>");
		html_name(o, r->policy_domain, "none");
		text_puts(o, "</td><td>");
		html_text(o, s->problem_reporters[i]);
		text_puts(o, "</td>");
		html_num(o, r->failed_sessions);
		html_change(o, r->failed_sessions, p, p > 0);
		text_puts(o, "</tr>\n<tr><td colspan=\"6\" class=\"hint\">");
		html_text(o, hints_format(r->result_type, r->policy_domain, hint, sizeof(hint)));
		text_puts(o, "</td></tr>\n");
	}
	text_puts(o, "</table>\n");
}

static void html_rest(struct text_out *o, const struct summary *s)
{
	char d[16], rate[16];
	size_t i;

	text_puts(o, "<h2>By day (UTC)</h2>\n<table>\n<tr><th>day</th><th class=\"n\">successful"
	             "</th><th class=\"n\">failed</th><th class=\"n\">rate</th></tr>\n");
	for (i = 0; i < s->by_day.n; i++) {
		const struct query_row *r = &s->by_day.rows[i];

		datetime_format_day(r->day, d, sizeof(d));
		text_printf(o, "<tr><td>%s</td>", d);
		html_num(o, r->successful_sessions);
		html_num(o, r->failed_sessions);
		text_printf(
		    o, "<td class=\"n\">%s</td></tr>\n",
		    text_rate(r->successful_sessions, r->failed_sessions, rate, sizeof(rate)));
	}
	text_puts(o, "</table>\n<h2>Failing now, not in the previous period</h2>\n<ul>\n");
	for (i = 0; i < s->by_result_type.n; i++) {
		if (s->by_result_type_prev[i] != NULL)
			continue;
		text_puts(o, "<li>result type ");
		html_text(o, s->by_result_type.rows[i].result_type);
		text_puts(o, "</li>\n");
	}
	for (i = 0; i < s->by_mx.n; i++) {
		if (s->by_mx_prev[i] != NULL)
			continue;
		text_puts(o, "<li>MX host ");
		html_name(o, s->by_mx.rows[i].mx_host, "none named");
		text_puts(o, "</li>\n");
	}
	text_puts(o, "</ul>\n<h2>Silent reporters</h2>\n<ul>\n");
	for (i = 0; i < s->n_silent; i++) {
		const struct query_row *r = &s->prev_by_organization.rows[s->silent[i]];

		text_puts(o, "<li>");
		html_text(o, r->organization);
		text_printf(o, " (%" PRId64 " reports in the previous period)</li>\n", r->reports);
	}
	text_printf(o,
	            "</ul>\n<h2>Quarantined</h2>\n<p>%" PRId64 " input%s received in the period "
	            "refused (<code>tlswatch quarantine list</code>).</p>\n",
	            s->quarantined, s->quarantined == 1 ? "" : "s");
}

/* DANE results at the filtered domains' MX hosts (mxdane.h), as the text
 * summary's section: counted under the MX host, not in the domain's totals. */
static void html_dane_at_mx(struct text_out *o, const struct mxdane_list *l)
{
	char rate[16], note[MXDANE_NOTE_MAX];
	size_t i;

	if (l->n == 0 && l->more == 0 && l->domains_more == 0)
		return;
	text_puts(o, "<h2>DANE results at your MX hosts</h2>\n<p>Reported under the MX host's "
	             "own name, counted there and <b>not</b> in the domain's totals.</p>\n"
	             "<table>\n<tr><th>policy domain</th><th>MX host</th>"
	             "<th class=\"n\">reports</th><th class=\"n\">successful</th>"
	             "<th class=\"n\">failed</th><th class=\"n\">rate</th>"
	             "<th>note</th></tr>\n");
	for (i = 0; i < l->n; i++) {
		const struct mxdane_host *x = &l->h[i];

		text_puts(o, "<tr><td>");
		html_text(o, x->domain);
		text_puts(o, "</td><td>");
		html_text(o, x->mx_host);
		text_puts(o, "</td>");
		html_num(o, x->reports);
		html_num(o, x->successful_sessions);
		html_num(o, x->failed_sessions);
		text_printf(
		    o, "<td class=\"n\">%s</td><td>",
		    text_rate(x->successful_sessions, x->failed_sessions, rate, sizeof(rate)));
		html_text(o, mxdane_note(x, note, sizeof(note)));
		text_puts(o, "</td></tr>\n");
	}
	text_puts(o, "</table>\n");
	if (l->more > 0)
		text_printf(o, "<p>%zu more MX hosts left out (past %d).</p>\n", l->more,
		            LIMIT_MXDANE_HOSTS);
	if (l->domains_more > 0)
		text_printf(o, "<p>%zu domains of the filter not read (past %d).</p>\n",
		            l->domains_more, LIMIT_MXDANE_DOMAINS);
}

/* Published vs reported (published.h), as the text summary's section:
 * nothing when no domain was checked. */
static void html_published(struct text_out *o, const struct published_list *l)
{
	size_t i, k;

	if (l == NULL || l->n == 0)
		return;
	text_puts(o, "<h2>Published vs reported</h2>\n");
	for (i = 0; i < l->n; i++) {
		const struct published *p = &l->d[i];

		text_puts(o, "<h3>");
		html_text(o, p->domain);
		text_puts(o, ": MTA-STS ");
		html_text(o, p->sts_mode[0] != '\0' ? p->sts_mode : "none");
		if (p->sts_id[0] != '\0') {
			text_puts(o, " id ");
			html_text(o, p->sts_id);
		}
		text_puts(o, "</h3>\n<ul>\n");
		for (k = 0; k < p->n; k++) {
			text_printf(o, "<li><b>%s</b> ", published_kind_name(p->note[k].kind));
			html_text(o, p->note[k].text);
			text_puts(o, "</li>\n");
		}
		if (p->n == 0)
			text_puts(o, "<li>nothing to note</li>\n");
		text_puts(o, "</ul>\n");
	}
}

int summary_render_html(const struct summary *s, struct strbuf *sb)
{
	struct text_out o = {sb, 0};
	char a[16], b[16], c[16], d[16], ok[32], bad[32], rate[16], prate[16];
	size_t i;

	datetime_format_day(s->since, a, sizeof(a));
	datetime_format_day(s->until > s->since ? s->until - 1 : s->until, b, sizeof(b));
	datetime_format_day(s->prev_since, c, sizeof(c));
	datetime_format_day(s->prev_until > s->prev_since ? s->prev_until - 1 : s->prev_until, d,
	                    sizeof(d));
	text_puts(&o, html_head);
	text_printf(&o,
	            "<title>tlswatch summary %s to %s</title>\n</head>\n<body>\n"
	            "<h1>SMTP TLS reports, %s to %s (UTC)</h1>\n"
	            "<p>Compared with %s to %s; changes are in failed sessions.",
	            a, b, a, b, c, d);
	for (i = 0; i < s->n_domains; i++) {
		text_puts(&o, i == 0 ? " Domains: " : ", ");
		html_text(&o, s->domains[i]);
		text_puts(&o, i + 1 == s->n_domains ? "." : "");
	}
	if (s->organization != NULL) {
		text_puts(&o, " Reporter: ");
		html_text(&o, s->organization);
		text_puts(&o, ".");
	}
	text_printf(&o,
	            "</p>\n<h2>Totals</h2>\n<table>\n<tr><th></th><th class=\"n\">this period"
	            "</th><th class=\"n\">previous</th></tr>\n"
	            "<tr><td>reports</td><td class=\"n\">%s</td>",
	            text_count(s->totals.reports, ok, sizeof(ok)));
	text_printf(&o, "<td class=\"n\">%s</td></tr>\n",
	            text_count(s->prev_totals.reports, ok, sizeof(ok)));
	text_printf(&o,
	            "<tr><td>successful sessions</td><td class=\"n\">%s</td>"
	            "<td class=\"n\">%s</td></tr>\n",
	            text_count(s->totals.successful_sessions, ok, sizeof(ok)),
	            text_count(s->prev_totals.successful_sessions, bad, sizeof(bad)));
	text_printf(&o,
	            "<tr><td>failed sessions</td><td class=\"n\">%s</td>"
	            "<td class=\"n\">%s</td></tr>\n",
	            text_count(s->totals.failed_sessions, ok, sizeof(ok)),
	            text_count(s->prev_totals.failed_sessions, bad, sizeof(bad)));
	text_printf(
	    &o,
	    "<tr><td>success rate</td><td class=\"n\">%s</td><td class=\"n\">%s</td>"
	    "</tr>\n</table>\n",
	    text_rate(s->totals.successful_sessions, s->totals.failed_sessions, rate, sizeof(rate)),
	    text_rate(s->prev_totals.successful_sessions, s->prev_totals.failed_sessions, prate,
	              sizeof(prate)));
	html_sessions(&o, "By policy domain", &s->by_domain, s->by_domain_prev, 0);
	html_top(&o, s);
	html_sessions(&o, "By organization", &s->by_organization, s->by_organization_prev, 1);
	html_failed(&o, "By MX host", &s->by_mx, s->by_mx_prev, 1);
	html_failed(&o, "By result type", &s->by_result_type, s->by_result_type_prev, 0);
	if (s->by_domain_more + s->by_organization_more + s->by_mx_more + s->by_result_type_more >
	    0)
		text_printf(&o,
		            "<p>Left out past %d rows a list: %zu domains, %zu organizations, %zu "
		            "MX hosts, %zu result types.</p>\n",
		            LIMIT_SUMMARY_ROWS, s->by_domain_more, s->by_organization_more,
		            s->by_mx_more, s->by_result_type_more);
	html_rest(&o, s);
	html_dane_at_mx(&o, &s->dane_at_mx);
	html_published(&o, s->published);
	text_puts(&o, "</body>\n</html>\n");
	return o.failed ? -1 : 0;
}
