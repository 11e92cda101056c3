/*
 * pg_write_lock.c - several writers on one PostgreSQL store at once
 * (issue 16, item 2; docs/postgresql.md "Several writers").
 *
 * A transaction takes the writer lock (an advisory lock) at its first
 * write, in one of two modes:
 * - shared, by ingest's reports (store_prefetch_reports, store_add_report):
 *   any number of ingest, collect and intake writers run at once. Each
 *   report key is locked (a transaction-level advisory lock on its hash)
 *   before it is looked up, so "find the report, else add it" sees every
 *   other writer's commit and no two writers add one key: each report is
 *   stored once, answered at once as on SQLite. A key lock is only ever
 *   tried while others are held; when another writer holds it, this
 *   writer commits what it has and then waits for the key holding
 *   nothing else, so two writers never wait on each other.
 * - exclusive, by everything else (the first statement through pg_exec:
 *   quarantine, prune, recount, copy, alert state ...), and by a shared
 *   writer that meets a conflict or a quarantine: it commits what it has
 *   and continues alone, as all writers did before.
 * Aggregate rows are added in key order by every writer (pg_write_batch.c,
 * the statement triggers of schema/pg/017), so writers adding to the same
 * rows wait in turn and never deadlock.
 *
 * Report ids are drawn from report's sequence a few at a time; the ids a
 * commit did not use go back to the sequence when no other writer drew
 * meanwhile, so one writer's ids follow SQLite's exactly. Input: report
 * keys (untrusted text, always sent as parameters).
 */
#include <stdio.h>
#include <string.h>

#include "limits.h"
#include "pg_impl.h"

/* Advisory lock keys (two int4): pg.c's class; 1 the writer lock (pg.c),
 * 5 the report-id draws. Key locks live in the one-bigint space, seeded
 * apart from the collectors' mailbox locks. */
#define LOCK_CLASS     "1953264503"
#define LOCK_WRITER    LOCK_CLASS ", 1"
#define LOCK_IDS       LOCK_CLASS ", 5"
#define KEY_HASH(o, i) "hashtextextended(length(" o ")::text || ':' || " o " || " i ", 1953264503)"

static int lock_exec(struct pg_store *st, const char *sql, int n, const char *const *values,
                     PGresult **out, const char *what, char *err, size_t errlen)
{
	/* straight to libpq: pg_exec would send the pending rows first */
	PGresult *r = PQexecParams(st->conn, sql, n, NULL, values, NULL, NULL, 0);

	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		pg_message(st, what, PQresultErrorMessage(r), err, errlen);
		PQclear(r);
		return -1;
	}
	if (out != NULL)
		*out = r;
	else
		PQclear(r);
	return 0;
}

int pg_writer_lock(struct pg_store *st, int mode, char *err, size_t errlen)
{
	const char *sql = mode == PG_WRITER_SHARED
	                      ? "SELECT pg_advisory_xact_lock_shared(" LOCK_WRITER ")"
	                      : "SELECT pg_advisory_xact_lock(" LOCK_WRITER ")";

	if (!st->in_batch || st->wlock >= mode)
		return 0;
	if (st->wlock != PG_WRITER_NONE) {
		snprintf(err, errlen, "internal error: the writer lock cannot be raised in place");
		return -1;
	}
	if (lock_exec(st, sql, 0, NULL, NULL, "cannot take the writer lock", err, errlen) < 0)
		return -1;
	st->wlock = mode;
	return 0;
}

int pg_writer_restart(struct pg_store *st, int mode, char *err, size_t errlen)
{
	st->restarts++;
	if (pg_commit(&st->base, err, errlen) < 0 || pg_begin(&st->base, err, errlen) < 0)
		return -1;
	if (pg_writer_lock(st, mode, err, errlen) < 0) {
		pg_rollback(&st->base);
		return -1;
	}
	return 0;
}

int pg_writer_alone(struct pg_store *st, char *err, size_t errlen)
{
	int rc;

	if (st->wlock == PG_WRITER_EXCLUSIVE)
		return 0;
	if (st->wlock == PG_WRITER_SHARED)
		rc = pg_writer_restart(st, PG_WRITER_EXCLUSIVE, err, errlen);
	else
		rc = pg_writer_lock(st, PG_WRITER_EXCLUSIVE, err, errlen);
	/* the next reports share again (pg_writer_share) */
	st->escalated = rc == 0;
	return rc;
}

int pg_writer_share(struct pg_store *st, char *err, size_t errlen)
{
	if (st->wlock == PG_WRITER_EXCLUSIVE && st->escalated)
		return pg_writer_restart(st, PG_WRITER_SHARED, err, errlen);
	return 0;
}

int pg_writer_room(struct pg_store *st, int n, char *err, size_t errlen)
{
	if (st->wlock == PG_WRITER_SHARED && st->key_locks + n > LIMIT_PG_KEY_LOCKS)
		return pg_writer_restart(st, PG_WRITER_SHARED, err, errlen);
	return 0;
}

