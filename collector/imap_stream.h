/*
 * imap_stream.h - the connection under the collector's IMAP session: DNS,
 * TCP and TLS done by tlswatch (so an error names the step), and a
 * libetpan low-level stream driver that passes every byte the server
 * sends through the guard (imap_guard.h) before libetpan's parser can see
 * it. Part of libetpan's door, with imap.c. Input: the network, untrusted.
 */
#ifndef TLSWATCH_IMAP_STREAM_H
#define TLSWATCH_IMAP_STREAM_H

#include <libetpan/libetpan.h>
#include <stddef.h>
#include <stdint.h>

#include "imap_guard.h"

typedef void imap_stream_tls_setup(struct mailstream_ssl_context *ctx, void *data);

/* Resolves host, connects to port within timeout seconds (each address
 * in turn), and when imaps is set completes the TLS handshake (setup is
 * called to configure it, with data). The stream's bytes pass through g,
 * which must outlive the stream. 0 with *out set, or -1 with a reason
 * naming the step: "DNS: ...", "TCP: ... port N: ...", "TLS: ...". */
int imap_stream_open(const char *host, uint16_t port, int imaps, long timeout,
                     imap_stream_tls_setup *setup, void *data, struct imap_guard *g,
                     mailstream **out, char *err, size_t errlen);

/* Upgrades st to TLS after the server accepted STARTTLS. Bytes already
 * buffered behind the server's answer would have been read as if they
 * came over TLS (an injection), so they are refused. 0, or -1 with
 * "TLS: ...". */
int imap_stream_starttls(mailstream *st, long timeout, imap_stream_tls_setup *setup, void *data,
                         char *err, size_t errlen);

#endif
