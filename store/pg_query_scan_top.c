/*
 * pg_query_scan_top.c - query_summary_scan_top on PostgreSQL: the
 * breakdowns as pg_summary_scan reads them, the problems from
 * roll_failure (and its month twin), and the failure groups only of the
 * problems scan_top_select chooses (scan_top.c), each read by
 * agg_failure's (policy_domain, day) index. With a filter the roll-ups
 * cannot answer, every group, as pg_summary_scan. Domains are report text
 * (untrusted): sent as one bound text[] parameter.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datetime.h"
#include "pg_impl.h"
#include "scan_top.h"
#include "strbuf.h"
#include "xalloc.h"

/* scan_top_select's reader: failure groups into *groups (unsorted until
 * the end). */
struct pg_top_ctx {
	struct pg_store *st;
	const struct query_filter *f;
	struct query_rows *groups;
	const struct query_rows *days; /* QUERY_BY_DAY's rows */
};

/* 1 when the pruned read gives what the full one would for f: no filter
 * the roll-ups cannot answer (as pg_table_of). */
static int pg_top_applies(const struct pg_store *st, const struct query_filter *f)
{
	return st->rollups && f->since > QUERY_SINCE_EVER && f->organization == NULL &&
	       f->provenance == NULL && f->mx_host == NULL && f->result_type == NULL &&
	       f->policy_type == NULL;
}

void pg_only_days(const struct pg_only *only, const struct rollup_span *p, struct strbuf *out)
{
	const struct query_rows *days = only->days;
	size_t i = 0, n = 0;
	int64_t d;
	int bad = 0;

	/* at most every day of the part, 21 bytes each */
	strbuf_init(out, 3 + 21 * (size_t)(p->until - p->since + 1));
	bad |= strbuf_putc(out, '{');
	for (d = p->since; d < p->until;) {
		if (p->level == ROLLUP_MONTHS || p->level == ROLLUP_YEARS || d < only->since ||
		    d >= only->until) {
			bad |= strbuf_printf(out, n++ > 0 ? ",%lld" : "%lld", (long long)d);
		} else {
			while (i < days->n && days->rows[i].day < d)
				i++;
			if (i < days->n && days->rows[i].day == d)
				bad |= strbuf_printf(out, n++ > 0 ? ",%lld" : "%lld", (long long)d);
		}
		d = p->level == ROLLUP_MONTHS  ? datetime_month_start(d + 31)
		    : p->level == ROLLUP_YEARS ? datetime_year_start(d + 366)
		                               : d + 1;
	}
	bad |= strbuf_putc(out, '}');
	/* the cap is counted above: an append past it is a programmer error */
	assert(bad == 0);
}

/* Moves the rows of from to the end of to. */
static void pg_top_append(struct query_rows *to, struct query_rows *from)
{
	if (from->n > 0) {
		to->rows = xreallocarray(to->rows, to->n + from->n, sizeof(*to->rows));
		memcpy(to->rows + to->n, from->rows, from->n * sizeof(*from->rows));
		to->n += from->n;
	}
	free(from->rows);
	memset(from, 0, sizeof(*from));
}

/* The np problems' groups, by the index of their domains and then their
 * problem (pg_where_problems): in a year at 10M a domain holds some 480
 * groups, and the problems a summary may show a sixth to a fifth of its
 * domains' groups. */
