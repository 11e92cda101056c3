/*
 * mail.c - finding TLS reports in an untrusted RFC 5322 message: the MIME
 * walker behind mail_parse().
 *
 * The walker splits multiparts and descends into message/rfc822 itself and
 * uses libetpan's MIME grammar for what is inside one entity: the
 * Content-Type, Content-Transfer-Encoding and Content-Disposition values
 * (mail_header.c), the transfer decoding (mailmime_part_parse) and RFC 2047
 * words. libetpan's whole-message mailmime_parse() is not used: measured on
 * Debian's 1.9.4 it recurses once per nesting level before anyone can
 * check the depth (100,000 nested message/rfc822 overflow the stack), takes
 * time quadratic in the nesting (10,000 nested multiparts in 0.5 MB: 2.9 s)
 * and allocates per part before anyone can count them (1M empty parts in
 * 5 MB: 180 MB). Here depth and part count are checked before a level is
 * entered, so the stack holds at most LIMIT_MIME_DEPTH levels and the work
 * is at most LIMIT_MIME_DEPTH passes over the message.
 *
 * Multipart bodies follow RFC 2046 section 5.1.1: a delimiter is a line
 * "--boundary" (or "--boundary--" to close), transport padding allowed; the
 * line break before a delimiter belongs to it. A missing close delimiter
 * ends the last part at the end of the body (Mail.ru, quirks G1). LF and
 * CRLF line ends are both read, and a leading mbox "From " line is skipped.
 */
#include "mail.h"

#include <libetpan/libetpan.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "limits.h"
#include "mail_impl.h"
#include "strbuf.h"
#include "xalloc.h"

struct mail_walk {
	struct mail_message *m;
	size_t n_parts; /* MIME parts seen below the top level */
	size_t n_auth;  /* Authentication-Results + DKIM-Signature */
	struct strbuf auth;
	char *err;
	size_t errlen;
};

static int mail_walk_entity(struct mail_walk *w, const char *data, size_t len, int depth,
                            int is_message, const char *default_type);

int mail_looks_like_message(const uint8_t *data, size_t len)
{
	size_t i = 0;

	if (len >= 5 && memcmp(data, "From ", 5) == 0)
		return 1;
	/* '{' and '[' are ftext, but a field name never starts with them,
	 * and a JSON report does. */
	if (len > 0 && (data[0] == '{' || data[0] == '['))
		return 0;
	while (i < len && i <= LIMIT_HEADER_BYTES && data[i] >= 33 && data[i] <= 126 &&
	       data[i] != ':')
		i++;
	return i > 0 && i < len && data[i] == ':';
}

static void mail_set_once(char **slot, const struct mail_field *f, int decode)
{
	if (*slot != NULL)
		return;
	*slot = decode ? mail_field_decoded(f->value, f->value_len)
	               : mail_field_text(f->value, f->value_len);
}

/* A header of a message (not of a body part). The top-level message gives
 * the stored fields; a forwarded message inside only fills in the
 * TLS-Report-* fields the top level lacks. */
static int mail_message_field(struct mail_walk *w, const struct mail_field *f, int depth)
{
	struct mail_message *m = w->m;
	char *text;
	int rc = 0;

	if (mail_field_is(f, "TLS-Report-Domain")) {
		mail_set_once(&m->tls_report_domain, f, 0);
	} else if (mail_field_is(f, "TLS-Report-Submitter")) {
		mail_set_once(&m->tls_report_submitter, f, 0);
	} else if (depth > 0) {
		return 0;
	} else if (mail_field_is(f, "Message-ID")) {
		mail_set_once(&m->message_id, f, 0);
	} else if (mail_field_is(f, "From")) {
		mail_set_once(&m->from, f, 0);
	} else if (mail_field_is(f, "Date")) {
		mail_set_once(&m->date, f, 0);
	} else if (mail_field_is(f, "Subject")) {
		mail_set_once(&m->subject, f, 1);
	} else if (mail_field_is(f, "Authentication-Results") ||
	           mail_field_is(f, "DKIM-Signature")) {
		if (++w->n_auth > LIMIT_AUTH_HEADERS) {
			snprintf(w->err, w->errlen,
			         "more than %d Authentication-Results/DKIM-Signature fields",
			         LIMIT_AUTH_HEADERS);
			return -1;
		}
		text = mail_field_text(f->value, f->value_len);
		if (strbuf_append(&w->auth, f->name, f->name_len) < 0 ||
		    strbuf_printf(&w->auth, ": %s\n", text) < 0) {
			snprintf(w->err, w->errlen, "authentication header fields too long");
			rc = -1;
		}
		free(text);
	}
	return rc;
}

static int mail_has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

/* RFC 8460 section 5.3 types first; then the generic types senders use,
 * when the file name says JSON or gzip. A DMARC aggregate report (RFC 7489
 * section 7.2.1.1) is application/gzip too, named *.xml.gz: not ours. */
