/*
 * summary.c - building the summary model from the store: this period and
 * the previous one, matched key by key (the JSON document is in
 * summary_json.c, text in summary_text.c, CSV and HTML in
 * summary_export.c). Rows hold report text (untrusted), only compared and
 * moved here.
 */
#include "summary.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "limits.h"
#include "period.h"
#include "store_trust.h"
#include "xalloc.h"

static int summary_strcmp_absent(const char *a, const char *b)
{
	return strcmp(a != NULL ? a : "", b != NULL ? b : "");
}

/* Orders rows by every key field; the group decides which are set. */
static int summary_key_cmp(const struct query_row *a, const struct query_row *b)
{
	int c = summary_strcmp_absent(a->organization, b->organization);

	if (c == 0)
		c = summary_strcmp_absent(a->policy_domain, b->policy_domain);
	if (c == 0)
		c = summary_strcmp_absent(a->mx_host, b->mx_host);
	if (c == 0)
		c = summary_strcmp_absent(a->result_type, b->result_type);
	if (c == 0)
		c = summary_strcmp_absent(a->policy_type, b->policy_type);
	return c;
}

int summary_same_key(const struct query_row *a, const struct query_row *b)
{
	return summary_key_cmp(a, b) == 0;
}

static int summary_ptr_cmp(const void *a, const void *b)
{
	return summary_key_cmp(*(const struct query_row *const *)a,
	                       *(const struct query_row *const *)b);
}

/* For each row of cur, the row of other with the same key (or NULL):
 * sort pointers to other's rows, then binary search. O(n log n). */
static const struct query_row **summary_match(const struct query_rows *cur,
                                              const struct query_rows *other)
{
	const struct query_row **sorted, **match, **hit;
	const struct query_row *key;
	size_t i;

	match = xcalloc(cur->n ? cur->n : 1, sizeof(*match));
	sorted = xcalloc(other->n ? other->n : 1, sizeof(*sorted));
	for (i = 0; i < other->n; i++)
		sorted[i] = &other->rows[i];
	qsort(sorted, other->n, sizeof(*sorted), summary_ptr_cmp);
	for (i = 0; i < cur->n; i++) {
		key = &cur->rows[i];
		hit = other->n ? bsearch(&key, sorted, other->n, sizeof(*sorted), summary_ptr_cmp)
		               : NULL;
		match[i] = hit != NULL ? *hit : NULL;
	}
	free(sorted);
	return match;
}

/* by_day with every day of the period, zeros where no report fell. */
static void summary_fill_days(struct summary *s, struct query_rows *sparse)
{
	size_t n = (size_t)(s->until - s->since), i, j = 0;

	s->by_day.rows = xcalloc(n ? n : 1, sizeof(*s->by_day.rows));
	s->by_day.n = n;
	for (i = 0; i < n; i++) {
		struct query_row *r = &s->by_day.rows[i];

		r->day = s->since + (int64_t)i;
		while (j < sparse->n && sparse->rows[j].day < r->day)
			j++;
		if (j < sparse->n && sparse->rows[j].day == r->day) {
			r->reports = sparse->rows[j].reports;
			r->successful_sessions = sparse->rows[j].successful_sessions;
			r->failed_sessions = sparse->rows[j].failed_sessions;
		}
	}
}

int summary_period_all(struct store *st, int64_t today, int64_t *since, int64_t *until, char *err,
                       size_t errlen)
{
	int64_t first = today, last = today - 1;
	int found;

	if (query_day_span(st, &first, &last, &found, err, errlen) < 0)
		return -1;
	if (!found) {
		first = today;
		last = today - 1;
	}
	*since = first;
	*until = last + 1;
	return 0;
}

