/*
 * cache.c - the response cache of cache.h: a fixed table of entries under
 * one mutex, least recently used out first. Keys are request text
 * (untrusted), only compared and copied; bodies are our own responses.
 */
#include "cache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

struct web_cache_entry {
	char *key;      /* NULL: a free slot */
	uint64_t gen;   /* generation it was (is being) computed for */
	int pending;    /* 1: a request is computing it */
	uint64_t owner; /* that request's ticket */
	char *body;     /* NULL while pending */
	size_t len;
	unsigned status;
	const char *content_type; /* a literal */
	uint64_t used;            /* LRU clock */
};

struct web_cache {
	pthread_mutex_t lock;
	pthread_cond_t finished; /* a pending entry was finished or dropped */
	uint64_t gen;
	uint64_t clock;
	uint64_t next_owner;
	size_t bytes, max_bytes, max_entry_bytes;
	size_t n_slots;
	struct web_cache_entry *e;
};

struct web_cache *web_cache_new(size_t max_bytes, size_t max_entries, size_t max_entry_bytes)
{
	struct web_cache *c = xcalloc(1, sizeof(*c));

	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->finished, NULL);
	c->max_bytes = max_bytes;
	c->max_entry_bytes = max_entry_bytes < max_bytes ? max_entry_bytes : max_bytes;
	c->n_slots = max_entries > 0 ? max_entries : 1;
	c->e = xcalloc(c->n_slots, sizeof(*c->e));
	return c;
}

static void web_cache_clear(struct web_cache *c, struct web_cache_entry *e)
{
	c->bytes -= e->body != NULL ? e->len : 0;
	free(e->key);
	free(e->body);
	memset(e, 0, sizeof(*e));
}

void web_cache_free(struct web_cache *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->n_slots; i++)
		web_cache_clear(c, &c->e[i]);
	free(c->e);
	pthread_cond_destroy(&c->finished);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

void web_cache_invalidate(struct web_cache *c)
{
	pthread_mutex_lock(&c->lock);
	c->gen++;
	pthread_mutex_unlock(&c->lock);
}

/* The least recently used finished entry (but not keep), or NULL. */
static struct web_cache_entry *web_cache_lru(struct web_cache *c,
                                             const struct web_cache_entry *keep)
{
	struct web_cache_entry *best = NULL;
	size_t i;

	for (i = 0; i < c->n_slots; i++) {
		struct web_cache_entry *e = &c->e[i];

		if (e == keep)
			continue;
		if (e->key == NULL || e->pending)
			continue;
		if (best == NULL || e->used < best->used)
			best = e;
	}
	return best;
}

/* Takes slot e for key as a pending entry of the current generation. */
static void web_cache_claim(struct web_cache *c, struct web_cache_entry *e, const char *key,
                            struct web_cache_ticket *t)
{
	if (e->key == NULL)
		e->key = xstrdup(key);
	c->bytes -= e->body != NULL ? e->len : 0;
	free(e->body);
	e->body = NULL;
	e->len = 0;
	e->gen = c->gen;
	e->pending = 1;
	e->owner = ++c->next_owner;
	t->slot = (long)(e - c->e);
	t->owner = e->owner;
}

enum web_cache_result web_cache_get(struct web_cache *c, const char *key, struct web_response *resp,
                                    struct web_cache_ticket *t)
{
	struct web_cache_entry *e = NULL, *free_slot;
	size_t i;

	t->slot = -1;
	t->owner = 0;
	pthread_mutex_lock(&c->lock);
	for (;;) {
		e = NULL;
		free_slot = NULL;
		for (i = 0; i < c->n_slots; i++) {
			if (c->e[i].key == NULL) {
				if (free_slot == NULL)
					free_slot = &c->e[i];
			} else if (strcmp(c->e[i].key, key) == 0) {
				e = &c->e[i];
				break;
			}
		}
		if (e == NULL || e->gen != c->gen || !e->pending)
			break;
		/* someone computes this very page: wait for their bytes */
		pthread_cond_wait(&c->finished, &c->lock);
	}
	/* a kept body is at most LIMIT_WEB_CACHE_ENTRY_BYTES, within any
	 * response's cap (limits.h asserts it); should one not fit, the page
	 * is computed afresh */
	if (e != NULL && e->gen == c->gen && strbuf_append(&resp->body, e->body, e->len) == 0) {
		resp->status = e->status;
		resp->content_type = e->content_type;
		e->used = ++c->clock;
		pthread_mutex_unlock(&c->lock);
		return WEB_CACHE_HIT;
	}
	/* a stale entry (finished, or pending under an older generation,
	 * whose result will be dropped) is taken over; else a free slot, else
	 * the least recently used; with every slot pending, no caching */
	if (e == NULL)
		e = free_slot != NULL ? free_slot : web_cache_lru(c, NULL);
	if (e != NULL) {
		if (e->key != NULL && strcmp(e->key, key) != 0)
			web_cache_clear(c, e);
		web_cache_claim(c, e, key, t);
	}
	pthread_mutex_unlock(&c->lock);
	return WEB_CACHE_MISS;
}

void web_cache_done(struct web_cache *c, const struct web_cache_ticket *t,
                    const struct web_response *resp)
{
	struct web_cache_entry *e, *old;

	if (t->slot < 0 || (size_t)t->slot >= c->n_slots)
		return;
	pthread_mutex_lock(&c->lock);
	e = &c->e[t->slot];
	if (e->key != NULL && e->pending && e->owner == t->owner) {
		if (resp->status == 200 && e->gen == c->gen &&
		    resp->body.len <= c->max_entry_bytes) {
			e->body = xmalloc(resp->body.len + 1);
			memcpy(e->body, resp->body.data != NULL ? resp->body.data : "",
			       resp->body.len);
			e->body[resp->body.len] = '\0';
			e->len = resp->body.len;
			e->status = resp->status;
			e->content_type = resp->content_type;
			e->pending = 0;
			e->used = ++c->clock;
			c->bytes += e->len;
			while (c->bytes > c->max_bytes && (old = web_cache_lru(c, e)) != NULL)
				web_cache_clear(c, old);
		} else {
			web_cache_clear(c, e);
		}
	}
	pthread_cond_broadcast(&c->finished);
	pthread_mutex_unlock(&c->lock);
}
