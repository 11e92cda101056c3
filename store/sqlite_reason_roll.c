/*
 * sqlite_reason_roll.c - roll_reason (schema/019_reason_rollup.sql):
 * failed sessions per (day, kind, text, policy domain, organization, MX
 * host, result type), so that the failure-reason-code and
 * additional-information reads of the summary, the dashboard and
 * /api/v1/summary cost days x series, not failure details.
 *
 * Kept without triggers (those would turn the ingest batch off,
 * sqlite_write_batch.c): the writer adds each stored report's groups,
 * a report that loses a conflict takes its own away first, prune drops
 * the day's rows, 'db copy' fills the table after the details, and
 * 'db check' compares it with the same sums over the details (--repair
 * refills it). Input: our own stored rows; the read's filter is untrusted
 * (a web query string) and only ever bound.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reason_roll.h"
#include "record.h"
#include "report.h"
#include "xalloc.h"

#include "sqlite_query_impl.h"
#include "sqlite_impl.h"

#define REASON_COLUMNS REASON_ROLL_COLUMNS
/* reason_roll.h's sums in SQLite's words */
#define REASON_SUMS(cond)                                                                          \
	REASON_ROLL_SUMS(cond, "", "max", "", "", "JOIN (SELECT 0 AS kind UNION ALL SELECT 1) AS k")

/* One row's figures added (the writer, from the report in memory). */
#define REASON_UPSERT                                                                              \
	"INSERT INTO roll_reason (" REASON_COLUMNS                                                 \
	") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 1, ?8, ?9)"                                         \
	" ON CONFLICT (day, kind, text, policy_domain, organization, mx_host, result_type)"        \
	" DO UPDATE SET n_rows = n_rows + 1,"                                                      \
	" failed_sessions = failed_sessions + excluded.failed_sessions,"                           \
	" sent_sessions = sent_sessions + excluded.sent_sessions"

/* One report's groups taken away (?2 = -1; or added, ?2 = 1). */
#define REASON_ADD                                                                                 \
	"INSERT INTO roll_reason (" REASON_COLUMNS ") SELECT day, kind, text, dom, org, mx, rt,"   \
	" n * ?2, f * ?2, t * ?2 FROM (" REASON_SUMS(                                              \
	    "r.id = ?1 AND") ") AS x WHERE true"                                                   \
	                     " ON CONFLICT (day, kind, text, policy_domain, organization, "        \
	                     "mx_host, result_type)"                                               \
	                     " DO UPDATE SET n_rows = n_rows + excluded.n_rows,"                   \
	                     " failed_sessions = failed_sessions + excluded.failed_sessions,"      \
	                     " sent_sessions = sent_sessions + excluded.sent_sessions"

static int reason_run(struct sqlite_store *st, const char *sql, int64_t id, int64_t sign, char *err,
                      size_t errlen)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK)
		return sqlite_fail(st, err, errlen, "cannot update the failure-text roll-up");
	sqlite3_bind_int64(s, 1, id);
	if (sqlite3_bind_parameter_count(s) > 1)
		sqlite3_bind_int64(s, 2, sign);
	rc = sqlite_step_done(st, s, "cannot update the failure-text roll-up", err, errlen);
	sqlite3_finalize(s);
	return rc;
}

int sqlite_reason_roll_wanted(const struct report *r)
{
	return reason_roll_wanted(r);
}

struct reason_emit_arg {
	struct sqlite_store *st;
	const struct report_record *rec;
};

/* One row of the report (reason_roll.c) upserted. */
static int reason_upsert(void *arg, const struct reason_roll_row *row, char *err, size_t errlen)
{
	const struct reason_emit_arg *a = arg;
	sqlite3_stmt *s;

	if ((s = sqlite_stmt(a->st, STMT_REASON_ROLL, REASON_UPSERT, err, errlen)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, a->rec->day);
	sqlite3_bind_int64(s, 2, row->kind);
	sqlite_bind_text(s, 3, row->text);
	sqlite_bind_text(s, 4, row->policy_domain);
	sqlite_bind_text(s, 5, a->rec->r->organization_name);
	sqlite_bind_text(s, 6, row->mx_host);
	sqlite_bind_text(s, 7, row->result_type);
	sqlite3_bind_int64(s, 8, row->failed);
	sqlite3_bind_int64(s, 9, row->sent);
	return sqlite_step_done(a->st, s, "cannot update the failure-text roll-up", err, errlen);
}

int sqlite_reason_roll_add(struct sqlite_store *st, const struct report_record *rec, char *err,
                           size_t errlen)
{
	struct reason_emit_arg a = {st, rec};

	/* REASON_SUMS computed from the report in memory: no statement
	 * reading back what was just written (a third of a report's cost) */
	return reason_roll_report(rec->r, reason_upsert, &a, err, errlen);
}

int sqlite_reason_roll_remove(struct sqlite_store *st, int64_t report_id, char *err, size_t errlen)
{
	/* a report leaving (rare): its groups away, then rows left empty */
	if (reason_run(st, REASON_ADD, report_id, -1, err, errlen) < 0)
		return -1;
	return reason_run(st,
	                  "DELETE FROM roll_reason WHERE day = (SELECT day FROM report"
	                  " WHERE id = ?1) AND n_rows <= 0",
	                  report_id, 0, err, errlen);
}

int sqlite_reason_roll_fill(struct sqlite_store *st, char *err, size_t errlen)
{
	if (sqlite3_exec(st->db, "DELETE FROM roll_reason", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(st->db, "INSERT INTO roll_reason (" REASON_COLUMNS ") " REASON_SUMS(""),
	                 NULL, NULL, NULL) != SQLITE_OK)
		return sqlite_fail(st, err, errlen, "cannot rebuild the failure-text roll-up");
	return 0;
}

int sqlite_reason_roll_differences(struct sqlite_store *st, int64_t *n, char *err, size_t errlen)
{
	/* rows in one and not the other, both ways (rollup.c's ROLLUP_DIFF) */
	return sqlite_get_int(
	    st,
	    "SELECT count(*) FROM (SELECT * FROM (SELECT " REASON_COLUMNS
	    " FROM roll_reason EXCEPT " REASON_SUMS("") ") AS a UNION ALL"
	                                                " SELECT * FROM (" REASON_SUMS(
	                                                    "") " EXCEPT SELECT " REASON_COLUMNS
	                                                        " FROM roll_reason) AS b) AS d",
	    n, err, errlen);
}

int sqlite_reason_roll_sql(struct query_sql *q, const struct query_filter *f, int kind,
                           size_t limit, char *err, size_t errlen)
{
	return reason_roll_sql(q, f, kind, limit,
	                       "SELECT text, group_concat(DISTINCT result_type),"
	                       " sum(failed_sessions) AS failed, count(DISTINCT organization)"
	                       " FROM roll_reason",
	                       " GROUP BY text HAVING failed > 0"
	                       " ORDER BY failed DESC, text COLLATE BINARY",
	                       err, errlen);
}
