/*
 * pages_overview.c - the overview: totals and success rate per policy
 * domain against the previous period, the daily chart, the top failures
 * with their hints, current alerts and reporters gone silent. The numbers
 * are the analyzer's (summary_build), shown as 'tlswatch summary' shows
 * them. Report text is escaped through html_text().
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "alert.h"
#include "datetime.h"
#include "hints.h"
#include "page.h"
#include "text.h"

static void overview_card(struct web_page *pg, const char *id, const char *label, const char *value,
                          const char *delta, const char *value_class)
{
	html_printf(pg, "<div class=\"card\" id=\"%s\"><div class=\"label\">%s</div>", id, label);
	html_printf(pg, "<div class=\"value%s%s\">%s</div>", value_class != NULL ? " " : "",
	            value_class != NULL ? value_class : "", value);
	if (delta != NULL)
		html_printf(pg, "<div class=\"delta\">%s</div>", delta);
	html_raw(pg, "</div>\n");
}

static void overview_cards(struct web_page *pg, const struct summary *s)
{
	const struct query_totals *t = &s->totals, *p = &s->prev_totals;
	char v[64], d[64], d2[64], line[160];

	text_count(t->reports, v, sizeof(v));
	snprintf(line, sizeof(line), "%s vs previous period",
	         text_delta(t->reports, p->reports, 1, d, sizeof(d)));
	overview_card(pg, "total-reports", "Reports", v, line, NULL);
	text_count(t->successful_sessions, v, sizeof(v));
	snprintf(line, sizeof(line), "%s",
	         text_delta(t->successful_sessions, p->successful_sessions, 1, d, sizeof(d)));
	overview_card(pg, "total-successful", "Successful sessions", v, line, "ok");
	text_count(t->failed_sessions, v, sizeof(v));
	snprintf(line, sizeof(line), "%s",
	         text_delta(t->failed_sessions, p->failed_sessions, 1, d, sizeof(d)));
	overview_card(pg, "total-failed", "Failed sessions", v, line,
	              t->failed_sessions > 0 ? "fail" : NULL);
	text_rate(t->successful_sessions, t->failed_sessions, v, sizeof(v));
	snprintf(line, sizeof(line), "%s (was %s)",
	         text_rate_delta(t->successful_sessions, t->failed_sessions, p->successful_sessions,
	                         p->failed_sessions, d, sizeof(d)),
	         text_rate(p->successful_sessions, p->failed_sessions, d2, sizeof(d2)));
	overview_card(pg, "success-rate", "Success rate", v, line, NULL);
	text_count(s->quarantined, v, sizeof(v));
	overview_card(pg, "total-quarantined", "Inputs quarantined", v, NULL,
	              s->quarantined > 0 ? "fail" : NULL);
	/* held whenever received: a conflict waits for the postmaster */
	text_count(s->conflicts, v, sizeof(v));
	overview_card(pg, "conflicts", "Conflicting reports", v,
	              s->conflicts > 0 ? "<a href=\"/quarantine\">possible forgery: review</a>"
	                               : "none held",
	              s->conflicts > 0 ? "fail" : NULL);
}

/* The class for a change: more failures is bad ("up"), fewer good. */
static const char *overview_trend_class(int64_t cur, int64_t prev)
{
	return cur > prev ? "up" : cur < prev ? "down" : "";
}

