/*
 * pg_query_alert.c - the alert context and the trust of many alerts with
 * one read of their window each (query.h: alert_contexts,
 * reports_by_trust_many), as sqlite_query_alert.c and
 * sqlite_query_trust.c do: the window's rows are read once and handed to
 * the keys of their policy domain (query_match.c), instead of one query
 * (a join over the window's reports) per key. The answers are those of
 * the single-key queries (pg_query_state.c); alert_batch_pg.sh compares
 * them. Rows hold report text (untrusted).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_impl.h"
#include "query_match.h"
#include "xalloc.h"

/* A key's part as the rows hold it: '' for absent. */
static const char *pg_key_part(const char *s)
{
	return s != NULL ? s : "";
}

/* The days' failure details with a reason code, summed per (domain, MX,
 * result type, code) and, when $3, per day (the keys' windows differ;
 * else every row is of day $1): what the single query sums per key. */
static const char pg_contexts_reasons[] =
    "SELECT coalesce(p.policy_domain, ''), coalesce(f.receiving_mx_hostname, ''),"
    " f.result_type, f.failure_reason_code, sum(f.failed_sessions)::bigint,"
    " CASE WHEN $3::boolean THEN r.day ELSE $1 END FROM failure f"
    " JOIN policy p ON p.id = f.policy JOIN report r ON r.id = p.report"
    " WHERE r.day >= $1 AND r.day < $2 AND f.failure_reason_code IS NOT NULL"
    " GROUP BY 1, 2, 3, 4, 6";
/* The same rows from roll_reason (schema/pg/025_reason_roll.sql): its
 * sent_sessions are the details' counts as sent, per result type. */
static const char pg_contexts_reasons_rolled[] =
    "SELECT policy_domain, mx_host, result_type, text, sum(sent_sessions)::bigint,"
    " CASE WHEN $3::boolean THEN day ELSE $1 END FROM roll_reason"
    " WHERE day >= $1 AND day < $2 AND kind = 0 GROUP BY 1, 2, 3, 4, 6";

/* Each row of r (pg_contexts_reasons) added to the sums of the keys it
 * belongs to. */
static void pg_contexts_add(const PGresult *r, const struct query_alert_key *keys,
                            const int64_t *since, const int64_t *until, const struct query_match *m,
                            struct query_code_sums *sums)
{
	size_t j, first, end;
	int64_t day;
	int row;

	for (row = 0; row < PQntuples(r); row++) {
		const char *dom = pg_text(r, row, 0), *mx = pg_text(r, row, 1);
		const char *type = pg_text(r, row, 2), *code = pg_text(r, row, 3);

		if (dom == NULL || mx == NULL || type == NULL || code == NULL)
			continue;
		day = pg_int(r, row, 5);
		query_match_find(m, dom, &first, &end);
		for (j = first; j < end; j++) {
			const struct query_alert_key *k = &keys[m->idx[j]];
			int which = pg_alert_which(k);

			if (which < 0 || day < since[m->idx[j]] || day >= until[m->idx[j]] ||
			    (which == 0 && (strcmp(pg_key_part(k->mx_host), mx) != 0 ||
			                    strcmp(pg_key_part(k->result_type), type) != 0)))
				continue;
			query_code_add(&sums[m->idx[j]], code, pg_int(r, row, 4));
		}
	}
}

int pg_alert_contexts(struct store *base, const struct query_alert_key *keys, size_t n,
                      const int64_t *since, const int64_t *until, char **reporters, char **reasons,
                      char *err, size_t errlen)
{
	struct pg_store *st = pg_of(base);
	struct query_code_sums *sums = xcalloc(n > 0 ? n : 1, sizeof(*sums));
	const char **domains = xcalloc(n > 0 ? n : 1, sizeof(*domains));
	struct query_match m;
	struct pg_params p;
	PGresult *r = NULL;
	size_t i, wanted;
	int64_t lo, hi;
	int differ, rc = -1;

	for (i = 0; i < n; i++) {
		reporters[i] = reasons[i] = NULL;
		domains[i] = pg_key_part(keys[i].policy_domain);
	}
	query_match_init(&m, domains, n);
	for (i = 0, wanted = 0; i < n; i++)
		wanted += pg_alert_which(&keys[i]) >= 0;
	if (pg_alert_reporters_many(st, keys, n, since, until, reporters, err, errlen) < 0)
		goto out;
	/* silence, conflicts and published checks have no reason to read */
	if (wanted == 0) {
		rc = 0;
		goto out;
	}
	query_periods_span(since, until, n, &lo, &hi, &differ);
	pg_params_init(&p);
	pg_param_int(&p, lo);
	pg_param_int(&p, hi);
	pg_param_text(&p, differ ? "true" : "false");
	if ((r = pg_exec(st, st->rollups ? pg_contexts_reasons_rolled : pg_contexts_reasons, &p,
	                 "cannot read alert context", err, errlen)) == NULL)
		goto out;
	pg_contexts_add(r, keys, since, until, &m, sums);
	for (i = 0; i < n; i++)
		reasons[i] = query_code_take_top(&sums[i]);
	rc = 0;
out:
	for (i = 0; i < n; i++)
		free(query_code_take_top(&sums[i]));
	if (rc < 0)
		for (i = 0; i < n; i++) {
			free(reporters[i]);
			free(reasons[i]);
			reporters[i] = reasons[i] = NULL;
		}
	PQclear(r);
	free(sums);
	free(domains);
	query_match_free(&m);
	return rc;
}

/* Whether dom is among the n domains of the current report, added if not:
 * a report is counted once per domain it names, as the EXISTS of
 * pg_reports_by_trust counts it. */
