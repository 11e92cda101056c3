/*
 * pg_query_provenance.c - the provenance filter (docs/trust.md) on
 * PostgreSQL. The aggregate tables carry no provenance, so the rows they
 * would hold are made again from each report of the filter with that
 * provenance: read back from its stored policies and failure details
 * (pg_readback.c, as 'db recount' reads it) and counted once by
 * tally_report, as at ingest and as sqlite_query_scan.c does. pg_query.c
 * then groups them on the server as it groups agg_*: they go there as one
 * JSON parameter (json_to_recordset). Slower, and only with the filter.
 * Rows hold report text (untrusted): jsonw escapes it, the server reads it
 * as a value, never as SQL.
 */
#include <stdio.h>
#include <string.h>

#include "jsonw.h"
#include "limits.h"
#include "pg_impl.h"
#include "tally.h"

/* One row of table t (pg_impl.h) as a JSON object. */
static void prov_row(struct jsonw *w, int t, int64_t day, const char *org, const char *dom,
                     const char *mx, const char *rtype, const char *ptype, int64_t reports,
                     int64_t ok, int64_t bad)
{
	jsonw_object_begin(w);
	jsonw_key(w, "t");
	jsonw_int(w, t);
	jsonw_key(w, "day");
	jsonw_int(w, day);
	jsonw_key(w, "organization");
	jsonw_string(w, org);
	jsonw_key(w, "policy_domain");
	jsonw_string(w, dom != NULL ? dom : "");
	jsonw_key(w, "mx_host");
	jsonw_string(w, mx != NULL ? mx : "");
	jsonw_key(w, "result_type");
	jsonw_string(w, rtype != NULL ? rtype : "");
	jsonw_key(w, "policy_type");
	jsonw_string(w, ptype != NULL ? ptype : "");
	jsonw_key(w, "reports");
	jsonw_int(w, reports);
	jsonw_key(w, "successful_sessions");
	jsonw_int(w, ok);
	jsonw_key(w, "failed_sessions");
	jsonw_int(w, bad);
	jsonw_object_end(w);
}

/* The rows one report adds to each aggregate table (pg_add_aggregates
 * writes the same). */
static void prov_tally_rows(struct jsonw *w, const struct tally *t, int64_t day, const char *org)
{
	size_t i;

	for (i = 0; i < t->n_domains; i++)
		prov_row(w, 0, day, org, t->domains[i].policy_domain, NULL, NULL, NULL, 1,
		         t->domains[i].successful_sessions, t->domains[i].failed_sessions);
	for (i = 0; i < t->n_failures; i++)
		prov_row(w, 1, day, org, t->failures[i].policy_domain, t->failures[i].mx_host,
		         t->failures[i].result_type, NULL, 0, 0, t->failures[i].failed_sessions);
	for (i = 0; i < t->n_mxs; i++)
		prov_row(w, 2, day, org, t->mxs[i].policy_domain, t->mxs[i].mx_host, NULL, NULL, 0,
		         0, t->mxs[i].failed_sessions);
	for (i = 0; i < t->n_types; i++)
		prov_row(w, 3, day, org, t->types[i].policy_domain, NULL, NULL,
		         t->types[i].policy_type, t->types[i].policies,
		         t->types[i].successful_sessions, t->types[i].failed_sessions);
}

/* The reports of res counted again, their rows added to w, a round at
 * a time (pg_readback.c). */
static int prov_reports(struct pg_store *st, const PGresult *res, struct jsonw *w, char *err,
                        size_t errlen)
{
	struct pg_readback rb;
	int i, k, rows = PQntuples(res);
	size_t j;

	for (i = 0; i < rows; i += k) {
		if (pg_readback_round(st, res, i, rows, &rb, err, errlen) < 0)
			return -1;
		for (j = 0; j < rb.n; j++)
			prov_tally_rows(w, &rb.tallies[j], pg_int(res, i + (int)j, 5),
			                rb.reports[j].organization_name);
		k = (int)rb.n;
		pg_readback_free(&rb);
	}
	return 0;
}

int pg_provenance_rows(struct pg_store *st, const struct query_filter *f, struct strbuf *json,
                       char *err, size_t errlen)
{
	struct query_sql q;
	struct jsonw w;
	PGresult *res = NULL;
	int rc = -1;

	/* the reports the filter keeps: period, organization, provenance, a
	 * policy of a filtered domain (rows of other domains go by the
	 * WHERE of each breakdown, as on agg_*) */
	pg_sql_init(&q);
	query_sql_add(&q, "SELECT r.id, r.organization, r.report_id, r.start_time, r.end_time,"
	                  " r.day FROM report r");
	if (query_sql_where(&q, f, WHERE_REPORT_DOMAINS, err, errlen) < 0)
		goto out;
	query_sql_add(&q, " ORDER BY r.id");
	if ((res = pg_exec_sql(st, &q, "cannot read reports of a provenance", err, errlen)) == NULL)
		goto out;
	strbuf_init(json, LIMIT_PROVENANCE_JSON_BYTES);
	jsonw_init(&w, json, 0);
	jsonw_array_begin(&w);
	if (prov_reports(st, res, &w, err, errlen) < 0)
		goto out;
	jsonw_array_end(&w);
	if (w.failed) {
		snprintf(err, errlen,
		         "the reports of provenance %s make more than %u bytes of figures; "
		         "narrow the period",
		         f->provenance, LIMIT_PROVENANCE_JSON_BYTES);
		goto out;
	}
	rc = 0;
out:
	if (rc < 0 && res != NULL)
		strbuf_free(json);
	PQclear(res);
	query_sql_free(&q);
	return rc;
}
