/*
 * period.c - parsing the analyzer's date options (operator input, parsed
 * strictly; see period.h).
 */
#include "period.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "datetime.h"
#include "limits.h"
#include "parse_int.h"

int64_t period_today(void)
{
	return datetime_day_of((int64_t)time(NULL));
}

int period_parse_days(const char *s, int64_t min, int64_t max, int64_t *out, char *err,
                      size_t errlen)
{
	size_t len = strlen(s), n;
	char digits[16];
	int64_t v;

	n = len > 0 && s[len - 1] == 'd' ? len - 1 : len;
	/* ten digits already exceed any limit: longer is not a day count */
	if (n == 0 || n > 10) {
		snprintf(err, errlen, "'%.40s' is not a number of days (want N or Nd)", s);
		return -1;
	}
	memcpy(digits, s, n);
	digits[n] = '\0';
	/* the range is checked here, to name the count as read ("007d": 7) */
	if (parse_int(digits, 0, INT64_MAX, &v, NULL, 0) < 0) {
		snprintf(err, errlen, "'%.40s' is not a number of days (want N or Nd)", s);
		return -1;
	}
	if (v < min || v > max) {
		snprintf(err, errlen, "%lld days is out of range %lld..%lld", (long long)v,
		         (long long)min, (long long)max);
		return -1;
	}
	*out = v;
	return 0;
}

int period_parse_date(const char *s, int64_t *day, char *err, size_t errlen)
{
	char why[ERR_LINE_MAX];

	if (datetime_parse_day(s, day, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "'%.40s': %s", s, why);
		return -1;
	}
	return 0;
}

int period_parse_since(const char *s, int64_t today, int64_t *day, char *err, size_t errlen)
{
	size_t len = strlen(s);
	int64_t n;

	if (len > 0 && s[len - 1] == 'd') {
		if (period_parse_days(s, 1, LIMIT_PERIOD_DAYS, &n, err, errlen) < 0)
			return -1;
		*day = today - n;
		return 0;
	}
	return period_parse_date(s, day, err, errlen);
}

int period_resolve(const char *since, const char *until, int64_t today, int64_t default_days,
                   int64_t *since_out, int64_t *until_out, char *err, size_t errlen)
{
	int64_t a = today - default_days, b = today;
	char da[16], db[16];

	if (since != NULL && period_parse_since(since, today, &a, err, errlen) < 0)
		return -1;
	if (until != NULL && period_parse_date(until, &b, err, errlen) < 0)
		return -1;
	if (a >= b) {
		datetime_format_day(a, da, sizeof(da));
		datetime_format_day(b, db, sizeof(db));
		snprintf(err, errlen, "empty period: since %s is not before until %s", da, db);
		return -1;
	}
	*since_out = a;
	*until_out = b;
	return 0;
}
