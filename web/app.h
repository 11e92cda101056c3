/*
 * app.h - what every request handler shares: the database path, a pool of
 * read-only store handles (SQLite connections are not shared between
 * threads: each request borrows one for its duration), the intake (the
 * only writer) and the auth file. Created once by the server.
 */
#ifndef TLSWATCH_WEB_APP_H
#define TLSWATCH_WEB_APP_H

#include <pthread.h>
#include <stddef.h>

#include "alert.h"
#include "store.h"

struct intake;
struct web_auth;
struct web_cache;

struct web_app {
	const char *db_path;              /* borrowed */
	const char *intake_path;          /* e.g. "/tlsrpt"; NULL: no intake */
	int intake_on_dashboard;          /* 1: the dashboard listener serves it */
	struct intake *intake;            /* NULL without --intake */
	struct web_auth *auth;            /* NULL: no authentication */
	struct alert_settings alert;      /* the [alert] rules and lookback; p.at
	                                   * is set per request (today) */
	struct web_cache *cache;          /* responses until the data changes */
	int expiry_warn_days;             /* [check]: the published vs reported panel */
	enum query_labels metrics_labels; /* [web] metrics_labels */

	pthread_mutex_t lock;
	pthread_cond_t freed;
	struct store **readers; /* opened on demand, up to n_max */
	int *busy;
	size_t n_max;
};

/* Prepares app for db_path with at most max_readers read-only handles, and
 * opens one now so that a missing or outdated database is reported at
 * start. 0, or -1 with the reason. */
int web_app_init(struct web_app *app, const char *db_path, size_t max_readers, char *err,
                 size_t errlen);
/* Closes the handles (none may be borrowed). Does not free intake/auth. */
void web_app_cleanup(struct web_app *app);

/* Borrows a read-only handle, waiting while all are busy. 0, or -1 with
 * the reason when a new one cannot be opened. */
int web_app_reader(struct web_app *app, struct store **st, char *err, size_t errlen);
void web_app_release(struct web_app *app, struct store *st);

/* A part of a request's work that needs no other part's result, run on a
 * second thread with a second handle of the pool while the request goes
 * on with its own (issue 18: the machine's second core). */
struct web_beside {
	struct web_app *app;
	int (*fn)(struct store *st, void *arg);
	void *arg;
	struct store *st; /* the second handle while fn runs beside */
	pthread_t thread;
	int started; /* 1: fn runs on thread, with st */
	int rc;      /* fn's result */
};
/* Runs fn(st, arg) on a new thread with a handle of app's pool when one is
 * free right now; else (every handle busy, or no thread) runs it here on
 * own before returning. Never waits for a handle. fn must touch nothing
 * the caller uses until web_app_beside_join. */
void web_app_beside_start(struct web_beside *b, struct web_app *app, struct store *own,
                          int (*fn)(struct store *st, void *arg), void *arg);
/* Waits for fn (when it ran beside) and returns the handle to the pool.
 * Returns fn's result. Call once after every web_app_beside_start. */
int web_app_beside_join(struct web_beside *b);

#endif
