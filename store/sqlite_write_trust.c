/*
 * sqlite_write_trust.c - conflicts between two reports
 * under one (organization, report-id) (docs/trust.md). Input: validated
 * reports and our own stored raw reports (parsed again, as untrusted as
 * when they came).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report_hash.h"
#include "sqlite_impl.h"
#include "sqlite_query_impl.h"
#include "sqlite_restore.h"
#include "store_trust.h"
#include "tally.h"

void sqlite_last_conflict(const struct store *base, int64_t *old_report, int64_t *quarantine_id)
{
	const struct sqlite_store *st = sqlite_of_const(base);

	*old_report = st->conflict_old_report;
	*quarantine_id = st->conflict_quarantine;
}

/* One statement with up to two bound values (int64 ?1, text or int64 ?2),
 * run to completion. */
static int trust_run(struct sqlite_store *st, const char *sql, int64_t a, const char *text,
                     int64_t b, char *err, size_t errlen)
{
	sqlite3_stmt *s = NULL;
	int rc = -1;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		sqlite_fail(st, err, errlen, "cannot prepare");
		goto out;
	}
	sqlite3_bind_int64(s, 1, a);
	if (sqlite3_bind_parameter_count(s) >= 2) {
		if (text != NULL)
			sqlite_bind_text(s, 2, text);
		else
			sqlite3_bind_int64(s, 2, b);
	}
	if (sqlite3_step(s) != SQLITE_DONE) {
		sqlite_fail(st, err, errlen, "cannot resolve a conflict");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(s);
	return rc;
}

