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
#include "escape.h"
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
	case ALERT_CONFLICTING_REPORT:
		return "conflicting-report";
	case ALERT_STALE_POLICY:
		return "stale-policy";
	case ALERT_CERTIFICATE_EXPIRING:
		return "certificate-expiring";
	case ALERT_POLICY_UNREACHABLE:
		return "policy-unreachable";
	default:
		return "silent-reporter";
	}
}

static void alert_window_text(int64_t since, int64_t until, char *buf, size_t len)
{
	char a[16], b[16];

	datetime_format_day(since, a, sizeof(a));
	if (until - since == 1) {
		snprintf(buf, len, "on %s", a);
		return;
	}
	datetime_format_day(until - 1, b, sizeof(b));
	snprintf(buf, len, "in %" PRId64 " days (%s to %s)", until - since, a, b);
}

/* The baseline in words a postmaster reads at a glance: the numbers
 * (mean, deviation) stay in the JSON. */
static void alert_baseline_text(const struct alert *a, char *buf, size_t len)
{
	int64_t nb = a->baseline_until - a->baseline_since;

	if (nb <= 0)
		snprintf(buf, len, "no earlier days to compare with");
	else if (a->baseline_mean <= 0)
		snprintf(buf, len, "none in the %" PRId64 " day%s before", nb, nb == 1 ? "" : "s");
	else if (a->baseline_mean < 1 && a->baseline_failed > 0)
		snprintf(buf, len, "%" PRId64 " in the %" PRId64 " day%s before",
		         a->baseline_failed, nb, nb == 1 ? "" : "s");
	else
		snprintf(buf, len, "usually about %.*f a day (%" PRId64 " day%s before)",
		         a->baseline_mean < 10 ? 1 : 0, a->baseline_mean, nb, nb == 1 ? "" : "s");
}

/* What the alert's line ends with: a grown follow-up's earlier figure,
 * and whether its day's reports came late. */
static void alert_note_text(const struct alert *a, char *buf, size_t len)
{
	char was[32];

	buf[0] = '\0';
	text_count(a->previous_value, was, sizeof(was));
	if (a->previous_value > 0 && a->late)
		snprintf(buf, len, " (grown from %s when first sent; more reports came late)", was);
	else if (a->previous_value > 0)
		snprintf(buf, len, " (grown from %s when first sent)", was);
	else if (a->late)
		snprintf(buf, len, " (its reports came late)");
}

/* "400 of 5,210 sessions failed" (n: the failed count, written), or
 * "400 failed sessions" when the sessions are unknown. */
static const char *alert_sessions_text(const struct alert *a, const char *n, char *buf, size_t len)
{
	char m[32];

	if (a->window_sessions > 0) {
		text_count(a->window_sessions, m, sizeof(m));
		snprintf(buf, len, "%s of %s session%s failed", n, m,
		         a->window_sessions == 1 ? "" : "s");
	} else {
		snprintf(buf, len, "%s failed session%s", n, a->window_failed == 1 ? "" : "s");
	}
	return buf;
}

/* "stale-policy: DOMAIN: MESSAGE" (the message escaped). */
static int alert_format_published(const struct alert *a, const char *dom, struct strbuf *sb)
{
	char msg[LIMIT_PUBLISHED_NOTE_TEXT * 4 + 8];

	return strbuf_printf(sb, "%s: %s: %s", alert_kind_name(a->kind), dom,
	                     text_escape(a->message, msg, sizeof(msg)));
}