static void overview_domains(struct web_page *pg, const struct summary *s)
{
	char buf[64];
	size_t i, first, end;

	html_raw(pg, "<h2>Policy domains</h2>\n");
	if (s->by_domain.n == 0) {
		html_raw(pg, "<p class=\"none\">No reports in this period.</p>\n");
		return;
	}
	html_raw(pg,
	         "<div class=\"scroll\"><table id=\"domains\" class=\"stack\">\n<thead><tr>"
	         "<th>Policy domain</th>"
	         "<th class=\"num\">Reports</th><th class=\"num\">Successful</th>"
	         "<th class=\"num\">Failed</th><th class=\"num\">Success rate</th>"
	         "<th class=\"num\">Trend</th><th class=\"num\">Failed change</th></tr></thead>\n"
	         "<tbody>\n");
	/* one page of domains: a report may name a thousand */
	first = (size_t)(pg->filter.page - 1) * LIMIT_WEB_PAGE_ROWS;
	if (first > s->by_domain.n)
		first = s->by_domain.n;
	end = s->by_domain.n - first < LIMIT_WEB_PAGE_ROWS ? s->by_domain.n
	                                                   : first + LIMIT_WEB_PAGE_ROWS;
	for (i = first; i < end; i++) {
		const struct query_row *r = &s->by_domain.rows[i], *p = s->by_domain_prev[i];
		struct web_kv kv = {"domain", r->policy_domain};

		html_raw(pg, "<tr><td class=\"name\" data-label=\"Policy domain\">");
		if (r->policy_domain != NULL)
			html_link(pg, "/", &kv, 1, r->policy_domain, NULL);
		else
			html_raw(pg, "<span class=\"absent\">(no policy domain)</span>");
		html_raw(pg, "</td><td class=\"num\" data-label=\"Reports\">");
		html_count(pg, r->reports);
		html_raw(pg, "</td><td class=\"num ok\" data-label=\"Successful\">");
		html_count(pg, r->successful_sessions);
		html_raw(pg, "</td><td class=\"num fail\" data-label=\"Failed\">");
		if (r->policy_domain != NULL && r->failed_sessions > 0)
			html_count_link(pg, "/failures", &kv, 1, r->failed_sessions);
		else
			html_count(pg, r->failed_sessions);
		html_printf(
		    pg, "</td><td class=\"num\" data-label=\"Success rate\">%s</td>",
		    text_rate(r->successful_sessions, r->failed_sessions, buf, sizeof(buf)));
		if (p != NULL)
			text_rate_delta(r->successful_sessions, r->failed_sessions,
			                p->successful_sessions, p->failed_sessions, buf,
			                sizeof(buf));
		else
			snprintf(buf, sizeof(buf), "new");
		html_printf(pg, "<td class=\"num\" data-label=\"Trend\">%s</td>", buf);
		html_printf(
		    pg, "<td class=\"num %s\" data-label=\"Failed change\">%s</td></tr>\n",
		    overview_trend_class(r->failed_sessions, p != NULL ? p->failed_sessions : 0),
		    text_delta(r->failed_sessions, p != NULL ? p->failed_sessions : 0, p != NULL,
		               buf, sizeof(buf)));
	}
	html_raw(pg, "</tbody></table></div>\n");
	if (s->by_domain.n > LIMIT_WEB_PAGE_ROWS)
		html_pager(pg, "/", (int64_t)s->by_domain.n, LIMIT_WEB_PAGE_ROWS, NULL, 0);
}

/* DANE results at the chosen domains' MX hosts (mxdane.h, docs/counting.md
 * rule 5): counted under the MX host's own name, each linked to its own
 * page, and not in the cards above. Only on a domain's page. */
