/*
 * sqlite_restore.c - a stored report made again as ingest stored it
 * (sqlite_restore.h). Input: our own stored raw bytes, parsed again as
 * untrusted as when they came, and the stored policy rows.
 */
#include "sqlite_restore.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_restore.h"

/* Makes r what ingest stored for report id: the organization as stored,
 * only the policies stored (the domains filter keeps a subsequence, in
 * order), each with the domain stored. */
static int restore_as_stored(struct sqlite_store *st, sqlite3_stmt **policies, int64_t id,
                             const char *org, struct report *r, char *err, size_t errlen)
{
	struct report_restore rs;
	sqlite3_stmt *s;
	int step, rc = -1;

	if (*policies == NULL &&
	    sqlite3_prepare_v2(st->db,
	                       "SELECT policy_type, policy_domain, successful_sessions,"
	                       " failed_sessions, policy_domain_source FROM policy"
	                       " WHERE report = ?1 ORDER BY idx",
	                       -1, policies, NULL) != SQLITE_OK) {
		sqlite_fail(st, err, errlen, "cannot prepare");
		return -1;
	}
	s = *policies;
	sqlite3_bind_int64(s, 1, id);
	report_restore_begin(&rs, r, id);
	while ((step = sqlite3_step(s)) == SQLITE_ROW)
		if (report_restore_row(&rs, (const char *)sqlite3_column_text(s, 0),
		                       (const char *)sqlite3_column_text(s, 1),
		                       (const char *)sqlite3_column_text(s, 4),
		                       sqlite3_column_int64(s, 2), sqlite3_column_int64(s, 3), err,
		                       errlen) < 0)
			goto out;
	if (step != SQLITE_DONE) {
		sqlite_fail(st, err, errlen, "cannot read a report's policies");
		goto out;
	}
	report_restore_end(&rs, org);
	rc = 0;
out:
	sqlite3_reset(s);
	return rc;
}

int sqlite_report_restore(struct sqlite_store *st, sqlite3_stmt **policies, int64_t id,
                          const char *org, const void *gz, int gz_len, struct report **out,
                          char *err, size_t errlen)
{
	struct report *r = NULL;

	if (report_restore_parse(gz, gz_len > 0 ? (size_t)gz_len : 0, &r, err, errlen) < 0)
		return -1;
	if (restore_as_stored(st, policies, id, org, r, err, errlen) < 0) {
		report_free(r);
		return -1;
	}
	*out = r;
	return 0;
}

int sqlite_reports_tally(struct sqlite_store *st, sqlite3_stmt *s, sqlite_report_fn fn, void *ctx,
                         char *err, size_t errlen)
{
	sqlite3_stmt *policies = NULL;
	struct report *r = NULL;
	struct tally t;
	int step, rc = -1;

	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		if (sqlite_report_restore(st, &policies, sqlite3_column_int64(s, 0),
		                          (const char *)sqlite3_column_text(s, 1),
		                          sqlite3_column_blob(s, 2), sqlite3_column_bytes(s, 2), &r,
		                          err, errlen) < 0)
			goto out;
		tally_report(r, &t);
		step = fn(ctx, s, r, &t, err, errlen);
		tally_free(&t);
		report_free(r);
		r = NULL;
		if (step < 0)
			goto out;
	}
	if (step != SQLITE_DONE) {
		sqlite_fail(st, err, errlen, "cannot read reports again");
		goto out;
	}
	rc = 0;
out:
	report_free(r);
	sqlite3_finalize(policies);
	return rc;
}
