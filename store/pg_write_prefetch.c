/*
 * pg_write_prefetch.c - the keys of the reports 'tlswatch ingest' is about
 * to add, looked up in one statement (store_prefetch_reports) instead of
 * one round trip per report in pg_add_report. Measured in
 * docs/performance.md: the round trip, its poll and two context switches
 * were the largest part of tlswatch's CPU and a fixed cost per report on
 * the server.
 *
 * Exact because the batch holds the writer lock (pg.c) from before the
 * lookup until its commit: no other writer adds or removes a key
 * meanwhile. This writer's own changes are kept out: each answer is used
 * once (a second report with the key finds the first among the batch's
 * pending reports, or in the store), a key pending when asked is not
 * asked, and the answers go at commit and rollback. Input: validated report keys (untrusted text,
 * escaped by jsonw into the statement's one JSON parameter).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "limits.h"
#include "pg_impl.h"
#include "xalloc.h"

/* twice the most keys one call asks, a power of two */
#define PREFETCH_SLOTS (4 * LIMIT_PG_PREFETCH_KEYS)
/* the JSON parameter; past it the keys are looked up one by one */
#define PREFETCH_JSON_BYTES (1024u * 1024u)

enum prefetch_state { P_EMPTY, P_ABSENT, P_FOUND, P_USED };

struct prefetch_key {
	char *key; /* organization, NUL, report-id */
	size_t len;
	enum prefetch_state state;
	int hash_known;
	int64_t id;
	uint8_t content_sha256[32];
};

struct pg_prefetch {
	struct prefetch_key slots[PREFETCH_SLOTS];
};

/* one index probe per key (OFFSET 0 keeps the probe a subplan: the
 * planner cannot know how many keys come, and a hash join would read all
 * of report_key) */
static const char prefetch_sql[] =
    "SELECT q.o, q.i, x.id, x.content_sha256 FROM jsonb_to_recordset($1::jsonb) AS q(o text, i "
    "text),"
    " LATERAL (SELECT r.id, r.content_sha256 FROM report_key k JOIN report r ON r.id = k.id"
    " AND r.day = k.day WHERE k.organization = q.o COLLATE \"C\" AND k.report_id = q.i COLLATE "
    "\"C\""
    " OFFSET 0) AS x";

/* "organization\0report-id" into buf (at least LIMIT bytes): its length. */
static size_t prefetch_key_of(const char *org, const char *rid, char *buf, size_t buflen)
{
	size_t o = strlen(org), i = strlen(rid);

	if (o + 1 + i > buflen)
		return 0;
	memcpy(buf, org, o);
	buf[o] = '\0';
	memcpy(buf + o + 1, rid, i);
	return o + 1 + i;
}

/* The slot of key: its entry, or the empty slot where it would go. */
static struct prefetch_key *prefetch_slot(struct pg_prefetch *p, const char *key, size_t len)
{
	size_t i = (size_t)pg_key_hash(key, len) & (PREFETCH_SLOTS - 1);

	while (p->slots[i].state != P_EMPTY &&
	       (p->slots[i].len != len || memcmp(p->slots[i].key, key, len) != 0))
		i = (i + 1) & (PREFETCH_SLOTS - 1);
	return &p->slots[i];
}

void pg_prefetch_clear(struct pg_store *st)
{
	size_t i;

	if (st->prefetch == NULL)
		return;
	for (i = 0; i < PREFETCH_SLOTS; i++) {
		free(st->prefetch->slots[i].key);
		st->prefetch->slots[i].key = NULL;
		st->prefetch->slots[i].state = P_EMPTY;
	}
}

void pg_prefetch_free(struct pg_store *st)
{
	pg_prefetch_clear(st);
	free(st->prefetch);
	st->prefetch = NULL;
}

int pg_prefetch_find(struct pg_store *st, const struct report *r, int64_t *id,
                     uint8_t content_sha256[32], int *hash_known)
{
	char key[2 * LIMIT_STRING_BYTES + 2];
	struct prefetch_key *k;
	size_t len;

	if (st->prefetch == NULL || !st->in_batch)
		return -1;
	len = prefetch_key_of(r->organization_name, r->report_id, key, sizeof(key));
	if (len == 0)
		return -1;
	k = prefetch_slot(st->prefetch, key, len);
	if (k->state != P_ABSENT && k->state != P_FOUND)
		return -1;
	if (k->state == P_ABSENT) {
		k->state = P_USED;
		return 0;
	}
	k->state = P_USED;
	*id = k->id;
	*hash_known = k->hash_known;
	if (k->hash_known)
		memcpy(content_sha256, k->content_sha256, 32);
	return 1;
}

