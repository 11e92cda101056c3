/*
 * mbox.h - splitting an mbox file into messages, streaming.
 *
 * Input is untrusted (anyone can mail the rua address, and the mbox holds
 * what they sent). The splitter is fed the file in chunks of any size and
 * hands each message to a callback; it holds at most one message, capped:
 * a message over the cap is passed on truncated (its first cap bytes and
 * its full size), never dropped, so that ingest can quarantine it. An mbox
 * may be far larger than the cap.
 *
 * Format (RFC 4155, mboxrd): a message starts at a line beginning "From "
 * at the start of the file or after a line break; that line is the
 * envelope and is not part of the message. The empty line a writer puts
 * before the next "From " line is not part of the message either. Lines
 * matching ">+From " lose one '>' (mboxrd unquoting). LF or CRLF.
 */
#ifndef TLSWATCH_MBOX_H
#define TLSWATCH_MBOX_H

#include <stddef.h>
#include <stdint.h>

struct mbox_message {
	const uint8_t *data; /* the message, unquoted; valid during the call */
	size_t len;
	int64_t size;  /* full size: larger than len when truncated */
	int truncated; /* 1: over the cap; data holds the first cap bytes */
	long index;    /* 1 for the first message in the mbox */
};

/* Called once per message, in order. Returns 0 to go on, non-zero to
 * stop the split (the value is passed back to the feeder). */
typedef int (*mbox_message_fn)(const struct mbox_message *msg, void *arg);

struct mbox_split;

/* A splitter holding messages of at most cap bytes. Free with
 * mbox_split_free (NULL is a no-op). */
struct mbox_split *mbox_split_new(size_t cap, mbox_message_fn fn, void *arg);
void mbox_split_free(struct mbox_split *s);

/* Feeds the next len bytes (any chunking gives the same messages).
 * Returns 0, or the callback's non-zero value once it asked to stop. */
int mbox_split_feed(struct mbox_split *s, const uint8_t *data, size_t len);

/* End of input: hands over the last message. Returns 0 or the callback's
 * non-zero value. Text before the first "From " line is a message only
 * if it is not blank. */
int mbox_split_finish(struct mbox_split *s);

/* Reads fd to its end in chunks, feeding s, then finishes. 0; or -1 with
 * the reason in err: a read error, or "stopped" when the callback asked. */
int mbox_read_fd(int fd, struct mbox_split *s, char *err, size_t errlen);

/* 1 when head (the first bytes of a file) starts with a "From " line
 * followed by a header field: an mbox rather than one message. */
int mbox_looks_like_mbox(const uint8_t *head, size_t len);

#endif
