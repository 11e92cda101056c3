/*
 * report_hash.c - the canonical form of a parsed report, hashed. Input: a
 * validated report (untrusted text, but only ever hashed).
 */
#include "report_hash.h"

#include "digest.h"
#include "jsonw.h"
#include "limits.h"
#include "strbuf.h"

/* JSON written by our own writer with a fixed key order is canonical: the
 * same parsed report always gives the same bytes. */
static void report_hash_strings(struct jsonw *w, const char *key, const char *const *list, size_t n)
{
	size_t i;

	jsonw_key(w, key);
	jsonw_array_begin(w);
	for (i = 0; i < n; i++)
		jsonw_string(w, list[i]);
	jsonw_array_end(w);
}

static void report_hash_failure(struct jsonw *w, const struct report_failure *f)
{
	jsonw_object_begin(w);
	jsonw_key(w, "t");
	jsonw_string(w, f->result_type);
	jsonw_key(w, "s");
	jsonw_string(w, f->sending_mta_ip);
	jsonw_key(w, "mx");
	jsonw_string(w, f->receiving_mx_hostname);
	jsonw_key(w, "helo");
	jsonw_string(w, f->receiving_mx_helo);
	jsonw_key(w, "ip");
	jsonw_string(w, f->receiving_ip);
	jsonw_key(w, "info");
	jsonw_string(w, f->additional_information);
	jsonw_key(w, "code");
	jsonw_string(w, f->failure_reason_code);
	jsonw_key(w, "n");
	jsonw_int(w, f->failed_sessions);
	jsonw_object_end(w);
}

void report_content_hash(const struct report *r, uint8_t out[REPORT_HASH_LEN])
{
	struct strbuf sb;
	struct jsonw w;
	size_t i, j;

	/* the canonical form is never larger than the JSON it came from
	 * times the escaping factor; the cap only guards against a bug */
	strbuf_init(&sb, (size_t)LIMIT_INFLATED_BYTES * 6 + 4096);
	jsonw_init(&w, &sb, 0);
	jsonw_object_begin(&w);
	jsonw_key(&w, "org");
	jsonw_string(&w, r->organization_name);
	jsonw_key(&w, "id");
	jsonw_string(&w, r->report_id);
	jsonw_key(&w, "contact");
	jsonw_string(&w, r->contact_info);
	jsonw_key(&w, "start");
	jsonw_int(&w, r->start_time);
	jsonw_key(&w, "end");
	jsonw_int(&w, r->end_time);
	jsonw_key(&w, "policies");
	jsonw_array_begin(&w);
	for (i = 0; i < r->n_policies; i++) {
		const struct report_policy *p = &r->policies[i];

		jsonw_object_begin(&w);
		jsonw_key(&w, "type");
		jsonw_string(&w, p->policy_type);
		jsonw_key(&w, "domain");
		jsonw_string(&w, p->policy_domain);
		report_hash_strings(&w, "strings", p->policy_strings, p->n_policy_strings);
		report_hash_strings(&w, "mx", p->mx_hosts, p->n_mx_hosts);
		jsonw_key(&w, "ok");
		jsonw_int(&w, p->successful_sessions);
		jsonw_key(&w, "failed");
		jsonw_int(&w, p->failed_sessions);
		jsonw_key(&w, "details");
		jsonw_array_begin(&w);
		for (j = 0; j < p->n_failures; j++)
			report_hash_failure(&w, &p->failures[j]);
		jsonw_array_end(&w);
		jsonw_object_end(&w);
	}
	jsonw_array_end(&w);
	jsonw_object_end(&w);
	digest_sha256(strbuf_str(&sb), sb.len, out);
	strbuf_free(&sb);
}
