/*
 * oauth_impl.h - the parts of oauth.c: private files and the token cache
 * (oauth_cache.c), RS256 JWTs with GnuTLS (oauth_jwt.c). Not for use
 * outside collector/oauth*.c.
 */
#ifndef TLSWATCH_OAUTH_IMPL_H
#define TLSWATCH_OAUTH_IMPL_H

#include <stddef.h>
#include <stdint.h>

/* Reads a file that holds a secret: a regular file owned by the running
 * user with no group or other permission bits, at most cap bytes. what
 * names it in errors ("client_secret_file"). first_line: keep only the
 * first line, which must not be empty. 0 with *out (NUL-terminated; wipe
 * and free with oauth_token_free) and *len, or -1 naming the file. */
int oauth_file_read_private(const char *path, const char *what, size_t cap, int first_line,
                            char **out, size_t *len, char *err, size_t errlen);

/* What the cache file holds. Strings are owned (wiped when freed). */
struct oauth_cached {
	char *access;      /* NULL: none */
	char *refresh;     /* NULL: none (a rotated refresh token) */
	int64_t use_until; /* the access token is used until then (Unix time) */
	char seed[65];     /* SHA-256 hex of the refresh_token_file it came from */
};

/* Reads path. The cache belongs to one configuration: key (a hex digest
 * of token URL, client, scope and user) must match. 0 when read, 1 when
 * missing or for another key, -1 (unsafe permissions, unreadable). */
int oauth_cache_read(const char *path, const char *key, struct oauth_cached *c, char *err,
                     size_t errlen);
/* Writes path atomically, mode 0600. 0, or -1. */
int oauth_cache_write(const char *path, const char *key, const struct oauth_cached *c, char *err,
                      size_t errlen);
void oauth_cached_clear(struct oauth_cached *c);

/* A compact JWS (RS256) over claims_json, signed with the RSA private key
 * in key_pem (PEM, PKCS#1 or PKCS#8, not encrypted). With cert_pem, the
 * header carries x5t (base64url SHA-1 of the certificate, as Microsoft
 * wants); with kid, a "kid". 0 with *out (free), or -1. */
int oauth_jwt_rs256(const char *key_pem, size_t key_len, const char *cert_pem, size_t cert_len,
                    const char *kid, const char *claims_json, char **out, char *err, size_t errlen);

/* 32 hex digits of strong randomness (a JWT id). 0, or -1. */
int oauth_random_id(char out[33]);

#endif