static int mail_is_report(const char *ctype, const char *filename)
{
	if (strcmp(ctype, "application/tlsrpt+gzip") == 0 ||
	    strcmp(ctype, "application/tlsrpt+json") == 0 ||
	    strcmp(ctype, "application/tlsrpt") == 0)
		return 1;
	if (strcmp(ctype, "application/gzip") != 0 && strcmp(ctype, "application/x-gzip") != 0 &&
	    strcmp(ctype, "application/json") != 0 &&
	    strcmp(ctype, "application/octet-stream") != 0)
		return 0;
	if (filename == NULL || mail_has_suffix(filename, ".xml.gz"))
		return 0;
	return mail_has_suffix(filename, ".json") || mail_has_suffix(filename, ".gz");
}

/* Decodes a report part (base64/QP undone) into a new mail_part. The body
 * is the report; Subject and file name are not consulted (RFC 8460
 * section 5.6). */
static int mail_add_report(struct mail_walk *w, const char *body, size_t len,
                           const struct mail_entity *e)
{
	struct mail_message *m = w->m;
	struct mail_part *p;
	char *dec = NULL;
	size_t idx = 0, dlen = 0;

	if (m->n_parts >= LIMIT_REPORTS_PER_MESSAGE) {
		snprintf(w->err, w->errlen, "more than %d report parts", LIMIT_REPORTS_PER_MESSAGE);
		return -1;
	}
	if (len > 0 &&
	    (mailmime_part_parse(body, len, &idx, e->encoding, &dec, &dlen) != MAILIMF_NO_ERROR ||
	     dec == NULL)) {
		snprintf(w->err, w->errlen, "part %zu (%s): cannot be decoded", m->n_parts + 1,
		         e->content_type);
		return -1;
	}
	m->parts = xreallocarray(m->parts, m->n_parts + 1, sizeof(*m->parts));
	p = &m->parts[m->n_parts++];
	p->data = xmalloc(dlen + 1);
	if (dlen > 0)
		memcpy(p->data, dec, dlen);
	p->data[dlen] = '\0';
	p->len = dlen;
	p->content_type = xstrdup(e->content_type);
	p->filename = e->filename != NULL ? xstrdup(e->filename) : NULL;
	if (dec != NULL)
		mailmime_decoded_part_free(dec);
	return 0;
}

/* Finds the next delimiter line of boundary b at or after the line start
 * from. Returns 1 with *line (its first byte), *next (the byte after its
 * line break) and *close (1 for "--b--"); 0 when there is none. */
static int mail_find_delimiter(const char *s, size_t len, size_t from, const char *b, size_t blen,
                               size_t *line, size_t *next, int *close)
{
	const char *nl;
	size_t p = from, q;
	int c;

	while (p < len) {
		if (len - p >= blen + 2 && s[p] == '-' && s[p + 1] == '-' &&
		    memcmp(s + p + 2, b, blen) == 0) {
			q = p + 2 + blen;
			c = 0;
			if (len - q >= 2 && s[q] == '-' && s[q + 1] == '-') {
				c = 1;
				q += 2;
			}
			while (q < len && (s[q] == ' ' || s[q] == '\t'))
				q++;
			if (q == len || s[q] == '\n' ||
			    (s[q] == '\r' && (q + 1 == len || s[q + 1] == '\n'))) {
				*line = p;
				*close = c;
				if (q == len)
					*next = len;
				else if (s[q] == '\n')
					*next = q + 1;
				else
					*next = q + 1 == len ? len : q + 2;
				return 1;
			}
		}
		nl = memchr(s + p, '\n', len - p);
		if (nl == NULL)
			break;
		p = (size_t)(nl - s) + 1;
	}
	return 0;
}

static int mail_walk_child(struct mail_walk *w, const char *data, size_t len, int depth,
                           int is_message, const char *default_type)
{
	if (depth > LIMIT_MIME_DEPTH) {
		snprintf(w->err, w->errlen, "MIME nesting deeper than %d levels", LIMIT_MIME_DEPTH);
		return -1;
	}
	return mail_walk_entity(w, data, len, depth, is_message, default_type);
}

