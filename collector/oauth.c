/*
 * oauth.c - getting an OAuth 2.0 access token: the cached one while it is
 * valid, else the flow's request (client secret, signed assertion or
 * refresh token) to the token endpoint through oauth_http.c, and its
 * answer into the cache. Every buffer that held a secret is wiped.
 */
#include "oauth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "digest.h"
#include "escape.h"
#include "input.h"
#include "jsonw.h"
#include "limits.h"
#include "oauth_impl.h"
#include "strbuf.h"
#include "xalloc.h"

void oauth_token_free(char *token)
{
	if (token == NULL)
		return;
	explicit_bzero(token, strlen(token));
	free(token);
}

/* The secrets one request needs, read from their files. */
struct oauth_creds {
	char *secret;  /* client secret */
	char *key;     /* private key PEM (or a Google key file's) */
	char *cert;    /* certificate PEM */
	char *refresh; /* refresh token from refresh_token_file */
	char *email;   /* a Google key file's client_email */
	char *key_id;  /* a Google key file's private_key_id */
	size_t key_len, cert_len;
};

static void oauth_creds_free(struct oauth_creds *c)
{
	oauth_token_free(c->secret);
	oauth_token_free(c->key);
	oauth_token_free(c->cert);
	oauth_token_free(c->refresh);
	free(c->email);
	free(c->key_id);
	memset(c, 0, sizeof(*c));
}

/* A Google service-account key file: its PEM key replaces c->key. */
static int oauth_google_keyfile(struct oauth_creds *c, char *err, size_t errlen)
{
	char *pem = NULL;

	if (oauth_keyfile_parse(c->key, c->key_len, &pem, &c->email, &c->key_id, err, errlen) < 0)
		return -1;
	oauth_token_free(c->key);
	c->key = pem;
	c->key_len = strlen(pem);
	return 0;
}

static int oauth_creds_read(const struct oauth_config *oc, struct oauth_creds *c, char *err,
                            size_t errlen)
{
	struct input cert = {0};
	char why[ERR_LINE_MAX];
	size_t n;

	memset(c, 0, sizeof(*c));
	if (oc->client_secret_file != NULL &&
	    oauth_file_read_private(oc->client_secret_file, "client_secret_file",
	                            LIMIT_SECRET_BYTES, 1, &c->secret, &n, err, errlen) < 0)
		return -1;
	if (oc->flow == OAUTH_FLOW_REFRESH &&
	    oauth_file_read_private(oc->refresh_token_file, "refresh_token_file",
	                            LIMIT_SECRET_BYTES, 1, &c->refresh, &n, err, errlen) < 0)
		return -1;
	if ((oc->flow == OAUTH_FLOW_CERTIFICATE || oc->flow == OAUTH_FLOW_SERVICE_ACCOUNT) &&
	    oauth_file_read_private(oc->private_key_file, "private_key_file", LIMIT_OAUTH_KEY_BYTES,
	                            0, &c->key, &c->key_len, err, errlen) < 0)
		return -1;
	/* the certificate is public: any owner and mode, but still capped */
	if (oc->flow == OAUTH_FLOW_CERTIFICATE) {
		if (input_read_path(oc->certificate_file, LIMIT_OAUTH_KEY_BYTES, &cert, why,
		                    sizeof(why)) < 0 ||
		    cert.truncated) {
			snprintf(err, errlen, "certificate_file %s",
			         cert.truncated ? "too large" : why);
			input_free(&cert);
			return -1;
		}
		c->cert = (char *)cert.data;
		c->cert_len = cert.len;
	}
	if (c->key != NULL && c->key[strspn(c->key, " \t\r\n")] == '{' &&
	    oauth_google_keyfile(c, err, errlen) < 0)
		return -1;
	return 0;
}

/* The signed assertion of the certificate or service-account flow. */
static int oauth_assertion(const struct oauth_config *oc, const struct oauth_creds *c,
                           const char *url, char **out, char *err, size_t errlen)
{
	struct strbuf claims;
	struct jsonw w;
	char jti[33];
	int64_t now = (int64_t)time(NULL);
	const char *iss = oc->client_id != NULL ? oc->client_id : c->email;
	int rc = -1;

	if (iss == NULL) {
		snprintf(err, errlen, "[oauth] client_id is not set (the service account's email)");
		return -1;
	}
	if (oauth_random_id(jti) < 0) {
		snprintf(err, errlen, "no randomness for the assertion's id");
		return -1;
	}
	strbuf_init(&claims, 4 * LIMIT_OAUTH_FIELD_BYTES);
	jsonw_init(&w, &claims, 0);
	jsonw_object_begin(&w);
	jsonw_key(&w, "aud");
	jsonw_string(&w, url);
	jsonw_key(&w, "iss");
	jsonw_string(&w, iss);
	if (oc->flow == OAUTH_FLOW_SERVICE_ACCOUNT) {
		jsonw_key(&w, "sub");
		jsonw_string(&w, oc->user);
		jsonw_key(&w, "scope");
		jsonw_string(&w, oc->scope);
	} else {
		jsonw_key(&w, "sub");
		jsonw_string(&w, iss);
		jsonw_key(&w, "jti");
		jsonw_string(&w, jti);
		jsonw_key(&w, "nbf");
		jsonw_int(&w, now);
	}
	jsonw_key(&w, "iat");
	jsonw_int(&w, now);
	jsonw_key(&w, "exp");
	jsonw_int(&w, now + LIMIT_OAUTH_ASSERTION_SECONDS);
	jsonw_object_end(&w);
	if (w.failed) {
		snprintf(err, errlen, "[oauth] the assertion's claims are too long");
		goto out;
	}
	rc = oauth_jwt_sign(oc->assertion_pss, c->key, c->key_len, c->cert, c->cert_len, c->key_id,
	                    strbuf_str(&claims), out, err, errlen);
out:
	strbuf_free(&claims);
	return rc;
}

