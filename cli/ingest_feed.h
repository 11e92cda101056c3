/*
 * ingest_feed.h - the reading half of 'tlswatch ingest'. A thread of its
 * own walks the PATH arguments (report files, mail messages, mbox files,
 * Maildir directories, "-" for stdin), reads each input (at most
 * LIMIT_INPUT_BYTES, the rest only counted) and decodes it with
 * decode_input() (core/decode.h: decode, parse, derive); the caller takes
 * the items in argument order and stores them with ingest_apply(), so
 * decoding one input overlaps storing the one before. What the reader has to say (a file it cannot
 * open, a directory that is not a Maildir) travels in the same queue, so messages come out in the
 * order of the inputs.
 *
 * The inputs are untrusted; the paths are the operator's. The queue holds
 * at most LIMIT_INGEST_QUEUE_INPUTS items and LIMIT_INGEST_QUEUE_BYTES of
 * input and decoded JSON (one larger item still passes, alone).
 */
#ifndef TLSWATCH_INGEST_FEED_H
#define TLSWATCH_INGEST_FEED_H

#include <stddef.h>
#include <stdint.h>

#include "ingest.h"

enum feed_kind {
	FEED_INPUT,   /* an input, decoded: store it */
	FEED_ERROR,   /* a path or input that could not be read: log_error, count */
	FEED_WARNING, /* the same, for a file that could not be opened: log_warnx */
	FEED_PROGRESS /* the progress line's unit or total changes */
};

struct feed_item {
	enum feed_kind kind;
	/* FEED_INPUT */
	uint8_t *data; /* the input's first bytes, owned */
	size_t len;
	int64_t size;               /* its full size */
	int truncated;              /* larger than LIMIT_INPUT_BYTES */
	struct decoded_input *prep; /* decode_input(data, ...) */
	const char *source_kind;    /* "file", "stdin", "mbox", "maildir" */
	char *name;                 /* source name: the path, PATH#N; NULL for stdin */
	char *label;                /* for messages: the path, PATH#N or "-" */
	const char *arg;            /* the PATH argument it comes from */
	/* FEED_ERROR, FEED_WARNING: one line, already escaped */
	char *message;
	int step; /* 1: counts as one input on the progress line */
	/* FEED_PROGRESS */
	const char *what;  /* "messages" */
	long total_add;    /* added to a known total */
	int total_unknown; /* 1: the total is no longer known */

	struct feed_item *next; /* queue link */
	size_t bytes;           /* what it holds, for the queue's bound */
};

struct ingest_feed;

/* Starts reading paths[0..n) on a new thread (the strings must outlive
 * the feed). Cannot fail but for resources, which end the program. */
struct ingest_feed *ingest_feed_start(char *const *paths, int n);

/* The next item in order, waiting for it; NULL after the last. The
 * caller gives it back with ingest_feed_done (or frees it with
 * ingest_feed_item_free). */
struct feed_item *ingest_feed_next(struct ingest_feed *f);
void ingest_feed_item_free(struct feed_item *it);
/* The inputs already read after the last item ingest_feed_next gave, in
 * order, at most max of them into out (without waiting): their number.
 * They stay the feed's until ingest_feed_next gives them. */
size_t ingest_feed_peek(const struct ingest_feed *f, const struct feed_item **out, size_t max);
/* Gives back an item the caller is done with: the reader thread frees it,
 * with the memory its own malloc arena lent (freeing it on the caller's
 * thread took that arena's lock against the reader: futex wake/wait in
 * the profile, issue 18). At most one batch of items is given back and
 * not yet freed. */
void ingest_feed_done(struct ingest_feed *f, struct feed_item *it);

/* Stops the reader (at its next input), waits for it and frees the feed
 * with every item not taken. ingest_feed_free(NULL) is a no-op. */
void ingest_feed_free(struct ingest_feed *f);

#endif
