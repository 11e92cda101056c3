/*
 * summary_json.c - the summary as the JSON document of
 * docs/summary-json.md (the web API serves the same). Strings are report
 * text (untrusted): the JSON writer escapes every one.
 */
#include "datetime.h"
#include "hints.h"
#include "jsonw.h"
#include "summary.h"

static void summary_json_totals(struct jsonw *w, const struct query_totals *t)
{
	jsonw_object_begin(w);
	jsonw_key(w, "reports");
	jsonw_int(w, t->reports);
	jsonw_key(w, "successful_sessions");
	jsonw_int(w, t->successful_sessions);
	jsonw_key(w, "failed_sessions");
	jsonw_int(w, t->failed_sessions);
	jsonw_object_end(w);
}

/* by_domain / by_organization entries: name, reports, sessions. */
static void summary_json_sessions(struct jsonw *w, const struct query_rows *rows,
                                  const char *name_key, int by_org)
{
	size_t i;

	jsonw_array_begin(w);
	for (i = 0; i < rows->n; i++) {
		const struct query_row *r = &rows->rows[i];

		jsonw_object_begin(w);
		jsonw_key(w, name_key);
		jsonw_string(w, by_org ? r->organization : r->policy_domain);
		jsonw_key(w, "reports");
		jsonw_int(w, r->reports);
		jsonw_key(w, "successful_sessions");
		jsonw_int(w, r->successful_sessions);
		jsonw_key(w, "failed_sessions");
		jsonw_int(w, r->failed_sessions);
		jsonw_object_end(w);
	}
	jsonw_array_end(w);
}

/* by_mx / by_result_type entries: name, failed sessions. */
static void summary_json_failed(struct jsonw *w, const struct query_rows *rows, int by_mx)
{
	size_t i;

	jsonw_array_begin(w);
	for (i = 0; i < rows->n; i++) {
		jsonw_object_begin(w);
		jsonw_key(w, by_mx ? "mx_host" : "result_type");
		jsonw_string(w, by_mx ? rows->rows[i].mx_host : rows->rows[i].result_type);
		jsonw_key(w, "failed_sessions");
		jsonw_int(w, rows->rows[i].failed_sessions);
		jsonw_object_end(w);
	}
	jsonw_array_end(w);
}

/* top_failures entries; prev (may be NULL) replaces the counts. */
static void summary_json_top(struct jsonw *w, const struct query_rows *rows, const int64_t *prev)
{
	size_t i;

	jsonw_array_begin(w);
	for (i = 0; i < rows->n; i++) {
		const struct query_row *r = &rows->rows[i];

		jsonw_object_begin(w);
		jsonw_key(w, "organization");
		jsonw_string(w, r->organization);
		jsonw_key(w, "policy_domain");
		jsonw_string(w, r->policy_domain);
		jsonw_key(w, "mx_host");
		jsonw_string(w, r->mx_host);
		jsonw_key(w, "result_type");
		jsonw_string(w, r->result_type);
		jsonw_key(w, "failed_sessions");
		jsonw_int(w, prev != NULL ? prev[i] : r->failed_sessions);
		jsonw_object_end(w);
	}
	jsonw_array_end(w);
}

static void summary_json_days(struct jsonw *w, const struct query_rows *days)
{
	char d[16];
	size_t i;

	jsonw_array_begin(w);
	for (i = 0; i < days->n; i++) {
		jsonw_object_begin(w);
		jsonw_key(w, "day");
		datetime_format_day(days->rows[i].day, d, sizeof(d));
		jsonw_string(w, d);
		jsonw_key(w, "successful_sessions");
		jsonw_int(w, days->rows[i].successful_sessions);
		jsonw_key(w, "failed_sessions");
		jsonw_int(w, days->rows[i].failed_sessions);
		jsonw_object_end(w);
	}
	jsonw_array_end(w);
}

/* rows cut at LIMIT_SUMMARY_ROWS, as a view in *cut */
static const struct query_rows *summary_json_cap(const struct query_rows *rows,
                                                 struct query_rows *cut)
{
	*cut = *rows;
	if (cut->n > LIMIT_SUMMARY_ROWS)
		cut->n = LIMIT_SUMMARY_ROWS;
	return cut;
}

/* "NAME_more": n, only when rows were left out (a list that fits, the
 * usual case, is written exactly as before). */
static void summary_json_more(struct jsonw *w, const char *key, size_t n)
{
	if (n == 0)
		return;
	jsonw_key(w, key);
	jsonw_int(w, (int64_t)n);
}

