/*
 * sqlite_write_alert.c - recording in the alert_sent table
 * (schema/002_alerts.sql) that an alert was sent: the one table the
 * analyzer writes. Keys hold report text (untrusted), bound as parameters.
 */
#include <stdio.h>

#include "query.h"
#include "sqlite_impl.h"

int sqlite_alert_record_sent(struct store *base, const struct query_alert_key *k, int64_t day,
                             int64_t value, int64_t now, char *err, size_t errlen)
{
	struct sqlite_store *st = sqlite_of(base);
	sqlite3_stmt *s = NULL;
	int rc = -1;

	if (!st->in_batch) {
		snprintf(err, errlen, "internal error: alert state written outside a batch");
		return -1;
	}
	if (sqlite3_prepare_v2(
	        st->db,
	        "INSERT INTO alert_sent (scope, policy_domain, mx_host, result_type,"
	        " organization, first_day, last_day, last_value, sent_at)"
	        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7, ?8)"
	        " ON CONFLICT (scope, policy_domain, mx_host, result_type, organization)"
	        " DO UPDATE SET last_day = excluded.last_day,"
	        " last_value = excluded.last_value, sent_at = excluded.sent_at,"
	        " times = times + 1",
	        -1, &s, NULL) != SQLITE_OK)
		return sqlite_fail(st, err, errlen, "cannot record alert");
	sqlite_bind_alert_key(s, k);
	sqlite3_bind_int64(s, 6, day);
	sqlite3_bind_int64(s, 7, value);
	sqlite3_bind_int64(s, 8, now);
	if (sqlite3_step(s) != SQLITE_DONE) {
		sqlite_fail(st, err, errlen, "cannot record alert");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(s);
	return rc;
}
