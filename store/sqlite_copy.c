/*
 * sqlite_copy.c - every row of one table, for store_copy (store/copy.c):
 * the SQLite store as the source of 'tlswatch db copy'. The table and
 * column names come from copy.c's fixed list, never from input.
 */
#include <stdio.h>
#include <string.h>

#include "sqlite_impl.h"
#include "strbuf.h"

int sqlite_rows_read(struct store *base, const struct store_table *t,
                     int (*fn)(const struct store_value *row, void *arg), void *arg, char *err,
                     size_t errlen)
{
	struct sqlite_store *st = sqlite_of(base);
	struct store_value row[STORE_TABLE_MAX_COLUMNS];
	sqlite3_stmt *s = NULL;
	struct strbuf sql;
	int i, n = 0, step, rc = -1;

	strbuf_init(&sql, 4096);
	if ((n = store_table_sql(t, 0, 0, &sql)) < 0)
		goto toolong;
	if (sqlite3_prepare_v2(st->db, strbuf_str(&sql), -1, &s, NULL) != SQLITE_OK) {
		sqlite_fail(st, err, errlen, "cannot read for a copy");
		goto out;
	}
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		for (i = 0; i < n; i++) {
			struct store_value *v = &row[i];

			switch (sqlite3_column_type(s, i)) {
			case SQLITE_NULL:
				v->type = STORE_NULL;
				break;
			case SQLITE_INTEGER:
				v->type = STORE_INT;
				v->num = sqlite3_column_int64(s, i);
				break;
			case SQLITE_BLOB:
				v->type = STORE_BLOB;
				v->data = sqlite3_column_blob(s, i);
				v->len = (size_t)sqlite3_column_bytes(s, i);
				break;
			default: /* text (and no REAL is ever stored) */
				v->type = STORE_TEXT;
				v->data = sqlite3_column_text(s, i);
				v->len = (size_t)sqlite3_column_bytes(s, i);
				break;
			}
		}
		if (fn(row, arg) < 0)
			goto out;
	}
	if (step != SQLITE_DONE) {
		sqlite_fail(st, err, errlen, "cannot read for a copy");
		goto out;
	}
	rc = 0;
	goto out;
toolong:
	snprintf(err, errlen, "internal error: table %s: statement too long", t->name);
out:
	sqlite3_finalize(s);
	strbuf_free(&sql);
	return rc;
}

int sqlite_rows_write(struct store *base, const struct store_table *t,
                      const struct store_value *row, char *err, size_t errlen)
{
	struct sqlite_store *st = sqlite_of(base);
	sqlite3_stmt *s = NULL;
	struct strbuf sql;
	int i, n, rc = -1;

	/* an INTEGER PRIMARY KEY goes on after the largest id by itself;
	 * roll_reason has no triggers to make it as rows arrive: summed once
	 * the failure details are in (schema/019_reason_rollup.sql) */
	if (row == NULL)
		return strcmp(t->name, "failure") == 0 ? sqlite_reason_roll_fill(st, err, errlen)
		                                       : 0;
	strbuf_init(&sql, 4096);
	if ((n = store_table_sql(t, 1, 0, &sql)) < 0)
		goto toolong;
	if (sqlite3_prepare_v2(st->db, strbuf_str(&sql), -1, &s, NULL) != SQLITE_OK) {
		sqlite_fail(st, err, errlen, "cannot copy");
		goto out;
	}
	for (i = 0; i < n; i++) {
		const struct store_value *v = &row[i];

		if (v->type == STORE_INT)
			sqlite3_bind_int64(s, i + 1, v->num);
		else if (v->type == STORE_TEXT)
			sqlite3_bind_text(s, i + 1, v->data, (int)v->len, SQLITE_TRANSIENT);
		else if (v->type == STORE_BLOB)
			sqlite3_bind_blob(s, i + 1, v->len > 0 ? v->data : "", (int)v->len,
			                  SQLITE_TRANSIENT);
	}
	rc = sqlite_step_done(st, s, "cannot copy", err, errlen);
	goto out;
toolong:
	snprintf(err, errlen, "internal error: table %s: statement too long", t->name);
out:
	sqlite3_finalize(s);
	strbuf_free(&sql);
	return rc;
}

int sqlite_read_snapshot(struct store *base, int on, char *err, size_t errlen)
{
	struct sqlite_store *st = sqlite_of(base);

	if (on) {
		/* a read transaction: in WAL mode its first read fixes the
		 * snapshot every later read of the copy sees */
		if (st->in_batch || st->snapshot || !sqlite3_get_autocommit(st->db))
			return 0;
		if (sqlite3_exec(st->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
			return sqlite_fail(st, err, errlen, "cannot read for a copy");
		st->snapshot = 1;
		return 0;
	}
	if (!st->snapshot)
		return 0;
	st->snapshot = 0;
	if (sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		return sqlite_fail(st, err, errlen, "cannot read for a copy");
	return 0;
}
