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

#include "schema.h"
#include "xalloc.h"

/* How long a writer waits for another writer before giving up. */
#define STORE_BUSY_TIMEOUT_MS 10000

int store_fail(struct store *st, char *err, size_t errlen, const char *what)
{
	snprintf(err, errlen, "database %s: %s: %s", st->path, what, sqlite3_errmsg(st->db));
	return -1;
}

static int store_exec(struct store *st, const char *sql, char *err, size_t errlen)
{
	char *msg = NULL;

	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(err, errlen, "database %s: %s", st->path,
		         msg != NULL ? msg : sqlite3_errmsg(st->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static int store_get_int(struct store *st, const char *sql, int64_t *out, char *err, size_t errlen)
{
	sqlite3_stmt *s = NULL;
	int rc = -1;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK ||
	    sqlite3_step(s) != SQLITE_ROW) {
		store_fail(st, err, errlen, "cannot read");
		goto out;
	}
	*out = sqlite3_column_int64(s, 0);
	rc = 0;
out:
	sqlite3_finalize(s);
	return rc;
}

/* Brings PRAGMA user_version up to the newest embedded migration, each step
 * in its own transaction. A database from a newer tlswatch is refused, and
 * so is a non-empty SQLite file that is not ours. */
static int store_migrate(struct store *st, char *err, size_t errlen)
{
	int64_t version, tables;
	int i, newest = schema_migrations[schema_n_migrations - 1].version;
	char sql[64];

	if (store_get_int(st, "PRAGMA user_version", &version, err, errlen) < 0)
		return -1;
	if (version > newest) {
		snprintf(err, errlen,
		         "database %s: schema version %lld is newer than this tlswatch knows (%d)",
		         st->path, (long long)version, newest);
		return -1;
	}
	if (version == 0) {
		if (store_get_int(st, "SELECT count(*) FROM sqlite_master", &tables, err, errlen) <
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
	for (i = 0; i < schema_n_migrations; i++) {
		if (schema_migrations[i].version <= version)
			continue;
		if (store_exec(st, "BEGIN IMMEDIATE", err, errlen) < 0)
			return -1;
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d",
		         schema_migrations[i].version);
		if (store_exec(st, schema_migrations[i].sql, err, errlen) < 0 ||
		    store_exec(st, sql, err, errlen) < 0) {
			store_exec(st, "ROLLBACK", err + strlen(err), 0);
			return -1;
		}
		if (store_exec(st, "COMMIT", err, errlen) < 0)
			return -1;
	}
	return 0;
}

/* SQLite counts every allocation under a global mutex unless told not to
 * (SQLITE_CONFIG_MEMSTATUS); nothing here reads those counters, and the
 * ingest path allocates per statement. Must precede sqlite3_initialize,
 * so it runs once, before the first open. */
static void store_configure(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int store_open(const char *path, enum store_mode mode, struct store **out, char *err, size_t errlen)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	struct store *st = xcalloc(1, sizeof(*st));
	struct stat sb;
	int flags, rc = -1;

	pthread_once(&once, store_configure);
	st->path = xstrdup(path);
	st->mode = mode;
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
			store_fail(st, err, errlen, "cannot open");
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
		if (store_exec(st, "PRAGMA journal_mode=WAL", err, errlen) < 0 ||
		    store_exec(st, "PRAGMA synchronous=FULL", err, errlen) < 0 ||
		    store_exec(st, "PRAGMA cache_size=-32768", err, errlen) < 0 ||
		    store_exec(st, "PRAGMA wal_autocheckpoint=8192", err, errlen) < 0 ||
		    store_exec(st, "PRAGMA temp_store=MEMORY", err, errlen) < 0 ||
		    store_exec(st, "PRAGMA foreign_keys=ON", err, errlen) < 0)
			goto out;
	} else if (store_exec(st, "PRAGMA query_only=1", err, errlen) < 0) {
		goto out;
	}
	if (store_migrate(st, err, errlen) < 0)
		goto out;
	*out = st;
	st = NULL;
	rc = 0;
out:
	store_close(st);
	return rc;
}

void store_close(struct store *st)
{
	size_t i;

	if (st == NULL)
		return;
	if (st->in_batch)
		store_rollback(st);
	for (i = 0; i < STMT_COUNT; i++)
		sqlite3_finalize(st->stmt[i]);
	sqlite3_close(st->db);
	free(st->path);
	free(st);
}

int store_begin(struct store *st, char *err, size_t errlen)
{
	if (st->in_batch)
		return 0;
	if (store_exec(st, "BEGIN IMMEDIATE", err, errlen) < 0)
		return -1;
	st->in_batch = 1;
	return 0;
}

int store_commit(struct store *st, char *err, size_t errlen)
{
	if (!st->in_batch)
		return 0;
	if (store_exec(st, "COMMIT", err, errlen) < 0) {
		store_rollback(st);
		return -1;
	}
	st->in_batch = 0;
	return 0;
}

void store_rollback(struct store *st)
{
	if (!st->in_batch)
		return;
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	st->in_batch = 0;
}

int store_in_batch(const struct store *st)
{
	return st->in_batch;
}

int store_data_changed(struct store *st, int *changed, char *err, size_t errlen)
{
	sqlite3_stmt *s = store_stmt(st, STMT_DATA_VERSION, "PRAGMA data_version", err, errlen);
	int64_t v;

	if (s == NULL)
		return -1;
	if (sqlite3_step(s) != SQLITE_ROW) {
		store_fail(st, err, errlen, "cannot read data_version");
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

void *store_handle(struct store *st)
{
	return st->db;
}

sqlite3_stmt *store_stmt(struct store *st, enum store_stmt_id id, const char *sql, char *err,
                         size_t errlen)
{
	if (st->stmt[id] == NULL && sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
	                                               &st->stmt[id], NULL) != SQLITE_OK) {
		store_fail(st, err, errlen, "cannot prepare statement");
		return NULL;
	}
	sqlite3_reset(st->stmt[id]);
	sqlite3_clear_bindings(st->stmt[id]);
	return st->stmt[id];
}

int store_bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v == NULL)
		return sqlite3_bind_null(s, i);
	return sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
}
