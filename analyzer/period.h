/*
 * period.h - the analyzer's date options: --since DATE|Nd, --until DATE,
 * --at DATE, and day counts such as --window Nd. Input is the operator's
 * (or a web query string's): parsed strictly, bounded by LIMIT_PERIOD_DAYS
 * and the years datetime accepts. All days are UTC day numbers.
 */
#ifndef TLSWATCH_PERIOD_H
#define TLSWATCH_PERIOD_H

#include <stddef.h>
#include <stdint.h>

/* The UTC day number of now. */
int64_t period_today(void);

/* A day count "N" or "Nd" (decimal digits only), min <= N <= max.
 * 0, or -1 with the reason in err; *out written only on success. */
int period_parse_days(const char *s, int64_t min, int64_t max, int64_t *out, char *err,
                      size_t errlen);

/* A date "YYYY-MM-DD" (--until, --at). 0 or -1 with the reason. */
int period_parse_date(const char *s, int64_t *day, char *err, size_t errlen);

/* A --since value: "YYYY-MM-DD", or "Nd" for the N complete UTC days
 * before today (today - N), 1 <= N <= LIMIT_PERIOD_DAYS. */
int period_parse_since(const char *s, int64_t today, int64_t *day, char *err, size_t errlen);

/* Resolves --since and --until (either may be NULL) into [since, until):
 * since defaults to default_days before today, until to today. Fails
 * unless since < until. */
int period_resolve(const char *since, const char *until, int64_t today, int64_t default_days,
                   int64_t *since_out, int64_t *until_out, char *err, size_t errlen);

#endif
