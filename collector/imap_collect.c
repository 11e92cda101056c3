/*
 * imap_collect.c - the collect loop: list, fetch in batches, ingest,
 * commit, move, remember. Input: messages from the IMAP server, untrusted;
 * each one goes through ingest_input() like any other input.
 */
#include "imap_collect.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "escape.h"
#include "limits.h"
#include "log.h"
#include "xalloc.h"

/* Where a batch's messages go once the batch is committed. */
struct collect_dest {
	const char *folder; /* NULL: leave them in place */
	uint32_t *uids;
	size_t n;
};

struct collect_run {
	const struct imap_config *ic;
	const struct collect_opts *opts;
	const struct collect_hooks *hooks;
	struct collect_totals *tot;
	struct imap_session *s;
	struct store *st; /* NULL in a dry run */
	struct ingest *ig;
	uint32_t uidvalidity;
	uint32_t last_uid;  /* the saved position: every UID up to it is done */
	uint32_t stuck_uid; /* the lowest UID left out of FETCH twice, or 0 */
	int can_move;
	/* the folders as the server names them (imap_folder_name) */
	char folder[LIMIT_IMAP_FOLDER_BYTES];
	char dest_name[3][LIMIT_IMAP_FOLDER_BYTES];
	const char *dest[3]; /* dest_name[k], or NULL: leave messages in place */
};

int collect_ingest(struct ingest *ig, const uint8_t *data, size_t len, int64_t orig_size,
                   int truncated, const struct source_info *src, const char *server,
                   struct collect_totals *tot, const struct collect_hooks *hooks, char *err,
                   size_t errlen)
{
	struct ingest_result res;
	char why[ERR_LINE_MAX];

	if (ingest_input(ig, data, len, orig_size, truncated, src, &res, why, sizeof(why)) < 0) {
		snprintf(err, errlen,
		         "%s (collecting %s from %s; nothing of this batch was stored or moved: "
		         "run again)",
		         why, esc(src->name), server);
		return -1;
	}
	tot->messages++;
	tot->stored += res.n_stored;
	tot->duplicate += res.n_duplicate;
	tot->quarantined += res.quarantined;
	tot->not_report += res.not_report;
	tot->conflicts += res.conflict;
	if (hooks != NULL && hooks->message != NULL)
		hooks->message(hooks->arg, src->name, &res);
	return res.quarantined ? 1 : res.not_report ? 2 : 0;
}

int collect_flush(struct ingest *ig, const char *server, char *err, size_t errlen)
{
	char why[ERR_LINE_MAX];

	if (ingest_flush(ig, why, sizeof(why)) == 0)
		return 0;
	snprintf(err, errlen,
	         "%s (collecting from %s; this batch was not stored and nothing was moved: run "
	         "again)",
	         why, server);
	return -1;
}

/* How many of msgs[0..n) the next batch takes: up to batch_size messages
 * and LIMIT_IMAP_BATCH_BYTES announced bytes; an oversized message (only
 * its first LIMIT_INPUT_BYTES are fetched) goes alone. Always >= 1. */
static size_t collect_batch_len(const struct imap_msg *msgs, size_t n, size_t batch_size)
{
	size_t k = 1, bytes = msgs[0].size;

	if (msgs[0].size > LIMIT_INPUT_BYTES)
		return 1;
	while (k < n && k < batch_size && msgs[k].size <= LIMIT_INPUT_BYTES &&
	       bytes + msgs[k].size <= LIMIT_IMAP_BATCH_BYTES) {
		bytes += msgs[k].size;
		k++;
	}
	return k;
}

/* Messages a FETCH left out although they were listed: fetched again,
 * alone; one still left out but still in the folder is marked missing[i]
 * (a server that answers OK without them must not make them be skipped).
 * The bodies found point into *f2. 0, or -1. */
static int collect_refetch(struct collect_run *run, const struct imap_msg *msgs, size_t n,
                           struct imap_body *bodies, char *missing, struct imap_fetch **f2,
                           char *err, size_t errlen)
{
	struct imap_msg *again = xcalloc(n, sizeof(*again)), *still = NULL;
	struct imap_body *b = xcalloc(n, sizeof(*b));
	size_t i, k = 0, j, ns;
	uint32_t covered;
	int rc = -1;

	for (i = 0; i < n; i++)
		if (bodies[i].data == NULL) {
			again[k] = msgs[i];
			b[k].uid = msgs[i].uid;
			k++;
		}
	if (k == 0) {
		rc = 0;
		goto out;
	}
	if (imap_fetch_bodies(run->s, again, k, LIMIT_INPUT_BYTES, b, f2, err, errlen) < 0)
		goto out;
	for (i = 0, j = 0; i < n && j < k; i++) {
		if (bodies[i].data != NULL)
			continue;
		if (b[j].data != NULL) {
			bodies[i] = b[j];
		} else {
			/* expunged by another client meanwhile, or left out? */
			if (imap_list_messages(run->s, msgs[i].uid - 1, 1, &still, &ns, &covered,
			                       err, errlen) < 0)
				goto out;
			missing[i] = ns == 1 && still[0].uid == msgs[i].uid;
			free(still);
			still = NULL;
		}
		j++;
	}
	rc = 0;
out:
	free(again);
	free(b);
	return rc;
}

