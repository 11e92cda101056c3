/*
 * pg_readback.c - reports read back from their stored rows on PostgreSQL
 * a round at a time (pg_readback_round: 'db recount', the provenance
 * filter), each counted once by core/tally.c as ingest counted it. A
 * round is three statements for up to a page of reports: their policies,
 * their failure details, their mx-host entries, each keyed by (id, day),
 * the month partitions' key. One report at a time it was four
 * statements a report with its totals (db recount: 1.3 ms a report,
 * hours at 10M).
 * Input: our own database, which may be damaged: every list is counted
 * against the parser's limits before it is allocated, and a round's rows
 * against LIMIT_READBACK_ROWS.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "limits.h"
#include "pg_impl.h"
#include "strbuf.h"
#include "tally.h"
#include "xalloc.h"

_Static_assert(LIMIT_POLICIES + 1 < LIMIT_READBACK_ROWS,
               "a round's first report is always read whole");

/* The policies of the reports ($1 ids, $2 days) in their order, at most
 * LIMIT_POLICIES + 1 ($4) a report and $5 in all, each with its number
 * of failure details (counted to $3 at most) and mx-host entries. The
 * LIMIT in the lateral read keeps it one seek of the report's partition
 * per report (run-time pruning by day). */
#define SQL_POLICIES                                                                               \
	"SELECT k.i, p.id, p.day, p.policy_type, p.policy_domain, p.successful_sessions,"          \
	" p.failed_sessions, (SELECT count(*) FROM (SELECT 1 FROM failure f WHERE"                 \
	" f.policy = p.id AND f.day = p.day LIMIT $3) AS c),"                                      \
	" CASE WHEN p.mx_hosts IS NULL THEN 0 ELSE json_array_length(p.mx_hosts::json) END"        \
	" FROM unnest($1::bigint[], $2::bigint[]) WITH ORDINALITY AS k(report, day, i)"            \
	" CROSS JOIN LATERAL (SELECT * FROM policy p WHERE p.report = k.report AND p.day = k.day"  \
	" ORDER BY p.idx, p.id LIMIT $4) AS p ORDER BY k.i, p.idx, p.id LIMIT $5"
/* The failure details of the policies ($1 ids, $2 days), in their order.
 * OFFSET 0 keeps each policy one seek of its partition's index: joined,
 * the planner may merge the whole table's index with the list. */
#define SQL_FAILURES                                                                               \
	"SELECT k.i, f.result_type, f.receiving_mx_hostname, f.failed_sessions"                    \
	" FROM unnest($1::bigint[], $2::bigint[]) WITH ORDINALITY AS k(policy, day, i)"            \
	" CROSS JOIN LATERAL (SELECT * FROM failure f WHERE f.policy = k.policy"                   \
	" AND f.day = k.day OFFSET 0) AS f ORDER BY k.i, f.id"
#define SQL_MX_HOSTS                                                                               \
	"SELECT k.i, m.v"                                                                          \
	" FROM unnest($1::bigint[], $2::bigint[]) WITH ORDINALITY AS k(policy, day, i)"            \
	" CROSS JOIN LATERAL (SELECT p.mx_hosts FROM policy p WHERE p.id = k.policy"               \
	" AND p.day = k.day OFFSET 0) AS p CROSS JOIN LATERAL"                                     \
	" json_array_elements_text(p.mx_hosts::json) WITH ORDINALITY AS m(v, j)"                   \
	" ORDER BY k.i, m.j"

/* A policy of the round: where its lists go, and what they were
 * allocated for. */
struct readback_policy {
	int64_t id, day;
	struct report_policy *pol;
	struct arena *arena; /* its report's */
	size_t n_failures, n_mx;
};

/* The policies a list statement reads (those with failure details, or
 * with mx-host entries): of[i - 1] is the policy of ordinal i. */
struct readback_list {
	struct readback_policy **of;
	int64_t *ids, *days;
	size_t n;
};

