/*
 * trust.c - the [trust] settings and the DKIM verdict on a report mail
 * (docs/trust.md). Input: untrusted headers (parsed with a bound on every
 * length) and DKIM results; trusted configuration.
 */
#include "trust.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dkimcheck.h"
#include "escape.h"
#include "pubsuffix.h"
#include "xalloc.h"

static int trust_parse_seconds(const char *s, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 1 || v > LIMIT_DKIM_DNS_TIMEOUT_MAX)
		return -1;
	*out = (int)v;
	return 0;
}

/* One name of a domain list: letters, digits, '-', '.', an optional
 * leading "*.". */
static int trust_domain_syntax(const char *s)
{
	size_t i = 0, n = strlen(s);

	if (n == 0 || n > LIMIT_DOMAIN_BYTES)
		return 0;
	if (n > 2 && s[0] == '*' && s[1] == '.')
		i = 2;
	for (; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '.')
			return 0;
	return 1;
}

static int trust_load_domains(const char *v, struct trust_config *t, char *err, size_t errlen)
{
	const char *p = v, *q;
	char name[LIMIT_DOMAIN_BYTES + 1];
	size_t n, i;

	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '\0')
			return 0;
		q = p;
		while (*q != '\0' && *q != ' ' && *q != '\t' && *q != ',')
			q++;
		n = (size_t)(q - p);
		if (n > LIMIT_DOMAIN_BYTES || t->n_domains >= LIMIT_TRUST_DOMAINS) {
			snprintf(err, errlen,
			         "trust.domains: more than %d names or a name over %d bytes",
			         LIMIT_TRUST_DOMAINS, LIMIT_DOMAIN_BYTES);
			return -1;
		}
		memcpy(name, p, n);
		name[n] = '\0';
		for (i = 0; i < n; i++)
			name[i] = (char)tolower((unsigned char)name[i]);
		if (!trust_domain_syntax(name)) {
			snprintf(err, errlen, "trust.domains: '%s' is not a domain or *.domain",
			         esc(name));
			return -1;
		}
		t->domains = xreallocarray(t->domains, t->n_domains + 1, sizeof(*t->domains));
		t->domains[t->n_domains++] = xstrdup(name);
		p = q;
	}
}

int trust_config_load(const struct config *c, struct trust_config *out, char *err, size_t errlen)
{
	struct trust_config t;
	const char *v;

	memset(&t, 0, sizeof(t));
	t.dkim = TRUST_DKIM_REQUIRE;
	t.dns_timeout = LIMIT_DKIM_DNS_TIMEOUT_DEFAULT;
	if ((v = config_get(c, "trust", "dkim")) != NULL) {
		if (strcmp(v, "require") == 0)
			t.dkim = TRUST_DKIM_REQUIRE;
		else if (strcmp(v, "record") == 0)
			t.dkim = TRUST_DKIM_RECORD;
		else if (strcmp(v, "off") == 0)
			t.dkim = TRUST_DKIM_OFF;
		else {
			snprintf(err, errlen, "trust.dkim: '%s' is not require, record or off",
			         esc(v));
			goto fail;
		}
	}
	if ((v = config_get(c, "trust", "authserv_id")) != NULL && v[0] != '\0') {
		if (strlen(v) > LIMIT_DOMAIN_BYTES || strpbrk(v, " \t;()") != NULL) {
			snprintf(err, errlen, "trust.authserv_id: '%s' is not an authserv-id",
			         esc(v));
			goto fail;
		}
		t.authserv_id = xstrdup(v);
	}
	if ((v = config_get(c, "trust", "resolver")) != NULL) {
		char why[160];

		if (dkimcheck_resolver_valid(v, why, sizeof(why)) < 0) {
			snprintf(err, errlen, "trust.%s", why);
			goto fail;
		}
		t.resolver = xstrdup(v);
	}
	if ((v = config_get(c, "trust", "dns_timeout")) != NULL &&
	    trust_parse_seconds(v, &t.dns_timeout) < 0) {
		snprintf(err, errlen, "trust.dns_timeout: '%s' is not 1..%d seconds", esc(v),
		         LIMIT_DKIM_DNS_TIMEOUT_MAX);
		goto fail;
	}
	if ((v = config_get(c, "trust", "domains")) != NULL &&
	    trust_load_domains(v, &t, err, errlen) < 0)
		goto fail;
	*out = t;
	return 0;
fail:
	trust_config_free(&t);
	return -1;
}

