/*
 * datetime.c - RFC 3339 parsing (untrusted input) and civil-day arithmetic
 * after Howard Hinnant's days_from_civil algorithm.
 */
#include "datetime.h"

#include <stdio.h>
#include <string.h>

#include "limits.h"

int64_t datetime_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void datetime_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

int64_t datetime_day_of(int64_t t)
{
	return t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
}

int64_t datetime_month_start(int64_t day)
{
	int64_t y;
	unsigned m, d;

	datetime_civil_from_days(day, &y, &m, &d);
	return day - (int64_t)(d - 1);
}

int64_t datetime_year_start(int64_t day)
{
	int64_t y;
	unsigned m, d;

	datetime_civil_from_days(day, &y, &m, &d);
	return datetime_days_from_civil(y, 1, 1);
}

/* The first day of the month after the one that holds day. */
static int64_t datetime_next_month(int64_t day)
{
	int64_t y;
	unsigned m, d;

	datetime_civil_from_days(day, &y, &m, &d);
	return m == 12 ? datetime_days_from_civil(y + 1, 1, 1)
	               : datetime_days_from_civil(y, m + 1, 1);
}

void datetime_split_months(int64_t since, int64_t until, int64_t *months_since,
                           int64_t *months_until)
{
	int64_t first = datetime_month_start(since) == since ? since : datetime_next_month(since);
	int64_t last = datetime_month_start(until);

	if (until <= since || first >= last) {
		*months_since = *months_until = since < until ? since : until;
		return;
	}
	*months_since = first;
	*months_until = last;
}

void datetime_format_day(int64_t day, char *buf, size_t buflen)
{
	int64_t y;
	unsigned m, d;

	datetime_civil_from_days(day, &y, &m, &d);
	snprintf(buf, buflen, "%04lld-%02u-%02u", (long long)y, m, d);
}

void datetime_format_utc(int64_t t, char *buf, size_t buflen)
{
	int64_t day = datetime_day_of(t), sec = t - day * 86400, y;
	unsigned m, d;

	datetime_civil_from_days(day, &y, &m, &d);
	snprintf(buf, buflen, "%04lld-%02u-%02uT%02u:%02u:%02uZ", (long long)y, m, d,
	         (unsigned)(sec / 3600), (unsigned)(sec / 60 % 60), (unsigned)(sec % 60));
}

/* Reads exactly n decimal digits. */
static int datetime_digits(const char **p, int n, unsigned *out)
{
	unsigned v = 0;
	int i;

	for (i = 0; i < n; i++) {
		if ((*p)[i] < '0' || (*p)[i] > '9')
			return -1;
		v = v * 10 + (unsigned)((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

static unsigned datetime_month_days(unsigned y, unsigned m)
{
	static const unsigned days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return days[m - 1];
}

static int datetime_parse_date(const char **p, unsigned *y, unsigned *m, unsigned *d, char *err,
                               size_t errlen)
{
	if (datetime_digits(p, 4, y) < 0 || *(*p)++ != '-' || datetime_digits(p, 2, m) < 0 ||
	    *(*p)++ != '-' || datetime_digits(p, 2, d) < 0) {
		snprintf(err, errlen, "not a date (want YYYY-MM-DD)");
		return -1;
	}
	if (*y < LIMIT_YEAR_MIN || *y > LIMIT_YEAR_MAX) {
		snprintf(err, errlen, "year %u out of range %d..%d", *y, LIMIT_YEAR_MIN,
		         LIMIT_YEAR_MAX);
		return -1;
	}
	if (*m < 1 || *m > 12 || *d < 1 || *d > datetime_month_days(*y, *m)) {
		snprintf(err, errlen, "no such date %04u-%02u-%02u", *y, *m, *d);
		return -1;
	}
	return 0;
}

int datetime_parse_day(const char *s, int64_t *day, char *err, size_t errlen)
{
	const char *p = s;
	unsigned y, m, d;

	if (strlen(s) != 10 || datetime_parse_date(&p, &y, &m, &d, err, errlen) < 0) {
		if (strlen(s) != 10)
			snprintf(err, errlen, "not a date (want YYYY-MM-DD)");
		return -1;
	}
	*day = datetime_days_from_civil(y, m, d);
	return 0;
}

int datetime_parse_rfc3339(const char *s, int64_t *out, char *err, size_t errlen)
{
	const char *p = s;
	unsigned y, mo, d, h, mi, sec, oh = 0, om = 0;
	int sign = 0;
	int64_t t;

	if (datetime_parse_date(&p, &y, &mo, &d, err, errlen) < 0)
		return -1;
	if (*p != 'T' && *p != 't' && *p != ' ') {
		snprintf(err, errlen, "not an RFC 3339 date-time (no 'T' after the date)");
		return -1;
	}
	p++;
	if (datetime_digits(&p, 2, &h) < 0 || *p++ != ':' || datetime_digits(&p, 2, &mi) < 0 ||
	    *p++ != ':' || datetime_digits(&p, 2, &sec) < 0) {
		snprintf(err, errlen, "not an RFC 3339 date-time (want HH:MM:SS)");
		return -1;
	}
	if (h > 23 || mi > 59 || sec > 60) {
		snprintf(err, errlen, "time %02u:%02u:%02u out of range", h, mi, sec);
		return -1;
	}
	if (sec == 60)
		sec = 59;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9') {
			snprintf(err, errlen, "not an RFC 3339 date-time (empty fraction)");
			return -1;
		}
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p == '+' ? 1 : -1;
		p++;
		if (datetime_digits(&p, 2, &oh) < 0 || *p++ != ':' ||
		    datetime_digits(&p, 2, &om) < 0 || oh > 23 || om > 59) {
			snprintf(err, errlen, "not an RFC 3339 date-time (bad zone offset)");
			return -1;
		}
	}
	/* no zone at all: Microsoft (quirks A1); read as UTC */
	if (*p != '\0') {
		snprintf(err, errlen, "not an RFC 3339 date-time (trailing characters)");
		return -1;
	}
	t = datetime_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
	t -= sign * (int64_t)(oh * 3600 + om * 60);
	*out = t;
	return 0;
}
