/*
 * pg_query_check.c - what 'tlswatch check' stored (check_result,
 * schema/pg/011_check_result.sql) and what reporters say they applied
 * (the policy-string and mx-host of the sts policies in reports), on
 * PostgreSQL: the same rows, in the same order, as sqlite_write_check.c
 * and sqlite_query_published.c. The values came from DNS, HTTPS, SMTP and
 * reports: parameters in, returned as is for the caller to escape.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "limits.h"
#include "pg_impl.h"
#include "store_check.h"
#include "xalloc.h"

#define CHECK_COLUMNS                                                                              \
	"domain, checked_at, status, sts_id, sts_mode, coalesce(sts_max_age, -1), sts_body,"       \
	" policy_error, mx, certs, tlsa, tlsrpt"

int pg_check_add(struct store *base, const struct check_result *r, char *err, size_t errlen)
{
	struct pg_store *st = pg_of(base);
	struct pg_params p;

	if (!st->in_batch) {
		snprintf(err, errlen, "internal error: check result written outside a batch");
		return -1;
	}
	pg_params_init(&p);
	pg_param_text(&p, r->domain);
	pg_param_int(&p, r->checked_at);
	pg_param_text(&p, r->status);
	pg_param_text(&p, r->sts_id);
	pg_param_text(&p, r->sts_mode);
	if (r->sts_max_age >= 0)
		pg_param_int(&p, r->sts_max_age);
	else
		pg_param_text(&p, NULL);
	pg_param_text(&p, r->sts_body);
	pg_param_text(&p, r->policy_error);
	pg_param_text(&p, r->mx != NULL ? r->mx : "");
	pg_param_text(&p, r->certs != NULL ? r->certs : "");
	pg_param_text(&p, r->tlsa != NULL ? r->tlsa : "");
	pg_param_text(&p, r->tlsrpt);
	return pg_run(st,
	              "INSERT INTO check_result (domain, checked_at, status, sts_id, sts_mode,"
	              " sts_max_age, sts_body, policy_error, mx, certs, tlsa, tlsrpt)"
	              " VALUES ($1, $2, $3, $4, $5, $6::bigint, $7, $8, $9, $10, $11, $12)",
	              &p, "cannot store the check result", NULL, err, errlen);
}

/* The rows of r (at most cap) into *out; reverse: back to front (a
 * newest-first query read oldest first). */
static void check_results_of(const PGresult *r, size_t cap, int reverse, struct check_results *out)
{
	struct check_results res = {NULL, 0};
	size_t i, n = (size_t)PQntuples(r);

	if (n > cap)
		n = cap;
	res.r = xcalloc(cap > 0 ? cap : 1, sizeof(*res.r));
	for (i = 0; i < n; i++) {
		struct check_result *c = &res.r[reverse ? n - 1 - i : i];
		int row = (int)i;
		char *mx = pg_strdup(r, row, 8), *certs = pg_strdup(r, row, 9),
		     *tlsa = pg_strdup(r, row, 10);

		c->domain = pg_strdup(r, row, 0);
		c->checked_at = pg_int(r, row, 1);
		c->status = pg_strdup(r, row, 2);
		c->sts_id = pg_strdup(r, row, 3);
		c->sts_mode = pg_strdup(r, row, 4);
		c->sts_max_age = pg_int(r, row, 5);
		c->sts_body = pg_strdup(r, row, 6);
		c->policy_error = pg_strdup(r, row, 7);
		c->mx = mx != NULL ? mx : xstrdup("");
		c->certs = certs != NULL ? certs : xstrdup("");
		c->tlsa = tlsa != NULL ? tlsa : xstrdup("");
		c->tlsrpt = pg_strdup(r, row, 11);
	}
	res.n = n;
	*out = res;
}

int pg_check_history(struct store *base, const char *domain, size_t limit,
                     struct check_results *out, char *err, size_t errlen)
{
	struct pg_store *st = pg_of(base);
	struct pg_params p;
	PGresult *r;

