/*
 * pg_write_state.c - the PostgreSQL store's writes besides reports:
 * quarantine entries (refused input, kept byte-exact as bytea), where
 * IMAP collection stopped, which alerts were sent and what each day held
 * when judged. The same rows as sqlite_write_quarantine.c and
 * sqlite_write_state.c; every value is a parameter.
 */
#include <stdio.h>
#include <time.h>

#include "digest.h"
#include "pg_impl.h"

/* A write outside the caller's batch runs in a batch of its own (the
 * writer lock, and store_change for the readers' caches). */
static int pg_write_alone(struct pg_store *st, const char *sql, const struct pg_params *p,
                          const char *what, int64_t *changed, char *err, size_t errlen)
{
	int own = !st->in_batch;

	if (own && pg_begin(&st->base, err, errlen) < 0)
		return -1;
	if (pg_run(st, sql, p, what, changed, err, errlen) < 0) {
		if (own)
			pg_rollback(&st->base);
		return -1;
	}
	return own ? pg_commit(&st->base, err, errlen) : 0;
}

/* The first quarantine row with this digest (only unreleased ones when
 * unreleased): *id, *existing 1; else *existing 0. */
static int pg_quarantine_find(struct pg_store *st, const uint8_t *sha, int unreleased, int64_t *id,
                              int *existing, char *err, size_t errlen)
{
	struct pg_params p;
	PGresult *r;

	pg_params_init(&p);
	pg_param_blob(&p, sha, DIGEST_SHA256_LEN);
	r = pg_exec(st,
	            unreleased ? "SELECT id FROM quarantine WHERE sha256 = $1 AND released IS NULL"
	                         " ORDER BY id LIMIT 1"
	                       : "SELECT id FROM quarantine WHERE sha256 = $1 ORDER BY id LIMIT 1",
	            &p, "cannot look up quarantine", err, errlen);
	if (r == NULL)
		return -1;
	*existing = PQntuples(r) > 0;
	if (*existing)
		*id = pg_int(r, 0, 0);
	PQclear(r);
	return 0;
}

static int pg_quarantine_insert(struct pg_store *st, const struct source_info *src,
                                const char *reason, const uint8_t *sha, const uint8_t *data,
                                size_t len, int64_t orig_size, int truncated, int64_t *id,
                                char *err, size_t errlen)
{
	struct pg_params p;
	PGresult *r;

	pg_params_init(&p);
	pg_param_int(&p, src->received);
	pg_param_text(&p, src->kind);
	pg_param_text(&p, src->name);
	pg_param_text(&p, reason);
	pg_param_blob(&p, sha, DIGEST_SHA256_LEN);
	pg_param_int(&p, orig_size);
	pg_param_blob(&p, data, len);
	pg_param_int(&p, truncated);
	r = pg_exec(st,
	            "INSERT INTO quarantine (received, kind, name, reason, sha256, size, data,"
	            " truncated) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
	            &p, "cannot add quarantine record", err, errlen);
	if (r == NULL)
		return -1;
	*id = pg_int(r, 0, 0);
	PQclear(r);
	return 0;
}

int pg_add_quarantine(struct store *base, const struct source_info *src, const char *reason,
                      const uint8_t *data, size_t len, int64_t orig_size, int truncated,
                      int64_t *id, int *existing, char *err, size_t errlen)
{
	struct pg_store *st = pg_of(base);
	uint8_t sha[DIGEST_SHA256_LEN];

	if (!st->in_batch) {
		snprintf(err, errlen, "internal error: store_add_quarantine outside a batch");
		return -1;
	}
	/* find, else insert: with no other writer (pg_write_lock.c) */
	if (pg_writer_alone(st, err, errlen) < 0)
		return -1;
	digest_sha256(data, len, sha);
	if (pg_quarantine_find(st, sha, 1, id, existing, err, errlen) < 0)
		return -1;
	if (*existing)
		return 0;
	return pg_quarantine_insert(st, src, reason, sha, data, len, orig_size, truncated, id, err,
	                            errlen);
}

int pg_quarantine_add_digest(struct store *base, const struct source_info *src, const char *reason,
                             const uint8_t *data, size_t len, int64_t orig_size,
                             const uint8_t sha256[DIGEST_SHA256_LEN], int64_t *id, int *existing,
                             char *err, size_t errlen)
{
	struct pg_store *st = pg_of(base);

	if (!st->in_batch) {
		snprintf(err, errlen,
		         "internal error: store_quarantine_add_digest outside a batch");
		return -1;
	}
	if (pg_writer_alone(st, err, errlen) < 0 ||
	    pg_quarantine_find(st, sha256, 0, id, existing, err, errlen) < 0)
		return -1;
	if (*existing)
		return 0;
	return pg_quarantine_insert(st, src, reason, sha256, data, len, orig_size,
	                            (int64_t)len < orig_size, id, err, errlen);
}

/* A quarantine statement with $1 = id and $2 = text (or value). */
static int pg_quarantine_update(struct pg_store *st, const char *sql, int64_t id, int64_t value,
                                const char *text, int64_t *changed, char *err, size_t errlen)
{
	struct pg_params p;

	pg_params_init(&p);
	pg_param_int(&p, id);
	if (text != NULL)
		pg_param_text(&p, text);
	else if (value != INT64_MIN)
		pg_param_int(&p, value);
	return pg_write_alone(st, sql, &p, "cannot update quarantine", changed, err, errlen);
}

