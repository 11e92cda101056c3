/*
 * pg_query_state.c - the PostgreSQL store's reads of state: alert state
 * and context, quarantine entries, IMAP positions, conflicts held and
 * reports by provenance, and 'db check'; as the matching sqlite_query_*.c
 * files read them. Keys hold report text (untrusted): always parameters.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "digest.h"
#include "limits.h"
#include "pg_impl.h"
#include "query_match.h"
#include "schema.h"
#include "store_trust.h"
#include "xalloc.h"

#define KEY_WHERE                                                                                  \
	"scope = $1 AND policy_domain = $2 AND mx_host = $3 AND result_type = $4 AND"              \
	" organization = $5"

/* One integer of a keyed statement with $6 = arg: *found 0 without one. */
static int pg_alert_get(struct pg_store *st, const char *sql, const struct query_alert_key *k,
                        int64_t arg, int64_t *v, int *found, char *err, size_t errlen)
{
	struct pg_params p;
	PGresult *r;

	pg_params_init(&p);
	pg_param_alert_key(&p, k);
	pg_param_int(&p, arg);
	if ((r = pg_exec(st, sql, &p, "cannot read alert state", err, errlen)) == NULL)
		return -1;
	*found = PQntuples(r) > 0 && !PQgetisnull(r, 0, 0);
	if (*found)
		*v = pg_int(r, 0, 0);
	PQclear(r);
	return 0;
}

int pg_alert_sent_on(struct store *base, const struct query_alert_key *k, int64_t day,
                     int64_t *value, int *found, char *err, size_t errlen)
{
	return pg_alert_get(pg_of(base),
	                    "SELECT value FROM alert_sent_day WHERE " KEY_WHERE " AND day = $6", k,
	                    day, value, found, err, errlen);
}

int pg_alert_sent_before(struct store *base, const struct query_alert_key *k, int64_t before,
                         int64_t *day, int *found, char *err, size_t errlen)
{
	return pg_alert_get(pg_of(base),
	                    "SELECT max(day) FROM alert_sent_day WHERE " KEY_WHERE " AND day < $6",
	                    k, before, day, found, err, errlen);
}

/* keys[0..n) and days[0..n) as six array parameters, one element each:
 * 0 or -1 (a string past a literal's cap). */
static int pg_sent_params(struct pg_params *p, struct strbuf arr[6],
                          const struct query_alert_key *keys, const int64_t *days, size_t n)
{
	const char **v = xcalloc(5 * n, sizeof(*v));
	size_t i, c;
	int rc = 0;

	for (i = 0; i < n; i++) {
		const char *k[5] = {keys[i].scope, keys[i].policy_domain, keys[i].mx_host,
		                    keys[i].result_type, keys[i].organization};

		for (c = 0; c < 5; c++)
			v[c * n + i] = k[c];
	}
	for (c = 0; c < 5; c++) {
		rc |= pg_text_array(&arr[c], v + c * n, n);
		pg_param_text(p, strbuf_str(&arr[c]));
	}
	free(v);
	pg_int_array(&arr[5], days, n);
	pg_param_text(p, strbuf_str(&arr[5]));
	return rc < 0 ? -1 : 0;
}

int pg_alert_sent_many(struct store *base, const struct query_alert_key *keys, const int64_t *days,
                       size_t n, int before, struct query_alert_sent *out, char *err, size_t errlen)
{
	struct pg_store *st = pg_of(base);
	struct strbuf arr[6];
	struct pg_params p;
	PGresult *r;
	size_t at, m, c;
	int64_t i;
	int row;

	/* each key's row by its place in the arrays (WITH ORDINALITY), its
	 * value that day (one seek of the key) and, asked, its last day
	 * before (one more) */
	for (at = 0; at < n; at += m) {
		m = n - at < LIMIT_PG_ALERT_KEYS ? n - at : LIMIT_PG_ALERT_KEYS;
		pg_params_init(&p);
		if (pg_sent_params(&p, arr, keys + at, days + at, m) < 0) {
			snprintf(err, errlen, "internal error: alert keys too long");
			r = NULL;
		} else {
			pg_param_int(&p, before);
			r = pg_exec(
			    st,
			    "SELECT k.i, s.value, CASE WHEN $7 = 1 THEN (SELECT max(b.day)"
			    " FROM alert_sent_day b WHERE b.scope = k.sc AND b.policy_domain = k.d"
			    " AND b.mx_host = k.m AND b.result_type = k.t AND b.organization = k.o"
			    " AND b.day < k.day) END FROM unnest($1::text[], $2::text[],"
			    " $3::text[], $4::text[], $5::text[], $6::bigint[]) WITH ORDINALITY"
			    " AS k(sc, d, m, t, o, day, i) LEFT JOIN alert_sent_day s ON"
			    " s.scope = k.sc AND s.policy_domain = k.d AND s.mx_host = k.m AND"
			    " s.result_type = k.t AND s.organization = k.o AND s.day = k.day",
			    &p, "cannot read alert state", err, errlen);
		}
		for (c = 0; c < 6; c++)
			strbuf_free(&arr[c]);
		if (r == NULL)
			return -1;
		for (row = 0; row < PQntuples(r); row++) {
			i = pg_int(r, row, 0) - 1;
			if (i < 0 || (size_t)i >= m)
				continue;
			if ((out[at + i].found = !PQgetisnull(r, row, 1)))
				out[at + i].value = pg_int(r, row, 1);
			if ((out[at + i].found_before = !PQgetisnull(r, row, 2)))
				out[at + i].before_day = pg_int(r, row, 2);
		}
		PQclear(r);
	}
	return 0;
}

