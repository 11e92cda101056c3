/*
 * mbox.c - a streaming mbox splitter (RFC 4155, mboxrd unquoting) over a
 * bounded buffer. Input is untrusted: a message longer than the cap is
 * counted to the end but only its first cap bytes are kept; a "From " line
 * of any length costs nothing, as it is skipped, not stored.
 *
 * The splitter is a small state machine fed chunks of any size: a line
 * start may be split across chunks ("Fr" | "om "), so the few bytes that
 * may start a separator or a quoted ">From " are matched one at a time;
 * the rest of each line is copied in one go.
 */
#include "mbox.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mail.h"
#include "xalloc.h"

/* Bytes read per read(2) call: a buffer size, not a limit on the input. */
#define MBOX_CHUNK (64u * 1024u)

static const uint8_t mbox_from[] = "From ";

enum mbox_mode {
	MBOX_TEXT,    /* inside a line, or at a line start (at_bol) */
	MBOX_FROM,    /* at a line start, k bytes of "From " matched */
	MBOX_QUOTED,  /* at a line start after '>' (held back), then more
	               * '>' (passed on), then k bytes of "From " */
	MBOX_ENVELOPE /* skipping the rest of a "From " separator line */
};

struct mbox_split {
	size_t cap;
	mbox_message_fn fn;
	void *arg;
	uint8_t *buf; /* the current message, at most cap bytes */
	size_t len, alloc;
	int64_t size; /* bytes of the current message so far */
	int truncated;
	uint8_t tail[4]; /* its last bytes, kept even when truncated */
	size_t ntail;
	int in_message; /* a message is open */
	int after_from; /* it began at a "From " line */
	int nonblank;   /* it holds something other than white space */
	long next_index;
	int at_bol;
	enum mbox_mode mode;
	size_t k;
	int stopped; /* the callback's non-zero value */
};

struct mbox_split *mbox_split_new(size_t cap, mbox_message_fn fn, void *arg)
{
	struct mbox_split *s = xcalloc(1, sizeof(*s));

	s->cap = cap;
	s->fn = fn;
	s->arg = arg;
	s->next_index = 1;
	s->at_bol = 1;
	s->mode = MBOX_TEXT;
	return s;
}

void mbox_split_free(struct mbox_split *s)
{
	if (s == NULL)
		return;
	free(s->buf);
	free(s);
}

/* Appends n bytes to the current message (opening one if needed): stored
 * while under the cap, always counted. */
static void mbox_emit(struct mbox_split *s, const uint8_t *p, size_t n)
{
	size_t take, i;

	if (n == 0)
		return;
	s->in_message = 1;
	s->size += (int64_t)n;
	for (i = 0; i < n && !s->nonblank; i++)
		s->nonblank = p[i] != ' ' && p[i] != '\t' && p[i] != '\r' && p[i] != '\n';
	if (n >= sizeof(s->tail)) {
		memcpy(s->tail, p + n - sizeof(s->tail), sizeof(s->tail));
		s->ntail = sizeof(s->tail);
	} else {
		for (i = 0; i < n; i++) {
			if (s->ntail == sizeof(s->tail)) {
				memmove(s->tail, s->tail + 1, sizeof(s->tail) - 1);
				s->ntail--;
			}
			s->tail[s->ntail++] = p[i];
		}
	}
	if (s->truncated)
		return;
	take = n <= s->cap - s->len ? n : s->cap - s->len;
	if (s->len + take + 1 > s->alloc) {
		size_t want = s->alloc < 4096 ? 4096 : s->alloc;

		while (want < s->len + take + 1)
			want *= 2;
		if (want > s->cap + 1)
			want = s->cap + 1;
		s->buf = xrealloc(s->buf, want);
		s->alloc = want;
	}
	memcpy(s->buf + s->len, p, take);
	s->len += take;
	if (take < n)
		s->truncated = 1;
}

static int mbox_tail_is(const struct mbox_split *s, const char *end, size_t n)
{
	return s->ntail >= n && memcmp(s->tail + s->ntail - n, end, n) == 0;
}

/* Hands the current message to the callback and starts afresh. The empty
 * line before a "From " line (and at the end of the file) is the
 * separator's, not the message's (RFC 4155). */
