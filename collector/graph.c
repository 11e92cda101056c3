/*
 * graph.c - the Graph calls 'collect' makes: folders found by name (and
 * created), a folder's messages listed page by page, a message's MIME
 * fetched, a message moved; each failure explained in one line. Input:
 * the answers are untrusted (graph_http.c caps them, graph_json.c parses
 * them; every id and link is checked before it goes into a URL).
 */
#include "graph.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "escape.h"
#include "graph_impl.h"
#include "jsonw.h"
#include "limits.h"
#include "log.h"
#include "xalloc.h"

struct graph_session {
	const struct graph_config *gc;
	struct graph_http *http;
};

int graph_open(const struct graph_config *gc, int debug, struct graph_session **out, char *err,
               size_t errlen)
{
	struct graph_session *s = xcalloc(1, sizeof(*s));

	s->gc = gc;
	if (graph_http_new(gc, debug, &s->http, err, errlen) < 0) {
		free(s);
		return -1;
	}
	*out = s;
	return 0;
}

void graph_close(struct graph_session *s)
{
	if (s == NULL)
		return;
	graph_http_free(s->http);
	free(s);
}

void graph_ids_free(char **ids, size_t n)
{
	size_t i;

	for (i = 0; ids != NULL && i < n; i++)
		free(ids[i]);
	free(ids);
}

/* One line for an answer that is not what was asked for: the status,
 * Graph's error code and message, and what to check. */
static void graph_fail(const struct graph_session *s, const char *what, const struct graph_reply *r,
                       char *err, size_t errlen)
{
	char code[128], msg[ERR_LINE_MAX / 2];
	const char *hint = "";

	graph_json_error(strbuf_str(&r->body), r->body.len, code, sizeof(code), msg, sizeof(msg));
	if (r->status == 401)
		hint = "; the token was refused, a fresh one too: check [oauth] scope "
		       "(https://graph.microsoft.com/.default) and the app's Mail.ReadWrite "
		       "application permission with admin consent";
	else if (r->status == 403)
		hint = "; check the app's Mail.ReadWrite application permission (admin consent) "
		       "and that an application access policy, if any, includes the mailbox "
		       "(docs/mailbox-m365.md)";
	else if (r->status == 404 && strcmp(code, "ErrorItemNotFound") != 0)
		hint = "; check [graph] mailbox (the user principal name or object id of an "
		       "Exchange Online mailbox) and the folder";
	snprintf(err, errlen, "graph %s: %s: HTTP %ld%s%s%s%s (mailbox %s)%s", s->gc->server, what,
	         r->status, code[0] != '\0' ? " " : "", code, msg[0] != '\0' ? ": " : "", msg,
	         s->gc->mailbox, hint);
}

/* Starts url with the mailbox's root: BASE/users/MAILBOX. */
static void graph_url_user(const struct graph_session *s, struct strbuf *url)
{
	strbuf_init(url, LIMIT_GRAPH_LINK_BYTES);
	/* the base and the mailbox are checked at load and well within the cap */
	if (strbuf_printf(url, "%s/users/%s", s->gc->base_url, s->gc->mailbox) < 0)
		abort();
}

/* Appends "/mailFolders/ID" (or "/mailFolders" for NULL) and suffix. */
static int graph_url_folder(struct strbuf *url, const char *folder, const char *suffix)
{
	if (strbuf_append(url, "/mailFolders", 12) < 0)
		return -1;
	if (folder != NULL && (strbuf_append(url, "/", 1) < 0 || graph_url_append(url, folder) < 0))
		return -1;
	return strbuf_append(url, suffix, strlen(suffix));
}

/* Graph's well-known folder names, used as ids as they are. */
static const char *graph_well_known(const char *name, size_t len)
{
	static const char *const names[] = {
	    "archive", "clutter",   "conversationhistory", "deleteditems", "drafts",
	    "inbox",   "junkemail", "msgfolderroot",       "outbox",       "sentitems",
	    NULL,
	};
	size_t i;

	for (i = 0; names[i] != NULL; i++)
		if (strlen(names[i]) == len && strncasecmp(names[i], name, len) == 0)
			return names[i];
	return NULL;
}

/* Looking for one displayName in a folder list. */
struct graph_find {
	const char *name;
	char *id; /* the first match (free()) */
	size_t seen;
};