static const char *readback_text(struct arena *a, const PGresult *r, int row, int col)
{
	const char *t = pg_text(r, row, col);

	return t != NULL ? arena_strdup(a, t) : NULL;
}

static void readback_list_init(struct readback_list *l, size_t cap)
{
	l->of = xcalloc(cap + 1, sizeof(*l->of));
	l->ids = xcalloc(cap + 1, sizeof(*l->ids));
	l->days = xcalloc(cap + 1, sizeof(*l->days));
	l->n = 0;
}

static void readback_list_add(struct readback_list *l, struct readback_policy *p)
{
	l->of[l->n] = p;
	l->ids[l->n] = p->id;
	l->days[l->n++] = p->day;
}

static void readback_list_free(struct readback_list *l)
{
	free(l->of);
	free(l->ids);
	free(l->days);
	memset(l, 0, sizeof(*l));
}

/* The policy of row's ordinal (column 0) in l, or NULL when none. */
static struct readback_policy *readback_of(const struct readback_list *l, const PGresult *r,
                                           int row)
{
	int64_t i = pg_int(r, row, 0);

	return i >= 1 && (uint64_t)i <= l->n ? l->of[i - 1] : NULL;
}

/* Runs sql ($1 ids, $2 days, then the values of more, may be NULL):
 * its rows, or NULL with the reason. */
static PGresult *readback_exec(struct pg_store *st, const char *sql, const int64_t *ids,
                               const int64_t *days, size_t n, const int64_t *more, size_t n_more,
                               char *err, size_t errlen)
{
	struct strbuf a, b;
	struct pg_params p;
	PGresult *r;
	size_t i;

	pg_int_array(&a, ids, n);
	pg_int_array(&b, days, n);
	pg_params_init(&p);
	pg_param_text(&p, strbuf_str(&a));
	pg_param_text(&p, strbuf_str(&b));
	for (i = 0; i < n_more; i++)
		pg_param_int(&p, more[i]);
	r = pg_exec(st, sql, &p, "cannot read reports back", err, errlen);
	strbuf_free(&a);
	strbuf_free(&b);
	return r;
}

/* The failure details of l's policies (no more than counted). */
static int readback_failures(struct pg_store *st, const struct readback_list *l, char *err,
                             size_t errlen)
{
	PGresult *r;
	int i;

	if (l->n == 0)
		return 0;
	if ((r = readback_exec(st, SQL_FAILURES, l->ids, l->days, l->n, NULL, 0, err, errlen)) ==
	    NULL)
		return -1;
	for (i = 0; i < PQntuples(r); i++) {
		struct readback_policy *p = readback_of(l, r, i);
		struct report_failure *f;
		const char *rt;

		if (p == NULL || p->pol->n_failures >= p->n_failures)
			continue; /* more rows than counted: not allocated */
		f = &p->pol->failures[p->pol->n_failures++];
		rt = readback_text(p->arena, r, i, 1);
		f->result_type = rt != NULL ? rt : "unknown";
		f->receiving_mx_hostname = readback_text(p->arena, r, i, 2);
		f->failed_sessions = pg_int(r, i, 3);
	}
	PQclear(r);
	return 0;
}

/* The mx-host entries of l's policies (a JSON null entry is left out). */
static int readback_mx_hosts(struct pg_store *st, const struct readback_list *l, char *err,
                             size_t errlen)
{
	PGresult *r;
	int i;

	if (l->n == 0)
		return 0;
	if ((r = readback_exec(st, SQL_MX_HOSTS, l->ids, l->days, l->n, NULL, 0, err, errlen)) ==
	    NULL)
		return -1;
	for (i = 0; i < PQntuples(r); i++) {
		struct readback_policy *p = readback_of(l, r, i);
		const char *v;

		if (p == NULL || PQgetisnull(r, i, 1) || p->pol->n_mx_hosts >= p->n_mx)
			continue;
		v = readback_text(p->arena, r, i, 1);
		p->pol->mx_hosts[p->pol->n_mx_hosts++] = v;
	}
	PQclear(r);
	return 0;
}

