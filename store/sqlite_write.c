/*
 * sqlite_write.c - adding a report's record (core/record.h: derived before
 * the store is called) with its policies, failure details and aggregates.
 * Input: validated report text (untrusted, bound as parameters) and the
 * raw gzip bytes.
 */
#include <stdio.h>
#include <string.h>

#include "report_hash.h"
#include "sqlite_impl.h"
#include "store_trust.h"

#define SQL_FIND_REPORT                                                                            \
	"SELECT id, content_sha256 FROM report WHERE organization = ?1 AND report_id = ?2"
#define SQL_ADD_RAW "INSERT INTO raw_report (sha256, json_size, gz) VALUES (?1, ?2, ?3)"
#define SQL_ADD_SOURCE                                                                             \
	"INSERT INTO source (kind, name, received, message_id, mail_from, mail_date, subject,"     \
	" tls_report_domain, tls_report_submitter, auth_headers, dkim, dkim_domain, dkim_ar)"      \
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
#define SQL_ADD_REPORT                                                                             \
	"INSERT INTO report (organization, report_id, contact_info, start_time, end_time, day,"    \
	" successful_sessions, failed_sessions, raw_id, source_id, content_sha256, provenance, "   \
	"quirks)"                                                                                  \
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
#define SQL_ADD_POLICY                                                                             \
	"INSERT INTO policy (report, idx, policy_type, policy_domain, policy_strings, mx_hosts,"   \
	" successful_sessions, failed_sessions, policy_domain_source)"                             \
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
#define SQL_ADD_FAILURE                                                                            \
	"INSERT INTO failure (policy, result_type, sending_mta_ip, receiving_mx_hostname,"         \
	" receiving_mx_helo, receiving_ip, additional_information, failure_reason_code,"           \
	" failed_sessions) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
#define SQL_AGG_DOMAIN                                                                             \
	"INSERT INTO agg_domain (day, policy_domain, organization, reports,"                       \
	" successful_sessions, failed_sessions) VALUES (?1, ?2, ?3, 1, ?4, ?5)"                    \
	" ON CONFLICT (day, policy_domain, organization) DO UPDATE SET"                            \
	" reports = reports + 1,"                                                                  \
	" successful_sessions = successful_sessions + excluded.successful_sessions,"               \
	" failed_sessions = failed_sessions + excluded.failed_sessions"
#define SQL_AGG_FAILURE                                                                            \
	"INSERT INTO agg_failure (day, policy_domain, organization, mx_host, result_type,"         \
	" failed_sessions) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"                                        \
	" ON CONFLICT (day, policy_domain, organization, mx_host, result_type) DO UPDATE SET"      \
	" failed_sessions = failed_sessions + excluded.failed_sessions"
#define SQL_AGG_MX                                                                                 \
	"INSERT INTO agg_mx (day, policy_domain, organization, mx_host, failed_sessions)"          \
	" VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (day, policy_domain, organization, mx_host)"     \
	" DO UPDATE SET failed_sessions = failed_sessions + excluded.failed_sessions"
#define SQL_AGG_TYPE                                                                               \
	"INSERT INTO agg_policy_type (day, policy_domain, organization, policy_type,"              \
	" policies, successful_sessions, failed_sessions) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"     \
	" ON CONFLICT (day, policy_domain, organization, policy_type) DO UPDATE SET"               \
	" policies = policies + excluded.policies,"                                                \
	" successful_sessions = successful_sessions + excluded.successful_sessions,"               \
	" failed_sessions = failed_sessions + excluded.failed_sessions"

