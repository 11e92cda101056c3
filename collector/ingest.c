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

/* One report of an input, decoded and validated (or refused), not yet
 * stored. */
struct ingest_part {
	uint8_t *json; /* owned, NUL-terminated; NULL when refused */
	size_t json_len;
	const uint8_t *gz; /* the gzip bytes it came as (the input's), or NULL */
	size_t gz_len;
	struct report *r;             /* NULL when refused */
	struct store_derived derived; /* store_derive(r, ...) when r */
};

struct ingest_prepared {
	const uint8_t *data; /* the input, borrowed */
	size_t len;
	int64_t orig_size;
	int truncated;
	int bad;        /* 1: quarantined, for reason */
	int not_report; /* 1: a mail message carrying no report */
	char reason[sizeof(((struct ingest_result *)0)->reason)];
	struct mail_message *mail; /* NULL unless a mail message */
	struct ingest_part *parts;
	size_t n_parts;
	struct ingest_part one; /* the part of a report file */
};

/* Decodes one report (gzip or JSON bytes) into part. Returns 0, or 1 when
 * the report is refused: the reason, prefixed with where, goes to reason
 * unless it already holds one (the first refusal is the one kept). */
static int ingest_decode(const uint8_t *data, size_t len, const char *where,
                         struct ingest_part *part, char *reason, size_t reasonlen)
{
	char why[400];

	if (gz_is_gzip(data, len)) {
		if (len > LIMIT_COMPRESSED_BYTES) {
			snprintf(why, sizeof(why), "gzip report larger than %u bytes",
			         LIMIT_COMPRESSED_BYTES);
			goto bad;
		}
		if (gz_inflate(data, len, LIMIT_INFLATED_BYTES, &part->json, &part->json_len, why,
		               sizeof(why)) < 0)
			goto bad;
		part->gz = data;
		part->gz_len = len;
	} else if (ingest_is_json(data, len)) {
		if (len > LIMIT_JSON_BYTES) {
			snprintf(why, sizeof(why), "JSON report larger than %u bytes",
			         LIMIT_JSON_BYTES);
			goto bad;
		}
		part->json = xmalloc(len + 1);
		memcpy(part->json, data, len);
		part->json[len] = '\0';
		part->json_len = len;
	} else {
		snprintf(why, sizeof(why), "not a TLS report: neither gzip nor JSON");
		goto bad;
	}
	if (report_parse_json((const char *)part->json, part->json_len, &part->r, why,
	                      sizeof(why)) < 0)
		goto bad;
	/* what storing it needs besides SQL, made here too: on the thread
	 * that decodes, not the one that writes */
	store_derive(part->r, part->json, part->json_len, part->gz, &part->derived);
	return 0;
bad:
	free(part->json);
	part->json = NULL;
	part->r = NULL;
	if (reason[0] == '\0')
		snprintf(reason, reasonlen, "%s%s", where, why);
	return 1;
}

/* A mail message: every report part is decoded like a file. The message
 * is quarantined (whole, byte-exact) if any part is refused; the parts
 * that are valid are stored all the same. */
static void ingest_prepare_mail(struct ingest_prepared *p)
{
	char where[160], why[400];
	size_t i;

	if (mail_parse(p->data, p->len, &p->mail, why, sizeof(why)) < 0) {
		snprintf(p->reason, sizeof(p->reason), "mail: %s", why);
		p->bad = 1;
		return;
	}
	if (p->mail->n_parts == 0) {
		p->not_report = 1;
		return;
	}
	p->parts = xcalloc(p->mail->n_parts, sizeof(*p->parts));
	p->n_parts = p->mail->n_parts;
	for (i = 0; i < p->n_parts; i++) {
		const struct mail_part *mp = &p->mail->parts[i];

		snprintf(where, sizeof(where), "part %zu (%s%s%s): ", i + 1, mp->content_type,
		         mp->filename != NULL ? ", " : "",
		         mp->filename != NULL ? esc(mp->filename) : "");
		if (ingest_decode(mp->data, mp->len, where, &p->parts[i], p->reason,
		                  sizeof(p->reason)) > 0)
			p->bad = 1;
	}
}

