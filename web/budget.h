/*
 * budget.h - what one client may send to the report intake: a rate of
 * POSTs (a token bucket per client) and bytes per UTC day (per client and
 * over all clients; the intake charges a body, and what it inflates to
 * beyond that). A client is an IPv4 address or an IPv6 /64 (one
 * host's usual share), so that a client cannot multiply itself by
 * changing the low bits. Clients are kept in a fixed table; when it is
 * full the one seen longest ago is forgotten (the day's total over all
 * clients still holds). Thread-safe.
 */
#ifndef TLSWATCH_WEB_BUDGET_H
#define TLSWATCH_WEB_BUDGET_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* The limits; 0 turns one off. */
struct budget_limits {
	unsigned posts_per_minute; /* per client; a minute's worth may come at once */
	int64_t client_day_bytes;  /* body bytes per client per UTC day */
	int64_t total_day_bytes;   /* body bytes per UTC day over every client */
};

struct budget;

struct budget *budget_new(const struct budget_limits *lim);
void budget_free(struct budget *b);

/* Counts one POST from client_ip at now (Unix seconds) that announces
 * announced bytes (-1: unknown). 0 when it may proceed; else -1, a one-line
 * reason in why and the seconds after which to retry in *retry_after. */
int budget_admit(struct budget *b, const char *client_ip, time_t now, int64_t announced,
                 unsigned *retry_after, char *why, size_t whylen);

/* Charges len body bytes to client_ip's day and the total. 0, or -1 (and
 * *retry_after, why) when that goes over either: nothing is charged then. */
int budget_charge(struct budget *b, const char *client_ip, time_t now, size_t len,
                  unsigned *retry_after, char *why, size_t whylen);

#endif
