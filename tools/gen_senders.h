/*
 * gen_senders.h - who the generator pretends to be: the result types it
 * draws from (RFC 8460 section 6.6 registry, with the mix each kind of
 * policy sees) and the reporting organisations, after the fingerprints in
 * docs/quirks.md section J. Included once, by tools/gen.c
 * only. Constant tables: nothing here reads input.
 */
#ifndef GEN_SENDERS_H
#define GEN_SENDERS_H

#include <stdint.h>

/* --- result types: the RFC 8460 section 6.6 registry; their ids are
 * their index here (spikes may intern more after these). */

enum {
	RT_STARTTLS,
	RT_HOST_MISMATCH,
	RT_EXPIRED,
	RT_NOT_TRUSTED,
	RT_VALIDATION,
	RT_TLSA_INVALID,
	RT_DNSSEC_INVALID,
	RT_DANE_REQUIRED,
	RT_STS_FETCH,
	RT_STS_INVALID,
	RT_STS_WEBPKI,
	N_RT_REGISTRY
};

static const char *const rt_registry[N_RT_REGISTRY] = {
    "starttls-not-supported", "certificate-host-mismatch",
    "certificate-expired",    "certificate-not-trusted",
    "validation-failure",     "tlsa-invalid",
    "dnssec-invalid",         "dane-required",
    "sts-policy-fetch-error", "sts-policy-invalid",
    "sts-webpki-invalid",
};

/* Baseline failure mix for an MTA-STS policy: broken STARTTLS and
 * certificate problems dominate, policy fetch errors come next. */
static const unsigned w_sts[N_RT_REGISTRY] = {22, 18, 10, 18, 6, 0, 0, 0, 14, 6, 6};
/* Mail.ru's failures are mostly policy fetch errors (quirks E2, E6). */
static const unsigned w_mailru[N_RT_REGISTRY] = {10, 10, 10, 10, 0, 0, 0, 0, 60, 0, 0};
/* Without a policy only a missing STARTTLS or an untrusted certificate is
 * worth reporting. */
static const unsigned w_npf[N_RT_REGISTRY] = {70, 0, 0, 30, 0, 0, 0, 0, 0, 0, 0};
/* DANE-only failures, seen in Microsoft's tlsa view. */
static const unsigned w_tlsa[N_RT_REGISTRY] = {0, 0, 0, 0, 20, 40, 25, 15, 0, 0, 0};
/* What goes wrong at one MX for a few days (an "incident"). */
static const unsigned w_incident[N_RT_REGISTRY] = {2, 2, 4, 2, 0, 0, 0, 0, 0, 0, 0};

/* --- senders (docs/quirks.md section J; Yahoo and Comcast were not found in any
 * public sample: they follow the RFC 8460 section 4.8 example). Each sender
 * has a style: how it shapes its JSON, file names and mail. The first
 * N_STYLES senders are the ones below; a long tail of small host-named
 * reporters in the Stalwart and Postfix styles follows (gen_model.h), as
 * a real domain hears from many small operators. */

enum { S_GOOGLE, S_MICROSOFT, S_MAILRU, S_YAHOO, S_COMCAST, S_STALWART, S_POSTFIX, N_STYLES };

struct gen_sender {
	int style;             /* S_GOOGLE ... S_POSTFIX */
	const char *org;       /* organization-name */
	const char *submitter; /* TLS-Report-Submitter, file-name prefix */
	const char *contact;   /* contact-info; NULL = JSON null */
	const char *from;      /* mail From: */
	const char *bounce;    /* envelope sender (mbox "From " line) */
	double presence;       /* chance of a report for one domain and day */
	double volume;         /* mean sessions a day to a weight-1 domain */
	double fail_rate;      /* baseline share of failed sessions */
	uint32_t ip4_base;     /* sending addresses: ip4_base + [0, ip4_count) */
	unsigned ip4_count;
	unsigned ip6_group; /* 2001:db8:GROUP::/48 (0 = IPv4 only): */
	unsigned ip6_base;  /* ... GROUP::ip6_base + [0, ip4_count) */
	int next_midnight;  /* window ends at the next 00:00:00Z (quirks A2) */
};

#define IP4(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (d))

static const struct gen_sender sender_styles[N_STYLES] = {
    {S_GOOGLE, "Google Inc.", "google.com", "smtp-tls-reporting@google.com",
     "noreply-smtp-tls-reporting@google.com",
     "noreply-smtp-tls-reporting@smtp-tls-reporting.bounces.google.com", 0.97, 1500.0, 0.004,
     IP4(192, 0, 2, 10), 48, 0x4860, 1, 0},
    {S_MICROSOFT, "Microsoft Corporation", "microsoft.com", "tlsrpt-noreply@microsoft.com",
     "<tlsrpt-noreply@microsoft.com>", "tlsrpt-noreply@microsoft.com", 0.92, 500.0, 0.006,
     IP4(198, 51, 100, 10), 40, 0xf403, 1, 0},
    {S_MAILRU, "Mail.ru", "mail.ru", "tls_support@corp.mail.ru",
     "noreply-smtp-tls-reporting@corp.mail.ru", "noreply-smtp-tls-reporting@corp.mail.ru", 0.30,
     8.0, 0.06, IP4(203, 0, 113, 128), 32, 0, 0, 1},
    {S_YAHOO, "Yahoo Inc.", "yahoo.com", "tlsrpt-reports@yahoo.com", "tlsrpt-reports@yahoo.com",
     "tlsrpt-bounces@yahoo.com", 0.75, 150.0, 0.005, IP4(203, 0, 113, 10), 40, 0, 0, 0},
    {S_COMCAST, "Comcast", "comcast.net", "tlsrpt@comcast.net", "tlsrpt@comcast.net",
     "tlsrpt-bounces@comcast.net", 0.50, 40.0, 0.008, IP4(203, 0, 113, 64), 24, 0, 0, 0},
    {S_STALWART, "mx.example-isp.test", "mx.example-isp.test", NULL,
     "\"Report Subsystem\" <noreply-tls@mx.example-isp.test>", "noreply-tls@mx.example-isp.test",
     0.45, 5.0, 0.02, IP4(203, 0, 113, 200), 8, 0x5a1, 1, 1},
    {S_POSTFIX, "smtp.example-university.test", "smtp.example-university.test",
     "smtp-tls-reporting@smtp.example-university.test",
     "noreply-smtp-tls-reporting@smtp.example-university.test",
     "noreply-smtp-tls-reporting@smtp.example-university.test", 0.40, 4.0, 0.02,
     IP4(198, 51, 100, 200), 4, 0, 0, 0},
};

/* The long tail: this many small reporters after the named ones, half in
 * each host-named style. With the five big senders it makes about 52
 * reports per domain and day, so 400 days of 50 domains give the
 * million reports the benchmarks want. */
#define GEN_TAIL_SENDERS 96

#endif
