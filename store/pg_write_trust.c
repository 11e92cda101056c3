/*
 * pg_write_trust.c - conflicts between two reports under one
 * (organization, report-id) on PostgreSQL (docs/trust.md), as
 * sqlite_write_trust.c does them. Input: validated reports and our own
 * stored raw reports (parsed again, as untrusted as when they came).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pg_impl.h"
#include "report_hash.h"
#include "report_restore.h"
#include "store_trust.h"
#include "tally.h"

void pg_last_conflict(const struct store *base, int64_t *old_report, int64_t *quarantine_id)
{
	const struct pg_store *st = pg_of_const(base);

	*old_report = st->conflict_old_report;
	*quarantine_id = st->conflict_quarantine;
}

/* One statement with $1 = a and, when the SQL has $2, text (or b). */
static int trust_run(struct pg_store *st, const char *sql, int64_t a, const char *text, int64_t b,
                     char *err, size_t errlen)
{
	struct pg_params p;

	pg_params_init(&p);
	pg_param_int(&p, a);
	if (strstr(sql, "$2") != NULL) {
		if (text != NULL)
			pg_param_text(&p, text);
		else
			pg_param_int(&p, b);
	}
	return pg_run(st, sql, &p, "cannot resolve a conflict", NULL, err, errlen);
}

/* Stored report id (day, organization org, raw bytes gz) as ingest
 * stored it (report_restore.h): the stored policy rows give the domains
 * filled in from context and the policies kept, as SQLite's restore. */
static int trust_restore(struct pg_store *st, int64_t id, int64_t day, const char *org,
                         const uint8_t *gz, size_t gz_len, struct report **out, char *err,
                         size_t errlen)
{
	struct report_restore rs;
	struct report *r = NULL;
	struct pg_params p;
	PGresult *res = NULL;
	int row, rc = -1;

	if (report_restore_parse(gz, gz_len, &r, err, errlen) < 0)
		return -1;
	pg_params_init(&p);
	pg_param_int(&p, id);
	pg_param_int(&p, day);
	res = pg_exec(st,
	              "SELECT policy_type, policy_domain, successful_sessions, failed_sessions,"
	              " policy_domain_source FROM policy WHERE report = $1 AND day = $2"
	              " ORDER BY idx",
	              &p, "cannot read a report's policies", err, errlen);
	if (res == NULL)
		goto out;
	report_restore_begin(&rs, r, id);
	for (row = 0; row < PQntuples(res); row++)
		if (report_restore_row(&rs, pg_text(res, row, 0), pg_text(res, row, 1),
		                       pg_text(res, row, 4), pg_int(res, row, 2),
		                       pg_int(res, row, 3), err, errlen) < 0)
			goto out;
	report_restore_end(&rs, org);
	*out = r;
	r = NULL;
	rc = 0;
out:
	report_free(r);
	PQclear(res);
	return rc;
}

/* The aggregates of one (day, organization) made again from the reports
 * stored for it (sqlite_write_trust.c says why this stays cheap). */
static int trust_reaggregate(struct pg_store *st, int64_t day, const char *org, char *err,
                             size_t errlen)
{
	static const char *const clear[] = {
	    "DELETE FROM agg_domain WHERE day = $1 AND organization = $2",
	    "DELETE FROM agg_failure WHERE day = $1 AND organization = $2",
	    "DELETE FROM agg_policy_type WHERE day = $1 AND organization = $2",
	    "DELETE FROM agg_mx WHERE day = $1 AND organization = $2",
	};
	struct pg_params p;
	PGresult *res = NULL;
	struct report *r = NULL;
	struct tally t;
	uint8_t *gz;
	size_t i, gz_len = 0;
	int row, step, rc = -1;

	for (i = 0; i < sizeof(clear) / sizeof(clear[0]); i++)
		if (trust_run(st, clear[i], day, org, 0, err, errlen) < 0)
			return -1;
	pg_params_init(&p);
	pg_param_int(&p, day);
	pg_param_text(&p, org);
	res = pg_exec(st,
	              "SELECT r.id, r.organization, rr.gz FROM report r"
	              " JOIN raw_report rr ON rr.id = r.raw_id"
	              " WHERE r.day = $1 AND r.organization = $2 ORDER BY r.id",
	              &p, "cannot read reports again", err, errlen);
	if (res == NULL)
		return -1;
	for (row = 0; row < PQntuples(res); row++) {
		gz = pg_blob(res, row, 2, &gz_len);
		step = trust_restore(st, pg_int(res, row, 0), day, pg_text(res, row, 1), gz, gz_len,
		                     &r, err, errlen);
		free(gz);
		if (step < 0)
			goto out;
		memset(&t, 0, sizeof(t));
		tally_report(r, &t);
		step = pg_add_aggregates(st, r, &t, err, errlen);
		tally_free(&t);
		report_free(r);
		r = NULL;
		if (step < 0)
			goto out;
	}
	rc = 0;
out:
	report_free(r);
	PQclear(res);
	return rc;
}

/* Removes stored report id (it lost a conflict) from every table and
 * aggregate; its raw bytes (row 0 of old) go to quarantine with reason. */
