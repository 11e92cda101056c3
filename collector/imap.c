/*
 * imap.c - the collector's IMAP session over libetpan: the only file that
 * includes libetpan's IMAP API. Input from the server is untrusted; see
 * imap.h for what is verified before the secret is sent.
 */
#include "imap.h"

#include <libetpan/libetpan.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "imap_guard.h"
#include "imap_secret.h"
#include "imap_stream.h"
#include "limits.h"
#include "log.h"
#include "tlsverify.h"
#include "xalloc.h"

struct imap_session {
	mailimap *imap;
	const struct imap_config *ic;
	int debug;
	int hide_sent; /* authentication in progress: log no client data */
	int has_move;
	int has_uidplus;
	uint32_t uidnext; /* from SELECT; 0 when the server sent none */
	int delim_known;
	char delim; /* the hierarchy separator LIST "" "" gave; '\0': none */
	struct imap_guard guard;
};

struct imap_fetch {
	clist *list;
};

/* Sets the guard's limits for the answer to the next ordinary command. */
static void imap_expect_small(struct imap_session *s)
{
	imap_guard_expect(&s->guard, LIMIT_IMAP_COMMAND_BYTES, LIMIT_IMAP_LITERAL_SMALL,
	                  LIMIT_IMAP_COMMAND_RESPONSES);
}

/* "imap HOST:PORT: STEP: reason" for a libetpan result code. A command
 * the server refused is explained by its own (escaped) response text. */
static int imap_fail(struct imap_session *s, const char *step, int r, char *err, size_t errlen)
{
	const char *text = s->imap != NULL ? s->imap->imap_response : NULL;

	if (s->guard.failed) {
		snprintf(err, errlen, "imap %s: %s: the server %s; session ended", s->ic->server,
		         step, s->guard.why);
		return -1;
	}
	switch (r) {
	case MAILIMAP_ERROR_STREAM:
		snprintf(err, errlen, "imap %s: %s: connection lost or timed out", s->ic->server,
		         step);
		break;
	case MAILIMAP_ERROR_CONNECTION_REFUSED:
		snprintf(err, errlen, "imap %s: %s: cannot connect", s->ic->server, step);
		break;
	case MAILIMAP_ERROR_SSL:
		snprintf(err, errlen, "imap %s: %s: TLS handshake failed", s->ic->server, step);
		break;
	case MAILIMAP_ERROR_PARSE:
		snprintf(err, errlen, "imap %s: %s: cannot parse the server's response",
		         s->ic->server, step);
		break;
	case MAILIMAP_ERROR_MEMORY:
		snprintf(err, errlen, "imap %s: %s: out of memory", s->ic->server, step);
		break;
	default:
		if (text != NULL && text[0] != '\0')
			snprintf(err, errlen, "imap %s: %s: server said: %s", s->ic->server, step,
			         esc(text));
		else
			snprintf(err, errlen, "imap %s: %s: failed (libetpan error %d)",
			         s->ic->server, step, r);
		break;
	}
	return -1;
}

/* The protocol exchange with -vv. Authentication data is never shown:
 * libetpan marks a LOGIN password private, and everything the client sends
 * while authenticating (an XOAUTH2 token) is withheld as well. */
static void imap_logger(mailimap *imap, int log_type, const char *str, size_t size, void *ctx)
{
	struct imap_session *s = ctx;
	char buf[LIMIT_LOG_STRING * 4 + 8];

	(void)imap;
	switch (log_type) {
	case MAILSTREAM_LOG_TYPE_DATA_SENT_PRIVATE:
		log_debug("imap C: <secret withheld>");
		return;
	case MAILSTREAM_LOG_TYPE_DATA_SENT:
		if (s->hide_sent) {
			log_debug("imap C: <authentication withheld>");
			return;
		}
		escape_text(str, size, LIMIT_LOG_STRING, buf, sizeof(buf));
		log_debug("imap C: %s", buf);
		return;
	case MAILSTREAM_LOG_TYPE_DATA_RECEIVED:
		escape_text(str, size, LIMIT_LOG_STRING, buf, sizeof(buf));
		log_debug("imap S: %s", buf);
		return;
	default:
		return;
	}
}

