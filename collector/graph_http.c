/*
 * graph_http.c - everything Graph does with libcurl: HTTPS requests to the
 * configured endpoint only (no redirects, no other protocol), with the
 * bearer token from collector/oauth.h, each answer capped in size and time,
 * throttling waited out within a budget, a refused token replaced once.
 * Input: the server's answers are untrusted; this file only caps them.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "escape.h"
#include "graph_impl.h"
#include "limits.h"
#include "log.h"
#include "oauth.h"
#include "xalloc.h"

struct graph_http {
	const struct graph_config *gc;
	CURL *curl; /* one handle: its connection is reused */
	char *token;
	int debug;
	long waited; /* seconds spent waiting out throttling this run */
};

/* The body as it arrives, kept within its cap. */
struct graph_sink {
	struct strbuf *sb;
	size_t cap;
	int truncate_ok;
	int over; /* the body went past the cap */
};

int graph_http_new(const struct graph_config *gc, int debug, struct graph_http **out, char *err,
                   size_t errlen)
{
	struct graph_http *h;
	char why[ERR_LINE_MAX];
	int from_cache = 0;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		snprintf(err, errlen, "graph %s: libcurl did not start", gc->server);
		return -1;
	}
	h = xcalloc(1, sizeof(*h));
	h->gc = gc;
	h->debug = debug;
	if ((h->curl = curl_easy_init()) == NULL) {
		snprintf(err, errlen, "graph %s: libcurl did not start", gc->server);
		graph_http_free(h);
		return -1;
	}
	if (oauth_token_get(gc->oauth, 0, &h->token, &from_cache, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "graph %s: token: %s", gc->server, why);
		graph_http_free(h);
		return -1;
	}
	*out = h;
	return 0;
}

void graph_http_free(struct graph_http *h)
{
	if (h == NULL)
		return;
	if (h->curl != NULL)
		curl_easy_cleanup(h->curl);
	oauth_token_free(h->token);
	free(h);
	curl_global_cleanup();
}

void graph_reply_free(struct graph_reply *r)
{
	strbuf_free(&r->body);
	memset(r, 0, sizeof(*r));
}

int graph_url_append(struct strbuf *sb, const char *s)
{
	/* the handle is unused since curl 7.82 (Debian 12 has 7.88) */
	char *enc = curl_easy_escape(NULL, s, 0);
	int rc;

	if (enc == NULL)
		return -1;
	rc = strbuf_append(sb, enc, strlen(enc));
	curl_free(enc);
	return rc;
}

static size_t graph_collect(char *data, size_t size, size_t n, void *arg)
{
	struct graph_sink *k = arg;
	size_t room = k->cap - k->sb->len;

	if (size * n <= room)
		return strbuf_append(k->sb, data, size * n) < 0 ? 0 : size * n;
	/* past the cap: keep what fits (a message to quarantine) and stop;
	 * a short count makes curl end the transfer */
	k->over = 1;
	if (k->truncate_ok && room > 0 && strbuf_append(k->sb, data, room) < 0)
		return 0;
	return 0;
}

/* The header lines of one request; the Authorization line is wiped when
 * the list is freed (graph_headers_free). */
static struct curl_slist *graph_headers(const struct graph_http *h, int json_body)
{
	struct curl_slist *hdr = NULL;
	struct strbuf auth;

	strbuf_init(&auth, LIMIT_SECRET_BYTES + 64);
	if (strbuf_printf(&auth, "Authorization: Bearer %s", h->token) < 0)
		abort(); /* the token is at most LIMIT_SECRET_BYTES (oauth.c) */
	hdr = curl_slist_append(hdr, strbuf_str(&auth));
	explicit_bzero(auth.data, auth.len);
	strbuf_free(&auth);
	hdr = curl_slist_append(hdr, "Accept: application/json");
	if (json_body)
		hdr = curl_slist_append(hdr, "Content-Type: application/json");
	return hdr;
}

static void graph_headers_free(struct curl_slist *hdr)
{
	struct curl_slist *it;

	for (it = hdr; it != NULL; it = it->next)
		explicit_bzero(it->data, strlen(it->data));
	curl_slist_free_all(hdr);
}

/* One request, no retries. *retry_after: seconds the server asked for (-1:
 * none). 0, or -1 on a transport error or a body past the cap. */