/* The keys after the contract's (docs/summary-json.md, "Further keys"). */
/* Grouped reason texts (reasons.h) under key, the label under label_key;
 * cut_key present only when the least failed forms were left out. */
static void summary_json_reasons(struct jsonw *w, const struct reason_groups *r, const char *key,
                                 const char *label_key, const char *cut_key)
{
	size_t i;

	jsonw_key(w, key);
	jsonw_array_begin(w);
	for (i = 0; i < r->n; i++) {
		const struct reason_group *g = &r->groups[i];

		jsonw_object_begin(w);
		jsonw_key(w, label_key);
		jsonw_string(w, g->label);
		jsonw_key(w, "normalised");
		jsonw_string(w, g->key);
		jsonw_key(w, "forms");
		jsonw_int(w, g->variants);
		jsonw_key(w, "result_types");
		jsonw_string(w, g->result_types);
		jsonw_key(w, "failed_sessions");
		jsonw_int(w, g->failed_sessions);
		jsonw_object_end(w);
	}
	jsonw_array_end(w);
	if (r->cut) {
		jsonw_key(w, cut_key);
		jsonw_bool(w, 1);
	}
}

static void summary_json_extras(struct jsonw *w, const struct summary *s)
{
	char hint[HINTS_MAX];
	struct query_rows cut;
	size_t i;

	summary_json_more(w, "by_domain_more", s->by_domain_more);
	summary_json_more(w, "by_organization_more", s->by_organization_more);
	summary_json_more(w, "by_mx_more", s->by_mx_more);
	summary_json_more(w, "by_result_type_more", s->by_result_type_more);

	jsonw_key(w, "previous");
	jsonw_object_begin(w);
	jsonw_key(w, "period");
	jsonw_period(w, s->prev_since, s->prev_until);
	jsonw_key(w, "totals");
	summary_json_totals(w, &s->prev_totals);
	/* cut at the same count as this period's lists (their rows are
	 * matched against these whole, so they are cut only here) */
	jsonw_key(w, "by_domain");
	summary_json_sessions(w, summary_json_cap(&s->prev_by_domain, &cut), "policy_domain", 0);
	jsonw_key(w, "by_organization");
	summary_json_sessions(w, summary_json_cap(&s->prev_by_organization, &cut), "organization",
	                      1);
	jsonw_key(w, "by_mx");
	summary_json_failed(w, summary_json_cap(&s->prev_by_mx, &cut), 1);
	jsonw_key(w, "by_result_type");
	summary_json_failed(w, summary_json_cap(&s->prev_by_result_type, &cut), 0);
	jsonw_key(w, "top_failures");
	summary_json_top(w, &s->top_failures, s->top_failures_prev);
	jsonw_object_end(w);

	jsonw_key(w, "by_policy_type");
	jsonw_array_begin(w);
	for (i = 0; i < s->by_policy_type.n; i++) {
		const struct query_row *r = &s->by_policy_type.rows[i];

		jsonw_object_begin(w);
		jsonw_key(w, "policy_type");
		jsonw_string(w, r->policy_type);
		jsonw_key(w, "policies");
		jsonw_int(w, r->reports);
		jsonw_key(w, "successful_sessions");
		jsonw_int(w, r->successful_sessions);
		jsonw_key(w, "failed_sessions");
		jsonw_int(w, r->failed_sessions);
		jsonw_object_end(w);
	}
	jsonw_array_end(w);

	jsonw_key(w, "new_failures");
	jsonw_object_begin(w);
	jsonw_key(w, "result_types");
	jsonw_array_begin(w);
	for (i = 0; i < s->by_result_type.n; i++)
		if (s->by_result_type_prev[i] == NULL)
			jsonw_string(w, s->by_result_type.rows[i].result_type);
	jsonw_array_end(w);
	jsonw_key(w, "mx_hosts");
	jsonw_array_begin(w);
	for (i = 0; i < s->by_mx.n; i++)
		if (s->by_mx_prev[i] == NULL)
			jsonw_string(w, s->by_mx.rows[i].mx_host);
	jsonw_array_end(w);
	jsonw_object_end(w);

	jsonw_key(w, "problems");
	jsonw_array_begin(w);
	for (i = 0; i < s->problems.n; i++) {
		const struct query_row *r = &s->problems.rows[i];

		jsonw_object_begin(w);
		jsonw_key(w, "policy_domain");
		jsonw_string(w, r->policy_domain);
		jsonw_key(w, "mx_host");
		jsonw_string(w, r->mx_host);
		jsonw_key(w, "result_type");
		jsonw_string(w, r->result_type);
		jsonw_key(w, "failed_sessions");
		jsonw_int(w, r->failed_sessions);
		jsonw_key(w, "previous_failed_sessions");
		jsonw_int(w, s->problems_prev[i]);
		jsonw_key(w, "reporter_count");
		jsonw_int(w, r->reports);
		jsonw_key(w, "reporters");
		jsonw_string(w, s->problem_reporters[i]);
		jsonw_object_end(w);
	}
	jsonw_array_end(w);

	summary_json_reasons(w, &s->reasons, "by_reason", "failure_reason_code", "by_reason_cut");
	summary_json_reasons(w, &s->infos, "by_additional_information", "additional_information",
	                     "by_additional_information_cut");

	jsonw_key(w, "not_in_yet");
	jsonw_array_begin(w);
	for (i = 0; i < s->not_in_yet.n; i++) {
		const struct arrival_day *d = &s->not_in_yet.days[i];
		char day[16];

		jsonw_object_begin(w);
		jsonw_key(w, "day");
		datetime_format_day(d->day, day, sizeof(day));
		jsonw_string(w, day);
		jsonw_key(w, "policy_domain");
		jsonw_string(w, d->policy_domain);
		jsonw_key(w, "usual_reporters");
		jsonw_int(w, d->usual);
		jsonw_key(w, "reporters_in");
		jsonw_int(w, d->in);
		jsonw_key(w, "missing_reporters");
		jsonw_string(w, d->missing);
		jsonw_object_end(w);
	}
	jsonw_array_end(w);

	jsonw_key(w, "silent_reporters");
	jsonw_array_begin(w);
	for (i = 0; i < s->n_silent; i++) {
		const struct query_row *r = &s->prev_by_organization.rows[s->silent[i]];

		jsonw_object_begin(w);
		jsonw_key(w, "organization");
		jsonw_string(w, r->organization);
		jsonw_key(w, "previous_reports");
		jsonw_int(w, r->reports);
		jsonw_object_end(w);
	}
	jsonw_array_end(w);

	jsonw_key(w, "quarantined");
	jsonw_int(w, s->quarantined);
	jsonw_key(w, "conflicts");
	jsonw_int(w, s->conflicts);

	jsonw_key(w, "hints");
	jsonw_object_begin(w);
	for (i = 0; i < s->by_result_type.n; i++) {
		jsonw_key(w, s->by_result_type.rows[i].result_type);
		jsonw_string(w, hints_format(s->by_result_type.rows[i].result_type, NULL, hint,
		                             sizeof(hint)));
	}
	jsonw_object_end(w);

	if (s->n_domains > 0) {
		jsonw_key(w, "dane_at_mx");
		mxdane_render_json(&s->dane_at_mx, w);
		jsonw_key(w, "dane_at_mx_more");
		jsonw_int(w, (int64_t)s->dane_at_mx.more);
		jsonw_key(w, "dane_at_mx_domains_more");
		jsonw_int(w, (int64_t)s->dane_at_mx.domains_more);
	}
	if (s->published != NULL) {
		jsonw_key(w, "published");
		published_render_json(s->published, w);
	}
}

int summary_render_json(const struct summary *s, struct strbuf *sb, int pretty)
{
	struct jsonw w;

	jsonw_init(&w, sb, pretty);
	jsonw_object_begin(&w);
	jsonw_key(&w, "period");
	jsonw_period(&w, s->since, s->until);
	jsonw_key(&w, "totals");
	summary_json_totals(&w, &s->totals);
	jsonw_key(&w, "by_domain");
	summary_json_sessions(&w, &s->by_domain, "policy_domain", 0);
	jsonw_key(&w, "by_organization");
	summary_json_sessions(&w, &s->by_organization, "organization", 1);
	jsonw_key(&w, "by_mx");
	summary_json_failed(&w, &s->by_mx, 1);
	jsonw_key(&w, "by_result_type");
	summary_json_failed(&w, &s->by_result_type, 0);
	jsonw_key(&w, "by_day");
	summary_json_days(&w, &s->by_day);
	jsonw_key(&w, "top_failures");
	summary_json_top(&w, &s->top_failures, NULL);
	summary_json_extras(&w, s);
	jsonw_object_end(&w);
	if (pretty && strbuf_putc(sb, '\n') < 0)
		w.failed = 1;
	return w.failed ? -1 : 0;
}