void summary_free(struct summary *s)
{
	if (s == NULL)
		return;
	query_rows_free(&s->by_domain);
	query_rows_free(&s->by_organization);
	query_rows_free(&s->by_mx);
	query_rows_free(&s->by_result_type);
	query_rows_free(&s->by_policy_type);
	query_rows_free(&s->by_day);
	query_rows_free(&s->top_failures);
	query_rows_free(&s->prev_by_domain);
	query_rows_free(&s->prev_by_organization);
	query_rows_free(&s->prev_by_mx);
	query_rows_free(&s->prev_by_result_type);
	free(s->by_domain_prev);
	free(s->by_organization_prev);
	free(s->by_mx_prev);
	free(s->by_result_type_prev);
	free(s->top_failures_prev);
	free(s->silent);
	arrival_free(&s->not_in_yet);
	reasons_free(&s->reasons);
	reasons_free(&s->infos);
	mxdane_list_free(&s->dane_at_mx);
	for (size_t i = 0; s->problem_reporters != NULL && i < s->problems.n; i++)
		free(s->problem_reporters[i]);
	free(s->problem_reporters);
	free(s->problems_prev);
	query_rows_free(&s->problems);
	memset(s, 0, sizeof(*s));
}

/* Keeps the first n rows of r, freeing the rest. */
static void summary_truncate(struct query_rows *r, size_t n)
{
	struct query_rows tail;

	if (r->n <= n)
		return;
	tail.rows = r->rows + n;
	tail.n = r->n - n;
	r->n = n;
	/* query_rows_free frees the array too: free the tail's strings only */
	for (size_t i = 0; i < tail.n; i++) {
		free(tail.rows[i].organization);
		free(tail.rows[i].policy_domain);
		free(tail.rows[i].mx_host);
		free(tail.rows[i].result_type);
		free(tail.rows[i].policy_type);
	}
}

/* Cuts a list at LIMIT_SUMMARY_ROWS; returns how many rows were cut. */
static size_t summary_cap(struct query_rows *r)
{
	size_t n = r->n;

	summary_truncate(r, LIMIT_SUMMARY_ROWS);
	return n - r->n;
}

/* The breakdowns of the period and of the one before. Of the failure
 * groups only those shown are needed (the top ones, and whole problems:
 * summary_problems), and for the period before those of the same
 * domains (their figures beside them): the store may leave out the rest,
 * most of a long period's groups. */
static int summary_scans(struct store *st, const struct query_filter *cur,
                         const struct query_filter *prev, const struct summary_known *known,
                         struct query_scan *now, struct query_scan *before, char *err,
                         size_t errlen)
{
	/* the overview shows no breakdown by MX, result type or policy type */
	int skip =
	    known != NULL && known->overview ? QUERY_SCAN_NO_MX | QUERY_SCAN_NO_RESULT_TYPES : 0;

	if (query_summary_scan_top(st, cur, skip != 0 ? skip : QUERY_SCAN_POLICY_TYPES,
	                           SUMMARY_TOP_FAILURES, NULL, now, err, errlen) < 0)
		return -1;
	/* the breakdowns before read beside while this period's were: only
	 * the groups of the domains shown now are left to read */
	if (known != NULL && known->prev != NULL && known->prev(known->prev_ctx, before) == 0)
		return query_summary_scan_groups(st, prev, &now->failures, before, err, errlen);
	return query_summary_scan_top(st, prev, skip, 0, &now->failures, before, err, errlen);
}

/* The entries of known (built over [known->since, known->until)) for
 * [since, until), copied into *out: 1, or 0 when known does not answer
 * for that period (the "later report" look ends where until does). */
static int summary_arrival_known(const struct summary_known *known, int64_t since, int64_t until,
                                 struct arrival *out)
{
	size_t i, n = 0;

	if (known == NULL || (known->wait != NULL && known->wait(known->wait_ctx) < 0) ||
	    known->arrival == NULL || since < known->since || until != known->until)
		return 0;
	out->days = xcalloc(known->arrival->n + 1, sizeof(*out->days));
	for (i = 0; i < known->arrival->n; i++) {
		const struct arrival_day *d = &known->arrival->days[i];

		if (d->day < since || d->day >= until)
			continue;
		out->days[n] = *d;
		out->days[n].policy_domain = d->policy_domain ? xstrdup(d->policy_domain) : NULL;
		out->days[n++].missing = xstrdup(d->missing);
	}
	out->n = n;
	return 1;
}

int summary_arrival_period(const struct query_filter *f, int64_t *since, int64_t *until)
{
	int64_t today = period_today();

	*since = f->since > today - ARRIVAL_WAIT_DAYS ? f->since : today - ARRIVAL_WAIT_DAYS;
	/* to today, wherever the period ends: a day is judged with what came
	 * for the days after it up to LIMIT_ALERT_LOOKBACK_DAYS past the
	 * build's end, so one end for every period lets the overview's
	 * alerts' days (also to today) serve --all's period, which ends at
	 * the store's last day */
	*until = today;
	return *since < (f->until < today ? f->until : today);
}

