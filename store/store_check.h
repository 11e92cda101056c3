/*
 * store_check.h - what 'tlswatch check' found published, run by run
 * (schema/011_check_result.sql), and what the reports say senders applied
 * (the policy-string and mx-host of their sts policies), so the analyzer
 * can read the two against each other (docs/check.md).
 *
 * Text in both came from the network (DNS, HTTPS, SMTP, reports):
 * untrusted, escaped where it is shown. Errors: 0 or -1 with a one-line
 * reason in err; output parameters are written only on success.
 */
#ifndef TLSWATCH_STORE_CHECK_H
#define TLSWATCH_STORE_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* One run's result for one domain. The lists are lines (the format is in
 * schema/011_check_result.sql); NULL where a thing was not published.
 * Read back (store_check_history), the strings are owned by the result
 * and freed by store_check_results_free; to store_check_add they are
 * only lent. */
struct check_result {
	const char *domain;
	int64_t checked_at; /* UTC seconds */
	const char *status; /* ok, warn, fail, unknown */
	const char *sts_id;
	const char *sts_mode;
	int64_t sts_max_age; /* -1: no usable policy */
	const char *sts_body;
	const char *policy_error;
	const char *mx; /* "" when none: never NULL once read */
	const char *certs;
	const char *tlsa;
	const char *tlsrpt;
};

struct check_results {
	struct check_result *r;
	size_t n;
};

/* 1 when the store's backend keeps check results (the functions below);
 * 0 when they would fail with "cannot ... yet" (a backend written before
 * them): readers then show nothing rather than fail. */
int store_check_supported(const struct store *st);
/* Stores r (the strings are only read). Must be in a batch. */
int store_check_add(struct store *st, const struct check_result *r, char *err, size_t errlen);
/* The newest `limit` (1..LIMIT_CHECK_HISTORY) results of domain, oldest
 * first. Caller frees with store_check_results_free. */
int store_check_history(struct store *st, const char *domain, size_t limit,
                        struct check_results *out, char *err, size_t errlen);
/* The newest result of each checked domain (at most LIMIT_CHECK_DOMAINS),
 * by domain name. */
int store_check_latest(struct store *st, struct check_results *out, char *err, size_t errlen);
void store_check_results_free(struct check_results *r);

/* What reporters applied to a domain (its sts policies in reports of days
 * [since, until)): one row per (organization, policy-string, mx-host). */
struct policy_seen {
	char *organization;
	char *policy;   /* the policy-string lines joined by "\n"; NULL: none */
	char *mx_hosts; /* the mx-host entries, one a line; NULL: none */
	int64_t first_day, last_day;
	int64_t reports;
	int64_t successful_sessions, failed_sessions;
};

struct policy_seen_rows {
	struct policy_seen *r;
	size_t n;
};

/* At most LIMIT_POLICY_SEEN rows, most recent last_day first. */
int store_policy_seen(struct store *st, const char *domain, int64_t since, int64_t until,
                      struct policy_seen_rows *out, char *err, size_t errlen);
void store_policy_seen_free(struct policy_seen_rows *r);

#endif
