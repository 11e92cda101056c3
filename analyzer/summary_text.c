/*
 * summary_text.c - the summary as plain text for an 80-column cron mail.
 * Every string from a report goes through escape_text (control characters
 * become \xNN, so a report cannot write to the terminal). A name too long
 * for its column gets a line of its own; only a single unbreakable word
 * can make a line longer than 80 columns.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datetime.h"
#include "escape.h"
#include "hints.h"
#include "limits.h"
#include "summary.h"
#include "text.h"

/* Rows shown per table in the mail; JSON and CSV list them all. */
#define TEXT_MAX_ROWS 15
/* Top failure groups shown in the mail (JSON has SUMMARY_TOP_FAILURES). */
#define TEXT_MAX_TOP 10
/* by_day is listed for periods up to a month. */
#define TEXT_MAX_DAYS 31

#define NAME_WIDE  28 /* name column beside five number columns */
#define NAME_WIDER 56 /* name column beside two */

/* A section title; with cols, the column headings of a table whose name
 * column is width wide (cols laid out with the rows' own format). */
static void text_title(struct text_out *o, const char *title, size_t width, const char *cols)
{
	size_t n = strlen(title);

	text_puts(o, "\n");
	text_puts(o, title);
	if (cols != NULL) {
		text_printf(o, "%*s", n < width + 2 ? (int)(width + 2 - n) : 0, "");
		text_puts(o, cols);
	}
	text_puts(o, "\n");
}

#define COLS_SESSIONS " %8s %11s %9s %7s %7s"
#define COLS_FAILED   " %9s %8s"

static void text_more(struct text_out *o, size_t shown, size_t n)
{
	if (n > shown)
		text_printf(o, "  ... and %zu more (--format json lists all)\n", n - shown);
}

static const char *text_name_or(const char *s, const char *absent, char *buf, size_t len)
{
	if (s == NULL)
		return absent;
	return text_escape(s, buf, len);
}

/* The by-domain and by-organization tables. */
static void text_sessions_table(struct text_out *o, const char *title,
                                const struct query_rows *rows, const struct query_row **prev,
                                int by_org)
{
	char name[TEXT_CELL_MAX], rep[32], ok[32], bad[32], rate[16], chg[32], cols[128];
	size_t i, shown = rows->n < TEXT_MAX_ROWS ? rows->n : TEXT_MAX_ROWS;

	snprintf(cols, sizeof(cols), COLS_SESSIONS, "reports", "successful", "failed", "rate",
	         "change");
	text_title(o, title, NAME_WIDE, cols);
	if (rows->n == 0)
		text_puts(o, "  none\n");
	for (i = 0; i < shown; i++) {
		const struct query_row *r = &rows->rows[i];

		snprintf(
		    cols, sizeof(cols), COLS_SESSIONS, text_count(r->reports, rep, sizeof(rep)),
		    text_count(r->successful_sessions, ok, sizeof(ok)),
		    text_count(r->failed_sessions, bad, sizeof(bad)),
		    text_rate(r->successful_sessions, r->failed_sessions, rate, sizeof(rate)),
		    text_delta(r->failed_sessions, prev[i] != NULL ? prev[i]->failed_sessions : 0,
		               prev[i] != NULL, chg, sizeof(chg)));
		text_row(o,
		         by_org ? text_escape(r->organization, name, sizeof(name))
		                : text_name_or(r->policy_domain, "(no policy domain)", name,
		                               sizeof(name)),
		         NAME_WIDE, cols);
	}
	text_more(o, shown, rows->n);
}

