/*
 * http.h - requests and responses as the pages see them, apart from the
 * HTTP library (only server.c includes microhttpd.h). The request's path
 * and query are untrusted; the router checks them before any page runs.
 */
#ifndef TLSWATCH_WEB_HTTP_H
#define TLSWATCH_WEB_HTTP_H

#include <stddef.h>

#include "app.h"
#include "strbuf.h"

struct web_request {
	const char *method; /* "GET", "HEAD", ... */
	const char *path;   /* the URL up to '?', not decoded */
	const char *query;  /* after '?', not decoded; "" when none */
	size_t query_len;
	const char *client_ip;
	const char *user; /* authenticated user, or NULL */
};

struct web_response {
	unsigned status;
	const char *content_type; /* a literal */
	struct strbuf body;       /* capped at LIMIT_WEB_PAGE_BYTES */
	const char *allow;        /* Allow header for 405, or NULL */
	unsigned retry_after;     /* Retry-After seconds (429, 503); 0: none */
	int cacheable;            /* 1: a static asset (Cache-Control) */
};

/* Headers sent with every response, whatever its status. */
struct web_header {
	const char *name;
	const char *value;
};
extern const struct web_header web_security_headers[];
extern const size_t web_n_security_headers;

/* A strict policy: no script at all, styles and images from us only. */
#define WEB_CSP                                                                                    \
	"default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "         \
	"base-uri 'none'; frame-ancestors 'none'"

void web_response_init(struct web_response *r);
/* Sets the body to one line of our own text and a newline ("ok",
 * "authentication required"). Such a line always fits the body's cap;
 * were it not to, the body is left empty rather than cut. */
void web_response_line(struct web_response *r, const char *line);
void web_response_free(struct web_response *r);
enum web_error_kind { WEB_ERR_HTML, WEB_ERR_JSON, WEB_ERR_TEXT };

/* Replaces the body with a short error for a page (HTML), the API
 * ({"error": "..."}) or a machine endpoint (text/plain); message may hold
 * report or request text: it is escaped for the format. */
void web_response_error(struct web_response *r, unsigned status, enum web_error_kind kind,
                        const char *message);

/* Answers one request (not the intake, which the server routes itself):
 * pages, API, metrics, static files, /healthz. */
void web_route(struct web_app *app, const struct web_request *req, struct web_response *resp);

#endif
