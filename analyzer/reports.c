/*
 * reports.c - rendering the report list and one report (see reports.h).
 * Strings are report text (untrusted): text_escape for terminals, the
 * JSON writer for JSON. The policy-string and mx-host arrays were written
 * by our own JSON writer at ingest (store/sqlite_write.c), and the domain
 * list by SQLite's json_group_array, so both are embedded as JSON as-is.
 */
#include "reports.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datetime.h"
#include "escape.h"
#include "jsonw.h"
#include "text.h"
#include "xalloc.h"

/* Escaped s cut to width columns with "..." (list view only). */
static const char *reports_cut(const char *s, size_t width, char *buf, size_t len)
{
	size_t i, cols = 0;

	text_escape(s, buf, len);
	if (text_width(buf) <= width)
		return buf;
	for (i = 0; buf[i] != '\0'; i++) {
		if (((unsigned char)buf[i] & 0xc0) != 0x80 && cols++ == width - 3)
			break;
	}
	snprintf(buf + i, len - i, "...");
	return buf;
}

int reports_render_list_text(const struct query_report_list *l, int64_t offset, struct strbuf *sb)
{
	struct text_out o = {sb, 0};
	char org[TEXT_CELL_MAX], dom[TEXT_CELL_MAX], day[16], ok[32], bad[32], more[32];
	size_t i;

	text_printf(&o, "%-7s %-10s %-24s %10s %7s  %s\n", "ID", "DAY", "ORGANIZATION",
	            "SUCCESSFUL", "FAILED", "DOMAINS");
	for (i = 0; i < l->n; i++) {
		const struct query_report_entry *e = &l->entries[i];

		datetime_format_day(e->day, day, sizeof(day));
		/* what is left of 80 columns: 16, less room for " +N" */
		reports_cut(e->first_domain != NULL ? e->first_domain : "-",
		            e->n_domains > 1 ? 12 : 16, dom, sizeof(dom));
		more[0] = '\0';
		if (e->n_domains > 1)
			snprintf(more, sizeof(more), " +%" PRId64, e->n_domains - 1);
		text_printf(&o, "%-7" PRId64 " %-10s ", e->id, day);
		reports_cut(e->organization, 24, org, sizeof(org));
		text_puts(&o, org);
		text_printf(&o, "%*s %10s %7s  %s%s\n", (int)(24 - text_width(org)), "",
		            text_count(e->successful_sessions, ok, sizeof(ok)),
		            text_count(e->failed_sessions, bad, sizeof(bad)), dom, more);
	}
	if (l->n == 0)
		text_printf(&o, "no reports%s\n", l->total > 0 ? " on this page" : "");
	else
		text_printf(&o, "reports %" PRId64 "-%" PRId64 " of %" PRId64 "%s\n", offset + 1,
		            offset + (int64_t)l->n, l->total,
		            offset + (int64_t)l->n < l->total ? " (--offset for more)" : "");
	return o.failed ? -1 : 0;
}

static void reports_json_time(struct jsonw *w, const char *key, int64_t t)
{
	char buf[32];

	datetime_format_utc(t, buf, sizeof(buf));
	jsonw_key(w, key);
	jsonw_string(w, buf);
}

/* The first max entries of a JSON array of strings that SQLite wrote
 * (json_group_array of our own columns: well-formed), as JSON; the number
 * left out in *more. A report may name a thousand domains: a list of
 * fifty reports must not be megabytes. */
static void reports_json_array_head(struct jsonw *w, const char *json, size_t max, int64_t *more)
{
	const char *p = json, *cut = NULL;
	size_t n = 0;
	int in_string = 0, escaped = 0;
	struct strbuf head;

	*more = 0;
	for (; *p != '\0'; p++) {
		if (in_string) {
			if (escaped)
				escaped = 0;
			else if (*p == '\\')
				escaped = 1;
			else if (*p == '"')
				in_string = 0;
			continue;
		}
		if (*p == '"') {
			in_string = 1;
			if (n++ == max)
				cut = p; /* the start of entry max + 1 */
		}
	}
	if (cut == NULL) {
		jsonw_raw(w, json);
		return;
	}
	*more = (int64_t)(n - max);
	/* cut is just after a ',' (and maybe blanks): keep what precedes it */
	while (cut > json && cut[-1] != ',')
		cut--;
	strbuf_init(&head, (size_t)(cut - json) + 2);
	if (strbuf_append(&head, json, (size_t)(cut - json - 1)) < 0 || strbuf_putc(&head, ']') < 0)
		w->failed = 1;
	else
		jsonw_raw(w, strbuf_str(&head));
	strbuf_free(&head);
}

