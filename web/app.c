/*
 * app.c - the pool of read-only store handles shared by request threads.
 * Input: none from the network; the pool only hands out handles.
 */
#include "app.h"

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

int web_app_reader(struct web_app *app, struct store **st, char *err, size_t errlen)
{
	size_t i;
	int rc = -1;

	pthread_mutex_lock(&app->lock);
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
		pthread_cond_wait(&app->freed, &app->lock);
	}
	app->busy[i] = 1;
	pthread_mutex_unlock(&app->lock);
	/* opening takes the slot's reservation, so it runs unlocked */
	if (app->readers[i] == NULL &&
	    store_open(app->db_path, STORE_READONLY, &app->readers[i], err, errlen) < 0) {
		pthread_mutex_lock(&app->lock);
		app->busy[i] = 0;
		pthread_cond_signal(&app->freed);
		pthread_mutex_unlock(&app->lock);
		return rc;
	}
	*st = app->readers[i];
	return 0;
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
