/*
 * sqlite_quarantine.c - reading and releasing quarantine records. The data
 * is untrusted input kept byte-exact; this file only moves it around.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "digest.h"
#include "sqlite_impl.h"
#include "xalloc.h"

#define QUARANTINE_COLUMNS                                                                         \
	"id, received, kind, name, reason, sha256, size, truncated, released, released_report"

static char *store_column_strdup(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return t != NULL ? xstrdup((const char *)t) : NULL;
}

static void store_read_entry(sqlite3_stmt *s, struct quarantine_entry *q)
{
	const void *sha = sqlite3_column_blob(s, 5);

	memset(q, 0, sizeof(*q));
	q->id = sqlite3_column_int64(s, 0);
	q->received = sqlite3_column_int64(s, 1);
	q->kind = store_column_strdup(s, 2);
	q->name = store_column_strdup(s, 3);
	q->reason = store_column_strdup(s, 4);
	if (sha != NULL && sqlite3_column_bytes(s, 5) == DIGEST_SHA256_LEN)
		digest_hex(sha, DIGEST_SHA256_LEN, q->sha256_hex);
	q->size = sqlite3_column_int64(s, 6);
	q->truncated = sqlite3_column_int(s, 7);
	q->released = sqlite3_column_int64(s, 8);
	q->released_report = sqlite3_column_int64(s, 9);
}

void store_quarantine_entry_free(struct quarantine_entry *q)
{
	if (q == NULL)
		return;
	free(q->kind);
	free(q->name);
	free(q->reason);
	free(q->data);
	memset(q, 0, sizeof(*q));
}

int store_quarantine_list(struct store *st, int all,
                          int (*fn)(const struct quarantine_entry *q, void *arg), void *arg,
                          char *err, size_t errlen)
{
	sqlite3_stmt *s = NULL;
	struct quarantine_entry q;
	int step, rc = -1, stop = 0;
	const char *sql = all ? "SELECT " QUARANTINE_COLUMNS " FROM quarantine ORDER BY id"
	                      : "SELECT " QUARANTINE_COLUMNS
	                        " FROM quarantine WHERE released IS NULL ORDER BY id";

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		store_fail(st, err, errlen, "cannot list quarantine");
		goto out;
	}
	while (!stop && (step = sqlite3_step(s)) == SQLITE_ROW) {
		store_read_entry(s, &q);
		stop = fn(&q, arg);
		store_quarantine_entry_free(&q);
	}
	if (!stop && step != SQLITE_DONE) {
		store_fail(st, err, errlen, "cannot list quarantine");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(s);
	return rc;
}

int store_quarantine_get(struct store *st, int64_t id, struct quarantine_entry *q, char *err,
                         size_t errlen)
{
	sqlite3_stmt *s = NULL;
	int step, rc = -1, n;
	const void *data;

	if (sqlite3_prepare_v2(st->db,
	                       "SELECT " QUARANTINE_COLUMNS ", data FROM quarantine WHERE id = ?1",
	                       -1, &s, NULL) != SQLITE_OK) {
		store_fail(st, err, errlen, "cannot read quarantine");
		goto out;
	}
	sqlite3_bind_int64(s, 1, id);
	step = sqlite3_step(s);
	if (step == SQLITE_DONE) {
		snprintf(err, errlen, "no quarantine record %lld", (long long)id);
		goto out;
	}
	if (step != SQLITE_ROW) {
		store_fail(st, err, errlen, "cannot read quarantine");
		goto out;
	}
	store_read_entry(s, q);
	data = sqlite3_column_blob(s, 10);
	n = sqlite3_column_bytes(s, 10);
	q->data = xmalloc((size_t)n + 1);
	if (n > 0)
		memcpy(q->data, data, (size_t)n);
	q->data[n] = '\0';
	q->data_len = (size_t)n;
	rc = 0;
out:
	sqlite3_finalize(s);
	return rc;
}

static int store_quarantine_update(struct store *st, const char *sql, int64_t id, int64_t value,
                                   const char *text, char *err, size_t errlen)
{
	sqlite3_stmt *s = NULL;
	int rc = -1;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		store_fail(st, err, errlen, "cannot update quarantine");
		goto out;
	}
	sqlite3_bind_int64(s, 1, id);
	if (text != NULL)
		sqlite3_bind_text(s, 2, text, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(s, 2, value);
	if (sqlite3_step(s) != SQLITE_DONE) {
		store_fail(st, err, errlen, "cannot update quarantine");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(s);
	return rc;
}

int store_quarantine_release(struct store *st, int64_t id, int64_t report_rowid, char *err,
                             size_t errlen)
{
	return store_quarantine_update(st,
	                               "UPDATE quarantine SET released = CAST(strftime('%s','now') "
	                               "AS INTEGER), released_report = ?2 WHERE id = ?1",
	                               id, report_rowid, NULL, err, errlen);
}

int store_quarantine_set_reason(struct store *st, int64_t id, const char *reason, char *err,
                                size_t errlen)
{
	return store_quarantine_update(st, "UPDATE quarantine SET reason = ?2 WHERE id = ?1", id, 0,
	                               reason, err, errlen);
}

int store_quarantine_add_digest(struct store *st, const struct source_info *src, const char *reason,
                                const uint8_t *data, size_t len, int64_t orig_size,
                                const uint8_t sha256[DIGEST_SHA256_LEN], int64_t *id, int *existing,
                                char *err, size_t errlen)
{
	sqlite3_stmt *s = NULL;
	int step, rc = -1;

	if (!st->in_batch) {
		snprintf(err, errlen,
		         "internal error: store_quarantine_add_digest outside a batch");
		return -1;
	}
	if (sqlite3_prepare_v2(st->db, "SELECT id FROM quarantine WHERE sha256 = ?1", -1, &s,
	                       NULL) != SQLITE_OK) {
		store_fail(st, err, errlen, "cannot look up quarantine");
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
		store_fail(st, err, errlen, "cannot look up quarantine");
		goto out;
	}
	sqlite3_finalize(s);
	s = NULL;
	if (sqlite3_prepare_v2(
	        st->db,
	        "INSERT INTO quarantine (received, kind, name, reason, sha256, size, "
	        "data, truncated) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	        -1, &s, NULL) != SQLITE_OK) {
		store_fail(st, err, errlen, "cannot add quarantine record");
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
		store_fail(st, err, errlen, "cannot add quarantine record");
		goto out;
	}
	*id = sqlite3_last_insert_rowid(st->db);
	*existing = 0;
	rc = 0;
out:
	sqlite3_finalize(s);
	return rc;
}

/* One integer from sql with up to one bound integer (?1). */
static int store_quarantine_int(struct store *st, const char *sql, int64_t arg, int64_t *out,
                                char *err, size_t errlen)
{
	sqlite3_stmt *s = NULL;
	int rc = -1;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		store_fail(st, err, errlen, "cannot read quarantine");
		goto out;
	}
	if (sqlite3_bind_parameter_count(s) > 0)
		sqlite3_bind_int64(s, 1, arg);
	if (sqlite3_step(s) != SQLITE_ROW) {
		store_fail(st, err, errlen, "cannot read quarantine");
		goto out;
	}
	*out = sqlite3_column_int64(s, 0);
	rc = 0;
