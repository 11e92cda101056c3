/*
 * pg_write_prune.c - deleting old reports from the PostgreSQL store
 * ('tlswatch db prune'), keeping the lifetime totals of what is pruned, as
 * sqlite_write_prune.c does. A month wholly before the bound goes as its
 * partitions (DROP TABLE: no row is read), in one transaction; the month
 * that holds the bound loses its days one transaction each, row by row
 * (schema/pg/018_month_partitions.sql, docs/postgresql.md "Retention:
 * month partitions"). Input: the operator's day bound.
 */
#include <stdio.h>
#include <string.h>

#include "pg_impl.h"

/* The rows of what is pruned that are not in the per-report tables, for
 * the days $1 <= day < $2: lifetime totals first (the /metrics counters
 * must not fall), then the aggregates. A month's days sum per key: an
 * upsert may touch each key once. */
static const char *const prune_agg_sql[] = {
    "INSERT INTO agg_domain_pruned AS a SELECT policy_domain, organization, sum(reports),"
    " sum(successful_sessions), sum(failed_sessions) FROM agg_domain"
    " WHERE day >= $1 AND day < $2 GROUP BY policy_domain, organization"
    " ON CONFLICT (policy_domain, organization) DO UPDATE SET"
    " reports = a.reports + excluded.reports,"
    " successful_sessions = a.successful_sessions + excluded.successful_sessions,"
    " failed_sessions = a.failed_sessions + excluded.failed_sessions",
    "INSERT INTO agg_failure_pruned AS a SELECT policy_domain, organization, mx_host,"
    " result_type, sum(failed_sessions) FROM agg_failure WHERE day >= $1 AND day < $2"
    " GROUP BY policy_domain, organization, mx_host, result_type"
    " ON CONFLICT (policy_domain, organization, mx_host, result_type) DO UPDATE SET"
    " failed_sessions = a.failed_sessions + excluded.failed_sessions",
    "INSERT INTO agg_mx_pruned AS a SELECT policy_domain, organization, mx_host,"
    " sum(failed_sessions) FROM agg_mx WHERE day >= $1 AND day < $2"
    " GROUP BY policy_domain, organization, mx_host"
    " ON CONFLICT (policy_domain, organization, mx_host) DO UPDATE SET"
    " failed_sessions = a.failed_sessions + excluded.failed_sessions",
    "DELETE FROM agg_domain WHERE day >= $1 AND day < $2",
    "DELETE FROM agg_failure WHERE day >= $1 AND day < $2",
    "DELETE FROM agg_mx WHERE day >= $1 AND day < $2",
    "DELETE FROM agg_policy_type WHERE day >= $1 AND day < $2",
    /* schema/pg/025_reason_roll.sql: no trigger, the day's texts go here */
    "DELETE FROM roll_reason WHERE day >= $1 AND day < $2",
};

/* The reports of the days [$1, $2), row by row (the month that holds the
 * bound, one day at a time). report's own triggers keep report_key and
 * roll_report_day. */
static const char *const prune_day_sql[] = {
    "UPDATE quarantine SET released_report = NULL"
    " WHERE released_report IN (SELECT id FROM report WHERE day >= $1 AND day < $2)",
    "DELETE FROM failure WHERE day >= $1 AND day < $2",
    "DELETE FROM policy WHERE day >= $1 AND day < $2",
    "DELETE FROM raw_report WHERE day >= $1 AND day < $2",
    /* the sources only these reports used */
    "WITH gone AS (DELETE FROM report WHERE day >= $1 AND day < $2 RETURNING source_id)"
    " DELETE FROM source s WHERE s.id IN (SELECT source_id FROM gone) AND NOT EXISTS"
    " (SELECT 1 FROM report WHERE report.source_id = s.id AND (report.day < $1 OR report.day >= "
    "$2))",
};

/* A whole month [$1, $2), before its partitions go: what no trigger sees
 * when a table is dropped. */