static int alert_format_body(const struct alert *a, struct strbuf *sb)
{
	char dom[TEXT_CELL_MAX], mx[TEXT_CELL_MAX], rt[TEXT_CELL_MAX], org[TEXT_CELL_MAX];
	char win[64], base[96], n[32], m[80], r1[16], r2[16];
	int64_t nb = a->baseline_until - a->baseline_since;

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
	alert_window_text(a->window_since, a->window_until, win, sizeof(win));
	alert_baseline_text(a, base, sizeof(base));
	text_count(a->window_failed, n, sizeof(n));
	switch (a->kind) {
	case ALERT_FAILURE_SPIKE:
	case ALERT_NEW_FAILURE:
		return strbuf_printf(sb, "%s: %s, %s, %s: %s %s; %s",
		                     a->kind == ALERT_NEW_FAILURE ? "new failure" : "failure spike",
		                     dom, mx, rt, alert_sessions_text(a, n, m, sizeof(m)), win,
		                     base);
	case ALERT_DOMAIN_SPIKE:
		return strbuf_printf(sb, "failure spike: %s (all MX hosts): %s %s; %s", dom,
		                     alert_sessions_text(a, n, m, sizeof(m)), win, base);
	case ALERT_RATE_DROP:
		text_count(a->window_failed + a->window_successful, m, sizeof(m));
		return strbuf_printf(sb,
		                     "success rate drop: %s: %s %s (%s of %s sessions failed); "
		                     "usually %s (%" PRId64 " day%s before)",
		                     dom, text_rate(a->window_successful, a->window_failed, r1, 16),
		                     win, n, m,
		                     text_rate(a->baseline_successful, a->baseline_failed, r2, 16),
		                     nb, nb == 1 ? "" : "s");
	case ALERT_CONFLICTING_REPORT:
		return strbuf_printf(
		    sb,
		    "conflicting report: %s report%s from %s held in quarantine: "
		    "same organization and report-id as a stored report, different "
		    "content (possible forgery); see 'tlswatch quarantine list'",
		    n, a->window_failed == 1 ? "" : "s",
		    a->organization != NULL ? org : "(a superseded report)");
	case ALERT_STALE_POLICY:
	case ALERT_CERTIFICATE_EXPIRING:
	case ALERT_POLICY_UNREACHABLE:
		/* the message quotes DNS, HTTPS and report text */
		return alert_format_published(a, dom, sb);
	default:
		datetime_format_day(a->window_until - 1 - a->silent_days, r1, sizeof(r1));
		datetime_format_day(a->window_until - 2, r2, sizeof(r2));
		return strbuf_printf(sb,
		                     "silent reporter: %s sent no report in %" PRId64 " days (%s "
		                     "to %s); it reported on each of the %" PRId64 " days before",
		                     org, a->silent_days, r1, r2, a->regular_days);
	}
}

/* The dashboard view behind the alert: [web] base_url + the failures
 * (or reports) page filtered to its key and window. */
static int alert_link(const struct alert_list *l, const struct alert *a, struct strbuf *sb)
{
	size_t n = strlen(l->base_url);
	char since[16], until[16];
	int rc = 0;

	while (n > 0 && l->base_url[n - 1] == '/')
		n--;
	if (a->kind >= ALERT_STALE_POLICY) {
		/* the check-result kinds: the overview's published panel */
		rc |= strbuf_append(sb, l->base_url, n);
		rc |= strbuf_puts(sb, "/?domain=") | escape_url(sb, a->policy_domain);
		return rc < 0 ? -1 : 0;
	}
	if (a->kind == ALERT_CONFLICTING_REPORT) {
		/* held conflicts wait in the quarantine, whatever their day */
		rc |= strbuf_append(sb, l->base_url, n);
		rc |= strbuf_puts(sb, "/quarantine");
		return rc < 0 ? -1 : 0;
	}
	datetime_format_day(a->window_since, since, sizeof(since));
	datetime_format_day(a->window_until, until, sizeof(until));
	rc |= strbuf_append(sb, l->base_url, n);
	rc |= strbuf_printf(sb, "%s?since=%s&until=%s",
	                    a->kind == ALERT_SILENT_REPORTER ? "/reports" : "/failures", since,
	                    until);
	if (a->policy_domain != NULL)
		rc |= strbuf_puts(sb, "&domain=") | escape_url(sb, a->policy_domain);
	if (a->mx_host != NULL)
		rc |= strbuf_puts(sb, "&mx=") | escape_url(sb, a->mx_host);
	if (a->result_type != NULL)
		rc |= strbuf_puts(sb, "&result_type=") | escape_url(sb, a->result_type);
	if (a->organization != NULL)
		rc |= strbuf_puts(sb, "&org=") | escape_url(sb, a->organization);
	return rc < 0 ? -1 : 0;
}

