/*
 * check_https.h - fetching an MTA-STS policy the way RFC 8461 section 3.3
 * tells senders to: HTTPS only, the certificate valid for the policy host
 * under WebPKI, no redirects followed, the body capped.
 *
 * Input: the response of a server on the internet (untrusted).
 */
#ifndef TLSWATCH_CHECK_HTTPS_H
#define TLSWATCH_CHECK_HTTPS_H

#include <stddef.h>

struct check_fetch {
	long status;            /* HTTP status */
	char content_type[128]; /* as sent, "" when none */
	char location[256];     /* a redirect's target, "" when none */
	char *body;             /* NUL-terminated, owned; at most the cap */
	size_t len;
	int over_cap; /* the body was longer than LIMIT_STS_POLICY_BYTES */
};

/* GETs https://host:port/path, connecting to addr (an address our own
 * DNS look-up gave; the name is still what TLS verifies), trusting
 * ca_file or the system store when NULL. 0 with *out (whatever the
 * status), or -1 with the reason when no HTTP answer came (refused,
 * timeout, certificate not valid for host). Free with check_fetch_free. */
int check_https_get(const char *host, int port, const char *addr, const char *path,
                    const char *ca_file, int timeout_ms, struct check_fetch *out, char *err,
                    size_t errlen);
void check_fetch_free(struct check_fetch *f);

#endif
