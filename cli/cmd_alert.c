/*
 * cmd_alert.c - "tlswatch alert": the daily cron job that stays silent
 * until failures spike (analyzer/alert.c, docs/alerts.md). Options and
 * the [alert] section of the configuration are the operator's; alerts
 * carry report text, escaped by the renderers.
 */
#include <getopt.h>
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
#include "published.h"
#include "store.h"

static void alert_usage(FILE *f)
{
	fprintf(f, "usage: tlswatch alert [--window Nd] [--baseline Nd] [--factor F]\n"
	           "                      [--min-failures N] [--at DATE] [--repeat-after Nd]\n"
	           "                      [--lookback Nd]\n"
	           "                      [--format text|json] [--exec CMD] [--webhook URL]\n"
	           "                      [--webhook-format json|slack|teams|matrix|discord]\n"
	           "\n"
	           "Compares failed sessions in the window (the complete UTC days before\n"
	           "--at) with the baseline before it, per (policy domain, MX host, result\n"
	           "type) and per policy domain; alerts on a spike, a new failure, a sharp\n"
	           "fall of a domain's success rate, and a daily reporter gone silent.\n"
	           "Prints nothing when all is well. Reports come a day or more late, so\n"
	           "each run also judges again every day of --lookback whose reports\n"
	           "changed since it was last judged; an alert is sent once per day it\n"
	           "concerns, again only when its count at least doubled. A day whose\n"
	           "usual reporters are not all in yet holds back the alerts that rest on\n"
	           "its sessions (up to 3 days; -v says so); other alerts say who is\n"
	           "missing. Run it hourly after 'collect'. See docs/alerts.md.\n"
	           "\n"
	           "  --window Nd        days evaluated (default 1)\n"
	           "  --baseline Nd      days before the window to compare with (default 28)\n"
	           "  --factor F         how many times the baseline's daily mean, and how\n"
	           "                     many standard deviations above it (default 3)\n"
	           "  --min-failures N   failed sessions needed for any alert (default 10)\n"
	           "  --at DATE          evaluate as if today were DATE (default today)\n"
	           "  --repeat-after Nd  an alert sent for a day is not sent for the N-1 days\n"
	           "                     after it (default 1, once per day; 0: every run)\n"
	           "  --lookback Nd      days judged again when their reports changed\n"
	           "                     (default 7, at most 62)\n"
	           "  --format F         text (one line per alert) or json\n"
	           "  --exec CMD         run CMD (/bin/sh -c) with the alerts as JSON on stdin\n"
	           "  --webhook-format F json (the alert document; default), slack\n"
	           "                     (Mattermost too), teams (Workflows), matrix\n"
	           "                     (m.room.message) or discord\n"
	           "  --webhook URL      POST the alerts as JSON, with a Slack/Mattermost/\n"
	           "                     Teams 'text' field\n"
	           "Defaults also come from the configuration's [alert] section: window,\n"
	           "baseline, factor, min_failures, repeat_after, lookback, exec, webhook,\n"
	           "webhook_format.\n"
	           "\n"
	           "Exit status: 0 nothing to report, 1 alerts, 2 an error (the alerts are\n"
	           "then not recorded as sent, so the next run tries again).\n");
}

struct alert_opts {
	struct alert_settings s;
	int json;
};

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
	if (o->s.exec != NULL &&
	    notify_exec(o->s.exec, strbuf_str(&json), json.len, err, sizeof(err)) < 0) {
		log_error("%s", err);
		goto out;
	}
	strbuf_reset(&json);
	if (o->s.webhook != NULL &&
	    (alert_render_webhook(l, o->s.webhook_format, &json) < 0 ||
	     notify_webhook(o->s.webhook, strbuf_str(&json), json.len, err, sizeof(err)) < 0)) {
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
	    {"lookback", required_argument, NULL, 'l'},
	    {"format", required_argument, NULL, 'F'},
	    {"exec", required_argument, NULL, 'e'},
	    {"webhook", required_argument, NULL, 'W'},
	    {"webhook-format", required_argument, NULL, 'M'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	static const char *const names[] = {
	    ['w'] = "window",       ['b'] = "baseline",     ['f'] = "factor",
	    ['m'] = "min_failures", ['r'] = "repeat_after", ['e'] = "exec",
	    ['W'] = "webhook",      ['l'] = "lookback",     ['M'] = "webhook_format"};
	struct alert_opts o;
	struct alert_list l;
	struct store *st = NULL;
	struct stat sb;
	char err[ERR_LINE_MAX];
	size_t suppressed = 0;
	int ch, rc = EXIT_FAILURE_OP;

	memset(&o, 0, sizeof(o));
	memset(&l, 0, sizeof(l));
	alert_settings_default(&o.s, period_today());
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
	if (alert_params_from_config(c->cfg, &o.s, err, sizeof(err)) < 0 ||
	    published_expiry_warn_days(c->cfg, &o.s.expiry_warn_days, err, sizeof(err)) < 0) {
		log_error("%s: %s", config_path(c->cfg) ? config_path(c->cfg) : "config", err);
		return EXIT_FAILURE_OP;
	}
	optind = 1;
	while ((ch = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		if (ch == 'a') {
			if (period_parse_date(optarg, &o.s.p.at, err, sizeof(err)) < 0)
				return cli_usage_error("alert", "--at: %s", err);
		} else if (ch == 'F') {
			if (strcmp(optarg, "text") != 0 && strcmp(optarg, "json") != 0)
				return cli_usage_error("alert", "unknown format '%s'", optarg);
			o.json = strcmp(optarg, "json") == 0;
		} else if (ch > 0 && (size_t)ch < sizeof(names) / sizeof(names[0]) &&
		           names[ch] != NULL &&
		           alert_setting_set(&o.s, names[ch], optarg, err, sizeof(err)) < 0) {
			const struct option *opt = opts;

			while (opt->name != NULL && opt->val != ch)
				opt++;
			return cli_usage_error("alert", "--%s: %s", opt->name, err);
		}
	}
	if (optind < argc)
		return cli_usage_error("alert", "unexpected argument '%s'", argv[optind]);
	/* read-write (the state table), but never create an empty store */
	if (!store_is_server(c->db_path) && stat(c->db_path, &sb) < 0) {
		log_error("database %s does not exist (ingest some reports first, or use --db)",
		          c->db_path);
		return EXIT_FAILURE_OP;
	}
	if (store_open(c->db_path, STORE_READWRITE, &st, err, sizeof(err)) < 0 ||
	    alert_run(st, &o.s, &l, &suppressed, err, sizeof(err)) < 0) {
		log_error("%s", err);
		goto out;
	}
	log_verbose("judged %zu day%s", l.n_judged, l.n_judged == 1 ? "" : "s");
	if (suppressed > 0)
		log_verbose("%zu alert%s already sent", suppressed, suppressed == 1 ? "" : "s");
	if (l.waiting > 0)
		log_verbose("%zu alert%s wait%s for usual reporters not in yet", l.waiting,
		            l.waiting == 1 ? "" : "s", l.waiting == 1 ? "s" : "");
	if (l.n > 0) {
		rc = alert_deliver(st, &o, &l);
	} else if (alert_record_sent(st, &l, (int64_t)time(NULL), err, sizeof(err)) < 0) {
		/* nothing to send, but what was judged is kept */
		log_error("%s", err);
	} else {
		rc = EXIT_OK;
	}
out:
	alert_list_free(&l);
	store_close(st);
	return rc;
}
