/*
 * params.c - strict query-string decoding and the dashboard's filters.
 * Input: untrusted URLs. Every length and count is checked before it is
 * copied (see params.h).
 */
#include "params.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "parse_int.h"
#include "period.h"
#include "store_trust.h"
#include "utf8.h"
#include "xalloc.h"

/* Largest page number accepted: pages * LIMIT_REPORT_PAGE stays far from
 * overflowing an offset. */
#define WEB_MAX_PAGE 1000000

/* Decodes len bytes (percent escapes, '+' as space) into a new string.
 * -1 with the reason on a bad escape, a control character or invalid
 * UTF-8 in the result. */
static int web_decode(const char *s, size_t len, char **out, const char *what, char *err,
                      size_t errlen)
{
	char *d = xmalloc(len + 1);
	size_t i, o = 0;
	int hi, lo;

	for (i = 0; i < len; i++) {
		if (s[i] == '+') {
			d[o++] = ' ';
		} else if (s[i] == '%') {
			if (i + 2 >= len)
				goto bad_escape;
			hi = parse_hex_digit(s[i + 1]);
			lo = parse_hex_digit(s[i + 2]);
			if (hi < 0 || lo < 0)
				goto bad_escape;
			d[o++] = (char)(hi * 16 + lo);
			i += 2;
		} else {
			d[o++] = s[i];
		}
	}
	d[o] = '\0';
	for (i = 0; i < o; i++) {
		if ((unsigned char)d[i] < 0x20 || d[i] == 0x7f) {
			snprintf(err, errlen, "%s: control character", what);
			goto fail;
		}
	}
	if (utf8_valid_prefix((const unsigned char *)d, o) != o) {
		snprintf(err, errlen, "%s: invalid UTF-8", what);
		goto fail;
	}
	*out = d;
	return 0;
bad_escape:
	snprintf(err, errlen, "%s: bad %%-escape", what);
fail:
	free(d);
	return -1;
}

void web_params_free(struct web_params *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		free(p->items[i].name);
		free(p->items[i].value);
	}
	p->n = 0;
}

int web_params_parse(const char *query, size_t len, struct web_params *p, char *err, size_t errlen)
{
	const char *s = query, *end = query + len, *amp, *eq;
	char *name = NULL, *value = NULL;

	p->n = 0;
	if (len > LIMIT_WEB_QUERY_BYTES) {
		snprintf(err, errlen, "query string longer than %u bytes", LIMIT_WEB_QUERY_BYTES);
		return -1;
	}
	while (s < end) {
		amp = memchr(s, '&', (size_t)(end - s));
		if (amp == NULL)
			amp = end;
		if (amp == s) {
			s++;
			continue;
		}
		if (p->n == LIMIT_WEB_QUERY_PARAMS) {
			snprintf(err, errlen, "more than %u query parameters",
			         LIMIT_WEB_QUERY_PARAMS);
			goto fail;
		}
		eq = memchr(s, '=', (size_t)(amp - s));
		if (eq == NULL)
			eq = amp;
		if ((size_t)(amp - s) > LIMIT_STRING_BYTES) {
			snprintf(err, errlen, "query parameter longer than %d bytes",
			         LIMIT_STRING_BYTES);
			goto fail;
		}
		if (web_decode(s, (size_t)(eq - s), &name, "query parameter name", err, errlen) < 0)
			goto fail;
		if (web_decode(eq < amp ? eq + 1 : amp, eq < amp ? (size_t)(amp - eq - 1) : 0,
		               &value, "query parameter value", err, errlen) < 0)
			goto fail;
		p->items[p->n].name = name;
		p->items[p->n].value = value;
		name = value = NULL;
		p->n++;
		s = amp;
	}
	return 0;
fail:
	free(name);
	free(value);
	web_params_free(p);
	return -1;
}

const char *web_params_get(const struct web_params *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (strcmp(p->items[i].name, name) == 0 && p->items[i].value[0] != '\0')
			return p->items[i].value;
	return NULL;
}

int web_parse_id(const char *s, int64_t *out)
{
	/* one spelling per number ("01" is not 1): one URL per page */
	if (s[0] == '0')
		return -1;
	return parse_int(s, 1, LIMIT_COUNT_MAX, out, NULL, 0) < 0 ? -1 : 0;
}

/* Parameters the filter knows; anything else is ignored by it (a page may
 * read its own, such as group_by). */
