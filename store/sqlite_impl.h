/*
 * sqlite_impl.h - what the SQLite backend's files share: its handle and
 * cached prepared statements, and each operation of the store's ops table
 * (store_backend.h), named sqlite_OP. Only store/sqlite*.c include this
 * (and so sqlite3.h).
 */
#ifndef TLSWATCH_SQLITE_IMPL_H
#define TLSWATCH_SQLITE_IMPL_H

#include <sqlite3.h>

#include "query.h"
#include "query_ip.h"
#include "store_admin.h"
#include "store_backend.h"

enum store_stmt_id {
	STMT_FIND_REPORT,
	STMT_ADD_RAW,
	STMT_ADD_SOURCE,
	STMT_ADD_REPORT,
	STMT_ADD_POLICY,
	STMT_ADD_FAILURE,
	STMT_AGG_DOMAIN,
	STMT_AGG_FAILURE,
	STMT_AGG_MX,
	STMT_AGG_TYPE,
	STMT_FIND_QUARANTINE,
	STMT_ADD_QUARANTINE,
	STMT_DATA_VERSION,
	STMT_REASON_ROLL,
	STMT_DAYS_HELD,
	STMT_COUNT
};

/* The SQLite store: struct store (the ops table, store_backend.h) first,
 * so a struct store * handed to sqlite_* is this. */
struct sqlite_store {
	struct store base;
	sqlite3 *db;
	char *path;
	enum store_mode mode;
	int in_batch;
	int busy;              /* 1: a statement of the open found the file locked (SQLITE_BUSY) */
	int data_version_seen; /* 1: data_version holds a value */
	int64_t data_version;  /* PRAGMA data_version when last asked */
	sqlite3_stmt *stmt[STMT_COUNT];
	int64_t conflict_old_report; /* the last STORE_SUPERSEDED: store_trust.h */
	int64_t conflict_quarantine;
	int rollups;  /* 1: read roll-ups where they answer (TLSWATCH_NO_ROLLUPS unset) */
	int snapshot; /* 1: in sqlite_read_snapshot's read transaction (db copy) */
	/* the ingest writer's roll-up deltas (sqlite_write_batch.c); NULL
	 * until first used, or always with TLSWATCH_NO_ROLLUP_BATCH */
	struct sqlite_rollup_batch *rollup_batch;
	int rollup_batching; /* 0: TLSWATCH_NO_ROLLUP_BATCH, the triggers per row */
	/* 1: whole months from schema/021's tables (TLSWATCH_NO_MONTH_ROLLUPS
	 * unset, and the roll-ups on) */
	int month_rollups;
	/* 1: whole years from schema/027's tables (TLSWATCH_NO_YEAR_ROLLUPS
	 * unset, and the month tables read) */
	int year_rollups;
};

/* Writes "database PATH: what: sqlite's message" to err; returns -1. */
int sqlite_fail(struct sqlite_store *st, char *err, size_t errlen, const char *what);
/* Steps a statement that returns no row: 0, or -1 with sqlite_fail(what). */
int sqlite_step_done(struct sqlite_store *st, sqlite3_stmt *s, const char *what, char *err,
                     size_t errlen);
/* The first column of the first row of sql, a fixed statement without
 * parameters: 0, or -1 with sqlite_fail("cannot read"). */
int sqlite_get_int(struct sqlite_store *st, const char *sql, int64_t *out, char *err,
                   size_t errlen);
/* The cached statement for id (prepared on first use), reset and unbound. */
sqlite3_stmt *sqlite_stmt(struct sqlite_store *st, enum store_stmt_id id, const char *sql,
                          char *err, size_t errlen);
/* Binds text, or NULL as SQL NULL. The text must outlive the step. */
int sqlite_bind_text(sqlite3_stmt *s, int i, const char *v);

static inline struct sqlite_store *sqlite_of(struct store *st)
{
	return (struct sqlite_store *)st;
}

static inline const struct sqlite_store *sqlite_of_const(const struct store *st)
{
	return (const struct sqlite_store *)st;
}

/* The operations (store_backend.h), each as its store.h, query.h,
 * query_ip.h or store_admin.h counterpart says. */
