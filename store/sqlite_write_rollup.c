/*
 * sqlite_write_rollup.c - the roll-ups and lifetime totals of
 * schema/012_rollups.sql, as sums of the aggregate tables: rebuilt by
 * 'tlswatch db check --repair', compared by 'db check'. Triggers keep them
 * as reports are stored, re-aggregated and pruned; this is what they
 * must equal. Input: our own database.
 */
#include <stdio.h>

#include "sqlite_impl.h"

/* Each table and what it sums: "SELECT key..., n_rows, figures..." over
 * agg_* (for life_*, with the pruned days' rows: /metrics never falls).
 * The triggers of schema/012_rollups.sql keep the same sums. */
static const struct {
	const char *table;
	const char *columns;
	const char *sums;
} rollups[] = {
    {"roll_domain", "day, policy_domain, n_rows, reports, successful_sessions, failed_sessions",
     "SELECT day, policy_domain, count(*), sum(reports), sum(successful_sessions),"
     " sum(failed_sessions) FROM agg_domain GROUP BY day, policy_domain"},
    {"roll_org", "day, organization, n_rows, reports, successful_sessions, failed_sessions",
     "SELECT day, organization, count(*), sum(reports), sum(successful_sessions),"
     " sum(failed_sessions) FROM agg_domain GROUP BY day, organization"},
    {"roll_failure", "day, policy_domain, mx_host, result_type, n_rows, failed_sessions",
     "SELECT day, policy_domain, mx_host, result_type, count(*), sum(failed_sessions)"
     " FROM agg_failure GROUP BY day, policy_domain, mx_host, result_type"},
    {"roll_mx", "day, policy_domain, mx_host, n_rows, failed_sessions",
     "SELECT day, policy_domain, mx_host, count(*), sum(failed_sessions) FROM agg_mx"
     " GROUP BY day, policy_domain, mx_host"},
    {"roll_type",
     "day, policy_domain, policy_type, n_rows, policies, successful_sessions, failed_sessions",
     "SELECT day, policy_domain, policy_type, count(*), sum(policies),"
     " sum(successful_sessions), sum(failed_sessions) FROM agg_policy_type"
     " GROUP BY day, policy_domain, policy_type"},
    {"roll_report_day", "day, reports", "SELECT day, count(*) FROM report GROUP BY day"},
    {"life_domain",
     "policy_domain, organization, n_rows, reports, successful_sessions, failed_sessions",
     "SELECT policy_domain, organization, count(*), sum(reports), sum(successful_sessions),"
     " sum(failed_sessions) FROM (SELECT policy_domain, organization, reports,"
     " successful_sessions, failed_sessions FROM agg_domain UNION ALL SELECT policy_domain,"
     " organization, reports, successful_sessions, failed_sessions FROM agg_domain_pruned)"
     " GROUP BY policy_domain, organization"},
    {"life_failure", "policy_domain, organization, mx_host, result_type, n_rows, failed_sessions",
     "SELECT policy_domain, organization, mx_host, result_type, count(*), sum(failed_sessions)"
     " FROM (SELECT policy_domain, organization, mx_host, result_type, failed_sessions"
     " FROM agg_failure UNION ALL SELECT policy_domain, organization, mx_host, result_type,"
     " failed_sessions FROM agg_failure_pruned)"
     " GROUP BY policy_domain, organization, mx_host, result_type"},
    {"life_mx", "policy_domain, organization, mx_host, n_rows, failed_sessions",
     "SELECT policy_domain, organization, mx_host, count(*), sum(failed_sessions)"
     " FROM (SELECT policy_domain, organization, mx_host, failed_sessions FROM agg_mx"
     " UNION ALL SELECT policy_domain, organization, mx_host, failed_sessions"
     " FROM agg_mx_pruned) GROUP BY policy_domain, organization, mx_host"},
};

#define N_ROLLUPS (sizeof(rollups) / sizeof(rollups[0]))

/* Empties table i and fills it with its sums. */
static int rollup_refill(struct sqlite_store *st, size_t i, char *err, size_t errlen)
{
	char sql[2048];
	int n;

	n = snprintf(sql, sizeof(sql), "DELETE FROM %s; INSERT INTO %s (%s) %s", rollups[i].table,
	             rollups[i].table, rollups[i].columns, rollups[i].sums);
	if (n < 0 || (size_t)n >= sizeof(sql)) {
		snprintf(err, errlen, "internal error: roll-up statement too long");
		return -1;
	}
	if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return sqlite_fail(st, err, errlen, "cannot rebuild the roll-ups");
	return 0;
}

int sqlite_rollup_rebuild(struct store *base, char *err, size_t errlen)
{
	struct sqlite_store *st = sqlite_of(base);
	size_t i;

	if (sqlite_begin(base, err, errlen) < 0)
		return -1;
	for (i = 0; i < N_ROLLUPS; i++) {
		if (rollup_refill(st, i, err, errlen) < 0) {
			sqlite_rollback(base);
			return -1;
		}
	}
	return sqlite_commit(base, err, errlen);
}

int sqlite_rollup_differences(struct sqlite_store *st, size_t i, const char **table, int64_t *n,
                              char *err, size_t errlen)
{
	char sql[2048];
	int len;

	if (i >= N_ROLLUPS)
		return 1;
	/* rows in one and not the other, both ways */
	len = snprintf(sql, sizeof(sql),
	               "SELECT count(*) FROM (SELECT * FROM (SELECT %s FROM %s EXCEPT %s)"
	               " UNION ALL SELECT * FROM (%s EXCEPT SELECT %s FROM %s))",
	               rollups[i].columns, rollups[i].table, rollups[i].sums, rollups[i].sums,
	               rollups[i].columns, rollups[i].table);
	if (len < 0 || (size_t)len >= sizeof(sql)) {
		snprintf(err, errlen, "internal error: roll-up statement too long");
		return -1;
	}
	if (sqlite_get_int(st, sql, n, err, errlen) < 0)
		return -1;
	*table = rollups[i].table;
	return 0;
}
