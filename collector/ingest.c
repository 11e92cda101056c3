/*
 * ingest.c - the last step of ingest: a decoded input's records stored
 * (core/decode.h made them), or the input kept in quarantine. The input
 * is untrusted, but already decoded and checked against core/limits.h.
 */
#include "ingest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "limits.h"
#include "xalloc.h"

struct ingest {
	struct store *st; /* NULL: dry run */
	long batch_inputs;
	struct ingest_totals totals;
};

struct ingest *ingest_new(struct store *st)
{
	struct ingest *ig = xcalloc(1, sizeof(*ig));

	ig->st = st;
	return ig;
}

void ingest_free(struct ingest *ig)
{
	if (ig == NULL)
		return;
	if (ig->st != NULL)
		store_rollback(ig->st);
	free(ig);
}

const struct ingest_totals *ingest_get_totals(const struct ingest *ig)
{
	return &ig->totals;
}

int ingest_flush(struct ingest *ig, char *err, size_t errlen)
{
	ig->batch_inputs = 0;
	if (ig->st == NULL)
		return 0;
	return store_commit(ig->st, err, errlen);
}

static void ingest_mail_source(const struct mail_message *m, const struct source_info *src,
                               struct source_info *out)
{
	*out = *src;
	out->message_id = m->message_id;
	out->mail_from = m->from;
	out->mail_date = m->date;
	out->subject = m->subject;
	out->tls_report_domain = m->tls_report_domain;
	out->tls_report_submitter = m->tls_report_submitter;
	out->auth_headers = m->auth_headers;
	if (out->name == NULL)
		out->name = m->message_id;
}

int ingest_apply(struct ingest *ig, const struct decoded_input *p, const struct source_info *src,
                 struct ingest_result *res, char *err, size_t errlen)
{
	const struct source_info *rsrc = src;
	struct source_info msrc;
	enum store_outcome outcome;
	int64_t source_id = 0, id;
	size_t i;

	memset(res, 0, sizeof(*res));
	if (ig->st != NULL && store_begin(ig->st, err, errlen) < 0)
		return -1;
	if (p->mail != NULL) {
		ingest_mail_source(p->mail, src, &msrc);
		rsrc = &msrc;
	}
	for (i = 0; i < p->n_parts; i++) {
		const struct decoded_part *part = &p->parts[i];

		if (part->r == NULL)
			continue;
		if (ig->st == NULL) {
			res->n_stored++;
			continue;
		}
		if (store_add_report(ig->st, &part->rec, rsrc, &source_id, &id, &outcome, err,
		                     errlen) < 0)
			goto fail;
		res->report_rowid = id;
		if (outcome == STORE_NEW)
			res->n_stored++;
		else
			res->n_duplicate++;
	}
	res->not_report = p->not_report;
	if (p->bad) {
		snprintf(res->reason, sizeof(res->reason), "%s", p->reason);
		res->quarantined = 1;
		if (ig->st != NULL &&
		    store_add_quarantine(ig->st, src, res->reason, p->data, p->len, p->orig_size,
		                         p->truncated, &res->quarantine_id,
		                         &res->quarantine_existing, err, errlen) < 0)
			goto fail;
	}
	ig->totals.inputs++;
	ig->totals.stored += res->n_stored;
	ig->totals.duplicate += res->n_duplicate;
	ig->totals.quarantined += res->quarantined;
	ig->totals.not_report += res->not_report;
	if (++ig->batch_inputs >= LIMIT_BATCH_REPORTS)
		return ingest_flush(ig, err, errlen);
	return 0;
fail:
	if (ig->st != NULL)
		store_rollback(ig->st);
	ig->batch_inputs = 0;
	return -1;
}

int ingest_input(struct ingest *ig, const uint8_t *data, size_t len, int64_t orig_size,
                 int truncated, const struct source_info *src, struct ingest_result *res, char *err,
                 size_t errlen)
{
	struct decoded_input *p = decode_input(data, len, orig_size, truncated);
	int rc = ingest_apply(ig, p, src, res, err, errlen);

	decode_free(p);
	return rc;
}

const char *ingest_describe(const struct ingest_result *res, char *buf, size_t buflen)
{
	char reason[sizeof(res->reason) * 4];

	if (res->quarantined) {
		escape_text(res->reason, strlen(res->reason), sizeof(res->reason), reason,
		            sizeof(reason));
		snprintf(buf, buflen, "quarantined: %s", reason);
	} else if (res->not_report) {
		snprintf(buf, buflen, "not-a-report");
	} else if (res->n_stored > 0 && res->n_duplicate > 0) {
		snprintf(buf, buflen, "stored %d, duplicate %d", res->n_stored, res->n_duplicate);
	} else if (res->n_stored > 1) {
		snprintf(buf, buflen, "stored %d reports", res->n_stored);
	} else if (res->n_stored == 1) {
		snprintf(buf, buflen, "stored");
	} else {
		snprintf(buf, buflen, "duplicate");
	}
	return buf;
}
