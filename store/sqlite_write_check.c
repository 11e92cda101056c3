/*
 * sqlite_write_check.c - storing one 'tlswatch check' result
 * (schema/011_check_result.sql). The values came from DNS, HTTPS and SMTP
 * answers: bound as parameters, never pasted into SQL.
 */
#include <stdio.h>

#include "sqlite_impl.h"
#include "store_check.h"

int sqlite_check_add(struct store *base, const struct check_result *r, char *err, size_t errlen)
{
	struct sqlite_store *st = sqlite_of(base);
	sqlite3_stmt *s = NULL;
	int rc = -1;

	if (!st->in_batch) {
		snprintf(err, errlen, "internal error: check result written outside a batch");
		return -1;
	}
	if (sqlite3_prepare_v2(st->db,
	                       "INSERT INTO check_result (domain, checked_at, status, sts_id,"
	                       " sts_mode, sts_max_age, sts_body, policy_error, mx, certs, tlsa,"
	                       " tlsrpt) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,"
	                       " ?12)",
	                       -1, &s, NULL) != SQLITE_OK)
		return sqlite_fail(st, err, errlen, "cannot store the check result");
	sqlite_bind_text(s, 1, r->domain);
	sqlite3_bind_int64(s, 2, r->checked_at);
	sqlite_bind_text(s, 3, r->status);
	sqlite_bind_text(s, 4, r->sts_id);
	sqlite_bind_text(s, 5, r->sts_mode);
	if (r->sts_max_age >= 0)
		sqlite3_bind_int64(s, 6, r->sts_max_age);
	sqlite_bind_text(s, 7, r->sts_body);
	sqlite_bind_text(s, 8, r->policy_error);
	sqlite_bind_text(s, 9, r->mx != NULL ? r->mx : "");
	sqlite_bind_text(s, 10, r->certs != NULL ? r->certs : "");
	sqlite_bind_text(s, 11, r->tlsa != NULL ? r->tlsa : "");
	sqlite_bind_text(s, 12, r->tlsrpt);
	rc = sqlite_step_done(st, s, "cannot store the check result", err, errlen);
	sqlite3_finalize(s);
	return rc;
}
