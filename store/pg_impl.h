/*
 * pg_impl.h - what the PostgreSQL backend's files share: its handle, a
 * parameter list for PQexecParams, the result readers, and each operation
 * of the store's ops table (store_backend.h), named pg_OP. Only
 * store/pg*.c include this (and so libpq-fe.h).
 *
 * Every statement goes through pg_exec with its values as parameters
 * (text format; bytea as binary), never pasted into the SQL.
 */
#ifndef TLSWATCH_PG_IMPL_H
#define TLSWATCH_PG_IMPL_H

#include <libpq-fe.h>

#include "limits.h"
#include "query.h"
#include "query_ip.h"
#include "query_match.h"
#include "query_sql.h"
#include "rollup_month.h"
#include "strbuf.h"
#include "store_admin.h"
#include "store_backend.h"
#include "store_check.h"

/* Values of one statement: a filter's (query_sql) or a fixed one's. */
#define PG_MAX_PARAMS QUERY_MAX_ARGS

struct pg_params {
	int n;
	int failed; /* more than PG_MAX_PARAMS */
	const char *values[PG_MAX_PARAMS];
	int lengths[PG_MAX_PARAMS];
	int formats[PG_MAX_PARAMS];
	char num[PG_MAX_PARAMS][24];
};

/* Months a writer remembers having made sure of, per transaction: more
 * than a store holds in five years, so that 'db copy' of a store whose
 * ids do not follow the days asks the server once per month, not once
 * per report. */
#define PG_MONTHS_SEEN 64

/* The writer lock's modes (pg_write_lock.c), in rising order. */
#define PG_WRITER_NONE      0
#define PG_WRITER_SHARED    1
#define PG_WRITER_EXCLUSIVE 2

/* Report ids drawn ahead (pg_write_lock.c): at most one lookup's keys. */
#define PG_IDS_AHEAD LIMIT_PG_PREFETCH_KEYS

struct pg_ids {
	int64_t id[PG_IDS_AHEAD];
	int n, next;  /* id[next..n) not used yet */
	char seq[24]; /* report's id sequence (oid), "" until asked */
};

/* The PostgreSQL store: struct store first (store_backend.h). */
struct pg_store {
	struct store base;
	PGconn *conn;
	char *shown; /* the URI as messages show it (never holds a password) */
	enum store_mode mode;
	int in_batch;
	int migrated;                 /* 1: the schema is known current */
	int rollups;                  /* 0: read agg_* only (TLSWATCH_NO_ROLLUPS) */
	int resetting;                /* 1: connecting again (pg_exec) */
	int piping;                   /* 1: statements go to a pipeline (pg_write.c) */
	int pipe_n;                   /* statements sent to it */
	int prepared;                 /* 1: pg_write.c's statements are prepared */
	struct pg_batch *batch;       /* pending new reports: pg_write_batch.c */
	struct pg_prefetch *prefetch; /* keys looked up ahead: pg_write_prefetch.c */
	int prefetch_prepared;        /* 1: its statement is prepared */
	struct pg_copy_rows *copy;    /* pending rows of 'db copy': pg_copy.c */
	int change_seen;              /* 1: change holds a value */
	int64_t change;               /* store_change.n when last asked */
	int64_t conflict_old_report;  /* the last STORE_SUPERSEDED: store_trust.h */
	int64_t conflict_quarantine;
	/* pg_write_part.c: months whose partitions this transaction has seen
	 * (cleared by pg_begin: another process's prune may drop one
	 * between our transactions) */
	int64_t months[PG_MONTHS_SEEN];
	int n_months;
	int snapshot;     /* 1: in pg_read_snapshot's transaction (db copy) */
	int copy_staging; /* 1: pg_copy.c's temporary tables exist (this transaction) */
	/* 1: whole months read from the month tables of schema/pg/026 (not
	 * with TLSWATCH_NO_MONTH_ROLLUPS or TLSWATCH_NO_ROLLUPS) */
	int month_rollups;
	/* 1: whole years read from the year tables of schema/pg/034 (not
	 * with TLSWATCH_NO_YEAR_ROLLUPS or without the month tables) */
	int year_rollups;
	/* The days that hold rows, read once in pg_summary_scan_top's
	 * snapshot (held_keep set) for each breakdown's parts
	 * (pg_query.c, pg_days_held); held_known when read. */
	int held_keep, held_known;
	int64_t held_lo, held_hi;
	/* 1: the batch holds only aggregate rows, which no statement reads
	 * before the caller sends them (pg_recount): pg_exec does not send
	 * them first, and pg_batch_flush leaves them in its temporary tables
	 * for pg_batch_replace_aggregates */
	int batch_held;
	int wlock;        /* PG_WRITER_*: the writer lock this transaction holds */
	int key_locks;    /* report keys it has locked (pg_write_lock.c) */
	int escalated;    /* 1: exclusive for a conflict, quarantine or new month */
	int64_t restarts; /* transactions committed early (pg_writer_restart) */
	struct pg_ids ids;
};

