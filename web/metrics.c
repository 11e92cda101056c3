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

/* Series written and left out, per family, and the bytes of series the
 * family may still write: the families share LIMIT_WEB_METRICS_BYTES (each
 * gets an even part of what the ones before it left), so that no report
 * can make /metrics megabytes; past its part a family ends with a comment
 * line Prometheus ignores, and tlswatch_metrics_series_dropped says how
 * many series were left out. */
struct metrics_family {
	size_t written, dropped;
	size_t budget;
};

/* Appends name{k="v",...} value\n with the n label pairs (absent values
 * are "") to sb. 0, or -1 when sb's cap (the family's budget) would be
 * passed: sb is then as it was. */
static int metrics_series(struct strbuf *sb, const char *name, const char *const *keys,
                          const char *const *values, size_t n, int64_t v)
{
	char num[24];
	size_t i, len = sb->len, k = sizeof(num);
	uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;

	/* no printf: a scrape writes hundreds of thousands of these */
	if (strbuf_puts(sb, name) < 0 || strbuf_putc(sb, '{') < 0)
		goto full;
	for (i = 0; i < n; i++)
		if ((i > 0 && strbuf_putc(sb, ',') < 0) || strbuf_puts(sb, keys[i]) < 0 ||
		    strbuf_append(sb, "=\"", 2) < 0 ||
		    escape_prom_label(sb, values[i] != NULL ? values[i] : "") < 0 ||
		    strbuf_putc(sb, '"') < 0)
			goto full;
	num[--k] = '\n';
	do
		num[--k] = (char)('0' + u % 10);
	while ((u /= 10) > 0);
	if (v < 0)
		num[--k] = '-';
	num[--k] = ' ';
	num[--k] = '}';
	if (strbuf_append(sb, num + k, sizeof(num) - k) < 0)
		goto full;
	return 0;
full:
	strbuf_truncate(sb, len);
	return -1;
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

/* The key fields (indexes into metrics_keys) a family's series carry as
 * labels: the domain always; organization unless QUERY_LABELS_DOMAIN;
 * the family's own keys. Returns how many. */
static size_t metrics_label_fields(enum query_life life, enum query_labels labels, size_t *idx)
{
	size_t j, n = 0;

	for (j = 0; j < 4; j++) {
		if ((j == 1 && labels == QUERY_LABELS_DOMAIN) ||
		    (j == 2 && (life == QUERY_LIFE_DOMAIN ||
		                (life == QUERY_LIFE_FAILURE && labels != QUERY_LABELS_FULL))) ||
		    (j == 3 && life != QUERY_LIFE_FAILURE))
			continue;
		idx[n++] = j;
	}
	return n;
}

/* The fewest bytes the n_results series of one row take: name{k="",...,
 * result="R"} 0 and a newline each. No row shorter, so a family's part
 * of the budget holds fewer rows than its part over this. */
static size_t metrics_row_min(enum query_life life, enum query_labels labels, const char *name,
                              const char *const *results, size_t n_results)
{
	size_t idx[4], n = metrics_label_fields(life, labels, idx), i, k, one, all = 0;

	/* name, "{", "} 0\n"; each label k="" and a comma between */
	one = strlen(name) + 1 + 4 + (n - 1);
	for (i = 0; i < n; i++)
		one += strlen(metrics_keys[idx[i]]) + 3;
	for (k = 0; k < n_results; k++)
		all +=
		    one + (results[k] != NULL ? 1 + strlen("result") + 3 + strlen(results[k]) : 0);
	return all;
}

/* Appends the n_results series of one row (the k-th to out[k]), all or
 * none: 0, or -1 when they do not fit in what is left of the budget. */
static int metrics_row(struct strbuf *out, const struct query_row *r, enum query_life life,
                       enum query_labels labels, const char *name, const char *const *results,
                       size_t n_results, size_t *left)
{
	const char *const all[] = {r->policy_domain, r->organization, r->mx_host, r->result_type};
	const char *keys[5], *values[5];
	size_t mark[2], idx[4], used = 0, n_fields, j, k, n;
	int64_t v;

	n_fields = metrics_label_fields(life, labels, idx);
	for (k = 0; k < n_results; k++) {
		for (n = 0; n < n_fields; n++) {
			keys[n] = metrics_keys[idx[n]];
			values[n] = all[idx[n]];
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
		mark[k] = out[k].len;
		if (metrics_series(&out[k], name, keys, values, n, v) < 0 ||
		    (used += out[k].len - mark[k]) > *left) {
			for (j = 0; j <= k; j++)
				strbuf_truncate(&out[j], mark[j]);
			return -1;
		}
	}
	*left -= used;
	return 0;
}

/* The rows of one lifetime family as read, shared by the page's families
 * that show it (reports and sessions both read life_domain: once). */
struct metrics_read {
	struct query_rows rows;
	size_t n_series, limit;
	int have;
};

/* Reads rd's family unless what it holds already serves a limit of
 * max_rows: all its series, or at least max_rows of them (the first rows
 * of a longer read are those of a shorter one). */
static int metrics_read_rows(struct web_page *pg, enum query_life life, size_t max_rows,
                             struct metrics_read *rd, char *err, size_t errlen)
{
	if (rd->have && (rd->limit >= max_rows || rd->rows.n == rd->n_series))
		return 0;
	query_rows_free(&rd->rows);
	rd->have = 0;
	if (query_lifetime(pg->st, life, pg->app->metrics_labels, max_rows, &rd->rows,
	                   &rd->n_series, err, errlen) < 0)
		return -1;
	rd->limit = max_rows;
	rd->have = 1;
	return 0;
}

/* The failure family's rows read ahead beside the families of
 * life_domain, on a second handle (web_app_beside_start): its table is
 * the largest (218,000 rows at 10M reports, against 51,500), so on two
 * cores the reads overlap. Read at the most rows its part of the budget
 * could show (the third of four families gets at most half of it; the
 * rows of a shorter read are the first of a longer one). On an error the
 * family reads again in turn, and says so. */
struct metrics_ahead {
	enum query_labels labels;
	size_t limit;
	struct metrics_read *rd;
	char err[ERR_LINE_MAX];
};

static int metrics_read_ahead(struct store *st, void *arg)
{
	struct metrics_ahead *a = arg;

	if (query_lifetime(st, QUERY_LIFE_FAILURE, a->labels, a->limit, &a->rd->rows,
	                   &a->rd->n_series, a->err, sizeof(a->err)) < 0) {
		query_rows_free(&a->rd->rows);
		return -1;
	}
	a->rd->limit = a->limit;
	a->rd->have = 1;
	return 0;
}

/* One family's series from the lifetime totals (query_lifetime: a scrape
 * costs the series, not the reports), each row's n_results (1 or 2) series
 * named by results (NULL: one), rows in the order read (most failed first)
 * until the family's budget is spent; rd holds (or gets) the rows. */
static int metrics_family(struct web_page *pg, enum query_life life, const char *name,
                          const char *help, const char *const *results, size_t n_results,
                          struct metrics_family *fam, size_t *pool, size_t families_left,
                          struct metrics_read *rd, char *err, size_t errlen)
{
	enum query_labels labels = pg->app->metrics_labels;
	struct query_rows rows;
	struct strbuf out[2];
	size_t i, k, n_series, left, max_rows;

	fam->budget = *pool / families_left;
	left = fam->budget;
	/* more rows than this cannot fit, so more rows read change nothing */
	max_rows = fam->budget / metrics_row_min(life, labels, name, results, n_results) + 1;

	if (metrics_read_rows(pg, life, max_rows, rd, err, errlen) < 0)
		return -1;
	rows = rd->rows;
	n_series = rd->n_series;
	for (k = 0; k < n_results; k++)
		strbuf_init(&out[k], fam->budget);
	for (i = 0; i < rows.n; i++)
		if (metrics_row(out, &rows.rows[i], life, labels, name, results, n_results, &left) <
		    0)
			break;
	fam->written = i * n_results;
	/* rows past the budget, and those the query left out */
	fam->dropped = (n_series - i) * n_results;
	html_printf(pg, "# HELP %s %s\n# TYPE %s counter\n", name, help, name);
	for (k = 0; k < n_results; k++)
		html_raw(pg, strbuf_str(&out[k]));
	if (fam->dropped > 0)
		html_printf(pg,
		            "# tlswatch: truncated: %zu series of %s left out past %zu bytes"
		            " (LIMIT_WEB_METRICS_BYTES, docs/web.md)\n",
		            fam->dropped, name, fam->budget);
	*pool -= fam->budget - left;
	for (k = 0; k < n_results; k++)
		strbuf_free(&out[k]);
	return 0;
}

void page_metrics(struct web_page *pg)
{
	static const char *const one[] = {NULL}, *const ok_failed[] = {"successful", "failed"};
	struct metrics_family reports = {0, 0, 0}, sessions = {0, 0, 0}, failures = {0, 0, 0},
	                      mx = {0, 0, 0};
	struct metrics_read domains = {{NULL, 0}, 0, 0, 0}, failed = {{NULL, 0}, 0, 0, 0},
	                    by_mx = {{NULL, 0}, 0, 0, 0};
	static const char failed_name[] = "tlswatch_failed_sessions_total",
	                  mx_name[] = "tlswatch_mx_failed_sessions_total";
	size_t pool = LIMIT_WEB_METRICS_BYTES;
	int64_t first = 0, last = 0, quarantined = 0;
	struct metrics_ahead ahead;
	struct web_beside beside;
	char err[ERR_LINE_MAX];
	int found, ok;

	if (query_day_span(pg->st, &first, &last, &found, err, sizeof(err)) < 0 ||
	    query_quarantined(pg->st, 0, pg->filter.today + 2, &quarantined, err, sizeof(err)) < 0)
		goto fail;
	/* lifetime totals, with the pruned days': counters never fall
	 * (docs/web.md); by MX counted once per MX (docs/counting.md): summing
	 * tlswatch_failed_sessions_total by mx_host would charge an MX twice
	 * when sts and tlsa class the same sessions differently */
	memset(&ahead, 0, sizeof(ahead));
	ahead.labels = pg->app->metrics_labels;
	ahead.limit = LIMIT_WEB_METRICS_BYTES / 2 /
	                  metrics_row_min(QUERY_LIFE_FAILURE, ahead.labels, failed_name, one, 1) +
	              1;
	ahead.rd = &failed;
	web_app_beside_start(&beside, pg->app, pg->st, metrics_read_ahead, &ahead);
	ok = metrics_family(pg, QUERY_LIFE_DOMAIN, "tlswatch_reports_total",
	                    "Reports received, by policy domain and reporting organisation.", one,
	                    1, &reports, &pool, 4, &domains, err, sizeof(err)) == 0 &&
	     metrics_family(pg, QUERY_LIFE_DOMAIN, "tlswatch_sessions_total",
	                    "TLS sessions reported, by policy domain, reporting organisation and "
	                    "result (counted once).",
	                    ok_failed, 2, &sessions, &pool, 3, &domains, err, sizeof(err)) == 0 &&
	     /* meanwhile the MX family's rows too, at the most its part can
	      * show: what the failure family leaves of the pool, at most all */
	     metrics_read_rows(
	         pg, QUERY_LIFE_MX,
	         pool / metrics_row_min(QUERY_LIFE_MX, ahead.labels, mx_name, one, 1) + 1, &by_mx,
	         err, sizeof(err)) == 0;
	web_app_beside_join(&beside);
	if (!ok ||
	    metrics_family(pg, QUERY_LIFE_FAILURE, failed_name,
	                   "Failed TLS sessions from the failure details, by policy domain, "
	                   "organisation, MX host and result type (counted once).",
	                   one, 1, &failures, &pool, 2, &failed, err, sizeof(err)) < 0 ||
	    metrics_family(pg, QUERY_LIFE_MX, mx_name,
	                   "Failed TLS sessions from the failure details, by policy domain, "
	                   "organisation and MX host (counted once per MX).",
	                   one, 1, &mx, &pool, 1, &by_mx, err, sizeof(err)) < 0)
		goto fail;
	query_rows_free(&domains.rows);
	query_rows_free(&failed.rows);
	query_rows_free(&by_mx.rows);
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
	            "its part of %u bytes.\n# TYPE tlswatch_metrics_series_dropped gauge\n",
	            LIMIT_WEB_METRICS_BYTES);
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
	query_rows_free(&domains.rows);
	query_rows_free(&failed.rows);
	query_rows_free(&by_mx.rows);
	web_response_error(pg->resp, 500, WEB_ERR_TEXT, err);
}
