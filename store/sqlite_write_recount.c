/*
 * sqlite_write_recount.c - rebuilding every aggregate from the stored
 * reports under the current counting rules ('tlswatch db recount', and a
 * migration that asks for it through recount_pending: schema/010). Each
 * report is read back from its policy and failure rows into a struct
 * report, counted by core/tally.c as ingest counts it, and written by the
 * same sqlite_add_aggregates. Input: our own database, which may be
 * damaged: every list is bounded by the parser's limits before it is
 * allocated.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "limits.h"
#include "sqlite_impl.h"
#include "tally.h"
#include "xalloc.h"

/* Everything a report's figures come from; the rest of the report (policy
 * strings, free text) does not change a count. count(*) OVER () gives the
 * number of rows with the first, so each list is allocated once, bounded. */
#define SQL_NEXT_REPORT                                                                            \
	"SELECT id, organization, report_id, start_time, end_time FROM report"                     \
	" WHERE id > ?1 ORDER BY id LIMIT 1"
#define SQL_POLICIES                                                                               \
	"SELECT id, policy_type, policy_domain, mx_hosts, successful_sessions, failed_sessions,"   \
	" count(*) OVER () FROM policy WHERE report = ?1 ORDER BY idx"
#define SQL_FAILURES                                                                               \
	"SELECT result_type, receiving_mx_hostname, failed_sessions, count(*) OVER ()"             \
	" FROM failure WHERE policy = ?1 ORDER BY id"
#define SQL_MX_HOSTS "SELECT value, count(*) OVER () FROM json_each(?1) ORDER BY key"
#define SQL_REPORT_TOTALS                                                                          \
	"UPDATE report SET successful_sessions = ?2, failed_sessions = ?3 WHERE id = ?1"

/* What tally.c reads is all rebuilt; the lifetime totals of pruned days
 * (*_pruned) have no reports left to recount and stay. */
static const char *const recount_clear_sql[] = {
    "DELETE FROM agg_domain",      "DELETE FROM agg_failure",     "DELETE FROM agg_mx",
    "DELETE FROM agg_policy_type", "DELETE FROM recount_pending",
};

enum recount_stmt { RC_NEXT, RC_POLICIES, RC_FAILURES, RC_MX, RC_TOTALS, RC_COUNT };

struct recount {
	struct sqlite_store *st;
	sqlite3_stmt *s[RC_COUNT];
};

static const char *recount_text(struct arena *a, sqlite3_stmt *s, int col)
{
	const unsigned char *t = sqlite3_column_text(s, col);

	return t != NULL ? arena_strdup(a, (const char *)t) : NULL;
}

/* Steps s once: 1 with a row, 0 at the end, -1 with the reason. */
static int recount_step(struct recount *rc, sqlite3_stmt *s, char *err, size_t errlen)
{
	int step = sqlite3_step(s);

	if (step == SQLITE_ROW)
		return 1;
	if (step == SQLITE_DONE)
		return 0;
	return sqlite_fail(rc->st, err, errlen, "cannot read reports to recount");
}

/* The rows of s (bound, not yet stepped) bounded by limit: *n from the
 * first row's count(*) OVER () in column count_col. */
static int recount_first(struct recount *rc, sqlite3_stmt *s, int count_col, int64_t limit,
                         int64_t report, const char *what, size_t *n, char *err, size_t errlen)
{
	int64_t rows;
	int got = recount_step(rc, s, err, errlen);

	*n = 0;
	if (got <= 0)
		return got;
	rows = sqlite3_column_int64(s, count_col);
	if (rows < 1 || rows > limit) {
		snprintf(err, errlen, "database %s: report row %lld: %lld %s, more than %lld",
		         rc->st->path, (long long)report, (long long)rows, what, (long long)limit);
		return -1;
	}
	*n = (size_t)rows;
	return 1;
}