static inline struct pg_store *pg_of(struct store *st)
{
	return (struct pg_store *)st;
}

static inline const struct pg_store *pg_of_const(const struct store *st)
{
	return (const struct pg_store *)st;
}

void pg_params_init(struct pg_params *p);
void pg_param_int(struct pg_params *p, int64_t v);
/* NULL binds SQL NULL; the text is borrowed until the statement ran. */
void pg_param_text(struct pg_params *p, const char *v);
/* A bytea value (binary format); borrowed. */
void pg_param_blob(struct pg_params *p, const void *v, size_t len);
/* The values kept in q (query_sql built with q->dollar set). */
void pg_params_of_sql(struct pg_params *p, const struct query_sql *q);

/* v[0..n) as a text[] literal into sb (to strbuf_free), to bind as one
 * $n::text[] parameter; NULL elements are ''. 0 or -1 (sb's cap). */
int pg_text_array(struct strbuf *sb, const char *const *v, size_t n);
/* v[0..n) as a bigint[] literal into sb (to strbuf_free), to bind as one
 * $n::bigint[] parameter. */
void pg_int_array(struct strbuf *sb, const int64_t *v, size_t n);
/* The distinct domains of m as a text[] literal into sb (pg_text_array). */
int pg_match_domains(const struct query_match *m, struct strbuf *sb);
/* The (domain, day) pairs the keys of m ask for, key i over [since[i],
 * until[i]) within [lo, hi), each once, as two arrays of the same length
 * (pg_text_array, pg_int_array; both to strbuf_free): bound as
 * "(policy_domain, day) IN (SELECT * FROM unnest($i::text[],
 * $j::bigint[]))", each pair one descent of a key starting with both,
 * not every domain's every day of the span. */
int pg_match_pairs(const struct query_match *m, const int64_t *since, const int64_t *until,
                   int64_t lo, int64_t hi, struct strbuf *doms, struct strbuf *days);
/* from, from + step, ... below until as a bigint[] literal into sb (to
 * strbuf_free). Beside a domain list, "day = ANY($i::bigint[]) AND
 * policy_domain = ANY($j::text[])" on a table keyed (day, policy_domain,
 * ...) makes each pair one descent of the index, where a day range walks
 * the rest of each day once per domain (PostgreSQL 15's B-tree). */
void pg_step_array(struct strbuf *sb, int64_t from, int64_t until, int64_t step);
/* "database URI: what: msg" into err, on one line. */
void pg_message(struct pg_store *st, const char *what, const char *msg, char *err, size_t errlen);
/* Runs sql with p (may be NULL). The result (rows or none) to PQclear,
 * or NULL with "database URI: what: server's message" in err. */
PGresult *pg_exec(struct pg_store *st, const char *sql, const struct pg_params *p, const char *what,
                  char *err, size_t errlen);
/* pg_exec for a statement whose rows are not wanted: 0 or -1; *changed
 * (may be NULL) the rows it touched. */
int pg_run(struct pg_store *st, const char *sql, const struct pg_params *p, const char *what,
           int64_t *changed, char *err, size_t errlen);
