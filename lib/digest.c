/*
 * digest.c - SHA-256 of arbitrary (untrusted) bytes, with Nettle (GnuTLS's
 * own crypto library: its one-shot API costs a fraction of gnutls_hash_fast
 * per small report).
 */
#include "digest.h"

#include <nettle/sha2.h>

void digest_sha256(const void *data, size_t len, uint8_t out[DIGEST_SHA256_LEN])
{
	struct sha256_ctx ctx;

	sha256_init(&ctx);
	sha256_update(&ctx, len, data);
	sha256_digest(&ctx, DIGEST_SHA256_LEN, out);
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
