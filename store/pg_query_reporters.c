/*
 * pg_query_reporters.c - the reporters of many alerts with one read of
 * their window per kind (query.h's alert_contexts): the window's
 * aggregate rows grouped by key and organization once, handed to the keys
 * of their policy domain (query_match.c), instead of one query per key
 * (pg_alert_reporters: 260 of them for the first request of '/' on a
 * store of 500 domains, each walking the window's rows of the primary
 * key). The lists are those of the single-key query: both go through
 * query_code_take_reporters; alert_batch_pg.sh compares them. Rows hold
 * report text (untrusted): compared and copied only.
 */
#include <stdlib.h>
#include <string.h>

#include "pg_impl.h"
#include "query_match.h"
#include "xalloc.h"

/* The days' failed sessions per key and organization, for each kind of
 * pg_alert_which: a failure group's (domain, MX, result type), a
 * domain's; per day when $3 (the keys' windows differ; else every row is
 * of day $1). Columns: domain, MX, result type, organization, sum ('' for
 * a part the kind does not key on), day. */
static const char *const pg_reporters_sql[2] = {
    "SELECT policy_domain, mx_host, result_type, organization, sum(failed_sessions)::bigint,"
    " CASE WHEN $3::boolean THEN day ELSE $1 END"
    " FROM agg_failure WHERE day >= $1 AND day < $2"
    " GROUP BY policy_domain, mx_host, result_type, organization, 6",
    "SELECT policy_domain, '', '', organization, sum(failed_sessions)::bigint,"
    " CASE WHEN $3::boolean THEN day ELSE $1 END"
    " FROM agg_domain WHERE day >= $1 AND day < $2 GROUP BY policy_domain, organization, 6",
};
/* The same rows of the keys' (domain, day) pairs only (pg_match_pairs):
 * a window of a day is 26,000 agg_domain rows at a provider's scale, all
 * read and grouped for the few domains with alerts (42-60 ms of '/' and
 * 'alert' at 10M reports); every domain of the judged days' alerts on
 * each judged day took 20 ms for '/' at 10M, the pairs under 1. Spans
 * longer than a lookback read every row. */
static const char *const pg_reporters_of_sql[2] = {
    "SELECT policy_domain, mx_host, result_type, organization, sum(failed_sessions)::bigint,"
    " CASE WHEN $3::boolean THEN day ELSE $1 END"
    " FROM agg_failure WHERE day >= $1 AND day < $2 AND (policy_domain, day) IN"
    " (SELECT * FROM unnest($5::text[], $4::bigint[]))"
    " GROUP BY policy_domain, mx_host, result_type, organization, 6",
    "SELECT policy_domain, '', '', organization, sum(failed_sessions)::bigint,"
    " CASE WHEN $3::boolean THEN day ELSE $1 END"
    " FROM agg_domain WHERE day >= $1 AND day < $2 AND (policy_domain, day) IN"
    " (SELECT * FROM unnest($5::text[], $4::bigint[])) GROUP BY policy_domain, organization, 6",
};

/* Adds each row of r (pg_reporters_sql[which]) to the sums of the keys
 * of that kind it belongs to. */
static void pg_reporters_add(const PGresult *r, int which, const struct query_alert_key *keys,
                             const int64_t *since, const int64_t *until,
                             const struct query_match *m, struct query_code_sums *sums)
{
	size_t j, first, end;
	int64_t day;
	int row;

	for (row = 0; row < PQntuples(r); row++) {
		const char *dom = pg_text(r, row, 0), *mx = pg_text(r, row, 1);
		const char *type = pg_text(r, row, 2), *org = pg_text(r, row, 3);

		if (dom == NULL || mx == NULL || type == NULL)
			continue;
		day = pg_int(r, row, 5);
		query_match_find(m, dom, &first, &end);
		for (j = first; j < end; j++) {
			const struct query_alert_key *k = &keys[m->idx[j]];

			if (pg_alert_which(k) != which || day < since[m->idx[j]] ||
			    day >= until[m->idx[j]] ||
			    (which == 0 &&
			     (strcmp(k->mx_host != NULL ? k->mx_host : "", mx) != 0 ||
			      strcmp(k->result_type != NULL ? k->result_type : "", type) != 0)))
				continue;
			query_code_add(&sums[m->idx[j]], org != NULL ? org : "", pg_int(r, row, 4));
		}
	}
}

int pg_alert_reporters_many(struct pg_store *st, const struct query_alert_key *keys, size_t n,
                            const int64_t *since, const int64_t *until, char **reporters, char *err,
                            size_t errlen)
{
	struct query_code_sums *sums = xcalloc(n > 0 ? n : 1, sizeof(*sums));
	const char **domains = xcalloc(n > 0 ? n : 1, sizeof(*domains));
	struct query_match m;
	struct pg_params p;
	PGresult *r;
	struct strbuf doms, days;
	size_t i;
	int64_t lo, hi;
	int which, of, differ, wanted[2] = {0, 0}, rc = -1;

	strbuf_init(&doms, 1);
	strbuf_init(&days, 1);
	for (i = 0; i < n; i++) {
		domains[i] = keys[i].policy_domain != NULL ? keys[i].policy_domain : "";
		if ((which = pg_alert_which(&keys[i])) >= 0)
			wanted[which] = 1;
	}
	query_match_init(&m, domains, n);
	query_periods_span(since, until, n, &lo, &hi, &differ);
	of = hi - lo <= LIMIT_ALERT_LOOKBACK_DAYS;
	if (of && pg_match_pairs(&m, since, until, lo, hi, &doms, &days) < 0) {
		snprintf(err, errlen, "internal error: domain list too long");
		goto out;
	}
	for (which = 0; which < 2; which++) {
		if (!wanted[which])
			continue;
		pg_params_init(&p);
		pg_param_int(&p, lo);
		pg_param_int(&p, hi);
		pg_param_text(&p, differ ? "true" : "false");
		if (of) {
			pg_param_text(&p, strbuf_str(&days));
			pg_param_text(&p, strbuf_str(&doms));
		}
		if ((r = pg_exec(st, of ? pg_reporters_of_sql[which] : pg_reporters_sql[which], &p,
		                 "cannot read alert context", err, errlen)) == NULL)
			goto out;
		pg_reporters_add(r, which, keys, since, until, &m, sums);
		PQclear(r);
	}
	for (i = 0; i < n; i++)
		reporters[i] = query_code_take_reporters(&sums[i]);
	rc = 0;
out:
	for (i = 0; i < n; i++)
		free(query_code_take_top(&sums[i]));
	free(sums);
	free(domains);
	query_match_free(&m);
	strbuf_free(&doms);
	strbuf_free(&days);
	return rc;
}