/* The by-MX and by-result-type tables; result types carry their hint. */
static void text_failed_table(struct text_out *o, const char *title, const struct query_rows *rows,
                              const struct query_row **prev, int by_mx, const char *domain)
{
	char name[TEXT_CELL_MAX], bad[32], chg[32], cols[64], hint[HINTS_MAX];
	char hint_esc[TEXT_CELL_MAX + HINTS_MAX];
	size_t i, shown = rows->n < TEXT_MAX_ROWS ? rows->n : TEXT_MAX_ROWS;

	snprintf(cols, sizeof(cols), COLS_FAILED, "failed", "change");
	text_title(o, title, NAME_WIDER, cols);
	if (rows->n == 0)
		text_puts(o, "  none\n");
	for (i = 0; i < shown; i++) {
		const struct query_row *r = &rows->rows[i];

		snprintf(cols, sizeof(cols), COLS_FAILED,
		         text_count(r->failed_sessions, bad, sizeof(bad)),
		         text_delta(r->failed_sessions,
		                    prev[i] != NULL ? prev[i]->failed_sessions : 0, prev[i] != NULL,
		                    chg, sizeof(chg)));
		text_row(o,
		         by_mx ? text_name_or(r->mx_host, "(no MX named)", name, sizeof(name))
		               : text_escape(r->result_type, name, sizeof(name)),
		         NAME_WIDER, cols);
		if (!by_mx) {
			hints_format(r->result_type, domain, hint, sizeof(hint));
			text_wrap(o, 4, text_escape(hint, hint_esc, sizeof(hint_esc)));
		}
	}
	text_more(o, shown, rows->n);
}

/* DANE results at the filtered domains' MX hosts (mxdane.h): beside each
 * domain, never added into its totals, so the note says where they count. */
static void text_dane_at_mx(struct text_out *o, const struct mxdane_list *l)
{
	char name[TEXT_CELL_MAX + 2], host[TEXT_CELL_MAX], line[TEXT_CELL_MAX];
	char note[MXDANE_NOTE_MAX], rep[32], ok[32], bad[32], rate[16], cols[128];
	size_t i;

	if (l->n == 0 && l->more == 0 && l->domains_more == 0)
		return;
	snprintf(cols, sizeof(cols), " %8s %11s %9s %7s", "reports", "successful", "failed",
	         "rate");
	text_title(o, "DANE RESULTS AT YOUR MX HOSTS", NAME_WIDE, cols);
	text_puts(o, "  Reported under the MX host's own name (Postfix names DANE results\n"
	             "  after the MX), counted there and NOT in the domain's totals above.\n");
	for (i = 0; i < l->n; i++) {
		const struct mxdane_host *x = &l->h[i];

		if (i == 0 || strcmp(l->h[i - 1].domain, x->domain) != 0) {
			text_puts(o, "  ");
			text_puts(o, text_escape(x->domain, name, sizeof(name)));
			text_puts(o, "\n");
		}
		snprintf(cols, sizeof(cols), " %8s %11s %9s %7s",
		         text_count(x->reports, rep, sizeof(rep)),
		         text_count(x->successful_sessions, ok, sizeof(ok)),
		         text_count(x->failed_sessions, bad, sizeof(bad)),
		         text_rate(x->successful_sessions, x->failed_sessions, rate, sizeof(rate)));
		text_escape(x->mx_host, host, sizeof(host));
		snprintf(name, sizeof(name), "  %s", host);
		text_row(o, name, NAME_WIDE, cols);
		text_wrap(o, 4,
		          text_escape(mxdane_note(x, note, sizeof(note)), line, sizeof(line)));
	}
	if (l->more > 0)
		text_printf(o, "  ... and %zu more MX hosts (past %d)\n", l->more,
		            LIMIT_MXDANE_HOSTS);
	if (l->domains_more > 0)
		text_printf(o, "  %zu domains of the filter not read (past %d): narrow --domain\n",
		            l->domains_more, LIMIT_MXDANE_DOMAINS);
}