int alert_format_line(const struct alert_list *l, const struct alert *a, struct strbuf *sb)
{
	char note[96], text[TEXT_CELL_MAX], day[16];
	int rc = alert_format_body(a, sb);

	if ((a->kind == ALERT_FAILURE_SPIKE || a->kind == ALERT_NEW_FAILURE ||
	     a->kind == ALERT_DOMAIN_SPIKE) &&
	    a->since_day < a->window_since) {
		datetime_format_day(a->since_day, day, sizeof(day));
		rc |= strbuf_printf(sb, "; failing since %s", day);
	}
	if (a->reporters != NULL)
		rc |= strbuf_printf(sb, "; seen by %s",
		                    text_escape(a->reporters, text, sizeof(text)));
	if (a->reason_code != NULL)
		rc |= strbuf_printf(sb, "; most common reason: %s",
		                    text_escape(a->reason_code, text, sizeof(text)));
	/* what to check, for the failure kinds (the hint of its result type;
	 * the hint's own text is ours, the domain in it report text) */
	if (a->kind == ALERT_FAILURE_SPIKE || a->kind == ALERT_NEW_FAILURE) {
		char hint[HINTS_MAX];

		hints_format(a->result_type, a->policy_domain, hint, sizeof(hint));
		rc |=
		    strbuf_printf(sb, "; what to check: %s", text_escape(hint, text, sizeof(text)));
	}
	/* its day is not in yet: the figures may still grow */
	if (a->usual_reporters > 0)
		rc |= strbuf_printf(
		    sb, "; %" PRId64 " of %" PRId64 " usual reporters in so far (%s not in yet)",
		    a->reporters_in, a->usual_reporters,
		    text_escape(a->missing_reporters, text, sizeof(text)));
	alert_note_text(a, note, sizeof(note));
	rc |= strbuf_puts(sb, note);
	/* anyone could have mailed those (docs/trust.md) */
	if (a->unverified_only)
		rc |= strbuf_puts(sb, "; rests only on unverified reports");
	if (l->base_url != NULL)
		rc |= strbuf_puts(sb, "; details: ") | alert_link(l, a, sb);
	return rc < 0 ? -1 : 0;
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

static void alert_json_rate(struct jsonw *w, int64_t ok, int64_t failed)
{
	int64_t bp = ok < 0 || failed < 0 ? -1 : text_basis_points(ok, ok + failed);

	/* as text_rate rounds it: the JSON and the text never disagree */
	if (bp >= 0)
		jsonw_double(w, (double)bp / 100.0);
	else
		jsonw_null(w);
}

static void alert_json_one(struct jsonw *w, const struct alert_list *l, const struct alert *a,
                           struct strbuf *line)
{
	char hint[HINTS_MAX], day[16];
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
	jsonw_key(w, "day");
	datetime_format_day(a->day, day, sizeof(day));
	jsonw_string(w, day);
	jsonw_key(w, "late");
	jsonw_bool(w, a->late);
	jsonw_key(w, "grown_from");
	if (a->previous_value > 0)
		jsonw_int(w, a->previous_value);
	else
		jsonw_null(w);
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
	jsonw_key(w, "window_sessions");
	if (a->window_sessions > 0)
		jsonw_int(w, a->window_sessions);
	else
		jsonw_null(w);
	jsonw_key(w, "rule");
	jsonw_string(w, a->by_rate ? "failure-rate" : "count");
	if (a->kind == ALERT_RATE_DROP) {
		jsonw_key(w, "window_success_rate");
		alert_json_rate(w, a->window_successful, a->window_failed);
		jsonw_key(w, "baseline_success_rate");
		alert_json_rate(w, a->baseline_successful, a->baseline_failed);
	}
	jsonw_key(w, "unverified_only");
	jsonw_bool(w, a->unverified_only);
	if (a->kind == ALERT_CONFLICTING_REPORT) {
		jsonw_key(w, "conflicts");
		jsonw_int(w, a->window_failed);
	}
	if (a->kind == ALERT_SILENT_REPORTER) {
		jsonw_key(w, "baseline_reports");
		jsonw_int(w, a->baseline_reports);
		jsonw_key(w, "silent_days");
		jsonw_int(w, a->silent_days);
		jsonw_key(w, "regular_days");
		jsonw_int(w, a->regular_days);
	}
	jsonw_key(w, "since");
	datetime_format_day(a->since_day, day, sizeof(day));
	jsonw_string(w, day);
	jsonw_key(w, "reporters");
	jsonw_string(w, a->reporters);
	jsonw_key(w, "failure_reason_code");
	jsonw_string(w, a->reason_code);
	jsonw_key(w, "usual_reporters");
	if (a->usual_reporters > 0)
		jsonw_int(w, a->usual_reporters);
	else
		jsonw_null(w);
	jsonw_key(w, "reporters_in");
	if (a->usual_reporters > 0)
		jsonw_int(w, a->reporters_in);
	else
		jsonw_null(w);
	jsonw_key(w, "missing_reporters");
	jsonw_string(w, a->missing_reporters);
	jsonw_key(w, "link");
	if (l->base_url != NULL) {
		strbuf_reset(line);
		alert_link(l, a, line);
		jsonw_string(w, strbuf_str(line));
	} else {
		jsonw_null(w);
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
	alert_window_text(l->window_since, l->window_until, win, sizeof(win));
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
	jsonw_period(&w, l->window_since, l->window_until);
	jsonw_key(&w, "baseline");
	jsonw_period(&w, l->baseline_since, l->baseline_until);
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

/* Markdown's active characters, backslash-escaped: report text must not
 * become a link, a heading or bold in Discord or a Teams card. */
static int alert_markdown_escape(struct strbuf *sb, const char *s)
{
	for (; *s != '\0'; s++) {
		if (strchr("\\`*_~|[]()<>#!-+.", *s) != NULL && strbuf_putc(sb, '\\') < 0)
			return -1;
		if (strbuf_putc(sb, *s) < 0)
			return -1;
	}
	return 0;
}

/* The heading and one line per alert, each passed through escape_fn. */
static int alert_text_lines(const struct alert_list *l, struct strbuf *out,
                            int (*escape_fn)(struct strbuf *, const char *), const char *bullet)
{
	struct strbuf line;
	char win[64];
	size_t i;
	int failed = 0;

	strbuf_init(&line, out->cap);
	alert_window_text(l->window_since, l->window_until, win, sizeof(win));
	strbuf_reset(&line);
	failed |= strbuf_printf(&line, "tlswatch: %zu alert%s for SMTP TLS reports %s", l->n,
	                        l->n == 1 ? "" : "s", win) < 0;
	failed |= escape_fn(out, strbuf_str(&line)) < 0;
	for (i = 0; i < l->n; i++) {
		strbuf_reset(&line);
		failed |= alert_format_line(l, &l->alerts[i], &line) < 0;
		failed |= strbuf_puts(out, bullet) < 0;
		failed |= escape_fn(out, strbuf_str(&line)) < 0;
	}
	strbuf_free(&line);
	return failed ? -1 : 0;
}

static int alert_plain(struct strbuf *sb, const char *s)
{
	return strbuf_puts(sb, s);
}

int alert_render_webhook(const struct alert_list *l, enum alert_webhook_format f, struct strbuf *sb)
{
	struct strbuf text;
	struct jsonw w;
	int failed = 0;

	if (f == ALERT_WEBHOOK_JSON)
		return alert_render_json(l, sb, 0);
	strbuf_init(&text, sb->cap);
	switch (f) {
	case ALERT_WEBHOOK_SLACK:
		failed |= alert_text_lines(l, &text, alert_slack_escape, "\n- ") < 0;
		break;
	case ALERT_WEBHOOK_MATRIX:
		failed |= alert_text_lines(l, &text, alert_plain, "\n- ") < 0;
		break;
	default:
		failed |= alert_text_lines(l, &text, alert_markdown_escape, "\n\n- ") < 0;
		break;
	}
	/* Discord refuses content over 2,000 characters: cut (bytes are at
	 * least as many as characters), and say so */
	if (f == ALERT_WEBHOOK_DISCORD && text.len > ALERT_DISCORD_MAX) {
		size_t cut = ALERT_DISCORD_MAX - 40;

		while (cut > 0 && (text.data[cut] & 0xC0) == 0x80)
			cut--; /* not inside a UTF-8 sequence */
		text.len = cut;
		text.data[cut] = '\0';
		failed |= strbuf_puts(&text, "\n(more: see tlswatch alert)") < 0;
	}
	jsonw_init(&w, sb, 0);
	jsonw_object_begin(&w);
	switch (f) {
	case ALERT_WEBHOOK_SLACK:
		jsonw_key(&w, "text");
		jsonw_string(&w, strbuf_str(&text));
		break;
	case ALERT_WEBHOOK_MATRIX:
		/* the m.room.message event content (Matrix client-server API) */
		jsonw_key(&w, "msgtype");
		jsonw_string(&w, "m.text");
		jsonw_key(&w, "body");
		jsonw_string(&w, strbuf_str(&text));
		break;
	case ALERT_WEBHOOK_DISCORD:
		jsonw_key(&w, "content");
		jsonw_string(&w, strbuf_str(&text));
		/* no @everyone, @here, user or role pings from report text */
		jsonw_key(&w, "allowed_mentions");
		jsonw_object_begin(&w);
		jsonw_key(&w, "parse");
		jsonw_array_begin(&w);
		jsonw_array_end(&w);
		jsonw_object_end(&w);
		break;
	default:
		/* Teams Workflows: a message with one Adaptive Card */
		jsonw_key(&w, "type");
		jsonw_string(&w, "message");
		jsonw_key(&w, "attachments");
		jsonw_array_begin(&w);
		jsonw_object_begin(&w);
		jsonw_key(&w, "contentType");
		jsonw_string(&w, "application/vnd.microsoft.card.adaptive");
		jsonw_key(&w, "content");
		jsonw_object_begin(&w);
		jsonw_key(&w, "$schema");
		jsonw_string(&w, "http://adaptivecards.io/schemas/adaptive-card.json");
		jsonw_key(&w, "type");
		jsonw_string(&w, "AdaptiveCard");
		jsonw_key(&w, "version");
		jsonw_string(&w, "1.4");
		jsonw_key(&w, "body");
		jsonw_array_begin(&w);
		jsonw_object_begin(&w);
		jsonw_key(&w, "type");
		jsonw_string(&w, "TextBlock");
		jsonw_key(&w, "wrap");
		jsonw_bool(&w, 1);
		jsonw_key(&w, "text");
		jsonw_string(&w, strbuf_str(&text));
		jsonw_object_end(&w);
		jsonw_array_end(&w);
		jsonw_object_end(&w);
		jsonw_object_end(&w);
		jsonw_array_end(&w);
		break;
	}
	jsonw_object_end(&w);
	strbuf_free(&text);
	return failed || w.failed ? -1 : 0;
}

int alert_webhook_format_parse(const char *s, enum alert_webhook_format *out)
{
	static const char *const names[] = {"json", "slack", "teams", "matrix", "discord"};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i]) == 0) {
			*out = (enum alert_webhook_format)i;
			return 0;
		}
	return -1;
}
