/*
 * cache.h - rendered pages and API documents, kept until the database
 * changes.
 *
 * The dashboard only reads, and the store changes only when a writer
 * commits (a collect run, an ingest, the intake): between two commits the
 * same URL on the same day gives the same bytes. A page over a year of
 * reports costs tens of milliseconds to compute and microseconds to copy,
 * so the router keeps each 200 response under its key (path, query string
 * and the UTC day, which sets the default period and "today's" alerts)
 * and serves it again until the cache's generation moves on. The router
 * moves it (web_cache_invalidate) whenever a read-only handle it borrows
 * reports a commit by any connection since that handle last looked
 * (store_data_changed); a response is only served under the generation
 * that was current when its computation began, so nothing computed
 * before a commit is served after it is noticed.
 *
 * While one request computes a key, others asking for the same key wait
 * for its result instead of computing it again. Memory is bounded by
 * LIMIT_WEB_CACHE_BYTES and LIMIT_WEB_CACHE_ENTRIES (least recently used
 * first out); a response over LIMIT_WEB_CACHE_ENTRY_BYTES is not kept.
 * Keys come from the request (untrusted) and are only compared.
 * Thread-safe: one mutex, held only to look up and copy.
 */
#ifndef TLSWATCH_WEB_CACHE_H
#define TLSWATCH_WEB_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "http.h"

struct web_cache;

/* What a miss hands back: who must finish the entry (web_cache_done). */
struct web_cache_ticket {
	long slot; /* -1: not cached (no room); done() is a no-op */
	uint64_t owner;
};

enum web_cache_result { WEB_CACHE_HIT, WEB_CACHE_MISS };

/* A cache holding at most max_entries responses and max_bytes of bodies,
 * none larger than max_entry_bytes. Free with web_cache_free (NULL is a
 * no-op). */
struct web_cache *web_cache_new(size_t max_bytes, size_t max_entries, size_t max_entry_bytes);
void web_cache_free(struct web_cache *c);

/* Forgets every response: the data they were computed from has changed. */
void web_cache_invalidate(struct web_cache *c);

/* Looks key up. HIT: resp's status, content type and body (appended to
 * its empty body) are filled in. MISS: the caller computes the response
 * and must then call web_cache_done with *t, whatever the outcome; a
 * request for the same key meanwhile waits for it. */
enum web_cache_result web_cache_get(struct web_cache *c, const char *key, struct web_response *resp,
                                    struct web_cache_ticket *t);

/* Finishes a miss: a 200 response that fits is kept for its key; anything
 * else (an error, a response too large) is not, and waiting requests
 * compute their own. */
void web_cache_done(struct web_cache *c, const struct web_cache_ticket *t,
                    const struct web_response *resp);

#endif
