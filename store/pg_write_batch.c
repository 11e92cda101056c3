/*
 * pg_write_batch.c - the new reports of a batch, gathered in memory and
 * sent to PostgreSQL at once: one binary COPY per table (raw_report,
 * source, report, policy, failure) and one grouped upsert per aggregate
 * table (and roll_reason's rows, schema/pg/025), instead of a dozen
 * statements per report. Measured in
 * docs/performance.md: the server's work per report falls about tenfold.
 *
 * What stays as before: a report's key is looked up in the store (and in
 * the batch's own pending reports) before it is kept, under its key lock
 * (pg_write_lock.c), so dedupe and conflicts decide exactly as on SQLite;
 * a report's id comes from its sequence at that lookup, so ids follow
 * SQLite's. The pending rows reach the server before any other statement
 * of the connection runs (pg_exec flushes them first), so every reader in
 * the transaction sees them. Input: validated records (their text is
 * untrusted, and always travels as COPY data, never as SQL).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "limits.h"
#include "pg_impl.h"
#include "reason_roll.h"
#include "report_hash.h"
#include "store_trust.h"
#include "xalloc.h"

enum batch_table {
	B_RAW,
	B_SOURCE,
	B_REPORT,
	B_POLICY,
	B_FAILURE,
	B_AGG_DOMAIN,
	B_AGG_FAILURE,
	B_AGG_MX,
	B_AGG_TYPE,
	B_ROLL_REASON,
	B_COUNT
};

#define COPY_BIN " FROM STDIN (FORMAT binary)"
static const char *const batch_copy_sql[B_COUNT] = {
    [B_RAW] = "COPY raw_report (id, sha256, json_size, gz, day)" COPY_BIN,
    [B_SOURCE] = "COPY source (id, kind, name, received, message_id, mail_from, mail_date,"
                 " subject, tls_report_domain, tls_report_submitter, auth_headers, dkim,"
                 " dkim_domain, dkim_ar)" COPY_BIN,
    [B_REPORT] = "COPY report (id, organization, report_id, contact_info, start_time, end_time,"
                 " day, successful_sessions, failed_sessions, raw_id, source_id, content_sha256,"
                 " provenance, quirks)" COPY_BIN,
    [B_POLICY] =
        "COPY policy (id, report, idx, policy_type, policy_domain, policy_strings,"
        " mx_hosts, successful_sessions, failed_sessions, policy_domain_source, day)" COPY_BIN,
    [B_FAILURE] = "COPY failure (id, policy, result_type, sending_mta_ip, receiving_mx_hostname,"
                  " receiving_mx_helo, receiving_ip, additional_information,"
                  " failure_reason_code, failed_sessions, day)" COPY_BIN,
    [B_AGG_DOMAIN] = "COPY pg_temp.tw_agg_domain" COPY_BIN,
    [B_AGG_FAILURE] = "COPY pg_temp.tw_agg_failure" COPY_BIN,
    [B_AGG_MX] = "COPY pg_temp.tw_agg_mx" COPY_BIN,
    [B_AGG_TYPE] = "COPY pg_temp.tw_agg_policy_type" COPY_BIN,
    [B_ROLL_REASON] = "COPY pg_temp.tw_roll_reason" COPY_BIN,
};

/* The batch's aggregate rows land in temporary tables (one per session,
 * emptied at commit), then go into the aggregates summed per key, in key
 * order: each key is locked once per batch, always in the same order. */
