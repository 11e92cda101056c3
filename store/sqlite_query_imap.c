/*
 * sqlite_query_imap.c - reading the IMAP collector's state: where it
 * stopped in each mailbox (sqlite_write_state.c records it). Values come from the configuration and
 * the server (mailbox names, numbers); every statement binds them.
 */
#include "sqlite_impl.h"

#include <stdio.h>

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
