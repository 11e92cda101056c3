/*
 * check_history.c - storing each 'tlswatch check' result and reading the
 * stored runs back as changes (check_history.h). The stored text came
 * from DNS, HTTPS and SMTP answers: only compared and copied here, and
 * escaped where printed.
 */
#include "check_history.h"

#include <stdlib.h>
#include <string.h>

#include "datetime.h"
#include "escape.h"
#include "jsonw.h"
#include "mtasts.h"
#include "xalloc.h"

/* check_domain's lists as the store keeps them (schema/011). */
static int check_history_lists(const struct check_domain *cd, struct strbuf *mx,
                               struct strbuf *certs)
{
	int i;

	for (i = 0; i < cd->n_mx; i++)
		if (strbuf_printf(mx, "%d %s\n", cd->mx[i].pref, cd->mx[i].host) < 0 ||
		    strbuf_printf(certs, "%s %lld\n", cd->mx[i].host,
		                  (long long)cd->mx[i].not_after) < 0)
			return -1;
	return 0;
}

int check_history_store(struct store *st, const struct check_domain *cd, int64_t now, char *err,
                        size_t errlen)
{
	struct check_result r;
	struct strbuf mx, certs;
	enum check_status worst = CHECK_OK;
	int i, rc = -1;

	/* LIMIT_CHECK_MX lines of a pref, a host and a time each */
	strbuf_init(&mx, (size_t)LIMIT_CHECK_MX * (LIMIT_CHECK_NAME_BYTES + 32));
	strbuf_init(&certs, (size_t)LIMIT_CHECK_MX * (LIMIT_CHECK_NAME_BYTES + 32));
	if (check_history_lists(cd, &mx, &certs) < 0) {
		snprintf(err, errlen, "internal error: the MX list of %s is over its cap",
		         cd->domain);
		goto out;
	}
	for (i = 0; i < cd->n; i++)
		if (cd->f[i].status > worst)
			worst = cd->f[i].status;
	memset(&r, 0, sizeof(r));
	r.domain = cd->domain;
	r.checked_at = now;
	r.status = (cd->could_not_check ? "unknown" : check_status_name(worst));
	r.sts_id = cd->sts_id[0] != '\0' ? cd->sts_id : NULL;
	r.sts_mode = cd->sts_mode[0] != '\0' ? cd->sts_mode : NULL;
	r.sts_max_age = cd->sts_mode[0] != '\0' ? cd->sts_max_age : -1;
	r.sts_body = cd->sts_mode[0] != '\0' ? cd->sts_body : NULL;
	r.policy_error = cd->policy_error[0] != '\0' ? cd->policy_error : NULL;
	r.mx = strbuf_str(&mx);
	r.certs = strbuf_str(&certs);
	r.tlsa = cd->tlsa;
	r.tlsrpt = cd->tlsrpt[0] != '\0' ? cd->tlsrpt : NULL;
	if (store_begin(st, err, errlen) < 0)
		goto out;
	if (store_check_add(st, &r, err, errlen) < 0) {
		store_rollback(st);
		goto out;
	}
	rc = store_commit(st, err, errlen);
out:
	strbuf_free(&mx);
	strbuf_free(&certs);
	return rc;
}

/* 1 when the line [line, line + len) is one of set's lines. */
static int lines_have(const char *set, const char *line, size_t len)
{
	const char *p = set, *e;

	for (; *p != '\0'; p = *e != '\0' ? e + 1 : e) {
		e = strchr(p, '\n');
		if (e == NULL)
			e = p + strlen(p);
		if ((size_t)(e - p) == len && memcmp(p, line, len) == 0)
			return 1;
	}
	return 0;
}

static STRBUF_MUST_CHECK int change_sep(struct strbuf *sb, int *n)
{
	return (*n)++ > 0 ? strbuf_puts(sb, "; ") : 0;
}

/* Each line of a not in b, as "WHAT LINE" (the line's own form). */
static STRBUF_MUST_CHECK int lines_gone(const char *a, const char *b, const char *what,
                                        struct strbuf *sb, int *n)
{
	const char *p = a, *e;

