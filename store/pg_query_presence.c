/*
 * pg_query_presence.c - reporter days as bits (query_reason.h,
 * schema/pg/014_presence.sql) on PostgreSQL: the same rows as
 * sqlite_query_presence.c. Rows hold report text (untrusted): copied only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_impl.h"
#include "query_reason.h"
#include "rollup.h"
#include "xalloc.h"

/* The first row of each block of r (rows in the key's order: first_day,
 * policy_domain, organization) and where it ends. */
struct pg_block {
	int row, end;
};

static int pg_block_cmp(const PGresult *r, const struct pg_block *a, const struct pg_block *b)
{
	int c = strcmp(pg_text(r, a->row, 0), pg_text(r, b->row, 0));

	return c != 0 ? c : strcmp(pg_text(r, a->row, 1), pg_text(r, b->row, 1));
}

/* r's rows in the contract's order (domain, organization, block): each
 * block's rows come in name order from the key, so the few blocks are
 * merged here, on equal names the earlier block first, as
 * sqlite_query_presence.c does. An ORDER BY of the names made the server
 * sort every row (51,500 at 500 domains, a third of the read). */
static void pg_presence_merge(const PGresult *r, struct query_presence_rows *rows)
{
	struct pg_block *blocks = NULL;
	size_t i, n = 0, alloc = 0;
	int row, total = PQntuples(r);

	for (row = 0; row < total; row++) {
		if (row > 0 && pg_int(r, row, 2) == pg_int(r, row - 1, 2))
			continue;
		if (n > 0)
			blocks[n - 1].end = row;
		if (n == alloc) {
			alloc = alloc ? alloc * 2 : 4;
			blocks = xreallocarray(blocks, alloc, sizeof(*blocks));
		}
		blocks[n].row = row;
		blocks[n++].end = total;
	}
	alloc = 0;
	for (;;) {
		struct pg_block *b = NULL;

		for (i = 0; i < n; i++)
			if (blocks[i].row < blocks[i].end &&
			    (b == NULL || pg_block_cmp(r, &blocks[i], b) < 0))
				b = &blocks[i];
		if (b == NULL)
			break;
		query_presence_rows_add(rows, &alloc, pg_text(r, b->row, 0), pg_text(r, b->row, 1),
		                        pg_int(r, b->row, 2), (uint32_t)pg_int(r, b->row, 3));
		b->row++;
	}
	free(blocks);
}

/* r's rows (policy_domain, organization, first_day, days) added in order. */
static void pg_presence_take(const PGresult *r, struct query_presence_rows *rows)
{
	size_t alloc = 0;
	int i;

	for (i = 0; i < PQntuples(r); i++)
		query_presence_rows_add(rows, &alloc, pg_text(r, i, 0), pg_text(r, i, 1),
		                        pg_int(r, i, 2), (uint32_t)pg_int(r, i, 3));
}

int pg_reporter_presence(struct store *base, int64_t since, int64_t until,
                         struct query_presence_rows *out, char *err, size_t errlen)
{
	struct pg_store *st = pg_of(base);
	struct query_sql q;
	PGresult *r = NULL;
	int rc = -1;

	pg_sql_init(&q);
	if (st->rollups) {
		/* the key's order: an index-only scan, no sort (030) */
		query_sql_add(&q, "SELECT policy_domain, organization, first_day, days FROM"
		                  " roll_presence WHERE first_day >= ");
		query_sql_int(&q, since - since % QUERY_PRESENCE_SPAN);
		query_sql_add(&q, " AND first_day < ");
		query_sql_int(&q, until);
		query_sql_add(&q, " ORDER BY first_day, policy_domain, organization");
	} else {
		rollup_presence_sql(&q, 0, since, until);
	}
	if ((r = pg_exec_sql(st, &q, "cannot read reporters by day", err, errlen)) == NULL)
		goto out;
	memset(out, 0, sizeof(*out));
	if (st->rollups)
		pg_presence_merge(r, out);
	else
		pg_presence_take(r, out);
	rc = 0;
out:
	PQclear(r);
	query_sql_free(&q);
	return rc;
}

int pg_reporter_presence_of(struct store *base, int64_t since, int64_t until,
                            const char *const *domains, size_t n, struct query_presence_rows *out,
                            char *err, size_t errlen)
{
	struct pg_store *st = pg_of(base);
	struct pg_params p;
	struct strbuf doms, blocks;
	PGresult *r = NULL;
	int rc = -1;

	/* without the roll-ups every row is grouped from agg_domain anyway */
	if (!st->rollups)
		return pg_reporter_presence(base, since, until, out, err, errlen);
	pg_step_array(&blocks, since - since % QUERY_PRESENCE_SPAN, until, QUERY_PRESENCE_SPAN);
	if (pg_text_array(&doms, domains, n) < 0) {
		snprintf(err, errlen, "internal error: domain list too long");
		goto out;
	}
	/* each (block, domain) one descent of the key: a few rows per
	 * reporter of the alerts' domains instead of every domain's */
	pg_params_init(&p);
	pg_param_text(&p, strbuf_str(&blocks));
	pg_param_text(&p, strbuf_str(&doms));
	if ((r = pg_exec(st,
	                 "SELECT policy_domain, organization, first_day, days FROM roll_presence"
	                 " WHERE first_day = ANY($1::bigint[]) AND policy_domain = ANY($2::text[])"
	                 " ORDER BY policy_domain, organization, first_day",
	                 &p, "cannot read reporters by day", err, errlen)) == NULL)
		goto out;
	memset(out, 0, sizeof(*out));
	pg_presence_take(r, out);
	rc = 0;
out:
	PQclear(r);
	strbuf_free(&doms);
	strbuf_free(&blocks);
	return rc;
}