static void text_top(struct text_out *o, const struct summary *s)
{
	char what[2 * TEXT_CELL_MAX + 16], a[TEXT_CELL_MAX], b[TEXT_CELL_MAX];
	char line[3 * TEXT_CELL_MAX + 64], bad[32], chg[32], cols[64], hint[HINTS_MAX];
	char hint_esc[TEXT_CELL_MAX + HINTS_MAX];
	size_t i, shown = s->problems.n < TEXT_MAX_TOP ? s->problems.n : TEXT_MAX_TOP;

	snprintf(cols, sizeof(cols), COLS_FAILED, "failed", "change");
	text_title(o, "TOP FAILURES", NAME_WIDER, cols);
	if (s->problems.n == 0)
		text_puts(o, "  none\n");
	/* one problem, one row: the reporters that saw it named */
	for (i = 0; i < shown; i++) {
		const struct query_row *r = &s->problems.rows[i];
		int64_t p = s->problems_prev[i];

		snprintf(what, sizeof(what), "%s at %s", text_escape(r->result_type, a, sizeof(a)),
		         text_name_or(r->mx_host, "an unnamed MX", b, sizeof(b)));
		snprintf(cols, sizeof(cols), COLS_FAILED,
		         text_count(r->failed_sessions, bad, sizeof(bad)),
		         text_delta(r->failed_sessions, p, p > 0, chg, sizeof(chg)));
		text_row(o, what, NAME_WIDER, cols);
		snprintf(line, sizeof(line), "domain %s, reported by %s",
		         text_name_or(r->policy_domain, "(none)", a, sizeof(a)),
		         text_escape(s->problem_reporters[i], b, sizeof(b)));
		text_wrap(o, 4, line);
		hints_format(r->result_type, r->policy_domain, hint, sizeof(hint));
		text_wrap(o, 4, text_escape(hint, hint_esc, sizeof(hint_esc)));
	}
	if (s->problems.n > shown)
		text_printf(o, "  ... %zu more groups in --format json\n", s->problems.n - shown);
}

static void text_totals(struct text_out *o, const struct summary *s)
{
	const struct query_totals *t = &s->totals, *p = &s->prev_totals;
	char a[32], b[32], c[32];
	int present = p->reports > 0 || p->successful_sessions > 0 || p->failed_sessions > 0;

	text_printf(o, "\n%-30s %14s %13s %12s\n", "TOTALS", "this period", "previous", "change");
	text_printf(o, "  %-28s %14s %13s %12s\n", "reports", text_count(t->reports, a, 32),
	            text_count(p->reports, b, 32), text_delta(t->reports, p->reports, 1, c, 32));
	text_printf(o, "  %-28s %14s %13s %12s\n", "successful sessions",
	            text_count(t->successful_sessions, a, 32),
	            text_count(p->successful_sessions, b, 32),
	            text_delta(t->successful_sessions, p->successful_sessions, 1, c, 32));
	text_printf(o, "  %-28s %14s %13s %12s\n", "failed sessions",
	            text_count(t->failed_sessions, a, 32), text_count(p->failed_sessions, b, 32),
	            text_delta(t->failed_sessions, p->failed_sessions, 1, c, 32));
	text_printf(o, "  %-28s %14s %13s %12s\n", "success rate",
	            text_rate(t->successful_sessions, t->failed_sessions, a, 32),
	            text_rate(p->successful_sessions, p->failed_sessions, b, 32),
	            present ? text_rate_delta(t->successful_sessions, t->failed_sessions,
	                                      p->successful_sessions, p->failed_sessions, c, 32)
	                    : "-");
}

static void text_days(struct text_out *o, const struct summary *s)
{
	char d[16], ok[32], bad[32], rate[16];
	size_t i;

	if (s->by_day.n == 0 || s->by_day.n > TEXT_MAX_DAYS)
		return;
	text_printf(o, "\n%-30s %18s %9s %7s\n", "BY DAY (UTC)", "successful", "failed", "rate");
	for (i = 0; i < s->by_day.n; i++) {
		const struct query_row *r = &s->by_day.rows[i];

		datetime_format_day(r->day, d, sizeof(d));
		text_printf(
		    o, "  %-28s %18s %9s %7s\n", d,
		    text_count(r->successful_sessions, ok, sizeof(ok)),
		    text_count(r->failed_sessions, bad, sizeof(bad)),
		    text_rate(r->successful_sessions, r->failed_sessions, rate, sizeof(rate)));
	}
}

