/*
 * cmd_collect.c - "tlswatch collect": fetch TLS reports from the rua
 * mailbox over IMAP ([imap] in the configuration), store them, and tidy
 * the mailbox; or through Microsoft Graph ([graph]). Messages are
 * untrusted; they go through collector/ingest.c.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "escape.h"
#include "graph_collect.h"
#include "imap_collect.h"
#include "limits.h"
#include "lock.h"
#include "log.h"
#include "progress.h"
#include "store.h"

static void collect_usage(FILE *f)
{
	fprintf(f, "usage: tlswatch collect [--dry-run] [--folder F] [--once]\n"
	           "\n"
	           "Fetch TLS reports (RFC 8460) from the IMAP mailbox in the [imap] section of\n"
	           "the configuration, store them, then move each message out of the folder:\n"
	           "stored or duplicate ones to processed_folder, quarantined ones to\n"
	           "invalid_folder, mail without a report to other_folder (keys left empty\n"
	           "leave messages in place). A message is moved only after what it carried\n"
	           "is committed to disk; an interrupted run is finished by the next one.\n"
	           "The server's certificate and host name are verified before logging in.\n"
	           "\n"
	           "  --dry-run    fetch and validate, but write nothing and move nothing\n"
	           "  --folder F   collect from F instead of the configured folder\n"
	           "  --once       one pass over the folder (default: repeat while new mail\n"
	           "               arrives during the run)\n"
	           "\n"
	           "Quiet on success; -v prints one line per message, -vv the IMAP exchange\n"
	           "(never the password). Only one collector runs per SQLite database; on\n"
	           "PostgreSQL one per mailbox (a second exits 0 with a note).\n"
	           "Exit status: 0 all well, 1 a message was quarantined, a conflict\n"
	           "(docs/trust.md) or the server left a listed message out of FETCH twice\n"
	           "(it is fetched again next run), 2 an error (the reason names the server\n"
	           "and the step). See docs/collect.md.\n"
	           "\n"
	           "With a [graph] section (mailbox set) instead of [imap], the mailbox is read\n"
	           "through Microsoft Graph: the same folders and order (stored, then moved);\n"
	           "--folder names a Graph folder (inbox, or displayName/displayName). See\n"
	           "docs/mailbox-m365.md.\n");
}

struct collect_view {
	struct progress prog;
	int quiet;
};

static void collect_on_total(void *arg, long n)
{
	struct collect_view *v = arg;

	progress_end(&v->prog);
	progress_init(&v->prog, "messages", n, v->quiet);
}

static void collect_on_message(void *arg, const char *name, const struct ingest_result *res)
{
	struct collect_view *v = arg;
	char what[1024];

	ingest_describe(res, what, sizeof(what));
	if (res->quarantined || res->conflict) {
		progress_end(&v->prog);
		log_warnx("%s: %s", esc(name), what);
	} else {
		log_verbose("%s: %s", esc(name), what);
	}
	progress_step(&v->prog);
}

/* [graph] and the [oauth] section it needs (a token is the only way in). */
static int graph_collect_config(struct cli *c, const char *folder, struct graph_config *gc,
                                struct oauth_config *oc, char *err, size_t errlen)
{
	if (config_get(c->cfg, "imap", "host") != NULL) {
		snprintf(err, errlen, "set [imap] or [graph], not both (one rua mailbox)");
		return -1;
	}
	if (graph_config_load(c->cfg, folder, gc, err, errlen) < 0)
		return -1;
	if (!oauth_configured(c->cfg)) {
		snprintf(err, errlen,
		         "[graph] needs an [oauth] section (see docs/mailbox-m365.md)");
		return -1;
	}
	if (oauth_config_load(c->cfg, c->db_path, gc->mailbox, oc, err, errlen) < 0 ||
	    oauth_config_for_graph(c->cfg, gc->origin, oc, err, errlen) < 0)
		return -1;
	gc->oauth = oc;
	return 0;
}

/* On a database server, one collector per mailbox among every host: 1
 * when this one holds the lock; else 0 (another collects it: a note, *rc
 * EXIT_OK) or -1 (an error, logged). */
static int collect_lock_mailbox(struct store *st, const char *server, const char *user,
                                const char *folder, int *rc)
{
	char key[3 * LIMIT_STRING_BYTES], err[ERR_LINE_MAX];
	int held = 0;

	snprintf(key, sizeof(key), "collect %s %s %s", server, user != NULL ? user : "", folder);
	if (store_lock_mailbox(st, key, &held, err, sizeof(err)) < 0) {
		log_error("collect: %s", err);
		return -1;
	}
	if (!held) {
		log_warnx("collect: another collector is collecting %s %s; nothing to do", server,
		          esc(folder));
		*rc = EXIT_OK;
	}
	return held;
}

