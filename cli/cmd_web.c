/*
 * cmd_web.c - "tlswatch web": the dashboard, JSON API and RFC 8460 HTTPS
 * report intake (web/server.c). Options and the config's [web] section are
 * the operator's (trusted); requests are handled by web/.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "escape.h"
#include "limits.h"
#include "log.h"
#include "parse_int.h"
#include "period.h"
#include "published.h"
#include "server.h"

static void web_usage(FILE *f)
{
	fprintf(
	    f, "usage: tlswatch web [--listen ADDR:PORT] [--auth-file FILE | --no-auth]\n"
	       "                    [--tls-cert FILE --tls-key FILE]\n"
	       "                    [--intake [--intake-listen ADDR:PORT] [--intake-path PATH]]\n"
	       "\n"
	       "Serve the dashboard (overview, failures, reports, quarantine), the JSON\n"
	       "API (/api/v1/...), Prometheus /metrics and /healthz; with --intake, also\n"
	       "take reports POSTed by senders (RFC 8460 section 5.4, rua=https://...).\n"
	       "The dashboard only reads the database; the intake stores reports through\n"
	       "the same path as 'tlswatch ingest'. Runs until SIGINT or SIGTERM.\n"
	       "\n"
	       "  --listen ADDR:PORT     dashboard address (default " WEB_DEFAULT_LISTEN ");\n"
	       "                         IPv4, [IPv6] or localhost; port 0 picks a free one\n"
	       "  --auth-file FILE       user:hash lines (crypt(3): 'mkpasswd -m yescrypt',\n"
	       "                         'openssl passwd -6'); the file must not be group-\n"
	       "                         or world-writable, readable by others, or owned\n"
	       "                         by anyone but root or the user tlswatch runs as\n"
	       "  --no-auth              allow a non-loopback --listen without --auth-file\n"
	       "  --tls-cert FILE        PEM certificate chain: serve HTTPS\n"
	       "  --tls-key FILE         PEM private key\n"
	       "  --intake               accept POSTed reports (no authentication)\n"
	       "  --intake-listen ADDR:PORT\n"
	       "                         serve the intake on its own address, apart from the\n"
	       "                         dashboard (default: on the dashboard's)\n"
	       "  --intake-path PATH     where reports are POSTed (default " WEB_DEFAULT_INTAKE_PATH
	       ")\n"
	       "\n"
	       "Every option can also be set in the configuration's [web] section:\n"
	       "listen, auth_file, no_auth (yes/no), tls_cert, tls_key, intake (yes/no),\n"
	       "intake_listen, intake_path, intake_allow (networks that may POST;\n"
	       "docs/trust.md); also intake_rate, intake_client_bytes,\n"
	       "intake_day_bytes (the intake's per-client budgets, 429 past them),\n"
	       "request_timeout (seconds a whole request may take) and [quarantine]\n"
	       "max_bytes. The overview's alerts follow [alert] window,\n"
	       "baseline, factor, min_failures and lookback, like 'tlswatch alert'.\n"
	       "See docs/web.md.\n"
	       "\n"
	       "Exit status: 0 after SIGINT or SIGTERM, 2 on an error.\n");
}

/* "yes" or "no" from the config. */
static int web_config_bool(const char *key, const char *v, int *out, char *err, size_t errlen)
{
	if (strcmp(v, "yes") == 0) {
		*out = 1;
	} else if (strcmp(v, "no") == 0) {
		*out = 0;
	} else {
		snprintf(err, errlen, "[web] %s: '%s' is neither yes nor no", key, esc(v));
		return -1;
	}
	return 0;
}

static int web_config(const struct config *cfg, struct web_options *o, char *err, size_t errlen)
{
	const char *v;

	if ((v = config_get(cfg, "web", "listen")) != NULL)
		o->listen = v;
	if ((v = config_get(cfg, "web", "auth_file")) != NULL)
		o->auth_file = v;
	if ((v = config_get(cfg, "web", "tls_cert")) != NULL)
		o->tls_cert = v;
	if ((v = config_get(cfg, "web", "tls_key")) != NULL)
		o->tls_key = v;
	if ((v = config_get(cfg, "web", "intake_listen")) != NULL)
		o->intake_listen = v;
	if ((v = config_get(cfg, "web", "intake_path")) != NULL)
		o->intake_path = v;
	if ((v = config_get(cfg, "web", "intake_allow")) != NULL)
		o->intake_allow = v;
	if ((v = config_get(cfg, "web", "intake")) != NULL &&
	    web_config_bool("intake", v, &o->intake, err, errlen) < 0)
		return -1;
	if ((v = config_get(cfg, "web", "no_auth")) != NULL &&
	    web_config_bool("no_auth", v, &o->no_auth, err, errlen) < 0)
		return -1;
	return 0;
}

