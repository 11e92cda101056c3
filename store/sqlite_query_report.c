/*
 * sqlite_query_report.c - the report list (paginated, filtered) and one report
 * with its policies, failure details, source and raw JSON (see query.h).
 * Filter values are bound parameters; everything read back is report text
 * (untrusted) for the caller to escape. The raw JSON is inflated with the
 * same cap as at ingest.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "digest.h"
#include "gz.h"
#include "limits.h"
#include "query.h"
#include "sqlite_query_impl.h"
#include "sqlite_impl.h"
#include "xalloc.h"

static int query_reports_count(struct sqlite_store *st, const struct query_filter *f,
                               int64_t *total, char *err, size_t errlen)
{
	struct query_sql q;
	sqlite3_stmt *s = NULL;
	int rc = -1;

	query_sql_init(&q);
	query_sql_add(&q, "SELECT count(*) FROM report r");
	if (query_sql_where(&q, f, WHERE_REPORT, err, errlen) < 0 ||
	    sqlite_sql_prepare(st, &q, &s, err, errlen) < 0)
		goto out;
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite_fail(st, err, errlen, "cannot count reports");
		goto out;
	}
	*total = sqlite3_column_int64(s, 0);
	rc = 0;
out:
	sqlite3_finalize(s);
	query_sql_free(&q);
	return rc;
}

int sqlite_reports(struct store *base, const struct query_filter *f, int64_t offset, int64_t limit,
                   struct query_report_list *out, char *err, size_t errlen)
{
	struct sqlite_store *st = sqlite_of(base);
	struct query_report_list l = {NULL, 0, 0};
	struct query_sql q;
	sqlite3_stmt *s = NULL;
	int step, rc = -1;

	query_sql_init(&q);
	if (query_reports_count(st, f, &l.total, err, errlen) < 0)
		goto out;
	query_sql_add(&q,
	              "SELECT r.id, r.day, r.start_time, r.end_time, r.organization,"
	              " r.report_id, (SELECT json_group_array(d) FROM (SELECT DISTINCT"
	              " policy_domain AS d FROM policy WHERE report = r.id AND"
	              " policy_domain IS NOT NULL ORDER BY d COLLATE BINARY)),"
	              " (SELECT min(policy_domain COLLATE BINARY) FROM policy WHERE report = r.id),"
	              " (SELECT count(DISTINCT policy_domain) FROM policy WHERE report = r.id),"
	              " r.successful_sessions, r.failed_sessions, r.provenance FROM report r");
	if (query_sql_where(&q, f, WHERE_REPORT, err, errlen) < 0)
		goto out;
	query_sql_add(&q, " ORDER BY r.day DESC, r.id DESC");
	if (query_sql_page(&q, limit, offset, err, errlen) < 0 ||
	    sqlite_sql_prepare(st, &q, &s, err, errlen) < 0)
		goto out;
	l.entries = xcalloc((size_t)limit, sizeof(*l.entries));
	while ((step = sqlite3_step(s)) == SQLITE_ROW && l.n < (size_t)limit) {
		struct query_report_entry *e = &l.entries[l.n++];

		e->id = sqlite3_column_int64(s, 0);
		e->day = sqlite3_column_int64(s, 1);
		e->start_time = sqlite3_column_int64(s, 2);
		e->end_time = sqlite3_column_int64(s, 3);
		e->organization = query_column_strdup(s, 4);
		e->report_id = query_column_strdup(s, 5);
		e->domains_json = query_column_strdup(s, 6);
		e->first_domain = query_column_strdup(s, 7);
		e->n_domains = sqlite3_column_int64(s, 8);
		e->successful_sessions = sqlite3_column_int64(s, 9);
		e->failed_sessions = sqlite3_column_int64(s, 10);
		e->provenance = query_column_strdup(s, 11);
	}
	if (step != SQLITE_DONE && step != SQLITE_ROW) {
		sqlite_fail(st, err, errlen, "cannot list reports");
		goto out;
	}
	*out = l;
	memset(&l, 0, sizeof(l));
	rc = 0;
out:
	query_report_list_free(&l);
	sqlite3_finalize(s);
	query_sql_free(&q);
	return rc;
}

#define SQL_REPORT_GET                                                                             \
	"SELECT r.organization, r.report_id, r.contact_info, r.start_time, r.end_time, r.day,"     \
	" r.successful_sessions, r.failed_sessions, w.sha256, w.gz, s.id, s.kind, s.name,"         \
	" s.received, s.message_id, s.mail_from, s.mail_date, s.subject, s.tls_report_domain,"     \
	" s.tls_report_submitter, s.auth_headers, r.provenance, s.dkim, s.dkim_domain, "           \
	"s.dkim_ar, r.quirks"                                                                      \
	" FROM report r"                                                                           \
	" JOIN raw_report w ON w.id = r.raw_id LEFT JOIN source s ON s.id = r.source_id"           \
	" WHERE r.id = ?1"

static int query_report_head(struct sqlite_store *st, int64_t id, struct query_report_detail *d,
                             char *err, size_t errlen)
{
	sqlite3_stmt *s = NULL;
	const void *sha, *gz;
	uint8_t *json = NULL;
	size_t json_len;
	int step, rc = -1;
	char why[ERR_LINE_MAX];

	if (sqlite3_prepare_v2(st->db, SQL_REPORT_GET, -1, &s, NULL) != SQLITE_OK)
		return sqlite_fail(st, err, errlen, "cannot read report");
	sqlite3_bind_int64(s, 1, id);
	step = sqlite3_step(s);
	if (step == SQLITE_DONE) {
		snprintf(err, errlen, "no report %lld", (long long)id);
		goto out;
	}
	if (step != SQLITE_ROW) {
		sqlite_fail(st, err, errlen, "cannot read report");
		goto out;
	}
	d->id = id;
	d->organization = query_column_strdup(s, 0);
	d->report_id = query_column_strdup(s, 1);
	d->contact_info = query_column_strdup(s, 2);
	d->quirks = query_column_strdup(s, 25);
	d->start_time = sqlite3_column_int64(s, 3);
	d->end_time = sqlite3_column_int64(s, 4);
	d->day = sqlite3_column_int64(s, 5);
	d->successful_sessions = sqlite3_column_int64(s, 6);
	d->failed_sessions = sqlite3_column_int64(s, 7);
	sha = sqlite3_column_blob(s, 8);
	if (sha != NULL && sqlite3_column_bytes(s, 8) == DIGEST_SHA256_LEN)
		digest_hex(sha, DIGEST_SHA256_LEN, d->raw_sha256_hex);
	gz = sqlite3_column_blob(s, 9);
	if (gz == NULL || gz_inflate(gz, (size_t)sqlite3_column_bytes(s, 9), LIMIT_INFLATED_BYTES,
	                             &json, &json_len, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "report %lld: stored raw JSON unreadable: %s", (long long)id,
		         gz == NULL ? "missing" : why);
		goto out;
	}
	d->raw_json = (char *)json;
	d->raw_json_len = json_len;
	if (sqlite3_column_type(s, 10) != SQLITE_NULL) {
		d->source.present = 1;
		d->source.kind = query_column_strdup(s, 11);
		d->source.name = query_column_strdup(s, 12);
		d->source.received = sqlite3_column_int64(s, 13);
		d->source.message_id = query_column_strdup(s, 14);
		d->source.mail_from = query_column_strdup(s, 15);
		d->source.mail_date = query_column_strdup(s, 16);
		d->source.subject = query_column_strdup(s, 17);
		d->source.tls_report_domain = query_column_strdup(s, 18);
		d->source.tls_report_submitter = query_column_strdup(s, 19);
		d->source.auth_headers = query_column_strdup(s, 20);
		d->source.dkim = query_column_strdup(s, 22);
		d->source.dkim_domain = query_column_strdup(s, 23);
		d->source.dkim_ar = query_column_strdup(s, 24);
	}
	d->provenance = query_column_strdup(s, 21);
	rc = 0;
out:
	sqlite3_finalize(s);
	return rc;
}

/* Policies in report order, and each one's failure details in stored
 * order. Counts are bounded by the parser's limits at ingest. */
