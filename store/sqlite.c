/*
 * sqlite.c - opening, migrating and batching the SQLite store. Values come
 * from validated reports but are still untrusted text: every statement
 * binds them as parameters.
 */
#include "sqlite_impl.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "limits.h"
#include "schema.h"
#include "xalloc.h"

/* How long a writer waits for another writer before giving up. */
#define STORE_BUSY_TIMEOUT_MS 10000

int sqlite_fail(struct sqlite_store *st, char *err, size_t errlen, const char *what)
{
	snprintf(err, errlen, "database %s: %s: %s", st->path, what, sqlite3_errmsg(st->db));
	return -1;
}

int sqlite_step_done(struct sqlite_store *st, sqlite3_stmt *s, const char *what, char *err,
                     size_t errlen)
{
	if (sqlite3_step(s) != SQLITE_DONE)
		return sqlite_fail(st, err, errlen, what);
	return 0;
}

static int sqlite_exec_sql(struct sqlite_store *st, const char *sql, char *err, size_t errlen)
{
	char *msg = NULL;

	int rc = sqlite3_exec(st->db, sql, NULL, NULL, &msg);

	if (rc != SQLITE_OK) {
		if ((rc & 0xff) == SQLITE_BUSY)
			st->busy = 1;
		snprintf(err, errlen, "database %s: %s", st->path,
		         msg != NULL ? msg : sqlite3_errmsg(st->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

int sqlite_get_int(struct sqlite_store *st, const char *sql, int64_t *out, char *err, size_t errlen)
{
	sqlite3_stmt *s = NULL;
	int rc = -1;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK ||
	    sqlite3_step(s) != SQLITE_ROW) {
		sqlite_fail(st, err, errlen, "cannot read");
		goto out;
	}
	*out = sqlite3_column_int64(s, 0);
	rc = 0;
out:
	sqlite3_finalize(s);
	return rc;
}

static int sqlite_migrate(struct sqlite_store *st, char *err, size_t errlen);

/* A new (empty) store takes every migration in one transaction: one commit
 * and one WAL sync instead of one per step (20 of them: tens of ms of a
 * first ingest on a busy disk), and a crash leaves an empty file, as a
 * crash in the first step did. Another process that made the store first
 * is seen inside the transaction: its migrations are then run stepwise. */
static int sqlite_migrate_new(struct sqlite_store *st, char *err, size_t errlen)
{
	int64_t version;
	int i, newest = schema_migrations[schema_n_migrations - 1].version;
	char sql[64];

	if (sqlite_exec_sql(st, "BEGIN IMMEDIATE", err, errlen) < 0)
		return -1;
	if (sqlite_get_int(st, "PRAGMA user_version", &version, err, errlen) < 0)
		goto fail;
	if (version != 0)
		return sqlite_exec_sql(st, "COMMIT", err, errlen) < 0
		           ? -1
		           : sqlite_migrate(st, err, errlen);
	for (i = 0; i < schema_n_migrations; i++)
		if (sqlite_exec_sql(st, schema_migrations[i].sql, err, errlen) < 0)
			goto fail;
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", newest);
	if (sqlite_exec_sql(st, sql, err, errlen) < 0)
		goto fail;
	return sqlite_exec_sql(st, "COMMIT", err, errlen);
fail:
	sqlite_exec_sql(st, "ROLLBACK", err + strlen(err), 0);
	return -1;
}

/* Brings PRAGMA user_version up to the newest embedded migration, each step
 * in its own transaction (a new store: sqlite_migrate_new). A database from
 * a newer tlswatch is refused, and so is a non-empty SQLite file that is not
 * ours. */
static int sqlite_migrate(struct sqlite_store *st, char *err, size_t errlen)
{
	int64_t version, tables;
	int i, newest = schema_migrations[schema_n_migrations - 1].version;
	char sql[64];

	if (sqlite_get_int(st, "PRAGMA user_version", &version, err, errlen) < 0)
		return -1;
	if (version > newest) {
		snprintf(err, errlen,
		         "database %s: schema version %lld is newer than this tlswatch knows (%d)",
		         st->path, (long long)version, newest);
		return -1;
	}
	if (version == 0) {
		if (sqlite_get_int(st, "SELECT count(*) FROM sqlite_master", &tables, err, errlen) <
		    0)
			return -1;
		if (tables > 0) {
			snprintf(err, errlen, "database %s: not a tlswatch database", st->path);
			return -1;
		}
	}
	if (st->mode == STORE_READONLY) {
		if (version < newest) {
			snprintf(err, errlen,
			         "database %s: schema version %lld is older than %d; run 'tlswatch "
			         "ingest' "
			         "once to upgrade it",
			         st->path, (long long)version, newest);
			return -1;
		}
		return 0;
	}
	if (version == 0)
		return sqlite_migrate_new(st, err, errlen);
	for (i = 0; i < schema_n_migrations; i++) {
		if (schema_migrations[i].version <= version)
			continue;
		if (sqlite_exec_sql(st, "BEGIN IMMEDIATE", err, errlen) < 0)
			return -1;
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d",
		         schema_migrations[i].version);
		if (sqlite_exec_sql(st, schema_migrations[i].sql, err, errlen) < 0 ||
		    sqlite_exec_sql(st, sql, err, errlen) < 0) {
			sqlite_exec_sql(st, "ROLLBACK", err + strlen(err), 0);
			return -1;
		}
		if (sqlite_exec_sql(st, "COMMIT", err, errlen) < 0)
			return -1;
	}
	return 0;
}

/* SQLite counts every allocation under a global mutex unless told not to
 * (SQLITE_CONFIG_MEMSTATUS); nothing here reads those counters, and the
 * ingest path allocates per statement. Must precede sqlite3_initialize,
 * so it runs once, before the first open. */
static void sqlite_configure(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

static const struct store_ops sqlite_ops = {
    .name = "SQLite",
    .close = sqlite_close,
    .begin = sqlite_begin,
    .commit = sqlite_commit,
    .rollback = sqlite_rollback,
    .in_batch = sqlite_in_batch,
    .data_changed = sqlite_data_changed,
    .add_report = sqlite_add_report,
    .add_quarantine = sqlite_add_quarantine,
    .quarantine_list = sqlite_quarantine_list,
    .quarantine_get = sqlite_quarantine_get,
    .quarantine_release = sqlite_quarantine_release,
    .quarantine_set_reason = sqlite_quarantine_set_reason,
    .quarantine_add_digest = sqlite_quarantine_add_digest,
    .quarantine_usage = sqlite_quarantine_usage,
    .quarantine_delete = sqlite_quarantine_delete,
    .quarantine_delete_before = sqlite_quarantine_delete_before,
    .quarantine_trim = sqlite_quarantine_trim,
    .imap_state_get = sqlite_imap_state_get,
    .imap_state_set = sqlite_imap_state_set,
    .prune = sqlite_prune,
    .check = sqlite_check,
    .group = sqlite_group,
    .totals = sqlite_totals,
    .summary_scan = sqlite_summary_scan,
    .alert_scan = sqlite_alert_scan,
    .day_span = sqlite_day_span,
    .quarantined = sqlite_quarantined,
    .reports = sqlite_reports,
    .report_get = sqlite_report_get,
    .alert_record_sent = sqlite_alert_record_sent,
    .alert_sent_on = sqlite_alert_sent_on,
    .alert_sent_before = sqlite_alert_sent_before,
    .alert_context = sqlite_alert_context,
    .day_marks = sqlite_day_marks,
    .alert_judged = sqlite_alert_judged,
    .alert_record_judged = sqlite_alert_record_judged,
    .last_conflict = sqlite_last_conflict,
    .quarantine_set_conflict = sqlite_quarantine_set_conflict,
    .reports_by_trust = sqlite_reports_by_trust,
    .conflicts_held = sqlite_conflicts_held,
    .conflicts_by_organization = sqlite_conflicts_by_organization,
    .failure_ips = sqlite_failure_ips,
    .ip_details = sqlite_ip_details,
    .recount = sqlite_recount,
    .reporter_days = sqlite_reporter_days,
    .failure_reasons = sqlite_failure_reasons,
    .check_add = sqlite_check_add,
    .check_history = sqlite_check_history,
    .check_latest = sqlite_check_latest,
    .policy_seen = sqlite_policy_seen,
    .rows_read = sqlite_rows_read,
    .rows_write = sqlite_rows_write,
    .lifetime = sqlite_lifetime,
    .rollup_rebuild = sqlite_rollup_rebuild,
    .failure_infos = sqlite_failure_infos,
    .alert_contexts = sqlite_alert_contexts,
    .reports_by_trust_many = sqlite_reports_by_trust_many,
    .reporter_presence = sqlite_reporter_presence,
    .read_snapshot = sqlite_read_snapshot,
    .days_with_reports = sqlite_days_with_reports,
    .reporter_presence_of = sqlite_reporter_presence_of,
    .summary_scan_top = sqlite_summary_scan_top,
    .summary_scan_groups = sqlite_summary_scan_groups,
};

/* One try of sqlite_store_open: -2 when the file was found locked at once
 * (st->busy), so the caller may try again. */
static int sqlite_store_open_once(const char *path, enum store_mode mode, struct store **out,
                                  char *err, size_t errlen)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	struct sqlite_store *st = xcalloc(1, sizeof(*st));
	struct stat sb;
	int flags, rc = -1;

	pthread_once(&once, sqlite_configure);
	st->base.ops = &sqlite_ops;
	st->path = xstrdup(path);
	st->mode = mode;
	/* the roll-ups answer what they can (sqlite_query_scan.c); a test
	 * and the benchmark compare every view with them and without */
	st->rollups = getenv("TLSWATCH_NO_ROLLUPS") == NULL;
	st->rollup_batching = getenv("TLSWATCH_NO_ROLLUP_BATCH") == NULL;
	st->month_rollups = st->rollups && getenv("TLSWATCH_NO_MONTH_ROLLUPS") == NULL;
	st->year_rollups = st->month_rollups && getenv("TLSWATCH_NO_YEAR_ROLLUPS") == NULL;
	if (mode == STORE_READONLY) {
		if (stat(path, &sb) < 0) {
			snprintf(
			    err, errlen,
			    "database %s does not exist (ingest some reports first, or use --db)",
			    path);
			goto out;
		}
		flags = SQLITE_OPEN_READONLY;
	} else {
		flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	}
	if (sqlite3_open_v2(path, &st->db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		if (st->db == NULL)
			snprintf(err, errlen, "database %s: cannot open", path);
		else
			sqlite_fail(st, err, errlen, "cannot open");
		goto out;
	}
	sqlite3_extended_result_codes(st->db, 1);
	sqlite3_busy_timeout(st->db, STORE_BUSY_TIMEOUT_MS);
	sqlite3_db_config(st->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	sqlite3_db_config(st->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
	if (mode == STORE_READWRITE) {
		/* FULL: a commit is durable before a mail is moved away */
		/* a larger page cache and fewer, larger checkpoints keep
		 * index inserts cheap when a batch holds thousands of reports */
		if (sqlite_exec_sql(st, "PRAGMA journal_mode=WAL", err, errlen) < 0 ||
		    sqlite_exec_sql(st, "PRAGMA synchronous=FULL", err, errlen) < 0 ||
		    sqlite_exec_sql(st, "PRAGMA cache_size=-32768", err, errlen) < 0 ||
		    sqlite_exec_sql(st, "PRAGMA wal_autocheckpoint=8192", err, errlen) < 0 ||
		    sqlite_exec_sql(st, "PRAGMA temp_store=MEMORY", err, errlen) < 0 ||
		    sqlite_exec_sql(st, "PRAGMA foreign_keys=ON", err, errlen) < 0)
			goto out;
	} else if (sqlite_exec_sql(st, "PRAGMA query_only=1", err, errlen) < 0) {
		goto out;
	}
	if (sqlite_migrate(st, err, errlen) < 0)
		goto out;
	/* a migration that changed how figures are counted asked for a
	 * recount (schema/010_recount.sql) */
	if (mode == STORE_READWRITE && sqlite_recount_pending(st, err, errlen) < 0)
		goto out;
	*out = &st->base;
	st = NULL;
	rc = 0;
out:
	if (st != NULL && st->busy)
		rc = -2;
	sqlite_close(st != NULL ? &st->base : NULL);
	return rc;
}

/* Milliseconds on the monotonic clock. */
static int64_t sqlite_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int sqlite_store_open(const char *path, enum store_mode mode, struct store **out, char *err,
                      size_t errlen)
{
	const struct timespec pause = {0, 20 * 1000 * 1000};
	int64_t start;
	int i, rc = -1;

	for (i = 0; i < LIMIT_SQLITE_OPEN_TRIES; i++) {
		start = sqlite_now_ms();
		rc = sqlite_store_open_once(path, mode, out, err, errlen);
		/* only a lock refused at once is the creation race; one that
		 * outlasted the busy handler's wait is another writer's long
		 * transaction, and waiting again would not help */
		if (rc != -2 || sqlite_now_ms() - start >= STORE_BUSY_TIMEOUT_MS / 2)
			return rc < 0 ? -1 : rc;
		nanosleep(&pause, NULL);
	}
	return -1;
}

void sqlite_close(struct store *base)
{
	struct sqlite_store *st = sqlite_of(base);
	size_t i;

	if (st == NULL)
		return;
	if (st->in_batch)
		sqlite_rollback(&st->base);
	for (i = 0; i < STMT_COUNT; i++)
		sqlite3_finalize(st->stmt[i]);
	sqlite_batch_free(st);
	sqlite3_close(st->db);
	free(st->path);
	free(st);
}

int sqlite_begin(struct store *base, char *err, size_t errlen)
{
	struct sqlite_store *st = sqlite_of(base);
	if (st->in_batch)
		return 0;
	if (sqlite_exec_sql(st, "BEGIN IMMEDIATE", err, errlen) < 0)
		return -1;
	st->in_batch = 1;
	return 0;
}

int sqlite_commit(struct store *base, char *err, size_t errlen)
{
	struct sqlite_store *st = sqlite_of(base);
	if (!st->in_batch)
		return 0;
	if (sqlite_batch_settle(st, err, errlen) < 0 ||
	    sqlite_exec_sql(st, "COMMIT", err, errlen) < 0) {
		sqlite_rollback(&st->base);
		return -1;
	}
	sqlite_batch_end(st);
	st->in_batch = 0;
	return 0;
}

void sqlite_rollback(struct store *base)
{
	struct sqlite_store *st = sqlite_of(base);
	if (!st->in_batch)
		return;
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	sqlite_batch_end(st);
	st->in_batch = 0;
}

int sqlite_in_batch(const struct store *base)
{
	const struct sqlite_store *st = sqlite_of_const(base);
	return st->in_batch;
}

int sqlite_data_changed(struct store *base, int *changed, char *err, size_t errlen)
{
	struct sqlite_store *st = sqlite_of(base);
	sqlite3_stmt *s = sqlite_stmt(st, STMT_DATA_VERSION, "PRAGMA data_version", err, errlen);
	int64_t v;

	if (s == NULL)
		return -1;
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite_fail(st, err, errlen, "cannot read data_version");
		sqlite3_reset(s);
		return -1;
	}
	v = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	*changed = !st->data_version_seen || v != st->data_version;
	st->data_version = v;
	st->data_version_seen = 1;
	return 0;
}

sqlite3_stmt *sqlite_stmt(struct sqlite_store *st, enum store_stmt_id id, const char *sql,
                          char *err, size_t errlen)
{
	if (st->stmt[id] == NULL && sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
	                                               &st->stmt[id], NULL) != SQLITE_OK) {
		sqlite_fail(st, err, errlen, "cannot prepare statement");
		return NULL;
	}
	sqlite3_reset(st->stmt[id]);
	sqlite3_clear_bindings(st->stmt[id]);
	return st->stmt[id];
}

int sqlite_bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v == NULL)
		return sqlite3_bind_null(s, i);
	return sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
}
