/*
 * pg_query_report.c - the report list, one report with its policies and
 * failure details, and failures by sending IP (query.h, query_ip.h) on
 * PostgreSQL, filled as sqlite_query_report.c and sqlite_query_ip.c fill
 * them. Filter values are parameters; everything read back is report text
 * (untrusted) for the caller to escape. The raw JSON is inflated with the
 * same cap as at ingest.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "digest.h"
#include "gz.h"
#include "limits.h"
#include "pg_impl.h"
#include "xalloc.h"

/* The first integer of the statement built in q. */
static int pg_sql_int(struct pg_store *st, struct query_sql *q, const char *what, int64_t *v,
                      char *err, size_t errlen)
{
	struct pg_params p;

	if (q->failed) {
		snprintf(err, errlen, "internal error: query too large");
		return -1;
	}
	pg_params_of_sql(&p, q);
	return pg_get_int(st, strbuf_str(&q->sb), &p, what, v, err, errlen);
}

int pg_reports(struct store *base, const struct query_filter *f, int64_t offset, int64_t limit,
               struct query_report_list *out, char *err, size_t errlen)
{
	struct pg_store *st = pg_of(base);
	struct query_report_list l = {NULL, 0, 0};
	struct query_sql q;
	PGresult *r = NULL;
	int i, rc = -1;

	pg_sql_init(&q);
	query_sql_add(&q, "SELECT count(*) FROM report r");
	if (query_sql_where(&q, f, WHERE_REPORT, err, errlen) < 0 ||
	    pg_sql_int(st, &q, "cannot count reports", &l.total, err, errlen) < 0)
		goto out;
	query_sql_free(&q);
	pg_sql_init(&q);
	/* the domains as SQLite's json_group_array writes them: no spaces */
	query_sql_add(&q, "SELECT r.id, r.day, r.start_time, r.end_time, r.organization,"
	                  " r.report_id, (SELECT '[' || coalesce(string_agg(to_json(d)::text, ','"
	                  " ORDER BY d), '') || ']' FROM (SELECT DISTINCT policy_domain AS d"
	                  " FROM policy WHERE report = r.id AND policy_domain IS NOT NULL) AS dd),"
	                  " (SELECT min(policy_domain) FROM policy WHERE report = r.id),"
	                  " (SELECT count(DISTINCT policy_domain) FROM policy WHERE report = r.id),"
	                  " r.successful_sessions, r.failed_sessions, r.provenance FROM report r");
	if (query_sql_where(&q, f, WHERE_REPORT, err, errlen) < 0)
		goto out;
	query_sql_add(&q, " ORDER BY r.day DESC, r.id DESC");
	if (query_sql_page(&q, limit, offset, err, errlen) < 0 ||
	    (r = pg_exec_sql(st, &q, "cannot list reports", err, errlen)) == NULL)
		goto out;
	l.entries = xcalloc((size_t)limit, sizeof(*l.entries));
	for (i = 0; i < PQntuples(r) && l.n < (size_t)limit; i++) {
		struct query_report_entry *e = &l.entries[l.n++];

		e->id = pg_int(r, i, 0);
		e->day = pg_int(r, i, 1);
		e->start_time = pg_int(r, i, 2);
		e->end_time = pg_int(r, i, 3);
		e->organization = pg_strdup(r, i, 4);
		e->report_id = pg_strdup(r, i, 5);
		e->domains_json = pg_strdup(r, i, 6);
		e->first_domain = pg_strdup(r, i, 7);
		e->n_domains = pg_int(r, i, 8);
		e->successful_sessions = pg_int(r, i, 9);
		e->failed_sessions = pg_int(r, i, 10);
		e->provenance = pg_strdup(r, i, 11);
	}
	*out = l;
	memset(&l, 0, sizeof(l));
	rc = 0;
out:
	query_report_list_free(&l);
	PQclear(r);
	query_sql_free(&q);
	return rc;
}