static void text_news(struct text_out *o, const struct summary *s)
{
	char name[TEXT_CELL_MAX], line[TEXT_CELL_MAX + 64];
	size_t i, n = 0;

	for (i = 0; i < s->by_result_type.n; i++)
		n += s->by_result_type_prev[i] == NULL;
	for (i = 0; i < s->by_mx.n; i++)
		n += s->by_mx_prev[i] == NULL;
	if (n > 0) {
		text_title(o, "FAILING NOW, NOT IN THE PREVIOUS PERIOD", 0, NULL);
		for (i = 0; i < s->by_result_type.n; i++) {
			if (s->by_result_type_prev[i] != NULL)
				continue;
			snprintf(
			    line, sizeof(line), "result type %s",
			    text_escape(s->by_result_type.rows[i].result_type, name, sizeof(name)));
			text_wrap(o, 2, line);
		}
		for (i = 0; i < s->by_mx.n; i++) {
			if (s->by_mx_prev[i] != NULL)
				continue;
			snprintf(line, sizeof(line), "MX host %s",
			         text_name_or(s->by_mx.rows[i].mx_host, "(none named)", name,
			                      sizeof(name)));
			text_wrap(o, 2, line);
		}
	}
	if (s->n_silent > 0) {
		text_title(o, "SILENT REPORTERS (reported in the previous period, not in this)", 0,
		           NULL);
		for (i = 0; i < s->n_silent; i++) {
			const struct query_row *r = &s->prev_by_organization.rows[s->silent[i]];

			snprintf(line, sizeof(line), "%s (%" PRId64 " report%s before)",
			         text_escape(r->organization, name, sizeof(name)), r->reports,
			         r->reports == 1 ? "" : "s");
			text_wrap(o, 2, line);
		}
	}
	if (s->conflicts > 0) {
		/* whenever received: a conflict waits for the postmaster */
		text_title(o, "CONFLICTS", 0, NULL);
		snprintf(line, sizeof(line),
		         "%" PRId64
		         " conflicting report%s held: same organization and report-id as "
		         "a stored report, different content (possible forgery); see 'tlswatch "
		         "quarantine list', docs/trust.md",
		         s->conflicts, s->conflicts == 1 ? "" : "s");
		text_wrap(o, 2, line);
	}
	if (s->quarantined > 0) {
		text_title(o, "QUARANTINED", 0, NULL);
		snprintf(line, sizeof(line),
		         "%" PRId64 " input%s received in the period %s refused; see 'tlswatch "
		         "quarantine list'",
		         s->quarantined, s->quarantined == 1 ? "" : "s",
		         s->quarantined == 1 ? "was" : "were");
		text_wrap(o, 2, line);
	}
}

/* "2026-12-01 example.com: 1 of 2 usual reporters in so far; Microsoft
 * Corporation not in yet": the figures of those days are not final. */
static void text_not_in_yet(struct text_out *o, const struct summary *s)
{
	char day[16], dom[TEXT_CELL_MAX], who[TEXT_CELL_MAX], line[2 * TEXT_CELL_MAX + 96];
	size_t i;

	if (s->not_in_yet.n == 0)
		return;
	text_title(o, "NOT IN YET (reports of these days still coming in)", 0, NULL);
	for (i = 0; i < s->not_in_yet.n && i < TEXT_MAX_TOP; i++) {
		const struct arrival_day *d = &s->not_in_yet.days[i];

		datetime_format_day(d->day, day, sizeof(day));
		snprintf(
		    line, sizeof(line),
		    "%s %s: %" PRId64 " of %" PRId64 " usual reporters in so far; %s not in yet",
		    day, text_name_or(d->policy_domain, "(no policy domain)", dom, sizeof(dom)),
		    d->in, d->usual, text_escape(d->missing, who, sizeof(who)));
		text_wrap(o, 2, line);
	}
	if (s->not_in_yet.n > TEXT_MAX_TOP)
		text_printf(o, "  ... %zu more in --format json\n", s->not_in_yet.n - TEXT_MAX_TOP);
}

/* The reasons senders gave (failure-reason-code, or additional-information),
 * grouped where they differ only in case, spacing, numbers or a host
 * name. */