/* One [section] key as a count 0..max into *out (absent: unchanged). */
static int web_config_count(const struct config *cfg, const char *section, const char *key,
                            int64_t max, int64_t *out, char *err, size_t errlen)
{
	const char *v = config_get(cfg, section, key);
	char why[128];

	if (v == NULL || parse_int(v, 0, max, out, why, sizeof(why)) == 0)
		return 0;
	snprintf(err, errlen, "[%s] %s: '%.40s': %s", section, key, v, why);
	return -1;
}

/* The intake's budgets ([web] intake_rate, intake_client_bytes,
 * intake_day_bytes) and the quarantine's cap ([quarantine] max_bytes).
 * 0 turns a limit off. */
static int web_intake_config(const struct config *cfg, struct intake_limits *lim, char *err,
                             size_t errlen)
{
	int64_t rate;

	intake_limits_default(lim);
	rate = lim->budget.posts_per_minute;
	if (web_config_count(cfg, "web", "intake_rate", 1000000, &rate, err, errlen) < 0 ||
	    web_config_count(cfg, "web", "intake_client_bytes", LIMIT_COUNT_MAX,
	                     &lim->budget.client_day_bytes, err, errlen) < 0 ||
	    web_config_count(cfg, "web", "intake_day_bytes", LIMIT_COUNT_MAX,
	                     &lim->budget.total_day_bytes, err, errlen) < 0 ||
	    web_config_count(cfg, "quarantine", "max_bytes", LIMIT_COUNT_MAX,
	                     &lim->quarantine_max_bytes, err, errlen) < 0)
		return -1;
	lim->budget.posts_per_minute = (unsigned)rate;
	return 0;
}

/* [web] request_timeout: seconds per request (web/deadline.h). */
static int web_timeout_config(const struct config *cfg, unsigned *out, char *err, size_t errlen)
{
	int64_t v = LIMIT_WEB_REQUEST_SECONDS;

	if (web_config_count(cfg, "web", "request_timeout", 86400, &v, err, errlen) < 0)
		return -1;
	if (v == 0) {
		snprintf(err, errlen, "[web] request_timeout: 0 would close every connection");
		return -1;
	}
	*out = (unsigned)v;
	return 0;
}

int cmd_web(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"listen", required_argument, NULL, 'l'},
	    {"auth-file", required_argument, NULL, 'a'},
	    {"no-auth", no_argument, NULL, 'n'},
	    {"tls-cert", required_argument, NULL, 'c'},
	    {"tls-key", required_argument, NULL, 'k'},
	    {"intake", no_argument, NULL, 'i'},
	    {"intake-listen", required_argument, NULL, 'L'},
	    {"intake-path", required_argument, NULL, 'p'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct web_options o;
	struct alert_settings as;
	struct trust_config trust;
	char err[ERR_LINE_MAX];
	int ch;

	memset(&o, 0, sizeof(o));
	o.db_path = c->db_path;
	o.listen = WEB_DEFAULT_LISTEN;
	/* help needs no valid configuration */
	for (ch = 1; ch < argc; ch++)
		if (cli_is_help(argv[ch])) {
			web_usage(stdout);
			return EXIT_OK;
		}
	/* the overview's alerts follow the rules of 'tlswatch alert' */
	alert_settings_default(&as, 0);
	if (web_config(c->cfg, &o, err, sizeof(err)) < 0 ||
	    alert_params_from_config(c->cfg, &as, err, sizeof(err)) < 0 ||
	    published_expiry_warn_days(c->cfg, &o.expiry_warn_days, err, sizeof(err)) < 0 ||
	    web_intake_config(c->cfg, &o.intake_limits, err, sizeof(err)) < 0 ||
	    web_timeout_config(c->cfg, &o.request_timeout, err, sizeof(err)) < 0) {
		log_error("%s: %s", config_path(c->cfg) != NULL ? config_path(c->cfg) : "config",
		          err);
		return EXIT_FAILURE_OP;
	}
	o.alert = as;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (ch) {
		case 'l':
			o.listen = optarg;
			break;
		case 'a':
			o.auth_file = optarg;
			break;
		case 'n':
			o.no_auth = 1;
			break;
		case 'c':
			o.tls_cert = optarg;
			break;
		case 'k':
			o.tls_key = optarg;
			break;
		case 'i':
			o.intake = 1;
			break;
		case 'L':
			o.intake_listen = optarg;
			break;
		case 'p':
			o.intake_path = optarg;
			break;
		case 'h':
			web_usage(stdout);
			return EXIT_OK;
		default:
			return cli_usage_error("web", "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage_error("web", "unexpected argument '%s'", argv[optind]);
	if (cli_trust_load(c, &trust) < 0)
		return EXIT_FAILURE_OP;
	o.trust = &trust; /* the intake's [trust] domains */
	ch = web_serve(&o, err, sizeof(err));
	trust_config_free(&trust);
	if (ch < 0) {
		log_error("web: %s", err);
		return EXIT_FAILURE_OP;
	}
	return EXIT_OK;
}
