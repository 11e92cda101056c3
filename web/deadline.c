/*
 * deadline.c - the watchdog behind deadline.h. Sockets are shut down, never
 * closed, here: the server closes them itself after it has told us (remove)
 * under the same lock, so a descriptor number is never reused under us.
 */
#include "deadline.h"

#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#include "log.h"
#include "xalloc.h"

struct deadline_conn {
	int fd;
	int64_t started; /* CLOCK_MONOTONIC milliseconds */
	int shut;        /* shut down already */
	struct deadline_conn *prev, *next;
};

struct deadline {
	unsigned seconds;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int stopping;
	pthread_t thread;
	struct deadline_conn *head;
	uint64_t expired;
};

static int64_t deadline_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void *deadline_watch(void *arg)
{
	struct deadline *d = arg;
	struct deadline_conn *c;
	struct timespec until;
	int64_t now;

	pthread_mutex_lock(&d->lock);
	while (!d->stopping) {
		now = deadline_now();
		for (c = d->head; c != NULL; c = c->next) {
			if (c->shut || now - c->started < (int64_t)d->seconds * 1000)
				continue;
			/* the server sees the end of the stream and closes it */
			shutdown(c->fd, SHUT_RDWR);
			c->shut = 1;
			d->expired++;
			log_verbose("http: a request took more than %u seconds: connection closed",
			            d->seconds);
		}
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 1;
		pthread_cond_timedwait(&d->wake, &d->lock, &until);
	}
	pthread_mutex_unlock(&d->lock);
	return NULL;
}

struct deadline *deadline_new(unsigned seconds)
{
	struct deadline *d = xcalloc(1, sizeof(*d));

	d->seconds = seconds;
	pthread_mutex_init(&d->lock, NULL);
	pthread_cond_init(&d->wake, NULL);
	if (pthread_create(&d->thread, NULL, deadline_watch, d) != 0) {
		pthread_cond_destroy(&d->wake);
		pthread_mutex_destroy(&d->lock);
		free(d);
		return NULL;
	}
	return d;
}

void deadline_free(struct deadline *d)
{
	if (d == NULL)
		return;
	pthread_mutex_lock(&d->lock);
	d->stopping = 1;
	pthread_cond_signal(&d->wake);
	pthread_mutex_unlock(&d->lock);
	pthread_join(d->thread, NULL);
	while (d->head != NULL)
		deadline_remove(d, d->head);
	pthread_cond_destroy(&d->wake);
	pthread_mutex_destroy(&d->lock);
	free(d);
}

struct deadline_conn *deadline_add(struct deadline *d, int fd)
{
	struct deadline_conn *c = xcalloc(1, sizeof(*c));

	c->fd = fd;
	c->started = deadline_now();
	pthread_mutex_lock(&d->lock);
	c->next = d->head;
	if (d->head != NULL)
		d->head->prev = c;
	d->head = c;
	pthread_mutex_unlock(&d->lock);
	return c;
}

void deadline_restart(struct deadline *d, struct deadline_conn *c)
{
	pthread_mutex_lock(&d->lock);
	c->started = deadline_now();
	pthread_mutex_unlock(&d->lock);
}

void deadline_remove(struct deadline *d, struct deadline_conn *c)
{
	if (c == NULL)
		return;
	pthread_mutex_lock(&d->lock);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		d->head = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	pthread_mutex_unlock(&d->lock);
	free(c);
}

uint64_t deadline_expired(struct deadline *d)
{
	uint64_t n;

	pthread_mutex_lock(&d->lock);
	n = d->expired;
	pthread_mutex_unlock(&d->lock);
	return n;
}