/* The days of f's period still coming in (summary_arrival_period), for
 * the filter's domains (every domain without a filter). */
static int summary_not_in_yet(struct store *st, const struct query_filter *f,
                              const struct summary_known *known, struct arrival *out, char *err,
                              size_t errlen)
{
	struct arrival all = {NULL, 0};
	int64_t since, until;
	size_t i, j, kept = 0;

	if (!summary_arrival_period(f, &since, &until)) {
		memset(out, 0, sizeof(*out));
		return 0;
	}
	if (!summary_arrival_known(known, since, until, &all) &&
	    arrival_build(st, since, until, &all, err, errlen) < 0)
		return -1;
	for (i = 0; i < all.n; i++) {
		struct arrival_day *d = &all.days[i];
		int keep = f->n_domains == 0;

		for (j = 0; j < f->n_domains && !keep; j++)
			keep = d->policy_domain != NULL &&
			       strcmp(d->policy_domain, f->domains[j]) == 0;
		/* built to today: the days after the period go too */
		if (!keep || d->day >= f->until) {
			free(d->policy_domain);
			free(d->missing);
			continue;
		}
		all.days[kept++] = *d;
	}
	all.n = kept;
	*out = all;
	return 0;
}

/* Each problem's failed sessions in the previous period. */
static void summary_problems_prev(struct summary *s, const struct query_rows *prev_failures)
{
	s->problems_prev = xcalloc(s->problems.n ? s->problems.n : 1, sizeof(int64_t));
	summary_problems_failed(&s->problems, prev_failures, s->problems_prev);
}

int summary_build(struct store *st, const struct query_filter *f, struct summary *out, char *err,
                  size_t errlen)
{
	return summary_build_known(st, f, NULL, out, err, errlen);
}

void summary_periods(const struct query_filter *f, struct query_filter *cur,
                     struct query_filter *prev)
{
	memset(cur, 0, sizeof(*cur));
	cur->since = f->since;
	cur->until = f->until;
	cur->domains = f->domains;
	cur->n_domains = f->n_domains;
	cur->organization = f->organization;
	/* the slower path: each report counted again (docs/trust.md) */
	cur->provenance = f->provenance;
	*prev = *cur;
	prev->since = cur->since - (cur->until - cur->since);
	prev->until = cur->since;
}