static int mail_walk_multipart(struct mail_walk *w, const char *body, size_t len,
                               const struct mail_entity *e, int depth)
{
	const char *child_type =
	    strcmp(e->content_type, "multipart/digest") == 0 ? "message/rfc822" : "text/plain";
	size_t blen = strlen(e->boundary), line, next, start, end;
	int close;

	if (!mail_find_delimiter(body, len, 0, e->boundary, blen, &line, &next, &close))
		return 0; /* no part at all: nothing to find */
	while (!close) {
		start = next;
		if (mail_find_delimiter(body, len, start, e->boundary, blen, &line, &next,
		                        &close)) {
			end = line;
			if (end > start && body[end - 1] == '\n')
				end--;
			if (end > start && body[end - 1] == '\r')
				end--;
		} else {
			end = len; /* no close delimiter (quirks G1) */
			close = 1;
		}
		if (++w->n_parts > LIMIT_MIME_PARTS) {
			snprintf(w->err, w->errlen, "more than %d MIME parts", LIMIT_MIME_PARTS);
			return -1;
		}
		if (mail_walk_child(w, body + start, end - start, depth + 1, 0, child_type) < 0)
			return -1;
	}
	return 0;
}

/* One entity: its header block, then by type: the parts of a multipart,
 * the message inside a message/rfc822, or a leaf that may be a report. */
static int mail_walk_entity(struct mail_walk *w, const char *data, size_t len, int depth,
                            int is_message, const char *default_type)
{
	struct mail_field f, ctype, cte, cdisp;
	struct mail_entity e;
	int have_ctype = 0, have_cte = 0, have_cdisp = 0, r, rc = 0;
	size_t off = 0;

	while ((r = mail_header_next(data, len, &off, &f, w->err, w->errlen)) > 0) {
		if (mail_field_is(&f, "Content-Type")) {
			if (!have_ctype)
				ctype = f;
			have_ctype = 1;
		} else if (mail_field_is(&f, "Content-Transfer-Encoding")) {
			if (!have_cte)
				cte = f;
			have_cte = 1;
		} else if (mail_field_is(&f, "Content-Disposition")) {
			if (!have_cdisp)
				cdisp = f;
			have_cdisp = 1;
		} else if (is_message && mail_message_field(w, &f, depth) < 0) {
			return -1;
		}
	}
	if (r < 0)
		return -1;
	mail_entity_read(&e, have_ctype ? &ctype : NULL, have_cte ? &cte : NULL,
	                 have_cdisp ? &cdisp : NULL, default_type);
	if (strncmp(e.content_type, "multipart/", 10) == 0 && e.boundary != NULL) {
		rc = mail_walk_multipart(w, data + off, len - off, &e, depth);
	} else if (strcmp(e.content_type, "message/rfc822") == 0 ||
	           strcmp(e.content_type, "message/global") == 0) {
		/* RFC 2046 section 5.2.1: only 7bit, 8bit or binary; an encoded
		 * one is left alone, as libetpan does. */
		if (e.encoding != MAILMIME_MECHANISM_BASE64 &&
		    e.encoding != MAILMIME_MECHANISM_QUOTED_PRINTABLE)
			rc = mail_walk_child(w, data + off, len - off, depth + 1, 1, "text/plain");
	} else if (mail_is_report(e.content_type, e.filename)) {
		rc = mail_add_report(w, data + off, len - off, &e);
	}
	mail_entity_clear(&e);
	return rc;
}

int mail_parse(const uint8_t *data, size_t len, struct mail_message **out, char *err, size_t errlen)
{
	const char *s = (const char *)data;
	const char *nl;
	struct mail_walk w;
	size_t start = 0;

	if (len == 0) {
		snprintf(err, errlen, "empty message");
		return -1;
	}
	if (len > LIMIT_INPUT_BYTES) {
		snprintf(err, errlen, "message larger than %u bytes", LIMIT_INPUT_BYTES);
		return -1;
	}
	if (!mail_looks_like_message(data, len)) {
		snprintf(err, errlen, "not a mail message: no header field at the start");
		return -1;
	}
	if (len >= 5 && memcmp(s, "From ", 5) == 0) {
		nl = memchr(s, '\n', len);
		start = nl != NULL ? (size_t)(nl - s) + 1 : len;
	}
	memset(&w, 0, sizeof(w));
	w.m = xcalloc(1, sizeof(*w.m));
	w.err = err;
	w.errlen = errlen;
	strbuf_init(&w.auth, (size_t)LIMIT_AUTH_HEADERS * (3u * LIMIT_HEADER_BYTES + 4u));
	if (mail_walk_entity(&w, s + start, len - start, 0, 1, "text/plain") < 0) {
		strbuf_free(&w.auth);
		mail_free(w.m);
		return -1;
	}
	if (w.auth.len > 0)
		w.m->auth_headers = strbuf_detach(&w.auth, NULL);
	strbuf_free(&w.auth);
	*out = w.m;
	return 0;
}

void mail_free(struct mail_message *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->n_parts; i++) {
		free(m->parts[i].data);
		free(m->parts[i].content_type);
		free(m->parts[i].filename);
	}
	free(m->parts);
	free(m->message_id);
	free(m->from);
	free(m->date);
	free(m->subject);
	free(m->tls_report_domain);
	free(m->tls_report_submitter);
	free(m->auth_headers);
	free(m);
}
