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
#include "reason_roll.h"
#include "report_hash.h"
#include "store_trust.h"

/* report_key: one probe, then the one month that holds the report */
#define SQL_FIND_REPORT                                                                            \
	"SELECT r.id, r.content_sha256 FROM report_key k JOIN report r ON r.id = k.id"             \
	" AND r.day = k.day WHERE k.organization = $1 AND k.report_id = $2"
#define SQL_ADD_RAW "INSERT INTO raw_report (sha256, json_size, gz, day) VALUES ($1, $2, $3, $4)"
#define SQL_ADD_SOURCE                                                                             \
	"INSERT INTO source (kind, name, received, message_id, mail_from, mail_date, subject,"     \
	" tls_report_domain, tls_report_submitter, auth_headers, dkim, dkim_domain, dkim_ar)"      \
	" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id"
#define SQL_ADD_REPORT                                                                             \
	"INSERT INTO report (organization, report_id, contact_info, start_time, end_time, day,"    \
	" successful_sessions, failed_sessions, raw_id, source_id, content_sha256, provenance,"    \
	" quirks) VALUES ($1, $2, $3, $4, $5, $6, $7, $8,"                                         \
	" currval(pg_get_serial_sequence('raw_report', 'id')),"                                    \
	" coalesce($9::bigint, currval(pg_get_serial_sequence('source', 'id'))),"                  \
	" $10, $11, $12) RETURNING id"
#define SQL_ADD_POLICY                                                                             \
	"INSERT INTO policy (report, idx, policy_type, policy_domain, policy_strings, mx_hosts,"   \
	" successful_sessions, failed_sessions, policy_domain_source, day)"                        \
	" VALUES (currval(pg_get_serial_sequence('report', 'id')), $1, $2, $3, $4, $5, $6, $7,"    \
	" $8, $9)"
#define SQL_ADD_FAILURE                                                                            \
	"INSERT INTO failure (policy, result_type, sending_mta_ip, receiving_mx_hostname,"         \
	" receiving_mx_helo, receiving_ip, additional_information, failure_reason_code,"           \
	" failed_sessions, day) VALUES (currval(pg_get_serial_sequence('policy', 'id')), $1, $2,"  \
	" $3, $4, $5, $6, $7, $8, $9)"
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

/* The statements of a report, prepared once per connection (the server
 * parses and plans each once, not once per row). */
enum pg_write_stmt {
	W_ADD_SOURCE,
	W_ADD_RAW,
	W_ADD_REPORT,
	W_ADD_POLICY,
	W_ADD_FAILURE,
	W_AGG_DOMAIN,
	W_AGG_FAILURE,
	W_AGG_MX,
	W_AGG_TYPE,
	W_FIND_REPORT,
	W_COUNT
};

static const char *const pg_write_sql[W_COUNT] = {
    [W_ADD_SOURCE] = SQL_ADD_SOURCE,   [W_ADD_RAW] = SQL_ADD_RAW,
    [W_ADD_REPORT] = SQL_ADD_REPORT,   [W_ADD_POLICY] = SQL_ADD_POLICY,
    [W_ADD_FAILURE] = SQL_ADD_FAILURE, [W_AGG_DOMAIN] = SQL_AGG_DOMAIN,
    [W_AGG_FAILURE] = SQL_AGG_FAILURE, [W_AGG_MX] = SQL_AGG_MX,
    [W_AGG_TYPE] = SQL_AGG_TYPE,       [W_FIND_REPORT] = SQL_FIND_REPORT,
};

/* Prepares the statements as tlswatch_w0.. on this connection, once (a
 * reset connection has none: st->prepared is cleared there). */
static int pg_prepare_writes(struct pg_store *st, char *err, size_t errlen)
{
	char name[32];
	PGresult *r;
	int i;

	if (st->prepared)
		return 0;
	for (i = 0; i < W_COUNT; i++) {
		snprintf(name, sizeof(name), "tlswatch_w%d", i);
		r = PQprepare(st->conn, name, pg_write_sql[i], 0, NULL);
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			pg_message(st, "cannot prepare", PQresultErrorMessage(r), err, errlen);
			PQclear(r);
			return -1;
		}
		PQclear(r);
	}
	st->prepared = 1;
	return 0;
}

/* A report's statements go to the server as one pipeline (libpq's
 * pipeline mode): one round trip instead of one per row. Rows refer to
 * the row just added before them through currval(), so no id has to come
 * back in between. Outside a pipeline (trust_reaggregate) a statement
 * runs at once. */
