/*
 * store.c - the contract (store.h, query.h, query_ip.h, store_admin.h)
 * dispatched to the backend that opened the store (store_backend.h).
 * Nothing here knows SQL; every argument passes through unchanged.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "limits.h"
#include "store_backend.h"
#include "xalloc.h"

int store_op_missing(const struct store *st, const char *what, char *err, size_t errlen)
{
	snprintf(err, errlen, "the %s store cannot %s yet", st->ops->name, what);
	return -1;
}

/* store_set_password_source: the source, and its answer once asked
 * (under the lock: dashboards open stores from several threads) */
static store_password_fn password_fn;
static void *password_arg;
static char *password;
static int password_asked;
static pthread_mutex_t password_lock = PTHREAD_MUTEX_INITIALIZER;

static void store_password_wipe(void)
{
	if (password != NULL) {
		explicit_bzero(password, strlen(password));
		free(password);
		password = NULL;
	}
}

void store_set_password_source(store_password_fn fn, void *arg)
{
	pthread_mutex_lock(&password_lock);
	store_password_wipe();
	password_fn = fn;
	password_arg = arg;
	password_asked = 0;
	pthread_mutex_unlock(&password_lock);
	if (fn != NULL)
		atexit(store_password_wipe);
}

static int store_open_server(const char *path, enum store_mode mode, struct store **out, char *err,
                             size_t errlen)
{
	int rc = 0;

	pthread_mutex_lock(&password_lock);
	if (password_fn != NULL && !password_asked) {
		rc = password_fn(password_arg, &password, err, errlen);
		password_asked = rc == 0;
	}
	pthread_mutex_unlock(&password_lock);
	/* once asked, the password stays as it is */
	return rc < 0 ? -1 : pg_store_open(path, password, mode, out, err, errlen);
}

int store_is_server(const char *path)
{
	return strncmp(path, "postgresql://", 13) == 0 || strncmp(path, "postgres://", 11) == 0;
}

int store_open(const char *path, enum store_mode mode, struct store **out, char *err, size_t errlen)
{
	/* the backend by the form of path: a libpq URI, else a file name */
	if (store_is_server(path))
		return store_open_server(path, mode, out, err, errlen);
	return sqlite_store_open(path, mode, out, err, errlen);
}

void store_close(struct store *st)
{
	if (st != NULL)
		st->ops->close(st);
}

int store_begin(struct store *st, char *err, size_t errlen)
{
	return st->ops->begin(st, err, errlen);
}

int store_commit(struct store *st, char *err, size_t errlen)
{
	return st->ops->commit(st, err, errlen);
}

void store_rollback(struct store *st)
{
	st->ops->rollback(st);
}

int store_in_batch(const struct store *st)
{
	return st->ops->in_batch(st);
}

int store_data_changed(struct store *st, int *changed, char *err, size_t errlen)
{
	return st->ops->data_changed(st, changed, err, errlen);
}

int store_add_report(struct store *st, const struct report_record *rec,
                     const struct source_info *src, int64_t *source_id, int64_t *id,
                     enum store_outcome *outcome, char *err, size_t errlen)
{
	return st->ops->add_report(st, rec, src, source_id, id, outcome, err, errlen);
}

int store_prefetch_reports(struct store *st, const struct report *const *r, size_t n, char *err,
                           size_t errlen)
{
	/* a hint, not an operation: without it each report is looked up
	 * when it is added (no STORE_OP_NEEDED) */
	if (st->ops->prefetch_reports == NULL || n == 0)
		return 0;
	return st->ops->prefetch_reports(st, r, n, err, errlen);
}

int store_add_quarantine(struct store *st, const struct source_info *src, const char *reason,
                         const uint8_t *data, size_t len, int64_t orig_size, int truncated,
                         int64_t *id, int *existing, char *err, size_t errlen)
{
	return st->ops->add_quarantine(st, src, reason, data, len, orig_size, truncated, id,
	                               existing, err, errlen);
}

