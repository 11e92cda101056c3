/*
 * report_restore.c - a stored report made again as ingest stored it
 * (report_restore.h). Input: our own stored raw bytes, parsed again as
 * untrusted as when they came, and the stored policy rows.
 */
#include "report_restore.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "gz.h"
#include "limits.h"

int report_restore_parse(const void *gz, size_t gz_len, struct report **r, char *err, size_t errlen)
{
	uint8_t *json = NULL;
	size_t json_len;
	int rc;

	if (gz == NULL || gz_len == 0) {
		snprintf(err, errlen, "stored raw report is empty");
		return -1;
	}
	if (gz_inflate(gz, gz_len, LIMIT_INFLATED_BYTES, &json, &json_len, err, errlen) < 0)
		return -1;
	rc = report_parse_json((const char *)json, json_len, r, err, errlen);
	free(json);
	return rc;
}

void report_restore_begin(struct report_restore *rs, struct report *r, int64_t id)
{
	rs->r = r;
	rs->kept = arena_calloc(r->arena, r->n_policies ? r->n_policies : 1, sizeof(*rs->kept));
	rs->n = rs->j = 0;
	rs->id = id;
}

/* 1 when the stored row (type, domain, successes, failures) is raw policy
 * p as it was stored: the same type and figures, and the same domain, or
 * one filled in from the report's context (p had none). */
static int report_restore_is(const struct report_policy *p, const char *type, const char *dom,
                             int64_t ok, int64_t failed)
{
	if (type == NULL || strcmp(type, p->policy_type) != 0 || ok != p->successful_sessions ||
	    failed != p->failed_sessions)
		return 0;
	if (p->policy_domain == NULL)
		return 1;
	return dom != NULL && strcmp(dom, p->policy_domain) == 0;
}

int report_restore_row(struct report_restore *rs, const char *type, const char *dom,
                       const char *dsrc, int64_t ok, int64_t failed, char *err, size_t errlen)
{
	struct report *r = rs->r;
	struct report_policy *k;

	while (rs->j < r->n_policies &&
	       !report_restore_is(&r->policies[rs->j], type, dom, ok, failed))
		rs->j++;
	if (rs->j == r->n_policies) {
		snprintf(err, errlen,
		         "report %lld: its stored policies are not those of its raw report; "
		         "its figures cannot be counted again",
		         (long long)rs->id);
		return -1;
	}
	k = &rs->kept[rs->n++];
	*k = r->policies[rs->j++];
	if (k->policy_domain == NULL && dom != NULL) {
		k->policy_domain = arena_strdup(r->arena, dom);
		k->policy_domain_source = dsrc != NULL ? arena_strdup(r->arena, dsrc) : NULL;
	}
	return 0;
}

void report_restore_end(struct report_restore *rs, const char *org)
{
	struct report *r = rs->r;

	r->organization_name = arena_strdup(r->arena, org != NULL ? org : "");
	r->policies = rs->kept;
	r->n_policies = rs->n;
}
