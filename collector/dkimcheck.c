/*
 * dkimcheck.c - DKIM verification through libopendkim, with our own key
 * lookup: libopendkim's stock resolver hook ignores a configured server
 * on glibc, so the query goes through res_nquery() on a resolver state of
 * our own (one server when configured, the retransmit time set to the
 * timeout, one try). Input: an untrusted message and untrusted DNS.
 */
#include "dkimcheck.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <opendkim/dkim.h>

#include "xalloc.h"

/* One finished lookup: res_nquery is synchronous, so the answer is in the
 * caller's buffer when the "query" starts. */
struct dkimcheck_reply {
	size_t len;
};

static int dkimcheck_query(void *srv, int type, unsigned char *query, unsigned char *buf,
                           size_t buflen, void **qh)
{
	res_state res = srv;
	struct dkimcheck_reply *r;
	HEADER *h = (HEADER *)(void *)buf;
	int n;

	if (buflen < HFIXEDSZ || buflen > INT32_MAX)
		return DKIM_DNS_ERROR;
	n = res_nquery(res, (const char *)query, C_IN, type, buf, (int)buflen);
	if (n < 0 && res->res_h_errno != HOST_NOT_FOUND && res->res_h_errno != NO_DATA)
		return DKIM_DNS_ERROR; /* timeout, SERVFAIL, refused: temperror */
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return DKIM_DNS_ERROR;
	if (n < 0) {
		/* no such name or no TXT record: an answer with no key, which
		 * libopendkim reports as "no key" (permerror) */
		memset(buf, 0, HFIXEDSZ);
		h->qr = 1;
		h->rcode = NXDOMAIN;
		r->len = HFIXEDSZ;
	} else {
		r->len = (size_t)n;
	}
	*qh = r;
	return DKIM_DNS_SUCCESS;
}

static int dkimcheck_wait(void *srv, void *qh, struct timeval *to, size_t *bytes, int *error,
                          int *dnssec)
{
	const struct dkimcheck_reply *r = qh;

	(void)srv;
	(void)to;
	if (bytes != NULL)
		*bytes = r->len;
	if (error != NULL)
		*error = 0;
	if (dnssec != NULL)
		*dnssec = DKIM_DNSSEC_UNKNOWN;
	return DKIM_DNS_SUCCESS;
}

static int dkimcheck_cancel(void *srv, void *qh)
{
	(void)srv;
	free(qh);
	return 0;
}

/* The resolver state is ours (closed by dkimcheck_message), not the
 * library's to free. */
static void dkimcheck_close(void *srv)
{
	(void)srv;
}

/* Signatures past the limit are ignored before any key is looked up. */
static DKIM_CBSTAT dkimcheck_prescreen(DKIM *dkim, DKIM_SIGINFO **sigs, int nsigs)
{
	int i;

	(void)dkim;
	for (i = LIMIT_DKIM_SIGNATURES; i < nsigs; i++)
		dkim_sig_ignore(sigs[i]);
	return DKIM_CBSTAT_CONTINUE;
}

/* msg with every bare LF made CRLF, as RFC 6376 canonicalisation reads
 * it (libopendkim's own DKIM_LIBFLAGS_FIXCRLF loses the headers of an LF
 * message in 2.11). Caller frees; at most twice len. */
static unsigned char *dkimcheck_crlf(const uint8_t *msg, size_t len, size_t *outlen)
{
	unsigned char *out = xmalloc(2 * len + 1);
	size_t i, o = 0;

	for (i = 0; i < len; i++) {
		if (msg[i] == '\n' && (i == 0 || msg[i - 1] != '\r'))
			out[o++] = '\r';
		out[o++] = msg[i];
	}
	*outlen = o;
	return out;
}

/* "IP" or "IP:PORT" into sa. 0, or -1. */
static int dkimcheck_parse_resolver(const char *s, struct sockaddr_in *sa)
{
	char host[INET_ADDRSTRLEN];
	const char *colon = strchr(s, ':');
	size_t n = colon != NULL ? (size_t)(colon - s) : strlen(s);
	char *end;
	long port = 53;

	if (n == 0 || n >= sizeof(host))
		return -1;
	memcpy(host, s, n);
	host[n] = '\0';
	if (colon != NULL) {
		errno = 0;
		port = strtol(colon + 1, &end, 10);
		if (errno != 0 || end == colon + 1 || *end != '\0' || port < 1 || port > 65535)
			return -1;
	}
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)port);
	return inet_pton(AF_INET, host, &sa->sin_addr) == 1 ? 0 : -1;
}

int dkimcheck_resolver_valid(const char *resolver, char *err, size_t errlen)
{
	struct sockaddr_in sa;

	if (dkimcheck_parse_resolver(resolver, &sa) < 0) {
		snprintf(err, errlen, "resolver: want an IPv4 address, optionally with :PORT");
		return -1;
	}
	return 0;
}

