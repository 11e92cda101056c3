/*
 * imap_collect.h - "collect": every message in the rua mailbox goes
 * through ingest, is committed durably, and only then is moved out of the
 * mailbox. Input: the IMAP server's messages (untrusted).
 *
 * The order that makes "nothing lost" hold: fetch a batch -> ingest it ->
 * ingest_flush() (synchronous=FULL) -> move the batch's messages
 * (stored/duplicate to processed_folder, quarantined to invalid_folder,
 * not-a-report to other_folder; an empty key leaves them in place) ->
 * record the batch's last UID. A crash at any point leaves messages that
 * are either not committed (ingested again) or committed but not moved
 * (ingested again as duplicates, then moved): a re-run finishes the job
 * and stores each report exactly once.
 */
#ifndef TLSWATCH_IMAP_COLLECT_H
#define TLSWATCH_IMAP_COLLECT_H

#include "imap.h"
#include "ingest.h"
#include "store.h"
#include "trust.h"

struct collect_totals {
	long messages;    /* messages ingested */
	long stored;      /* reports newly stored */
	long duplicate;   /* reports already stored */
	long quarantined; /* messages quarantined */
	long not_report;  /* messages that carry no report */
	long moved;       /* messages moved out of the folder */
	long vanished;    /* listed, then expunged by another client */
	long conflicts;   /* messages with a conflicting report (docs/trust.md) */
	long missing;     /* still in the folder but left out of FETCH twice */
};

/* Called as the run goes: total with the number of messages a pass will
 * look at, message after each message is ingested. May be NULL. */
struct collect_hooks {
	void (*total)(void *arg, long n);
	void (*message)(void *arg, const char *name, const struct ingest_result *res);
	void *arg;
};

struct collect_opts {
	int dry_run;                      /* EXAMINE, validate, write nothing, move nothing */
	int once;                         /* one pass; else passes repeat while new mail arrives */
	int debug;                        /* log the IMAP exchange (-vv) */
	const struct trust_config *trust; /* DKIM of each message; NULL: none */
};

/* One collected message through ingest_input() (src names it), counted in
 * tot and shown through hooks: returns where it goes (0 processed, 1
 * invalid, 2 other), or -1 on an operational error, with one line naming
 * the message and server and saying nothing of the batch was kept. Shared
 * by the IMAP and Graph collectors. */
int collect_ingest(struct ingest *ig, const uint8_t *data, size_t len, int64_t orig_size,
                   int truncated, const struct source_info *src, const char *server,
                   struct collect_totals *tot, const struct collect_hooks *hooks, char *err,
                   size_t errlen);

/* The durability barrier before a batch's messages move: ingest_flush(),
 * or -1 with one line saying nothing was moved. */
int collect_flush(struct ingest *ig, const char *server, char *err, size_t errlen);

/* Collects from the server in ic into st. In a dry run st may be a
 * read-only store (to read where the last run stopped) or NULL. tot is
 * filled in as far as the run got, also on failure. Returns 0, or -1 with
 * a one-line reason naming the server and the step (or the database). */
int imap_collect(const struct imap_config *ic, struct store *st, const struct collect_opts *opts,
                 const struct collect_hooks *hooks, struct collect_totals *tot, char *err,
                 size_t errlen);

#endif
