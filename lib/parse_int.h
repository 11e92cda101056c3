/*
 * parse_int.h - the one bounded integer parser, after OpenSMTPD's
 * strtonum(s, min, max, &errstr). Every integer that comes from outside
 * is read through it: command-line options, configuration keys, query
 * parameters, header values. Input is untrusted. Also the one reader of a
 * hexadecimal digit.
 */
#ifndef TLSWATCH_PARSE_INT_H
#define TLSWATCH_PARSE_INT_H

#include <stddef.h>
#include <stdint.h>

/* Why parse_int failed; both are < 0, so "< 0" tests for either. */
#define PARSE_INT_INVALID (-1) /* not a decimal integer at all */
#define PARSE_INT_RANGE   (-2) /* a decimal integer outside [min, max] */

/* Reads s as a decimal integer with min <= value <= max: ASCII digits
 * only, with one leading '-' allowed when min < 0. Refused as
 * PARSE_INT_INVALID: the empty string, whitespace anywhere, '+', a '-'
 * where no negative value is allowed, a sign without digits, any trailing
 * character. Leading zeros are decimal ("010" is 10, never octal). A
 * number beyond int64_t is PARSE_INT_RANGE, as one beyond [min, max].
 * Returns 0 and writes *out; on failure *out is untouched and err (may be
 * NULL) says "not a decimal integer" or "out of range MIN..MAX", for the
 * caller to prefix with what was being read. */
int parse_int(const char *s, int64_t min, int64_t max, int64_t *out, char *err, size_t errlen);

/* The value 0-15 of one hexadecimal digit (either case), or -1: the one
 * reader of %XX escapes (query strings, RFC 2231 parameters). */
int parse_hex_digit(char c);

#endif