static void imap_ssl_setup(struct mailstream_ssl_context *ctx, void *data)
{
	const struct imap_session *s = data;

	/* SNI: libetpan sends none unless told to */
	mailstream_ssl_set_server_name(ctx, (char *)s->ic->host);
}

/* The chain the server sent, checked with GnuTLS. */
static int imap_verify_server(struct imap_session *s, char *err, size_t errlen)
{
	struct tlsverify_cert certs[LIMIT_TLS_CHAIN];
	carray *chain;
	MMAPString *der;
	unsigned int i, count;
	char why[ERR_LINE_MAX];
	int rc;

	if (!s->ic->tls_verify)
		return 0;
	/* libetpan 1.9.4 only fills this in when the server sent at least one
	 * X.509 certificate; with its certificate-only credentials a handshake
	 * without one does not complete, so a returned chain is initialised */
	chain = mailstream_get_certificate_chain(s->imap->imap_stream);
	count = chain != NULL ? carray_count(chain) : 0;
	if (count > LIMIT_TLS_CHAIN)
		count = LIMIT_TLS_CHAIN + 1;
	for (i = 0; i < count && i < LIMIT_TLS_CHAIN; i++) {
		der = carray_get(chain, i);
		certs[i].der = (const unsigned char *)der->str;
		certs[i].len = der->len;
	}
	rc = tlsverify_chain(certs, count, s->ic->host, s->ic->ca_file, why, sizeof(why));
	if (chain != NULL)
		mailstream_certificate_chain_free(chain);
	if (rc < 0) {
		snprintf(err, errlen, "imap %s: certificate: %s; not logging in", s->ic->server,
		         why);
		return -1;
	}
	return 0;
}

/* Asks CAPABILITY again (it changes after TLS and after login). */
static int imap_learn_capabilities(struct imap_session *s, char *err, size_t errlen)
{
	struct mailimap_capability_data *cap = NULL;
	struct mailimap_capability *c;
	clistiter *it;
	int r;

	imap_expect_small(s);
	r = mailimap_capability(s->imap, &cap);
	if (r != MAILIMAP_NO_ERROR)
		return imap_fail(s, "capability", r, err, errlen);
	s->has_move = 0;
	s->has_uidplus = 0;
	for (it = clist_begin(cap->cap_list); it != NULL; it = clist_next(it)) {
		c = clist_content(it);
		if (c->cap_type != MAILIMAP_CAPABILITY_NAME || c->cap_data.cap_name == NULL)
			continue;
		if (strcasecmp(c->cap_data.cap_name, "MOVE") == 0)
			s->has_move = 1;
		else if (strcasecmp(c->cap_data.cap_name, "UIDPLUS") == 0)
			s->has_uidplus = 1;
	}
	mailimap_capability_data_free(cap);
	return 0;
}

