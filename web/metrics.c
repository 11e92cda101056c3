/*
 * metrics.c - /metrics in the Prometheus text exposition format (0.0.4):
 * all-time counters from the lifetime totals (schema/012_rollups.sql),
 * labelled by policy domain and, as [web] metrics_labels says,
 * organisation and MX host, and by result type. Label values are report text:
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

/* Label names of the key fields, in the order they are written. */
static const char *const metrics_keys[] = {"policy_domain", "organization", "mx_host",
                                           "result_type"};

/* One family's series from the lifetime totals (query_lifetime: a scrape
 * costs the series, not the reports); value(row, k) picks the figure of
 * the k-th of n_results series per row, named by result (NULL: one). */
static int metrics_family(struct web_page *pg, enum query_life life, const char *name,
                          const char *help, const char *const *results, size_t n_results,
                          struct metrics_family *fam, char *err, size_t errlen)
{
	enum query_labels labels = pg->app->metrics_labels;
	struct query_rows rows = {NULL, 0};
	const char *keys[5], *values[5];
	size_t i, j, k, n, n_series;

	/* each row makes n_results series of the family's
	 * LIMIT_WEB_METRICS_SERIES */
	if (query_lifetime(pg->st, life, labels, LIMIT_WEB_METRICS_SERIES / n_results, &rows,
	                   &n_series, err, errlen) < 0)
		return -1;
	html_printf(pg, "# HELP %s %s\n# TYPE %s counter\n", name, help, name);
	for (k = 0; k < n_results; k++) {
		for (i = 0; i < rows.n; i++) {
			const struct query_row *r = &rows.rows[i];
			const char *const all[] = {r->policy_domain, r->organization, r->mx_host,
			                           r->result_type};
			int64_t v;

			/* the label set: the domain always; organization unless
			 * QUERY_LABELS_DOMAIN; the family's own keys */
			for (j = n = 0; j < 4; j++) {
				if ((j == 1 && labels == QUERY_LABELS_DOMAIN) ||
				    (j == 2 && (life == QUERY_LIFE_DOMAIN ||
				                (life == QUERY_LIFE_FAILURE &&
				                 labels != QUERY_LABELS_FULL))) ||
				    (j == 3 && life != QUERY_LIFE_FAILURE))
					continue;
				keys[n] = metrics_keys[j];
				values[n++] = all[j];
			}
			if (results[k] != NULL) {
				keys[n] = "result";
				values[n++] = results[k];
			}
			if (life == QUERY_LIFE_DOMAIN && results[k] == NULL)
				v = r->reports;
			else if (results[k] != NULL && strcmp(results[k], "successful") == 0)
				v = r->successful_sessions;
			else
				v = r->failed_sessions;
			if (metrics_series(pg, fam, name, keys, values, n) == 0)
				html_printf(pg, "%lld\n", (long long)v);
		}
	}
	/* series the query left out count as dropped, once per result */
	fam->dropped += (n_series - rows.n) * n_results;
	query_rows_free(&rows);
	return 0;
}

void page_metrics(struct web_page *pg)
{
	static const char *const one[] = {NULL}, *const ok_failed[] = {"successful", "failed"};
	struct metrics_family reports = {0, 0}, sessions = {0, 0}, failures = {0, 0}, mx = {0, 0};
	int64_t first = 0, last = 0, quarantined = 0;
	char err[ERR_LINE_MAX];
	int found;

	if (query_day_span(pg->st, &first, &last, &found, err, sizeof(err)) < 0 ||
	    query_quarantined(pg->st, 0, pg->filter.today + 2, &quarantined, err, sizeof(err)) < 0)
		goto fail;
	/* lifetime totals, with the pruned days': counters never fall
	 * (docs/web.md); by MX counted once per MX (docs/counting.md): summing
	 * tlswatch_failed_sessions_total by mx_host would charge an MX twice
	 * when sts and tlsa class the same sessions differently */
	if (metrics_family(pg, QUERY_LIFE_DOMAIN, "tlswatch_reports_total",
	                   "Reports received, by policy domain and reporting organisation.", one, 1,
	                   &reports, err, sizeof(err)) < 0 ||
	    metrics_family(pg, QUERY_LIFE_DOMAIN, "tlswatch_sessions_total",
	                   "TLS sessions reported, by policy domain, reporting organisation and "
	                   "result (counted once).",
	                   ok_failed, 2, &sessions, err, sizeof(err)) < 0 ||
	    metrics_family(pg, QUERY_LIFE_FAILURE, "tlswatch_failed_sessions_total",
	                   "Failed TLS sessions from the failure details, by policy domain, "
	                   "organisation, MX host and result type (counted once).",
	                   one, 1, &failures, err, sizeof(err)) < 0 ||
	    metrics_family(pg, QUERY_LIFE_MX, "tlswatch_mx_failed_sessions_total",
	                   "Failed TLS sessions from the failure details, by policy domain, "
	                   "organisation and MX host (counted once per MX).",
	                   one, 1, &mx, err, sizeof(err)) < 0)
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
	metrics_dropped(pg, "tlswatch_mx_failed_sessions_total", &mx);
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