/* Backfills a report stored before content was hashed. */
static int trust_set_hash(struct sqlite_store *st, int64_t id, const uint8_t *hash, char *err,
                          size_t errlen)
{
	sqlite3_stmt *s = NULL;
	int rc = -1;

	if (sqlite3_prepare_v2(st->db, "UPDATE report SET content_sha256 = ?2 WHERE id = ?1", -1,
	                       &s, NULL) != SQLITE_OK) {
		sqlite_fail(st, err, errlen, "cannot prepare");
		goto out;
	}
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_blob(s, 2, hash, REPORT_HASH_LEN, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE) {
		sqlite_fail(st, err, errlen, "cannot record a report's content hash");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(s);
	return rc;
}

/* sqlite_reports_tally's step: the report's aggregate rows added. */
static int trust_add_aggregates(void *ctx, sqlite3_stmt *row, const struct report *r,
                                const struct tally *t, char *err, size_t errlen)
{
	(void)row;
	return sqlite_add_aggregates(ctx, r, t, err, errlen);
}

/* The aggregates of one (day, organization) made again from the reports
 * stored for it, each as it was stored (sqlite_restore.h): after a report
 * left, the figures are exactly those of a store that never saw it.
 * Conflicts are rare and a day of one reporter holds few reports, so this
 * stays cheap. */
static int trust_reaggregate(struct sqlite_store *st, int64_t day, const char *org, char *err,
                             size_t errlen)
{
	static const char *const clear[] = {
	    "DELETE FROM agg_domain WHERE day = ?1 AND organization = ?2",
	    "DELETE FROM agg_failure WHERE day = ?1 AND organization = ?2",
	    "DELETE FROM agg_policy_type WHERE day = ?1 AND organization = ?2",
	    "DELETE FROM agg_mx WHERE day = ?1 AND organization = ?2",
	};
	sqlite3_stmt *s = NULL;
	size_t i;
	int rc = -1;

	for (i = 0; i < sizeof(clear) / sizeof(clear[0]); i++)
		if (trust_run(st, clear[i], day, org, 0, err, errlen) < 0)
			return -1;
	if (sqlite3_prepare_v2(st->db,
	                       "SELECT r.id, r.organization, rr.gz FROM report r"
	                       " JOIN raw_report rr ON rr.id = r.raw_id"
	                       " WHERE r.day = ?1 AND r.organization = ?2 ORDER BY r.id",
	                       -1, &s, NULL) != SQLITE_OK) {
		sqlite_fail(st, err, errlen, "cannot prepare");
		goto out;
	}
	sqlite3_bind_int64(s, 1, day);
	sqlite_bind_text(s, 2, org);
	rc = sqlite_reports_tally(st, s, trust_add_aggregates, st, err, errlen);
out:
	sqlite3_finalize(s);
	return rc;
}

/* Removes stored report id (it lost a conflict) from every table and
 * aggregate; its raw bytes go to quarantine with reason. */
static int trust_remove(struct sqlite_store *st, int64_t id, sqlite3_stmt *old, const char *reason,
                        char *err, size_t errlen)
{
	static const char *const drop[] = {
	    "UPDATE quarantine SET released_report = NULL WHERE released_report = ?1",
	    "DELETE FROM failure WHERE policy IN (SELECT id FROM policy WHERE report = ?1)",
	    "DELETE FROM policy WHERE report = ?1",
	    "DELETE FROM report WHERE id = ?1",
	};
	struct source_info qsrc;
	const char *prov = (const char *)sqlite3_column_text(old, 1);
	char *org = query_column_strdup(old, 3);
	int64_t day = sqlite3_column_int64(old, 2), raw_id = sqlite3_column_int64(old, 4);
	int64_t source_id = sqlite3_column_int64(old, 5), qid;
	int existing, rc = -1;
	size_t i;

	memset(&qsrc, 0, sizeof(qsrc));
	qsrc.kind = sqlite3_column_type(old, 7) != SQLITE_NULL
	                ? (const char *)sqlite3_column_text(old, 7)
	                : "file";
	qsrc.name = (const char *)sqlite3_column_text(old, 8);
	qsrc.received = sqlite3_column_type(old, 9) != SQLITE_NULL ? sqlite3_column_int64(old, 9)
	                                                           : (int64_t)time(NULL);
	if (sqlite_add_quarantine(&st->base, &qsrc, reason, sqlite3_column_blob(old, 6),
	                          (size_t)sqlite3_column_bytes(old, 6),
	                          sqlite3_column_bytes(old, 6), 0, &qid, &existing, err,
	                          errlen) < 0 ||
	    trust_run(st, "UPDATE quarantine SET provenance = ?2 WHERE id = ?1", qid,
	              prov != NULL ? prov : "file", 0, err, errlen) < 0)
		goto out;
	/* its failure-text groups go while its details are still there */
	if (sqlite_reason_roll_remove(st, id, err, errlen) < 0)
		goto out;
	for (i = 0; i < sizeof(drop) / sizeof(drop[0]); i++)
		if (trust_run(st, drop[i], id, NULL, 0, err, errlen) < 0)
			goto out;
	if (trust_run(st, "DELETE FROM raw_report WHERE id = ?1", raw_id, NULL, 0, err, errlen) <
	        0 ||
	    trust_run(st,
	              "DELETE FROM source WHERE id = ?1 AND NOT EXISTS"
	              " (SELECT 1 FROM report WHERE report.source_id = source.id)",
	              source_id, NULL, 0, err, errlen) < 0 ||
	    trust_reaggregate(st, day, org, err, errlen) < 0)
		goto out;
	st->conflict_old_report = id;
	st->conflict_quarantine = qid;
	rc = 0;
out:
	free(org);
	return rc;
}

int sqlite_trust_resolve(struct sqlite_store *st, int64_t id, const uint8_t *content_sha256,
                         const struct source_info *src, enum store_outcome *outcome, char *err,
                         size_t errlen)
{
	sqlite3_stmt *s = NULL, *policies = NULL;
	struct report *r = NULL;
	uint8_t old_hash[REPORT_HASH_LEN];
	const char *old_prov, *new_prov = store_source_provenance(src);
	char reason[512];
	int rc = -1;

	/* a report of this batch may leave: its roll-ups written first, and
	 * the triggers count what follows (sqlite_write_batch.c) */
	if (sqlite_batch_settle(st, err, errlen) < 0)
		return -1;
	if (sqlite3_prepare_v2(st->db,
	                       "SELECT r.content_sha256, r.provenance, r.day, r.organization,"
	                       " r.raw_id, r.source_id, rr.gz, s.kind, s.name, s.received"
	                       " FROM report r JOIN raw_report rr ON rr.id = r.raw_id"
	                       " LEFT JOIN source s ON s.id = r.source_id WHERE r.id = ?1",
	                       -1, &s, NULL) != SQLITE_OK) {
		sqlite_fail(st, err, errlen, "cannot prepare");
		goto out;
	}
	sqlite3_bind_int64(s, 1, id);
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite_fail(st, err, errlen, "cannot read a stored report");
		goto out;
	}
	if (sqlite3_column_bytes(s, 0) == REPORT_HASH_LEN) {
		memcpy(old_hash, sqlite3_column_blob(s, 0), REPORT_HASH_LEN);
	} else {
		/* stored before content was hashed (schema/005_trust.sql) */
		if (sqlite_report_restore(
		        st, &policies, id, (const char *)sqlite3_column_text(s, 3),
		        sqlite3_column_blob(s, 6), sqlite3_column_bytes(s, 6), &r, err, errlen) < 0)
			goto out;
		report_content_hash(r, old_hash);
		if (trust_set_hash(st, id, old_hash, err, errlen) < 0)
			goto out;
	}
	if (memcmp(old_hash, content_sha256, REPORT_HASH_LEN) == 0) {
		*outcome = STORE_DUPLICATE;
		rc = 0;
		goto out;
	}
	old_prov = (const char *)sqlite3_column_text(s, 1);
	if (!store_trust_supersedes(new_prov, old_prov, src->pick, reason, sizeof(reason))) {
		*outcome = STORE_CONFLICT;
		rc = 0;
		goto out;
	}
	if (trust_remove(st, id, s, reason, err, errlen) < 0)
		goto out;
	rc = 1;
out:
	report_free(r);
	sqlite3_finalize(s);
	sqlite3_finalize(policies);
	return rc;
}

int sqlite_trust_superseded(struct sqlite_store *st, int64_t new_id, char *err, size_t errlen)
{
	return trust_run(st, "UPDATE quarantine SET conflict_report = ?2 WHERE id = ?1",
	                 st->conflict_quarantine, NULL, new_id, err, errlen);
}

int sqlite_quarantine_set_conflict(struct store *base, int64_t id, int64_t report_rowid, char *err,
                                   size_t errlen)
{
	struct sqlite_store *st = sqlite_of(base);

	return trust_run(st, "UPDATE quarantine SET conflict_report = ?2 WHERE id = ?1", id, NULL,
	                 report_rowid, err, errlen);
}