int cmd_collect(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"dry-run", no_argument, NULL, 'n'},
	    {"folder", required_argument, NULL, 'f'},
	    {"once", no_argument, NULL, '1'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct collect_opts copts;
	struct trust_config trust;
	struct collect_hooks hooks;
	struct collect_totals tot;
	struct collect_view view;
	struct imap_config ic;
	struct graph_config gc;
	struct oauth_config oc;
	struct store *st = NULL;
	const char *folder = NULL, *server, *from;
	int graph;
	struct stat sb;
	char err[ERR_LINE_MAX];
	int ch, lock_fd = -1, rc = EXIT_FAILURE_OP;

	memset(&copts, 0, sizeof(copts));
	memset(&ic, 0, sizeof(ic));
	memset(&gc, 0, sizeof(gc));
	memset(&oc, 0, sizeof(oc));
	optind = 1;
	while ((ch = getopt_long(argc, argv, "+nf:1h", opts, NULL)) != -1) {
		switch (ch) {
		case 'n':
			copts.dry_run = 1;
			break;
		case 'f':
			folder = optarg;
			break;
		case '1':
			copts.once = 1;
			break;
		case 'h':
			collect_usage(stdout);
			return EXIT_OK;
		default:
			return cli_usage_error("collect", "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage_error("collect", "unexpected argument '%s'", argv[optind]);
	copts.debug = log_get_level() >= LOG_DEBUG;
	if (cli_trust_load(c, &trust) < 0)
		return EXIT_FAILURE_OP;
	copts.trust = &trust;
	graph = graph_configured(c->cfg);
	if (graph ? graph_collect_config(c, folder, &gc, &oc, err, sizeof(err))
	          : imap_config_load(c->cfg, folder, &ic, err, sizeof(err))) {
		log_error("collect: %s%s%s", config_path(c->cfg) != NULL ? config_path(c->cfg) : "",
		          config_path(c->cfg) != NULL ? ": " : "", err);
		trust_config_free(&trust);
		return EXIT_FAILURE_OP;
	}
	if (!graph && ic.auth == IMAP_AUTH_XOAUTH2 && oauth_configured(c->cfg)) {
		if (oauth_config_load(c->cfg, c->db_path, ic.user, &oc, err, sizeof(err)) < 0) {
			log_error("collect: %s", err);
			return EXIT_FAILURE_OP;
		}
		ic.oauth = &oc;
	}
	/* a dry run writes nothing, the token cache included */
	oc.cache_read_only = copts.dry_run;
	if (!graph && !ic.tls_verify)
		log_warnx("collect: tls_verify = no: the certificate of %s is NOT checked; anyone "
		          "on the path can read the password and the reports",
		          ic.server);
	if (!copts.dry_run) {
		if (!store_is_server(c->db_path) &&
		    (lock_fd = lock_collector(c->db_path, err, sizeof(err))) < 0) {
			log_error("collect: %s", err);
			goto out;
		}
		if (store_open(c->db_path, STORE_READWRITE, &st, err, sizeof(err)) < 0) {
			log_error("collect: %s", err);
			goto out;
		}
		if (store_is_server(c->db_path) &&
		    collect_lock_mailbox(st, graph ? gc.server : ic.server,
		                         graph ? gc.mailbox : ic.user,
		                         graph ? gc.folder : ic.folder, &rc) <= 0)
			goto out;
	} else if ((store_is_server(c->db_path) || stat(c->db_path, &sb) == 0) &&
	           store_open(c->db_path, STORE_READONLY, &st, err, sizeof(err)) < 0) {
		/* a dry run only reads where the last run stopped */
		log_warnx("collect: %s; starting from the beginning of the folder", err);
		st = NULL;
	}
	memset(&view, 0, sizeof(view));
	view.quiet = c->quiet;
	hooks.total = collect_on_total;
	hooks.message = collect_on_message;
	hooks.arg = &view;
	if ((graph ? graph_collect(&gc, st, &copts, &hooks, &tot, err, sizeof(err))
	           : imap_collect(&ic, st, &copts, &hooks, &tot, err, sizeof(err))) < 0) {
		progress_end(&view.prog);
		log_error("collect: %s", err);
		goto out;
	}
	progress_end(&view.prog);
	server = graph ? gc.server : ic.server;
	from = graph ? gc.folder : ic.folder;
	if (tot.messages > 0 || copts.dry_run)
		log_verbose("collect %s %s: %ld message%s: %ld report%s stored, %ld duplicate, "
		            "%ld quarantined, %ld not a report, %ld moved%s",
		            server, esc(from), tot.messages, tot.messages == 1 ? "" : "s",
		            tot.stored, tot.stored == 1 ? "" : "s", tot.duplicate, tot.quarantined,
		            tot.not_report, tot.moved,
		            copts.dry_run ? " (dry run: nothing written or moved)" : "");
	rc = tot.quarantined > 0 || tot.conflicts > 0 || tot.missing > 0 ? EXIT_ATTENTION : EXIT_OK;
out:
	store_close(st);
	lock_release(lock_fd);
	trust_config_free(&trust);
	return rc;
}