#define SQL_REPORT_GET                                                                             \
	"SELECT r.organization, r.report_id, r.contact_info, r.start_time, r.end_time, r.day,"     \
	" r.successful_sessions, r.failed_sessions, w.sha256, w.gz, s.id, s.kind, s.name,"         \
	" s.received, s.message_id, s.mail_from, s.mail_date, s.subject, s.tls_report_domain,"     \
	" s.tls_report_submitter, s.auth_headers, r.provenance, s.dkim, s.dkim_domain,"            \
	" s.dkim_ar, r.quirks FROM report r"                                                       \
	" JOIN raw_report w ON w.id = r.raw_id LEFT JOIN source s ON s.id = r.source_id"           \
	" WHERE r.id = $1"

static int pg_report_head(struct pg_store *st, int64_t id, struct query_report_detail *d, char *err,
                          size_t errlen)
{
	struct pg_params p;
	PGresult *r;
	uint8_t *sha = NULL, *gz = NULL, *json = NULL;
	size_t sha_len = 0, gz_len = 0, json_len;
	char why[ERR_LINE_MAX];
	int rc = -1;

	pg_params_init(&p);
	pg_param_int(&p, id);
	if ((r = pg_exec(st, SQL_REPORT_GET, &p, "cannot read report", err, errlen)) == NULL)
		return -1;
	if (PQntuples(r) == 0) {
		snprintf(err, errlen, "no report %lld", (long long)id);
		goto out;
	}
	d->id = id;
	d->organization = pg_strdup(r, 0, 0);
	d->report_id = pg_strdup(r, 0, 1);
	d->contact_info = pg_strdup(r, 0, 2);
	d->quirks = pg_strdup(r, 0, 25);
	d->start_time = pg_int(r, 0, 3);
	d->end_time = pg_int(r, 0, 4);
	d->day = pg_int(r, 0, 5);
	d->successful_sessions = pg_int(r, 0, 6);
	d->failed_sessions = pg_int(r, 0, 7);
	sha = pg_blob(r, 0, 8, &sha_len);
	if (sha != NULL && sha_len == DIGEST_SHA256_LEN)
		digest_hex(sha, DIGEST_SHA256_LEN, d->raw_sha256_hex);
	gz = pg_blob(r, 0, 9, &gz_len);
	if (gz == NULL ||
	    gz_inflate(gz, gz_len, LIMIT_INFLATED_BYTES, &json, &json_len, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "report %lld: stored raw JSON unreadable: %s", (long long)id,
		         gz == NULL ? "missing" : why);
		goto out;
	}
	d->raw_json = (char *)json;
	d->raw_json_len = json_len;
	if (!PQgetisnull(r, 0, 10)) {
		d->source.present = 1;
		d->source.kind = pg_strdup(r, 0, 11);
		d->source.name = pg_strdup(r, 0, 12);
		d->source.received = pg_int(r, 0, 13);
		d->source.message_id = pg_strdup(r, 0, 14);
		d->source.mail_from = pg_strdup(r, 0, 15);
		d->source.mail_date = pg_strdup(r, 0, 16);
		d->source.subject = pg_strdup(r, 0, 17);
		d->source.tls_report_domain = pg_strdup(r, 0, 18);
		d->source.tls_report_submitter = pg_strdup(r, 0, 19);
		d->source.auth_headers = pg_strdup(r, 0, 20);
		d->source.dkim = pg_strdup(r, 0, 22);
		d->source.dkim_domain = pg_strdup(r, 0, 23);
		d->source.dkim_ar = pg_strdup(r, 0, 24);
	}
	d->provenance = pg_strdup(r, 0, 21);
	rc = 0;
out:
	free(sha);
	free(gz);
	PQclear(r);
	return rc;
}

/* Policies in report order, each one's failure details in stored order
 * (one statement: the details of every policy, by policy and id). */