/* pg_exec of a statement built in q (q->dollar set). */
PGresult *pg_exec_sql(struct pg_store *st, const struct query_sql *q, const char *what, char *err,
                      size_t errlen);
/* Runs sql[0..n), sql[i] with p[i], sent at once (libpq's pipeline mode: the
 * server runs the next while the caller reads one), and hands each one's
 * rows to take(ctx, i, r) in order. 0, or -1 with "database URI: what:
 * message" in err. Inside a batch, or on a connection found broken
 * before any rows came (connected again as pg_exec does), one at a time
 * through pg_exec. */
int pg_exec_each(struct pg_store *st, const char *const *sql, size_t n,
                 const struct pg_params *const *p, const char *what,
                 void (*take)(void *ctx, size_t i, const PGresult *r), void *ctx, char *err,
                 size_t errlen);
/* The first integer of sql's first row (0 without a row). */
int pg_get_int(struct pg_store *st, const char *sql, const struct pg_params *p, const char *what,
               int64_t *out, char *err, size_t errlen);
/* query_sql_init for PostgreSQL ($N placeholders). */
void pg_sql_init(struct query_sql *q);
/* An alert's key as the next five values ('' where a part is NULL). */
void pg_param_alert_key(struct pg_params *p, const struct query_alert_key *k);
/* Column readers of a text-format result: NULL reads as 0 / NULL. */
int64_t pg_int(const PGresult *r, int row, int col);
const char *pg_text(const PGresult *r, int row, int col);
char *pg_strdup(const PGresult *r, int row, int col);
/* A bytea column, decoded: malloc'ed (free()), *len its size; NULL for
 * SQL NULL. */
uint8_t *pg_blob(const PGresult *r, int row, int col, size_t *len);

/* The operations (store_backend.h). */
void pg_close(struct store *st);
int pg_begin(struct store *st, char *err, size_t errlen);
int pg_commit(struct store *st, char *err, size_t errlen);
void pg_rollback(struct store *st);
int pg_in_batch(const struct store *st);
int pg_data_changed(struct store *st, int *changed, char *err, size_t errlen);
int pg_add_report(struct store *st, const struct report_record *rec, const struct source_info *src,
                  int64_t *source_id, int64_t *id, enum store_outcome *outcome, char *err,
                  size_t errlen);
int pg_add_quarantine(struct store *st, const struct source_info *src, const char *reason,
                      const uint8_t *data, size_t len, int64_t orig_size, int truncated,
                      int64_t *id, int *existing, char *err, size_t errlen);
int pg_quarantine_list(struct store *st, int all,
                       int (*fn)(const struct quarantine_entry *q, void *arg), void *arg, char *err,
                       size_t errlen);
int pg_quarantine_get(struct store *st, int64_t id, struct quarantine_entry *q, char *err,
                      size_t errlen);
int pg_quarantine_release(struct store *st, int64_t id, int64_t report_rowid, char *err,
                          size_t errlen);
int pg_quarantine_set_reason(struct store *st, int64_t id, const char *reason, char *err,
                             size_t errlen);
int pg_quarantine_add_digest(struct store *st, const struct source_info *src, const char *reason,
                             const uint8_t *data, size_t len, int64_t orig_size,
                             const uint8_t sha256[32], int64_t *id, int *existing, char *err,
                             size_t errlen);
int pg_quarantine_usage(struct store *st, int64_t *bytes, int64_t *records, char *err,
                        size_t errlen);
int pg_quarantine_delete(struct store *st, int64_t id, char *err, size_t errlen);
int pg_quarantine_delete_before(struct store *st, int64_t before, int64_t *deleted, char *err,
                                size_t errlen);
int pg_quarantine_trim(struct store *st, int64_t max_bytes, int64_t *deleted, char *err,
                       size_t errlen);
int pg_imap_state_get(struct store *st, const char *server, const char *user, const char *mailbox,
                      int64_t *uidvalidity, int64_t *last_uid, int *found, char *err,
                      size_t errlen);
int pg_imap_state_set(struct store *st, const char *server, const char *user, const char *mailbox,
                      int64_t uidvalidity, int64_t last_uid, char *err, size_t errlen);