static void text_reasons(struct text_out *o, const struct reason_groups *r, const char *title)
{
	char cols[64], bad[32], what[TEXT_CELL_MAX], types[TEXT_CELL_MAX];
	char line[2 * TEXT_CELL_MAX + 64];
	size_t i;

	if (r->n == 0)
		return;
	snprintf(cols, sizeof(cols), "%9s", "failed");
	text_title(o, title, NAME_WIDER, cols);
	for (i = 0; i < r->n && i < TEXT_MAX_TOP; i++) {
		const struct reason_group *g = &r->groups[i];

		snprintf(cols, sizeof(cols), "%9s",
		         text_count(g->failed_sessions, bad, sizeof(bad)));
		text_row(o, text_escape(g->label, what, sizeof(what)), NAME_WIDER, cols);
		if (g->variants > 1)
			snprintf(line, sizeof(line), "%s; %" PRId64 " forms as sent",
			         text_escape(g->result_types, types, sizeof(types)), g->variants);
		else
			snprintf(line, sizeof(line), "%s",
			         text_escape(g->result_types, types, sizeof(types)));
		text_wrap(o, 4, line);
	}
	if (r->n > TEXT_MAX_TOP)
		text_printf(o, "  ... %zu more in --format json\n", r->n - TEXT_MAX_TOP);
}

static void text_header(struct text_out *o, const struct summary *s)
{
	char a[16], b[16], name[TEXT_CELL_MAX], line[2 * TEXT_CELL_MAX + 64];
	size_t i;

	if (s->until <= s->since) {
		text_puts(o, "tlswatch summary: no reports stored\n");
		return;
	}
	datetime_format_day(s->since, a, sizeof(a));
	datetime_format_day(s->until - 1, b, sizeof(b));
	text_printf(o, "tlswatch summary, %s to %s (%" PRId64 " day%s, UTC)\n", a, b,
	            s->until - s->since, s->until - s->since == 1 ? "" : "s");
	datetime_format_day(s->prev_since, a, sizeof(a));
	datetime_format_day(s->prev_until - 1, b, sizeof(b));
	text_printf(o, "Compared with %s to %s; \"change\" is in failed sessions.\n", a, b);
	for (i = 0; i < s->n_domains; i++) {
		snprintf(line, sizeof(line), "%s %s", i == 0 ? "Domains:" : "        ",
		         text_escape(s->domains[i], name, sizeof(name)));
		text_wrap(o, 0, line);
	}
	if (s->organization != NULL) {
		snprintf(line, sizeof(line), "Reporter: %s",
		         text_escape(s->organization, name, sizeof(name)));
		text_wrap(o, 0, line);
	}
	if (s->provenance != NULL) {
		snprintf(line, sizeof(line), "Provenance: %s (only reports of it are counted)",
		         text_escape(s->provenance, name, sizeof(name)));
		text_wrap(o, 0, line);
	}
}

static void text_summary(const struct summary *s, struct text_out *o)
{
	const char *one_domain = s->by_domain.n == 1 ? s->by_domain.rows[0].policy_domain : NULL;

	text_header(o, s);
	if (s->until <= s->since)
		return;
	text_totals(o, s);
	text_not_in_yet(o, s);
	text_sessions_table(o, "BY POLICY DOMAIN", &s->by_domain, s->by_domain_prev, 0);
	text_top(o, s);
	text_sessions_table(o, "BY ORGANIZATION", &s->by_organization, s->by_organization_prev, 1);
	text_failed_table(o, "BY MX HOST", &s->by_mx, s->by_mx_prev, 1, NULL);
	text_failed_table(o, "BY RESULT TYPE", &s->by_result_type, s->by_result_type_prev, 0,
	                  one_domain);
	if (s->by_domain_more + s->by_organization_more + s->by_mx_more + s->by_result_type_more >
	    0)
		text_printf(
		    o,
		    "\nLeft out past %d rows a list: %zu domains, %zu organizations, %zu MX "
		    "hosts, %zu result types.\nNarrow with --domain or --org.\n",
		    LIMIT_SUMMARY_ROWS, s->by_domain_more, s->by_organization_more, s->by_mx_more,
		    s->by_result_type_more);
	text_dane_at_mx(o, &s->dane_at_mx);
	text_reasons(o, &s->reasons, "BY FAILURE REASON (failure-reason-code, grouped)");
	text_reasons(o, &s->infos, "BY ADDITIONAL INFORMATION (grouped)");
	text_days(o, s);
	text_news(o, s);
}

int summary_render_text(const struct summary *s, struct strbuf *sb)
{
	struct text_out o = {sb, 0};

	text_summary(s, &o);
	return o.failed ? -1 : 0;
}