static int graph_perform(struct graph_http *h, const char *what, const char *method,
                         const char *url, const char *json_body, struct graph_sink *k,
                         struct graph_reply *r, long *retry_after, char *err, size_t errlen)
{
	const struct graph_config *gc = h->gc;
	struct curl_slist *hdr = graph_headers(h, json_body != NULL);
	char cerr[CURL_ERROR_SIZE] = "";
	curl_off_t cl = -1, ra = -1;
	CURL *c = h->curl;
	CURLcode cc;
	int rc = -1;

	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, gc->timeout);
	/* timeout: seconds without a byte; a slow drip is cut after
	 * LIMIT_IMAP_COMMAND_TIMEOUTS of them in all, as for IMAP */
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, gc->timeout);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, gc->timeout * LIMIT_IMAP_COMMAND_TIMEOUTS);
	if (gc->ca_file != NULL)
		curl_easy_setopt(c, CURLOPT_CAINFO, gc->ca_file);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	if (json_body != NULL) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, json_body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(json_body));
	} else {
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	}
	curl_easy_setopt(c, CURLOPT_USERAGENT, "tlswatch");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, graph_collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, k);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
	cc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	if (h->debug)
		log_debug("graph: %s %s: HTTP %ld, %zu bytes", method, esc(url), r->status,
		          k->sb->len);
	if (k->over && !k->truncate_ok) {
		snprintf(err, errlen, "graph %s: %s: the answer is larger than %zu bytes",
		         gc->server, what, k->cap);
		goto out;
	}
	if (cc != CURLE_OK && !(k->over && cc == CURLE_WRITE_ERROR)) {
		snprintf(err, errlen, "graph %s: %s: %s", gc->server, what,
		         cerr[0] != '\0' ? esc(cerr) : curl_easy_strerror(cc));
		goto out;
	}
	curl_easy_getinfo(c, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl);
	curl_easy_getinfo(c, CURLINFO_RETRY_AFTER, &ra);
	r->content_length = cl >= 0 ? (int64_t)cl : -1;
	r->truncated = k->over;
	/* 0: no (valid) Retry-After; a longer wait than a day is refused later */
	*retry_after = ra > 0 ? (long)(ra < 86400 ? ra : 86400) : -1;
	rc = 0;
out:
	graph_headers_free(hdr);
	return rc;
}

/* A new token after a 401. 0, or -1. */
static int graph_new_token(struct graph_http *h, const char *what, char *err, size_t errlen)
{
	char why[ERR_LINE_MAX];
	int from_cache = 0;

	oauth_token_free(h->token);
	h->token = NULL;
	if (oauth_token_get(h->gc->oauth, 1, &h->token, &from_cache, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "graph %s: %s: the token was refused, and a new one: %s",
		         h->gc->server, what, why);
		return -1;
	}
	return 0;
}

/* Waits out a throttled answer. 0, or -1 when the wait is over budget. */
static int graph_wait(struct graph_http *h, const char *what, long status, long retry_after,
                      int attempt, char *err, size_t errlen)
{
	/* no Retry-After: exponential back-off, as Microsoft recommends */
	long wait = retry_after >= 0 ? retry_after : 1L << (attempt < 6 ? attempt : 6);

	if (wait < 1)
		wait = 1;
	if (attempt + 1 >= LIMIT_GRAPH_RETRIES || wait > LIMIT_GRAPH_RETRY_WAIT_SECONDS ||
	    h->waited + wait > LIMIT_GRAPH_RETRY_TOTAL_SECONDS) {
		snprintf(err, errlen,
		         "graph %s: %s: HTTP %ld (throttled or unavailable) after %d tries and "
		         "%ld s of waiting%s; the next run continues",
		         h->gc->server, what, status, attempt + 1, h->waited,
		         wait > LIMIT_GRAPH_RETRY_WAIT_SECONDS ? ", and it asks for a longer wait"
		                                               : "");
		return -1;
	}
	log_verbose("graph %s: %s: HTTP %ld, waiting %ld s as asked", h->gc->server, what, status,
	            wait);
	h->waited += wait;
	sleep((unsigned)wait);
	return 0;
}

int graph_http_request(struct graph_http *h, const char *what, const char *method, const char *url,
                       const char *json_body, size_t cap, int truncate_ok, struct graph_reply *r,
                       char *err, size_t errlen)
{
	struct graph_sink k;
	long retry_after;
	int attempt, refreshed = 0;

	memset(r, 0, sizeof(*r));
	if (!graph_link_ok(url, h->gc->origin)) {
		snprintf(err, errlen, "graph %s: %s: refusing a URL outside %s: %s", h->gc->server,
		         what, h->gc->origin, esc(url));
		return -1;
	}
	for (attempt = 0;; attempt++) {
		graph_reply_free(r);
		strbuf_init(&r->body, cap);
		memset(&k, 0, sizeof(k));
		k.sb = &r->body;
		k.cap = cap;
		k.truncate_ok = truncate_ok;
		if (graph_perform(h, what, method, url, json_body, &k, r, &retry_after, err,
		                  errlen) < 0)
			break;
		if (r->status == 401 && !refreshed) {
			refreshed = 1;
			if (graph_new_token(h, what, err, errlen) < 0)
				break;
			continue;
		}
		if (r->status == 429 || r->status == 503 || r->status == 504) {
			if (graph_wait(h, what, r->status, retry_after, attempt, err, errlen) < 0)
				break;
			continue;
		}
		return 0;
	}
	graph_reply_free(r);
	return -1;
}
