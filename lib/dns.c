/*
 * dns.c - look-ups through libunbound, validated in-process from a trust
 * anchor, each bounded by a deadline of our own: libunbound retries an
 * unanswering server for far longer than a cron job should wait.
 * Input: answers from the network (untrusted); rdata is copied and decoded
 * with every length checked.
 */
#include "dns.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unbound.h>

#include "limits.h"
#include "xalloc.h"

struct dns {
	struct ub_ctx *ctx;
	int timeout_ms;
};

/* "ADDR", "ADDR:PORT", "[V6]:PORT" or a bare IPv6 address into unbound's
 * "ADDR@PORT". */
static int dns_fwd_addr(const char *in, char *out, size_t outlen)
{
	const char *colon = strrchr(in, ':');
	int n;

	if (in[0] == '[') {
		const char *close = strchr(in, ']');

		if (close == NULL)
			return -1;
		if (close[1] == '\0')
			n = snprintf(out, outlen, "%.*s", (int)(close - in - 1), in + 1);
		else if (close[1] == ':')
			n = snprintf(out, outlen, "%.*s@%s", (int)(close - in - 1), in + 1,
			             close + 2);
		else
			return -1;
	} else if (colon != NULL && strchr(in, ':') == colon) {
		n = snprintf(out, outlen, "%.*s@%s", (int)(colon - in), in, colon + 1);
	} else {
		n = snprintf(out, outlen, "%s", in);
	}
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

int dns_open(const struct dns_opts *o, struct dns **out, char *err, size_t errlen)
{
	struct dns *d = xcalloc(1, sizeof(*d));
	const char *ta = o->trust_anchor != NULL ? o->trust_anchor : DNS_ROOT_KEY;
	char fwd[300];
	int rc = -1, e;

	d->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : 5000;
	d->ctx = ub_ctx_create();
	if (d->ctx == NULL) {
		snprintf(err, errlen, "cannot create a DNS resolver context");
		goto out;
	}
	/* threads, not the fork unbound uses by default */
	if ((e = ub_ctx_async(d->ctx, 1)) != 0) {
		snprintf(err, errlen, "DNS resolver: %s", ub_strerror(e));
		goto out;
	}
	if (o->resolver != NULL) {
		if (dns_fwd_addr(o->resolver, fwd, sizeof(fwd)) < 0) {
			snprintf(err, errlen,
			         "resolver \"%s\" is not ADDR, ADDR:PORT or [ADDR]:PORT",
			         o->resolver);
			goto out;
		}
		/* a resolver on loopback is a deliberate choice here */
		(void)ub_ctx_set_option(d->ctx, "do-not-query-localhost:", "no");
		if ((e = ub_ctx_set_fwd(d->ctx, fwd)) != 0) {
			snprintf(err, errlen, "resolver \"%s\": %s", o->resolver, ub_strerror(e));
			goto out;
		}
	} else if ((e = ub_ctx_resolvconf(d->ctx, NULL)) != 0) {
		snprintf(err, errlen, "cannot read /etc/resolv.conf: %s", ub_strerror(e));
		goto out;
	}
	if ((e = ub_ctx_add_ta_file(d->ctx, ta)) != 0) {
		snprintf(err, errlen, "DNSSEC trust anchor %s: %s", ta, ub_strerror(e));
		goto out;
	}
	/* libunbound answers test. (RFC 6761) itself with NXDOMAIN; a resolver
	 * named by the operator is to answer every name, test zones too. This
	 * finalises the context: it comes after every setting. */
	if (o->resolver != NULL)
		(void)ub_ctx_zone_remove(d->ctx, "test.");
	*out = d;
	d = NULL;
	rc = 0;
out:
	dns_close(d);
	return rc;
}

void dns_close(struct dns *d)
{
	if (d == NULL)
		return;
	if (d->ctx != NULL)
		ub_ctx_delete(d->ctx);
	free(d);
}

struct dns_wait {
	int done, err;
	struct ub_result *res;
};

static void dns_done(void *arg, int e, struct ub_result *res)
{
	struct dns_wait *w = arg;

	w->done = 1;
	w->err = e;
	w->res = res;
}

static int64_t dns_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const char *dns_type_name(int type)
{
	switch (type) {
	case DNS_TYPE_A:
		return "A";
	case DNS_TYPE_MX:
		return "MX";
	case DNS_TYPE_TXT:
		return "TXT";
	case DNS_TYPE_AAAA:
		return "AAAA";
	case DNS_TYPE_TLSA:
		return "TLSA";
	default:
		return "?";
	}
}

int dns_query(struct dns *d, const char *name, int type, struct dns_answer *a, char *err,
              size_t errlen)
{
	struct dns_wait w = {0, 0, NULL};
	struct ub_result *r;
	int64_t deadline = dns_now_ms() + d->timeout_ms;
	int id, e, i;

	memset(a, 0, sizeof(*a));
	if ((e = ub_resolve_async(d->ctx, name, type, 1, &w, dns_done, &id)) != 0) {
		snprintf(err, errlen, "DNS look-up of %s %s: %s", name, dns_type_name(type),
		         ub_strerror(e));
		return -1;
	}
	while (!w.done) {
		struct pollfd p = {ub_fd(d->ctx), POLLIN, 0};
		int64_t left = deadline - dns_now_ms();

		if (left <= 0) {
			(void)ub_cancel(d->ctx, id);
			snprintf(err, errlen, "DNS timeout after %d ms looking up %s %s",
			         d->timeout_ms, name, dns_type_name(type));
			return -1;
		}
		if (poll(&p, 1, (int)left) < 0 && errno != EINTR) {
			(void)ub_cancel(d->ctx, id);
			snprintf(err, errlen, "DNS look-up of %s: %s", name, strerror(errno));
			return -1;
		}
		if ((e = ub_process(d->ctx)) != 0) {
			snprintf(err, errlen, "DNS look-up of %s: %s", name, ub_strerror(e));
			return -1;
		}
	}
	if (w.err != 0 || w.res == NULL) {
		snprintf(err, errlen, "DNS look-up of %s %s: %s", name, dns_type_name(type),
		         ub_strerror(w.err));
		ub_resolve_free(w.res);
		return -1;
	}
	r = w.res;
	a->rcode = r->rcode;
	a->security = r->bogus ? DNS_BOGUS : r->secure ? DNS_SECURE : DNS_INSECURE;
	if (r->bogus && r->why_bogus != NULL)
		snprintf(a->why_bogus, sizeof(a->why_bogus), "%s", r->why_bogus);
	for (i = 0; r->havedata && r->data[i] != NULL; i++)
		;
	if (i > LIMIT_CHECK_RECORDS) {
		snprintf(err, errlen, "%s %s: %d records, more than the %d allowed", name,
		         dns_type_name(type), i, LIMIT_CHECK_RECORDS);
		ub_resolve_free(r);
		return -1;
	}
	a->n = i;
	a->rr = xcalloc((size_t)i + 1, sizeof(*a->rr));
	a->len = xcalloc((size_t)i + 1, sizeof(*a->len));
	for (i = 0; i < a->n; i++) {
		a->len[i] = (size_t)r->len[i];
		a->rr[i] = xmalloc(a->len[i] + 1);
		memcpy(a->rr[i], r->data[i], a->len[i]);
	}
	ub_resolve_free(r);
	return 0;
}

void dns_answer_free(struct dns_answer *a)
{
	int i;

	for (i = 0; i < a->n; i++)
		free(a->rr[i]);
	free(a->rr);
	free(a->len);
	memset(a, 0, sizeof(*a));
}

int dns_rr_txt(const uint8_t *rr, size_t len, char *out, size_t outlen)
{
	size_t pos = 0, o = 0;

	while (pos < len) {
		size_t n = rr[pos++], i;

		if (n > len - pos)
			return -1;
		for (i = 0; i < n; i++) {
			if (o + 1 >= outlen || rr[pos + i] == '\0')
				return -1;
			out[o++] = (char)rr[pos + i];
		}
		pos += n;
	}
	if (outlen == 0)
		return -1;
	out[o] = '\0';
	return 0;
}

/* An uncompressed wire-format name (libunbound hands rdata names
 * uncompressed) as text without the final dot. */
static int dns_name_text(const uint8_t *p, size_t len, char *out, size_t outlen)
{
	size_t pos = 0, o = 0;

	for (;;) {
		size_t n, i;

		if (pos >= len)
			return -1;
		n = p[pos++];
		if (n == 0)
			break;
		if (n > 63 || n > len - pos)
			return -1;
		if (o > 0) {
			if (o + 1 >= outlen)
				return -1;
			out[o++] = '.';
		}
		for (i = 0; i < n; i++) {
			uint8_t c = p[pos + i];

			/* a name we print and connect to: letters, digits, '-', '_' */
			if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			      (c >= '0' && c <= '9') || c == '-' || c == '_') ||
			    o + 1 >= outlen)
				return -1;
			out[o++] = (char)c;
		}
		pos += n;
	}
	if (outlen == 0 || o == 0)
		return -1;
	out[o] = '\0';
	return 0;
}

