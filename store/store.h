/*
 * store.h - the report store: the contract the rest of tlswatch uses,
 * whatever database is behind it. Together with query.h (reads for the
 * analyzer and the dashboard), query_ip.h (failures by sending IP) and
 * store_admin.h (retention and checks) it is the only way to the data;
 * nothing above store/ sees SQL or a database library.
 *
 * Design: struct store is opaque. Its first member is a table of
 * operations (struct store_ops, store_backend.h) that the backend fills
 * when store_open() opens it; store/store.c dispatches every function of
 * the contract to its operation, and store/results.c frees every result,
 * whatever backend filled it. SQLite is the one backend today
 * (store/sqlite*.c, the only files that include sqlite3.h); a second one
 * (PostgreSQL) is a second set of files that fills the same table, and
 * nothing above store/ changes.
 *
 * Adding a function to the contract: declare it here (or in query.h ...),
 * add its operation to struct store_ops, its one-line dispatch to
 * store.c, and each backend's implementation (for SQLite: sqlite_NAME in
 * a store/sqlite_*.c, declared in sqlite_impl.h and named in sqlite.c's
 * sqlite_ops). Writes go in files named for writing (sqlite_write*.c);
 * query files only read.
 *
 * A writer opens the database read-write (creating and migrating it); a
 * reader opens it read-only. Writes happen inside a batch transaction
 * (store_begin / store_commit) that costs one durability barrier; any
 * write error rolls the whole batch back, so a report is stored whole or
 * not at all. Every value is bound as a parameter, never pasted into SQL.
 *
 * Errors: functions return 0 or -1 with a one-line reason in err.
 */
#ifndef TLSWATCH_STORE_H
#define TLSWATCH_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "record.h"

struct store;

enum store_mode { STORE_READONLY, STORE_READWRITE };

/* Where an input came from. Strings are borrowed; NULL where unknown. */
struct source_info {
	const char *kind; /* "file", "stdin", "mail", "imap", "https" */
	const char *name; /* path, Message-ID, client address */
	int64_t received; /* UTC seconds */
	const char *message_id;
	const char *mail_from;
	const char *mail_date;
	const char *subject;
	const char *tls_report_domain;
	const char *tls_report_submitter;
	const char *auth_headers;
	/* docs/trust.md: "dkim-verified", "file", "https" or
	 * "unverified-mail"; NULL: from kind (https: https, mail and imap:
	 * unverified-mail, else file). */
	const char *provenance;
	const char *dkim;        /* pass, fail, none, temperror...; NULL: not checked */
	const char *dkim_domain; /* the d= the result rests on */
	const char *dkim_ar;     /* the Authentication-Results header used */
	/* 1: on a conflict this input wins whatever its provenance (the
	 * postmaster picked it: tlswatch quarantine pick) */
	int pick;
};

/* NEW: stored. DUPLICATE: the same report (same parsed content) is stored.
 * CONFLICT: a report with the same (organization, report-id) and other
 * content is stored and stays (*id names it): the caller quarantines the
 * input. SUPERSEDED: such a report was stored, this one has the stronger
 * provenance (or was picked) and replaced it: the old one's figures left
 * every aggregate and its bytes went to quarantine (store_last_conflict). */
enum store_outcome { STORE_NEW, STORE_DUPLICATE, STORE_CONFLICT, STORE_SUPERSEDED };

/* 1 when path names a PostgreSQL server (a postgresql:// or postgres://
 * libpq URI: docs/postgresql.md) rather than an SQLite file. */
int store_is_server(const char *path);
/* Takes the lock that keeps one collector per mailbox (key: server, user
 * and folder) among every process and host using the store, without
 * waiting: *held 1 when taken (kept until store_close), 0 when another
 * collector holds it. A store on a server only (PostgreSQL: an advisory
 * lock); an SQLite store is guarded by collector/lock.c's file lock. */
int store_lock_mailbox(struct store *st, const char *key, int *held, char *err, size_t errlen);
/* Opens (and for a writer, creates and migrates) the database at path.
 * A reader fails when the file is missing or its schema is not current. */
int store_open(const char *path, enum store_mode mode, struct store **out, char *err,
               size_t errlen);
/* Rolls back any open batch, then closes. store_close(NULL) is a no-op. */
void store_close(struct store *st);
/* Where a database server's password comes from (tlswatch.conf's
 * password_file or password_command): the first store_open that connects
 * to a server calls fn (a command that never does never runs it), and
 * every later one reuses its answer. fn returns 0 with *password
 * (malloc'ed, NUL-terminated; the store wipes it at exit) or -1 with a
 * reason that store_open then fails with. The password goes to the
 * server as a connection parameter, never into the URI shown. Without a
 * source, libpq's own apply (PGPASSFILE, ~/.pgpass). Set it before any
 * thread opens a store. */
typedef int (*store_password_fn)(void *arg, char **password, char *err, size_t errlen);
void store_set_password_source(store_password_fn fn, void *arg);

int store_begin(struct store *st, char *err, size_t errlen);
/* Commits the batch durably (synchronous=FULL). */
int store_commit(struct store *st, char *err, size_t errlen);
void store_rollback(struct store *st);
int store_in_batch(const struct store *st);

