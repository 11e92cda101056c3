/*
 * cmd_ingest.c - "tlswatch ingest PATH... | -": store report files, mail
 * messages, mbox files, Maildir directories or stdin. Inputs are
 * untrusted; every report file and every message goes through
 * core/ingest.c on its own (quarantined whole, byte-exact, if refused).
 */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "escape.h"
#include "ingest.h"
#include "input.h"
#include "limits.h"
#include "log.h"
#include "maildir.h"
#include "mbox.h"
#include "progress.h"
#include "store.h"
#include "xalloc.h"

/* Bytes looked at to tell an mbox ("From " line, then a header field)
 * from a single message; an SRS envelope sender runs to ~250 bytes. */
#define INGEST_HEAD_BYTES 8192

static void ingest_usage(FILE *f)
{
	fprintf(f, "usage: tlswatch ingest [--dry-run] PATH... | -\n"
	           "\n"
	           "Validate TLS reports (RFC 8460) and store them. Each PATH is one of:\n"
	           "  a report        JSON, or gzip'd JSON (detected by its magic bytes)\n"
	           "  a mail message  an RFC 5322 message (.eml) with reports attached\n"
	           "                  (application/tlsrpt+gzip and the like; docs/mail.md)\n"
	           "  an mbox file    a file starting with a \"From \" line: each message in it\n"
	           "  a Maildir       a directory with cur/ and/or new/: each message in them,\n"
	           "                  in file name order (tmp/ is skipped)\n"
	           "'-' reads one report or message from stdin, so an MTA can pipe mail to\n"
	           "'tlswatch ingest -'. A report already stored is a duplicate, not an\n"
	           "error. A message carrying no report (a DMARC report, a bounce) is\n"
	           "'not-a-report': counted, not stored. A refused input - for a message,\n"
	           "the whole message - is kept in quarantine with the reason ('tlswatch\n"
	           "quarantine list'); nothing is dropped.\n"
	           "\n"
	           "  --dry-run   validate only; write nothing\n"
	           "\n"
	           "Quiet on success; -v prints one line per input or message: stored,\n"
	           "duplicate, not-a-report or quarantined: REASON (mbox messages are named\n"
	           "PATH#N). A progress line is shown on a terminal. Exit status: 0 every\n"
	           "input stored, duplicate or not a report, 1 at least one quarantined,\n"
	           "2 an error.\n");
}

struct ingest_run {
	struct ingest *ig;
	struct progress prog;
	int op_errors;
	int quarantined;
	char err[1024]; /* the operational error that stopped the run */
};

/* One input or message into the store, and its line. 0, or -1 on an
 * operational error (reason in run->err): the run must stop. */
static int ingest_bytes(struct ingest_run *run, const uint8_t *data, size_t len, int64_t size,
                        int truncated, const char *kind, const char *name, const char *label)
{
	struct ingest_result res;
	struct source_info src;
	char what[1024];

	memset(&src, 0, sizeof(src));
	src.kind = kind;
	src.name = name;
	src.received = (int64_t)time(NULL);
	if (ingest_input(run->ig, data, len, size, truncated, &src, &res, run->err,
	                 sizeof(run->err)) < 0)
		return -1;
	ingest_describe(&res, what, sizeof(what));
	if (res.quarantined) {
		run->quarantined++;
		log_error("%s: %s", esc(label), what);
	} else {
		log_verbose("%s: %s", esc(label), what);
	}
	progress_step(&run->prog);
	return 0;
}

/* A file read whole (one report or one message). stdin has no name: a
 * message is then known by its Message-ID. */
static int ingest_whole(struct ingest_run *run, int fd, const char *path, const char *kind)
{
	const char *name = strcmp(kind, "stdin") == 0 ? NULL : path;
	struct input in;
	char err[512];
	int rc;

	if (input_read_fd(fd, LIMIT_INPUT_BYTES, &in, err, sizeof(err)) < 0) {
		log_error("%s: %s", esc(path), err);
		run->op_errors++;
		progress_step(&run->prog);
		return 0;
	}
	rc = ingest_bytes(run, in.data, in.len, in.size, in.truncated, kind, name, path);
	input_free(&in);
	return rc;
}

struct ingest_mbox_ctx {
	struct ingest_run *run;
	const char *path;
	int failed;
};

