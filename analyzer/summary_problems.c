/*
 * summary_problems.c - one problem, one row (docs/summary-json.md,
 * "problems"): the failure groups of (reporter, domain, MX, result type)
 * merged per (domain, MX, result type), with the reporters that saw each,
 * so that one expired certificate is one row, not one per reporter. Rows
 * hold report text (untrusted): only compared and copied here.
 */
#include <stdlib.h>
#include <string.h>

#include "limits.h"
#include "strbuf.h"
#include "summary.h"
#include "xalloc.h"

static int problems_str_cmp(const char *a, const char *b)
{
	return strcmp(a != NULL ? a : "", b != NULL ? b : "");
}

static int problems_key_cmp(const struct query_row *a, const struct query_row *b)
{
	int c = problems_str_cmp(a->policy_domain, b->policy_domain);

	if (c == 0)
		c = problems_str_cmp(a->mx_host, b->mx_host);
	if (c == 0)
		c = problems_str_cmp(a->result_type, b->result_type);
	return c;
}

/* By key, then the most failed reporter first (the order it is named). */
static int problems_row_cmp(const void *x, const void *y)
{
	const struct query_row *a = *(const struct query_row *const *)x;
	const struct query_row *b = *(const struct query_row *const *)y;
	int c = problems_key_cmp(a, b);

	if (c != 0)
		return c;
	if (a->failed_sessions != b->failed_sessions)
		return a->failed_sessions > b->failed_sessions ? -1 : 1;
	return problems_str_cmp(a->organization, b->organization);
}

struct problem {
	struct query_row row;
	char *reporters;
};

static int problems_cmp(const void *x, const void *y)
{
	const struct problem *a = x, *b = y;

	if (a->row.failed_sessions != b->row.failed_sessions)
		return a->row.failed_sessions > b->row.failed_sessions ? -1 : 1;
	return problems_key_cmp(&a->row, &b->row);
}

void summary_problems(const struct query_rows *failures, struct query_rows *out, char ***reporters)
{
	const struct query_row **sorted;
	struct problem *p;
	struct strbuf sb;
	size_t i, j, k, n = 0;

	sorted = xcalloc(failures->n ? failures->n : 1, sizeof(*sorted));
	p = xcalloc(failures->n ? failures->n : 1, sizeof(*p));
	for (i = 0; i < failures->n; i++)
		sorted[i] = &failures->rows[i];
	qsort(sorted, failures->n, sizeof(*sorted), problems_row_cmp);
	strbuf_init(&sb, 64 * (LIMIT_ALERT_REPORTERS + 1) + LIMIT_STRING_BYTES);
	for (i = 0; i < failures->n; i = j) {
		struct problem *e = &p[n++];

		for (j = i + 1; j < failures->n && problems_key_cmp(sorted[i], sorted[j]) == 0; j++)
			;
		e->row.policy_domain =
		    sorted[i]->policy_domain ? xstrdup(sorted[i]->policy_domain) : NULL;
		e->row.mx_host = sorted[i]->mx_host ? xstrdup(sorted[i]->mx_host) : NULL;
		e->row.result_type =
		    sorted[i]->result_type ? xstrdup(sorted[i]->result_type) : NULL;
		strbuf_reset(&sb);
		for (k = i; k < j; k++) {
			e->row.failed_sessions += sorted[k]->failed_sessions;
			e->row.reports++; /* here: the reporters that saw it */
			/* past the buffer's cap the list stays as it is */
			if (k - i < LIMIT_ALERT_REPORTERS &&
			    (strbuf_puts(&sb, k > i ? ", " : "") < 0 ||
			     strbuf_puts(&sb, sorted[k]->organization ? sorted[k]->organization
			                                              : "") < 0))
				continue;
		}
		if (j - i > LIMIT_ALERT_REPORTERS &&
		    strbuf_printf(&sb, " and %zu more", j - i - LIMIT_ALERT_REPORTERS) < 0)
			strbuf_reset(&sb);
		e->reporters = xstrdup(strbuf_str(&sb));
	}
	qsort(p, n, sizeof(*p), problems_cmp);
	out->rows = xcalloc(n ? n : 1, sizeof(*out->rows));
	out->n = n;
	*reporters = xcalloc(n ? n : 1, sizeof(**reporters));
	for (i = 0; i < n; i++) {
		out->rows[i] = p[i].row;
		(*reporters)[i] = p[i].reporters;
	}
	strbuf_free(&sb);
	free(p);
	free(sorted);
}
