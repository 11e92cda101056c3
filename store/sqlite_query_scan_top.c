/*
 * sqlite_query_scan_top.c - query_summary_scan_top on SQLite: the failure
 * groups a summary shows, read by seeks into agg_failure and its month
 * and year tables for the domains store/scan_top.c chooses; every other
 * breakdown summed as sqlite_query_scan.c sums it. Values are bound; rows
 * hold report text (untrusted).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datetime.h"
#include "query.h"
#include "rollup_month.h"
#include "scan_top.h"
#include "sqlite_impl.h"
#include "sqlite_query_impl.h"
#include "sqlite_scan.h"

/* --- the failure groups a summary shows (query_summary_scan_top): the
 * summary keeps the top_n largest QUERY_BY_FAILURE groups and the top_n
 * largest problems (summary_problems: the groups merged per domain, MX
 * and result type). At 10M reports a year holds 218,000 groups and the
 * summary shows 40 of them; summing, copying and sorting them all was
 * two thirds of 'summary --all'. Here the problems are summed from
 * roll_failure (across reporters, far fewer rows), and the groups read
 * only for the domains that can hold a shown one, each domain whole. */

/* 1 when the pruned read gives what the full one would for these: no
 * filter the roll-ups cannot answer (as scan_table_of). */
static int scan_top_applies(const struct sqlite_store *st, const struct query_filter *f)
{
	return st->rollups && f->since > QUERY_SINCE_EVER && f->organization == NULL &&
	       f->provenance == NULL && f->mx_host == NULL && f->result_type == NULL &&
	       f->policy_type == NULL;
}

/* The statements that read one domain's groups of one day (agg_failure),
 * of one month (agg_failure_month) and of one year (agg_failure_year), by
 * level: by their primary key's first two columns, so a domain costs its
 * own rows. */
struct scan_top_read {
	sqlite3_stmt *at[ROLLUP_YEARS + 1];
	struct rollup_span span[ROLLUP_PARTS_MAX];
	size_t n_span;
	/* the days of the period with rows (QUERY_BY_DAY, in day order): a
	 * failure row's report has a row in agg_domain that day, so the
	 * other days are not asked (a period before the store's first day
	 * costs nothing) */
	const struct query_rows *days;
};

/* 1 when some day of [since, until) has rows. */
static int scan_top_any_day(const struct query_rows *days, int64_t since, int64_t until)
{
	size_t lo = 0, hi = days->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (days->rows[mid].day < since)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < days->n && days->rows[lo].day < until;
}

/* Adds the rows of s (bound to a day and a domain) to w (minus: takes
 * them away). */
static int scan_top_seek(struct sqlite_store *st, sqlite3_stmt *s, int64_t day, const char *dom,
                         int minus, struct scan_want *w, char *err, size_t errlen)
{
	int step;

	sqlite3_reset(s);
	if (sqlite3_bind_int64(s, 1, day) != SQLITE_OK ||
	    sqlite3_bind_text(s, 2, dom != NULL ? dom : "", -1, SQLITE_STATIC) != SQLITE_OK)
		return sqlite_fail(st, err, errlen, "cannot read the aggregates");
	while ((step = sqlite3_step(s)) == SQLITE_ROW)
		scan_add_failure(s, minus, w);
	if (step != SQLITE_DONE)
		return sqlite_fail(st, err, errlen, "cannot read the aggregates");
	return 0;
}

/* Adds every failure group of domain dom in the period to w: years from
 * agg_failure_year, months from agg_failure_month, days from agg_failure,
 * as the parts say. The days with rows tell which days of the period to
 * ask; days taken away lie outside it, each is asked. */
static int scan_top_domain(struct sqlite_store *st, struct scan_top_read *rd, const char *dom,
                           struct scan_want *w, char *err, size_t errlen)
{
	size_t i;
	int64_t d, next;

	for (i = 0; i < rd->n_span; i++) {
		const struct rollup_span *sp = &rd->span[i];

		for (d = sp->since; d < sp->until; d = next) {
			next = sp->level == ROLLUP_YEARS    ? datetime_year_start(d + 366)
			       : sp->level == ROLLUP_MONTHS ? datetime_month_start(d + 31)
			                                    : d + 1;
			if ((sp->minus || scan_top_any_day(rd->days, d, next)) &&
			    scan_top_seek(st, rd->at[sp->level], d, dom, sp->minus, w, err,
			                  errlen) < 0)
				return -1;
		}
	}
	return 0;
}

static int scan_top_prepare(struct sqlite_store *st, const char *sql, sqlite3_stmt **s, char *err,
                            size_t errlen)
{
	if (sqlite3_prepare_v2(st->db, sql, -1, s, NULL) != SQLITE_OK)
		return sqlite_fail(st, err, errlen, "cannot read the aggregates");
	return 0;
}

