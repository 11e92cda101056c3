/*
 * pg.c - opening, migrating and batching the PostgreSQL store, and the
 * helpers every pg*.c file runs its statements through. The URI comes
 * from the operator (--db, $TLSWATCH_DB, 'database ='); a password in it
 * is refused (password_file, password_command, PGPASSFILE or libpq's
 * ~/.pgpass hold it), so that the URI can be shown in every message.
 * Values are always parameters.
 *
 * Writers take a transaction-level advisory lock (the writer lock) at
 * their first write: shared for ingest's reports, which lock each report
 * key before looking it up, and exclusive for every other write, whose
 * transactions commit one after another as SQLite's BEGIN IMMEDIATE makes
 * them (pg_write_lock.c).
 */
#include "pg_impl.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse_int.h"
#include "schema.h"
#include "xalloc.h"

/* Advisory lock keys (two int4): 'tlsw' and what the lock guards. */
#define PG_LOCK_CLASS   1953264503
#define PG_LOCK_WRITER  1 /* taken in pg_write_lock.c */
#define PG_LOCK_MIGRATE 2

void pg_params_init(struct pg_params *p)
{
	memset(p, 0, sizeof(*p));
}

static int pg_param_next(struct pg_params *p)
{
	if (p->n >= PG_MAX_PARAMS) {
		p->failed = 1;
		return -1;
	}
	return p->n++;
}

void pg_param_int(struct pg_params *p, int64_t v)
{
	int i = pg_param_next(p);

	if (i < 0)
		return;
	snprintf(p->num[i], sizeof(p->num[i]), "%lld", (long long)v);
	p->values[i] = p->num[i];
}

void pg_param_text(struct pg_params *p, const char *v)
{
	int i = pg_param_next(p);

	if (i >= 0)
		p->values[i] = v;
}

void pg_param_blob(struct pg_params *p, const void *v, size_t len)
{
	int i = pg_param_next(p);

	if (i < 0)
		return;
	/* a non-NULL pointer for an empty value: NULL would be SQL NULL */
	p->values[i] = len > 0 ? (const char *)v : "";
	p->lengths[i] = (int)len;
	p->formats[i] = 1;
}

void pg_params_of_sql(struct pg_params *p, const struct query_sql *q)
{
	int i;

	pg_params_init(p);
	for (i = 0; i < q->n_args; i++) {
		if (q->args[i].is_text)
			pg_param_text(p, q->args[i].text);
		else
			pg_param_int(p, q->args[i].num);
	}
}

/* Elements quoted, '"' and '\\' escaped: report text goes in as data,
 * never as SQL. The cap is counted first, so only a list too long for
 * memory fails. */
int pg_text_array(struct strbuf *sb, const char *const *v, size_t n)
{
	size_t i, cap = 3;
	const char *p;

	for (i = 0; i < n; i++)
		cap += 3 + 2 * (v[i] != NULL ? strlen(v[i]) : 0);
	strbuf_init(sb, cap);
	if (strbuf_putc(sb, '{') < 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (strbuf_puts(sb, i > 0 ? ",\"" : "\"") < 0)
			return -1;
		for (p = v[i]; p != NULL && *p != '\0'; p++)
			if (((*p == '"' || *p == '\\') && strbuf_putc(sb, '\\') < 0) ||
			    strbuf_putc(sb, *p) < 0)
				return -1;
		if (strbuf_putc(sb, '"') < 0)
			return -1;
	}
	return strbuf_putc(sb, '}');
}

int pg_match_domains(const struct query_match *m, struct strbuf *sb)
{
	const char **v = xcalloc(m->n > 0 ? m->n : 1, sizeof(*v));
	size_t i, n = 0;
	int rc;

	/* m->domain is sorted: each domain once */
	for (i = 0; i < m->n; i++)
		if (n == 0 || strcmp(v[n - 1], m->domain[i]) != 0)
			v[n++] = m->domain[i];
	rc = pg_text_array(sb, v, n);
	free(v);
	return rc;
}

