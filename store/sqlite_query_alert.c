/*
 * sqlite_query_alert.c - the alert state tables (schema/006_alerts_judged.sql):
 * which alerts 'tlswatch alert' has sent for which day, and what each day
 * held when it was last judged, so that a day whose reports come late is
 * judged again and an alert is sent once per day (sqlite_write_state.c
 * records them). Keys hold report text (untrusted), bound as parameters.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "xalloc.h"

#include "query.h"
#include "query_match.h"
#include "sqlite_query_impl.h"
#include "sqlite_impl.h"

static const char *query_key_part(const char *s)
{
	return s != NULL ? s : "";
}

void sqlite_bind_alert_key(sqlite3_stmt *s, const struct query_alert_key *k)
{
	sqlite_bind_text(s, 1, query_key_part(k->scope));
	sqlite_bind_text(s, 2, query_key_part(k->policy_domain));
	sqlite_bind_text(s, 3, query_key_part(k->mx_host));
	sqlite_bind_text(s, 4, query_key_part(k->result_type));
	sqlite_bind_text(s, 5, query_key_part(k->organization));
}

#define QUERY_ALERT_KEY_WHERE                                                                      \
	"scope = ?1 AND policy_domain = ?2 AND mx_host = ?3 AND result_type = ?4 AND"              \
	" organization = ?5"

/* One integer from a keyed statement with ?6 = arg: *found 0 without a row. */
static int query_alert_get(struct sqlite_store *st, const char *sql,
                           const struct query_alert_key *k, int64_t arg, int64_t *v, int *found,
                           char *err, size_t errlen)
{
	sqlite3_stmt *s = NULL;
	int step, rc = -1;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return sqlite_fail(st, err, errlen, "cannot read alert state");
	sqlite_bind_alert_key(s, k);
	sqlite3_bind_int64(s, 6, arg);
	step = sqlite3_step(s);
	if (step == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL) {
		*v = sqlite3_column_int64(s, 0);
		*found = 1;
	} else if (step == SQLITE_ROW || step == SQLITE_DONE) {
		*found = 0;
	} else {
		sqlite_fail(st, err, errlen, "cannot read alert state");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(s);
	return rc;
}

int sqlite_alert_sent_on(struct store *base, const struct query_alert_key *k, int64_t day,
                         int64_t *value, int *found, char *err, size_t errlen)
{
	struct sqlite_store *st = sqlite_of(base);
	return query_alert_get(
	    st, "SELECT value FROM alert_sent_day WHERE " QUERY_ALERT_KEY_WHERE " AND day = ?6", k,
	    day, value, found, err, errlen);
}

int sqlite_alert_sent_before(struct store *base, const struct query_alert_key *k, int64_t before,
                             int64_t *day, int *found, char *err, size_t errlen)
{
	struct sqlite_store *st = sqlite_of(base);
	return query_alert_get(
	    st, "SELECT max(day) FROM alert_sent_day WHERE " QUERY_ALERT_KEY_WHERE " AND day < ?6",
	    k, before, day, found, err, errlen);
}

/* Rows (day, a, b) of sql for ?1 <= day < ?2 into out[day - since]; seen
 * marks the days that had a row (may be NULL). */
static int query_day_rows(struct sqlite_store *st, const char *sql, int64_t since, int64_t until,
                          struct query_day_mark *out, int *seen, char *err, size_t errlen)
{
	sqlite3_stmt *s = NULL;
	int64_t i, n = until - since;
	int step, rc = -1;

	if (n <= 0 || n > LIMIT_ALERT_LOOKBACK_DAYS) {
		snprintf(err, errlen, "internal error: %lld days of marks", (long long)n);
		return -1;
	}
	for (i = 0; i < n; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		out[i].day = since + i;
		if (seen != NULL)
			seen[i] = 0;
	}
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return sqlite_fail(st, err, errlen, "cannot read day marks");
	sqlite3_bind_int64(s, 1, since);
	sqlite3_bind_int64(s, 2, until);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		i = sqlite3_column_int64(s, 0) - since;
		if (i < 0 || i >= n)
			continue;
		out[i].reports = sqlite3_column_int64(s, 1);
		out[i].last_report = sqlite3_column_int64(s, 2);
		if (seen != NULL)
			seen[i] = 1;
	}
	if (step != SQLITE_DONE) {
		sqlite_fail(st, err, errlen, "cannot read day marks");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(s);
	return rc;
}

int sqlite_day_marks(struct store *base, int64_t since, int64_t until, struct query_day_mark *out,
                     char *err, size_t errlen)
{
	struct sqlite_store *st = sqlite_of(base);
	/* a day's count from roll_report_day (kept by report's triggers,
	 * checked by 'db check') and its last report by one seek of the day
	 * index: counting the index read every report of the lookback (about
	 * 180,000 at 26,000 reports a day, 14 % of 'alert') */
	if (st->rollups)
		return query_day_rows(st,
		                      "SELECT d.day, d.reports, (SELECT max(r.id) FROM report r"
		                      " WHERE r.day = d.day) FROM roll_report_day d"
		                      " WHERE d.day >= ?1 AND d.day < ?2",
		                      since, until, out, NULL, err, errlen);
	return query_day_rows(st,
	                      "SELECT day, count(*), max(id) FROM report WHERE day >= ?1 AND"
	                      " day < ?2 GROUP BY day",
	                      since, until, out, NULL, err, errlen);
}

int sqlite_alert_judged(struct store *base, int64_t since, int64_t until,
                        struct query_day_mark *out, int *judged, char *err, size_t errlen)
{
	struct sqlite_store *st = sqlite_of(base);
	return query_day_rows(st,
	                      "SELECT day, reports, last_report FROM alert_judged WHERE"
	                      " day >= ?1 AND day < ?2",
	                      since, until, out, judged, err, errlen);
}

/* The reporters of a failure group or a domain, by failed sessions. */
static const char *const query_context_orgs[] = {
    "SELECT organization, sum(failed_sessions) FROM agg_failure WHERE day >= ?6 AND day < ?7"
    " AND policy_domain = ?2 AND mx_host = ?3 AND result_type = ?4"
    " GROUP BY organization HAVING sum(failed_sessions) > 0"
    " ORDER BY 2 DESC, organization COLLATE BINARY",
    "SELECT organization, sum(failed_sessions) FROM agg_domain WHERE day >= ?6 AND day < ?7"
    " AND policy_domain = ?2"
    " GROUP BY organization HAVING sum(failed_sessions) > 0"
    " ORDER BY 2 DESC, organization COLLATE BINARY",
};
/* The same, one primary-key probe per day that holds reports
 * (roll_report_day, kept with the roll-ups): a day range leaves
 * agg_failure's key at its first column, so the query above reads every
 * row of the window, all domains (~4.4 M instructions an alert at 10M
 * reports), where this reads the alert's own rows. A day with rows in the
 * aggregates has reports, so the days probed are a superset. */
static const char *const query_context_orgs_by_day[] = {
    "SELECT a.organization, sum(a.failed_sessions) FROM roll_report_day d"
    " CROSS JOIN agg_failure a WHERE d.day >= ?6 AND d.day < ?7 AND a.day = d.day"
    " AND a.policy_domain = ?2 AND a.mx_host = ?3 AND a.result_type = ?4"
    " GROUP BY a.organization HAVING sum(a.failed_sessions) > 0"
    " ORDER BY 2 DESC, a.organization COLLATE BINARY",
    "SELECT a.organization, sum(a.failed_sessions) FROM roll_report_day d"
    " CROSS JOIN agg_domain a WHERE d.day >= ?6 AND d.day < ?7 AND a.day = d.day"
    " AND a.policy_domain = ?2"
    " GROUP BY a.organization HAVING sum(a.failed_sessions) > 0"
    " ORDER BY 2 DESC, a.organization COLLATE BINARY",
};
static const char *query_context_orgs_sql(const struct sqlite_store *st, int which)
{
	return st->rollups ? query_context_orgs_by_day[which] : query_context_orgs[which];
}
/* The most common failure-reason-code of the matching details. */
static const char *const query_context_reason[] = {
    "SELECT f.failure_reason_code, sum(f.failed_sessions) FROM failure f"
    " JOIN policy p ON p.id = f.policy JOIN report r ON r.id = p.report"
    " WHERE r.day >= ?6 AND r.day < ?7 AND coalesce(p.policy_domain, '') = ?2"
    " AND coalesce(f.receiving_mx_hostname, '') = ?3 AND f.result_type = ?4"
    " AND f.failure_reason_code IS NOT NULL"
    " GROUP BY 1 ORDER BY 2 DESC, 1 COLLATE BINARY LIMIT 1",
    "SELECT f.failure_reason_code, sum(f.failed_sessions) FROM failure f"
    " JOIN policy p ON p.id = f.policy JOIN report r ON r.id = p.report"
    " WHERE r.day >= ?6 AND r.day < ?7 AND coalesce(p.policy_domain, '') = ?2"
    " AND f.failure_reason_code IS NOT NULL"
    " GROUP BY 1 ORDER BY 2 DESC, 1 COLLATE BINARY LIMIT 1",
};
/* The same from roll_reason (schema/019_reason_rollup.sql): its
 * sent_sessions are the details' counts as sent, per result type. */
static const char *const query_context_reason_rolled[] = {
    "SELECT text, sum(sent_sessions) FROM roll_reason"
    " WHERE day >= ?6 AND day < ?7 AND kind = 0 AND policy_domain = ?2"
    " AND mx_host = ?3 AND result_type = ?4"
    " GROUP BY 1 ORDER BY 2 DESC, 1 COLLATE BINARY LIMIT 1",
    "SELECT text, sum(sent_sessions) FROM roll_reason"
    " WHERE day >= ?6 AND day < ?7 AND kind = 0 AND policy_domain = ?2"
    " GROUP BY 1 ORDER BY 2 DESC, 1 COLLATE BINARY LIMIT 1",
};

static int query_context_prepare(struct sqlite_store *st, const char *sql,
                                 const struct query_alert_key *k, int64_t since, int64_t until,
                                 sqlite3_stmt **s, char *err, size_t errlen)
{
	if (sqlite3_prepare_v2(st->db, sql, -1, s, NULL) != SQLITE_OK)
		return sqlite_fail(st, err, errlen, "cannot read alert context");
	sqlite_bind_alert_key(*s, k);
	sqlite3_bind_int64(*s, 6, since);
	sqlite3_bind_int64(*s, 7, until);
	return 0;
}

/* Which context queries a key's scope takes: 0 failure, 1 domain, -1 none. */
static int query_context_which(const struct query_alert_key *k)
{
	if (strcmp(k->scope, "failure") == 0)
		return 0;
	if (strcmp(k->scope, "domain") == 0 || strcmp(k->scope, "rate") == 0)
		return 1;
	return -1;
}

/* The reporters of k's failures (query.h) by s, one of
 * query_context_orgs prepared and left reset: *out NULL when none. */
static int query_context_reporters_by(struct sqlite_store *st, sqlite3_stmt *s,
                                      const struct query_alert_key *k, int64_t since, int64_t until,
                                      char **out, char *err, size_t errlen)
{
	struct strbuf sb;
	int step, n = 0, rc = -1;

	strbuf_init(&sb, 64 * (LIMIT_ALERT_REPORTERS + 1) + LIMIT_STRING_BYTES);
	sqlite_bind_alert_key(s, k);
	sqlite3_bind_int64(s, 6, since);
	sqlite3_bind_int64(s, 7, until);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		const char *org = (const char *)sqlite3_column_text(s, 0);

		if (n < LIMIT_ALERT_REPORTERS && (strbuf_puts(&sb, n > 0 ? ", " : "") < 0 ||
		                                  strbuf_puts(&sb, org ? org : "") < 0))
			break; /* a name longer than the cap: the list stops */
		n++;
	}
	if (step != SQLITE_ROW && step != SQLITE_DONE) {
		sqlite_fail(st, err, errlen, "cannot read alert context");
		goto out;
	}
	/* past the buffer's cap the list stays as it is */
	if (n > LIMIT_ALERT_REPORTERS &&
	    strbuf_printf(&sb, " and %d more", n - LIMIT_ALERT_REPORTERS) < 0)
		n = LIMIT_ALERT_REPORTERS;
	*out = sb.len > 0 ? xstrdup(strbuf_str(&sb)) : NULL;
	rc = 0;
out:
	strbuf_free(&sb);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc;
}

