/*
 * oauth_config.c - the [oauth] section checked into a struct oauth_config,
 * and the advice for the errors identity providers return. Input: the
 * operator's configuration (trusted, echoed escaped) and the token
 * endpoint's error text (untrusted: only matched, or echoed escaped and
 * cut).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "escape.h"
#include "limits.h"
#include "oauth.h"
#include "store.h"

static const char *oauth_get(const struct config *cfg, const char *key)
{
	const char *v = config_get(cfg, "oauth", key);

	return v != NULL && v[0] != '\0' ? v : NULL;
}

int oauth_configured(const struct config *cfg)
{
	static const char *const keys[] = {"provider", "client_id",        "token_url",
	                                   "tenant",   "private_key_file", "refresh_token_file"};
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (oauth_get(cfg, keys[i]) != NULL)
			return 1;
	return 0;
}

/* Copies v into buf (size n); -1 with an error when it does not fit. */
static int oauth_copy(char *buf, size_t n, const char *v, const char *key, char *err, size_t errlen)
{
	if ((size_t)snprintf(buf, n, "%s", v) >= n) {
		snprintf(err, errlen, "[oauth] %s: longer than %zu bytes", key, n - 1);
		return -1;
	}
	return 0;
}

/* Microsoft's authority (a national cloud's: https://login.microsoftonline.us,
 * https://login.chinacloudapi.cn), without a final '/'; its length in *n. */
static const char *oauth_authority(const struct config *cfg, const struct oauth_config *oc, int *n,
                                   char *err, size_t errlen)
{
	const char *a = oauth_get(cfg, "authority");
	size_t len;

	if (a == NULL)
		a = "https://login.microsoftonline.com";
	else if (oc->provider != OAUTH_MICROSOFT) {
		snprintf(err, errlen,
		         "[oauth] authority: only for provider = microsoft (else set "
		         "token_url)");
		return NULL;
	}
	len = strlen(a);
	while (len > 8 && a[len - 1] == '/')
		len--;
	if (strncmp(a, "https://", 8) != 0 || len <= 8 || len > 256 ||
	    strcspn(a + 8, "/?# \t@") < len - 8) {
		snprintf(err, errlen, "[oauth] authority: '%s' is not https://HOST", esc(a));
		return NULL;
	}
	*n = (int)len;
	return a;
}

/* The token URL: token_url, else the provider's (Microsoft's from the
 * authority and the tenant). */
static int oauth_pick_url(const struct config *cfg, struct oauth_config *oc, char *err,
                          size_t errlen)
{
	const char *url = oauth_get(cfg, "token_url");
	const char *tenant = oauth_get(cfg, "tenant");
	char buf[sizeof(oc->token_url)];
	const char *auth;
	int an = 0;

	if ((auth = oauth_authority(cfg, oc, &an, err, errlen)) == NULL)
		return -1;

	/* a tenant goes into URLs: a directory id or a domain name, no more */
	if ((tenant == NULL && url == NULL && oc->provider == OAUTH_MICROSOFT) ||
	    (tenant != NULL &&
	     (strlen(tenant) > 253 ||
	      strspn(tenant, "abcdefghijklmnopqrstuvwxyz"
	                     "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") != strlen(tenant)))) {
		snprintf(
		    err, errlen,
		    "[oauth] tenant: set the directory (tenant) id or a verified domain of the "
		    "Microsoft 365 tenant");
		return -1;
	}
	if (url == NULL && oc->provider == OAUTH_MICROSOFT) {
		snprintf(buf, sizeof(buf), "%.*s/%s/oauth2/v2.0/token", an, auth, tenant);
		url = buf;
	} else if (url == NULL && oc->provider == OAUTH_GOOGLE) {
		url = "https://oauth2.googleapis.com/token";
	} else if (url == NULL) {
		snprintf(err, errlen, "[oauth] token_url: needed with provider = generic");
		return -1;
	}
	if (strncmp(url, "https://", 8) != 0) {
		snprintf(err, errlen, "[oauth] token_url: '%s' is not an https:// URL", esc(url));
		return -1;
	}
	if (oauth_copy(oc->token_url, sizeof(oc->token_url), url, "token_url", err, errlen) < 0)
		return -1;
	/* the device authorization endpoint, for 'tlswatch auth login' */
	url = oauth_get(cfg, "device_url");
	if (url == NULL && oc->provider == OAUTH_MICROSOFT && tenant != NULL) {
		snprintf(buf, sizeof(buf), "%.*s/%s/oauth2/v2.0/devicecode", an, auth, tenant);
		url = buf;
	} else if (url == NULL && oc->provider == OAUTH_GOOGLE) {
		url = "https://oauth2.googleapis.com/device/code";
	}
	if (url != NULL && strncmp(url, "https://", 8) != 0) {
		snprintf(err, errlen, "[oauth] device_url: '%s' is not an https:// URL", esc(url));
		return -1;
	}
	if (url != NULL &&
	    oauth_copy(oc->device_url, sizeof(oc->device_url), url, "device_url", err, errlen) < 0)
		return -1;
	/* the authorization endpoint, for 'tlswatch auth login --browser' */
	url = oauth_get(cfg, "auth_url");
	if (url == NULL && oc->provider == OAUTH_MICROSOFT && tenant != NULL) {
		snprintf(buf, sizeof(buf), "%.*s/%s/oauth2/v2.0/authorize", an, auth, tenant);
		url = buf;
	} else if (url == NULL && oc->provider == OAUTH_GOOGLE) {
		url = "https://accounts.google.com/o/oauth2/v2/auth";
	}
	if (url != NULL && (strncmp(url, "https://", 8) != 0 || strchr(url, '?') != NULL)) {
		snprintf(err, errlen,
		         "[oauth] auth_url: '%s' is not an https:// URL without a query", esc(url));
		return -1;
	}
	return url == NULL
	           ? 0
	           : oauth_copy(oc->auth_url, sizeof(oc->auth_url), url, "auth_url", err, errlen);
}

