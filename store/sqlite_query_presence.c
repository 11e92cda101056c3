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

	while ((step = sqlite3_step(s)) == SQLITE_ROW)
		query_presence_rows_add(r, alloc, (const char *)sqlite3_column_text(s, 0),
		                        (const char *)sqlite3_column_text(s, 1),
		                        sqlite3_column_int64(s, 2),
		                        (uint32_t)sqlite3_column_int64(s, 3));
	if (step != SQLITE_DONE)
		return sqlite_fail(st, err, errlen, "cannot read reporters by day");
	return 0;
}

/* One block's statement and its current row (valid until its next step). */
struct presence_block {
	sqlite3_stmt *s;
	int live; /* a row is current */
	const char *domain, *organization;
};

static int presence_step(struct sqlite_store *st, struct presence_block *b, char *err,
                         size_t errlen)
{
	int step = sqlite3_step(b->s);
	const unsigned char *t;

	if (step != SQLITE_ROW && step != SQLITE_DONE)
		return sqlite_fail(st, err, errlen, "cannot read reporters by day");
	b->live = step == SQLITE_ROW;
	if (b->live) {
		t = sqlite3_column_text(b->s, 0);
		b->domain = t != NULL ? (const char *)t : "";
		t = sqlite3_column_text(b->s, 1);
		b->organization = t != NULL ? (const char *)t : "";
	}
	return 0;
}

/* Compares the current rows of a and b by domain, then organization, in
 * byte order: SQLite's BINARY collation for texts without NUL (a report's
 * text has none), '' (absent) first. */
static int presence_cmp(const struct presence_block *a, const struct presence_block *b)
{
	int c = strcmp(a->domain, b->domain);

	return c != 0 ? c : strcmp(a->organization, b->organization);
}

/* roll_presence's rows of the blocks from lo up to until, in the
 * contract's order (domain, organization, block). The key (first_day,
 * policy_domain, organization) gives each block's rows in domain order
 * but not the blocks' rows together: one ORDER BY over all of them made
 * SQLite sort every row (100,000 or more at a provider's scale). Each
 * block is read in its key order instead and the few blocks merged here;
 * on equal names the earlier block first. */
static int presence_read_blocks(struct sqlite_store *st, int64_t lo, int64_t until,
                                struct query_presence_rows *r, char *err, size_t errlen)
{
	struct presence_block *blocks = NULL;
	struct query_sql q;
	size_t i, n = 0, alloc = 0;
	int64_t first;
	int rc = -1;

	for (first = lo; first < until; first += QUERY_PRESENCE_SPAN)
		n++;
	blocks = xcalloc(n > 0 ? n : 1, sizeof(*blocks));
	for (i = 0; i < n; i++) {
		int failed;

		query_sql_init(&q);
		query_sql_add(&q, "SELECT policy_domain, organization, first_day, days FROM"
		                  " roll_presence WHERE first_day = ");
		query_sql_int(&q, lo + (int64_t)i * QUERY_PRESENCE_SPAN);
		/* the key's order: no sort */
		query_sql_add(&q, " ORDER BY policy_domain, organization");
		failed = sqlite_sql_prepare(st, &q, &blocks[i].s, err, errlen);
		query_sql_free(&q);
		if (failed < 0 || presence_step(st, &blocks[i], err, errlen) < 0)
			goto out;
	}
	for (;;) {
		struct presence_block *b = NULL;

		for (i = 0; i < n; i++)
			if (blocks[i].live && (b == NULL || presence_cmp(&blocks[i], b) < 0))
				b = &blocks[i];
		if (b == NULL)
			break;
		query_presence_rows_add(r, &alloc, b->domain, b->organization,
		                        sqlite3_column_int64(b->s, 2),
		                        (uint32_t)sqlite3_column_int64(b->s, 3));
		if (presence_step(st, b, err, errlen) < 0)
			goto out;
	}
	rc = 0;
out:
	for (i = 0; i < n; i++)
		sqlite3_finalize(blocks[i].s);
	free(blocks);
	return rc;
}

int sqlite_reporter_presence(struct store *base, int64_t since, int64_t until,
                             struct query_presence_rows *out, char *err, size_t errlen)
{
	struct sqlite_store *st = sqlite_of(base);
	struct query_presence_rows r = {NULL, 0, NULL};
	struct query_sql q;
	sqlite3_stmt *s = NULL;
	size_t alloc = 0;
	int rc = -1;

	query_sql_init(&q);
	if (st->rollups) {
		if (presence_read_blocks(st, since - since % QUERY_PRESENCE_SPAN, until, &r, err,
		                         errlen) < 0)
			goto out;
	} else {
		rollup_presence_sql(&q, 0, since, until);
		if (sqlite_sql_prepare(st, &q, &s, err, errlen) < 0 ||
		    presence_read(st, s, &r, &alloc, err, errlen) < 0)
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

/* Keeps the rows of r whose domain is one of domains[0..n) ("" for
 * absent), in order. */
static void presence_keep(struct query_presence_rows *r, const char *const *domains, size_t n)
{
	size_t i, j, kept = 0;

	for (i = 0; i < r->n; i++) {
		const char *d = r->rows[i].policy_domain != NULL ? r->rows[i].policy_domain : "";

		for (j = 0; j < n && strcmp(d, domains[j]) != 0; j++)
			;
		/* the strings stay in r's arena */
		if (j < n)
			r->rows[kept++] = r->rows[i];
	}
	r->n = kept;
}

int sqlite_reporter_presence_of(struct store *base, int64_t since, int64_t until,
                                const char *const *domains, size_t n,
                                struct query_presence_rows *out, char *err, size_t errlen)
{
	struct sqlite_store *st = sqlite_of(base);
	struct query_presence_rows r = {NULL, 0, NULL};
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