	for (; *p != '\0'; p = *e != '\0' ? e + 1 : e) {
		e = strchr(p, '\n');
		if (e == NULL)
			e = p + strlen(p);
		if (e == p || lines_have(b, p, (size_t)(e - p)))
			continue;
		if (change_sep(sb, n) < 0 ||
		    strbuf_printf(sb, "%s %.*s", what, (int)(e - p), p) < 0)
			return -1;
	}
	return 0;
}

/* The expiry stored for host in a certs list; 0: none. */
static int64_t cert_expiry(const char *certs, const char *host, size_t hlen)
{
	const char *p = certs;

	while (*p != '\0') {
		const char *e = strchr(p, '\n');

		if (e == NULL)
			e = p + strlen(p);
		if ((size_t)(e - p) > hlen && memcmp(p, host, hlen) == 0 && p[hlen] == ' ')
			return strtoll(p + hlen + 1, NULL, 10);
		p = *e != '\0' ? e + 1 : e;
	}
	return 0;
}

static STRBUF_MUST_CHECK int certs_changed(const char *a, const char *b, struct strbuf *sb, int *n)
{
	const char *p = b, *e, *sp;
	char was[16], now[16];

	for (; *p != '\0'; p = *e != '\0' ? e + 1 : e) {
		int64_t before, after;

		e = strchr(p, '\n');
		if (e == NULL)
			e = p + strlen(p);
		sp = memchr(p, ' ', (size_t)(e - p));
		if (sp == NULL)
			continue;
		before = cert_expiry(a, p, (size_t)(sp - p));
		after = strtoll(sp + 1, NULL, 10);
		if (before == 0 || after == 0 || before == after)
			continue;
		datetime_format_day(datetime_day_of(before), was, sizeof(was));
		datetime_format_day(datetime_day_of(after), now, sizeof(now));
		if (change_sep(sb, n) < 0 ||
		    strbuf_printf(sb, "%.*s certificate replaced: expires %s (was %s)",
		                  (int)(sp - p), p, now, was) < 0)
			return -1;
	}
	return 0;
}

static int str_differ(const char *a, const char *b)
{
	return (a == NULL) != (b == NULL) || (a != NULL && strcmp(a, b) != 0);
}

/* The policy's mx lines, one a line, into out ("" when it does not
 * parse: it was stored because it did). */
static void policy_mx_lines(const char *body, char *out, size_t outlen)
{
	struct mtasts_policy *p = calloc(1, sizeof(*p));
	char err[ERR_LINE_MAX];
	size_t used = 0;
	int i;

	out[0] = '\0';
	if (p == NULL || body == NULL ||
	    mtasts_parse_policy(body, strlen(body), p, err, sizeof(err)) < 0) {
		free(p);
		return;
	}
	for (i = 0; i < p->n_mx && used < outlen; i++)
		used += (size_t)snprintf(out + used, outlen - used, "%s\n", p->mx[i]);
	free(p);
}

static STRBUF_MUST_CHECK int policy_changed(const struct check_result *prev,
                                            const struct check_result *cur, struct strbuf *sb,
                                            int *n)
{
	char a[LIMIT_STS_POLICY_MX * (LIMIT_CHECK_NAME_BYTES + 1) + 1];
	char b[sizeof(a)], until[16];

	if (prev->sts_body == NULL || cur->sts_body == NULL ||
	    strcmp(prev->sts_body, cur->sts_body) == 0)
		return 0;
	policy_mx_lines(prev->sts_body, a, sizeof(a));
	policy_mx_lines(cur->sts_body, b, sizeof(b));
	if (lines_gone(b, a, "policy mx: added", sb, n) < 0 ||
	    lines_gone(a, b, "policy mx: removed", sb, n) < 0)
		return -1;
	if (!str_differ(prev->sts_id, cur->sts_id) && cur->sts_id != NULL) {
		/* RFC 8461 section 3.1: senders refetch only on a new id */
		datetime_format_day(datetime_day_of(cur->checked_at + prev->sts_max_age), until,
		                    sizeof(until));
		if (change_sep(sb, n) < 0 ||
		    strbuf_printf(sb,
		                  "WARNING: the policy changed but the id stayed %s: senders "
		                  "that cached it keep the old one (until %s at most); raise "
		                  "the id",
		                  cur->sts_id, until) < 0)
			return -1;
	}
	return 0;
}

