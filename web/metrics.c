/*
 * metrics.c - /metrics in the Prometheus text exposition format (0.0.4):
 * all-time counters from the analyzer's groups, labelled by policy domain,
 * organisation, MX host and result type. Label values are report text:
 * escaped as the format requires (backslash, double quote, newline), other
 * control characters dropped (escape_prom_label).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "page.h"
#include "xalloc.h"

/* Series written and left out, per family: a family stops at
 * LIMIT_WEB_METRICS_SERIES, so that no report can make /metrics megabytes
 * (tlswatch_metrics_series_dropped says how many were left out). */
struct metrics_family {
	size_t written, dropped;
};

/* Appends name{k="v",...} with the n label pairs; absent values are "".
 * 0, or -1 when the family is full (nothing written: skip the value). */
static int metrics_series(struct web_page *pg, struct metrics_family *fam, const char *name,
                          const char *const *keys, const char *const *values, size_t n)
{
	size_t i;

	if (fam->written == LIMIT_WEB_METRICS_SERIES) {
		fam->dropped++;
		return -1;
	}
	fam->written++;
	html_raw(pg, name);
	html_raw(pg, "{");
	for (i = 0; i < n; i++) {
		html_printf(pg, "%s%s=\"", i > 0 ? "," : "", keys[i]);
		if (escape_prom_label(pg->out, values[i] != NULL ? values[i] : "") < 0)
			pg->failed = 1;
		html_raw(pg, "\"");
	}
	html_raw(pg, "} ");
	return 0;
}

static void metrics_dropped(struct web_page *pg, const char *family, const struct metrics_family *f)
{
	if (f->dropped > 0)
		html_printf(pg, "tlswatch_metrics_series_dropped{family=\"%s\"} %zu\n", family,
		            f->dropped);
}

/* Counters per (policy domain, organisation): one domain breakdown per
 * reporter, the analyzer's own groups; then each family is written as one
 * group, as the format requires. tlswatch_sessions_total has a result
 * label: successful or failed (from the policy summaries, counted once). */
static int metrics_domains(struct web_page *pg, const struct query_filter *all,
                           struct metrics_family *reports, struct metrics_family *sessions,
                           char *err, size_t errlen)
{
	static const char *const keys[] = {"policy_domain", "organization", "result"};
	struct query_rows orgs = {NULL, 0}, *doms = NULL;
	struct query_filter f = *all;
	const char *values[3];
	size_t i, j, k;
	int rc = -1;

	if (query_group(pg->st, all, QUERY_BY_ORGANIZATION, 0, &orgs, err, errlen) < 0)
		return -1;
	doms = xcalloc(orgs.n ? orgs.n : 1, sizeof(*doms));
	for (i = 0; i < orgs.n; i++) {
		f.organization = orgs.rows[i].organization;
		if (query_group(pg->st, &f, QUERY_BY_DOMAIN, 0, &doms[i], err, errlen) < 0)
			goto out;
	}
	html_raw(pg, "# HELP tlswatch_reports_total Reports received, by policy domain and "
	             "reporting organisation.\n# TYPE tlswatch_reports_total counter\n");
	for (i = 0; i < orgs.n; i++) {
		for (j = 0; j < doms[i].n; j++) {
			values[0] = doms[i].rows[j].policy_domain;
			values[1] = orgs.rows[i].organization;
			if (metrics_series(pg, reports, "tlswatch_reports_total", keys, values,
			                   2) == 0)
				html_printf(pg, "%lld\n", (long long)doms[i].rows[j].reports);
		}
	}
	html_raw(pg, "# HELP tlswatch_sessions_total TLS sessions reported, by policy domain, "
	             "reporting organisation and result (counted once).\n"
	             "# TYPE tlswatch_sessions_total counter\n");
	for (k = 0; k < 2; k++) {
		for (i = 0; i < orgs.n; i++) {
			for (j = 0; j < doms[i].n; j++) {
				const struct query_row *r = &doms[i].rows[j];

				values[0] = r->policy_domain;
				values[1] = orgs.rows[i].organization;
				values[2] = k == 0 ? "successful" : "failed";
				if (metrics_series(pg, sessions, "tlswatch_sessions_total", keys,
				                   values, 3) < 0)
					continue;
				html_printf(pg, "%lld\n",
				            (long long)(k == 0 ? r->successful_sessions
				                               : r->failed_sessions));
			}
		}
	}
	rc = 0;
out:
	for (i = 0; i < orgs.n; i++)
		query_rows_free(&doms[i]);
	free(doms);
	query_rows_free(&orgs);
	return rc;
}

