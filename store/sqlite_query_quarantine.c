/*
 * sqlite_query_quarantine.c - listing, loading and measuring quarantine
 * records (sqlite_write_quarantine.c keeps, releases and deletes them).
 * The data is untrusted input kept byte-exact; this file only reads it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "digest.h"
#include "sqlite_impl.h"
#include "sqlite_query_impl.h"
#include "xalloc.h"

#define QUARANTINE_COLUMNS                                                                         \
	"id, received, kind, name, reason, sha256, size, truncated, released, released_report,"    \
	" conflict_report, provenance"

static void sqlite_read_entry(sqlite3_stmt *s, struct quarantine_entry *q)
{
	const void *sha = sqlite3_column_blob(s, 5);

	memset(q, 0, sizeof(*q));
	q->id = sqlite3_column_int64(s, 0);
	q->received = sqlite3_column_int64(s, 1);
	q->kind = query_column_strdup(s, 2);
	q->name = query_column_strdup(s, 3);
	q->reason = query_column_strdup(s, 4);
	if (sha != NULL && sqlite3_column_bytes(s, 5) == DIGEST_SHA256_LEN)
		digest_hex(sha, DIGEST_SHA256_LEN, q->sha256_hex);
	q->size = sqlite3_column_int64(s, 6);
	q->truncated = sqlite3_column_int(s, 7);
	q->released = sqlite3_column_int64(s, 8);
	q->released_report = sqlite3_column_int64(s, 9);
	q->conflict_report = sqlite3_column_int64(s, 10);
	q->provenance = query_column_strdup(s, 11);
}

int sqlite_quarantine_list(struct store *base, int all,
                           int (*fn)(const struct quarantine_entry *q, void *arg), void *arg,
                           char *err, size_t errlen)
{
	struct sqlite_store *st = sqlite_of(base);
	sqlite3_stmt *s = NULL;
	struct quarantine_entry q;
	int step, rc = -1, stop = 0;
	const char *sql = all ? "SELECT " QUARANTINE_COLUMNS " FROM quarantine ORDER BY id"
	                      : "SELECT " QUARANTINE_COLUMNS
	                        " FROM quarantine WHERE released IS NULL ORDER BY id";

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		sqlite_fail(st, err, errlen, "cannot list quarantine");
		goto out;
	}
	while (!stop && (step = sqlite3_step(s)) == SQLITE_ROW) {
		sqlite_read_entry(s, &q);
		stop = fn(&q, arg);
		store_quarantine_entry_free(&q);
	}
	if (!stop && step != SQLITE_DONE) {
		sqlite_fail(st, err, errlen, "cannot list quarantine");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(s);
	return rc;
}

int sqlite_quarantine_get(struct store *base, int64_t id, struct quarantine_entry *q, char *err,
                          size_t errlen)
{
	struct sqlite_store *st = sqlite_of(base);
	sqlite3_stmt *s = NULL;
	int step, rc = -1, n;
	const void *data;

	if (sqlite3_prepare_v2(st->db,
	                       "SELECT " QUARANTINE_COLUMNS ", data FROM quarantine WHERE id = ?1",
	                       -1, &s, NULL) != SQLITE_OK) {
		sqlite_fail(st, err, errlen, "cannot read quarantine");
		goto out;
	}
	sqlite3_bind_int64(s, 1, id);
	step = sqlite3_step(s);
	if (step == SQLITE_DONE) {
		snprintf(err, errlen, "no quarantine record %lld", (long long)id);
		goto out;
	}
	if (step != SQLITE_ROW) {
		sqlite_fail(st, err, errlen, "cannot read quarantine");
		goto out;
	}
	sqlite_read_entry(s, q);
	data = sqlite3_column_blob(s, 12);
	n = sqlite3_column_bytes(s, 12);
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

/* One integer from sql with up to one bound integer (?1). */
static int sqlite_quarantine_int(struct sqlite_store *st, const char *sql, int64_t arg,
                                 int64_t *out, char *err, size_t errlen)
{
	sqlite3_stmt *s = NULL;
	int rc = -1;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		sqlite_fail(st, err, errlen, "cannot read quarantine");
		goto out;
	}
	if (sqlite3_bind_parameter_count(s) > 0)
		sqlite3_bind_int64(s, 1, arg);
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite_fail(st, err, errlen, "cannot read quarantine");
		goto out;
	}
	*out = sqlite3_column_int64(s, 0);
	rc = 0;
out:
	sqlite3_finalize(s);
	return rc;
}

int sqlite_quarantine_usage(struct store *base, int64_t *bytes, int64_t *records, char *err,
                            size_t errlen)
{
	struct sqlite_store *st = sqlite_of(base);
	if (sqlite_quarantine_int(st, "SELECT COALESCE(SUM(length(data)), 0) FROM quarantine", 0,
	                          bytes, err, errlen) < 0 ||
	    sqlite_quarantine_int(st, "SELECT COUNT(*) FROM quarantine", 0, records, err, errlen) <
	        0)
		return -1;
	return 0;
}
