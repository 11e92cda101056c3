/*
 * sqlite_imap.c - the IMAP collector's state: where it stopped in each
 * mailbox. Values come from the configuration and the server (mailbox
 * names, numbers); every statement binds them.
 */
#include "sqlite_impl.h"

#include <stdio.h>
#include <time.h>

int store_imap_state_get(struct store *st, const char *server, const char *user,
                         const char *mailbox, int64_t *uidvalidity, int64_t *last_uid, int *found,
                         char *err, size_t errlen)
{
	sqlite3_stmt *s = NULL;
	int r, rc = -1;

	if (sqlite3_prepare_v2(st->db,
	                       "SELECT uidvalidity, last_uid FROM imap_state"
	                       " WHERE server = ?1 AND user = ?2 AND mailbox = ?3",
	                       -1, &s, NULL) != SQLITE_OK) {
		store_fail(st, err, errlen, "cannot read IMAP state");
		goto out;
	}
	store_bind_text(s, 1, server);
	store_bind_text(s, 2, user);
	store_bind_text(s, 3, mailbox);
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
		store_fail(st, err, errlen, "cannot read IMAP state");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(s);
	return rc;
}

int store_imap_state_set(struct store *st, const char *server, const char *user,
                         const char *mailbox, int64_t uidvalidity, int64_t last_uid, char *err,
                         size_t errlen)
{
	sqlite3_stmt *s = NULL;
	int own_batch = !st->in_batch, rc = -1;

	if (own_batch && store_begin(st, err, errlen) < 0)
		return -1;
	if (sqlite3_prepare_v2(
	        st->db,
	        "INSERT INTO imap_state (server, user, mailbox, uidvalidity, last_uid,"
	        " updated) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
	        " ON CONFLICT (server, user, mailbox) DO UPDATE SET"
	        " uidvalidity = excluded.uidvalidity, last_uid = excluded.last_uid,"
	        " updated = excluded.updated",
	        -1, &s, NULL) != SQLITE_OK) {
		store_fail(st, err, errlen, "cannot write IMAP state");
		goto out;
	}
	store_bind_text(s, 1, server);
	store_bind_text(s, 2, user);
	store_bind_text(s, 3, mailbox);
	sqlite3_bind_int64(s, 4, uidvalidity);
	sqlite3_bind_int64(s, 5, last_uid);
	sqlite3_bind_int64(s, 6, (sqlite3_int64)time(NULL));
	if (sqlite3_step(s) != SQLITE_DONE) {
		store_fail(st, err, errlen, "cannot write IMAP state");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(s);
	if (own_batch) {
		if (rc == 0)
			rc = store_commit(st, err, errlen);
		else
			store_rollback(st);
	}
	return rc;
}
