/*
 * auth.h - HTTP Basic authentication against an auth file of "user:hash"
 * lines, where hash is a crypt(3) hash (yescrypt, sha512-crypt, bcrypt:
 * 'mkpasswd -m yescrypt', 'openssl passwd -6').
 *
 * The file is the operator's, but it guards the dashboard, so it is refused
 * when group- or world-writable, readable by others, or owned by anyone but
 * root or the user tlswatch runs as; only hashes libcrypt rates as current
 * are accepted (no DES, MD5 or sha256-crypt). Credentials from requests are
 * untrusted: passwords are bounded (LIMIT_WEB_PASSWORD_BYTES), verified
 * with crypt_rn() and compared in constant time; an unknown user costs the
 * same hash as a known one: a dummy made with a user's own method, cost and
 * salt, for every method in the file. Safe to call from several threads.
 */
#ifndef TLSWATCH_WEB_AUTH_H
#define TLSWATCH_WEB_AUTH_H

#include <stddef.h>
#include <stdint.h>

struct web_auth;

/* Loads path. 0 with *out set (free with web_auth_free), or -1 with
 * "FILE:LINE: reason" (or "FILE: reason") in err. */
int web_auth_load(const char *path, struct web_auth **out, char *err, size_t errlen);
void web_auth_free(struct web_auth *a);

/* 1 when user and password match an entry of the file, else 0. Either may
 * be NULL (then 0). Recent successes are remembered for
 * LIMIT_WEB_AUTH_CACHE_SECONDS as salted digests, not in the clear. */
int web_auth_check(struct web_auth *a, const char *user, const char *password);

/* Unknown users checked against a dummy hash so far (for tests: the code
 * path that makes them cost a real check). */
uint64_t web_auth_dummy_checks(struct web_auth *a);

#endif