/* How many of the first n reports the policies in pr (SQL_POLICIES)
 * hold whole, and fit a round's rows: *taken (at least one), *n_pols
 * their policies. -1 with the reason when a report or policy is over
 * the parser's limits. */
static int readback_take(struct pg_store *st, const PGresult *page, int first, const PGresult *pr,
                         int n, int *taken, size_t *n_pols, char *err, size_t errlen)
{
	int rows = PQntuples(pr), row = 0, k, whole = n, start;
	size_t cost = 0;

	/* cut at the round's rows: the last report read may lack some */
	if (rows >= LIMIT_READBACK_ROWS)
		whole = (int)pg_int(pr, rows - 1, 0) - 1;
	*taken = 0;
	*n_pols = 0;
	for (k = 0; k < whole; k++) {
		size_t more = 0;

		for (start = row; row < rows && pg_int(pr, row, 0) == k + 1; row++) {
			int64_t nf = pg_int(pr, row, 7), nmx = pg_int(pr, row, 8);

			if (nf < 0 || nf > LIMIT_FAILURE_DETAILS || nmx < 0 ||
			    nmx > LIMIT_POLICY_STRINGS) {
				snprintf(err, errlen,
				         "database %s: report row %lld: %lld failure details and "
				         "%lld mx-host entries in a policy, more than %d / %d",
				         st->shown, (long long)pg_int(page, first + k, 0),
				         (long long)nf, (long long)nmx, LIMIT_FAILURE_DETAILS,
				         LIMIT_POLICY_STRINGS);
				return -1;
			}
			more += 1 + (size_t)nf + (size_t)nmx;
		}
		if (row - start > LIMIT_POLICIES) {
			snprintf(err, errlen, "database %s: report row %lld: more than %d policies",
			         st->shown, (long long)pg_int(page, first + k, 0), LIMIT_POLICIES);
			return -1;
		}
		if (k > 0 && cost + more > LIMIT_READBACK_ROWS)
			break;
		cost += more;
		*n_pols = (size_t)row;
		*taken = k + 1;
	}
	/* the callers go on from the next report: none would loop for ever */
	if (*taken == 0) {
		snprintf(err, errlen, "internal error: no report read back of %d", n);
		return -1;
	}
	return 0;
}

/* Report k of the round (row first + k of page) and its policies, rows
 * [*row, ...) of pr, into out; its policies appended to pols and to the
 * lists that read theirs. */
static int readback_report(struct pg_store *st, const PGresult *page, int first, int k,
                           const PGresult *pr, int *row, struct report *out,
                           struct readback_policy *pols, size_t *n_pols, struct readback_list *fl,
                           struct readback_list *ml, char *err, size_t errlen)
{
	int i = first + k, start = *row, rows = PQntuples(pr);
	size_t j;

