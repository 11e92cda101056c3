/*
 * auth.c - the auth file and Basic credential checks (see auth.h).
 * Input: the operator's auth file (checked for permissions and format)
 * and untrusted credentials from requests.
 */
#include "auth.h"

#include <crypt.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "digest.h"
#include "input.h"
#include "limits.h"
#include "xalloc.h"

struct web_auth_user {
	char *name;
	char *hash;
	char *dummy; /* a random password hashed with this hash's method,
	                cost and salt: what an unknown user is checked against */
};

struct web_auth_cached {
	uint8_t key[DIGEST_SHA256_LEN];
	time_t expires; /* 0: empty slot */
};

struct web_auth {
	struct web_auth_user users[LIMIT_WEB_AUTH_USERS];
	size_t n_users;
	uint8_t salt[32];      /* keys the cache digests and the dummy choice */
	uint64_t dummy_checks; /* unknown users checked (under lock) */
	pthread_mutex_t lock;
	struct web_auth_cached cache[LIMIT_WEB_AUTH_CACHE];
	size_t cache_next;
};

/* Compares two NUL-terminated strings without an early exit on the first
 * differing byte. Their lengths are not secret (a hash's length is its
 * method's). */
static int web_auth_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, n = la < lb ? la : lb;
	unsigned char d = la != lb;

	for (i = 0; i < n; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return d == 0;
}

static int web_auth_parse_line(struct web_auth *a, char *line, const char *path, int lineno,
                               char *err, size_t errlen)
{
	char *colon;
	size_t i, len = strlen(line);

	if (len > 0 && line[len - 1] == '\r')
		line[--len] = '\0';
	if (len == 0 || line[0] == '#')
		return 0;
	colon = strchr(line, ':');
	if (colon == NULL || colon == line || colon[1] == '\0') {
		snprintf(err, errlen, "%s:%d: want user:hash", path, lineno);
		return -1;
	}
	*colon = '\0';
	if (crypt_checksalt(colon + 1) != CRYPT_SALT_OK) {
		snprintf(err, errlen,
		         "%s:%d: the hash for '%.64s' is not one tlswatch accepts (use yescrypt or "
		         "sha512-crypt: 'mkpasswd -m yescrypt' or 'openssl passwd -6')",
		         path, lineno, line);
		return -1;
	}
	for (i = 0; i < a->n_users; i++) {
		if (strcmp(a->users[i].name, line) == 0) {
			snprintf(err, errlen, "%s:%d: user '%.64s' listed twice", path, lineno,
			         line);
			return -1;
		}
	}
	if (a->n_users == LIMIT_WEB_AUTH_USERS) {
		snprintf(err, errlen, "%s:%d: more than %d users", path, lineno,
		         LIMIT_WEB_AUTH_USERS);
		return -1;
	}
	a->users[a->n_users].name = xstrdup(line);
	a->users[a->n_users].hash = xstrdup(colon + 1);
	a->n_users++;
	return 0;
}

/* For each user, a hash of a random password made with that user's own
 * hash as the setting: the same method, cost and salt. An unknown user is
 * checked against one of them (web_auth_check), so that every method in
 * the file costs an unknown name what it costs a known one. */
static int web_auth_make_dummies(struct web_auth *a, char *err, size_t errlen)
{
	struct crypt_data *cd = xcalloc(1, sizeof(*cd));
	char secret[33];
	const char *h;
	size_t i;
	int rc = -1;

	if (getrandom(a->salt, sizeof(a->salt), 0) != (ssize_t)sizeof(a->salt) ||
	    getrandom(secret, 16, 0) != 16) {
		snprintf(err, errlen, "getrandom: %s", strerror(errno));
		goto out;
	}
	for (i = 0; i < 16; i++)
		secret[i] = (char)('a' + ((unsigned char)secret[i] % 26));
	secret[16] = '\0';
	for (i = 0; i < a->n_users; i++) {
		if ((h = crypt_rn(secret, a->users[i].hash, cd, sizeof(*cd))) == NULL ||
		    h[0] == '*') {
			snprintf(err, errlen, "crypt: cannot hash with the method of '%.64s': %s",
			         a->users[i].name, strerror(errno));
			goto out;
		}
		a->users[i].dummy = xstrdup(h);
	}
	rc = 0;
out:
	explicit_bzero(secret, sizeof(secret));
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return rc;
}