#define TEMP_OPTS " ON COMMIT DELETE ROWS"
static const char batch_temp_sql[] =
    "CREATE TEMP TABLE IF NOT EXISTS tw_agg_domain (day bigint, policy_domain text COLLATE \"C\","
    " organization text COLLATE \"C\", reports bigint, successful_sessions bigint,"
    " failed_sessions bigint)" TEMP_OPTS ";"
    "CREATE TEMP TABLE IF NOT EXISTS tw_agg_failure (day bigint, policy_domain text COLLATE \"C\","
    " organization text COLLATE \"C\", mx_host text COLLATE \"C\", result_type text COLLATE \"C\","
    " failed_sessions bigint)" TEMP_OPTS ";"
    "CREATE TEMP TABLE IF NOT EXISTS tw_agg_mx (day bigint, policy_domain text COLLATE \"C\","
    " organization text COLLATE \"C\", mx_host text COLLATE \"C\", failed_sessions "
    "bigint)" TEMP_OPTS ";"
    "CREATE TEMP TABLE IF NOT EXISTS tw_agg_policy_type (day bigint, policy_domain text COLLATE"
    " \"C\", organization text COLLATE \"C\", policy_type text COLLATE \"C\", policies bigint,"
    " successful_sessions bigint, failed_sessions bigint)" TEMP_OPTS ";"
    "CREATE TEMP TABLE IF NOT EXISTS tw_roll_reason (day bigint, kind bigint, text text COLLATE"
    " \"C\", policy_domain text COLLATE \"C\", organization text COLLATE \"C\", mx_host text"
    " COLLATE \"C\", result_type text COLLATE \"C\", n_rows bigint, failed_sessions bigint,"
    " sent_sessions bigint)" TEMP_OPTS;

static const char batch_upsert_sql[] =
    "WITH d AS (DELETE FROM pg_temp.tw_agg_domain RETURNING *)"
    " INSERT INTO agg_domain AS a (day, policy_domain, organization, reports,"
    " successful_sessions, failed_sessions) SELECT day, policy_domain, organization,"
    " sum(reports)::bigint, sum(successful_sessions)::bigint, sum(failed_sessions)::bigint"
    " FROM d GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
    " ON CONFLICT (day, policy_domain, organization) DO UPDATE SET"
    " reports = a.reports + excluded.reports,"
    " successful_sessions = a.successful_sessions + excluded.successful_sessions,"
    " failed_sessions = a.failed_sessions + excluded.failed_sessions;"
    "WITH d AS (DELETE FROM pg_temp.tw_agg_failure RETURNING *)"
    " INSERT INTO agg_failure AS a (day, policy_domain, organization, mx_host, result_type,"
    " failed_sessions) SELECT day, policy_domain, organization, mx_host, result_type,"
    " sum(failed_sessions)::bigint FROM d GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5"
    " ON CONFLICT (day, policy_domain, organization, mx_host, result_type) DO UPDATE SET"
    " failed_sessions = a.failed_sessions + excluded.failed_sessions;"
    "WITH d AS (DELETE FROM pg_temp.tw_agg_mx RETURNING *)"
    " INSERT INTO agg_mx AS a (day, policy_domain, organization, mx_host, failed_sessions)"
    " SELECT day, policy_domain, organization, mx_host, sum(failed_sessions)::bigint FROM d"
    " GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4"
    " ON CONFLICT (day, policy_domain, organization, mx_host) DO UPDATE SET"
    " failed_sessions = a.failed_sessions + excluded.failed_sessions;"
    "WITH d AS (DELETE FROM pg_temp.tw_agg_policy_type RETURNING *)"
    " INSERT INTO agg_policy_type AS a (day, policy_domain, organization, policy_type, policies,"
    " successful_sessions, failed_sessions) SELECT day, policy_domain, organization,"
    " policy_type, sum(policies)::bigint, sum(successful_sessions)::bigint,"
    " sum(failed_sessions)::bigint FROM d GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4"
    " ON CONFLICT (day, policy_domain, organization, policy_type) DO UPDATE SET"
    " policies = a.policies + excluded.policies,"
    " successful_sessions = a.successful_sessions + excluded.successful_sessions,"
    " failed_sessions = a.failed_sessions + excluded.failed_sessions;"
    /* schema/pg/025_reason_roll.sql: in the order of its unique key
     * (day, kind, domain, MX, then what its digest is of), as
     * pg_reason_roll.c takes its rows: writers lock rows in one order */
    "WITH d AS (DELETE FROM pg_temp.tw_roll_reason RETURNING *)"
    " INSERT INTO roll_reason AS a (day, kind, text, policy_domain, organization, mx_host,"
    " result_type, n_rows, failed_sessions, sent_sessions) SELECT day, kind, text,"
    " policy_domain, organization, mx_host, result_type, sum(n_rows)::bigint,"
    " sum(failed_sessions)::bigint, sum(sent_sessions)::bigint FROM d GROUP BY 1, 2, 3, 4, 5,"
    " 6, 7 ORDER BY 1, 2, 4, 6, 3, 5, 7"
    " ON CONFLICT (day, kind, policy_domain, mx_host, reason_key) DO UPDATE SET"
    " n_rows = a.n_rows + excluded.n_rows,"
    " failed_sessions = a.failed_sessions + excluded.failed_sessions,"
    " sent_sessions = a.sent_sessions + excluded.sent_sessions";