void reports_json_entries(struct jsonw *w, const struct query_report_list *l)
{
	char day[16];
	int64_t more;
	size_t i;

	jsonw_array_begin(w);
	for (i = 0; i < l->n; i++) {
		const struct query_report_entry *e = &l->entries[i];

		jsonw_object_begin(w);
		jsonw_key(w, "id");
		jsonw_int(w, e->id);
		jsonw_key(w, "day");
		datetime_format_day(e->day, day, sizeof(day));
		jsonw_string(w, day);
		reports_json_time(w, "start_datetime", e->start_time);
		reports_json_time(w, "end_datetime", e->end_time);
		jsonw_key(w, "organization");
		jsonw_string(w, e->organization);
		jsonw_key(w, "report_id");
		jsonw_string(w, e->report_id);
		/* SQLite's json_group_array of our own columns: JSON already */
		jsonw_key(w, "policy_domains");
		reports_json_array_head(w, e->domains_json != NULL ? e->domains_json : "[]",
		                        LIMIT_REPORT_LIST_DOMAINS, &more);
		if (more > 0) {
			jsonw_key(w, "policy_domains_more");
			jsonw_int(w, more);
		}
		jsonw_key(w, "successful_sessions");
		jsonw_int(w, e->successful_sessions);
		jsonw_key(w, "failed_sessions");
		jsonw_int(w, e->failed_sessions);
		jsonw_object_end(w);
	}
	jsonw_array_end(w);
}

int reports_render_list_json(const struct query_report_list *l, const struct query_filter *f,
                             int64_t offset, int64_t limit, struct strbuf *sb, int pretty)
{
	struct jsonw w;

	jsonw_init(&w, sb, pretty);
	jsonw_object_begin(&w);
	jsonw_key(&w, "period");
	jsonw_period(&w, f->since, f->until);
	jsonw_key(&w, "total");
	jsonw_int(&w, l->total);
	jsonw_key(&w, "offset");
	jsonw_int(&w, offset);
	jsonw_key(&w, "limit");
	jsonw_int(&w, limit);
	jsonw_key(&w, "reports");
	reports_json_entries(&w, l);
	jsonw_object_end(&w);
	if (pretty && strbuf_putc(sb, '\n') < 0)
		w.failed = 1;
	return w.failed ? -1 : 0;
}

/* "  label: value" with value escaped; nothing when value is NULL. */
static void reports_field(struct text_out *o, const char *label, const char *value)
{
	char buf[TEXT_CELL_MAX];

	if (value == NULL)
		return;
	text_printf(o, "  %-22s %s\n", label, text_escape(value, buf, sizeof(buf)));
}

static void reports_detail_source(struct text_out *o, const struct query_source_detail *src)
{
	char when[32];

	if (!src->present) {
		text_puts(o, "source: not recorded\n");
		return;
	}
	text_puts(o, "source:\n");
	reports_field(o, "kind:", src->kind);
	reports_field(o, "name:", src->name);
	datetime_format_utc(src->received, when, sizeof(when));
	reports_field(o, "received:", when);
	reports_field(o, "message-id:", src->message_id);
	reports_field(o, "from:", src->mail_from);
	reports_field(o, "date:", src->mail_date);
	reports_field(o, "subject:", src->subject);
	reports_field(o, "tls-report-domain:", src->tls_report_domain);
	reports_field(o, "tls-report-submitter:", src->tls_report_submitter);
	reports_field(o, "authentication:", src->auth_headers);
}

