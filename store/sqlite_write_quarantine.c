/*
 * sqlite_write_quarantine.c - keeping a refused input in quarantine and
 * releasing it (sqlite_query_quarantine.c reads them). The data is
 * untrusted input kept byte-exact, bound as a blob.
 */
#include <stdio.h>

#include "digest.h"
#include "sqlite_impl.h"

#define SQL_FIND_QUARANTINE "SELECT id FROM quarantine WHERE sha256 = ?1 AND released IS NULL"
#define SQL_ADD_QUARANTINE                                                                         \
	"INSERT INTO quarantine (received, kind, name, reason, sha256, size, data, truncated)"     \
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"

int sqlite_add_quarantine(struct store *base, const struct source_info *src, const char *reason,
                          const uint8_t *data, size_t len, int64_t orig_size, int truncated,
                          int64_t *id, int *existing, char *err, size_t errlen)
{
	struct sqlite_store *st = sqlite_of(base);
	uint8_t sha[DIGEST_SHA256_LEN];
	sqlite3_stmt *s;
	int step;

	if (!st->in_batch) {
		snprintf(err, errlen, "internal error: store_add_quarantine outside a batch");
		return -1;
	}
	digest_sha256(data, len, sha);
	if ((s = sqlite_stmt(st, STMT_FIND_QUARANTINE, SQL_FIND_QUARANTINE, err, errlen)) == NULL)
		return -1;
	sqlite3_bind_blob(s, 1, sha, sizeof(sha), SQLITE_STATIC);
	step = sqlite3_step(s);
	if (step == SQLITE_ROW) {
		*id = sqlite3_column_int64(s, 0);
		*existing = 1;
		sqlite3_reset(s);
		return 0;
	}
	if (step != SQLITE_DONE)
		return sqlite_fail(st, err, errlen, "cannot look up quarantine");
	if ((s = sqlite_stmt(st, STMT_ADD_QUARANTINE, SQL_ADD_QUARANTINE, err, errlen)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, src->received);
	sqlite_bind_text(s, 2, src->kind);
	sqlite_bind_text(s, 3, src->name);
	sqlite_bind_text(s, 4, reason);
	sqlite3_bind_blob(s, 5, sha, sizeof(sha), SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, orig_size);
	if (len == 0)
		sqlite3_bind_zeroblob(s, 7, 0); /* NULL data would bind SQL NULL */
	else
		sqlite3_bind_blob64(s, 7, data, len, SQLITE_STATIC);
	sqlite3_bind_int(s, 8, truncated);
	if (sqlite_step_done(st, s, "cannot add quarantine record", err, errlen) < 0)
		return -1;
	*id = sqlite3_last_insert_rowid(st->db);
	*existing = 0;
	return 0;
}

static int sqlite_quarantine_update(struct sqlite_store *st, const char *sql, int64_t id,
                                    int64_t value, const char *text, char *err, size_t errlen)
{
	sqlite3_stmt *s = NULL;
	int rc = -1;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		sqlite_fail(st, err, errlen, "cannot update quarantine");
		goto out;
	}
	sqlite3_bind_int64(s, 1, id);
	if (text != NULL)
		sqlite3_bind_text(s, 2, text, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(s, 2, value);
	if (sqlite3_step(s) != SQLITE_DONE) {
		sqlite_fail(st, err, errlen, "cannot update quarantine");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(s);
	return rc;
}

int sqlite_quarantine_release(struct store *base, int64_t id, int64_t report_rowid, char *err,
                              size_t errlen)
{
	struct sqlite_store *st = sqlite_of(base);
	return sqlite_quarantine_update(
	    st,
	    "UPDATE quarantine SET released = CAST(strftime('%s','now') "
	    "AS INTEGER), released_report = ?2 WHERE id = ?1",
	    id, report_rowid, NULL, err, errlen);
}

int sqlite_quarantine_set_reason(struct store *base, int64_t id, const char *reason, char *err,
                                 size_t errlen)
{
	struct sqlite_store *st = sqlite_of(base);
	return sqlite_quarantine_update(st, "UPDATE quarantine SET reason = ?2 WHERE id = ?1", id,
	                                0, reason, err, errlen);
}

int sqlite_quarantine_add_digest(struct store *base, const struct source_info *src,
                                 const char *reason, const uint8_t *data, size_t len,
                                 int64_t orig_size, const uint8_t sha256[DIGEST_SHA256_LEN],
                                 int64_t *id, int *existing, char *err, size_t errlen)
{
	struct sqlite_store *st = sqlite_of(base);
	sqlite3_stmt *s = NULL;
	int step, rc = -1;

	if (!st->in_batch) {
		snprintf(err, errlen,
		         "internal error: store_quarantine_add_digest outside a batch");
		return -1;
	}
	if (sqlite3_prepare_v2(st->db, "SELECT id FROM quarantine WHERE sha256 = ?1", -1, &s,
	                       NULL) != SQLITE_OK) {
		sqlite_fail(st, err, errlen, "cannot look up quarantine");
		goto out;
	}
	sqlite3_bind_blob(s, 1, sha256, DIGEST_SHA256_LEN, SQLITE_STATIC);
	if ((step = sqlite3_step(s)) == SQLITE_ROW) {
		*id = sqlite3_column_int64(s, 0);
		*existing = 1;
		rc = 0;
		goto out;
	}
	if (step != SQLITE_DONE) {
		sqlite_fail(st, err, errlen, "cannot look up quarantine");
		goto out;
	}
	sqlite3_finalize(s);
	s = NULL;
	if (sqlite3_prepare_v2(
	        st->db,
	        "INSERT INTO quarantine (received, kind, name, reason, sha256, size, "
	        "data, truncated) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	        -1, &s, NULL) != SQLITE_OK) {
		sqlite_fail(st, err, errlen, "cannot add quarantine record");
		goto out;
	}
	sqlite3_bind_int64(s, 1, src->received);
	sqlite3_bind_text(s, 2, src->kind, -1, SQLITE_STATIC);
	if (src->name != NULL)
		sqlite3_bind_text(s, 3, src->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, reason, -1, SQLITE_STATIC);
	sqlite3_bind_blob(s, 5, sha256, DIGEST_SHA256_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, orig_size);
	if (len == 0)
		sqlite3_bind_zeroblob(s, 7, 0); /* NULL data would bind SQL NULL */
	else
		sqlite3_bind_blob64(s, 7, data, len, SQLITE_STATIC);
	sqlite3_bind_int(s, 8, (int64_t)len < orig_size);
	if (sqlite3_step(s) != SQLITE_DONE) {
		sqlite_fail(st, err, errlen, "cannot add quarantine record");
		goto out;
	}
	*id = sqlite3_last_insert_rowid(st->db);
	*existing = 0;
	rc = 0;
out:
	sqlite3_finalize(s);
	return rc;
}

/* Runs a DELETE with one bound integer (?1, through the update helper,
 * whose ?2 such a statement does not have); the rows removed in *deleted. */
static int sqlite_quarantine_delete_sql(struct sqlite_store *st, const char *sql, int64_t arg,
                                        int64_t *deleted, char *err, size_t errlen)
{
	if (sqlite_quarantine_update(st, sql, arg, 0, NULL, err, errlen) < 0)
		return -1;
	*deleted = sqlite3_changes(st->db);
	return 0;
}

int sqlite_quarantine_delete(struct store *base, int64_t id, char *err, size_t errlen)
{
	struct sqlite_store *st = sqlite_of(base);
	int64_t deleted = 0;

	if (sqlite_quarantine_delete_sql(st, "DELETE FROM quarantine WHERE id = ?1", id, &deleted,
	                                 err, errlen) < 0)
		return -1;
	if (deleted == 0) {
		snprintf(err, errlen, "no quarantine record %lld", (long long)id);
		return -1;
	}
	return 0;
}

int sqlite_quarantine_delete_before(struct store *base, int64_t before, int64_t *deleted, char *err,
                                    size_t errlen)
{
	struct sqlite_store *st = sqlite_of(base);
	return sqlite_quarantine_delete_sql(st, "DELETE FROM quarantine WHERE received < ?1",
	                                    before, deleted, err, errlen);
}

int sqlite_quarantine_trim(struct store *base, int64_t max_bytes, int64_t *deleted, char *err,
                           size_t errlen)
{
	struct sqlite_store *st = sqlite_of(base);
	int64_t bytes = 0, records = 0, last = 0;
	sqlite3_stmt *s = NULL;
	int step, rc = -1;

	*deleted = 0;
	if (sqlite_quarantine_usage(&st->base, &bytes, &records, err, errlen) < 0)
		return -1;
	if (bytes <= max_bytes)
		return 0;
	/* the oldest first, until what is left fits */
	if (sqlite3_prepare_v2(st->db, "SELECT id, length(data) FROM quarantine ORDER BY id", -1,
	                       &s, NULL) != SQLITE_OK) {
		sqlite_fail(st, err, errlen, "cannot read quarantine");
		goto out;
	}
	while (bytes > max_bytes && (step = sqlite3_step(s)) == SQLITE_ROW) {
		last = sqlite3_column_int64(s, 0);
		bytes -= sqlite3_column_int64(s, 1);
	}
	sqlite3_finalize(s);
	s = NULL;
	if (last > 0 && sqlite_quarantine_delete_sql(st, "DELETE FROM quarantine WHERE id <= ?1",
	                                             last, deleted, err, errlen) < 0)
		goto out;
	rc = 0;
out:
	sqlite3_finalize(s);
	return rc;
}
