/*
 * rollup_month.c - the period split of the per-month and per-year roll-ups
 * and the sums each such table must equal (rollup_month.h): the agg_* rows
 * grouped by the first day of their month (or year) and the keys the table
 * keeps, as migration 021's (027's) triggers add them.
 */
#include "rollup_month.h"

#include <stdio.h>
#include <string.h>

#include "datetime.h"

/* A month table's row of a key sums its day rows of the month: at 10M
 * reports, roll_failure holds 7,500 keys a month against 1,400 a day
 * (5.3 days), agg_failure_month 2.9 days, the other tables about one.
 * Counted high, so a month is read in place of days only when that
 * clearly reads fewer rows. */
#define ROLLUP_MONTH_COST_DAYS 6

/* A year row likewise: agg_failure_year holds 207,000 keys a year at 10M
 * against 33,500 a month (about six months), roll_failure_year 8,400
 * against 7,200 (one month). Counted as the dearest table, six months. */
#define ROLLUP_YEAR_COST_DAYS (6 * ROLLUP_MONTH_COST_DAYS)

/* The days of [a, b) within [lo, hi). */
static int64_t rollup_days_within(int64_t a, int64_t b, int64_t lo, int64_t hi)
{
	a = a > lo ? a : lo;
	b = b < hi ? b : hi;
	return b > a ? b - a : 0;
}

/* Parts being chosen: up to ROLLUP_PARTS_MAX, and what reading them is
 * estimated to cost (in days of rows). */
struct rollup_parts {
	struct rollup_span span[ROLLUP_PARTS_MAX];
	size_t n;
	int64_t cost;
};

/* Appends part p to out, into the last part when both are read and added
 * (or taken away) alike and meet. */
static void rollup_part_add(struct rollup_parts *out, struct rollup_span p)
{
	struct rollup_span *last = out->n > 0 ? &out->span[out->n - 1] : NULL;

	if (last != NULL && last->minus == p.minus && last->level == p.level &&
	    last->until == p.since)
		last->until = p.until;
	else if (out->n < ROLLUP_PARTS_MAX) /* always: see ROLLUP_PARTS_MAX */
		out->span[out->n++] = p;
}

/* Appends the parts of in to out, taken away when minus. */
static void rollup_parts_append(struct rollup_parts *out, const struct rollup_parts *in, int minus)
{
	size_t i;

	for (i = 0; i < in->n; i++) {
		struct rollup_span p = in->span[i];

		p.minus ^= minus;
		rollup_part_add(out, p);
	}
	out->cost += in->cost;
}

/* Appends [since, until) read month by month to out: a whole month from
 * its table; a part of one as its days, or as the month less its days
 * outside [a, b), whichever costs less. */
static void rollup_months(int64_t since, int64_t until, int64_t lo, int64_t hi,
                          struct rollup_parts *out)
{
	int64_t a, b, m, me, in, outside;

	for (a = since; a < until; a = b) {
		m = datetime_month_start(a);
		me = datetime_month_start(m + 31);
		b = until < me ? until : me;
		in = rollup_days_within(a, b, lo, hi);
		outside = rollup_days_within(m, a, lo, hi) + rollup_days_within(b, me, lo, hi);
		if (a == m && b == me) {
			rollup_part_add(out, (struct rollup_span){m, me, ROLLUP_MONTHS, 0});
			out->cost += in > 0 ? ROLLUP_MONTH_COST_DAYS : 0;
		} else if (ROLLUP_MONTH_COST_DAYS + outside >= in) {
			rollup_part_add(out, (struct rollup_span){a, b, ROLLUP_DAYS, 0});
			out->cost += in;
		} else {
			rollup_part_add(out, (struct rollup_span){m, me, ROLLUP_MONTHS, 0});
			if (m < a)
				rollup_part_add(out, (struct rollup_span){m, a, ROLLUP_DAYS, 1});
			if (b < me)
				rollup_part_add(out, (struct rollup_span){b, me, ROLLUP_DAYS, 1});
			out->cost += ROLLUP_MONTH_COST_DAYS + outside;
		}
	}
}

size_t rollup_month_parts(int64_t since, int64_t until, int64_t lo, int64_t hi, int years,
                          struct rollup_span out[ROLLUP_PARTS_MAX])
{
	struct rollup_parts all, in, less;
	int64_t a, b, y, ye;
	int partial;

	memset(&all, 0, sizeof(all));
	if (!years)
		rollup_months(since, until, lo, hi, &all);
	/* year by year: a whole year from its table; a part of one as its
	 * months, or as the year less its months outside [a, b) */
	for (a = since; years && a < until; a = b) {
		y = datetime_year_start(a);
		ye = datetime_year_start(y + 366);
		b = until < ye ? until : ye;
		partial = a > y || b < ye;
		memset(&in, 0, sizeof(in));
		memset(&less, 0, sizeof(less));
		if (partial) {
			rollup_months(a, b, lo, hi, &in);
			rollup_months(y, a, lo, hi, &less);
			rollup_months(b, ye, lo, hi, &less);
		}
		if (partial && in.cost <= ROLLUP_YEAR_COST_DAYS + less.cost) {
			rollup_parts_append(&all, &in, 0);
			continue;
		}
		rollup_part_add(&all, (struct rollup_span){y, ye, ROLLUP_YEARS, 0});
		rollup_parts_append(&all, &less, 1);
	}
	memcpy(out, all.span, all.n * sizeof(*out));
	return all.n;
}

