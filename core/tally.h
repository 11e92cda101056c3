/*
 * tally.h - one report's figures, counted once (docs/counting.md).
 *
 * A report may describe the same sessions twice: Microsoft lists an "sts"
 * and a "tlsa" policy for one domain, both counting every session, while
 * the sys4 reporter (Postfix) lists each session once, under one of them.
 * Per policy domain, policies of one type add up; whether "sts" and "tlsa"
 * are the same sessions is decided once per (report, domain) by
 * tally_sts_tlsa_same(): the same ones take the larger of the two (for
 * successes and failures separately), disjoint ones add; every other type
 * ("no-policy-found", unknown ones) adds. The same decision holds per
 * (domain, MX host, result type) for the failure breakdown, whose figures
 * come from failure-details, and per (domain, MX host) for failures by MX,
 * while domain totals come from each policy's summary.
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
	int sts_tlsa_same; /* 1: its sts and tlsa policies were counted once */
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

/* The count-once decision for one report and policy domain ("" for none),
 * given the domain's sums of "sts" and of "tlsa" summaries: 1 when they
 * describe the same sessions (count the larger), 0 when they are disjoint
 * (add). Known reporters decide by themselves (the sys4 reporter, known by
 * its report-id, is disjoint; Microsoft is the same); for any other
 * reporter, identical summaries mean the same sessions. docs/counting.md
 * gives the evidence per sender. Every view that merges sts and tlsa asks
 * this function. */
int tally_sts_tlsa_same(const struct report *r, int64_t sts_ok, int64_t sts_fail, int64_t tlsa_ok,
                        int64_t tlsa_fail);

/* The operator's per-organization override of that decision, from the
 * configuration's [counting] section: same and disjoint are
 * comma-separated organization-names (either may be NULL) whose sts and
 * tlsa policies are always the same sessions, or always different ones.
 * They win over every built-in rule. Call once, before any tally (it sets
 * process-wide state and is not thread-safe); a later call replaces the
 * lists. Returns 0, or -1 with the reason (too many or too long names, a
 * name in both lists). */
int tally_set_overrides(const char *same, const char *disjoint, char *err, size_t errlen);

/* The domain policy i of r is counted under in the domain views ("" for
 * none; docs/counting.md rule 5): its own policy-domain, except for a
 * "tlsa" policy named after an MX host (Postfix's DANE policies) that is
 * no policy domain of the report itself: it counts under the one domain
 * whose policies list that host in mx-host, or else, in a sys4 report,
 * under the domain its report-id names. The per-type view keeps the name
 * as sent. Borrowed from r. */
const char *tally_policy_domain(const struct report *r, size_t i);

/* Fills t (caller frees with tally_free). Cannot fail: memory is bounded by
 * the report's own (already limited) size. */
void tally_report(const struct report *r, struct tally *t);
void tally_free(struct tally *t);

#endif