int web_filter_parse(const struct web_params *p, int64_t today, struct web_filter *f, char *err,
                     size_t errlen)
{
	const char *since = web_params_get(p, "since"), *until = web_params_get(p, "until");
	const char *all = web_params_get(p, "all"), *page = web_params_get(p, "page");
	char why[ERR_LINE_MAX];
	size_t i;

	memset(f, 0, sizeof(*f));
	f->today = today;
	f->page = 1;
	if (all != NULL && strcmp(all, "1") != 0) {
		snprintf(err, errlen, "all: want all=1");
		return -1;
	}
	if (all != NULL) {
		if (since != NULL || until != NULL) {
			snprintf(err, errlen, "all=1 excludes since and until");
			return -1;
		}
		f->all = 1;
	} else if (period_resolve(since, until, today, 7, &f->q.since, &f->q.until, why,
	                          sizeof(why)) < 0) {
		snprintf(err, errlen, "period: %s", why);
		return -1;
	}
	f->since_arg = since;
	f->until_arg = until;
	for (i = 0; i < p->n; i++) {
		if (strcmp(p->items[i].name, "domain") != 0 || p->items[i].value[0] == '\0')
			continue;
		f->domains[f->q.n_domains++] = p->items[i].value;
	}
	f->q.domains = f->q.n_domains > 0 ? f->domains : NULL;
	f->q.organization = web_params_get(p, "org");
	f->q.mx_host = web_params_get(p, "mx");
	f->q.result_type = web_params_get(p, "result_type");
	f->q.provenance = web_params_get(p, "provenance");
	if (f->q.provenance != NULL && store_provenance_grade(f->q.provenance) == 0) {
		snprintf(err, errlen,
		         "provenance: want dkim-verified, file, https or unverified-mail");
		return -1;
	}
	if (page != NULL && (web_parse_id(page, &f->page) < 0 || f->page > WEB_MAX_PAGE)) {
		snprintf(err, errlen, "page: want a number from 1 to %d", WEB_MAX_PAGE);
		return -1;
	}
	return 0;
}

static int web_query_pair(struct strbuf *sb, int *first, const char *key, const char *value)
{
	if (value == NULL)
		return 0;
	if (strbuf_putc(sb, *first ? '?' : '&') < 0 || strbuf_puts(sb, key) < 0 ||
	    strbuf_putc(sb, '=') < 0 || escape_url(sb, value) < 0)
		return -1;
	*first = 0;
	return 0;
}

static int web_overridden(const struct web_kv *kv, size_t n, const char *key)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(kv[i].key, key) == 0)
			return 1;
	/* a new period replaces both ends and all=1 */
	for (i = 0; i < n; i++)
		if ((strcmp(kv[i].key, "since") == 0 || strcmp(kv[i].key, "until") == 0) &&
		    (strcmp(key, "since") == 0 || strcmp(key, "until") == 0 ||
		     strcmp(key, "all") == 0))
			return 1;
	return 0;
}

int web_filter_query(struct strbuf *sb, const struct web_filter *f, const struct web_kv *kv,
                     size_t n)
{
	static const char *const keys[] = {"org", "mx", "result_type", "provenance"};
	const char *values[4];
	int first = 1, rc = 0;
	size_t i;

	values[0] = f->q.organization;
	values[1] = f->q.mx_host;
	values[2] = f->q.result_type;
	values[3] = f->q.provenance;
	if (f->all && !web_overridden(kv, n, "all"))
		rc |= web_query_pair(sb, &first, "all", "1");
	if (!web_overridden(kv, n, "since"))
		rc |= web_query_pair(sb, &first, "since", f->since_arg);
	if (!web_overridden(kv, n, "until"))
		rc |= web_query_pair(sb, &first, "until", f->until_arg);
	if (!web_overridden(kv, n, "domain"))
		for (i = 0; i < f->q.n_domains; i++)
			rc |= web_query_pair(sb, &first, "domain", f->q.domains[i]);
	for (i = 0; i < 4; i++)
		if (!web_overridden(kv, n, keys[i]))
			rc |= web_query_pair(sb, &first, keys[i], values[i]);
	for (i = 0; i < n; i++)
		rc |= web_query_pair(sb, &first, kv[i].key, kv[i].value);
	return rc < 0 ? -1 : 0;
}