static void overview_dane_at_mx(struct web_page *pg, const struct summary *s)
{
	const struct mxdane_list *l = &s->dane_at_mx;
	char buf[64], note[MXDANE_NOTE_MAX];
	size_t i;

	if (l->n == 0 && l->more == 0 && l->domains_more == 0)
		return;
	html_raw(pg, "<h2>DANE results at your MX hosts</h2>\n<p class=\"none\">Reported "
	             "under the MX host's own name (Postfix names DANE results after the MX), "
	             "counted there and <strong>not</strong> in this domain's totals.</p>\n"
	             "<div class=\"scroll\"><table id=\"dane-at-mx\" class=\"stack\">\n"
	             "<thead><tr><th>Policy domain</th><th>MX host</th>"
	             "<th class=\"num\">Reports</th><th class=\"num\">Successful</th>"
	             "<th class=\"num\">Failed</th><th class=\"num\">Success rate</th>"
	             "<th>Note</th></tr></thead>\n<tbody>\n");
	for (i = 0; i < l->n; i++) {
		const struct mxdane_host *x = &l->h[i];
		struct web_kv kv = {"domain", x->mx_host};

		html_raw(pg, "<tr><td class=\"name\" data-label=\"Policy domain\">");
		html_text(pg, x->domain);
		html_raw(pg, "</td><td class=\"name\" data-label=\"MX host\">");
		html_link(pg, "/", &kv, 1, x->mx_host, NULL);
		html_raw(pg, "</td><td class=\"num\" data-label=\"Reports\">");
		html_count(pg, x->reports);
		html_raw(pg, "</td><td class=\"num ok\" data-label=\"Successful\">");
		html_count(pg, x->successful_sessions);
		html_raw(pg, "</td><td class=\"num fail\" data-label=\"Failed\">");
		html_count(pg, x->failed_sessions);
		html_printf(
		    pg, "</td><td class=\"num\" data-label=\"Success rate\">%s</td>",
		    text_rate(x->successful_sessions, x->failed_sessions, buf, sizeof(buf)));
		html_raw(pg, "<td data-label=\"Note\">");
		html_text(pg, mxdane_note(x, note, sizeof(note)));
		html_raw(pg, "</td></tr>\n");
	}
	html_raw(pg, "</tbody></table></div>\n");
	if (l->more > 0)
		html_printf(pg, "<p class=\"none\">%zu more MX hosts left out (past %d).</p>\n",
		            l->more, LIMIT_MXDANE_HOSTS);
	if (l->domains_more > 0)
		html_printf(pg,
		            "<p class=\"none\">%zu domains of the filter not read (past %d).</p>\n",
		            l->domains_more, LIMIT_MXDANE_DOMAINS);
}

/* One problem, one row (domain, MX, result type) with the reporters that
 * saw it; the per-reporter rows are a click away (failures by
 * organisation, filtered to the problem). */
static void overview_top(struct web_page *pg, const struct summary *s)
{
	char hint[HINTS_MAX], buf[64];
	size_t i;

	html_raw(pg, "<h2>Top failures</h2>\n");
	if (s->problems.n == 0) {
		html_raw(pg, "<p class=\"none\">No failed sessions in this period.</p>\n");
		return;
	}
	html_raw(pg,
	         "<div class=\"scroll\"><table id=\"top-failures\" class=\"stack\">\n<thead><tr>"
	         "<th>Policy domain</th><th>MX host</th><th>Result type</th>"
	         "<th>Reported by</th><th class=\"num\">Failed</th><th class=\"num\">Change</th>"
	         "<th>What to check</th></tr></thead>\n<tbody>\n");
	for (i = 0; i < s->problems.n; i++) {
		const struct query_row *r = &s->problems.rows[i];
		struct web_kv kv[4];
		size_t n = 1;

		kv[0].key = "group_by";
		kv[0].value = "organization";
		if (r->policy_domain != NULL) {
			kv[n].key = "domain";
			kv[n++].value = r->policy_domain;
		}
		if (r->mx_host != NULL) {
			kv[n].key = "mx";
			kv[n++].value = r->mx_host;
		}
		kv[n].key = "result_type";
		kv[n++].value = r->result_type;
		/* data-label: the column name, shown beside each cell when the
		 * stylesheet stacks the table at phone width */
		html_raw(pg, "<tr><td data-label=\"Policy domain\">");
		html_text(pg, r->policy_domain);
		html_raw(pg, "</td><td data-label=\"MX host\">");
		html_text(pg, r->mx_host);
		html_raw(pg, "</td><td data-label=\"Result type\">");
		html_text(pg, r->result_type);
		html_raw(pg, "</td><td class=\"reporters\" data-label=\"Reported by\">");
		html_text(pg, s->problem_reporters[i]);
		html_raw(pg, " (");
		html_link(pg, "/failures", kv, n, r->reports == 1 ? "its rows" : "per reporter",
		          NULL);
		html_raw(pg, ")</td><td class=\"num fail\" data-label=\"Failed\">");
		/* the reports behind it: the same filter without group_by */
		html_count_link(pg, "/reports", kv + 1, n - 1, r->failed_sessions);
		html_printf(
		    pg,
		    "</td><td class=\"num %s\" data-label=\"Change\">%s</td>"
		    "<td class=\"hint\" data-label=\"What to check\">",
		    overview_trend_class(r->failed_sessions, s->problems_prev[i]),
		    text_delta(r->failed_sessions, s->problems_prev[i], 1, buf, sizeof(buf)));
		html_text(pg, hints_format(r->result_type, r->policy_domain, hint, sizeof(hint)));
		html_raw(pg, "</td></tr>\n");
	}
	html_raw(pg, "</tbody></table></div>\n");
}