static int collect_batch(struct collect_run *run, const struct imap_msg *msgs, size_t n, char *err,
                         size_t errlen)
{
	struct collect_dest dest[3];
	struct imap_body *bodies = xcalloc(n, sizeof(*bodies));
	char *missing = xcalloc(n, 1);
	struct imap_fetch *f = NULL, *f2 = NULL;
	struct source_info src;
	struct collect_dest *d;
	char name[512];
	int64_t orig_size;
	uint32_t last;
	size_t i, k;
	int where, rc = -1;

	memset(dest, 0, sizeof(dest));
	for (k = 0; k < 3; k++)
		dest[k].folder = run->dest[k];
	for (k = 0; k < 3; k++)
		dest[k].uids = xcalloc(n, sizeof(uint32_t));
	for (i = 0; i < n; i++)
		bodies[i].uid = msgs[i].uid;
	if (imap_fetch_bodies(run->s, msgs, n, LIMIT_INPUT_BYTES, bodies, &f, err, errlen) < 0)
		goto out;
	if (collect_refetch(run, msgs, n, bodies, missing, &f2, err, errlen) < 0)
		goto out;
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "%s/%lu/%lu", run->ic->folder,
		         (unsigned long)run->uidvalidity, (unsigned long)msgs[i].uid);
		if (bodies[i].data == NULL && missing[i]) {
			log_warnx("%s: still in the folder, but left out of two FETCH answers "
			          "(the server said OK); left in place, fetched again next run",
			          esc(name));
			run->tot->missing++;
			if (run->stuck_uid == 0 || msgs[i].uid < run->stuck_uid)
				run->stuck_uid = msgs[i].uid;
			continue;
		}
		if (bodies[i].data == NULL) {
			log_verbose("%s: gone (expunged by another client)", esc(name));
			run->tot->vanished++;
			continue;
		}
		memset(&src, 0, sizeof(src));
		src.kind = "imap";
		src.name = name;
		src.received = (int64_t)time(NULL);
		orig_size = bodies[i].truncated && msgs[i].size > bodies[i].len
		                ? (int64_t)msgs[i].size
		                : (int64_t)bodies[i].len;
		where = collect_ingest(run->ig, bodies[i].data, bodies[i].len, orig_size,
		                       bodies[i].truncated, &src, run->ic->server, run->tot,
		                       run->hooks, err, errlen);
		if (where < 0)
			goto out;
		d = &dest[where];
		d->uids[d->n++] = msgs[i].uid;
	}
	/* the durability barrier: nothing leaves the mailbox before this */
	if (collect_flush(run->ig, run->ic->server, err, errlen) < 0)
		goto out;
	imap_fetch_free(f);
	imap_fetch_free(f2);
	f = f2 = NULL;
	if (!run->opts->dry_run && run->can_move) {
		for (k = 0; k < 3; k++) {
			if (dest[k].folder == NULL || dest[k].n == 0)
				continue;
			if (imap_move(run->s, dest[k].uids, dest[k].n, dest[k].folder, err,
			              errlen) < 0)
				goto out;
			run->tot->moved += (long)dest[k].n;
		}
	}
	/* the position moves only past messages stored, refused or gone:
	 * never past one the server left out */
	last = msgs[n - 1].uid;
	if (run->stuck_uid != 0 && last >= run->stuck_uid)
		last = run->stuck_uid - 1;
	if (last > run->last_uid) {
		run->last_uid = last;
		if (run->st != NULL &&
		    store_imap_state_set(run->st, run->ic->server, run->ic->user, run->ic->folder,
		                         run->uidvalidity, run->last_uid, err, errlen) < 0)
			goto out;
	}
	rc = 0;
out:
	imap_fetch_free(f);
	imap_fetch_free(f2);
	free(missing);
	for (k = 0; k < 3; k++)
		free(dest[k].uids);
	free(bodies);
	return rc;
}

