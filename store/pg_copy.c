/*
 * pg_copy.c - the rows of one table read, and one row added as it was,
 * for store_copy (store/copy.c): the PostgreSQL store as the source or
 * the target of 'tlswatch db copy'. Table and column names come from
 * copy.c's fixed list; every value is a parameter.
 */
#include <stdio.h>
#include <string.h>

#include "pg_impl.h"
#include "strbuf.h"

int pg_rows_write(struct store *base, const struct store_table *t, const struct store_value *row,
                  char *err, size_t errlen)
{
	struct pg_store *st = pg_of(base);
	struct pg_params p;
	struct strbuf sql;
	int i, rc = -1;

	strbuf_init(&sql, 4096);
	pg_params_init(&p);
	if (row == NULL) {
		/* ids were kept: the next one follows the largest */
		if (t->identity == NULL) {
			rc = 0;
			goto out;
		}
		if (strbuf_printf(&sql,
		                  "SELECT setval(pg_get_serial_sequence('%s', '%s'),"
		                  " coalesce((SELECT max(%s) FROM %s), 0) + 1, false)",
		                  t->name, t->identity, t->identity, t->name) < 0)
			goto toolong;
		rc = pg_run(st, strbuf_str(&sql), NULL, "cannot copy", NULL, err, errlen);
		goto out;
	}
	if (store_table_sql(t, 1, 1, &sql) < 0)
		goto toolong;
	for (i = 0; i < STORE_TABLE_MAX_COLUMNS && t->columns[i] != NULL; i++) {
		const struct store_value *v = &row[i];

		if (v->type == STORE_INT)
			pg_param_int(&p, v->num);
		else if (v->type == STORE_TEXT)
			pg_param_text(&p, v->data);
		else if (v->type == STORE_BLOB)
			pg_param_blob(&p, v->data, v->len);
		else
			pg_param_text(&p, NULL);
	}
	rc = pg_run(st, strbuf_str(&sql), &p, "cannot copy", NULL, err, errlen);
	goto out;
toolong:
	snprintf(err, errlen, "internal error: table %s: statement too long", t->name);
out:
	strbuf_free(&sql);
	return rc;
}

/* Rows fetched from the copy's cursor at once: a table of any size is
 * read in pieces of this many rows (a raw_report row holds up to a
 * report's gzip bytes), not held whole in one result. */
#define PG_COPY_FETCH "FETCH 500 FROM tlswatch_copy"

/* Row i of r as store_values; bytea decoded into blobs[] (freed by the
 * caller). 0, or -1 when a value cannot be decoded. */
static int pg_copy_row(const PGresult *r, int row, int n, struct store_value *v,
                       unsigned char **blobs)
{
	int i;

	for (i = 0; i < n; i++) {
		memset(&v[i], 0, sizeof(v[i]));
		if (PQgetisnull(r, row, i)) {
			v[i].type = STORE_NULL;
		} else if (PQftype(r, i) == 20 || PQftype(r, i) == 23) { /* int8, int4 */
			v[i].type = STORE_INT;
			v[i].num = pg_int(r, row, i);
		} else if (PQftype(r, i) == 17) { /* bytea */
			blobs[i] = PQunescapeBytea((const unsigned char *)PQgetvalue(r, row, i),
			                           &v[i].len);
			if (blobs[i] == NULL)
				return -1;
			v[i].type = STORE_BLOB;
			v[i].data = blobs[i];
		} else {
			v[i].type = STORE_TEXT;
			v[i].data = PQgetvalue(r, row, i);
			v[i].len = (size_t)PQgetlength(r, row, i);
		}
	}
	return 0;
}

int pg_rows_read(struct store *base, const struct store_table *t,
                 int (*fn)(const struct store_value *row, void *arg), void *arg, char *err,
                 size_t errlen)
{
	struct pg_store *st = pg_of(base);
	struct store_value row[STORE_TABLE_MAX_COLUMNS];
	unsigned char *blobs[STORE_TABLE_MAX_COLUMNS];
	struct strbuf sql;
	PGresult *r = NULL;
	int i, j, n = 0, rows, began = 0, rc = -1, bad;

	strbuf_init(&sql, 4096);
	if (strbuf_puts(&sql, "DECLARE tlswatch_copy NO SCROLL CURSOR FOR ") < 0 ||
	    (n = store_table_sql(t, 0, 1, &sql)) < 0)
		goto toolong;
	/* a cursor lives in a transaction: the source's own, read only */
	if (!st->in_batch) {
		if (pg_run(st, "BEGIN", NULL, "cannot read for a copy", NULL, err, errlen) < 0)
			goto out;
		began = 1;
	}
	if (pg_run(st, strbuf_str(&sql), NULL, "cannot read for a copy", NULL, err, errlen) < 0)
		goto out;
	do {
		if ((r = pg_exec(st, PG_COPY_FETCH, NULL, "cannot read for a copy", err, errlen)) ==
		    NULL)
			goto out;
		rows = PQntuples(r);
		for (i = 0; i < rows; i++) {
			memset(blobs, 0, sizeof(blobs));
			bad = pg_copy_row(r, i, n, row, blobs);
			if (bad < 0)
				snprintf(err, errlen,
				         "database %s: table %s: a bytea value reads badly",
				         st->shown, t->name);
			if (bad == 0)
				bad = fn(row, arg);
			for (j = 0; j < n; j++)
				PQfreemem(blobs[j]);
			if (bad < 0)
				goto out;
		}
		PQclear(r);
		r = NULL;
	} while (rows > 0);
	if (pg_run(st, "CLOSE tlswatch_copy", NULL, "cannot read for a copy", NULL, err, errlen) <
	    0)
		goto out;
	rc = 0;
	goto out;
toolong:
	snprintf(err, errlen, "internal error: table %s: statement too long", t->name);
out:
	PQclear(r);
	if (began) {
		char ignored[8];

		pg_run(st, rc == 0 ? "COMMIT" : "ROLLBACK", NULL, "", NULL, ignored,
		       sizeof(ignored));
	}
	strbuf_free(&sql);
	return rc;
}