/* Days whose usual reporters are not all in: their figures will grow. */
static void overview_not_in_yet(struct web_page *pg, const struct summary *s)
{
	char day[16];
	size_t i;

	if (s->not_in_yet.n == 0)
		return;
	html_raw(pg, "<h2>Not in yet</h2>\n<p>Reports of these days are still coming in; their "
	             "figures are not final:</p>\n<ul id=\"not-in-yet\">\n");
	for (i = 0; i < s->not_in_yet.n && i < LIMIT_WEB_PAGE_ROWS; i++) {
		const struct arrival_day *d = &s->not_in_yet.days[i];

		datetime_format_day(d->day, day, sizeof(day));
		html_printf(pg, "<li>%s ", day);
		html_text(pg, d->policy_domain != NULL ? d->policy_domain : "(no policy domain)");
		html_printf(pg, ": %lld of %lld usual reporters in so far; ", (long long)d->in,
		            (long long)d->usual);
		html_text(pg, d->missing);
		html_raw(pg, " not in yet</li>\n");
	}
	if (s->not_in_yet.n > LIMIT_WEB_PAGE_ROWS)
		html_printf(pg, "<li>and %zu more</li>\n", s->not_in_yet.n - LIMIT_WEB_PAGE_ROWS);
	html_raw(pg, "</ul>\n");
}

static void overview_silent(struct web_page *pg, const struct summary *s)
{
	size_t i;

	if (s->n_silent == 0)
		return;
	html_raw(pg, "<h2>Reporters gone silent</h2>\n<p>Sent reports in the previous period, "
	             "none in this one:</p>\n<ul id=\"silent\">\n");
	for (i = 0; i < s->n_silent && i < LIMIT_WEB_PAGE_ROWS; i++) {
		const struct query_row *r = &s->prev_by_organization.rows[s->silent[i]];

		html_raw(pg, "<li>");
		html_text(pg, r->organization);
		html_raw(pg, " (");
		html_count(pg, r->reports);
		html_printf(pg, " report%s before)</li>\n", r->reports == 1 ? "" : "s");
	}
	if (s->n_silent > LIMIT_WEB_PAGE_ROWS)
		html_printf(pg, "<li>and %zu more</li>\n", s->n_silent - LIMIT_WEB_PAGE_ROWS);
	html_raw(pg, "</ul>\n");
}

/* An alert concerns the view when it matches the domain and organisation
 * filters (alerts without a domain or organisation always show). */
static int overview_alert_matches(const struct web_filter *f, const struct alert *a)
{
	size_t i;

	if (f->q.organization != NULL && a->organization != NULL &&
	    strcmp(f->q.organization, a->organization) != 0)
		return 0;
	if (f->q.n_domains == 0 || a->policy_domain == NULL)
		return 1;
	for (i = 0; i < f->q.n_domains; i++)
		if (strcmp(f->q.domains[i], a->policy_domain) == 0)
			return 1;
	return 0;
}

static int overview_alert_shown(const struct alert *a, const void *filter)
{
	return overview_alert_matches(filter, a);
}

/* The current alerts' settings for the page's day (p.at: today). */
static void overview_alert_settings(const struct web_page *pg, struct alert_settings *as)
{
	*as = pg->app->alert;
	as->p.at = pg->filter.today;
	as->expiry_warn_days = pg->app->expiry_warn_days;
	as->base_url = NULL; /* the lines link nowhere: the page is the view */
}

