/*
 * alert_render.c - alerts as one text line each and as the JSON document
 * given to --exec and --webhook (docs/alerts.md). Report text in a line
 * is escaped for a terminal (text_escape); the JSON writer escapes it
 * again for JSON; the "text" field additionally escapes & < > as Slack
 * requires, so a report cannot inject a link or an @channel mention.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "alert.h"
#include "datetime.h"
#include "hints.h"
#include "jsonw.h"
#include "text.h"

const char *alert_kind_name(enum alert_kind k)
{
	switch (k) {
	case ALERT_FAILURE_SPIKE:
		return "failure-spike";
	case ALERT_NEW_FAILURE:
		return "new-failure";
	case ALERT_DOMAIN_SPIKE:
		return "domain-spike";
	case ALERT_RATE_DROP:
		return "success-rate-drop";
	default:
		return "silent-reporter";
	}
}

static void alert_window_text(const struct alert_list *l, char *buf, size_t len)
{
	char a[16], b[16];

	datetime_format_day(l->window_since, a, sizeof(a));
	if (l->window_until - l->window_since == 1) {
		snprintf(buf, len, "on %s", a);
		return;
	}
	datetime_format_day(l->window_until - 1, b, sizeof(b));
	snprintf(buf, len, "in %" PRId64 " days (%s to %s)", l->window_until - l->window_since, a,
	         b);
}

static void alert_baseline_text(const struct alert_list *l, const struct alert *a, char *buf,
                                size_t len)
{
	int64_t nb = l->baseline_until - l->baseline_since;

	if (nb <= 0)
		snprintf(buf, len, "no baseline yet");
	else if (a->baseline_mean <= 0)
		snprintf(buf, len, "none in the %" PRId64 "-day baseline", nb);
	else
		snprintf(buf, len, "baseline %.1f/day (spread %.1f) over %" PRId64 " day%s",
		         a->baseline_mean, a->spread, nb, nb == 1 ? "" : "s");
}

int alert_format_line(const struct alert_list *l, const struct alert *a, struct strbuf *sb)
{
	char dom[TEXT_CELL_MAX], mx[TEXT_CELL_MAX], rt[TEXT_CELL_MAX], org[TEXT_CELL_MAX];
	char win[64], base[96], n[32], m[32], r1[16], r2[16];
	int64_t nb = l->baseline_until - l->baseline_since;

	if (a->policy_domain != NULL)
		text_escape(a->policy_domain, dom, sizeof(dom));
	else
		snprintf(dom, sizeof(dom), "(no policy domain)");
	if (a->mx_host != NULL) {
		snprintf(mx, sizeof(mx), "MX ");
		text_escape(a->mx_host, mx + 3, sizeof(mx) - 3);
	} else {
		snprintf(mx, sizeof(mx), "MX (none named)");
	}
	text_escape(a->result_type, rt, sizeof(rt));
	text_escape(a->organization, org, sizeof(org));
	alert_window_text(l, win, sizeof(win));
	alert_baseline_text(l, a, base, sizeof(base));
	text_count(a->window_failed, n, sizeof(n));
	switch (a->kind) {
	case ALERT_FAILURE_SPIKE:
	case ALERT_NEW_FAILURE:
		return strbuf_printf(sb, "%s: %s, %s, %s: %s failed session%s %s; %s",
		                     a->kind == ALERT_NEW_FAILURE ? "new failure" : "failure spike",
		                     dom, mx, rt, n, a->window_failed == 1 ? "" : "s", win, base);
	case ALERT_DOMAIN_SPIKE:
		return strbuf_printf(sb,
		                     "failure spike: %s (all MX hosts): %s failed session%s %s; %s",
		                     dom, n, a->window_failed == 1 ? "" : "s", win, base);
	case ALERT_RATE_DROP:
		text_count(a->window_failed + a->window_successful, m, sizeof(m));
		return strbuf_printf(sb,
		                     "success rate drop: %s: %s %s (%s of %s sessions failed); "
		                     "baseline %s over %" PRId64 " day%s",
		                     dom, text_rate(a->window_successful, a->window_failed, r1, 16),
		                     win, n, m,
		                     text_rate(a->baseline_successful, a->baseline_failed, r2, 16),
		                     nb, nb == 1 ? "" : "s");
	default:
		datetime_format_day(l->window_until - a->silent_days, r1, sizeof(r1));
		datetime_format_day(l->window_until - 1, r2, sizeof(r2));
		return strbuf_printf(sb,
		                     "silent reporter: %s sent no report in %" PRId64 " days (%s "
		                     "to %s); it reported on each of the %" PRId64 " days before",
		                     org, a->silent_days, r1, r2, a->regular_days);
	}
}

int alert_render_text(const struct alert_list *l, struct strbuf *sb)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (alert_format_line(l, &l->alerts[i], sb) < 0 || strbuf_putc(sb, '\n') < 0)
			return -1;
	return 0;
}

/* Slack's three characters (its docs: "you must escape &, < and >"). */
static int alert_slack_escape(struct strbuf *sb, const char *s)
{
	for (; *s != '\0'; s++) {
		int rc = *s == '&'   ? strbuf_puts(sb, "&amp;")
		         : *s == '<' ? strbuf_puts(sb, "&lt;")
		         : *s == '>' ? strbuf_puts(sb, "&gt;")
		                     : strbuf_putc(sb, *s);

		if (rc < 0)
			return -1;
	}
	return 0;
}

