/*
 * check.h - `tlswatch check`: what a domain publishes for MTA-STS, TLSRPT
 * and DANE, looked at as a sending MTA would (RFC 8461, RFC 8460,
 * RFC 7672), one finding per line.
 *
 * Input: DNS answers, an HTTPS body and SMTP servers from the internet, all
 * untrusted (lib/dns.c, check_https.c, check_smtp.c bound them); the
 * options are the operator's.
 */
#ifndef TLSWATCH_CHECK_H
#define TLSWATCH_CHECK_H

#include <stdint.h>
#include <stdio.h>

#include "dns.h"
#include "limits.h"

struct check_opts {
	const char *ca_file; /* WebPKI anchors; NULL: the system store */
	int smtp_port;       /* 25 */
	int https_port;      /* 443 */
	int timeout_ms;      /* per network step */
	int expiry_warn_days;
	int64_t now; /* UTC seconds */
};

enum check_status { CHECK_OK, CHECK_WARN, CHECK_FAIL };

struct check_finding {
	enum check_status status;
	char check[16]; /* "mx", "tlsrpt", "sts-record", "sts-policy", "sts-mx", "smtp",
	                   "cert", "dane", "dns" */
	char host[256]; /* the MX host it concerns, "" for the domain */
	char text[512];
	char fix[384]; /* "" when ok */
};

struct check_domain {
	char domain[256];
	int could_not_check; /* a look-up the verdict needs did not answer */
	int n;
	struct check_finding f[LIMIT_CHECK_FINDINGS];
	/* what is published, for history and drift (check_history.c) */
	char sts_id[33];
	char sts_mode[8];
	long sts_max_age;
	char sts_body[LIMIT_STS_POLICY_BYTES + 1]; /* the policy, when it parsed */
	char policy_error[512];                    /* a record, but no usable policy: why */
	char tlsrpt[LIMIT_CHECK_NAME_BYTES];       /* the first rua of a valid record */
	int n_mx;
	struct check_mx_seen {
		char host[LIMIT_CHECK_NAME_BYTES];
		int pref;
		int64_t not_after; /* 0: no certificate seen */
	} mx[LIMIT_CHECK_MX];
	char tlsa[LIMIT_CHECK_TLSA_TEXT]; /* "HOST U S M HEX" lines, DNSSEC-secure */
};

/* Checks one domain through d. Never fails as a whole: what could not be
 * looked at is a finding (and sets could_not_check). */
void check_domain_run(struct dns *d, const struct check_opts *o, const char *domain,
                      struct check_domain *out);

/* One line per finding ("DOMAIN: STATUS CHECK [HOST] TEXT; fix: FIX"),
 * only the ones not ok when quiet. Untrusted text is escaped. */
void check_render_text(const struct check_domain *cd, int quiet, FILE *f);
/* The JSON document (docs/check.md), written a domain at a time so that a
 * run over thousands of domains holds one in memory: begin, one call per
 * domain (first: 1 for the first), end. */
void check_json_begin(FILE *f, int64_t now);
void check_json_domain(FILE *f, const struct check_domain *cd, int first);
void check_json_end(FILE *f);

const char *check_status_name(enum check_status s);

#endif
