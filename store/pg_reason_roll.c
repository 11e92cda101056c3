/*
 * pg_reason_roll.c - roll_reason on PostgreSQL (schema/pg/025_reason_roll.sql),
 * the twin of sqlite_reason_roll.c: failed sessions per (day, kind, text,
 * policy domain, organization, MX host, result type), so that the
 * failure-reason-code and additional-information reads cost days x
 * series, not failure details.
 *
 * New reports add their rows in the ingest batch (pg_write_batch.c, from
 * the report in memory: reason_roll.c); here what reads the details
 * back: a report that replaces another or loses a conflict (rare), 'db
 * check' (the same sums compared), --repair and 'db copy' (the table
 * refilled). Input: our own stored rows; a read's filter is untrusted (a
 * web query string) and only ever a parameter.
 */
#include <stdio.h>
#include <string.h>

#include "pg_impl.h"
#include "reason_roll.h"

#define REASON_COLUMNS REASON_ROLL_COLUMNS
/* reason_roll.h's sums in PostgreSQL's words */
#define REASON_SUMS(cond)                                                                          \
	REASON_ROLL_SUMS(cond, "::bigint", "greatest", " AND p.day = r.day",                       \
	                 " AND fl.day = p.day", "CROSS JOIN (VALUES (0), (1)) AS k (kind)")

int pg_reason_roll_report(struct pg_store *st, int64_t report_id, int sign, char *err,
                          size_t errlen)
{
	struct pg_params p;

	pg_params_init(&p);
	pg_param_int(&p, report_id);
	pg_param_int(&p, sign);
	/* in the key's order, as the batch's upsert takes its rows */
	if (pg_run(st,
	           "INSERT INTO roll_reason AS a (" REASON_COLUMNS
	           ") SELECT day, kind, text, dom, org, mx, rt, n * $2, f * $2, t * $2 FROM "
	           "(" REASON_SUMS("r.id = $1 AND") ") AS x ORDER BY day, kind, dom, mx, text,"
	                                            " org, rt ON CONFLICT (day, kind,"
	                                            " policy_domain, mx_host, reason_key)"
	                                            " DO UPDATE SET n_rows = a.n_rows +"
	                                            " excluded.n_rows, failed_sessions ="
	                                            " a.failed_sessions + excluded.failed_sessions,"
	                                            " sent_sessions = a.sent_sessions +"
	                                            " excluded.sent_sessions",
	           &p, "cannot update the failure-text roll-up", NULL, err, errlen) < 0)
		return -1;
	if (sign > 0)
		return 0;
	/* a report leaving: the rows it alone made go */
	pg_params_init(&p);
	pg_param_int(&p, report_id);
	return pg_run(st,
	              "DELETE FROM roll_reason WHERE day IN (SELECT day FROM report_key"
	              " WHERE id = $1) AND n_rows <= 0",
	              &p, "cannot update the failure-text roll-up", NULL, err, errlen);
}

int pg_reason_roll_fill(struct pg_store *st, char *err, size_t errlen)
{
	if (pg_run(st, "DELETE FROM roll_reason", NULL, "cannot rebuild the failure-text roll-up",
	           NULL, err, errlen) < 0)
		return -1;
	return pg_run(st, "INSERT INTO roll_reason (" REASON_COLUMNS ") " REASON_SUMS(""), NULL,
	              "cannot rebuild the failure-text roll-up", NULL, err, errlen);
}

int pg_reason_roll_differences(struct pg_store *st, int64_t *n, char *err, size_t errlen)
{
	/* rows in one and not the other, both ways (rollup.c's ROLLUP_DIFF) */
	return pg_get_int(st,
	                  "SELECT count(*) FROM (SELECT * FROM (SELECT " REASON_COLUMNS
	                  " FROM roll_reason EXCEPT " REASON_SUMS(
	                      "") ") AS a UNION ALL"
	                          " SELECT * FROM "
	                          "(" REASON_SUMS("") " EXCEPT SELECT "
	                                              "" REASON_COLUMNS " FROM "
	                                              "roll_reason) AS "
	                                              "b) AS d",
	                  NULL, "cannot check the failure-text roll-up", n, err, errlen);
}

int pg_reason_roll_sql(struct query_sql *q, const struct query_filter *f, int kind, size_t limit,
                       char *err, size_t errlen)
{
	return reason_roll_sql(q, f, kind, limit,
	                       "SELECT text, string_agg(DISTINCT result_type, ','),"
	                       " sum(failed_sessions)::bigint AS failed,"
	                       " count(DISTINCT organization) FROM roll_reason",
	                       " GROUP BY text HAVING sum(failed_sessions) > 0"
	                       " ORDER BY failed DESC, text",
	                       err, errlen);
}