int pg_quarantine_release(struct store *base, int64_t id, int64_t report_rowid, char *err,
                          size_t errlen)
{
	return pg_quarantine_update(pg_of(base),
	                            "UPDATE quarantine SET released ="
	                            " floor(extract(epoch FROM now()))::bigint,"
	                            " released_report = $2 WHERE id = $1",
	                            id, report_rowid, NULL, NULL, err, errlen);
}

int pg_quarantine_set_reason(struct store *base, int64_t id, const char *reason, char *err,
                             size_t errlen)
{
	return pg_quarantine_update(pg_of(base), "UPDATE quarantine SET reason = $2 WHERE id = $1",
	                            id, 0, reason, NULL, err, errlen);
}

int pg_quarantine_delete(struct store *base, int64_t id, char *err, size_t errlen)
{
	int64_t deleted = 0;

	if (pg_quarantine_update(pg_of(base), "DELETE FROM quarantine WHERE id = $1", id, INT64_MIN,
	                         NULL, &deleted, err, errlen) < 0)
		return -1;
	if (deleted == 0) {
		snprintf(err, errlen, "no quarantine record %lld", (long long)id);
		return -1;
	}
	return 0;
}

int pg_quarantine_delete_before(struct store *base, int64_t before, int64_t *deleted, char *err,
                                size_t errlen)
{
	return pg_quarantine_update(pg_of(base), "DELETE FROM quarantine WHERE received < $1",
	                            before, INT64_MIN, NULL, deleted, err, errlen);
}

int pg_quarantine_trim(struct store *base, int64_t max_bytes, int64_t *deleted, char *err,
                       size_t errlen)
{
	struct pg_store *st = pg_of(base);
	int64_t bytes = 0, records = 0, last = 0;
	PGresult *r;
	int row;

	*deleted = 0;
	if (pg_quarantine_usage(&st->base, &bytes, &records, err, errlen) < 0)
		return -1;
	if (bytes <= max_bytes)
		return 0;
	/* the oldest first, until what is left fits */
	r = pg_exec(st, "SELECT id, octet_length(data) FROM quarantine ORDER BY id", NULL,
	            "cannot read quarantine", err, errlen);
	if (r == NULL)
		return -1;
	for (row = 0; row < PQntuples(r) && bytes > max_bytes; row++) {
		last = pg_int(r, row, 0);
		bytes -= pg_int(r, row, 1);
	}
	PQclear(r);
	if (last > 0)
		return pg_quarantine_update(st, "DELETE FROM quarantine WHERE id <= $1", last,
		                            INT64_MIN, NULL, deleted, err, errlen);
	return 0;
}

int pg_alert_record_sent(struct store *base, const struct query_alert_key *k, int64_t day,
                         int64_t value, int64_t now, char *err, size_t errlen)
{
	struct pg_store *st = pg_of(base);
	struct pg_params p;

	if (!st->in_batch) {
		snprintf(err, errlen, "internal error: alert state written outside a batch");
		return -1;
	}
	pg_params_init(&p);
	pg_param_alert_key(&p, k);
	pg_param_int(&p, day);
	pg_param_int(&p, value);
	pg_param_int(&p, now);
	return pg_run(st,
	              "INSERT INTO alert_sent_day AS a (scope, policy_domain, mx_host,"
	              " result_type, organization, day, value, sent_at)"
	              " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
	              " ON CONFLICT (scope, policy_domain, mx_host, result_type,"
	              " organization, day) DO UPDATE SET value = excluded.value,"
	              " sent_at = excluded.sent_at, times = a.times + 1",
	              &p, "cannot record alert state", NULL, err, errlen);
}

int pg_alert_record_judged(struct store *base, const struct query_day_mark *m, int64_t now,
                           char *err, size_t errlen)
{
	struct pg_store *st = pg_of(base);
	struct pg_params p;

	if (!st->in_batch) {
		snprintf(err, errlen, "internal error: alert state written outside a batch");
		return -1;
	}
	pg_params_init(&p);
	pg_param_int(&p, m->day);
	pg_param_int(&p, m->reports);
	pg_param_int(&p, m->last_report);
	pg_param_int(&p, now);
	return pg_run(st,
	              "INSERT INTO alert_judged (day, reports, last_report, judged_at)"
	              " VALUES ($1, $2, $3, $4) ON CONFLICT (day) DO UPDATE SET"
	              " reports = excluded.reports, last_report = excluded.last_report,"
	              " judged_at = excluded.judged_at",
	              &p, "cannot record alert state", NULL, err, errlen);
}

int pg_imap_state_set(struct store *base, const char *server, const char *user, const char *mailbox,
                      int64_t uidvalidity, int64_t last_uid, char *err, size_t errlen)
{
	struct pg_params p;

	pg_params_init(&p);
	pg_param_text(&p, server);
	pg_param_text(&p, user);
	pg_param_text(&p, mailbox);
	pg_param_int(&p, uidvalidity);
	pg_param_int(&p, last_uid);
	pg_param_int(&p, (int64_t)time(NULL));
	return pg_write_alone(pg_of(base),
	                      "INSERT INTO imap_state (server, \"user\", mailbox, uidvalidity,"
	                      " last_uid, updated) VALUES ($1, $2, $3, $4, $5, $6)"
	                      " ON CONFLICT (server, \"user\", mailbox) DO UPDATE SET"
	                      " uidvalidity = excluded.uidvalidity, last_uid = excluded.last_uid,"
	                      " updated = excluded.updated",
	                      &p, "cannot write IMAP state", NULL, err, errlen);
}
