/*
 * pg_query_presence.c - reporter days as bits (query_reason.h,
 * schema/pg/014_presence.sql) on PostgreSQL: the same rows as
 * sqlite_query_presence.c. Rows hold report text (untrusted): copied only.
 */
#include <stdlib.h>
#include <string.h>

#include "pg_impl.h"
#include "query_reason.h"
#include "rollup.h"

int pg_reporter_presence(struct store *base, int64_t since, int64_t until,
                         struct query_presence_rows *out, char *err, size_t errlen)
{
	struct pg_store *st = pg_of(base);
	struct query_presence_rows rows = {NULL, 0, NULL};
	struct query_sql q;
	PGresult *r = NULL;
	size_t alloc = 0;
	int i, n, rc = -1;

	pg_sql_init(&q);
	rollup_presence_sql(&q, st->rollups, since, until);
	if ((r = pg_exec_sql(st, &q, "cannot read reporters by day", err, errlen)) == NULL)
		goto out;
	n = PQntuples(r);
	for (i = 0; i < n; i++)
		query_presence_rows_add(&rows, &alloc, pg_text(r, i, 0), pg_text(r, i, 1),
		                        pg_int(r, i, 2), (uint32_t)pg_int(r, i, 3));
	*out = rows;
	memset(&rows, 0, sizeof(rows));
	rc = 0;
out:
	query_presence_rows_free(&rows);
	PQclear(r);
	query_sql_free(&q);
	return rc;
}