static int recount_mx_hosts(struct recount *rc, struct report *r, struct report_policy *p,
                            const char *json, int64_t report, char *err, size_t errlen)
{
	sqlite3_stmt *s = rc->s[RC_MX];
	size_t i, n;
	int got;

	if (json == NULL)
		return 0;
	sqlite3_reset(s);
	sqlite_bind_text(s, 1, json);
	if ((got = recount_first(rc, s, 1, LIMIT_POLICY_STRINGS, report, "mx-host entries", &n, err,
	                         errlen)) <= 0)
		return got;
	p->mx_hosts = arena_calloc(r->arena, n, sizeof(*p->mx_hosts));
	for (i = 0; i < n && got == 1; i++) {
		const char *v = recount_text(r->arena, s, 0);

		if (v != NULL)
			p->mx_hosts[p->n_mx_hosts++] = v;
		got = recount_step(rc, s, err, errlen);
	}
	return got < 0 ? -1 : 0;
}

static int recount_failures(struct recount *rc, struct report *r, struct report_policy *p,
                            int64_t policy_rowid, int64_t report, char *err, size_t errlen)
{
	sqlite3_stmt *s = rc->s[RC_FAILURES];
	size_t n;
	int got;

	sqlite3_reset(s);
	sqlite3_bind_int64(s, 1, policy_rowid);
	if ((got = recount_first(rc, s, 3, LIMIT_FAILURE_DETAILS, report, "failure details", &n,
	                         err, errlen)) <= 0)
		return got;
	p->failures = arena_calloc(r->arena, n, sizeof(*p->failures));
	while (got == 1 && p->n_failures < n) {
		struct report_failure *f = &p->failures[p->n_failures++];
		const char *rt = recount_text(r->arena, s, 0);

		f->result_type = rt != NULL ? rt : "unknown";
		f->receiving_mx_hostname = recount_text(r->arena, s, 1);
		f->failed_sessions = sqlite3_column_int64(s, 2);
		got = recount_step(rc, s, err, errlen);
	}
	return got < 0 ? -1 : 0;
}

/* Reads report r's policies (r->arena set; report is its row id). */
static int recount_policies(struct recount *rc, struct report *r, int64_t report, char *err,
                            size_t errlen)
{
	sqlite3_stmt *s = rc->s[RC_POLICIES];
	struct pending {
		int64_t rowid;
		const char *mx_json;
	} *pend = NULL;
	size_t i, n;
	int got, ret = -1;

	sqlite3_reset(s);
	sqlite3_bind_int64(s, 1, report);
	if ((got = recount_first(rc, s, 6, LIMIT_POLICIES, report, "policies", &n, err, errlen)) <=
	    0)
		return got;
	r->policies = arena_calloc(r->arena, n, sizeof(*r->policies));
	pend = xcalloc(n, sizeof(*pend));
	/* the policy rows first: the failure and mx-host statements are
	 * other statements, but one at a time keeps the reads simple */
	while (got == 1 && r->n_policies < n) {
		struct report_policy *p = &r->policies[r->n_policies];
		const char *type = recount_text(r->arena, s, 1);

		pend[r->n_policies].rowid = sqlite3_column_int64(s, 0);
		pend[r->n_policies].mx_json = recount_text(r->arena, s, 3);
		p->policy_type = type != NULL ? type : "";
		p->policy_domain = recount_text(r->arena, s, 2);
		if (p->policy_domain != NULL && p->policy_domain[0] == '\0')
			p->policy_domain = NULL;
		p->successful_sessions = sqlite3_column_int64(s, 4);
		p->failed_sessions = sqlite3_column_int64(s, 5);
		r->n_policies++;
		got = recount_step(rc, s, err, errlen);
	}
	if (got < 0)
		goto out;
	sqlite3_reset(s);
	for (i = 0; i < r->n_policies; i++)
		if (recount_failures(rc, r, &r->policies[i], pend[i].rowid, report, err, errlen) <
		        0 ||
		    recount_mx_hosts(rc, r, &r->policies[i], pend[i].mx_json, report, err, errlen) <
		        0)
			goto out;
	ret = 0;
out:
	free(pend);
	return ret;
}