/* Ids of the rows nothing outside the store shows (raw, source, policy,
 * failure) come from their sequences a block at a time. */
#define ID_BLOCK 1024
enum batch_seq { S_RAW, S_SOURCE, S_POLICY, S_FAILURE, S_COUNT };
static const char batch_seq_sql[] =
    "SELECT pg_get_serial_sequence('raw_report', 'id')::regclass::oid,"
    " pg_get_serial_sequence('source', 'id')::regclass::oid,"
    " pg_get_serial_sequence('policy', 'id')::regclass::oid,"
    " pg_get_serial_sequence('failure', 'id')::regclass::oid,"
    " pg_get_serial_sequence('report', 'id')::regclass::oid";

struct id_pool {
	int64_t ids[ID_BLOCK];
	int n, next;
};

/* A pending report's key, for a re-send within the same batch. */
struct pending_key {
	char *key; /* organization, NUL, report-id */
	size_t len;
	int64_t id;
	uint8_t content_sha256[32];
};

/* Keys of the pending reports: open addressing, twice the most a batch
 * holds before it is flushed. */
#define KEY_SLOTS 16384

struct pg_batch {
	struct strbuf rows[B_COUNT]; /* binary COPY tuples, header and trailer apart */
	size_t n_rows[B_COUNT];
	size_t n_reports;
	int failed; /* an append past the cap */
	struct id_pool pool[S_COUNT];
	char seq[S_COUNT + 1][24]; /* each sequence's oid, as text; "" until asked */
	struct pending_key *keys;  /* KEY_SLOTS */
};

/* each buffer's cap leaves room for one more report of the largest size */
#define BATCH_CAP_BYTES (LIMIT_PG_BATCH_BYTES + 4u * LIMIT_JSON_BYTES)

static struct pg_batch *batch_get(struct pg_store *st)
{
	int i;

	if (st->batch == NULL) {
		st->batch = xcalloc(1, sizeof(*st->batch));
		for (i = 0; i < B_COUNT; i++)
			strbuf_init(&st->batch->rows[i], BATCH_CAP_BYTES);
		st->batch->keys = xcalloc(KEY_SLOTS, sizeof(*st->batch->keys));
	}
	return st->batch;
}

uint64_t pg_key_hash(const char *key, size_t len)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ (uint8_t)key[i]) * 1099511628211ull;
	return h;
}

/* The slot of key: its entry, or the empty slot where it would go. */
static struct pending_key *key_slot(struct pg_batch *b, const char *key, size_t len)
{
	size_t i = (size_t)pg_key_hash(key, len) & (KEY_SLOTS - 1);

	while (b->keys[i].key != NULL &&
	       (b->keys[i].len != len || memcmp(b->keys[i].key, key, len) != 0))
		i = (i + 1) & (KEY_SLOTS - 1);
	return &b->keys[i];
}