struct ingest_prepared *ingest_prepare(const uint8_t *data, size_t len, int64_t orig_size,
                                       int truncated)
{
	struct ingest_prepared *p = xcalloc(1, sizeof(*p));

	p->data = data;
	p->len = len;
	p->orig_size = orig_size;
	p->truncated = truncated;
	if (truncated || len > LIMIT_INPUT_BYTES) {
		snprintf(p->reason, sizeof(p->reason), "input larger than %u bytes",
		         LIMIT_INPUT_BYTES);
		p->bad = 1;
	} else if (ingest_is_blank(data, len)) {
		snprintf(p->reason, sizeof(p->reason), "empty input");
		p->bad = 1;
	} else if (gz_is_gzip(data, len) || ingest_is_json(data, len) ||
	           !mail_looks_like_message(data, len)) {
		p->parts = &p->one;
		p->n_parts = 1;
		p->bad = ingest_decode(data, len, "", &p->one, p->reason, sizeof(p->reason));
	} else {
		ingest_prepare_mail(p);
	}
	return p;
}

size_t ingest_prepared_bytes(const struct ingest_prepared *p)
{
	size_t i, n = 0;

	for (i = 0; i < p->n_parts; i++)
		n += p->parts[i].json_len;
	return n;
}

void ingest_prepared_free(struct ingest_prepared *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->n_parts; i++) {
		if (p->parts[i].r != NULL)
			store_derived_free(p->parts[i].r, &p->parts[i].derived);
		report_free(p->parts[i].r);
		free(p->parts[i].json);
	}
	if (p->parts != &p->one)
		free(p->parts);
	mail_free(p->mail);
	free(p);
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
static void ingest_context(const struct ingest_prepared *p, size_t i, const struct source_info *src,
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
static int ingest_complete(const struct ingest_prepared *p, size_t i, const struct source_info *src,
                           struct store_derived *own, const struct store_derived **d, char *why,
                           size_t whylen)
{
	const struct ingest_part *part = &p->parts[i];
	struct report_context c;

	if (report_needs_context(part->r)) {
		ingest_context(p, i, src, &c);
		if (report_apply_context(part->r, &c, why, whylen) < 0)
			return 1;
	}
	if ((part->r->quirks & (REPORT_QUIRK_ORG_EMPTY | REPORT_QUIRK_DOMAIN_INFERRED)) == 0)
		return 0;
	store_derive(part->r, part->json, part->json_len, part->gz, own);
	*d = own;
	return 0;
}

/* The DKIM verdict on a report mail under ig's [trust] settings, into
 * msrc. Returns 1 when the mail must be refused (dkim = require and it
 * did not pass), with the reason in v. */
static int ingest_check_dkim(const struct ingest *ig, const struct ingest_prepared *p,
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
static int ingest_store_part(struct ingest *ig, const struct ingest_part *part,
                             const struct store_derived *d, const struct source_info *src,
                             int64_t *source_id, int64_t *id, enum store_outcome *outcome,
                             char *reason, size_t reasonlen, char *err, size_t errlen)
{
	struct report_policy *kept = NULL;
	struct store_derived own;
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
		return store_add_derived(ig->st, part->r, d, part->json_len, part->gz, part->gz_len,
		                         src, source_id, id, outcome, err, errlen);
	mine = *part->r;
	mine.policies = kept;
	mine.n_policies = n;
	store_derive(&mine, part->json, part->json_len, part->gz, &own);
	rc = store_add_derived(ig->st, &mine, &own, part->json_len, part->gz, part->gz_len, src,
	                       source_id, id, outcome, err, errlen);
	store_derived_free(&mine, &own);
	free(kept);
	return rc;
}

int ingest_apply(struct ingest *ig, const struct ingest_prepared *p, const struct source_info *src,
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
		const struct ingest_part *part = &p->parts[i];
		const struct store_derived *d = &part->derived;
		struct store_derived own;

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
		store_derived_free(part->r, &own);
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
	struct ingest_prepared *p = ingest_prepare(data, len, orig_size, truncated);
	int rc = ingest_apply(ig, p, src, res, err, errlen);

	ingest_prepared_free(p);
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
