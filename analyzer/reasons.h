/*
 * reasons.h - failed sessions by failure-reason-code, grouped where
 * senders differ only in case, spacing, numbers or a host name in the
 * text (docs/alerts.md, "Reason codes"): "TLS handshake failed with
 * mx1.example.com" and "tls handshake failed  with 192.0.2.7" are one
 * reason, and so are "report_info?id=5065427c-23d3#x" and
 * "report_info ? id = 5065427 c - 23 d3# x". Shown by 'summary', the failures page
 * (group_by=reason) and its API. Reason codes are report text (untrusted): escaped by whoever shows
 * them. Errors: 0 or -1 with a one-line reason in err.
 */
#ifndef TLSWATCH_REASONS_H
#define TLSWATCH_REASONS_H

#include <stddef.h>
#include <stdint.h>

#include "query.h"
#include "store.h"

/* One grouped reason: forms as sent with one key (reasons_key). */
struct reason_group {
	char *key;          /* the label's normal form (reasons_normalise) */
	char *label;        /* its most failed form as sent */
	char *result_types; /* "certificate-expired, tlsa-invalid" */
	int64_t failed_sessions;
	int64_t variants; /* distinct forms as sent */
};

struct reason_groups {
	struct reason_group *groups; /* most failed first, then by key */
	size_t n;
	int cut; /* 1: past LIMIT_REASON_ROWS forms, the least failed were left out */
};

/* The normal form of s into out (always terminated), as shown: lower
 * case, runs of white space one space, no space at the ends, a host name
 * or IP address "<host>", a number standing alone "<n>", a hex id split
 * by white space joined ("5065427 c - 23 d3": "5065427c-23d3"). */
void reasons_normalise(const char *s, char *out, size_t outlen);
/* The key forms are grouped by, into out (always terminated): the normal
 * form without the spaces beside punctuation, so "report_info ? id = x"
 * and "report_info?id=x" are one; a space between two words stays. */
void reasons_key(const char *s, char *out, size_t outlen);

/* Failed sessions of the filter's period (its domains, organization, MX
 * host, result type) by reason, grouped. Caller frees with
 * reasons_free. */
int reasons_build(struct store *st, const struct query_filter *f, struct reason_groups *out,
                  char *err, size_t errlen);
/* The same for additional-information, normalised the same way (label:
 * its most failed form as sent). */
int reasons_build_info(struct store *st, const struct query_filter *f, struct reason_groups *out,
                       char *err, size_t errlen);
void reasons_free(struct reason_groups *g);

#endif