/* Rows (day, a, b) of sql for $1 <= day < $2 into out[day - since]; seen
 * marks the days that had a row (may be NULL). */
static int pg_day_rows(struct pg_store *st, const char *sql, int64_t since, int64_t until,
                       struct query_day_mark *out, int *seen, char *err, size_t errlen)
{
	struct pg_params p;
	PGresult *r;
	int64_t i, n = until - since;
	int row;

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
	pg_params_init(&p);
	pg_param_int(&p, since);
	pg_param_int(&p, until);
	if ((r = pg_exec(st, sql, &p, "cannot read day marks", err, errlen)) == NULL)
		return -1;
	for (row = 0; row < PQntuples(r); row++) {
		i = pg_int(r, row, 0) - since;
		if (i < 0 || i >= n)
			continue;
		out[i].reports = pg_int(r, row, 1);
		out[i].last_report = pg_int(r, row, 2);
		if (seen != NULL)
			seen[i] = 1;
	}
	PQclear(r);
	return 0;
}

int pg_day_marks(struct store *base, int64_t since, int64_t until, struct query_day_mark *out,
                 char *err, size_t errlen)
{
	/* a day's count from roll_report_day (kept at commit, checked by 'db
	 * check') and its last report by one seek of report (day, id)
	 * (schema/pg/030_read_indexes.sql): counting read every report of
	 * the lookback, about 180,000 at 26,000 reports a day. The seek
	 * repeats the period's bounds, known when planned, so the planner
	 * looks at the one or two monthly partitions of report they cover,
	 * not at all 13 of a year (a new session loads each one's catalog
	 * entries first: 15 -> 8 ms at 10M reports) */
	if (pg_of(base)->rollups)
		return pg_day_rows(pg_of(base),
		                   "SELECT d.day, d.reports, (SELECT max(r.id) FROM report r"
		                   " WHERE r.day = d.day AND r.day >= $1 AND r.day < $2)"
		                   " FROM roll_report_day d WHERE d.day >= $1 AND d.day < $2",
		                   since, until, out, NULL, err, errlen);
	return pg_day_rows(pg_of(base),
	                   "SELECT day, count(*), max(id) FROM report WHERE day >= $1 AND"
	                   " day < $2 GROUP BY day",
	                   since, until, out, NULL, err, errlen);
}

int pg_alert_judged(struct store *base, int64_t since, int64_t until, struct query_day_mark *out,
                    int *judged, char *err, size_t errlen)
{
	return pg_day_rows(pg_of(base),
	                   "SELECT day, reports, last_report FROM alert_judged WHERE"
	                   " day >= $1 AND day < $2",
	                   since, until, out, judged, err, errlen);
}

