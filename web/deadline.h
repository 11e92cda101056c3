/*
 * deadline.h - a whole-request deadline for the web server's connections.
 *
 * libmicrohttpd's timeout is an idle timeout: it restarts with every byte,
 * so a client sending one byte every few seconds (slowloris) holds its
 * connection for ever. Here each connection's current request (headers,
 * body and answer) must complete within a number of seconds from when it
 * began (the connection opened, or the previous answer was sent); past
 * that a watchdog thread shuts the socket down, and the server closes it
 * as it would a client that hung up. Thread-safe.
 */
#ifndef TLSWATCH_WEB_DEADLINE_H
#define TLSWATCH_WEB_DEADLINE_H

#include <stdint.h>

struct deadline;
struct deadline_conn;

/* Starts the watchdog; seconds > 0. NULL only when no thread can start. */
struct deadline *deadline_new(unsigned seconds);
/* Stops the watchdog; every connection must have been removed. */
void deadline_free(struct deadline *d);

/* Watches socket fd from now on. The connection must be removed (before
 * the socket is closed) with deadline_remove. */
struct deadline_conn *deadline_add(struct deadline *d, int fd);
/* A request has been answered: the next one starts its clock now. */
void deadline_restart(struct deadline *d, struct deadline_conn *c);
void deadline_remove(struct deadline *d, struct deadline_conn *c);

/* Connections shut down for overrunning, since the start (for tests and
 * the log). */
uint64_t deadline_expired(struct deadline *d);

#endif
