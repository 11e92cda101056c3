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
};

/* Writes "database PATH: what: sqlite's message" to err; returns -1. */
int store_fail(struct store *st, char *err, size_t errlen, const char *what);
/* The cached statement for id (prepared on first use), reset and unbound. */
sqlite3_stmt *store_stmt(struct store *st, enum store_stmt_id id, const char *sql, char *err,
                         size_t errlen);
/* Binds text, or NULL as SQL NULL. The text must outlive the step. */
int store_bind_text(sqlite3_stmt *s, int i, const char *v);

#endif
