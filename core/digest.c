/*
 * digest.c - SHA-256 of arbitrary (untrusted) bytes.
 */
#include "digest.h"

#include <gnutls/crypto.h>
#include <stdio.h>
#include <stdlib.h>

void digest_sha256(const void *data, size_t len, uint8_t out[DIGEST_SHA256_LEN])
{
	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, data, len, out) < 0) {
		fprintf(stderr, "tlswatch: SHA-256 unavailable in GnuTLS\n");
		exit(2);
	}
}

void digest_hex(const uint8_t *digest, size_t len, char *hex)
{
	static const char xd[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		hex[2 * i] = xd[digest[i] >> 4];
		hex[2 * i + 1] = xd[digest[i] & 15];
	}
	hex[2 * len] = '\0';
}
