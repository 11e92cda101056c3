/*
 * pg_pipeline.c - statements sent at once (pg_exec_each): libpq's
 * pipeline mode, so the server runs the next statement while the caller
 * takes the rows of one, and one round trip for all. The alert series'
 * three reads at 10M reports: 95 -> 90 ms for 'alert' (docs/performance.md).
 */
#include <stdio.h>

#include "pg_impl.h"

/* pg_exec_each one statement at a time. */
static int pg_exec_each_alone(struct pg_store *st, const char *const *sql, size_t n,
                              const struct pg_params *const *p, const char *what,
                              void (*take)(void *ctx, size_t i, const PGresult *r), void *ctx,
                              char *err, size_t errlen)
{
	PGresult *r;
	size_t i;

	for (i = 0; i < n; i++) {
		if ((r = pg_exec(st, sql[i], p[i], what, err, errlen)) == NULL)
			return -1;
		take(ctx, i, r);
		PQclear(r);
	}
	return 0;
}

int pg_exec_each(struct pg_store *st, const char *const *sql, size_t n,
                 const struct pg_params *const *p, const char *what,
                 void (*take)(void *ctx, size_t i, const PGresult *r), void *ctx, char *err,
                 size_t errlen)
{
	PGconn *c = st->conn;
	PGresult *r;
	size_t i, taken = 0;
	int ok = 1, synced, failed = 0;

	/* a parameter that failed: pg_exec says so */
	for (i = 0; i < n; i++)
		failed |= p[i]->failed;
	if (failed || st->in_batch || pg_batch_pending(st) || PQenterPipelineMode(c) != 1)
		return pg_exec_each_alone(st, sql, n, p, what, take, ctx, err, errlen);
	for (i = 0; ok && i < n; i++)
		ok = PQsendQueryParams(c, sql[i], p[i]->n, NULL, p[i]->values, p[i]->lengths,
		                       p[i]->formats, 0) == 1;
	/* whatever was sent ends at the sync */
	synced = PQpipelineSync(c) == 1;
	ok = ok && synced;
	err[0] = '\0';
	/* each statement's results end with a NULL; an error aborts the
	 * rest, which still answer (PGRES_PIPELINE_ABORTED) */
	for (i = 0; ok && i < n; i++) {
		while ((r = PQgetResult(c)) != NULL) {
			if (PQresultStatus(r) == PGRES_TUPLES_OK && ok) {
				take(ctx, i, r);
				taken++;
			} else if (ok) {
				pg_message(st, what, PQresultErrorMessage(r), err, errlen);
				ok = 0;
			}
			PQclear(r);
		}
	}
	/* to the sync, past the results left (each statement's end with a
	 * NULL), unless the connection is gone: a pipeline left open would
	 * fail every later statement of the connection */
	while (synced) {
		int sync;

		if ((r = PQgetResult(c)) == NULL) {
			if (PQstatus(c) != CONNECTION_OK)
				break;
			continue;
		}
		sync = PQresultStatus(r) == PGRES_PIPELINE_SYNC;
		PQclear(r);
		if (sync)
			break;
	}
	if (PQexitPipelineMode(c) != 1 && ok) {
		pg_message(st, what, PQerrorMessage(c), err, errlen);
		ok = 0;
	}
	if (ok)
		return 0;
	/* a server restarted since the last statement: as pg_exec does */
	if (PQstatus(c) == CONNECTION_BAD && taken == 0)
		return pg_exec_each_alone(st, sql, n, p, what, take, ctx, err, errlen);
	if (err[0] == '\0')
		pg_message(st, what, PQerrorMessage(c), err, errlen);
	return -1;
}
