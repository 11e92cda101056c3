/*
 * ingest.h - the one path every input takes into the store.
 *
 * Files, stdin, mail messages (from files, mbox, Maildir, IMAP) and HTTPS
 * POST bodies all come through ingest_input(), a pipeline read top to
 * bottom: decode, parse and derive (decode_input, core/decode.h), then
 * store (store_add_report) or quarantine. Valid reports are stored (or
 * found to be duplicates); anything refused is kept byte-exact in
 * quarantine with a one-line reason. Nothing is ever dropped.
 *
 * Inputs are grouped into batches of LIMIT_BATCH_REPORTS per transaction;
 * ingest_flush() commits durably. A caller that must act only after a
 * commit (the IMAP collector moving mail, the HTTPS intake answering 201)
 * flushes first.
 */
#ifndef TLSWATCH_INGEST_H
#define TLSWATCH_INGEST_H

#include <stddef.h>
#include <stdint.h>

#include "decode.h"
#include "store.h"
#include "trust.h"

struct ingest;

struct ingest_result {
	int n_stored;            /* reports newly stored from this input */
	int n_duplicate;         /* reports already in the store */
	int quarantined;         /* 1: the input is kept in quarantine (see reason) */
	int quarantine_existing; /* 1: the same bytes were already quarantined */
	int not_report;          /* 1: a mail message that carries no report */
	int64_t quarantine_id;
	int64_t report_rowid; /* the last report stored or found */
	/* docs/trust.md: a report with the same (organization, report-id)
	 * and other content was stored. conflict_report: the stored one that
	 * stays (the input is quarantined). superseded_report: the stored one
	 * this input replaced (its bytes now in quarantine record
	 * superseded_quarantine). Either way the conflict needs a look. */
	int conflict;
	int64_t conflict_report;
	int64_t superseded_report;
	int64_t superseded_quarantine;
	char reason[DECODE_REASON_BYTES]; /* why it was quarantined, one line */
};

struct ingest_totals {
	long inputs;
	long stored;      /* reports */
	long duplicate;   /* reports */
	long quarantined; /* inputs */
	long not_report;  /* inputs */
	long conflicts;   /* inputs with a conflict (quarantined or superseding) */
};

/* st may be NULL for a dry run: everything is parsed, nothing written. */
struct ingest *ingest_new(struct store *st);
/* The [trust] settings mail is checked under (docs/trust.md): borrowed,
 * must outlive ig. Without (NULL, the default) a mail report is stored
 * unchecked as unverified-mail: callers that read the configuration set
 * it, so that its default (dkim = require) applies. */
void ingest_set_trust(struct ingest *ig, const struct trust_config *t);
/* A hint before ingest_apply of p[0] (and then p[1..n)): their reports'
 * keys looked up at once (store_prefetch_reports; begins the batch). The
 * outcome of each ingest_apply stays the same. 0, or -1 on an operational
 * error (the batch rolled back). */
int ingest_prefetch(struct ingest *ig, const struct decoded_input *const *p, size_t n, char *err,
                    size_t errlen);
/* Rolls back an unflushed batch. ingest_free(NULL) is a no-op. */
void ingest_free(struct ingest *ig);

/* Ingests one input of len bytes. orig_size is the input's full size and
 * truncated says data holds only the first part of it (the input was over
 * LIMIT_INPUT_BYTES): such an input is quarantined. Returns 0 with *res
 * filled (whatever happened to the report), or -1 on an operational error
 * (database) with the reason in err; the open batch is then rolled back. */
int ingest_input(struct ingest *ig, const uint8_t *data, size_t len, int64_t orig_size,
                 int truncated, const struct source_info *src, struct ingest_result *res, char *err,
                 size_t errlen);

/* ingest_input's last step, for a caller that decodes on another thread
 * (cli/ingest_feed.c; decode_input needs no store and touches no shared
 * state, while storing must see inputs in order): stores the decoded
 * input's records (or quarantines the input) exactly as ingest_input
 * would, and returns the same. */
int ingest_apply(struct ingest *ig, const struct decoded_input *p, const struct source_info *src,
                 struct ingest_result *res, char *err, size_t errlen);

/* Commits the open batch durably. 0, or -1 with the reason in err. */
int ingest_flush(struct ingest *ig, char *err, size_t errlen);

const struct ingest_totals *ingest_get_totals(const struct ingest *ig);

/* "stored", "duplicate", "not-a-report" or "quarantined: REASON" for a
 * result, escaped for a terminal, into buf. */
const char *ingest_describe(const struct ingest_result *res, char *buf, size_t buflen);

#endif