static int pg_report_policies(struct pg_store *st, struct query_report_detail *d, char *err,
                              size_t errlen)
{
	struct pg_params p;
	PGresult *ps = NULL, *fs = NULL;
	int i, j = 0, rc = -1;

	pg_params_init(&p);
	pg_param_int(&p, d->id);
	ps = pg_exec(st,
	             "SELECT id, policy_type, policy_domain, policy_strings, mx_hosts,"
	             " successful_sessions, failed_sessions, policy_domain_source"
	             " FROM policy WHERE report = $1 ORDER BY idx",
	             &p, "cannot read policies", err, errlen);
	fs = ps == NULL ? NULL
	                : pg_exec(st,
	                          "SELECT f.policy, f.result_type, f.sending_mta_ip,"
	                          " f.receiving_mx_hostname, f.receiving_mx_helo, f.receiving_ip,"
	                          " f.additional_information, f.failure_reason_code,"
	                          " f.failed_sessions FROM failure f JOIN policy p"
	                          " ON p.id = f.policy WHERE p.report = $1 ORDER BY p.idx, f.id",
	                          &p, "cannot read failure details", err, errlen);
	if (fs == NULL)
		goto out;
	if (PQntuples(ps) > 0)
		d->policies = xcalloc((size_t)PQntuples(ps), sizeof(*d->policies));
	for (i = 0; i < PQntuples(ps); i++) {
		struct query_policy_detail *pd = &d->policies[d->n_policies++];
		int64_t pid = pg_int(ps, i, 0);
		size_t falloc = 0;

		pd->policy_type = pg_strdup(ps, i, 1);
		pd->policy_domain = pg_strdup(ps, i, 2);
		pd->policy_strings = pg_strdup(ps, i, 3);
		pd->mx_hosts = pg_strdup(ps, i, 4);
		pd->policy_domain_source = pg_strdup(ps, i, 7);
		pd->successful_sessions = pg_int(ps, i, 5);
		pd->failed_sessions = pg_int(ps, i, 6);
		for (; j < PQntuples(fs) && pg_int(fs, j, 0) == pid; j++) {
			struct query_failure_detail *fl;

			if (pd->n_failures == falloc) {
				falloc = falloc ? falloc * 2 : 4;
				pd->failures =
				    xreallocarray(pd->failures, falloc, sizeof(*pd->failures));
			}
			fl = &pd->failures[pd->n_failures++];
			fl->result_type = pg_strdup(fs, j, 1);
			fl->sending_mta_ip = pg_strdup(fs, j, 2);
			fl->receiving_mx_hostname = pg_strdup(fs, j, 3);
			fl->receiving_mx_helo = pg_strdup(fs, j, 4);
			fl->receiving_ip = pg_strdup(fs, j, 5);
			fl->additional_information = pg_strdup(fs, j, 6);
			fl->failure_reason_code = pg_strdup(fs, j, 7);
			fl->failed_sessions = pg_int(fs, j, 8);
		}
	}
	rc = 0;
out:
	PQclear(ps);
	PQclear(fs);
	return rc;
}

int pg_report_get(struct store *base, int64_t id, struct query_report_detail *out, char *err,
                  size_t errlen)
{
	struct pg_store *st = pg_of(base);
	struct query_report_detail d;

	memset(&d, 0, sizeof(d));
	if (pg_report_head(st, id, &d, err, errlen) < 0 ||
	    pg_report_policies(st, &d, err, errlen) < 0) {
		query_report_detail_free(&d);
		return -1;
	}
	*out = d;
	return 0;
}

int pg_failure_ips(struct store *base, const struct query_filter *f, size_t limit,
                   struct query_ip_rows *out, char *err, size_t errlen)
{
	struct pg_store *st = pg_of(base);
	struct query_ip_rows rows = {NULL, 0};
	struct query_sql q;
	PGresult *r = NULL;
	const char *t;
	int i, n, rc = -1;

