/*
 * store_backend.h - what a storage backend provides: one table of
 * operations, one per function of the contract (store.h, query.h,
 * query_ip.h, store_admin.h), and an open function. store/store.c
 * dispatches each contract function to its operation; nothing above
 * store/ includes this file.
 *
 * A backend's handle starts with struct store (its ops pointer), so the
 * struct store * the contract passes around is the backend's own handle:
 *     struct sqlite_store { struct store base; sqlite3 *db; ... };
 * Each operation behaves exactly as its contract function is documented;
 * results are freed by store/results.c, whatever backend filled them.
 */
#ifndef TLSWATCH_STORE_BACKEND_H
#define TLSWATCH_STORE_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "query.h"
#include "query_ip.h"
#include "query_reason.h"
#include "store.h"
#include "store_admin.h"
#include "store_check.h"
#include "store_trust.h"

/* One value of a row being copied (store/copy.c). */
struct store_value {
	enum { STORE_NULL, STORE_INT, STORE_TEXT, STORE_BLOB } type;
	int64_t num;
	const void *data; /* text (NUL-terminated) or blob bytes */
	size_t len;
};

/* A table as store_copy moves it: its name, its columns in order, the
 * column that orders its rows, and its identity column (NULL: none). */
#define STORE_TABLE_MAX_COLUMNS 16
struct store_table {
	const char *name;
	const char *columns[STORE_TABLE_MAX_COLUMNS]; /* NULL-terminated */
	const char *order;
	const char *identity;
};

/* Appends to sql the statement that reads table t's rows in order
 * ("SELECT columns FROM t ORDER BY order"; insert 0) or adds one row
 * ("INSERT INTO t (columns) VALUES (?1, ...)", or $1 ... when dollar;
 * insert 1). The number of columns, or -1 when sql is full (copy.c). */
struct strbuf;
int store_table_sql(const struct store_table *t, int insert, int dollar, struct strbuf *sql);

