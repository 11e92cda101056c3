/*
 * budget.c - per-client rate and byte budgets of the intake (see
 * budget.h). Input: client addresses as the server formatted them.
 */
#include "budget.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "limits.h"
#include "xalloc.h"

struct budget_client {
	uint8_t key[16]; /* IPv4-mapped, or an IPv6 /64 */
	int used;
	time_t last_seen;
	double tokens; /* POSTs it may still make now */
	time_t refill; /* when tokens was last topped up */
	int64_t day;   /* the UTC day of bytes */
	int64_t bytes; /* body bytes that day */
};

struct budget {
	struct budget_limits lim;
	pthread_mutex_t lock;
	int64_t day;   /* the UTC day of bytes */
	int64_t bytes; /* over every client */
	struct budget_client clients[LIMIT_WEB_INTAKE_CLIENTS];
};

struct budget *budget_new(const struct budget_limits *lim)
{
	struct budget *b = xcalloc(1, sizeof(*b));

	b->lim = *lim;
	pthread_mutex_init(&b->lock, NULL);
	return b;
}

void budget_free(struct budget *b)
{
	if (b == NULL)
		return;
	pthread_mutex_destroy(&b->lock);
	free(b);
}

/* The client's key: an unparsable address (there is none from a socket)
 * gets the all-zero key, shared. */
static void budget_key(const char *ip, uint8_t key[16])
{
	uint8_t v4[4];

	memset(key, 0, 16);
	if (inet_pton(AF_INET, ip, v4) == 1) {
		key[10] = 0xff;
		key[11] = 0xff;
		memcpy(key + 12, v4, 4);
	} else if (inet_pton(AF_INET6, ip, key) == 1 &&
	           !(memcmp(key, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0)) {
		memset(key + 8, 0, 8); /* a /64 is one client */
	}
}

/* The client's entry, made (or taken from the one seen longest ago) when
 * it has none. Under the lock. */
static struct budget_client *budget_find(struct budget *b, const char *ip, time_t now)
{
	struct budget_client *c, *oldest = NULL;
	uint8_t key[16];
	size_t i;

	budget_key(ip, key);
	for (i = 0; i < LIMIT_WEB_INTAKE_CLIENTS; i++) {
		c = &b->clients[i];
		if (c->used && memcmp(c->key, key, 16) == 0) {
			c->last_seen = now;
			return c;
		}
		if (oldest == NULL || !c->used ||
		    (oldest->used && c->last_seen < oldest->last_seen))
			oldest = c;
	}
	memset(oldest, 0, sizeof(*oldest));
	memcpy(oldest->key, key, 16);
	oldest->used = 1;
	oldest->last_seen = now;
	oldest->tokens = b->lim.posts_per_minute;
	oldest->refill = now;
	return oldest;
}

static unsigned budget_until_tomorrow(time_t now)
{
	return (unsigned)(86400 - now % 86400);
}

/* 0 when len more bytes fit both day budgets at now; else -1 with why. */
static int budget_fits(struct budget *b, struct budget_client *c, time_t now, int64_t len,
                       unsigned *retry_after, char *why, size_t whylen)
{
	int64_t day = (int64_t)now / 86400;

	if (b->day != day) {
		b->day = day;
		b->bytes = 0;
	}
	if (c->day != day) {
		c->day = day;
		c->bytes = 0;
	}
	if (b->lim.client_day_bytes > 0 && len > b->lim.client_day_bytes - c->bytes) {
		snprintf(why, whylen,
		         "this client's reports today would pass %lld bytes; retry tomorrow (UTC)",
		         (long long)b->lim.client_day_bytes);
		*retry_after = budget_until_tomorrow(now);
		return -1;
	}
	if (b->lim.total_day_bytes > 0 && len > b->lim.total_day_bytes - b->bytes) {
		snprintf(why, whylen,
		         "reports today would pass the intake's %lld bytes; retry tomorrow (UTC)",
		         (long long)b->lim.total_day_bytes);
		*retry_after = budget_until_tomorrow(now);
		return -1;
	}
	return 0;
}

int budget_admit(struct budget *b, const char *client_ip, time_t now, int64_t announced,
                 unsigned *retry_after, char *why, size_t whylen)
{
	struct budget_client *c;
	double rate = b->lim.posts_per_minute / 60.0;
	int rc = 0;

	pthread_mutex_lock(&b->lock);
	c = budget_find(b, client_ip, now);
	if (b->lim.posts_per_minute > 0) {
		if (now > c->refill) {
			c->tokens += (double)(now - c->refill) * rate;
			if (c->tokens > b->lim.posts_per_minute)
				c->tokens = b->lim.posts_per_minute;
		}
		c->refill = now;
		if (c->tokens < 1.0) {
			snprintf(why, whylen, "more than %u reports a minute from this client",
			         b->lim.posts_per_minute);
			*retry_after = (unsigned)((1.0 - c->tokens) / rate) + 1;
			rc = -1;
			goto out;
		}
	}
	if (budget_fits(b, c, now, announced > 0 ? announced : 0, retry_after, why, whylen) < 0) {
		rc = -1;
		goto out;
	}
	if (b->lim.posts_per_minute > 0)
		c->tokens -= 1.0;
out:
	pthread_mutex_unlock(&b->lock);
	return rc;
}

int budget_charge(struct budget *b, const char *client_ip, time_t now, size_t len,
                  unsigned *retry_after, char *why, size_t whylen)
{
	struct budget_client *c;
	int rc;

	pthread_mutex_lock(&b->lock);
	c = budget_find(b, client_ip, now);
	rc = budget_fits(b, c, now, (int64_t)len, retry_after, why, whylen);
	if (rc == 0) {
		c->bytes += (int64_t)len;
		b->bytes += (int64_t)len;
	}
	pthread_mutex_unlock(&b->lock);
	return rc;
}
