/*
 * senders.c - who the generator pretends to be: the result types it
 * draws from (RFC 8460 section 6.6 registry, with the mix each kind of
 * policy sees) and the reporting organisations, after the fingerprints in
 * docs/quirks.md section J. Constant tables: nothing here reads input.
 */
#include "gen.h"

const char *const rt_registry[N_RT_REGISTRY] = {
    "starttls-not-supported", "certificate-host-mismatch",
    "certificate-expired",    "certificate-not-trusted",
    "validation-failure",     "tlsa-invalid",
    "dnssec-invalid",         "dane-required",
    "sts-policy-fetch-error", "sts-policy-invalid",
    "sts-webpki-invalid",
};

/* Baseline failure mix for an MTA-STS policy: broken STARTTLS and
 * certificate problems dominate, policy fetch errors come next. */
const unsigned w_sts[N_RT_REGISTRY] = {22, 18, 10, 18, 6, 0, 0, 0, 14, 6, 6};
/* Mail.ru's failures are mostly policy fetch errors (quirks E2, E6). */
const unsigned w_mailru[N_RT_REGISTRY] = {10, 10, 10, 10, 0, 0, 0, 0, 60, 0, 0};
/* Without a policy only a missing STARTTLS or an untrusted certificate is
 * worth reporting. */
const unsigned w_npf[N_RT_REGISTRY] = {70, 0, 0, 30, 0, 0, 0, 0, 0, 0, 0};
/* DANE-only failures, seen in Microsoft's tlsa view. */
const unsigned w_tlsa[N_RT_REGISTRY] = {0, 0, 0, 0, 20, 40, 25, 15, 0, 0, 0};
/* What goes wrong at one MX for a few days (an "incident"). */
const unsigned w_incident[N_RT_REGISTRY] = {2, 2, 4, 2, 0, 0, 0, 0, 0, 0, 0};

const struct gen_sender sender_styles[N_STYLES] = {
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
