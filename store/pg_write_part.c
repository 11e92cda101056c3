/*
 * pg_write_part.c - the month partitions a new report needs, made in the
 * writer's transaction (schema/pg/018_month_partitions.sql,
 * docs/postgresql.md "Retention: month partitions"). Input: a report's
 * day, validated (LIMIT_YEAR_MIN..LIMIT_YEAR_MAX).
 */
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
	int i;

	for (i = 0; i < st->n_months; i++)
		if (st->months[i] == month)
			return 0;
	pg_params_init(&p);
	pg_param_int(&p, day);
	if (pg_run(st, "SELECT tlswatch_month_partition($1)", &p, "cannot make a month partition",
	           NULL, err, errlen) < 0)
		return -1;
	/* a full cache forgets its oldest: at worst one more round trip */
	if (st->n_months == PG_MONTHS_SEEN) {
		for (i = 1; i < PG_MONTHS_SEEN; i++)
			st->months[i - 1] = st->months[i];
		st->n_months--;
	}
	st->months[st->n_months++] = month;
	return 0;
}
