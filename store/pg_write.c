/*
 * pg_write.c - adding a report's record (core/record.h) with its policies,
 * failure details and aggregates to the PostgreSQL store: the same rows
 * as sqlite_write.c. Input: validated report text (untrusted, always a
 * parameter) and the raw gzip bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_impl.h"
#include "report_hash.h"
#include "store_trust.h"

#define SQL_FIND_REPORT                                                                            \
	"SELECT id, content_sha256 FROM report WHERE organization = $1 AND report_id = $2"
#define SQL_ADD_RAW                                                                                \
	"INSERT INTO raw_report (sha256, json_size, gz) VALUES ($1, $2, $3) RETURNING id"
#define SQL_ADD_SOURCE                                                                             \
	"INSERT INTO source (kind, name, received, message_id, mail_from, mail_date, subject,"     \
	" tls_report_domain, tls_report_submitter, auth_headers, dkim, dkim_domain, dkim_ar)"      \
	" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id"
#define SQL_ADD_REPORT                                                                             \
	"INSERT INTO report (organization, report_id, contact_info, start_time, end_time, day,"    \
	" successful_sessions, failed_sessions, raw_id, source_id, content_sha256, provenance,"    \
	" quirks) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id"
#define SQL_ADD_POLICY                                                                             \
	"INSERT INTO policy (report, idx, policy_type, policy_domain, policy_strings, mx_hosts,"   \
	" successful_sessions, failed_sessions, policy_domain_source)"                             \
	" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id"
#define SQL_ADD_FAILURE                                                                            \
	"INSERT INTO failure (policy, result_type, sending_mta_ip, receiving_mx_hostname,"         \
	" receiving_mx_helo, receiving_ip, additional_information, failure_reason_code,"           \
	" failed_sessions) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
#define SQL_AGG_DOMAIN                                                                             \
	"INSERT INTO agg_domain AS a (day, policy_domain, organization, reports,"                  \
	" successful_sessions, failed_sessions) VALUES ($1, $2, $3, 1, $4, $5)"                    \
	" ON CONFLICT (day, policy_domain, organization) DO UPDATE SET"                            \
	" reports = a.reports + 1,"                                                                \
	" successful_sessions = a.successful_sessions + excluded.successful_sessions,"             \
	" failed_sessions = a.failed_sessions + excluded.failed_sessions"
#define SQL_AGG_FAILURE                                                                            \
	"INSERT INTO agg_failure AS a (day, policy_domain, organization, mx_host, result_type,"    \
	" failed_sessions) VALUES ($1, $2, $3, $4, $5, $6)"                                        \
	" ON CONFLICT (day, policy_domain, organization, mx_host, result_type) DO UPDATE SET"      \
	" failed_sessions = a.failed_sessions + excluded.failed_sessions"
#define SQL_AGG_MX                                                                                 \
	"INSERT INTO agg_mx AS a (day, policy_domain, organization, mx_host, failed_sessions)"     \
	" VALUES ($1, $2, $3, $4, $5) ON CONFLICT (day, policy_domain, organization, mx_host)"     \
	" DO UPDATE SET failed_sessions = a.failed_sessions + excluded.failed_sessions"
#define SQL_AGG_TYPE                                                                               \
	"INSERT INTO agg_policy_type AS a (day, policy_domain, organization, policy_type,"         \
	" policies, successful_sessions, failed_sessions) VALUES ($1, $2, $3, $4, $5, $6, $7)"     \
	" ON CONFLICT (day, policy_domain, organization, policy_type) DO UPDATE SET"               \
	" policies = a.policies + excluded.policies,"                                              \
	" successful_sessions = a.successful_sessions + excluded.successful_sessions,"             \
	" failed_sessions = a.failed_sessions + excluded.failed_sessions"

/* An INSERT ... RETURNING id: the id, or -1 with err. */
static int pg_insert_id(struct pg_store *st, const char *sql, const struct pg_params *p,
                        const char *what, int64_t *id, char *err, size_t errlen)
{
	PGresult *r = pg_exec(st, sql, p, what, err, errlen);

	if (r == NULL)
		return -1;
	*id = PQntuples(r) > 0 ? pg_int(r, 0, 0) : 0;
	PQclear(r);
	return 0;
}