/* The reporters of a failure group or a domain, by failed sessions. */
static const char *const pg_context_orgs[] = {
    "SELECT organization, sum(failed_sessions) FROM agg_failure WHERE day >= $6 AND day < $7"
    " AND policy_domain = $2 AND mx_host = $3 AND result_type = $4 AND $1 = $1 AND $5 = $5"
    " GROUP BY organization HAVING sum(failed_sessions) > 0 ORDER BY 2 DESC, organization",
    "SELECT organization, sum(failed_sessions) FROM agg_domain WHERE day >= $6 AND day < $7"
    " AND policy_domain = $2 AND $1 = $1 AND $3 = $3 AND $4 = $4 AND $5 = $5"
    " GROUP BY organization HAVING sum(failed_sessions) > 0 ORDER BY 2 DESC, organization",
};
/* The most common failure-reason-code of the matching details. */
static const char *const pg_context_reason[] = {
    "SELECT f.failure_reason_code, sum(f.failed_sessions) FROM failure f"
    " JOIN policy p ON p.id = f.policy JOIN report r ON r.id = p.report"
    " WHERE r.day >= $6 AND r.day < $7 AND coalesce(p.policy_domain, '') = $2"
    " AND coalesce(f.receiving_mx_hostname, '') = $3 AND f.result_type = $4"
    " AND f.failure_reason_code IS NOT NULL AND $1 = $1 AND $5 = $5"
    " GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1",
    "SELECT f.failure_reason_code, sum(f.failed_sessions) FROM failure f"
    " JOIN policy p ON p.id = f.policy JOIN report r ON r.id = p.report"
    " WHERE r.day >= $6 AND r.day < $7 AND coalesce(p.policy_domain, '') = $2"
    " AND f.failure_reason_code IS NOT NULL AND $1 = $1 AND $3 = $3 AND $4 = $4"
    " AND $5 = $5 GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1",
};
/* The same from roll_reason (schema/pg/025_reason_roll.sql): its
 * sent_sessions are the details' counts as sent, per result type. */
static const char *const pg_context_reason_rolled[] = {
    "SELECT text, sum(sent_sessions) FROM roll_reason WHERE day >= $6 AND day < $7"
    " AND kind = 0 AND policy_domain = $2 AND mx_host = $3 AND result_type = $4"
    " AND $1 = $1 AND $5 = $5 GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1",
    "SELECT text, sum(sent_sessions) FROM roll_reason WHERE day >= $6 AND day < $7"
    " AND kind = 0 AND policy_domain = $2 AND $1 = $1 AND $3 = $3 AND $4 = $4"
    " AND $5 = $5 GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1",
};

int pg_alert_which(const struct query_alert_key *k)
{
	if (strcmp(k->scope, "failure") == 0)
		return 0;
	if (strcmp(k->scope, "domain") == 0 || strcmp(k->scope, "rate") == 0)
		return 1;
	return -1;
}

/* The query's parameters: every statement names $1..$7 (PostgreSQL must
 * infer each type). */
static void pg_context_params(struct pg_params *p, const struct query_alert_key *k, int64_t since,
                              int64_t until)
{
	pg_params_init(p);
	pg_param_alert_key(p, k);
	pg_param_int(p, since);
	pg_param_int(p, until);
}

int pg_alert_reporters(struct pg_store *st, const struct query_alert_key *k, int which,
                       int64_t since, int64_t until, char **out, char *err, size_t errlen)
{
	struct query_code_sums sums = {NULL, NULL, 0, 0};
	struct pg_params p;
	PGresult *r;
	int row;

	pg_context_params(&p, k, since, until);
	if ((r = pg_exec(st, pg_context_orgs[which], &p, "cannot read alert context", err,
	                 errlen)) == NULL)
		return -1;
	for (row = 0; row < PQntuples(r); row++) {
		const char *org = pg_text(r, row, 0);

		query_code_add(&sums, org != NULL ? org : "", pg_int(r, row, 1));
	}
	PQclear(r);
	*out = query_code_take_reporters(&sums);
	return 0;
}

int pg_alert_context(struct store *base, const struct query_alert_key *k, int64_t since,
                     int64_t until, char **reporters, char **reason, char *err, size_t errlen)
{
	struct pg_store *st = pg_of(base);
	struct pg_params p;
	PGresult *r;
	char *orgs = NULL;
	int which = pg_alert_which(k);

	*reporters = *reason = NULL;
	if (which < 0)
		return 0;
	if (pg_alert_reporters(st, k, which, since, until, &orgs, err, errlen) < 0)
		return -1;
	pg_context_params(&p, k, since, until);
	if ((r = pg_exec(st,
	                 st->rollups ? pg_context_reason_rolled[which] : pg_context_reason[which],
	                 &p, "cannot read alert context", err, errlen)) == NULL) {
		free(orgs);
		return -1;
	}
	*reason = PQntuples(r) > 0 ? pg_strdup(r, 0, 0) : NULL;
	*reporters = orgs;
	PQclear(r);
	return 0;
}

#define QUARANTINE_COLUMNS                                                                         \
	"id, received, kind, name, reason, sha256, size, truncated, released, released_report,"    \
	" conflict_report, provenance"

