/*
 * cmd_ingest.c - "tlswatch ingest PATH... | -": store report files, mail
 * messages, mbox files, Maildir directories or stdin. Inputs are
 * untrusted; every report file and every message goes through
 * collector/ingest.c on its own (quarantined whole, byte-exact, if refused).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "escape.h"
#include "ingest.h"
#include "ingest_feed.h"
#include "limits.h"
#include "log.h"
#include "progress.h"
#include "store.h"
#include "xalloc.h"

static void ingest_usage(FILE *f)
{
	fprintf(f, "usage: tlswatch ingest [--dry-run] PATH... | -\n"
	           "       tlswatch ingest [--dry-run] [-0] --from FILE | -0\n"
	           "\n"
	           "Validate TLS reports (RFC 8460) and store them. Each PATH is one of:\n"
	           "  a report        JSON, or gzip'd JSON (detected by its magic bytes)\n"
	           "  a mail message  an RFC 5322 message (.eml) with reports attached\n"
	           "                  (application/tlsrpt+gzip and the like; docs/mail.md)\n"
	           "  an mbox file    a file starting with a \"From \" line: each message in it\n"
	           "  a Maildir       a directory with cur/ and/or new/: each message in them,\n"
	           "                  in file name order (tmp/ is skipped)\n"
	           "  a directory     any other: every file under it, recursively, in name\n"
	           "                  order, hidden ones skipped (a Maildir inside is read as\n"
	           "                  a Maildir)\n"
	           "'-' reads one report or message from stdin, so an MTA can pipe mail to\n"
	           "'tlswatch ingest -'. A report already stored is a duplicate, not an\n"
	           "error. A message carrying no report (a DMARC report, a bounce) is\n"
	           "'not-a-report': counted, not stored. A refused input - for a message,\n"
	           "the whole message - is kept in quarantine with the reason ('tlswatch\n"
	           "quarantine list'); nothing is dropped.\n"
	           "\n"
	           "  --dry-run    validate only; write nothing\n"
	           "  --from FILE  read the PATHs from FILE, one a line ('-': stdin), for sets\n"
	           "               too large for the command line\n"
	           "  -0           the names are separated by NUL bytes (find -print0), read\n"
	           "               from stdin unless --from names a file\n"
	           "\n"
	           "Quiet on success; -v prints one line per input or message: stored,\n"
	           "duplicate, not-a-report or quarantined: REASON (mbox messages are named\n"
	           "PATH#N). A progress line is shown on a terminal.\n"
	           "\n"
	           "Mail must be DKIM-signed by the reporting domain ([trust] dkim, default\n"
	           "require); a report with the same organization and report-id as a stored\n"
	           "one but other content is a conflict, held or superseding by provenance\n"
	           "(docs/trust.md). Exit status: 0 every input stored, duplicate or not a\n"
	           "report, 1 at least one quarantined or a conflict, 2 an error.\n");
}

int cli_trust_load(const struct cli *c, struct trust_config *t)
{
	char err[ERR_LINE_MAX];

	if (trust_config_load(c->cfg, t, err, sizeof(err)) == 0)
		return 0;
	log_error("%s: %s", config_path(c->cfg) != NULL ? config_path(c->cfg) : "config", err);
	return -1;
}

struct ingest_run {
	struct ingest *ig;
	struct progress prog;
	int op_errors;
	int quarantined;
	size_t ahead;           /* inputs whose keys were looked up ahead, still to come */
	char err[ERR_LINE_MAX]; /* the operational error that stopped the run */
};

/* One input or message into the store, and its line. 0, or -1 on an
 * operational error (reason in run->err): the run must stop. */
static int ingest_item(struct ingest_run *run, const struct feed_item *it)
{
	struct ingest_result res;
	struct source_info src;
	char what[1024];

	memset(&src, 0, sizeof(src));
	src.kind = it->source_kind;
	src.name = it->name;
	src.received = (int64_t)time(NULL);
	if (ingest_apply(run->ig, it->prep, &src, &res, run->err, sizeof(run->err)) < 0)
		return -1;
	if (res.quarantined || res.conflict) {
		run->quarantined++;
		log_error("%s: %s", esc(it->label), ingest_describe(&res, what, sizeof(what)));
	} else if (log_get_level() >= LOG_VERBOSE) {
		log_verbose("%s: %s", esc(it->label), ingest_describe(&res, what, sizeof(what)));
	}
	progress_step(&run->prog);
	return 0;
}

/* Before input it, once per run of inputs read ahead: their report keys
 * looked up at once (ingest_prefetch), not one round trip each. */
static int ingest_ahead(struct ingest_run *run, struct ingest_feed *feed,
                        const struct feed_item *it)
{
	const struct feed_item *next[LIMIT_PG_PREFETCH_KEYS - 1];
	const struct decoded_input *p[LIMIT_PG_PREFETCH_KEYS];
	size_t i, n;

	if (run->ahead > 0) {
		run->ahead--;
		return 0;
	}
	n = ingest_feed_peek(feed, next, sizeof(next) / sizeof(next[0]));
	p[0] = it->prep;
	for (i = 0; i < n; i++)
		p[i + 1] = next[i]->prep;
	run->ahead = n;
	return ingest_prefetch(run->ig, p, n + 1, run->err, sizeof(run->err));
}

/* Everything the reader thread queued, in order (ingest_feed.h). 0, or -1
 * on an operational error that stops the run (reason in run->err, the
 * PATH argument it happened under in *path). */
