/*
 * oauth_cache.c - files that hold OAuth secrets: the ones the operator
 * configures (client secret, private key, refresh token: read only when
 * private to the running user) and the token cache tlswatch writes (mode
 * 0600, replaced atomically). The cache is a few "name value" lines:
 *
 *   tlswatch-oauth-cache 1
 *   key <SHA-256 hex of the configuration it belongs to>
 *   use_until <Unix time>
 *   seed <SHA-256 hex of the refresh_token_file it started from, or ->
 *   access <access token>
 *   refresh <refresh token>          (only when the provider rotated it)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "escape.h"
#include "input.h"
#include "limits.h"
#include "oauth.h"
#include "oauth_impl.h"
#include "parse_int.h"
#include "strbuf.h"
#include "xalloc.h"

#define CACHE_MAGIC "tlswatch-oauth-cache 1"

int oauth_file_read_private(const char *path, const char *what, size_t cap, int first_line,
                            char **out, size_t *len, char *err, size_t errlen)
{
	struct input in = {0};
	struct stat sb;
	char why[ERR_LINE_MAX];
	size_t n;
	int fd, rc = -1;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 || fstat(fd, &sb) < 0) {
		snprintf(err, errlen, "%s %s: %s", what, esc(path), strerror(errno));
		goto out;
	}
	if (!S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "%s %s: not a regular file", what, esc(path));
		goto out;
	}
	if (sb.st_uid != geteuid()) {
		snprintf(err, errlen,
		         "%s %s: owned by uid %lu, not by the user running tlswatch (uid %lu); "
		         "refusing to use it",
		         what, esc(path), (unsigned long)sb.st_uid, (unsigned long)geteuid());
		goto out;
	}
	if ((sb.st_mode & 077) != 0) {
		snprintf(err, errlen,
		         "%s %s: mode %03o lets others read it; refusing to use it (chmod 600)",
		         what, esc(path), (unsigned)(sb.st_mode & 0777));
		goto out;
	}
	if (input_read_fd(fd, cap, &in, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "%s %s: %s", what, esc(path), why);
		goto out;
	}
	if (in.truncated) {
		snprintf(err, errlen, "%s %s: longer than %zu bytes", what, esc(path), cap);
		goto out;
	}
	n = in.len;
	if (first_line) {
		n = strcspn((const char *)in.data, "\r\n");
		if (n == 0) {
			snprintf(err, errlen, "%s %s: the first line is empty", what, esc(path));
			goto out;
		}
		in.data[n] = '\0';
	}
	*out = (char *)in.data;
	*len = n;
	in.data = NULL;
	rc = 0;
out:
	if (in.data != NULL) {
		explicit_bzero(in.data, in.len);
		input_free(&in);
	}
	if (fd >= 0)
		close(fd);
	return rc;
}

void oauth_cached_clear(struct oauth_cached *c)
{
	oauth_token_free(c->access);
	oauth_token_free(c->refresh);
	memset(c, 0, sizeof(*c));
}

/* The value of "name value" line in text, a copy, or NULL. */
static char *cache_field(const char *text, const char *name)
{
	size_t nl = strlen(name);
	const char *p = text, *end;
	char *v;

	while (*p != '\0') {
		end = p + strcspn(p, "\n");
		if ((size_t)(end - p) > nl && strncmp(p, name, nl) == 0 && p[nl] == ' ') {
			v = xmalloc((size_t)(end - p) - nl);
			memcpy(v, p + nl + 1, (size_t)(end - p) - nl - 1);
			v[(end - p) - nl - 1] = '\0';
			return v;
		}
		p = *end == '\n' ? end + 1 : end;
	}
	return NULL;
}

int oauth_cache_read(const char *path, const char *key, struct oauth_cached *c, char *err,
                     size_t errlen)
{
	char *text = NULL, *v = NULL;
	size_t len;
	int64_t n;
	int rc = -1;

	memset(c, 0, sizeof(*c));
	if (access(path, F_OK) < 0 && errno == ENOENT)
		return 1;
	if (oauth_file_read_private(path, "oauth cache_file", 4 * LIMIT_SECRET_BYTES, 0, &text,
	                            &len, err, errlen) < 0)
		return -1;
	if (strlen(text) != len || strncmp(text, CACHE_MAGIC "\n", strlen(CACHE_MAGIC) + 1) != 0) {
		rc = 1; /* not ours or damaged: start over */
		goto out;
	}
	v = cache_field(text, "key");
	if (v == NULL || strcmp(v, key) != 0) {
		rc = 1;
		goto out;
	}
	free(v);
	v = cache_field(text, "use_until");
	if (v == NULL || parse_int(v, 0, INT64_MAX, &n, NULL, 0) < 0) {
		rc = 1;
		goto out;
	}
	c->use_until = n;
	free(v);
	v = cache_field(text, "seed");
	if (v != NULL && strlen(v) < sizeof(c->seed))
		memcpy(c->seed, v, strlen(v) + 1);
	c->access = cache_field(text, "access");
	c->refresh = cache_field(text, "refresh");
	rc = 0;
out:
	free(v);
	oauth_token_free(text);
	return rc;
}

int oauth_file_write_private(const char *path, const char *what, const char *data, size_t len,
                             char *err, size_t errlen)
{
	struct strbuf tmp;
	ssize_t w;
	size_t off = 0;
	int fd = -1, rc = -1;

	strbuf_init(&tmp, 4200);
	/* one temporary name per process: 'auth login' and 'collect' may overlap */
	if (strbuf_printf(&tmp, "%s.%ld.tmp", path, (long)getpid()) < 0) {
		snprintf(err, errlen, "%s %s: path too long", what, esc(path));
		goto out;
	}
	unlink(tmp.data);
	fd = open(tmp.data, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "%s %s: %s", what, esc(tmp.data), strerror(errno));
		goto out;
	}
	while (off < len + 1) {
		w = off < len ? write(fd, data + off, len - off) : write(fd, "\n", 1);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			snprintf(err, errlen, "%s %s: %s", what, esc(tmp.data), strerror(errno));
			goto out;
		}
		off += (size_t)w;
	}
	if (fsync(fd) < 0 || close(fd) < 0) {
		fd = -1;
		snprintf(err, errlen, "%s %s: %s", what, esc(tmp.data), strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(tmp.data, path) < 0) {
		snprintf(err, errlen, "%s %s: %s", what, esc(path), strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (rc < 0 && tmp.data != NULL)
		unlink(tmp.data);
	strbuf_free(&tmp);
	return rc;
}

int oauth_cache_write(const char *path, const char *key, const struct oauth_cached *c, char *err,
                      size_t errlen)
{
	struct strbuf sb;
	int rc = -1;

	strbuf_init(&sb, 4 * LIMIT_SECRET_BYTES);
	if (strbuf_printf(&sb, "%s\nkey %s\nuse_until %lld\nseed %s", CACHE_MAGIC, key,
	                  (long long)c->use_until, c->seed[0] != '\0' ? c->seed : "-") < 0 ||
	    (c->access != NULL && strbuf_printf(&sb, "\naccess %s", c->access) < 0) ||
	    (c->refresh != NULL && strbuf_printf(&sb, "\nrefresh %s", c->refresh) < 0)) {
		snprintf(err, errlen, "oauth cache_file %s: the tokens are too long", esc(path));
		goto out;
	}
	rc = oauth_file_write_private(path, "oauth cache_file", sb.data, sb.len, err, errlen);
out:
	if (sb.data != NULL)
		explicit_bzero(sb.data, sb.len);
	strbuf_free(&sb);
	return rc;
}
