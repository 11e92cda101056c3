/*
 * check_smtp.h - what a sending MTA sees at an MX host: the greeting,
 * STARTTLS in the EHLO reply, the TLS version, the certificate chain
 * (WebPKI, for MTA-STS) and its match against the MX's TLSA records (DANE,
 * RFC 7672).
 *
 * Input: an untrusted server: every reply line and count is bounded
 * (LIMIT_SMTP_*), every read has a deadline.
 */
#ifndef TLSWATCH_CHECK_SMTP_H
#define TLSWATCH_CHECK_SMTP_H

#include <stddef.h>
#include <stdint.h>

#include "dns.h"

struct check_smtp_result {
	int starttls;         /* offered in the EHLO reply */
	char tls_version[32]; /* "TLS1.3"; "" when the handshake failed */
	char tls_error[256];  /* why the handshake failed */
	int webpki_ok;        /* the chain is valid for the MX host name */
	char webpki_error[256];
	int64_t not_after;   /* the server certificate's expiry (UTC s) */
	char subject[256];   /* the server certificate's subject DN */
	int n_tlsa_usable;   /* DANE-TA(2) and DANE-EE(3) records */
	int n_tlsa_match;    /* of them, matching the chain served */
	int n_tlsa_unusable; /* PKIX-TA(0)/PKIX-EE(1): not for SMTP (RFC 7672 3.1.3) */
};

/* Connects to addr:port as a sender would to MX host (the name TLS
 * verifies and SNI sends), says EHLO, STARTTLS when offered, completes
 * the handshake and examines the chain against ca_file (NULL: the system
 * store) and the n TLSA records. 0 with *r when the server answered SMTP
 * (a missing STARTTLS or failed handshake is part of *r), or -1 with the
 * reason when there was no SMTP server to talk to. */
int check_smtp_probe(const char *host, const char *addr, int port, const char *ca_file,
                     int timeout_ms, const struct dns_tlsa *tlsa, int n_tlsa,
                     struct check_smtp_result *r, char *err, size_t errlen);

#endif
