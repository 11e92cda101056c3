/*
 * imap_config.c - the [imap] section of the configuration, checked into a
 * struct imap_config. Input: the operator's configuration file (trusted,
 * but every value is still checked, and echoed escaped).
 */
#include "imap.h"

#include <stdio.h>
#include <string.h>

#include "escape.h"
#include "limits.h"
#include "parse_int.h"

static const char *imap_get(const struct config *cfg, const char *key)
{
	const char *v = config_get(cfg, "imap", key);

	return v != NULL && v[0] != '\0' ? v : NULL;
}

int imap_config_load(const struct config *cfg, const char *folder_override, struct imap_config *ic,
                     char *err, size_t errlen)
{
	const char *v;
	const char *dest[3];
	int64_t n;
	size_t i;

	memset(ic, 0, sizeof(*ic));
	if ((ic->host = imap_get(cfg, "host")) == NULL) {
		snprintf(err, errlen, "[imap] host is not set (see docs/collect.md)");
		return -1;
	}
	if ((ic->user = imap_get(cfg, "user")) == NULL) {
		snprintf(err, errlen, "[imap] user is not set");
		return -1;
	}
	v = imap_get(cfg, "tls");
	if (v == NULL || strcmp(v, "imaps") == 0) {
		ic->tls = IMAP_TLS_IMAPS;
	} else if (strcmp(v, "starttls") == 0) {
		ic->tls = IMAP_TLS_STARTTLS;
	} else {
		snprintf(err, errlen, "[imap] tls: '%s' is neither imaps nor starttls", esc(v));
		return -1;
	}
	v = imap_get(cfg, "tls_verify");
	if (v == NULL || strcmp(v, "yes") == 0) {
		ic->tls_verify = 1;
	} else if (strcmp(v, "no") == 0) {
		ic->tls_verify = 0;
	} else {
		snprintf(err, errlen, "[imap] tls_verify: '%s' is neither yes nor no", esc(v));
		return -1;
	}
	ic->port = ic->tls == IMAP_TLS_IMAPS ? 993 : 143;
	if ((v = imap_get(cfg, "port")) != NULL) {
		if (parse_int(v, 1, 65535, &n, NULL, 0) < 0) {
			snprintf(err, errlen, "[imap] port: '%s' is not a port number", esc(v));
			return -1;
		}
		ic->port = (uint16_t)n;
	}
	ic->ca_file = imap_get(cfg, "ca_file");
	ic->password_file = imap_get(cfg, "password_file");
	ic->password_command = imap_get(cfg, "password_command");
	v = imap_get(cfg, "auth");
	if (v != NULL && strcmp(v, "xoauth2") == 0 && oauth_configured(cfg)) {
		/* tlswatch gets the token itself (collector/oauth.h) */
		if (ic->password_file != NULL || ic->password_command != NULL) {
			snprintf(err, errlen,
			         "[imap] with an [oauth] section, leave password_file and "
			         "password_command unset");
			return -1;
		}
	} else if ((ic->password_file != NULL) == (ic->password_command != NULL)) {
		snprintf(err, errlen,
		         "[imap] set exactly one of password_file and password_command");
		return -1;
	}
	ic->password_timeout = LIMIT_SECRET_SECONDS_DEFAULT;
	if ((v = imap_get(cfg, "password_command_timeout")) != NULL) {
		if (parse_int(v, 1, LIMIT_SECRET_SECONDS_MAX, &n, NULL, 0) < 0) {
			snprintf(err, errlen,
			         "[imap] password_command_timeout: '%s' is not 1..%d seconds",
			         esc(v), LIMIT_SECRET_SECONDS_MAX);
			return -1;
		}
		ic->password_timeout = (long)n;
	}
	v = imap_get(cfg, "auth");
	if (v == NULL || strcmp(v, "login") == 0) {
		ic->auth = IMAP_AUTH_LOGIN;
	} else if (strcmp(v, "xoauth2") == 0) {
		ic->auth = IMAP_AUTH_XOAUTH2;
	} else {
		snprintf(err, errlen, "[imap] auth: '%s' is neither login nor xoauth2", esc(v));
		return -1;
	}
	ic->folder = folder_override != NULL ? folder_override : imap_get(cfg, "folder");
	if (ic->folder == NULL || ic->folder[0] == '\0')
		ic->folder = "INBOX";
	ic->processed_folder = imap_get(cfg, "processed_folder");
	ic->invalid_folder = imap_get(cfg, "invalid_folder");
	ic->other_folder = imap_get(cfg, "other_folder");
	dest[0] = ic->processed_folder;
	dest[1] = ic->invalid_folder;
	dest[2] = ic->other_folder;
	for (i = 0; i < 3; i++) {
		if (dest[i] != NULL && strcmp(dest[i], ic->folder) == 0) {
			snprintf(err, errlen,
			         "[imap] '%s' is the folder being collected; it cannot also be "
			         "where messages are moved",
			         esc(dest[i]));
			return -1;
		}
	}
	ic->timeout = 60;
	if ((v = imap_get(cfg, "timeout")) != NULL) {
		if (parse_int(v, 1, 3600, &n, NULL, 0) < 0) {
			snprintf(err, errlen, "[imap] timeout: '%s' is not 1..3600 seconds",
			         esc(v));
			return -1;
		}
		ic->timeout = (long)n;
	}
	ic->batch_size = LIMIT_IMAP_BATCH_DEFAULT;
	if ((v = imap_get(cfg, "batch_size")) != NULL) {
		if (parse_int(v, 1, LIMIT_IMAP_BATCH_MAX, &n, NULL, 0) < 0) {
			snprintf(err, errlen, "[imap] batch_size: '%s' is not 1..%d", esc(v),
			         LIMIT_IMAP_BATCH_MAX);
			return -1;
		}
		ic->batch_size = (size_t)n;
	}
	if ((size_t)snprintf(ic->server, sizeof(ic->server), "%s:%u", ic->host, ic->port) >=
	    sizeof(ic->server)) {
		snprintf(err, errlen, "[imap] host: name too long");
		return -1;
	}
	return 0;
}
