/*
 * app.c - the pool of read-only store handles shared by request threads.
 * Input: none from the network; the pool only hands out handles.
 */
#include "app.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "limits.h"
#include "xalloc.h"

int web_app_init(struct web_app *app, const char *db_path, size_t max_readers, char *err,
                 size_t errlen)
{
	struct store *st = NULL;

	memset(app, 0, sizeof(*app));
	app->db_path = db_path;
	app->n_max = max_readers > 0 ? max_readers : 1;
	app->readers = xcalloc(app->n_max, sizeof(*app->readers));
	app->busy = xcalloc(app->n_max, sizeof(*app->busy));
	pthread_mutex_init(&app->lock, NULL);
	pthread_cond_init(&app->freed, NULL);
	app->cache = web_cache_new(LIMIT_WEB_CACHE_BYTES, LIMIT_WEB_CACHE_ENTRIES,
	                           LIMIT_WEB_CACHE_ENTRY_BYTES);
	if (web_app_reader(app, &st, err, errlen) < 0) {
		web_app_cleanup(app);
		return -1;
	}
	web_app_release(app, st);
	return 0;
}

void web_app_cleanup(struct web_app *app)
{
	size_t i;

	if (app->readers == NULL)
		return;
	for (i = 0; i < app->n_max; i++)
		store_close(app->readers[i]);
	free(app->readers);
	free(app->busy);
	web_cache_free(app->cache);
	app->cache = NULL;
	pthread_mutex_destroy(&app->lock);
	pthread_cond_destroy(&app->freed);
	app->readers = NULL;
	app->busy = NULL;
}

/* A free slot, reserved (busy), or -1 when every one is busy and wait is
 * 0. Called with app->lock held; waiting releases it meanwhile. */
static long web_app_slot(struct web_app *app, int wait)
{
	size_t i;

	for (;;) {
		for (i = 0; i < app->n_max; i++)
			if (!app->busy[i] && app->readers[i] != NULL)
				break;
		/* an empty slot another thread has not reserved: a slot whose
		 * handle is being opened is busy but still NULL */
		if (i == app->n_max)
			for (i = 0; i < app->n_max; i++)
				if (!app->busy[i] && app->readers[i] == NULL)
					break;
		if (i < app->n_max)
			break;
		if (!wait)
			return -1;
		pthread_cond_wait(&app->freed, &app->lock);
	}
	app->busy[i] = 1;
	return (long)i;
}

/* web_app_reader, or with wait 0 -1 at once when every handle is busy. */
static int web_app_take(struct web_app *app, int wait, struct store **st, char *err, size_t errlen)
{
	long i;

	pthread_mutex_lock(&app->lock);
	i = web_app_slot(app, wait);
	pthread_mutex_unlock(&app->lock);
	if (i < 0) {
		snprintf(err, errlen, "every database handle is busy");
		return -1;
	}
	/* opening takes the slot's reservation, so it runs unlocked */
	if (app->readers[i] == NULL &&
	    store_open(app->db_path, STORE_READONLY, &app->readers[i], err, errlen) < 0) {
		pthread_mutex_lock(&app->lock);
		app->busy[i] = 0;
		pthread_cond_signal(&app->freed);
		pthread_mutex_unlock(&app->lock);
		return -1;
	}
	*st = app->readers[i];
	return 0;
}

int web_app_reader(struct web_app *app, struct store **st, char *err, size_t errlen)
{
	return web_app_take(app, 1, st, err, errlen);
}

void web_app_release(struct web_app *app, struct store *st)
{
	size_t i;

	if (st == NULL)
		return;
	pthread_mutex_lock(&app->lock);
	for (i = 0; i < app->n_max; i++) {
		if (app->readers[i] == st) {
			app->busy[i] = 0;
			pthread_cond_signal(&app->freed);
		}
	}
	pthread_mutex_unlock(&app->lock);
}

static void *web_beside_run(void *arg)
{
	struct web_beside *b = arg;

	b->rc = b->fn(b->st, b->arg);
	return NULL;
}

void web_app_beside_start(struct web_beside *b, struct web_app *app, struct store *own,
                          int (*fn)(struct store *st, void *arg), void *arg)
{
	char err[ERR_LINE_MAX];

	memset(b, 0, sizeof(*b));
	b->app = app;
	b->fn = fn;
	b->arg = arg;
	/* never wait for a handle: the request holds one already, and
	 * requests each holding one while waiting for another would wait
	 * for ever (a pool of one, or a full one) */
	if (web_app_take(app, 0, &b->st, err, sizeof(err)) == 0) {
		if (pthread_create(&b->thread, NULL, web_beside_run, b) == 0) {
			b->started = 1;
			return;
		}
		web_app_release(app, b->st);
	}
	b->st = NULL;
	b->rc = fn(own, arg);
}

int web_app_beside_join(struct web_beside *b)
{
	if (b->started) {
		pthread_join(b->thread, NULL);
		web_app_release(b->app, b->st);
		b->started = 0;
	}
	b->st = NULL;
	return b->rc;
}
