/*
 * sqlite_query_presence.c - reporter days as bits (query_reason.h,
 * schema/014_presence.sql) on SQLite. Rows hold report text (untrusted):
 * copied only.
 */
#include <stdlib.h>
#include <string.h>

#include "query_reason.h"
#include "rollup.h"
#include "sqlite_impl.h"
#include "sqlite_query_impl.h"
#include "xalloc.h"

int sqlite_reporter_presence(struct store *base, int64_t since, int64_t until,
                             struct query_presence_rows *out, char *err, size_t errlen)
{
	struct sqlite_store *st = sqlite_of(base);
	struct query_presence_rows r = {NULL, 0};
	struct query_sql q;
	sqlite3_stmt *s = NULL;
	size_t alloc = 0;
	int step, rc = -1;

	query_sql_init(&q);
	rollup_presence_sql(&q, st->rollups, since, until);
	if (sqlite_sql_prepare(st, &q, &s, err, errlen) < 0)
		goto out;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		struct query_presence *row;
		const unsigned char *d = sqlite3_column_text(s, 0);

		if (r.n == alloc) {
			alloc = alloc ? alloc * 2 : 256;
			r.rows = xreallocarray(r.rows, alloc, sizeof(*r.rows));
		}
		row = &r.rows[r.n++];
		row->policy_domain = d != NULL && d[0] != '\0' ? xstrdup((const char *)d) : NULL;
		row->organization = query_column_strdup(s, 1);
		row->first_day = sqlite3_column_int64(s, 2);
		row->days = (uint32_t)sqlite3_column_int64(s, 3);
	}
	if (step != SQLITE_DONE) {
		sqlite_fail(st, err, errlen, "cannot read reporters by day");
		goto out;
	}
	*out = r;
	memset(&r, 0, sizeof(r));
	rc = 0;
out:
	query_presence_rows_free(&r);
	sqlite3_finalize(s);
	query_sql_free(&q);
	return rc;
}
