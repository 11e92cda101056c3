/*
 * sqlite_restore.h - a stored report made again as ingest stored it: its
 * raw bytes parsed again (untrusted, as when they came), then given what
 * only the stored rows know (the organization-name its mail named, the
 * policies the [trust] domains filter kept, a no-policy-found domain
 * inferred from context). Used where figures are counted again from
 * reports: a conflict's aggregates (sqlite_write_trust.c) and summaries
 * filtered by provenance (sqlite_query_scan.c). Only store/sqlite*.c
 * include this.
 */
#ifndef TLSWATCH_SQLITE_RESTORE_H
#define TLSWATCH_SQLITE_RESTORE_H

#include <stdint.h>

#include "report.h"
#include "sqlite_impl.h"
#include "tally.h"

/* Stored report id (organization org, raw gzip bytes gz of gz_len) as it
 * was stored, into *out (caller frees with report_free). *policies is the
 * caller's statement for the policy rows, prepared on first use (start
 * with NULL; sqlite3_finalize it when done): one prepare for many
 * reports. 0, or -1 with the reason: the raw bytes do not inflate or
 * parse, or the stored policies are not a subsequence of the raw ones
 * (its figures cannot be made again). *out is written only on success. */
int sqlite_report_restore(struct sqlite_store *st, sqlite3_stmt **policies, int64_t id,
                          const char *org, const void *gz, int gz_len, struct report **out,
                          char *err, size_t errlen);

/* What sqlite_reports_tally hands each report: its row of the caller's
 * statement, the report as stored, and its figures counted once. 0, or -1
 * with err set (the walk stops). */
typedef int (*sqlite_report_fn)(void *ctx, sqlite3_stmt *row, const struct report *r,
                                const struct tally *t, char *err, size_t errlen);

/* Steps s (prepared and bound by the caller, who finalizes it) to its end.
 * Each row names a stored report by its id, organization and raw gzip
 * bytes in columns 0, 1 and 2; each is restored (sqlite_report_restore),
 * counted once (tally_report) and handed to fn. 0, or -1 with the reason. */
int sqlite_reports_tally(struct sqlite_store *st, sqlite3_stmt *s, sqlite_report_fn fn, void *ctx,
                         char *err, size_t errlen);

#endif
