/*
 * cmd_db.c - "tlswatch db prune | check | recount": retention, integrity
 * and recounting of the database. Arguments are the operator's.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"
#include "datetime.h"
#include "escape.h"
#include "limits.h"
#include "log.h"
#include "parse_int.h"
#include "progress.h"
#include "store.h"
#include "store_admin.h"

static void db_usage(FILE *f)
{
	fprintf(f, "usage: tlswatch db prune [--before DATE | --keep-days N]\n"
	           "       tlswatch db check [--repair]\n"
	           "       tlswatch db recount\n"
	           "       tlswatch db copy --to URI|FILE\n"
	           "\n"
	           "  prune   delete reports whose UTC day is before DATE (YYYY-MM-DD), or\n"
	           "          older than N complete days (default: the config's\n"
	           "          [retention] keep_days), with their raw bytes, mail headers and\n"
	           "          figures; the figures of the days kept do not change.\n"
	           "          Quarantine records are kept.\n"
	           "  check   verify SQLite's integrity, foreign keys, the schema version, and\n"
	           "          that the summary figures agree with the stored reports, and\n"
	           "          that the roll-ups and /metrics totals agree with them\n"
	           "  --repair  first rebuild the roll-ups and /metrics totals from the\n"
	           "          daily figures (after a problem check found in them)\n"
	           "  recount rebuild every figure from the stored reports under the\n"
	           "          counting rules in force now (after changing [counting] in\n"
	           "          the config), in one transaction; running it twice changes\n"
	           "          nothing\n"
	           "  copy    copy the store (--db) into the new, empty PostgreSQL database\n"
	           "          at URI (postgresql://...; docs/postgresql.md), or into a new\n"
	           "          SQLite FILE (one that does not exist yet): every report,\n"
	           "          quarantine record, alert and IMAP state and check result, in\n"
	           "          one transaction\n"
	           "\n"
	           "Exit status: 0 done (check: no problem), 1 check found problems, 2 error.\n");
}

/* db check and db prune work on an existing database: a mistyped path
 * must not become a new, empty one that "has no problem". 0, or -1 after
 * saying why. */
static int db_require_file(const char *path)
{
	struct stat sb;

	if (store_is_server(path))
		return 0; /* a PostgreSQL URI: store_open says what is wrong */
	if (stat(path, &sb) < 0) {
		log_error("%s: %s; no database there (is the path right? --db, TLSWATCH_DB or "
		          "database in the configuration)",
		          path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(sb.st_mode)) {
		log_error("%s: not a regular file, so not a database", path);
		return -1;
	}
	return 0;
}

static int db_prune(struct cli *c, int argc, char **argv)
{
	const char *keep = config_get(c->cfg, "retention", "keep_days");
	struct store *st = NULL;
	int64_t before = -1, days, deleted = 0;
	char err[ERR_LINE_MAX], day[16];
	int i, rc = EXIT_FAILURE_OP;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--before") == 0 && i + 1 < argc) {
			if (datetime_parse_day(argv[++i], &before, err, sizeof(err)) < 0)
				return cli_usage_error("db", "--before %s: %s", argv[i], err);
		} else if (strcmp(argv[i], "--keep-days") == 0 && i + 1 < argc) {
			keep = argv[++i];
		} else {
			return cli_usage_error("db", "unknown argument '%s'", argv[i]);
		}
	}
	if (before < 0) {
		if (keep == NULL)
			return cli_usage_error("db", "prune needs --before DATE, --keep-days N or "
			                             "[retention] keep_days in the config");
		if (parse_int(keep, 1, LIMIT_PERIOD_DAYS, &days, NULL, 0) < 0)
			return cli_usage_error("db", "keep days '%s' is not a number of days",
			                       keep);
		before = datetime_day_of((int64_t)time(NULL)) - days;
	}
	if (db_require_file(c->db_path) < 0)
		return EXIT_FAILURE_OP;
	if (store_open(c->db_path, STORE_READWRITE, &st, err, sizeof(err)) < 0 ||
	    store_prune(st, before, &deleted, err, sizeof(err)) < 0) {
		log_error("%s", err);
		goto out;
	}
	datetime_format_day(before, day, sizeof(day));
	log_verbose("%" PRId64 " report%s before %s deleted", deleted, deleted == 1 ? "" : "s",
	            day);
	rc = EXIT_OK;
out:
	store_close(st);
	return rc;
}