static int sqlite_add_source(struct sqlite_store *st, const struct source_info *src, int64_t *id,
                             char *err, size_t errlen)
{
	sqlite3_stmt *s = sqlite_stmt(st, STMT_ADD_SOURCE, SQL_ADD_SOURCE, err, errlen);

	if (s == NULL)
		return -1;
	sqlite_bind_text(s, 1, src->kind);
	sqlite_bind_text(s, 2, src->name);
	sqlite3_bind_int64(s, 3, src->received);
	sqlite_bind_text(s, 4, src->message_id);
	sqlite_bind_text(s, 5, src->mail_from);
	sqlite_bind_text(s, 6, src->mail_date);
	sqlite_bind_text(s, 7, src->subject);
	sqlite_bind_text(s, 8, src->tls_report_domain);
	sqlite_bind_text(s, 9, src->tls_report_submitter);
	sqlite_bind_text(s, 10, src->auth_headers);
	sqlite_bind_text(s, 11, src->dkim);
	sqlite_bind_text(s, 12, src->dkim_domain);
	sqlite_bind_text(s, 13, src->dkim_ar);
	if (sqlite_step_done(st, s, "cannot add source", err, errlen) < 0)
		return -1;
	*id = sqlite3_last_insert_rowid(st->db);
	return 0;
}

static int sqlite_add_policies(struct sqlite_store *st, const struct report_record *rec,
                               int64_t report_rowid, char *err, size_t errlen)
{
	const struct report *r = rec->r;
	sqlite3_stmt *ps, *fs;
	size_t i, j;

	for (i = 0; i < r->n_policies; i++) {
		const struct report_policy *p = &r->policies[i];
		int64_t policy_rowid;

		if ((ps = sqlite_stmt(st, STMT_ADD_POLICY, SQL_ADD_POLICY, err, errlen)) == NULL)
			return -1;
		sqlite3_bind_int64(ps, 1, report_rowid);
		sqlite3_bind_int64(ps, 2, (int64_t)i);
		sqlite_bind_text(ps, 3, p->policy_type);
		sqlite_bind_text(ps, 4, p->policy_domain);
		sqlite_bind_text(ps, 5, rec->policy_strings[i]);
		sqlite_bind_text(ps, 6, rec->mx_hosts[i]);
		sqlite3_bind_int64(ps, 7, p->successful_sessions);
		sqlite3_bind_int64(ps, 8, p->failed_sessions);
		sqlite_bind_text(ps, 9, p->policy_domain_source);
		if (sqlite_step_done(st, ps, "cannot add policy", err, errlen) < 0)
			return -1;
		policy_rowid = sqlite3_last_insert_rowid(st->db);
		for (j = 0; j < p->n_failures; j++) {
			const struct report_failure *f = &p->failures[j];

			if ((fs = sqlite_stmt(st, STMT_ADD_FAILURE, SQL_ADD_FAILURE, err,
			                      errlen)) == NULL)
				return -1;
			sqlite3_bind_int64(fs, 1, policy_rowid);
			sqlite_bind_text(fs, 2, f->result_type);
			sqlite_bind_text(fs, 3, f->sending_mta_ip);
			sqlite_bind_text(fs, 4, f->receiving_mx_hostname);
			sqlite_bind_text(fs, 5, f->receiving_mx_helo);
			sqlite_bind_text(fs, 6, f->receiving_ip);
			sqlite_bind_text(fs, 7, f->additional_information);
			sqlite_bind_text(fs, 8, f->failure_reason_code);
			sqlite3_bind_int64(fs, 9, f->failed_sessions);
			if (sqlite_step_done(st, fs, "cannot add failure detail", err, errlen) < 0)
				return -1;
		}
	}
	return 0;
}

