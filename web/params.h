/*
 * params.h - query strings and the dashboard's filters.
 *
 * Input is untrusted (any URL a browser or script sends). Query strings are
 * decoded strictly (%XX and '+'), bounded (LIMIT_WEB_QUERY_BYTES,
 * LIMIT_WEB_QUERY_PARAMS, LIMIT_STRING_BYTES per value), and must be valid
 * UTF-8 without control characters. The filters are the same as
 * 'tlswatch summary' takes: since, until, domain (repeatable), org, mx,
 * result_type; plus page for lists. Values are passed on as bound SQL
 * parameters and escaped wherever they are shown.
 */
#ifndef TLSWATCH_WEB_PARAMS_H
#define TLSWATCH_WEB_PARAMS_H

#include <stddef.h>
#include <stdint.h>

#include "limits.h"
#include "query.h"
#include "strbuf.h"

struct web_param {
	char *name;
	char *value;
};

struct web_params {
	struct web_param items[LIMIT_WEB_QUERY_PARAMS];
	size_t n;
};

/* Parses len bytes of a query string (without the '?'). 0, or -1 with the
 * reason in err; on failure p is left empty. Free with web_params_free. */
int web_params_parse(const char *query, size_t len, struct web_params *p, char *err, size_t errlen);
void web_params_free(struct web_params *p);
/* The first value of name, or NULL. Empty values count as absent. */
const char *web_params_get(const struct web_params *p, const char *name);

/* The filters of a view, resolved. Strings borrow from the web_params. */
struct web_filter {
	struct query_filter q; /* since, until and the string filters */
	const char *domains[LIMIT_WEB_QUERY_PARAMS];
	const char *since_arg; /* as given, for links; NULL: default */
	const char *until_arg;
	int all;      /* all=1: every day holding a report */
	int64_t page; /* 1-based */
	int64_t today;
};

/* Reads the filters from p: since, until (period_resolve rules, default the
 * 7 complete UTC days before today), all=1 (the caller then sets the period
 * with summary_period_all), domain (repeatable), org, mx, result_type,
 * page. 0, or -1 with the reason ("period: ...") for a 400. */
int web_filter_parse(const struct web_params *p, int64_t today, struct web_filter *f, char *err,
                     size_t errlen);

/* One parameter to add to or replace in a link. value NULL: drop key. */
struct web_kv {
	const char *key;
	const char *value;
};

/* Appends the filter as a query string ("?since=..&domain=.."), percent-
 * encoded, to sb (not HTML-escaped; nothing at all when the filter is
 * empty). Each of the n kv pairs replaces the filter's parameter of that
 * name (since or until replace the whole period) or adds one (page,
 * group_by). -1 past the cap. */
STRBUF_MUST_CHECK int web_filter_query(struct strbuf *sb, const struct web_filter *f,
                                       const struct web_kv *kv, size_t n);

/* Appends s percent-encoded (everything but A-Z a-z 0-9 - . _ ~). */
STRBUF_MUST_CHECK int web_url_encode(struct strbuf *sb, const char *s);

/* A positive decimal id ("12", no leading zero) within 1..2^53-1, read
 * by parse_int; 0 or -1. */
int web_parse_id(const char *s, int64_t *out);

#endif