/* A token as it may appear in a cache line and an IMAP command:
 * printable ASCII, no space, within the cap. */
static int oauth_token_ok(const char *t)
{
	size_t i;

	for (i = 0; t[i] != '\0'; i++)
		if ((unsigned char)t[i] <= 0x20 || (unsigned char)t[i] >= 0x7f)
			return 0;
	return i > 0 && i <= LIMIT_SECRET_BYTES;
}

/* The request body for oc's flow. */
static int oauth_body(const struct oauth_config *oc, const struct oauth_creds *c,
                      const char *refresh, const char *url, struct strbuf *body, char *err,
                      size_t errlen)
{
	char *jwt = NULL;
	int r = 0;

	switch (oc->flow) {
	case OAUTH_FLOW_SECRET:
		r |= oauth_form(body, "grant_type", "client_credentials");
		r |= oauth_form(body, "client_id", oc->client_id);
		r |= oauth_form(body, "client_secret", c->secret);
		break;
	case OAUTH_FLOW_CERTIFICATE:
		if (oauth_assertion(oc, c, url, &jwt, err, errlen) < 0)
			return -1;
		r |= oauth_form(body, "grant_type", "client_credentials");
		r |= oauth_form(body, "client_id", oc->client_id);
		r |= oauth_form(body, "client_assertion_type",
		                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
		r |= oauth_form(body, "client_assertion", jwt);
		break;
	case OAUTH_FLOW_REFRESH:
		r |= oauth_form(body, "grant_type", "refresh_token");
		r |= oauth_form(body, "client_id", oc->client_id);
		if (c->secret != NULL)
			r |= oauth_form(body, "client_secret", c->secret);
		r |= oauth_form(body, "refresh_token", refresh);
		break;
	case OAUTH_FLOW_SERVICE_ACCOUNT:
		if (oauth_assertion(oc, c, url, &jwt, err, errlen) < 0)
			return -1;
		r |= oauth_form(body, "grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer");
		r |= oauth_form(body, "assertion", jwt);
		break;
	}
	if (oc->scope[0] != '\0' && oc->flow != OAUTH_FLOW_SERVICE_ACCOUNT)
		r |= oauth_form(body, "scope", oc->scope);
	oauth_token_free(jwt);
	if (r != 0) {
		snprintf(err, errlen, "the token request is too long");
		return -1;
	}
	return 0;
}

/* Takes the token from the endpoint's answer into *fresh (use_until from
 * expires_in, less the margin), or explains the error in one line. */
static int oauth_answer_token(const struct oauth_config *oc, struct oauth_answer *a,
                              struct oauth_cached *fresh, char *err, size_t errlen)
{
	int64_t now = (int64_t)time(NULL), life, margin;
	int n;

	if (a->status != 200 || a->access == NULL) {
		/* the advice goes straight after the prefix, in the caller's line */
		n = snprintf(err, errlen, "HTTP %ld: ", a->status);
		if (n > 0 && (size_t)n < errlen)
			oauth_explain(a->error, a->description, oc, err + n, errlen - (size_t)n);
		return -1;
	}
	if (!oauth_token_ok(a->access) || (a->refresh != NULL && !oauth_token_ok(a->refresh))) {
		snprintf(err, errlen, "the endpoint sent a malformed or oversized token");
		return -1;
	}
	/* absent: assume a short life rather than none */
	life = a->expires_in < 0 ? 300 : (int64_t)a->expires_in;
	if (!(a->expires_in <= 31536000)) {
		snprintf(err, errlen, "expires_in is not 0..31536000 seconds");
		return -1;
	}
	margin = life / 10 < LIMIT_OAUTH_EXPIRY_MARGIN ? life / 10 : LIMIT_OAUTH_EXPIRY_MARGIN;
	fresh->use_until = now + life - margin;
	fresh->access = a->access;
	fresh->refresh = a->refresh;
	a->access = NULL;
	a->refresh = NULL;
	return 0;
}

int oauth_token_exchange(const struct oauth_config *oc, const struct strbuf *body,
                         struct oauth_cached *fresh, long *interval, char *err, size_t errlen)
{
	struct oauth_answer a;
	char why[ERR_LINE_MAX];
	int rc = -1;

	if (oauth_post(oc, oc->token_url, body, &a, err, errlen) < 0) {
		oauth_answer_free(&a);
		return -1;
	}
	/* the device flow: nobody signed in yet (RFC 8628 section 3.5) */
	if (interval != NULL && a.status != 200 && a.error != NULL &&
	    (strcmp(a.error, "authorization_pending") == 0 || strcmp(a.error, "slow_down") == 0)) {
		if (strcmp(a.error, "slow_down") == 0)
			*interval += 5;
		rc = 1;
	} else if (oauth_answer_token(oc, &a, fresh, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "oauth %s: %s", esc(oc->token_url), why);
	} else {
		rc = 0;
	}
	oauth_answer_free(&a);
	return rc;
}

/* POSTs the flow's request to the token endpoint; fills *fresh. */
static int oauth_request(const struct oauth_config *oc, const struct oauth_creds *c,
                         const char *refresh, struct oauth_cached *fresh, char *err, size_t errlen)
{
	struct strbuf body;
	char why[ERR_LINE_MAX];
	int rc = -1;

	strbuf_init(&body, 4 * LIMIT_SECRET_BYTES);
	if (oauth_body(oc, c, refresh, oc->token_url, &body, why, sizeof(why)) < 0)
		snprintf(err, errlen, "oauth: %s", why);
	else
		rc = oauth_token_exchange(oc, &body, fresh, NULL, err, errlen);
	if (body.data != NULL)
		explicit_bzero(body.data, body.len);
	strbuf_free(&body);
	return rc;
}

/* The cache's key: which configuration a cached token belongs to. */
static void oauth_cache_key(const struct oauth_config *oc, char key[65])
{
	struct strbuf sb;
	uint8_t d[DIGEST_SHA256_LEN];

	/* the cap counts every field (the buffers of struct oauth_config and
	 * client_id): the append cannot fail */
	strbuf_init(&sb, sizeof(oc->token_url) + sizeof(oc->scope) + sizeof(oc->user) + 64 +
	                     (oc->client_id != NULL ? strlen(oc->client_id) : 0));
	if (strbuf_printf(&sb, "%d\n%s\n%s\n%s\n%s\n", (int)oc->flow, oc->token_url,
	                  oc->client_id != NULL ? oc->client_id : "", oc->scope, oc->user) < 0)
		abort();
	digest_sha256(strbuf_str(&sb), sb.len, d);
	digest_hex(d, sizeof(d), key);
	strbuf_free(&sb);
}

int oauth_token_get(const struct oauth_config *oc, int force_new, char **token, int *from_cache,
                    char *err, size_t errlen)
{
	struct oauth_cached cached, fresh;
	struct oauth_creds creds;
	uint8_t d[DIGEST_SHA256_LEN];
	char key[65], seed[65] = "";
	const char *refresh = NULL;
	int r, rc = -1;

	memset(&fresh, 0, sizeof(fresh));
	memset(&creds, 0, sizeof(creds));
	oauth_cache_key(oc, key);
	r = oauth_cache_read(oc->cache_file, key, &cached, err, errlen);
	if (r < 0)
		return -1;
	if (oauth_creds_read(oc, &creds, err, errlen) < 0)
		goto out;
	if (creds.refresh != NULL) {
		digest_sha256(creds.refresh, strlen(creds.refresh), d);
		digest_hex(d, sizeof(d), seed);
		/* a new refresh_token_file replaces what the cache learnt */
		if (r == 0 && strcmp(cached.seed, seed) != 0) {
			oauth_cached_clear(&cached);
			r = 1;
		}
		refresh = r == 0 && cached.refresh != NULL ? cached.refresh : creds.refresh;
	}
	if (r == 0 && !force_new && cached.access != NULL &&
	    (int64_t)time(NULL) < cached.use_until) {
		*token = xstrdup(cached.access);
		*from_cache = 1;
		rc = 0;
		goto out;
	}
	if (oauth_request(oc, &creds, refresh, &fresh, err, errlen) < 0)
		goto out;
	memcpy(fresh.seed, seed, sizeof(seed));
	if (fresh.refresh == NULL && refresh != NULL && refresh != creds.refresh)
		fresh.refresh = xstrdup(refresh); /* not rotated: keep the one that worked */
	if (!oc->cache_read_only && oauth_cache_write(oc->cache_file, key, &fresh, err, errlen) < 0)
		goto out;
	*token = fresh.access;
	fresh.access = NULL;
	*from_cache = 0;
	rc = 0;
out:
	oauth_cached_clear(&cached);
	oauth_cached_clear(&fresh);
	oauth_creds_free(&creds);
	return rc;
}
