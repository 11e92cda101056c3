/*
 * query_ip.h - failed sessions by sending MTA IP, and the details behind
 * one IP: the one breakdown the aggregate tables do not hold, read from
 * the failure details with the count-once rules of docs/counting.md
 * applied per report (policies of type sts and tlsa are two views of the
 * same sessions: the larger counts; other types add).
 *
 * Filter values are bound parameters; returned strings are report text
 * (untrusted). Errors: 0 or -1 with a one-line reason in err.
 */
#ifndef TLSWATCH_QUERY_IP_H
#define TLSWATCH_QUERY_IP_H

#include <stddef.h>
#include <stdint.h>

#include "query.h"

struct query_ip_row {
	char *sending_ip; /* NULL where the details named none */
	int64_t failed_sessions;
};

struct query_ip_rows {
	struct query_ip_row *rows;
	size_t n;
};

/* Failed sessions of the filter's period (domains, organization, MX host,
 * result type) per sending IP, most first, then by IP (absent last);
 * groups with no failed session left out. limit 0: all rows. */
int query_failure_ips(struct store *st, const struct query_filter *f, size_t limit,
                      struct query_ip_rows *out, char *err, size_t errlen);
void query_ip_rows_free(struct query_ip_rows *r);

/* One failure detail from a sending IP, with the report it came in. */
struct query_ip_detail {
	int64_t report; /* report row id */
	int64_t day;
	char *organization;
	char *policy_type;
	char *policy_domain; /* NULL when absent, as are the rest */
	char *receiving_mx_hostname;
	char *result_type;
	char *receiving_ip;
	char *failure_reason_code;
	int64_t failed_sessions; /* as the detail states it */
};

struct query_ip_details {
	struct query_ip_detail *details;
	size_t n;
	int64_t total; /* matching details, all pages */
};

/* The failure details of the filter's period from sending IP ip ("" for
 * details without one) matching the filter's domains, organization, MX
 * host and result type; newest report first. offset skips, limit
 * (1..LIMIT_REPORT_PAGE) caps. */
int query_ip_details(struct store *st, const struct query_filter *f, const char *ip, int64_t offset,
                     int64_t limit, struct query_ip_details *out, char *err, size_t errlen);
void query_ip_details_free(struct query_ip_details *d);

#endif