static int imap_login(struct imap_session *s, char *err, size_t errlen)
{
	char *secret = NULL;
	char why[ERR_LINE_MAX];
	int r, from_cache = 0;

	if (s->ic->oauth != NULL
	        ? oauth_token_get(s->ic->oauth, 0, &secret, &from_cache, why, sizeof(why))
	        : imap_secret_read(s->ic->password_file, s->ic->password_command,
	                           s->ic->password_timeout, &secret, why, sizeof(why))) {
		snprintf(err, errlen, "imap %s: login: %s", s->ic->server, why);
		return -1;
	}
	s->hide_sent = 1;
	imap_expect_small(s);
	if (s->ic->auth == IMAP_AUTH_XOAUTH2)
		r = mailimap_oauth2_authenticate(s->imap, s->ic->user, secret);
	else
		r = mailimap_login(s->imap, s->ic->user, secret);
	imap_secret_free(secret);
	/* a cached token the server refuses (revoked, clock skew): one new one */
	if (r == MAILIMAP_ERROR_LOGIN && from_cache) {
		if (oauth_token_get(s->ic->oauth, 1, &secret, &from_cache, why, sizeof(why)) < 0) {
			s->hide_sent = 0;
			snprintf(err, errlen, "imap %s: login: %s", s->ic->server, why);
			return -1;
		}
		r = mailimap_oauth2_authenticate(s->imap, s->ic->user, secret);
		imap_secret_free(secret);
	}
	s->hide_sent = 0;
	if (r != MAILIMAP_NO_ERROR) {
		imap_fail(s, s->ic->auth == IMAP_AUTH_XOAUTH2 ? "login (xoauth2)" : "login", r, why,
		          sizeof(why));
		snprintf(err, errlen, "%s (user %s)%s", why, esc(s->ic->user),
		         s->ic->oauth != NULL ? oauth_refused_hint(s->ic->oauth) : "");
		return -1;
	}
	return 0;
}

/* Connects, reads the greeting and, with tls = starttls, upgrades. Every
 * byte, the plaintext leg included, passes the guard. */
static int imap_connect(struct imap_session *s, char *err, size_t errlen)
{
	const struct imap_config *ic = s->ic;
	mailstream *st = NULL;
	char why[ERR_LINE_MAX];
	int r;

	if (imap_stream_open(ic->host, ic->port, ic->tls == IMAP_TLS_IMAPS, ic->timeout,
	                     imap_ssl_setup, s, &s->guard, &st, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "imap %s: %s", ic->server, why);
		return -1;
	}
	imap_expect_small(s);
	/* from here the session owns the stream, also on failure */
	r = mailimap_connect(s->imap, st);
	if (ic->tls == IMAP_TLS_IMAPS) {
		if (r != MAILIMAP_NO_ERROR_AUTHENTICATED &&
		    r != MAILIMAP_NO_ERROR_NON_AUTHENTICATED)
			return imap_fail(s, "greeting", r, err, errlen);
		return 0;
	}
	if (r == MAILIMAP_NO_ERROR_AUTHENTICATED) {
		snprintf(err, errlen,
		         "imap %s: greeting: PREAUTH before STARTTLS (a downgrade attack, or a "
		         "misconfigured server); refusing",
		         ic->server);
		return -1;
	}
	if (r != MAILIMAP_NO_ERROR_NON_AUTHENTICATED)
		return imap_fail(s, "greeting", r, err, errlen);
	/* any failure here is fatal: never fall back to plaintext */
	imap_expect_small(s);
	r = mailimap_starttls(s->imap);
	if (r != MAILIMAP_NO_ERROR && !s->guard.failed &&
	    s->imap->imap_stream->read_buffer_len != 0) {
		/* libetpan (CVE-2020-15953) refuses it too, without saying why */
		snprintf(
		    err, errlen,
		    "imap %s: TLS: the server sent bytes after its STARTTLS answer, before the "
		    "handshake (an injection); refusing",
		    ic->server);
		return -1;
	}
	if (r != MAILIMAP_NO_ERROR)
		return imap_fail(s, "starttls", r, err, errlen);
	if (imap_stream_starttls(s->imap->imap_stream, ic->timeout, imap_ssl_setup, s, why,
	                         sizeof(why)) < 0) {
		snprintf(err, errlen, "imap %s: %s", ic->server, why);
		return -1;
	}
	return 0;
}

/* Frees the libetpan session. After a failure nothing more is said to the
 * server (a LOGOUT would wait for an answer from a hostile or dead peer). */
static void imap_end(struct imap_session *s, int logout)
{
	if (s->imap == NULL)
		return;
	if (s->imap->imap_stream != NULL) {
		if (logout && !s->guard.failed) {
			imap_expect_small(s);
			mailimap_logout(s->imap);
		}
		if (s->imap->imap_stream != NULL) {
			mailstream_close(s->imap->imap_stream);
			s->imap->imap_stream = NULL;
		}
	}
	mailimap_free(s->imap);
	s->imap = NULL;
}