	pg_sql_init(&q);
	/* per report and (domain, MX, result type, IP): sts and tlsa are
	 * two views of the same sessions, other types add (tally.c) */
	query_sql_add(&q,
	              "SELECT ip, sum(greatest(sts, tlsa) + other)::bigint AS failed FROM (SELECT"
	              " coalesce(fl.sending_mta_ip, '') AS ip,"
	              " sum(CASE WHEN p.policy_type = 'sts' THEN fl.failed_sessions ELSE 0 END)"
	              " AS sts,"
	              " sum(CASE WHEN p.policy_type = 'tlsa' THEN fl.failed_sessions ELSE 0 END)"
	              " AS tlsa,"
	              " sum(CASE WHEN p.policy_type IN ('sts', 'tlsa') THEN 0"
	              " ELSE fl.failed_sessions END) AS other"
	              " FROM report r JOIN policy p ON p.report = r.id"
	              " JOIN failure fl ON fl.policy = p.id");
	if (query_sql_where(&q, f, WHERE_FAILURE_DETAIL, err, errlen) < 0)
		goto out;
	query_sql_add(&q, " GROUP BY r.id, coalesce(p.policy_domain, ''),"
	                  " coalesce(fl.receiving_mx_hostname, ''), fl.result_type,"
	                  " coalesce(fl.sending_mta_ip, '')) AS per_report"
	                  " GROUP BY ip HAVING sum(greatest(sts, tlsa) + other) > 0"
	                  " ORDER BY failed DESC, (ip = '') ASC, ip ASC");
	query_sql_limit(&q, limit);
	if ((r = pg_exec_sql(st, &q, "cannot read failures by sending IP", err, errlen)) == NULL)
		goto out;
	n = PQntuples(r);
	if (n == 0)
		goto done;
	rows.rows = xcalloc((size_t)n, sizeof(*rows.rows));
	for (i = 0; i < n; i++) {
		t = pg_text(r, i, 0);
		rows.rows[rows.n].sending_ip = t != NULL && t[0] != '\0' ? xstrdup(t) : NULL;
		rows.rows[rows.n].failed_sessions = pg_int(r, i, 1);
		rows.n++;
	}
done:
	*out = rows;
	memset(&rows, 0, sizeof(rows));
	rc = 0;
out:
	query_ip_rows_free(&rows);
	PQclear(r);
	query_sql_free(&q);
	return rc;
}

#define QUERY_IP_FROM                                                                              \
	" FROM report r JOIN policy p ON p.report = r.id"                                          \
	" JOIN failure fl ON fl.policy = p.id"

int pg_ip_details(struct store *base, const struct query_filter *f, const char *ip, int64_t offset,
                  int64_t limit, struct query_ip_details *out, char *err, size_t errlen)
{
	struct pg_store *st = pg_of(base);
	struct query_ip_details d = {NULL, 0, 0};
	struct query_sql q;
	PGresult *r = NULL;
	int i, rc = -1;

	pg_sql_init(&q);
	query_sql_add(&q, "SELECT count(*)" QUERY_IP_FROM);
	if (query_sql_where(&q, f, WHERE_FAILURE_DETAIL, err, errlen) < 0)
		goto out;
	query_sql_add(&q, " AND coalesce(fl.sending_mta_ip, '') = ");
	query_sql_text(&q, ip);
	if (pg_sql_int(st, &q, "cannot count failure details", &d.total, err, errlen) < 0)
		goto out;
	query_sql_free(&q);
	pg_sql_init(&q);
	query_sql_add(&q, "SELECT r.id, r.day, r.organization, p.policy_type, p.policy_domain,"
	                  " fl.receiving_mx_hostname, fl.result_type, fl.receiving_ip,"
	                  " fl.failure_reason_code, fl.failed_sessions" QUERY_IP_FROM);
	if (query_sql_where(&q, f, WHERE_FAILURE_DETAIL, err, errlen) < 0)
		goto out;
	query_sql_add(&q, " AND coalesce(fl.sending_mta_ip, '') = ");
	query_sql_text(&q, ip);
	query_sql_add(&q, " ORDER BY r.day DESC, r.id DESC, fl.id ASC");
	if (query_sql_page(&q, limit, offset, err, errlen) < 0 ||
	    (r = pg_exec_sql(st, &q, "cannot list failure details", err, errlen)) == NULL)
		goto out;
	d.details = xcalloc((size_t)limit, sizeof(*d.details));
	for (i = 0; i < PQntuples(r) && d.n < (size_t)limit; i++) {
		struct query_ip_detail *e = &d.details[d.n++];

		e->report = pg_int(r, i, 0);
		e->day = pg_int(r, i, 1);
		e->organization = pg_strdup(r, i, 2);
		e->policy_type = pg_strdup(r, i, 3);
		e->policy_domain = pg_strdup(r, i, 4);
		e->receiving_mx_hostname = pg_strdup(r, i, 5);
		e->result_type = pg_strdup(r, i, 6);
		e->receiving_ip = pg_strdup(r, i, 7);
		e->failure_reason_code = pg_strdup(r, i, 8);
		e->failed_sessions = pg_int(r, i, 9);
	}
	*out = d;
	memset(&d, 0, sizeof(d));
	rc = 0;
out:
	query_ip_details_free(&d);
	PQclear(r);
	query_sql_free(&q);
	return rc;
}