int store_quarantine_list(struct store *st, int all,
                          int (*fn)(const struct quarantine_entry *q, void *arg), void *arg,
                          char *err, size_t errlen)
{
	return st->ops->quarantine_list(st, all, fn, arg, err, errlen);
}

int store_quarantine_get(struct store *st, int64_t id, struct quarantine_entry *q, char *err,
                         size_t errlen)
{
	return st->ops->quarantine_get(st, id, q, err, errlen);
}

int store_quarantine_release(struct store *st, int64_t id, int64_t report_rowid, char *err,
                             size_t errlen)
{
	return st->ops->quarantine_release(st, id, report_rowid, err, errlen);
}

int store_quarantine_set_reason(struct store *st, int64_t id, const char *reason, char *err,
                                size_t errlen)
{
	return st->ops->quarantine_set_reason(st, id, reason, err, errlen);
}

int store_quarantine_add_digest(struct store *st, const struct source_info *src, const char *reason,
                                const uint8_t *data, size_t len, int64_t orig_size,
                                const uint8_t sha256[32], int64_t *id, int *existing, char *err,
                                size_t errlen)
{
	return st->ops->quarantine_add_digest(st, src, reason, data, len, orig_size, sha256, id,
	                                      existing, err, errlen);
}

int store_quarantine_usage(struct store *st, int64_t *bytes, int64_t *records, char *err,
                           size_t errlen)
{
	return st->ops->quarantine_usage(st, bytes, records, err, errlen);
}

int store_quarantine_delete(struct store *st, int64_t id, char *err, size_t errlen)
{
	return st->ops->quarantine_delete(st, id, err, errlen);
}

int store_quarantine_delete_before(struct store *st, int64_t before, int64_t *deleted, char *err,
                                   size_t errlen)
{
	return st->ops->quarantine_delete_before(st, before, deleted, err, errlen);
}

int store_quarantine_trim(struct store *st, int64_t max_bytes, int64_t *deleted, char *err,
                          size_t errlen)
{
	return st->ops->quarantine_trim(st, max_bytes, deleted, err, errlen);
}

int store_imap_state_get(struct store *st, const char *server, const char *user,
                         const char *mailbox, int64_t *uidvalidity, int64_t *last_uid, int *found,
                         char *err, size_t errlen)
{
	return st->ops->imap_state_get(st, server, user, mailbox, uidvalidity, last_uid, found, err,
	                               errlen);
}

int store_imap_state_set(struct store *st, const char *server, const char *user,
                         const char *mailbox, int64_t uidvalidity, int64_t last_uid, char *err,
                         size_t errlen)
{
	return st->ops->imap_state_set(st, server, user, mailbox, uidvalidity, last_uid, err,
	                               errlen);
}

int store_prune(struct store *st, int64_t before_day, int64_t *reports, char *err, size_t errlen)
{
	return st->ops->prune(st, before_day, reports, err, errlen);
}

int store_check(struct store *st, void (*problem)(const char *msg, void *arg), void *arg,
                int *n_problems, char *err, size_t errlen)
{
	return st->ops->check(st, problem, arg, n_problems, err, errlen);
}

int store_recount(struct store *st, void (*progress)(int64_t done, int64_t total, void *arg),
                  void *arg, int64_t *reports, char *err, size_t errlen)
{
	STORE_OP_NEEDED(st, recount, "recount its figures", err, errlen);
	return st->ops->recount(st, progress, arg, reports, err, errlen);
}

int query_group(struct store *st, const struct query_filter *f, enum query_group g, size_t limit,
                struct query_rows *out, char *err, size_t errlen)
{
	return st->ops->group(st, f, g, limit, out, err, errlen);
}

int query_totals(struct store *st, const struct query_filter *f, struct query_totals *out,
                 char *err, size_t errlen)
{
	return st->ops->totals(st, f, out, err, errlen);
}

int query_summary_scan(struct store *st, const struct query_filter *f, int want_types,
                       struct query_scan *out, char *err, size_t errlen)
{
	return st->ops->summary_scan(st, f, want_types, out, err, errlen);
}