static int ingest_mbox_message(const struct mbox_message *m, void *arg)
{
	struct ingest_mbox_ctx *ctx = arg;
	size_t n = strlen(ctx->path) + 32;
	char *name = xmalloc(n);
	int rc;

	snprintf(name, n, "%s#%ld", ctx->path, m->index);
	rc = ingest_bytes(ctx->run, m->data, m->len, m->size, m->truncated, "mbox", name, name);
	free(name);
	if (rc < 0) {
		ctx->failed = 1;
		return 1;
	}
	return 0;
}

/* Each message of an mbox, streamed: the file may be far larger than
 * LIMIT_INPUT_BYTES, one message may not (it is quarantined, truncated). */
static int ingest_mbox(struct ingest_run *run, int fd, const char *path)
{
	struct ingest_mbox_ctx ctx = {run, path, 0};
	struct mbox_split *s = mbox_split_new(LIMIT_INPUT_BYTES, ingest_mbox_message, &ctx);
	char err[512];
	int rc = 0;

	run->prog.total = 0; /* messages to come: unknown */
	run->prog.what = "messages";
	if (mbox_read_fd(fd, s, err, sizeof(err)) < 0) {
		if (ctx.failed) {
			rc = -1;
		} else {
			log_error("%s: %s", esc(path), err);
			run->op_errors++;
		}
	}
	mbox_split_free(s);
	return rc;
}

static int ingest_maildir(struct ingest_run *run, const char *path)
{
	struct maildir_list l;
	char err[1024];
	size_t i;
	int fd, rc = 0;

	if (maildir_list(path, &l, err, sizeof(err)) < 0) {
		log_error("%s", esc(err));
		run->op_errors++;
		return 0;
	}
	if (run->prog.total > 0) /* this PATH counted one; it holds l.n */
		run->prog.total += (long)l.n - 1;
	run->prog.what = "messages";
	for (i = 0; i < l.n && rc == 0; i++) {
		fd = open(l.paths[i], O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			log_warn("%s", esc(l.paths[i]));
			run->op_errors++;
			continue;
		}
		rc = ingest_whole(run, fd, l.paths[i], "maildir");
		close(fd);
	}
	maildir_list_free(&l);
	return rc;
}

/* One PATH argument. 0, or -1 on an operational error that stops the run
 * (reason in run->err); problems with one path only are counted. */
static int ingest_path(struct ingest_run *run, const char *path)
{
	uint8_t head[INGEST_HEAD_BYTES];
	struct stat st;
	ssize_t n;
	int fd, rc;

	if (strcmp(path, "-") == 0)
		return ingest_whole(run, 0, "-", "stdin");
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		if (maildir_is_maildir(path))
			return ingest_maildir(run, path);
		log_error("%s: a directory, but not a Maildir (no cur/ or new/)", esc(path));
		run->op_errors++;
		return 0;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		log_warn("%s", esc(path));
		run->op_errors++;
		return 0;
	}
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    (n = pread(fd, head, sizeof(head), 0)) > 0 && mbox_looks_like_mbox(head, (size_t)n))
		rc = ingest_mbox(run, fd, path);
	else
		rc = ingest_whole(run, fd, path, "file");
	close(fd);
	return rc;
}

int cmd_ingest(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"dry-run", no_argument, NULL, 'n'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct ingest_run run;
	struct store *st = NULL;
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
	progress_init(&run.prog, "inputs", argc - optind, c->quiet);
	for (i = optind; i < argc; i++) {
		if (ingest_path(&run, argv[i]) < 0) {
			progress_end(&run.prog);
			log_error("%s: %s (the current batch was not stored; run again)",
			          esc(argv[i]), run.err);
			goto out;
		}
	}
	progress_end(&run.prog);
	if (ingest_flush(run.ig, err, sizeof(err)) < 0) {
		log_error("%s (the last batch was not stored; run again)", err);
		goto out;
	}
	t = ingest_get_totals(run.ig);
	if (t->inputs > 1 || dry_run)
		log_verbose(
		    "%ld input%s: %ld stored, %ld duplicate, %ld quarantined, %ld not a report%s",
		    t->inputs, t->inputs == 1 ? "" : "s", t->stored, t->duplicate, t->quarantined,
		    t->not_report, dry_run ? " (dry run: nothing written)" : "");
	rc = run.op_errors > 0 ? EXIT_FAILURE_OP : run.quarantined > 0 ? EXIT_ATTENTION : EXIT_OK;
out:
	ingest_free(run.ig);
	store_close(st);
	return rc;
}