int imap_open(const struct imap_config *ic, int debug, struct imap_session **out, char *err,
              size_t errlen)
{
	struct imap_session *s = xcalloc(1, sizeof(*s));
	int rc = -1;

	s->ic = ic;
	s->debug = debug;
	imap_guard_init(&s->guard);
	imap_guard_set_deadline(&s->guard, ic->timeout * LIMIT_IMAP_COMMAND_TIMEOUTS);
	s->imap = mailimap_new(0, NULL);
	if (s->imap == NULL) {
		snprintf(err, errlen, "imap %s: out of memory", ic->server);
		goto out;
	}
	mailimap_set_timeout(s->imap, (time_t)ic->timeout);
	if (debug)
		mailimap_set_logger(s->imap, imap_logger, s);
	if (imap_connect(s, err, errlen) < 0)
		goto out;
	if (imap_verify_server(s, err, errlen) < 0)
		goto out;
	if (imap_learn_capabilities(s, err, errlen) < 0)
		goto out;
	if (s->imap->imap_state == MAILIMAP_STATE_NON_AUTHENTICATED) {
		if (imap_login(s, err, errlen) < 0)
			goto out;
		if (imap_learn_capabilities(s, err, errlen) < 0)
			goto out;
	}
	*out = s;
	s = NULL;
	rc = 0;
out:
	if (s != NULL) {
		imap_end(s, 0);
		free(s);
	}
	return rc;
}

void imap_close(struct imap_session *s)
{
	if (s == NULL)
		return;
	imap_end(s, 1);
	free(s);
}

/* The server's hierarchy separator (RFC 3501 section 6.3.8: LIST with an
 * empty mailbox name answers with it), asked once. */
static int imap_learn_delimiter(struct imap_session *s, char *err, size_t errlen)
{
	struct mailimap_mailbox_list *mb;
	clist *list = NULL;
	int r;

	if (s->delim_known)
		return 0;
	imap_expect_small(s);
	r = mailimap_list(s->imap, "", "", &list);
	if (r != MAILIMAP_NO_ERROR)
		return imap_fail(s, "list (hierarchy separator)", r, err, errlen);
	mb = clist_count(list) > 0 ? clist_content(clist_begin(list)) : NULL;
	s->delim = mb != NULL ? mb->mb_delimiter : '/';
	s->delim_known = 1;
	mailimap_list_result_free(list);
	return 0;
}

int imap_folder_name(struct imap_session *s, const char *configured, char *out, size_t outlen,
                     char *err, size_t errlen)
{
	size_t i;

	if (strchr(configured, '/') == NULL || strcmp(configured, "INBOX") == 0) {
		if ((size_t)snprintf(out, outlen, "%s", configured) >= outlen)
			goto long_name;
		return 0;
	}
	if (imap_learn_delimiter(s, err, errlen) < 0)
		return -1;
	if (s->delim == '\0') {
		snprintf(err, errlen,
		         "imap %s: folder %s: the server has no folder hierarchy; name the folder "
		         "without '/'",
		         s->ic->server, esc(configured));
		return -1;
	}
	if (strlen(configured) >= outlen)
		goto long_name;
	for (i = 0; configured[i] != '\0'; i++)
		out[i] = configured[i] == '/' ? s->delim : configured[i];
	out[i] = '\0';
	if (s->delim != '/')
		log_verbose("imap %s: folder %s is %s on this server (its separator is '%c')",
		            s->ic->server, esc(configured), esc(out), s->delim);
	return 0;
long_name:
	snprintf(err, errlen, "imap %s: folder %s: name too long", s->ic->server, esc(configured));
	return -1;
}