/* The reporters of k's failures (query.h): *out NULL when none. */
static int query_context_reporters(struct sqlite_store *st, const struct query_alert_key *k,
                                   int which, int64_t since, int64_t until, char **out, char *err,
                                   size_t errlen)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if (sqlite3_prepare_v2(st->db, query_context_orgs_sql(st, which), -1, &s, NULL) !=
	    SQLITE_OK)
		return sqlite_fail(st, err, errlen, "cannot read alert context");
	rc = query_context_reporters_by(st, s, k, since, until, out, err, errlen);
	sqlite3_finalize(s);
	return rc;
}

int sqlite_alert_context(struct store *base, const struct query_alert_key *k, int64_t since,
                         int64_t until, char **reporters, char **reason, char *err, size_t errlen)
{
	struct sqlite_store *st = sqlite_of(base);
	sqlite3_stmt *s = NULL;
	char *orgs = NULL, *code = NULL;
	int which = query_context_which(k), step, rc = -1;

	if (which < 0)
		goto done;
	if (query_context_reporters(st, k, which, since, until, &orgs, err, errlen) < 0 ||
	    query_context_prepare(
	        st, st->rollups ? query_context_reason_rolled[which] : query_context_reason[which],
	        k, since, until, &s, err, errlen) < 0)
		goto out;
	step = sqlite3_step(s);
	if (step == SQLITE_ROW)
		code = query_column_strdup(s, 0);
	else if (step != SQLITE_DONE) {
		sqlite_fail(st, err, errlen, "cannot read alert context");
		goto out;
	}
done:
	*reporters = orgs;
	*reason = code;
	orgs = code = NULL;
	rc = 0;
out:
	free(orgs);
	free(code);
	sqlite3_finalize(s);
	return rc;
}