/* "organization\0report-id", malloc'ed (free()). */
static char *key_make(const struct report *r, size_t *len)
{
	size_t o = strlen(r->organization_name), i = strlen(r->report_id);
	char *key = xmalloc(o + 1 + i);

	memcpy(key, r->organization_name, o);
	key[o] = '\0';
	memcpy(key + o + 1, r->report_id, i);
	*len = o + 1 + i;
	return key;
}

/* Forgets the pending rows (sent, or rolled back). The id blocks are
 * kept: sequences never go back. */
static void batch_clear(struct pg_batch *b)
{
	size_t i;

	for (i = 0; i < B_COUNT; i++) {
		strbuf_reset(&b->rows[i]);
		b->n_rows[i] = 0;
	}
	for (i = 0; i < KEY_SLOTS; i++) {
		free(b->keys[i].key);
		b->keys[i].key = NULL;
	}
	b->n_reports = 0;
	b->failed = 0;
}

void pg_batch_discard(struct pg_store *st)
{
	if (st->batch != NULL)
		batch_clear(st->batch);
}

void pg_batch_free(struct pg_store *st)
{
	int i;

	if (st->batch == NULL)
		return;
	batch_clear(st->batch);
	for (i = 0; i < B_COUNT; i++)
		strbuf_free(&st->batch->rows[i]);
	free(st->batch->keys);
	free(st->batch);
	st->batch = NULL;
}

int pg_batch_pending(const struct pg_store *st)
{
	return st->batch != NULL && st->batch->n_reports > 0;
}

/* Binary COPY fields (PostgreSQL's COPY BINARY: big-endian lengths). */
static void put_be(struct pg_batch *b, struct strbuf *sb, uint64_t v, int bytes)
{
	uint8_t x[8];
	int i;

	for (i = 0; i < bytes; i++)
		x[i] = (uint8_t)(v >> (8 * (bytes - 1 - i)));
	if (strbuf_append(sb, x, (size_t)bytes) < 0)
		b->failed = 1;
}

static void put_row(struct pg_batch *b, enum batch_table t, int fields)
{
	put_be(b, &b->rows[t], (uint64_t)fields, 2);
	b->n_rows[t]++;
}

static void put_int(struct pg_batch *b, enum batch_table t, int64_t v)
{
	put_be(b, &b->rows[t], 8, 4);
	put_be(b, &b->rows[t], (uint64_t)v, 8);
}

static void put_bytes(struct pg_batch *b, enum batch_table t, const void *v, size_t len)
{
	if (v == NULL) {
		put_be(b, &b->rows[t], 0xffffffffu, 4); /* -1: NULL */
		return;
	}
	put_be(b, &b->rows[t], (uint64_t)len, 4);
	if (strbuf_append(&b->rows[t], v, len) < 0)
		b->failed = 1;
}

static void put_text(struct pg_batch *b, enum batch_table t, const char *v)
{
	put_bytes(b, t, v, v != NULL ? strlen(v) : 0);
}

/* The oids of the id sequences, asked once: nextval() on an oid is a
 * plain call, where pg_get_serial_sequence() reads the catalog each time. */
static int batch_seqs(struct pg_store *st, struct pg_batch *b, char *err, size_t errlen)
{
	PGresult *r;
	int i;

	if (b->seq[0][0] != '\0')
		return 0;
	r = PQexec(st->conn, batch_seq_sql);
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
		pg_message(st, "cannot find the id sequences", PQresultErrorMessage(r), err,
		           errlen);
		PQclear(r);
		return -1;
	}
	for (i = 0; i <= S_COUNT; i++)
		snprintf(b->seq[i], sizeof(b->seq[i]), "%lld", (long long)pg_int(r, 0, i));
	PQclear(r);
	return 0;
}

int pg_batch_new_id(struct pg_store *st, int64_t *id, char *err, size_t errlen)
{
	/* drawn ahead for the keys looked up ahead and not stored
	 * (pg_write_lock.c: several writers draw at once) */
	return pg_ids_take(st, pg_prefetch_absent(st) + 1, id, err, errlen);
}