static int query_report_policies(struct sqlite_store *st, struct query_report_detail *d, char *err,
                                 size_t errlen)
{
	sqlite3_stmt *ps = NULL, *fs = NULL;
	size_t alloc = 0, falloc;
	int step, rc = -1;

	if (sqlite3_prepare_v2(st->db,
	                       "SELECT id, policy_type, policy_domain, policy_strings, mx_hosts,"
	                       " successful_sessions, failed_sessions, policy_domain_source"
	                       " FROM policy WHERE report = ?1"
	                       " ORDER BY idx",
	                       -1, &ps, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(
	        st->db,
	        "SELECT result_type, sending_mta_ip, receiving_mx_hostname,"
	        " receiving_mx_helo, receiving_ip, additional_information,"
	        " failure_reason_code, failed_sessions FROM failure WHERE policy = ?1"
	        " ORDER BY id",
	        -1, &fs, NULL) != SQLITE_OK) {
		sqlite_fail(st, err, errlen, "cannot read policies");
		goto out;
	}
	sqlite3_bind_int64(ps, 1, d->id);
	while ((step = sqlite3_step(ps)) == SQLITE_ROW) {
		struct query_policy_detail *p;

		if (d->n_policies == alloc) {
			alloc = alloc ? alloc * 2 : 4;
			d->policies = xreallocarray(d->policies, alloc, sizeof(*d->policies));
		}
		p = &d->policies[d->n_policies++];
		memset(p, 0, sizeof(*p));
		p->policy_type = query_column_strdup(ps, 1);
		p->policy_domain = query_column_strdup(ps, 2);
		p->policy_strings = query_column_strdup(ps, 3);
		p->mx_hosts = query_column_strdup(ps, 4);
		p->policy_domain_source = query_column_strdup(ps, 7);
		p->successful_sessions = sqlite3_column_int64(ps, 5);
		p->failed_sessions = sqlite3_column_int64(ps, 6);
		sqlite3_reset(fs);
		sqlite3_bind_int64(fs, 1, sqlite3_column_int64(ps, 0));
		falloc = 0;
		while ((step = sqlite3_step(fs)) == SQLITE_ROW) {
			struct query_failure_detail *fl;

			if (p->n_failures == falloc) {
				falloc = falloc ? falloc * 2 : 4;
				p->failures =
				    xreallocarray(p->failures, falloc, sizeof(*p->failures));
			}
			fl = &p->failures[p->n_failures++];
			fl->result_type = query_column_strdup(fs, 0);
			fl->sending_mta_ip = query_column_strdup(fs, 1);
			fl->receiving_mx_hostname = query_column_strdup(fs, 2);
			fl->receiving_mx_helo = query_column_strdup(fs, 3);
			fl->receiving_ip = query_column_strdup(fs, 4);
			fl->additional_information = query_column_strdup(fs, 5);
			fl->failure_reason_code = query_column_strdup(fs, 6);
			fl->failed_sessions = sqlite3_column_int64(fs, 7);
		}
		if (step != SQLITE_DONE) {
			sqlite_fail(st, err, errlen, "cannot read failure details");
			goto out;
		}
	}
	if (step != SQLITE_DONE) {
		sqlite_fail(st, err, errlen, "cannot read policies");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(ps);
	sqlite3_finalize(fs);
	return rc;
}

int sqlite_report_get(struct store *base, int64_t id, struct query_report_detail *out, char *err,
                      size_t errlen)
{
	struct sqlite_store *st = sqlite_of(base);
	struct query_report_detail d;

	memset(&d, 0, sizeof(d));
	if (query_report_head(st, id, &d, err, errlen) < 0 ||
	    query_report_policies(st, &d, err, errlen) < 0) {
		query_report_detail_free(&d);
		return -1;
	}
	*out = d;
	return 0;
}