void sqlite_close(struct store *st);
int sqlite_begin(struct store *st, char *err, size_t errlen);
int sqlite_commit(struct store *st, char *err, size_t errlen);
void sqlite_rollback(struct store *st);
int sqlite_in_batch(const struct store *st);
int sqlite_data_changed(struct store *st, int *changed, char *err, size_t errlen);
int sqlite_add_report(struct store *st, const struct report_record *rec,
                      const struct source_info *src, int64_t *source_id, int64_t *id,
                      enum store_outcome *outcome, char *err, size_t errlen);
int sqlite_add_quarantine(struct store *st, const struct source_info *src, const char *reason,
                          const uint8_t *data, size_t len, int64_t orig_size, int truncated,
                          int64_t *id, int *existing, char *err, size_t errlen);
int sqlite_quarantine_list(struct store *st, int all,
                           int (*fn)(const struct quarantine_entry *q, void *arg), void *arg,
                           char *err, size_t errlen);
int sqlite_quarantine_get(struct store *st, int64_t id, struct quarantine_entry *q, char *err,
                          size_t errlen);
int sqlite_quarantine_release(struct store *st, int64_t id, int64_t report_rowid, char *err,
                              size_t errlen);
int sqlite_quarantine_set_reason(struct store *st, int64_t id, const char *reason, char *err,
                                 size_t errlen);
int sqlite_quarantine_add_digest(struct store *st, const struct source_info *src,
                                 const char *reason, const uint8_t *data, size_t len,
                                 int64_t orig_size, const uint8_t sha256[32], int64_t *id,
                                 int *existing, char *err, size_t errlen);
int sqlite_quarantine_usage(struct store *st, int64_t *bytes, int64_t *records, char *err,
                            size_t errlen);
int sqlite_quarantine_delete(struct store *st, int64_t id, char *err, size_t errlen);
int sqlite_quarantine_delete_before(struct store *st, int64_t before, int64_t *deleted, char *err,
                                    size_t errlen);
int sqlite_quarantine_trim(struct store *st, int64_t max_bytes, int64_t *deleted, char *err,
                           size_t errlen);
int sqlite_imap_state_get(struct store *st, const char *server, const char *user,
                          const char *mailbox, int64_t *uidvalidity, int64_t *last_uid, int *found,
                          char *err, size_t errlen);
int sqlite_imap_state_set(struct store *st, const char *server, const char *user,
                          const char *mailbox, int64_t uidvalidity, int64_t last_uid, char *err,
                          size_t errlen);
int sqlite_prune(struct store *st, int64_t before_day, int64_t *reports, char *err, size_t errlen);
int sqlite_check(struct store *st, void (*problem)(const char *msg, void *arg), void *arg,
                 int *n_problems, char *err, size_t errlen);
int sqlite_group(struct store *st, const struct query_filter *f, enum query_group g, size_t limit,
                 struct query_rows *out, char *err, size_t errlen);
int sqlite_totals(struct store *st, const struct query_filter *f, struct query_totals *out,
                  char *err, size_t errlen);
int sqlite_summary_scan(struct store *st, const struct query_filter *f, int want_types,
                        struct query_scan *out, char *err, size_t errlen);
int sqlite_alert_scan(struct store *st, const struct query_filter *f,
                      const struct query_alert_need *need, struct query_alert_series *out,
                      char *err, size_t errlen);
int sqlite_summary_scan_top(struct store *st, const struct query_filter *f, int want, size_t top_n,
                            const struct query_rows *keep, struct query_scan *out, char *err,
                            size_t errlen);
int sqlite_summary_scan_groups(struct store *st, const struct query_filter *f,
                               const struct query_rows *keep, struct query_scan *sc, char *err,
                               size_t errlen);
int sqlite_day_span(struct store *st, int64_t *first, int64_t *last, int *found, char *err,
                    size_t errlen);
int sqlite_quarantined(struct store *st, int64_t since, int64_t until, int64_t *n, char *err,
                       size_t errlen);
int sqlite_reports(struct store *st, const struct query_filter *f, int64_t offset, int64_t limit,
                   struct query_report_list *out, char *err, size_t errlen);
int sqlite_report_get(struct store *st, int64_t id, struct query_report_detail *out, char *err,
                      size_t errlen);
int sqlite_alert_record_sent(struct store *st, const struct query_alert_key *k, int64_t day,
                             int64_t value, int64_t now, char *err, size_t errlen);
int sqlite_failure_ips(struct store *st, const struct query_filter *f, size_t limit,
                       struct query_ip_rows *out, char *err, size_t errlen);
int sqlite_ip_details(struct store *st, const struct query_filter *f, const char *ip,
                      int64_t offset, int64_t limit, struct query_ip_details *out, char *err,
                      size_t errlen);