int pg_key_lock(struct pg_store *st, const char *organization, const char *report_id, char *err,
                size_t errlen)
{
	const char *values[2] = {organization, report_id};
	PGresult *r;
	int held;

	if (pg_writer_room(st, 1, err, errlen) < 0 ||
	    pg_writer_lock(st, PG_WRITER_SHARED, err, errlen) < 0)
		return -1;
	if (st->wlock != PG_WRITER_SHARED)
		return 0; /* alone: no other writer to keep off */
	if (lock_exec(st, "SELECT pg_try_advisory_xact_lock(" KEY_HASH("$1::text", "$2") ")", 2,
	              values, &r, "cannot lock a report key", err, errlen) < 0)
		return -1;
	held = strcmp(pg_text(r, 0, 0), "t") == 0;
	PQclear(r);
	if (!held) {
		/* another writer has it: wait for it holding nothing else */
		if (pg_writer_restart(st, PG_WRITER_SHARED, err, errlen) < 0 ||
		    lock_exec(st, "SELECT pg_advisory_xact_lock(" KEY_HASH("$1::text", "$2") ")", 2,
		              values, NULL, "cannot lock a report key", err, errlen) < 0)
			return -1;
	}
	st->key_locks++;
	return 0;
}

int pg_keys_lock(struct pg_store *st, const char *json, int n, PGresult **busy, char *err,
                 size_t errlen)
{
	const char *values[1] = {json};

	*busy = NULL;
	if (st->wlock != PG_WRITER_SHARED)
		return 0;
	if (lock_exec(st,
	              "SELECT q.o, q.i FROM jsonb_to_recordset($1::jsonb) AS q(o text, i text)"
	              " WHERE NOT pg_try_advisory_xact_lock(" KEY_HASH("q.o", "q.i") ")",
	              1, values, busy, "cannot lock report keys", err, errlen) < 0)
		return -1;
	st->key_locks += n;
	return 0;
}

/* report's id sequence, as an oid in text: asked once per connection */
static int ids_seq(struct pg_store *st, char *err, size_t errlen)
{
	PGresult *r;

	if (st->ids.seq[0] != '\0')
		return 0;
	if (lock_exec(st, "SELECT pg_get_serial_sequence('report', 'id')::regclass::oid", 0, NULL,
	              &r, "cannot find the id sequence", err, errlen) < 0)
		return -1;
	snprintf(st->ids.seq, sizeof(st->ids.seq), "%s", pg_text(r, 0, 0));
	PQclear(r);
	return 0;
}

int pg_ids_take(struct pg_store *st, int want, int64_t *id, char *err, size_t errlen)
{
	struct pg_ids *p = &st->ids;
	char n[16];
	const char *values[2];
	PGresult *r;
	int i;

	if (p->next >= p->n) {
		if (ids_seq(st, err, errlen) < 0)
			return -1;
		if (want < 1)
			want = 1;
		if (want > PG_IDS_AHEAD)
			want = PG_IDS_AHEAD;
		snprintf(n, sizeof(n), "%d", want);
		values[0] = p->seq;
		values[1] = n;
		/* the draw holds lock 5 shared to the commit: pg_ids_return
		 * gives ids back only when no other transaction drew since */
		if (lock_exec(st,
		              "SELECT nextval($1::regclass) FROM"
		              " (SELECT pg_advisory_xact_lock_shared(" LOCK_IDS ")) AS l,"
		              " generate_series(1, $2::int) AS g ORDER BY g",
		              2, values, &r, "cannot take a report id", err, errlen) < 0)
			return -1;
		for (i = 0; i < PQntuples(r) && i < PG_IDS_AHEAD; i++)
			p->id[i] = pg_int(r, i, 0);
		p->n = i;
		p->next = 0;
		PQclear(r);
		if (p->n == 0) {
			snprintf(err, errlen, "database %s: cannot take a report id", st->shown);
			return -1;
		}
	}
	*id = p->id[p->next++];
	return 0;
}

int pg_ids_return(struct pg_store *st, char *err, size_t errlen)
{
	struct pg_ids *p = &st->ids;
	char first[24], last[24];
	const char *values[3];
	PGresult *r;

	if (p->next >= p->n)
		return 0;
	/* only a run of ids at the sequence's end can go back */
	if (p->id[p->n - 1] - p->id[p->next] != p->n - 1 - p->next)
		return 0;
	snprintf(first, sizeof(first), "%lld", (long long)p->id[p->next]);
	snprintf(last, sizeof(last), "%lld", (long long)p->id[p->n - 1]);
	values[0] = p->seq;
	values[1] = first;
	values[2] = last;
	/* exclusive lock 5 (tried): no open transaction drew since; the last
	 * value ours: no closed one did */
	if (lock_exec(st,
	              "SELECT CASE WHEN NOT pg_try_advisory_xact_lock(" LOCK_IDS ") THEN 0"
	              " WHEN pg_sequence_last_value($1::regclass) = $3::bigint"
	              " THEN setval($1::regclass, $2::bigint, false) ELSE 0 END",
	              3, values, &r, "cannot give report ids back", err, errlen) < 0)
		return -1;
	/* gone back: the next draw gets them again; else still ours */
	if (pg_int(r, 0, 0) != 0)
		p->next = p->n = 0;
	PQclear(r);
	return 0;
}