/* The next id of sequence s: a new block from the server when the last
 * one is used up. */
static int batch_next_id(struct pg_store *st, struct pg_batch *b, enum batch_seq s, int64_t *id,
                         char *err, size_t errlen)
{
	struct id_pool *p = &b->pool[s];
	char n[16];
	const char *values[2];
	PGresult *r;
	int i;

	if (p->next >= p->n) {
		if (batch_seqs(st, b, err, errlen) < 0)
			return -1;
		snprintf(n, sizeof(n), "%d", ID_BLOCK);
		values[0] = b->seq[s];
		values[1] = n;
		r = PQexecParams(st->conn,
		                 "SELECT nextval($1::regclass) FROM generate_series(1, $2::int)", 2,
		                 NULL, values, NULL, NULL, 0);
		if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != ID_BLOCK) {
			pg_message(st, "cannot reserve ids", PQresultErrorMessage(r), err, errlen);
			PQclear(r);
			return -1;
		}
		for (i = 0; i < ID_BLOCK; i++)
			p->ids[i] = pg_int(r, i, 0);
		PQclear(r);
		p->n = ID_BLOCK;
		p->next = 0;
	}
	*id = p->ids[p->next++];
	return 0;
}

static void batch_put_source(struct pg_batch *b, int64_t id, const struct source_info *src)
{
	put_row(b, B_SOURCE, 14);
	put_int(b, B_SOURCE, id);
	put_text(b, B_SOURCE, src->kind);
	put_text(b, B_SOURCE, src->name);
	put_int(b, B_SOURCE, src->received);
	put_text(b, B_SOURCE, src->message_id);
	put_text(b, B_SOURCE, src->mail_from);
	put_text(b, B_SOURCE, src->mail_date);
	put_text(b, B_SOURCE, src->subject);
	put_text(b, B_SOURCE, src->tls_report_domain);
	put_text(b, B_SOURCE, src->tls_report_submitter);
	put_text(b, B_SOURCE, src->auth_headers);
	put_text(b, B_SOURCE, src->dkim);
	put_text(b, B_SOURCE, src->dkim_domain);
	put_text(b, B_SOURCE, src->dkim_ar);
}

static void batch_put_report(struct pg_batch *b, const struct report_record *rec, int64_t id,
                             int64_t raw_id, int64_t source_id, const char *provenance)
{
	const struct report *r = rec->r;
	char quirks[512];

	put_row(b, B_RAW, 5);
	put_int(b, B_RAW, raw_id);
	put_bytes(b, B_RAW, rec->sha256, sizeof(rec->sha256));
	put_int(b, B_RAW, (int64_t)rec->json_len);
	put_bytes(b, B_RAW, rec->gz != NULL ? rec->gz : (const uint8_t *)"", rec->gz_len);
	put_int(b, B_RAW, rec->day);
	put_row(b, B_REPORT, 14);
	put_int(b, B_REPORT, id);
	put_text(b, B_REPORT, r->organization_name);
	put_text(b, B_REPORT, r->report_id);
	put_text(b, B_REPORT, r->contact_info);
	put_int(b, B_REPORT, r->start_time);
	put_int(b, B_REPORT, r->end_time);
	put_int(b, B_REPORT, rec->day);
	put_int(b, B_REPORT, rec->tally.successful_sessions);
	put_int(b, B_REPORT, rec->tally.failed_sessions);
	put_int(b, B_REPORT, raw_id);
	put_int(b, B_REPORT, source_id);
	put_bytes(b, B_REPORT, rec->content_sha256, sizeof(rec->content_sha256));
	put_text(b, B_REPORT, provenance);
	put_text(b, B_REPORT, report_quirks_text(r, quirks, sizeof(quirks)));
}

