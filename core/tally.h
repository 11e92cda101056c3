/*
 * tally.h - one report's figures, counted once (docs/counting.md).
 *
 * A report may describe the same sessions twice: Microsoft lists an "sts"
 * and a "tlsa" policy for one domain, both counting every session. Per
 * policy domain, policies of one type add up; "sts" and "tlsa" are two views
 * of the same sessions, so the domain takes the larger of the two (for
 * successes and failures separately); every other type ("no-policy-found",
 * unknown ones) adds. The same rule holds per (domain, MX host, result
 * type) for the failure breakdown, and per (domain, MX host) for failures
 * by MX, whose figures come from failure-details, while domain totals come
 * from each policy's summary.
 *
 * Input is a validated struct report; results borrow its strings.
 */
#ifndef TLSWATCH_TALLY_H
#define TLSWATCH_TALLY_H

#include <stddef.h>
#include <stdint.h>

#include "report.h"

struct tally_domain {
	const char *policy_domain; /* "" when the policy had none */
	int64_t successful_sessions;
	int64_t failed_sessions;
};

struct tally_failure {
	const char *policy_domain; /* "" when none */
	const char *mx_host;       /* "" when the detail had none */
	const char *result_type;
	int64_t failed_sessions;
};

struct tally_type {
	const char *policy_domain; /* "" when none */
	const char *policy_type;
	int64_t policies;
	int64_t successful_sessions;
	int64_t failed_sessions;
};

struct tally {
	struct tally_domain *domains;
	size_t n_domains;
	struct tally_failure *failures;
	size_t n_failures;
	struct tally_failure *mxs; /* per (domain, MX), counted once per MX:
	                            * the rule over all of the MX's details,
	                            * whatever their result types ("") */
	size_t n_mxs;
	struct tally_type *types;
	size_t n_types;
	int64_t successful_sessions; /* whole report, sum over domains */
	int64_t failed_sessions;
};

/* Fills t (caller frees with tally_free). Cannot fail: memory is bounded by
 * the report's own (already limited) size. */
void tally_report(const struct report *r, struct tally *t);
void tally_free(struct tally *t);

#endif
