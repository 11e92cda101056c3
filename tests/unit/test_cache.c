/* Unit tests for web/cache.c, the dashboard's response cache: a hit gives
 * back the same status, type and bytes; an invalidation (a commit seen by
 * the router) makes every entry a miss; only 200 responses that fit are
 * kept; the entry and byte bounds evict the least recently used; a
 * request for a key being computed waits for that result (real threads);
 * a result computed before an invalidation is never served after it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <pthread.h>
#include <unistd.h>

#include "cache.h"
#include "http.h"

/* get: the outcome, with the response's body in *body when a hit. */
static enum web_cache_result get(struct web_cache *c, const char *key, char *body, size_t n,
                                 struct web_cache_ticket *t)
{
	struct web_response r;
	enum web_cache_result res;

	web_response_init(&r);
	res = web_cache_get(c, key, &r, t);
	snprintf(body, n, "%s", strbuf_str(&r.body));
	if (res == WEB_CACHE_HIT) {
		assert_int_equal(r.status, 200);
		assert_string_equal(r.content_type, "text/html; charset=utf-8");
	}
	web_response_free(&r);
	return res;
}

/* done: finishes a miss with status and body. */
static void done(struct web_cache *c, const struct web_cache_ticket *t, unsigned status,
                 const char *body)
{
	struct web_response r;

	web_response_init(&r);
	r.status = status;
	r.content_type = "text/html; charset=utf-8";
	strbuf_puts(&r.body, body);
	web_cache_done(c, t, &r);
	web_response_free(&r);
}

static void test_hit_and_invalidate(void **state)
{
	struct web_cache *c = web_cache_new(1024, 8, 256);
	struct web_cache_ticket t;
	char body[300];

	(void)state;
	assert_int_equal(get(c, "k1", body, sizeof(body), &t), WEB_CACHE_MISS);
	done(c, &t, 200, "<p>one</p>");
	assert_int_equal(get(c, "k1", body, sizeof(body), &t), WEB_CACHE_HIT);
	assert_string_equal(body, "<p>one</p>");
	assert_int_equal(get(c, "k2", body, sizeof(body), &t), WEB_CACHE_MISS);
	done(c, &t, 200, "<p>two</p>");
	assert_int_equal(get(c, "k2", body, sizeof(body), &t), WEB_CACHE_HIT);
	assert_string_equal(body, "<p>two</p>");

	web_cache_invalidate(c);
	assert_int_equal(get(c, "k1", body, sizeof(body), &t), WEB_CACHE_MISS);
	done(c, &t, 200, "<p>one, new</p>");
	assert_int_equal(get(c, "k1", body, sizeof(body), &t), WEB_CACHE_HIT);
	assert_string_equal(body, "<p>one, new</p>");
	assert_int_equal(get(c, "k2", body, sizeof(body), &t), WEB_CACHE_MISS);
	done(c, &t, 500, "error");
	web_cache_free(c);
	web_cache_free(NULL);
}

static void test_only_what_fits(void **state)
{
	struct web_cache *c = web_cache_new(1024, 8, 16);
	struct web_cache_ticket t;
	char body[300];
	unsigned status[] = {404, 500, 503, 400};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(status) / sizeof(status[0]); i++) {
		assert_int_equal(get(c, "err", body, sizeof(body), &t), WEB_CACHE_MISS);
		done(c, &t, status[i], "nope");
		assert_int_equal(get(c, "err", body, sizeof(body), &t), WEB_CACHE_MISS);
		done(c, &t, status[i], "nope");
	}
	/* 17 bytes: over the 16-byte entry limit */
	assert_int_equal(get(c, "big", body, sizeof(body), &t), WEB_CACHE_MISS);
	done(c, &t, 200, "0123456789abcdefg");
	assert_int_equal(get(c, "big", body, sizeof(body), &t), WEB_CACHE_MISS);
	done(c, &t, 200, "0123456789abcdef");
	assert_int_equal(get(c, "big", body, sizeof(body), &t), WEB_CACHE_HIT);
	assert_string_equal(body, "0123456789abcdef");
	web_cache_free(c);
}

static void test_bounds_evict_lru(void **state)
{
	struct web_cache *c;
	struct web_cache_ticket t;
	char body[300], key[32];
	int i;

	(void)state;
	/* 3 entries: the least recently used goes */
	c = web_cache_new(1024, 3, 256);
	for (i = 1; i <= 3; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		assert_int_equal(get(c, key, body, sizeof(body), &t), WEB_CACHE_MISS);
		done(c, &t, 200, key);
	}
	assert_int_equal(get(c, "k1", body, sizeof(body), &t), WEB_CACHE_HIT); /* k2 is oldest */
	assert_int_equal(get(c, "k4", body, sizeof(body), &t), WEB_CACHE_MISS);
	done(c, &t, 200, "k4");
	assert_int_equal(get(c, "k1", body, sizeof(body), &t), WEB_CACHE_HIT);
	assert_int_equal(get(c, "k3", body, sizeof(body), &t), WEB_CACHE_HIT);
	assert_int_equal(get(c, "k4", body, sizeof(body), &t), WEB_CACHE_HIT);
	assert_int_equal(get(c, "k2", body, sizeof(body), &t), WEB_CACHE_MISS);
	done(c, &t, 500, "x");
	web_cache_free(c);

	/* 20 bytes in all: three 8-byte bodies do not fit, the oldest goes */
	c = web_cache_new(20, 16, 16);
	for (i = 1; i <= 3; i++) {
		snprintf(key, sizeof(key), "b%d", i);
		assert_int_equal(get(c, key, body, sizeof(body), &t), WEB_CACHE_MISS);
		done(c, &t, 200, "12345678");
	}
	assert_int_equal(get(c, "b1", body, sizeof(body), &t), WEB_CACHE_MISS);
	done(c, &t, 500, "x");
	assert_int_equal(get(c, "b2", body, sizeof(body), &t), WEB_CACHE_HIT);
	assert_int_equal(get(c, "b3", body, sizeof(body), &t), WEB_CACHE_HIT);
	web_cache_free(c);
}

