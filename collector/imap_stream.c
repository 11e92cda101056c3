/*
 * imap_stream.c - DNS, TCP and TLS for the IMAP session, and the guard
 * driver: a libetpan mailstream_low that wraps the socket or TLS stream
 * and checks every byte read with imap_guard_feed() before handing it to
 * libetpan. Input: the network, untrusted.
 */
#include "imap_stream.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "escape.h"
#include "xalloc.h"

/* The guard driver's state: the stream it wraps (socket, then TLS after
 * STARTTLS) and the guard that checks what comes out of it. */
struct guard_low {
	mailstream_low *inner;
	struct imap_guard *g;
};

static ssize_t guard_read(mailstream_low *s, void *buf, size_t count)
{
	struct guard_low *gl = s->data;
	ssize_t r;

	if (imap_guard_check_time(gl->g) < 0)
		return -1;
	r = gl->inner->driver->mailstream_read(gl->inner, buf, count);
	if (r > 0 && imap_guard_feed(gl->g, buf, (size_t)r) < 0)
		return -1;
	return r;
}

static ssize_t guard_write(mailstream_low *s, const void *buf, size_t count)
{
	struct guard_low *gl = s->data;

	return gl->inner->driver->mailstream_write(gl->inner, buf, count);
}

static int guard_close(mailstream_low *s)
{
	struct guard_low *gl = s->data;

	return mailstream_low_close(gl->inner);
}

static int guard_get_fd(mailstream_low *s)
{
	struct guard_low *gl = s->data;

	return mailstream_low_get_fd(gl->inner);
}

static void guard_free(mailstream_low *s)
{
	struct guard_low *gl = s->data;

	mailstream_low_free(gl->inner);
	free(gl);
	free(s);
}

static void guard_cancel(mailstream_low *s)
{
	struct guard_low *gl = s->data;

	mailstream_low_cancel(gl->inner);
}

static struct mailstream_cancel *guard_get_cancel(mailstream_low *s)
{
	struct guard_low *gl = s->data;

	return mailstream_low_get_cancel(gl->inner);
}

static carray *guard_get_certificate_chain(mailstream_low *s)
{
	struct guard_low *gl = s->data;

	return mailstream_low_get_certificate_chain(gl->inner);
}

static mailstream_low_driver guard_driver = {
    .mailstream_read = guard_read,
    .mailstream_write = guard_write,
    .mailstream_close = guard_close,
    .mailstream_get_fd = guard_get_fd,
    .mailstream_free = guard_free,
    .mailstream_cancel = guard_cancel,
    .mailstream_get_cancel = guard_get_cancel,
    .mailstream_get_certificate_chain = guard_get_certificate_chain,
};

/* A non-blocking connect bounded by timeout seconds; the socket is left
 * blocking (libetpan waits with select() before each read). */
static int stream_connect_one(const struct addrinfo *ai, long timeout, char *why, size_t whylen)
{
	struct pollfd pfd;
	socklen_t len = sizeof(int);
	int fd, flags, soerr = 0, r;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
	if (fd < 0) {
		snprintf(why, whylen, "%s", strerror(errno));
		return -1;
	}
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
		goto fail;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		if (errno != EINPROGRESS)
			goto fail;
		pfd.fd = fd;
		pfd.events = POLLOUT;
		do
			r = poll(&pfd, 1, (int)(timeout * 1000));
		while (r < 0 && errno == EINTR);
		if (r == 0) {
			snprintf(why, whylen, "no answer within %ld seconds", timeout);
			close(fd);
			return -1;
		}
		if (r < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
			goto fail;
		if (soerr != 0) {
			errno = soerr;
			goto fail;
		}
	}
	if (fcntl(fd, F_SETFL, flags) < 0)
		goto fail;
	return fd;
fail:
	snprintf(why, whylen, "%s", strerror(errno));
	close(fd);
	return -1;
}

