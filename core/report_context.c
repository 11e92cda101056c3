/*
 * report_context.c - what a report leaves out, filled from where it came
 * from (mail headers, subject, file name, HTTPS client), and the one-line
 * description of what a sender got slightly wrong (docs/quirks.md). All
 * context strings are untrusted: a value is used only when it is a plain
 * host name (or, for an HTTPS client, an address), and copied into the
 * report's arena.
 */
#include "report.h"

#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "hostname.h"
#include "limits.h"
#include "utf8.h"

/* A host name as tlswatch keeps one: what core/hostname.c accepts in a
 * report's policy-domain (hostname_check), after any trailing root dots,
 * and valid UTF-8 (a header, unlike the report's JSON, was not checked).
 * Copied into the arena, ASCII lowercased; NULL when s[0..len) is not one. */
static const char *context_host(struct arena *a, const char *s, size_t len)
{
	char buf[LIMIT_HOSTNAME_BYTES + 1], why[128], *out;
	size_t i;

	while (len > 0 && s[len - 1] == '.')
		len--; /* a trailing root dot names the same domain */
	if (len == 0 || len > LIMIT_HOSTNAME_BYTES || memchr(s, '\0', len) != NULL ||
	    utf8_valid_prefix((const unsigned char *)s, len) != len)
		return NULL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (hostname_check(buf, HOSTNAME_DOMAIN, why, sizeof(why)) < 0)
		return NULL;
	out = arena_strndup(a, buf, len);
	for (i = 0; i < len; i++)
		if (out[i] >= 'A' && out[i] <= 'Z')
			out[i] = (char)(out[i] - 'A' + 'a');
	return out;
}

static int context_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* A header value that is one host name, with surrounding blanks. */
static const char *context_header_host(struct arena *a, const char *v)
{
	size_t len;

	if (v == NULL)
		return NULL;
	while (context_space(*v))
		v++;
	len = strlen(v);
	while (len > 0 && context_space(v[len - 1]))
		len--;
	return context_host(a, v, len);
}

/* The domain of the last address in v ("Name <a@b.example>", "mailto:a@b"). */
static const char *context_address_domain(struct arena *a, const char *v)
{
	const char *at, *end;

	if (v == NULL || (at = strrchr(v, '@')) == NULL)
		return NULL;
	at++;
	for (end = at; *end != '\0' && *end != '>' && *end != ',' && !context_space(*end); end++)
		;
	return context_host(a, at, (size_t)(end - at));
}

/* RFC 8460 section 5.3: "Report Domain: D Submitter: S Report-ID: <id>". */
static const char *context_subject_domain(struct arena *a, const char *subject)
{
	static const char key[] = "report domain:";
	const char *p, *end;
	size_t i;

	if (subject == NULL)
		return NULL;
	for (p = subject; *p != '\0'; p++) {
		for (i = 0; key[i] != '\0'; i++) {
			char c = p[i];

			if (c == '\0' || (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c) != key[i])
				break;
		}
		if (key[i] == '\0')
			break;
	}
	if (*p == '\0')
		return NULL;
	for (p += sizeof(key) - 1; context_space(*p); p++)
		;
	for (end = p; *end != '\0' && !context_space(*end); end++)
		;
	return context_host(a, p, (size_t)(end - p));
}

/* RFC 8460 section 5.3: "sender!policy-domain!begin!end[!id].ext". */
static const char *context_file_domain(struct arena *a, const char *name)
{
	const char *base, *first, *second;

	if (name == NULL)
		return NULL;
	base = strrchr(name, '/');
	base = base != NULL ? base + 1 : name;
	if ((first = strchr(base, '!')) == NULL || (second = strchr(first + 1, '!')) == NULL ||
	    strchr(second + 1, '!') == NULL)
		return NULL;
	return context_host(a, first + 1, (size_t)(second - first - 1));
}

/* The same file name's sender part (the report's submitter). */
static const char *context_file_sender(struct arena *a, const char *name)
{
	const char *base, *first;

	if (name == NULL || context_file_domain(a, name) == NULL)
		return NULL;
	base = strrchr(name, '/');
	base = base != NULL ? base + 1 : name;
	first = strchr(base, '!');
	return context_host(a, base, (size_t)(first - base));
}

const char *report_sys4_domain(const char *report_id)
{
	static const char shape[] = "####-##-##T##:##:##Z_idx"; /* #: a digit */
	const char *id = report_id;
	size_t i;

	for (i = 0; shape[i] != '\0'; i++)
		if (shape[i] == '#' ? (id[i] < '0' || id[i] > '9') : id[i] != shape[i])
			return NULL;
	if (id[i] < '0' || id[i] > '9')
		return NULL;
	while (id[i] >= '0' && id[i] <= '9')
		i++;
	return id[i] == '_' ? id + i + 1 : NULL;
}

/* The domain a sys4 report-id names, as a host name. */
static const char *context_report_id_domain(struct arena *a, const char *id)
{
	const char *p = report_sys4_domain(id);

	return p != NULL ? context_host(a, p, strlen(p)) : NULL;
}

