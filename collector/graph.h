/*
 * graph.h - the rua mailbox through Microsoft Graph, for tenants where
 * IMAP is off: the [graph] section, and the calls 'collect' makes (list a
 * folder's messages, fetch one's MIME, move it). graph_http.c is the one
 * file that speaks HTTP (libcurl), graph_json.c the one that parses the
 * answers (cJSON); this interface uses neither.
 *
 * Input: every answer is untrusted: size-capped before it is parsed, JSON
 * nesting checked before cJSON sees it, ids and links checked before they
 * go into a URL, and a link never leaves the configured endpoint (the
 * bearer token goes nowhere else). Throttling (429, 503, 504) is waited
 * out as Retry-After asks, within LIMIT_GRAPH_RETRY_* in all; a refused
 * token (401) is replaced once. The token never appears in logs or errors.
 *
 * Errors are one line naming the endpoint, the step and Graph's error code
 * with what to check: "graph graph.microsoft.com: list messages: HTTP 403
 * ErrorAccessDenied: ...".
 */
#ifndef TLSWATCH_GRAPH_H
#define TLSWATCH_GRAPH_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "oauth.h"

/* The [graph] section, checked. Strings are borrowed from the config. */
struct graph_config {
	const char *mailbox;              /* user principal name or object id */
	const char *folder;               /* default "inbox" */
	const char *processed_folder;     /* required: Graph keeps no UID to resume from */
	const char *invalid_folder;       /* NULL: processed_folder */
	const char *other_folder;         /* NULL: processed_folder */
	const char *ca_file;              /* NULL: system trust */
	long timeout;                     /* seconds without progress, per request */
	const struct oauth_config *oauth; /* the caller sets it ([oauth]) */
	char base_url[1024];              /* https://graph.microsoft.com/v1.0, no '/' at the end */
	char origin[1024];                /* scheme://host[:port]/ of base_url */
	char server[300];                 /* host[:port], for errors */
};

/* 1 when the configuration has a [graph] mailbox. */
int graph_configured(const struct config *cfg);

/* Reads and checks [graph]; folder_override (--folder) replaces 'folder'.
 * 0, or -1 with "[graph] KEY: reason". */
int graph_config_load(const struct config *cfg, const char *folder_override,
                      struct graph_config *gc, char *err, size_t errlen);

struct graph_session;

/* Gets a token (oauth_token_get) and prepares the HTTP handle. Nothing is
 * sent to Graph yet. debug: log each request line and status (-vv), never
 * the token. 0 with *out, or -1. */
int graph_open(const struct graph_config *gc, int debug, struct graph_session **out, char *err,
               size_t errlen);
/* graph_close(NULL) is a no-op. */
void graph_close(struct graph_session *s);

/* The id of a configured folder: a well-known name (inbox, archive, ...)
 * is used as it is; otherwise a path of displayNames separated by '/'
 * from the top of the mailbox, each level found in its parent's folder
 * list (case-insensitively, as Exchange compares folder names). A missing
 * level is created when create is set (in a dry run only said, with -v,
 * and id is ""); else it is an error. 0 with id, or -1. */
int graph_folder_id(struct graph_session *s, const char *configured, int create, int dry_run,
                    char *id, size_t idlen, char *err, size_t errlen);

/* The ids of the messages in folder (an id from graph_folder_id), page
 * after page through @odata.nextLink, at most max of them, each once.
 * *ids: n strings (graph_ids_free). 0, or -1. */
int graph_list_messages(struct graph_session *s, const char *folder, size_t max, char ***ids,
                        size_t *n, char *err, size_t errlen);
void graph_ids_free(char **ids, size_t n);

/* One message's MIME (/$value). Over max_len, the first max_len bytes and
 * *truncated = 1 (*orig_size as announced, or at least max_len + 1).
 * *gone = 1 (and no data) when the message no longer exists (moved or
 * deleted by another client). 0 with *data (free()), or -1. */
int graph_fetch_mime(struct graph_session *s, const char *id, size_t max_len, uint8_t **data,
                     size_t *len, int64_t *orig_size, int *truncated, int *gone, char *err,
                     size_t errlen);

/* Moves a message to folder (an id). *gone = 1 when it no longer exists.
 * 0, or -1. */
int graph_move(struct graph_session *s, const char *id, const char *folder, int *gone, char *err,
               size_t errlen);

#endif
