/*
 * sqlite_impl.h - what the store's own files share: the handle and its
 * cached prepared statements. Only store/sqlite*.c include
 * this (and so sqlite3.h).
 */
#ifndef TLSWATCH_SQLITE_IMPL_H
#define TLSWATCH_SQLITE_IMPL_H

#include <sqlite3.h>

#include "store.h"

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
	STMT_COUNT
};

struct store {
	sqlite3 *db;
	char *path;
	enum store_mode mode;
	int in_batch;
	int data_version_seen; /* 1: data_version holds a value */
	int64_t data_version;  /* PRAGMA data_version when last asked */
	sqlite3_stmt *stmt[STMT_COUNT];
	int64_t conflict_old_report; /* the last STORE_SUPERSEDED: store_trust.h */
	int64_t conflict_quarantine;
};

/* Writes "database PATH: what: sqlite's message" to err; returns -1. */
int store_fail(struct store *st, char *err, size_t errlen, const char *what);
/* The cached statement for id (prepared on first use), reset and unbound. */
sqlite3_stmt *store_stmt(struct store *st, enum store_stmt_id id, const char *sql, char *err,
                         size_t errlen);
/* Binds text, or NULL as SQL NULL. The text must outlive the step. */
int store_bind_text(sqlite3_stmt *s, int i, const char *v);

/* Adds report r's tally t to the aggregate tables (sqlite_write.c). */
int store_add_aggregates(struct store *st, const struct report *r, const struct tally *t, char *err,
                         size_t errlen);
/* A stored report with the same key and another content hash:
 * 0 with *outcome STORE_CONFLICT (nothing changed), or 1 when the stored
 * one was removed for r (src is stronger or picked): the caller stores r
 * and calls store_trust_superseded. -1 on a database error
 * (sqlite_trust.c). */
int store_trust_resolve(struct store *st, int64_t id, const uint8_t *content_sha256,
                        const struct source_info *src, enum store_outcome *outcome, char *err,
                        size_t errlen);
/* Points the quarantined old copy at the report that replaced it. */
int store_trust_superseded(struct store *st, int64_t new_id, char *err, size_t errlen);
/* Text column i as a new string, or NULL. */
char *store_column_strdup(sqlite3_stmt *s, int i);

#endif