	if (limit < 1 || limit > LIMIT_CHECK_HISTORY)
		limit = LIMIT_CHECK_HISTORY;
	pg_params_init(&p);
	pg_param_text(&p, domain);
	pg_param_int(&p, (int64_t)limit);
	r = pg_exec(st,
	            "SELECT " CHECK_COLUMNS " FROM check_result WHERE domain = $1"
	            " ORDER BY checked_at DESC, id DESC LIMIT $2",
	            &p, "cannot read check results", err, errlen);
	if (r == NULL)
		return -1;
	check_results_of(r, limit, 1, out);
	PQclear(r);
	return 0;
}

int pg_check_latest(struct store *base, struct check_results *out, char *err, size_t errlen)
{
	struct pg_store *st = pg_of(base);
	struct pg_params p;
	PGresult *r;

	/* the newest row of each domain: its largest (checked_at, id) */
	pg_params_init(&p);
	pg_param_int(&p, LIMIT_CHECK_DOMAINS);
	r = pg_exec(st,
	            "SELECT " CHECK_COLUMNS " FROM (SELECT DISTINCT ON (domain) * FROM check_result"
	            " ORDER BY domain, checked_at DESC, id DESC) AS c ORDER BY domain LIMIT $1",
	            &p, "cannot read check results", err, errlen);
	if (r == NULL)
		return -1;
	check_results_of(r, LIMIT_CHECK_DOMAINS, 0, out);
	PQclear(r);
	return 0;
}

int pg_policy_seen(struct store *base, const char *domain, int64_t since, int64_t until,
                   struct policy_seen_rows *out, char *err, size_t errlen)
{
	struct pg_store *st = pg_of(base);
	struct policy_seen_rows res = {NULL, 0};
	struct pg_params p;
	PGresult *r;
	int i, n;

	pg_params_init(&p);
	pg_param_text(&p, domain);
	pg_param_int(&p, since);
	pg_param_int(&p, until);
	pg_param_int(&p, LIMIT_POLICY_SEEN);
	/* ordered as SQLite's: latest day first, then organization; rows that
	 * tie on both are ordered by their text there by chance of the
	 * GROUP BY, here by it explicitly (NULL first, as SQLite sorts) */
	r = pg_exec(st,
	            "SELECT r.organization, tlswatch_json_lines(p.policy_strings) AS pol,"
	            " tlswatch_json_lines(p.mx_hosts) AS mxh, min(r.day), max(r.day),"
	            " count(DISTINCT r.id), sum(p.successful_sessions)::bigint,"
	            " sum(p.failed_sessions)::bigint"
	            " FROM report r JOIN policy p ON p.report = r.id"
	            " WHERE p.policy_domain = $1 AND p.policy_type = 'sts' AND r.day >= $2"
	            " AND r.day < $3 GROUP BY r.organization, pol, mxh"
	            " ORDER BY max(r.day) DESC, r.organization, pol NULLS FIRST, mxh NULLS FIRST"
	            " LIMIT $4",
	            &p, "cannot read the policies reporters applied", err, errlen);
	if (r == NULL)
		return -1;
	n = PQntuples(r);
	if (n > LIMIT_POLICY_SEEN)
		n = LIMIT_POLICY_SEEN;
	res.r = xcalloc(LIMIT_POLICY_SEEN, sizeof(*res.r));
	for (i = 0; i < n; i++) {
		struct policy_seen *s = &res.r[res.n++];

		s->organization = pg_strdup(r, i, 0);
		s->policy = pg_strdup(r, i, 1);
		s->mx_hosts = pg_strdup(r, i, 2);
		s->first_day = pg_int(r, i, 3);
		s->last_day = pg_int(r, i, 4);
		s->reports = pg_int(r, i, 5);
		s->successful_sessions = pg_int(r, i, 6);
		s->failed_sessions = pg_int(r, i, 7);
	}
	PQclear(r);
	*out = res;
	return 0;
}
