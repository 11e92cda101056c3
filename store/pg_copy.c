/*
 * pg_copy.c - one row of one table added as it was, for store_copy
 * (store/copy.c): the PostgreSQL store as the target of 'tlswatch db
 * copy'. Table and column names come from copy.c's fixed list; every
 * value is a parameter.
 */
#include <stdio.h>

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
	if (strbuf_printf(&sql, "INSERT INTO %s (", t->name) < 0)
		goto toolong;
	for (i = 0; i < STORE_TABLE_MAX_COLUMNS && t->columns[i] != NULL; i++) {
		const struct store_value *v = &row[i];

		if (strbuf_puts(&sql, i > 0 ? ", " : "") < 0 ||
		    strbuf_puts(&sql, t->columns[i]) < 0)
			goto toolong;
		if (v->type == STORE_INT)
			pg_param_int(&p, v->num);
		else if (v->type == STORE_TEXT)
			pg_param_text(&p, v->data);
		else if (v->type == STORE_BLOB)
			pg_param_blob(&p, v->data, v->len);
		else
			pg_param_text(&p, NULL);
	}
	if (strbuf_puts(&sql, ") VALUES (") < 0)
		goto toolong;
	for (i = 0; i < p.n; i++)
		if (strbuf_printf(&sql, "%s$%d", i > 0 ? ", " : "", i + 1) < 0)
			goto toolong;
	if (strbuf_puts(&sql, ")") < 0)
		goto toolong;
	rc = pg_run(st, strbuf_str(&sql), &p, "cannot copy", NULL, err, errlen);
	goto out;
toolong:
	snprintf(err, errlen, "internal error: table %s: statement too long", t->name);
out:
	strbuf_free(&sql);
	return rc;
}