int query_summary_scan_top(struct store *st, const struct query_filter *f, int want, size_t top_n,
                           const struct query_rows *keep, struct query_scan *out, char *err,
                           size_t errlen)
{
	/* every group is more than asked, with the same figures: a backend
	 * without the pruned read answers with the full one (no
	 * STORE_OP_NEEDED) */
	if (st->ops->summary_scan_top == NULL)
		return st->ops->summary_scan(st, f, want & QUERY_SCAN_POLICY_TYPES, out, err,
		                             errlen);
	return st->ops->summary_scan_top(st, f, want, top_n, keep, out, err, errlen);
}

int query_summary_scan_groups(struct store *st, const struct query_filter *f,
                              const struct query_rows *keep, struct query_scan *sc, char *err,
                              size_t errlen)
{
	struct query_scan all;

	if (st->ops->summary_scan_groups != NULL)
		return st->ops->summary_scan_groups(st, f, keep, sc, err, errlen);
	/* the whole scan again, its groups kept: the same rows, slower */
	memset(&all, 0, sizeof(all));
	if (query_summary_scan_top(st, f, 0, 0, keep, &all, err, errlen) < 0)
		return -1;
	query_rows_free(&sc->failures);
	sc->failures = all.failures;
	memset(&all.failures, 0, sizeof(all.failures));
	query_scan_free(&all);
	return 0;
}

int query_alert_scan(struct store *st, const struct query_filter *f,
                     const struct query_alert_need *need, struct query_alert_series *out, char *err,
                     size_t errlen)
{
	return st->ops->alert_scan(st, f, need, out, err, errlen);
}

int query_day_span(struct store *st, int64_t *first, int64_t *last, int *found, char *err,
                   size_t errlen)
{
	return st->ops->day_span(st, first, last, found, err, errlen);
}

int query_quarantined(struct store *st, int64_t since, int64_t until, int64_t *n, char *err,
                      size_t errlen)
{
	return st->ops->quarantined(st, since, until, n, err, errlen);
}

int query_reports(struct store *st, const struct query_filter *f, int64_t offset, int64_t limit,
                  struct query_report_list *out, char *err, size_t errlen)
{
	return st->ops->reports(st, f, offset, limit, out, err, errlen);
}

int query_report_get(struct store *st, int64_t id, struct query_report_detail *out, char *err,
                     size_t errlen)
{
	return st->ops->report_get(st, id, out, err, errlen);
}

int query_alert_record_sent(struct store *st, const struct query_alert_key *k, int64_t day,
                            int64_t value, int64_t now, char *err, size_t errlen)
{
	return st->ops->alert_record_sent(st, k, day, value, now, err, errlen);
}

int query_failure_ips(struct store *st, const struct query_filter *f, size_t limit,
                      struct query_ip_rows *out, char *err, size_t errlen)
{
	return st->ops->failure_ips(st, f, limit, out, err, errlen);
}

int query_ip_details(struct store *st, const struct query_filter *f, const char *ip, int64_t offset,
                     int64_t limit, struct query_ip_details *out, char *err, size_t errlen)
{
	return st->ops->ip_details(st, f, ip, offset, limit, out, err, errlen);
}

int query_alert_sent_on(struct store *st, const struct query_alert_key *k, int64_t day,
                        int64_t *value, int *found, char *err, size_t errlen)
{
	return st->ops->alert_sent_on(st, k, day, value, found, err, errlen);
}

int query_alert_sent_before(struct store *st, const struct query_alert_key *k, int64_t before,
                            int64_t *day, int *found, char *err, size_t errlen)
{
	return st->ops->alert_sent_before(st, k, before, day, found, err, errlen);
}

int query_alert_sent_many(struct store *st, const struct query_alert_key *keys, const int64_t *days,
                          size_t n, int before, struct query_alert_sent *out, char *err,
                          size_t errlen)
{
	size_t i;

	if (n == 0)
		return 0;
	memset(out, 0, n * sizeof(*out));
	if (st->ops->alert_sent_many != NULL)
		return st->ops->alert_sent_many(st, keys, days, n, before, out, err, errlen);
	for (i = 0; i < n; i++)
		if (st->ops->alert_sent_on(st, &keys[i], days[i], &out[i].value, &out[i].found, err,
		                           errlen) < 0 ||
		    (before && st->ops->alert_sent_before(st, &keys[i], days[i], &out[i].before_day,
		                                          &out[i].found_before, err, errlen) < 0))
			return -1;
	return 0;
}

