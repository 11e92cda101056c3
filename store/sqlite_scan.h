/*
 * sqlite_scan.h - what sqlite_query_scan.c (every breakdown, summed in
 * one pass per table) lends sqlite_query_scan_top.c (the failure groups a
 * summary shows, read by seeks): the breakdowns being summed and the steps
 * of a pass. Internal to the SQLite store.
 */
#ifndef TLSWATCH_SQLITE_SCAN_H
#define TLSWATCH_SQLITE_SCAN_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "query.h"
#include "rollup_month.h"
#include "sqlite_impl.h"

/* A slot of scan_map: a group's index + 1 (0 = empty) and its key's
 * hash, kept so growing hashes nothing again and most probes of another
 * key end without comparing strings. */
struct scan_slot {
	size_t idx;
	uint64_t hash;
};

/* Groups of one breakdown, found by key through an open-addressing table
 * of indices (load kept under 1/2). */
struct scan_map {
	struct query_rows *rows;
	size_t alloc;
	struct scan_slot *slots;
	size_t nslots;
};

/* One breakdown being summed: its group and its map. */
struct scan_want {
	enum query_group g;
	struct scan_map map;
};

/* The failed sessions per (domain, MX, result type), a breakdown of the
 * SQLite scan only (summary_problems' key): read from roll_failure. */
#define SCAN_BY_PROBLEM ((enum query_group)(QUERY_BY_POLICY_TYPE + 1))

/* Adds the row s holds (day, organization, policy domain, MX host, result
 * type, failed sessions: agg_failure or its month or year table) to w's
 * groups by w's key; minus: takes it away. */
void scan_add_failure(sqlite3_stmt *s, int minus, struct scan_want *w);

/* The period's parts (rollup_month_parts) for a store with month tables. */
int scan_parts(struct sqlite_store *st, const struct query_filter *f,
               struct rollup_span span[ROLLUP_PARTS_MAX], size_t *n, char *err, size_t errlen);

/* Ends a breakdown: groups left out, then sorted. */
void scan_finish(struct scan_want *w);

/* Sums the breakdowns want[0..n) (each from the table its group names;
 * all of one table in one pass) and finishes them. */
int scan_groups_run(struct sqlite_store *st, const struct query_filter *f, int ever,
                    struct scan_want *want, size_t n, char *err, size_t errlen);

/* want[i] sums breakdown groups[i] into rows[i]. */
void scan_want_init(struct scan_want *want, const enum query_group *groups,
                    struct query_rows *const *rows, size_t n);

/* The summary's totals (scan_top_totals), reports counted in the report
 * table unless one domain is asked. */
int scan_summary_totals(struct sqlite_store *st, const struct query_filter *f,
                        struct query_scan *sc, char *err, size_t errlen);

#endif
