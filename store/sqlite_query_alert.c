/*
 * sqlite_query_alert.c - reading the alert_sent table (schema/002_alerts.sql):
 * which alerts 'tlswatch alert' has already sent, so a continuing spike is
 * not sent again on every run (sqlite_write_alert.c records them). Keys
 * hold report text (untrusted), bound as parameters.
 */
#include <stdio.h>

#include "query.h"
#include "sqlite_query_impl.h"
#include "sqlite_impl.h"

static const char *query_key_part(const char *s)
{
	return s != NULL ? s : "";
}

void sqlite_bind_alert_key(sqlite3_stmt *s, const struct query_alert_key *k)
{
	sqlite_bind_text(s, 1, query_key_part(k->scope));
	sqlite_bind_text(s, 2, query_key_part(k->policy_domain));
	sqlite_bind_text(s, 3, query_key_part(k->mx_host));
	sqlite_bind_text(s, 4, query_key_part(k->result_type));
	sqlite_bind_text(s, 5, query_key_part(k->organization));
}

int sqlite_alert_last_sent(struct store *base, const struct query_alert_key *k, int64_t *day,
                           int *found, char *err, size_t errlen)
{
	struct sqlite_store *st = sqlite_of(base);
	sqlite3_stmt *s = NULL;
	int step, rc = -1;

	if (sqlite3_prepare_v2(st->db,
	                       "SELECT last_day FROM alert_sent WHERE scope = ?1 AND"
	                       " policy_domain = ?2 AND mx_host = ?3 AND result_type = ?4 AND"
	                       " organization = ?5",
	                       -1, &s, NULL) != SQLITE_OK)
		return sqlite_fail(st, err, errlen, "cannot read alert state");
	sqlite_bind_alert_key(s, k);
	step = sqlite3_step(s);
	if (step == SQLITE_ROW) {
		*day = sqlite3_column_int64(s, 0);
		*found = 1;
	} else if (step == SQLITE_DONE) {
		*found = 0;
	} else {
		sqlite_fail(st, err, errlen, "cannot read alert state");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(s);
	return rc;
}