static int batch_put_policies(struct pg_store *st, struct pg_batch *b,
                              const struct report_record *rec, int64_t id, char *err, size_t errlen)
{
	const struct report *r = rec->r;
	int64_t pid, fid;
	size_t i, j;

	for (i = 0; i < r->n_policies; i++) {
		const struct report_policy *pol = &r->policies[i];

		if (batch_next_id(st, b, S_POLICY, &pid, err, errlen) < 0)
			return -1;
		put_row(b, B_POLICY, 11);
		put_int(b, B_POLICY, pid);
		put_int(b, B_POLICY, id);
		put_int(b, B_POLICY, (int64_t)i);
		put_text(b, B_POLICY, pol->policy_type);
		put_text(b, B_POLICY, pol->policy_domain);
		put_text(b, B_POLICY, rec->policy_strings[i]);
		put_text(b, B_POLICY, rec->mx_hosts[i]);
		put_int(b, B_POLICY, pol->successful_sessions);
		put_int(b, B_POLICY, pol->failed_sessions);
		put_text(b, B_POLICY, pol->policy_domain_source);
		put_int(b, B_POLICY, rec->day);
		for (j = 0; j < pol->n_failures; j++) {
			const struct report_failure *f = &pol->failures[j];

			if (batch_next_id(st, b, S_FAILURE, &fid, err, errlen) < 0)
				return -1;
			put_row(b, B_FAILURE, 11);
			put_int(b, B_FAILURE, fid);
			put_int(b, B_FAILURE, pid);
			put_text(b, B_FAILURE, f->result_type);
			put_text(b, B_FAILURE, f->sending_mta_ip);
			put_text(b, B_FAILURE, f->receiving_mx_hostname);
			put_text(b, B_FAILURE, f->receiving_mx_helo);
			put_text(b, B_FAILURE, f->receiving_ip);
			put_text(b, B_FAILURE, f->additional_information);
			put_text(b, B_FAILURE, f->failure_reason_code);
			put_int(b, B_FAILURE, f->failed_sessions);
			put_int(b, B_FAILURE, rec->day);
		}
	}
	return 0;
}

static void batch_put_aggregates(struct pg_batch *b, const struct report *r, const struct tally *t,
                                 int64_t day)
{
	size_t i;

	for (i = 0; i < t->n_domains; i++) {
		put_row(b, B_AGG_DOMAIN, 6);
		put_int(b, B_AGG_DOMAIN, day);
		put_text(b, B_AGG_DOMAIN, t->domains[i].policy_domain);
		put_text(b, B_AGG_DOMAIN, r->organization_name);
		put_int(b, B_AGG_DOMAIN, 1);
		put_int(b, B_AGG_DOMAIN, t->domains[i].successful_sessions);
		put_int(b, B_AGG_DOMAIN, t->domains[i].failed_sessions);
	}
	for (i = 0; i < t->n_failures; i++) {
		put_row(b, B_AGG_FAILURE, 6);
		put_int(b, B_AGG_FAILURE, day);
		put_text(b, B_AGG_FAILURE, t->failures[i].policy_domain);
		put_text(b, B_AGG_FAILURE, r->organization_name);
		put_text(b, B_AGG_FAILURE, t->failures[i].mx_host);
		put_text(b, B_AGG_FAILURE, t->failures[i].result_type);
		put_int(b, B_AGG_FAILURE, t->failures[i].failed_sessions);
	}
	for (i = 0; i < t->n_mxs; i++) {
		put_row(b, B_AGG_MX, 5);
		put_int(b, B_AGG_MX, day);
		put_text(b, B_AGG_MX, t->mxs[i].policy_domain);
		put_text(b, B_AGG_MX, r->organization_name);
		put_text(b, B_AGG_MX, t->mxs[i].mx_host);
		put_int(b, B_AGG_MX, t->mxs[i].failed_sessions);
	}
	for (i = 0; i < t->n_types; i++) {
		put_row(b, B_AGG_TYPE, 7);
		put_int(b, B_AGG_TYPE, day);
		put_text(b, B_AGG_TYPE, t->types[i].policy_domain);
		put_text(b, B_AGG_TYPE, r->organization_name);
		put_text(b, B_AGG_TYPE, t->types[i].policy_type);
		put_int(b, B_AGG_TYPE, t->types[i].policies);
		put_int(b, B_AGG_TYPE, t->types[i].successful_sessions);
		put_int(b, B_AGG_TYPE, t->types[i].failed_sessions);
	}
}

