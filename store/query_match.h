/*
 * query_match.h - many keys answered by one read of a window (issue 18):
 * a backend reads the window's rows once and hands each row to the keys of
 * its policy domain, found here by binary search instead of one query per
 * key. Nothing here includes a database library.
 */
#ifndef TLSWATCH_QUERY_MATCH_H
#define TLSWATCH_QUERY_MATCH_H

#include <stddef.h>
#include <stdint.h>

/* The keys' indexes sorted by their domain (borrowed strings, "" for
 * absent). */
struct query_match {
	const char **domain; /* domain[j]: the domain of key idx[j] */
	size_t *idx;
	size_t n;
};

void query_match_init(struct query_match *m, const char *const *domains, size_t n);
/* The keys of domain dom are idx[*first] .. idx[*end - 1] (none: equal). */
void query_match_find(const struct query_match *m, const char *dom, size_t *first, size_t *end);
void query_match_free(struct query_match *m);

/* The days of n keys' periods [since[i], until[i]) together: [*lo, *hi)
 * (empty for no keys), and whether the periods differ (*differ: a read of
 * them all then keeps its rows apart by day). */
void query_periods_span(const int64_t *since, const int64_t *until, size_t n, int64_t *lo,
                        int64_t *hi, int *differ);

/* The keys of store_reports_by_trust_many (store_trust.h), each of its
 * own period, tallied from rows read once for all: the backends' one
 * way of adding a row to the keys it counts for. */
struct query_trust {
	struct query_match m;
	const char *const *organizations; /* NULL entry: any */
	const int64_t *since, *until;
	int64_t *verified, *unverified;
	int64_t lo, hi; /* the days to read: [lo, hi), empty for no keys */
};

/* Borrows every array (n entries); zeroes verified and unverified. */
void query_trust_init(struct query_trust *t, const int64_t *since, const int64_t *until,
                      const char *const *domains, const char *const *organizations, size_t n,
                      int64_t *verified, int64_t *unverified);
/* v verified and u unverified reports of (dom, org) on day added to the
 * keys of domain m->domain[first .. end) they count for. */
void query_trust_add(const struct query_trust *t, size_t first, size_t end, const char *org,
                     int64_t day, int64_t v, int64_t u);
void query_trust_free(struct query_trust *t);

/* The failed sessions of one key per failure-reason-code, to find the
 * most common as 'ORDER BY sum DESC, code COLLATE BINARY LIMIT 1' does. */
struct query_code_sums {
	char **code; /* owned */
	int64_t *sum;
	size_t n, alloc;
};

void query_code_add(struct query_code_sums *c, const char *code, int64_t failed);
/* The most common code (ties: the smallest in byte order) handed to the
 * caller, NULL when none; c is freed. */
char *query_code_take_top(struct query_code_sums *c);
/* The names with a sum above 0 as an alert's reporters (query.h:
 * 'ORDER BY sum DESC, name COLLATE BINARY', the first
 * LIMIT_ALERT_REPORTERS joined by ", ", then " and N more"), handed to
 * the caller, NULL when none; c is freed. The one formatter of the list
 * for a key and for many keys read at once (issue 16). */
char *query_code_take_reporters(struct query_code_sums *c);

#endif

struct query_rows;
/* Rows read in (day, policy_domain, ...) order put in (policy_domain,
 * day, ...) order, stably, in time linear in the rows: each day's rows
 * come sorted by domain, so the domains are sorted once per run of rows
 * of one domain, not once per row (a sort of half a million rows by
 * strings was 85 % of reading them; issue 18). policy_domain NULL (absent)
 * sorts first, as '' does in SQL. */
void query_rows_by_domain(struct query_rows *rows);