/* Which flow the configured files ask for. */
static int oauth_pick_flow(struct oauth_config *oc, char *err, size_t errlen)
{
	if (oc->refresh_token_file != NULL) {
		oc->flow = OAUTH_FLOW_REFRESH;
	} else if (oc->certificate_file != NULL) {
		if (oc->private_key_file == NULL) {
			snprintf(err, errlen,
			         "[oauth] certificate_file needs private_key_file (the key the "
			         "certificate belongs to)");
			return -1;
		}
		oc->flow = OAUTH_FLOW_CERTIFICATE;
	} else if (oc->private_key_file != NULL && oc->provider == OAUTH_GOOGLE) {
		oc->flow = OAUTH_FLOW_SERVICE_ACCOUNT;
	} else if (oc->client_secret_file != NULL) {
		oc->flow = OAUTH_FLOW_SECRET;
	} else {
		snprintf(err, errlen,
		         "[oauth] set client_secret_file, certificate_file + private_key_file, "
		         "refresh_token_file, or (provider = google) a service account's "
		         "private_key_file");
		return -1;
	}
	if (oc->client_id == NULL && oc->flow != OAUTH_FLOW_SERVICE_ACCOUNT) {
		snprintf(err, errlen, "[oauth] client_id is not set (the application id)");
		return -1;
	}
	return 0;
}

int oauth_config_load(const struct config *cfg, const char *db_path, const char *imap_user,
                      struct oauth_config *oc, char *err, size_t errlen)
{
	const char *v, *slash;
	int n;

