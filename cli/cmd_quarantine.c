/*
 * cmd_quarantine.c - "tlswatch quarantine list | show ID | retry [ID...] |
 * delete ID... | delete --older-than N | prune".
 * Quarantined data is untrusted: it is printed escaped, or byte-exact only
 * when asked for with --raw.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "datetime.h"
#include "escape.h"
#include "ingest.h"
#include "limits.h"
#include "log.h"
#include "parse_int.h"
#include "store.h"
#include "xalloc.h"

static void quarantine_usage(FILE *f)
{
	fprintf(f, "usage: tlswatch quarantine list [--all]\n"
	           "       tlswatch quarantine show ID [--raw]\n"
	           "       tlswatch quarantine retry [ID...]\n"
	           "       tlswatch quarantine delete ID... | --older-than DAYS\n"
	           "       tlswatch quarantine prune [--keep-days N] [--max-bytes N]\n"
	           "\n"
	           "Inputs that were refused are kept byte-exact with the reason.\n"
	           "  list          records still held (--all: also those released)\n"
	           "  show ID       one record; --raw writes the input itself to stdout\n"
	           "  retry [ID...] ingest held records again (all, or those named), for\n"
	           "                example after an upgrade; those that now pass are stored\n"
	           "                and released\n"
	           "  delete        delete the records named, or those received more than\n"
	           "                DAYS days ago: an operator's explicit choice\n"
	           "  prune         delete records received more than N days ago ([quarantine]\n"
	           "                keep_days, default 90), then the oldest until at most N\n"
	           "                bytes of data are held ([quarantine] max_bytes, default\n"
	           "                268435456); 0 turns either off\n"
	           "\n"
	           "Exit status: list, show, delete and prune 0; retry 0 when every record\n"
	           "passed, 1 when some are still refused; 2 on an error (delete: a record\n"
	           "that does not exist).\n");
}

static int quarantine_print_row(const struct quarantine_entry *q, void *arg)
{
	char when[32];

	(void)arg;
	datetime_format_utc(q->received, when, sizeof(when));
	printf("%-6" PRId64 " %-20s %-6s %9" PRId64 "%s  %s  %s%s\n", q->id, when, q->kind, q->size,
	       q->truncated ? "+" : " ", esc(q->name), esc(q->reason),
	       q->released ? "  [released]" : "");
	return 0;
}

static int quarantine_list(struct store *st, int all)
{
	char err[ERR_LINE_MAX];

	printf("%-6s %-20s %-6s %10s  %s  %s\n", "ID", "RECEIVED (UTC)", "KIND", "BYTES", "SOURCE",
	       "REASON");
	if (store_quarantine_list(st, all, quarantine_print_row, NULL, err, sizeof(err)) < 0) {
		log_error("%s", err);
		return EXIT_FAILURE_OP;
	}
	return EXIT_OK;
}

static int quarantine_show(struct store *st, int64_t id, int raw)
{
	struct quarantine_entry q;
	char err[ERR_LINE_MAX], when[32];
	size_t off = 0;
	ssize_t n;

	if (store_quarantine_get(st, id, &q, err, sizeof(err)) < 0) {
		log_error("%s", err);
		return EXIT_FAILURE_OP;
	}
	if (raw) {
		while (off < q.data_len) {
			n = write(1, q.data + off, q.data_len - off);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				log_warn("writing to stdout");
				store_quarantine_entry_free(&q);
				return EXIT_FAILURE_OP;
			}
			off += (size_t)n;
		}
		store_quarantine_entry_free(&q);
		return EXIT_OK;
	}
	datetime_format_utc(q.received, when, sizeof(when));
	printf("id:        %" PRId64 "\n", q.id);
	printf("received:  %s\n", when);
	printf("source:    %s %s\n", q.kind, esc(q.name));
	printf("reason:    %s\n", esc(q.reason));
	printf("bytes:     %" PRId64 "%s\n", q.size,
	       q.truncated ? " (over the size limit; only the first part is kept)" : "");
	printf("sha256:    %s\n", q.sha256_hex);
	if (q.released)
		printf("released:  into report %" PRId64 "\n", q.released_report);
	else
		printf("status:    held (tlswatch quarantine show %" PRId64 " --raw > FILE)\n",
		       q.id);
	store_quarantine_entry_free(&q);
	return EXIT_OK;
}

struct retry_ids {
	int64_t *ids;
	size_t n;
	size_t alloc;
};

static int quarantine_collect(const struct quarantine_entry *q, void *arg)
{
	struct retry_ids *r = arg;

	if (r->n == r->alloc) {
		r->alloc = r->alloc ? r->alloc * 2 : 64;
		r->ids = xreallocarray(r->ids, r->alloc, sizeof(*r->ids));
	}
	r->ids[r->n++] = q->id;
	return 0;
}

/* Re-ingests one record. Returns 1 when it passed, 0 when still refused,
 * -1 on a database error. */
