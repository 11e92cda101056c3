/*
 * decode.h - the first steps of ingest: decode, parse, derive. One input's
 * bytes (untrusted) become the records of its reports, ready to store
 * (record.h), or a refusal with a one-line reason naming the cause.
 *
 * gzip is detected by its magic bytes, JSON by its first character,
 * anything else is read as a mail message whose report parts are each
 * decoded like a file. Every size is checked against core/limits.h before
 * work is done. Decoding touches no store and no shared state, so it may
 * run on another thread than storing (cli/ingest_feed.c); storing is
 * collector/ingest.c's step.
 */
#ifndef TLSWATCH_DECODE_H
#define TLSWATCH_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "mail.h"
#include "record.h"

/* A refusal's reason: one line, the place in a message and the cause. */
#define DECODE_REASON_BYTES 512

/* One report of an input: decoded, validated and derived, or refused. */
struct decoded_part {
	uint8_t *json; /* owned, NUL-terminated; NULL when refused */
	size_t json_len;
	struct report *r;         /* owned; NULL when refused */
	struct report_record rec; /* record_derive(r, ...) when r */
};

struct decoded_input {
	const uint8_t *data; /* the input, borrowed */
	size_t len;
	int64_t orig_size;
	int truncated;
	int bad;        /* 1: to be quarantined, for reason (valid parts still stored) */
	int not_report; /* 1: a mail message carrying no report */
	char reason[DECODE_REASON_BYTES]; /* the first refusal */
	struct mail_message *mail;        /* NULL unless a mail message */
	struct decoded_part *parts;
	size_t n_parts;
	struct decoded_part one; /* the part of a report file */
};

/* Decodes an input of len bytes; orig_size is its full size and truncated
 * says data holds only the first part (such an input is refused). Cannot
 * fail (a refusal is part of the result) but for memory, which ends the
 * program. data must outlive the result, which borrows it. Free with
 * decode_free (NULL is a no-op). */
struct decoded_input *decode_input(const uint8_t *data, size_t len, int64_t orig_size,
                                   int truncated);
void decode_free(struct decoded_input *d);
/* Whether data reads as JSON: its first byte after a UTF-8 byte-order mark
 * and blanks is '{' or '['. */
int decode_is_json(const uint8_t *data, size_t len);
/* The decoded JSON the input holds, in bytes (for bounded queues). */
size_t decode_json_bytes(const struct decoded_input *d);

#endif
