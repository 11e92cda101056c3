/*
 * pg_write_recount.c - rebuilding every aggregate from the stored reports
 * on PostgreSQL ('tlswatch db recount', and a migration that asks for it
 * through recount_pending): the same as sqlite_write_recount.c. Each
 * report is read back from its policy and failure rows into a struct
 * report, counted by core/tally.c as ingest counts it, and its aggregate
 * rows sent with the batch as ingest sends them (pg_batch_add_aggregates);
 * the roll-ups follow by their triggers. Input:
 * our own database, which may be damaged: every list is counted against
 * the parser's limits before it is allocated.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "limits.h"
#include "pg_impl.h"
#include "tally.h"
#include "xalloc.h"

/* Reports read at once (a page of ids, not the whole table). */
#define RECOUNT_PAGE 500

#define SQL_REPORTS                                                                                \
	"SELECT id, organization, report_id, start_time, end_time, day FROM report WHERE id > $1"  \
	" ORDER BY id LIMIT $2"
/* Everything a report's figures come from, with each policy's number of
 * failure details and mx-host entries to bound the reads after it. Each
 * read names the report's day ($2), the month partitions' key
 * (schema/pg/018): without it each read planned and searched every
 * month's partition (recount: 3 ms a report at 14 months). */
#define SQL_POLICIES                                                                               \
	"SELECT p.id, p.policy_type, p.policy_domain, p.successful_sessions, p.failed_sessions,"   \
	" (SELECT count(*) FROM failure f WHERE f.policy = p.id AND f.day = $2),"                  \
	" CASE WHEN p.mx_hosts IS NULL THEN 0 ELSE json_array_length(p.mx_hosts::json) END"        \
	" FROM policy p WHERE p.report = $1 AND p.day = $2 ORDER BY p.idx, p.id LIMIT $3"
#define SQL_FAILURES                                                                               \
	"SELECT f.policy, f.result_type, f.receiving_mx_hostname, f.failed_sessions FROM failure " \
	"f JOIN policy p ON f.policy = p.id WHERE p.report = $1 AND p.day = $2 AND f.day = $2"     \
	" ORDER BY p.idx, p.id, f.id"
#define SQL_MX_HOSTS                                                                               \
	"SELECT p.id, m.v FROM policy p, json_array_elements_text(p.mx_hosts::json)"               \
	" WITH ORDINALITY AS m(v, i) WHERE p.report = $1 AND p.day = $2"                           \
	" AND p.mx_hosts IS NOT NULL ORDER BY p.idx, p.id, m.i"
/* by day too, as above; a report whose totals stand is not written again */
#define SQL_REPORT_TOTALS                                                                          \
	"UPDATE report SET successful_sessions = $2, failed_sessions = $3 WHERE id = $1"           \
	" AND day = $4 AND (successful_sessions, failed_sessions) IS DISTINCT FROM ($2, $3)"

/* What tally.c reads is all rebuilt; the lifetime totals of pruned days
 * (*_pruned) have no reports left to recount and stay. */
static const char *const recount_clear_sql[] = {
    "DELETE FROM agg_domain",      "DELETE FROM agg_failure",     "DELETE FROM agg_mx",
    "DELETE FROM agg_policy_type", "DELETE FROM recount_pending",
};

static const char *recount_text(struct arena *a, const PGresult *r, int row, int col)
{
	const char *t = pg_text(r, row, col);

	return t != NULL ? arena_strdup(a, t) : NULL;
}

/* A policy's row id and how many failure details and mx-host entries
 * were counted for it (what its lists were allocated for). */
struct recount_policy {
	int64_t id;
	size_t n_failures, n_mx;
};

/* The index of the policy with row id policy in pol[0..n), from *at on
 * (rows come in policy order); -1 when none. */
static int recount_policy_at(const struct recount_policy *pol, size_t n, int64_t policy, size_t *at)
{
	while (*at < n && pol[*at].id != policy)
		(*at)++;
	return *at < n ? 0 : -1;
}

/* The failure details of r's policies (counted: no more than allocated). */
static int recount_failures(struct pg_store *st, struct report *r, const struct recount_policy *ids,
                            struct pg_params *p, char *err, size_t errlen)
{
	PGresult *res = pg_exec(st, SQL_FAILURES, p, "cannot read reports to recount", err, errlen);
	size_t at = 0;
	int i;