int check_history_changes(const struct check_result *prev, const struct check_result *cur,
                          struct strbuf *sb, int *n)
{
	static const char *const none = "(none)";

	*n = 0;
	if (prev == NULL) {
		*n = 1;
		if (strbuf_printf(sb, "first checked: %s; MTA-STS id %s, mode %s", cur->status,
		                  cur->sts_id != NULL ? cur->sts_id : none,
		                  cur->sts_mode != NULL ? cur->sts_mode : none) < 0)
			return -1;
		if (cur->sts_max_age >= 0 &&
		    strbuf_printf(sb, ", max_age %lld", (long long)cur->sts_max_age) < 0)
			return -1;
		return lines_gone(cur->mx, "", "MX", sb, n);
	}
	if (str_differ(prev->status, cur->status) &&
	    (change_sep(sb, n) < 0 ||
	     strbuf_printf(sb, "status %s -> %s", prev->status, cur->status) < 0))
		return -1;
	if (str_differ(prev->sts_id, cur->sts_id) &&
	    (change_sep(sb, n) < 0 || strbuf_printf(sb, "MTA-STS id changed from %s to %s",
	                                            prev->sts_id != NULL ? prev->sts_id : none,
	                                            cur->sts_id != NULL ? cur->sts_id : none) < 0))
		return -1;
	if (str_differ(prev->sts_mode, cur->sts_mode) &&
	    (change_sep(sb, n) < 0 ||
	     strbuf_printf(sb, "mode %s -> %s", prev->sts_mode != NULL ? prev->sts_mode : none,
	                   cur->sts_mode != NULL ? cur->sts_mode : none) < 0))
		return -1;
	if (prev->sts_max_age >= 0 && cur->sts_max_age >= 0 &&
	    prev->sts_max_age != cur->sts_max_age &&
	    (change_sep(sb, n) < 0 ||
	     strbuf_printf(sb, "max_age %lld -> %lld", (long long)prev->sts_max_age,
	                   (long long)cur->sts_max_age) < 0))
		return -1;
	if (policy_changed(prev, cur, sb, n) < 0)
		return -1;
	if (cur->policy_error != NULL && prev->policy_error == NULL &&
	    (change_sep(sb, n) < 0 ||
	     strbuf_printf(sb, "policy unreachable: %s", cur->policy_error) < 0))
		return -1;
	if (cur->policy_error == NULL && prev->policy_error != NULL && cur->sts_body != NULL &&
	    (change_sep(sb, n) < 0 || strbuf_puts(sb, "policy reachable again") < 0))
		return -1;
	if (lines_gone(cur->mx, prev->mx, "MX added:", sb, n) < 0 ||
	    lines_gone(prev->mx, cur->mx, "MX removed:", sb, n) < 0 ||
	    certs_changed(prev->certs, cur->certs, sb, n) < 0 ||
	    lines_gone(cur->tlsa, prev->tlsa, "TLSA added:", sb, n) < 0 ||
	    lines_gone(prev->tlsa, cur->tlsa, "TLSA removed:", sb, n) < 0)
		return -1;
	if (str_differ(prev->tlsrpt, cur->tlsrpt) &&
	    (change_sep(sb, n) < 0 ||
	     strbuf_printf(sb, "TLSRPT rua %s -> %s", prev->tlsrpt != NULL ? prev->tlsrpt : none,
	                   cur->tlsrpt != NULL ? cur->tlsrpt : none) < 0))
		return -1;
	return 0;
}

/* Calls emit for each stored run of domain that changed something, with
 * the changes as text (unescaped, as stored); *runs gets the run count. */
