/*
 * scan_top.h - which failure groups a summary must read
 * (query_summary_scan_top in query.h), whatever the backend: the problems
 * chosen from the problems' sums and the groups read so far, and the string
 * hash both backends' maps use. Rows hold report text (untrusted); it is
 * only compared and hashed here.
 */
#ifndef TLSWATCH_SCAN_TOP_H
#define TLSWATCH_SCAN_TOP_H

#include <stddef.h>
#include <stdint.h>

#include "query.h"

/* 1 when a and b are both NULL or the same string. */
int scan_str_eq(const char *a, const char *b);
/* FNV-1a of s folded into h; NULL and "" hash apart. */
uint64_t scan_hash_str(uint64_t h, const char *s);

/* The summary's totals from sc's rows: sessions from the day series (each
 * agg_domain row in one day); reports as query_totals counts them: with
 * one domain the domain's rows are exact, one per report. Returns 1 when
 * the reports are still to be counted (in the report table), else 0. */
int scan_top_totals(const struct query_filter *f, struct query_scan *sc);

/* A problem (the failure groups of one domain, MX and result type), or
 * with mx_host and result_type NULL a domain; strings borrowed. */
struct scan_top_key {
	const char *policy_domain;
	const char *mx_host;
	const char *result_type;
};

/* How a backend reads the QUERY_BY_FAILURE groups of the period. */
struct scan_top_reader {
	/* adds every group of each of the np problems to the groups read,
	 * and may add the other groups of their domains: the nd domains
	 * first wanted in this call (NULL: the absent domain; a problem's
	 * domain may have come in an earlier call). A backend that seeks by
	 * domain reads those domains whole; no problem and no domain is
	 * passed twice, so neither way counts a group twice. */
	int (*read)(void *ctx, const struct scan_top_key *domains, size_t nd,
	            const struct scan_top_key *problems, size_t np, char *err, size_t errlen);
	/* every group of the period instead, in one pass (what read added
	 * is dropped) */
	int (*read_all)(void *ctx, char *err, size_t errlen);
	/* the groups read so far */
	const struct query_rows *(*groups)(void *ctx);
	void *ctx;
};

/* Reads, through rd, every group of the problem of each of keep's rows
 * (may be NULL), of the top_n largest problems (the period's groups
 * summed per domain, MX and result type, failed only, in any order), and
 * of every problem at least as large as the top_n-th largest group read,
 * until no new problem is wanted. A group of a problem not read is at
 * most its problem, so smaller than top_n groups read: the first top_n
 * groups and every group of the top_n problems (ties at the edge
 * included) are those of the full breakdown, however many more groups of
 * their domains a backend adds. When the wanted problems span more than
 * half of the period's n_domains, read_all instead. Returns 1 after
 * read_all, 0 after reads, -1 with err set by rd. */
int scan_top_select(const struct scan_top_reader *rd, size_t top_n,
                    const struct query_rows *problems, const struct query_rows *keep,
                    size_t n_domains, char *err, size_t errlen);

#endif
