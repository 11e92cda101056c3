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
#include "report.h"
#include "store_trust.h"
#include "xalloc.h"

struct ingest {
	struct store *st; /* NULL: dry run */
	const struct trust_config *trust;
	long batch_inputs;
	struct ingest_totals totals;
};

struct ingest *ingest_new(struct store *st)
{
	struct ingest *ig = xcalloc(1, sizeof(*ig));

	ig->st = st;
	return ig;
}

void ingest_set_trust(struct ingest *ig, const struct trust_config *t)
{
	ig->trust = t;
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

int ingest_prefetch(struct ingest *ig, const struct decoded_input *const *p, size_t n, char *err,
                    size_t errlen)
{
	const struct report *r[LIMIT_PG_PREFETCH_KEYS];
	size_t i, j, k = 0;

	if (ig->st == NULL)
		return 0;
	for (i = 0; i < n; i++)
		for (j = 0; j < p[i]->n_parts && k < LIMIT_PG_PREFETCH_KEYS; j++)
			if (p[i]->parts[j].r != NULL)
				r[k++] = p[i]->parts[j].r;
	if (k == 0)
		return 0;
	if (store_begin(ig->st, err, errlen) < 0)
		return -1;
	return store_prefetch_reports(ig->st, r, k, err, errlen);
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

/* Where part i came from, for what its report leaves out. */
static void ingest_context(const struct decoded_input *p, size_t i, const struct source_info *src,
                           struct report_context *c)
{
	memset(c, 0, sizeof(*c));
	if (p->mail != NULL) {
		c->tls_report_domain = p->mail->tls_report_domain;
		c->tls_report_submitter = p->mail->tls_report_submitter;
		c->subject = p->mail->subject;
		c->mail_from = p->mail->from;
		if (i < p->mail->n_parts)
			c->file_name = p->mail->parts[i].filename;
	} else if (src->kind != NULL && strcmp(src->kind, "file") == 0) {
		c->file_name = src->name;
	} else if (src->kind != NULL && strcmp(src->kind, "https") == 0) {
		c->https_client = src->name;
	}
}

/* Fills in what part's report left out (report_apply_context) and, as
 * the figures may change with a domain or an organization (the count-once
 * decision may depend on it), derives it again into own: *d then points
 * there. Returns 0, or 1 with why when the report cannot be kept after
 * all. Rare: only reports with an empty organization-name or a domainless
 * no-policy-found policy get here; a report completed by an earlier call
 * is derived again all the same. */
static int ingest_complete(const struct decoded_input *p, size_t i, const struct source_info *src,
                           struct report_record *own, const struct report_record **d, char *why,
                           size_t whylen)
{
	const struct decoded_part *part = &p->parts[i];
	struct report_context c;

	if (report_needs_context(part->r)) {
		ingest_context(p, i, src, &c);
		if (report_apply_context(part->r, &c, why, whylen) < 0)
			return 1;
	}
	if ((part->r->quirks & (REPORT_QUIRK_ORG_EMPTY | REPORT_QUIRK_DOMAIN_INFERRED)) == 0)
		return 0;
	record_derive(part->r, part->json, part->json_len, part->rec.gz, part->rec.gz_len, own);
	*d = own;
	return 0;
}

/* The DKIM verdict on a report mail under ig's [trust] settings, into
 * msrc. Returns 1 when the mail must be refused (dkim = require and it
 * did not pass), with the reason in v. */
static int ingest_check_dkim(const struct ingest *ig, const struct decoded_input *p,
                             struct source_info *msrc, struct trust_verdict *v)
{
	if (ig->trust == NULL || ig->trust->dkim == TRUST_DKIM_OFF || p->mail->n_parts == 0 ||
	    msrc->provenance != NULL)
		return 0;
	trust_check_mail(ig->trust, p->mail, p->data, p->len, v);
	msrc->dkim = v->result;
	msrc->dkim_domain = v->domain[0] != '\0' ? v->domain : NULL;
	msrc->dkim_ar = v->ar[0] != '\0' ? v->ar : NULL;
	msrc->provenance = v->pass ? "dkim-verified" : "unverified-mail";
	return !v->pass && ig->trust->dkim == TRUST_DKIM_REQUIRE;
}

/* [trust] domains: how many policies of r are for a configured domain.
 * When some but not all are, *kept (caller frees) holds those. */
static size_t ingest_own_policies(const struct trust_config *t, const struct report *r,
                                  struct report_policy **kept)
{
	size_t i, n = 0;

	*kept = NULL;
	for (i = 0; i < r->n_policies; i++)
		n += (size_t)trust_domain_configured(t, r->policies[i].policy_domain);
	if (n == 0 || n == r->n_policies)
		return n;
	*kept = xcalloc(n, sizeof(**kept));
	for (i = 0, n = 0; i < r->n_policies; i++)
		if (trust_domain_configured(t, r->policies[i].policy_domain))
			(*kept)[n++] = r->policies[i];
	return n;
}

/* Stores one part: whole, or (docs/trust.md) only the policies for the
 * configured domains counted -- the raw report is kept whole all the same.
 * d is what part's report derives to (ingest_complete may have redone it).
 * 0, 1 when no policy is for a configured domain (reason set, nothing
 * stored), or -1 on a database error. */
static int ingest_store_part(struct ingest *ig, const struct decoded_part *part,
                             const struct report_record *d, const struct source_info *src,
                             int64_t *source_id, int64_t *id, enum store_outcome *outcome,
                             char *reason, size_t reasonlen, char *err, size_t errlen)
{
	struct report_policy *kept = NULL;
	struct report_record own;
	struct report mine;
	size_t n = part->r->n_policies;
	int rc;

	if (ig->trust != NULL && ig->trust->n_domains > 0 &&
	    (n = ingest_own_policies(ig->trust, part->r, &kept)) == 0) {
		const char *dom =
		    part->r->n_policies > 0 ? part->r->policies[0].policy_domain : NULL;

		snprintf(reason, reasonlen, "not for a configured domain: %s",
		         dom != NULL ? esc(dom) : "(no policy-domain)");
		return 1;
	}
	if (ig->st == NULL) {
		*outcome = STORE_NEW;
		free(kept);
		return 0;
	}
	if (kept == NULL)
		return store_add_report(ig->st, d, src, source_id, id, outcome, err, errlen);
	mine = *part->r;
	mine.policies = kept;
	mine.n_policies = n;
	record_derive(&mine, part->json, part->json_len, part->rec.gz, part->rec.gz_len, &own);
	rc = store_add_report(ig->st, &own, src, source_id, id, outcome, err, errlen);
	record_free(&own);
	free(kept);
	return rc;
}

int ingest_apply(struct ingest *ig, const struct decoded_input *p, const struct source_info *src,
                 struct ingest_result *res, char *err, size_t errlen)
{
	const struct source_info *rsrc = src;
	struct source_info msrc;
	struct trust_verdict *v = NULL;
	char ctx_refused[sizeof(res->reason)] = "";
	enum store_outcome outcome;
	int64_t source_id = 0, id = 0;
	char domain_reason[sizeof(res->reason)] = "", why[sizeof(res->reason)];
	int refused = 0, r;
	size_t i;

	memset(res, 0, sizeof(*res));
	if (ig->st != NULL && store_begin(ig->st, err, errlen) < 0)
		return -1;
	if (p->mail != NULL) {
		ingest_mail_source(p->mail, src, &msrc);
		rsrc = &msrc;
		v = xcalloc(1, sizeof(*v));
		refused = ingest_check_dkim(ig, p, &msrc, v);
		if (msrc.provenance == NULL) /* not checked (docs/trust.md) */
			msrc.provenance = "unverified-mail";
	}
	for (i = 0; i < p->n_parts && !refused; i++) {
		const struct decoded_part *part = &p->parts[i];
		const struct report_record *d = &part->rec;
		struct report_record own;

		if (part->r == NULL)
			continue;
		memset(&own, 0, sizeof(own));
		if (ingest_complete(p, i, src, &own, &d, why, sizeof(why)) > 0) {
			/* the first refusal is the one kept */
			if (ctx_refused[0] == '\0' && p->mail != NULL &&
			    (size_t)snprintf(ctx_refused, sizeof(ctx_refused), "part %zu: %s",
			                     i + 1, why) >= sizeof(ctx_refused))
				ctx_refused[sizeof(ctx_refused) - 1] =
				    '\0'; /* cut: it still says why */
			else if (ctx_refused[0] == '\0')
				snprintf(ctx_refused, sizeof(ctx_refused), "%s", why);
			continue;
		}
		r = ingest_store_part(ig, part, d, rsrc, &source_id, &id, &outcome, why,
		                      sizeof(why), err, errlen);
		record_free(&own);
		if (r < 0)
			goto fail;
		if (r > 0) {
			if (domain_reason[0] == '\0')
				snprintf(domain_reason, sizeof(domain_reason), "%s", why);
			continue;
		}
		res->report_rowid = id;
		if (outcome == STORE_NEW || outcome == STORE_SUPERSEDED)
			res->n_stored++;
		else if (outcome == STORE_DUPLICATE)
			res->n_duplicate++;
		if (outcome == STORE_SUPERSEDED) {
			res->conflict = 1;
			store_last_conflict(ig->st, &res->superseded_report,
			                    &res->superseded_quarantine);
		} else if (outcome == STORE_CONFLICT && res->conflict_report == 0) {
			res->conflict = 1;
			res->conflict_report = id;
		}
	}
	res->not_report = p->not_report;
	if (p->bad || refused || ctx_refused[0] != '\0' || domain_reason[0] != '\0' ||
	    res->conflict_report != 0) {
		if (refused) /* refused whole, nothing of it stored */
			snprintf(res->reason, sizeof(res->reason), "%s", v->reason);
		else if (p->bad)
			snprintf(res->reason, sizeof(res->reason), "%s", p->reason);
		else if (ctx_refused[0] != '\0')
			snprintf(res->reason, sizeof(res->reason), "%s", ctx_refused);
		else if (domain_reason[0] != '\0')
			snprintf(res->reason, sizeof(res->reason), "%s", domain_reason);
		else
			snprintf(res->reason, sizeof(res->reason),
			         "conflicts with report %lld (same organization and report-id, "
			         "different content)",
			         (long long)res->conflict_report);
		res->quarantined = 1;
		if (ig->st != NULL &&
		    store_add_quarantine(ig->st, src, res->reason, p->data, p->len, p->orig_size,
		                         p->truncated, &res->quarantine_id,
		                         &res->quarantine_existing, err, errlen) < 0)
			goto fail;
		if (ig->st != NULL && res->conflict_report != 0 &&
		    store_quarantine_set_conflict(ig->st, res->quarantine_id, res->conflict_report,
		                                  err, errlen) < 0)
			goto fail;
	}
	ig->totals.inputs++;
	ig->totals.stored += res->n_stored;
	ig->totals.duplicate += res->n_duplicate;
	ig->totals.quarantined += res->quarantined;
	ig->totals.not_report += res->not_report;
	ig->totals.conflicts += res->conflict;
	free(v);
	if (++ig->batch_inputs >= LIMIT_BATCH_REPORTS)
		return ingest_flush(ig, err, errlen);
	return 0;
fail:
	free(v);
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
	} else if (res->superseded_report != 0) {
		snprintf(buf, buflen,
		         "stored, superseding report %lld (same organization and report-id, "
		         "different content, weaker provenance; kept in quarantine as %lld)",
		         (long long)res->superseded_report, (long long)res->superseded_quarantine);
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