int pg_match_pairs(const struct query_match *m, const int64_t *since, const int64_t *until,
                   int64_t lo, int64_t hi, struct strbuf *doms, struct strbuf *days)
{
	size_t cap = m->n * (size_t)(hi - lo) + 1, n = 0, i, j, first, end;
	const char **v = xcalloc(cap, sizeof(*v));
	int64_t *d = xcalloc(cap, sizeof(*d)), day;
	unsigned char *want = xcalloc((size_t)(hi - lo) + 1, 1);
	int rc;

	/* m->domain is sorted: each domain's keys are one run, its days
	 * the union of their windows */
	for (first = 0; first < m->n; first = end) {
		for (end = first + 1; end < m->n && strcmp(m->domain[end], m->domain[first]) == 0;
		     end++)
			;
		memset(want, 0, (size_t)(hi - lo));
		for (j = first; j < end; j++) {
			i = m->idx[j];
			for (day = since[i]; day < until[i]; day++)
				want[day - lo] = 1;
		}
		for (day = lo; day < hi; day++)
			if (want[day - lo]) {
				v[n] = m->domain[first];
				d[n++] = day;
			}
	}
	pg_int_array(days, d, n);
	rc = pg_text_array(doms, v, n);
	free(v);
	free(d);
	free(want);
	return rc;
}

void pg_int_array(struct strbuf *sb, const int64_t *v, size_t n)
{
	size_t i;
	int bad = 0;

	/* 21 bytes a value */
	strbuf_init(sb, 3 + 21 * n);
	bad |= strbuf_putc(sb, '{');
	for (i = 0; i < n; i++)
		bad |= strbuf_printf(sb, i > 0 ? ",%lld" : "%lld", (long long)v[i]);
	bad |= strbuf_putc(sb, '}');
	/* the cap is counted above: an append past it is a programmer error */
	assert(bad == 0);
}

void pg_step_array(struct strbuf *sb, int64_t from, int64_t until, int64_t step)
{
	int64_t v;
	int bad = 0;

	/* 21 bytes a value */
	strbuf_init(sb, 3 + 21 * (size_t)(until > from ? (until - from) / step + 1 : 0));
	bad |= strbuf_putc(sb, '{');
	for (v = from; v < until; v += step)
		bad |= strbuf_printf(sb, v > from ? ",%lld" : "%lld", (long long)v);
	bad |= strbuf_putc(sb, '}');
	/* the cap is counted above: an append past it is a programmer error */
	assert(bad == 0);
}

/* "database URI: what: message" (the server's message on one line). */
void pg_message(struct pg_store *st, const char *what, const char *msg, char *err, size_t errlen)
{
	size_t n;

	snprintf(err, errlen, "database %s: %s: %s", st->shown, what,
	         msg != NULL && msg[0] != '\0' ? msg : "unknown error");
	n = strlen(err);
	while (n > 0 && (err[n - 1] == '\n' || err[n - 1] == ' '))
		err[--n] = '\0';
	for (n = 0; err[n] != '\0'; n++)
		if (err[n] == '\n')
			err[n] = ' ';
}

static int pg_session(struct pg_store *st, char *err, size_t errlen);

PGresult *pg_exec(struct pg_store *st, const char *sql, const struct pg_params *p, const char *what,
                  char *err, size_t errlen)
{
	PGresult *r;
	ExecStatusType s;
	int tries = 0, ok;

	if (p != NULL && p->failed) {
		snprintf(err, errlen, "internal error: too many values in one statement");
		return NULL;
	}
	/* a write not taken shared (pg_write_lock.c) runs alone */
	if (st->in_batch && st->wlock == PG_WRITER_NONE &&
	    pg_writer_lock(st, PG_WRITER_EXCLUSIVE, err, errlen) < 0)
		return NULL;
	/* the batch's pending reports first: every statement sees them */
	if (pg_batch_pending(st) && !st->batch_held && pg_batch_flush(st, err, errlen) < 0)
		return NULL;
again:
	r = PQexecParams(st->conn, sql, p != NULL ? p->n : 0, NULL, p != NULL ? p->values : NULL,
	                 p != NULL ? p->lengths : NULL, p != NULL ? p->formats : NULL, 0);
	s = PQresultStatus(r);
	if (s == PGRES_TUPLES_OK || s == PGRES_COMMAND_OK)
		return r;
	/* the server restarted or the connection broke: a long-running
	 * process (web) connects again, once, outside a transaction (a
	 * batch's work is gone with it and must fail) */
	if (PQstatus(st->conn) == CONNECTION_BAD && !st->in_batch && !st->resetting &&
	    tries++ == 0) {
		PQclear(r);
		PQreset(st->conn);
		st->prepared = 0;
		st->prefetch_prepared = 0;
		st->resetting = 1;
		ok = PQstatus(st->conn) == CONNECTION_OK && pg_session(st, err, errlen) == 0;
		st->resetting = 0;
		if (ok)
			goto again;
		r = NULL;
	}
	pg_message(st, what, r != NULL ? PQresultErrorMessage(r) : PQerrorMessage(st->conn), err,
	           errlen);
	PQclear(r);
	return NULL;
}