int imap_ensure_folder(struct imap_session *s, const char *folder, int dry_run, char *err,
                       size_t errlen)
{
	clist *list = NULL;
	char step[300];
	int r, exists;

	snprintf(step, sizeof(step), "list %s", esc(folder));
	imap_expect_small(s);
	r = mailimap_list(s->imap, "", folder, &list);
	if (r != MAILIMAP_NO_ERROR)
		return imap_fail(s, step, r, err, errlen);
	exists = clist_count(list) > 0;
	mailimap_list_result_free(list);
	if (exists)
		return 0;
	if (dry_run) {
		log_verbose("imap %s: folder %s does not exist; a real run creates it",
		            s->ic->server, esc(folder));
		return 0;
	}
	snprintf(step, sizeof(step), "create %s", esc(folder));
	imap_expect_small(s);
	r = mailimap_create(s->imap, folder);
	if (r != MAILIMAP_NO_ERROR)
		return imap_fail(s, step, r, err, errlen);
	log_verbose("imap %s: created folder %s", s->ic->server, esc(folder));
	return 0;
}

int imap_select(struct imap_session *s, const char *folder, int readonly, uint32_t *uidvalidity,
                char *err, size_t errlen)
{
	char step[300];
	int r;

	snprintf(step, sizeof(step), "%s %s", readonly ? "examine" : "select", esc(folder));
	imap_expect_small(s);
	r = readonly ? mailimap_examine(s->imap, folder) : mailimap_select(s->imap, folder);
	if (r != MAILIMAP_NO_ERROR)
		return imap_fail(s, step, r, err, errlen);
	*uidvalidity = s->imap->imap_selection_info != NULL
	                   ? s->imap->imap_selection_info->sel_uidvalidity
	                   : 0;
	s->uidnext =
	    s->imap->imap_selection_info != NULL ? s->imap->imap_selection_info->sel_uidnext : 0;
	return 0;
}

/* The UID and RFC822.SIZE items of one FETCH response. */
static void imap_msg_att_read(struct mailimap_msg_att *att, uint32_t *uid, uint32_t *size,
                              int *has_size, struct mailimap_msg_att_body_section **body)
{
	struct mailimap_msg_att_item *item;
	struct mailimap_msg_att_static *st;
	clistiter *it;

	*uid = 0;
	*size = 0;
	*has_size = 0;
	if (body != NULL)
		*body = NULL;
	for (it = clist_begin(att->att_list); it != NULL; it = clist_next(it)) {
		item = clist_content(it);
		if (item->att_type != MAILIMAP_MSG_ATT_ITEM_STATIC)
			continue;
		st = item->att_data.att_static;
		if (st == NULL)
			continue;
		if (st->att_type == MAILIMAP_MSG_ATT_UID) {
			*uid = st->att_data.att_uid;
		} else if (st->att_type == MAILIMAP_MSG_ATT_RFC822_SIZE) {
			*size = st->att_data.att_rfc822_size;
			*has_size = 1;
		} else if (st->att_type == MAILIMAP_MSG_ATT_BODY_SECTION && body != NULL) {
			*body = st->att_data.att_body_section;
		}
	}
}

static int imap_msg_cmp(const void *a, const void *b)
{
	const struct imap_msg *x = a, *y = b;

	return x->uid < y->uid ? -1 : x->uid > y->uid;
}

/* UID FETCH lo:hi (hi 0: "*") (UID RFC822.SIZE), appending the messages
 * with after_uid < UID (< UIDNEXT) to *out (count, alloc). */