int sqlite_add_aggregates(struct sqlite_store *st, const struct report *r, const struct tally *t,
                          char *err, size_t errlen)
{
	int64_t day = report_day(r);
	sqlite3_stmt *s;
	size_t i;

	/* the triggers keep the roll-ups of these rows: the batch's deltas
	 * first (sqlite_write_batch.c) */
	if (sqlite_batch_settle(st, err, errlen) < 0)
		return -1;
	for (i = 0; i < t->n_domains; i++) {
		if ((s = sqlite_stmt(st, STMT_AGG_DOMAIN, SQL_AGG_DOMAIN, err, errlen)) == NULL)
			return -1;
		sqlite3_bind_int64(s, 1, day);
		sqlite_bind_text(s, 2, t->domains[i].policy_domain);
		sqlite_bind_text(s, 3, r->organization_name);
		sqlite3_bind_int64(s, 4, t->domains[i].successful_sessions);
		sqlite3_bind_int64(s, 5, t->domains[i].failed_sessions);
		if (sqlite_step_done(st, s, "cannot update domain totals", err, errlen) < 0)
			return -1;
	}
	for (i = 0; i < t->n_failures; i++) {
		if ((s = sqlite_stmt(st, STMT_AGG_FAILURE, SQL_AGG_FAILURE, err, errlen)) == NULL)
			return -1;
		sqlite3_bind_int64(s, 1, day);
		sqlite_bind_text(s, 2, t->failures[i].policy_domain);
		sqlite_bind_text(s, 3, r->organization_name);
		sqlite_bind_text(s, 4, t->failures[i].mx_host);
		sqlite_bind_text(s, 5, t->failures[i].result_type);
		sqlite3_bind_int64(s, 6, t->failures[i].failed_sessions);
		if (sqlite_step_done(st, s, "cannot update failure totals", err, errlen) < 0)
			return -1;
	}
	for (i = 0; i < t->n_mxs; i++) {
		if ((s = sqlite_stmt(st, STMT_AGG_MX, SQL_AGG_MX, err, errlen)) == NULL)
			return -1;
		sqlite3_bind_int64(s, 1, day);
		sqlite_bind_text(s, 2, t->mxs[i].policy_domain);
		sqlite_bind_text(s, 3, r->organization_name);
		sqlite_bind_text(s, 4, t->mxs[i].mx_host);
		sqlite3_bind_int64(s, 5, t->mxs[i].failed_sessions);
		if (sqlite_step_done(st, s, "cannot update failures by MX", err, errlen) < 0)
			return -1;
	}
	for (i = 0; i < t->n_types; i++) {
		if ((s = sqlite_stmt(st, STMT_AGG_TYPE, SQL_AGG_TYPE, err, errlen)) == NULL)
			return -1;
		sqlite3_bind_int64(s, 1, day);
		sqlite_bind_text(s, 2, t->types[i].policy_domain);
		sqlite_bind_text(s, 3, r->organization_name);
		sqlite_bind_text(s, 4, t->types[i].policy_type);
		sqlite3_bind_int64(s, 5, t->types[i].policies);
		sqlite3_bind_int64(s, 6, t->types[i].successful_sessions);
		sqlite3_bind_int64(s, 7, t->types[i].failed_sessions);
		if (sqlite_step_done(st, s, "cannot update policy-type totals", err, errlen) < 0)
			return -1;
	}
	return 0;
}

/* Everything of one report, inside the caller's batch. */
static int sqlite_add_report_rows(struct sqlite_store *st, const struct report_record *rec,
                                  int64_t source_id, const char *provenance, int64_t *id, char *err,
                                  size_t errlen)
{
	const struct report *r = rec->r;
	char quirks[512];
	sqlite3_stmt *s;
	int64_t raw_id, report_rowid;

	if ((s = sqlite_stmt(st, STMT_ADD_RAW, SQL_ADD_RAW, err, errlen)) == NULL)
		return -1;
	sqlite3_bind_blob(s, 1, rec->sha256, sizeof(rec->sha256), SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, (int64_t)rec->json_len);
	sqlite3_bind_blob64(s, 3, rec->gz, rec->gz_len, SQLITE_STATIC);
	if (sqlite_step_done(st, s, "cannot add raw report", err, errlen) < 0)
		return -1;
	raw_id = sqlite3_last_insert_rowid(st->db);

	if ((s = sqlite_stmt(st, STMT_ADD_REPORT, SQL_ADD_REPORT, err, errlen)) == NULL)
		return -1;
	sqlite_bind_text(s, 1, r->organization_name);
	sqlite_bind_text(s, 2, r->report_id);
	sqlite_bind_text(s, 3, r->contact_info);
	sqlite3_bind_int64(s, 4, r->start_time);
	sqlite3_bind_int64(s, 5, r->end_time);
	sqlite3_bind_int64(s, 6, rec->day);
	sqlite3_bind_int64(s, 7, rec->tally.successful_sessions);
	sqlite3_bind_int64(s, 8, rec->tally.failed_sessions);
	sqlite3_bind_int64(s, 9, raw_id);
	if (source_id > 0)
		sqlite3_bind_int64(s, 10, source_id);
	sqlite3_bind_blob(s, 11, rec->content_sha256, sizeof(rec->content_sha256), SQLITE_STATIC);
	sqlite_bind_text(s, 12, provenance);
	sqlite_bind_text(s, 13, report_quirks_text(r, quirks, sizeof(quirks)));
	if (sqlite_step_done(st, s, "cannot add report", err, errlen) < 0)
		return -1;
	report_rowid = sqlite3_last_insert_rowid(st->db);
	if (sqlite_add_policies(st, rec, report_rowid, err, errlen) < 0 ||
	    (sqlite_reason_roll_wanted(r) && sqlite_reason_roll_add(st, rec, err, errlen) < 0) ||
	    (sqlite_batch_deferred(st)
	         ? sqlite_batch_add_report(st, rec, provenance, err, errlen)
	         : sqlite_add_aggregates(st, r, &rec->tally, err, errlen)) < 0)
		return -1;
	*id = report_rowid;
	return 0;
}