static int graph_find_each(void *arg, const char *id, const char *display_name)
{
	struct graph_find *f = arg;

	if (++f->seen > LIMIT_GRAPH_FOLDERS || !graph_id_ok(id))
		return -1;
	if (f->id == NULL && display_name != NULL && strcasecmp(display_name, f->name) == 0)
		f->id = xstrdup(id);
	return 0;
}

/* Follows a collection from url page by page, calling each for every
 * element, at most LIMIT_GRAPH_PAGES pages (stop: set by each's arg to
 * end early). 0, or -1. */
static int graph_pages(struct graph_session *s, const char *what, struct strbuf *first,
                       graph_each_fn each, void *arg, const int *stop, char *err, size_t errlen)
{
	struct graph_reply r;
	char *url = xstrdup(strbuf_str(first)), *next = NULL, why[ERR_LINE_MAX];
	int pages = 0, rc = -1;

	memset(&r, 0, sizeof(r));
	while (url != NULL && !(stop != NULL && *stop)) {
		if (++pages > LIMIT_GRAPH_PAGES) {
			log_warnx("graph %s: %s: more than %d pages; stopping there (the next run "
			          "continues)",
			          s->gc->server, what, LIMIT_GRAPH_PAGES);
			break;
		}
		if (graph_http_request(s->http, what, "GET", url, NULL, LIMIT_GRAPH_JSON_BYTES, 0,
		                       &r, err, errlen) < 0)
			goto out;
		if (r.status != 200) {
			graph_fail(s, what, &r, err, errlen);
			goto out;
		}
		if (graph_json_page(strbuf_str(&r.body), r.body.len, each, arg, &next, why,
		                    sizeof(why)) < 0) {
			snprintf(err, errlen, "graph %s: %s: %s", s->gc->server, what, why);
			goto out;
		}
		graph_reply_free(&r);
		if (next != NULL && !graph_link_ok(next, s->gc->origin)) {
			snprintf(err, errlen,
			         "graph %s: %s: @odata.nextLink leads outside %s; refused (the "
			         "token goes nowhere else)",
			         s->gc->server, what, s->gc->origin);
			goto out;
		}
		free(url);
		url = next;
		next = NULL;
	}
	rc = 0;
out:
	graph_reply_free(&r);
	free(url);
	free(next);
	return rc;
}

/* POSTs {"key": "value"} to url: 0 with *r (graph_reply_free), or -1. A
 * large answer is cut with truncate_ok (only its status matters). */
static int graph_post_field(struct graph_session *s, const char *what, const struct strbuf *url,
                            const char *key, const char *value, int truncate_ok,
                            struct graph_reply *r, char *err, size_t errlen)
{
	struct strbuf body;
	struct jsonw w;
	int rc = -1;

	strbuf_init(&body, LIMIT_IMAP_FOLDER_BYTES + LIMIT_GRAPH_ID_BYTES + 64);
	jsonw_init(&w, &body, 0);
	jsonw_object_begin(&w);
	jsonw_key(&w, key);
	jsonw_string(&w, value);
	jsonw_object_end(&w);
	if (w.failed)
		snprintf(err, errlen, "graph %s: %s: '%s' is too long", s->gc->server, what,
		         esc(value));
	else
		rc = graph_http_request(s->http, what, "POST", strbuf_str(url), strbuf_str(&body),
		                        LIMIT_GRAPH_JSON_BYTES, truncate_ok, r, err, errlen);
	strbuf_free(&body);
	return rc;
}

/* Creates folder name under parent (NULL: the top). 0 with *id, or -1. */
static int graph_folder_create(struct graph_session *s, const char *parent, const char *name,
                               char **id, char *err, size_t errlen)
{
	struct strbuf url;
	struct graph_reply r;
	char why[ERR_LINE_MAX];
	int rc = -1;

	memset(&r, 0, sizeof(r));
	graph_url_user(s, &url);
	if (graph_url_folder(&url, parent, parent != NULL ? "/childFolders" : "") < 0) {
		snprintf(err, errlen, "graph %s: folder id too long", s->gc->server);
		goto out;
	}
	if (graph_post_field(s, "create folder", &url, "displayName", name, 0, &r, err, errlen) < 0)
		goto out;
	if (r.status != 201 && r.status != 200) {
		graph_fail(s, "create folder", &r, err, errlen);
		goto out;
	}
	if (graph_json_id(strbuf_str(&r.body), r.body.len, id, why, sizeof(why)) < 0 ||
	    !graph_id_ok(*id)) {
		snprintf(err, errlen, "graph %s: create folder: %s", s->gc->server,
		         *id != NULL ? "the id is malformed" : why);
		free(*id);
		*id = NULL;
		goto out;
	}
	log_verbose("graph %s: created folder '%s'", s->gc->server, esc(name));
	rc = 0;
out:
	graph_reply_free(&r);
	strbuf_free(&url);
	return rc;
}