static int imap_list_range(struct imap_session *s, uint32_t after_uid, uint32_t lo, uint32_t hi,
                           struct imap_msg **outp, size_t *countp, size_t *allocp, char *err,
                           size_t errlen)
{
	struct mailimap_fetch_type *ft = NULL;
	struct mailimap_set *set = NULL;
	struct imap_msg *out = *outp;
	clist *list = NULL;
	clistiter *it;
	size_t count = *countp, alloc = *allocp;
	uint32_t uid, size;
	int r, has_size, rc = -1;

	set = mailimap_set_new_interval(lo, hi);
	ft = mailimap_fetch_type_new_fetch_att_list_empty();
	if (set == NULL || ft == NULL ||
	    mailimap_fetch_type_new_fetch_att_list_add(ft, mailimap_fetch_att_new_uid()) != 0 ||
	    mailimap_fetch_type_new_fetch_att_list_add(ft, mailimap_fetch_att_new_rfc822_size()) !=
	        0) {
		snprintf(err, errlen, "imap %s: out of memory", s->ic->server);
		goto out;
	}
	/* a line per UID in the window, and a few unsolicited ones */
	imap_guard_expect(&s->guard, LIMIT_IMAP_LIST_BYTES, LIMIT_IMAP_LITERAL_SMALL,
	                  LIMIT_IMAP_LIST_WINDOW + LIMIT_IMAP_UNSOLICITED);
	r = mailimap_uid_fetch(s->imap, set, ft, &list);
	if (r != MAILIMAP_NO_ERROR) {
		imap_fail(s, "fetch sizes", r, err, errlen);
		goto out;
	}
	for (it = clist_begin(list); it != NULL; it = clist_next(it)) {
		imap_msg_att_read(clist_content(it), &uid, &size, &has_size, NULL);
		/* unsolicited FETCHes (flag changes) carry no size */
		if (!has_size)
			continue;
		if (uid == 0) {
			snprintf(
			    err, errlen,
			    "imap %s: fetch sizes: the server answered UID FETCH without a UID "
			    "(impossible); session ended",
			    s->ic->server);
			goto out;
		}
		/* "N:*" also names the highest message when it is below N
		 * (RFC 3501 section 6.4.8); a UID at or past UIDNEXT arrived
		 * after SELECT (or is impossible): the next run sees it, and it
		 * never becomes the saved position before that */
		if (uid <= after_uid || (s->uidnext != 0 && uid >= s->uidnext) || uid < lo ||
		    (hi != 0 && uid > hi))
			continue;
		if (count == alloc) {
			alloc = alloc == 0 ? 64 : alloc * 2;
			out = xreallocarray(out, alloc, sizeof(*out));
		}
		out[count].uid = uid;
		out[count].size = size;
		count++;
	}
	rc = 0;
out:
	*outp = out;
	*countp = count;
	*allocp = alloc;
	if (list != NULL)
		mailimap_fetch_list_free(list);
	if (ft != NULL)
		mailimap_fetch_type_free(ft);
	if (set != NULL)
		mailimap_set_free(set);
	return rc;
}

int imap_list_messages(struct imap_session *s, uint32_t after_uid, size_t max,
                       struct imap_msg **msgs, size_t *n, uint32_t *covered, char *err,
                       size_t errlen)
{
	struct imap_msg *out = NULL;
	size_t count = 0, alloc = 0, i, j;
	uint64_t lo, hi, window = LIMIT_IMAP_LIST_WINDOW;
	uint32_t last = s->uidnext != 0 ? s->uidnext - 1 : UINT32_MAX;

	*covered = after_uid;
	if (after_uid >= last) {
		*msgs = NULL;
		*n = 0;
		return 0;
	}
	/* without UIDNEXT (RFC 3501 requires it) one "N:*" listing, bounded by
	 * the guard; with it, windows of UIDs, so that no answer can hold more
	 * than a window's worth of messages */
	lo = (uint64_t)after_uid + 1;
	do {
		hi = s->uidnext != 0 ? lo + window - 1 : 0;
		if (hi > last)
			hi = last;
		if (imap_list_range(s, after_uid, (uint32_t)lo, (uint32_t)hi, &out, &count, &alloc,
		                    err, errlen) < 0) {
			free(out);
			return -1;
		}
		*covered = hi != 0 ? (uint32_t)hi : last;
		lo = hi + 1;
		window *= 2; /* past an empty window: a hole left by expunges */
	} while (count == 0 && hi != 0 && hi < last);
	if (count > 1)
		qsort(out, count, sizeof(*out), imap_msg_cmp);
	/* a server that answers twice for one UID: keep one */
	for (i = 0, j = 0; i < count; i++)
		if (j == 0 || out[j - 1].uid != out[i].uid)
			out[j++] = out[i];
	count = j;
	if (count > max && max > 0) {
		count = max;
		*covered = out[count - 1].uid;
	}
	*msgs = out;
	*n = count;
	return 0;
}