static void pg_read_entry(const PGresult *r, int row, struct quarantine_entry *q)
{
	size_t len = 0;
	uint8_t *sha = pg_blob(r, row, 5, &len);

	memset(q, 0, sizeof(*q));
	q->id = pg_int(r, row, 0);
	q->received = pg_int(r, row, 1);
	q->kind = pg_strdup(r, row, 2);
	q->name = pg_strdup(r, row, 3);
	q->reason = pg_strdup(r, row, 4);
	if (sha != NULL && len == DIGEST_SHA256_LEN)
		digest_hex(sha, DIGEST_SHA256_LEN, q->sha256_hex);
	free(sha);
	q->size = pg_int(r, row, 6);
	q->truncated = (int)pg_int(r, row, 7);
	q->released = pg_int(r, row, 8);
	q->released_report = pg_int(r, row, 9);
	q->conflict_report = pg_int(r, row, 10);
	q->provenance = pg_strdup(r, row, 11);
}

int pg_quarantine_list(struct store *base, int all,
                       int (*fn)(const struct quarantine_entry *q, void *arg), void *arg, char *err,
                       size_t errlen)
{
	struct quarantine_entry q;
	PGresult *r;
	int row, stop = 0;

	r = pg_exec(pg_of(base),
	            all ? "SELECT " QUARANTINE_COLUMNS " FROM quarantine ORDER BY id"
	                : "SELECT " QUARANTINE_COLUMNS
	                  " FROM quarantine WHERE released IS NULL ORDER BY id",
	            NULL, "cannot list quarantine", err, errlen);
	if (r == NULL)
		return -1;
	for (row = 0; !stop && row < PQntuples(r); row++) {
		pg_read_entry(r, row, &q);
		stop = fn(&q, arg);
		store_quarantine_entry_free(&q);
	}
	PQclear(r);
	return 0;
}

int pg_quarantine_get(struct store *base, int64_t id, struct quarantine_entry *q, char *err,
                      size_t errlen)
{
	struct pg_params p;
	PGresult *r;
	uint8_t *data;
	size_t len = 0;

	pg_params_init(&p);
	pg_param_int(&p, id);
	r = pg_exec(pg_of(base),
	            "SELECT " QUARANTINE_COLUMNS ", data FROM quarantine WHERE id = $1", &p,
	            "cannot read quarantine", err, errlen);
	if (r == NULL)
		return -1;
	if (PQntuples(r) == 0) {
		snprintf(err, errlen, "no quarantine record %lld", (long long)id);
		PQclear(r);
		return -1;
	}
	pg_read_entry(r, 0, q);
	data = pg_blob(r, 0, 12, &len);
	if (data == NULL) {
		data = xmalloc(1);
		data[0] = '\0';
		len = 0;
	}
	q->data = data;
	q->data_len = len;
	PQclear(r);
	return 0;
}

int pg_quarantine_usage(struct store *base, int64_t *bytes, int64_t *records, char *err,
                        size_t errlen)
{
	struct pg_store *st = pg_of(base);

	if (pg_get_int(st, "SELECT coalesce(sum(octet_length(data)), 0)::bigint FROM quarantine",
	               NULL, "cannot read quarantine", bytes, err, errlen) < 0 ||
	    pg_get_int(st, "SELECT count(*) FROM quarantine", NULL, "cannot read quarantine",
	               records, err, errlen) < 0)
		return -1;
	return 0;
}

int pg_imap_state_get(struct store *base, const char *server, const char *user, const char *mailbox,
                      int64_t *uidvalidity, int64_t *last_uid, int *found, char *err, size_t errlen)
{
	struct pg_params p;
	PGresult *r;

	pg_params_init(&p);
	pg_param_text(&p, server);
	pg_param_text(&p, user);
	pg_param_text(&p, mailbox);
	r = pg_exec(pg_of(base),
	            "SELECT uidvalidity, last_uid FROM imap_state"
	            " WHERE server = $1 AND \"user\" = $2 AND mailbox = $3",
	            &p, "cannot read IMAP state", err, errlen);
	if (r == NULL)
		return -1;
	*found = PQntuples(r) > 0;
	*uidvalidity = *found ? pg_int(r, 0, 0) : 0;
	*last_uid = *found ? pg_int(r, 0, 1) : 0;
	PQclear(r);
	return 0;
}

int pg_conflicts_held(struct store *base, int64_t *n, char *err, size_t errlen)
{
	PGresult *r;

	/* a report id is one report: the count of the held entries alone */
	r = pg_exec(pg_of(base),
	            "SELECT count(*) FROM quarantine"
	            " WHERE conflict_report IS NOT NULL AND released IS NULL",
	            NULL, "cannot count conflicts", err, errlen);
	if (r == NULL)
		return -1;
	*n = pg_int(r, 0, 0);
	PQclear(r);
	return 0;
}