static int pg_add_source(struct pg_store *st, const struct source_info *src, int64_t *id, char *err,
                         size_t errlen)
{
	struct pg_params p;

	pg_params_init(&p);
	pg_param_text(&p, src->kind);
	pg_param_text(&p, src->name);
	pg_param_int(&p, src->received);
	pg_param_text(&p, src->message_id);
	pg_param_text(&p, src->mail_from);
	pg_param_text(&p, src->mail_date);
	pg_param_text(&p, src->subject);
	pg_param_text(&p, src->tls_report_domain);
	pg_param_text(&p, src->tls_report_submitter);
	pg_param_text(&p, src->auth_headers);
	pg_param_text(&p, src->dkim);
	pg_param_text(&p, src->dkim_domain);
	pg_param_text(&p, src->dkim_ar);
	return pg_insert_id(st, SQL_ADD_SOURCE, &p, "cannot add source", id, err, errlen);
}

static int pg_add_policies(struct pg_store *st, const struct report_record *rec,
                           int64_t report_rowid, char *err, size_t errlen)
{
	const struct report *r = rec->r;
	struct pg_params p;
	size_t i, j;

	for (i = 0; i < r->n_policies; i++) {
		const struct report_policy *pol = &r->policies[i];
		int64_t policy_rowid;

		pg_params_init(&p);
		pg_param_int(&p, report_rowid);
		pg_param_int(&p, (int64_t)i);
		pg_param_text(&p, pol->policy_type);
		pg_param_text(&p, pol->policy_domain);
		pg_param_text(&p, rec->policy_strings[i]);
		pg_param_text(&p, rec->mx_hosts[i]);
		pg_param_int(&p, pol->successful_sessions);
		pg_param_int(&p, pol->failed_sessions);
		pg_param_text(&p, pol->policy_domain_source);
		if (pg_insert_id(st, SQL_ADD_POLICY, &p, "cannot add policy", &policy_rowid, err,
		                 errlen) < 0)
			return -1;
		for (j = 0; j < pol->n_failures; j++) {
			const struct report_failure *f = &pol->failures[j];

			pg_params_init(&p);
			pg_param_int(&p, policy_rowid);
			pg_param_text(&p, f->result_type);
			pg_param_text(&p, f->sending_mta_ip);
			pg_param_text(&p, f->receiving_mx_hostname);
			pg_param_text(&p, f->receiving_mx_helo);
			pg_param_text(&p, f->receiving_ip);
			pg_param_text(&p, f->additional_information);
			pg_param_text(&p, f->failure_reason_code);
			pg_param_int(&p, f->failed_sessions);
			if (pg_run(st, SQL_ADD_FAILURE, &p, "cannot add failure detail", NULL, err,
			           errlen) < 0)
				return -1;
		}
	}
	return 0;
}

int pg_add_aggregates(struct pg_store *st, const struct report *r, const struct tally *t, char *err,
                      size_t errlen)
{
	int64_t day = report_day(r);
	struct pg_params p;
	size_t i;

	for (i = 0; i < t->n_domains; i++) {
		pg_params_init(&p);
		pg_param_int(&p, day);
		pg_param_text(&p, t->domains[i].policy_domain);
		pg_param_text(&p, r->organization_name);
		pg_param_int(&p, t->domains[i].successful_sessions);
		pg_param_int(&p, t->domains[i].failed_sessions);
		if (pg_run(st, SQL_AGG_DOMAIN, &p, "cannot update domain totals", NULL, err,
		           errlen) < 0)
			return -1;
	}
	for (i = 0; i < t->n_failures; i++) {
		pg_params_init(&p);
		pg_param_int(&p, day);
		pg_param_text(&p, t->failures[i].policy_domain);
		pg_param_text(&p, r->organization_name);
		pg_param_text(&p, t->failures[i].mx_host);
		pg_param_text(&p, t->failures[i].result_type);
		pg_param_int(&p, t->failures[i].failed_sessions);
		if (pg_run(st, SQL_AGG_FAILURE, &p, "cannot update failure totals", NULL, err,
		           errlen) < 0)
			return -1;
	}
	for (i = 0; i < t->n_mxs; i++) {
		pg_params_init(&p);
		pg_param_int(&p, day);
		pg_param_text(&p, t->mxs[i].policy_domain);
		pg_param_text(&p, r->organization_name);
		pg_param_text(&p, t->mxs[i].mx_host);
		pg_param_int(&p, t->mxs[i].failed_sessions);
		if (pg_run(st, SQL_AGG_MX, &p, "cannot update failures by MX", NULL, err, errlen) <
		    0)
			return -1;
	}
	for (i = 0; i < t->n_types; i++) {
		pg_params_init(&p);
		pg_param_int(&p, day);
		pg_param_text(&p, t->types[i].policy_domain);
		pg_param_text(&p, r->organization_name);
		pg_param_text(&p, t->types[i].policy_type);
		pg_param_int(&p, t->types[i].policies);
		pg_param_int(&p, t->types[i].successful_sessions);
		pg_param_int(&p, t->types[i].failed_sessions);
		if (pg_run(st, SQL_AGG_TYPE, &p, "cannot update policy-type totals", NULL, err,
		           errlen) < 0)
			return -1;
	}
	return 0;
}

