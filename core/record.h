/*
 * record.h - a report ready to store: the validated report and everything
 * the store writes besides it, derived once, before the store is called
 * (the SHA-256 of its JSON, its figures counted once, each policy's
 * policy-string and mx-host lists as JSON arrays, the gzip bytes kept).
 * The store receives a finished record and only writes it.
 *
 * Deriving is pure computation on validated input: it may run on another
 * thread than the store (cli/ingest_feed.c decodes on one of its own).
 */
#ifndef TLSWATCH_RECORD_H
#define TLSWATCH_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "digest.h"
#include "report.h"
#include "tally.h"

struct report_record {
	const struct report *r;            /* borrowed: outlives the record */
	int64_t day;                       /* report_day(r) */
	uint8_t sha256[DIGEST_SHA256_LEN]; /* of the JSON */
	uint8_t content_sha256[32];        /* report_content_hash: docs/trust.md */
	size_t json_len;
	struct tally tally;    /* borrows r's strings */
	char **policy_strings; /* per policy: a JSON array, or NULL */
	char **mx_hosts;       /* per policy: a JSON array, or NULL */
	const uint8_t *gz;     /* the gzip bytes to keep: the input's or own_gz */
	size_t gz_len;
	uint8_t *own_gz; /* owned; NULL when the report came as gzip */
};

/* Fills rec for report r of json (json_len bytes; gz, gz_len: the gzip
 * bytes it came as, borrowed, or NULL to compress the JSON here). Cannot
 * fail but for memory, which ends the program. Free with record_free (a
 * zeroed rec is a no-op). */
void record_derive(const struct report *r, const uint8_t *json, size_t json_len, const uint8_t *gz,
                   size_t gz_len, struct report_record *rec);
void record_free(struct report_record *rec);

#endif
