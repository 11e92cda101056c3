/*
 * report.h - the RFC 8460 section 4 report model, and its parser.
 *
 * report_parse_json() takes untrusted bytes and either returns a fully
 * validated report or a one-line reason naming the JSON path at fault
 * ("policies[2].summary.total-failure-session-count: negative number").
 * The cJSON tree never leaves report.c: callers see only these structs,
 * which are read-only after parsing and owned by the report (one arena).
 *
 * Tolerated sender quirks (docs/quirks.md): date-times without
 * a zone are UTC; contact-info null; policy-domain absent; policy-string
 * absent or []; mx-host absent, a string, [] or an array; failure-details
 * absent or []; details without sending-mta-ip or receiving-mx-hostname;
 * Microsoft's TLSA policy-string holding one JSON-encoded array; unknown
 * result-type and policy-type values; unknown keys (kept in the raw bytes);
 * receiving-mx-host-name, failure-error-code and additional-info-uri read as
 * their RFC names; trailing CR on policy lines stripped.
 */
#ifndef TLSWATCH_REPORT_H
#define TLSWATCH_REPORT_H

#include <stddef.h>
#include <stdint.h>

struct arena;

struct report_failure {
	const char *result_type;           /* never NULL */
	const char *sending_mta_ip;        /* NULL when absent */
	const char *receiving_mx_hostname; /* NULL when absent */
	const char *receiving_mx_helo;
	const char *receiving_ip;
	const char *additional_information;
	const char *failure_reason_code;
	int64_t failed_sessions;
};

struct report_policy {
	const char *policy_type;   /* "sts", "tlsa", "no-policy-found", or other */
	const char *policy_domain; /* NULL when absent (Postfix no-policy-found) */
	const char **policy_strings;
	size_t n_policy_strings;
	const char **mx_hosts;
	size_t n_mx_hosts;
	int64_t successful_sessions;
	int64_t failed_sessions;
	struct report_failure *failures;
	size_t n_failures;
};

struct report {
	const char *organization_name; /* never NULL, never empty */
	const char *contact_info;      /* NULL when absent or null */
	const char *report_id;         /* never NULL, never empty */
	int64_t start_time;            /* UTC seconds since the epoch */
	int64_t end_time;              /* >= start_time */
	struct report_policy *policies;
	size_t n_policies;
	struct arena *arena; /* owns everything above */
};

/* Parses and validates len bytes of JSON. json must be NUL-terminated at
 * json[len] (the NUL is not part of the document). On success *out is a new
 * report the caller frees with report_free(); on failure returns -1, writes
 * a one-line reason to err, and leaves *out untouched. */
int report_parse_json(const char *json, size_t len, struct report **out, char *err, size_t errlen);

void report_free(struct report *r);

/* The UTC day (days since the epoch) the report belongs to: the day of its
 * start-datetime. */
int64_t report_day(const struct report *r);

#endif
