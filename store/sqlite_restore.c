/*
 * sqlite_restore.c - a stored report made again as ingest stored it
 * (sqlite_restore.h). Input: our own stored raw bytes, parsed again as
 * untrusted as when they came, and the stored policy rows.
 */
#include "sqlite_restore.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "gz.h"
#include "limits.h"

/* A stored raw report parsed again. 0, or -1 with the reason. */
static int restore_parse_raw(const void *gz, int gz_len, struct report **r, char *err,
                             size_t errlen)
{
	uint8_t *json = NULL;
	size_t json_len;
	int rc;

	if (gz == NULL || gz_len <= 0) {
		snprintf(err, errlen, "stored raw report is empty");
		return -1;
	}
	if (gz_inflate(gz, (size_t)gz_len, LIMIT_INFLATED_BYTES, &json, &json_len, err, errlen) < 0)
		return -1;
	rc = report_parse_json((const char *)json, json_len, r, err, errlen);
	free(json);
	return rc;
}

/* 1 when stored policy row (type, domain, successes, failures) is raw
 * policy p as it was stored: the same type and figures, and the same
 * domain, or one filled in from the report's context (p had none). */
static int restore_policy_is(sqlite3_stmt *row, const struct report_policy *p)
{
	const char *type = (const char *)sqlite3_column_text(row, 0);
	const char *dom = (const char *)sqlite3_column_text(row, 1);

	if (type == NULL || strcmp(type, p->policy_type) != 0 ||
	    sqlite3_column_int64(row, 2) != p->successful_sessions ||
	    sqlite3_column_int64(row, 3) != p->failed_sessions)
		return 0;
	if (p->policy_domain == NULL)
		return 1;
	return dom != NULL && strcmp(dom, p->policy_domain) == 0;
}

/* Makes r what ingest stored for report id: the organization as stored,
 * only the policies stored (the domains filter keeps a subsequence, in
 * order), each with the domain stored. */
static int restore_as_stored(struct sqlite_store *st, sqlite3_stmt **policies, int64_t id,
                             const char *org, struct report *r, char *err, size_t errlen)
{
	sqlite3_stmt *s;
	struct report_policy *kept;
	size_t n = 0, j = 0;
	int step, rc = -1;

	if (*policies == NULL &&
	    sqlite3_prepare_v2(st->db,
	                       "SELECT policy_type, policy_domain, successful_sessions,"
	                       " failed_sessions, policy_domain_source FROM policy"
	                       " WHERE report = ?1 ORDER BY idx",
	                       -1, policies, NULL) != SQLITE_OK) {
		sqlite_fail(st, err, errlen, "cannot prepare");
		return -1;
	}
	s = *policies;
	sqlite3_bind_int64(s, 1, id);
	kept = arena_calloc(r->arena, r->n_policies ? r->n_policies : 1, sizeof(*kept));
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		const char *dom = (const char *)sqlite3_column_text(s, 1);
		const char *dsrc = (const char *)sqlite3_column_text(s, 4);

		while (j < r->n_policies && !restore_policy_is(s, &r->policies[j]))
			j++;
		if (j == r->n_policies) {
			snprintf(
			    err, errlen,
			    "report %lld: its stored policies are not those of its raw report; "
			    "its figures cannot be counted again",
			    (long long)id);
			goto out;
		}
		kept[n] = r->policies[j++];
		if (kept[n].policy_domain == NULL && dom != NULL) {
			kept[n].policy_domain = arena_strdup(r->arena, dom);
			kept[n].policy_domain_source =
			    dsrc != NULL ? arena_strdup(r->arena, dsrc) : NULL;
		}
		n++;
	}
	if (step != SQLITE_DONE) {
		sqlite_fail(st, err, errlen, "cannot read a report's policies");
		goto out;
	}
	r->organization_name = arena_strdup(r->arena, org != NULL ? org : "");
	r->policies = kept;
	r->n_policies = n;
	rc = 0;
out:
	sqlite3_reset(s);
	return rc;
}

int sqlite_report_restore(struct sqlite_store *st, sqlite3_stmt **policies, int64_t id,
                          const char *org, const void *gz, int gz_len, struct report **out,
                          char *err, size_t errlen)
{
	struct report *r = NULL;

	if (restore_parse_raw(gz, gz_len, &r, err, errlen) < 0)
		return -1;
	if (restore_as_stored(st, policies, id, org, r, err, errlen) < 0) {
		report_free(r);
		return -1;
	}
	*out = r;
	return 0;
}

int sqlite_reports_tally(struct sqlite_store *st, sqlite3_stmt *s, sqlite_report_fn fn, void *ctx,
                         char *err, size_t errlen)
{
	sqlite3_stmt *policies = NULL;
	struct report *r = NULL;
	struct tally t;
	int step, rc = -1;

	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		if (sqlite_report_restore(st, &policies, sqlite3_column_int64(s, 0),
		                          (const char *)sqlite3_column_text(s, 1),
		                          sqlite3_column_blob(s, 2), sqlite3_column_bytes(s, 2), &r,
		                          err, errlen) < 0)
			goto out;
		tally_report(r, &t);
		step = fn(ctx, s, r, &t, err, errlen);
		tally_free(&t);
		report_free(r);
		r = NULL;
		if (step < 0)
			goto out;
	}
	if (step != SQLITE_DONE) {
		sqlite_fail(st, err, errlen, "cannot read reports again");
		goto out;
	}
	rc = 0;
out:
	report_free(r);
	sqlite3_finalize(policies);
	return rc;
}
