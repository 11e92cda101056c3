/*
 * mtasts.h - what a domain publishes for MTA-STS (RFC 8461) and TLSRPT
 * (RFC 8460): the _mta-sts and _smtp._tls TXT records, the policy file, and
 * the mx pattern rule.
 *
 * Input: DNS answers and an HTTPS body from the network, so untrusted; every
 * size is bounded (core/limits.h) and every error is one line naming what is
 * wrong. Pure functions: no I/O, no globals.
 */
#ifndef TLSWATCH_MTASTS_H
#define TLSWATCH_MTASTS_H

#include <stddef.h>

#include "limits.h"

/* The _mta-sts TXT record (RFC 8461 section 3.1). */
struct mtasts_record {
	char id[33]; /* 1*32(ALPHA / DIGIT) */
};

/* Parses one TXT string that begins "v=STSv1". 0, or -1 with the reason. */
int mtasts_parse_record(const char *txt, struct mtasts_record *out, char *err, size_t errlen);

/* The _smtp._tls TXT record (RFC 8460 section 3). */
struct tlsrpt_record {
	int n_rua;
	char rua[LIMIT_TLSRPT_RUA][LIMIT_CHECK_NAME_BYTES];
};

/* Parses one TXT string that begins "v=TLSRPTv1". Each rua URI must be
 * mailto: or https:. 0, or -1 with the reason. */
int tlsrpt_parse_record(const char *txt, struct tlsrpt_record *out, char *err, size_t errlen);

enum mtasts_mode { MTASTS_MODE_NONE, MTASTS_MODE_TESTING, MTASTS_MODE_ENFORCE };

/* The policy file (RFC 8461 section 3.2). */
struct mtasts_policy {
	enum mtasts_mode mode;
	long max_age;
	int n_mx;
	char mx[LIMIT_STS_POLICY_MX][LIMIT_CHECK_NAME_BYTES];
	int n_unknown; /* extension keys, allowed but worth a note */
	char unknown[64];
};

/* Parses a policy body of len bytes (CRLF or LF lines; no NUL). version,
 * mode and max_age exactly once, mx at least once unless mode is none.
 * 0, or -1 with "line N: reason". */
int mtasts_parse_policy(const char *body, size_t len, struct mtasts_policy *out, char *err,
                        size_t errlen);

/* 1 when host matches pattern under RFC 8461 section 4.1: equal ignoring
 * case and a trailing dot, or "*.rest" where host is one label followed by
 * rest. */
int mtasts_mx_matches(const char *pattern, const char *host);

const char *mtasts_mode_name(enum mtasts_mode m);

#endif
