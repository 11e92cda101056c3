/*
 * series_read.h - the alert series (query_alert_series in query.h) built
 * from a roll-up read as it is stored, whatever the backend. A roll-up
 * holds one row per (day, key), so no (key, day) grouping, no copy of
 * every row's strings and no sort of every row by them are needed: each
 * key is found once by its strings, the keys (a few thousand) are sorted,
 * and each key's rows, added in day order, follow it sharing its strings
 * (query_alert_series.strings owns them). Rows hold report text
 * (untrusted), compared and copied only.
 */
#ifndef TLSWATCH_SERIES_READ_H
#define TLSWATCH_SERIES_READ_H

#include <stddef.h>
#include <stdint.h>

#include "query.h"

/* One key of a series: its strings (NULL: absent) and its rows. */
struct series_key {
	char *org, *domain, *mx, *rtype;
	uint64_t hash;
	size_t n_rows, next; /* next: where its next row goes */
};

/* One row as read: its key's index and its figures. */
struct series_rec {
	size_t key;
	int64_t day, reports, ok, failed;
};

/* Zeroed before the first series_read_add. */
struct series_read {
	struct series_key *keys;
	size_t n_keys, keys_alloc;
	size_t *slots; /* key index + 1; 0 = empty */
	size_t n_slots;
	struct series_rec *recs;
	size_t n_recs, recs_alloc;
};

/* 1 when f is a period alone, as alert asks (no filter, not the pruned
 * days): a store with roll-ups can then read its series as stored. */
int series_read_applies(const struct query_filter *f);
/* Adds a row of day for the key of these strings (borrowed; NULL:
 * absent). A key's rows must come in day order. */
void series_read_add(struct series_read *r, int64_t day, const char *org, const char *domain,
                     const char *mx, const char *rtype, int64_t reports, int64_t ok,
                     int64_t failed);
/* The rows of r into out, keys in query.h's series order (absent as '',
 * then day), each key's rows in the order added; the keys' strings move
 * to *strings (n_strings of them). r is left empty, to be freed. */
void series_read_emit(struct series_read *r, struct query_rows *out, char ***strings,
                      size_t *n_strings);
void series_read_free(struct series_read *r);

#endif
