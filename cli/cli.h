/*
 * cli.h - what the subcommands share: resolved global options and exit
 * codes that cron and monitoring can act on.
 */
#ifndef TLSWATCH_CLI_H
#define TLSWATCH_CLI_H

#include "config.h"

#define TLSWATCH_VERSION "0.1.0"

/* 0: all well. 1: something needs a look (an input quarantined, an alert
 * raised). 2: an operational error (bad usage, database, network). */
enum { EXIT_OK = 0, EXIT_ATTENTION = 1, EXIT_FAILURE_OP = 2 };

struct cli {
	const char *db_path; /* --db, else $TLSWATCH_DB, else config, else ./tlswatch.db */
	struct config *cfg;  /* never NULL: empty when no file */
	int verbose;         /* -v */
	int quiet;           /* -q */
};

struct cli_command {
	const char *name;
	int (*run)(struct cli *c, int argc, char **argv);
	const char *summary;
};

int cmd_ingest(struct cli *c, int argc, char **argv);
int cmd_quarantine(struct cli *c, int argc, char **argv);
int cmd_summary(struct cli *c, int argc, char **argv);
int cmd_alert(struct cli *c, int argc, char **argv);
int cmd_web(struct cli *c, int argc, char **argv);
int cmd_reports(struct cli *c, int argc, char **argv);
int cmd_show(struct cli *c, int argc, char **argv);
int cmd_collect(struct cli *c, int argc, char **argv);
int cmd_db(struct cli *c, int argc, char **argv);
int cmd_check(struct cli *c, int argc, char **argv);
int cmd_auth(struct cli *c, int argc, char **argv);

/* Prints "tlswatch CMD: msg" usage errors and returns EXIT_FAILURE_OP. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* 1 when s is "-h" or "--help". */
int cli_is_help(const char *s);

#endif