static int trust_remove(struct pg_store *st, int64_t id, const PGresult *old, const char *reason,
                        char *err, size_t errlen)
{
	static const char *const drop[] = {
	    "UPDATE quarantine SET released_report = NULL WHERE released_report = $1",
	    "DELETE FROM failure WHERE policy IN (SELECT id FROM policy WHERE report = $1)",
	    "DELETE FROM policy WHERE report = $1",
	    "DELETE FROM report WHERE id = $1",
	};
	struct source_info qsrc;
	const char *prov = pg_text(old, 0, 1), *org = pg_text(old, 0, 3);
	int64_t day = pg_int(old, 0, 2), raw_id = pg_int(old, 0, 4);
	int64_t source_id = pg_int(old, 0, 5), qid;
	uint8_t *gz;
	size_t gz_len = 0, i;
	int existing, rc = -1;

	memset(&qsrc, 0, sizeof(qsrc));
	qsrc.kind = pg_text(old, 0, 7) != NULL ? pg_text(old, 0, 7) : "file";
	qsrc.name = pg_text(old, 0, 8);
	qsrc.received = pg_text(old, 0, 9) != NULL ? pg_int(old, 0, 9) : (int64_t)time(NULL);
	gz = pg_blob(old, 0, 6, &gz_len);
	if (pg_add_quarantine(&st->base, &qsrc, reason, gz, gz_len, (int64_t)gz_len, 0, &qid,
	                      &existing, err, errlen) < 0 ||
	    trust_run(st, "UPDATE quarantine SET provenance = $2 WHERE id = $1", qid,
	              prov != NULL ? prov : "file", 0, err, errlen) < 0)
		goto out;
	/* its failure-text rows go while its details are still there */
	if (pg_reason_roll_report(st, id, -1, err, errlen) < 0)
		goto out;
	for (i = 0; i < sizeof(drop) / sizeof(drop[0]); i++)
		if (trust_run(st, drop[i], id, NULL, 0, err, errlen) < 0)
			goto out;
	if (trust_run(st, "DELETE FROM raw_report WHERE id = $1", raw_id, NULL, 0, err, errlen) <
	        0 ||
	    trust_run(st,
	              "DELETE FROM source WHERE id = $1 AND NOT EXISTS"
	              " (SELECT 1 FROM report WHERE report.source_id = source.id)",
	              source_id, NULL, 0, err, errlen) < 0 ||
	    trust_reaggregate(st, day, org != NULL ? org : "", err, errlen) < 0)
		goto out;
	st->conflict_old_report = id;
	st->conflict_quarantine = qid;
	rc = 0;
out:
	free(gz);
	return rc;
}

int pg_trust_resolve(struct pg_store *st, int64_t id, const uint8_t *content_sha256,
                     const struct source_info *src, enum store_outcome *outcome, char *err,
                     size_t errlen)
{
	struct pg_params p;
	PGresult *res = NULL;
	struct report *r = NULL;
	uint8_t old_hash[REPORT_HASH_LEN], *blob = NULL;
	const char *old_prov, *new_prov = store_source_provenance(src);
	char reason[512];
	size_t len = 0;
	int rc = -1;

	pg_params_init(&p);
	pg_param_int(&p, id);
	res = pg_exec(st,
	              "SELECT r.content_sha256, r.provenance, r.day, r.organization,"
	              " r.raw_id, r.source_id, rr.gz, s.kind, s.name, s.received"
	              " FROM report r JOIN raw_report rr ON rr.id = r.raw_id"
	              " LEFT JOIN source s ON s.id = r.source_id WHERE r.id = $1",
	              &p, "cannot read a stored report", err, errlen);
	if (res == NULL)
		return -1;
	if (PQntuples(res) != 1) {
		snprintf(err, errlen, "report %lld vanished", (long long)id);
		goto out;
	}
	blob = pg_blob(res, 0, 0, &len);
	if (blob != NULL && len == REPORT_HASH_LEN) {
		memcpy(old_hash, blob, REPORT_HASH_LEN);
	} else {
		/* stored without a content hash (copied from an old store) */
		free(blob);
		blob = pg_blob(res, 0, 6, &len);
		if (report_restore_parse(blob, len, &r, err, errlen) < 0)
			goto out;
		report_content_hash(r, old_hash);
		pg_params_init(&p);
		pg_param_int(&p, id);
		pg_param_blob(&p, old_hash, REPORT_HASH_LEN);
		if (pg_run(st, "UPDATE report SET content_sha256 = $2 WHERE id = $1", &p,
		           "cannot record a report's content hash", NULL, err, errlen) < 0)
			goto out;
	}
	if (memcmp(old_hash, content_sha256, REPORT_HASH_LEN) == 0) {
		*outcome = STORE_DUPLICATE;
		rc = 0;
		goto out;
	}
	old_prov = pg_text(res, 0, 1);
	if (!store_trust_supersedes(new_prov, old_prov, src->pick, reason, sizeof(reason))) {
		*outcome = STORE_CONFLICT;
		rc = 0;
		goto out;
	}
	if (trust_remove(st, id, res, reason, err, errlen) < 0)
		goto out;
	rc = 1;
out:
	free(blob);
	report_free(r);
	PQclear(res);
	return rc;
}

int pg_trust_superseded(struct pg_store *st, int64_t new_id, char *err, size_t errlen)
{
	return trust_run(st, "UPDATE quarantine SET conflict_report = $2 WHERE id = $1",
	                 st->conflict_quarantine, NULL, new_id, err, errlen);
}

int pg_quarantine_set_conflict(struct store *base, int64_t id, int64_t report_rowid, char *err,
                               size_t errlen)
{
	return trust_run(pg_of(base), "UPDATE quarantine SET conflict_report = $2 WHERE id = $1",
	                 id, NULL, report_rowid, err, errlen);
}