/* A result computed under a generation that has since moved on (the
 * store changed while the page was being computed) is not kept. */
static void test_stale_result_dropped(void **state)
{
	struct web_cache *c = web_cache_new(1024, 8, 256);
	struct web_cache_ticket t, t2;
	char body[300];

	(void)state;
	assert_int_equal(get(c, "k", body, sizeof(body), &t), WEB_CACHE_MISS);
	web_cache_invalidate(c);
	/* a request after the change takes the key over */
	assert_int_equal(get(c, "k", body, sizeof(body), &t2), WEB_CACHE_MISS);
	done(c, &t, 200, "old");
	done(c, &t2, 200, "new");
	assert_int_equal(get(c, "k", body, sizeof(body), &t), WEB_CACHE_HIT);
	assert_string_equal(body, "new");

	assert_int_equal(get(c, "j", body, sizeof(body), &t), WEB_CACHE_MISS);
	web_cache_invalidate(c);
	done(c, &t, 200, "old");
	assert_int_equal(get(c, "j", body, sizeof(body), &t), WEB_CACHE_MISS);
	done(c, &t, 200, "new");
	assert_int_equal(get(c, "j", body, sizeof(body), &t), WEB_CACHE_HIT);
	assert_string_equal(body, "new");
	web_cache_free(c);
}

struct waiter {
	struct web_cache *c;
	enum web_cache_result res;
	char body[64];
	int started;
};

static void *waiter_run(void *arg)
{
	struct waiter *w = arg;
	struct web_cache_ticket t;

	__atomic_store_n(&w->started, 1, __ATOMIC_SEQ_CST);
	w->res = get(w->c, "slow", w->body, sizeof(w->body), &t);
	if (w->res == WEB_CACHE_MISS)
		done(w->c, &t, 200, "computed twice");
	return NULL;
}

/* Requests for a key being computed wait and get its bytes. */
static void test_waiters_share_result(void **state)
{
	struct web_cache *c = web_cache_new(1024, 8, 256);
	struct web_cache_ticket t;
	struct waiter w[4];
	pthread_t th[4];
	char body[64];
	size_t i;

	(void)state;
	assert_int_equal(get(c, "slow", body, sizeof(body), &t), WEB_CACHE_MISS);
	for (i = 0; i < 4; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].c = c;
		assert_int_equal(pthread_create(&th[i], NULL, waiter_run, &w[i]), 0);
	}
	for (i = 0; i < 4; i++)
		while (!__atomic_load_n(&w[i].started, __ATOMIC_SEQ_CST))
			usleep(1000);
	/* give them time to reach the wait: if one did not, it would find
	 * the finished entry anyway, so the outcome is the same either way */
	usleep(20000);
	done(c, &t, 200, "computed once");
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(w[i].res, WEB_CACHE_HIT);
		assert_string_equal(w[i].body, "computed once");
	}
	web_cache_free(c);
}

/* Every slot pending: the request is served uncached. */
static void test_all_slots_pending(void **state)
{
	struct web_cache *c = web_cache_new(1024, 2, 256);
	struct web_cache_ticket a, b, x;
	char body[64];

	(void)state;
	assert_int_equal(get(c, "a", body, sizeof(body), &a), WEB_CACHE_MISS);
	assert_int_equal(get(c, "b", body, sizeof(body), &b), WEB_CACHE_MISS);
	assert_int_equal(get(c, "x", body, sizeof(body), &x), WEB_CACHE_MISS);
	assert_true(x.slot < 0);
	done(c, &x, 200, "x");
	done(c, &a, 200, "a");
	done(c, &b, 200, "b");
	assert_int_equal(get(c, "a", body, sizeof(body), &a), WEB_CACHE_HIT);
	assert_int_equal(get(c, "b", body, sizeof(body), &b), WEB_CACHE_HIT);
	web_cache_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_hit_and_invalidate),
	    cmocka_unit_test(test_only_what_fits),
	    cmocka_unit_test(test_bounds_evict_lru),
	    cmocka_unit_test(test_stale_result_dropped),
	    cmocka_unit_test(test_waiters_share_result),
	    cmocka_unit_test(test_all_slots_pending),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
