/*
 * hints.h - one line per RFC 8460 result type: what it means and what to
 * check. Covers every type registered in RFC 8460 section 4.3 (the IANA
 * "STARTTLS Validation Result Types" registry) and a generic line for any
 * other. The text is ours (trusted); the domain substituted into it comes
 * from a report, so the result must be escaped like any report text.
 */
#ifndef TLSWATCH_HINTS_H
#define TLSWATCH_HINTS_H

#include <stddef.h>

#include "limits.h"

/* An out buffer this large always holds a hint: the text names the domain
 * at most twice, and a domain is at most LIMIT_STRING_BYTES. */
#define HINTS_MAX (2 * LIMIT_STRING_BYTES + 512)

/* 1 when result_type is one RFC 8460 registers. */
int hints_is_registered(const char *result_type);

/* Writes the hint for result_type into out (always NUL-terminated), with
 * domain put where the hint names the policy domain; when domain is NULL
 * or "" (no one domain, or the "(none)" domain), a wording that names
 * none: never a placeholder. Returns out. Unknown types get the generic
 * hint. */
char *hints_format(const char *result_type, const char *domain, char *out, size_t outlen);

#endif