int dns_rr_mx(const uint8_t *rr, size_t len, int *pref, char *out, size_t outlen)
{
	if (len < 3)
		return -1;
	if (len == 3 && rr[2] == 0) {
		/* RFC 7505 null MX: "." */
		*pref = (rr[0] << 8) | rr[1];
		if (outlen < 2)
			return -1;
		out[0] = '.';
		out[1] = '\0';
		return 0;
	}
	if (dns_name_text(rr + 2, len - 2, out, outlen) < 0)
		return -1;
	*pref = (rr[0] << 8) | rr[1];
	return 0;
}

int dns_rr_addr(const uint8_t *rr, size_t len, char *out, size_t outlen)
{
	if (len == 4)
		return inet_ntop(AF_INET, rr, out, (socklen_t)outlen) != NULL ? 0 : -1;
	if (len == 16)
		return inet_ntop(AF_INET6, rr, out, (socklen_t)outlen) != NULL ? 0 : -1;
	return -1;
}

int dns_rr_tlsa(const uint8_t *rr, size_t len, struct dns_tlsa *t)
{
	if (len < 4)
		return -1;
	t->usage = rr[0];
	t->selector = rr[1];
	t->mtype = rr[2];
	t->data = rr + 3;
	t->len = len - 3;
	return 0;
}
