/*
 * pg_write_recount.c - rebuilding every aggregate from the stored reports
 * on PostgreSQL ('tlswatch db recount', and a migration that asks for it
 * through recount_pending): the same as sqlite_write_recount.c. The
 * reports are read back a round at a time (pg_readback.c) and counted by
 * core/tally.c as ingest counts them; their totals are written in one
 * statement a round where they changed, their aggregate rows held in the
 * batch's temporary tables (pg_batch_add_aggregates, batch_held), and at
 * the end the aggregates replaced by their difference
 * (pg_write_replace.c); the roll-ups follow by their triggers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "limits.h"
#include "pg_impl.h"
#include "strbuf.h"
#include "tally.h"
#include "xalloc.h"

/* with each report's totals as stored, to write only those that change */
#define SQL_REPORTS                                                                                \
	"SELECT id, organization, report_id, start_time, end_time, day, successful_sessions,"      \
	" failed_sessions FROM report WHERE id > $1 ORDER BY id LIMIT $2"
/* by (id, day), the partitions' key; the ANY()s let the planner seek
 * the few months' keys (joined alone, it merged the whole table with
 * the list) */
#define SQL_REPORT_TOTALS                                                                          \
	"UPDATE report r SET successful_sessions = k.ok, failed_sessions = k.bad"                  \
	" FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[]) AS k(id, day, ok,"   \
	" bad) WHERE r.id = ANY($1::bigint[]) AND r.day = ANY($2::bigint[]) AND r.id = k.id"       \
	" AND r.day = k.day"

/* The round's reports (rows [first, first + rb->n) of page): their
 * totals where they changed (a recount under the same rules changes
 * none), and their aggregates into the batch. */
static int recount_round(struct pg_store *st, const PGresult *page, int first,
                         const struct pg_readback *rb, char *err, size_t errlen)
{
	int64_t *v = xcalloc(4 * (rb->n + 1), sizeof(*v));
	struct strbuf a[4];
	struct pg_params p;
	size_t i, j, n = 0;
	int rc = -1, row;

	for (i = 0; i < rb->n; i++) {
		const struct tally *t = &rb->tallies[i];

		row = first + (int)i;
		if (pg_int(page, row, 6) == t->successful_sessions &&
		    pg_int(page, row, 7) == t->failed_sessions)
			continue;
		v[n] = pg_int(page, row, 0);
		v[rb->n + n] = pg_int(page, row, 5);
		v[2 * rb->n + n] = t->successful_sessions;
		v[3 * rb->n + n++] = t->failed_sessions;
	}
	pg_params_init(&p);
	for (j = 0; j < 4; j++) {
		pg_int_array(&a[j], v + j * rb->n, n);
		pg_param_text(&p, strbuf_str(&a[j]));
	}
	if (n > 0 &&
	    pg_run(st, SQL_REPORT_TOTALS, &p, "cannot update report totals", NULL, err, errlen) < 0)
		goto out;
	for (i = 0; i < rb->n; i++)
		if (pg_batch_add_aggregates(st, &rb->reports[i], &rb->tallies[i], err, errlen) < 0)
			goto out;
	rc = 0;
out:
	for (j = 0; j < 4; j++)
		strbuf_free(&a[j]);
	free(v);
	return rc;
}

int pg_recount(struct store *base, void (*progress)(int64_t done, int64_t total, void *arg),
               void *arg, int64_t *reports, char *err, size_t errlen)
{
	struct pg_store *st = pg_of(base);
	struct pg_params p;
	struct pg_readback rb = {NULL, NULL, 0};
	PGresult *page = NULL;
	int64_t total = 0, done = 0, last = 0;
	int row, rows, taken;

	if (st->in_batch) {
		snprintf(err, errlen, "internal error: store_recount inside a batch");
		return -1;
	}
	/* one transaction: a reader sees the old figures or the new ones */
	if (pg_begin(base, err, errlen) < 0)
		return -1;
	/* the aggregates go with the batch, a few thousand reports' at once,
	 * into its temporary tables, and replace agg_* at the end; what is
	 * read meanwhile (reports, policies) does not need them */
	st->batch_held = 1;
	if (pg_get_int(st, "SELECT count(*) FROM report", NULL, "cannot count reports", &total, err,
	               errlen) < 0)
		goto fail;
	if (pg_run(st, "DELETE FROM recount_pending", NULL, "cannot clear the recount asked for",
	           NULL, err, errlen) < 0)
		goto fail;
	do {
		pg_params_init(&p);
		pg_param_int(&p, last);
		pg_param_int(&p, LIMIT_READBACK_REPORTS);
		if ((page = pg_exec(st, SQL_REPORTS, &p, "cannot read reports to recount", err,
		                    errlen)) == NULL)
			goto fail;
		rows = PQntuples(page);
		for (row = 0; row < rows; row += taken) {
			if (pg_readback_round(st, page, row, rows, &rb, err, errlen) < 0)
				goto fail;
			if (recount_round(st, page, row, &rb, err, errlen) < 0)
				goto fail;
			taken = (int)rb.n;
			done += taken;
			pg_readback_free(&rb);
			if (progress != NULL)
				progress(done, total, arg);
		}
		if (rows > 0)
			last = pg_int(page, rows - 1, 0);
		PQclear(page);
		page = NULL;
	} while (rows == LIMIT_READBACK_REPORTS);
	/* what tally.c reads is all rebuilt; the lifetime totals of pruned
	 * days (*_pruned) have no reports left to recount and stay */
	if (pg_batch_flush(st, err, errlen) < 0 || pg_batch_replace_aggregates(st, err, errlen) < 0)
		goto fail;
	st->batch_held = 0;
	if (pg_commit(base, err, errlen) < 0)
		return -1;
	*reports = done;
	return 0;
fail:
	st->batch_held = 0;
	pg_readback_free(&rb);
	PQclear(page);
	pg_rollback(base);
	return -1;
}

int pg_recount_pending(struct pg_store *st, char *err, size_t errlen)
{
	int64_t pending, n;

	if (pg_get_int(st, "SELECT count(*) FROM recount_pending", NULL, "cannot read", &pending,
	               err, errlen) < 0)
		return -1;
	return pending > 0 ? pg_recount(&st->base, NULL, NULL, &n, err, errlen) : 0;
}
