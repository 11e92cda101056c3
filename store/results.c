/*
 * results.c - freeing what the store's functions return (store.h,
 * query.h, query_ip.h). The result types belong to the contract, not to a
 * backend: every backend fills them, and this one file frees them.
 */
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "query.h"
#include "query_ip.h"
#include "query_reason.h"
#include "store.h"
#include "store_backend.h"
#include "store_check.h"
#include "xalloc.h"

void store_quarantine_entry_free(struct quarantine_entry *q)
{
	if (q == NULL)
		return;
	free(q->kind);
	free(q->name);
	free(q->reason);
	free(q->provenance);
	free(q->data);
	memset(q, 0, sizeof(*q));
}

void query_rows_free(struct query_rows *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n; i++) {
		free(r->rows[i].organization);
		free(r->rows[i].policy_domain);
		free(r->rows[i].mx_host);
		free(r->rows[i].result_type);
		free(r->rows[i].policy_type);
	}
	free(r->rows);
	memset(r, 0, sizeof(*r));
}

void query_ip_rows_free(struct query_ip_rows *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n; i++)
		free(r->rows[i].sending_ip);
	free(r->rows);
	memset(r, 0, sizeof(*r));
}

void query_ip_details_free(struct query_ip_details *d)
{
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < d->n; i++) {
		struct query_ip_detail *e = &d->details[i];

		free(e->organization);
		free(e->policy_type);
		free(e->policy_domain);
		free(e->receiving_mx_hostname);
		free(e->result_type);
		free(e->receiving_ip);
		free(e->failure_reason_code);
	}
	free(d->details);
	memset(d, 0, sizeof(*d));
}

void query_report_list_free(struct query_report_list *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++) {
		free(l->entries[i].organization);
		free(l->entries[i].provenance);
		free(l->entries[i].report_id);
		free(l->entries[i].domains_json);
		free(l->entries[i].first_domain);
	}
	free(l->entries);
	memset(l, 0, sizeof(*l));
}

static void query_source_free(struct query_source_detail *src)
{
	free(src->kind);
	free(src->name);
	free(src->message_id);
	free(src->mail_from);
	free(src->mail_date);
	free(src->subject);
	free(src->tls_report_domain);
	free(src->tls_report_submitter);
	free(src->auth_headers);
	free(src->dkim);
	free(src->dkim_domain);
	free(src->dkim_ar);
}

void query_report_detail_free(struct query_report_detail *d)
{
	size_t i, j;

	if (d == NULL)
		return;
	for (i = 0; i < d->n_policies; i++) {
		struct query_policy_detail *p = &d->policies[i];

		for (j = 0; j < p->n_failures; j++) {
			struct query_failure_detail *fl = &p->failures[j];

			free(fl->result_type);
			free(fl->sending_mta_ip);
			free(fl->receiving_mx_hostname);
			free(fl->receiving_mx_helo);
			free(fl->receiving_ip);
			free(fl->additional_information);
			free(fl->failure_reason_code);
		}
		free(p->failures);
		free(p->policy_type);
		free(p->policy_domain);
		free(p->policy_domain_source);
		free(p->policy_strings);
		free(p->mx_hosts);
	}
	free(d->policies);
	query_source_free(&d->source);
	free(d->organization);
	free(d->report_id);
	free(d->contact_info);
	free(d->quirks);
	free(d->raw_json);
	free(d->provenance);
	memset(d, 0, sizeof(*d));
}

void query_alert_series_free(struct query_alert_series *a)
{
	size_t i;

	if (a == NULL)
		return;
	if (a->strings != NULL) {
		/* the rows borrow these */
		for (i = 0; i < a->n_strings; i++)
			free(a->strings[i]);
		free(a->strings);
		free(a->domain_days.rows);
		free(a->organization_days.rows);
		free(a->failure_days.rows);
		memset(a, 0, sizeof(*a));
		return;
	}
	query_rows_free(&a->domain_days);
	query_rows_free(&a->organization_days);
	query_rows_free(&a->failure_days);
}

void query_scan_free(struct query_scan *sc)
{
	if (sc == NULL)
		return;
	query_rows_free(&sc->by_domain);
	query_rows_free(&sc->by_organization);
	query_rows_free(&sc->by_day);
	query_rows_free(&sc->by_mx);
	query_rows_free(&sc->by_result_type);
	query_rows_free(&sc->failures);
	query_rows_free(&sc->by_policy_type);
	memset(sc, 0, sizeof(*sc));
}

void query_reason_rows_free(struct query_reason_rows *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n; i++) {
		free(r->rows[i].reason_code);
		free(r->rows[i].result_types);
	}
	free(r->rows);
	memset(r, 0, sizeof(*r));
}

void query_presence_rows_add(struct query_presence_rows *r, size_t *alloc, const char *domain,
                             const char *organization, int64_t first_day, uint32_t days)
{
	const struct query_presence *prev;
	struct query_presence *row;

	if (r->strings == NULL)
		r->strings = arena_new();
	if (r->n == *alloc) {
		*alloc = *alloc ? *alloc * 2 : 256;
		r->rows = xreallocarray(r->rows, *alloc, sizeof(*r->rows));
	}
	prev = r->n > 0 ? &r->rows[r->n - 1] : NULL;
	row = &r->rows[r->n++];
	if (domain != NULL && domain[0] == '\0')
		domain = NULL;
	if (organization == NULL)
		organization = "";
	/* a domain's rows come together, a reporter's rows of it too: one
	 * copy each instead of two mallocs a row */
	if (prev != NULL && (prev->policy_domain == NULL
	                         ? domain == NULL
	                         : domain != NULL && strcmp(prev->policy_domain, domain) == 0)) {
		row->policy_domain = prev->policy_domain;
		row->organization = strcmp(prev->organization, organization) == 0
		                        ? prev->organization
		                        : arena_strdup(r->strings, organization);
	} else {
		row->policy_domain = domain != NULL ? arena_strdup(r->strings, domain) : NULL;
		row->organization = arena_strdup(r->strings, organization);
	}
	row->first_day = first_day;
	row->days = days;
}

void query_presence_rows_free(struct query_presence_rows *r)
{
	if (r == NULL)
		return;
	free(r->rows);
	arena_free(r->strings);
	memset(r, 0, sizeof(*r));
}

void store_check_results_free(struct check_results *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n; i++) {
		struct check_result *c = &r->r[i];
		/* owned here, const for the readers */
		const char *const owned[] = {c->domain,   c->status,       c->sts_id, c->sts_mode,
		                             c->sts_body, c->policy_error, c->mx,     c->certs,
		                             c->tlsa,     c->tlsrpt};
		size_t k;

		for (k = 0; k < sizeof(owned) / sizeof(owned[0]); k++)
			free((void *)owned[k]);
	}
	free(r->r);
	memset(r, 0, sizeof(*r));
}

void store_policy_seen_free(struct policy_seen_rows *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n; i++) {
		free(r->r[i].organization);
		free(r->r[i].policy);
		free(r->r[i].mx_hosts);
	}
	free(r->r);
	memset(r, 0, sizeof(*r));
}