void trust_config_free(struct trust_config *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->n_domains; i++)
		free(t->domains[i]);
	free(t->domains);
	free(t->authserv_id);
	free(t->resolver);
	memset(t, 0, sizeof(*t));
}

int trust_domain_configured(const struct trust_config *t, const char *d)
{
	size_t i, nd, nw;

	if (t == NULL || t->n_domains == 0)
		return 1;
	if (d == NULL)
		return 0;
	nd = strlen(d);
	while (nd > 0 && d[nd - 1] == '.') /* a trailing root dot */
		nd--;
	for (i = 0; i < t->n_domains; i++) {
		const char *w = t->domains[i];

		if (w[0] == '*' && w[1] == '.') {
			nw = strlen(w + 1); /* ".example.org" */
			if (nd > nw && strncasecmp(d + nd - nw, w + 1, nw) == 0)
				return 1;
		} else if (strlen(w) == nd && strncasecmp(d, w, nd) == 0) {
			return 1;
		}
	}
	return 0;
}

int trust_from_domain(const char *from, char *out, size_t outlen)
{
	const char *s, *e, *at = NULL, *p;
	size_t n, i;

	if (from == NULL)
		return -1;
	/* "Name <local@domain>" or "local@domain"; the first address only */
	if ((s = strchr(from, '<')) != NULL) {
		s++;
		if ((e = strchr(s, '>')) == NULL)
			return -1;
	} else {
		s = from;
		e = s + strcspn(s, ",");
	}
	for (p = s; p < e; p++)
		if (*p == '@')
			at = p;
	if (at == NULL)
		return -1;
	s = at + 1;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	n = (size_t)(e - s);
	if (n == 0 || n > LIMIT_DOMAIN_BYTES || n >= outlen)
		return -1;
	for (i = 0; i < n; i++) {
		char ch = (char)tolower((unsigned char)s[i]);

		if (!isalnum((unsigned char)ch) && ch != '-' && ch != '.')
			return -1;
		out[i] = ch;
	}
	out[n] = '\0';
	return 0;
}

int trust_domain_aligned(const char *d, const char *from_domain)
{
	size_t nd = strlen(d), nf = strlen(from_domain);
	const char *reg;

	if (nd == 0)
		return 0;
	if (strcasecmp(d, from_domain) == 0)
		return 1;
	/* a parent, whole labels: "google.com" for "mail.google.com" */
	if (nf <= nd + 1 || from_domain[nf - nd - 1] != '.' ||
	    strcasecmp(from_domain + nf - nd, d) != 0)
		return 0;
	/* at or under the From domain's registrable domain (Public Suffix
	 * List): never "co.uk" for "example.co.uk", "github.io" for
	 * "x.github.io" or a bare TLD */
	reg = pubsuffix_registrable(from_domain);
	return reg != NULL && nd >= strlen(reg);
}

/* One signature's outcome, from either source, as the verdict sees it. */
struct trust_sig {
	char result[16];
	char domain[LIMIT_DOMAIN_BYTES + 1];
	char why[96];
};

/* The verdict over all signatures: a pass aligned with the From domain
 * wins; then an aligned temperror (try again later); then the first
 * aligned result; then the first signature of another domain. */
static void trust_decide(const struct trust_sig *sigs, size_t n, const char *from_domain,
                         struct trust_verdict *v)
{
	const struct trust_sig *pick = NULL;
	size_t i;

