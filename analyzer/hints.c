/*
 * hints.c - the one-line hints (see hints.h). Meanings follow RFC 8460
 * section 4.3; "what to check" is operational advice. "{d}" marks where
 * the policy domain goes.
 */
#include "hints.h"

#include <string.h>

#include "strbuf.h"

struct hint {
	const char *result_type;
	const char *text;
};

static const struct hint hints[] = {
    /* RFC 8460 section 4.3.1: negotiation failures */
    {"starttls-not-supported", "the MX did not offer STARTTLS; enable TLS on every MX of {d}"},
    {"certificate-host-mismatch",
     "the MX certificate does not name the MX host (or no MTA-STS mx: line matches); "
     "reissue it with every MX name"},
    {"certificate-expired", "the MX presented an expired certificate; renew it"},
    {"certificate-not-trusted",
     "the MX certificate chain is not trusted (self-signed or missing intermediate); "
     "serve the full chain of a public CA"},
    {"validation-failure",
     "a general validation failure; read the failure reason code, then check the MX "
     "certificate and the policy of {d}"},
    /* RFC 8460 section 4.3.2: DANE */
    {"tlsa-invalid",
     "the TLSA records of the MX do not match its certificate; publish records for the "
     "current key before rolling it"},
    {"dnssec-invalid",
     "DNSSEC validation failed for the MX or its TLSA records; check the DS/DNSKEY chain "
     "and signature expiry"},
    {"dane-required",
     "DANE was required but no usable TLSA record was found; publish signed TLSA records "
     "for each MX"},
    /* RFC 8460 section 4.3.3: MTA-STS */
    {"sts-policy-fetch-error",
     "senders could not fetch https://mta-sts.{d}/.well-known/mta-sts.txt; check the web "
     "server, its DNS and that the file is served"},
    {"sts-policy-invalid",
     "the MTA-STS policy of {d} is invalid; check its lines (version, mode, mx, max_age) "
     "and the _mta-sts TXT id"},
    {"sts-webpki-invalid",
     "the certificate of https://mta-sts.{d}/ failed WebPKI validation; renew it or fix "
     "its chain"},
};

static const char hint_generic[] =
    "not a result type RFC 8460 registers; read the failure reason code and the "
    "reporter's documentation";

static const char *hints_find(const char *result_type)
{
	size_t i;

	for (i = 0; i < sizeof(hints) / sizeof(hints[0]); i++)
		if (strcmp(hints[i].result_type, result_type) == 0)
			return hints[i].text;
	return NULL;
}

int hints_is_registered(const char *result_type)
{
	return result_type != NULL && hints_find(result_type) != NULL;
}

char *hints_format(const char *result_type, const char *domain, char *out, size_t outlen)
{
	const char *t = result_type != NULL ? hints_find(result_type) : NULL;
	const char *p, *mark;
	struct strbuf sb;

	if (outlen == 0)
		return out;
	if (t == NULL)
		t = hint_generic;
	/* the cap keeps one byte for the NUL. HINTS_MAX always holds the
	 * hint; a smaller out holds the pieces that fit before the first that
	 * does not: cut, never overrun */
	strbuf_init(&sb, outlen - 1);
	for (p = t; (mark = strstr(p, "{d}")) != NULL; p = mark + 3) {
		if (strbuf_append(&sb, p, (size_t)(mark - p)) < 0 ||
		    strbuf_puts(&sb, domain != NULL ? domain : "<domain>") < 0)
			goto out;
	}
	if (strbuf_puts(&sb, p) < 0)
		goto out;
out:
	memcpy(out, strbuf_str(&sb), sb.len + 1);
	strbuf_free(&sb);
	return out;
}