static int quarantine_retry_one(struct store *st, struct ingest *ig, int64_t id)
{
	struct quarantine_entry q;
	struct ingest_result res;
	struct source_info src;
	char err[ERR_LINE_MAX], what[1024];
	int rc = -1;

	if (store_quarantine_get(st, id, &q, err, sizeof(err)) < 0) {
		log_error("%s", err);
		return -1;
	}
	if (q.released) {
		log_verbose("quarantine %" PRId64 ": already released", id);
		rc = 1;
		goto out;
	}
	memset(&src, 0, sizeof(src));
	src.kind = q.kind;
	src.name = q.name;
	src.received = q.received;
	if (ingest_input(ig, q.data, q.data_len, q.size, q.truncated, &src, &res, err,
	                 sizeof(err)) < 0) {
		log_error("quarantine %" PRId64 ": %s", id, err);
		goto out;
	}
	ingest_describe(&res, what, sizeof(what));
	if (res.quarantined) {
		if (strcmp(res.reason, q.reason) != 0 &&
		    store_quarantine_set_reason(st, id, res.reason, err, sizeof(err)) < 0) {
			log_error("%s", err);
			goto out;
		}
		log_verbose("quarantine %" PRId64 ": still refused: %s", id, esc(res.reason));
		rc = 0;
		goto out;
	}
	if (store_quarantine_release(st, id, res.report_rowid, err, sizeof(err)) < 0) {
		log_error("%s", err);
		goto out;
	}
	log_verbose("quarantine %" PRId64 ": %s, released", id, what);
	rc = 1;
out:
	store_quarantine_entry_free(&q);
	return rc;
}

static int quarantine_retry(struct store *st, int argc, char **argv)
{
	struct retry_ids ids = {NULL, 0, 0};
	struct ingest *ig = ingest_new(st);
	char err[ERR_LINE_MAX];
	int rc = EXIT_FAILURE_OP, held = 0, r, i;
	size_t k;
	int64_t id;

	for (i = 0; i < argc; i++) {
		if (parse_int(argv[i], 1, INT64_MAX, &id, NULL, 0) < 0) {
			rc = cli_usage_error("quarantine", "'%s' is not a record ID", argv[i]);
			goto out;
		}
		quarantine_collect(&(struct quarantine_entry){.id = id}, &ids);
	}
	if (argc == 0 &&
	    store_quarantine_list(st, 0, quarantine_collect, &ids, err, sizeof(err)) < 0) {
		log_error("%s", err);
		goto out;
	}
	if (store_begin(st, err, sizeof(err)) < 0) {
		log_error("%s", err);
		goto out;
	}
	for (k = 0; k < ids.n; k++) {
		r = quarantine_retry_one(st, ig, ids.ids[k]);
		if (r < 0)
			goto out;
		held += r == 0;
	}
	if (ingest_flush(ig, err, sizeof(err)) < 0) {
		log_error("%s", err);
		goto out;
	}
	log_verbose("%zu record%s retried: %zu released, %d still held", ids.n,
	            ids.n == 1 ? "" : "s", ids.n - (size_t)held, held);
	rc = held > 0 ? EXIT_ATTENTION : EXIT_OK;
out:
	ingest_free(ig);
	free(ids.ids);
	return rc;
}

/* A count option's value (days, bytes) 0..max, or -1 (a usage error). */
static int quarantine_count(const char *what, const char *s, int64_t max, int64_t *out)
{
	char why[128];

	if (s == NULL || parse_int(s, 0, max, out, why, sizeof(why)) < 0) {
		cli_usage_error("quarantine", "%s: '%s': %s", what, s != NULL ? s : "",
		                s != NULL ? why : "missing");
		return -1;
	}
	return 0;
}

static int quarantine_delete(struct store *st, int n, char **ids, int64_t older_than)
{
	char err[512];
	int64_t id, deleted = 0;
	int i;

	if (older_than >= 0) {
		if (store_quarantine_delete_before(st, (int64_t)time(NULL) - older_than * 86400,
		                                   &deleted, err, sizeof(err)) < 0) {
			log_error("%s", err);
			return EXIT_FAILURE_OP;
		}
		printf("deleted %lld quarantine record%s received more than %lld days ago\n",
		       (long long)deleted, deleted == 1 ? "" : "s", (long long)older_than);
		return EXIT_OK;
	}
	for (i = 0; i < n; i++) {
		if (parse_int(ids[i], 1, INT64_MAX, &id, NULL, 0) < 0)
			return cli_usage_error("quarantine", "'%s' is not a record ID", ids[i]);
		if (store_quarantine_delete(st, id, err, sizeof(err)) < 0) {
			log_error("%s", err);
			return EXIT_FAILURE_OP;
		}
		printf("deleted quarantine record %lld\n", (long long)id);
	}
	return EXIT_OK;
}

