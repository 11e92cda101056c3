/*
 * query_reason.h - two reads for issue 12: who reports for a domain on
 * which day (to tell a day still coming in from a complete one,
 * analyzer/arrival.c), and failed sessions by failure-reason-code as
 * sent (grouped and normalised by analyzer/reasons.c).
 *
 * Returned strings are report text (untrusted). Errors: 0 or -1 with a
 * one-line reason in err; output parameters written only on success.
 */
#ifndef TLSWATCH_QUERY_REASON_H
#define TLSWATCH_QUERY_REASON_H

#include <stddef.h>
#include <stdint.h>

#include "query.h"

/* The reporters of every domain on every day of [since, until), from
 * agg_domain: rows with policy_domain (NULL: absent), organization, day,
 * reports and sessions set, sorted by policy_domain (absent first), day,
 * organization. Caller frees with query_rows_free. */
int query_reporter_days(struct store *st, int64_t since, int64_t until, struct query_rows *out,
                        char *err, size_t errlen);

/* Which reporters reported for which domain on which days, as bits
 * (schema/014_presence.sql): one row per (policy_domain, organization,
 * block of QUERY_PRESENCE_SPAN days) for every block that overlaps
 * [since, until); bit i of days set when agg_domain has a row with
 * reports for day first_day + i, whether or not that day is in [since,
 * until). policy_domain NULL: absent. Sorted by policy_domain (absent
 * first), organization, first_day, in byte order. From roll_presence, or
 * from agg_domain with TLSWATCH_NO_ROLLUPS (the same rows). The strings
 * belong to the rows' arena: adjacent rows of one domain share one
 * policy_domain pointer, adjacent rows of one reporter of a domain one
 * organization pointer (so equal neighbours compare equal as pointers).
 * Caller frees with query_presence_rows_free. */
#define QUERY_PRESENCE_SPAN 32
struct query_presence {
	char *policy_domain;
	char *organization;
	int64_t first_day; /* a multiple of QUERY_PRESENCE_SPAN */
	uint32_t days;
};

struct arena;

struct query_presence_rows {
	struct query_presence *rows;
	size_t n;
	struct arena *strings; /* owns every row's strings; NULL: none yet */
};

int query_reporter_presence(struct store *st, int64_t since, int64_t until,
                            struct query_presence_rows *out, char *err, size_t errlen);
/* The same rows for the domains[0..n) only ("" for absent; each once),
 * a domain's rows together and in the same order: a few seeks per domain
 * instead of every domain's rows. A backend without it answers with every domain's rows (callers
 * skip the others). */
int query_reporter_presence_of(struct store *st, int64_t since, int64_t until,
                               const char *const *domains, size_t n,
                               struct query_presence_rows *out, char *err, size_t errlen);
void query_presence_rows_free(struct query_presence_rows *r);

/* Failed sessions of the filter's period (domains, organization, MX host,
 * result type) per failure-reason-code as sent, counted once per report
 * and MX as agg_mx counts (sts and tlsa are two views of the same
 * sessions, whatever result type each gives them). Details without a
 * reason code are left out. Most failed first, then by code; limit 0:
 * all rows. */
struct query_reason_row {
	char *reason_code;  /* never NULL; additional-information for
	                     * query_failure_infos */
	char *result_types; /* the details' result types, comma-separated,
	                     * repeats possible; never NULL */
	int64_t failed_sessions;
	int64_t reporters; /* distinct organizations that gave it */
};

struct query_reason_rows {
	struct query_reason_row *rows;
	size_t n;
};

int query_failure_reasons(struct store *st, const struct query_filter *f, size_t limit,
                          struct query_reason_rows *out, char *err, size_t errlen);
/* The same rows per additional-information as sent (details without it
 * left out). */
int query_failure_infos(struct store *st, const struct query_filter *f, size_t limit,
                        struct query_reason_rows *out, char *err, size_t errlen);
void query_reason_rows_free(struct query_reason_rows *r);

#endif
