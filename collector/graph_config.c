/*
 * graph_config.c - the [graph] section of the configuration, checked into
 * a struct graph_config. Input: the operator's configuration file
 * (trusted, but every value is still checked, and echoed escaped).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "escape.h"
#include "graph.h"
#include "limits.h"
#include "parse_int.h"

static const char *graph_get(const struct config *cfg, const char *key)
{
	const char *v = config_get(cfg, "graph", key);

	return v != NULL && v[0] != '\0' ? v : NULL;
}

int graph_configured(const struct config *cfg)
{
	return graph_get(cfg, "mailbox") != NULL;
}

/* endpoint: https://host[:port][/path], kept without a final '/'; origin
 * and server are taken from it. */
static int graph_endpoint(const char *v, struct graph_config *gc, char *err, size_t errlen)
{
	const char *host = v + 8, *end;
	size_t n = strlen(v);

	while (n > 8 && v[n - 1] == '/')
		n--;
	end = host + strcspn(host, "/?#");
	if (strncmp(v, "https://", 8) != 0 || end == host || n >= sizeof(gc->base_url) ||
	    (size_t)(end - host) >= sizeof(gc->server) || strpbrk(v, "?# \t@") != NULL) {
		snprintf(err, errlen,
		         "[graph] endpoint: '%s' is not an https:// URL without query or user",
		         esc(v));
		return -1;
	}
	memcpy(gc->base_url, v, n);
	gc->base_url[n] = '\0';
	snprintf(gc->origin, sizeof(gc->origin), "%.*s/", (int)(end - v), v);
	snprintf(gc->server, sizeof(gc->server), "%.*s", (int)(end - host), host);
	return 0;
}

int graph_config_load(const struct config *cfg, const char *folder_override,
                      struct graph_config *gc, char *err, size_t errlen)
{
	const char *v, *dest[3] = {"processed_folder", "invalid_folder", "other_folder"};
	const char *val[3];
	int64_t n;
	size_t i;

	memset(gc, 0, sizeof(*gc));
	/* the mailbox goes into every URL: a user principal name or an id */
	gc->mailbox = graph_get(cfg, "mailbox");
	if (gc->mailbox == NULL || strlen(gc->mailbox) > 320 ||
	    strspn(gc->mailbox, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	                        ".@_+-") != strlen(gc->mailbox)) {
		snprintf(err, errlen,
		         "[graph] mailbox: set the mailbox's user principal name "
		         "(tls-reports@example.com) or object id");
		return -1;
	}
	gc->folder = folder_override != NULL ? folder_override : graph_get(cfg, "folder");
	if (gc->folder == NULL || gc->folder[0] == '\0')
		gc->folder = "inbox";
	gc->processed_folder = graph_get(cfg, "processed_folder");
	if (gc->processed_folder == NULL) {
		snprintf(err, errlen,
		         "[graph] processed_folder is not set: Graph keeps no position to resume "
		         "from, so collected mail must leave the folder");
		return -1;
	}
	gc->invalid_folder = graph_get(cfg, "invalid_folder");
	gc->other_folder = graph_get(cfg, "other_folder");
	val[0] = gc->processed_folder;
	val[1] = gc->invalid_folder;
	val[2] = gc->other_folder;
	for (i = 0; i < 3; i++) {
		if (val[i] != NULL && strcasecmp(val[i], gc->folder) == 0) {
			snprintf(err, errlen,
			         "[graph] %s: '%s' is the folder being collected; it cannot also "
			         "be where messages are moved",
			         dest[i], esc(val[i]));
			return -1;
		}
	}
	if (gc->invalid_folder == NULL)
		gc->invalid_folder = gc->processed_folder;
	if (gc->other_folder == NULL)
		gc->other_folder = gc->processed_folder;
	gc->ca_file = graph_get(cfg, "ca_file");
	gc->timeout = 60;
	if ((v = graph_get(cfg, "timeout")) != NULL) {
		if (parse_int(v, 1, 3600, &n, NULL, 0) < 0) {
			snprintf(err, errlen, "[graph] timeout: '%s' is not 1..3600 seconds",
			         esc(v));
			return -1;
		}
		gc->timeout = (long)n;
	}
	v = graph_get(cfg, "endpoint");
	return graph_endpoint(v != NULL ? v : "https://graph.microsoft.com/v1.0", gc, err, errlen);
}
