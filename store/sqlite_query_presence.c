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

/* Appends the rows of s (policy_domain, organization, first_day, days)
 * to r; *alloc is r's room. */
static int presence_read(struct sqlite_store *st, sqlite3_stmt *s, struct query_presence_rows *r,
                         size_t *alloc, char *err, size_t errlen)
{
	int step;

	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		struct query_presence *row;
		const unsigned char *d = sqlite3_column_text(s, 0);

		if (r->n == *alloc) {
			*alloc = *alloc ? *alloc * 2 : 256;
			r->rows = xreallocarray(r->rows, *alloc, sizeof(*r->rows));
		}
		row = &r->rows[r->n++];
		row->policy_domain = d != NULL && d[0] != '\0' ? xstrdup((const char *)d) : NULL;
		row->organization = query_column_strdup(s, 1);
		row->first_day = sqlite3_column_int64(s, 2);
		row->days = (uint32_t)sqlite3_column_int64(s, 3);
	}
	if (step != SQLITE_DONE)
		return sqlite_fail(st, err, errlen, "cannot read reporters by day");
	return 0;
}

int sqlite_reporter_presence(struct store *base, int64_t since, int64_t until,
                             struct query_presence_rows *out, char *err, size_t errlen)
{
	struct sqlite_store *st = sqlite_of(base);
	struct query_presence_rows r = {NULL, 0};
	struct query_sql q;
	sqlite3_stmt *s = NULL;
	size_t alloc = 0;
	int rc = -1;

	query_sql_init(&q);
	rollup_presence_sql(&q, st->rollups, since, until);
	if (sqlite_sql_prepare(st, &q, &s, err, errlen) < 0 ||
	    presence_read(st, s, &r, &alloc, err, errlen) < 0)
		goto out;
	*out = r;
	memset(&r, 0, sizeof(r));
	rc = 0;
out:
	query_presence_rows_free(&r);
	sqlite3_finalize(s);
	query_sql_free(&q);
	return rc;
}

/* Keeps the rows of r whose domain is one of domains[0..n) ("" for
 * absent), in order. */
static void presence_keep(struct query_presence_rows *r, const char *const *domains, size_t n)
{
	size_t i, j, kept = 0;

	for (i = 0; i < r->n; i++) {
		const char *d = r->rows[i].policy_domain != NULL ? r->rows[i].policy_domain : "";

		for (j = 0; j < n && strcmp(d, domains[j]) != 0; j++)
			;
		if (j < n) {
			r->rows[kept++] = r->rows[i];
			continue;
		}
		free(r->rows[i].policy_domain);
		free(r->rows[i].organization);
	}
	r->n = kept;
}

int sqlite_reporter_presence_of(struct store *base, int64_t since, int64_t until,
                                const char *const *domains, size_t n,
                                struct query_presence_rows *out, char *err, size_t errlen)
{
	struct sqlite_store *st = sqlite_of(base);
	struct query_presence_rows r = {NULL, 0};
	struct query_sql q;
	sqlite3_stmt *s = NULL;
	int64_t block;
	size_t i, alloc = 0;
	int rc = -1;

	/* the details have no index by domain first: read them all once */
	if (!st->rollups) {
		if (sqlite_reporter_presence(base, since, until, &r, err, errlen) < 0)
			return -1;
		presence_keep(&r, domains, n);
		*out = r;
		return 0;
	}
	/* each domain's rows by seeks of roll_presence's key (first_day,
	 * policy_domain, organization), one per block: a few rows per
	 * reporter instead of every domain's (about 100,000 rows at 500
	 * domains) */
	query_sql_init(&q);
	query_sql_add(&q, "SELECT policy_domain, organization, first_day, days FROM roll_presence"
	                  " WHERE policy_domain = ");
	query_sql_text(&q, ""); /* value 1: each domain in turn */
	query_sql_add(&q, " AND first_day IN (");
	for (block = since - since % QUERY_PRESENCE_SPAN; block < until;
	     block += QUERY_PRESENCE_SPAN) {
		if (block != since - since % QUERY_PRESENCE_SPAN)
			query_sql_add(&q, ", ");
		query_sql_int(&q, block);
	}
	query_sql_add(&q, ") ORDER BY organization, first_day");
	if (sqlite_sql_prepare(st, &q, &s, err, errlen) < 0)
		goto out;
	for (i = 0; i < n; i++) {
		sqlite_bind_text(s, 1, domains[i]);
		if (presence_read(st, s, &r, &alloc, err, errlen) < 0)
			goto out;
		sqlite3_reset(s);
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