int pg_run(struct pg_store *st, const char *sql, const struct pg_params *p, const char *what,
           int64_t *changed, char *err, size_t errlen)
{
	PGresult *r = pg_exec(st, sql, p, what, err, errlen);
	int64_t n = 0;

	if (r == NULL)
		return -1;
	if (changed != NULL) {
		const char *t = PQcmdTuples(r);

		if (t[0] != '\0' && parse_int(t, 0, INT64_MAX, &n, NULL, 0) < 0)
			n = 0;
		*changed = n;
	}
	PQclear(r);
	return 0;
}

PGresult *pg_exec_sql(struct pg_store *st, const struct query_sql *q, const char *what, char *err,
                      size_t errlen)
{
	struct pg_params p;

	if (q->failed) {
		snprintf(err, errlen, "internal error: query too large");
		return NULL;
	}
	pg_params_of_sql(&p, q);
	return pg_exec(st, strbuf_str(&q->sb), &p, what, err, errlen);
}

int64_t pg_int(const PGresult *r, int row, int col)
{
	int64_t v = 0;

	if (PQgetisnull(r, row, col) ||
	    parse_int(PQgetvalue(r, row, col), INT64_MIN, INT64_MAX, &v, NULL, 0) < 0)
		return 0;
	return v;
}

const char *pg_text(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

char *pg_strdup(const PGresult *r, int row, int col)
{
	const char *t = pg_text(r, row, col);

	return t != NULL ? xstrdup(t) : NULL;
}

uint8_t *pg_blob(const PGresult *r, int row, int col, size_t *len)
{
	unsigned char *raw;
	uint8_t *out;
	size_t n;

	if (PQgetisnull(r, row, col))
		return NULL;
	raw = PQunescapeBytea((const unsigned char *)PQgetvalue(r, row, col), &n);
	if (raw == NULL)
		return NULL;
	out = xmalloc(n + 1);
	memcpy(out, raw, n);
	out[n] = 0;
	PQfreemem(raw);
	*len = n;
	return out;
}

int pg_get_int(struct pg_store *st, const char *sql, const struct pg_params *p, const char *what,
               int64_t *out, char *err, size_t errlen)
{
	PGresult *r = pg_exec(st, sql, p, what, err, errlen);

	if (r == NULL)
		return -1;
	*out = PQntuples(r) > 0 ? pg_int(r, 0, 0) : 0;
	PQclear(r);
	return 0;
}

/* Creates or upgrades the schema to the newest embedded migration, under
 * the migration lock (two writers starting at once migrate once). A store
 * from a newer tlswatch is refused, and so is a schema that holds tables
 * but no schema_version (not ours). */
static int pg_migrate(struct pg_store *st, char *err, size_t errlen)
{
	int64_t version = 0, has_version, tables;
	int i, newest = pg_schema_migrations[pg_schema_n_migrations - 1].version;
	struct pg_params p;
	char lock[96];

	if (st->mode == STORE_READWRITE) {
		snprintf(lock, sizeof(lock), "SELECT pg_advisory_lock(%d, %d)", PG_LOCK_CLASS,
		         PG_LOCK_MIGRATE);
		if (pg_run(st, lock, NULL, "cannot lock for migration", NULL, err, errlen) < 0)
			return -1;
	}
	/* by name, not through pg_tables: that view's plan costs a new
	 * session 2-3 ms of catalog reads, on every start of every command */
	if (pg_get_int(st,
	               "SELECT (to_regclass(format('%I.schema_version', current_schema()))"
	               " IS NOT NULL)::int",
	               NULL, "cannot read", &has_version, err, errlen) < 0)
		goto fail;
	if (has_version) {
		if (pg_get_int(st, "SELECT coalesce(max(version), 0) FROM schema_version", NULL,
		               "cannot read", &version, err, errlen) < 0)
			goto fail;
	} else {
		if (pg_get_int(st,
		               "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname ="
		               " current_schema()",
		               NULL, "cannot read", &tables, err, errlen) < 0)
			goto fail;
		if (tables > 0) {
			snprintf(err, errlen, "database %s: not a tlswatch database", st->shown);
			goto fail;
		}
	}
	if (version > newest) {
		snprintf(err, errlen,
		         "database %s: schema version %lld is newer than this tlswatch knows (%d)",
		         st->shown, (long long)version, newest);
		goto fail;
	}
	if (st->mode == STORE_READONLY) {
		/* a new database: say so, as SQLite's missing file does, not "older" */
		if (version == 0) {
			snprintf(
			    err, errlen,
			    "database %s has no tlswatch tables yet (ingest some reports first, "
			    "or run 'tlswatch db check' once to create them)",
			    st->shown);
			return -1;
		}
		if (version < newest) {
			snprintf(err, errlen,
			         "database %s: schema version %lld is older than %d; run 'tlswatch "
			         "ingest' once to upgrade it",
			         st->shown, (long long)version, newest);
			return -1;
		}
		return 0;
	}
	for (i = 0; i < pg_schema_n_migrations; i++) {
		if (pg_schema_migrations[i].version <= version)
			continue;
		pg_params_init(&p);
		pg_param_int(&p, pg_schema_migrations[i].version);
		if (pg_run(st, "BEGIN", NULL, "cannot migrate", NULL, err, errlen) < 0)
			goto fail;
		/* several statements in one string: PQexec, no parameters */
		{
			PGresult *r = PQexec(st->conn, pg_schema_migrations[i].sql);

			if (PQresultStatus(r) != PGRES_COMMAND_OK &&
			    PQresultStatus(r) != PGRES_TUPLES_OK) {
				pg_message(st, pg_schema_migrations[i].name,
				           PQresultErrorMessage(r), err, errlen);
				PQclear(r);
				pg_run(st, "ROLLBACK", NULL, "", NULL, err + strlen(err), 0);
				goto fail;
			}
			PQclear(r);
		}
		if (pg_run(st,
		           "CREATE TABLE IF NOT EXISTS schema_version (version bigint NOT NULL)",
		           NULL, "cannot migrate", NULL, err, errlen) < 0 ||
		    pg_run(st, "DELETE FROM schema_version", NULL, "cannot migrate", NULL, err,
		           errlen) < 0 ||
		    pg_run(st, "INSERT INTO schema_version (version) VALUES ($1)", &p,
		           "cannot migrate", NULL, err, errlen) < 0 ||
		    pg_run(st, "COMMIT", NULL, "cannot migrate", NULL, err, errlen) < 0) {
			pg_run(st, "ROLLBACK", NULL, "", NULL, err + strlen(err), 0);
			goto fail;
		}
	}
	snprintf(lock, sizeof(lock), "SELECT pg_advisory_unlock(%d, %d)", PG_LOCK_CLASS,
	         PG_LOCK_MIGRATE);
	return pg_run(st, lock, NULL, "cannot unlock", NULL, err, errlen);
fail:
	/* the session lock goes with the connection, closed by the caller */
	return -1;
}

static const struct store_ops pg_ops = {
    .name = "PostgreSQL",
    .close = pg_close,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .in_batch = pg_in_batch,
    .data_changed = pg_data_changed,
    .add_report = pg_add_report,
    .add_quarantine = pg_add_quarantine,
    .quarantine_list = pg_quarantine_list,
    .quarantine_get = pg_quarantine_get,
    .quarantine_release = pg_quarantine_release,
    .quarantine_set_reason = pg_quarantine_set_reason,
    .quarantine_add_digest = pg_quarantine_add_digest,
    .quarantine_usage = pg_quarantine_usage,
    .quarantine_delete = pg_quarantine_delete,
    .quarantine_delete_before = pg_quarantine_delete_before,
    .quarantine_trim = pg_quarantine_trim,
    .imap_state_get = pg_imap_state_get,
    .imap_state_set = pg_imap_state_set,
    .prune = pg_prune,
    .check = pg_check,
    .group = pg_group,
    .totals = pg_totals,
    .summary_scan = pg_summary_scan,
    .summary_scan_top = pg_summary_scan_top,
    .summary_scan_groups = pg_summary_scan_groups,
    .alert_scan = pg_alert_scan,
    .day_span = pg_day_span,
    .quarantined = pg_quarantined,
    .reports = pg_reports,
    .report_get = pg_report_get,
    .alert_record_sent = pg_alert_record_sent,
    .alert_sent_on = pg_alert_sent_on,
    .alert_sent_before = pg_alert_sent_before,
    .alert_context = pg_alert_context,
    .day_marks = pg_day_marks,
    .alert_judged = pg_alert_judged,
    .alert_record_judged = pg_alert_record_judged,
    .last_conflict = pg_last_conflict,
    .quarantine_set_conflict = pg_quarantine_set_conflict,
    .reports_by_trust = pg_reports_by_trust,
    .conflicts_held = pg_conflicts_held,
    .conflicts_by_organization = pg_conflicts_by_organization,
    .failure_ips = pg_failure_ips,
    .ip_details = pg_ip_details,
    .rows_write = pg_rows_write,
    .lock_mailbox = pg_lock_mailbox,
    .reporter_days = pg_reporter_days,
    .failure_reasons = pg_failure_reasons,
    .lifetime = pg_lifetime,
    .failure_infos = pg_failure_infos,
    .recount = pg_recount,
    .check_add = pg_check_add,
    .check_history = pg_check_history,
    .check_latest = pg_check_latest,
    .policy_seen = pg_policy_seen,
    .rows_read = pg_rows_read,
    .rollup_rebuild = pg_rollup_rebuild,
    .alert_contexts = pg_alert_contexts,
    .reports_by_trust_many = pg_reports_by_trust_many,
    .reporter_presence = pg_reporter_presence,
    .reporter_presence_of = pg_reporter_presence_of,
    .alert_sent_many = pg_alert_sent_many,
    .read_snapshot = pg_read_snapshot,
    .prefetch_reports = pg_prefetch_reports,
};

/* 1 when the URI carries a password: "user:password@" before the host,
 * or a password= parameter. */
static int pg_uri_has_password(const char *uri)
{
	const char *auth = strstr(uri, "://"), *end, *at, *colon;

	if (strstr(uri, "password=") != NULL)
		return 1;
	if (auth == NULL)
		return 0;
	auth += 3;
	end = auth + strcspn(auth, "/?");
	at = memchr(auth, '@', (size_t)(end - auth));
	colon = at != NULL ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
	return colon != NULL;
}

/* The session's settings (again after a reset). A reader's are
 * read-only once the schema is known current (pg_migrate). */
static int pg_session(struct pg_store *st, char *err, size_t errlen)
{
	static const char *const session_sql[] = {
	    "SET client_min_messages = warning",
	    /* a commit is durable before a mail is moved or a POST answered */
	    "SET synchronous_commit = on",
	    "SET TIME ZONE 'UTC'",
	    /* a plan the server guesses costly (a page of reports read back
	     * by arrays) was compiled for 130 ms to run in 6: no statement
	     * of ours runs long enough to gain from JIT */
	    "SET jit = off",
	};
	size_t i;

	if (PQsetClientEncoding(st->conn, "UTF8") != 0) {
		pg_message(st, "cannot set UTF8", PQerrorMessage(st->conn), err, errlen);
		return -1;
	}
	for (i = 0; i < sizeof(session_sql) / sizeof(session_sql[0]); i++)
		if (pg_run(st, session_sql[i], NULL, "cannot set up the session", NULL, err,
		           errlen) < 0)
			return -1;
	if (st->mode == STORE_READONLY && st->migrated &&
	    pg_run(st, "SET default_transaction_read_only = on", NULL, "cannot set up the session",
	           NULL, err, errlen) < 0)
		return -1;
	return 0;
}

int pg_store_open(const char *uri, const char *password, enum store_mode mode, struct store **out,
                  char *err, size_t errlen)
{
	/* the password as a parameter of its own, after the URI's keys
	 * (libpq ignores a NULL value, and reads PGPASSFILE or ~/.pgpass
	 * only when no password is given) */
	const char *const keys[] = {"dbname", "password", NULL};
	const char *values[] = {uri, password, NULL};
	struct pg_store *st;
	int rc = -1;

	if (pg_uri_has_password(uri)) {
		snprintf(
		    err, errlen,
		    "database URI holds a password: put it in password_file, password_command or a "
		    "PGPASSFILE (docs/postgresql.md)");
		return -1;
	}
	st = xcalloc(1, sizeof(*st));
	st->base.ops = &pg_ops;
	st->shown = xstrdup(uri);
	st->mode = mode;
	/* as the SQLite store: a test compares every output with them off */
	st->rollups = getenv("TLSWATCH_NO_ROLLUPS") == NULL;
	st->month_rollups = st->rollups && getenv("TLSWATCH_NO_MONTH_ROLLUPS") == NULL;
	st->year_rollups = st->month_rollups && getenv("TLSWATCH_NO_YEAR_ROLLUPS") == NULL;
	st->conn = PQconnectdbParams(keys, values, 1);
	if (st->conn == NULL || PQstatus(st->conn) != CONNECTION_OK) {
		pg_message(st, "cannot connect",
		           st->conn != NULL ? PQerrorMessage(st->conn) : "out of memory", err,
		           errlen);
		goto out;
	}
	if (pg_session(st, err, errlen) < 0 || pg_migrate(st, err, errlen) < 0 ||
	    (mode == STORE_READWRITE && pg_recount_pending(st, err, errlen) < 0))
		goto out;
	st->migrated = 1;
	if (mode == STORE_READONLY && pg_run(st, "SET default_transaction_read_only = on", NULL,
	                                     "cannot set up the session", NULL, err, errlen) < 0)
		goto out;
	*out = &st->base;
	st = NULL;
	rc = 0;
out:
	pg_close(st != NULL ? &st->base : NULL);
	return rc;
}

void pg_close(struct store *base)
{
	struct pg_store *st = pg_of(base);

	if (st == NULL)
		return;
	if (st->in_batch)
		pg_rollback(&st->base);
	PQfinish(st->conn);
	pg_batch_free(st);
	pg_prefetch_free(st);
	pg_copy_free(st);
	free(st->shown);
	free(st);
}

int pg_begin(struct store *base, char *err, size_t errlen)
{
	struct pg_store *st = pg_of(base);

	if (st->in_batch)
		return 0;
	/* the writer lock comes with the first write (pg_write_lock.c) */
	if (pg_run(st, "BEGIN", NULL, "cannot begin", NULL, err, errlen) < 0)
		return -1;
	st->in_batch = 1;
	st->wlock = PG_WRITER_NONE;
	st->key_locks = 0;
	st->escalated = 0;
	st->n_months = 0;
	st->copy_staging = 0;
	return 0;
}

int pg_commit(struct store *base, char *err, size_t errlen)
{
	struct pg_store *st = pg_of(base);

	if (!st->in_batch)
		return 0;
	/* without the writer lock nothing was written: no change to tell */
	if (pg_copy_finish(st, err, errlen) < 0 ||
	    (st->wlock != PG_WRITER_NONE && pg_run(st, "UPDATE store_change SET n = n + 1", NULL,
	                                           "cannot commit", NULL, err, errlen) < 0) ||
	    pg_ids_return(st, err, errlen) < 0 ||
	    pg_run(st, "COMMIT", NULL, "cannot commit", NULL, err, errlen) < 0) {
		pg_rollback(&st->base);
		return -1;
	}
	pg_prefetch_clear(st);
	st->in_batch = 0;
	return 0;
}

void pg_rollback(struct store *base)
{
	struct pg_store *st = pg_of(base);
	char ignored[8];

	if (!st->in_batch)
		return;
	pg_batch_discard(st);
	pg_copy_free(st);
	pg_run(st, "ROLLBACK", NULL, "", NULL, ignored, sizeof(ignored));
	pg_prefetch_clear(st);
	st->in_batch = 0;
}

int pg_in_batch(const struct store *base)
{
	return pg_of_const(base)->in_batch;
}

int pg_data_changed(struct store *base, int *changed, char *err, size_t errlen)
{
	struct pg_store *st = pg_of(base);
	int64_t v;

	if (pg_get_int(st, "SELECT n FROM store_change", NULL, "cannot read", &v, err, errlen) < 0)
		return -1;
	*changed = !st->change_seen || v != st->change;
	st->change = v;
	st->change_seen = 1;
	return 0;
}

int pg_lock_mailbox(struct store *base, const char *key, int *held, char *err, size_t errlen)
{
	struct pg_store *st = pg_of(base);
	struct pg_params p;
	PGresult *r;

	/* a session lock on the key's 64-bit hash (a space apart from the
	 * two-int keys above); a collision only makes a collector wait for
	 * its next run */
	pg_params_init(&p);
	pg_param_text(&p, key);
	r = pg_exec(st, "SELECT pg_try_advisory_lock(hashtextextended($1, 0))", &p,
	            "cannot take the collector lock", err, errlen);
	if (r == NULL)
		return -1;
	*held = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
	PQclear(r);
	return 0;
}

void pg_sql_init(struct query_sql *q)
{
	query_sql_init(q);
	q->dollar = 1;
}

void pg_param_alert_key(struct pg_params *p, const struct query_alert_key *k)
{
	pg_param_text(p, k->scope != NULL ? k->scope : "");
	pg_param_text(p, k->policy_domain != NULL ? k->policy_domain : "");
	pg_param_text(p, k->mx_host != NULL ? k->mx_host : "");
	pg_param_text(p, k->result_type != NULL ? k->result_type : "");
	pg_param_text(p, k->organization != NULL ? k->organization : "");
}