	for (i = 0; i < n && pick == NULL; i++)
		if (strcmp(sigs[i].result, "pass") == 0 &&
		    trust_domain_aligned(sigs[i].domain, from_domain))
			pick = &sigs[i];
	for (i = 0; i < n && pick == NULL; i++)
		if (strcmp(sigs[i].result, "temperror") == 0 &&
		    trust_domain_aligned(sigs[i].domain, from_domain))
			pick = &sigs[i];
	for (i = 0; i < n && pick == NULL; i++)
		if (trust_domain_aligned(sigs[i].domain, from_domain))
			pick = &sigs[i];
	if (pick == NULL && n > 0)
		pick = &sigs[0];
	if (pick == NULL) {
		snprintf(v->result, sizeof(v->result), "none");
		snprintf(v->reason, sizeof(v->reason),
		         "not DKIM-signed by the reporting domain (dkim=none)");
		return;
	}
	snprintf(v->domain, sizeof(v->domain), "%s", pick->domain);
	if (strcmp(pick->result, "pass") == 0 && trust_domain_aligned(pick->domain, from_domain)) {
		v->pass = 1;
		snprintf(v->result, sizeof(v->result), "pass");
		return;
	}
	/* a valid signature of another domain is, for this From, a fail */
	snprintf(v->result, sizeof(v->result), "%s",
	         strcmp(pick->result, "pass") == 0 ? "fail" : pick->result);
	snprintf(v->reason, sizeof(v->reason),
	         "not DKIM-signed by the reporting domain (dkim=%s%s%s)%s%s", v->result,
	         pick->domain[0] != '\0' ? " header.d=" : "",
	         pick->domain[0] != '\0' ? esc(pick->domain) : "", pick->why[0] != '\0' ? ": " : "",
	         pick->why);
}

/* Authentication-Results (RFC 8601 section 2.2): comments dropped,
 * "authserv-id [version]; method=result prop=value ...; ...". */
static void trust_ar_strip_comments(const char *in, char *out, size_t outlen)
{
	size_t o = 0;
	int depth = 0, quoted = 0;

	for (; *in != '\0' && o + 1 < outlen; in++) {
		if (quoted) {
			if (*in == '"')
				quoted = 0;
			out[o++] = *in;
		} else if (*in == '(') {
			depth++;
		} else if (*in == ')' && depth > 0) {
			depth--;
		} else if (depth == 0) {
			if (*in == '"')
				quoted = 1;
			out[o++] = *in;
		}
	}
	out[o] = '\0';
}

/* The next whitespace-separated token of *p within a segment. */
static size_t trust_token(const char **p, char *tok, size_t toklen)
{
	const char *s = *p;
	size_t n = 0;

	while (*s == ' ' || *s == '\t')
		s++;
	while (*s != '\0' && *s != ' ' && *s != '\t') {
		if (n + 1 < toklen)
			tok[n++] = *s;
		s++;
	}
	tok[n] = '\0';
	*p = s;
	return n;
}

/* The dkim= results of one A-R value into sigs. */
static size_t trust_ar_dkim(char *value, struct trust_sig *sigs, size_t max)
{
	size_t n = 0;
	char *seg, *next;
	char tok[LIMIT_DOMAIN_BYTES + 32];

	seg = strchr(value, ';'); /* skip the authserv-id */
	while (seg != NULL && n < max) {
		const char *p;
		struct trust_sig *s;

		seg++;
		next = strchr(seg, ';');
		if (next != NULL)
			*next = '\0';
		p = seg;
		if (trust_token(&p, tok, sizeof(tok)) > 5 && strncasecmp(tok, "dkim=", 5) == 0) {
			s = &sigs[n++];
			memset(s, 0, sizeof(*s));
			snprintf(s->result, sizeof(s->result), "%.15s", tok + 5);
			while (trust_token(&p, tok, sizeof(tok)) > 0) {
				const char *d = NULL, *at;

				if (strncasecmp(tok, "header.d=", 9) == 0)
					d = tok + 9;
				else if (strncasecmp(tok, "header.i=", 9) == 0 &&
				         (at = strrchr(tok, '@')) != NULL && s->domain[0] == '\0')
					d = at + 1;
				if (d != NULL && strlen(d) <= LIMIT_DOMAIN_BYTES)
					memcpy(s->domain, d, strlen(d) + 1);
			}
		}
		seg = next;
	}
	return n;
}

/* The topmost "Authentication-Results: ID ..." line of auth_headers whose
 * authserv-id is id; NULL when none. */
