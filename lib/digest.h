/*
 * digest.h - SHA-256 (Nettle, which GnuTLS and so libetpan already link).
 */
#ifndef TLSWATCH_DIGEST_H
#define TLSWATCH_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#define DIGEST_SHA256_LEN 32

void digest_sha256(const void *data, size_t len, uint8_t out[DIGEST_SHA256_LEN]);
/* Lower-case hex of a digest into hex (at least 2 * len + 1 bytes). */
void digest_hex(const uint8_t *digest, size_t len, char *hex);

#endif