struct store_ops {
	/* the backend's name, for messages ("SQLite") */
	const char *name;
	/* store.h */
	void (*close)(struct store *st);
	int (*begin)(struct store *st, char *err, size_t errlen);
	int (*commit)(struct store *st, char *err, size_t errlen);
	void (*rollback)(struct store *st);
	int (*in_batch)(const struct store *st);
	int (*data_changed)(struct store *st, int *changed, char *err, size_t errlen);
	int (*add_report)(struct store *st, const struct report_record *rec,
	                  const struct source_info *src, int64_t *source_id, int64_t *id,
	                  enum store_outcome *outcome, char *err, size_t errlen);
	int (*add_quarantine)(struct store *st, const struct source_info *src, const char *reason,
	                      const uint8_t *data, size_t len, int64_t orig_size, int truncated,
	                      int64_t *id, int *existing, char *err, size_t errlen);
	int (*quarantine_list)(struct store *st, int all,
	                       int (*fn)(const struct quarantine_entry *q, void *arg), void *arg,
	                       char *err, size_t errlen);
	int (*quarantine_get)(struct store *st, int64_t id, struct quarantine_entry *q, char *err,
	                      size_t errlen);
	int (*quarantine_release)(struct store *st, int64_t id, int64_t report_rowid, char *err,
	                          size_t errlen);
	int (*quarantine_set_reason)(struct store *st, int64_t id, const char *reason, char *err,
	                             size_t errlen);
	int (*quarantine_add_digest)(struct store *st, const struct source_info *src,
	                             const char *reason, const uint8_t *data, size_t len,
	                             int64_t orig_size, const uint8_t sha256[32], int64_t *id,
	                             int *existing, char *err, size_t errlen);
	int (*quarantine_usage)(struct store *st, int64_t *bytes, int64_t *records, char *err,
	                        size_t errlen);
	int (*quarantine_delete)(struct store *st, int64_t id, char *err, size_t errlen);
	int (*quarantine_delete_before)(struct store *st, int64_t before, int64_t *deleted,
	                                char *err, size_t errlen);
	int (*quarantine_trim)(struct store *st, int64_t max_bytes, int64_t *deleted, char *err,
	                       size_t errlen);
	int (*imap_state_get)(struct store *st, const char *server, const char *user,
	                      const char *mailbox, int64_t *uidvalidity, int64_t *last_uid,
	                      int *found, char *err, size_t errlen);
	int (*imap_state_set)(struct store *st, const char *server, const char *user,
	                      const char *mailbox, int64_t uidvalidity, int64_t last_uid, char *err,
	                      size_t errlen);
	/* store_admin.h */
	int (*prune)(struct store *st, int64_t before_day, int64_t *reports, char *err,
	             size_t errlen);
	int (*check)(struct store *st, void (*problem)(const char *msg, void *arg), void *arg,
	             int *n_problems, char *err, size_t errlen);
	/* query.h */
	int (*group)(struct store *st, const struct query_filter *f, enum query_group g,
	             size_t limit, struct query_rows *out, char *err, size_t errlen);
	int (*totals)(struct store *st, const struct query_filter *f, struct query_totals *out,
	              char *err, size_t errlen);
	int (*summary_scan)(struct store *st, const struct query_filter *f, int want_types,
	                    struct query_scan *out, char *err, size_t errlen);
	int (*alert_scan)(struct store *st, const struct query_filter *f,
	                  const struct query_alert_need *need, struct query_alert_series *out,
	                  char *err, size_t errlen);
	int (*day_span)(struct store *st, int64_t *first, int64_t *last, int *found, char *err,
	                size_t errlen);
	int (*quarantined)(struct store *st, int64_t since, int64_t until, int64_t *n, char *err,
	                   size_t errlen);
	int (*reports)(struct store *st, const struct query_filter *f, int64_t offset,
	               int64_t limit, struct query_report_list *out, char *err, size_t errlen);
	int (*report_get)(struct store *st, int64_t id, struct query_report_detail *out, char *err,
	                  size_t errlen);
	int (*alert_record_sent)(struct store *st, const struct query_alert_key *k, int64_t day,
	                         int64_t value, int64_t now, char *err, size_t errlen);
	int (*alert_sent_on)(struct store *st, const struct query_alert_key *k, int64_t day,
	                     int64_t *value, int *found, char *err, size_t errlen);
	int (*alert_sent_before)(struct store *st, const struct query_alert_key *k, int64_t before,
	                         int64_t *day, int *found, char *err, size_t errlen);
	int (*alert_context)(struct store *st, const struct query_alert_key *k, int64_t since,
	                     int64_t until, char **reporters, char **reason, char *err,
	                     size_t errlen);
	int (*day_marks)(struct store *st, int64_t since, int64_t until, struct query_day_mark *out,
	                 char *err, size_t errlen);
	int (*alert_judged)(struct store *st, int64_t since, int64_t until,
	                    struct query_day_mark *out, int *judged, char *err, size_t errlen);
	int (*alert_record_judged)(struct store *st, const struct query_day_mark *m, int64_t now,
	                           char *err, size_t errlen);
	/* store_trust.h */
	void (*last_conflict)(const struct store *st, int64_t *old_report, int64_t *quarantine_id);
	int (*quarantine_set_conflict)(struct store *st, int64_t id, int64_t report_rowid,
	                               char *err, size_t errlen);
	int (*reports_by_trust)(struct store *st, int64_t since, int64_t until, const char *domain,
	                        const char *organization, int64_t *verified, int64_t *unverified,
	                        char *err, size_t errlen);
	int (*conflicts_held)(struct store *st, int64_t *n, char *err, size_t errlen);
	int (*conflicts_by_organization)(struct store *st,
	                                 int (*fn)(const char *organization, int64_t n, void *arg),
	                                 void *arg, char *err, size_t errlen);
	/* query_ip.h */
	int (*failure_ips)(struct store *st, const struct query_filter *f, size_t limit,
	                   struct query_ip_rows *out, char *err, size_t errlen);
	int (*ip_details)(struct store *st, const struct query_filter *f, const char *ip,
	                  int64_t offset, int64_t limit, struct query_ip_details *out, char *err,
	                  size_t errlen);
	/* store_admin.h, added later (STORE_OP_NEEDED) */
	int (*recount)(struct store *st, void (*progress)(int64_t done, int64_t total, void *arg),
	               void *arg, int64_t *reports, char *err, size_t errlen);
	/* query_reason.h (may be NULL: STORE_OP_NEEDED) */
	int (*reporter_days)(struct store *st, int64_t since, int64_t until, struct query_rows *out,
	                     char *err, size_t errlen);
	int (*failure_reasons)(struct store *st, const struct query_filter *f, size_t limit,
	                       struct query_reason_rows *out, char *err, size_t errlen);
	/* store_check.h (issue 14; a backend may leave these NULL) */
	int (*check_add)(struct store *st, const struct check_result *r, char *err, size_t errlen);
	int (*check_history)(struct store *st, const char *domain, size_t limit,
	                     struct check_results *out, char *err, size_t errlen);
	int (*check_latest)(struct store *st, struct check_results *out, char *err, size_t errlen);
	int (*policy_seen)(struct store *st, const char *domain, int64_t since, int64_t until,
	                   struct policy_seen_rows *out, char *err, size_t errlen);
	/* store_copy (store/copy.c): every row of one table of the
	 * schema, in id order, each passed to fn (values borrowed for the
	 * call); and one such row added as it was (row NULL: the table is
	 * complete, its identity goes on after the largest id) */
	int (*rows_read)(struct store *st, const struct store_table *t,
	                 int (*fn)(const struct store_value *row, void *arg), void *arg, char *err,
	                 size_t errlen);
	int (*rows_write)(struct store *st, const struct store_table *t,
	                  const struct store_value *row, char *err, size_t errlen);
	/* store.h: the collector lock of one mailbox, across hosts */
	int (*lock_mailbox)(struct store *st, const char *key, int *held, char *err, size_t errlen);
	/* added by issue 18 (a backend may leave them NULL: STORE_OP_NEEDED) */
	int (*lifetime)(struct store *st, enum query_life family, enum query_labels labels,
	                size_t limit, struct query_rows *out, size_t *n_series, char *err,
	                size_t errlen);
	int (*rollup_rebuild)(struct store *st, char *err, size_t errlen);
	/* query_reason.h, additional-information (issue 12; may be NULL) */
	int (*failure_infos)(struct store *st, const struct query_filter *f, size_t limit,
	                     struct query_reason_rows *out, char *err, size_t errlen);
	/* issue 18: alert context and trust for many keys in one read of the
	 * window (may be NULL: STORE_OP_NEEDED) */
	int (*alert_contexts)(struct store *st, const struct query_alert_key *keys, size_t n,
	                      const int64_t *since, const int64_t *until, char **reporters,
	                      char **reasons, char *err, size_t errlen);
	int (*reports_by_trust_many)(struct store *st, const int64_t *since, const int64_t *until,
	                             const char *const *domains, const char *const *organizations,
	                             size_t n, int64_t *verified, int64_t *unverified, char *err,
	                             size_t errlen);
	/* query_reason.h, reporter days as bits (issue 18; may be NULL) */
	int (*reporter_presence)(struct store *st, int64_t since, int64_t until,
	                         struct query_presence_rows *out, char *err, size_t errlen);
	/* store_copy: every table it reads as of one moment, writers
	 * running or not (on), and that snapshot's end (off). May be NULL. */
	int (*read_snapshot)(struct store *st, int on, char *err, size_t errlen);
	/* store.h, store_prefetch_reports: a hint, may be NULL (issue 16) */
	int (*prefetch_reports)(struct store *st, const struct report *const *r, size_t n,
	                        char *err, size_t errlen);
	/* query.h, query_days_with_reports: may be NULL (the day marks
	 * answer instead; issue 18) */
	int (*days_with_reports)(struct store *st, int64_t since, int64_t until, int *has,
	                         char *err, size_t errlen);
	/* query_reason.h, query_reporter_presence_of: may be NULL (issue 18,
	 * alert; the whole presence read answers instead) */
	int (*reporter_presence_of)(struct store *st, int64_t since, int64_t until,
	                            const char *const *domains, size_t n,
	                            struct query_presence_rows *out, char *err, size_t errlen);
	/* query.h, query_alert_sent_many: may be NULL (alert_sent_on and
	 * alert_sent_before answer, key by key) */
	int (*alert_sent_many)(struct store *st, const struct query_alert_key *keys,
	                       const int64_t *days, size_t n, int before,
	                       struct query_alert_sent *out, char *err, size_t errlen);
	/* query.h, query_summary_scan_top: may be NULL (summary_scan answers) */
	int (*summary_scan_top)(struct store *st, const struct query_filter *f, int want,
	                        size_t top_n, const struct query_rows *keep, struct query_scan *out,
	                        char *err, size_t errlen);
	/* query.h, query_summary_scan_groups: may be NULL (summary_scan_top
	 * answers, reading the breakdowns again) */
	int (*summary_scan_groups)(struct store *st, const struct query_filter *f,
	                           const struct query_rows *keep, struct query_scan *sc, char *err,
	                           size_t errlen);
};

