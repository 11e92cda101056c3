/*
 * cmd_ingest.c - "tlswatch ingest PATH... | -": store report files, mail
 * messages or stdin. Inputs are untrusted; they go through core/ingest.c.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "escape.h"
#include "ingest.h"
#include "input.h"
#include "limits.h"
#include "log.h"
#include "progress.h"
#include "store.h"

static void ingest_usage(FILE *f)
{
	fprintf(f,
		"usage: tlswatch ingest [--dry-run] PATH... | -\n"
		"\n"
		"Validate TLS reports (RFC 8460) and store them. Each PATH is a report\n"
		"(.json, or gzip'd JSON, detected by its magic bytes) or a mail message\n"
		"carrying reports; '-' reads one input from stdin, so an MTA can pipe\n"
		"mail to 'tlswatch ingest -'. A report already stored is a duplicate,\n"
		"not an error. A refused input is kept in quarantine with the reason\n"
		"('tlswatch quarantine list').\n"
		"\n"
		"  --dry-run   validate only; write nothing\n"
		"\n"
		"Quiet on success; -v prints one line per input. Exit status: 0 every\n"
		"input stored or duplicate, 1 at least one quarantined, 2 an error.\n");
}

struct ingest_run {
	struct ingest *ig;
	int op_errors;
	int quarantined;
};

static int ingest_one(struct ingest_run *run, const char *path, char *err, size_t errlen)
{
	struct ingest_result res;
	struct source_info src;
	struct input in;
	char what[1024];
	int rc;

	if (input_read_path(path, LIMIT_INPUT_BYTES, &in, err, errlen) < 0) {
		log_error("%s", err);
		run->op_errors++;
		return 0;
	}
	memset(&src, 0, sizeof(src));
	src.kind = strcmp(path, "-") == 0 ? "stdin" : "file";
	src.name = strcmp(path, "-") == 0 ? NULL : path;
	src.received = (int64_t)time(NULL);
	rc = ingest_input(run->ig, in.data, in.len, in.size, in.truncated, &src, &res, err, errlen);
	input_free(&in);
	if (rc < 0)
		return -1;
	ingest_describe(&res, what, sizeof(what));
	if (res.quarantined) {
		run->quarantined++;
		log_error("%s: %s", esc(path), what);
	} else {
		log_verbose("%s: %s", esc(path), what);
	}
	return 0;
}

int cmd_ingest(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ingest_run run;
	struct store *st = NULL;
	struct progress prog;
	char err[1024];
	int ch, i, dry_run = 0, rc = EXIT_FAILURE_OP;
	const struct ingest_totals *t;

	memset(&run, 0, sizeof(run));
	optind = 1;
	while ((ch = getopt_long(argc, argv, "+nh", opts, NULL)) != -1) {
		switch (ch) {
		case 'n':
			dry_run = 1;
			break;
		case 'h':
			ingest_usage(stdout);
			return EXIT_OK;
		default:
			return cli_usage_error("ingest", "unknown option");
		}
	}
	if (optind >= argc)
		return cli_usage_error("ingest", "no input given (a PATH, or - for stdin)");
	if (!dry_run && store_open(c->db_path, STORE_READWRITE, &st, err, sizeof(err)) < 0) {
		log_error("%s", err);
		return EXIT_FAILURE_OP;
	}
	run.ig = ingest_new(st);
	progress_init(&prog, "inputs", argc - optind, c->quiet);
	for (i = optind; i < argc; i++) {
		if (ingest_one(&run, argv[i], err, sizeof(err)) < 0) {
			progress_end(&prog);
			log_error("%s: %s (the current batch was not stored; run again)", esc(argv[i]),
				  err);
			goto out;
		}
		progress_step(&prog);
	}
	progress_end(&prog);
	if (ingest_flush(run.ig, err, sizeof(err)) < 0) {
		log_error("%s (the last batch was not stored; run again)", err);
		goto out;
	}
	t = ingest_get_totals(run.ig);
	if (t->inputs > 1 || dry_run)
		log_verbose("%ld input%s: %ld stored, %ld duplicate, %ld quarantined, %ld not a report%s",
		    t->inputs, t->inputs == 1 ? "" : "s", t->stored, t->duplicate, t->quarantined,
		    t->not_report, dry_run ? " (dry run: nothing written)" : "");
	rc = run.op_errors > 0 ? EXIT_FAILURE_OP : run.quarantined > 0 ? EXIT_ATTENTION : EXIT_OK;
out:
	ingest_free(run.ig);
	store_close(st);
	return rc;
}
