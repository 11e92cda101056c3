/*
 * alert_config.c - the alert settings, read in one place: the [alert]
 * section of the configuration and the options of 'tlswatch alert' go
 * through alert_setting_set, and 'tlswatch web' reads the same section
 * through alert_params_from_config, so cron and the dashboard judge by the
 * same rules. Input is the operator's (trusted), but parsed strictly.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "config.h"
#include "limits.h"
#include "parse_int.h"
#include "period.h"

void alert_settings_default(struct alert_settings *s, int64_t today)
{
	memset(s, 0, sizeof(*s));
	s->p.at = today;
	s->p.window = ALERT_DEFAULT_WINDOW;
	s->p.baseline = ALERT_DEFAULT_BASELINE;
	s->p.factor = ALERT_DEFAULT_FACTOR;
	s->p.min_failures = ALERT_DEFAULT_MIN_FAILURES;
	s->repeat_after = ALERT_DEFAULT_REPEAT_AFTER;
	s->lookback = ALERT_DEFAULT_LOOKBACK;
}

static int alert_parse_factor(const char *s, double *out, char *err, size_t errlen)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !isfinite(v) || v <= 0 || v > 1e6) {
		snprintf(err, errlen, "'%.40s' is not a factor (a number above 0)", s);
		return -1;
	}
	*out = v;
	return 0;
}

/* A count of failed sessions, not of days: no "d" suffix. */
static int alert_parse_count(const char *s, int64_t *out, char *err, size_t errlen)
{
	char reason[64]; /* parse_int's few words, within an error line */

	if (parse_int(s, 1, LIMIT_COUNT_MAX / 2, out, reason, sizeof(reason)) < 0) {
		snprintf(err, errlen, "'%.40s' is %s", s, reason);
		return -1;
	}
	return 0;
}

int alert_setting_set(struct alert_settings *s, const char *key, const char *v, char *err,
                      size_t errlen)
{
	if (strcmp(key, "window") == 0)
		return period_parse_days(v, 1, LIMIT_PERIOD_DAYS, &s->p.window, err, errlen);
	if (strcmp(key, "baseline") == 0)
		return period_parse_days(v, 1, LIMIT_PERIOD_DAYS, &s->p.baseline, err, errlen);
	if (strcmp(key, "repeat_after") == 0)
		return period_parse_days(v, 0, LIMIT_PERIOD_DAYS, &s->repeat_after, err, errlen);
	if (strcmp(key, "lookback") == 0)
		return period_parse_days(v, 1, LIMIT_ALERT_LOOKBACK_DAYS, &s->lookback, err,
		                         errlen);
	if (strcmp(key, "min_failures") == 0)
		return alert_parse_count(v, &s->p.min_failures, err, errlen);
	if (strcmp(key, "factor") == 0)
		return alert_parse_factor(v, &s->p.factor, err, errlen);
	if (strcmp(key, "exec") == 0) {
		s->exec = v[0] != '\0' ? v : NULL;
		return 0;
	}
	if (strcmp(key, "webhook_format") == 0) {
		if (alert_webhook_format_parse(v, &s->webhook_format) < 0) {
			snprintf(err, errlen,
			         "'%.40s' is not json, slack, teams, matrix or discord", v);
			return -1;
		}
		return 0;
	}
	if (strcmp(key, "webhook") == 0) {
		s->webhook = v[0] != '\0' ? v : NULL;
		return 0;
	}
	snprintf(err, errlen, "unknown alert setting '%s'", key);
	return -1;
}

int alert_params_from_config(const struct config *cfg, struct alert_settings *s, char *err,
                             size_t errlen)
{
	static const char *const keys[] = {"window",       "baseline",     "factor",
	                                   "min_failures", "repeat_after", "lookback",
	                                   "exec",         "webhook",      "webhook_format"};
	char why[ERR_LINE_MAX];
	const char *v;
	size_t i;

	v = config_get(cfg, "web", "base_url");
	if (v != NULL && v[0] != '\0') {
		if (strncmp(v, "http://", 7) != 0 && strncmp(v, "https://", 8) != 0) {
			snprintf(err, errlen, "[web] base_url: '%.60s' is not an http(s) URL", v);
			return -1;
		}
		s->base_url = v;
	}
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		v = config_get(cfg, "alert", keys[i]);
		if (v != NULL && alert_setting_set(s, keys[i], v, why, sizeof(why)) < 0) {
			snprintf(err, errlen, "[alert] %s: %s", keys[i], why);
			return -1;
		}
	}
	return 0;
}
