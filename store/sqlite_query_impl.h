/*
 * sqlite_query_impl.h - what the query files share: a statement built from
 * fixed fragments with its values kept aside for binding, and the one WHERE
 * builder (sqlite_where.c). Only store/sqlite*.c and the builder's unit
 * test include this (and so sqlite3.h).
 */
#ifndef TLSWATCH_SQLITE_QUERY_IMPL_H
#define TLSWATCH_SQLITE_QUERY_IMPL_H

#include <sqlite3.h>
#include <stdint.h>

#include "query_sql.h"
#include "scan_top.h"

struct sqlite_store;

/* Prepares q and binds its values; caller finalizes *out. */
int sqlite_sql_prepare(struct sqlite_store *st, struct query_sql *q, sqlite3_stmt **out, char *err,
                       size_t errlen);
/* Reports of the filter's period, domains and organization, counted in
 * the report table. */
int sqlite_count_reports(struct sqlite_store *st, const struct query_filter *f, int64_t *n,
                         char *err, size_t errlen);
/* A text column as a new string, NULL for SQL NULL. */
char *query_column_strdup(sqlite3_stmt *s, int i);
/* query_alert_scan for [since, until) and no other filter, from the
 * roll-ups (sqlite_query_series.c): the rows of the general scan. */
int sqlite_alert_series_rolled(struct sqlite_store *st, int64_t since, int64_t until,
                               struct query_alert_series *out, char *err, size_t errlen);

#endif
