/*
 * sqlite_where.c - statements built from fixed fragments with their values
 * kept aside for binding, and the one translation of a query_filter into
 * a WHERE clause, for every kind of rows a query reads. The filter comes
 * from the operator or a web query string (untrusted): its values are
 * only ever bound; the column names pasted come from the table below.
 */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "limits.h"
#include "sqlite_query_impl.h"

void query_sql_init(struct query_sql *q)
{
	memset(q, 0, sizeof(*q));
	/* statements are short: a few fixed fragments and '?' per value */
	strbuf_init(&q->sb, 64 * 1024);
}

void query_sql_free(struct query_sql *q)
{
	strbuf_free(&q->sb);
}

void query_sql_add(struct query_sql *q, const char *sql)
{
	if (strbuf_puts(&q->sb, sql) < 0)
		q->failed = 1;
}

/* The next value's slot, its placeholder appended: pg_type, when not
 * NULL, the PostgreSQL type the text value is read as (query_sql_typed). */
static struct query_arg *query_sql_next_arg(struct query_sql *q, int is_text, const char *pg_type)
{
	int rc;

	if (q->n_args >= QUERY_MAX_ARGS) {
		q->failed = 1;
		return NULL;
	}
	if (q->dollar) {
		/* PostgreSQL: a text value compares and folds bytewise, as
		 * the columns (COLLATE "C") and SQLite do */
		if (pg_type != NULL)
			rc = strbuf_printf(&q->sb, "$%d::%s", q->n_args + 1, pg_type);
		else
			rc = strbuf_printf(&q->sb, is_text ? "($%d::text COLLATE \"C\")" : "$%d",
			                   q->n_args + 1);
		if (rc < 0)
			q->failed = 1;
	} else {
		query_sql_add(q, "?");
	}
	return &q->args[q->n_args++];
}

void query_sql_text(struct query_sql *q, const char *v)
{
	struct query_arg *a = query_sql_next_arg(q, 1, NULL);

	if (a != NULL) {
		a->is_text = 1;
		a->text = v;
	}
}

void query_sql_typed(struct query_sql *q, const char *v, const char *pg_type)
{
	struct query_arg *a;

	/* SQLite has no such types: a caller's mistake */
	assert(q->dollar);
	a = query_sql_next_arg(q, 1, pg_type);
	if (a != NULL) {
		a->is_text = 1;
		a->text = v;
	}
}

void query_sql_int(struct query_sql *q, int64_t v)
{
	struct query_arg *a = query_sql_next_arg(q, 0, NULL);

	if (a != NULL) {
		a->is_text = 0;
		a->num = v;
	}
}

void query_sql_limit(struct query_sql *q, size_t limit)
{
	if (limit == 0)
		return;
	query_sql_add(q, " LIMIT ");
	query_sql_int(q, (int64_t)limit);
}

int query_sql_page(struct query_sql *q, int64_t limit, int64_t offset, char *err, size_t errlen)
{
	if (limit < 1 || limit > LIMIT_REPORT_PAGE || offset < 0) {
		snprintf(err, errlen, "page size must be 1..%d and offset not negative",
		         LIMIT_REPORT_PAGE);
		return -1;
	}
	query_sql_add(q, " LIMIT ");
	query_sql_int(q, limit);
	query_sql_add(q, " OFFSET ");
	query_sql_int(q, offset);
	return 0;
}

/* Which column answers each part of the filter in rows of one kind; NULL
 * where the rows cannot answer it (that part is not applied). In the
 * report's rows the policy-level parts are asked of its policies (and
 * their failure details) in one EXISTS, so a report matches when one
 * policy matches them all. '' stands for "absent", as in the aggregate
 * tables. */
struct where_columns {
	const char *day;
	const char *organization;
	const char *domain;
	const char *policy_type;
	const char *mx_host;
	const char *result_type;
	const char *provenance; /* the report list's provenance filter */
	int exists;             /* 1: domain .. result_type inside EXISTS over policy p */
};

#define P_DOMAIN "coalesce(p.policy_domain, '')"
/* a domain compared as a domain: rtrim(lower(X), '.') around X */
#define DOMAIN_NORMAL_OPEN  "rtrim(lower("
#define DOMAIN_NORMAL_CLOSE "), '.')"
#define FL_MX               "coalesce(fl.receiving_mx_hostname, '')"

