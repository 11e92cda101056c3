/*
 * pg_write_prune.c - deleting old reports from the PostgreSQL store, one
 * day per transaction ('tlswatch db prune'), keeping the lifetime totals
 * of what is pruned, as sqlite_write_prune.c does. Input: the operator's
 * day bound.
 */
#include <string.h>

#include "pg_impl.h"

static const char *const prune_day_sql[] = {
    "UPDATE quarantine SET released_report = NULL"
    " WHERE released_report IN (SELECT id FROM report WHERE day = $1)",
    "DELETE FROM failure WHERE policy IN (SELECT p.id FROM policy p JOIN report r"
    " ON r.id = p.report WHERE r.day = $1)",
    "DELETE FROM policy WHERE report IN (SELECT id FROM report WHERE day = $1)",
    /* report rows go, then the raw reports and sources only they used */
    "WITH gone AS (DELETE FROM report WHERE day = $1 RETURNING raw_id, source_id),"
    " raw AS (DELETE FROM raw_report WHERE id IN (SELECT raw_id FROM gone))"
    " DELETE FROM source s WHERE s.id IN (SELECT source_id FROM gone)"
    " AND NOT EXISTS (SELECT 1 FROM report WHERE report.source_id = s.id AND report.day <> $1)",
    /* lifetime totals first: the /metrics counters must not fall */
    "INSERT INTO agg_domain_pruned AS a SELECT policy_domain, organization, reports,"
    " successful_sessions, failed_sessions FROM agg_domain WHERE day = $1"
    " ON CONFLICT (policy_domain, organization) DO UPDATE SET"
    " reports = a.reports + excluded.reports,"
    " successful_sessions = a.successful_sessions + excluded.successful_sessions,"
    " failed_sessions = a.failed_sessions + excluded.failed_sessions",
    "INSERT INTO agg_failure_pruned AS a SELECT policy_domain, organization, mx_host,"
    " result_type, failed_sessions FROM agg_failure WHERE day = $1"
    " ON CONFLICT (policy_domain, organization, mx_host, result_type) DO UPDATE SET"
    " failed_sessions = a.failed_sessions + excluded.failed_sessions",
    "INSERT INTO agg_mx_pruned AS a SELECT policy_domain, organization, mx_host,"
    " failed_sessions FROM agg_mx WHERE day = $1"
    " ON CONFLICT (policy_domain, organization, mx_host) DO UPDATE SET"
    " failed_sessions = a.failed_sessions + excluded.failed_sessions",
    "DELETE FROM agg_domain WHERE day = $1",
    "DELETE FROM agg_failure WHERE day = $1",
    "DELETE FROM agg_mx WHERE day = $1",
    "DELETE FROM agg_policy_type WHERE day = $1",
};

/* The number of reports of day (counted before they go). */
static int prune_count(struct pg_store *st, struct pg_params *p, int64_t *n, char *err,
                       size_t errlen)
{
	PGresult *r = pg_exec(st, "SELECT count(*) FROM report WHERE day = $1", p, "cannot prune",
	                      err, errlen);

	if (r == NULL)
		return -1;
	*n = pg_int(r, 0, 0);
	PQclear(r);
	return 0;
}

int pg_prune(struct store *base, int64_t before_day, int64_t *reports, char *err, size_t errlen)
{
	struct pg_store *st = pg_of(base);
	struct pg_params p;
	PGresult *r;
	int64_t day, n, total = 0;
	size_t i;
	int empty;

	for (;;) {
		/* the oldest day left, one transaction per day */
		r = pg_exec(st,
		            "SELECT min(day) FROM (SELECT min(day) AS day FROM report"
		            " UNION ALL SELECT min(day) FROM agg_domain"
		            " UNION ALL SELECT min(day) FROM agg_failure"
		            " UNION ALL SELECT min(day) FROM agg_mx"
		            " UNION ALL SELECT min(day) FROM agg_policy_type) AS d",
		            NULL, "cannot prune", err, errlen);
		if (r == NULL)
			return -1;
		empty = PQgetisnull(r, 0, 0);
		day = pg_int(r, 0, 0);
		PQclear(r);
		if (empty || day >= before_day)
			break;
		pg_params_init(&p);
		pg_param_int(&p, day);
		if (pg_begin(&st->base, err, errlen) < 0)
			return -1;
		if (prune_count(st, &p, &n, err, errlen) < 0)
			goto fail;
		for (i = 0; i < sizeof(prune_day_sql) / sizeof(prune_day_sql[0]); i++)
			if (pg_run(st, prune_day_sql[i], &p, "cannot prune", NULL, err, errlen) < 0)
				goto fail;
		if (pg_commit(&st->base, err, errlen) < 0)
			return -1;
		total += n;
	}
	*reports = total;
	return 0;
fail:
	pg_rollback(&st->base);
	return -1;
}
