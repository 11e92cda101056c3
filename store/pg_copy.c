/*
 * pg_copy.c - the rows of one table read, and one row added as it was,
 * for store_copy (store/copy.c): the PostgreSQL store as the source or
 * the target of 'tlswatch db copy'. Table and column names come from
 * copy.c's fixed list; every value goes as data of a COPY (copy_field
 * escapes it), never as SQL text.
 *
 * As a target: raw_report, policy and failure are partitioned by their
 * report's day (schema/pg/018), which the source's rows do not carry.
 * Their rows wait in a temporary table of the same columns and move, with
 * the day of their report, once the table they take it from is complete:
 * raw_report after report, policy and failure after themselves.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "limits.h"
#include "pg_impl.h"
#include "strbuf.h"
#include "xalloc.h"

/* The rows of one table not yet sent: 'db copy' writes a table as COPY
 * statements of up to LIMIT_PG_BATCH_BYTES each, not one INSERT (one
 * round trip) a row: 9.5 million reports are some 60 million rows.
 *
 * The table's own triggers (the roll-ups of schema 012 and later, and
 * 018's report_key, filled afterwards by copy_report_keys) are off
 * while its rows arrive, and the roll-ups are refilled from their sums
 * once, before the copy commits (pg_copy_finish): in one transaction a
 * trigger that adds to the same roll-up row again and again leaves a
 * chain of row versions each update walks, which grew to 0.9 ms a row at
 * 50,000 reports (45 s for the report table alone). */
struct pg_copy_rows {
	const struct store_table *t;
	char into[64];      /* t, or the temporary table its rows wait in */
	struct strbuf rows; /* COPY's text format */
	int triggers_off;   /* 1: t's triggers are disabled */
	int stale;          /* 1: the roll-ups are to be refilled */
};

/* One row may pass the flush mark by its own size: a quarantined input
 * (LIMIT_INPUT_BYTES) written as hex, and its text values escaped. */
#define PG_COPY_CAP (LIMIT_PG_BATCH_BYTES + 4 * (size_t)LIMIT_INPUT_BYTES)

/* A table whose rows wait for their day, and how they then move. */
struct copy_staged {
	const char *name;    /* the table */
	const char *after;   /* the copied table whose end moves them */
	const char *columns; /* every column but day */
	const char *move;    /* the day of each row, joined in */
};

static const struct copy_staged copy_staged[] = {
    {"raw_report", "report", "id, sha256, json_size, gz",
     "SELECT w.*, r.day FROM pg_temp.tw_copy_raw_report w JOIN report r ON r.raw_id = w.id"},
    {"policy", "policy",
     "id, report, idx, policy_type, policy_domain, policy_strings, mx_hosts,"
     " successful_sessions, failed_sessions, policy_domain_source",
     "SELECT w.*, k.day FROM pg_temp.tw_copy_policy w JOIN report_key k ON k.id = w.report"},
    {"failure", "failure",
     "id, policy, result_type, sending_mta_ip, receiving_mx_hostname, receiving_mx_helo,"
     " receiving_ip, additional_information, failure_reason_code, failed_sessions",
     "SELECT w.*, p.day FROM pg_temp.tw_copy_failure w JOIN policy p ON p.id = w.policy"},
};

#define N_STAGED (sizeof(copy_staged) / sizeof(copy_staged[0]))

static const struct copy_staged *copy_staged_of(const char *table)
{
	size_t i;

	for (i = 0; i < N_STAGED; i++)
		if (strcmp(copy_staged[i].name, table) == 0)
			return &copy_staged[i];
	return NULL;
}

/* The identity of table t goes on after its largest id. */
static int copy_setval(struct pg_store *st, const char *table, const char *identity,
                       struct strbuf *sql, char *err, size_t errlen)
{
	strbuf_reset(sql);
	if (strbuf_printf(sql,
	                  "SELECT setval(pg_get_serial_sequence('%s', '%s'),"
	                  " coalesce((SELECT max(%s) FROM %s), 0) + 1, false)",
	                  table, identity, identity, table) < 0) {
		snprintf(err, errlen, "internal error: table %s: statement too long", table);
		return -1;
	}
	return pg_run(st, strbuf_str(sql), NULL, "cannot copy", NULL, err, errlen);
}

/* The temporary tables of the staged rows, once per target transaction. */
static int copy_staging_make(struct pg_store *st, struct strbuf *sql, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < N_STAGED; i++) {
		strbuf_reset(sql);
		if (strbuf_printf(sql,
		                  "CREATE TEMP TABLE tw_copy_%s ON COMMIT DROP AS SELECT %s FROM %s"
		                  " WITH NO DATA",
		                  copy_staged[i].name, copy_staged[i].columns,
		                  copy_staged[i].name) < 0) {
			snprintf(err, errlen, "internal error: statement too long");
			return -1;
		}
		if (pg_run(st, strbuf_str(sql), NULL, "cannot copy", NULL, err, errlen) < 0)
			return -1;
	}
	st->copy_staging = 1;
	return 0;
}

/* ALTER TABLE t ENABLE or DISABLE TRIGGER USER: the table's owner (the
 * role that ran the migrations) may; undone by a rollback. */