int query_alert_context(struct store *st, const struct query_alert_key *k, int64_t since,
                        int64_t until, char **reporters, char **reason, char *err, size_t errlen)
{
	return st->ops->alert_context(st, k, since, until, reporters, reason, err, errlen);
}

int query_alert_contexts(struct store *st, const struct query_alert_key *keys, size_t n,
                         const int64_t *since, const int64_t *until, char **reporters,
                         char **reasons, char *err, size_t errlen)
{
	STORE_OP_NEEDED(st, alert_contexts, "read the context of alerts", err, errlen);
	return st->ops->alert_contexts(st, keys, n, since, until, reporters, reasons, err, errlen);
}

int query_day_marks(struct store *st, int64_t since, int64_t until, struct query_day_mark *out,
                    char *err, size_t errlen)
{
	return st->ops->day_marks(st, since, until, out, err, errlen);
}

int query_days_with_reports(struct store *st, int64_t since, int64_t until, int *has, char *err,
                            size_t errlen)
{
	struct query_day_mark *m;
	int64_t i;
	int rc;

	if (st->ops->days_with_reports != NULL)
		return st->ops->days_with_reports(st, since, until, has, err, errlen);
	/* a backend without it: the marks tell the same, counting */
	if (until - since <= 0 || until - since > LIMIT_ALERT_LOOKBACK_DAYS) {
		snprintf(err, errlen, "internal error: %lld days asked for reports",
		         (long long)(until - since));
		return -1;
	}
	m = xcalloc((size_t)(until - since), sizeof(*m));
	rc = query_day_marks(st, since, until, m, err, errlen);
	for (i = 0; rc == 0 && i < until - since; i++)
		has[i] = m[i].reports != 0;
	free(m);
	return rc;
}

int query_alert_judged(struct store *st, int64_t since, int64_t until, struct query_day_mark *out,
                       int *judged, char *err, size_t errlen)
{
	return st->ops->alert_judged(st, since, until, out, judged, err, errlen);
}

int query_alert_record_judged(struct store *st, const struct query_day_mark *m, int64_t now,
                              char *err, size_t errlen)
{
	return st->ops->alert_record_judged(st, m, now, err, errlen);
}

void store_last_conflict(const struct store *st, int64_t *old_report, int64_t *quarantine_id)
{
	st->ops->last_conflict(st, old_report, quarantine_id);
}

int store_quarantine_set_conflict(struct store *st, int64_t id, int64_t report_rowid, char *err,
                                  size_t errlen)
{
	return st->ops->quarantine_set_conflict(st, id, report_rowid, err, errlen);
}

int store_reports_by_trust(struct store *st, int64_t since, int64_t until, const char *domain,
                           const char *organization, int64_t *verified, int64_t *unverified,
                           char *err, size_t errlen)
{
	return st->ops->reports_by_trust(st, since, until, domain, organization, verified,
	                                 unverified, err, errlen);
}

int store_reports_by_trust_many(struct store *st, const int64_t *since, const int64_t *until,
                                const char *const *domains, const char *const *organizations,
                                size_t n, int64_t *verified, int64_t *unverified, char *err,
                                size_t errlen)
{
	STORE_OP_NEEDED(st, reports_by_trust_many, "count reports by provenance", err, errlen);
	return st->ops->reports_by_trust_many(st, since, until, domains, organizations, n, verified,
	                                      unverified, err, errlen);
}

int store_conflicts_held(struct store *st, int64_t *n, char *err, size_t errlen)
{
	return st->ops->conflicts_held(st, n, err, errlen);
}

int store_conflicts_by_organization(struct store *st,
                                    int (*fn)(const char *organization, int64_t n, void *arg),
                                    void *arg, char *err, size_t errlen)
{
	return st->ops->conflicts_by_organization(st, fn, arg, err, errlen);
}

