/*
 * gz.h - gzip decoding with a hard output cap, and gzip encoding.
 *
 * Input to gz_inflate is untrusted: output stops at the cap, so a gzip bomb
 * costs at most cap bytes of memory. Multi-member files are concatenated
 * (RFC 1952 section 2.2). Truncated input and bad CRCs are errors.
 */
#ifndef TLSWATCH_GZ_H
#define TLSWATCH_GZ_H

#include <stddef.h>
#include <stdint.h>

/* 1 when data starts with the gzip magic bytes 1f 8b. */
int gz_is_gzip(const uint8_t *data, size_t len);

/* Inflates gzip data into a new NUL-terminated buffer (caller frees *out).
 * Returns 0, or -1 with a reason in err: not gzip, corrupt, truncated, or
 * inflated size over cap. *out and *outlen are written only on success. */
int gz_inflate(const uint8_t *data, size_t len, size_t cap, uint8_t **out, size_t *outlen,
               char *err, size_t errlen);

/* Compresses data as one gzip member (caller frees *out). Cannot fail but
 * for memory, which ends the program. */
void gz_deflate(const uint8_t *data, size_t len, uint8_t **out, size_t *outlen);

#endif
