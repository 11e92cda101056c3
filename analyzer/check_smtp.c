/*
 * check_smtp.c - an SMTP client that goes as far as a sender's STARTTLS
 * handshake and no further (it says QUIT before MAIL FROM), with GnuTLS.
 * Input: an untrusted server; each read waits at most until the probe's
 * deadline, each reply line and reply is bounded.
 */
#include "check_smtp.h"

#include <errno.h>
#include <fcntl.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "limits.h"
#include "tlsverify.h"

struct smtp_conn {
	int fd;
	int64_t deadline_ms;
	char buf[LIMIT_SMTP_LINE_BYTES + 1];
	size_t len;
};

static int64_t smtp_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Sets the socket's timeouts to what is left of the deadline; 0 when no
 * time is left. */
static int smtp_time_left(struct smtp_conn *c)
{
	int64_t left = c->deadline_ms - smtp_now_ms();
	struct timeval tv;

	if (left <= 0)
		return 0;
	tv.tv_sec = (time_t)(left / 1000);
	tv.tv_usec = (suseconds_t)(left % 1000) * 1000;
	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	return (int)left;
}

static int smtp_connect(struct smtp_conn *c, const char *addr, int port, char *err, size_t errlen)
{
	struct addrinfo hints, *ai = NULL;
	char portstr[16];
	struct pollfd p;
	int e, left, soerr = 0;
	socklen_t sl = sizeof(soerr);

	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(portstr, sizeof(portstr), "%d", port);
	if ((e = getaddrinfo(addr, portstr, &hints, &ai)) != 0) {
		snprintf(err, errlen, "address %s: %s", addr, gai_strerror(e));
		return -1;
	}
	c->fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (c->fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		freeaddrinfo(ai);
		return -1;
	}
	e = connect(c->fd, ai->ai_addr, ai->ai_addrlen);
	freeaddrinfo(ai);
	if (e < 0 && errno != EINPROGRESS) {
		snprintf(err, errlen, "TCP connect to %s port %d: %s", addr, port, strerror(errno));
		return -1;
	}
	p.fd = c->fd;
	p.events = POLLOUT;
	left = (int)(c->deadline_ms - smtp_now_ms());
	if (e < 0 && (left <= 0 || poll(&p, 1, left) != 1)) {
		snprintf(err, errlen, "TCP connect to %s port %d: timed out", addr, port);
		return -1;
	}
	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0 || soerr != 0) {
		snprintf(err, errlen, "TCP connect to %s port %d: %s", addr, port,
		         strerror(soerr != 0 ? soerr : errno));
		return -1;
	}
	/* blocking from here, each call bounded by smtp_time_left */
	fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) & ~O_NONBLOCK);
	return 0;
}

/* Reads one reply (all its lines); *code is its status, *ext collects
 * whether a line offered STARTTLS (for EHLO). */
static int smtp_reply(struct smtp_conn *c, int *code, int *starttls, char *err, size_t errlen)
{
	int lines = 0;

	for (;;) {
		char *nl = memchr(c->buf, '\n', c->len);
		ssize_t n;

		if (nl != NULL) {
			size_t ll = (size_t)(nl - c->buf) + 1, tl = ll;
			int last;

			while (tl > 0 && (c->buf[tl - 1] == '\n' || c->buf[tl - 1] == '\r'))
				tl--;
			if (tl < 3 || c->buf[0] < '2' || c->buf[0] > '5' ||
			    (tl > 3 && c->buf[3] != ' ' && c->buf[3] != '-')) {
				snprintf(err, errlen, "the server's reply is not SMTP");
				return -1;
			}
			*code =
			    (c->buf[0] - '0') * 100 + (c->buf[1] - '0') * 10 + (c->buf[2] - '0');
			last = tl == 3 || c->buf[3] == ' ';
			if (starttls != NULL && tl == 12 &&
			    strncasecmp(c->buf + 4, "STARTTLS", 8) == 0)
				*starttls = 1;
			memmove(c->buf, c->buf + ll, c->len - ll);
			c->len -= ll;
			if (last)
				return 0;
			if (++lines >= LIMIT_SMTP_REPLY_LINES) {
				snprintf(err, errlen, "the server's reply has over %d lines",
				         LIMIT_SMTP_REPLY_LINES);
				return -1;
			}
			continue;
		}
		if (c->len >= LIMIT_SMTP_LINE_BYTES) {
			snprintf(err, errlen, "a reply line over %d bytes", LIMIT_SMTP_LINE_BYTES);
			return -1;
		}
		if (smtp_time_left(c) == 0) {
			snprintf(err, errlen, "timed out waiting for the server");
			return -1;
		}
		n = recv(c->fd, c->buf + c->len, LIMIT_SMTP_LINE_BYTES - c->len, 0);
		if (n <= 0) {
			snprintf(err, errlen, "%s",
			         n == 0 ? "the server closed the connection"
			         : errno == EAGAIN || errno == EWOULDBLOCK
			             ? "timed out waiting for the server"
			             : strerror(errno));
			return -1;
		}
		c->len += (size_t)n;
	}
}