static void reports_detail_policy(struct text_out *o, const struct query_policy_detail *p,
                                  size_t idx)
{
	char a[TEXT_CELL_MAX], b[TEXT_CELL_MAX], ok[32], bad[32];
	size_t j;

	text_printf(o, "policy %zu: %s", idx + 1, text_escape(p->policy_type, a, sizeof(a)));
	text_printf(o, " %s\n",
	            p->policy_domain != NULL ? text_escape(p->policy_domain, b, sizeof(b))
	                                     : "(no policy domain)");
	text_printf(o, "  %-22s %s successful, %s failed\n",
	            "sessions:", text_count(p->successful_sessions, ok, sizeof(ok)),
	            text_count(p->failed_sessions, bad, sizeof(bad)));
	reports_field(o, "policy-string:", p->policy_strings);
	reports_field(o, "mx-host:", p->mx_hosts);
	for (j = 0; j < p->n_failures; j++) {
		const struct query_failure_detail *f = &p->failures[j];

		text_printf(o, "  failure %zu: %s, %s session%s\n", j + 1,
		            text_escape(f->result_type, a, sizeof(a)),
		            text_count(f->failed_sessions, ok, sizeof(ok)),
		            f->failed_sessions == 1 ? "" : "s");
		reports_field(o, "  sending-mta-ip:", f->sending_mta_ip);
		reports_field(o, "  receiving-mx-hostname:", f->receiving_mx_hostname);
		reports_field(o, "  receiving-mx-helo:", f->receiving_mx_helo);
		reports_field(o, "  receiving-ip:", f->receiving_ip);
		reports_field(o, "  failure-reason-code:", f->failure_reason_code);
		reports_field(o, "  additional-info:", f->additional_information);
	}
}

int reports_render_detail_text(const struct query_report_detail *d, struct strbuf *sb)
{
	struct text_out o = {sb, 0};
	char a[32], b[32], day[16];
	const char *p, *nl;
	size_t i;

	text_printf(&o, "report %" PRId64 "\n", d->id);
	reports_field(&o, "organization-name:", d->organization);
	reports_field(&o, "report-id:", d->report_id);
	reports_field(&o, "contact-info:", d->contact_info);
	datetime_format_utc(d->start_time, a, sizeof(a));
	datetime_format_utc(d->end_time, b, sizeof(b));
	datetime_format_day(d->day, day, sizeof(day));
	text_printf(&o, "  %-22s %s to %s (day %s)\n", "date-range:", a, b, day);
	text_printf(&o, "  %-22s %s successful, %s failed (counted once)\n",
	            "sessions:", text_count(d->successful_sessions, a, sizeof(a)),
	            text_count(d->failed_sessions, b, sizeof(b)));
	reports_detail_source(&o, &d->source);
	for (i = 0; i < d->n_policies; i++)
		reports_detail_policy(&o, &d->policies[i], i);
	text_printf(&o,
	            "raw JSON (%zu bytes, sha256 %s; 'tlswatch show %" PRId64
	            " --raw' for the bytes):\n",
	            d->raw_json_len, d->raw_sha256_hex, d->id);
	/* line by line, so that the layout survives escaping */
	for (p = d->raw_json; p != NULL && *p != '\0'; p = nl != NULL ? nl + 1 : NULL) {
		char *one;

		nl = strchr(p, '\n');
		one = nl != NULL ? xstrndup(p, (size_t)(nl - p)) : xstrdup(p);
		if (escape_text_sb(sb, one) < 0 || strbuf_putc(sb, '\n') < 0)
			o.failed = 1;
		free(one);
	}
	return o.failed ? -1 : 0;
}

static void reports_json_source(struct jsonw *w, const struct query_source_detail *src)
{
	if (!src->present) {
		jsonw_null(w);
		return;
	}
	jsonw_object_begin(w);
	jsonw_key(w, "kind");
	jsonw_string(w, src->kind);
	jsonw_key(w, "name");
	jsonw_string(w, src->name);
	reports_json_time(w, "received", src->received);
	jsonw_key(w, "message_id");
	jsonw_string(w, src->message_id);
	jsonw_key(w, "mail_from");
	jsonw_string(w, src->mail_from);
	jsonw_key(w, "mail_date");
	jsonw_string(w, src->mail_date);
	jsonw_key(w, "subject");
	jsonw_string(w, src->subject);
	jsonw_key(w, "tls_report_domain");
	jsonw_string(w, src->tls_report_domain);
	jsonw_key(w, "tls_report_submitter");
	jsonw_string(w, src->tls_report_submitter);
	jsonw_key(w, "auth_headers");
	jsonw_string(w, src->auth_headers);
	jsonw_object_end(w);
}