uint32_t imap_uidnext(const struct imap_session *s)
{
	return s->uidnext;
}

int imap_fetch_bodies(struct imap_session *s, const struct imap_msg *msgs, size_t n, size_t max_len,
                      struct imap_body *bodies, struct imap_fetch **out, char *err, size_t errlen)
{
	struct mailimap_msg_att_body_section *body;
	struct mailimap_fetch_type *ft = NULL;
	struct mailimap_fetch_att *fa = NULL;
	struct mailimap_set *set = NULL;
	struct imap_fetch *f = NULL;
	clist *list = NULL;
	clistiter *it;
	uint64_t lit, literal_max = 0, budget = LIMIT_IMAP_LINE_BYTES;
	uint32_t uid, size;
	size_t i;
	int r, has_size, partial = 0, rc = -1;

	for (i = 0; i < n; i++) {
		bodies[i].data = NULL;
		bodies[i].len = 0;
		bodies[i].truncated = 0;
		if (msgs[i].size > max_len)
			partial = 1;
		/* what may arrive for this message: its announced size, with
		 * room for servers whose RFC822.SIZE is approximate, never
		 * more than max_len */
		lit = (uint64_t)msgs[i].size + msgs[i].size / 8 + LIMIT_IMAP_FETCH_OVERHEAD;
		if (lit > max_len)
			lit = max_len;
		if (lit > literal_max)
			literal_max = lit;
		budget += lit;
	}
	set = mailimap_set_new_empty();
	ft = mailimap_fetch_type_new_fetch_att_list_empty();
	if (set == NULL || ft == NULL)
		goto oom;
	for (i = 0; i < n; i++)
		if (mailimap_set_add_single(set, msgs[i].uid) != 0)
			goto oom;
	/* partial: only the first max_len bytes ("BODY.PEEK[]<0.max_len>") of
	 * every message in the batch; the caller puts an oversized message in
	 * a batch of its own */
	fa = partial ? mailimap_fetch_att_new_body_peek_section_partial(mailimap_section_new(NULL),
	                                                                0, (uint32_t)max_len)
	             : mailimap_fetch_att_new_body_peek_section(mailimap_section_new(NULL));
	if (fa == NULL || mailimap_fetch_type_new_fetch_att_list_add(ft, fa) != 0)
		goto oom;
	fa = NULL;
	if (mailimap_fetch_type_new_fetch_att_list_add(ft, mailimap_fetch_att_new_uid()) != 0)
		goto oom;
	/* a response per message (a literal does not end one), and a few
	 * unsolicited ones */
	imap_guard_expect(&s->guard, budget, literal_max, n + LIMIT_IMAP_UNSOLICITED);
	r = mailimap_uid_fetch(s->imap, set, ft, &list);
	if (r != MAILIMAP_NO_ERROR) {
		imap_fail(s, "fetch", r, err, errlen);
		goto out;
	}
	for (it = clist_begin(list); it != NULL; it = clist_next(it)) {
		imap_msg_att_read(clist_content(it), &uid, &size, &has_size, &body);
		if (body == NULL || body->sec_body_part == NULL)
			continue;
		for (i = 0; i < n; i++)
			if (bodies[i].uid == uid)
				break;
		if (i == n) {
			snprintf(
			    err, errlen,
			    "imap %s: fetch: the server sent the body of UID %lu, which was not "
			    "asked for; session ended",
			    s->ic->server, (unsigned long)uid);
			goto out;
		}
		if (bodies[i].data != NULL)
			continue;
		bodies[i].data = (const uint8_t *)body->sec_body_part;
		bodies[i].len = body->sec_length;
		if (bodies[i].len > max_len) {
			bodies[i].len = max_len;
			bodies[i].truncated = 1;
		}
		if (msgs[i].size > max_len)
			bodies[i].truncated = 1;
	}
	f = xcalloc(1, sizeof(*f));
	f->list = list;
	list = NULL;
	*out = f;
	rc = 0;
	goto out;
oom:
	snprintf(err, errlen, "imap %s: out of memory", s->ic->server);
out:
	if (fa != NULL)
		mailimap_fetch_att_free(fa);
	if (list != NULL)
		mailimap_fetch_list_free(list);
	if (ft != NULL)
		mailimap_fetch_type_free(ft);
	if (set != NULL)
		mailimap_set_free(set);
	return rc;
}

