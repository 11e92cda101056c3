/*
 * rollup_month.c - the period split of the per-month roll-ups and the sums
 * each month table must equal (rollup_month.h): the agg_* rows grouped by
 * the first day of their month and the keys the table keeps, as migration
 * 021's triggers add them.
 */
#include "rollup_month.h"

#include <stdio.h>

#include "datetime.h"

/* A month table's row of a key sums its day rows of the month: at 10M
 * reports, roll_failure holds 7,500 keys a month against 1,400 a day
 * (5.3 days), agg_failure_month 2.9 days, the other tables about one.
 * Counted high, so a month is read in place of days only when that
 * clearly reads fewer rows. */
#define ROLLUP_MONTH_COST_DAYS 6

/* The days of [a, b) within [lo, hi). */
static int64_t rollup_days_within(int64_t a, int64_t b, int64_t lo, int64_t hi)
{
	a = a > lo ? a : lo;
	b = b < hi ? b : hi;
	return b > a ? b - a : 0;
}

/* Appends part p to out[0..*n), into the last part when both add the
 * same kind of rows (days, or months) and meet. */
static void rollup_part_add(struct rollup_span *out, size_t *n, struct rollup_span p)
{
	struct rollup_span *last = *n > 0 ? &out[*n - 1] : NULL;

	if (last != NULL && !last->minus && !p.minus && last->monthly == p.monthly &&
	    last->until == p.since)
		last->until = p.until;
	else
		out[(*n)++] = p;
}

size_t rollup_month_parts(int64_t since, int64_t until, int64_t lo, int64_t hi,
                          struct rollup_span out[ROLLUP_PARTS_MAX])
{
	int64_t a, b, m, me;
	size_t n = 0;

	/* month by month: a whole month from its table; a part of one as
	 * its days, or as the month less its days outside [a, b) */
	for (a = since; a < until; a = b) {
		m = datetime_month_start(a);
		me = datetime_month_start(m + 31);
		b = until < me ? until : me;
		if (a == m && b == me)
			rollup_part_add(out, &n, (struct rollup_span){m, me, 1, 0});
		else if (ROLLUP_MONTH_COST_DAYS + rollup_days_within(m, a, lo, hi) +
		             rollup_days_within(b, me, lo, hi) >=
		         rollup_days_within(a, b, lo, hi))
			rollup_part_add(out, &n, (struct rollup_span){a, b, 0, 0});
		else {
			rollup_part_add(out, &n, (struct rollup_span){m, me, 1, 0});
			if (m < a)
				rollup_part_add(out, &n, (struct rollup_span){m, a, 0, 1});
			if (b < me)
				rollup_part_add(out, &n, (struct rollup_span){b, me, 0, 1});
		}
	}
	return n;
}

size_t rollup_month_spans(int64_t since, int64_t until, struct rollup_span out[3])
{
	int64_t ms, mu;
	size_t n = 0;

	datetime_split_months(since, until, &ms, &mu);
	if (since < ms)
		out[n++] = (struct rollup_span){since, ms, 0, 0};
	if (ms < mu)
		out[n++] = (struct rollup_span){ms, mu, 1, 0};
	if (mu < until)
		out[n++] = (struct rollup_span){mu, until, 0, 0};
	return n;
}

/* Each month table: its key columns after the day (each after a comma),
 * its figures, the aggregate table it sums; by_day: summed per day, not
 * per month (roll_day). */
static const struct {
	const char *table;
	const char *keys;
	const char *figures;
	const char *sums;
	const char *from;
	int by_day;
} months[] = {
    {"roll_day", "", "reports, successful_sessions, failed_sessions",
     "sum(reports), sum(successful_sessions), sum(failed_sessions)", "agg_domain", 1},
    {"roll_domain_month", ", policy_domain", "reports, successful_sessions, failed_sessions",
     "sum(reports), sum(successful_sessions), sum(failed_sessions)", "agg_domain", 0},
    {"roll_org_month", ", organization", "reports, successful_sessions, failed_sessions",
     "sum(reports), sum(successful_sessions), sum(failed_sessions)", "agg_domain", 0},
    {"roll_failure_month", ", policy_domain, mx_host, result_type", "failed_sessions",
     "sum(failed_sessions)", "agg_failure", 0},
    {"agg_failure_month", ", policy_domain, organization, mx_host, result_type", "failed_sessions",
     "sum(failed_sessions)", "agg_failure", 0},
    {"roll_mx_month", ", policy_domain, mx_host", "failed_sessions", "sum(failed_sessions)",
     "agg_mx", 0},
    {"roll_type_month", ", policy_domain, policy_type",
     "policies, successful_sessions, failed_sessions",
     "sum(policies), sum(successful_sessions), sum(failed_sessions)", "agg_policy_type", 0},
};

const char *rollup_month_sql(size_t i, enum rollup_stmt which, const char *month, char *sql,
                             size_t len)
{
	char sums[1024], columns[256];
	int n, c;

	if (i >= sizeof(months) / sizeof(months[0]))
		return NULL;
	if (months[i].by_day)
		month = "day";
	n = snprintf(sums, sizeof(sums), "SELECT %s AS m%s, count(*), %s FROM %s GROUP BY %s%s",
	             month, months[i].keys, months[i].sums, months[i].from, month, months[i].keys);
	c = snprintf(columns, sizeof(columns), "day%s, n_rows, %s", months[i].keys,
	             months[i].figures);
	if (n < 0 || (size_t)n >= sizeof(sums) || c < 0 || (size_t)c >= sizeof(columns) ||
	    rollup_stmt_sql(which, months[i].table, columns, sums, sql, len) < 0)
		return NULL;
	return months[i].table;
}

const char *rollup_all_sql(size_t i, enum rollup_stmt which, const char *month, char *sql,
                           size_t len)
{
	size_t n = 0;

	while (rollup_sql(n, ROLLUP_CLEAR, sql, len) != NULL)
		n++;
	if (i < n)
		return rollup_sql(i, which, sql, len);
	return rollup_month_sql(i - n, which, month, sql, len);
}