static int smtp_send(struct smtp_conn *c, const char *line, char *err, size_t errlen)
{
	size_t len = strlen(line);

	if (smtp_time_left(c) == 0 || send(c->fd, line, len, MSG_NOSIGNAL) != (ssize_t)len) {
		snprintf(err, errlen, "cannot send to the server: %s",
		         errno != 0 ? strerror(errno) : "timed out");
		return -1;
	}
	return 0;
}

/* 1 when cert (DER) matches the TLSA record t. */
static int smtp_tlsa_match(const gnutls_datum_t *der, const struct dns_tlsa *t)
{
	gnutls_x509_crt_t crt = NULL;
	gnutls_pubkey_t key = NULL;
	gnutls_datum_t spki = {NULL, 0}, sel;
	unsigned char hash[64];
	int match = 0;

	if (t->selector == 0) {
		sel = *der;
	} else if (t->selector == 1) {
		if (gnutls_x509_crt_init(&crt) < 0 ||
		    gnutls_x509_crt_import(crt, der, GNUTLS_X509_FMT_DER) < 0 ||
		    gnutls_pubkey_init(&key) < 0 || gnutls_pubkey_import_x509(key, crt, 0) < 0 ||
		    gnutls_pubkey_export2(key, GNUTLS_X509_FMT_DER, &spki) < 0)
			goto out;
		sel = spki;
	} else {
		goto out;
	}
	switch (t->mtype) {
	case 0:
		match = t->len == sel.size && memcmp(t->data, sel.data, sel.size) == 0;
		break;
	case 1:
		match = t->len == 32 &&
		        gnutls_hash_fast(GNUTLS_DIG_SHA256, sel.data, sel.size, hash) == 0 &&
		        memcmp(hash, t->data, 32) == 0;
		break;
	case 2:
		match = t->len == 64 &&
		        gnutls_hash_fast(GNUTLS_DIG_SHA512, sel.data, sel.size, hash) == 0 &&
		        memcmp(hash, t->data, 64) == 0;
		break;
	default:
		break;
	}
out:
	gnutls_free(spki.data);
	gnutls_pubkey_deinit(key);
	if (crt != NULL)
		gnutls_x509_crt_deinit(crt);
	return match;
}

/* What the handshake gave: version, WebPKI verdict, expiry, DANE. */
static void smtp_examine(gnutls_session_t s, const char *host, const char *ca_file,
                         const struct dns_tlsa *tlsa, int n_tlsa, struct check_smtp_result *r)
{
	struct tlsverify_cert certs[LIMIT_TLS_CHAIN];
	const gnutls_datum_t *chain;
	gnutls_x509_crt_t leaf = NULL;
	unsigned int n = 0, i;
	size_t dnlen = sizeof(r->subject);
	int t;

	snprintf(r->tls_version, sizeof(r->tls_version), "%s",
	         gnutls_protocol_get_name(gnutls_protocol_get_version(s)));
	chain = gnutls_certificate_get_peers(s, &n);
	if (chain == NULL || n == 0) {
		snprintf(r->webpki_error, sizeof(r->webpki_error),
		         "the server sent no certificate");
		return;
	}
	if (n > LIMIT_TLS_CHAIN)
		n = LIMIT_TLS_CHAIN; /* tlsverify refuses what it cannot see whole */
	for (i = 0; i < n; i++) {
		certs[i].der = chain[i].data;
		certs[i].len = chain[i].size;
	}
	r->webpki_ok =
	    tlsverify_chain(certs, n, host, ca_file, r->webpki_error, sizeof(r->webpki_error)) == 0;
	if (gnutls_x509_crt_init(&leaf) == 0 &&
	    gnutls_x509_crt_import(leaf, &chain[0], GNUTLS_X509_FMT_DER) == 0) {
		r->not_after = (int64_t)gnutls_x509_crt_get_expiration_time(leaf);
		if (gnutls_x509_crt_get_dn(leaf, r->subject, &dnlen) < 0)
			r->subject[0] = '\0';
	}
	if (leaf != NULL)
		gnutls_x509_crt_deinit(leaf);
	for (t = 0; t < n_tlsa; t++) {
		if (tlsa[t].usage == 3) {
			r->n_tlsa_usable++;
			r->n_tlsa_match += smtp_tlsa_match(&chain[0], &tlsa[t]);
		} else if (tlsa[t].usage == 2) {
			int m = 0;

			r->n_tlsa_usable++;
			for (i = 1; i < n && !m; i++)
				m = smtp_tlsa_match(&chain[i], &tlsa[t]);
			r->n_tlsa_match += m;
		} else {
			r->n_tlsa_unusable++;
		}
	}
}