static int check_history_walk(struct store *st, const char *domain,
                              void (*emit)(void *arg, const struct check_result *r,
                                           const struct strbuf *changes),
                              void *arg, int *runs, char *err, size_t errlen)
{
	struct check_results h = {NULL, 0};
	struct strbuf sb;
	size_t i;
	int n;

	if (store_check_history(st, domain, LIMIT_CHECK_HISTORY, &h, err, errlen) < 0)
		return -1;
	strbuf_init(&sb, LIMIT_STS_POLICY_BYTES);
	for (i = 0; i < h.n; i++) {
		strbuf_reset(&sb);
		/* past the cap, what fitted is shown (a 64 KiB line is a
		 * hostile policy's) */
		if (check_history_changes(i > 0 ? &h.r[i - 1] : NULL, &h.r[i], &sb, &n) < 0)
			n = 1;
		if (n > 0)
			emit(arg, &h.r[i], &sb);
	}
	*runs = (int)h.n;
	strbuf_free(&sb);
	store_check_results_free(&h);
	return 0;
}

struct history_text {
	FILE *f;
	const char *domain;
	char *line; /* LIMIT_STS_POLICY_BYTES * 4 + 8: escape_text's worst case */
};

static void check_history_emit_text(void *arg, const struct check_result *r,
                                    const struct strbuf *changes)
{
	struct history_text *t = arg;
	size_t cap = LIMIT_STS_POLICY_BYTES;
	char when[32];

	datetime_format_utc(r->checked_at, when, sizeof(when));
	escape_text(strbuf_str(changes), changes->len, cap, t->line, cap * 4 + 8);
	fprintf(t->f, "%s: %s %s\n", esc(t->domain), when, t->line);
}

int check_history_print(struct store *st, const char *domain, FILE *f, int *runs, char *err,
                        size_t errlen)
{
	struct history_text t = {f, domain, NULL};
	int rc;

	t.line = xmalloc(LIMIT_STS_POLICY_BYTES * 4 + 8);
	rc = check_history_walk(st, domain, check_history_emit_text, &t, runs, err, errlen);
	free(t.line);
	return rc;
}

struct history_json {
	FILE *f;
	int first;
	struct strbuf sb; /* one change at a time: the stream stays small */
};

static void check_history_emit_json(void *arg, const struct check_result *r,
                                    const struct strbuf *changes)
{
	struct history_json *j = arg;
	struct jsonw w;
	char when[32];

	strbuf_reset(&j->sb);
	jsonw_init(&w, &j->sb, 0);
	jsonw_object_begin(&w);
	jsonw_key(&w, "checked_at");
	datetime_format_utc(r->checked_at, when, sizeof(when));
	jsonw_string(&w, when);
	jsonw_key(&w, "status");
	jsonw_string(&w, r->status);
	jsonw_key(&w, "sts_id");
	jsonw_string(&w, r->sts_id != NULL && r->sts_id[0] != '\0' ? r->sts_id : NULL);
	jsonw_key(&w, "sts_mode");
	jsonw_string(&w, r->sts_mode != NULL && r->sts_mode[0] != '\0' ? r->sts_mode : NULL);
	jsonw_key(&w, "sts_max_age");
	if (r->sts_max_age >= 0)
		jsonw_int(&w, r->sts_max_age);
	else
		jsonw_null(&w);
	jsonw_key(&w, "changes");
	jsonw_string(&w, strbuf_str(changes));
	jsonw_object_end(&w);
	if (!w.failed)
		fprintf(j->f, "%s%s", j->first ? "" : ",", strbuf_str(&j->sb));
	j->first = 0;
}

int check_history_json(struct store *st, const char *domain, FILE *f, int first, int *runs,
                       char *err, size_t errlen)
{
	struct history_json j;
	struct strbuf name;
	int rc = -1;

	j.f = f;
	j.first = 1;
	/* JSON escapes a byte in at most 6 */
	strbuf_init(&j.sb, LIMIT_STS_POLICY_BYTES * 6 + 1024);
	strbuf_init(&name, LIMIT_CHECK_NAME_BYTES * 6 + 8);
	if (jsonw_quote(&name, domain) < 0) {
		snprintf(err, errlen, "domain name too long");
		goto out;
	}
	fprintf(f, "%s{\"domain\":%s,\"changes\":[", first ? "" : ",", strbuf_str(&name));
	*runs = 0;
	rc = check_history_walk(st, domain, check_history_emit_json, &j, runs, err, errlen);
	/* closed even after an error: the document stays whole */
	fprintf(f, "],\"runs\":%d}", *runs);
out:
	strbuf_free(&name);
	strbuf_free(&j.sb);
	return rc;
}
