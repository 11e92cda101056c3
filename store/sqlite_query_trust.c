/*
 * sqlite_query_trust.c - conflicts still held in quarantine and reports by
 * provenance (docs/trust.md; sqlite_write_trust.c resolves conflicts),
 * for alerts from roll_trust (schema/020_trust_roll.sql) unless
 * TLSWATCH_NO_ROLLUPS asks for report and policy. This file only reads.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "query_match.h"
#include "sqlite_impl.h"
#include "store_trust.h"
#include "xalloc.h"

int sqlite_conflicts_by_organization(struct store *base,
                                     int (*fn)(const char *organization, int64_t n, void *arg),
                                     void *arg, char *err, size_t errlen)
{
	struct sqlite_store *st = sqlite_of(base);
	sqlite3_stmt *s = NULL;
	int step, rc = -1;

	if (sqlite3_prepare_v2(st->db,
	                       "SELECT coalesce(r.organization, ''), count(*) FROM quarantine q"
	                       " LEFT JOIN report r ON r.id = q.conflict_report"
	                       " WHERE q.conflict_report IS NOT NULL AND q.released IS NULL"
	                       " GROUP BY 1 ORDER BY 1",
	                       -1, &s, NULL) != SQLITE_OK) {
		sqlite_fail(st, err, errlen, "cannot count conflicts");
		goto out;
	}
	while ((step = sqlite3_step(s)) == SQLITE_ROW)
		if (fn((const char *)sqlite3_column_text(s, 0), sqlite3_column_int64(s, 1), arg) !=
		    0)
			break;
	if (step != SQLITE_ROW && step != SQLITE_DONE) {
		sqlite_fail(st, err, errlen, "cannot count conflicts");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(s);
	return rc;
}

static int trust_sum(const char *organization, int64_t n, void *arg)
{
	(void)organization;
	*(int64_t *)arg += n;
	return 0;
}

int sqlite_conflicts_held(struct store *base, int64_t *n, char *err, size_t errlen)
{
	int64_t total = 0;

	if (sqlite_conflicts_by_organization(base, trust_sum, &total, err, errlen) < 0)
		return -1;
	*n = total;
	return 0;
}

int sqlite_reports_by_trust(struct store *base, int64_t since, int64_t until, const char *domain,
                            const char *organization, int64_t *verified, int64_t *unverified,
                            char *err, size_t errlen)
{
	struct sqlite_store *st = sqlite_of(base);
	sqlite3_stmt *s = NULL;
	int rc = -1;

	if (sqlite3_prepare_v2(
	        st->db,
	        "SELECT coalesce(sum(r.provenance <> 'unverified-mail'), 0),"
	        " coalesce(sum(r.provenance = 'unverified-mail'), 0) FROM report r"
	        " WHERE r.day >= ?1 AND r.day < ?2 AND (?4 IS NULL OR r.organization = ?4)"
	        " AND (?3 IS NULL OR EXISTS (SELECT 1 FROM policy p WHERE p.report = r.id"
	        " AND coalesce(p.policy_domain, '') = ?3))",
	        -1, &s, NULL) != SQLITE_OK) {
		sqlite_fail(st, err, errlen, "cannot count reports by provenance");
		goto out;
	}
	sqlite3_bind_int64(s, 1, since);
	sqlite3_bind_int64(s, 2, until);
	sqlite_bind_text(s, 3, domain);
	sqlite_bind_text(s, 4, organization);
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite_fail(st, err, errlen, "cannot count reports by provenance");
		goto out;
	}
	*verified = sqlite3_column_int64(s, 0);
	*unverified = sqlite3_column_int64(s, 1);
	rc = 0;
out:
	sqlite3_finalize(s);
	return rc;
}

/* Whether dom is among the n domains of the current report, added if not:
 * a report is counted once per domain it names, as the EXISTS of
 * sqlite_reports_by_trust counts it. */
static int trust_first_time(char ***seen, size_t *n, size_t *alloc, const char *dom)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (strcmp((*seen)[i], dom) == 0)
			return 0;
	if (*n == *alloc) {
		*alloc = *alloc ? *alloc * 2 : 8;
		*seen = xreallocarray(*seen, *alloc, sizeof(**seen));
	}
	(*seen)[(*n)++] = xstrdup(dom);
	return 1;
}

static void trust_forget(char **seen, size_t *n)
{
	while (*n > 0)
		free(seen[--*n]);
}