static int metrics_failures(struct web_page *pg, const struct query_filter *all,
                            struct metrics_family *fam, char *err, size_t errlen)
{
	static const char *const keys[] = {"policy_domain", "organization", "mx_host",
	                                   "result_type"};
	struct query_rows rows = {NULL, 0};
	const char *values[4];
	size_t i;

	if (query_group(pg->st, all, QUERY_BY_FAILURE, 0, &rows, err, errlen) < 0)
		return -1;
	html_raw(pg, "# HELP tlswatch_failed_sessions_total Failed TLS sessions from the failure "
	             "details, by policy domain, organisation, MX host and result type (counted "
	             "once).\n# TYPE tlswatch_failed_sessions_total counter\n");
	for (i = 0; i < rows.n; i++) {
		values[0] = rows.rows[i].policy_domain;
		values[1] = rows.rows[i].organization;
		values[2] = rows.rows[i].mx_host;
		values[3] = rows.rows[i].result_type;
		if (metrics_series(pg, fam, "tlswatch_failed_sessions_total", keys, values, 4) == 0)
			html_printf(pg, "%lld\n", (long long)rows.rows[i].failed_sessions);
	}
	query_rows_free(&rows);
	return 0;
}

void page_metrics(struct web_page *pg)
{
	struct query_filter all;
	struct metrics_family reports = {0, 0}, sessions = {0, 0}, failures = {0, 0};
	int64_t first = 0, last = 0, quarantined = 0;
	char err[ERR_LINE_MAX];
	int found;

	/* every report ever stored: the counters only grow */
	memset(&all, 0, sizeof(all));
	if (query_day_span(pg->st, &first, &last, &found, err, sizeof(err)) < 0 ||
	    query_quarantined(pg->st, 0, pg->filter.today + 2, &quarantined, err, sizeof(err)) < 0)
		goto fail;
	all.since = found ? first : 0;
	all.until = found ? last + 1 : 0;
	if (metrics_domains(pg, &all, &reports, &sessions, err, sizeof(err)) < 0 ||
	    metrics_failures(pg, &all, &failures, err, sizeof(err)) < 0)
		goto fail;
	html_raw(pg, "# HELP tlswatch_quarantined_inputs_total Inputs refused and kept in "
	             "quarantine.\n# TYPE tlswatch_quarantined_inputs_total counter\n");
	html_printf(pg, "tlswatch_quarantined_inputs_total %lld\n", (long long)quarantined);
	html_raw(pg,
	         "# HELP tlswatch_last_report_day_timestamp_seconds Start of the UTC day of "
	         "the newest report.\n# TYPE tlswatch_last_report_day_timestamp_seconds gauge\n");
	html_printf(pg, "tlswatch_last_report_day_timestamp_seconds %lld\n",
	            found ? (long long)last * 86400 : 0LL);
	html_printf(pg,
	            "# HELP tlswatch_metrics_series_dropped Series left out of a family past "
	            "%u.\n# TYPE tlswatch_metrics_series_dropped gauge\n",
	            LIMIT_WEB_METRICS_SERIES);
	metrics_dropped(pg, "tlswatch_reports_total", &reports);
	metrics_dropped(pg, "tlswatch_sessions_total", &sessions);
	metrics_dropped(pg, "tlswatch_failed_sessions_total", &failures);
	if (pg->failed) {
		web_response_error(pg->resp, 500, WEB_ERR_TEXT, "metrics larger than their limit");
		return;
	}
	pg->resp->status = 200;
	pg->resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
	return;
fail:
	web_response_error(pg->resp, 500, WEB_ERR_TEXT, err);
}
