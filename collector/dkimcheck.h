/*
 * dkimcheck.h - DKIM signatures of a mail message verified through DNS
 * (RFC 6376), with libopendkim: the one door to <opendkim/dkim.h>.
 *
 * Input is untrusted: the message, its signatures and the DNS answers.
 * Key lookups go to the system resolver (/etc/resolv.conf) or to one
 * configured server, each with a timeout, so that a silent DNS server
 * costs a bounded wait and gives temperror, never a hang.
 */
#ifndef TLSWATCH_DKIMCHECK_H
#define TLSWATCH_DKIMCHECK_H

#include <stddef.h>
#include <stdint.h>

#include "limits.h"

/* One signature's outcome, in the words of RFC 8601 section 2.7.1. */
struct dkimcheck_sig {
	const char *result; /* "pass", "fail", "neutral", "temperror", "permerror" */
	char domain[LIMIT_DOMAIN_BYTES + 1]; /* its d=, "" when unreadable */
	char why[96];                        /* libopendkim's reason, "" on pass */
};

struct dkimcheck_result {
	struct dkimcheck_sig sigs[LIMIT_DKIM_SIGNATURES];
	size_t n_sigs; /* 0: the message carries no signature */
	size_t n_more; /* signatures past LIMIT_DKIM_SIGNATURES, not verified */
};

/* Where key lookups go. resolver: "IP" or "IP:PORT" (IPv4), or NULL for
 * the system's; timeout_s: per lookup, >= 1. */
struct dkimcheck_dns {
	const char *resolver;
	int timeout_s;
};

/* Verifies every signature of msg (len bytes, LF or CRLF line ends).
 * Returns 0 with *out filled, or -1 with the reason (not a message
 * libopendkim can read, out of resources) in err. */
int dkimcheck_message(const uint8_t *msg, size_t len, const struct dkimcheck_dns *dns,
                      struct dkimcheck_result *out, char *err, size_t errlen);

/* Checks a resolver setting ("IP" or "IP:PORT"). 0, or -1 with why. */
int dkimcheck_resolver_valid(const char *resolver, char *err, size_t errlen);

#endif
