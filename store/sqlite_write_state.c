/*
 * sqlite_write_state.c - the state tables the collector and the analyzer
 * write: where IMAP collection stopped in each mailbox
 * (schema/003_imap_state.sql; values from the configuration and the
 * server), which alerts were sent for which day and what each day held
 * when last judged (schema/006_alerts_judged.sql; keys hold report text). Everything untrusted is
 * bound as a parameter.
 */
#include <stdio.h>
#include <time.h>

#include "query.h"
#include "sqlite_impl.h"

static int query_alert_write(struct sqlite_store *st, sqlite3_stmt *s, char *err, size_t errlen)
{
	int rc = sqlite3_step(s) == SQLITE_DONE
	             ? 0
	             : sqlite_fail(st, err, errlen, "cannot record alert state");

	sqlite3_finalize(s);
	return rc;
}

int sqlite_alert_record_sent(struct store *base, const struct query_alert_key *k, int64_t day,
                             int64_t value, int64_t now, char *err, size_t errlen)
{
	struct sqlite_store *st = sqlite_of(base);
	sqlite3_stmt *s = NULL;

	if (!st->in_batch) {
		snprintf(err, errlen, "internal error: alert state written outside a batch");
		return -1;
	}
	if (sqlite3_prepare_v2(st->db,
	                       "INSERT INTO alert_sent_day (scope, policy_domain, mx_host,"
	                       " result_type, organization, day, value, sent_at)"
	                       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
	                       " ON CONFLICT (scope, policy_domain, mx_host, result_type,"
	                       " organization, day) DO UPDATE SET value = excluded.value,"
	                       " sent_at = excluded.sent_at, times = times + 1",
	                       -1, &s, NULL) != SQLITE_OK)
		return sqlite_fail(st, err, errlen, "cannot record alert");
	sqlite_bind_alert_key(s, k);
	sqlite3_bind_int64(s, 6, day);
	sqlite3_bind_int64(s, 7, value);
	sqlite3_bind_int64(s, 8, now);
	return query_alert_write(st, s, err, errlen);
}

int sqlite_alert_record_judged(struct store *base, const struct query_day_mark *m, int64_t now,
                               char *err, size_t errlen)
{
	struct sqlite_store *st = sqlite_of(base);
	sqlite3_stmt *s = NULL;

	if (!st->in_batch) {
		snprintf(err, errlen, "internal error: alert state written outside a batch");
		return -1;
	}
	if (sqlite3_prepare_v2(st->db,
	                       "INSERT OR REPLACE INTO alert_judged (day, reports, last_report,"
	                       " judged_at) VALUES (?1, ?2, ?3, ?4)",
	                       -1, &s, NULL) != SQLITE_OK)
		return sqlite_fail(st, err, errlen, "cannot record alert state");
	sqlite3_bind_int64(s, 1, m->day);
	sqlite3_bind_int64(s, 2, m->reports);
	sqlite3_bind_int64(s, 3, m->last_report);
	sqlite3_bind_int64(s, 4, now);
	return query_alert_write(st, s, err, errlen);
}

int sqlite_imap_state_set(struct store *base, const char *server, const char *user,
                          const char *mailbox, int64_t uidvalidity, int64_t last_uid, char *err,
                          size_t errlen)
{
	struct sqlite_store *st = sqlite_of(base);
	sqlite3_stmt *s = NULL;
	int own_batch = !st->in_batch, rc = -1;

	if (own_batch && sqlite_begin(&st->base, err, errlen) < 0)
		return -1;
	if (sqlite3_prepare_v2(
	        st->db,
	        "INSERT INTO imap_state (server, user, mailbox, uidvalidity, last_uid,"
	        " updated) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
	        " ON CONFLICT (server, user, mailbox) DO UPDATE SET"
	        " uidvalidity = excluded.uidvalidity, last_uid = excluded.last_uid,"
	        " updated = excluded.updated",
	        -1, &s, NULL) != SQLITE_OK) {
		sqlite_fail(st, err, errlen, "cannot write IMAP state");
		goto out;
	}
	sqlite_bind_text(s, 1, server);
	sqlite_bind_text(s, 2, user);
	sqlite_bind_text(s, 3, mailbox);
	sqlite3_bind_int64(s, 4, uidvalidity);
	sqlite3_bind_int64(s, 5, last_uid);
	sqlite3_bind_int64(s, 6, (sqlite3_int64)time(NULL));
	if (sqlite3_step(s) != SQLITE_DONE) {
		sqlite_fail(st, err, errlen, "cannot write IMAP state");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(s);
	if (own_batch) {
		if (rc == 0)
			rc = sqlite_commit(&st->base, err, errlen);
		else
			sqlite_rollback(&st->base);
	}
	return rc;
}