int sqlite_alert_sent_on(struct store *st, const struct query_alert_key *k, int64_t day,
                         int64_t *value, int *found, char *err, size_t errlen);
int sqlite_alert_sent_before(struct store *st, const struct query_alert_key *k, int64_t before,
                             int64_t *day, int *found, char *err, size_t errlen);
int sqlite_alert_context(struct store *st, const struct query_alert_key *k, int64_t since,
                         int64_t until, char **reporters, char **reason, char *err, size_t errlen);
int sqlite_day_marks(struct store *st, int64_t since, int64_t until, struct query_day_mark *out,
                     char *err, size_t errlen);
int sqlite_days_with_reports(struct store *st, int64_t since, int64_t until, int *has, char *err,
                             size_t errlen);
int sqlite_alert_judged(struct store *st, int64_t since, int64_t until, struct query_day_mark *out,
                        int *judged, char *err, size_t errlen);
int sqlite_alert_record_judged(struct store *st, const struct query_day_mark *m, int64_t now,
                               char *err, size_t errlen);
void sqlite_last_conflict(const struct store *st, int64_t *old_report, int64_t *quarantine_id);
int sqlite_quarantine_set_conflict(struct store *st, int64_t id, int64_t report_rowid, char *err,
                                   size_t errlen);
int sqlite_alert_contexts(struct store *st, const struct query_alert_key *keys, size_t n,
                          const int64_t *since, const int64_t *until, char **reporters,
                          char **reasons, char *err, size_t errlen);
int sqlite_reports_by_trust_many(struct store *st, const int64_t *since, const int64_t *until,
                                 const char *const *domains, const char *const *organizations,
                                 size_t n, int64_t *verified, int64_t *unverified, char *err,
                                 size_t errlen);
int sqlite_reports_by_trust(struct store *st, int64_t since, int64_t until, const char *domain,
                            const char *organization, int64_t *verified, int64_t *unverified,
                            char *err, size_t errlen);
int sqlite_conflicts_held(struct store *st, int64_t *n, char *err, size_t errlen);
int sqlite_conflicts_by_organization(struct store *st,
                                     int (*fn)(const char *organization, int64_t n, void *arg),
                                     void *arg, char *err, size_t errlen);
int sqlite_lifetime(struct store *st, enum query_life family, enum query_labels labels,
                    size_t limit, struct query_rows *out, size_t *n_series, char *err,
                    size_t errlen);
/* sqlite_lifetime's rows in one pass, grouped and ordered in C
 * (sqlite_query_life_scan.c); family and labels already checked. */
int sqlite_lifetime_scan(struct sqlite_store *st, enum query_life family, enum query_labels labels,
                         size_t limit, struct query_rows *out, size_t *n_series, char *err,
                         size_t errlen);
int sqlite_rollup_rebuild(struct store *st, char *err, size_t errlen);

/* Roll-up i (0, 1, ... of schema/012_rollups.sql) compared with the sums
 * of the aggregate tables it must equal: *table names it, *n counts the
 * rows that differ (sqlite_write_rollup.c). 1 past the last one, 0, or -1
 * with the reason. */
int sqlite_rollup_differences(struct sqlite_store *st, size_t i, const char **table, int64_t *n,
                              char *err, size_t errlen);

int sqlite_recount(struct store *st, void (*progress)(int64_t done, int64_t total, void *arg),
                   void *arg, int64_t *reports, char *err, size_t errlen);
/* Runs sqlite_recount when a migration asked for one (recount_pending
 * has a row: schema/010_recount.sql); 0 when none was asked for or it
 * is done (sqlite_write_recount.c). */
int sqlite_recount_pending(struct sqlite_store *st, char *err, size_t errlen);
int sqlite_check_add(struct store *st, const struct check_result *r, char *err, size_t errlen);
int sqlite_check_history(struct store *st, const char *domain, size_t limit,
                         struct check_results *out, char *err, size_t errlen);
int sqlite_check_latest(struct store *st, struct check_results *out, char *err, size_t errlen);
int sqlite_policy_seen(struct store *st, const char *domain, int64_t since, int64_t until,
                       struct policy_seen_rows *out, char *err, size_t errlen);
int sqlite_rows_read(struct store *st, const struct store_table *t,
                     int (*fn)(const struct store_value *row, void *arg), void *arg, char *err,
                     size_t errlen);