static int pg_top_read(void *ctx, const struct scan_top_key *domains, size_t nd,
                       const struct scan_top_key *problems, size_t np, char *err, size_t errlen)
{
	struct pg_top_ctx *c = ctx;
	struct query_rows rows = {NULL, 0};
	struct strbuf lit[3];
	struct pg_only only;
	const char **v = xcalloc(np + 1, sizeof(*v));
	size_t i, k;
	int rc = -1, bad = 0;

	(void)domains;
	(void)nd;
	memset(&only, 0, sizeof(only));
	only.days = c->days;
	only.since = c->f->since;
	only.until = c->f->until;
	for (i = 0; i < ROLLUP_PARTS_MAX; i++)
		strbuf_init(&only.span_days[i], 1);
	/* the domains (each as often as it has problems: the index scan
	 * takes each once), then the three columns of the problems */
	for (k = 0; k < 3; k++) {
		for (i = 0; i < np; i++)
			v[i] = k == 0   ? problems[i].policy_domain
			       : k == 1 ? problems[i].mx_host
			                : problems[i].result_type;
		bad |= pg_text_array(&lit[k], v, np);
		only.problems[k] = strbuf_str(&lit[k]);
	}
	if (bad) {
		snprintf(err, errlen, "internal error: problem list too long");
		goto out;
	}
	only.domains = only.problems[0];
	if (pg_group_run(c->st, c->f, QUERY_BY_FAILURE, NULL, &only, 0, &rows, err, errlen) < 0)
		goto out;
	pg_top_append(c->groups, &rows);
	rc = 0;
out:
	for (i = 0; i < ROLLUP_PARTS_MAX; i++)
		strbuf_free(&only.span_days[i]);
	for (k = 0; k < 3; k++)
		strbuf_free(&lit[k]);
	free(v);
	return rc;
}

static int pg_top_read_all(void *ctx, char *err, size_t errlen)
{
	struct pg_top_ctx *c = ctx;

	query_rows_free(c->groups);
	return pg_group_run(c->st, c->f, QUERY_BY_FAILURE, NULL, NULL, 0, c->groups, err, errlen);
}

static const struct query_rows *pg_top_groups(void *ctx)
{
	return ((struct pg_top_ctx *)ctx)->groups;
}

static int pg_type_cmp(const void *x, const void *y)
{
	const struct query_row *a = *(const struct query_row *const *)x;
	const struct query_row *b = *(const struct query_row *const *)y;

	if (a->result_type == NULL || b->result_type == NULL)
		return (a->result_type != NULL) - (b->result_type != NULL);
	return strcmp(a->result_type, b->result_type);
}

/* QUERY_BY_RESULT_TYPE's rows from the problems' (PG_BY_PROBLEM: the same
 * table and filter, grouped finer; a result type fails when one of its
 * problems does): a second pass over the period's roll_failure rows
 * saved (30 ms of a 30-day summary at 10M reports). */
static void pg_types_of(const struct query_rows *problems, struct query_rows *out)
{
	const struct query_row **by = xcalloc(problems->n + 1, sizeof(*by));
	size_t i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < problems->n; i++)
		by[i] = &problems->rows[i];
	qsort(by, problems->n, sizeof(*by), pg_type_cmp);
	out->rows = xcalloc(problems->n + 1, sizeof(*out->rows));
	for (i = 0; i < problems->n; i++) {
		if (out->n == 0 || pg_type_cmp(&by[i], &by[i - 1]) != 0) {
			out->rows[out->n].result_type =
			    by[i]->result_type != NULL ? xstrdup(by[i]->result_type) : NULL;
			out->n++;
		}
		out->rows[out->n - 1].failed_sessions += by[i]->failed_sessions;
	}
	free(by);
	pg_rows_sort(QUERY_BY_RESULT_TYPE, out);
}

/* 1 when pg_top_scan reads breakdown g for want (query.h). */
static int pg_top_wanted(enum query_group g, int want, size_t top_n)
{
	switch (g) {
	case QUERY_BY_MX:
		return !(want & QUERY_SCAN_NO_MX);
	case QUERY_BY_RESULT_TYPE:
		/* with the problems read, summed from them (pg_types_of) */
		return top_n == 0 && !(want & QUERY_SCAN_NO_RESULT_TYPES);
	case QUERY_BY_POLICY_TYPE:
		return (want & QUERY_SCAN_POLICY_TYPES) != 0;
	default:
		return 1;
	}
}

