/*
 * oauth.h - OAuth 2.0 access tokens for IMAP XOAUTH2, obtained by tlswatch
 * itself (no helper script): Microsoft client credentials with a client
 * secret or a certificate (RS256 client assertion), the refresh-token
 * flow for any provider, and a Google service account (RS256 assertion,
 * sub = the mailbox). libcurl speaks HTTPS (oauth.c), GnuTLS signs
 * (oauth_jwt.c).
 *
 * Input: the token endpoint's answers are untrusted (size-capped, parsed
 * with cJSON, echoed escaped and cut). Secrets (client secret, private
 * key, refresh and access tokens) never reach argv, logs or error
 * messages and are wiped after use. The token is cached in a 0600 file
 * until shortly before it expires.
 */
#ifndef TLSWATCH_OAUTH_H
#define TLSWATCH_OAUTH_H

#include <stddef.h>

#include "config.h"

enum oauth_provider { OAUTH_MICROSOFT, OAUTH_GOOGLE, OAUTH_GENERIC };
enum oauth_flow {
	OAUTH_FLOW_SECRET,          /* client_credentials + client_secret */
	OAUTH_FLOW_CERTIFICATE,     /* client_credentials + PS256/RS256 client assertion */
	OAUTH_FLOW_REFRESH,         /* refresh_token grant */
	OAUTH_FLOW_SERVICE_ACCOUNT, /* Google: jwt-bearer grant, sub = user */
};

/* The [oauth] section, checked. Strings are borrowed from the config,
 * except the buffers. */
struct oauth_config {
	enum oauth_provider provider;
	enum oauth_flow flow;
	const char *client_id;          /* NULL only for a Google key file */
	const char *client_secret_file; /* may be NULL (public client, refresh) */
	const char *certificate_file;
	const char *private_key_file;
	const char *refresh_token_file;
	const char *ca_file; /* NULL: system trust */
	char token_url[1024];
	char device_url[1024]; /* "": none (generic without device_url) */
	char auth_url[1024];   /* authorization endpoint; "": none (generic without auth_url) */
	char scope[1024];
	char user[1024];
	char cache_file[4096];
	int assertion_pss;   /* the certificate assertion is PS256, not RS256 */
	int cache_read_only; /* a dry run: the cache is read, never written */
};

/* 1 when the configuration has an [oauth] section (any key set). */
int oauth_configured(const struct config *cfg);

/* Reads and checks [oauth]. imap_user is the default for 'user'; db_path
 * places the default cache file next to the database. 0, or -1 with
 * "[oauth] KEY: reason". */
int oauth_config_load(const struct config *cfg, const char *db_path, const char *imap_user,
                      struct oauth_config *oc, char *err, size_t errlen);

/* For Microsoft Graph instead of IMAP: without a configured scope, the
 * one of resource (the Graph endpoint's origin, "https://graph.microsoft.com/"
 * or a national cloud's): RESOURCE.default, or RESOURCEMail.ReadWrite
 * with offline_access for a refresh token. 0, or -1 for a provider Graph
 * does not take tokens from (google). */
int oauth_config_for_graph(const struct config *cfg, const char *resource, struct oauth_config *oc,
                           char *err, size_t errlen);

/* An access token for oc: the cached one while it is valid (not
 * force_new), else a new one from the token endpoint, which is cached
 * (unless oc->cache_read_only).
 * *from_cache says which. 0 with *token (free with oauth_token_free), or
 * -1 with one line naming the step and what to check - never a secret. */
int oauth_token_get(const struct oauth_config *oc, int force_new, char **token, int *from_cache,
                    char *err, size_t errlen);

/* Wipes and frees a token. NULL is a no-op. */
void oauth_token_free(char *token);

/* Shows the person at the terminal where to sign in and the code. */
typedef void (*oauth_prompt_fn)(void *arg, const char *uri, const char *code);

/* "tlswatch auth login": the device authorization grant (RFC 8628). Asks
 * device_url for a code, calls prompt with the URI and code (escaped),
 * polls the token endpoint at the interval it asks for until someone
 * signs in or the code expires (at most LIMIT_OAUTH_DEVICE_SECONDS), and
 * writes the refresh token to refresh_token_file (mode 0600, replaced
 * atomically). 0, or -1 with one line. */
int oauth_device_login(const struct oauth_config *oc, oauth_prompt_fn prompt, void *arg, char *err,
                       size_t errlen);

/* Asks the person at the terminal to open url and answer with the address
 * the browser ended on; the answer goes into buf (NUL-terminated). 0, or
 * -1 when nothing was answered. */
typedef int (*oauth_ask_fn)(void *arg, const char *url, char *buf, size_t buflen);

/* "tlswatch auth login --browser" (and for Google, whose device flow does
 * not grant Gmail's scope): the authorization code grant of an installed
 * app (RFC 8252) with PKCE (RFC 7636, S256). Builds the consent URL
 * (auth_url, a loopback redirect URI that nothing needs to answer, a
 * random state), asks for the address the browser was sent to, checks
 * its state, exchanges the code and writes the refresh token as
 * oauth_device_login does. 0, or -1 with one line. */
int oauth_browser_login(const struct oauth_config *oc, oauth_ask_fn ask, void *arg, char *err,
                        size_t errlen);

/* What a person should check for an error the token endpoint returned:
 * error is the OAuth "error" code, description its "error_description"
 * (where Microsoft puts "AADSTS7000215: ..."). Writes one line (the code
 * and the advice) to out. */
void oauth_explain(const char *error, const char *description, const struct oauth_config *oc,
                   char *out, size_t outlen);

/* Advice when the identity provider issued a token that the IMAP server
 * refused (a static string starting with "; "). */
const char *oauth_refused_hint(const struct oauth_config *oc);

#endif