int web_auth_load(const char *path, struct web_auth **out, char *err, size_t errlen)
{
	struct web_auth *a = xcalloc(1, sizeof(*a));
	struct input in = {NULL, 0, 0, 0};
	struct stat sb;
	char *line, *next;
	int fd = -1, rc = -1, lineno = 0;

	pthread_mutex_init(&a->lock, NULL);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0 || fstat(fd, &sb) < 0) {
		snprintf(err, errlen, "auth file %s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "auth file %s: not a regular file", path);
		goto out;
	}
	if ((sb.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		snprintf(err, errlen,
		         "auth file %s is writable by group or others: refused (chmod go-w %s)",
		         path, path);
		goto out;
	}
	/* its hashes can be attacked offline by whoever reads them */
	if ((sb.st_mode & S_IROTH) != 0) {
		snprintf(err, errlen, "auth file %s is readable by others: refused (chmod o-r %s)",
		         path, path);
		goto out;
	}
	if (sb.st_uid != 0 && sb.st_uid != geteuid()) {
		snprintf(
		    err, errlen,
		    "auth file %s is owned by uid %lu, neither root nor the user tlswatch runs "
		    "as (uid %lu): refused",
		    path, (unsigned long)sb.st_uid, (unsigned long)geteuid());
		goto out;
	}
	if (input_read_fd(fd, LIMIT_WEB_AUTH_FILE_BYTES, &in, err, errlen) < 0)
		goto out;
	if (in.truncated) {
		snprintf(err, errlen, "auth file %s: larger than %u bytes", path,
		         LIMIT_WEB_AUTH_FILE_BYTES);
		goto out;
	}
	if (memchr(in.data, '\0', in.len) != NULL) {
		snprintf(err, errlen, "auth file %s: holds a NUL byte", path);
		goto out;
	}
	for (line = (char *)in.data; line != NULL && *line != '\0'; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		if (web_auth_parse_line(a, line, path, ++lineno, err, errlen) < 0)
			goto out;
	}
	if (a->n_users == 0) {
		snprintf(err, errlen, "auth file %s: no user:hash line", path);
		goto out;
	}
	if (web_auth_make_dummies(a, err, errlen) < 0)
		goto out;
	*out = a;
	a = NULL;
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	input_free(&in);
	web_auth_free(a);
	return rc;
}

void web_auth_free(struct web_auth *a)
{
	size_t i;

	if (a == NULL)
		return;
	for (i = 0; i < a->n_users; i++) {
		free(a->users[i].name);
		free(a->users[i].hash);
		free(a->users[i].dummy);
	}
	pthread_mutex_destroy(&a->lock);
	explicit_bzero(a, sizeof(*a));
	free(a);
}

/* The cache key: SHA-256 over the per-process salt, user, NUL, password. */
static void web_auth_key(const struct web_auth *a, const char *user, const char *password,
                         uint8_t key[DIGEST_SHA256_LEN])
{
	size_t lu = strlen(user), lp = strlen(password), n = sizeof(a->salt) + lu + 1 + lp;
	uint8_t *buf = xmalloc(n);

	memcpy(buf, a->salt, sizeof(a->salt));
	memcpy(buf + sizeof(a->salt), user, lu + 1);
	memcpy(buf + sizeof(a->salt) + lu + 1, password, lp);
	digest_sha256(buf, n, key);
	explicit_bzero(buf, n);
	free(buf);
}

static int web_auth_cache_hit(struct web_auth *a, const uint8_t key[DIGEST_SHA256_LEN], time_t now)
{
	unsigned char d;
	size_t i, j;
	int hit = 0;

	pthread_mutex_lock(&a->lock);
	for (i = 0; i < LIMIT_WEB_AUTH_CACHE; i++) {
		d = 0;
		for (j = 0; j < DIGEST_SHA256_LEN; j++)
			d |= (unsigned char)(a->cache[i].key[j] ^ key[j]);
		hit |= d == 0 && a->cache[i].expires > now;
	}
	pthread_mutex_unlock(&a->lock);
	return hit;
}

static void web_auth_cache_add(struct web_auth *a, const uint8_t key[DIGEST_SHA256_LEN], time_t now)
{
	pthread_mutex_lock(&a->lock);
	memcpy(a->cache[a->cache_next].key, key, DIGEST_SHA256_LEN);
	a->cache[a->cache_next].expires = now + LIMIT_WEB_AUTH_CACHE_SECONDS;
	a->cache_next = (a->cache_next + 1) % LIMIT_WEB_AUTH_CACHE;
	pthread_mutex_unlock(&a->lock);
}

uint64_t web_auth_dummy_checks(struct web_auth *a)
{
	uint64_t n;

	pthread_mutex_lock(&a->lock);
	n = a->dummy_checks;
	pthread_mutex_unlock(&a->lock);
	return n;
}

int web_auth_check(struct web_auth *a, const char *user, const char *password)
{
	uint8_t key[DIGEST_SHA256_LEN];
	struct crypt_data *cd = NULL;
	const char *hash = NULL, *got, *against;
	time_t now = time(NULL);
	size_t i;
	int ok = 0;

	if (a == NULL || user == NULL || password == NULL ||
	    strlen(password) > LIMIT_WEB_PASSWORD_BYTES || strlen(user) > LIMIT_STRING_BYTES)
		return 0;
	web_auth_key(a, user, password, key);
	if (web_auth_cache_hit(a, key, now))
		return 1;
	for (i = 0; i < a->n_users; i++)
		if (strcmp(a->users[i].name, user) == 0)
			hash = a->users[i].hash;
	if (hash == NULL) {
		/* an unknown name costs what some user's check costs: the
		 * user picked by the name's salted digest (the same one every
		 * time), so its time says nothing of which names exist */
		size_t pick = ((size_t)key[0] << 8 | key[1]) % a->n_users;

		against = a->users[pick].dummy;
		pthread_mutex_lock(&a->lock);
		a->dummy_checks++;
		pthread_mutex_unlock(&a->lock);
	} else {
		against = hash;
	}
	cd = xcalloc(1, sizeof(*cd));
	got = crypt_rn(password, against, cd, sizeof(*cd));
	ok = hash != NULL && got != NULL && got[0] != '*' && web_auth_equal(got, hash);
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	if (ok)
		web_auth_cache_add(a, key, now);
	return ok;
}