int pg_prune(struct store *st, int64_t before_day, int64_t *reports, char *err, size_t errlen);
int pg_check(struct store *st, void (*problem)(const char *msg, void *arg), void *arg,
             int *n_problems, char *err, size_t errlen);
int pg_group(struct store *st, const struct query_filter *f, enum query_group g, size_t limit,
             struct query_rows *out, char *err, size_t errlen);
/* pg_query_life.c (query.h) */
int pg_lifetime(struct store *st, enum query_life family, enum query_labels labels, size_t limit,
                struct query_rows *out, size_t *n_series, char *err, size_t errlen);
/* pg_query_reason.c (query_reason.h; reporter presence: pg_query_presence.c) */
int pg_reporter_presence(struct store *st, int64_t since, int64_t until,
                         struct query_presence_rows *out, char *err, size_t errlen);
int pg_reporter_presence_of(struct store *st, int64_t since, int64_t until,
                            const char *const *domains, size_t n, struct query_presence_rows *out,
                            char *err, size_t errlen);
int pg_reporter_days(struct store *st, int64_t since, int64_t until, struct query_rows *out,
                     char *err, size_t errlen);
int pg_failure_reasons(struct store *st, const struct query_filter *f, size_t limit,
                       struct query_reason_rows *out, char *err, size_t errlen);
int pg_failure_infos(struct store *st, const struct query_filter *f, size_t limit,
                     struct query_reason_rows *out, char *err, size_t errlen);
int pg_totals(struct store *st, const struct query_filter *f, struct query_totals *out, char *err,
              size_t errlen);
int pg_summary_scan(struct store *st, const struct query_filter *f, int want_types,
                    struct query_scan *out, char *err, size_t errlen);
int pg_summary_scan_top(struct store *st, const struct query_filter *f, int want, size_t top_n,
                        const struct query_rows *keep, struct query_scan *out, char *err,
                        size_t errlen);
int pg_summary_scan_groups(struct store *st, const struct query_filter *f,
                           const struct query_rows *keep, struct query_scan *sc, char *err,
                           size_t errlen);
/* The summary's problems (pg_query_scan_top.c): failure groups summed
 * across reporters per domain, MX and result type, failed only. */
#define PG_BY_PROBLEM ((enum query_group)(QUERY_BY_POLICY_TYPE + 1))
/* The rows pg_group_run reads of a few domains only (pg_query_scan_top.c):
 * by agg_failure's key (day, policy_domain), the days of the period with
 * rows (or month and year starts, from the month and year tables) and the
 * domains as two arrays, so the server seeks each day (or each day and
 * domain, as its plan finds cheaper): a range of days with the domains as
 * a list would scan every day's rows once per domain. */
struct pg_only {
	const char *domains; /* text[] literal, '' the absent domain */
	/* the problems read, as three text[] literals of one length (the
	 * domain, MX and result type of each; '' where absent), or NULL:
	 * every group of the domains */
	const char *problems[3];
	const struct query_rows *days; /* the period's days with rows, in order */
	int64_t since, until;          /* the period those days are of */
	/* each part's days (bigint[]), pg_from_where's */
	struct strbuf span_days[ROLLUP_PARTS_MAX];
};
/* The days of part p a seek of only asks, as a bigint[] literal into out
 * (initialised here; the caller frees it): the month or year starts of
 * a part of months or years; of a part of days, those of only->days, and
 * every day of it outside only's period (a part taken away, of whose days
 * only->days knows nothing). */
void pg_only_days(const struct pg_only *only, const struct rollup_span *p, struct strbuf *out);
/* Breakdown g of filter f into rows (the first limit, 0: all), sorted as
 * query.h says unless g is PG_BY_PROBLEM; prov: the provenance filter's
 * rows (pg_provenance_rows), or NULL; only: the domains and days read
 * (pg_query_scan_top.c), or NULL. */
int pg_group_run(struct pg_store *st, const struct query_filter *f, enum query_group g,
                 const char *prov, struct pg_only *only, size_t limit, struct query_rows *out,
                 char *err, size_t errlen);