int query_reporter_days(struct store *st, int64_t since, int64_t until, struct query_rows *out,
                        char *err, size_t errlen)
{
	STORE_OP_NEEDED(st, reporter_days, "tell which reporters are in for a day", err, errlen);
	return st->ops->reporter_days(st, since, until, out, err, errlen);
}

int query_reporter_presence(struct store *st, int64_t since, int64_t until,
                            struct query_presence_rows *out, char *err, size_t errlen)
{
	STORE_OP_NEEDED(st, reporter_presence, "tell which reporters are in for a day", err,
	                errlen);
	return st->ops->reporter_presence(st, since, until, out, err, errlen);
}

int query_reporter_presence_of(struct store *st, int64_t since, int64_t until,
                               const char *const *domains, size_t n,
                               struct query_presence_rows *out, char *err, size_t errlen)
{
	/* a backend without it answers with every domain's rows */
	if (st->ops->reporter_presence_of == NULL)
		return query_reporter_presence(st, since, until, out, err, errlen);
	return st->ops->reporter_presence_of(st, since, until, domains, n, out, err, errlen);
}

int query_failure_reasons(struct store *st, const struct query_filter *f, size_t limit,
                          struct query_reason_rows *out, char *err, size_t errlen)
{
	STORE_OP_NEEDED(st, failure_reasons, "group failures by reason code", err, errlen);
	return st->ops->failure_reasons(st, f, limit, out, err, errlen);
}

int query_failure_infos(struct store *st, const struct query_filter *f, size_t limit,
                        struct query_reason_rows *out, char *err, size_t errlen)
{
	STORE_OP_NEEDED(st, failure_infos, "group failures by additional information", err, errlen);
	return st->ops->failure_infos(st, f, limit, out, err, errlen);
}

int store_check_supported(const struct store *st)
{
	return st->ops->check_add != NULL && st->ops->check_history != NULL &&
	       st->ops->check_latest != NULL && st->ops->policy_seen != NULL;
}

int store_check_add(struct store *st, const struct check_result *r, char *err, size_t errlen)
{
	STORE_OP_NEEDED(st, check_add, "store check results", err, errlen);
	return st->ops->check_add(st, r, err, errlen);
}

int store_check_history(struct store *st, const char *domain, size_t limit,
                        struct check_results *out, char *err, size_t errlen)
{
	STORE_OP_NEEDED(st, check_history, "read check results", err, errlen);
	return st->ops->check_history(st, domain, limit, out, err, errlen);
}

int store_check_latest(struct store *st, struct check_results *out, char *err, size_t errlen)
{
	STORE_OP_NEEDED(st, check_latest, "read check results", err, errlen);
	return st->ops->check_latest(st, out, err, errlen);
}

int store_policy_seen(struct store *st, const char *domain, int64_t since, int64_t until,
                      struct policy_seen_rows *out, char *err, size_t errlen)
{
	STORE_OP_NEEDED(st, policy_seen, "read the policies reporters applied", err, errlen);
	return st->ops->policy_seen(st, domain, since, until, out, err, errlen);
}

int store_lock_mailbox(struct store *st, const char *key, int *held, char *err, size_t errlen)
{
	STORE_OP_NEEDED(st, lock_mailbox, "lock a mailbox", err, errlen);
	return st->ops->lock_mailbox(st, key, held, err, errlen);
}

int query_lifetime(struct store *st, enum query_life family, enum query_labels labels, size_t limit,
                   struct query_rows *out, size_t *n_series, char *err, size_t errlen)
{
	STORE_OP_NEEDED(st, lifetime, "read lifetime totals", err, errlen);
	return st->ops->lifetime(st, family, labels, limit, out, n_series, err, errlen);
}

int store_rollup_rebuild(struct store *st, char *err, size_t errlen)
{
	STORE_OP_NEEDED(st, rollup_rebuild, "rebuild roll-ups", err, errlen);
	return st->ops->rollup_rebuild(st, err, errlen);
}