/* The keys of r[0..n) as a JSON array of {"o": ..., "i": ...}, each also
 * entered as absent. A key pending in this batch is not asked: the
 * server would answer "absent", and that answer goes stale once the
 * pending rows are sent (a conflict's statements send them) before the
 * report of that key is added; unasked, it is looked up then, among the
 * pending rows or on the server. 0, or -1 when they do not fit (no
 * lookup then). */
static int prefetch_keys(struct pg_store *st, const struct report *const *r, size_t n,
                         struct strbuf *json)
{
	char key[2 * LIMIT_STRING_BYTES + 2];
	struct pg_prefetch *p = st->prefetch;
	struct prefetch_key *k;
	struct jsonw w;
	uint8_t pending_hash[32];
	int64_t pending_id;
	size_t i, len, asked = 0;

	jsonw_init(&w, json, 0);
	jsonw_array_begin(&w);
	for (i = 0; i < n && asked < LIMIT_PG_PREFETCH_KEYS; i++) {
		len = prefetch_key_of(r[i]->organization_name, r[i]->report_id, key, sizeof(key));
		if (len == 0 || pg_batch_find(st, r[i], &pending_id, pending_hash))
			continue;
		k = prefetch_slot(p, key, len);
		if (k->state != P_EMPTY)
			continue;
		k->key = xmalloc(len);
		memcpy(k->key, key, len);
		k->len = len;
		k->state = P_ABSENT;
		asked++;
		jsonw_object_begin(&w);
		jsonw_key(&w, "o");
		jsonw_string(&w, r[i]->organization_name);
		jsonw_key(&w, "i");
		jsonw_string(&w, r[i]->report_id);
		jsonw_object_end(&w);
	}
	jsonw_array_end(&w);
	return w.failed ? -1 : 0;
}

int pg_prefetch_reports(struct store *base, const struct report *const *r, size_t n, char *err,
                        size_t errlen)
{
	struct pg_store *st = pg_of(base);
	char key[2 * LIMIT_STRING_BYTES + 2];
	struct prefetch_key *k;
	struct strbuf json;
	const char *values[1];
	uint8_t *hash;
	size_t len, hash_len;
	PGresult *res;
	int i, rc = -1;

	if (!st->in_batch) {
		snprintf(err, errlen, "internal error: store_prefetch_reports outside a batch");
		return -1;
	}
	if (st->prefetch == NULL)
		st->prefetch = xcalloc(1, sizeof(*st->prefetch));
	pg_prefetch_clear(st);
	strbuf_init(&json, PREFETCH_JSON_BYTES);
	if (prefetch_keys(st, r, n, &json) < 0) {
		/* too long to send at once: each looked up when added */
		pg_prefetch_clear(st);
		strbuf_free(&json);
		return 0;
	}
	values[0] = json.data;
	/* not pg_exec: the batch's pending rows need not reach the server
	 * for this (pg_add_report looks among them first); prepared once per
	 * connection (planned once, not once a call) */
	if (!st->prefetch_prepared) {
		res = PQprepare(st->conn, "tlswatch_prefetch", prefetch_sql, 0, NULL);
		st->prefetch_prepared = PQresultStatus(res) == PGRES_COMMAND_OK;
		if (!st->prefetch_prepared) {
			pg_message(st, "cannot prepare", PQresultErrorMessage(res), err, errlen);
			pg_prefetch_clear(st);
			pg_rollback(&st->base);
			goto out;
		}
		PQclear(res);
	}
	res = PQexecPrepared(st->conn, "tlswatch_prefetch", 1, values, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		pg_message(st, "cannot look up reports", PQresultErrorMessage(res), err, errlen);
		pg_prefetch_clear(st);
		pg_rollback(&st->base);
		goto out;
	}
	for (i = 0; i < PQntuples(res); i++) {
		len = prefetch_key_of(pg_text(res, i, 0), pg_text(res, i, 1), key, sizeof(key));
		k = len > 0 ? prefetch_slot(st->prefetch, key, len) : NULL;
		if (k == NULL || k->state != P_ABSENT)
			continue; /* not asked: cannot be */
		k->state = P_FOUND;
		k->id = pg_int(res, i, 2);
		hash_len = 0;
		hash = pg_blob(res, i, 3, &hash_len);
		k->hash_known = hash != NULL && hash_len == 32;
		if (k->hash_known)
			memcpy(k->content_sha256, hash, 32);
		free(hash);
	}
	rc = 0;
out:
	PQclear(res);
	strbuf_free(&json);
	return rc;
}
