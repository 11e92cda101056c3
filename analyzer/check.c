/*
 * check.c - one domain's MTA-STS, TLSRPT and DANE set-up, step by step as a
 * sender walks it: MX set, _smtp._tls, _mta-sts, the policy over HTTPS,
 * each MX over SMTP with STARTTLS, its certificate and its TLSA records.
 * Each step adds findings; a step that cannot be done says why. Input:
 * untrusted network answers, bounded by the modules below this one.
 */
#include "check.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "check_https.h"
#include "check_smtp.h"
#include "datetime.h"
#include "digest.h"
#include "escape.h"
#include "jsonw.h"
#include "mtasts.h"
#include "strbuf.h"

struct check_mx {
	char host[LIMIT_CHECK_NAME_BYTES];
	int pref;
};

const char *check_status_name(enum check_status s)
{
	switch (s) {
	case CHECK_OK:
		return "ok";
	case CHECK_WARN:
		return "warn";
	case CHECK_FAIL:
		break;
	}
	return "fail";
}

static void check_add(struct check_domain *cd, enum check_status st, const char *check,
                      const char *host, const char *fix, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

static void check_add(struct check_domain *cd, enum check_status st, const char *check,
                      const char *host, const char *fix, const char *fmt, ...)
{
	struct check_finding *f;
	va_list ap;
	char *p;

	if (cd->n >= LIMIT_CHECK_FINDINGS)
		return; /* the _Static_assert in limits.h says this cannot happen */
	f = &cd->f[cd->n++];
	f->status = st;
	snprintf(f->check, sizeof(f->check), "%s", check);
	snprintf(f->host, sizeof(f->host), "%s", host != NULL ? host : "");
	snprintf(f->fix, sizeof(f->fix), "%s", fix != NULL ? fix : "");
	va_start(ap, fmt);
	vsnprintf(f->text, sizeof(f->text), fmt, ap);
	va_end(ap);
	/* DNS, HTTP and SMTP text is ASCII; anything else a hostile server
	 * sent is shown as '?', so the text is safe for a terminal and is
	 * valid UTF-8 for JSON */
	for (p = f->text; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			*p = '?';
}

/* Looks up name/type; on a timeout or a bogus answer adds the finding and
 * returns -1 (the answer is then empty). */
static int check_lookup(struct dns *d, struct check_domain *cd, const char *name, int type,
                        struct dns_answer *a)
{
	char err[ERR_LINE_MAX];

	if (dns_query(d, name, type, a, err, sizeof(err)) < 0) {
		cd->could_not_check = 1;
		check_add(cd, CHECK_FAIL, "dns", NULL,
		          "check that the domain's name servers answer; run again later", "%s",
		          err);
		return -1;
	}
	if (a->security == DNS_BOGUS) {
		check_add(cd, CHECK_FAIL, "dns", NULL,
		          "re-sign the zone or fix the DS record at the parent: validating "
		          "resolvers return SERVFAIL for it",
		          "%s %s fails DNSSEC validation: %s", name, dns_type_name(type),
		          a->why_bogus[0] != '\0' ? a->why_bogus : "bogus");
		dns_answer_free(a);
		return -1;
	}
	if (a->rcode != 0 && a->rcode != 3) {
		cd->could_not_check = 1;
		check_add(
		    cd, CHECK_FAIL, "dns", NULL, "check that the domain's name servers answer",
		    "%s %s: the resolver answered rcode %d", name, dns_type_name(type), a->rcode);
		dns_answer_free(a);
		return -1;
	}
	return 0;
}

/* The TXT records of name that begin with tag, counted; the first kept in
 * out. */
static int check_txt(struct dns *d, struct check_domain *cd, const char *name, const char *tag,
                     char *out, size_t outlen, int *n_tagged)
{
	struct dns_answer a;
	char txt[1024];
	int i;

	*n_tagged = 0;
	if (check_lookup(d, cd, name, DNS_TYPE_TXT, &a) < 0)
		return -1;
	for (i = 0; i < a.n; i++) {
		if (dns_rr_txt(a.rr[i], a.len[i], txt, sizeof(txt)) < 0)
			continue;
		/* RFC 8460 section 3 and RFC 8461 section 3.1: records that do
		 * not begin with the version tag are ignored */
		if (strncmp(txt, tag, strlen(tag)) != 0)
			continue;
		if ((*n_tagged)++ == 0)
			snprintf(out, outlen, "%s", txt);
	}
	dns_answer_free(&a);
	return 0;
}

static void check_tlsrpt(struct dns *d, struct check_domain *cd)
{
	struct tlsrpt_record r;
	char name[300], txt[1024], err[ERR_LINE_MAX];
	int n;

	snprintf(name, sizeof(name), "_smtp._tls.%s", cd->domain);
	if (check_txt(d, cd, name, "v=TLSRPTv1", txt, sizeof(txt), &n) < 0)
		return;
	if (n == 0) {
		check_add(cd, CHECK_FAIL, "tlsrpt", NULL,
		          "publish _smtp._tls TXT \"v=TLSRPTv1; rua=mailto:tlsrpt@YOUR-DOMAIN\"",
		          "no TLSRPT record at %s: no sender will send you reports", name);
		return;
	}
	if (n > 1) {
		check_add(
		    cd, CHECK_FAIL, "tlsrpt", NULL, "keep exactly one v=TLSRPTv1 record",
		    "%d v=TLSRPTv1 records at %s: senders ignore them all (RFC 8460 section 3)", n,
		    name);
		return;
	}
	if (tlsrpt_parse_record(txt, &r, err, sizeof(err)) < 0) {
		check_add(
		    cd, CHECK_FAIL, "tlsrpt", NULL,
		    "write it as \"v=TLSRPTv1; rua=mailto:ADDRESS\" (rua URIs mailto: or https:)",
		    "TLSRPT record \"%s\": %s", txt, err);
		return;
	}
	snprintf(cd->tlsrpt, sizeof(cd->tlsrpt), "%s", r.rua[0]);
	check_add(cd, CHECK_OK, "tlsrpt", NULL, NULL, "TLSRPT record: reports go to %s%s", r.rua[0],
	          r.n_rua > 1 ? " and more" : "");
	if (r.n_rua > 1)
		check_add(cd, CHECK_WARN, "tlsrpt", NULL,
		          "put the address you read first, or keep a single rua",
		          "%d rua URIs: Microsoft sends reports only to the first (%s)", r.n_rua,
		          r.rua[0]);
}

/* The MX set, sorted by preference; 0 hosts when the domain has none. */
static int check_mx_set(struct dns *d, struct check_domain *cd, struct check_mx *mx, int *n)
{
	struct dns_answer a;
	char host[LIMIT_CHECK_NAME_BYTES];
	int i, j, pref;

	*n = 0;
	if (check_lookup(d, cd, cd->domain, DNS_TYPE_MX, &a) < 0)
		return -1;
	for (i = 0; i < a.n && *n < LIMIT_CHECK_MX; i++) {
		if (dns_rr_mx(a.rr[i], a.len[i], &pref, host, sizeof(host)) < 0)
			continue;
		for (j = *n; j > 0 && mx[j - 1].pref > pref; j--)
			mx[j] = mx[j - 1];
		snprintf(mx[j].host, sizeof(mx[j].host), "%s", host);
		mx[j].pref = pref;
		(*n)++;
	}
	dns_answer_free(&a);
	if (*n == 1 && strcmp(mx[0].host, ".") == 0) {
		check_add(cd, CHECK_WARN, "mx", NULL, NULL,
		          "null MX (RFC 7505): the domain accepts no mail, nothing else to check");
		*n = 0;
		return -1;
	}
	if (*n == 0) {
		check_add(cd, CHECK_FAIL, "mx", NULL, "publish MX records for the domain",
		          "no MX records for %s", cd->domain);
		return -1;
	}
	return 0;
}

/* The first address of host (IPv4 first), for connecting. */
static int check_addr(struct dns *d, struct check_domain *cd, const char *host, char *out,
                      size_t outlen)
{
	static const int types[] = {DNS_TYPE_A, DNS_TYPE_AAAA};
	struct dns_answer a;
	size_t t;
	int found = 0;

	for (t = 0; t < sizeof(types) / sizeof(types[0]) && !found; t++) {
		if (check_lookup(d, cd, host, types[t], &a) < 0)
			return -1;
		found = a.n > 0 && dns_rr_addr(a.rr[0], a.len[0], out, outlen) == 0;
		dns_answer_free(&a);
	}
	return found ? 0 : -1;
}

/* Fetches and parses the policy; 0 with *p when there is a usable one. */
static int check_policy(struct dns *d, const struct check_opts *o, struct check_domain *cd,
                        struct mtasts_policy *p)
{
	struct check_fetch fe;
	char host[300], addr[64], err[ERR_LINE_MAX];
	const char *ct;
	int rc = -1;

	memset(&fe, 0, sizeof(fe));
	snprintf(host, sizeof(host), "mta-sts.%s", cd->domain);
	if (check_addr(d, cd, host, addr, sizeof(addr)) < 0) {
		check_add(cd, CHECK_FAIL, "sts-policy", NULL,
		          "publish an A or AAAA record for the policy host",
		          "%s has no address: senders cannot fetch the policy", host);
		snprintf(cd->policy_error, sizeof(cd->policy_error), "%s", cd->f[cd->n - 1].text);
		return -1;
	}
	if (check_https_get(host, o->https_port, addr, "/.well-known/mta-sts.txt", o->ca_file,
	                    o->timeout_ms, &fe, err, sizeof(err)) < 0) {
		check_add(
		    cd, CHECK_FAIL, "sts-policy", NULL,
		    "serve the policy over HTTPS with a certificate valid for the policy host",
		    "cannot fetch the policy: %s", err);
		snprintf(cd->policy_error, sizeof(cd->policy_error), "%s", cd->f[cd->n - 1].text);
		return -1;
	}
	ct = fe.content_type;
	if (fe.status >= 300 && fe.status < 400) {
		check_add(cd, CHECK_FAIL, "sts-policy", NULL,
		          "serve the policy at that URL itself: senders do not follow redirects",
		          "the policy URL redirects (HTTP %ld to %s); RFC 8461 section 3.3",
		          fe.status, fe.location[0] != '\0' ? fe.location : "?");
	} else if (fe.status != 200) {
		check_add(cd, CHECK_FAIL, "sts-policy", NULL,
		          "serve /.well-known/mta-sts.txt on the policy host",
		          "the policy URL answers HTTP %ld", fe.status);
	} else if (fe.over_cap) {
		check_add(cd, CHECK_FAIL, "sts-policy", NULL,
		          "serve the policy file itself (a few hundred bytes)",
		          "the policy is over %u bytes", LIMIT_STS_POLICY_BYTES);
	} else if (strncasecmp(ct, "text/plain", 10) != 0 ||
	           (ct[10] != '\0' && ct[10] != ';' && ct[10] != ' ')) {
		check_add(cd, CHECK_FAIL, "sts-policy", NULL,
		          "serve it as Content-Type: text/plain (RFC 8461 section 3.2)",
		          "the policy is served as \"%s\", not text/plain",
		          ct[0] != '\0' ? ct : "(no content type)");
	} else if (mtasts_parse_policy(fe.body, fe.len, p, err, sizeof(err)) < 0) {
		check_add(cd, CHECK_FAIL, "sts-policy", NULL,
		          "write it as RFC 8461 section 3.2 says: version, mode, mx, max_age lines",
		          "the policy is not valid: %s", err);
	} else {
		snprintf(cd->sts_mode, sizeof(cd->sts_mode), "%s", mtasts_mode_name(p->mode));
		cd->sts_max_age = p->max_age;
		/* parsed: at most LIMIT_STS_POLICY_BYTES and without NUL */
		memcpy(cd->sts_body, fe.body, fe.len);
		cd->sts_body[fe.len] = '\0';
		check_add(cd, CHECK_OK, "sts-policy", NULL, NULL,
		          "policy: mode %s, max_age %ld, %d mx pattern%s", cd->sts_mode, p->max_age,
		          p->n_mx, p->n_mx == 1 ? "" : "s");
		if (p->max_age < 86400 && p->mode != MTASTS_MODE_NONE)
			check_add(
			    cd, CHECK_WARN, "sts-policy", NULL,
			    "use weeks, e.g. max_age: 604800 (RFC 8461 section 3.2)",
			    "max_age %ld is under a day: senders refetch the policy often and "
			    "an attacker need only block that fetch",
			    p->max_age);
		rc = 0;
	}
	if (rc < 0)
		snprintf(cd->policy_error, sizeof(cd->policy_error), "%s", cd->f[cd->n - 1].text);
	check_fetch_free(&fe);
	return rc;
}

/* MX hosts against the policy's patterns, both ways (RFC 8461 section 4.1). */
static void check_coverage(struct check_domain *cd, const struct mtasts_policy *p,
                           const struct check_mx *mx, int n_mx)
{
	int i, j;

	for (i = 0; i < n_mx; i++) {
		for (j = 0; j < p->n_mx && !mtasts_mx_matches(p->mx[j], mx[i].host); j++)
			;
		if (j < p->n_mx)
			check_add(cd, CHECK_OK, "sts-mx", mx[i].host, NULL, "matches mx: %s",
			          p->mx[j]);
		else
			check_add(
			    cd, p->mode == MTASTS_MODE_ENFORCE ? CHECK_FAIL : CHECK_WARN, "sts-mx",
			    mx[i].host,
			    "add an mx: line for it to the policy and raise the id in _mta-sts",
			    "in your MX set but matches no mx: line: under enforce, senders "
			    "refuse it (certificate-host-mismatch in reports)");
	}
	for (j = 0; j < p->n_mx; j++) {
		for (i = 0; i < n_mx && !mtasts_mx_matches(p->mx[j], mx[i].host); i++)
			;
		if (i == n_mx)
			check_add(cd, CHECK_WARN, "sts-mx", NULL,
			          "remove the line, or add the MX it was meant for",
			          "mx: %s matches none of your MX hosts", p->mx[j]);
	}
}

/* Adds "HOST U S M HEX" to cd->tlsa; a record that does not fit whole
 * is left out (LIMIT_CHECK_TLSA_TEXT). */
static void check_tlsa_remember(struct check_domain *cd, const char *host, const struct dns_tlsa *t)
{
	char hex[2 * 64 + 1];
	uint8_t sum[DIGEST_SHA256_LEN];
	size_t used = strlen(cd->tlsa);
	int w;

	/* a full certificate or key (matching type 0) is kept as its
	 * SHA-256: enough to see it change */
	if (t->len > 64) {
		digest_sha256(t->data, t->len, sum);
		digest_hex(sum, sizeof(sum), hex);
	} else {
		digest_hex(t->data, t->len, hex);
	}
	w = snprintf(cd->tlsa + used, sizeof(cd->tlsa) - used, "%s %d %d %d %s%s\n", host, t->usage,
	             t->selector, t->mtype, t->len > 64 ? "sha256:" : "", hex);
	if (w < 0 || (size_t)w >= sizeof(cd->tlsa) - used)
		cd->tlsa[used] = '\0';
}

static void check_tlsa(struct dns *d, struct check_domain *cd, const char *host,
                       struct dns_answer *a, struct dns_tlsa *t, int *n)
{
	char name[LIMIT_CHECK_NAME_BYTES + 16];
	int i;

	*n = 0;
	memset(a, 0, sizeof(*a));
	if ((size_t)snprintf(name, sizeof(name), "_25._tcp.%s", host) >= sizeof(name))
		return;
	if (check_lookup(d, cd, name, DNS_TYPE_TLSA, a) < 0)
		return;
	for (i = 0; i < a->n; i++)
		if (dns_rr_tlsa(a->rr[i], a->len[i], &t[*n]) == 0)
			(*n)++;
	if (*n > 0 && a->security != DNS_SECURE) {
		check_add(cd, CHECK_WARN, "dane", host,
		          "sign the zone with DNSSEC, or remove the TLSA records",
		          "%d TLSA record%s at %s without DNSSEC: senders ignore them (RFC 7672 "
		          "section 2.2)",
		          *n, *n == 1 ? "" : "s", name);
		*n = 0;
	}
	for (i = 0; i < *n; i++)
		check_tlsa_remember(cd, host, &t[i]);
}

static void check_expiry(const struct check_opts *o, struct check_domain *cd, const char *host,
                         int64_t not_after)
{
	char day[16];
	int64_t days = (not_after - o->now) / 86400;

	datetime_format_day(datetime_day_of(not_after), day, sizeof(day));
	if (not_after <= o->now)
		check_add(cd, CHECK_FAIL, "cert", host, "renew the certificate and reload the MTA",
		          "the certificate expired on %s", day);
	else if (days < o->expiry_warn_days)
		check_add(cd, CHECK_WARN, "cert", host, "renew the certificate before it expires",
		          "the certificate expires on %s, in %lld day%s", day, (long long)days,
		          days == 1 ? "" : "s");
	else
		check_add(cd, CHECK_OK, "cert", host, NULL, "the certificate is valid until %s",
		          day);
}

static void check_one_mx(struct dns *d, const struct check_opts *o, struct check_domain *cd,
                         struct check_mx_seen *mx, int sts)
{
	const char *host = mx->host;
	struct dns_answer ta;
	struct dns_tlsa tlsa[LIMIT_CHECK_RECORDS];
	struct check_smtp_result r;
	char addr[64], err[ERR_LINE_MAX];
	int n_tlsa = 0;

	if (check_addr(d, cd, host, addr, sizeof(addr)) < 0) {
		check_add(cd, CHECK_FAIL, "smtp", host,
		          "publish an A or AAAA record for the MX host",
		          "the MX host has no address");
		return;
	}
	check_tlsa(d, cd, host, &ta, tlsa, &n_tlsa);
	if (check_smtp_probe(host, addr, o->smtp_port, o->ca_file, o->timeout_ms, tlsa, n_tlsa, &r,
	                     err, sizeof(err)) < 0) {
		check_add(cd, CHECK_FAIL, "smtp", host,
		          "check that the MTA listens on port 25 and the firewall lets senders in",
		          "%s", err);
		goto out;
	}
	if (!r.starttls) {
		check_add(cd, CHECK_FAIL, "smtp", host,
		          "enable STARTTLS in the MTA (Postfix: smtpd_tls_security_level = may)",
		          "STARTTLS is not offered: mail to it travels in clear text");
		goto out;
	}
	if (r.tls_version[0] == '\0') {
		check_add(cd, CHECK_FAIL, "smtp", host, "check the MTA's TLS certificate and key",
		          "%s", r.tls_error);
		goto out;
	}
	if (strcmp(r.tls_version, "TLS1.2") != 0 && strcmp(r.tls_version, "TLS1.3") != 0)
		check_add(cd, CHECK_WARN, "smtp", host, "allow TLS 1.2 and 1.3 in the MTA",
		          "STARTTLS with %s: older than TLS 1.2", r.tls_version);
	else
		check_add(cd, CHECK_OK, "smtp", host, NULL, "STARTTLS with %s", r.tls_version);
	if (r.webpki_ok)
		check_add(cd, CHECK_OK, "cert", host, NULL,
		          "the certificate chain is valid for the host name");
	else
		check_add(cd, sts ? CHECK_FAIL : CHECK_WARN, "cert", host,
		          "serve a certificate from a public CA whose names include the MX host, "
		          "with its intermediates",
		          "%s%s", r.webpki_error, sts ? "" : " (matters once you publish MTA-STS)");
	mx->not_after = r.not_after;
	check_expiry(o, cd, host, r.not_after);
	if (n_tlsa > 0) {
		if (r.n_tlsa_match > 0)
			check_add(cd, CHECK_OK, "dane", host, NULL,
			          "%d of %d usable TLSA records match the certificate served",
			          r.n_tlsa_match, r.n_tlsa_usable);
		else
			check_add(
			    cd, CHECK_FAIL, "dane", host,
			    "publish a TLSA record for the key in use (e.g. 3 1 1 of its "
			    "public key) before removing the old one",
			    "no usable TLSA record matches the certificate served: DANE senders "
			    "will not deliver");
		if (r.n_tlsa_usable == 1)
			check_add(cd, CHECK_WARN, "dane", host,
			          "publish a second record for the next key (or the issuing CA) "
			          "before you roll over (RFC 7671 section 8.1)",
			          "only one TLSA record: a key rollover will break DANE");
		if (r.n_tlsa_unusable > 0)
			check_add(cd, CHECK_WARN, "dane", host,
			          "use usage 3 (DANE-EE) or 2 (DANE-TA) records",
			          "%d TLSA record%s of usage 0 or 1, which SMTP senders do not use "
			          "(RFC 7672 section 3.1.3)",
			          r.n_tlsa_unusable, r.n_tlsa_unusable == 1 ? "" : "s");
	}
out:
	dns_answer_free(&ta);
}

void check_domain_run(struct dns *d, const struct check_opts *o, const char *domain,
                      struct check_domain *cd)
{
	struct check_mx mx[LIMIT_CHECK_MX];
	struct mtasts_record rec;
	struct mtasts_policy *p = NULL, policy;
	char name[300], txt[1024], err[ERR_LINE_MAX];
	int n_mx = 0, n, i;

	memset(cd, 0, sizeof(*cd));
	snprintf(cd->domain, sizeof(cd->domain), "%s", domain);
	if (check_mx_set(d, cd, mx, &n_mx) == 0) {
		char list[1024] = "";
		size_t len = 0;

		for (i = 0; i < n_mx && len < sizeof(list); i++)
			len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s (%d)",
			                        i > 0 ? ", " : "", mx[i].host, mx[i].pref);
		check_add(cd, CHECK_OK, "mx", NULL, NULL, "MX: %s", list);
	}
	check_tlsrpt(d, cd);

	snprintf(name, sizeof(name), "_mta-sts.%s", domain);
	if (check_txt(d, cd, name, "v=STSv1", txt, sizeof(txt), &n) == 0) {
		if (n == 0)
			check_add(cd, CHECK_WARN, "sts-record", NULL,
			          "publish a policy and _mta-sts TXT \"v=STSv1; id=YYYYMMDDNN\" "
			          "(docs/check.md)",
			          "no MTA-STS record at %s: senders may deliver without TLS", name);
		else if (n > 1)
			check_add(cd, CHECK_FAIL, "sts-record", NULL,
			          "keep exactly one v=STSv1 record",
			          "%d v=STSv1 records at %s: senders treat MTA-STS as absent "
			          "(RFC 8461 section 3.1)",
			          n, name);
		else if (mtasts_parse_record(txt, &rec, err, sizeof(err)) < 0)
			check_add(cd, CHECK_FAIL, "sts-record", NULL,
			          "write it as \"v=STSv1; id=YYYYMMDDNN\"",
			          "MTA-STS record \"%s\": %s", txt, err);
		else {
			snprintf(cd->sts_id, sizeof(cd->sts_id), "%s", rec.id);
			check_add(cd, CHECK_OK, "sts-record", NULL, NULL, "MTA-STS record: id %s",
			          rec.id);
			if (check_policy(d, o, cd, &policy) == 0)
				p = &policy;
		}
	}
	if (p != NULL && p->mode != MTASTS_MODE_NONE)
		check_coverage(cd, p, mx, n_mx);
	for (i = 0; i < n_mx; i++) {
		_Static_assert(sizeof(cd->mx[i].host) == sizeof(mx[i].host), "one host size");
		memcpy(cd->mx[i].host, mx[i].host, sizeof(cd->mx[i].host));
		cd->mx[i].pref = mx[i].pref;
	}
	cd->n_mx = n_mx;
	for (i = 0; i < n_mx; i++)
		check_one_mx(d, o, cd, &cd->mx[i], p != NULL && p->mode != MTASTS_MODE_NONE);
}

void check_render_text(const struct check_domain *cd, int quiet, FILE *f)
{
	char text[sizeof(cd->f[0].text) * 4 + 8];
	const struct check_finding *x;
	int i;

	for (i = 0; i < cd->n; i++) {
		x = &cd->f[i];
		if (quiet && x->status == CHECK_OK)
			continue;
		/* the text quotes DNS and HTTP answers: no control character
		 * reaches the terminal */
		escape_text(x->text, strlen(x->text), sizeof(x->text), text, sizeof(text));
		fprintf(f, "%s: %-4s %-10s %s%s%s%s%s\n", esc(cd->domain),
		        check_status_name(x->status), x->check,
		        x->host[0] != '\0' ? esc(x->host) : "", x->host[0] != '\0' ? ": " : "",
		        text, x->fix[0] != '\0' ? "; fix: " : "", x->fix);
	}
}

void check_json_begin(FILE *f, int64_t now)
{
	char when[32];

	datetime_format_utc(now, when, sizeof(when));
	fprintf(f, "{\"checked_at\":\"%s\",\"domains\":[", when);
}

void check_json_domain(FILE *f, const struct check_domain *cd, int first)
{
	struct strbuf sb;
	struct jsonw w;
	enum check_status worst = CHECK_OK;
	int i;

	for (i = 0; i < cd->n; i++)
		if (cd->f[i].status > worst)
			worst = cd->f[i].status;
	strbuf_init(&sb, (size_t)LIMIT_CHECK_FINDINGS * 2048);
	jsonw_init(&w, &sb, 0);
	jsonw_object_begin(&w);
	jsonw_key(&w, "domain");
	jsonw_string(&w, cd->domain);
	jsonw_key(&w, "status");
	jsonw_string(&w, cd->could_not_check ? "unknown" : check_status_name(worst));
	jsonw_key(&w, "mta_sts");
	jsonw_object_begin(&w);
	jsonw_key(&w, "id");
	jsonw_string(&w, cd->sts_id[0] != '\0' ? cd->sts_id : NULL);
	jsonw_key(&w, "mode");
	jsonw_string(&w, cd->sts_mode[0] != '\0' ? cd->sts_mode : NULL);
	jsonw_key(&w, "max_age");
	if (cd->sts_mode[0] != '\0')
		jsonw_int(&w, cd->sts_max_age);
	else
		jsonw_null(&w);
	jsonw_object_end(&w);
	jsonw_key(&w, "findings");
	jsonw_array_begin(&w);
	for (i = 0; i < cd->n; i++) {
		const struct check_finding *x = &cd->f[i];

		jsonw_object_begin(&w);
		jsonw_key(&w, "check");
		jsonw_string(&w, x->check);
		jsonw_key(&w, "status");
		jsonw_string(&w, check_status_name(x->status));
		jsonw_key(&w, "host");
		jsonw_string(&w, x->host[0] != '\0' ? x->host : NULL);
		jsonw_key(&w, "message");
		jsonw_string(&w, x->text);
		jsonw_key(&w, "fix");
		jsonw_string(&w, x->fix[0] != '\0' ? x->fix : NULL);
		jsonw_object_end(&w);
	}
	jsonw_array_end(&w);
	jsonw_object_end(&w);
	fprintf(f, "%s%s", first ? "" : ",", strbuf_str(&sb));
	strbuf_free(&sb);
}

void check_json_end(FILE *f)
{
	fprintf(f, "]}\n");
}
