/*
 * main.c - tlswatch's entry point: global options, configuration, and
 * dispatch to a subcommand. Arguments are trusted (the operator's).
 */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "imap_secret.h"
#include "limits.h"
#include "log.h"
#include "parse_int.h"
#include "store.h"
#include "tally.h"

static const struct cli_command commands[] = {
    {"ingest", cmd_ingest, "store report files, mail messages or stdin"},
    {"quarantine", cmd_quarantine, "list, show or retry refused inputs"},
    {"collect", cmd_collect, "fetch reports from the rua mailbox over IMAP"},
    {"summary", cmd_summary, "failure summary of a period, for cron mail or as JSON"},
    {"alert", cmd_alert, "stay silent unless failures spike (hourly, after collect)"},
    {"web", cmd_web, "dashboard, JSON API and HTTPS report intake"},
    {"reports", cmd_reports, "list stored reports, filtered like the summary"},
    {"show", cmd_show, "one report: policies, failure details, source, raw JSON"},
    {"db", cmd_db, "prune old reports (retention), check the database or recount its figures"},
    {"check", cmd_check, "check the MTA-STS, TLSRPT and DANE a domain publishes"},
    {"auth", cmd_auth, "sign in once for OAuth (device flow), for collect"},
    {NULL, NULL, NULL},
};

static void main_usage(FILE *f)
{
	const struct cli_command *cmd;

	fprintf(f, "usage: tlswatch [--db PATH] [--config FILE] [-v | -q] COMMAND [ARGS]\n"
	           "       tlswatch --help | --version\n"
	           "\n"
	           "SMTP TLS reports (RFC 8460): collect, validate, store and summarise.\n"
	           "\n"
	           "Commands:\n");
	for (cmd = commands; cmd->name != NULL; cmd++)
		fprintf(f, "  %-12s %s\n", cmd->name, cmd->summary);
	fprintf(f, "\n"
	           "Global options:\n"
	           "  --db PATH       database file or postgresql:// URI (default:\n"
	           "                  $TLSWATCH_DB, the config's 'database', else\n"
	           "                  ./tlswatch.db)\n"
	           "  --config FILE   configuration file (default: $TLSWATCH_CONFIG, else\n"
	           "                  " CONFIG_DEFAULT_PATH " if present)\n"
	           "  -v, --verbose   say what happened to each input\n"
	           "  -q, --quiet     print errors only\n"
	           "  -h, --help      this help; 'tlswatch COMMAND --help' for a command\n"
	           "  --version       print the version\n"
	           "\n"
	           "Exit status: 0 all well, 1 something needs attention (an input was\n"
	           "quarantined, an alert raised), 2 an error (usage, database, network).\n"
	           "See tlswatch(1).\n");
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "tlswatch %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'tlswatch %s --help'.\n", cmd);
	return EXIT_FAILURE_OP;
}

int cli_is_help(const char *s)
{
	return strcmp(s, "-h") == 0 || strcmp(s, "--help") == 0;
}

/* Takes a global option's value from "--opt=V" or the next argument. */
static const char *main_option_value(int argc, char **argv, int *i, const char *name)
{
	size_t n = strlen(name);

	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (*i + 1 >= argc) {
		fprintf(stderr, "tlswatch: %s needs a value\n", name);
		exit(EXIT_FAILURE_OP);
	}
	return argv[++*i];
}

static int main_is_option(const char *arg, const char *name)
{
	size_t n = strlen(name);

	return strncmp(arg, name, n) == 0 && (arg[n] == '\0' || arg[n] == '=');
}

/* The database server's password (store_set_password_source): the
 * first line of tlswatch.conf's password_file, or of password_command's
 * output (/bin/sh -c, killed past password_command_timeout seconds);
 * collector/imap_secret.c reads both, never echoing the secret. Neither
 * set: no password of ours (libpq's PGPASSFILE and ~/.pgpass apply). */
static int main_db_password(void *arg, char **password, char *err, size_t errlen)
{
	const struct config *cfg = arg;
	const char *file = config_get(cfg, "", "password_file");
	const char *command = config_get(cfg, "", "password_command");
	const char *t = config_get(cfg, "", "password_command_timeout");
	int64_t timeout = LIMIT_SECRET_SECONDS_DEFAULT;

	*password = NULL;
	if (file == NULL && command == NULL)
		return 0;
	if (file != NULL && command != NULL) {
		snprintf(err, errlen, "set one of password_file and password_command, not both");
		return -1;
	}
	if (t != NULL && parse_int(t, 1, LIMIT_SECRET_SECONDS_MAX, &timeout, NULL, 0) < 0) {
		snprintf(err, errlen, "password_command_timeout: not 1..%d seconds",
		         LIMIT_SECRET_SECONDS_MAX);
		return -1;
	}
	return imap_secret_read(file, command, (long)timeout, password, err, errlen);
}