/* sqlite_reports_by_trust_many from roll_trust (schema/020_trust_roll.sql):
 * for each domain of the keys, its rows of the keys' days (one per
 * reporter day, each report already counted once per domain it names), a
 * range of the table's key: the cost is the keys' domains x days x
 * reporters, not the period's reports. */
static int trust_many_rolled(struct sqlite_store *st, const struct query_trust *t, char *err,
                             size_t errlen)
{
	const struct query_match *m = &t->m;
	sqlite3_stmt *s = NULL;
	size_t first, end;
	int step, rc = -1;

	if (sqlite3_prepare_v2(st->db,
	                       "SELECT organization, day, verified, unverified FROM roll_trust"
	                       " WHERE policy_domain = ?1 AND day >= ?2 AND day < ?3",
	                       -1, &s, NULL) != SQLITE_OK) {
		sqlite_fail(st, err, errlen, "cannot count reports by provenance");
		goto out;
	}
	/* m->domain is sorted: each domain's keys are one run */
	for (first = 0; first < m->n; first = end) {
		for (end = first + 1; end < m->n && strcmp(m->domain[end], m->domain[first]) == 0;
		     end++)
			;
		sqlite3_reset(s);
		sqlite_bind_text(s, 1, m->domain[first]);
		sqlite3_bind_int64(s, 2, t->lo);
		sqlite3_bind_int64(s, 3, t->hi);
		while ((step = sqlite3_step(s)) == SQLITE_ROW) {
			const char *org = (const char *)sqlite3_column_text(s, 0);

			if (org != NULL)
				query_trust_add(t, first, end, org, sqlite3_column_int64(s, 1),
				                sqlite3_column_int64(s, 2),
				                sqlite3_column_int64(s, 3));
		}
		if (step != SQLITE_DONE) {
			sqlite_fail(st, err, errlen, "cannot count reports by provenance");
			goto out;
		}
	}
	rc = 0;
out:
	sqlite3_finalize(s);
	return rc;
}

int sqlite_reports_by_trust_many(struct store *base, const int64_t *since, const int64_t *until,
                                 const char *const *domains, const char *const *organizations,
                                 size_t n, int64_t *verified, int64_t *unverified, char *err,
                                 size_t errlen)
{
	struct sqlite_store *st = sqlite_of(base);
	struct query_trust t;
	sqlite3_stmt *s = NULL;
	char **seen = NULL;
	size_t first, end, n_seen = 0, seen_alloc = 0;
	int64_t report = -1;
	int step, rc = -1;

	query_trust_init(&t, since, until, domains, organizations, n, verified, unverified);
	if (n == 0) {
		rc = 0;
		goto out;
	}
	if (st->rollups) {
		rc = trust_many_rolled(st, &t, err, errlen);
		goto out;
	}
	/* in the day index's order, each report's policies together: the
	 * domains a report names twice are told apart here, not by a
	 * DISTINCT over the window */
	if (sqlite3_prepare_v2(st->db,
	                       "SELECT r.id, coalesce(p.policy_domain, ''), r.organization,"
	                       " r.provenance = 'unverified-mail', r.day FROM report r"
	                       " JOIN policy p ON p.report = r.id WHERE r.day >= ?1 AND r.day < ?2"
	                       " ORDER BY r.day, r.id",
	                       -1, &s, NULL) != SQLITE_OK) {
		sqlite_fail(st, err, errlen, "cannot count reports by provenance");
		goto out;
	}
	sqlite3_bind_int64(s, 1, t.lo);
	sqlite3_bind_int64(s, 2, t.hi);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		const char *dom = (const char *)sqlite3_column_text(s, 1);
		const char *org = (const char *)sqlite3_column_text(s, 2);
		int unv = sqlite3_column_int(s, 3) != 0;

		if (sqlite3_column_int64(s, 0) != report) {
			report = sqlite3_column_int64(s, 0);
			trust_forget(seen, &n_seen);
		}
		if (dom == NULL || org == NULL)
			continue;
		query_match_find(&t.m, dom, &first, &end);
		if (first == end || !trust_first_time(&seen, &n_seen, &seen_alloc, dom))
			continue;
		query_trust_add(&t, first, end, org, sqlite3_column_int64(s, 4), !unv, unv);
	}
	if (step != SQLITE_DONE) {
		sqlite_fail(st, err, errlen, "cannot count reports by provenance");
		goto out;
	}
	rc = 0;
out:
	trust_forget(seen, &n_seen);
	free(seen);
	query_trust_free(&t);
	sqlite3_finalize(s);
	return rc;
}