/* The id of name in parent's folder list (NULL: the top), or NULL in *id
 * when there is none. 0, or -1. */
static int graph_folder_find(struct graph_session *s, const char *parent, const char *name,
                             char **id, char *err, size_t errlen)
{
	struct graph_find f;
	struct strbuf url;
	int rc;

	memset(&f, 0, sizeof(f));
	f.name = name;
	graph_url_user(s, &url);
	if (graph_url_folder(&url, parent,
	                     parent != NULL ? "/childFolders?$select=id,displayName&$top=100"
	                                    : "?$select=id,displayName&$top=100") < 0) {
		snprintf(err, errlen, "graph %s: folder id too long", s->gc->server);
		strbuf_free(&url);
		return -1;
	}
	rc = graph_pages(s, "list folders", &url, graph_find_each, &f, NULL, err, errlen);
	strbuf_free(&url);
	if (rc < 0) {
		free(f.id);
		return -1;
	}
	*id = f.id;
	return 0;
}

int graph_folder_id(struct graph_session *s, const char *configured, int create, int dry_run,
                    char *id, size_t idlen, char *err, size_t errlen)
{
	const char *p = configured, *slash, *wk;
	char name[LIMIT_IMAP_FOLDER_BYTES];
	char *parent = NULL, *found = NULL;
	size_t len;
	int level = 0, rc = -1;

	for (;;) {
		slash = strchr(p, '/');
		len = slash != NULL ? (size_t)(slash - p) : strlen(p);
		if (len == 0 || len >= sizeof(name) || ++level > LIMIT_GRAPH_FOLDER_DEPTH) {
			snprintf(err, errlen,
			         "graph folder '%s': an empty, too long or too deep name (folders "
			         "are displayName/displayName/...)",
			         esc(configured));
			goto out;
		}
		memcpy(name, p, len);
		name[len] = '\0';
		wk = level == 1 ? graph_well_known(name, len) : NULL;
		if (wk != NULL) {
			found = xstrdup(wk);
		} else {
			if (graph_folder_find(s, parent, name, &found, err, errlen) < 0)
				goto out;
			if (found == NULL && (!create || dry_run)) {
				if (create) {
					log_verbose("graph %s: folder '%s' does not exist; a real "
					            "run creates it",
					            s->gc->server, esc(configured));
					if (idlen > 0)
						id[0] = '\0';
					rc = 0;
					goto out;
				}
				snprintf(err, errlen,
				         "graph %s: no folder '%s' in mailbox %s (folders are "
				         "displayNames from the top, like Inbox/TLSRPT)",
				         s->gc->server, esc(configured), s->gc->mailbox);
				goto out;
			}
			if (found == NULL &&
			    graph_folder_create(s, parent, name, &found, err, errlen) < 0)
				goto out;
		}
		free(parent);
		parent = found;
		found = NULL;
		if (slash == NULL)
			break;
		p = slash + 1;
	}
	if ((size_t)snprintf(id, idlen, "%s", parent) >= idlen) {
		snprintf(err, errlen, "graph %s: folder id too long", s->gc->server);
		goto out;
	}
	rc = 0;
out:
	free(parent);
	free(found);
	return rc;
}

/* The message ids of a listing, each once. */
struct graph_list {
	char **ids;
	size_t n, alloc, max;
	int full;
};

static int graph_list_each(void *arg, const char *id, const char *display_name)
{
	struct graph_list *l = arg;

	(void)display_name;
	if (!graph_id_ok(id))
		return -1;
	if (l->n == l->max) {
		l->full = 1;
		return 0;
	}
	if (l->n == l->alloc) {
		l->alloc = l->alloc == 0 ? 64 : l->alloc * 2;
		l->ids = xreallocarray(l->ids, l->alloc, sizeof(*l->ids));
	}
	l->ids[l->n++] = xstrdup(id);
	return 0;
}