static int quarantine_prune(struct store *st, int64_t keep_days, int64_t max_bytes)
{
	char err[512];
	int64_t old = 0, over = 0;

	if ((keep_days > 0 &&
	     store_quarantine_delete_before(st, (int64_t)time(NULL) - keep_days * 86400, &old, err,
	                                    sizeof(err)) < 0) ||
	    (max_bytes > 0 && store_quarantine_trim(st, max_bytes, &over, err, sizeof(err)) < 0)) {
		log_error("%s", err);
		return EXIT_FAILURE_OP;
	}
	printf("pruned %lld quarantine record%s older than %lld days and %lld over %lld bytes\n",
	       (long long)old, old == 1 ? "" : "s", (long long)keep_days, (long long)over,
	       (long long)max_bytes);
	return EXIT_OK;
}

int cmd_quarantine(struct cli *c, int argc, char **argv)
{
	struct store *st = NULL;
	const char *sub;
	char err[ERR_LINE_MAX];
	int rc, all = 0, raw = 0, i, n = 0;
	int64_t id, older_than = -1, keep_days = LIMIT_QUARANTINE_KEEP_DAYS,
	            max_bytes = LIMIT_QUARANTINE_MAX_BYTES;
	char **args;

	if (argc < 2 || cli_is_help(argv[1])) {
		quarantine_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_FAILURE_OP : EXIT_OK;
	}
	sub = argv[1];
	if (strcmp(sub, "prune") == 0 &&
	    ((config_get(c->cfg, "quarantine", "keep_days") != NULL &&
	      quarantine_count("[quarantine] keep_days",
	                       config_get(c->cfg, "quarantine", "keep_days"), LIMIT_PERIOD_DAYS,
	                       &keep_days) < 0) ||
	     (config_get(c->cfg, "quarantine", "max_bytes") != NULL &&
	      quarantine_count("[quarantine] max_bytes",
	                       config_get(c->cfg, "quarantine", "max_bytes"), LIMIT_COUNT_MAX,
	                       &max_bytes) < 0)))
		return EXIT_FAILURE_OP;
	args = xcalloc((size_t)argc, sizeof(*args));
	for (i = 2; i < argc; i++) {
		const char *next = i + 1 < argc ? argv[i + 1] : NULL;
		int64_t *value = NULL, max = LIMIT_PERIOD_DAYS;

		/* the options that take a value */
		if (strcmp(argv[i], "--older-than") == 0 && strcmp(sub, "delete") == 0)
			value = &older_than;
		else if (strcmp(argv[i], "--keep-days") == 0 && strcmp(sub, "prune") == 0)
			value = &keep_days;
		else if (strcmp(argv[i], "--max-bytes") == 0 && strcmp(sub, "prune") == 0)
			value = &max_bytes, max = LIMIT_COUNT_MAX;
		if (value != NULL) {
			if (quarantine_count(argv[i], next, max, value) < 0) {
				free(args);
				return EXIT_FAILURE_OP;
			}
			i++;
			continue;
		}
		if (strcmp(argv[i], "--all") == 0 && strcmp(sub, "list") == 0)
			all = 1;
		else if (strcmp(argv[i], "--raw") == 0 && strcmp(sub, "show") == 0)
			raw = 1;
		else if (cli_is_help(argv[i])) {
			quarantine_usage(stdout);
			free(args);
			return EXIT_OK;
		} else if (argv[i][0] == '-') {
			free(args);
			return cli_usage_error("quarantine", "unknown option '%s'", argv[i]);
		} else
			args[n++] = argv[i];
	}
	if (strcmp(sub, "list") == 0 && n == 0) {
		rc = store_open(c->db_path, STORE_READONLY, &st, err, sizeof(err));
		rc = rc < 0 ? EXIT_FAILURE_OP : quarantine_list(st, all);
	} else if (strcmp(sub, "show") == 0 && n == 1) {
		if (parse_int(args[0], 1, INT64_MAX, &id, NULL, 0) < 0) {
			rc = cli_usage_error("quarantine", "'%s' is not a record ID", args[0]);
			free(args);
			return rc;
		}
		rc = store_open(c->db_path, STORE_READONLY, &st, err, sizeof(err));
		rc = rc < 0 ? EXIT_FAILURE_OP : quarantine_show(st, id, raw);
	} else if (strcmp(sub, "retry") == 0) {
		rc = store_open(c->db_path, STORE_READWRITE, &st, err, sizeof(err));
		rc = rc < 0 ? EXIT_FAILURE_OP : quarantine_retry(st, n, args);
	} else if (strcmp(sub, "delete") == 0 && (n > 0) != (older_than >= 0)) {
		rc = store_open(c->db_path, STORE_READWRITE, &st, err, sizeof(err));
		rc = rc < 0 ? EXIT_FAILURE_OP : quarantine_delete(st, n, args, older_than);
	} else if (strcmp(sub, "prune") == 0 && n == 0) {
		rc = store_open(c->db_path, STORE_READWRITE, &st, err, sizeof(err));
		rc = rc < 0 ? EXIT_FAILURE_OP : quarantine_prune(st, keep_days, max_bytes);
	} else {
		free(args);
		return cli_usage_error("quarantine",
		                       "expected list, show ID, retry [ID...], delete "
		                       "ID... | --older-than DAYS, or prune");
	}
	if (st == NULL)
		log_error("%s", err);
	store_close(st);
	free(args);
	return rc;
}