size_t rollup_month_spans(int64_t since, int64_t until, struct rollup_span out[3])
{
	int64_t ms, mu;
	size_t n = 0;

	datetime_split_months(since, until, &ms, &mu);
	if (since < ms)
		out[n++] = (struct rollup_span){since, ms, ROLLUP_DAYS, 0};
	if (ms < mu)
		out[n++] = (struct rollup_span){ms, mu, ROLLUP_MONTHS, 0};
	if (mu < until)
		out[n++] = (struct rollup_span){mu, until, ROLLUP_DAYS, 0};
	return n;
}

/* Each month and year table: its key columns after the day (each after a
 * comma), its figures, the table it sums (agg_*, or for a year its month
 * table), and the period it sums over (roll_day: per day). */
#define ROLLUP_DOMAIN_FIGURES "reports, successful_sessions, failed_sessions"
#define ROLLUP_DOMAIN_SUMS    "sum(reports), sum(successful_sessions), sum(failed_sessions)"
#define ROLLUP_TYPE_FIGURES   "policies, successful_sessions, failed_sessions"
#define ROLLUP_TYPE_SUMS      "sum(policies), sum(successful_sessions), sum(failed_sessions)"
static const struct {
	const char *table;
	const char *keys;
	const char *figures;
	const char *sums;
	const char *from;
	enum rollup_level per;
} months[] = {
    {"roll_day", "", ROLLUP_DOMAIN_FIGURES, ROLLUP_DOMAIN_SUMS, "agg_domain", ROLLUP_DAYS},
    {"roll_domain_month", ", policy_domain", ROLLUP_DOMAIN_FIGURES, ROLLUP_DOMAIN_SUMS,
     "agg_domain", ROLLUP_MONTHS},
    {"roll_org_month", ", organization", ROLLUP_DOMAIN_FIGURES, ROLLUP_DOMAIN_SUMS, "agg_domain",
     ROLLUP_MONTHS},
    {"roll_failure_month", ", policy_domain, mx_host, result_type", "failed_sessions",
     "sum(failed_sessions)", "agg_failure", ROLLUP_MONTHS},
    {"agg_failure_month", ", policy_domain, organization, mx_host, result_type", "failed_sessions",
     "sum(failed_sessions)", "agg_failure", ROLLUP_MONTHS},
    {"roll_mx_month", ", policy_domain, mx_host", "failed_sessions", "sum(failed_sessions)",
     "agg_mx", ROLLUP_MONTHS},
    {"roll_type_month", ", policy_domain, policy_type", ROLLUP_TYPE_FIGURES, ROLLUP_TYPE_SUMS,
     "agg_policy_type", ROLLUP_MONTHS},
    /* schema/027_year_rollups.sql: summed from the month tables above,
     * which are checked (and refilled) first, so a year equals its agg_*
     * rows when its months do; a fraction of the rows to read (at 10M,
     * roll_domain_month's 6,500 against agg_domain's 9.5 million) */
    {"roll_domain_year", ", policy_domain", ROLLUP_DOMAIN_FIGURES, ROLLUP_DOMAIN_SUMS,
     "roll_domain_month", ROLLUP_YEARS},
    {"roll_org_year", ", organization", ROLLUP_DOMAIN_FIGURES, ROLLUP_DOMAIN_SUMS, "roll_org_month",
     ROLLUP_YEARS},
    {"roll_failure_year", ", policy_domain, mx_host, result_type", "failed_sessions",
     "sum(failed_sessions)", "roll_failure_month", ROLLUP_YEARS},
    {"agg_failure_year", ", policy_domain, organization, mx_host, result_type", "failed_sessions",
     "sum(failed_sessions)", "agg_failure_month", ROLLUP_YEARS},
    {"roll_mx_year", ", policy_domain, mx_host", "failed_sessions", "sum(failed_sessions)",
     "roll_mx_month", ROLLUP_YEARS},
    {"roll_type_year", ", policy_domain, policy_type", ROLLUP_TYPE_FIGURES, ROLLUP_TYPE_SUMS,
     "roll_type_month", ROLLUP_YEARS},
};

#define ROLLUP_N_MONTHS (sizeof(months) / sizeof(months[0]))

const char *rollup_month_sql(size_t i, enum rollup_stmt which, const char *month, const char *year,
                             char *sql, size_t len)
{
	char sums[1024], columns[256];
	const char *first;
	size_t t;
	int n, c;

	/* the i-th of the tables the store keeps */
	for (t = 0; t < ROLLUP_N_MONTHS; t++)
		if ((year != NULL || months[t].per != ROLLUP_YEARS) && i-- == 0)
			break;
	if (t >= ROLLUP_N_MONTHS)
		return NULL;
	first = months[t].per == ROLLUP_DAYS ? "day" : months[t].per == ROLLUP_YEARS ? year : month;
	/* n_rows: the agg_* rows summed, counted there or summed from the
	 * month rows */
	n = snprintf(sums, sizeof(sums), "SELECT %s AS m%s, %s, %s FROM %s GROUP BY %s%s", first,
	             months[t].keys, months[t].per == ROLLUP_YEARS ? "sum(n_rows)" : "count(*)",
	             months[t].sums, months[t].from, first, months[t].keys);
	c = snprintf(columns, sizeof(columns), "day%s, n_rows, %s", months[t].keys,
	             months[t].figures);
	if (n < 0 || (size_t)n >= sizeof(sums) || c < 0 || (size_t)c >= sizeof(columns) ||
	    rollup_stmt_sql(which, months[t].table, columns, sums, sql, len) < 0)
		return NULL;
	return months[t].table;
}

const char *rollup_all_sql(size_t i, enum rollup_stmt which, const char *month, const char *year,
                           char *sql, size_t len)
{
	size_t n = 0;

	while (rollup_sql(n, ROLLUP_CLEAR, sql, len) != NULL)
		n++;
	if (i < n)
		return rollup_sql(i, which, sql, len);
	return rollup_month_sql(i - n, which, month, year, sql, len);
}
