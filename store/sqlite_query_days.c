/*
 * sqlite_query_days.c - which days of a few hold a report (query.h,
 * query_days_with_reports), for the dashboard's current alerts: one probe
 * of report's day index per day, where query_day_marks counts every report
 * of the days (a day of a provider's store holds 26,000; issue 18).
 * Values are bound.
 */
#include <stdio.h>

#include "limits.h"
#include "sqlite_impl.h"

int sqlite_days_with_reports(struct store *base, int64_t since, int64_t until, int *has, char *err,
                             size_t errlen)
{
	struct sqlite_store *st = sqlite_of(base);
	sqlite3_stmt *s = NULL;
	int64_t i, n = until - since;
	int rc = -1;

	if (n <= 0 || n > LIMIT_ALERT_LOOKBACK_DAYS) {
		snprintf(err, errlen, "internal error: %lld days asked for reports", (long long)n);
		return -1;
	}
	if (sqlite3_prepare_v2(st->db, "SELECT EXISTS (SELECT 1 FROM report WHERE day = ?1)", -1,
	                       &s, NULL) != SQLITE_OK)
		return sqlite_fail(st, err, errlen, "cannot read the days holding reports");
	for (i = 0; i < n; i++) {
		sqlite3_reset(s);
		sqlite3_bind_int64(s, 1, since + i);
		if (sqlite3_step(s) != SQLITE_ROW) {
			sqlite_fail(st, err, errlen, "cannot read the days holding reports");
			goto out;
		}
		has[i] = sqlite3_column_int(s, 0) != 0;
	}
	rc = 0;
out:
	sqlite3_finalize(s);
	return rc;
}
