/*
 * pages_failures.c - the failures page: failed sessions grouped by
 * organisation, MX host, result type, policy domain or sending IP, each
 * number a link to the reports (or, for an IP, the failure details)
 * behind it. Report text is escaped through html_text().
 */
#include <stdio.h>
#include <string.h>

#include "datetime.h"
#include "hints.h"
#include "page.h"
#include "query_ip.h"
#include "text.h"

static void failures_tabs(struct web_page *pg, enum web_group_by current)
{
	enum web_group_by g;
	struct web_kv kv;

	html_raw(pg, "<div class=\"tabs\" id=\"group-by\">");
	for (g = GROUP_ORGANIZATION; g <= GROUP_INFO; g++) {
		kv.key = "group_by";
		kv.value = web_group_name(g);
		html_link(pg, "/failures", &kv, 1, web_group_title(g),
		          g == current ? "active" : NULL);
	}
	html_raw(pg, "</div>\n");
}

/* The failure details from one sending IP. */
static void failures_ip(struct web_page *pg, const char *ip)
{
	struct query_ip_details d = {NULL, 0, 0};
	const struct web_kv keep[2] = {{"group_by", "sending_ip"}, {"ip", ip}};
	int64_t size = LIMIT_WEB_PAGE_ROWS;
	char err[ERR_LINE_MAX], day[16];
	size_t i;

	if (query_ip_details(pg->st, &pg->filter.q, ip, (pg->filter.page - 1) * size, size, &d, err,
	                     sizeof(err)) < 0) {
		html_raw(pg, "<p class=\"error\">");
		html_text(pg, err);
		html_raw(pg, "</p>\n");
		return;
	}
	html_raw(pg, "<h2>Failure details from sending IP ");
	html_text(pg, ip);
	html_raw(pg, "</h2>\n");
	html_pager(pg, "/failures", d.total, size, keep, 2);
	html_raw(pg, "<div class=\"scroll\"><table id=\"ip-details\">\n<thead><tr><th>Day</th>"
	             "<th>Report</th><th>Organisation</th><th>Policy</th><th>Policy domain</th>"
	             "<th>MX host</th><th>Result type</th><th>Receiving IP</th><th>Reason code</th>"
	             "<th class=\"num\">Failed</th></tr></thead>\n<tbody>\n");
	for (i = 0; i < d.n; i++) {
		const struct query_ip_detail *e = &d.details[i];

		datetime_format_day(e->day, day, sizeof(day));
		html_printf(
		    pg,
		    "<tr><td class=\"day\">%s</td><td><a href=\"/reports/%lld\">#%lld</a></td><td>",
		    day, (long long)e->report, (long long)e->report);
		html_text(pg, e->organization);
		html_raw(pg, "</td><td>");
		html_text(pg, e->policy_type);
		html_raw(pg, "</td><td>");
		html_text(pg, e->policy_domain);
		html_raw(pg, "</td><td>");
		html_text(pg, e->receiving_mx_hostname);
		html_raw(pg, "</td><td>");
		html_text(pg, e->result_type);
		html_raw(pg, "</td><td>");
		html_text(pg, e->receiving_ip);
		html_raw(pg, "</td><td>");
		html_text(pg, e->failure_reason_code);
		html_raw(pg, "</td><td class=\"num fail\">");
		html_count(pg, e->failed_sessions);
		html_raw(pg, "</td></tr>\n");
	}
	html_raw(pg, "</tbody></table></div>\n");
	query_ip_details_free(&d);
}