/* Opens the folder and works out where to start from. */
static int collect_start(struct collect_run *run, struct store *state_st, char *err, size_t errlen)
{
	const char *conf[3];
	int64_t saved_uidvalidity = 0, saved_last = 0;
	int found = 0, any_dest = 0;
	size_t k;

	conf[0] = run->ic->processed_folder;
	conf[1] = run->ic->invalid_folder;
	conf[2] = run->ic->other_folder;
	if (imap_folder_name(run->s, run->ic->folder, run->folder, sizeof(run->folder), err,
	                     errlen) < 0)
		return -1;
	for (k = 0; k < 3; k++) {
		if (conf[k] == NULL)
			continue;
		any_dest = 1;
		if (imap_folder_name(run->s, conf[k], run->dest_name[k], sizeof(run->dest_name[k]),
		                     err, errlen) < 0 ||
		    imap_ensure_folder(run->s, run->dest_name[k], run->opts->dry_run, err, errlen) <
		        0)
			return -1;
		run->dest[k] = run->dest_name[k];
	}
	run->can_move = imap_move_method(run->s) != IMAP_MOVE_NONE;
	if (any_dest && !run->can_move)
		log_warnx("imap %s: the server has neither MOVE nor UIDPLUS; messages stay in %s "
		          "(a plain EXPUNGE could delete other clients' mail)",
		          run->ic->server, esc(run->ic->folder));
	if (imap_select(run->s, run->folder, run->opts->dry_run, &run->uidvalidity, err, errlen) <
	    0)
		return -1;
	if (state_st != NULL &&
	    store_imap_state_get(state_st, run->ic->server, run->ic->user, run->ic->folder,
	                         &saved_uidvalidity, &saved_last, &found, err, errlen) < 0)
		return -1;
	run->last_uid = 0;
	if (found && saved_uidvalidity == (int64_t)run->uidvalidity && run->uidvalidity != 0 &&
	    saved_last > 0 && saved_last <= (int64_t)UINT32_MAX)
		run->last_uid = (uint32_t)saved_last;
	else if (found)
		log_verbose("imap %s: %s: UIDVALIDITY changed (%lld, now %lu): rescanning the "
		            "folder; reports already stored count as duplicates",
		            run->ic->server, esc(run->ic->folder), (long long)saved_uidvalidity,
		            (unsigned long)run->uidvalidity);
	return 0;
}

int imap_collect(const struct imap_config *ic, struct store *st, const struct collect_opts *opts,
                 const struct collect_hooks *hooks, struct collect_totals *tot, char *err,
                 size_t errlen)
{
	struct collect_run run;
	struct imap_msg *msgs = NULL;
	uint32_t cursor, covered, uidnext, uidvalidity;
	size_t n, i, k;
	long seen = 0;
	int passes = 0;
	int rc = -1;

	memset(tot, 0, sizeof(*tot));
	memset(&run, 0, sizeof(run));
	run.ic = ic;
	run.opts = opts;
	run.hooks = hooks;
	run.tot = tot;
	run.st = opts->dry_run ? NULL : st;
	if (imap_open(ic, opts->debug, &run.s, err, errlen) < 0)
		goto out;
	if (collect_start(&run, st, err, errlen) < 0)
		goto out;
	run.ig = ingest_new(run.st);
	ingest_set_trust(run.ig, opts->trust);
	cursor = run.last_uid;
	for (;;) {
		if (imap_list_messages(run.s, cursor, (size_t)(LIMIT_IMAP_MESSAGES_PER_RUN - seen),
		                       &msgs, &n, &covered, err, errlen) < 0)
			goto out;
		if (n == 0) {
			/* the folder is done up to UIDNEXT; with new mail since
			 * SELECT (a fresh SELECT tells), another pass */
			cursor = covered;
			uidnext = imap_uidnext(run.s);
			if (opts->once || uidnext == 0 || ++passes >= LIMIT_IMAP_PASSES)
				break;
			if (imap_select(run.s, ic->folder, opts->dry_run, &uidvalidity, err,
			                errlen) < 0)
				goto out;
			if (uidvalidity != run.uidvalidity || imap_uidnext(run.s) <= uidnext)
				break;
			continue;
		}
		if (hooks != NULL && hooks->total != NULL)
			hooks->total(hooks->arg, (long)n);
		for (i = 0; i < n; i += k) {
			k = collect_batch_len(msgs + i, n - i, ic->batch_size);
			if (collect_batch(&run, msgs + i, k, err, errlen) < 0)
				goto out;
		}
		free(msgs);
		msgs = NULL;
		cursor = covered;
		seen += (long)n;
		if (seen >= LIMIT_IMAP_MESSAGES_PER_RUN)
			break;
	}
	rc = 0;
out:
	free(msgs);
	ingest_free(run.ig);
	imap_close(run.s);
	return rc;
}