static void reports_json_policy(struct jsonw *w, const struct query_policy_detail *p)
{
	size_t j;

	jsonw_object_begin(w);
	jsonw_key(w, "policy_type");
	jsonw_string(w, p->policy_type);
	jsonw_key(w, "policy_domain");
	jsonw_string(w, p->policy_domain);
	jsonw_key(w, "policy_strings");
	jsonw_raw(w, p->policy_strings != NULL ? p->policy_strings : "[]");
	jsonw_key(w, "mx_hosts");
	jsonw_raw(w, p->mx_hosts != NULL ? p->mx_hosts : "[]");
	jsonw_key(w, "successful_sessions");
	jsonw_int(w, p->successful_sessions);
	jsonw_key(w, "failed_sessions");
	jsonw_int(w, p->failed_sessions);
	jsonw_key(w, "failure_details");
	jsonw_array_begin(w);
	for (j = 0; j < p->n_failures; j++) {
		const struct query_failure_detail *f = &p->failures[j];

		jsonw_object_begin(w);
		jsonw_key(w, "result_type");
		jsonw_string(w, f->result_type);
		jsonw_key(w, "sending_mta_ip");
		jsonw_string(w, f->sending_mta_ip);
		jsonw_key(w, "receiving_mx_hostname");
		jsonw_string(w, f->receiving_mx_hostname);
		jsonw_key(w, "receiving_mx_helo");
		jsonw_string(w, f->receiving_mx_helo);
		jsonw_key(w, "receiving_ip");
		jsonw_string(w, f->receiving_ip);
		jsonw_key(w, "additional_information");
		jsonw_string(w, f->additional_information);
		jsonw_key(w, "failure_reason_code");
		jsonw_string(w, f->failure_reason_code);
		jsonw_key(w, "failed_sessions");
		jsonw_int(w, f->failed_sessions);
		jsonw_object_end(w);
	}
	jsonw_array_end(w);
	jsonw_object_end(w);
}

int reports_render_detail_json(const struct query_report_detail *d, struct strbuf *sb, int pretty)
{
	struct jsonw w;
	char day[16];
	size_t i;

	jsonw_init(&w, sb, pretty);
	jsonw_object_begin(&w);
	jsonw_key(&w, "id");
	jsonw_int(&w, d->id);
	jsonw_key(&w, "organization");
	jsonw_string(&w, d->organization);
	jsonw_key(&w, "report_id");
	jsonw_string(&w, d->report_id);
	jsonw_key(&w, "contact_info");
	jsonw_string(&w, d->contact_info);
	reports_json_time(&w, "start_datetime", d->start_time);
	reports_json_time(&w, "end_datetime", d->end_time);
	jsonw_key(&w, "day");
	datetime_format_day(d->day, day, sizeof(day));
	jsonw_string(&w, day);
	jsonw_key(&w, "successful_sessions");
	jsonw_int(&w, d->successful_sessions);
	jsonw_key(&w, "failed_sessions");
	jsonw_int(&w, d->failed_sessions);
	jsonw_key(&w, "source");
	reports_json_source(&w, &d->source);
	jsonw_key(&w, "policies");
	jsonw_array_begin(&w);
	for (i = 0; i < d->n_policies; i++)
		reports_json_policy(&w, &d->policies[i]);
	jsonw_array_end(&w);
	jsonw_key(&w, "raw_sha256");
	jsonw_string(&w, d->raw_sha256_hex);
	jsonw_key(&w, "raw_json");
	jsonw_string(&w, d->raw_json);
	jsonw_object_end(&w);
	if (pretty && strbuf_putc(sb, '\n') < 0)
		w.failed = 1;
	return w.failed ? -1 : 0;
}