void imap_fetch_free(struct imap_fetch *f)
{
	if (f == NULL)
		return;
	if (f->list != NULL)
		mailimap_fetch_list_free(f->list);
	free(f);
}

enum imap_move_how imap_move_method(const struct imap_session *s)
{
	if (s->has_move)
		return IMAP_MOVE_MOVE;
	if (s->has_uidplus)
		return IMAP_MOVE_COPY;
	return IMAP_MOVE_NONE;
}

int imap_move(struct imap_session *s, const uint32_t *uids, size_t n, const char *folder, char *err,
              size_t errlen)
{
	struct mailimap_store_att_flags *flags = NULL;
	struct mailimap_flag_list *fl = NULL;
	struct mailimap_set *set;
	char step[300];
	size_t i;
	int r, rc = -1;

	if (n == 0)
		return 0;
	set = mailimap_set_new_empty();
	if (set == NULL)
		goto oom;
	for (i = 0; i < n; i++)
		if (mailimap_set_add_single(set, uids[i]) != 0)
			goto oom;
	switch (imap_move_method(s)) {
	case IMAP_MOVE_MOVE:
		snprintf(step, sizeof(step), "move to %s", esc(folder));
		imap_expect_small(s);
		r = mailimap_uid_move(s->imap, set, folder);
		if (r != MAILIMAP_NO_ERROR) {
			imap_fail(s, step, r, err, errlen);
			goto out;
		}
		break;
	case IMAP_MOVE_COPY:
		snprintf(step, sizeof(step), "copy to %s", esc(folder));
		imap_expect_small(s);
		r = mailimap_uid_copy(s->imap, set, folder);
		if (r != MAILIMAP_NO_ERROR) {
			imap_fail(s, step, r, err, errlen);
			goto out;
		}
		fl = mailimap_flag_list_new_empty();
		if (fl == NULL || mailimap_flag_list_add(fl, mailimap_flag_new_deleted()) != 0)
			goto oom;
		flags = mailimap_store_att_flags_new_add_flags_silent(fl);
		if (flags == NULL)
			goto oom;
		fl = NULL;
		imap_expect_small(s);
		r = mailimap_uid_store(s->imap, set, flags);
		if (r != MAILIMAP_NO_ERROR) {
			imap_fail(s, "store \\Deleted", r, err, errlen);
			goto out;
		}
		/* UID EXPUNGE removes only these messages (RFC 4315); a plain
		 * EXPUNGE would take other clients' deleted mail with them */
		imap_expect_small(s);
		r = mailimap_uid_expunge(s->imap, set);
		if (r != MAILIMAP_NO_ERROR) {
			imap_fail(s, "uid expunge", r, err, errlen);
			goto out;
		}
		break;
	case IMAP_MOVE_NONE:
	default:
		snprintf(err, errlen, "imap %s: the server can neither MOVE nor UID EXPUNGE",
		         s->ic->server);
		goto out;
	}
	rc = 0;
	goto out;
oom:
	snprintf(err, errlen, "imap %s: out of memory", s->ic->server);
out:
	if (flags != NULL)
		mailimap_store_att_flags_free(flags);
	if (fl != NULL)
		mailimap_flag_list_free(fl);
	if (set != NULL)
		mailimap_set_free(set);
	return rc;
}