static int mbox_deliver(struct mbox_split *s)
{
	struct mbox_message m;
	size_t drop = 0;
	int r;

	if (!s->in_message || (!s->after_from && !s->nonblank)) {
		r = 0;
		goto reset;
	}
	if (mbox_tail_is(s, "\n\r\n", 3))
		drop = 2;
	else if (mbox_tail_is(s, "\n\n", 2))
		drop = 1;
	s->size -= (int64_t)drop;
	if (!s->truncated)
		s->len -= drop;
	else if (s->size <= (int64_t)s->cap) {
		s->len = (size_t)s->size; /* what was cut was the separator */
		s->truncated = 0;
	}
	if (s->buf != NULL)
		s->buf[s->len] = '\0';
	m.data = s->buf != NULL ? s->buf : (const uint8_t *)"";
	m.len = s->len;
	m.size = s->size;
	m.truncated = s->truncated;
	m.index = s->next_index++;
	r = s->fn(&m, s->arg);
reset:
	s->len = 0;
	s->size = 0;
	s->truncated = 0;
	s->ntail = 0;
	s->in_message = 0;
	s->after_from = 0;
	s->nonblank = 0;
	return r;
}

/* A line start that turned out not to be a separator: the held bytes are
 * message text after all. */
static void mbox_release(struct mbox_split *s)
{
	if (s->mode == MBOX_QUOTED)
		mbox_emit(s, (const uint8_t *)">", 1);
	mbox_emit(s, mbox_from, s->k);
	s->mode = MBOX_TEXT;
	s->at_bol = 0;
	s->k = 0;
}

int mbox_split_feed(struct mbox_split *s, const uint8_t *data, size_t n)
{
	const uint8_t *nl;
	size_t i = 0, end;
	int r;

	while (i < n && s->stopped == 0) {
		uint8_t c = data[i];

		switch (s->mode) {
		case MBOX_ENVELOPE:
			nl = memchr(data + i, '\n', n - i);
			i = nl != NULL ? (size_t)(nl - data) + 1 : n;
			if (nl != NULL) {
				s->mode = MBOX_TEXT;
				s->at_bol = 1;
			}
			break;
		case MBOX_FROM:
			if (c != mbox_from[s->k]) {
				mbox_release(s);
				break;
			}
			i++;
			if (++s->k < 5)
				break;
			/* a separator: the message before it is complete */
			s->mode = MBOX_ENVELOPE;
			s->k = 0;
			r = mbox_deliver(s);
			s->in_message = 1;
			s->after_from = 1;
			if (r != 0)
				s->stopped = r;
			break;
		case MBOX_QUOTED:
			if (s->k == 0 && c == '>') {
				mbox_emit(s, &c, 1);
				i++;
				break;
			}
			if (c != mbox_from[s->k]) {
				mbox_release(s);
				break;
			}
			i++;
			if (++s->k < 5)
				break;
			/* ">+From ": the held '>' goes (mboxrd) */
			mbox_emit(s, mbox_from, 5);
			s->mode = MBOX_TEXT;
			s->at_bol = 0;
			s->k = 0;
			break;
		case MBOX_TEXT:
			if (s->at_bol && (c == 'F' || c == '>')) {
				s->mode = c == 'F' ? MBOX_FROM : MBOX_QUOTED;
				s->k = c == 'F' ? 1 : 0;
				i++;
				break;
			}
			nl = memchr(data + i, '\n', n - i);
			end = nl != NULL ? (size_t)(nl - data) + 1 : n;
			mbox_emit(s, data + i, end - i);
			s->at_bol = nl != NULL;
			i = end;
			break;
		}
	}
	return s->stopped;
}

int mbox_split_finish(struct mbox_split *s)
{
	int r;

	if (s->stopped != 0)
		return s->stopped;
	if (s->mode == MBOX_FROM || s->mode == MBOX_QUOTED)
		mbox_release(s);
	s->mode = MBOX_TEXT;
	r = mbox_deliver(s);
	if (r != 0)
		s->stopped = r;
	s->at_bol = 1;
	return r;
}

int mbox_read_fd(int fd, struct mbox_split *s, char *err, size_t errlen)
{
	uint8_t *chunk = xmalloc(MBOX_CHUNK);
	ssize_t n;
	int rc = 0;

	for (;;) {
		n = read(fd, chunk, MBOX_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "read: %s", strerror(errno));
			rc = -1;
			goto out;
		}
		if (n == 0)
			break;
		if (mbox_split_feed(s, chunk, (size_t)n) != 0) {
			snprintf(err, errlen, "stopped");
			rc = -1;
			goto out;
		}
	}
	if (mbox_split_finish(s) != 0) {
		snprintf(err, errlen, "stopped");
		rc = -1;
	}
out:
	free(chunk);
	return rc;
}

int mbox_looks_like_mbox(const uint8_t *head, size_t len)
{
	const uint8_t *nl, *rest;
	size_t rlen;

	if (len < 5 || memcmp(head, mbox_from, 5) != 0)
		return 0;
	nl = memchr(head, '\n', len);
	if (nl == NULL)
		return 0;
	rest = nl + 1;
	rlen = len - (size_t)(rest - head);
	if (rlen >= 5 && memcmp(rest, mbox_from, 5) == 0)
		return 0;
	return mail_looks_like_message(rest, rlen);
}