	if (res == NULL)
		return -1;
	for (i = 0; i < PQntuples(res); i++) {
		struct report_policy *pol;
		struct report_failure *f;
		const char *rt;

		if (recount_policy_at(ids, r->n_policies, pg_int(res, i, 0), &at) < 0)
			break;
		pol = &r->policies[at];
		if (pol->n_failures >= ids[at].n_failures)
			continue; /* more rows than counted: not allocated */
		f = &pol->failures[pol->n_failures++];
		rt = recount_text(r->arena, res, i, 1);
		f->result_type = rt != NULL ? rt : "unknown";
		f->receiving_mx_hostname = recount_text(r->arena, res, i, 2);
		f->failed_sessions = pg_int(res, i, 3);
	}
	PQclear(res);
	return 0;
}

/* The mx-host entries of r's policies (a JSON null entry is left out). */
static int recount_mx_hosts(struct pg_store *st, struct report *r, const struct recount_policy *ids,
                            struct pg_params *p, char *err, size_t errlen)
{
	PGresult *res = pg_exec(st, SQL_MX_HOSTS, p, "cannot read reports to recount", err, errlen);
	size_t at = 0, seen = 0;
	int i;

	if (res == NULL)
		return -1;
	for (i = 0; i < PQntuples(res); i++) {
		const char *v = recount_text(r->arena, res, i, 1);
		size_t before = at;
		struct report_policy *pol;

		if (recount_policy_at(ids, r->n_policies, pg_int(res, i, 0), &at) < 0)
			break;
		seen = at == before ? seen + 1 : 1;
		pol = &r->policies[at];
		if (v != NULL && seen <= ids[at].n_mx)
			pol->mx_hosts[pol->n_mx_hosts++] = v;
	}
	PQclear(res);
	return 0;
}

/* Reads report r's policies (r->arena set; report is its row id, day its
 * day). */
static int recount_policies(struct pg_store *st, struct report *r, int64_t report, int64_t day,
                            char *err, size_t errlen)
{
	struct pg_params p;
	PGresult *res;
	struct recount_policy *ids = NULL;
	size_t i, n;
	int rc = -1;

	pg_params_init(&p);
	pg_param_int(&p, report);
	pg_param_int(&p, day);
	pg_param_int(&p, LIMIT_POLICIES + 1);
	if ((res = pg_exec(st, SQL_POLICIES, &p, "cannot read reports to recount", err, errlen)) ==
	    NULL)
		return -1;
	n = (size_t)PQntuples(res);
	if (n > LIMIT_POLICIES) {
		snprintf(err, errlen, "database %s: report row %lld: more than %d policies",
		         st->shown, (long long)report, LIMIT_POLICIES);
		goto out;
	}
	if (n == 0) {
		rc = 0;
		goto out;
	}
	r->policies = arena_calloc(r->arena, n, sizeof(*r->policies));
	ids = xcalloc(n, sizeof(*ids));
	for (i = 0; i < n; i++) {
		struct report_policy *pol = &r->policies[i];
		const char *type = recount_text(r->arena, res, (int)i, 1);
		int64_t n_failures = pg_int(res, (int)i, 5);

		int64_t n_mx = pg_int(res, (int)i, 6);

		ids[i].id = pg_int(res, (int)i, 0);
		if (n_failures < 0 || n_failures > LIMIT_FAILURE_DETAILS || n_mx < 0 ||
		    n_mx > LIMIT_POLICY_STRINGS) {
			snprintf(
			    err, errlen,
			    "database %s: report row %lld: %lld failure details and %lld mx-host "
			    "entries in a policy, more than %d / %d",
			    st->shown, (long long)report, (long long)n_failures, (long long)n_mx,
			    LIMIT_FAILURE_DETAILS, LIMIT_POLICY_STRINGS);
			goto out;
		}
		pol->policy_type = type != NULL ? type : "";
		pol->policy_domain = recount_text(r->arena, res, (int)i, 2);
		if (pol->policy_domain != NULL && pol->policy_domain[0] == '\0')
			pol->policy_domain = NULL;
		pol->successful_sessions = pg_int(res, (int)i, 3);
		pol->failed_sessions = pg_int(res, (int)i, 4);
		ids[i].n_failures = (size_t)n_failures;
		ids[i].n_mx = (size_t)n_mx;
		if (n_failures > 0)
			pol->failures =
			    arena_calloc(r->arena, (size_t)n_failures, sizeof(*pol->failures));
		if (n_mx > 0)
			pol->mx_hosts =
			    arena_calloc(r->arena, (size_t)n_mx, sizeof(*pol->mx_hosts));
	}
	r->n_policies = n;
	pg_params_init(&p);
	pg_param_int(&p, report);
	pg_param_int(&p, day);
	if (recount_failures(st, r, ids, &p, err, errlen) < 0 ||
	    recount_mx_hosts(st, r, ids, &p, err, errlen) < 0)
		goto out;
	rc = 0;
out:
	free(ids);
	PQclear(res);
	return rc;
}