int sqlite_add_report(struct store *base, const struct report_record *rec,
                      const struct source_info *src, int64_t *source_id, int64_t *id,
                      enum store_outcome *outcome, char *err, size_t errlen)
{
	struct sqlite_store *st = sqlite_of(base);
	const struct report *r = rec->r;
	const void *stored_hash;
	sqlite3_stmt *s;
	int step, rc, superseding = 0;

	if (!st->in_batch) {
		snprintf(err, errlen, "internal error: store_add_report outside a batch");
		return -1;
	}
	if ((s = sqlite_stmt(st, STMT_FIND_REPORT, SQL_FIND_REPORT, err, errlen)) == NULL)
		return -1;
	sqlite_bind_text(s, 1, r->organization_name);
	sqlite_bind_text(s, 2, r->report_id);
	step = sqlite3_step(s);
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		return sqlite_fail(st, err, errlen, "cannot look up report");
	if (step == SQLITE_ROW) {
		*id = sqlite3_column_int64(s, 0);
		stored_hash = sqlite3_column_blob(s, 1);
		if (stored_hash != NULL &&
		    sqlite3_column_bytes(s, 1) == (int)sizeof(rec->content_sha256) &&
		    memcmp(stored_hash, rec->content_sha256, sizeof(rec->content_sha256)) == 0) {
			*outcome = STORE_DUPLICATE;
			sqlite3_reset(s);
			return 0;
		}
		sqlite3_reset(s);
		/* the same key with other content (or a report stored before
		 * content was hashed): docs/trust.md */
		rc = sqlite_trust_resolve(st, *id, rec->content_sha256, src, outcome, err, errlen);
		if (rc < 0)
			sqlite_rollback(&st->base);
		if (rc <= 0)
			return rc;
		superseding = 1;
	}
	/* A new report keeps its roll-ups in the batch's deltas; one that
	 * supersedes another went through the trust code, which settled them
	 * and lets the triggers count. */
	if (!superseding && st->rollup_batching && sqlite_batch_defer(st, err, errlen) < 0) {
		sqlite_rollback(&st->base);
		*source_id = 0;
		return -1;
	}
	/* No savepoint per report: SQLite writes every page a savepoint
	 * touches to a sub-journal, which cost more than the report itself.
	 * Any failure here is a database error, and the whole batch is rolled
	 * back, so a report is still stored whole or not at all. */
	if ((*source_id == 0 && sqlite_add_source(st, src, source_id, err, errlen) < 0) ||
	    sqlite_add_report_rows(st, rec, *source_id, store_source_provenance(src), id, err,
	                           errlen) < 0 ||
	    (superseding && sqlite_trust_superseded(st, *id, err, errlen) < 0)) {
		sqlite_rollback(&st->base);
		*source_id = 0;
		return -1;
	}
	*outcome = superseding ? STORE_SUPERSEDED : STORE_NEW;
	return 0;
}