/* The days' failure details with a reason code, summed per (domain, MX,
 * result type, code) and, when ?3 is 1, per day (the keys' windows
 * differ; else every row is of day ?1): what query_context_reason sums
 * per key. */
static const char query_contexts_reasons[] =
    "SELECT coalesce(p.policy_domain, ''), coalesce(f.receiving_mx_hostname, ''),"
    " f.result_type, f.failure_reason_code, sum(f.failed_sessions),"
    " CASE WHEN ?3 = 1 THEN r.day ELSE ?1 END FROM failure f"
    " JOIN policy p ON p.id = f.policy JOIN report r ON r.id = p.report"
    " WHERE r.day >= ?1 AND r.day < ?2 AND f.failure_reason_code IS NOT NULL"
    " GROUP BY 1, 2, 3, 4, 6";
/* The same rows from roll_reason (schema/019_reason_rollup.sql). */
static const char query_contexts_reasons_rolled[] =
    "SELECT policy_domain, mx_host, result_type, text, sum(sent_sessions),"
    " CASE WHEN ?3 = 1 THEN day ELSE ?1 END FROM roll_reason"
    " WHERE day >= ?1 AND day < ?2 AND kind = 0 GROUP BY 1, 2, 3, 4, 6";

int sqlite_alert_contexts(struct store *base, const struct query_alert_key *keys, size_t n,
                          const int64_t *since, const int64_t *until, char **reporters,
                          char **reasons, char *err, size_t errlen)
{
	struct sqlite_store *st = sqlite_of(base);
	struct query_code_sums *sums = xcalloc(n > 0 ? n : 1, sizeof(*sums));
	const char **domains = xcalloc(n > 0 ? n : 1, sizeof(*domains));
	struct query_match m;
	sqlite3_stmt *s = NULL, *orgs[2] = {NULL, NULL};
	size_t i, j, first, end, wanted;
	int64_t lo, hi, day;
	int differ, step, rc = -1;

	for (i = 0; i < n; i++) {
		reporters[i] = reasons[i] = NULL;
		domains[i] = query_key_part(keys[i].policy_domain);
	}
	query_match_init(&m, domains, n);
	/* each key's reporters by one statement of each kind, prepared once:
	 * a few rows of the aggregates' primary key per key */
	for (i = 0, wanted = 0; i < n; i++) {
		int which = query_context_which(&keys[i]);

		if (which < 0)
			continue;
		wanted++;
		if (orgs[which] == NULL &&
		    sqlite3_prepare_v2(st->db, query_context_orgs_sql(st, which), -1, &orgs[which],
		                       NULL) != SQLITE_OK) {
			sqlite_fail(st, err, errlen, "cannot read alert context");
			goto out;
		}
		if (query_context_reporters_by(st, orgs[which], &keys[i], since[i], until[i],
		                               &reporters[i], err, errlen) < 0)
			goto out;
	}
	/* silence, conflicts and published checks have no reason to read */
	if (wanted == 0) {
		rc = 0;
		goto out;
	}
	if (sqlite3_prepare_v2(st->db,
	                       st->rollups ? query_contexts_reasons_rolled : query_contexts_reasons,
	                       -1, &s, NULL) != SQLITE_OK) {
		sqlite_fail(st, err, errlen, "cannot read alert context");
		goto out;
	}
	query_periods_span(since, until, n, &lo, &hi, &differ);
	sqlite3_bind_int64(s, 1, lo);
	sqlite3_bind_int64(s, 2, hi);
	sqlite3_bind_int(s, 3, differ);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		const char *dom = (const char *)sqlite3_column_text(s, 0);
		const char *mx = (const char *)sqlite3_column_text(s, 1);
		const char *type = (const char *)sqlite3_column_text(s, 2);
		const char *code = (const char *)sqlite3_column_text(s, 3);

		if (dom == NULL || mx == NULL || type == NULL || code == NULL)
			continue;
		day = sqlite3_column_int64(s, 5);
		query_match_find(&m, dom, &first, &end);
		for (j = first; j < end; j++) {
			const struct query_alert_key *k = &keys[m.idx[j]];
			int which = query_context_which(k);

			if (which < 0 || day < since[m.idx[j]] || day >= until[m.idx[j]] ||
			    (which == 0 && (strcmp(query_key_part(k->mx_host), mx) != 0 ||
			                    strcmp(query_key_part(k->result_type), type) != 0)))
				continue;
			query_code_add(&sums[m.idx[j]], code, sqlite3_column_int64(s, 4));
		}
	}
	if (step != SQLITE_DONE) {
		sqlite_fail(st, err, errlen, "cannot read alert context");
		goto out;
	}
	for (i = 0; i < n; i++)
		reasons[i] = query_code_take_top(&sums[i]);
	rc = 0;
out:
	for (i = 0; i < n; i++)
		free(query_code_take_top(&sums[i]));
	if (rc < 0)
		for (i = 0; i < n; i++) {
			free(reporters[i]);
			free(reasons[i]);
			reporters[i] = reasons[i] = NULL;
		}
	free(sums);
	free(domains);
	query_match_free(&m);
	sqlite3_finalize(s);
	sqlite3_finalize(orgs[0]);
	sqlite3_finalize(orgs[1]);
	return rc;
}