/* The days not in yet of the alerts' lookback, read once for the current
 * alerts and the summary's "not in yet", by whichever thread comes to
 * them first: the request's when its summary is short (/), the second's
 * after the alerts' series when the summary is long (/?all=1), so the
 * longer of the two parts runs alone (issue 18). */
struct overview_days {
	pthread_mutex_t lock;
	pthread_cond_t built;
	int state; /* 0: nobody has started them, 1: being built, 2: built */
	int rc;    /* arrival_build's result (state 2) */
	int64_t since, until;
	struct arrival arr;
	struct store *own; /* the request's handle (overview_days_wait) */
};

/* The current alerts' series, read beside the summary
 * (web_app_beside_start), then the days not in yet if still wanted. */
struct overview_load {
	struct alert_settings as;
	struct alert_current_reads reads;
	char err[ERR_LINE_MAX];
	struct overview_days *days; /* NULL: not shared (alert_shared_reads) */
};

/* The days not in yet, built with st unless another thread is on them
 * (then waited for): 0, or -1 when they could not be read. */
static int overview_days_get(struct overview_days *d, struct store *st)
{
	char err[ERR_LINE_MAX];
	int rc;

	pthread_mutex_lock(&d->lock);
	if (d->state == 0) {
		d->state = 1;
		pthread_mutex_unlock(&d->lock);
		/* on an error each reads its own and says so where it shows */
		rc = arrival_build(st, d->since, d->until, &d->arr, err, sizeof(err));
		pthread_mutex_lock(&d->lock);
		d->rc = rc;
		d->state = 2;
		pthread_cond_broadcast(&d->built);
	}
	while (d->state != 2)
		pthread_cond_wait(&d->built, &d->lock);
	rc = d->rc;
	pthread_mutex_unlock(&d->lock);
	return rc;
}

/* summary_known's wait, on the request's thread with its handle. */
static int overview_days_wait(void *ctx)
{
	struct overview_days *d = ctx;

	return overview_days_get(d, d->own);
}

static int overview_load_alerts(struct store *st, void *arg)
{
	struct overview_load *ld = arg;
	int rc = alert_current_load(st, &ld->as, &ld->reads, ld->err, sizeof(ld->err));

	if (ld->days != NULL)
		overview_days_get(ld->days, st);
	return rc;
}

/* Current alerts: what 'tlswatch alert' judges today, each day of its
 * lookback (whether or not cron has sent them already; alert_current),
 * from ld's series (loaded: 0, or -1 and ld->err). */
static void overview_alerts(struct web_page *pg, const struct arrival *known,
                            const struct overview_load *ld, int loaded)
{
	const struct alert_params *p = &ld->as.p;
	struct alert_list l;
	struct strbuf line;
	char err[ERR_LINE_MAX];
	size_t i, shown = 0;

	memset(&l, 0, sizeof(l));
	html_raw(pg, "<h2>Current alerts</h2>\n");
	/* who saw each and why, for the alerts shown only (issue 18) */
	if (loaded < 0 ||
	    alert_current_shown(pg->st, &ld->as, &ld->reads, known, overview_alert_shown,
	                        &pg->filter, LIMIT_WEB_PAGE_ROWS, &l, err, sizeof(err)) < 0) {
		html_raw(pg, "<p class=\"error\">");
		html_text(pg, loaded < 0 ? ld->err : err);
		html_raw(pg, "</p>\n");
		return;
	}
	strbuf_init(&line, 4 * LIMIT_STRING_BYTES + 1024);
	for (i = 0; i < l.n; i++) {
		if (!overview_alert_matches(&pg->filter, &l.alerts[i]))
			continue;
		if (shown++ == 0)
			html_raw(pg, "<ul class=\"alerts\" id=\"alerts\">\n");
		if (shown > LIMIT_WEB_PAGE_ROWS)
			continue; /* counted for the "more" line */
		strbuf_reset(&line);
		if (alert_format_line(&l, &l.alerts[i], &line) < 0)
			pg->failed = 1;
		html_raw(pg, "<li>");
		html_text(pg, strbuf_str(&line));
		html_raw(pg, "</li>\n");
	}
	if (shown > LIMIT_WEB_PAGE_ROWS)
		html_printf(pg, "<li>and %zu more (tlswatch alert lists them all)</li>\n",
		            shown - LIMIT_WEB_PAGE_ROWS);
	if (shown > 0)
		html_raw(pg, "</ul>\n");
	else
		html_printf(pg,
		            "<p class=\"none\" id=\"alerts\">None: no spike on any of the last "
		            "%lld days, each judged against the %lld days before.</p>\n",
		            (long long)ld->as.lookback, (long long)p->baseline);
	strbuf_free(&line);
	alert_list_free(&l);
}