static int pg_trust_first_time(const char ***seen, size_t *n, size_t *alloc, const char *dom)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (strcmp((*seen)[i], dom) == 0)
			return 0;
	if (*n == *alloc) {
		*alloc = *alloc ? *alloc * 2 : 8;
		*seen = xreallocarray(*seen, *alloc, sizeof(**seen));
	}
	(*seen)[(*n)++] = dom; /* borrowed from the result, which outlives it */
	return 1;
}

/* pg_reports_by_trust_many from roll_trust (schema/pg/020_trust_roll.sql):
 * the keys' domains' rows of the keys' days (one per reporter day, each
 * report already counted once per domain it names), as
 * sqlite_query_trust.c reads them, in one statement: the key starts
 * (policy_domain, day), so each domain is one range of it. One statement
 * per domain was 46-120 round trips for 'alert' and '/' at 10M reports;
 * one per judged day, six for '/'. */
static int pg_trust_many_rolled(struct pg_store *st, const struct query_trust *t, char *err,
                                size_t errlen)
{
	struct pg_params p;
	struct strbuf doms, days;
	PGresult *r = NULL;
	size_t first, end;
	int row, pairs = t->hi - t->lo <= LIMIT_ALERT_LOOKBACK_DAYS, rc = -1;

	strbuf_init(&days, 1);
	/* the keys' (domain, day) pairs when their windows span a lookback
	 * (a run's judged days): each domain's rows of its own alerts' days,
	 * not of every judged day (23 -> 12 ms for '/' at 10M) */
	if ((pairs ? pg_match_pairs(&t->m, t->since, t->until, t->lo, t->hi, &doms, &days)
	           : pg_match_domains(&t->m, &doms)) < 0) {
		snprintf(err, errlen, "internal error: domain list too long");
		goto out;
	}
	pg_params_init(&p);
	pg_param_text(&p, strbuf_str(&doms));
	if (pairs)
		pg_param_text(&p, strbuf_str(&days));
	else {
		pg_param_int(&p, t->lo);
		pg_param_int(&p, t->hi);
	}
	r = pg_exec(
	    st,
	    pairs ? "SELECT policy_domain, organization, day, verified, unverified FROM roll_trust"
	            " WHERE (policy_domain, day) IN"
	            " (SELECT * FROM unnest($1::text[], $2::bigint[]))"
	          : "SELECT policy_domain, organization, day, verified, unverified FROM roll_trust"
	            " WHERE policy_domain = ANY($1::text[]) AND day >= $2 AND day < $3",
	    &p, "cannot count reports by provenance", err, errlen);
	if (r == NULL)
		goto out;
	for (row = 0; row < PQntuples(r); row++) {
		const char *dom = pg_text(r, row, 0), *org = pg_text(r, row, 1);

		if (dom == NULL || org == NULL)
			continue;
		query_match_find(&t->m, dom, &first, &end);
		query_trust_add(t, first, end, org, pg_int(r, row, 2), pg_int(r, row, 3),
		                pg_int(r, row, 4));
	}
	rc = 0;
out:
	PQclear(r);
	strbuf_free(&doms);
	strbuf_free(&days);
	return rc;
}

int pg_reports_by_trust_many(struct store *base, const int64_t *since, const int64_t *until,
                             const char *const *domains, const char *const *organizations, size_t n,
                             int64_t *verified, int64_t *unverified, char *err, size_t errlen)
{
	struct query_trust t;
	struct pg_params p;
	PGresult *r = NULL;
	const char **seen = NULL;
	size_t first, end, n_seen = 0, seen_alloc = 0;
	int64_t report = -1;
	int row, rc = -1;

	query_trust_init(&t, since, until, domains, organizations, n, verified, unverified);
	if (n == 0) {
		rc = 0;
		goto out;
	}
	if (pg_of(base)->rollups) {
		rc = pg_trust_many_rolled(pg_of(base), &t, err, errlen);
		goto out;
	}
	pg_params_init(&p);
	pg_param_int(&p, t.lo);
	pg_param_int(&p, t.hi);
	/* each report's policies together: the domains a report names twice
	 * are told apart here, not by a DISTINCT over the window. The
	 * policies are looked up per report of the window (OFFSET 0 keeps
	 * the subquery from being pulled up into a join the planner may run
	 * as a hash join over every policy of the store: 0.5 s a window at
	 * 784,000 reports, growing with the store, not with the window). */
	r = pg_exec(pg_of(base),
	            "SELECT r.id, coalesce(p.policy_domain, ''), r.organization,"
	            " (r.provenance = 'unverified-mail')::int, r.day FROM report r"
	            " CROSS JOIN LATERAL (SELECT policy_domain FROM policy"
	            " WHERE policy.report = r.id OFFSET 0) AS p"
	            " WHERE r.day >= $1 AND r.day < $2 ORDER BY r.day, r.id",
	            &p, "cannot count reports by provenance", err, errlen);
	if (r == NULL)
		goto out;
	for (row = 0; row < PQntuples(r); row++) {
		const char *dom = pg_text(r, row, 1), *org = pg_text(r, row, 2);
		int unv = pg_int(r, row, 3) != 0;

		if (pg_int(r, row, 0) != report) {
			report = pg_int(r, row, 0);
			n_seen = 0;
		}
		if (dom == NULL || org == NULL)
			continue;
		query_match_find(&t.m, dom, &first, &end);
		if (first == end || !pg_trust_first_time(&seen, &n_seen, &seen_alloc, dom))
			continue;
		query_trust_add(&t, first, end, org, pg_int(r, row, 4), !unv, unv);
	}
	rc = 0;
out:
	free(seen);
	query_trust_free(&t);
	PQclear(r);
	return rc;
}
