/*
 * parse_int.c - strict bounded decimal integers (see parse_int.h). Input
 * is untrusted: the digits are accumulated with an overflow check, so no
 * string of any length can wrap around.
 */
#include "parse_int.h"

#include <stdio.h>

static int parse_int_fail(int rc, int64_t min, int64_t max, char *err, size_t errlen)
{
	if (err == NULL || errlen == 0)
		return rc;
	if (rc == PARSE_INT_RANGE)
		snprintf(err, errlen, "out of range %lld..%lld", (long long)min, (long long)max);
	else
		snprintf(err, errlen, "not a decimal integer");
	return rc;
}

int parse_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int parse_int(const char *s, int64_t min, int64_t max, int64_t *out, char *err, size_t errlen)
{
	const char *p = s;
	int negative = 0, overflow = 0;
	uint64_t v = 0, limit;

	if (*p == '-' && min < 0) {
		negative = 1;
		p++;
	}
	if (*p == '\0')
		return parse_int_fail(PARSE_INT_INVALID, min, max, err, errlen);
	/* the magnitude of INT64_MIN is one more than INT64_MAX */
	limit = negative ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; *p != '\0'; p++) {
		unsigned d;

		if (*p < '0' || *p > '9')
			return parse_int_fail(PARSE_INT_INVALID, min, max, err, errlen);
		d = (unsigned)(*p - '0');
		/* keep reading after an overflow: "9...9x" is junk, not a range */
		if (v > (limit - d) / 10)
			overflow = 1;
		else
			v = v * 10 + d;
	}
	if (overflow)
		return parse_int_fail(PARSE_INT_RANGE, min, max, err, errlen);
	if (negative) {
		int64_t n = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;

		if (n < min || n > max)
			return parse_int_fail(PARSE_INT_RANGE, min, max, err, errlen);
		*out = n;
		return 0;
	}
	if (v > (uint64_t)INT64_MAX || (int64_t)v < min || (int64_t)v > max)
		return parse_int_fail(PARSE_INT_RANGE, min, max, err, errlen);
	*out = (int64_t)v;
	return 0;
}
