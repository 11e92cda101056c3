/*
 * reason_roll.c - a report's roll_reason rows from the report in memory
 * (reason_roll.h), shared by sqlite_reason_roll.c and pg_write_batch.c,
 * and the read both backends make of the table.
 * Input: a validated report (its text untrusted, only compared and
 * handed on).
 */
#include "reason_roll.h"

#include <stdlib.h>
#include <string.h>

#include "query_sql.h"
#include "xalloc.h"

int reason_roll_wanted(const struct report *r)
{
	size_t i, j;

	/* most reports carry no failure text: no statement for them */
	for (i = 0; i < r->n_policies; i++)
		for (j = 0; j < r->policies[i].n_failures; j++)
			if (r->policies[i].failures[j].failure_reason_code != NULL ||
			    r->policies[i].failures[j].additional_information != NULL)
				return 1;
	return 0;
}

/* One failure detail with a text of the kind being added. */
struct reason_item {
	const char *dom, *mx, *text, *rt;
	int type; /* 0 sts, 1 tlsa, 2 any other policy type */
	int64_t n;
};

static int reason_item_cmp(const void *x, const void *y)
{
	const struct reason_item *a = x, *b = y;
	int c;

	if ((c = strcmp(a->dom, b->dom)) != 0 || (c = strcmp(a->mx, b->mx)) != 0 ||
	    (c = strcmp(a->text, b->text)) != 0)
		return c;
	return strcmp(a->rt, b->rt);
}

/* Emits the rows of the group items [i, j) (sorted, so items[i].rt is its
 * first result type, bytewise as SQL's min over "C" text). */
static int reason_emit_group(int kind, const struct reason_item *it, size_t i, size_t j,
                             reason_roll_emit emit, void *arg, char *err, size_t errlen)
{
	struct reason_roll_row row;
	int64_t sum[3] = {0, 0, 0}, failed;
	size_t k, e;

	for (k = i; k < j; k++)
		sum[it[k].type] += it[k].n;
	failed = (sum[0] > sum[1] ? sum[0] : sum[1]) + sum[2];
	for (k = i; k < j; k = e) {
		row.kind = kind;
		row.text = it[k].text;
		row.policy_domain = it[k].dom;
		row.mx_host = it[k].mx;
		row.result_type = it[k].rt;
		row.failed = k == i ? failed : 0;
		for (row.sent = 0, e = k; e < j && strcmp(it[e].rt, it[k].rt) == 0; e++)
			row.sent += it[e].n;
		if (emit(arg, &row, err, errlen) < 0)
			return -1;
	}
	return 0;
}

int reason_roll_report(const struct report *r, reason_roll_emit emit, void *arg, char *err,
                       size_t errlen)
{
	struct reason_item *it;
	size_t i, j, n, total = 0;
	int kind, rc = 0;

	for (i = 0; i < r->n_policies; i++)
		total += r->policies[i].n_failures;
	it = xcalloc(total > 0 ? total : 1, sizeof(*it));
	for (kind = 0; kind < 2 && rc == 0; kind++) {
		for (n = 0, i = 0; i < r->n_policies; i++) {
			const struct report_policy *p = &r->policies[i];

			for (j = 0; j < p->n_failures; j++) {
				const struct report_failure *f = &p->failures[j];
				const char *text =
				    kind == 0 ? f->failure_reason_code : f->additional_information;

				if (text == NULL)
					continue;
				it[n].dom = p->policy_domain != NULL ? p->policy_domain : "";
				it[n].mx = f->receiving_mx_hostname != NULL
				               ? f->receiving_mx_hostname
				               : "";
				it[n].text = text;
				it[n].rt = f->result_type;
				it[n].type = strcmp(p->policy_type, "sts") == 0    ? 0
				             : strcmp(p->policy_type, "tlsa") == 0 ? 1
				                                                   : 2;
				it[n].n = f->failed_sessions;
				n++;
			}
		}
		qsort(it, n, sizeof(*it), reason_item_cmp);
		for (i = 0; i < n && rc == 0; i = j) {
			for (j = i + 1;
			     j < n && strcmp(it[i].dom, it[j].dom) == 0 &&
			     strcmp(it[i].mx, it[j].mx) == 0 && strcmp(it[i].text, it[j].text) == 0;
			     j++)
				;
			rc = reason_emit_group(kind, it, i, j, emit, arg, err, errlen);
		}
	}
	free(it);
	return rc;
}

int reason_roll_answers(int rollups, const struct query_filter *f)
{
	return rollups && f->result_type == NULL && f->provenance == NULL;
}

int reason_roll_sql(struct query_sql *q, const struct query_filter *f, int kind, size_t limit,
                    const char *select, const char *tail, char *err, size_t errlen)
{
	query_sql_add(q, select);
	if (query_sql_where(q, f, WHERE_ROLL_REASON, err, errlen) < 0)
		return -1;
	query_sql_add(q, " AND kind = ");
	query_sql_int(q, kind);
	query_sql_add(q, tail);
	query_sql_limit(q, limit);
	return 0;
}