static void stream_addr_text(const struct addrinfo *ai, char *buf, size_t len)
{
	if (getnameinfo(ai->ai_addr, ai->ai_addrlen, buf, (socklen_t)len, NULL, 0,
	                NI_NUMERICHOST) != 0)
		snprintf(buf, len, "?");
}

static int stream_tcp(const char *host, uint16_t port, long timeout, char *err, size_t errlen)
{
	struct addrinfo hints, *res = NULL, *ai;
	char portstr[8], addr[64], why[256];
	int r, fd = -1;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_ADDRCONFIG;
	snprintf(portstr, sizeof(portstr), "%u", port);
	r = getaddrinfo(host, portstr, &hints, &res);
	if (r != 0) {
		snprintf(err, errlen, "DNS: cannot resolve %s: %s", esc(host),
		         r == EAI_SYSTEM ? strerror(errno) : gai_strerror(r));
		return -1;
	}
	for (ai = res; ai != NULL && fd < 0; ai = ai->ai_next) {
		fd = stream_connect_one(ai, timeout, why, sizeof(why));
		if (fd < 0) {
			stream_addr_text(ai, addr, sizeof(addr));
			snprintf(err, errlen, "TCP: cannot connect to %s (%s) port %u: %s",
			         esc(host), addr, port, why);
		}
	}
	freeaddrinfo(res);
	return fd;
}

int imap_stream_open(const char *host, uint16_t port, int imaps, long timeout,
                     imap_stream_tls_setup *setup, void *data, struct imap_guard *g,
                     mailstream **out, char *err, size_t errlen)
{
	mailstream_low *inner = NULL, *low = NULL;
	struct guard_low *gl;
	mailstream *st;
	int fd;

	fd = stream_tcp(host, port, timeout, err, errlen);
	if (fd < 0)
		return -1;
	if (imaps)
		inner =
		    mailstream_low_tls_open_with_callback_timeout(fd, (time_t)timeout, setup, data);
	else if ((inner = mailstream_low_socket_open(fd)) != NULL)
		mailstream_low_set_timeout(inner, (time_t)timeout);
	if (inner == NULL) {
		close(fd);
		snprintf(err, errlen, "%s", imaps ? "TLS: handshake failed" : "out of memory");
		return -1;
	}
	gl = xcalloc(1, sizeof(*gl));
	gl->inner = inner;
	gl->g = g;
	low = mailstream_low_new(gl, &guard_driver);
	if (low == NULL) {
		free(gl);
		mailstream_low_close(inner);
		mailstream_low_free(inner);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	st = mailstream_new(low, 8192);
	if (st == NULL) {
		mailstream_low_close(low);
		mailstream_low_free(low);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	*out = st;
	return 0;
}

int imap_stream_starttls(mailstream *st, long timeout, imap_stream_tls_setup *setup, void *data,
                         char *err, size_t errlen)
{
	mailstream_low *low = mailstream_get_low(st), *tls;
	struct guard_low *gl;
	char c;
	int fd;

	if (low == NULL || low->driver != &guard_driver) {
		snprintf(err, errlen, "TLS: not a guarded stream");
		return -1;
	}
	gl = low->data;
	/* CVE-2011-0411 style: plaintext sent behind the STARTTLS answer
	 * would be taken as if it arrived encrypted; the server may speak
	 * only after our ClientHello */
	fd = mailstream_low_get_fd(gl->inner);
	if (st->read_buffer_len != 0 || recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) > 0) {
		snprintf(err, errlen,
		         "TLS: the server sent bytes after its STARTTLS answer, before the "
		         "handshake (an injection); refusing");
		return -1;
	}
	tls = mailstream_low_tls_open_with_callback_timeout(fd, (time_t)timeout, setup, data);
	if (tls == NULL) {
		snprintf(err, errlen, "TLS: handshake failed after STARTTLS");
		return -1;
	}
	/* the socket driver's free leaves the descriptor open: TLS owns it */
	mailstream_low_free(gl->inner);
	gl->inner = tls;
	return 0;
}