static int graph_id_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int graph_list_messages(struct graph_session *s, const char *folder, size_t max, char ***ids,
                        size_t *n, char *err, size_t errlen)
{
	struct graph_list l;
	struct strbuf url;
	size_t i, k;
	char top[64];
	int rc;

	memset(&l, 0, sizeof(l));
	l.max = max;
	graph_url_user(s, &url);
	snprintf(top, sizeof(top), "/messages?$select=id&$top=%d", LIMIT_GRAPH_PAGE_SIZE);
	if (graph_url_folder(&url, folder, top) < 0) {
		snprintf(err, errlen, "graph %s: folder id too long", s->gc->server);
		strbuf_free(&url);
		return -1;
	}
	rc = graph_pages(s, "list messages", &url, graph_list_each, &l, &l.full, err, errlen);
	strbuf_free(&url);
	if (rc < 0) {
		graph_ids_free(l.ids, l.n);
		return -1;
	}
	/* a server that lists a message twice (a page repeated, a loop)
	 * must not make it be ingested twice in one batch */
	if (l.n > 1)
		qsort(l.ids, l.n, sizeof(*l.ids), graph_id_cmp);
	for (i = 0, k = 0; i < l.n; i++) {
		if (k > 0 && strcmp(l.ids[k - 1], l.ids[i]) == 0) {
			free(l.ids[i]);
			continue;
		}
		l.ids[k++] = l.ids[i];
	}
	*ids = l.ids;
	*n = k;
	return 0;
}

/* BASE/users/MAILBOX/messages/ID and suffix. */
static int graph_url_message(const struct graph_session *s, struct strbuf *url, const char *id,
                             const char *suffix, char *err, size_t errlen)
{
	graph_url_user(s, url);
	if (!graph_id_ok(id) || strbuf_append(url, "/messages/", 10) < 0 ||
	    graph_url_append(url, id) < 0 || strbuf_append(url, suffix, strlen(suffix)) < 0) {
		snprintf(err, errlen, "graph %s: a malformed or too long message id",
		         s->gc->server);
		return -1;
	}
	return 0;
}

/* A 404 whose code says the item is gone (moved or deleted meanwhile),
 * not that the mailbox is unknown. */
static int graph_gone(const struct graph_reply *r)
{
	char code[128], msg[16];

	if (r->status != 404)
		return 0;
	graph_json_error(strbuf_str(&r->body), r->body.len, code, sizeof(code), msg, sizeof(msg));
	return strcmp(code, "ErrorItemNotFound") == 0;
}

int graph_fetch_mime(struct graph_session *s, const char *id, size_t max_len, uint8_t **data,
                     size_t *len, int64_t *orig_size, int *truncated, int *gone, char *err,
                     size_t errlen)
{
	struct graph_reply r;
	struct strbuf url;
	int rc = -1;

	memset(&r, 0, sizeof(r));
	*gone = 0;
	if (graph_url_message(s, &url, id, "/$value", err, errlen) < 0)
		goto out;
	if (graph_http_request(s->http, "fetch message", "GET", strbuf_str(&url), NULL, max_len, 1,
	                       &r, err, errlen) < 0)
		goto out;
	if (graph_gone(&r)) {
		*gone = 1;
		rc = 0;
		goto out;
	}
	if (r.status != 200) {
		graph_fail(s, "fetch message", &r, err, errlen);
		goto out;
	}
	*truncated = r.truncated;
	*orig_size = (int64_t)r.body.len;
	if (r.truncated)
		*orig_size =
		    r.content_length > (int64_t)max_len ? r.content_length : (int64_t)max_len + 1;
	/* an empty body is still a message (quarantined as not a report) */
	*data = (uint8_t *)strbuf_detach(&r.body, len);
	rc = 0;
out:
	graph_reply_free(&r);
	strbuf_free(&url);
	return rc;
}

int graph_move(struct graph_session *s, const char *id, const char *folder, int *gone, char *err,
               size_t errlen)
{
	struct graph_reply r;
	struct strbuf url;
	int rc = -1;

	memset(&r, 0, sizeof(r));
	*gone = 0;
	/* the answer is the moved message, with its body: only its status
	 * matters, so a large one is cut, not refused */
	if (graph_url_message(s, &url, id, "/move", err, errlen) < 0 ||
	    graph_post_field(s, "move message", &url, "destinationId", folder, 1, &r, err, errlen) <
	        0)
		goto out;
	if (graph_gone(&r)) {
		*gone = 1;
	} else if (r.status != 201 && r.status != 200) {
		graph_fail(s, "move message", &r, err, errlen);
		goto out;
	}
	rc = 0;
out:
	graph_reply_free(&r);
	strbuf_free(&url);
	return rc;
}