/* Everything of one report, inside the caller's batch. */
static int pg_add_report_rows(struct pg_store *st, const struct report_record *rec,
                              int64_t source_id, const char *provenance, int64_t *id, char *err,
                              size_t errlen)
{
	const struct report *r = rec->r;
	char quirks[512];
	struct pg_params p;
	int64_t raw_id, report_rowid;

	pg_params_init(&p);
	pg_param_blob(&p, rec->sha256, sizeof(rec->sha256));
	pg_param_int(&p, (int64_t)rec->json_len);
	pg_param_blob(&p, rec->gz, rec->gz_len);
	if (pg_insert_id(st, SQL_ADD_RAW, &p, "cannot add raw report", &raw_id, err, errlen) < 0)
		return -1;
	pg_params_init(&p);
	pg_param_text(&p, r->organization_name);
	pg_param_text(&p, r->report_id);
	pg_param_text(&p, r->contact_info);
	pg_param_int(&p, r->start_time);
	pg_param_int(&p, r->end_time);
	pg_param_int(&p, rec->day);
	pg_param_int(&p, rec->tally.successful_sessions);
	pg_param_int(&p, rec->tally.failed_sessions);
	pg_param_int(&p, raw_id);
	if (source_id > 0)
		pg_param_int(&p, source_id);
	else
		pg_param_text(&p, NULL);
	pg_param_blob(&p, rec->content_sha256, sizeof(rec->content_sha256));
	pg_param_text(&p, provenance);
	pg_param_text(&p, report_quirks_text(r, quirks, sizeof(quirks)));
	if (pg_insert_id(st, SQL_ADD_REPORT, &p, "cannot add report", &report_rowid, err, errlen) <
	        0 ||
	    pg_add_policies(st, rec, report_rowid, err, errlen) < 0 ||
	    pg_add_aggregates(st, r, &rec->tally, err, errlen) < 0)
		return -1;
	*id = report_rowid;
	return 0;
}

int pg_add_report(struct store *base, const struct report_record *rec,
                  const struct source_info *src, int64_t *source_id, int64_t *id,
                  enum store_outcome *outcome, char *err, size_t errlen)
{
	struct pg_store *st = pg_of(base);
	const struct report *r = rec->r;
	struct pg_params p;
	PGresult *found;
	uint8_t *stored_hash;
	size_t hash_len = 0;
	int rc, same, superseding = 0;

	if (!st->in_batch) {
		snprintf(err, errlen, "internal error: store_add_report outside a batch");
		return -1;
	}
	pg_params_init(&p);
	pg_param_text(&p, r->organization_name);
	pg_param_text(&p, r->report_id);
	/* the batch holds the writer lock: no other writer adds this key
	 * between the lookup and the insert */
	if ((found = pg_exec(st, SQL_FIND_REPORT, &p, "cannot look up report", err, errlen)) ==
	    NULL) {
		pg_rollback(&st->base);
		return -1;
	}
	if (PQntuples(found) > 0) {
		*id = pg_int(found, 0, 0);
		stored_hash = pg_blob(found, 0, 1, &hash_len);
		same = stored_hash != NULL && hash_len == sizeof(rec->content_sha256) &&
		       memcmp(stored_hash, rec->content_sha256, hash_len) == 0;
		free(stored_hash);
		PQclear(found);
		if (same) {
			*outcome = STORE_DUPLICATE;
			return 0;
		}
		/* the same key with other content: docs/trust.md */
		rc = pg_trust_resolve(st, *id, rec->content_sha256, src, outcome, err, errlen);
		if (rc < 0)
			pg_rollback(&st->base);
		if (rc <= 0)
			return rc;
		superseding = 1;
	} else {
		PQclear(found);
	}
	if ((*source_id == 0 && pg_add_source(st, src, source_id, err, errlen) < 0) ||
	    pg_add_report_rows(st, rec, *source_id, store_source_provenance(src), id, err, errlen) <
	        0 ||
	    (superseding && pg_trust_superseded(st, *id, err, errlen) < 0)) {
		pg_rollback(&st->base);
		*source_id = 0;
		return -1;
	}
	*outcome = superseding ? STORE_SUPERSEDED : STORE_NEW;
	return 0;
}