static void failures_groups(struct web_page *pg, enum web_group_by g)
{
	struct web_groups groups = {NULL, 0};
	char err[ERR_LINE_MAX], hint[HINTS_MAX], share[32];
	int64_t total = 0;
	struct web_kv kv[2], keep[1];
	size_t i, first, end;

	if (web_groups_read(pg->st, &pg->filter, g, &groups, err, sizeof(err)) < 0) {
		html_raw(pg, "<p class=\"error\">");
		html_text(pg, err);
		html_raw(pg, "</p>\n");
		return;
	}
	if (groups.n == 0) {
		html_raw(pg,
		         "<p class=\"none\" id=\"no-failures\">No failed sessions in this period"
		         " for this filter.</p>\n");
		web_groups_free(&groups);
		return;
	}
	for (i = 0; i < groups.n; i++)
		total += groups.groups[i].failed_sessions;
	/* one page of groups: a report naming thousands of hosts must not
	 * make this page megabytes (the share is still of every group) */
	first = (size_t)(pg->filter.page - 1) * LIMIT_WEB_PAGE_ROWS;
	if (first > groups.n)
		first = groups.n;
	end = groups.n - first < LIMIT_WEB_PAGE_ROWS ? groups.n : first + LIMIT_WEB_PAGE_ROWS;
	html_printf(pg,
	            "<div class=\"scroll\"><table id=\"failure-groups\">\n<thead><tr><th>%s</th>"
	            "<th class=\"num\">Failed sessions</th><th class=\"num\">Share</th>%s</tr>"
	            "</thead>\n<tbody>\n",
	            web_group_title(g),
	            g == GROUP_RESULT_TYPE ? "<th>What it means</th>"
	            : g == GROUP_REASON || g == GROUP_INFO
	                ? "<th>Result types</th><th class=\"num\">Forms</th>"
	                : "");
	for (i = first; i < end; i++) {
		const struct web_group *e = &groups.groups[i];

		html_raw(pg, "<tr><td>");
		if (e->key != NULL)
			html_text(pg, e->key);
		else
			html_raw(pg, "<span class=\"absent\">(not in the reports)</span>");
		html_raw(pg, "</td><td class=\"num fail\">");
		if (e->key == NULL || g == GROUP_REASON || g == GROUP_INFO) {
			/* a reason is no filter of the reports page */
			html_count(pg, e->failed_sessions);
		} else if (g == GROUP_IP) {
			kv[0].key = "group_by";
			kv[0].value = "sending_ip";
			kv[1].key = "ip";
			kv[1].value = e->key;
			html_count_link(pg, "/failures", kv, 2, e->failed_sessions);
		} else {
			kv[0].key = web_group_param(g);
			kv[0].value = e->key;
			html_count_link(pg, "/reports", kv, 1, e->failed_sessions);
		}
		html_printf(pg, "</td><td class=\"num\">%s</td>",
		            text_percent(e->failed_sessions, total, share, sizeof(share)));
		if (g == GROUP_REASON || g == GROUP_INFO) {
			html_raw(pg, "<td>");
			html_text(pg, e->detail);
			html_printf(pg, "</td><td class=\"num\">%lld</td>", (long long)e->forms);
		}
		if (g == GROUP_RESULT_TYPE) {
			html_raw(pg, "<td class=\"hint\">");
			html_text(pg,
			          hints_format(e->key,
			                       pg->filter.q.n_domains == 1 ? pg->filter.q.domains[0]
			                                                   : NULL,
			                       hint, sizeof(hint)));
			html_raw(pg, "</td>");
		}
		html_raw(pg, "</tr>\n");
	}
	html_raw(pg, "</tbody></table></div>\n");
	keep[0].key = "group_by";
	keep[0].value = web_group_name(g);
	html_pager(pg, "/failures", (int64_t)groups.n, LIMIT_WEB_PAGE_ROWS, keep, 1);
	web_groups_free(&groups);
}

void page_failures(struct web_page *pg)
{
	const char *by = web_params_get(&pg->params, "group_by");
	const char *ip = web_params_get(&pg->params, "ip");
	enum web_group_by g = GROUP_RESULT_TYPE;

	if (by != NULL && web_group_parse(by, &g) < 0) {
		web_response_error(pg->resp, 400, WEB_ERR_HTML,
		                   "group_by: want organization, mx, result_type, domain, "
		                   "sending_ip, reason or additional_information");
		return;
	}
	if (ip != NULL)
		g = GROUP_IP;
	html_begin(pg, "Failures", "failures");
	html_raw(pg, "<h1>Failures</h1>\n<p class=\"period\">");
	html_period(pg, pg->filter.q.since, pg->filter.q.until);
	html_raw(pg, "</p>\n");
	failures_tabs(pg, g);
	if (ip != NULL)
		failures_ip(pg, ip);
	else
		failures_groups(pg, g);
	html_end(pg);
}
