/*
 * graph_collect.h - "collect" from a Microsoft Graph mailbox, with the
 * IMAP collector's contract (imap_collect.h): list the folder, fetch and
 * ingest a batch, ingest_flush() (synchronous=FULL), and only then move
 * each message (stored or duplicate to processed_folder, quarantined to
 * invalid_folder, not-a-report to other_folder). A crash at any point
 * leaves messages not committed (ingested again) or committed but still
 * in the folder (ingested again as duplicates, then moved): a re-run
 * finishes the job and stores each report exactly once. Input: the
 * messages are untrusted; each goes through ingest_input().
 */
#ifndef TLSWATCH_GRAPH_COLLECT_H
#define TLSWATCH_GRAPH_COLLECT_H

#include "graph.h"
#include "imap_collect.h"

/* Collects from gc's mailbox into st (NULL in a dry run: nothing is
 * written, moved or created). tot is filled in as far as the run got.
 * 0, or -1 with one line naming the endpoint and the step. */
int graph_collect(const struct graph_config *gc, struct store *st, const struct collect_opts *opts,
                  const struct collect_hooks *hooks, struct collect_totals *tot, char *err,
                  size_t errlen);

#endif
