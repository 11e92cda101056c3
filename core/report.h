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
 *
 * Kept and marked (report->quirks, report_quirks_text()): an empty or null
 * organization-name (filled by report_apply_context()); a failure detail
 * without result-type (stored as "unknown"); an over-long free-text field
 * (shortened, with a marker); a no-policy-found policy without a domain
 * (inferred by report_apply_context()). Structural damage is still refused.
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
	/* NULL: the report named policy_domain; else where it was inferred
	 * from ("TLS-Report-Domain", "subject", "file name", "report-id") */
	const char *policy_domain_source;
	const char **policy_strings;
	size_t n_policy_strings;
	const char **mx_hosts;
	size_t n_mx_hosts;
	int64_t successful_sessions;
	int64_t failed_sessions;
	struct report_failure *failures;
	size_t n_failures;
};

/* What a sender got slightly wrong and tlswatch kept (docs/quirks.md). */
#define REPORT_QUIRK_ORG_EMPTY       0x01u /* organization-name "" or null */
#define REPORT_QUIRK_RESULT_TYPE     0x02u /* a detail without result-type */
#define REPORT_QUIRK_SHORTENED       0x04u /* a free-text field cut short */
#define REPORT_QUIRK_DOMAIN_INFERRED 0x08u /* a policy-domain inferred */

struct report {
	/* never NULL; "" only between report_parse_json() and a successful
	 * report_apply_context() (REPORT_QUIRK_ORG_EMPTY) */
	const char *organization_name;
	/* where organization_name came from when the report had none:
	 * "TLS-Report-Submitter", "contact-info", "From", "file name",
	 * "HTTPS client" */
	const char *organization_source;
	const char *contact_info; /* NULL when absent or null */
	const char *report_id;    /* never NULL, never empty */
	int64_t start_time;       /* UTC seconds since the epoch */
	int64_t end_time;         /* >= start_time */
	struct report_policy *policies;
	size_t n_policies;
	unsigned quirks;         /* REPORT_QUIRK_* */
	size_t n_unknown_result; /* details stored as "unknown" */
	size_t n_shortened;      /* free-text fields cut short */
	struct arena *arena;     /* owns everything above */
};

/* Where a report came from, for what the report itself leaves out. Every
 * field may be NULL; all are borrowed and untrusted. */
struct report_context {
	const char *tls_report_domain;    /* mail header (RFC 8460 section 5.3) */
	const char *tls_report_submitter; /* mail header */
	const char *subject;              /* "Report Domain: D Submitter: S ..." */
	const char *file_name;            /* "submitter!domain!begin!end[!id].json[.gz]" */
	const char *mail_from;            /* From header value */
	const char *https_client;         /* client address of an HTTPS POST */
};

/* The sys4 reporter (tlsrpt-reportd, Postfix 3.10+) names its reports
 * "<start-datetime>_idx<n>_<domain>" (tlsrpt.py, report_id()): for a
 * report-id of that shape, the domain part (possibly ""), else NULL. The
 * most specific sign of that sender, as its organization-name is whatever
 * the operator configured (or ""). Borrowed from report_id. */
const char *report_sys4_domain(const char *report_id);

/* 1 when report_apply_context() has something to fill in. */
int report_needs_context(const struct report *r);

/* Fills what the report left out from where it came from, and marks it:
 * an empty organization-name from TLS-Report-Submitter, else the
 * contact-info domain, else the From domain, else the sender part of an
 * RFC 8460 file name, else the HTTPS client; a
 * no-policy-found policy without policy-domain from TLS-Report-Domain,
 * the subject, the file name, or a sys4 report-id (each must be a host
 * name). Returns 0, or -1 with a reason when no organization can be found
 * (the report is then refused). */
int report_apply_context(struct report *r, const struct report_context *c, char *err,
                         size_t errlen);

/* A one-line description of r->quirks ("organization-name empty: from
 * TLS-Report-Submitter; 1 result-type missing: stored as unknown; ..."),
 * or NULL when the report had none. */
const char *report_quirks_text(const struct report *r, char *buf, size_t buflen);

/* Parses and validates len bytes of JSON. json must be NUL-terminated at
 * json[len] (the NUL is not part of the document). On success *out is a new
 * report the caller frees with report_free(); on failure returns -1, writes
 * a one-line reason to err, and leaves *out untouched. */
int report_parse_json(const char *json, size_t len, struct report **out, char *err, size_t errlen);

/* 0 when r's start-datetime is not more than LIMIT_REPORT_AHEAD_SECONDS
 * after now (seconds since the epoch); else -1 with a one-line reason
 * naming the field. Asked of reports as they come in, not of stored ones. */
int report_check_ahead(const struct report *r, int64_t now, char *err, size_t errlen);

void report_free(struct report *r);

/* The UTC day (days since the epoch) the report belongs to: the day of its
 * start-datetime. */
int64_t report_day(const struct report *r);

#endif
