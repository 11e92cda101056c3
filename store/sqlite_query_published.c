/*
 * sqlite_query_published.c - reading back what 'tlswatch check' stored
 * (check_result) and what reporters say they applied (the policy-string
 * and mx-host of the sts policies in reports). Input: our own database;
 * the text in it came from the network and is returned as is, for the
 * caller to escape.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "limits.h"
#include "sqlite_impl.h"
#include "sqlite_query_impl.h"
#include "store_check.h"
#include "xalloc.h"

#define CHECK_COLUMNS                                                                              \
	"domain, checked_at, status, sts_id, sts_mode, coalesce(sts_max_age, -1), sts_body,"       \
	" policy_error, mx, certs, tlsa, tlsrpt"

static void check_result_read(sqlite3_stmt *s, struct check_result *r)
{
	memset(r, 0, sizeof(*r));
	r->domain = query_column_strdup(s, 0);
	r->checked_at = sqlite3_column_int64(s, 1);
	r->status = query_column_strdup(s, 2);
	r->sts_id = query_column_strdup(s, 3);
	r->sts_mode = query_column_strdup(s, 4);
	r->sts_max_age = sqlite3_column_int64(s, 5);
	r->sts_body = query_column_strdup(s, 6);
	r->policy_error = query_column_strdup(s, 7);
	r->mx = query_column_strdup(s, 8);
	r->certs = query_column_strdup(s, 9);
	r->tlsa = query_column_strdup(s, 10);
	r->tlsrpt = query_column_strdup(s, 11);
	if (r->mx == NULL)
		r->mx = xstrdup("");
	if (r->certs == NULL)
		r->certs = xstrdup("");
	if (r->tlsa == NULL)
		r->tlsa = xstrdup("");
}

/* Steps s (bound) into *out, at most cap rows; reverse: fill back to
 * front (a newest-first query read oldest first). */
static int check_results_read(struct sqlite_store *st, sqlite3_stmt *s, size_t cap, int reverse,
                              struct check_results *out, char *err, size_t errlen)
{
	struct check_results res = {NULL, 0};
	int step = SQLITE_DONE;

	res.r = xcalloc(cap, sizeof(*res.r));
	while (res.n < cap && (step = sqlite3_step(s)) == SQLITE_ROW)
		check_result_read(s, &res.r[res.n++]);
	if (res.n < cap && step != SQLITE_DONE) {
		store_check_results_free(&res);
		return sqlite_fail(st, err, errlen, "cannot read check results");
	}
	if (reverse) {
		size_t i;

		for (i = 0; i < res.n / 2; i++) {
			struct check_result t = res.r[i];

			res.r[i] = res.r[res.n - 1 - i];
			res.r[res.n - 1 - i] = t;
		}
	}
	*out = res;
	return 0;
}

int sqlite_check_history(struct store *base, const char *domain, size_t limit,
                         struct check_results *out, char *err, size_t errlen)
{
	struct sqlite_store *st = sqlite_of(base);
	sqlite3_stmt *s = NULL;
	int rc;

	if (limit < 1 || limit > LIMIT_CHECK_HISTORY)
		limit = LIMIT_CHECK_HISTORY;
	if (sqlite3_prepare_v2(st->db,
	                       "SELECT " CHECK_COLUMNS " FROM check_result WHERE domain = ?1"
	                       " ORDER BY checked_at DESC, id DESC LIMIT ?2",
	                       -1, &s, NULL) != SQLITE_OK)
		return sqlite_fail(st, err, errlen, "cannot read check results");
	sqlite_bind_text(s, 1, domain);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)limit);
	rc = check_results_read(st, s, limit, 1, out, err, errlen);
	sqlite3_finalize(s);
	return rc;
}

int sqlite_check_latest(struct store *base, struct check_results *out, char *err, size_t errlen)
{
	struct sqlite_store *st = sqlite_of(base);
	sqlite3_stmt *s = NULL;
	int rc;

	/* the newest row of each domain: its largest (checked_at, id) */
	if (sqlite3_prepare_v2(st->db,
	                       "SELECT " CHECK_COLUMNS " FROM check_result c WHERE id ="
	                       " (SELECT id FROM check_result d WHERE d.domain = c.domain"
	                       " ORDER BY checked_at DESC, id DESC LIMIT 1)"
	                       " ORDER BY domain LIMIT ?1",
	                       -1, &s, NULL) != SQLITE_OK)
		return sqlite_fail(st, err, errlen, "cannot read check results");
	sqlite3_bind_int64(s, 1, LIMIT_CHECK_DOMAINS);
	rc = check_results_read(st, s, LIMIT_CHECK_DOMAINS, 0, out, err, errlen);
	sqlite3_finalize(s);
	return rc;
}

int sqlite_policy_seen(struct store *base, const char *domain, int64_t since, int64_t until,
                       struct policy_seen_rows *out, char *err, size_t errlen)
{
	struct sqlite_store *st = sqlite_of(base);
	struct policy_seen_rows res = {NULL, 0};
	sqlite3_stmt *s = NULL;
	int step, rc = -1;

	/* the JSON arrays were written by ingest; json_valid guards a
	 * database from an older tlswatch all the same */
	if (sqlite3_prepare_v2(
	        st->db,
	        "SELECT r.organization,"
	        " CASE WHEN json_valid(p.policy_strings) THEN (SELECT group_concat(value, char(10))"
	        " FROM json_each(p.policy_strings)) END AS pol,"
	        " CASE WHEN json_valid(p.mx_hosts) THEN (SELECT group_concat(value, char(10))"
	        " FROM json_each(p.mx_hosts)) END AS mxh,"
	        " min(r.day), max(r.day), count(DISTINCT r.id), sum(p.successful_sessions),"
	        " sum(p.failed_sessions)"
	        /* CROSS JOIN: from the reports of the period (report_day),
	         * not a scan of every policy */
	        " FROM report r CROSS JOIN policy p ON p.report = r.id"
	        " WHERE p.policy_domain = ?1 AND p.policy_type = 'sts' AND r.day >= ?2"
	        " AND r.day < ?3"
	        /* pol, mxh: one order for rows that tie, as on PostgreSQL */
	        " GROUP BY r.organization, pol, mxh ORDER BY max(r.day) DESC, r.organization,"
	        " pol, mxh LIMIT ?4",
	        -1, &s, NULL) != SQLITE_OK)
		return sqlite_fail(st, err, errlen, "cannot read the policies reporters applied");
	sqlite_bind_text(s, 1, domain);
	sqlite3_bind_int64(s, 2, since);
	sqlite3_bind_int64(s, 3, until);
	sqlite3_bind_int64(s, 4, LIMIT_POLICY_SEEN);
	res.r = xcalloc(LIMIT_POLICY_SEEN, sizeof(*res.r));
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		struct policy_seen *p = &res.r[res.n++];

		p->organization = query_column_strdup(s, 0);
		p->policy = query_column_strdup(s, 1);
		p->mx_hosts = query_column_strdup(s, 2);
		p->first_day = sqlite3_column_int64(s, 3);
		p->last_day = sqlite3_column_int64(s, 4);
		p->reports = sqlite3_column_int64(s, 5);
		p->successful_sessions = sqlite3_column_int64(s, 6);
		p->failed_sessions = sqlite3_column_int64(s, 7);
	}
	if (step != SQLITE_DONE) {
		sqlite_fail(st, err, errlen, "cannot read the policies reporters applied");
		goto out;
	}
	*out = res;
	memset(&res, 0, sizeof(res));
	rc = 0;
out:
	store_policy_seen_free(&res);
	sqlite3_finalize(s);
	return rc;
}