int summary_build_known(struct store *st, const struct query_filter *f,
                        const struct summary_known *known, struct summary *out, char *err,
                        size_t errlen)
{
	struct query_scan now, before;
	const struct query_row **top_prev = NULL, **org_cur = NULL;
	struct query_filter cur, prev;
	struct summary s;
	size_t i;
	int rc = -1, overview = known != NULL && known->overview;

	memset(&s, 0, sizeof(s));
	memset(&now, 0, sizeof(now));
	memset(&before, 0, sizeof(before));
	/* every day of the years datetime accepts, at most: bounds by_day */
	if (f->since > f->until ||
	    f->until - f->since > (int64_t)(LIMIT_YEAR_MAX - LIMIT_YEAR_MIN + 1) * 366) {
		snprintf(err, errlen, "period of %lld days is out of range",
		         (long long)(f->until - f->since));
		return -1;
	}
	summary_periods(f, &cur, &prev);
	s.since = cur.since;
	s.until = cur.until;
	s.prev_since = prev.since;
	s.prev_until = prev.until;
	s.domains = f->domains;
	s.n_domains = f->n_domains;
	s.organization = f->organization;
	s.provenance = f->provenance;

	if (summary_scans(st, &cur, &prev, known, &now, &before, err, errlen) < 0 ||
	    query_quarantined(st, cur.since, cur.until, &s.quarantined, err, errlen) < 0 ||
	    store_conflicts_held(st, &s.conflicts, err, errlen) < 0 ||
	    (!overview && (reasons_build(st, &cur, &s.reasons, err, errlen) < 0 ||
	                   reasons_build_info(st, &cur, &s.infos, err, errlen) < 0)) ||
	    mxdane_read(st, &cur, &s.dane_at_mx, err, errlen) < 0 ||
	    (f->organization == NULL &&
	     summary_not_in_yet(st, &cur, known, &s.not_in_yet, err, errlen) < 0))
		goto out;
	/* the model takes the rows over */
	s.totals = now.totals;
	s.by_domain = now.by_domain;
	s.by_organization = now.by_organization;
	s.by_mx = now.by_mx;
	s.by_result_type = now.by_result_type;
	s.top_failures = now.failures;
	summary_problems_top(&now.failures, SUMMARY_TOP_FAILURES, &s.problems,
	                     &s.problem_reporters);
	s.by_policy_type = now.by_policy_type;
	summary_fill_days(&s, &now.by_day);
	query_rows_free(&now.by_day);
	memset(&now, 0, sizeof(now));
	summary_truncate(&s.top_failures, SUMMARY_TOP_FAILURES);
	s.by_domain_more = summary_cap(&s.by_domain);
	s.by_organization_more = summary_cap(&s.by_organization);
	s.by_mx_more = summary_cap(&s.by_mx);
	s.by_result_type_more = summary_cap(&s.by_result_type);
	s.prev_totals = before.totals;
	s.prev_by_domain = before.by_domain;
	s.prev_by_organization = before.by_organization;
	s.prev_by_mx = before.by_mx;
	s.prev_by_result_type = before.by_result_type;
	before.by_domain.rows = before.by_organization.rows = NULL;
	before.by_mx.rows = before.by_result_type.rows = NULL;
	before.by_domain.n = before.by_organization.n = before.by_mx.n = before.by_result_type.n =
	    0;

	s.by_domain_prev = summary_match(&s.by_domain, &s.prev_by_domain);
	s.by_organization_prev = summary_match(&s.by_organization, &s.prev_by_organization);
	s.by_mx_prev = summary_match(&s.by_mx, &s.prev_by_mx);
	s.by_result_type_prev = summary_match(&s.by_result_type, &s.prev_by_result_type);
	summary_problems_prev(&s, &before.failures);
	top_prev = summary_match(&s.top_failures, &before.failures);
	s.top_failures_prev = xcalloc(s.top_failures.n ? s.top_failures.n : 1, sizeof(int64_t));
	for (i = 0; i < s.top_failures.n; i++)
		s.top_failures_prev[i] = top_prev[i] != NULL ? top_prev[i]->failed_sessions : 0;
	/* silent: reporters of the previous period with no match now */
	org_cur = summary_match(&s.prev_by_organization, &s.by_organization);
	s.silent = xcalloc(s.prev_by_organization.n ? s.prev_by_organization.n : 1, sizeof(size_t));
	for (i = 0; i < s.prev_by_organization.n; i++)
		if (org_cur[i] == NULL && s.prev_by_organization.rows[i].reports > 0)
			s.silent[s.n_silent++] = i;
	*out = s;
	memset(&s, 0, sizeof(s));
	rc = 0;
out:
	free(top_prev);
	free(org_cur);
	query_scan_free(&now);
	query_scan_free(&before);
	summary_free(&s);
	return rc;
}

int summary_parse_format(const char *s, enum summary_format *fmt)
{
	static const struct {
		const char *name;
		enum summary_format fmt;
	} formats[] = {{"text", SUMMARY_TEXT},
	               {"json", SUMMARY_JSON},
	               {"csv", SUMMARY_CSV},
	               {"html", SUMMARY_HTML}};
	size_t i;

	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		if (strcmp(s, formats[i].name) == 0) {
			*fmt = formats[i].fmt;
			return 0;
		}
	}
	return -1;
}

int summary_render(const struct summary *s, enum summary_format fmt, struct strbuf *sb, char *err,
                   size_t errlen)
{
	int rc;

	switch (fmt) {
	case SUMMARY_JSON:
		rc = summary_render_json(s, sb, 1);
		break;
	case SUMMARY_CSV:
		rc = summary_render_csv(s, sb);
		break;
	case SUMMARY_HTML:
		rc = summary_render_html(s, sb);
		break;
	default:
		rc = summary_render_text(s, sb);
		break;
	}
	if (rc < 0)
		snprintf(err, errlen, "summary larger than %zu bytes; narrow the period or filter",
		         sb->cap);
	return rc;
}