/* The summary's totals (scan_top_totals), reports counted in the report
 * table unless one domain is asked (pg_query.c). */
int pg_scan_totals(struct pg_store *st, const struct query_filter *f, struct query_scan *sc,
                   char *err, size_t errlen);
/* pg_query_series.c: pg_alert_scan for [since, until) and no filter,
 * the failure groups of need only (NULL: all). */
int pg_alert_series_rolled(struct pg_store *st, int64_t since, int64_t until,
                           const struct query_alert_need *need, struct query_alert_series *out,
                           char *err, size_t errlen);
int pg_alert_sent_many(struct store *st, const struct query_alert_key *keys, const int64_t *days,
                       size_t n, int before, struct query_alert_sent *out, char *err,
                       size_t errlen);
int pg_alert_scan(struct store *st, const struct query_filter *f,
                  const struct query_alert_need *need, struct query_alert_series *out, char *err,
                  size_t errlen);
int pg_day_span(struct store *st, int64_t *first, int64_t *last, int *found, char *err,
                size_t errlen);
int pg_quarantined(struct store *st, int64_t since, int64_t until, int64_t *n, char *err,
                   size_t errlen);
int pg_reports(struct store *st, const struct query_filter *f, int64_t offset, int64_t limit,
               struct query_report_list *out, char *err, size_t errlen);
int pg_report_get(struct store *st, int64_t id, struct query_report_detail *out, char *err,
                  size_t errlen);
int pg_alert_record_sent(struct store *st, const struct query_alert_key *k, int64_t day,
                         int64_t value, int64_t now, char *err, size_t errlen);
int pg_failure_ips(struct store *st, const struct query_filter *f, size_t limit,
                   struct query_ip_rows *out, char *err, size_t errlen);
int pg_ip_details(struct store *st, const struct query_filter *f, const char *ip, int64_t offset,
                  int64_t limit, struct query_ip_details *out, char *err, size_t errlen);
int pg_alert_sent_on(struct store *st, const struct query_alert_key *k, int64_t day, int64_t *value,
                     int *found, char *err, size_t errlen);
int pg_alert_sent_before(struct store *st, const struct query_alert_key *k, int64_t before,
                         int64_t *day, int *found, char *err, size_t errlen);
int pg_alert_context(struct store *st, const struct query_alert_key *k, int64_t since,
                     int64_t until, char **reporters, char **reason, char *err, size_t errlen);
int pg_day_marks(struct store *st, int64_t since, int64_t until, struct query_day_mark *out,
                 char *err, size_t errlen);
int pg_alert_judged(struct store *st, int64_t since, int64_t until, struct query_day_mark *out,
                    int *judged, char *err, size_t errlen);
int pg_alert_record_judged(struct store *st, const struct query_day_mark *m, int64_t now, char *err,
                           size_t errlen);
void pg_last_conflict(const struct store *st, int64_t *old_report, int64_t *quarantine_id);
int pg_quarantine_set_conflict(struct store *st, int64_t id, int64_t report_rowid, char *err,
                               size_t errlen);
int pg_alert_contexts(struct store *st, const struct query_alert_key *keys, size_t n,
                      const int64_t *since, const int64_t *until, char **reporters, char **reasons,
                      char *err, size_t errlen);
int pg_reports_by_trust_many(struct store *st, const int64_t *since, const int64_t *until,
                             const char *const *domains, const char *const *organizations, size_t n,
                             int64_t *verified, int64_t *unverified, char *err, size_t errlen);
int pg_reports_by_trust(struct store *st, int64_t since, int64_t until, const char *domain,
                        const char *organization, int64_t *verified, int64_t *unverified, char *err,
                        size_t errlen);
/* pg_write_part.c: the month partitions of day exist (made if not), in
 * the writer's transaction. */
int pg_month_ensure(struct pg_store *st, int64_t day, char *err, size_t errlen);
/* The months pg_month_ensure saw in this transaction, made sure of again
 * just before its rows are sent (whatever lock the sending holds, prune
 * cannot have dropped one since). */