/* roll_reason's rows of one report (reason_roll.c), as batch rows. */
struct batch_reason {
	struct pg_batch *b;
	const struct report_record *rec;
};

static int batch_put_reason(void *arg, const struct reason_roll_row *row, char *err, size_t errlen)
{
	const struct batch_reason *a = arg;

	(void)err;
	(void)errlen;
	put_row(a->b, B_ROLL_REASON, 10);
	put_int(a->b, B_ROLL_REASON, a->rec->day);
	put_int(a->b, B_ROLL_REASON, row->kind);
	put_text(a->b, B_ROLL_REASON, row->text);
	put_text(a->b, B_ROLL_REASON, row->policy_domain);
	put_text(a->b, B_ROLL_REASON, a->rec->r->organization_name);
	put_text(a->b, B_ROLL_REASON, row->mx_host);
	put_text(a->b, B_ROLL_REASON, row->result_type);
	put_int(a->b, B_ROLL_REASON, 1);
	put_int(a->b, B_ROLL_REASON, row->failed);
	put_int(a->b, B_ROLL_REASON, row->sent);
	return 0;
}

int pg_batch_find(struct pg_store *st, const struct report *r, int64_t *id,
                  uint8_t content_sha256[32])
{
	struct pending_key *k;
	char *key;
	size_t len;

	if (!pg_batch_pending(st))
		return 0;
	key = key_make(r, &len);
	k = key_slot(st->batch, key, len);
	free(key);
	if (k->key == NULL)
		return 0;
	*id = k->id;
	memcpy(content_sha256, k->content_sha256, 32);
	return 1;
}

/* Sends the pending rows first when the batch is full. */
static int batch_room(struct pg_store *st, struct pg_batch *b, char *err, size_t errlen)
{
	size_t i, bytes = 0;

	for (i = 0; i < B_COUNT; i++)
		bytes += b->rows[i].len;
	if (bytes < LIMIT_PG_BATCH_BYTES && b->n_reports < LIMIT_BATCH_REPORTS)
		return 0;
	return pg_batch_flush(st, err, errlen);
}

/* b->failed set: what the caller says */
static int batch_overflow(struct pg_store *st, char *err, size_t errlen)
{
	snprintf(err, errlen,
	         "database %s: cannot add report: its rows exceed the batch "
	         "buffer (LIMIT_PG_BATCH_BYTES + 4 x LIMIT_JSON_BYTES)",
	         st->shown);
	return -1;
}

int pg_batch_add_aggregates(struct pg_store *st, const struct report *r, const struct tally *t,
                            char *err, size_t errlen)
{
	struct pg_batch *b = batch_get(st);

	if (batch_room(st, b, err, errlen) < 0)
		return -1;
	batch_put_aggregates(b, r, t, report_day(r));
	if (b->failed)
		return batch_overflow(st, err, errlen);
	b->n_reports++;
	return 0;
}