static int pg_send(struct pg_store *st, enum pg_write_stmt id, const struct pg_params *p,
                   const char *what, char *err, size_t errlen)
{
	char name[32];

	if (!st->piping)
		return pg_run(st, pg_write_sql[id], p, what, NULL, err, errlen);
	snprintf(name, sizeof(name), "tlswatch_w%d", (int)id);
	if (p->failed) {
		snprintf(err, errlen, "internal error: too many values in one statement");
		return -1;
	}
	if (PQsendQueryPrepared(st->conn, name, p->n, p->values, p->lengths, p->formats, 0) != 1) {
		snprintf(err, errlen, "database %s: %s: %s", st->shown, what,
		         PQerrorMessage(st->conn));
		return -1;
	}
	st->pipe_n++;
	return 0;
}

static int pg_pipe_begin(struct pg_store *st, char *err, size_t errlen)
{
	if (pg_prepare_writes(st, err, errlen) < 0 ||
	    (pg_batch_pending(st) && pg_batch_flush(st, err, errlen) < 0))
		return -1;
	if (PQenterPipelineMode(st->conn) != 1) {
		snprintf(err, errlen, "database %s: cannot enter pipeline mode", st->shown);
		return -1;
	}
	st->piping = 1;
	st->pipe_n = 0;
	return 0;
}

/* Ends the pipeline: every statement's result read. ids[i] gets the first
 * column of statement i's first row (for i < n_ids: the RETURNING ids).
 * 0, or -1 with the first statement's error (the rest were skipped). */
static int pg_pipe_end(struct pg_store *st, int64_t *ids, int n_ids, char *err, size_t errlen)
{
	PGresult *r;
	int i = 0, rc = 0, nulls = 0;

	st->piping = 0;
	if (PQpipelineSync(st->conn) != 1) {
		snprintf(err, errlen, "database %s: %s", st->shown, PQerrorMessage(st->conn));
		rc = -1;
	}
	for (;;) {
		r = PQgetResult(st->conn);
		if (r == NULL) {
			/* after each statement's results; the connection is
			 * gone when nothing else ever comes */
			if (++nulls > st->pipe_n + 2)
				break;
			continue;
		}
		nulls = 0;
		if (PQresultStatus(r) == PGRES_PIPELINE_SYNC) {
			PQclear(r);
			break;
		}
		if (PQresultStatus(r) == PGRES_FATAL_ERROR && rc == 0) {
			pg_message(st, "cannot add report", PQresultErrorMessage(r), err, errlen);
			rc = -1;
		} else if (PQresultStatus(r) == PGRES_PIPELINE_ABORTED) {
			rc = -1;
		} else if (i < n_ids) {
			ids[i] = PQntuples(r) > 0 ? pg_int(r, 0, 0) : 0;
		}
		i++;
		PQclear(r);
	}
	if (PQexitPipelineMode(st->conn) != 1 && rc == 0) {
		snprintf(err, errlen, "database %s: %s", st->shown, PQerrorMessage(st->conn));
		rc = -1;
	}
	return rc;
}

static int pg_add_source(struct pg_store *st, const struct source_info *src, char *err,
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
	return pg_send(st, W_ADD_SOURCE, &p, "cannot add source", err, errlen);
}

