/*
 * pg_write_part.c - the month partitions a new report needs, made in the
 * writer's transaction (schema/pg/018_month_partitions.sql,
 * docs/postgresql.md "Retention: month partitions"). Input: a report's
 * day, validated (LIMIT_YEAR_MIN..LIMIT_YEAR_MAX).
 */
#include <string.h>

#include "datetime.h"
#include "pg_impl.h"

/* The first day of day's UTC month, as the schema's tlswatch_month_first
 * computes it: the cache below tells two days of one month apart without
 * a round trip. */
static int64_t part_month_first(int64_t day)
{
	char buf[16], ignored[8];
	int64_t first = day;

	datetime_format_day(day, buf, sizeof(buf));
	buf[8] = '0';
	buf[9] = '1';
	return datetime_parse_day(buf, &first, ignored, sizeof(ignored)) == 0 ? first : day;
}

int pg_month_ensure(struct pg_store *st, int64_t day, char *err, size_t errlen)
{
	int64_t month = part_month_first(day);
	struct pg_params p;
	PGresult *r;
	int i, ok, made;

	for (i = 0; i < st->n_months; i++)
		if (st->months[i] == month)
			return 0;
	pg_params_init(&p);
	pg_param_int(&p, day);
	/* straight to libpq, as pg_month_recheck. Making a partition waits
	 * for every transaction that used its table: a shared writer
	 * (pg_write_lock.c) makes one alone, after a commit */
	if (st->wlock == PG_WRITER_SHARED) {
		r = PQexecParams(st->conn,
		                 "SELECT to_regclass('failure_m' || to_char(DATE '1970-01-01' +"
		                 " tlswatch_month_first($1::bigint)::int, 'YYYYMM')) IS NOT NULL",
		                 1, NULL, p.values, NULL, NULL, 0);
		ok = PQresultStatus(r) == PGRES_TUPLES_OK;
		made = ok && strcmp(pg_text(r, 0, 0), "t") == 0;
		if (!ok)
			pg_message(st, "cannot find a month partition", PQresultErrorMessage(r),
			           err, errlen);
		PQclear(r);
		if (!ok || (!made && pg_writer_alone(st, err, errlen) < 0))
			return -1;
		if (made)
			goto seen;
	}
	r = PQexecParams(st->conn, "SELECT tlswatch_month_partition($1::bigint)", 1, NULL, p.values,
	                 NULL, NULL, 0);
	ok = PQresultStatus(r) == PGRES_TUPLES_OK;
	if (!ok)
		pg_message(st, "cannot make a month partition", PQresultErrorMessage(r), err,
		           errlen);
	PQclear(r);
	if (!ok)
		return -1;
seen:
	/* a full cache forgets its oldest: at worst one more round trip */
	if (st->n_months == PG_MONTHS_SEEN) {
		for (i = 1; i < PG_MONTHS_SEEN; i++)
			st->months[i - 1] = st->months[i];
		st->n_months--;
	}
	st->months[st->n_months++] = month;
	return 0;
}

int pg_month_recheck(struct pg_store *st, char *err, size_t errlen)
{
	char list[PG_MONTHS_SEEN * 24 + 4];
	const char *values[1] = {list};
	size_t used = 0;
	PGresult *r;
	int i, ok;

	if (st->n_months == 0)
		return 0;
	list[used++] = '{';
	for (i = 0; i < st->n_months; i++)
		used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%lld",
		                         i > 0 ? "," : "", (long long)st->months[i]);
	snprintf(list + used, sizeof(list) - used, "}");
	/* straight to libpq: pg_exec would send the pending batch first,
	 * and this runs as the batch is being sent */
	r = PQexecParams(st->conn,
	                 "SELECT tlswatch_month_partition(d) FROM unnest($1::bigint[]) AS d", 1,
	                 NULL, values, NULL, NULL, 0);
	ok = PQresultStatus(r) == PGRES_TUPLES_OK;
	if (!ok)
		pg_message(st, "cannot make a month partition", PQresultErrorMessage(r), err,
		           errlen);
	PQclear(r);
	return ok ? 0 : -1;
}

/* What the references between the partitioned tables held before 018
 * (a partition that is referenced cannot be dropped, so they went): every
 * policy has its report, every failure its policy, every report its raw
 * report, each in the same month, and report_key lists each report once;
 * and what report's reference to source held before 022: every report's
 * source is there. */
int pg_part_check(struct pg_store *st, void (*problem)(const char *msg, void *arg), void *arg,
                  int *n, char *err, size_t errlen)
{
	static const char *const orphan_sql[] = {
	    "SELECT 'policy rows without their report: ' || count(*) FROM policy p"
	    " WHERE NOT EXISTS (SELECT 1 FROM report r WHERE r.id = p.report AND r.day = p.day)"
	    " HAVING count(*) > 0",
	    "SELECT 'failure rows without their policy: ' || count(*) FROM failure f"
	    " WHERE NOT EXISTS (SELECT 1 FROM policy p WHERE p.id = f.policy AND p.day = f.day)"
	    " HAVING count(*) > 0",
	    "SELECT 'reports without their raw report: ' || count(*) FROM report r"
	    " WHERE NOT EXISTS (SELECT 1 FROM raw_report w WHERE w.id = r.raw_id AND w.day = r.day)"
	    " HAVING count(*) > 0",
	    "SELECT 'reports without their source: ' || count(*) FROM report r"
	    " WHERE r.source_id IS NOT NULL"
	    " AND NOT EXISTS (SELECT 1 FROM source s WHERE s.id = r.source_id) HAVING count(*) > 0",
	    "SELECT 'report_key differs from report: ' || count(*) || ' rows' FROM report r"
	    " FULL JOIN report_key k ON k.id = r.id AND k.day = r.day"
	    " AND k.organization = r.organization AND k.report_id = r.report_id"
	    " WHERE r.id IS NULL OR k.id IS NULL HAVING count(*) > 0",
	};
	char msg[512];
	PGresult *r;
	size_t i;

	for (i = 0; i < sizeof(orphan_sql) / sizeof(orphan_sql[0]); i++) {
		r = pg_exec(st, orphan_sql[i], NULL, "cannot check the partitioned tables", err,
		            errlen);
		if (r == NULL)
			return -1;
		if (PQntuples(r) > 0) {
			snprintf(msg, sizeof(msg), "%s", pg_text(r, 0, 0));
			problem(msg, arg);
			(*n)++;
		}
		PQclear(r);
	}
	return 0;
}
