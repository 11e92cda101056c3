/*
 * report_hash.h - a digest of what a report says, not how it was written.
 *
 * Two reports with the same (organization, report-id) are the same report
 * when their parsed content is equal: a re-send that differs only in
 * whitespace, key order or number formatting (1 vs 1.0) is a duplicate;
 * any other difference is a conflict (docs/trust.md).
 */
#ifndef TLSWATCH_REPORT_HASH_H
#define TLSWATCH_REPORT_HASH_H

#include <stdint.h>

#include "report.h"

#define REPORT_HASH_LEN 32

/* SHA-256 of a canonical serialisation of r: every field the parser keeps,
 * in a fixed order, policies and failure details in report order. Cannot
 * fail but for memory, which ends the program. */
void report_content_hash(const struct report *r, uint8_t out[REPORT_HASH_LEN]);

#endif