static int pg_add_policies(struct pg_store *st, const struct report_record *rec, char *err,
                           size_t errlen)
{
	const struct report *r = rec->r;
	struct pg_params p;
	size_t i, j;

	for (i = 0; i < r->n_policies; i++) {
		const struct report_policy *pol = &r->policies[i];

		pg_params_init(&p);
		pg_param_int(&p, (int64_t)i);
		pg_param_text(&p, pol->policy_type);
		pg_param_text(&p, pol->policy_domain);
		pg_param_text(&p, rec->policy_strings[i]);
		pg_param_text(&p, rec->mx_hosts[i]);
		pg_param_int(&p, pol->successful_sessions);
		pg_param_int(&p, pol->failed_sessions);
		pg_param_text(&p, pol->policy_domain_source);
		pg_param_int(&p, rec->day);
		if (pg_send(st, W_ADD_POLICY, &p, "cannot add policy", err, errlen) < 0)
			return -1;
		for (j = 0; j < pol->n_failures; j++) {
			const struct report_failure *f = &pol->failures[j];

			pg_params_init(&p);
			pg_param_text(&p, f->result_type);
			pg_param_text(&p, f->sending_mta_ip);
			pg_param_text(&p, f->receiving_mx_hostname);
			pg_param_text(&p, f->receiving_mx_helo);
			pg_param_text(&p, f->receiving_ip);
			pg_param_text(&p, f->additional_information);
			pg_param_text(&p, f->failure_reason_code);
			pg_param_int(&p, f->failed_sessions);
			pg_param_int(&p, rec->day);
			if (pg_send(st, W_ADD_FAILURE, &p, "cannot add failure detail", err,
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
		if (pg_send(st, W_AGG_DOMAIN, &p, "cannot update domain totals", err, errlen) < 0)
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
		if (pg_send(st, W_AGG_FAILURE, &p, "cannot update failure totals", err, errlen) < 0)
			return -1;
	}
	for (i = 0; i < t->n_mxs; i++) {
		pg_params_init(&p);
		pg_param_int(&p, day);
		pg_param_text(&p, t->mxs[i].policy_domain);
		pg_param_text(&p, r->organization_name);
		pg_param_text(&p, t->mxs[i].mx_host);
		pg_param_int(&p, t->mxs[i].failed_sessions);
		if (pg_send(st, W_AGG_MX, &p, "cannot update failures by MX", err, errlen) < 0)
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
		if (pg_send(st, W_AGG_TYPE, &p, "cannot update policy-type totals", err, errlen) <
		    0)
			return -1;
	}
	return 0;
}

/* Everything of one report, inside the caller's batch, in one pipeline:
 * the source (when *source_id is 0), raw bytes, report, policies, failure
 * details and aggregates. *id gets the report's id, *source_id the new
 * source's. */
static int pg_add_report_rows(struct pg_store *st, const struct report_record *rec,
                              const struct source_info *src, int64_t *source_id,
                              const char *provenance, int64_t *id, char *err, size_t errlen)
{
	const struct report *r = rec->r;
	char quirks[512];
	struct pg_params p;
	int64_t ids[3] = {0, 0, 0};
	int new_source = *source_id == 0, rc;

	if (pg_pipe_begin(st, err, errlen) < 0)
		return -1;
	rc = new_source ? pg_add_source(st, src, err, errlen) : 0;
	pg_params_init(&p);
	pg_param_blob(&p, rec->sha256, sizeof(rec->sha256));
	pg_param_int(&p, (int64_t)rec->json_len);
	pg_param_blob(&p, rec->gz, rec->gz_len);
	pg_param_int(&p, rec->day);
	if (rc == 0)
		rc = pg_send(st, W_ADD_RAW, &p, "cannot add raw report", err, errlen);
	pg_params_init(&p);
	pg_param_text(&p, r->organization_name);
	pg_param_text(&p, r->report_id);
	pg_param_text(&p, r->contact_info);
	pg_param_int(&p, r->start_time);
	pg_param_int(&p, r->end_time);
	pg_param_int(&p, rec->day);
	pg_param_int(&p, rec->tally.successful_sessions);
	pg_param_int(&p, rec->tally.failed_sessions);
	if (new_source)
		pg_param_text(&p, NULL); /* the source just added */
	else
		pg_param_int(&p, *source_id);
	pg_param_blob(&p, rec->content_sha256, sizeof(rec->content_sha256));
	pg_param_text(&p, provenance);
	pg_param_text(&p, report_quirks_text(r, quirks, sizeof(quirks)));
	if (rc == 0)
		rc = pg_send(st, W_ADD_REPORT, &p, "cannot add report", err, errlen);
	if (rc == 0)
		rc = pg_add_policies(st, rec, err, errlen);
	if (rc == 0)
		rc = pg_add_aggregates(st, r, &rec->tally, err, errlen);
	/* read every result, also after a failed send */
	if (pg_pipe_end(st, ids, 3, err, errlen) < 0 || rc < 0)
		return -1;
	if (new_source) {
		*source_id = ids[0];
		*id = ids[2];
	} else {
		*id = ids[1];
	}
	return 0;
}

/* The stored report of rec's key: 1 with its id and content hash (a
 * pending report of this batch, or one in the store), or 0 with a new id
 * for rec (pg_batch_new_id: taken only for a report that will be stored,
 * so ids follow SQLite's). -1 on error. */
static int pg_find_report(struct pg_store *st, const struct report *r, int64_t *id,
                          uint8_t content_sha256[32], int *hash_known, char *err, size_t errlen)
{
	const char *values[2] = {r->organization_name, r->report_id};
	char name[32];
	uint8_t *stored_hash;
	size_t hash_len = 0;
	PGresult *found;
	int rc;

	*hash_known = 1;
	if (pg_batch_find(st, r, id, content_sha256))
		return 1;
	/* looked up ahead (pg_write_prefetch.c), under this batch's lock */
	rc = pg_prefetch_find(st, r, id, content_sha256, hash_known);
	if (rc == 1)
		return 1;
	if (rc == 0)
		return pg_batch_new_id(st, id, err, errlen) < 0 ? -1 : 0;
	/* locked before the lookup: no other writer adds it meanwhile */
	if (pg_key_lock(st, r->organization_name, r->report_id, err, errlen) < 0 ||
	    pg_prepare_writes(st, err, errlen) < 0)
		return -1;
	snprintf(name, sizeof(name), "tlswatch_w%d", (int)W_FIND_REPORT);
	found = PQexecPrepared(st->conn, name, 2, values, NULL, NULL, 0);
	if (PQresultStatus(found) != PGRES_TUPLES_OK) {
		pg_message(st, "cannot look up report", PQresultErrorMessage(found), err, errlen);
		PQclear(found);
		return -1;
	}
	rc = PQntuples(found) > 0;
	if (rc) {
		*id = pg_int(found, 0, 0);
		stored_hash = pg_blob(found, 0, 1, &hash_len);
		if (stored_hash != NULL && hash_len == 32)
			memcpy(content_sha256, stored_hash, 32);
		else
			*hash_known = 0;
		free(stored_hash);
	}
	PQclear(found);
	if (!rc && pg_batch_new_id(st, id, err, errlen) < 0)
		return -1;
	return rc;
}

int pg_add_report(struct store *base, const struct report_record *rec,
                  const struct source_info *src, int64_t *source_id, int64_t *id,
                  enum store_outcome *outcome, char *err, size_t errlen)
{
	struct pg_store *st = pg_of(base);
	uint8_t stored_hash[32];
	int64_t found_id = 0, restarts;
	int rc, known;

	if (!st->in_batch) {
		snprintf(err, errlen, "internal error: store_add_report outside a batch");
		return -1;
	}
	if (pg_writer_share(st, err, errlen) < 0)
		return -1;
again:
	/* its month's partitions, before any row of this transaction needs
	 * them (and before the lookup: making one may commit first) */
	if (pg_writer_lock(st, PG_WRITER_SHARED, err, errlen) < 0 ||
	    pg_month_ensure(st, rec->day, err, errlen) < 0) {
		pg_rollback(&st->base);
		return -1;
	}
	/* the key is locked (or the writer alone): no other writer adds it
	 * between the lookup and the insert */
	if ((rc = pg_find_report(st, rec->r, &found_id, stored_hash, &known, err, errlen)) < 0) {
		pg_rollback(&st->base);
		return -1;
	}
	/* a lookup that committed first (pg_write_lock.c) asks for the
	 * month again in the new transaction: a prune may have run between */
	restarts = st->restarts;
	if (pg_month_ensure(st, rec->day, err, errlen) < 0) {
		pg_rollback(&st->base);
		return -1;
	}
	if (st->restarts != restarts)
		goto again;
	if (rc == 0) {
		/* new: kept with the batch's other new reports */
		if (pg_batch_add(st, rec, src, source_id, found_id, err, errlen) < 0) {
			pg_rollback(&st->base);
			*source_id = 0;
			return -1;
		}
		*id = found_id;
		*outcome = STORE_NEW;
		return 0;
	}
	*id = found_id;
	if (known && memcmp(stored_hash, rec->content_sha256, 32) == 0) {
		*outcome = STORE_DUPLICATE;
		return 0;
	}
	/* the same key with other content: docs/trust.md (its statements
	 * send the pending reports first), with no other writer */
	if (st->wlock == PG_WRITER_SHARED) {
		if (pg_writer_alone(st, err, errlen) < 0) {
			pg_rollback(&st->base);
			return -1;
		}
		goto again;
	}
	rc = pg_trust_resolve(st, *id, rec->content_sha256, src, outcome, err, errlen);
	if (rc < 0)
		pg_rollback(&st->base);
	if (rc <= 0)
		return rc;
	if (pg_add_report_rows(st, rec, src, source_id, store_source_provenance(src), id, err,
	                       errlen) < 0 ||
	    (reason_roll_wanted(rec->r) && pg_reason_roll_report(st, *id, 1, err, errlen) < 0) ||
	    pg_trust_superseded(st, *id, err, errlen) < 0) {
		pg_rollback(&st->base);
		*source_id = 0;
		return -1;
	}
	*outcome = STORE_SUPERSEDED;
	return 0;
}
