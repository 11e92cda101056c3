/*
 * oauth_browser.c - "tlswatch auth login --browser": an installed app's
 * consent (RFC 8252) with the authorization code grant and PKCE (RFC 7636,
 * S256). Google needs it for Gmail: its device flow does not grant
 * https://mail.google.com/. tlswatch runs on a server, so nothing listens
 * on the loopback redirect URI: the browser's attempt to open it fails,
 * and the person pastes the address it shows (it carries the code and
 * the state). Input: the pasted address is untrusted (its state must
 * match; the code is only sent back to the token endpoint); the
 * endpoints' answers go through oauth_http.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "digest.h"
#include "escape.h"
#include "limits.h"
#include "oauth.h"
#include "oauth_impl.h"
#include "xalloc.h"

/* Nothing answers there: the browser shows the address with the code. */
#define BROWSER_REDIRECT "http://127.0.0.1:9"

/* The consent URL for oc with state and the verifier's challenge. */
static int browser_url(const struct oauth_config *oc, const char *state, const char *verifier,
                       struct strbuf *url)
{
	struct strbuf q, challenge;
	uint8_t d[DIGEST_SHA256_LEN];
	int r = 0;

	strbuf_init(&q, 4 * LIMIT_OAUTH_FIELD_BYTES);
	strbuf_init(&challenge, 64);
	digest_sha256(verifier, strlen(verifier), d);
	r |= oauth_b64url(&challenge, d, sizeof(d));
	r |= oauth_form(&q, "response_type", "code");
	r |= oauth_form(&q, "client_id", oc->client_id);
	r |= oauth_form(&q, "redirect_uri", BROWSER_REDIRECT);
	r |= oauth_form(&q, "scope", oc->scope);
	r |= oauth_form(&q, "state", state);
	r |= oauth_form(&q, "code_challenge", strbuf_str(&challenge));
	r |= oauth_form(&q, "code_challenge_method", "S256");
	/* Google issues a refresh token only with these */
	if (oc->provider == OAUTH_GOOGLE) {
		r |= oauth_form(&q, "access_type", "offline");
		r |= oauth_form(&q, "prompt", "consent");
	}
	r |= strbuf_printf(url, "%s?%s", oc->auth_url, strbuf_str(&q));
	strbuf_free(&q);
	strbuf_free(&challenge);
	return r != 0 ? -1 : 0;
}

/* The code from what was pasted: the whole address (its state checked),
 * or the code alone. NULL with err. */
static char *browser_code(const char *answer, const char *state, char *err, size_t errlen)
{
	char *code, *got, *error;

	if (strchr(answer, '?') == NULL && strchr(answer, '=') == NULL) {
		if (answer[0] == '\0' || strcspn(answer, " \t") != strlen(answer)) {
			snprintf(err, errlen, "oauth: paste the whole address the browser shows");
			return NULL;
		}
		return xstrdup(answer);
	}
	if ((error = oauth_query_get(answer, "error")) != NULL) {
		snprintf(err, errlen, "oauth: the consent was not given (%s); run it again",
		         esc(error));
		oauth_token_free(error);
		return NULL;
	}
	got = oauth_query_get(answer, "state");
	if (got == NULL || strcmp(got, state) != 0) {
		snprintf(err, errlen,
		         "oauth: the pasted address is not the answer to this sign-in (its state "
		         "differs); run it again");
		oauth_token_free(got);
		return NULL;
	}
	oauth_token_free(got);
	if ((code = oauth_query_get(answer, "code")) == NULL)
		snprintf(err, errlen, "oauth: the pasted address holds no code");
	return code;
}

int oauth_browser_login(const struct oauth_config *oc, oauth_ask_fn ask, void *arg, char *err,
                        size_t errlen)
{
	struct oauth_cached fresh;
	struct strbuf url, body;
	char state[33], v1[33], v2[33], verifier[65], answer[LIMIT_OAUTH_FIELD_BYTES * 4];
	char *secret = NULL, *code = NULL;
	size_t n;
	int rc = -1;

	memset(&fresh, 0, sizeof(fresh));
	strbuf_init(&url, 8 * LIMIT_OAUTH_FIELD_BYTES);
	strbuf_init(&body, 4 * LIMIT_SECRET_BYTES);
	if (oc->flow != OAUTH_FLOW_REFRESH) {
		snprintf(err, errlen,
		         "[oauth] refresh_token_file: set where the refresh token is to be kept");
		goto out;
	}
	if (oc->auth_url[0] == '\0') {
		snprintf(err, errlen, "[oauth] auth_url: needed with provider = generic");
		goto out;
	}
	/* the verifier: 64 characters of 256 random bits (RFC 7636 section 4.1) */
	if (oauth_random_id(state) < 0 || oauth_random_id(v1) < 0 || oauth_random_id(v2) < 0) {
		snprintf(err, errlen, "oauth: no randomness");
		goto out;
	}
	snprintf(verifier, sizeof(verifier), "%s%s", v1, v2);
	if (browser_url(oc, state, verifier, &url) < 0) {
		snprintf(err, errlen, "oauth: the consent URL is too long");
		goto out;
	}
	if (ask(arg, strbuf_str(&url), answer, sizeof(answer)) < 0) {
		snprintf(err, errlen, "oauth: no address was pasted; run it again");
		goto out;
	}
	answer[strcspn(answer, "\r\n")] = '\0';
	if ((code = browser_code(answer, state, err, errlen)) == NULL)
		goto out;
	if (oc->client_secret_file != NULL &&
	    oauth_file_read_private(oc->client_secret_file, "client_secret_file",
	                            LIMIT_SECRET_BYTES, 1, &secret, &n, err, errlen) < 0)
		goto out;
	if (oauth_form(&body, "grant_type", "authorization_code") < 0 ||
	    oauth_form(&body, "code", code) < 0 ||
	    oauth_form(&body, "redirect_uri", BROWSER_REDIRECT) < 0 ||
	    oauth_form(&body, "client_id", oc->client_id) < 0 ||
	    oauth_form(&body, "code_verifier", verifier) < 0 ||
	    (secret != NULL && oauth_form(&body, "client_secret", secret) < 0)) {
		snprintf(err, errlen, "oauth: the token request is too long");
		goto out;
	}
	if (oauth_token_exchange(oc, &body, &fresh, NULL, err, errlen) < 0)
		goto out;
	if (oauth_keep_refresh(oc, &fresh, err, errlen) < 0)
		goto out;
	rc = 0;
out:
	explicit_bzero(answer, sizeof(answer));
	explicit_bzero(verifier, sizeof(verifier));
	if (body.data != NULL)
		explicit_bzero(body.data, body.len);
	strbuf_free(&body);
	strbuf_free(&url);
	oauth_cached_clear(&fresh);
	oauth_token_free(secret);
	oauth_token_free(code);
	return rc;
}