void page_overview(struct web_page *pg)
{
	struct summary s;
	/* the overview's parts only */
	struct summary_known known = {.overview = 1};
	struct overview_days days;
	struct overview_load ld;
	struct web_beside beside;
	char err[ERR_LINE_MAX];
	int loaded, summed;

	memset(&ld, 0, sizeof(ld));
	memset(&days, 0, sizeof(days));
	pthread_mutex_init(&days.lock, NULL);
	pthread_cond_init(&days.built, NULL);
	days.until = pg->filter.today;
	days.since = days.until - alert_lookback_days(&pg->app->alert);
	days.own = pg->st;
	if (alert_shared_reads()) {
		ld.days = &days;
		known.arrival = &days.arr;
		known.since = days.since;
		known.until = days.until;
		known.wait = overview_days_wait;
		known.wait_ctx = &days;
	}
	overview_alert_settings(pg, &ld.as);
	/* the alerts' series need neither the days not in yet nor the
	 * summary: read on the second core when a handle is free (issue 18) */
	web_app_beside_start(&beside, pg->app, pg->st, overview_load_alerts, &ld);
	summed = summary_build_known(pg->st, &pg->filter.q, &known, &s, err, sizeof(err));
	loaded = web_app_beside_join(&beside);
	/* built by now (the load gets them after the series); on an error
	 * the alerts read their own */
	if (ld.days == NULL || overview_days_get(&days, pg->st) < 0)
		known.arrival = NULL;
	if (summed < 0) {
		web_response_error(pg->resp, 500, WEB_ERR_HTML, err);
		goto out;
	}
	html_begin(pg, "Overview", "overview");
	html_raw(pg, "<h1>Overview</h1>\n<p class=\"period\">");
	html_period(pg, s.since, s.until);
	if (s.until > s.since) {
		html_raw(pg, ", compared with ");
		html_period(pg, s.prev_since, s.prev_until);
	}
	html_raw(pg, "</p>\n");
	/* the summary counts whole policies: say so rather than look filtered */
	if (pg->filter.q.mx_host != NULL || pg->filter.q.result_type != NULL)
		html_raw(pg, "<p class=\"none\" id=\"filter-note\">The MX host and result type "
		             "filters narrow the Failures and Reports pages; the totals here "
		             "count every session of the domains and organisation chosen.</p>\n");
	html_raw(pg, "<div class=\"cards\">\n");
	overview_cards(pg, &s);
	html_raw(pg, "</div>\n");
	overview_not_in_yet(pg, &s);
	overview_alerts(pg, known.arrival, &ld, loaded);
	page_published_panel(pg);
	overview_domains(pg, &s);
	overview_dane_at_mx(pg, &s);
	html_raw(pg, "<h2>Sessions per day</h2>\n");
	chart_days(pg, &s.by_day);
	overview_top(pg, &s);
	overview_silent(pg, &s);
	html_end(pg);
	summary_free(&s);
out:
	alert_current_reads_free(&ld.reads);
	arrival_free(&days.arr);
	pthread_cond_destroy(&days.built);
	pthread_mutex_destroy(&days.lock);
}
