/*
 * graph_collect.c - the collect loop over Microsoft Graph: list, fetch and
 * ingest a batch, commit, move, and list again while mail arrives. Input:
 * messages from Graph, untrusted; each one goes through ingest_input()
 * like any other input.
 */
#include "graph_collect.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "escape.h"
#include "limits.h"
#include "log.h"
#include "xalloc.h"

struct graph_run {
	const struct graph_config *gc;
	const struct collect_opts *opts;
	const struct collect_hooks *hooks;
	struct collect_totals *tot;
	struct graph_session *s;
	struct ingest *ig;
	char folder[LIMIT_GRAPH_ID_BYTES + 1];
	/* processed, invalid, other: a folder id, or "" (a dry run, not
	 * created yet) */
	char dest[3][LIMIT_GRAPH_ID_BYTES + 1];
};

/* Fetches and ingests one message; *where: the destination (0..2), or -1
 * when it is gone. 0, or -1 (nothing of the batch is committed then). */
static int graph_one(struct graph_run *run, const char *id, int *where, char *err, size_t errlen)
{
	struct source_info src;
	uint8_t *data = NULL;
	size_t len = 0;
	int64_t orig_size = 0;
	int truncated = 0, gone = 0;
	char name[LIMIT_GRAPH_ID_BYTES + 64];

	*where = -1;
	snprintf(name, sizeof(name), "graph/%s", id);
	if (graph_fetch_mime(run->s, id, LIMIT_INPUT_BYTES, &data, &len, &orig_size, &truncated,
	                     &gone, err, errlen) < 0)
		return -1;
	if (gone) {
		log_verbose("%s: gone (moved or deleted by another client)", esc(name));
		run->tot->vanished++;
		return 0;
	}
	memset(&src, 0, sizeof(src));
	src.kind = "graph";
	src.name = name;
	src.received = (int64_t)time(NULL);
	*where = collect_ingest(run->ig, data, len, orig_size, truncated, &src, run->gc->server,
	                        run->tot, run->hooks, err, errlen);
	free(data);
	return *where < 0 ? -1 : 0;
}

/* One batch: ingest each message, commit, then move each. 0, or -1. */
static int graph_batch(struct graph_run *run, char **ids, size_t n, char *err, size_t errlen)
{
	int *where = xcalloc(n, sizeof(*where));
	size_t i;
	int gone, rc = -1;

	for (i = 0; i < n; i++)
		if (graph_one(run, ids[i], &where[i], err, errlen) < 0)
			goto out;
	/* the durability barrier: nothing leaves the folder before this */
	if (collect_flush(run->ig, run->gc->server, err, errlen) < 0)
		goto out;
	for (i = 0; i < n && !run->opts->dry_run; i++) {
		if (where[i] < 0)
			continue;
		if (graph_move(run->s, ids[i], run->dest[where[i]], &gone, err, errlen) < 0)
			goto out;
		if (gone)
			run->tot->vanished++;
		else
			run->tot->moved++;
	}
	rc = 0;
out:
	free(where);
	return rc;
}

/* Finds the folder and the destinations (created when missing, except in
 * a dry run). 0, or -1. */
static int graph_start(struct graph_run *run, char *err, size_t errlen)
{
	const char *conf[3];
	size_t k, j;

	conf[0] = run->gc->processed_folder;
	conf[1] = run->gc->invalid_folder;
	conf[2] = run->gc->other_folder;
	if (graph_folder_id(run->s, run->gc->folder, 0, run->opts->dry_run, run->folder,
	                    sizeof(run->folder), err, errlen) < 0)
		return -1;
	for (k = 0; k < 3; k++) {
		/* one lookup for a folder named twice (the defaults are) */
		for (j = 0; j < k && strcasecmp(conf[j], conf[k]) != 0; j++)
			;
		if (j < k) {
			memcpy(run->dest[k], run->dest[j], sizeof(run->dest[k]));
			continue;
		}
		if (graph_folder_id(run->s, conf[k], 1, run->opts->dry_run, run->dest[k],
		                    sizeof(run->dest[k]), err, errlen) < 0)
			return -1;
	}
	return 0;
}

int graph_collect(const struct graph_config *gc, struct store *st, const struct collect_opts *opts,
                  const struct collect_hooks *hooks, struct collect_totals *tot, char *err,
                  size_t errlen)
{
	struct graph_run run;
	char **ids = NULL;
	size_t n = 0, i, k;
	long seen = 0;
	int pass, rc = -1;

	memset(tot, 0, sizeof(*tot));
	memset(&run, 0, sizeof(run));
	run.gc = gc;
	run.opts = opts;
	run.hooks = hooks;
	run.tot = tot;
	if (graph_open(gc, opts->debug, &run.s, err, errlen) < 0)
		goto out;
	if (graph_start(&run, err, errlen) < 0)
		goto out;
	run.ig = ingest_new(opts->dry_run ? NULL : st);
	ingest_set_trust(run.ig, opts->trust);
	/* collected mail leaves the folder, so each listing shows what is
	 * left: a pass more only while mail keeps arriving */
	for (pass = 0; pass < LIMIT_IMAP_PASSES && seen < LIMIT_GRAPH_MESSAGES_PER_RUN; pass++) {
		if (graph_list_messages(run.s, run.folder,
		                        (size_t)(LIMIT_GRAPH_MESSAGES_PER_RUN - seen), &ids, &n,
		                        err, errlen) < 0)
			goto out;
		if (n == 0)
			break;
		if (hooks != NULL && hooks->total != NULL)
			hooks->total(hooks->arg, (long)n);
		for (i = 0; i < n; i += k) {
			k = n - i < LIMIT_GRAPH_PAGE_SIZE ? n - i : LIMIT_GRAPH_PAGE_SIZE;
			if (graph_batch(&run, ids + i, k, err, errlen) < 0)
				goto out;
		}
		seen += (long)n;
		graph_ids_free(ids, n);
		ids = NULL;
		/* a dry run moves nothing: a second listing would show the same */
		if (opts->once || opts->dry_run)
			break;
	}
	rc = 0;
out:
	graph_ids_free(ids, n);
	ingest_free(run.ig);
	graph_close(run.s);
	return rc;
}
