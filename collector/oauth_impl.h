/*
 * oauth_impl.h - the parts of oauth.c: private files and the token cache
 * (oauth_cache.c), RS256 JWTs with GnuTLS (oauth_jwt.c). Not for use
 * outside collector/oauth*.c.
 */
#ifndef TLSWATCH_OAUTH_IMPL_H
#define TLSWATCH_OAUTH_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "oauth.h"
#include "strbuf.h"

/* Reads a file that holds a secret: a regular file owned by the running
 * user with no group or other permission bits, at most cap bytes. what
 * names it in errors ("client_secret_file"). first_line: keep only the
 * first line, which must not be empty. 0 with *out (NUL-terminated; wipe
 * and free with oauth_token_free) and *len, or -1 naming the file. */
int oauth_file_read_private(const char *path, const char *what, size_t cap, int first_line,
                            char **out, size_t *len, char *err, size_t errlen);

/* Writes len bytes and a newline to path atomically (a temporary file in
 * the same directory, fsync, rename), mode 0600. what names it in errors.
 * 0, or -1. */
int oauth_file_write_private(const char *path, const char *what, const char *data, size_t len,
                             char *err, size_t errlen);

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

/* A compact JWS (RS256, or PS256 with pss) over claims_json, signed with
 * the RSA private key in key_pem (PEM, PKCS#1 or PKCS#8, not encrypted).
 * With cert_pem, the header carries x5t (base64url SHA-1 of the
 * certificate) and, with PS256, x5t#S256 (its SHA-256), as Microsoft
 * wants; with kid, a "kid". 0 with *out (free), or -1. */
int oauth_jwt_sign(int pss, const char *key_pem, size_t key_len, const char *cert_pem,
                   size_t cert_len, const char *kid, const char *claims_json, char **out, char *err,
                   size_t errlen);

/* Appends the base64url form (RFC 7515 section 2: no padding) of data.
 * -1 past the cap. */
int oauth_b64url(struct strbuf *sb, const void *data, size_t len);

/* The value of query parameter name in url (or in a bare query), decoded;
 * NULL when absent. Free with oauth_token_free. */
char *oauth_query_get(const char *url, const char *name);

/* 32 hex digits of strong randomness (a JWT id). 0, or -1. */
int oauth_random_id(char out[33]);

/* An endpoint's JSON answer (oauth_http.c): the members tlswatch reads,
 * copied (NULL when absent). Numbers are -1 when absent. */
struct oauth_answer {
	long status;
	char *access, *refresh, *error, *description;     /* token endpoint */
	char *device_code, *user_code, *verification_uri; /* device authorization */
	double expires_in, interval;
};

/* Appends name=value, form-encoded, '&' between pairs. -1 past the cap. */
int oauth_form(struct strbuf *body, const char *name, const char *value);
/* POSTs the form body to url (https only, oc->ca_file, no redirects,
 * LIMIT_OAUTH_* caps) and parses the JSON object it answers, whatever
 * the HTTP status. 0 with *a (free with oauth_answer_free), or -1 (no
 * answer, or not a JSON object) naming the URL. */
int oauth_post(const struct oauth_config *oc, const char *url, const struct strbuf *body,
               struct oauth_answer *a, char *err, size_t errlen);
void oauth_answer_free(struct oauth_answer *a);

/* POSTs body to the token endpoint and takes the token from its answer
 * into *fresh, or explains the error in one line. With interval (the
 * device flow), "authorization_pending" and "slow_down" (which adds 5 s
 * to *interval) return 1. 0, 1 or -1. */
int oauth_token_exchange(const struct oauth_config *oc, const struct strbuf *body,
                         struct oauth_cached *fresh, long *interval, char *err, size_t errlen);

/* The end of a sign-in (device or browser): fresh's refresh token into
 * refresh_token_file (0600, atomically), or -1 when none was issued. */
int oauth_keep_refresh(const struct oauth_config *oc, const struct oauth_cached *fresh, char *err,
                       size_t errlen);

/* A Google service-account key file (JSON): the PEM key, client_email and
 * private_key_id (NULL when absent). 0, or -1. */
int oauth_keyfile_parse(const char *json, size_t len, char **pem, char **email, char **key_id,
                        char *err, size_t errlen);

#endif