int pg_month_recheck(struct pg_store *st, char *err, size_t errlen);
/* pg_write_part.c: 'db check' of what the references held before 018 */
int pg_part_check(struct pg_store *st, void (*problem)(const char *msg, void *arg), void *arg,
                  int *n, char *err, size_t errlen);
/* pg_copy.c: one snapshot for every table a copy reads (on), its end (off) */
int pg_read_snapshot(struct store *st, int on, char *err, size_t errlen);
int pg_conflicts_held(struct store *st, int64_t *n, char *err, size_t errlen);
int pg_conflicts_by_organization(struct store *st,
                                 int (*fn)(const char *organization, int64_t n, void *arg),
                                 void *arg, char *err, size_t errlen);

int pg_rows_write(struct store *st, const struct store_table *t, const struct store_value *row,
                  char *err, size_t errlen);
int pg_lock_mailbox(struct store *st, const char *key, int *held, char *err, size_t errlen);
/* pg_copy.c */
int pg_rows_read(struct store *st, const struct store_table *t,
                 int (*fn)(const struct store_value *row, void *arg), void *arg, char *err,
                 size_t errlen);
/* pg_query_check.c (store_check.h) */
int pg_check_add(struct store *st, const struct check_result *r, char *err, size_t errlen);
int pg_check_history(struct store *st, const char *domain, size_t limit, struct check_results *out,
                     char *err, size_t errlen);
int pg_check_latest(struct store *st, struct check_results *out, char *err, size_t errlen);
int pg_policy_seen(struct store *st, const char *domain, int64_t since, int64_t until,
                   struct policy_seen_rows *out, char *err, size_t errlen);
/* pg_write_recount.c: 'db recount', and the recount a migration asked
 * for (recount_pending) run by a writer that opens the store */
int pg_recount(struct store *st, void (*progress)(int64_t done, int64_t total, void *arg),
               void *arg, int64_t *reports, char *err, size_t errlen);
int pg_recount_pending(struct pg_store *st, char *err, size_t errlen);
/* Reports read back a round at a time (pg_readback.c): each from its
 * stored policies, failure details and mx-host entries (lists bounded by
 * the parser's limits), and counted once (tally_report) as ingest
 * counted it. */
struct pg_readback {
	struct report *reports; /* each owns its arena */
	struct tally *tallies;  /* tallies[i]: reports[i] counted */
	size_t n;
};
/* Reads back the reports in rows [first, end) of page (columns id,
 * organization, report_id, start_time, end_time, day): as many as one
 * round takes (LIMIT_READBACK_REPORTS, LIMIT_READBACK_ROWS; at least one
 * while first < end), rows [first, first + out->n). 0, or -1 with the
 * reason (out empty). The caller frees out (pg_readback_free). */
int pg_readback_round(struct pg_store *st, const PGresult *page, int first, int end,
                      struct pg_readback *out, char *err, size_t errlen);
void pg_readback_free(struct pg_readback *rb);
/* The rows the aggregate tables would hold for the reports of filter f
 * (its provenance among them), counted again from each report (tally.c),
 * as a JSON array of objects for json_to_recordset: t (0 agg_domain, 1
 * agg_failure, 2 agg_mx, 3 agg_policy_type), day, organization,
 * policy_domain, mx_host, result_type, policy_type, reports,
 * successful_sessions, failed_sessions (pg_query_provenance.c). */
int pg_provenance_rows(struct pg_store *st, const struct query_filter *f, struct strbuf *json,
                       char *err, size_t errlen);
/* pg_write_rollup.c: 'db check --repair', and what 'db check' adds to
 * *n_problems about the roll-ups */
int pg_rollup_rebuild(struct store *st, char *err, size_t errlen);
/* Every roll-up, month table and roll_reason emptied and refilled from
 * its sums, in the caller's transaction; what: the message's start on
 * failure (roll_reason's own). */
int pg_rollup_refill(struct pg_store *st, const char *what, char *err, size_t errlen);
int pg_rollup_check(struct pg_store *st, void (*problem)(const char *msg, void *arg), void *arg,
                    int *n_problems, char *err, size_t errlen);