/* Empties w's groups (for scan_groups_run to sum them again). */
static void scan_top_reset(struct scan_want *w)
{
	query_rows_free(w->map.rows);
	free(w->map.slots);
	w->map.slots = NULL;
	w->map.nslots = 0;
	w->map.alloc = 0;
}

/* scan_top_select's reader: the seeks of rd into w. */
struct scan_top_ctx {
	struct sqlite_store *st;
	const struct query_filter *f;
	struct scan_top_read *rd;
	struct scan_want *w;
};

/* Whole domains: agg_failure's keys put the organization before the MX,
 * so a seek of one problem would cost its domain's rows anyway. */
static int scan_top_read_domains(void *ctx, const struct scan_top_key *domains, size_t nd,
                                 const struct scan_top_key *problems, size_t np, char *err,
                                 size_t errlen)
{
	struct scan_top_ctx *c = ctx;
	size_t i;

	(void)problems;
	(void)np;
	for (i = 0; i < nd; i++)
		if (scan_top_domain(c->st, c->rd, domains[i].policy_domain, c->w, err, errlen) < 0)
			return -1;
	return 0;
}

static int scan_top_read_all(void *ctx, char *err, size_t errlen)
{
	struct scan_top_ctx *c = ctx;

	scan_top_reset(c->w);
	return scan_groups_run(c->st, c->f, 0, c->w, 1, err, errlen);
}

static const struct query_rows *scan_top_groups(void *ctx)
{
	return ((struct scan_top_ctx *)ctx)->w->map.rows;
}

/* Into w (QUERY_BY_FAILURE): the groups scan_top_select chooses (the
 * domains of the problems and of keep), read by seeks. w ends finished. */
static int scan_top_select_read(struct sqlite_store *st, const struct query_filter *f, size_t top_n,
                                const struct query_rows *problems, const struct query_scan *sc,
                                const struct query_rows *keep, struct scan_want *w, char *err,
                                size_t errlen)
{
	static const char day_sql[] = "SELECT day, organization, policy_domain, mx_host,"
	                              " result_type, failed_sessions FROM agg_failure"
	                              " WHERE day = ?1 AND policy_domain = ?2";
	static const char month_sql[] = "SELECT day, organization, policy_domain, mx_host,"
	                                " result_type, failed_sessions FROM agg_failure_month"
	                                " WHERE day = ?1 AND policy_domain = ?2";
	static const char year_sql[] = "SELECT day, organization, policy_domain, mx_host,"
	                               " result_type, failed_sessions FROM agg_failure_year"
	                               " WHERE day = ?1 AND policy_domain = ?2";
	struct scan_top_read rd;
	struct scan_top_ctx c = {st, f, &rd, w};
	const struct scan_top_reader reader = {scan_top_read_domains, scan_top_read_all,
	                                       scan_top_groups, &c};
	int rc = -1, how;
	size_t i;

	memset(&rd, 0, sizeof(rd));
	rd.days = &sc->by_day;
	if (st->month_rollups) {
		if (scan_parts(st, f, rd.span, &rd.n_span, err, errlen) < 0)
			goto out;
	} else {
		rd.span[0].since = f->since;
		rd.span[0].until = f->until;
		rd.n_span = f->since < f->until;
	}
	if (scan_top_prepare(st, day_sql, &rd.at[ROLLUP_DAYS], err, errlen) < 0 ||
	    (st->month_rollups &&
	     scan_top_prepare(st, month_sql, &rd.at[ROLLUP_MONTHS], err, errlen) < 0) ||
	    (st->year_rollups &&
	     scan_top_prepare(st, year_sql, &rd.at[ROLLUP_YEARS], err, errlen) < 0))
		goto out;
	how = scan_top_select(&reader, top_n, problems, keep, sc->by_domain.n, err, errlen);
	if (how < 0)
		goto out;
	/* read_all's scan_groups_run finished w */
	if (how == 0)
		scan_finish(w);
	rc = 0;
out:
	for (i = 0; i <= ROLLUP_YEARS; i++)
		sqlite3_finalize(rd.at[i]);
	return rc;
}

/* Into sc->failures: the groups scan_top_select_read chooses. */
static int scan_top_failures(struct sqlite_store *st, const struct query_filter *f, size_t top_n,
                             const struct query_rows *problems, struct query_scan *sc,
                             const struct query_rows *keep, char *err, size_t errlen)
{
	struct scan_want fw;
	int rc;

	memset(&fw, 0, sizeof(fw));
	fw.g = QUERY_BY_FAILURE;
	fw.map.rows = &sc->failures;
	rc = scan_top_select_read(st, f, top_n, problems, sc, keep, &fw, err, errlen);
	free(fw.map.slots);
	return rc;
}