	memset(oc, 0, sizeof(*oc));
	v = oauth_get(cfg, "provider");
	if (v == NULL || strcmp(v, "microsoft") == 0) {
		oc->provider = OAUTH_MICROSOFT;
	} else if (strcmp(v, "google") == 0) {
		oc->provider = OAUTH_GOOGLE;
	} else if (strcmp(v, "generic") == 0) {
		oc->provider = OAUTH_GENERIC;
	} else {
		snprintf(err, errlen, "[oauth] provider: '%s' is not microsoft, google or generic",
		         esc(v));
		return -1;
	}
	oc->client_id = oauth_get(cfg, "client_id");
	oc->client_secret_file = oauth_get(cfg, "client_secret_file");
	oc->certificate_file = oauth_get(cfg, "certificate_file");
	oc->private_key_file = oauth_get(cfg, "private_key_file");
	oc->refresh_token_file = oauth_get(cfg, "refresh_token_file");
	oc->ca_file = oauth_get(cfg, "ca_file");
	if (oauth_pick_flow(oc, err, errlen) < 0 || oauth_pick_url(cfg, oc, err, errlen) < 0)
		return -1;
	/* Microsoft's documentation asks for PS256 (RS256 still works);
	 * Google's service accounts sign with RS256 only */
	v = oauth_get(cfg, "assertion_alg");
	if (v == NULL) {
		oc->assertion_pss = oc->provider == OAUTH_MICROSOFT;
	} else if (strcasecmp(v, "PS256") == 0 || strcasecmp(v, "RS256") == 0) {
		oc->assertion_pss = strcasecmp(v, "PS256") == 0;
	} else {
		snprintf(err, errlen, "[oauth] assertion_alg: '%s' is neither PS256 nor RS256",
		         esc(v));
		return -1;
	}
	if (oc->assertion_pss && oc->flow == OAUTH_FLOW_SERVICE_ACCOUNT) {
		snprintf(err, errlen,
		         "[oauth] assertion_alg: Google service accounts sign with RS256");
		return -1;
	}
	v = oauth_get(cfg, "scope");
	if (v == NULL && oc->provider == OAUTH_MICROSOFT)
		v = oc->flow == OAUTH_FLOW_REFRESH
		        ? "https://outlook.office.com/IMAP.AccessAsUser.All offline_access"
		        : "https://outlook.office365.com/.default";
	else if (v == NULL && oc->provider == OAUTH_GOOGLE)
		v = "https://mail.google.com/";
	if (v != NULL && oauth_copy(oc->scope, sizeof(oc->scope), v, "scope", err, errlen) < 0)
		return -1;
	v = oauth_get(cfg, "user");
	if (v == NULL)
		v = imap_user != NULL ? imap_user : "";
	if (oauth_copy(oc->user, sizeof(oc->user), v, "user", err, errlen) < 0)
		return -1;
	if ((v = oauth_get(cfg, "cache_file")) != NULL)
		return oauth_copy(oc->cache_file, sizeof(oc->cache_file), v, "cache_file", err,
		                  errlen);
	/* default: next to the database, which lives in the state directory
	 * (a database on a server has none here: the working directory) */
	slash = store_is_server(db_path) ? NULL : strrchr(db_path, '/');
	if (slash == NULL)
		n = snprintf(oc->cache_file, sizeof(oc->cache_file), "oauth-token.cache");
	else
		n = snprintf(oc->cache_file, sizeof(oc->cache_file), "%.*s/oauth-token.cache",
		             (int)(slash - db_path), db_path);
	if (n < 0 || (size_t)n >= sizeof(oc->cache_file)) {
		snprintf(err, errlen, "[oauth] cache_file: the database path is too long");
		return -1;
	}
	return 0;
}

int oauth_config_for_graph(const struct config *cfg, const char *resource, struct oauth_config *oc,
                           char *err, size_t errlen)
{
	if (oc->provider == OAUTH_GOOGLE) {
		snprintf(err, errlen,
		         "[oauth] provider: Microsoft Graph takes tokens from provider = microsoft "
		         "(or generic)");
		return -1;
	}
	if (oauth_get(cfg, "scope") != NULL)
		return 0;
	/* a resource's scopes are its URI and the permission (".default":
	 * the ones granted to the app) */
	if ((size_t)snprintf(oc->scope, sizeof(oc->scope), "%s%s", resource,
	                     oc->flow == OAUTH_FLOW_REFRESH ? "Mail.ReadWrite offline_access"
	                                                    : ".default") >= sizeof(oc->scope)) {
		snprintf(err, errlen, "[graph] endpoint: too long for a scope");
		return -1;
	}
	return 0;
}

