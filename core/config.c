/*
 * config.c - INI file loading through inih, with a list of known keys.
 * Input: an operator-written file; sizes are still bounded.
 */
#include "config.h"

#include <errno.h>
#include <ini.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "limits.h"
#include "xalloc.h"

/* More than any real configuration needs; bounds a runaway file. */
#define CONFIG_MAX_ENTRIES 256

struct config_entry {
	char *section;
	char *key;
	char *value;
};

struct config {
	char *path;
	struct config_entry entries[CONFIG_MAX_ENTRIES];
	size_t n;
};

struct config_load_state {
	struct config *c;
	char *err;
	size_t errlen;
	int failed;
};

/* Every key tlswatch reads, as "section.key" ("" section: ".key"). */
static const char *const config_known[] = {
    ".database",
    ".password_file",
    ".password_command",
    ".password_command_timeout",
    "imap.host",
    "imap.port",
    "imap.tls",
    "imap.tls_verify",
    "imap.ca_file",
    "imap.user",
    "imap.password_file",
    "imap.password_command",
    "imap.password_command_timeout",
    "imap.auth",
    "imap.folder",
    "imap.processed_folder",
    "imap.invalid_folder",
    "imap.other_folder",
    "imap.timeout",
    "imap.batch_size",
    "graph.mailbox",
    "graph.folder",
    "graph.processed_folder",
    "graph.invalid_folder",
    "graph.other_folder",
    "graph.endpoint",
    "graph.ca_file",
    "graph.timeout",
    "oauth.provider",
    "oauth.tenant",
    "oauth.authority",
    "oauth.assertion_alg",
    "oauth.client_id",
    "oauth.client_secret_file",
    "oauth.certificate_file",
    "oauth.private_key_file",
    "oauth.refresh_token_file",
    "oauth.token_url",
    "oauth.device_url",
    "oauth.auth_url",
    "oauth.scope",
    "oauth.user",
    "oauth.ca_file",
    "oauth.cache_file",
    "web.listen",
    "web.auth_file",
    "web.tls_cert",
    "web.tls_key",
    "web.intake",
    "web.intake_listen",
    "web.intake_path",
    "web.intake_allow",
    "web.no_auth",
    "web.base_url",
    "web.intake_rate",
    "web.request_timeout",
    "web.metrics_labels",
    "web.intake_client_bytes",
    "web.intake_day_bytes",
    "alert.window",
    "alert.baseline",
    "alert.factor",
    "alert.min_failures",
    "alert.exec",
    "alert.webhook",
    "alert.repeat_after",
    "alert.lookback",
    "alert.webhook_format",
    "retention.keep_days",
    "counting.sts_tlsa_same",
    "counting.sts_tlsa_disjoint",
    "quarantine.max_bytes",
    "quarantine.keep_days",
    "check.domains",
    "check.resolver",
    "check.trust_anchor",
    "check.ca_file",
    "check.smtp_port",
    "check.https_port",
    "check.timeout",
    "check.expiry_warn_days",
    "trust.dkim",
    "trust.authserv_id",
    "trust.domains",
    "trust.resolver",
    "trust.dns_timeout",
    NULL,
};

static int config_is_known(const char *section, const char *key)
{
	char name[128];
	size_t i;

	if ((size_t)snprintf(name, sizeof(name), "%s.%s", section, key) >= sizeof(name))
		return 0;
	for (i = 0; config_known[i] != NULL; i++)
		if (strcmp(config_known[i], name) == 0)
			return 1;
	return 0;
}

/* inih (Debian's build) passes no line number; returning 0 makes
 * ini_parse_file() return the line, which config_load() adds. */
static int config_handler(void *user, const char *section, const char *key, const char *value)
{
	struct config_load_state *ls = user;
	struct config *c = ls->c;
	size_t i;

	if (ls->failed)
		return 0;
	if (!config_is_known(section, key)) {
		if (section[0] != '\0')
			snprintf(ls->err, ls->errlen, "unknown key '%s' in [%s]", key, section);
		else
			snprintf(ls->err, ls->errlen, "unknown key '%s'", key);
		ls->failed = 1;
		return 0;
	}
	for (i = 0; i < c->n; i++) {
		if (strcmp(c->entries[i].section, section) == 0 &&
		    strcmp(c->entries[i].key, key) == 0) {
			snprintf(ls->err, ls->errlen, "'%s' set twice", key);
			ls->failed = 1;
			return 0;
		}
	}
	if (c->n == CONFIG_MAX_ENTRIES) {
		snprintf(ls->err, ls->errlen, "more than %d settings", CONFIG_MAX_ENTRIES);
		ls->failed = 1;
		return 0;
	}
	c->entries[c->n].section = xstrdup(section);
	c->entries[c->n].key = xstrdup(key);
	c->entries[c->n].value = xstrdup(value);
	c->n++;
	return 1;
}

struct config *config_new_empty(void)
{
	return xcalloc(1, sizeof(struct config));
}

/* Runs inih over f (already open) into a new configuration named name. */
static int config_parse_file(FILE *f, const char *name, struct config **out, char *err,
                             size_t errlen)
{
	struct config_load_state ls;
	struct config *c = config_new_empty();
	char why[ERR_LINE_MAX];
	int rc = -1, r;

	c->path = xstrdup(name);
	memset(&ls, 0, sizeof(ls));
	ls.c = c;
	ls.err = err;
	ls.errlen = errlen;
	r = ini_parse_file(f, config_handler, &ls);
	if (ls.failed) {
		snprintf(why, sizeof(why), "%s", err);
		snprintf(err, errlen, "%s:%d: %s", name, r, why);
		goto out;
	}
	if (r != 0) {
		snprintf(err, errlen, "%s:%d: syntax error", name, r);
		goto out;
	}
	*out = c;
	c = NULL;
	rc = 0;
out:
	config_free(c);
	return rc;
}

int config_load(const char *path, struct config **out, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	int rc;

	if (f == NULL) {
		snprintf(err, errlen, "config %s: %s", path, strerror(errno));
		return -1;
	}
	rc = config_parse_file(f, path, out, err, errlen);
	fclose(f);
	return rc;
}

int config_parse_text(const char *text, size_t len, const char *name, struct config **out,
                      char *err, size_t errlen)
{
	FILE *f;
	int rc;

	if (len == 0) { /* fmemopen refuses a zero size */
		*out = config_new_empty();
		(*out)->path = xstrdup(name);
		return 0;
	}
	f = fmemopen((void *)(uintptr_t)text, len, "r");
	if (f == NULL) {
		snprintf(err, errlen, "config %s: %s", name, strerror(errno));
		return -1;
	}
	rc = config_parse_file(f, name, out, err, errlen);
	fclose(f);
	return rc;
}

void config_free(struct config *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->n; i++) {
		free(c->entries[i].section);
		free(c->entries[i].key);
		free(c->entries[i].value);
	}
	free(c->path);
	free(c);
}

const char *config_get(const struct config *c, const char *section, const char *key)
{
	size_t i;

	if (c == NULL)
		return NULL;
	for (i = 0; i < c->n; i++)
		if (strcmp(c->entries[i].section, section) == 0 &&
		    strcmp(c->entries[i].key, key) == 0)
			return c->entries[i].value;
	return NULL;
}

const char *config_path(const struct config *c)
{
	return c != NULL ? c->path : NULL;
}
