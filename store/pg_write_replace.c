/*
 * pg_write_replace.c - the aggregate tables made what a recount counted
 * (pg_batch_replace_aggregates): the rows the batch held in its temporary
 * tables, summed per key, and only the rows that differ deleted, updated
 * or added. Deleting every row and adding every row again ran the
 * roll-ups' statement triggers over all of them: at 9.5 million reports
 * 'DELETE FROM agg_domain' alone had not ended after 8 minutes. A recount
 * under the same rules now changes no row. The SQL is built from the
 * tables' shapes below, never from data.
 */
#include <stdio.h>
#include <string.h>

#include "pg_impl.h"
#include "strbuf.h"

/* An aggregate table: its key and its figures (schema/pg/007). The
 * batch's rows are in pg_temp.tw_NAME (pg_write_batch.c). */
struct replace_shape {
	const char *name;
	const char *keys[5];
	const char *values[3];
};

static const struct replace_shape replace_shapes[] = {
    {"agg_domain",
     {"day", "policy_domain", "organization"},
     {"reports", "successful_sessions", "failed_sessions"}},
    {"agg_failure",
     {"day", "policy_domain", "organization", "mx_host", "result_type"},
     {"failed_sessions"}},
    {"agg_mx", {"day", "policy_domain", "organization", "mx_host"}, {"failed_sessions"}},
    {"agg_policy_type",
     {"day", "policy_domain", "organization", "policy_type"},
     {"policies", "successful_sessions", "failed_sessions"}},
};

/* Appends each column of list (up to n, NULL-ended) as pre NAME, or pre
 * NAME mid NAME when mid is not NULL, joined by sep. 0, or -1 past q's
 * cap. */
static int replace_cols(struct strbuf *q, const char *const *list, size_t n, const char *pre,
                        const char *mid, const char *sep)
{
	size_t i;
	int bad = 0;

	for (i = 0; i < n && list[i] != NULL; i++) {
		bad |= strbuf_puts(q, i > 0 ? sep : "");
		bad |= strbuf_puts(q, pre);
		bad |= strbuf_puts(q, list[i]);
		if (mid != NULL) {
			bad |= strbuf_puts(q, mid);
			bad |= strbuf_puts(q, list[i]);
		}
	}
	return bad;
}

#define N_KEYS(s)   (sizeof((s)->keys) / sizeof((s)->keys[0]))
#define N_VALUES(s) (sizeof((s)->values) / sizeof((s)->values[0]))

/* The statements that make table s its sums, into q: 0, or -1 past q's
 * cap. */
static int replace_sql(struct strbuf *q, const struct replace_shape *s)
{
	const char *t = s->name;
	int bad = 0;

	/* the sums, analyzed: the joins below are hashed, not looped */
	bad |= strbuf_printf(q, "CREATE TEMP TABLE tw_sum_%s AS SELECT ", t);
	bad |= replace_cols(q, s->keys, N_KEYS(s), "", NULL, ", ");
	bad |= strbuf_puts(q, ", ");
	bad |= replace_cols(q, s->values, N_VALUES(s), "sum(", ")::bigint AS ", ", ");
	bad |= strbuf_printf(q, " FROM pg_temp.tw_%s GROUP BY ", t);
	bad |= replace_cols(q, s->keys, N_KEYS(s), "", NULL, ", ");
	bad |= strbuf_printf(q, "; DELETE FROM pg_temp.tw_%s; ANALYZE pg_temp.tw_sum_%s", t, t);
	/* rows no report counts any more */
	bad |= strbuf_printf(q,
	                     "; DELETE FROM %s a WHERE NOT EXISTS (SELECT 1 FROM pg_temp.tw_sum_%s"
	                     " n WHERE ",
	                     t, t);
	bad |= replace_cols(q, s->keys, N_KEYS(s), "n.", " = a.", " AND ");
	/* rows whose figures changed */
	bad |= strbuf_printf(q, "); UPDATE %s a SET ", t);
	bad |= replace_cols(q, s->values, N_VALUES(s), "", " = n.", ", ");
	bad |= strbuf_printf(q, " FROM pg_temp.tw_sum_%s n WHERE ", t);
	bad |= replace_cols(q, s->keys, N_KEYS(s), "n.", " = a.", " AND ");
	bad |= strbuf_puts(q, " AND (");
	bad |= replace_cols(q, s->values, N_VALUES(s), "a.", NULL, ", ");
	bad |= strbuf_puts(q, ") IS DISTINCT FROM (");
	bad |= replace_cols(q, s->values, N_VALUES(s), "n.", NULL, ", ");
	/* new rows, in key order as the batch adds them */
	bad |= strbuf_printf(q, "); INSERT INTO %s (", t);
	bad |= replace_cols(q, s->keys, N_KEYS(s), "", NULL, ", ");
	bad |= strbuf_puts(q, ", ");
	bad |= replace_cols(q, s->values, N_VALUES(s), "", NULL, ", ");
	bad |= strbuf_puts(q, ") SELECT ");
	bad |= replace_cols(q, s->keys, N_KEYS(s), "n.", NULL, ", ");
	bad |= strbuf_puts(q, ", ");
	bad |= replace_cols(q, s->values, N_VALUES(s), "n.", NULL, ", ");
	bad |= strbuf_printf(q,
	                     " FROM pg_temp.tw_sum_%s n WHERE NOT EXISTS (SELECT 1 FROM %s a"
	                     " WHERE ",
	                     t, t);
	bad |= replace_cols(q, s->keys, N_KEYS(s), "n.", " = a.", " AND ");
	bad |= strbuf_puts(q, ") ORDER BY ");
	bad |= replace_cols(q, s->keys, N_KEYS(s), "n.", NULL, ", ");
	bad |= strbuf_printf(q, "; DROP TABLE pg_temp.tw_sum_%s", t);
	return bad;
}

int pg_batch_replace_aggregates(struct pg_store *st, char *err, size_t errlen)
{
	struct strbuf q;
	PGresult *r;
	size_t i;
	int ok = 1;

	/* none were made when no report was counted */
	if (pg_batch_temp_tables(st, err, errlen) < 0)
		return -1;
	for (i = 0; ok && i < sizeof(replace_shapes) / sizeof(replace_shapes[0]); i++) {
		/* about 1,500 bytes of names: past the cap is a programmer error */
		strbuf_init(&q, 8192);
		if (replace_sql(&q, &replace_shapes[i]) != 0) {
			snprintf(err, errlen, "internal error: recount statement too long");
			strbuf_free(&q);
			return -1;
		}
		r = PQexec(st->conn, strbuf_str(&q));
		ok = PQresultStatus(r) == PGRES_COMMAND_OK;
		if (!ok)
			pg_message(st, "cannot write the recounted aggregates",
			           PQresultErrorMessage(r), err, errlen);
		PQclear(r);
		strbuf_free(&q);
	}
	return ok ? 0 : -1;
}