/* Adds a validated report's record (core/record.h: derived before the
 * store is called; the store only writes it). A report whose
 * (organization, report-id) is already stored with the same content
 * (rec->content_sha256) is a duplicate: nothing is written and *outcome
 * says so; with other content, a conflict (enum store_outcome). src
 * is recorded with the first new report of an input: *source_id is 0
 * until then, and the caller passes it back for the input's further
 * reports. Must be in a batch; on an error the batch is rolled back. */
int store_add_report(struct store *st, const struct report_record *rec,
                     const struct source_info *src, int64_t *source_id, int64_t *id,
                     enum store_outcome *outcome, char *err, size_t errlen);

/* A hint before store_add_report: the reports about to be added in this
 * batch (r[0..n)), whose keys a backend may look up at once instead of
 * one round trip each (PostgreSQL). Must be in a batch; answers nothing,
 * and the answers of store_add_report stay the same. A backend without
 * it does nothing. On an error the batch is rolled back. */
int store_prefetch_reports(struct store *st, const struct report *const *r, size_t n, char *err,
                           size_t errlen);

/* Keeps a refused input byte-exact. An input whose SHA-256 is already
 * quarantined (and not released) is not stored twice: *existing is set to 1
 * and *id names the earlier record. truncated: the input was larger than the
 * limit and data holds its first part. Must be in a batch. */
int store_add_quarantine(struct store *st, const struct source_info *src, const char *reason,
                         const uint8_t *data, size_t len, int64_t orig_size, int truncated,
                         int64_t *id, int *existing, char *err, size_t errlen);

/* One quarantine record, as listed. Strings and data are owned by the
 * record: free with store_quarantine_entry_free. */
struct quarantine_entry {
	int64_t id;
	int64_t received;
	char *kind;
	char *name;
	char *reason;
	char sha256_hex[65];
	int64_t size;
	int truncated;
	int64_t released; /* 0 when still held */
	int64_t released_report;
	int64_t conflict_report; /* 0, or the report this one conflicts with */
	char *provenance;        /* NULL, or what a superseded copy had */
	uint8_t *data;           /* NULL unless asked for */
	size_t data_len;
};

void store_quarantine_entry_free(struct quarantine_entry *q);

/* Calls fn for each record, oldest first (only those still held unless
 * all). Stops early when fn returns non-zero. Data is not loaded. */
int store_quarantine_list(struct store *st, int all,
                          int (*fn)(const struct quarantine_entry *q, void *arg), void *arg,
                          char *err, size_t errlen);

/* Loads one record with its data. -1 with "no quarantine record N". */
int store_quarantine_get(struct store *st, int64_t id, struct quarantine_entry *q, char *err,
                         size_t errlen);

/* Marks a record released into report report_rowid. Must be in a batch. */
int store_quarantine_release(struct store *st, int64_t id, int64_t report_rowid, char *err,
                             size_t errlen);

/* Replaces a held record's reason (a retry failed for another reason). */
int store_quarantine_set_reason(struct store *st, int64_t id, const char *reason, char *err,
                                size_t errlen);

/* Quarantines an input of which data holds the first len of orig_size
 * bytes (truncated when len < orig_size), under the SHA-256 of the whole
 * input, computed by the caller (the web intake keeps the start of a
 * large refused POST, not all of it). Within a batch; an input with the
 * same digest already held sets *existing. */
int store_quarantine_add_digest(struct store *st, const struct source_info *src, const char *reason,
                                const uint8_t *data, size_t len, int64_t orig_size,
                                const uint8_t sha256[32], int64_t *id, int *existing, char *err,
                                size_t errlen);
/* Bytes of data held in quarantine, and records. */
int store_quarantine_usage(struct store *st, int64_t *bytes, int64_t *records, char *err,
                           size_t errlen);
/* Deletes one record: -1 with "no quarantine record N" when there is none.
 * These are an operator's explicit deletions ('tlswatch quarantine'). */
int store_quarantine_delete(struct store *st, int64_t id, char *err, size_t errlen);
/* Deletes the records received before the time 'before' (Unix seconds). */
int store_quarantine_delete_before(struct store *st, int64_t before, int64_t *deleted, char *err,
                                   size_t errlen);
/* Deletes the oldest records until the data held is at most max_bytes. */
int store_quarantine_trim(struct store *st, int64_t max_bytes, int64_t *deleted, char *err,
                          size_t errlen);

/* IMAP collection state (schema/003_imap_state.sql), keyed by server
 * ("host:port"), user and mailbox. get: *found is 0 when there is no row
 * (the outputs are then 0). set: inserts or replaces the row; outside a
 * batch it is its own durable transaction. 0, or -1 with the reason. */
int store_imap_state_get(struct store *st, const char *server, const char *user,
                         const char *mailbox, int64_t *uidvalidity, int64_t *last_uid, int *found,
                         char *err, size_t errlen);
int store_imap_state_set(struct store *st, const char *server, const char *user,
                         const char *mailbox, int64_t uidvalidity, int64_t last_uid, char *err,
                         size_t errlen);

/* Whether any connection has committed to the database since this handle
 * last asked (SQLite: PRAGMA data_version); the first call on a handle
 * says 1.
 * For readers that keep results computed from the store (the dashboard's
 * response cache). 0 with *changed set, or -1 with the reason. */
int store_data_changed(struct store *st, int *changed, char *err, size_t errlen);

#endif