static const char *const prune_month_sql[] = {
    "UPDATE quarantine SET released_report = NULL"
    " WHERE released_report IN (SELECT id FROM report_key WHERE day >= $1 AND day < $2)",
    /* the sources these reports used: the ones no other report uses go
     * once the partitions have (report references source) */
    "INSERT INTO pg_temp.tw_prune_source SELECT DISTINCT source_id FROM report"
    " WHERE day >= $1 AND day < $2 AND source_id IS NOT NULL",
    "DELETE FROM report_key WHERE day >= $1 AND day < $2",
    "DELETE FROM roll_report_day WHERE day >= $1 AND day < $2",
    "DELETE FROM roll_trust WHERE day >= $1 AND day < $2",
};

/* The per-report tables, in the order their partitions go */
static const char *const part_tables[] = {"failure", "policy", "raw_report", "report"};

/* Triggers on report that a dropped partition would bypass and that this
 * file does the work of (report_roll: 012, report_roll_*: 017's statement
 * triggers; report_key_*: 018; policy_trust_*: 020). Any other
 * trigger on a per-report table (a later migration's) makes prune delete
 * that month's rows instead, so that trigger sees them go. */
#define PRUNE_KNOWN_TRIGGERS                                                                       \
	"'report_roll', 'report_roll_ins', 'report_roll_upd', 'report_roll_del', "                 \
	"'report_key_add', 'report_key_del', 'policy_trust_ins', 'policy_trust_del'"

static int prune_sql(struct pg_store *st, const char *const *sql, size_t n,
                     const struct pg_params *p, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (pg_run(st, sql[i], p, "cannot prune", NULL, err, errlen) < 0)
			return -1;
	return 0;
}

/* The first day of day's month ($1) and of the next one. */
static int prune_month_of(struct pg_store *st, int64_t day, int64_t *first, int64_t *next,
                          char *err, size_t errlen)
{
	struct pg_params p;
	PGresult *r;

	pg_params_init(&p);
	pg_param_int(&p, day);
	r = pg_exec(st,
	            "SELECT tlswatch_month_first($1::bigint),"
	            " tlswatch_month_first(tlswatch_month_first($1::bigint) + 31)",
	            &p, "cannot prune", err, errlen);
	if (r == NULL)
		return -1;
	*first = pg_int(r, 0, 0);
	*next = pg_int(r, 0, 1);
	PQclear(r);
	return 0;
}

/* The month [first, next) goes whole: its rows elsewhere, then its
 * partitions. 0; 1 when a trigger unknown here asks for row deletes. */
