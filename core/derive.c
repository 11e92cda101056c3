/*
 * derive.c - what a report's record holds besides the report (record.h).
 * Input: a validated report and its JSON bytes; the lists are bounded by
 * the parser's limits.
 */
#include <stdlib.h>
#include <string.h>

#include "gz.h"
#include "jsonw.h"
#include "limits.h"
#include "record.h"
#include "report_hash.h"
#include "xalloc.h"

/* A JSON array of strings, or NULL for none. Caller frees. */
static char *derive_json_list(const char *const *list, size_t n)
{
	struct strbuf sb;
	struct jsonw w;
	size_t i;

	if (n == 0)
		return NULL;
	strbuf_init(&sb, (size_t)LIMIT_POLICY_STRINGS * (LIMIT_STRING_BYTES * 6 + 4) + 16);
	jsonw_init(&w, &sb, 0);
	jsonw_array_begin(&w);
	for (i = 0; i < n; i++)
		jsonw_string(&w, list[i]);
	jsonw_array_end(&w);
	return strbuf_detach(&sb, NULL);
}

void record_derive(const struct report *r, const uint8_t *json, size_t json_len, const uint8_t *gz,
                   size_t gz_len, struct report_record *rec)
{
	size_t i, n = r->n_policies ? r->n_policies : 1;

	memset(rec, 0, sizeof(*rec));
	rec->r = r;
	rec->day = report_day(r);
	rec->json_len = json_len;
	digest_sha256(json, json_len, rec->sha256);
	report_content_hash(r, rec->content_sha256);
	tally_report(r, &rec->tally);
	rec->policy_strings = xcalloc(n, sizeof(*rec->policy_strings));
	rec->mx_hosts = xcalloc(n, sizeof(*rec->mx_hosts));
	for (i = 0; i < r->n_policies; i++) {
		const struct report_policy *p = &r->policies[i];

		rec->policy_strings[i] = derive_json_list(p->policy_strings, p->n_policy_strings);
		rec->mx_hosts[i] = derive_json_list(p->mx_hosts, p->n_mx_hosts);
	}
	if (gz == NULL) {
		gz_deflate(json, json_len, &rec->own_gz, &rec->gz_len);
		rec->gz = rec->own_gz;
	} else {
		rec->gz = gz;
		rec->gz_len = gz_len;
	}
}

void record_free(struct report_record *rec)
{
	size_t i;

	if (rec->r != NULL && (rec->policy_strings != NULL || rec->mx_hosts != NULL))
		for (i = 0; i < rec->r->n_policies; i++) {
			free(rec->policy_strings != NULL ? rec->policy_strings[i] : NULL);
			free(rec->mx_hosts != NULL ? rec->mx_hosts[i] : NULL);
		}
	free(rec->policy_strings);
	free(rec->mx_hosts);
	free(rec->own_gz);
	tally_free(&rec->tally);
	memset(rec, 0, sizeof(*rec));
}