static void db_print_problem(const char *msg, void *arg)
{
	(void)arg;
	printf("%s\n", msg);
}

static int db_check(struct cli *c, int repair)
{
	struct store *st = NULL;
	char err[ERR_LINE_MAX];
	int n = 0, rc = EXIT_FAILURE_OP;

	if (db_require_file(c->db_path) < 0)
		return EXIT_FAILURE_OP;
	/* read-write: an older schema is upgraded rather than refused */
	if (store_open(c->db_path, STORE_READWRITE, &st, err, sizeof(err)) < 0 ||
	    (repair && store_rollup_rebuild(st, err, sizeof(err)) < 0) ||
	    store_check(st, db_print_problem, NULL, &n, err, sizeof(err)) < 0) {
		log_error("%s", err);
		goto out;
	}
	if (n > 0)
		log_error("%s: %d problem%s found", c->db_path, n, n == 1 ? "" : "s");
	else
		log_verbose("%s: no problem found", c->db_path);
	rc = n > 0 ? EXIT_ATTENTION : EXIT_OK;
out:
	store_close(st);
	return rc;
}

static void db_recount_progress(int64_t done, int64_t total, void *arg)
{
	struct progress *p = arg;

	(void)done; /* progress_step counts the calls */
	p->total = (long)total;
	progress_step(p);
}

static int db_recount(struct cli *c)
{
	struct store *st = NULL;
	struct progress p;
	char err[ERR_LINE_MAX];
	int64_t n = 0;
	int rc = EXIT_FAILURE_OP;

	if (db_require_file(c->db_path) < 0)
		return EXIT_FAILURE_OP;
	progress_init(&p, "reports recounted", 0, c->quiet);
	if (store_open(c->db_path, STORE_READWRITE, &st, err, sizeof(err)) < 0 ||
	    store_recount(st, db_recount_progress, &p, &n, err, sizeof(err)) < 0) {
		progress_end(&p);
		log_error("%s", err);
		goto out;
	}
	progress_end(&p);
	log_verbose("%" PRId64 " report%s recounted", n, n == 1 ? "" : "s");
	rc = EXIT_OK;
out:
	store_close(st);
	return rc;
}

static int db_copy(struct cli *c, int argc, char **argv)
{
	struct store *from = NULL, *to = NULL;
	char err[ERR_LINE_MAX];
	int64_t rows = 0;
	int rc = EXIT_FAILURE_OP;
	struct stat sb;

	if (argc != 2 || strcmp(argv[0], "--to") != 0)
		return cli_usage_error("db", "copy needs --to URI or --to FILE");
	/* a file target is made new: a copy never lands in a database that
	 * already holds something */
	if (!store_is_server(argv[1]) && stat(argv[1], &sb) == 0)
		return cli_usage_error("db", "copy --to: '%s' exists; copy only into a new file",
		                       esc(argv[1]));
	if (db_require_file(c->db_path) < 0)
		return EXIT_FAILURE_OP;
	if (store_open(c->db_path, STORE_READONLY, &from, err, sizeof(err)) < 0 ||
	    store_open(argv[1], STORE_READWRITE, &to, err, sizeof(err)) < 0 ||
	    store_copy(from, to, &rows, err, sizeof(err)) < 0) {
		log_error("db copy: %s", err);
		goto out;
	}
	log_verbose("db copy: %" PRId64 " rows copied", rows);
	rc = EXIT_OK;
out:
	store_close(to);
	store_close(from);
	return rc;
}

int cmd_db(struct cli *c, int argc, char **argv)
{
	if (argc < 2 || cli_is_help(argv[1])) {
		db_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_FAILURE_OP : EXIT_OK;
	}
	if (argc > 2 && cli_is_help(argv[2])) {
		db_usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "prune") == 0)
		return db_prune(c, argc - 2, argv + 2);
	if (strcmp(argv[1], "check") == 0 && argc == 2)
		return db_check(c, 0);
	if (strcmp(argv[1], "check") == 0 && argc == 3 && strcmp(argv[2], "--repair") == 0)
		return db_check(c, 1);
	if (strcmp(argv[1], "recount") == 0 && argc == 2)
		return db_recount(c);
	if (strcmp(argv[1], "copy") == 0)
		return db_copy(c, argc - 2, argv + 2);
	return cli_usage_error("db", "expected prune, check, recount or copy");
}