static int prune_month_drop(struct pg_store *st, int64_t first, int64_t next, int64_t *n, char *err,
                            size_t errlen)
{
	char sql[160], part[64];
	struct pg_params p;
	int64_t unknown;
	PGresult *r;
	size_t i;

	if (pg_get_int(
	        st,
	        "SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
	        " WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace"
	        " AND c.relname IN ('report', 'policy', 'failure', 'raw_report')"
	        " AND t.tgname NOT IN (" PRUNE_KNOWN_TRIGGERS ")",
	        NULL, "cannot prune", &unknown, err, errlen) < 0)
		return -1;
	if (unknown > 0)
		return 1;
	pg_params_init(&p);
	pg_param_int(&p, first);
	pg_param_int(&p, next);
	if (pg_run(st,
	           "CREATE TEMP TABLE IF NOT EXISTS tw_prune_source (id bigint)"
	           " ON COMMIT DELETE ROWS",
	           NULL, "cannot prune", NULL, err, errlen) < 0 ||
	    pg_get_int(st, "SELECT count(*) FROM report_key WHERE day >= $1 AND day < $2", &p,
	               "cannot prune", n, err, errlen) < 0 ||
	    prune_sql(st, prune_month_sql, sizeof(prune_month_sql) / sizeof(prune_month_sql[0]), &p,
	              err, errlen) < 0 ||
	    prune_sql(st, prune_agg_sql, sizeof(prune_agg_sql) / sizeof(prune_agg_sql[0]), &p, err,
	              errlen) < 0)
		return -1;
	/* each table's partition of this month (made by tlswatch_month_partition) */
	for (i = 0; i < sizeof(part_tables) / sizeof(part_tables[0]); i++) {
		pg_params_init(&p);
		pg_param_text(&p, part_tables[i]);
		pg_param_int(&p, first);
		r = pg_exec(
		    st,
		    "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
		    " WHERE i.inhparent = $1::regclass AND c.relname = $1 || '_m' ||"
		    " to_char(DATE '1970-01-01' + $2::int, 'YYYYMM')",
		    &p, "cannot prune", err, errlen);
		if (r == NULL)
			return -1;
		part[0] = '\0';
		if (PQntuples(r) > 0)
			snprintf(part, sizeof(part), "%s", PQgetvalue(r, 0, 0));
		PQclear(r);
		if (part[0] == '\0')
			continue;
		/* our own partition name (TABLE_mYYYYMM), from the catalog */
		snprintf(sql, sizeof(sql), "DROP TABLE \"%s\"", part);
		if (pg_run(st, sql, NULL, "cannot prune", NULL, err, errlen) < 0)
			return -1;
	}
	return pg_run(st,
	              "DELETE FROM source s WHERE s.id IN (SELECT id FROM pg_temp.tw_prune_source)"
	              " AND NOT EXISTS (SELECT 1 FROM report WHERE report.source_id = s.id)",
	              NULL, "cannot prune", NULL, err, errlen);
}

int pg_prune(struct store *base, int64_t before_day, int64_t *reports, char *err, size_t errlen)
{
	struct pg_store *st = pg_of(base);
	struct pg_params p;
	PGresult *r;
	int64_t day, first, next, n, total = 0;
	int empty, whole;

	for (;;) {
		/* the oldest day left */
		r = pg_exec(st,
		            "SELECT min(day) FROM (SELECT min(day) AS day FROM report"
		            " UNION ALL SELECT min(day) FROM agg_domain"
		            " UNION ALL SELECT min(day) FROM agg_failure"
		            " UNION ALL SELECT min(day) FROM agg_mx"
		            " UNION ALL SELECT min(day) FROM agg_policy_type) AS d",
		            NULL, "cannot prune", err, errlen);
		if (r == NULL)
			return -1;
		empty = PQgetisnull(r, 0, 0);
		day = pg_int(r, 0, 0);
		PQclear(r);
		if (empty || day >= before_day)
			break;
		if (prune_month_of(st, day, &first, &next, err, errlen) < 0)
			return -1;
		/* the writer lock: no report is added to the month meanwhile */
		if (pg_begin(&st->base, err, errlen) < 0)
			return -1;
		whole = 0;
		n = 0;
		if (next <= before_day) {
			whole = prune_month_drop(st, first, next, &n, err, errlen);
			if (whole < 0)
				goto fail;
			whole = whole == 0; /* 1: a trigger asks for row deletes */
		}
		if (!whole) {
			/* the month that holds the bound: one day */
			pg_params_init(&p);
			pg_param_int(&p, day);
			pg_param_int(&p, day + 1);
			if (pg_get_int(st,
			               "SELECT count(*) FROM report WHERE day >= $1 AND day < $2",
			               &p, "cannot prune", &n, err, errlen) < 0 ||
			    prune_sql(st, prune_day_sql,
			              sizeof(prune_day_sql) / sizeof(prune_day_sql[0]), &p, err,
			              errlen) < 0 ||
			    prune_sql(st, prune_agg_sql,
			              sizeof(prune_agg_sql) / sizeof(prune_agg_sql[0]), &p, err,
			              errlen) < 0)
				goto fail;
		}
		if (pg_commit(&st->base, err, errlen) < 0)
			return -1;
		total += n;
	}
	*reports = total;
	return 0;
fail:
	pg_rollback(&st->base);
	return -1;
}
