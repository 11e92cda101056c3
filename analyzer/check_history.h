/*
 * check_history.h - what 'tlswatch check' found published, kept run by
 * run (store_check.h), and read back as changes: "2026-11-20 10:00 MTA-STS
 * id changed from 20250101 to 20251120; mode testing -> enforce"
 * (docs/check.md, "History").
 *
 * Input: results stored from DNS, HTTPS and SMTP answers (untrusted):
 * escaped on output.
 */
#ifndef TLSWATCH_CHECK_HISTORY_H
#define TLSWATCH_CHECK_HISTORY_H

#include <stdint.h>
#include <stdio.h>

#include "check.h"
#include "store_check.h"
#include "strbuf.h"

/* Stores what cd found at the UTC second now, in its own batch. 0, or -1
 * with the reason. */
int check_history_store(struct store *st, const struct check_domain *cd, int64_t now, char *err,
                        size_t errlen);

/* Appends to sb what changed from prev (NULL: cur is the first run) to
 * cur, "; " between changes; *n gets their count (0: nothing changed).
 * Untrusted text is appended as stored: escape the whole on output.
 * -1 past sb's cap. */
STRBUF_MUST_CHECK int check_history_changes(const struct check_result *prev,
                                            const struct check_result *cur, struct strbuf *sb,
                                            int *n);

/* Prints domain's history, one line per run that changed something
 * ("DOMAIN: YYYY-MM-DD HH:MM:SSZ CHANGES"). 0 with *runs (0: never
 * checked), or -1 with the reason. */
int check_history_print(struct store *st, const char *domain, FILE *f, int *runs, char *err,
                        size_t errlen);

/* The same as one JSON object (docs/check.md, "History"): {"domain",
 * "changes": [{"checked_at", "status", "sts_id", "sts_mode",
 * "sts_max_age", "changes"}], "runs"}, preceded by a comma unless first. */
int check_history_json(struct store *st, const char *domain, FILE *f, int first, int *runs,
                       char *err, size_t errlen);

#endif