out:
	sqlite3_finalize(s);
	return rc;
}

int store_quarantine_usage(struct store *st, int64_t *bytes, int64_t *records, char *err,
                           size_t errlen)
{
	if (store_quarantine_int(st, "SELECT COALESCE(SUM(length(data)), 0) FROM quarantine", 0,
	                         bytes, err, errlen) < 0 ||
	    store_quarantine_int(st, "SELECT COUNT(*) FROM quarantine", 0, records, err, errlen) <
	        0)
		return -1;
	return 0;
}

/* Runs a DELETE with one bound integer (?1, through the update helper,
 * whose ?2 such a statement does not have); the rows removed in *deleted. */
static int store_quarantine_delete_sql(struct store *st, const char *sql, int64_t arg,
                                       int64_t *deleted, char *err, size_t errlen)
{
	if (store_quarantine_update(st, sql, arg, 0, NULL, err, errlen) < 0)
		return -1;
	*deleted = sqlite3_changes(st->db);
	return 0;
}

int store_quarantine_delete(struct store *st, int64_t id, char *err, size_t errlen)
{
	int64_t deleted = 0;

	if (store_quarantine_delete_sql(st, "DELETE FROM quarantine WHERE id = ?1", id, &deleted,
	                                err, errlen) < 0)
		return -1;
	if (deleted == 0) {
		snprintf(err, errlen, "no quarantine record %lld", (long long)id);
		return -1;
	}
	return 0;
}

int store_quarantine_delete_before(struct store *st, int64_t before, int64_t *deleted, char *err,
                                   size_t errlen)
{
	return store_quarantine_delete_sql(st, "DELETE FROM quarantine WHERE received < ?1", before,
	                                   deleted, err, errlen);
}

int store_quarantine_trim(struct store *st, int64_t max_bytes, int64_t *deleted, char *err,
                          size_t errlen)
{
	int64_t bytes = 0, records = 0, last = 0;
	sqlite3_stmt *s = NULL;
	int step, rc = -1;

	*deleted = 0;
	if (store_quarantine_usage(st, &bytes, &records, err, errlen) < 0)
		return -1;
	if (bytes <= max_bytes)
		return 0;
	/* the oldest first, until what is left fits */
	if (sqlite3_prepare_v2(st->db, "SELECT id, length(data) FROM quarantine ORDER BY id", -1,
	                       &s, NULL) != SQLITE_OK) {
		store_fail(st, err, errlen, "cannot read quarantine");
		goto out;
	}
	while (bytes > max_bytes && (step = sqlite3_step(s)) == SQLITE_ROW) {
		last = sqlite3_column_int64(s, 0);
		bytes -= sqlite3_column_int64(s, 1);
	}
	sqlite3_finalize(s);
	s = NULL;
	if (last > 0 && store_quarantine_delete_sql(st, "DELETE FROM quarantine WHERE id <= ?1",
	                                            last, deleted, err, errlen) < 0)
		goto out;
	rc = 0;
out:
	sqlite3_finalize(s);
	return rc;
}