/* pg_write_batch.c: a batch's new reports, sent at once. find: 1 with
 * the id and content hash when a pending report has r's key, else 0. add:
 * keeps rec as report id (its source too when *source_id is 0, which then
 * gets the new source's id); may send the pending rows first. flush: sends
 * them (pg_exec does before any other statement); on failure the
 * transaction is lost. discard: forgets them (rollback). */
int pg_batch_find(struct pg_store *st, const struct report *r, int64_t *id,
                  uint8_t content_sha256[32]);
int pg_batch_add(struct pg_store *st, const struct report_record *rec,
                 const struct source_info *src, int64_t *source_id, int64_t id, char *err,
                 size_t errlen);
/* The aggregate rows of report r as tally t counted it (pg_recount): sent
 * with the batch, summed per key, instead of one upsert per row, each
 * firing the roll-ups' statement triggers (4 ms a report). */
int pg_batch_add_aggregates(struct pg_store *st, const struct report *r, const struct tally *t,
                            char *err, size_t errlen);
/* agg_* made the rows held in the batch's temporary tables since the
 * transaction began (st->batch_held), summed per key, by deleting,
 * updating and adding only the rows that differ (pg_write_replace.c). */
int pg_batch_replace_aggregates(struct pg_store *st, char *err, size_t errlen);
/* The batch's temporary tables, created when missing (pg_write_batch.c) */
int pg_batch_temp_tables(struct pg_store *st, char *err, size_t errlen);
int pg_batch_pending(const struct pg_store *st);
/* The id of the next new report. Inside a batch (the writer lock held:
 * no other writer draws from the sequence) ids are counted here after
 * one nextval, and the sequence set to the last one when the rows are
 * sent: one round trip a batch, not one a report. */
int pg_batch_new_id(struct pg_store *st, int64_t *id, char *err, size_t errlen);
int pg_batch_flush(struct pg_store *st, char *err, size_t errlen);
void pg_batch_discard(struct pg_store *st);
void pg_batch_free(struct pg_store *st);
/* pg_write_lock.c: several writers at once.
 * lock: takes the writer lock in mode (PG_WRITER_SHARED or _EXCLUSIVE)
 *   unless held; a shared one is never raised in place (restart).
 * restart: commits the transaction and begins another holding mode.
 * alone: the exclusive lock, committing first what a shared one covered.
 * share: back to the shared lock after what alone was taken for (the
 *   next report or lookup ahead; commits first).
 * room: commits first when n more key locks would pass LIMIT_PG_KEY_LOCKS.
 * key_lock: the key of one report locked before it is looked up (shared
 *   mode; may commit first and wait for another writer).
 * keys_lock: the keys of json (prefetch's array) tried at once; *busy
 *   (PQclear, may be NULL) lists those another writer holds, not locked.
 * ids_take: the next report id (drawing up to want at once).
 * ids_return: at commit, the ids drawn and not used go back when no other
 *   writer drew since. All 0 or -1 with err; on -1 after a restart the
 *   transaction is gone. */
int pg_writer_lock(struct pg_store *st, int mode, char *err, size_t errlen);
int pg_writer_restart(struct pg_store *st, int mode, char *err, size_t errlen);
int pg_writer_alone(struct pg_store *st, char *err, size_t errlen);
int pg_writer_share(struct pg_store *st, char *err, size_t errlen);
int pg_writer_room(struct pg_store *st, int n, char *err, size_t errlen);
int pg_key_lock(struct pg_store *st, const char *organization, const char *report_id, char *err,
                size_t errlen);
int pg_keys_lock(struct pg_store *st, const char *json, int n, PGresult **busy, char *err,
                 size_t errlen);