int pg_report_count(struct pg_store *st, const PGresult *res, int i, struct report *r,
                    struct tally *t, char *err, size_t errlen)
{
	int64_t id = pg_int(res, i, 0);

	memset(r, 0, sizeof(*r));
	memset(t, 0, sizeof(*t));
	r->arena = arena_new();
	r->organization_name = recount_text(r->arena, res, i, 1);
	r->report_id = recount_text(r->arena, res, i, 2);
	r->start_time = pg_int(res, i, 3);
	r->end_time = pg_int(res, i, 4);
	if (r->organization_name == NULL || r->report_id == NULL) {
		snprintf(err, errlen,
		         "database %s: report row %lld has no organization or report-id", st->shown,
		         (long long)id);
		return -1;
	}
	if (recount_policies(st, r, id, pg_int(res, i, 5), err, errlen) < 0)
		return -1;
	tally_report(r, t);
	return 0;
}

/* Recounts the report in row i of page: its totals and aggregates. */
static int recount_one(struct pg_store *st, const PGresult *page, int i, char *err, size_t errlen)
{
	struct report r;
	struct tally t;
	struct pg_params p;
	int rc = -1;

	if (pg_report_count(st, page, i, &r, &t, err, errlen) < 0)
		goto out;
	pg_params_init(&p);
	pg_param_int(&p, pg_int(page, i, 0));
	pg_param_int(&p, t.successful_sessions);
	pg_param_int(&p, t.failed_sessions);
	pg_param_int(&p, pg_int(page, i, 5));
	if (pg_run(st, SQL_REPORT_TOTALS, &p, "cannot update report totals", NULL, err, errlen) <
	        0 ||
	    pg_batch_add_aggregates(st, &r, &t, err, errlen) < 0)
		goto out;
	rc = 0;
out:
	tally_free(&t);
	arena_free(r.arena);
	return rc;
}

int pg_recount(struct store *base, void (*progress)(int64_t done, int64_t total, void *arg),
               void *arg, int64_t *reports, char *err, size_t errlen)
{
	struct pg_store *st = pg_of(base);
	struct pg_params p;
	PGresult *page = NULL;
	int64_t total = 0, done = 0, last = 0;
	size_t i;
	int row, rows;

	if (st->in_batch) {
		snprintf(err, errlen, "internal error: store_recount inside a batch");
		return -1;
	}
	/* one transaction: a reader sees the old figures or the new ones */
	if (pg_begin(base, err, errlen) < 0)
		return -1;
	/* the aggregates go with the batch, a few thousand reports' at once;
	 * what is read meanwhile (reports, policies) does not need them */
	st->batch_held = 1;
	if (pg_get_int(st, "SELECT count(*) FROM report", NULL, "cannot count reports", &total, err,
	               errlen) < 0)
		goto fail;
	for (i = 0; i < sizeof(recount_clear_sql) / sizeof(recount_clear_sql[0]); i++)
		if (pg_run(st, recount_clear_sql[i], NULL, "cannot clear the aggregates", NULL, err,
		           errlen) < 0)
			goto fail;
	do {
		pg_params_init(&p);
		pg_param_int(&p, last);
		pg_param_int(&p, RECOUNT_PAGE);
		if ((page = pg_exec(st, SQL_REPORTS, &p, "cannot read reports to recount", err,
		                    errlen)) == NULL)
			goto fail;
		rows = PQntuples(page);
		for (row = 0; row < rows; row++) {
			if (recount_one(st, page, row, err, errlen) < 0)
				goto fail;
			last = pg_int(page, row, 0);
			done++;
			if (progress != NULL)
				progress(done, total, arg);
		}
		PQclear(page);
		page = NULL;
	} while (rows == RECOUNT_PAGE);
	st->batch_held = 0;
	if (pg_batch_flush(st, err, errlen) < 0)
		goto fail;
	if (pg_commit(base, err, errlen) < 0)
		return -1;
	*reports = done;
	return 0;
fail:
	st->batch_held = 0;
	PQclear(page);
	pg_rollback(base);
	return -1;
}

int pg_recount_pending(struct pg_store *st, char *err, size_t errlen)
{
	int64_t pending, n;

	if (pg_get_int(st, "SELECT count(*) FROM recount_pending", NULL, "cannot read", &pending,
	               err, errlen) < 0)
		return -1;
	return pending > 0 ? pg_recount(&st->base, NULL, NULL, &n, err, errlen) : 0;
}
