/*
 * copy.c - store_copy (store_admin.h): every table of the schema, in an
 * order that satisfies its references, read row by row from one backend
 * (rows_read) and written to another (rows_write), ids kept. The column
 * lists below are the base tables of the schema at version 12; the
 * roll-ups and lifetime totals of 012 are not copied: the target's
 * triggers make them again from the aggregate rows as they arrive. A
 * table added later is copied once it is listed here. Values are our own
 * stored data, passed through unchanged as parameters.
 */
#include <stdio.h>
#include <string.h>

#include "store_admin.h"
#include "store_backend.h"
#include "strbuf.h"

static const struct store_table copy_tables[] = {
    {"raw_report", {"id", "sha256", "json_size", "gz", NULL}, "id", "id"},
    {"source",
     {"id", "kind", "name", "received", "message_id", "mail_from", "mail_date", "subject",
      "tls_report_domain", "tls_report_submitter", "auth_headers", "dkim", "dkim_domain", "dkim_ar",
      NULL},
     "id",
     "id"},
    {"report",
     {"id", "organization", "report_id", "contact_info", "start_time", "end_time", "day",
      "successful_sessions", "failed_sessions", "raw_id", "source_id", "content_sha256",
      "provenance", "quirks", NULL},
     "id",
     "id"},
    {"policy",
     {"id", "report", "idx", "policy_type", "policy_domain", "policy_strings", "mx_hosts",
      "successful_sessions", "failed_sessions", "policy_domain_source", NULL},
     "id",
     "id"},
    {"failure",
     {"id", "policy", "result_type", "sending_mta_ip", "receiving_mx_hostname", "receiving_mx_helo",
      "receiving_ip", "additional_information", "failure_reason_code", "failed_sessions", NULL},
     "id",
     "id"},
    {"agg_domain",
     {"day", "policy_domain", "organization", "reports", "successful_sessions", "failed_sessions",
      NULL},
     "day, policy_domain, organization",
     NULL},
    {"agg_failure",
     {"day", "policy_domain", "organization", "mx_host", "result_type", "failed_sessions", NULL},
     "day, policy_domain, organization, mx_host, result_type",
     NULL},
    {"agg_policy_type",
     {"day", "policy_domain", "organization", "policy_type", "policies", "successful_sessions",
      "failed_sessions", NULL},
     "day, policy_domain, organization, policy_type",
     NULL},
    {"agg_mx",
     {"day", "policy_domain", "organization", "mx_host", "failed_sessions", NULL},
     "day, policy_domain, organization, mx_host",
     NULL},
    {"agg_domain_pruned",
     {"policy_domain", "organization", "reports", "successful_sessions", "failed_sessions", NULL},
     "policy_domain, organization",
     NULL},
    {"agg_failure_pruned",
     {"policy_domain", "organization", "mx_host", "result_type", "failed_sessions", NULL},
     "policy_domain, organization, mx_host, result_type",
     NULL},
    {"agg_mx_pruned",
     {"policy_domain", "organization", "mx_host", "failed_sessions", NULL},
     "policy_domain, organization, mx_host",
     NULL},
    {"quarantine",
     {"id", "received", "kind", "name", "reason", "sha256", "size", "data", "truncated", "released",
      "released_report", "conflict_report", "provenance", NULL},
     "id",
     "id"},
    {"imap_state",
     {"server", "\"user\"", "mailbox", "uidvalidity", "last_uid", "updated", NULL},
     "server, \"user\", mailbox",
     NULL},
    {"alert_judged", {"day", "reports", "last_report", "judged_at", NULL}, "day", NULL},
    {"alert_sent_day",
     {"scope", "policy_domain", "mx_host", "result_type", "organization", "day", "value", "sent_at",
      "times", NULL},
     "scope, policy_domain, mx_host, result_type, organization, day",
     NULL},
    /* schema 010 and 011 */
    {"recount_pending", {"reason", "asked_at", NULL}, "reason", NULL},
    {"check_result",
     {"id", "domain", "checked_at", "status", "sts_id", "sts_mode", "sts_max_age", "sts_body",
      "policy_error", "mx", "certs", "tlsa", "tlsrpt", NULL},
     "id",
     "id"},
};

int store_table_sql(const struct store_table *t, int insert, int dollar, struct strbuf *sql)
{
	int i, n;

	if ((insert ? strbuf_printf(sql, "INSERT INTO %s (", t->name)
	            : strbuf_puts(sql, "SELECT ")) < 0)
		return -1;
	for (n = 0; n < STORE_TABLE_MAX_COLUMNS && t->columns[n] != NULL; n++)
		if (strbuf_puts(sql, n > 0 ? ", " : "") < 0 || strbuf_puts(sql, t->columns[n]) < 0)
			return -1;
	if (!insert)
		return strbuf_printf(sql, " FROM %s ORDER BY %s", t->name, t->order) < 0 ? -1 : n;
	if (strbuf_puts(sql, ") VALUES (") < 0)
		return -1;
	for (i = 0; i < n; i++)
		if (strbuf_printf(sql, "%s%c%d", i > 0 ? ", " : "", dollar ? '$' : '?', i + 1) < 0)
			return -1;
	return strbuf_puts(sql, ")") < 0 ? -1 : n;
}

struct copy_run {
	struct store *to;
	const struct store_table *t;
	int64_t rows;
	char *err;
	size_t errlen;
};

static int copy_row(const struct store_value *row, void *arg)
{
	struct copy_run *c = arg;

	if (c->to->ops->rows_write(c->to, c->t, row, c->err, c->errlen) < 0)
		return -1;
	c->rows++;
	return 0;
}

int store_copy(struct store *st, struct store *to, int64_t *rows, char *err, size_t errlen)
{
	struct copy_run c = {to, NULL, 0, err, errlen};
	int64_t first, last, bytes, n_quarantined;
	int has_reports;
	size_t i;

	STORE_OP_NEEDED(st, rows_read, "be copied from", err, errlen);
	STORE_OP_NEEDED(to, rows_write, "be copied to", err, errlen);
	if (query_day_span(to, &first, &last, &has_reports, err, errlen) < 0 ||
	    store_quarantine_usage(to, &bytes, &n_quarantined, err, errlen) < 0)
		return -1;
	if (has_reports || n_quarantined > 0) {
		snprintf(err, errlen,
		         "the target store is not empty: copy only into a new database");
		return -1;
	}
	STORE_OP_NEEDED(st, read_snapshot, "be copied from", err, errlen);
	if (store_begin(to, err, errlen) < 0)
		return -1;
	/* one snapshot of the source: a consistent copy while writers run */
	if (st->ops->read_snapshot(st, 1, err, errlen) < 0) {
		store_rollback(to);
		return -1;
	}
	for (i = 0; i < sizeof(copy_tables) / sizeof(copy_tables[0]); i++) {
		c.t = &copy_tables[i];
		if (st->ops->rows_read(st, c.t, copy_row, &c, err, errlen) < 0 ||
		    to->ops->rows_write(to, c.t, NULL, err, errlen) < 0) {
			st->ops->read_snapshot(st, 0, err + strlen(err), 0);
			store_rollback(to);
			return -1;
		}
	}
	if (st->ops->read_snapshot(st, 0, err, errlen) < 0) {
		store_rollback(to);
		return -1;
	}
	if (store_commit(to, err, errlen) < 0)
		return -1;
	*rows = c.rows;
	return 0;
}
