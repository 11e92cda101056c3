/*
 * trust.h - whether a mailed report comes from the domain it claims
 * (RFC 8460 section 3: report mail is DKIM-signed by the reporting
 * domain), and the [trust] settings that say how strictly (docs/trust.md).
 *
 * Two ways to know: the Authentication-Results header (RFC 8601) that the
 * postmaster's own MTA stamped -- only the topmost one carrying the
 * configured authserv-id, since anyone can add such headers below it --
 * or the DKIM signatures verified here through DNS (dkimcheck.h). A mail
 * passes when a signature that verified names in d= the From domain or a
 * parent domain of it (google.com for noreply@google.com).
 *
 * Input: untrusted messages and DNS; the configuration is the operator's.
 */
#ifndef TLSWATCH_TRUST_H
#define TLSWATCH_TRUST_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "limits.h"
#include "mail.h"

enum trust_dkim_mode {
	TRUST_DKIM_REQUIRE, /* a mail report that does not pass is quarantined */
	TRUST_DKIM_RECORD,  /* stored as unverified-mail, the result recorded */
	TRUST_DKIM_OFF      /* not checked: stored as unverified-mail */
};

struct trust_config {
	enum trust_dkim_mode dkim;
	char *authserv_id; /* NULL: verify through DNS */
	char *resolver;    /* NULL: the system's; "IP[:PORT]" */
	int dns_timeout;   /* seconds per key lookup */
	char **domains;    /* [trust] domains; "*.example.org" allowed */
	size_t n_domains;
};

/* Reads [trust] from c (absent: dkim = require, DNS, no domain list).
 * 0, or -1 with "trust.KEY: why" in err. Free with trust_config_free. */
int trust_config_load(const struct config *c, struct trust_config *out, char *err, size_t errlen);
void trust_config_free(struct trust_config *t);

/* What the check of one message found. */
struct trust_verdict {
	int pass;                            /* 1: provenance dkim-verified */
	char result[16];                     /* pass, fail, none, temperror, ... */
	char domain[LIMIT_DOMAIN_BYTES + 1]; /* the d= it rests on, or "" */
	char ar[LIMIT_HEADER_BYTES];         /* the A-R header used, or "" */
	char reason[400];                    /* "not DKIM-signed by ..." when !pass */
};

/* Checks message m (raw: its bytes, for DNS verification) under t. Never
 * fails: an error is a result (permerror or temperror) with a reason. */
void trust_check_mail(const struct trust_config *t, const struct mail_message *m,
                      const uint8_t *raw, size_t len, struct trust_verdict *v);

/* 1 when policy domain d is one of t's [trust] domains ("*.example.org":
 * any name under example.org, not example.org itself), or when t lists
 * none. A NULL d (no policy-domain) matches only an empty list. */
int trust_domain_configured(const struct trust_config *t, const char *d);

/* The lower-case domain of a From header's (first) address into out;
 * 0, or -1 when there is none. */
int trust_from_domain(const char *from, char *out, size_t outlen);

/* 1 when d (a signing domain) is the From domain or a parent of it. */
int trust_domain_aligned(const char *d, const char *from_domain);

#endif
