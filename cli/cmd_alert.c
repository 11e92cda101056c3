/*
 * cmd_alert.c - "tlswatch alert": the daily cron job that stays silent
 * until failures spike (analyzer/alert.c, docs/alerts.md). Options and
 * the [alert] section of the configuration are the operator's; alerts
 * carry report text, escaped by the renderers.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "alert.h"
#include "cli.h"
#include "limits.h"
#include "log.h"
#include "notify.h"
#include "parse_int.h"
#include "period.h"
#include "store.h"

static void alert_usage(FILE *f)
{
	fprintf(f, "usage: tlswatch alert [--window Nd] [--baseline Nd] [--factor F]\n"
	           "                      [--min-failures N] [--at DATE] [--repeat-after Nd]\n"
	           "                      [--format text|json] [--exec CMD] [--webhook URL]\n"
	           "\n"
	           "Compares failed sessions in the window (the complete UTC days before\n"
	           "--at) with the baseline before it, per (policy domain, MX host, result\n"
	           "type) and per policy domain; alerts on a spike, a new failure, a sharp\n"
	           "fall of a domain's success rate, and a daily reporter gone silent.\n"
	           "Prints nothing when all is well. An alert already sent is not sent\n"
	           "again until --repeat-after days have passed. See docs/alerts.md.\n"
	           "\n"
	           "  --window Nd        days evaluated (default 1)\n"
	           "  --baseline Nd      days before the window to compare with (default 28)\n"
	           "  --factor F         how many times the baseline's daily mean, and how\n"
	           "                     many standard deviations above it (default 3)\n"
	           "  --min-failures N   failed sessions needed for any alert (default 10)\n"
	           "  --at DATE          evaluate as if today were DATE (default today)\n"
	           "  --repeat-after Nd  send an alert again after N days (default 1; 0:\n"
	           "                     every run)\n"
	           "  --format F         text (one line per alert) or json\n"
	           "  --exec CMD         run CMD (/bin/sh -c) with the alerts as JSON on stdin\n"
	           "  --webhook URL      POST the alerts as JSON, with a Slack/Mattermost/\n"
	           "                     Teams 'text' field\n"
	           "Defaults also come from the configuration's [alert] section: window,\n"
	           "baseline, factor, min_failures, repeat_after, exec, webhook.\n"
	           "\n"
	           "Exit status: 0 nothing to report, 1 alerts, 2 an error (the alerts are\n"
	           "then not recorded as sent, so the next run tries again).\n");
}

struct alert_opts {
	struct alert_params p;
	int64_t repeat_after;
	int json;
	const char *exec;
	const char *webhook;
};

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
static int alert_parse_min_failures(const char *s, int64_t *out, char *err, size_t errlen)
{
	char reason[64]; /* parse_int's few words, within an error line */

	if (parse_int(s, 1, LIMIT_COUNT_MAX / 2, out, reason, sizeof(reason)) < 0) {
		snprintf(err, errlen, "'%.40s' is %s", s, reason);
		return -1;
	}
	return 0;
}

/* One setting, from the config file (where is "[alert] key") or an
 * option (where is "--key"). */
static int alert_set(struct alert_opts *o, const char *key, const char *v, char *err, size_t errlen)
{
	char why[ERR_LINE_MAX];
	int rc = 0;

	if (strcmp(key, "window") == 0)
		rc = period_parse_days(v, 1, LIMIT_PERIOD_DAYS, &o->p.window, why, sizeof(why));
	else if (strcmp(key, "baseline") == 0)
		rc = period_parse_days(v, 1, LIMIT_PERIOD_DAYS, &o->p.baseline, why, sizeof(why));
	else if (strcmp(key, "repeat_after") == 0)
		rc = period_parse_days(v, 0, LIMIT_PERIOD_DAYS, &o->repeat_after, why, sizeof(why));
	else if (strcmp(key, "min_failures") == 0)
		rc = alert_parse_min_failures(v, &o->p.min_failures, why, sizeof(why));
	else if (strcmp(key, "factor") == 0)
		rc = alert_parse_factor(v, &o->p.factor, why, sizeof(why));
	else if (strcmp(key, "exec") == 0)
		o->exec = v[0] != '\0' ? v : NULL;
	else if (strcmp(key, "webhook") == 0)
		o->webhook = v[0] != '\0' ? v : NULL;
	if (rc < 0)
		snprintf(err, errlen, "%s", why);
	return rc;
}

static int alert_config(struct cli *c, struct alert_opts *o)
{
	static const char *const keys[] = {"window",       "baseline", "factor", "min_failures",
	                                   "repeat_after", "exec",     "webhook"};
	char err[ERR_LINE_MAX];
	const char *v;
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		v = config_get(c->cfg, "alert", keys[i]);
		if (v != NULL && alert_set(o, keys[i], v, err, sizeof(err)) < 0) {
			log_error("%s: [alert] %s: %s",
			          config_path(c->cfg) ? config_path(c->cfg) : "config", keys[i],
			          err);
			return -1;
		}
	}
	return 0;
}