/* An HTTPS client address: digits, hex letters, '.', ':' only. */
static const char *context_client(struct arena *a, const char *v)
{
	size_t i, len;
	char *out;

	if (v == NULL || (len = strlen(v)) == 0 || len > 64)
		return NULL;
	for (i = 0; i < len; i++)
		if (strchr("0123456789abcdefABCDEF.:", v[i]) == NULL)
			return NULL;
	out = arena_calloc(a, 1, len + 1);
	memcpy(out, v, len);
	return out;
}

static int context_domainless(const struct report_policy *p)
{
	return p->policy_domain == NULL && strcmp(p->policy_type, "no-policy-found") == 0;
}

int report_needs_context(const struct report *r)
{
	size_t i;

	if (r->organization_name[0] == '\0')
		return 1;
	for (i = 0; i < r->n_policies; i++)
		if (context_domainless(&r->policies[i]))
			return 1;
	return 0;
}

static void context_fill_domains(struct report *r, const struct report_context *c)
{
	const char *dom, *src = NULL;
	size_t i;

	if ((dom = context_header_host(r->arena, c->tls_report_domain)) != NULL)
		src = "TLS-Report-Domain";
	else if ((dom = context_subject_domain(r->arena, c->subject)) != NULL)
		src = "subject";
	else if ((dom = context_file_domain(r->arena, c->file_name)) != NULL)
		src = "file name";
	else if ((dom = context_report_id_domain(r->arena, r->report_id)) != NULL)
		src = "report-id";
	if (dom == NULL)
		return;
	for (i = 0; i < r->n_policies; i++) {
		struct report_policy *p = &r->policies[i];

		if (!context_domainless(p))
			continue;
		p->policy_domain = dom;
		p->policy_domain_source = src;
		r->quirks |= REPORT_QUIRK_DOMAIN_INFERRED;
	}
}

int report_apply_context(struct report *r, const struct report_context *c, char *err, size_t errlen)
{
	const char *org = NULL, *src = NULL;

	if (r->organization_name[0] == '\0') {
		if ((org = context_header_host(r->arena, c->tls_report_submitter)) != NULL)
			src = "TLS-Report-Submitter";
		else if ((org = context_address_domain(r->arena, r->contact_info)) != NULL ||
		         (org = context_header_host(r->arena, r->contact_info)) != NULL)
			src = "contact-info";
		else if ((org = context_address_domain(r->arena, c->mail_from)) != NULL)
			src = "From";
		else if ((org = context_file_sender(r->arena, c->file_name)) != NULL)
			src = "file name";
		else if ((org = context_client(r->arena, c->https_client)) != NULL)
			src = "HTTPS client";
		if (org == NULL) {
			snprintf(
			    err, errlen,
			    "organization-name: empty string, and no TLS-Report-Submitter, "
			    "contact-info, From, file name or HTTPS client to name the sender by");
			return -1;
		}
	}
	context_fill_domains(r, c);
	if (org != NULL) {
		r->organization_name = org;
		r->organization_source = src;
	}
	return 0;
}

const char *report_quirks_text(const struct report *r, char *buf, size_t buflen)
{
	const char *inferred = NULL;
	size_t i, o = 0;
	int n;

	if (r->quirks == 0 || buflen == 0)
		return NULL;
	buf[0] = '\0';
#define QUIRK_ADD(...)                                                                             \
	do {                                                                                       \
		n = snprintf(buf + o, buflen - o, "%s", o > 0 ? "; " : "");                        \
		if (n > 0 && (size_t)n < buflen - o)                                               \
			o += (size_t)n;                                                            \
		n = snprintf(buf + o, buflen - o, __VA_ARGS__);                                    \
		if (n > 0)                                                                         \
			o = (size_t)n < buflen - o ? o + (size_t)n : buflen - 1;                   \
	} while (0)
	if (r->quirks & REPORT_QUIRK_ORG_EMPTY)
		QUIRK_ADD("organization-name empty: named from %s",
		          r->organization_source != NULL ? r->organization_source : "nothing");
	if (r->quirks & REPORT_QUIRK_RESULT_TYPE)
		QUIRK_ADD("%zu failure detail%s without result-type: stored as unknown",
		          r->n_unknown_result, r->n_unknown_result == 1 ? "" : "s");
	if (r->quirks & REPORT_QUIRK_SHORTENED)
		QUIRK_ADD("%zu over-long free-text field%s shortened", r->n_shortened,
		          r->n_shortened == 1 ? "" : "s");
	if (r->quirks & REPORT_QUIRK_DOMAIN_INFERRED) {
		for (i = 0; i < r->n_policies && inferred == NULL; i++)
			inferred = r->policies[i].policy_domain_source;
		QUIRK_ADD("policy-domain of no-policy-found inferred from %s",
		          inferred != NULL ? inferred : "context");
	}
#undef QUIRK_ADD
	return buf;
}