int check_smtp_probe(const char *host, const char *addr, int port, const char *ca_file,
                     int timeout_ms, const struct dns_tlsa *tlsa, int n_tlsa,
                     struct check_smtp_result *r, char *err, size_t errlen)
{
	struct smtp_conn c;
	gnutls_session_t s = NULL;
	gnutls_certificate_credentials_t cred = NULL;
	char line[300], me[256], why[200];
	int code = 0, rc = -1, e, left;

	memset(r, 0, sizeof(*r));
	memset(&c, 0, sizeof(c));
	if (errlen > 0)
		err[0] = '\0';
	c.fd = -1;
	c.deadline_ms = smtp_now_ms() + timeout_ms;
	if (smtp_connect(&c, addr, port, err, errlen) < 0)
		goto out;
	if (smtp_reply(&c, &code, NULL, why, sizeof(why)) < 0 || code != 220) {
		snprintf(err, errlen, "%s (%s port %d): no SMTP greeting: %s", host, addr, port,
		         code != 0 && code != 220 ? "the server refuses service" : why);
		goto out;
	}
	if (gethostname(me, sizeof(me)) != 0 || me[0] == '\0' || strchr(me, '.') == NULL)
		snprintf(me, sizeof(me), "tlswatch-check.invalid");
	snprintf(line, sizeof(line), "EHLO %s\r\n", me);
	if (smtp_send(&c, line, err, errlen) < 0 ||
	    smtp_reply(&c, &code, &r->starttls, why, sizeof(why)) < 0) {
		if (err[0] == '\0')
			snprintf(err, errlen, "%s: EHLO: %s", host, why);
		goto out;
	}
	rc = 0; /* an SMTP server answered: the rest is findings */
	if (code != 250 || !r->starttls) {
		(void)smtp_send(&c, "QUIT\r\n", why, sizeof(why));
		goto out;
	}
	if (smtp_send(&c, "STARTTLS\r\n", why, sizeof(why)) < 0 ||
	    smtp_reply(&c, &code, NULL, why, sizeof(why)) < 0 || code != 220) {
		snprintf(r->tls_error, sizeof(r->tls_error), "STARTTLS refused: %s",
		         code != 0 && code != 220 ? "the server answered an error" : why);
		goto out;
	}
	if (c.len > 0) {
		/* bytes after the 220 would be read as TLS: a command injection */
		snprintf(r->tls_error, sizeof(r->tls_error),
		         "the server sent data after its STARTTLS reply");
		goto out;
	}
	if (gnutls_certificate_allocate_credentials(&cred) < 0 ||
	    gnutls_init(&s, GNUTLS_CLIENT) < 0 || gnutls_set_default_priority(s) < 0 ||
	    gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, cred) < 0 ||
	    gnutls_server_name_set(s, GNUTLS_NAME_DNS, host, strlen(host)) < 0) {
		snprintf(r->tls_error, sizeof(r->tls_error), "cannot set up TLS");
		goto out;
	}
	gnutls_transport_set_int(s, c.fd);
	left = smtp_time_left(&c);
	gnutls_handshake_set_timeout(s, left > 0 ? (unsigned)left : 1);
	do {
		e = gnutls_handshake(s);
	} while (e < 0 && gnutls_error_is_fatal(e) == 0 && smtp_time_left(&c) > 0);
	if (e < 0) {
		snprintf(r->tls_error, sizeof(r->tls_error), "TLS handshake: %s",
		         gnutls_strerror(e));
		goto out;
	}
	smtp_examine(s, host, ca_file, tlsa, n_tlsa, r);
	gnutls_record_send(s, "QUIT\r\n", 6);
	gnutls_bye(s, GNUTLS_SHUT_WR);
out:
	if (s != NULL)
		gnutls_deinit(s);
	if (cred != NULL)
		gnutls_certificate_free_credentials(cred);
	if (c.fd >= 0)
		close(c.fd);
	return rc;
}
