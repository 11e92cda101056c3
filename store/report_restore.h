/*
 * report_restore.h - a stored report made again as ingest stored it, for
 * either backend: its raw bytes parsed again (untrusted, as when they
 * came), then given what only the stored rows know (the organization-name
 * as stored, the policies the [trust] domains filter kept, a policy
 * domain inferred from context). The backend reads the stored policy rows
 * (in idx order) and hands each to report_restore_row.
 */
#ifndef TLSWATCH_REPORT_RESTORE_H
#define TLSWATCH_REPORT_RESTORE_H

#include <stddef.h>
#include <stdint.h>

#include "report.h"

/* Raw gzip bytes gz of gz_len parsed again into *r (caller frees with
 * report_free). 0, or -1 with the reason. */
int report_restore_parse(const void *gz, size_t gz_len, struct report **r, char *err,
                         size_t errlen);

/* The matching of stored policy rows against the raw report's policies. */
struct report_restore {
	struct report *r;
	struct report_policy *kept; /* in r's arena */
	size_t n, j;
	int64_t id; /* the stored report's id, for the error */
};

void report_restore_begin(struct report_restore *rs, struct report *r, int64_t id);
/* One stored policy row (type, domain, its source, figures), in the order
 * stored. 0, or -1 when the stored policies are not a subsequence of the
 * raw ones (its figures cannot be counted again). */
int report_restore_row(struct report_restore *rs, const char *type, const char *dom,
                       const char *dsrc, int64_t ok, int64_t failed, char *err, size_t errlen);
/* r made what was stored: organization org, the policies matched. */
void report_restore_end(struct report_restore *rs, const char *org);

#endif