int pg_conflicts_by_organization(struct store *base,
                                 int (*fn)(const char *organization, int64_t n, void *arg),
                                 void *arg, char *err, size_t errlen)
{
	PGresult *r;
	int row;
	int64_t n;

	/* usually none: the join below is planned over every partition of
	 * report (4-5 ms of a new session at 10M reports) */
	if (pg_conflicts_held(base, &n, err, errlen) < 0)
		return -1;
	if (n == 0)
		return 0;
	r = pg_exec(pg_of(base),
	            "SELECT coalesce(r.organization, ''), count(*) FROM quarantine q"
	            " LEFT JOIN report r ON r.id = q.conflict_report"
	            " WHERE q.conflict_report IS NOT NULL AND q.released IS NULL"
	            " GROUP BY 1 ORDER BY 1",
	            NULL, "cannot count conflicts", err, errlen);
	if (r == NULL)
		return -1;
	for (row = 0; row < PQntuples(r); row++)
		if (fn(pg_text(r, row, 0), pg_int(r, row, 1), arg) != 0)
			break;
	PQclear(r);
	return 0;
}

int pg_reports_by_trust(struct store *base, int64_t since, int64_t until, const char *domain,
                        const char *organization, int64_t *verified, int64_t *unverified, char *err,
                        size_t errlen)
{
	struct pg_params p;
	PGresult *r;

	pg_params_init(&p);
	pg_param_int(&p, since);
	pg_param_int(&p, until);
	pg_param_text(&p, domain);
	pg_param_text(&p, organization);
	r = pg_exec(pg_of(base),
	            "SELECT count(*) FILTER (WHERE r.provenance <> 'unverified-mail'),"
	            " count(*) FILTER (WHERE r.provenance = 'unverified-mail') FROM report r"
	            " WHERE r.day >= $1 AND r.day < $2"
	            " AND ($4::text IS NULL OR r.organization = $4::text)"
	            " AND ($3::text IS NULL OR EXISTS (SELECT 1 FROM policy p"
	            " WHERE p.report = r.id AND coalesce(p.policy_domain, '') = $3::text))",
	            &p, "cannot count reports by provenance", err, errlen);
	if (r == NULL)
		return -1;
	*verified = pg_int(r, 0, 0);
	*unverified = pg_int(r, 0, 1);
	PQclear(r);
	return 0;
}

/* 'db check': the schema version, that the aggregates say what the
 * reports say, day by day, and that the month-partitioned tables hold
 * together (the server keeps its own pages consistent). */
int pg_check(struct store *base, void (*problem)(const char *msg, void *arg), void *arg,
             int *n_problems, char *err, size_t errlen)
{
	struct pg_store *st = pg_of(base);
	int newest = pg_schema_migrations[pg_schema_n_migrations - 1].version, row, n = 0;
	char msg[512];
	int64_t version;
	PGresult *r;

	if (pg_get_int(st, "SELECT coalesce(max(version), 0) FROM schema_version", NULL,
	               "cannot read the schema version", &version, err, errlen) < 0)
		return -1;
	if (version != newest) {
		snprintf(msg, sizeof(msg), "schema version %lld, expected %d", (long long)version,
		         newest);
		problem(msg, arg);
		n++;
	}
	r = pg_exec(st,
	            "WITH r AS (SELECT day, sum(successful_sessions) AS ok,"
	            " sum(failed_sessions) AS bad FROM report GROUP BY day),"
	            " a AS (SELECT day, sum(successful_sessions) AS ok, sum(failed_sessions) AS bad"
	            " FROM agg_domain GROUP BY day)"
	            " SELECT 'day ' || to_char(to_timestamp(coalesce(r.day, a.day) * 86400)"
	            " AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
	            " || ': reports say ' || coalesce(r.ok, 0) || ' successful, '"
	            " || coalesce(r.bad, 0) || ' failed; aggregates say ' || coalesce(a.ok, 0)"
	            " || ', ' || coalesce(a.bad, 0)"
	            " FROM r FULL OUTER JOIN a ON r.day = a.day"
	            " WHERE coalesce(r.ok, -1) <> coalesce(a.ok, -1)"
	            " OR coalesce(r.bad, -1) <> coalesce(a.bad, -1) ORDER BY 1",
	            NULL, "cannot check the aggregates", err, errlen);
	if (r == NULL)
		return -1;
	for (row = 0; row < PQntuples(r); row++) {
		snprintf(msg, sizeof(msg), "aggregates: %s", pg_text(r, row, 0));
		problem(msg, arg);
		n++;
	}
	PQclear(r);
	if (pg_rollup_check(st, problem, arg, &n, err, errlen) < 0 ||
	    pg_part_check(st, problem, arg, &n, err, errlen) < 0)
		return -1;
	*n_problems = n;
	return 0;
}