int main(int argc, char **argv)
{
	const struct cli_command *cmd;
	const char *config_file = NULL;
	struct cli c;
	char err[ERR_LINE_MAX];
	char **rest;
	int i, n = 0, rc, seen_command = 0;

	signal(SIGPIPE, SIG_IGN);
	/* a file size limit (RLIMIT_FSIZE) must be an error we report, not a
	 * signal that kills us between two writes */
	signal(SIGXFSZ, SIG_IGN);
	memset(&c, 0, sizeof(c));
	rest = calloc((size_t)argc + 1, sizeof(*rest));
	if (rest == NULL)
		return EXIT_FAILURE_OP;
	/* global options may stand before or after the command name, up to a
	 * "--"; everything else goes to the command */
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--") == 0) {
			for (; i < argc; i++)
				rest[n++] = argv[i];
			break;
		}
		if (main_is_option(a, "--db")) {
			c.db_path = main_option_value(argc, argv, &i, "--db");
		} else if (main_is_option(a, "--config")) {
			config_file = main_option_value(argc, argv, &i, "--config");
		} else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
			c.verbose++;
		} else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
			c.quiet = 1;
		} else if (strcmp(a, "--version") == 0) {
			printf("tlswatch %s\n", TLSWATCH_VERSION);
			free(rest);
			return EXIT_OK;
		} else if (!seen_command && cli_is_help(a)) {
			main_usage(stdout);
			free(rest);
			return EXIT_OK;
		} else {
			if (a[0] != '-')
				seen_command = 1;
			rest[n++] = argv[i];
		}
	}
	if (n == 0) {
		main_usage(stderr);
		free(rest);
		return EXIT_FAILURE_OP;
	}
	for (cmd = commands; cmd->name != NULL; cmd++)
		if (strcmp(cmd->name, rest[0]) == 0)
			break;
	if (cmd->name == NULL) {
		fprintf(stderr, "tlswatch: unknown command '%s'\nTry 'tlswatch --help'.\n",
		        rest[0]);
		free(rest);
		return EXIT_FAILURE_OP;
	}
	log_set_level(c.quiet          ? LOG_QUIET
	              : c.verbose >= 2 ? LOG_DEBUG
	              : c.verbose      ? LOG_VERBOSE
	                               : LOG_NORMAL);
	if (config_file == NULL && getenv("TLSWATCH_CONFIG") != NULL &&
	    getenv("TLSWATCH_CONFIG")[0] != '\0')
		config_file = getenv("TLSWATCH_CONFIG");
	if (config_file == NULL && access(CONFIG_DEFAULT_PATH, F_OK) == 0)
		config_file = CONFIG_DEFAULT_PATH;
	if (config_file != NULL) {
		if (config_load(config_file, &c.cfg, err, sizeof(err)) < 0) {
			log_error("%s", err);
			free(rest);
			return EXIT_FAILURE_OP;
		}
	} else {
		c.cfg = config_new_empty();
	}
	/* before any command runs (and any thread starts): the figures of
	 * every report stored from now on follow it (docs/counting.md) */
	if (tally_set_overrides(config_get(c.cfg, "counting", "sts_tlsa_same"),
	                        config_get(c.cfg, "counting", "sts_tlsa_disjoint"), err,
	                        sizeof(err)) < 0) {
		log_error("%s: %s", config_path(c.cfg) != NULL ? config_path(c.cfg) : "config",
		          err);
		config_free(c.cfg);
		free(rest);
		return EXIT_FAILURE_OP;
	}
	if (c.db_path == NULL)
		c.db_path = getenv("TLSWATCH_DB");
	if (c.db_path == NULL || c.db_path[0] == '\0')
		c.db_path = config_get(c.cfg, "", "database");
	if (c.db_path == NULL)
		c.db_path = "tlswatch.db";
	store_set_password_source(main_db_password, c.cfg);
	rc = cmd->run(&c, n, rest);
	store_set_password_source(NULL, NULL);
	config_free(c.cfg);
	free(rest);
	return rc;
}