	out->arena = arena_new();
	out->organization_name = readback_text(out->arena, page, i, 1);
	out->report_id = readback_text(out->arena, page, i, 2);
	out->start_time = pg_int(page, i, 3);
	out->end_time = pg_int(page, i, 4);
	if (out->organization_name == NULL || out->report_id == NULL) {
		snprintf(err, errlen,
		         "database %s: report row %lld has no organization or report-id", st->shown,
		         (long long)pg_int(page, i, 0));
		return -1;
	}
	while (*row < rows && pg_int(pr, *row, 0) == k + 1)
		(*row)++;
	out->n_policies = (size_t)(*row - start);
	if (out->n_policies == 0)
		return 0;
	out->policies = arena_calloc(out->arena, out->n_policies, sizeof(*out->policies));
	for (j = 0; j < out->n_policies; j++) {
		struct report_policy *pol = &out->policies[j];
		struct readback_policy *p = &pols[(*n_pols)++];
		int at = start + (int)j;
		const char *type = readback_text(out->arena, pr, at, 3);

		pol->policy_type = type != NULL ? type : "";
		pol->policy_domain = readback_text(out->arena, pr, at, 4);
		if (pol->policy_domain != NULL && pol->policy_domain[0] == '\0')
			pol->policy_domain = NULL;
		pol->successful_sessions = pg_int(pr, at, 5);
		pol->failed_sessions = pg_int(pr, at, 6);
		p->id = pg_int(pr, at, 1);
		p->day = pg_int(pr, at, 2);
		p->pol = pol;
		p->arena = out->arena;
		/* counted and checked by readback_take */
		p->n_failures = (size_t)pg_int(pr, at, 7);
		p->n_mx = (size_t)pg_int(pr, at, 8);
		if (p->n_failures > 0) {
			pol->failures =
			    arena_calloc(out->arena, p->n_failures, sizeof(*pol->failures));
			readback_list_add(fl, p);
		}
		if (p->n_mx > 0) {
			pol->mx_hosts = arena_calloc(out->arena, p->n_mx, sizeof(*pol->mx_hosts));
			readback_list_add(ml, p);
		}
	}
	return 0;
}

int pg_readback_round(struct pg_store *st, const PGresult *page, int first, int end,
                      struct pg_readback *out, char *err, size_t errlen)
{
	const int64_t bounds[] = {LIMIT_FAILURE_DETAILS + 1, LIMIT_POLICIES + 1,
	                          LIMIT_READBACK_ROWS};
	struct readback_list fl = {NULL, NULL, NULL, 0}, ml = {NULL, NULL, NULL, 0};
	struct readback_policy *pols = NULL;
	int64_t *ids = NULL, *days = NULL;
	PGresult *pr = NULL;
	int n, k, taken, row = 0, rc = -1;
	size_t n_pols, used = 0;

	memset(out, 0, sizeof(*out));
	n = end - first < LIMIT_READBACK_REPORTS ? end - first : LIMIT_READBACK_REPORTS;
	if (n <= 0)
		return 0;
	ids = xcalloc((size_t)n, sizeof(*ids));
	days = xcalloc((size_t)n, sizeof(*days));
	for (k = 0; k < n; k++) {
		ids[k] = pg_int(page, first + k, 0);
		days[k] = pg_int(page, first + k, 5);
	}
	if ((pr = readback_exec(st, SQL_POLICIES, ids, days, (size_t)n, bounds, 3, err, errlen)) ==
	        NULL ||
	    readback_take(st, page, first, pr, n, &taken, &n_pols, err, errlen) < 0)
		goto out;
	out->reports = xcalloc((size_t)taken, sizeof(*out->reports));
	out->tallies = xcalloc((size_t)taken, sizeof(*out->tallies));
	out->n = (size_t)taken;
	pols = xcalloc(n_pols + 1, sizeof(*pols));
	readback_list_init(&fl, n_pols);
	readback_list_init(&ml, n_pols);
	for (k = 0; k < taken; k++)
		if (readback_report(st, page, first, k, pr, &row, &out->reports[k], pols, &used,
		                    &fl, &ml, err, errlen) < 0)
			goto out;
	if (readback_failures(st, &fl, err, errlen) < 0 ||
	    readback_mx_hosts(st, &ml, err, errlen) < 0)
		goto out;
	for (k = 0; k < taken; k++)
		tally_report(&out->reports[k], &out->tallies[k]);
	rc = 0;
out:
	if (rc < 0)
		pg_readback_free(out);
	readback_list_free(&fl);
	readback_list_free(&ml);
	free(pols);
	free(ids);
	free(days);
	PQclear(pr);
	return rc;
}

void pg_readback_free(struct pg_readback *rb)
{
	size_t i;

	for (i = 0; i < rb->n; i++) {
		tally_free(&rb->tallies[i]);
		arena_free(rb->reports[i].arena);
	}
	free(rb->reports);
	free(rb->tallies);
	memset(rb, 0, sizeof(*rb));
}