/* Begins the read transaction the seeks share (each outside one would
 * take and drop the read lock), unless one is open (db copy's snapshot,
 * the ingest batch): *began 1 when it did. */
static int scan_top_begin(struct store *base, int *began, char *err, size_t errlen)
{
	struct sqlite_store *st = sqlite_of(base);

	*began = !st->snapshot && !st->in_batch && sqlite3_get_autocommit(st->db);
	return *began ? sqlite_read_snapshot(base, 1, err, errlen) : 0;
}

/* Ends it: rc, or -1 when the end fails (err keeps the first cause). */
static int scan_top_end(struct store *base, int began, int rc, char *err, size_t errlen)
{
	if (began && sqlite_read_snapshot(base, 0, rc == 0 ? err : err + strlen(err),
	                                  rc == 0 ? errlen : 0) < 0)
		return -1;
	return rc;
}

/* sqlite_summary_scan_top's reads: the breakdowns (the problems in the
 * pass over roll_failure that sums by result type), then the failure
 * groups they call for. */
static int scan_summary_top(struct sqlite_store *st, const struct query_filter *f, int asked,
                            size_t top_n, const struct query_rows *keep, struct query_scan *sc,
                            char *err, size_t errlen)
{
	static const enum query_group all[] = {
	    QUERY_BY_DOMAIN,      QUERY_BY_DAY,    QUERY_BY_ORGANIZATION, QUERY_BY_MX,
	    QUERY_BY_RESULT_TYPE, SCAN_BY_PROBLEM, QUERY_BY_POLICY_TYPE};
	struct query_rows problems = {NULL, 0};
	struct query_rows *const all_rows[] = {
	    &sc->by_domain,      &sc->by_day, &sc->by_organization, &sc->by_mx,
	    &sc->by_result_type, &problems,   &sc->by_policy_type};
	enum query_group groups[7];
	struct query_rows *rows[7];
	struct scan_want want[7];
	size_t i, n = 0;
	int rc = -1;

	for (i = 0; i < 7; i++) {
		if ((all[i] == SCAN_BY_PROBLEM && top_n == 0) ||
		    (all[i] == QUERY_BY_POLICY_TYPE && !(asked & QUERY_SCAN_POLICY_TYPES)) ||
		    (all[i] == QUERY_BY_MX && (asked & QUERY_SCAN_NO_MX)) ||
		    (all[i] == QUERY_BY_RESULT_TYPE && top_n == 0 &&
		     (asked & QUERY_SCAN_NO_RESULT_TYPES)))
			continue;
		groups[n] = all[i];
		rows[n++] = all_rows[i];
	}
	scan_want_init(want, groups, rows, n);
	if (scan_groups_run(st, f, 0, want, n, err, errlen) < 0 ||
	    scan_top_failures(st, f, top_n, &problems, sc, keep, err, errlen) < 0)
		goto out;
	rc = scan_summary_totals(st, f, sc, err, errlen);
out:
	query_rows_free(&problems);
	return rc;
}

int sqlite_summary_scan_top(struct store *base, const struct query_filter *f, int want,
                            size_t top_n, const struct query_rows *keep, struct query_scan *out,
                            char *err, size_t errlen)
{
	struct sqlite_store *st = sqlite_of(base);
	struct query_scan sc;
	int began, rc;

	if (!scan_top_applies(st, f))
		return sqlite_summary_scan(base, f, want & QUERY_SCAN_POLICY_TYPES, out, err,
		                           errlen);
	/* one read transaction for every read */
	if (scan_top_begin(base, &began, err, errlen) < 0)
		return -1;
	memset(&sc, 0, sizeof(sc));
	rc = scan_summary_top(st, f, want, top_n, keep, &sc, err, errlen);
	/* after a failure the transaction still ends; err keeps the first */
	if (scan_top_end(base, began, rc, err, errlen) < 0) {
		query_scan_free(&sc);
		return -1;
	}
	*out = sc;
	return 0;
}

int sqlite_summary_scan_groups(struct store *base, const struct query_filter *f,
                               const struct query_rows *keep, struct query_scan *sc, char *err,
                               size_t errlen)
{
	struct sqlite_store *st = sqlite_of(base);
	const struct query_rows none = {NULL, 0};
	int began, rc;

	/* the first half read every group (sqlite_summary_scan) */
	if (!scan_top_applies(st, f))
		return 0;
	if (scan_top_begin(base, &began, err, errlen) < 0)
		return -1;
	rc = scan_top_failures(st, f, 0, &none, sc, keep, err, errlen);
	return scan_top_end(base, began, rc, err, errlen);
}