static const struct where_columns where_columns[] = {
    [WHERE_AGG_DOMAIN] = {"day", "organization", "policy_domain", NULL, NULL, NULL, NULL, 0},
    [WHERE_AGG_FAILURE] = {"day", "organization", "policy_domain", NULL, "mx_host", "result_type",
                           NULL, 0},
    [WHERE_AGG_MX] = {"day", "organization", "policy_domain", NULL, "mx_host", NULL, NULL, 0},
    [WHERE_AGG_TYPE] = {"day", "organization", "policy_domain", "policy_type", NULL, NULL, NULL, 0},
    [WHERE_REPORT] = {"r.day", "r.organization", P_DOMAIN, "p.policy_type", FL_MX, "fl.result_type",
                      "r.provenance", 1},
    [WHERE_REPORT_DOMAINS] = {"r.day", "r.organization", P_DOMAIN, NULL, NULL, NULL, "r.provenance",
                              1},
    [WHERE_FAILURE_DETAIL] = {"r.day", "r.organization", P_DOMAIN, NULL, FL_MX, "fl.result_type",
                              "r.provenance", 0},
    [WHERE_ROLL_REASON] = {"day", "organization", "policy_domain", NULL, "mx_host", NULL, NULL, 0},
};

/* " AND column = ?" when the column exists and the value is asked for. */
static void where_equal(struct query_sql *q, const char *column, const char *value)
{
	if (column == NULL || value == NULL)
		return;
	query_sql_add(q, " AND ");
	query_sql_add(q, column);
	query_sql_add(q, " = ");
	query_sql_text(q, value);
}

int query_sql_where(struct query_sql *q, const struct query_filter *f, enum where_rows rows,
                    char *err, size_t errlen)
{
	const struct where_columns *c;
	int domains, ptype, failure;
	size_t i;

	if ((unsigned)rows >= sizeof(where_columns) / sizeof(where_columns[0])) {
		snprintf(err, errlen, "internal error: no such kind of rows %d", (int)rows);
		return -1;
	}
	if (f->n_domains > LIMIT_FILTER_DOMAINS) {
		snprintf(err, errlen, "more than %d domains in one filter", LIMIT_FILTER_DOMAINS);
		return -1;
	}
	c = &where_columns[rows];
	domains = f->n_domains > 0;
	ptype = c->policy_type != NULL && f->policy_type != NULL;
	failure = (c->mx_host != NULL && f->mx_host != NULL) ||
	          (c->result_type != NULL && f->result_type != NULL);
	query_sql_add(q, " WHERE ");
	query_sql_add(q, c->day);
	query_sql_add(q, " >= ");
	query_sql_int(q, f->since);
	query_sql_add(q, " AND ");
	query_sql_add(q, c->day);
	query_sql_add(q, " < ");
	query_sql_int(q, f->until);
	where_equal(q, c->organization, f->organization);
	where_equal(q, c->provenance, f->provenance);
	if (c->exists && !domains && !ptype && !failure)
		return 0;
	if (c->exists) {
		query_sql_add(q, " AND EXISTS (SELECT 1 FROM policy p");
		if (failure)
			query_sql_add(q, " JOIN failure fl ON fl.policy = p.id");
		query_sql_add(q, " WHERE p.report = r.id");
	}
	/* Domains are stored as the sender wrote them ("Example.COM." and
	 * "example.com" are both kept): a filter names the domain, so both
	 * sides are compared normalised as ingest compares domains (the
	 * [trust] domain filter, inferred domains): ASCII case folded, a
	 * trailing root dot dropped. */
	if (domains) {
		query_sql_add(q, " AND " DOMAIN_NORMAL_OPEN);
		query_sql_add(q, c->domain);
		query_sql_add(q, DOMAIN_NORMAL_CLOSE " IN (");
		for (i = 0; i < f->n_domains; i++) {
			if (i > 0)
				query_sql_add(q, ",");
			query_sql_add(q, DOMAIN_NORMAL_OPEN);
			query_sql_text(q, f->domains[i] != NULL ? f->domains[i] : "");
			query_sql_add(q, DOMAIN_NORMAL_CLOSE);
		}
		query_sql_add(q, ")");
	}
	where_equal(q, c->policy_type, f->policy_type);
	where_equal(q, c->mx_host, f->mx_host);
	where_equal(q, c->result_type, f->result_type);
	if (c->exists)
		query_sql_add(q, ")");
	return 0;
}
