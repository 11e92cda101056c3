/*
 * graph_impl.h - the parts of graph.c: HTTP with libcurl (graph_http.c)
 * and the JSON answers with cJSON (graph_json.c). Not for use outside
 * collector/graph*.c.
 */
#ifndef TLSWATCH_GRAPH_IMPL_H
#define TLSWATCH_GRAPH_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "graph.h"
#include "strbuf.h"

struct graph_http;

/* One HTTP answer: the status and the body, capped. */
struct graph_reply {
	long status;
	struct strbuf body;
	int truncated;          /* the body went past the cap (only with truncate_ok) */
	int64_t content_length; /* as announced, -1 when not */
};

/* A handle for gc's endpoint holding an access token from gc->oauth. 0, or
 * -1 naming the token step. */
int graph_http_new(const struct graph_config *gc, int debug, struct graph_http **out, char *err,
                   size_t errlen);
void graph_http_free(struct graph_http *h);

/* Sends method ("GET" or "POST", json_body with POST) to url, which must
 * start with gc->origin, with the bearer token. 429, 503 and 504 are
 * retried after Retry-After (or a growing pause) while the run's wait
 * budget lasts; a 401 gets one new token and one retry. Any other status
 * is returned in *r. A body past cap is an error, unless truncate_ok:
 * then its first cap bytes are kept and r->truncated is set. what names
 * the step in errors. 0 (r filled; graph_reply_free), or -1. */
int graph_http_request(struct graph_http *h, const char *what, const char *method, const char *url,
                       const char *json_body, size_t cap, int truncate_ok, struct graph_reply *r,
                       char *err, size_t errlen);
void graph_reply_free(struct graph_reply *r);

/* Appends s percent-encoded for a URL path or query (RFC 3986 unreserved
 * characters stay). -1 past the cap. */
int graph_url_append(struct strbuf *sb, const char *s);

/* The JSON answers. Each checks size, nesting (LIMIT_GRAPH_JSON_DEPTH) and
 * shape first; a string taken for a URL is checked by graph_id_ok or
 * graph_link_ok by the caller.
 *
 * A page of a list ({"value": [...], "@odata.nextLink": "..."}): calls
 * each(arg, item_id, display_name) for every element (display_name NULL
 * when absent; each returns -1 to stop with an error), and sets *next
 * (free()) to the next link or NULL. 0, or -1. */
typedef int (*graph_each_fn)(void *arg, const char *id, const char *display_name);
int graph_json_page(const char *data, size_t len, graph_each_fn each, void *arg, char **next,
                    char *err, size_t errlen);

/* The "id" of a single object (a created folder). 0 with *id (free()),
 * or -1. */
int graph_json_id(const char *data, size_t len, char **id, char *err, size_t errlen);

/* Graph's error object ({"error": {"code": ..., "message": ...}}): code
 * and message copied (escaped, cut) into the buffers; "" when absent. */
void graph_json_error(const char *data, size_t len, char *code, size_t codelen, char *message,
                      size_t msglen);

/* 1 when id may go into a URL path: 1..LIMIT_GRAPH_ID_BYTES printable
 * ASCII characters without space. Encoded all the same. */
int graph_id_ok(const char *id);

/* 1 when link is within the endpoint (starts with origin, no more than
 * LIMIT_GRAPH_LINK_BYTES, printable ASCII): a link elsewhere would carry
 * the bearer token to another host. */
int graph_link_ok(const char *link, const char *origin);

#endif
