/*
 * tlsverify.h - verifying a server's certificate chain and host name with
 * GnuTLS, for connections made by a library that checks neither (libetpan).
 *
 * Input: the DER certificates the server sent, untrusted. The trust anchors
 * are the system store or an operator-configured CA file (trusted).
 */
#ifndef TLSWATCH_TLSVERIFY_H
#define TLSWATCH_TLSVERIFY_H

#include <stddef.h>

/* One certificate as the server sent it (DER). Borrowed. */
struct tlsverify_cert {
	const unsigned char *der;
	size_t len;
};

/* Verifies the chain certs[0..n) (server certificate first) against the
 * trust anchors in ca_file (PEM), or the system trust store when ca_file is
 * NULL or empty, for host (RFC 6125 name matching) and the TLS server key
 * purpose. An empty chain, a chain longer than LIMIT_TLS_CHAIN, an
 * unreadable CA file or any verification failure is an error.
 * Returns 0 when the chain is trusted for host, else -1 with a one-line
 * reason in err ("certificate not trusted for HOST: ..."). */
int tlsverify_chain(const struct tlsverify_cert *certs, size_t n, const char *host,
                    const char *ca_file, char *err, size_t errlen);

#endif