int pg_ids_take(struct pg_store *st, int want, int64_t *id, char *err, size_t errlen);
int pg_ids_return(struct pg_store *st, char *err, size_t errlen);
/* The keys of the last prefetch not yet answered (pg_write_prefetch.c). */
int pg_prefetch_absent(const struct pg_store *st);
/* FNV-1a of a report key, for the in-memory key tables of pg_write_*.c */
uint64_t pg_key_hash(const char *key, size_t len);
/* pg_write_prefetch.c: report keys looked up ahead (store_prefetch_reports).
 * find: 1 with the stored report's id and content hash (*hash_known 0
 * when it has none), 0 when it is not stored, -1 when the key was not
 * looked up ahead (or its answer was used). clear: forgets the answers
 * (commit, rollback: the writer lock goes). */
int pg_prefetch_reports(struct store *base, const struct report *const *r, size_t n, char *err,
                        size_t errlen);
int pg_prefetch_find(struct pg_store *st, const struct report *r, int64_t *id,
                     uint8_t content_sha256[32], int *hash_known);
void pg_prefetch_clear(struct pg_store *st);
void pg_prefetch_free(struct pg_store *st);
/* Which context an alert key takes: 0 a failure group's, 1 a domain's,
 * -1 none (pg_query_state.c). */
int pg_alert_which(const struct query_alert_key *k);
/* The reporters of k's failures, by failed sessions ("A, B and 3 more"),
 * *out NULL when none (query.h's alert_context). */
int pg_alert_reporters(struct pg_store *st, const struct query_alert_key *k, int which,
                       int64_t since, int64_t until, char **out, char *err, size_t errlen);
/* Rows of breakdown g (read without ORDER BY) put in the order query.h
 * gives it, as pg_query.c's ORDER BY would (pg_query_order.c). */
void pg_rows_sort(enum query_group g, struct query_rows *rows);
/* The same for each of keys[0..n), keys[i] over [since[i], until[i]), in
 * one read of their days per kind (pg_query_reporters.c): reporters[i] as
 * pg_alert_reporters gives it. */
int pg_alert_reporters_many(struct pg_store *st, const struct query_alert_key *keys, size_t n,
                            const int64_t *since, const int64_t *until, char **reporters, char *err,
                            size_t errlen);
/* The rows of 'db copy' not yet sent, dropped (pg_copy.c). */
void pg_copy_free(struct pg_store *st);
/* Before a copy commits: the roll-ups its rows skipped, refilled from
 * their sums (pg_copy.c). 0 or -1. */
int pg_copy_finish(struct pg_store *st, char *err, size_t errlen);

/* Adds report r's tally t to the aggregate tables (pg_write.c). */
int pg_add_aggregates(struct pg_store *st, const struct report *r, const struct tally *t, char *err,
                      size_t errlen);
/* As sqlite_trust_resolve / sqlite_trust_superseded (pg_write_trust.c). */
int pg_trust_resolve(struct pg_store *st, int64_t id, const uint8_t *content_sha256,
                     const struct source_info *src, enum store_outcome *outcome, char *err,
                     size_t errlen);
int pg_trust_superseded(struct pg_store *st, int64_t new_id, char *err, size_t errlen);
/* Reports of the filter's period, domains and organization (pg_query.c). */
int pg_count_reports(struct pg_store *st, const struct query_filter *f, int64_t *n, char *err,
                     size_t errlen);

/* roll_reason (schema/pg/025_reason_roll.sql; pg_reason_roll.c; new
 * reports add theirs in the ingest batch). report: stored report id's
 * rows added again from its details (sign 1) or taken away (sign -1,
 * before its details go; rows left empty deleted); fill: the table
 * emptied and summed again from every detail; differences: rows that
 * differ from those sums; sql: the read of query_failure_reasons (kind
 * 0) or query_failure_infos (kind 1) (reason_roll.h: reason_roll_sql;
 * whether the table answers a filter: reason_roll_answers). */
int pg_reason_roll_report(struct pg_store *st, int64_t report_id, int sign, char *err,
                          size_t errlen);
int pg_reason_roll_fill(struct pg_store *st, char *err, size_t errlen);
int pg_reason_roll_differences(struct pg_store *st, int64_t *n, char *err, size_t errlen);
int pg_reason_roll_sql(struct query_sql *q, const struct query_filter *f, int kind, size_t limit,
                       char *err, size_t errlen);

#endif