/* Prints, delivers, records. Returns the exit status. */
static int alert_deliver(struct store *st, const struct alert_opts *o, const struct alert_list *l)
{
	struct strbuf out, json;
	char err[ERR_LINE_MAX];
	int rc = EXIT_FAILURE_OP;

	strbuf_init(&out, LIMIT_SUMMARY_BYTES);
	strbuf_init(&json, LIMIT_SUMMARY_BYTES);
	if ((o->json ? alert_render_json(l, &out, 1) : alert_render_text(l, &out)) < 0 ||
	    alert_render_json(l, &json, 0) < 0) {
		log_error("alerts larger than %u bytes", LIMIT_SUMMARY_BYTES);
		goto out;
	}
	if (fwrite(strbuf_str(&out), 1, out.len, stdout) != out.len || fflush(stdout) != 0) {
		log_warn("writing the alerts");
		goto out;
	}
	if (o->exec != NULL &&
	    notify_exec(o->exec, strbuf_str(&json), json.len, err, sizeof(err)) < 0) {
		log_error("%s", err);
		goto out;
	}
	if (o->webhook != NULL &&
	    notify_webhook(o->webhook, strbuf_str(&json), json.len, err, sizeof(err)) < 0) {
		log_error("%s", err);
		goto out;
	}
	if (alert_record_sent(st, l, (int64_t)time(NULL), err, sizeof(err)) < 0) {
		log_error("%s (the alerts were sent but not recorded)", err);
		goto out;
	}
	rc = EXIT_ATTENTION;
out:
	strbuf_free(&out);
	strbuf_free(&json);
	return rc;
}

int cmd_alert(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"window", required_argument, NULL, 'w'},
	    {"baseline", required_argument, NULL, 'b'},
	    {"factor", required_argument, NULL, 'f'},
	    {"min-failures", required_argument, NULL, 'm'},
	    {"at", required_argument, NULL, 'a'},
	    {"repeat-after", required_argument, NULL, 'r'},
	    {"format", required_argument, NULL, 'F'},
	    {"exec", required_argument, NULL, 'e'},
	    {"webhook", required_argument, NULL, 'W'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	static const char *const names[] = {
	    ['w'] = "window",       ['b'] = "baseline", ['f'] = "factor", ['m'] = "min_failures",
	    ['r'] = "repeat_after", ['e'] = "exec",     ['W'] = "webhook"};
	struct alert_opts o;
	struct alert_list l;
	struct store *st = NULL;
	struct stat sb;
	char err[ERR_LINE_MAX];
	size_t suppressed = 0;
	int ch, rc = EXIT_FAILURE_OP;

	memset(&o, 0, sizeof(o));
	memset(&l, 0, sizeof(l));
	o.p.window = 1;
	o.p.baseline = 28;
	o.p.factor = 3;
	o.p.min_failures = 10;
	o.p.at = period_today();
	o.repeat_after = 1;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		if (ch == 'h') {
			alert_usage(stdout);
			return EXIT_OK;
		}
		if (ch == '?' || ch == ':')
			return cli_usage_error("alert", "unknown option");
	}
	/* the configuration first, then the options over it */
	if (alert_config(c, &o) < 0)
		return EXIT_FAILURE_OP;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		if (ch == 'a') {
			if (period_parse_date(optarg, &o.p.at, err, sizeof(err)) < 0)
				return cli_usage_error("alert", "--at: %s", err);
		} else if (ch == 'F') {
			if (strcmp(optarg, "text") != 0 && strcmp(optarg, "json") != 0)
				return cli_usage_error("alert", "unknown format '%s'", optarg);
			o.json = strcmp(optarg, "json") == 0;
		} else if (ch > 0 && (size_t)ch < sizeof(names) / sizeof(names[0]) &&
		           names[ch] != NULL &&
		           alert_set(&o, names[ch], optarg, err, sizeof(err)) < 0) {
			const struct option *opt = opts;

			while (opt->name != NULL && opt->val != ch)
				opt++;
			return cli_usage_error("alert", "--%s: %s", opt->name, err);
		}
	}
	if (optind < argc)
		return cli_usage_error("alert", "unexpected argument '%s'", argv[optind]);
	/* read-write (the state table), but never create an empty store */
	if (stat(c->db_path, &sb) < 0) {
		log_error("database %s does not exist (ingest some reports first, or use --db)",
		          c->db_path);
		return EXIT_FAILURE_OP;
	}
	if (store_open(c->db_path, STORE_READWRITE, &st, err, sizeof(err)) < 0 ||
	    alert_evaluate(st, &o.p, &l, err, sizeof(err)) < 0 ||
	    alert_filter_sent(st, &l, o.repeat_after, &suppressed, err, sizeof(err)) < 0) {
		log_error("%s", err);
		goto out;
	}
	if (suppressed > 0)
		log_verbose("%zu alert%s already sent (--repeat-after)", suppressed,
		            suppressed == 1 ? "" : "s");
	rc = l.n == 0 ? EXIT_OK : alert_deliver(st, &o, &l);
out:
	alert_list_free(&l);
	store_close(st);
	return rc;
}