static double alert_round2(double v)
{
	return floor(v * 100.0 + 0.5) / 100.0;
}

static void alert_json_period(struct jsonw *w, int64_t since, int64_t until)
{
	char d[16];

	jsonw_object_begin(w);
	jsonw_key(w, "since");
	datetime_format_day(since, d, sizeof(d));
	jsonw_string(w, d);
	jsonw_key(w, "until");
	datetime_format_day(until, d, sizeof(d));
	jsonw_string(w, d);
	jsonw_key(w, "days");
	jsonw_int(w, until - since);
	jsonw_object_end(w);
}

static void alert_json_rate(struct jsonw *w, int64_t ok, int64_t failed)
{
	if (ok + failed > 0)
		jsonw_double(w, alert_round2(100.0 * (double)ok / (double)(ok + failed)));
	else
		jsonw_null(w);
}

static void alert_json_one(struct jsonw *w, const struct alert_list *l, const struct alert *a,
                           struct strbuf *line)
{
	char hint[HINTS_MAX];
	int failure = a->kind == ALERT_FAILURE_SPIKE || a->kind == ALERT_NEW_FAILURE;

	jsonw_object_begin(w);
	jsonw_key(w, "kind");
	jsonw_string(w, alert_kind_name(a->kind));
	jsonw_key(w, "policy_domain");
	jsonw_string(w, a->policy_domain);
	jsonw_key(w, "mx_host");
	jsonw_string(w, a->mx_host);
	jsonw_key(w, "result_type");
	jsonw_string(w, a->result_type);
	jsonw_key(w, "organization");
	jsonw_string(w, a->organization);
	jsonw_key(w, "window_failed_sessions");
	jsonw_int(w, a->window_failed);
	jsonw_key(w, "baseline_failed_sessions");
	jsonw_int(w, a->baseline_failed);
	jsonw_key(w, "baseline_mean");
	jsonw_double(w, alert_round2(a->baseline_mean));
	jsonw_key(w, "baseline_stddev");
	jsonw_double(w, alert_round2(a->baseline_sd));
	jsonw_key(w, "spread");
	jsonw_double(w, alert_round2(a->spread));
	if (a->kind == ALERT_RATE_DROP) {
		jsonw_key(w, "window_success_rate");
		alert_json_rate(w, a->window_successful, a->window_failed);
		jsonw_key(w, "baseline_success_rate");
		alert_json_rate(w, a->baseline_successful, a->baseline_failed);
	}
	if (a->kind == ALERT_SILENT_REPORTER) {
		jsonw_key(w, "baseline_reports");
		jsonw_int(w, a->baseline_reports);
		jsonw_key(w, "silent_days");
		jsonw_int(w, a->silent_days);
		jsonw_key(w, "regular_days");
		jsonw_int(w, a->regular_days);
	}
	jsonw_key(w, "message");
	strbuf_reset(line);
	if (alert_format_line(l, a, line) < 0)
		w->failed = 1;
	jsonw_string(w, strbuf_str(line));
	if (failure) {
		jsonw_key(w, "hint");
		jsonw_string(w, hints_format(a->result_type, a->policy_domain, hint, sizeof(hint)));
	}
	jsonw_object_end(w);
}

int alert_render_json(const struct alert_list *l, struct strbuf *sb, int pretty)
{
	struct strbuf text, line;
	struct jsonw w;
	char win[64], at[16];
	size_t i;
	int failed = 0;

	strbuf_init(&text, sb->cap);
	strbuf_init(&line, sb->cap);
	alert_window_text(l, win, sizeof(win));
	failed |= strbuf_printf(&text, "tlswatch: %zu alert%s for SMTP TLS reports %s", l->n,
	                        l->n == 1 ? "" : "s", win) < 0;
	for (i = 0; i < l->n; i++) {
		strbuf_reset(&line);
		failed |= alert_format_line(l, &l->alerts[i], &line) < 0;
		failed |= strbuf_puts(&text, "\n- ") < 0;
		failed |= alert_slack_escape(&text, strbuf_str(&line)) < 0;
	}
	jsonw_init(&w, sb, pretty);
	jsonw_object_begin(&w);
	jsonw_key(&w, "text");
	jsonw_string(&w, strbuf_str(&text));
	jsonw_key(&w, "at");
	datetime_format_day(l->params.at, at, sizeof(at));
	jsonw_string(&w, at);
	jsonw_key(&w, "window");
	alert_json_period(&w, l->window_since, l->window_until);
	jsonw_key(&w, "baseline");
	alert_json_period(&w, l->baseline_since, l->baseline_until);
	jsonw_key(&w, "parameters");
	jsonw_object_begin(&w);
	jsonw_key(&w, "window_days");
	jsonw_int(&w, l->params.window);
	jsonw_key(&w, "baseline_days");
	jsonw_int(&w, l->params.baseline);
	jsonw_key(&w, "factor");
	jsonw_double(&w, l->params.factor);
	jsonw_key(&w, "min_failures");
	jsonw_int(&w, l->params.min_failures);
	jsonw_object_end(&w);
	jsonw_key(&w, "alerts");
	jsonw_array_begin(&w);
	for (i = 0; i < l->n; i++)
		alert_json_one(&w, l, &l->alerts[i], &line);
	jsonw_array_end(&w);
	jsonw_object_end(&w);
	if (pretty && strbuf_putc(sb, '\n') < 0)
		failed = 1;
	strbuf_free(&text);
	strbuf_free(&line);
	return failed || w.failed ? -1 : 0;
}
