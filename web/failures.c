/*
 * failures.c - failed sessions grouped by organisation, MX host, result
 * type, policy domain or sending IP, for the failures page and its API.
 * The numbers are the analyzer's failure groups (query_group), summed per
 * key; sending IPs come from the failure details (query_ip.c). Keys are
 * report text (untrusted), escaped by whoever shows them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "page.h"
#include "query_ip.h"
#include "reasons.h"
#include "xalloc.h"

static const struct {
	const char *name; /* group_by value, and the JSON key */
	const char *json_key;
	const char *param; /* the filter parameter selecting one key */
	const char *title;
} web_group_defs[] = {
    [GROUP_ORGANIZATION] = {"organization", "organization", "org", "Organisation"},
    [GROUP_MX] = {"mx", "mx_host", "mx", "MX host"},
    [GROUP_RESULT_TYPE] = {"result_type", "result_type", "result_type", "Result type"},
    [GROUP_DOMAIN] = {"domain", "policy_domain", "domain", "Policy domain"},
    [GROUP_IP] = {"sending_ip", "sending_ip", "ip", "Sending IP"},
    [GROUP_REASON] = {"reason", "failure_reason_code", NULL, "Failure reason"},
    [GROUP_INFO] = {"additional_information", "additional_information", NULL,
                    "Additional information"},
};

int web_group_parse(const char *s, enum web_group_by *g)
{
	size_t i;

	for (i = 0; i < sizeof(web_group_defs) / sizeof(web_group_defs[0]); i++) {
		if (strcmp(s, web_group_defs[i].name) == 0) {
			*g = (enum web_group_by)i;
			return 0;
		}
	}
	return -1;
}

const char *web_group_name(enum web_group_by g)
{
	return web_group_defs[g].name;
}

const char *web_group_json_key(enum web_group_by g)
{
	return web_group_defs[g].json_key;
}

const char *web_group_param(enum web_group_by g)
{
	return web_group_defs[g].param;
}

const char *web_group_title(enum web_group_by g)
{
	return web_group_defs[g].title;
}

void web_groups_free(struct web_groups *g)
{
	size_t i;

	if (g == NULL)
		return;
	for (i = 0; i < g->n; i++) {
		free(g->groups[i].key);
		free(g->groups[i].detail);
	}
	free(g->groups);
	memset(g, 0, sizeof(*g));
}

/* Most failed first, then by key bytewise, absent last. */
static int web_group_cmp(const void *a, const void *b)
{
	const struct web_group *x = a, *y = b;

	if (x->failed_sessions != y->failed_sessions)
		return x->failed_sessions > y->failed_sessions ? -1 : 1;
	if (x->key == NULL || y->key == NULL)
		return (x->key == NULL) - (y->key == NULL);
	return strcmp(x->key, y->key);
}

static int web_key_cmp(const void *a, const void *b)
{
	const struct web_group *x = a, *y = b;

	if (x->key == NULL || y->key == NULL)
		return (x->key == NULL) - (y->key == NULL);
	return strcmp(x->key, y->key);
}

/* Sums rows of the (organisation, domain, MX, type) failure groups by the
 * organisation or the domain. */
static void web_groups_sum(const struct query_rows *rows, enum web_group_by g,
                           struct web_groups *out)
{
	struct web_group *all = xcalloc(rows->n ? rows->n : 1, sizeof(*all));
	size_t i, j, n = 0;

	for (i = 0; i < rows->n; i++) {
		const char *k = g == GROUP_ORGANIZATION ? rows->rows[i].organization
		                                        : rows->rows[i].policy_domain;

		all[i].key = k != NULL ? xstrdup(k) : NULL;
		all[i].failed_sessions = rows->rows[i].failed_sessions;
	}
	qsort(all, rows->n, sizeof(*all), web_key_cmp);
	for (i = 0; i < rows->n; i = j) {
		all[n] = all[i];
		for (j = i + 1; j < rows->n && web_key_cmp(&all[i], &all[j]) == 0; j++) {
			all[n].failed_sessions += all[j].failed_sessions;
			free(all[j].key);
		}
		n++;
	}
	qsort(all, n, sizeof(*all), web_group_cmp);
	out->groups = all;
	out->n = n;
}

int web_groups_read(struct store *st, const struct web_filter *f, enum web_group_by g,
                    struct web_groups *out, char *err, size_t errlen)
{
	struct query_rows rows = {NULL, 0};
	struct query_ip_rows ips = {NULL, 0};
	struct reason_groups reasons = {NULL, 0, 0};
	struct web_groups r = {NULL, 0};
	size_t i;
	int rc = -1;

	if (g == GROUP_REASON || g == GROUP_INFO) {
		if ((g == GROUP_REASON ? reasons_build(st, &f->q, &reasons, err, errlen)
		                       : reasons_build_info(st, &f->q, &reasons, err, errlen)) < 0)
			goto out;
		r.groups = xcalloc(reasons.n ? reasons.n : 1, sizeof(*r.groups));
		for (i = 0; i < reasons.n; i++) {
			r.groups[i].key = reasons.groups[i].label;
			reasons.groups[i].label = NULL;
			r.groups[i].detail = reasons.groups[i].result_types;
			reasons.groups[i].result_types = NULL;
			r.groups[i].forms = reasons.groups[i].variants;
			r.groups[i].failed_sessions = reasons.groups[i].failed_sessions;
		}
		r.n = reasons.n;
	} else if (g == GROUP_IP) {
		if (query_failure_ips(st, &f->q, 0, &ips, err, errlen) < 0)
			goto out;
		r.groups = xcalloc(ips.n ? ips.n : 1, sizeof(*r.groups));
		for (i = 0; i < ips.n; i++) {
			r.groups[i].key = ips.rows[i].sending_ip;
			ips.rows[i].sending_ip = NULL;
			r.groups[i].failed_sessions = ips.rows[i].failed_sessions;
		}
		r.n = ips.n;
	} else if (g == GROUP_MX || g == GROUP_RESULT_TYPE) {
		if (query_group(st, &f->q, g == GROUP_MX ? QUERY_BY_MX : QUERY_BY_RESULT_TYPE, 0,
		                &rows, err, errlen) < 0)
			goto out;
		r.groups = xcalloc(rows.n ? rows.n : 1, sizeof(*r.groups));
		for (i = 0; i < rows.n; i++) {
			char **k =
			    g == GROUP_MX ? &rows.rows[i].mx_host : &rows.rows[i].result_type;

			r.groups[i].key = *k;
			*k = NULL;
			r.groups[i].failed_sessions = rows.rows[i].failed_sessions;
		}
		r.n = rows.n;
	} else {
		if (query_group(st, &f->q, QUERY_BY_FAILURE, 0, &rows, err, errlen) < 0)
			goto out;
		web_groups_sum(&rows, g, &r);
	}
	*out = r;
	memset(&r, 0, sizeof(r));
	rc = 0;
out:
	web_groups_free(&r);
	query_rows_free(&rows);
	query_ip_rows_free(&ips);
	reasons_free(&reasons);
	return rc;
}