int pg_batch_add(struct pg_store *st, const struct report_record *rec,
                 const struct source_info *src, int64_t *source_id, int64_t id, char *err,
                 size_t errlen)
{
	struct pg_batch *b = batch_get(st);
	struct pending_key *k;
	char *key;
	int64_t raw_id, sid = *source_id;
	size_t len;

	if (batch_room(st, b, err, errlen) < 0)
		return -1;
	if (batch_next_id(st, b, S_RAW, &raw_id, err, errlen) < 0 ||
	    (sid == 0 && batch_next_id(st, b, S_SOURCE, &sid, err, errlen) < 0))
		return -1;
	if (*source_id == 0)
		batch_put_source(b, sid, src);
	batch_put_report(b, rec, id, raw_id, sid, store_source_provenance(src));
	if (batch_put_policies(st, b, rec, id, err, errlen) < 0)
		return -1;
	batch_put_aggregates(b, rec->r, &rec->tally, rec->day);
	if (reason_roll_wanted(rec->r)) {
		struct batch_reason reason = {b, rec};

		(void)reason_roll_report(rec->r, batch_put_reason, &reason, err, errlen);
	}
	if (b->failed)
		return batch_overflow(st, err, errlen);
	key = key_make(rec->r, &len);
	k = key_slot(b, key, len);
	if (k->key == NULL) {
		k->key = key;
		k->len = len;
	} else {
		free(key);
	}
	k->id = id;
	memcpy(k->content_sha256, rec->content_sha256, 32);
	b->n_reports++;
	*source_id = sid;
	return 0;
}

/* One table's pending rows as one COPY. */
static int batch_copy(struct pg_store *st, struct pg_batch *b, enum batch_table t, char *err,
                      size_t errlen)
{
	static const char header[19] = "PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0\0";
	static const char trailer[2] = {'\377', '\377'};
	PGresult *r;
	int ok;

	if (b->n_rows[t] == 0)
		return 0;
	r = PQexec(st->conn, batch_copy_sql[t]);
	ok = PQresultStatus(r) == PGRES_COPY_IN;
	if (!ok)
		pg_message(st, "cannot add reports", PQresultErrorMessage(r), err, errlen);
	PQclear(r);
	if (!ok)
		return -1;
	ok = PQputCopyData(st->conn, header, (int)sizeof(header)) == 1 &&
	     PQputCopyData(st->conn, b->rows[t].data, (int)b->rows[t].len) == 1 &&
	     PQputCopyData(st->conn, trailer, (int)sizeof(trailer)) == 1;
	if (PQputCopyEnd(st->conn, ok ? NULL : "cannot send") != 1)
		ok = 0;
	while ((r = PQgetResult(st->conn)) != NULL) {
		if (PQresultStatus(r) != PGRES_COMMAND_OK && ok) {
			pg_message(st, "cannot add reports", PQresultErrorMessage(r), err, errlen);
			ok = 0;
		}
		PQclear(r);
	}
	if (!ok && err[0] == '\0')
		pg_message(st, "cannot add reports", PQerrorMessage(st->conn), err, errlen);
	return ok ? 0 : -1;
}

/* Several statements in one string, no values: 0 or -1. */
static int batch_exec(struct pg_store *st, const char *sql, char *err, size_t errlen)
{
	PGresult *r = PQexec(st->conn, sql);
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;

	if (!ok)
		pg_message(st, "cannot add reports", PQresultErrorMessage(r), err, errlen);
	PQclear(r);
	return ok ? 0 : -1;
}

int pg_batch_temp_tables(struct pg_store *st, char *err, size_t errlen)
{
	return batch_exec(st, batch_temp_sql, err, errlen);
}

int pg_batch_flush(struct pg_store *st, char *err, size_t errlen)
{
	struct pg_batch *b = st->batch;
	int i, rc = -1;

	if (!pg_batch_pending(st))
		return 0;
	err[0] = '\0';
	if (pg_month_recheck(st, err, errlen) < 0 ||
	    batch_exec(st, batch_temp_sql, err, errlen) < 0)
		goto out;
	/* referenced tables first: raw and source, report, policy, failure */
	for (i = 0; i < B_COUNT; i++)
		if (batch_copy(st, b, (enum batch_table)i, err, errlen) < 0)
			goto out;
	/* held: summed at the end (pg_batch_replace_aggregates) */
	if (!st->batch_held && batch_exec(st, batch_upsert_sql, err, errlen) < 0)
		goto out;
	rc = 0;
out:
	/* on failure the transaction is lost: the caller rolls it back */
	batch_clear(b);
	return rc;
}