static int ingest_items(struct ingest_run *run, struct ingest_feed *feed, const char **path)
{
	struct feed_item *it;
	int rc = 0;

	while (rc == 0 && (it = ingest_feed_next(feed)) != NULL) {
		switch (it->kind) {
		case FEED_INPUT:
			*path = it->arg;
			rc = ingest_ahead(run, feed, it);
			if (rc == 0)
				rc = ingest_item(run, it);
			break;
		case FEED_ERROR:
		case FEED_WARNING:
			if (it->kind == FEED_ERROR)
				log_error("%s", it->message);
			else
				log_warnx("%s", it->message);
			run->op_errors++;
			if (it->step)
				progress_step(&run->prog);
			break;
		case FEED_PROGRESS:
			if (it->total_unknown)
				run->prog.total = 0;
			else if (run->prog.total > 0)
				run->prog.total += it->total_add;
			run->prog.what = it->what;
			break;
		}
		ingest_feed_done(feed, it);
	}
	return rc;
}

/* The PATHs from a file or stdin ("-"), one a line or NUL-separated;
 * empty names are skipped. 0 with *names (one allocation each, the array
 * NULL-terminated), or -1 after saying why. */
static int ingest_read_names(const char *from, int nul, char ***names, int *n)
{
	FILE *fp = strcmp(from, "-") == 0 ? stdin : fopen(from, "re");
	char **out = NULL, *line = NULL;
	size_t cap = 0, alloc = 0, count = 0;
	ssize_t len;
	int rc = -1;

	if (fp == NULL) {
		log_error("ingest: --from %s: %s", esc(from), strerror(errno));
		return -1;
	}
	while ((len = getdelim(&line, &cap, nul ? '\0' : '\n', fp)) > 0) {
		if (!nul && line[len - 1] == '\n')
			line[--len] = '\0';
		if (!nul && len > 0 && line[len - 1] == '\r')
			line[--len] = '\0';
		if (len == 0 || line[0] == '\0')
			continue;
		if (count >= LIMIT_INGEST_NAMES) {
			log_error("ingest: --from %s: more than %u names; split the list",
			          esc(from), LIMIT_INGEST_NAMES);
			goto out;
		}
		if (count + 1 >= alloc) {
			alloc = alloc == 0 ? 1024 : alloc * 2;
			out = xreallocarray(out, alloc, sizeof(*out));
		}
		out[count++] = xstrdup(line);
	}
	if (ferror(fp)) {
		log_error("ingest: --from %s: %s", esc(from), strerror(errno));
		goto out;
	}
	if (count == 0) {
		log_error("ingest: --from %s: no names in it", esc(from));
		goto out;
	}
	out[count] = NULL;
	*names = out;
	*n = (int)count;
	out = NULL;
	rc = 0;
out:
	if (out != NULL) {
		while (count > 0)
			free(out[--count]);
		free(out);
	}
	free(line);
	if (fp != stdin)
		fclose(fp);
	return rc;
}

static void ingest_free_names(char **names)
{
	size_t i;

	if (names == NULL)
		return;
	for (i = 0; names[i] != NULL; i++)
		free(names[i]);
	free(names);
}

int cmd_ingest(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"dry-run", no_argument, NULL, 'n'},
	    {"from", required_argument, NULL, 'F'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct ingest_run run;
	struct trust_config trust;
	struct ingest_feed *feed = NULL;
	struct store *st = NULL;
	const char *path = "", *from = NULL;
	char err[ERR_LINE_MAX], **names = NULL, **paths;
	int ch, dry_run = 0, nul = 0, n_paths, rc = EXIT_FAILURE_OP;
	const struct ingest_totals *t;

	memset(&run, 0, sizeof(run));
	optind = 1;
	while ((ch = getopt_long(argc, argv, "+n0h", opts, NULL)) != -1) {
		switch (ch) {
		case 'n':
			dry_run = 1;
			break;
		case '0':
			nul = 1;
			break;
		case 'F':
			from = optarg;
			break;
		case 'h':
			ingest_usage(stdout);
			return EXIT_OK;
		default:
			return cli_usage_error("ingest", "unknown option");
		}
	}
	if ((from != NULL || nul) && optind < argc)
		return cli_usage_error("ingest", "give PATHs or --from/-0, not both");
	if (from == NULL && !nul && optind >= argc)
		return cli_usage_error("ingest", "no input given (a PATH, or - for stdin)");
	if (from != NULL || nul) {
		if (ingest_read_names(from != NULL ? from : "-", nul, &names, &n_paths) < 0)
			return EXIT_FAILURE_OP;
		paths = names;
	} else {
		paths = argv + optind;
		n_paths = argc - optind;
	}
	if (cli_trust_load(c, &trust) < 0) {
		ingest_free_names(names);
		return EXIT_FAILURE_OP;
	}
	if (!dry_run && store_open(c->db_path, STORE_READWRITE, &st, err, sizeof(err)) < 0) {
		log_error("%s", err);
		ingest_free_names(names);
		trust_config_free(&trust);
		return EXIT_FAILURE_OP;
	}
	run.ig = ingest_new(st);
	ingest_set_trust(run.ig, &trust);
	progress_init(&run.prog, "inputs", n_paths, c->quiet);
	feed = ingest_feed_start(paths, n_paths);
	if (ingest_items(&run, feed, &path) < 0) {
		progress_end(&run.prog);
		log_error("%s: %s (the current batch was not stored; run again)", esc(path),
		          run.err);
		goto out;
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
	ingest_feed_free(feed);
	ingest_free(run.ig);
	store_close(st);
	trust_config_free(&trust);
	ingest_free_names(names);
	return rc;
}
