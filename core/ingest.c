/*
 * ingest.c - from untrusted input bytes to stored reports or quarantine
 * records. Every size is checked against core/limits.h before work is done.
 */
#include "ingest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "gz.h"
#include "limits.h"
#include "mail.h"
#include "report.h"
#include "xalloc.h"

struct ingest {
	struct store *st;	/* NULL: dry run */
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

static int ingest_is_blank(const uint8_t *data, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (data[i] != ' ' && data[i] != '\t' && data[i] != '\r' && data[i] != '\n')
			return 0;
	return 1;
}

static int ingest_is_json(const uint8_t *data, size_t len)
{
	size_t i = 0;

	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
		i++;
	return i < len && (data[i] == '{' || data[i] == '[');
}

/* Decodes one report (gzip or JSON bytes) and stores it. Returns 0 with
 * res updated, 1 when the report is invalid (reason in res->reason, which
 * is prefixed with where), -1 on a database error. */
static int ingest_report_bytes(struct ingest *ig, const uint8_t *data, size_t len,
			       const char *where, const struct source_info *src,
			       int64_t *source_id, struct ingest_result *res, char *err,
			       size_t errlen)
{
	uint8_t *json = NULL;
	const uint8_t *gz = NULL;
	size_t json_len = 0, gz_len = 0;
	struct report *r = NULL;
	enum store_outcome outcome;
	char why[400];
	int64_t id;
	int rc = 1;

	if (gz_is_gzip(data, len)) {
		if (len > LIMIT_COMPRESSED_BYTES) {
			snprintf(why, sizeof(why), "gzip report larger than %u bytes",
				 LIMIT_COMPRESSED_BYTES);
			goto bad;
		}
		if (gz_inflate(data, len, LIMIT_INFLATED_BYTES, &json, &json_len, why, sizeof(why)) < 0)
			goto bad;
		gz = data;
		gz_len = len;
	} else if (ingest_is_json(data, len)) {
		if (len > LIMIT_JSON_BYTES) {
			snprintf(why, sizeof(why), "JSON report larger than %u bytes", LIMIT_JSON_BYTES);
			goto bad;
		}
		json = xmalloc(len + 1);
		memcpy(json, data, len);
		json[len] = '\0';
		json_len = len;
	} else {
		snprintf(why, sizeof(why), "not a TLS report: neither gzip nor JSON");
		goto bad;
	}
	if (report_parse_json((const char *)json, json_len, &r, why, sizeof(why)) < 0)
		goto bad;
	if (ig->st == NULL) {
		res->n_stored++;
		rc = 0;
		goto out;
	}
	if (store_add_report(ig->st, r, json, json_len, gz, gz_len, src, source_id, &id, &outcome,
			     err, errlen) < 0) {
		rc = -1;
		goto out;
	}
	res->report_rowid = id;
	if (outcome == STORE_NEW)
		res->n_stored++;
	else
		res->n_duplicate++;
	rc = 0;
	goto out;
bad:
	if (res->reason[0] == '\0')
		snprintf(res->reason, sizeof(res->reason), "%s%s", where, why);
out:
	report_free(r);
	free(json);
	return rc;
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

/* A mail message: every report part goes the same way as a file. The
 * message is quarantined (whole, byte-exact) if any part is refused. */
static int ingest_mail(struct ingest *ig, const uint8_t *data, size_t len,
		       const struct source_info *src, struct ingest_result *res, int *bad,
		       char *err, size_t errlen)
{
	struct mail_message *m = NULL;
	struct source_info msrc;
	char where[160], why[400];
	int64_t source_id = 0;
	size_t i;
	int rc = 0, r;

	if (mail_parse(data, len, &m, why, sizeof(why)) < 0) {
		snprintf(res->reason, sizeof(res->reason), "mail: %s", why);
		*bad = 1;
		goto out;
	}
	if (m->n_parts == 0) {
		res->not_report = 1;
		goto out;
	}
	ingest_mail_source(m, src, &msrc);
	for (i = 0; i < m->n_parts; i++) {
		snprintf(where, sizeof(where), "part %zu (%s%s%s): ", i + 1, m->parts[i].content_type,
			 m->parts[i].filename != NULL ? ", " : "",
			 m->parts[i].filename != NULL ? esc(m->parts[i].filename) : "");
		r = ingest_report_bytes(ig, m->parts[i].data, m->parts[i].len, where, &msrc,
					&source_id, res, err, errlen);
		if (r < 0) {
			rc = -1;
			goto out;
		}
		if (r > 0)
			*bad = 1;
	}
out:
	mail_free(m);
	return rc;
}

static int ingest_quarantine(struct ingest *ig, const uint8_t *data, size_t len,
			     int64_t orig_size, int truncated, const struct source_info *src,
			     struct ingest_result *res, char *err, size_t errlen)
{
	res->quarantined = 1;
	if (ig->st == NULL)
		return 0;
	return store_add_quarantine(ig->st, src, res->reason, data, len, orig_size, truncated,
				    &res->quarantine_id, &res->quarantine_existing, err, errlen);
}

int ingest_input(struct ingest *ig, const uint8_t *data, size_t len, int64_t orig_size,
		 int truncated, const struct source_info *src, struct ingest_result *res,
		 char *err, size_t errlen)
{
	int64_t source_id = 0;
	int bad = 0, r;

	memset(res, 0, sizeof(*res));
	if (ig->st != NULL && store_begin(ig->st, err, errlen) < 0)
		return -1;
	if (truncated || len > LIMIT_INPUT_BYTES) {
		snprintf(res->reason, sizeof(res->reason), "input larger than %u bytes",
			 LIMIT_INPUT_BYTES);
		bad = 1;
	} else if (ingest_is_blank(data, len)) {
		snprintf(res->reason, sizeof(res->reason), "empty input");
		bad = 1;
	} else if (gz_is_gzip(data, len) || ingest_is_json(data, len) ||
		   !mail_looks_like_message(data, len)) {
		r = ingest_report_bytes(ig, data, len, "", src, &source_id, res, err, errlen);
		if (r < 0)
			goto fail;
		bad = r > 0;
	} else if (ingest_mail(ig, data, len, src, res, &bad, err, errlen) < 0) {
		goto fail;
	}
	if (bad && ingest_quarantine(ig, data, len, orig_size, truncated, src, res, err, errlen) < 0)
		goto fail;
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
