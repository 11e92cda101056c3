/*
 * rollup.c - the sums each roll-up and lifetime table must equal
 * (rollup.h), in SQL that SQLite and PostgreSQL both run: subqueries
 * carry an alias, as PostgreSQL 15 requires. The triggers of both
 * 012_rollups.sql, 014_presence.sql and 020_trust_roll.sql keep the same
 * sums.
 */
#include "rollup.h"

#include <stdio.h>

#include "query_reason.h"
#include "query_sql.h"

/* Each table, its columns, and "SELECT key..., n_rows, figures..." over
 * agg_* (for life_*, with the pruned days' rows: /metrics never falls). */
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
     " AS u GROUP BY policy_domain, organization"},
    {"life_failure", "policy_domain, organization, mx_host, result_type, n_rows, failed_sessions",
     "SELECT policy_domain, organization, mx_host, result_type, count(*), sum(failed_sessions)"
     " FROM (SELECT policy_domain, organization, mx_host, result_type, failed_sessions"
     " FROM agg_failure UNION ALL SELECT policy_domain, organization, mx_host, result_type,"
     " failed_sessions FROM agg_failure_pruned) AS u"
     " GROUP BY policy_domain, organization, mx_host, result_type"},
    {"life_mx", "policy_domain, organization, mx_host, n_rows, failed_sessions",
     "SELECT policy_domain, organization, mx_host, count(*), sum(failed_sessions)"
     " FROM (SELECT policy_domain, organization, mx_host, failed_sessions FROM agg_mx"
     " UNION ALL SELECT policy_domain, organization, mx_host, failed_sessions"
     " FROM agg_mx_pruned) AS u GROUP BY policy_domain, organization, mx_host"},
    /* 014_presence.sql: one bit per reporter day; the bits of a row are
     * distinct days, so their sum is their OR (SQLite has no bit_or) */
    {"roll_presence", "policy_domain, organization, first_day, days",
     "SELECT policy_domain, organization, day - day % 32,"
     " sum(CAST(1 AS BIGINT) << CAST(day % 32 AS INTEGER)) FROM agg_domain WHERE reports > 0"
     " GROUP BY policy_domain, organization, day - day % 32"},
    /* 020_trust_roll.sql: each report once per policy domain it names */
    {"roll_trust", "day, policy_domain, organization, verified, unverified",
     "SELECT r.day, d.dom, r.organization,"
     " sum(CASE WHEN r.provenance <> 'unverified-mail' THEN 1 ELSE 0 END),"
     " sum(CASE WHEN r.provenance = 'unverified-mail' THEN 1 ELSE 0 END) FROM report AS r"
     " JOIN (SELECT DISTINCT report, coalesce(policy_domain, '') AS dom FROM policy) AS d"
     " ON d.report = r.id GROUP BY r.day, d.dom, r.organization"},
};

int rollup_stmt_sql(enum rollup_stmt which, const char *table, const char *columns,
                    const char *sums, char *sql, size_t len)
{
	int n = -1;

	switch (which) {
	case ROLLUP_CLEAR:
		n = snprintf(sql, len, "DELETE FROM %s", table);
		break;
	case ROLLUP_FILL:
		n = snprintf(sql, len, "INSERT INTO %s (%s) %s", table, columns, sums);
		break;
	case ROLLUP_DIFF:
		/* rows in one and not the other, both ways */
		n = snprintf(
		    sql, len,
		    "SELECT count(*) FROM (SELECT * FROM (SELECT %s FROM %s EXCEPT %s) AS a"
		    " UNION ALL SELECT * FROM (%s EXCEPT SELECT %s FROM %s) AS b) AS d",
		    columns, table, sums, sums, columns, table);
		break;
	}
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

const char *rollup_sql(size_t i, enum rollup_stmt which, char *sql, size_t len)
{
	if (i >= sizeof(rollups) / sizeof(rollups[0]) ||
	    rollup_stmt_sql(which, rollups[i].table, rollups[i].columns, rollups[i].sums, sql,
	                    len) < 0)
		return NULL;
	return rollups[i].table;
}

void rollup_presence_sql(struct query_sql *q, int rolled, int64_t since, int64_t until)
{
	/* whole blocks: the rows are the same whichever table answers */
	int64_t lo = since - since % QUERY_PRESENCE_SPAN;
	int64_t hi =
	    until + (QUERY_PRESENCE_SPAN - until % QUERY_PRESENCE_SPAN) % QUERY_PRESENCE_SPAN;

	if (rolled) {
		query_sql_add(
		    q, "SELECT policy_domain, organization, first_day, days FROM roll_presence"
		       " WHERE first_day >= ");
	} else {
		query_sql_add(q,
		              "SELECT policy_domain, organization, day - day % 32 AS first_day,"
		              " sum(CAST(1 AS BIGINT) << CAST(day % 32 AS INTEGER)) FROM agg_domain"
		              " WHERE reports > 0 AND day >= ");
	}
	query_sql_int(q, lo);
	query_sql_add(q, rolled ? " AND first_day < " : " AND day < ");
	query_sql_int(q, hi);
	if (!rolled)
		query_sql_add(q, " GROUP BY policy_domain, organization, day - day % 32");
	query_sql_add(q, " ORDER BY policy_domain, organization, first_day");
}

void rollup_problem(const char *table, long long n, char *msg, size_t len)
{
	snprintf(msg, len,
	         "roll-ups: %s: %lld rows differ from the aggregates they sum (db check --repair "
	         "rebuilds them)",
	         table, n);
}