int sqlite_rows_write(struct store *st, const struct store_table *t, const struct store_value *row,
                      char *err, size_t errlen);
int sqlite_read_snapshot(struct store *st, int on, char *err, size_t errlen);

/* roll_reason (schema/019_reason_rollup.sql; sqlite_reason_roll.c).
 * add: a report being stored, its groups added from the record; remove:
 * stored report id's groups taken away (before its details go); fill:
 * the table emptied and summed again from every detail; differences: rows
 * that differ from those sums; sql: the read of query_failure_reasons
 * (kind 0) or query_failure_infos (kind 1) (reason_roll.h: reason_roll_sql;
 * whether the table answers a filter: reason_roll_answers). */
int sqlite_reason_roll_add(struct sqlite_store *st, const struct report_record *rec, char *err,
                           size_t errlen);
int sqlite_reason_roll_remove(struct sqlite_store *st, int64_t report_id, char *err, size_t errlen);
/* 0 when report r has no failure text: nothing for roll_reason. */
int sqlite_reason_roll_wanted(const struct report *r);
int sqlite_reason_roll_fill(struct sqlite_store *st, char *err, size_t errlen);
int sqlite_reason_roll_differences(struct sqlite_store *st, int64_t *n, char *err, size_t errlen);
struct query_sql;
int sqlite_reason_roll_sql(struct query_sql *q, const struct query_filter *f, int kind,
                           size_t limit, char *err, size_t errlen);

/* Binds an alert's key as ?1..?5 ('' where a part is NULL). */
void sqlite_bind_alert_key(sqlite3_stmt *s, const struct query_alert_key *k);

/* Adds report r's tally t to the aggregate tables (sqlite_write.c). */
/* The ingest writer's roll-ups (sqlite_write_batch.c). defer: 012's
 * triggers off for the rest of the transaction, when the schema has no
 * other (sqlite_batch_deferred says whether they are); add_report:
 * a new report's aggregate rows, its roll-up deltas kept in memory;
 * settle: the deltas written and the triggers back, before the commit and
 * before anything else writes an aggregate row (a no-op when not
 * deferred); end: after the COMMIT or ROLLBACK (deltas a rollback undid
 * dropped, triggers on); free: at close. */
int sqlite_batch_defer(struct sqlite_store *st, char *err, size_t errlen);
int sqlite_batch_deferred(const struct sqlite_store *st);
int sqlite_batch_add_report(struct sqlite_store *st, const struct report_record *rec,
                            const char *provenance, char *err, size_t errlen);
int sqlite_batch_settle(struct sqlite_store *st, char *err, size_t errlen);
void sqlite_batch_end(struct sqlite_store *st);
void sqlite_batch_free(struct sqlite_store *st);
int sqlite_add_aggregates(struct sqlite_store *st, const struct report *r, const struct tally *t,
                          char *err, size_t errlen);
/* A stored report with the same key and another content hash:
 * 0 with *outcome STORE_CONFLICT (nothing changed), or 1 when the stored
 * one was removed for r (src is stronger or picked): the caller stores r
 * and calls sqlite_trust_superseded. -1 on a database error
 * (sqlite_write_trust.c). */
int sqlite_trust_resolve(struct sqlite_store *st, int64_t id, const uint8_t *content_sha256,
                         const struct source_info *src, enum store_outcome *outcome, char *err,
                         size_t errlen);
/* Points the quarantined old copy at the report that replaced it. */
int sqlite_trust_superseded(struct sqlite_store *st, int64_t new_id, char *err, size_t errlen);

/* query_reason.h (sqlite_query_reason.c; reporter presence:
 * sqlite_query_presence.c) */
int sqlite_reporter_presence(struct store *st, int64_t since, int64_t until,
                             struct query_presence_rows *out, char *err, size_t errlen);
int sqlite_reporter_presence_of(struct store *st, int64_t since, int64_t until,
                                const char *const *domains, size_t n,
                                struct query_presence_rows *out, char *err, size_t errlen);
int sqlite_reporter_days(struct store *st, int64_t since, int64_t until, struct query_rows *out,
                         char *err, size_t errlen);
int sqlite_failure_reasons(struct store *st, const struct query_filter *f, size_t limit,
                           struct query_reason_rows *out, char *err, size_t errlen);
int sqlite_failure_infos(struct store *st, const struct query_filter *f, size_t limit,
                         struct query_reason_rows *out, char *err, size_t errlen);

#endif