/* pg_summary_scan_top's reads, into sc. */
static int pg_top_scan(struct pg_store *st, const struct query_filter *f, int want, size_t top_n,
                       const struct query_rows *keep, struct query_scan *sc, char *err,
                       size_t errlen)
{
	static const enum query_group groups[] = {QUERY_BY_DOMAIN,      QUERY_BY_ORGANIZATION,
	                                          QUERY_BY_DAY,         QUERY_BY_MX,
	                                          QUERY_BY_RESULT_TYPE, QUERY_BY_POLICY_TYPE};
	struct query_rows *const rows[] = {&sc->by_domain,      &sc->by_organization,
	                                   &sc->by_day,         &sc->by_mx,
	                                   &sc->by_result_type, &sc->by_policy_type};
	struct query_rows problems = {NULL, 0};
	struct pg_top_ctx c = {st, f, &sc->failures, &sc->by_day};
	const struct scan_top_reader reader = {pg_top_read, pg_top_read_all, pg_top_groups, &c};
	size_t i;
	int rc = -1, how;

	for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		if (pg_top_wanted(groups[i], want, top_n) &&
		    pg_group_run(st, f, groups[i], NULL, NULL, 0, rows[i], err, errlen) < 0)
			goto out;
	if (top_n > 0) {
		if (pg_group_run(st, f, PG_BY_PROBLEM, NULL, NULL, 0, &problems, err, errlen) < 0)
			goto out;
		pg_types_of(&problems, &sc->by_result_type);
	}
	how = scan_top_select(&reader, top_n, &problems, keep, sc->by_domain.n, err, errlen);
	if (how < 0)
		goto out;
	/* read_all's rows come sorted */
	if (how == 0)
		pg_rows_sort(QUERY_BY_FAILURE, &sc->failures);
	rc = pg_scan_totals(st, f, sc, err, errlen);
out:
	query_rows_free(&problems);
	return rc;
}

/* Begins the read transaction of pg_summary_scan_top (*began 1), unless
 * one is open (db copy's snapshot, the ingest batch). */
static int pg_top_begin(struct pg_store *st, int *began, char *err, size_t errlen)
{
	*began = !st->snapshot && !st->in_batch;
	if (!*began)
		return 0;
	/* one snapshot for the problems and the groups they choose (a
	 * writer between them could make a group outgrow its problem) */
	return pg_run(st, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", NULL,
	              "cannot read the aggregates", NULL, err, errlen);
}

/* Ends it: rc, or -1 when the end fails (err keeps the first cause). */
static int pg_top_end(struct pg_store *st, int rc, char *err, size_t errlen)
{
	size_t used = rc == 0 ? 0 : strlen(err);

	if (pg_run(st, rc == 0 ? "COMMIT" : "ROLLBACK", NULL, "cannot read the aggregates", NULL,
	           err + used, rc == 0 ? errlen : 0) < 0)
		return -1;
	return rc;
}

int pg_summary_scan_top(struct store *base, const struct query_filter *f, int want, size_t top_n,
                        const struct query_rows *keep, struct query_scan *out, char *err,
                        size_t errlen)
{
	struct pg_store *st = pg_of(base);
	struct query_scan sc;
	int began, rc;

	if (!pg_top_applies(st, f))
		return pg_summary_scan(base, f, want & QUERY_SCAN_POLICY_TYPES, out, err, errlen);
	if (pg_top_begin(st, &began, err, errlen) < 0)
		return -1;
	memset(&sc, 0, sizeof(sc));
	/* in its own snapshot the days held are read once, not per read */
	st->held_keep = began;
	rc = pg_top_scan(st, f, want, top_n, keep, &sc, err, errlen);
	st->held_keep = st->held_known = 0;
	if (began)
		rc = pg_top_end(st, rc, err, errlen);
	if (rc == 0) {
		*out = sc;
		return 0;
	}
	query_scan_free(&sc);
	return -1;
}

int pg_summary_scan_groups(struct store *base, const struct query_filter *f,
                           const struct query_rows *keep, struct query_scan *sc, char *err,
                           size_t errlen)
{
	struct pg_store *st = pg_of(base);
	const struct query_rows none = {NULL, 0};
	struct pg_top_ctx c = {st, f, &sc->failures, &sc->by_day};
	const struct scan_top_reader reader = {pg_top_read, pg_top_read_all, pg_top_groups, &c};
	int how;

	/* the first half read every group (pg_summary_scan) */
	if (!pg_top_applies(st, f))
		return 0;
	/* with no problems one round: one statement, no transaction */
	how = scan_top_select(&reader, 0, &none, keep, sc->by_domain.n, err, errlen);
	if (how < 0)
		return -1;
	if (how == 0)
		pg_rows_sort(QUERY_BY_FAILURE, &sc->failures);
	return 0;
}
