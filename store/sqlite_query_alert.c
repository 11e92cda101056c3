/*
 * sqlite_query_alert.c - the alert_sent table (schema/002_alerts.sql): which
 * alerts 'tlswatch alert' has already sent, so a continuing spike is not
 * sent again on every run. Keys hold report text (untrusted), bound as
 * parameters.
 */
#include <stdio.h>

#include "query.h"
#include "sqlite_query_impl.h"
#include "sqlite_impl.h"

static const char *query_key_part(const char *s)
{
	return s != NULL ? s : "";
}

static void query_bind_alert_key(sqlite3_stmt *s, const struct query_alert_key *k)
{
	store_bind_text(s, 1, query_key_part(k->scope));
	store_bind_text(s, 2, query_key_part(k->policy_domain));
	store_bind_text(s, 3, query_key_part(k->mx_host));
	store_bind_text(s, 4, query_key_part(k->result_type));
	store_bind_text(s, 5, query_key_part(k->organization));
}

int query_alert_last_sent(struct store *st, const struct query_alert_key *k, int64_t *day,
                          int *found, char *err, size_t errlen)
{
	sqlite3_stmt *s = NULL;
	int step, rc = -1;

	if (sqlite3_prepare_v2(st->db,
	                       "SELECT last_day FROM alert_sent WHERE scope = ?1 AND"
	                       " policy_domain = ?2 AND mx_host = ?3 AND result_type = ?4 AND"
	                       " organization = ?5",
	                       -1, &s, NULL) != SQLITE_OK)
		return store_fail(st, err, errlen, "cannot read alert state");
	query_bind_alert_key(s, k);
	step = sqlite3_step(s);
	if (step == SQLITE_ROW) {
		*day = sqlite3_column_int64(s, 0);
		*found = 1;
	} else if (step == SQLITE_DONE) {
		*found = 0;
	} else {
		store_fail(st, err, errlen, "cannot read alert state");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(s);
	return rc;
}

int query_alert_record_sent(struct store *st, const struct query_alert_key *k, int64_t day,
                            int64_t value, int64_t now, char *err, size_t errlen)
{
	sqlite3_stmt *s = NULL;
	int rc = -1;

	if (!store_in_batch(st)) {
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
		return store_fail(st, err, errlen, "cannot record alert");
	query_bind_alert_key(s, k);
	sqlite3_bind_int64(s, 6, day);
	sqlite3_bind_int64(s, 7, value);
	sqlite3_bind_int64(s, 8, now);
	if (sqlite3_step(s) != SQLITE_DONE) {
		store_fail(st, err, errlen, "cannot record alert");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(s);
	return rc;
}
