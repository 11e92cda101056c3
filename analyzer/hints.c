/*
 * hints.c - the one-line hints (see hints.h). Meanings follow RFC 8460
 * section 4.3; "what to check" is operational advice. "{d}" marks where
 * the policy domain goes; a hint that names it has a second wording for
 * when there is no one domain (a summary over many, the "(none)" domain
 * of no-policy-found), so no placeholder is ever shown.
 */
#include "hints.h"

#include <string.h>

#include "strbuf.h"

struct hint {
	const char *result_type;
	const char *text;
	const char *text_no_domain; /* NULL: text names no domain */
};

static const struct hint hints[] = {
    /* RFC 8460 section 4.3.1: negotiation failures */
    {"starttls-not-supported", "the MX did not offer STARTTLS; enable TLS on every MX of {d}",
     "the MX did not offer STARTTLS; enable TLS on every MX of the domain"},
    {"certificate-host-mismatch",
     "the MX certificate does not name the MX host (or no MTA-STS mx: line matches); "
     "reissue it with every MX name",
     NULL},
    {"certificate-expired", "the MX presented an expired certificate; renew it", NULL},
    {"certificate-not-trusted",
     "the MX certificate chain is not trusted (self-signed or missing intermediate); "
     "serve the full chain of a public CA",
     NULL},
    {"validation-failure",
     "a general validation failure; read the failure reason code, then check the MX "
     "certificate and the policy of {d}",
     "a general validation failure; read the failure reason code, then check the MX "
     "certificate and the domain's policy"},
    /* RFC 8460 section 4.3.2: DANE */
    {"tlsa-invalid",
     "the TLSA records of the MX do not match its certificate; publish records for the "
     "current key before rolling it",
     NULL},
    {"dnssec-invalid",
     "DNSSEC validation failed for the MX or its TLSA records; check the DS/DNSKEY chain "
     "and signature expiry",
     NULL},
    {"dane-required",
     "DANE was required but no usable TLSA record was found; publish signed TLSA records "
     "for each MX",
     NULL},
    /* RFC 8460 section 4.3.3: MTA-STS */
    {"sts-policy-fetch-error",
     "senders could not fetch https://mta-sts.{d}/.well-known/mta-sts.txt; check the web "
     "server, its DNS and that the file is served",
     "senders could not fetch the domain's MTA-STS policy (/.well-known/mta-sts.txt on its "
     "mta-sts host); check the web server, its DNS and that the file is served"},
    {"sts-policy-invalid",
     "the MTA-STS policy of {d} is invalid; check its lines (version, mode, mx, max_age) "
     "and the _mta-sts TXT id",
     "the domain's MTA-STS policy is invalid; check its lines (version, mode, mx, max_age) "
     "and the _mta-sts TXT id"},
    {"sts-webpki-invalid",
     "the certificate of https://mta-sts.{d}/ failed WebPKI validation; renew it or fix "
     "its chain",
     "the certificate of the domain's mta-sts web server failed WebPKI validation; renew it "
     "or fix its chain"},
};

/* What tlswatch stores when a detail came without result-type (the sys4
 * reporter, for a failure code it has no name for: docs/quirks.md K2). */
static const char hint_unknown[] =
    "the reporter named no result type; read the failure reason code and additional "
    "information of the failure details";

static const char hint_generic[] =
    "not a result type RFC 8460 registers; read the failure reason code and the "
    "reporter's documentation";

static const struct hint *hints_find(const char *result_type)
{
	size_t i;

	for (i = 0; i < sizeof(hints) / sizeof(hints[0]); i++)
		if (strcmp(hints[i].result_type, result_type) == 0)
			return &hints[i];
	return NULL;
}

int hints_is_registered(const char *result_type)
{
	return result_type != NULL && hints_find(result_type) != NULL;
}

char *hints_format(const char *result_type, const char *domain, char *out, size_t outlen)
{
	const struct hint *h = result_type != NULL ? hints_find(result_type) : NULL;
	const char *t = h != NULL ? h->text : hint_generic, *p, *mark;
	struct strbuf sb;

	if (outlen == 0)
		return out;
	if (h == NULL && result_type != NULL && strcmp(result_type, "unknown") == 0)
		t = hint_unknown;
	if ((domain == NULL || domain[0] == '\0') && h != NULL && h->text_no_domain != NULL)
		t = h->text_no_domain;
	/* the cap keeps one byte for the NUL. HINTS_MAX always holds the
	 * hint; a smaller out holds the pieces that fit before the first that
	 * does not: cut, never overrun */
	strbuf_init(&sb, outlen - 1);
	for (p = t; (mark = strstr(p, "{d}")) != NULL; p = mark + 3) {
		/* t has {d} only when domain is one */
		if (strbuf_append(&sb, p, (size_t)(mark - p)) < 0 || strbuf_puts(&sb, domain) < 0)
			goto out;
	}
	if (strbuf_puts(&sb, p) < 0)
		goto out;
out:
	memcpy(out, strbuf_str(&sb), sb.len + 1);
	strbuf_free(&sb);
	return out;
}
