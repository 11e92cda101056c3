/*
 * oauth_device.c - "tlswatch auth login": the device authorization grant
 * (RFC 8628). tlswatch asks for a code, a person signs in with it on any
 * browser, tlswatch polls the token endpoint and keeps the refresh token
 * in refresh_token_file for the refresh-token flow of later runs. Input:
 * the endpoints' answers are untrusted (oauth_http.c caps and parses
 * them; the URI and code shown are escaped).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "escape.h"
#include "limits.h"
#include "oauth.h"
#include "oauth_impl.h"

/* Asks device_url for a device code. 0 with *a, or -1. */
static int device_start(const struct oauth_config *oc, struct oauth_answer *a, char *err,
                        size_t errlen)
{
	struct strbuf body;
	char why[ERR_LINE_MAX];
	int rc = -1;

	strbuf_init(&body, 4 * LIMIT_OAUTH_FIELD_BYTES);
	if (oauth_form(&body, "client_id", oc->client_id) < 0 ||
	    (oc->scope[0] != '\0' && oauth_form(&body, "scope", oc->scope) < 0)) {
		snprintf(err, errlen, "oauth: the device code request is too long");
		goto out;
	}
	if (oauth_post(oc, oc->device_url, &body, a, err, errlen) < 0)
		goto out;
	if (a->status != 200 || a->device_code == NULL || a->user_code == NULL ||
	    a->verification_uri == NULL) {
		oauth_explain(a->error, a->description, oc, why, sizeof(why));
		snprintf(err, errlen, "oauth %s: HTTP %ld: %s", esc(oc->device_url), a->status,
		         why);
		goto out;
	}
	rc = 0;
out:
	strbuf_free(&body);
	return rc;
}

/* One poll of the token endpoint. 1 still pending (*interval may grow),
 * 0 with *fresh, -1 failed. */
static int device_poll(const struct oauth_config *oc, const char *device_code, const char *secret,
                       long *interval, struct oauth_cached *fresh, char *err, size_t errlen)
{
	struct strbuf body;
	int rc = -1;

	strbuf_init(&body, 4 * LIMIT_SECRET_BYTES);
	if (oauth_form(&body, "grant_type", "urn:ietf:params:oauth:grant-type:device_code") < 0 ||
	    oauth_form(&body, "client_id", oc->client_id) < 0 ||
	    oauth_form(&body, "device_code", device_code) < 0 ||
	    (secret != NULL && oauth_form(&body, "client_secret", secret) < 0))
		snprintf(err, errlen, "oauth: the token request is too long");
	else
		rc = oauth_token_exchange(oc, &body, fresh, interval, err, errlen);
	if (body.data != NULL)
		explicit_bzero(body.data, body.len);
	strbuf_free(&body);
	return rc;
}

int oauth_keep_refresh(const struct oauth_config *oc, const struct oauth_cached *fresh, char *err,
                       size_t errlen)
{
	if (fresh->refresh == NULL) {
		snprintf(err, errlen,
		         "oauth %s: signed in, but no refresh token was issued: add offline_access "
		         "to scope",
		         esc(oc->token_url));
		return -1;
	}
	return oauth_file_write_private(oc->refresh_token_file, "refresh_token_file",
	                                fresh->refresh, strlen(fresh->refresh), err, errlen);
}

int oauth_device_login(const struct oauth_config *oc, oauth_prompt_fn prompt, void *arg, char *err,
                       size_t errlen)
{
	struct oauth_answer a;
	struct oauth_cached fresh;
	char *secret = NULL;
	size_t n;
	long interval;
	time_t deadline;
	int r = 1, rc = -1;

	memset(&a, 0, sizeof(a));
	memset(&fresh, 0, sizeof(fresh));
	if (oc->flow != OAUTH_FLOW_REFRESH) {
		snprintf(err, errlen,
		         "[oauth] refresh_token_file: set where the refresh token is to be kept");
		return -1;
	}
	if (oc->device_url[0] == '\0') {
		snprintf(err, errlen, "[oauth] device_url: needed with provider = generic");
		return -1;
	}
	if (oc->client_secret_file != NULL &&
	    oauth_file_read_private(oc->client_secret_file, "client_secret_file",
	                            LIMIT_SECRET_BYTES, 1, &secret, &n, err, errlen) < 0)
		return -1;
	if (device_start(oc, &a, err, errlen) < 0)
		goto out;
	prompt(arg, esc(a.verification_uri), esc(a.user_code));
	interval = a.interval >= 1 && a.interval <= 60 ? (long)a.interval : 5;
	deadline = time(NULL) + (a.expires_in >= 1 && a.expires_in < LIMIT_OAUTH_DEVICE_SECONDS
	                             ? (long)a.expires_in
	                             : LIMIT_OAUTH_DEVICE_SECONDS);
	while (r == 1 && time(NULL) < deadline) {
		sleep((unsigned)interval);
		r = device_poll(oc, a.device_code, secret, &interval, &fresh, err, errlen);
	}
	if (r == 1) {
		snprintf(err, errlen,
		         "oauth: nobody signed in before the code expired; run it again");
		goto out;
	}
	if (r < 0)
		goto out;
	if (oauth_keep_refresh(oc, &fresh, err, errlen) < 0)
		goto out;
	rc = 0;
out:
	oauth_answer_free(&a);
	oauth_cached_clear(&fresh);
	oauth_token_free(secret);
	return rc;
}
