/*
 * arrival.h - days still coming in (docs/alerts.md, "Days not in yet").
 * Report mail for day D comes on D+1 and later, one reporter after
 * another: a day holding Google's reports but not yet Microsoft's looks
 * like a drop in traffic, or like most sessions failing. From the store,
 * each domain's usual reporters are learned (those that reported for it
 * on most of the ARRIVAL_HISTORY_DAYS days before), and a day is "not in
 * yet" for the domain while one of them is missing -- unless it already
 * reported for the domain a day more than ARRIVAL_WAIT_DAYS later: then it
 * skipped this one (or the store is a replay of old mail). Reports of one
 * reporter can come out of order within the wait (Microsoft's, days late).
 *
 * Reads the store only; names in the result are report text (untrusted,
 * escaped by whoever prints them). Errors: 0 or -1 with a one-line reason.
 */
#ifndef TLSWATCH_ARRIVAL_H
#define TLSWATCH_ARRIVAL_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* A domain's usual reporters are learned from the days before: two weeks
 * see a weekday-only reporter on most of its days, and follow a new
 * reporter within a week. */
#define ARRIVAL_HISTORY_DAYS 14
/* Fewer days with reports for the domain in those: too little to say who
 * is usual, so nobody is. */
#define ARRIVAL_MIN_HISTORY 7
/* A day is still coming in for this many days after it ends: reports come
 * on D+1 (Google, Microsoft), a few on D+2 or D+3; a reporter still
 * missing after that skipped the day. */
#define ARRIVAL_WAIT_DAYS 3

/* One (domain, day) whose usual reporters are not all in. */
struct arrival_day {
	char *policy_domain; /* NULL: reports without one */
	int64_t day;
	int64_t usual; /* usual reporters of the domain */
	int64_t in;    /* of them, those with a report for the day so far */
	char *missing; /* "Microsoft Corporation, B and 2 more" */
};

struct arrival {
	struct arrival_day *days; /* sorted by domain (absent first), day */
	size_t n;
};

/* The days of [since, until) (at most LIMIT_ALERT_LOOKBACK_DAYS) not in
 * yet, per domain. Caller frees with arrival_free. */
int arrival_build(struct store *st, int64_t since, int64_t until, struct arrival *out, char *err,
                  size_t errlen);
/* The same entries for domains[0..n) only ("" for absent; sorted and
 * made distinct in place): what the alerts of a run ask about, from a few
 * rows per domain instead of every domain's. */
int arrival_build_domains(struct store *st, int64_t since, int64_t until, const char **domains,
                          size_t n, struct arrival *out, char *err, size_t errlen);
/* The entry for (domain, day), or NULL when the day is complete for it
 * (or its usual reporters are unknown). */
const struct arrival_day *arrival_find(const struct arrival *a, const char *policy_domain,
                                       int64_t day);
void arrival_free(struct arrival *a);

#endif