/*
 * An operation a backend may leave NULL (one added after the backend was
 * written) is dispatched through STORE_OP_NEEDED: the call fails with
 * "the <name> store cannot <what> yet" rather than crashing.
 */
int store_op_missing(const struct store *st, const char *what, char *err, size_t errlen);
#define STORE_OP_NEEDED(st, op, what, err, errlen)                                                 \
	do {                                                                                       \
		if ((st)->ops->op == NULL)                                                         \
			return store_op_missing((st), (what), (err), (errlen));                    \
	} while (0)

/*
 * A report with the key of a stored one and other content: 1 when the new
 * copy replaces the stored one (a pick, or a stronger provenance; reason
 * gets the quarantine reason of the copy that leaves), 0 when the stored
 * one stays (a conflict; on a tie the first stays). provenance.c.
 */
int store_trust_supersedes(const char *new_prov, const char *old_prov, int pick, char *reason,
                           size_t reasonlen);

/*
 * Appends a row to r (query_reason.h), its strings copied into r's arena
 * or, when equal to the previous row's, that row's pointers; domain NULL
 * or "": absent. *alloc is r's room. The backends add their rows in the
 * contract's order through it. results.c.
 */
void query_presence_rows_add(struct query_presence_rows *r, size_t *alloc, const char *domain,
                             const char *organization, int64_t first_day, uint32_t days);

/* The key fields a breakdown (query_group) groups by and keeps of a row,
 * as bits: each backend's table of breakdowns says which. */
enum {
	K_ORG = 1 << 0,
	K_DOMAIN = 1 << 1,
	K_MX = 1 << 2,
	K_RTYPE = 1 << 3,
	K_PTYPE = 1 << 4,
	K_DAY = 1 << 5
};

/* The head of every backend's handle. */
struct store {
	const struct store_ops *ops;
};

/* Each backend's store_open (store/sqlite.c, store/pg.c). */
int sqlite_store_open(const char *path, enum store_mode mode, struct store **out, char *err,
                      size_t errlen);
int pg_store_open(const char *uri, const char *password, enum store_mode mode, struct store **out,
                  char *err, size_t errlen);

#endif