/* Microsoft's AADSTS codes a person can fix, and what to check. */
static const struct {
	const char *code;
	const char *advice;
} oauth_aadsts[] = {
    {"AADSTS7000215", "invalid client secret: client_secret_file must hold the secret's "
                      "Value (not its Secret ID) from the app registration's Certificates "
                      "& secrets"},
    {"AADSTS7000222", "the client secret has expired: add a new one under Certificates & "
                      "secrets and put its Value in client_secret_file"},
    {"AADSTS700016", "application not found in the tenant: check client_id (the "
                     "Application (client) ID) and tenant"},
    {"AADSTS90002", "tenant not found: check tenant (the Directory (tenant) ID or a "
                    "verified domain)"},
    {"AADSTS700027", "the client assertion's signature did not verify: upload "
                     "certificate_file to the app registration and check private_key_file "
                     "is its key"},
    {"AADSTS700024", "the client assertion is outside its valid time: check this "
                     "machine's clock"},
    {"AADSTS70011", "the scope is not valid: for IMAP use "
                    "https://outlook.office365.com/.default"},
    {"AADSTS70008", "the refresh token has expired or was revoked: sign in again and put "
                    "the new refresh token in refresh_token_file"},
    {"AADSTS700082", "the refresh token has expired after inactivity: sign in again and "
                     "put the new refresh token in refresh_token_file"},
    {"AADSTS50173", "the refresh token was revoked (password change?): sign in again and "
                    "put the new refresh token in refresh_token_file"},
    {"AADSTS65001", "admin consent is missing: grant admin consent for the app's API "
                    "permissions (IMAP.AccessAsApp) in the app registration"},
    {"AADSTS7000112", "the application is disabled in the tenant: enable it under "
                      "Enterprise applications"},
    {"AADSTS500011", "the resource is not in the tenant: check scope (Office 365 "
                     "Exchange Online must be licensed in the tenant)"},
};

void oauth_explain(const char *error, const char *description, const struct oauth_config *oc,
                   char *out, size_t outlen)
{
	const char *e = error != NULL ? error : "no error code";
	const char *d = description != NULL ? description : "";
	size_t i;

	for (i = 0; i < sizeof(oauth_aadsts) / sizeof(oauth_aadsts[0]); i++) {
		size_t n = strlen(oauth_aadsts[i].code);

		if (strncmp(d, oauth_aadsts[i].code, n) == 0 && (d[n] == ':' || d[n] == '\0')) {
			snprintf(out, outlen, "%s (%s): %s (client_id %s)", oauth_aadsts[i].code,
			         esc(e), oauth_aadsts[i].advice, esc(oc->client_id));
			return;
		}
	}
	if (strcmp(e, "invalid_grant") == 0 && oc->flow == OAUTH_FLOW_REFRESH)
		snprintf(out, outlen,
		         "invalid_grant: the refresh token has expired or was revoked: sign in "
		         "again and put the new refresh token in refresh_token_file (%s)",
		         esc(d));
	else if (strcmp(e, "unauthorized_client") == 0 && oc->flow == OAUTH_FLOW_SERVICE_ACCOUNT)
		snprintf(out, outlen,
		         "unauthorized_client: the service account has no domain-wide delegation "
		         "for scope %s: add its client id in the Admin console (Security > API "
		         "controls > Domain-wide delegation) (%s)",
		         esc(oc->scope), esc(d));
	else if (strcmp(e, "access_denied") == 0 || strcmp(e, "authorization_declined") == 0)
		snprintf(out, outlen, "%s: the sign-in was declined; run tlswatch auth login again",
		         esc(e));
	else if (strcmp(e, "expired_token") == 0)
		snprintf(out, outlen,
		         "expired_token: nobody signed in before the code expired; run tlswatch "
		         "auth login again");
	else if (strcmp(e, "invalid_client") == 0)
		snprintf(out, outlen,
		         "invalid_client: the endpoint does not accept this client: check "
		         "client_id and its secret or key (%s)",
		         esc(d));
	else
		snprintf(out, outlen, "%s: %s", esc(e), d[0] != '\0' ? esc(d) : "(no description)");
}

const char *oauth_refused_hint(const struct oauth_config *oc)
{
	if (oc->provider == OAUTH_MICROSOFT && oc->flow != OAUTH_FLOW_REFRESH)
		return "; the token was issued but the mailbox refused it: check the app's "
		       "IMAP.AccessAsApp permission with admin consent, the Exchange service "
		       "principal (New-ServicePrincipal) and the mailbox permission "
		       "(Add-MailboxPermission), see docs/mailbox-m365.md";
	if (oc->flow == OAUTH_FLOW_SERVICE_ACCOUNT)
		return "; the token was issued but the mailbox refused it: check user (the "
		       "mailbox) and that IMAP is enabled for it, see docs/mailbox-google.md";
	return "; the token was issued but the mailbox refused it: check user and scope";
}