static int copy_triggers(struct pg_store *st, const char *table, int on, char *err, size_t errlen)
{
	char sql[128];

	snprintf(sql, sizeof(sql), "ALTER TABLE %s %s TRIGGER USER", table,
	         on ? "ENABLE" : "DISABLE");
	return pg_run(st, sql, NULL, "cannot copy", NULL, err, errlen);
}

/* Table t is complete: the staged rows that waited for it move. */
static int copy_table_done(struct pg_store *st, const struct store_table *t, struct strbuf *sql,
                           char *err, size_t errlen)
{
	size_t i;

	if (copy_staged_of(t->name) == NULL && t->identity != NULL &&
	    copy_setval(st, t->name, t->identity, sql, err, errlen) < 0)
		return -1;
	for (i = 0; i < N_STAGED; i++) {
		const struct copy_staged *c = &copy_staged[i];

		if (strcmp(c->after, t->name) != 0)
			continue;
		strbuf_reset(sql);
		if (strbuf_printf(sql, "INSERT INTO %s (%s, day) %s", c->name, c->columns,
		                  c->move) < 0) {
			snprintf(err, errlen, "internal error: table %s: statement too long",
			         c->name);
			return -1;
		}
		/* its triggers off too, as for the tables copied directly: the
		 * roll-ups are refilled at the end, and 020's trust trigger
		 * compares each policy of the statement with the statement's
		 * rows (NOT IN), row by row past work_mem: 9.5 million policies
		 * had not moved after 45 minutes */
		if (copy_triggers(st, c->name, 0, err, errlen) < 0 ||
		    pg_run(st, strbuf_str(sql), NULL, "cannot copy", NULL, err, errlen) < 0 ||
		    copy_triggers(st, c->name, 1, err, errlen) < 0 ||
		    copy_setval(st, c->name, "id", sql, err, errlen) < 0)
			return -1;
	}
	return 0;
}

void pg_copy_free(struct pg_store *st)
{
	if (st->copy == NULL)
		return;
	strbuf_free(&st->copy->rows);
	free(st->copy);
	st->copy = NULL;
}

/* v as one field of COPY's text format: \N for NULL, bytea as \\x and
 * hex, text with backslash and the control characters COPY reads as
 * separators escaped. */
static int copy_field(struct strbuf *sb, const struct store_value *v)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *b = v->data;
	const char *s;
	size_t i;
	char esc[2] = {'\\', 0};

	if (v->type == STORE_INT)
		return strbuf_printf(sb, "%lld", (long long)v->num);
	if (v->type == STORE_BLOB) {
		char out[4096];
		size_t n = 0;

		if (strbuf_puts(sb, "\\\\x") < 0)
			return -1;
		for (i = 0; i < v->len; i++) {
			out[n++] = hex[b[i] >> 4];
			out[n++] = hex[b[i] & 15];
			if ((n == sizeof(out) || i + 1 == v->len) && strbuf_append(sb, out, n) < 0)
				return -1;
			if (n == sizeof(out))
				n = 0;
		}
		return 0;
	}
	if (v->type != STORE_TEXT || v->data == NULL)
		return strbuf_puts(sb, "\\N");
	/* as pg_param_text binds it: up to its first NUL */
	for (s = v->data; *s != '\0'; s++) {
		esc[1] = *s == '\\'   ? '\\'
		         : *s == '\n' ? 'n'
		         : *s == '\r' ? 'r'
		         : *s == '\t' ? 't'
		                      : 0;
		if (esc[1] != 0 ? strbuf_append(sb, esc, 2) < 0 : strbuf_putc(sb, *s) < 0)
			return -1;
	}
	return 0;
}

int pg_copy_finish(struct pg_store *st, char *err, size_t errlen)
{
	if (st->copy == NULL || !st->copy->stale)
		return 0;
	if (pg_rollup_refill(st, "cannot copy the roll-ups", err, errlen) < 0)
		return -1;
	pg_copy_free(st);
	return 0;
}

/* The pending rows as one COPY statement; the buffer emptied. */
static int copy_send(struct pg_store *st, char *err, size_t errlen)
{
	struct pg_copy_rows *c = st->copy;
	struct strbuf sql;
	PGresult *r;
	int i, ok;

	if (c == NULL || c->rows.len == 0)
		return 0;
	strbuf_init(&sql, 4096);
	ok = strbuf_printf(&sql, "COPY %s (", c->into) == 0;
	for (i = 0; ok && i < STORE_TABLE_MAX_COLUMNS && c->t->columns[i] != NULL; i++)
		ok = strbuf_printf(&sql, "%s%s", i > 0 ? ", " : "", c->t->columns[i]) == 0;
	ok = ok && strbuf_puts(&sql, ") FROM STDIN") == 0;
	if (!ok) {
		snprintf(err, errlen, "internal error: table %s: statement too long", c->t->name);
		goto out;
	}
	r = PQexec(st->conn, strbuf_str(&sql));
	ok = PQresultStatus(r) == PGRES_COPY_IN;
	if (!ok)
		pg_message(st, "cannot copy", PQresultErrorMessage(r), err, errlen);
	PQclear(r);
	if (!ok)
		goto out;
	err[0] = '\0';
	ok = PQputCopyData(st->conn, c->rows.data, (int)c->rows.len) == 1;
	if (PQputCopyEnd(st->conn, ok ? NULL : "cannot send") != 1)
		ok = 0;
	while ((r = PQgetResult(st->conn)) != NULL) {
		if (PQresultStatus(r) != PGRES_COMMAND_OK && ok) {
			pg_message(st, "cannot copy", PQresultErrorMessage(r), err, errlen);
			ok = 0;
		}
		PQclear(r);
	}
	if (!ok && err[0] == '\0')
		pg_message(st, "cannot copy", PQerrorMessage(st->conn), err, errlen);
out:
	strbuf_free(&sql);
	strbuf_reset(&c->rows);
	return ok ? 0 : -1;
}

