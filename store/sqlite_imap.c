/*
 * sqlite_imap.c - the IMAP collector's state: where it stopped in each
 * mailbox. Values come from the configuration and the server (mailbox
 * names, numbers); every statement binds them.
 */
#include "sqlite_impl.h"

#include <stdio.h>
#include <time.h>

int sqlite_imap_state_get(struct store *base, const char *server, const char *user,
                          const char *mailbox, int64_t *uidvalidity, int64_t *last_uid, int *found,
                          char *err, size_t errlen)
{
	struct sqlite_store *st = sqlite_of(base);
	sqlite3_stmt *s = NULL;
	int r, rc = -1;

	if (sqlite3_prepare_v2(st->db,
	                       "SELECT uidvalidity, last_uid FROM imap_state"
	                       " WHERE server = ?1 AND user = ?2 AND mailbox = ?3",
	                       -1, &s, NULL) != SQLITE_OK) {
		sqlite_fail(st, err, errlen, "cannot read IMAP state");
		goto out;
	}
	sqlite_bind_text(s, 1, server);
	sqlite_bind_text(s, 2, user);
	sqlite_bind_text(s, 3, mailbox);
	r = sqlite3_step(s);
	if (r == SQLITE_ROW) {
		*uidvalidity = sqlite3_column_int64(s, 0);
		*last_uid = sqlite3_column_int64(s, 1);
		*found = 1;
	} else if (r == SQLITE_DONE) {
		*uidvalidity = 0;
		*last_uid = 0;
		*found = 0;
	} else {
		sqlite_fail(st, err, errlen, "cannot read IMAP state");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(s);
	return rc;
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
