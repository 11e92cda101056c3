/*
 * datetime.h - strict RFC 3339 date-time parsing and UTC day arithmetic.
 *
 * Input is untrusted (report date-range). Parsing is strict about shape and
 * ranges; the one tolerance is a missing zone designator, which Microsoft
 * sends (quirks A1) and which is read as UTC. All results are UTC seconds
 * since 1970-01-01.
 */
#ifndef TLSWATCH_DATETIME_H
#define TLSWATCH_DATETIME_H

#include <stddef.h>
#include <stdint.h>

/* Parses "YYYY-MM-DDTHH:MM:SS[.frac][Z|+HH:MM|-HH:MM]" ('t', 'z' and a
 * space for 'T' allowed, RFC 3339 section 5.6). Fractions are dropped; a
 * leap second 60 counts as 59. 0, or -1 with the reason in err. */
int datetime_parse_rfc3339(const char *s, int64_t *out, char *err, size_t errlen);

/* Parses a UTC day "YYYY-MM-DD" into days since 1970-01-01. 0 or -1. */
int datetime_parse_day(const char *s, int64_t *day, char *err, size_t errlen);

/* Days since 1970-01-01 for a civil date (proleptic Gregorian). */
int64_t datetime_days_from_civil(int64_t y, unsigned m, unsigned d);

/* The UTC day (days since epoch) that holds the second t. */
int64_t datetime_day_of(int64_t t);

/* The first day of the month that holds day (days since epoch): the key
 * of per-month roll-ups, so a month is named by a day like every other
 * period. */
int64_t datetime_month_start(int64_t day);

/* The first day of the year that holds day: the key of per-year
 * roll-ups, as datetime_month_start is of per-month ones. */
int64_t datetime_year_start(int64_t day);

/* Splits the days [since, until) into whole months and the days around
 * them: [since, *months_since) and [*months_until, until) are read day by
 * day, [*months_since, *months_until) month by month (month starts, empty
 * when the period holds no whole month, then *months_since ==
 * *months_until and both lie within [since, until]). */
void datetime_split_months(int64_t since, int64_t until, int64_t *months_since,
                           int64_t *months_until);

/* Writes "YYYY-MM-DD" for a day number into buf (at least 11 bytes). */
void datetime_format_day(int64_t day, char *buf, size_t buflen);

/* Writes "YYYY-MM-DDTHH:MM:SSZ" for t into buf (at least 21 bytes). */
void datetime_format_utc(int64_t t, char *buf, size_t buflen);

#endif