/* The report rows are in: their keys, which 018's trigger on report
 * (off while they came) keeps for dedupe. */
static int copy_report_keys(struct pg_store *st, char *err, size_t errlen)
{
	return pg_run(st,
	              "INSERT INTO report_key (organization, report_id, id, day)"
	              " SELECT organization, report_id, id, day FROM report r"
	              " WHERE NOT EXISTS (SELECT 1 FROM report_key k WHERE k.id = r.id)",
	              NULL, "cannot copy", NULL, err, errlen);
}

int pg_rows_write(struct store *base, const struct store_table *t, const struct store_value *row,
                  char *err, size_t errlen)
{
	struct pg_store *st = pg_of(base);
	const struct copy_staged *staged = copy_staged_of(t->name);
	struct strbuf sql;
	int i, rc = -1;

	strbuf_init(&sql, 4096);
	if (st->copy != NULL && st->copy->t != t && copy_send(st, err, errlen) < 0)
		goto out;
	if (row == NULL) {
		if (copy_send(st, err, errlen) < 0)
			goto out;
		if (st->copy != NULL && st->copy->t == t && st->copy->triggers_off) {
			if (copy_triggers(st, t->name, 1, err, errlen) < 0)
				goto out;
			st->copy->triggers_off = 0;
			if (strcmp(t->name, "report") == 0 && copy_report_keys(st, err, errlen) < 0)
				goto out;
		}
		rc = copy_table_done(st, t, &sql, err, errlen);
		goto out;
	}
	if (st->copy == NULL) {
		st->copy = xcalloc(1, sizeof(*st->copy));
		strbuf_init(&st->copy->rows, PG_COPY_CAP);
	}
	if (st->copy->t != t) {
		if (staged != NULL) {
			/* a temporary table has no triggers to switch */
			if (!st->copy_staging && copy_staging_make(st, &sql, err, errlen) < 0)
				goto out;
			snprintf(st->copy->into, sizeof(st->copy->into), "pg_temp.tw_copy_%s",
			         t->name);
		} else {
			if (copy_triggers(st, t->name, 0, err, errlen) < 0)
				goto out;
			snprintf(st->copy->into, sizeof(st->copy->into), "%s", t->name);
			st->copy->triggers_off = 1;
		}
		st->copy->t = t;
		st->copy->stale = 1;
	}
	for (i = 0; i < STORE_TABLE_MAX_COLUMNS && t->columns[i] != NULL; i++) {
		const struct store_value *v = &row[i];

		/* a report's month partitions, before its row is sent */
		if (strcmp(t->name, "report") == 0 && strcmp(t->columns[i], "day") == 0 &&
		    v->type == STORE_INT && pg_month_ensure(st, v->num, err, errlen) < 0)
			goto out;
		if ((i > 0 && strbuf_putc(&st->copy->rows, '\t') < 0) ||
		    copy_field(&st->copy->rows, v) < 0)
			goto toolong;
	}
	if (strbuf_putc(&st->copy->rows, '\n') < 0)
		goto toolong;
	rc = st->copy->rows.len >= LIMIT_PG_BATCH_BYTES ? copy_send(st, err, errlen) : 0;
	goto out;
toolong:
	snprintf(err, errlen, "internal error: table %s: a row is too long to copy", t->name);
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
	/* a cursor lives in a transaction: the copy's snapshot, or its own */
	if (!st->in_batch && !st->snapshot) {
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

int pg_read_snapshot(struct store *base, int on, char *err, size_t errlen)
{
	struct pg_store *st = pg_of(base);

	if (on) {
		if (st->in_batch || st->snapshot)
			return 0;
		/* every table as of one moment, writers running or not; a
		 * read-only deferrable transaction waits for a snapshot no
		 * serialisation failure can touch, then never blocks a writer */
		if (pg_run(st, "BEGIN ISOLATION LEVEL SERIALIZABLE, READ ONLY, DEFERRABLE", NULL,
		           "cannot read for a copy", NULL, err, errlen) < 0)
			return -1;
		st->snapshot = 1;
		return 0;
	}
	if (!st->snapshot)
		return 0;
	st->snapshot = 0;
	return pg_run(st, "COMMIT", NULL, "cannot read for a copy", NULL, err, errlen);
}