static const char *trust_ar_find(const char *auth_headers, const char *id, size_t *len)
{
	static const char name[] = "Authentication-Results:";
	const char *line = auth_headers, *nl, *p;
	size_t idlen = strlen(id);

	for (; line != NULL && *line != '\0'; line = nl != NULL ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		if (strncasecmp(line, name, sizeof(name) - 1) != 0)
			continue;
		p = line + sizeof(name) - 1;
		while (*p == ' ' || *p == '\t')
			p++;
		/* the id ends at whitespace, ';' or a comment */
		if (strncasecmp(p, id, idlen) == 0 &&
		    (p[idlen] == ';' || p[idlen] == ' ' || p[idlen] == '\t' || p[idlen] == '(')) {
			*len = nl != NULL ? (size_t)(nl - line) : strlen(line);
			return line;
		}
	}
	return NULL;
}

static void trust_check_ar(const struct trust_config *t, const struct mail_message *m,
                           const char *from_domain, struct trust_verdict *v)
{
	struct trust_sig sigs[LIMIT_DKIM_SIGNATURES];
	char *value;
	const char *line;
	size_t len, n;

	line =
	    m->auth_headers != NULL ? trust_ar_find(m->auth_headers, t->authserv_id, &len) : NULL;
	if (line == NULL) {
		snprintf(v->result, sizeof(v->result), "none");
		snprintf(v->reason, sizeof(v->reason),
		         "not DKIM-signed by the reporting domain (no Authentication-Results from "
		         "%s)",
		         esc(t->authserv_id));
		return;
	}
	if (len >= sizeof(v->ar))
		len = sizeof(v->ar) - 1;
	memcpy(v->ar, line, len);
	v->ar[len] = '\0';
	value = xmalloc(len + 1);
	trust_ar_strip_comments(strchr(v->ar, ':') + 1, value, len + 1);
	n = trust_ar_dkim(value, sigs, LIMIT_DKIM_SIGNATURES);
	free(value);
	trust_decide(sigs, n, from_domain, v);
}

static void trust_check_dns(const struct trust_config *t, const uint8_t *raw, size_t len,
                            const char *from_domain, struct trust_verdict *v)
{
	struct trust_sig sigs[LIMIT_DKIM_SIGNATURES];
	struct dkimcheck_result *r = xcalloc(1, sizeof(*r));
	struct dkimcheck_dns dns = {t->resolver, t->dns_timeout};
	char err[160];
	size_t i;

	if (dkimcheck_message(raw, len, &dns, r, err, sizeof(err)) < 0) {
		snprintf(v->result, sizeof(v->result), "permerror");
		snprintf(v->reason, sizeof(v->reason),
		         "not DKIM-signed by the reporting domain (dkim=permerror): %s", err);
		free(r);
		return;
	}
	memset(sigs, 0, sizeof(sigs));
	for (i = 0; i < r->n_sigs; i++) {
		snprintf(sigs[i].result, sizeof(sigs[i].result), "%s", r->sigs[i].result);
		snprintf(sigs[i].domain, sizeof(sigs[i].domain), "%s", r->sigs[i].domain);
		snprintf(sigs[i].why, sizeof(sigs[i].why), "%s", r->sigs[i].why);
	}
	trust_decide(sigs, r->n_sigs, from_domain, v);
	free(r);
}

void trust_check_mail(const struct trust_config *t, const struct mail_message *m,
                      const uint8_t *raw, size_t len, struct trust_verdict *v)
{
	char from_domain[LIMIT_DOMAIN_BYTES + 1];

	memset(v, 0, sizeof(*v));
	if (trust_from_domain(m->from, from_domain, sizeof(from_domain)) < 0) {
		snprintf(v->result, sizeof(v->result), "permerror");
		snprintf(v->reason, sizeof(v->reason),
		         "not DKIM-signed by the reporting domain (no From domain)");
		return;
	}
	if (t->authserv_id != NULL)
		trust_check_ar(t, m, from_domain, v);
	else
		trust_check_dns(t, raw, len, from_domain, v);
}