/* Recounts the stored report after row id *last; 0 at the end, 1 done. */
static int recount_next(struct recount *rc, int64_t *last, char *err, size_t errlen)
{
	sqlite3_stmt *s = rc->s[RC_NEXT];
	struct report r;
	struct tally t;
	int64_t id;
	int got, ret = -1;

	memset(&r, 0, sizeof(r));
	memset(&t, 0, sizeof(t));
	sqlite3_reset(s);
	sqlite3_bind_int64(s, 1, *last);
	if ((got = recount_step(rc, s, err, errlen)) <= 0)
		return got;
	r.arena = arena_new();
	id = sqlite3_column_int64(s, 0);
	r.organization_name = recount_text(r.arena, s, 1);
	r.report_id = recount_text(r.arena, s, 2);
	r.start_time = sqlite3_column_int64(s, 3);
	r.end_time = sqlite3_column_int64(s, 4);
	sqlite3_reset(s);
	if (r.organization_name == NULL || r.report_id == NULL) {
		snprintf(err, errlen,
		         "database %s: report row %lld has no organization or report-id",
		         rc->st->path, (long long)id);
		goto out;
	}
	if (recount_policies(rc, &r, id, err, errlen) < 0)
		goto out;
	tally_report(&r, &t);
	s = rc->s[RC_TOTALS];
	sqlite3_reset(s);
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, t.successful_sessions);
	sqlite3_bind_int64(s, 3, t.failed_sessions);
	if (sqlite_step_done(rc->st, s, "cannot update report totals", err, errlen) < 0 ||
	    sqlite_add_aggregates(rc->st, &r, &t, err, errlen) < 0)
		goto out;
	sqlite3_reset(s);
	*last = id;
	ret = 1;
out:
	tally_free(&t);
	arena_free(r.arena);
	return ret;
}

static int recount_exec(struct sqlite_store *st, const char *sql, char *err, size_t errlen)
{
	if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return sqlite_fail(st, err, errlen, "cannot clear the aggregates");
	return 0;
}

int sqlite_recount(struct store *base, void (*progress)(int64_t done, int64_t total, void *arg),
                   void *arg, int64_t *reports, char *err, size_t errlen)
{
	static const char *const sql[RC_COUNT] = {SQL_NEXT_REPORT, SQL_POLICIES, SQL_FAILURES,
	                                          SQL_MX_HOSTS, SQL_REPORT_TOTALS};
	struct sqlite_store *st = sqlite_of(base);
	struct recount rc;
	int64_t total = 0, done = 0, last = 0;
	size_t i;
	int got, ret = -1;

	memset(&rc, 0, sizeof(rc));
	rc.st = st;
	if (st->in_batch) {
		snprintf(err, errlen, "internal error: store_recount inside a batch");
		return -1;
	}
	/* one transaction: a reader sees the old figures or the new ones */
	if (sqlite_begin(base, err, errlen) < 0)
		return -1;
	for (i = 0; i < RC_COUNT; i++)
		if (sqlite3_prepare_v2(st->db, sql[i], -1, &rc.s[i], NULL) != SQLITE_OK) {
			sqlite_fail(st, err, errlen, "cannot prepare the recount");
			goto out;
		}
	if (sqlite_get_int(st, "SELECT count(*) FROM report", &total, err, errlen) < 0)
		goto out;
	for (i = 0; i < sizeof(recount_clear_sql) / sizeof(recount_clear_sql[0]); i++)
		if (recount_exec(st, recount_clear_sql[i], err, errlen) < 0)
			goto out;
	while ((got = recount_next(&rc, &last, err, errlen)) == 1) {
		done++;
		if (progress != NULL)
			progress(done, total, arg);
	}
	if (got < 0)
		goto out;
	for (i = 0; i < RC_COUNT; i++) {
		sqlite3_finalize(rc.s[i]);
		rc.s[i] = NULL;
	}
	if (sqlite_commit(base, err, errlen) < 0)
		goto out;
	*reports = done;
	ret = 0;
out:
	for (i = 0; i < RC_COUNT; i++)
		sqlite3_finalize(rc.s[i]);
	sqlite_rollback(base); /* a no-op after the commit */
	return ret;
}

int sqlite_recount_pending(struct sqlite_store *st, char *err, size_t errlen)
{
	int64_t pending, n;

	if (sqlite_get_int(st, "SELECT count(*) FROM recount_pending", &pending, err, errlen) < 0)
		return -1;
	return pending > 0 ? sqlite_recount(&st->base, NULL, NULL, &n, err, errlen) : 0;
}