static const char *dkimcheck_sig_result(DKIM_SIGINFO *sig)
{
	unsigned int flags = dkim_sig_getflags(sig);

	if ((flags & DKIM_SIGFLAG_PASSED) != 0 && dkim_sig_getbh(sig) == DKIM_SIGBH_MATCH)
		return "pass";
	switch (dkim_sig_geterror(sig)) {
	case DKIM_SIGERROR_KEYFAIL:
		return "temperror";
	case DKIM_SIGERROR_NOKEY:
	case DKIM_SIGERROR_DNSSYNTAX:
	case DKIM_SIGERROR_MULTIREPLY:
	case DKIM_SIGERROR_KEYVERSION:
	case DKIM_SIGERROR_KEYUNKNOWNHASH:
	case DKIM_SIGERROR_KEYHASHMISMATCH:
	case DKIM_SIGERROR_NOTEMAILKEY:
	case DKIM_SIGERROR_KEYTYPEMISSING:
	case DKIM_SIGERROR_KEYTYPEUNKNOWN:
	case DKIM_SIGERROR_KEYREVOKED:
	case DKIM_SIGERROR_KEYDECODE:
	case DKIM_SIGERROR_KEYTOOSMALL:
		return "permerror";
	default:
		break;
	}
	if ((flags & DKIM_SIGFLAG_PROCESSED) == 0 && dkim_sig_geterror(sig) == DKIM_SIGERROR_OK)
		return "neutral";
	return "fail"; /* bad signature, body altered, expired, malformed */
}

int dkimcheck_message(const uint8_t *msg, size_t len, const struct dkimcheck_dns *dns,
                      struct dkimcheck_result *out, char *err, size_t errlen)
{
	struct __res_state res;
	struct sockaddr_in sa;
	DKIM_LIB *lib = NULL;
	DKIM *dkim = NULL;
	DKIM_SIGINFO **sigs = NULL;
	DKIM_STAT st;
	unsigned char *crlf = NULL;
	size_t crlf_len;
	int nsigs = 0, i, have_res = 0, rc = -1;
	const char *why;

	memset(out, 0, sizeof(*out));
	memset(&res, 0, sizeof(res));
	if (res_ninit(&res) != 0) {
		snprintf(err, errlen, "DKIM: cannot initialise the resolver");
		goto out;
	}
	have_res = 1;
	res.retrans = dns->timeout_s;
	res.retry = 1;
	if (dns->resolver != NULL) {
		if (dkimcheck_parse_resolver(dns->resolver, &sa) < 0) {
			snprintf(err, errlen, "DKIM: bad resolver '%s'", dns->resolver);
			goto out;
		}
		res.nsaddr_list[0] = sa;
		res.nscount = 1;
	}
	if ((lib = dkim_init(NULL, NULL)) == NULL) {
		snprintf(err, errlen, "DKIM: cannot initialise libopendkim");
		goto out;
	}
	(void)dkim_set_prescreen(lib, dkimcheck_prescreen);
	(void)dkim_dns_set_query_service(lib, &res);
	dkim_dns_set_query_start(lib, dkimcheck_query);
	dkim_dns_set_query_waitreply(lib, dkimcheck_wait);
	dkim_dns_set_query_cancel(lib, dkimcheck_cancel);
	dkim_dns_set_close(lib, dkimcheck_close);
	if ((dkim = dkim_verify(lib, (const unsigned char *)"tlswatch", NULL, &st)) == NULL) {
		snprintf(err, errlen, "DKIM: %s", dkim_getresultstr(st));
		goto out;
	}
	crlf = dkimcheck_crlf(msg, len, &crlf_len);
	st = dkim_chunk(dkim, crlf, crlf_len);
	if (st == DKIM_STAT_OK)
		st = dkim_chunk(dkim, NULL, 0);
	if (st == DKIM_STAT_OK)
		st = dkim_eom(dkim, NULL);
	if (st == DKIM_STAT_NOSIG) { /* said as soon as the header ended */
		rc = 0;
		goto out;
	}
	if (dkim_getsiglist(dkim, &sigs, &nsigs) != DKIM_STAT_OK || nsigs <= 0) {
		if (st == DKIM_STAT_OK || st == DKIM_STAT_BADSIG || st == DKIM_STAT_KEYFAIL ||
		    st == DKIM_STAT_NOKEY || st == DKIM_STAT_CANTVRFY || st == DKIM_STAT_REVOKED) {
			rc = 0; /* no signature libopendkim could read */
			goto out;
		}
		snprintf(err, errlen, "DKIM: %s", dkim_getresultstr(st));
		goto out;
	}
	for (i = 0; i < nsigs; i++) {
		struct dkimcheck_sig *o;
		const unsigned char *d;

		if (i >= LIMIT_DKIM_SIGNATURES) {
			out->n_more++;
			continue;
		}
		o = &out->sigs[out->n_sigs++];
		d = dkim_sig_getdomain(sigs[i]);
		if (d != NULL && strlen((const char *)d) <= LIMIT_DOMAIN_BYTES)
			snprintf(o->domain, sizeof(o->domain), "%s", (const char *)d);
		o->result = dkimcheck_sig_result(sigs[i]);
		why = "";
		if (strcmp(o->result, "pass") != 0) {
			if (dkim_sig_geterror(sigs[i]) != DKIM_SIGERROR_OK)
				why = dkim_sig_geterrorstr(dkim_sig_geterror(sigs[i]));
			else if (dkim_sig_getbh(sigs[i]) == DKIM_SIGBH_MISMATCH)
				why = "body hash mismatch";
			else
				why = "signature did not verify";
		}
		snprintf(o->why, sizeof(o->why), "%s", why != NULL ? why : "");
	}
	rc = 0;
out:
	if (dkim != NULL)
		dkim_free(dkim);
	if (lib != NULL)
		dkim_close(lib);
	if (have_res)
		res_nclose(&res);
	free(crlf);
	return rc;
}
