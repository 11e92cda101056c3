/*
 * store_admin.h - retention and integrity of the store ('tlswatch db').
 */
#ifndef TLSWATCH_STORE_ADMIN_H
#define TLSWATCH_STORE_ADMIN_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* Deletes every report whose day is before before_day, with its policies,
 * failure details, raw bytes, the mail headers no other report uses, and
 * the aggregate rows of those days. Aggregates are kept per day, so whole
 * days go and the figures of the days kept do not change. One transaction
 * per day, so a long prune never holds the writer lock for long. Quarantine
 * records are kept (a released one forgets which report it became).
 * *reports gets the number deleted. 0, or -1 with the reason. */
int store_prune(struct store *st, int64_t before_day, int64_t *reports, char *err, size_t errlen);

/* Checks the database: SQLite's integrity and foreign keys, the schema
 * version, and that the aggregates agree with the reports day by day.
 * Calls problem() once per finding (a one-line description); *n_problems
 * gets the count. Returns -1 only when the checks could not run. */
int store_check(struct store *st, void (*problem)(const char *msg, void *arg), void *arg,
                int *n_problems, char *err, size_t errlen);

/* Rebuilds every aggregate (by domain, failure, MX host and policy type)
 * and each report's count-once totals from the stored reports, under the
 * counting rules in force now (core/tally.c, with the [counting]
 * overrides set): after the overrides changed, or when a migration asked
 * for it. One transaction: readers see the old figures or the new ones,
 * and a failure leaves the old ones. The lifetime totals of pruned days
 * are kept (their reports are gone). Idempotent. progress (may be NULL)
 * is called after each report with the count done and the total.
 * *reports gets the number recounted. 0, or -1 with the reason. Must not
 * be called inside a batch. */
int store_recount(struct store *st, void (*progress)(int64_t done, int64_t total, void *arg),
                  void *arg, int64_t *reports, char *err, size_t errlen);
/* Copies everything st holds into the empty store to (another backend,
 * typically SQLite to PostgreSQL: 'tlswatch db copy'): every report with
 * its raw bytes, source, policies and failure details, the aggregates and
 * the pruned days' totals, quarantine, IMAP and alert state, ids kept.
 * One transaction on to: all or nothing. Refused when to already holds a
 * report or a quarantine record. *rows gets the rows copied. 0, or -1
 * with the reason. */
int store_copy(struct store *st, struct store *to, int64_t *rows, char *err, size_t errlen);

#endif
