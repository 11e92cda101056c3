/*
 * report.c - RFC 8460 JSON to struct report. Input is untrusted: anyone can
 * mail or POST a report. The raw bytes are scanned first (NUL, UTF-8, depth,
 * size of the tree), then parsed with cJSON, checked for duplicate keys, and
 * copied into our own structs; the cJSON tree is freed before returning.
 */
#include "report.h"

#include <cJSON.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "datetime.h"
#include "hostname.h"
#include "limits.h"
#include "utf8.h"
#include "xalloc.h"

/* A JSON path like "policies[2].summary", kept as segments while the walk
 * descends and formatted only when an error is reported: the common case,
 * a valid report, never pays for the text. */
#define PATH_MAX_SEGMENTS (LIMIT_JSON_DEPTH + 8)

struct path_segment {
	const char *key; /* NULL for an array index */
	size_t index;
};

struct path {
	struct path_segment seg[PATH_MAX_SEGMENTS];
	size_t len;
};

struct parse {
	struct arena *arena;
	struct report *r; /* quirks are counted here */
	char *err;
	size_t errlen;
	struct path path;
};

/* cJSON allocates every node and string on its own, and a report holds
 * hundreds of them: while this thread parses a report, cJSON's tree lives
 * in a scratch arena, freed whole once the report is copied out (so
 * cJSON_Delete walks the tree without freeing it node by node). Outside a
 * parse the hooks are plain malloc and free. The tree's size is bounded
 * as before: report_scan_raw caps its values first. */
static _Thread_local struct arena *report_tree;

static void *report_tree_alloc(size_t n)
{
	if (report_tree != NULL)
		return arena_calloc(report_tree, 1, n);
	return malloc(n);
}

static void report_tree_free(void *p)
{
	if (report_tree == NULL)
		free(p);
}

static void report_hooks_init(void)
{
	cJSON_Hooks hooks = {report_tree_alloc, report_tree_free};

	cJSON_InitHooks(&hooks);
}

static size_t path_push_key(struct path *p, const char *key)
{
	size_t old = p->len;

	if (p->len < PATH_MAX_SEGMENTS) {
		p->seg[p->len].key = key;
		p->seg[p->len].index = 0;
		p->len++;
	}
	return old;
}

static size_t path_push_index(struct path *p, size_t i)
{
	size_t old = p->len;

	if (p->len < PATH_MAX_SEGMENTS) {
		p->seg[p->len].key = NULL;
		p->seg[p->len].index = i;
		p->len++;
	}
	return old;
}

static void path_pop(struct path *p, size_t old)
{
	p->len = old;
}

/* Writes the path ("a.b[2].c") into buf; returns the length written. */
static size_t path_format(const struct path *p, char *buf, size_t buflen)
{
	size_t i, o = 0;
	int n;

	buf[0] = '\0';
	for (i = 0; i < p->len && o < buflen; i++) {
		if (p->seg[i].key != NULL)
			n = snprintf(buf + o, buflen - o, "%s%.64s", i > 0 ? "." : "",
			             p->seg[i].key);
		else
			n = snprintf(buf + o, buflen - o, "[%zu]", p->seg[i].index);
		if (n < 0)
			break;
		o += (size_t)n < buflen - o ? (size_t)n : buflen - o - 1;
	}
	return o;
}

__attribute__((format(printf, 2, 3))) static int parse_fail(struct parse *ps, const char *fmt, ...)
{
	char where[256];
	va_list ap;
	int n = 0;

	if (ps->path.len > 0) {
		path_format(&ps->path, where, sizeof(where));
		n = snprintf(ps->err, ps->errlen, "%s: ", where);
	}
	if (n < 0 || (size_t)n >= ps->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(ps->err + n, ps->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* One pass over the raw bytes before cJSON sees them: rejects NUL bytes,
 * invalid UTF-8, the \u0000 escape (cJSON would silently cut the string),
 * nesting deeper than LIMIT_JSON_DEPTH and more than LIMIT_JSON_VALUES
 * values, so cJSON's allocation is bounded by our limits. */
static int report_scan_raw(const char *json, size_t len, char *err, size_t errlen)
{
	const unsigned char *s = (const unsigned char *)json;
	size_t i, bad, values = 1;
	int depth = 0;

	bad = utf8_valid_prefix(s, len);
	if (memchr(s, '\0', bad) != NULL) {
		snprintf(err, errlen, "NUL byte at offset %zu",
		         (size_t)((const unsigned char *)memchr(s, '\0', bad) - s));
		return -1;
	}
	if (bad < len) {
		if (s[bad] == '\0')
			snprintf(err, errlen, "NUL byte at offset %zu", bad);
		else
			snprintf(err, errlen, "invalid UTF-8 at offset %zu", bad);
		return -1;
	}
	for (i = 0; i < len; i++) {
		if (s[i] == '"') {
			/* a string, to its closing quote: only escapes matter
			 * inside, so the common case is one tight loop */
			for (i++; i < len && s[i] != '"'; i++) {
				if (s[i] != '\\')
					continue;
				if (i + 5 < len && s[i + 1] == 'u' &&
				    memcmp(s + i + 2, "0000", 4) == 0) {
					snprintf(err, errlen,
					         "\\u0000 escape in a string at offset %zu", i);
					return -1;
				}
				i++;
			}
			continue;
		}
		switch (s[i]) {
		case '[':
		case '{':
			if (++depth > LIMIT_JSON_DEPTH) {
				snprintf(err, errlen, "JSON nested deeper than %d levels",
				         LIMIT_JSON_DEPTH);
				return -1;
			}
			values++;
			break;
		case ']':
		case '}':
			depth--;
			break;
		case ',':
			values++;
			break;
		default:
			break;
		}
		if (values > LIMIT_JSON_VALUES) {
			snprintf(err, errlen, "more than %d JSON values", LIMIT_JSON_VALUES);
			return -1;
		}
	}
	return 0;
}

static int report_key_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* cJSON keeps every member of an object and lookups return the first, so a
 * report with two "total-failure-session-count" keys would be read one way
 * here and another way elsewhere. Reject duplicates anywhere in the tree. */
static int report_check_keys(struct parse *ps, const cJSON *node, int depth)
{
	const cJSON *c;
	const char *keys[LIMIT_JSON_OBJECT_MEMBERS];
	size_t n = 0, i, old;

	if (depth > LIMIT_JSON_DEPTH)
		return parse_fail(ps, "JSON nested too deep");
	if (cJSON_IsObject(node)) {
		for (c = node->child; c != NULL; c = c->next) {
			if (n == LIMIT_JSON_OBJECT_MEMBERS)
				return parse_fail(ps, "object has more than %d members",
				                  LIMIT_JSON_OBJECT_MEMBERS);
			keys[n++] = c->string;
		}
		/* a report's objects have a handful of keys: compare pairs;
		 * sort only the rare large object */
		if (n <= 16) {
			for (i = 1; i < n; i++) {
				size_t j;

				for (j = 0; j < i; j++)
					if (strcmp(keys[j], keys[i]) == 0)
						return parse_fail(ps, "duplicate key \"%.64s\"",
						                  keys[i]);
			}
		} else {
			qsort(keys, n, sizeof(keys[0]), report_key_cmp);
			for (i = 1; i < n; i++)
				if (strcmp(keys[i - 1], keys[i]) == 0)
					return parse_fail(ps, "duplicate key \"%.64s\"", keys[i]);
		}
		for (c = node->child; c != NULL; c = c->next) {
			old = path_push_key(&ps->path, c->string);
			if (report_check_keys(ps, c, depth + 1) < 0)
				return -1;
			path_pop(&ps->path, old);
		}
	} else if (cJSON_IsArray(node)) {
		for (c = node->child, i = 0; c != NULL; c = c->next, i++) {
			old = path_push_index(&ps->path, i);
			if (report_check_keys(ps, c, depth + 1) < 0)
				return -1;
			path_pop(&ps->path, old);
		}
	}
	return 0;
}

/* Copies a validated JSON string into the arena; rejects over-long and
 * non-UTF-8 values (cJSON decodes \u escapes itself). A free-text value
 * (shorten) over the limit is kept instead: cut at a character boundary
 * with a marker saying how long it was (the raw report keeps it whole). */
static int parse_string_as(struct parse *ps, const cJSON *v, const char **out, int shorten)
{
	char marker[64];
	size_t len, cut;
	char *s;
	int n;

	if (!cJSON_IsString(v) || v->valuestring == NULL)
		return parse_fail(ps, "expected a string");
	len = strlen(v->valuestring);
	if (len > LIMIT_STRING_BYTES && !shorten)
		return parse_fail(ps, "string longer than %d bytes", LIMIT_STRING_BYTES);
	if (utf8_valid_prefix((const unsigned char *)v->valuestring, len) != len)
		return parse_fail(ps, "invalid UTF-8 in string");
	if (len <= LIMIT_STRING_BYTES) {
		*out = arena_strndup(ps->arena, v->valuestring, len);
		return 0;
	}
	cut = LIMIT_TEXT_SHORTENED;
	while (cut > 0 && ((unsigned char)v->valuestring[cut] & 0xC0u) == 0x80u)
		cut--;
	n = snprintf(marker, sizeof(marker), " [... shortened from %zu bytes]", len);
	s = arena_calloc(ps->arena, 1, cut + (size_t)n + 1);
	memcpy(s, v->valuestring, cut);
	memcpy(s + cut, marker, (size_t)n + 1);
	*out = s;
	ps->r->quirks |= REPORT_QUIRK_SHORTENED;
	ps->r->n_shortened++;
	return 0;
}

static int parse_string_value(struct parse *ps, const cJSON *v, const char **out)
{
	return parse_string_as(ps, v, out, 0);
}

/* An optional string member: absent or null leaves *out NULL. A free-text
 * one (shorten) over the limit is shortened, not refused. */
static int parse_opt_as(struct parse *ps, const cJSON *obj, const char *key, int shorten,
                        const char **out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	size_t old;
	int rc;

	*out = NULL;
	if (v == NULL || cJSON_IsNull(v))
		return 0;
	old = path_push_key(&ps->path, key);
	rc = parse_string_as(ps, v, out, shorten);
	if (rc == 0)
		path_pop(&ps->path, old);
	return rc;
}

static int parse_opt_string(struct parse *ps, const cJSON *obj, const char *key, const char **out)
{
	return parse_opt_as(ps, obj, key, 0, out);
}

static int parse_opt_text(struct parse *ps, const cJSON *obj, const char *key, const char **out)
{
	return parse_opt_as(ps, obj, key, 1, out);
}

static int parse_req_string(struct parse *ps, const cJSON *obj, const char *key, const char **out)
{
	size_t old = path_push_key(&ps->path, key);
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (v == NULL)
		return parse_fail(ps, "missing");
	if (parse_string_value(ps, v, out) < 0)
		return -1;
	if ((*out)[0] == '\0')
		return parse_fail(ps, "empty string");
	path_pop(&ps->path, old);
	return 0;
}

/* An optional string under an RFC name, or else under an alias a sender
 * uses instead (quirks E3, E4); free text (shorten) is shortened when
 * over-long, a host name never is. */
static int parse_aliased(struct parse *ps, const cJSON *obj, const char *key, const char *alias,
                         int shorten, const char **out)
{
	if (parse_opt_as(ps, obj, key, shorten, out) < 0)
		return -1;
	if (*out == NULL)
		return parse_opt_as(ps, obj, alias, shorten, out);
	return 0;
}

/* Counts: JSON integers in 0..2^53-1. cJSON's valueint clamps at INT_MAX,
 * so read valuedouble and insist it is finite and integral. */
static int parse_req_count(struct parse *ps, const cJSON *obj, const char *key, int64_t *out)
{
	size_t old = path_push_key(&ps->path, key);
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	double d;

	if (v == NULL)
		return parse_fail(ps, "missing");
	if (!cJSON_IsNumber(v))
		return parse_fail(ps, "expected a number");
	d = v->valuedouble;
	if (!isfinite(d))
		return parse_fail(ps, "number out of range");
	if (d < 0)
		return parse_fail(ps, "negative number");
	if (d != floor(d))
		return parse_fail(ps, "not an integer");
	if (d > (double)LIMIT_COUNT_MAX)
		return parse_fail(ps, "number larger than 2^53-1");
	*out = (int64_t)d;
	path_pop(&ps->path, old);
	return 0;
}

static const cJSON *parse_req_object(struct parse *ps, const cJSON *obj, const char *key)
{
	size_t old = path_push_key(&ps->path, key);
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (v == NULL) {
		parse_fail(ps, "missing");
		return NULL;
	}
	if (!cJSON_IsObject(v)) {
		parse_fail(ps, "expected an object");
		return NULL;
	}
	path_pop(&ps->path, old);
	return v;
}

/* A list of strings that may be absent, null, one string, or an array
 * (mx-host: quirks C6, C7). Empty strings are dropped. Entries of a
 * free-text list (policy-string) are shortened when over-long. */
static int parse_string_list(struct parse *ps, const cJSON *obj, const char *key, int text,
                             const char ***out, size_t *n_out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key), *c;
	size_t old = path_push_key(&ps->path, key), n, i, o = 0;
	const char **list, *s;

	*out = NULL;
	*n_out = 0;
	if (v == NULL || cJSON_IsNull(v)) {
		path_pop(&ps->path, old);
		return 0;
	}
	if (cJSON_IsString(v)) {
		if (parse_string_as(ps, v, &s, text) < 0)
			return -1;
		if (s[0] != '\0') {
			list = arena_calloc(ps->arena, 1, sizeof(*list));
			list[0] = s;
			*out = list;
			*n_out = 1;
		}
		path_pop(&ps->path, old);
		return 0;
	}
	if (!cJSON_IsArray(v))
		return parse_fail(ps, "expected an array of strings");
	n = (size_t)cJSON_GetArraySize(v);
	if (n > LIMIT_POLICY_STRINGS)
		return parse_fail(ps, "more than %d entries", LIMIT_POLICY_STRINGS);
	list = arena_calloc(ps->arena, n ? n : 1, sizeof(*list));
	for (c = v->child, i = 0; c != NULL; c = c->next, i++) {
		size_t old_i = path_push_index(&ps->path, i);

		if (parse_string_as(ps, c, &s, text) < 0)
			return -1;
		path_pop(&ps->path, old_i);
		if (s[0] != '\0')
			list[o++] = s;
	}
	*out = list;
	*n_out = o;
	path_pop(&ps->path, old);
	return 0;
}

/* Microsoft sends a TLSA policy-string as one element holding a JSON-encoded
 * array of records (quirks C1). Expand it to one entry per record; leave
 * anything that does not decode cleanly as it was. */
static void parse_expand_encoded_list(struct parse *ps, struct report_policy *pol)
{
	cJSON *inner;
	const cJSON *c;
	const char **list;
	size_t n, o = 0, len;

	if (pol->n_policy_strings != 1 || pol->policy_strings[0][0] != '[')
		return;
	len = strlen(pol->policy_strings[0]);
	if (report_scan_raw(pol->policy_strings[0], len, ps->err, ps->errlen) < 0) {
		ps->err[0] = '\0';
		return;
	}
	inner = cJSON_ParseWithLengthOpts(pol->policy_strings[0], len + 1, NULL, 1);
	if (inner == NULL)
		return;
	n = (size_t)cJSON_GetArraySize(inner);
	if (!cJSON_IsArray(inner) || n == 0 || n > LIMIT_POLICY_STRINGS)
		goto out;
	for (c = inner->child; c != NULL; c = c->next)
		if (!cJSON_IsString(c) || strlen(c->valuestring) > LIMIT_STRING_BYTES)
			goto out;
	list = arena_calloc(ps->arena, n, sizeof(*list));
	for (c = inner->child; c != NULL; c = c->next)
		if (c->valuestring[0] != '\0')
			list[o++] = arena_strdup(ps->arena, c->valuestring);
	pol->policy_strings = list;
	pol->n_policy_strings = o;
out:
	cJSON_Delete(inner);
}

static void parse_strip_cr(struct report_policy *pol)
{
	size_t i, len;

	/* Google copies CRLF-terminated mta-sts.txt lines verbatim (quirks C2);
	 * the strings are arena copies we own, so trim in place. */
	for (i = 0; i < pol->n_policy_strings; i++) {
		len = strlen(pol->policy_strings[i]);
		while (len > 0 && (pol->policy_strings[i][len - 1] == '\r' ||
		                   pol->policy_strings[i][len - 1] == '\n'))
			((char *)(uintptr_t)pol->policy_strings[i])[--len] = '\0';
	}
}

/* A host-name or address field (core/hostname.c); NULL (absent) and ""
 * pass. index is the entry's position in a list, or (size_t)-1 for a
 * member. */
static int parse_check_host(struct parse *ps, const char *key, size_t index, const char *value,
                            enum hostname_kind kind)
{
	char why[128];
	size_t old;

	/* "" is read as absent, as for policy-domain: a sender leaving a
	 * field blank is not naming a bad host */
	if (value == NULL || value[0] == '\0' || hostname_check(value, kind, why, sizeof(why)) == 0)
		return 0;
	old = path_push_key(&ps->path, key);
	if (index != (size_t)-1)
		path_push_index(&ps->path, index);
	parse_fail(ps, "%s", why);
	path_pop(&ps->path, old);
	return -1;
}

static int parse_failure_hosts(struct parse *ps, const struct report_failure *f)
{
	if (parse_check_host(ps, "sending-mta-ip", (size_t)-1, f->sending_mta_ip, HOSTNAME_IP) <
	        0 ||
	    parse_check_host(ps, "receiving-ip", (size_t)-1, f->receiving_ip, HOSTNAME_IP) < 0 ||
	    parse_check_host(ps, "receiving-mx-hostname", (size_t)-1, f->receiving_mx_hostname,
	                     HOSTNAME_MX) < 0)
		return -1;
	return 0;
}

static int parse_policy_hosts(struct parse *ps, const struct report_policy *pol)
{
	size_t i, old = path_push_key(&ps->path, "policy");

	if (parse_check_host(ps, "policy-domain", (size_t)-1, pol->policy_domain, HOSTNAME_DOMAIN) <
	    0)
		return -1;
	for (i = 0; i < pol->n_mx_hosts; i++)
		if (parse_check_host(ps, "mx-host", i, pol->mx_hosts[i], HOSTNAME_PATTERN) < 0)
			return -1;
	path_pop(&ps->path, old);
	return 0;
}

static int parse_failure(struct parse *ps, const cJSON *fd, struct report_failure *f)
{
	if (!cJSON_IsObject(fd))
		return parse_fail(ps, "expected an object");
	/* the sys4 reporter leaves result-type out for a failure code it has
	 * no name for: keep the detail, as "unknown" (quirks K2) */
	if (cJSON_GetObjectItemCaseSensitive(fd, "result-type") == NULL) {
		f->result_type = "unknown";
		ps->r->quirks |= REPORT_QUIRK_RESULT_TYPE;
		ps->r->n_unknown_result++;
	} else if (parse_req_string(ps, fd, "result-type", &f->result_type) < 0)
		return -1;
	if (parse_req_count(ps, fd, "failed-session-count", &f->failed_sessions) < 0 ||
	    parse_opt_string(ps, fd, "sending-mta-ip", &f->sending_mta_ip) < 0 ||
	    parse_aliased(ps, fd, "receiving-mx-hostname", "receiving-mx-host-name", 0,
	                  &f->receiving_mx_hostname) < 0 ||
	    parse_opt_text(ps, fd, "receiving-mx-helo", &f->receiving_mx_helo) < 0 ||
	    parse_opt_string(ps, fd, "receiving-ip", &f->receiving_ip) < 0 ||
	    parse_aliased(ps, fd, "additional-information", "additional-info-uri", 1,
	                  &f->additional_information) < 0 ||
	    parse_aliased(ps, fd, "failure-reason-code", "failure-error-code", 1,
	                  &f->failure_reason_code) < 0)
		return -1;
	return parse_failure_hosts(ps, f);
}

static int parse_policy(struct parse *ps, const cJSON *pj, struct report_policy *pol)
{
	const cJSON *policy, *summary, *fds, *c;
	size_t old, i, n;

	if (!cJSON_IsObject(pj))
		return parse_fail(ps, "expected an object");
	if ((policy = parse_req_object(ps, pj, "policy")) == NULL)
		return -1;
	old = path_push_key(&ps->path, "policy");
	if (parse_req_string(ps, policy, "policy-type", &pol->policy_type) < 0 ||
	    parse_opt_string(ps, policy, "policy-domain", &pol->policy_domain) < 0 ||
	    parse_string_list(ps, policy, "policy-string", 1, &pol->policy_strings,
	                      &pol->n_policy_strings) < 0 ||
	    parse_string_list(ps, policy, "mx-host", 0, &pol->mx_hosts, &pol->n_mx_hosts) < 0)
		return -1;
	path_pop(&ps->path, old);
	if (pol->policy_domain != NULL && pol->policy_domain[0] == '\0')
		pol->policy_domain = NULL;
	parse_expand_encoded_list(ps, pol);
	parse_strip_cr(pol);
	if (parse_policy_hosts(ps, pol) < 0)
		return -1;

	if ((summary = parse_req_object(ps, pj, "summary")) == NULL)
		return -1;
	old = path_push_key(&ps->path, "summary");
	if (parse_req_count(ps, summary, "total-successful-session-count",
	                    &pol->successful_sessions) < 0 ||
	    parse_req_count(ps, summary, "total-failure-session-count", &pol->failed_sessions) < 0)
		return -1;
	path_pop(&ps->path, old);

	fds = cJSON_GetObjectItemCaseSensitive(pj, "failure-details");
	if (fds == NULL || cJSON_IsNull(fds))
		return 0;
	old = path_push_key(&ps->path, "failure-details");
	if (!cJSON_IsArray(fds))
		return parse_fail(ps, "expected an array");
	n = (size_t)cJSON_GetArraySize(fds);
	if (n > LIMIT_FAILURE_DETAILS)
		return parse_fail(ps, "more than %d failure details", LIMIT_FAILURE_DETAILS);
	pol->failures = arena_calloc(ps->arena, n ? n : 1, sizeof(*pol->failures));
	for (c = fds->child, i = 0; c != NULL; c = c->next, i++) {
		size_t old_i = path_push_index(&ps->path, i);

		if (parse_failure(ps, c, &pol->failures[i]) < 0)
			return -1;
		path_pop(&ps->path, old_i);
	}
	pol->n_failures = n;
	path_pop(&ps->path, old);
	return 0;
}

/* Each count is at most 2^53-1; so must their sum be, or totals computed
 * from the report (tally.c, the store's aggregates) could overflow. */
static int parse_check_sum(struct parse *ps, const struct report *r)
{
	int64_t sum = 0;
	size_t i, j;

	for (i = 0; i < r->n_policies; i++) {
		const struct report_policy *p = &r->policies[i];

		sum += p->successful_sessions;
		if (sum > LIMIT_COUNT_MAX)
			break;
		sum += p->failed_sessions;
		if (sum > LIMIT_COUNT_MAX)
			break;
		for (j = 0; j < p->n_failures && sum <= LIMIT_COUNT_MAX; j++)
			sum += p->failures[j].failed_sessions;
		if (sum > LIMIT_COUNT_MAX)
			break;
	}
	if (sum > LIMIT_COUNT_MAX)
		return parse_fail(ps, "session counts add up to more than 2^53-1");
	return 0;
}

/* Distinct strings among n (sorted in place); NULLs were left out. */
static size_t report_count_distinct(const char **v, size_t n)
{
	size_t i, d = n > 0;

	qsort(v, n, sizeof(*v), report_key_cmp);
	for (i = 1; i < n; i++)
		d += strcmp(v[i - 1], v[i]) != 0;
	return d;
}

/* LIMIT_REPORT_DOMAINS and LIMIT_REPORT_MX_HOSTS: counted over the whole
 * report, as the pages and /metrics list them. */
static int parse_check_distinct(struct parse *ps, const struct report *r)
{
	const char **v;
	size_t i, j, n = 0, total = 0, d;
	int rc = 0;

	for (i = 0; i < r->n_policies; i++)
		total += r->policies[i].n_failures + 1;
	v = xcalloc(total ? total : 1, sizeof(*v));
	for (i = 0; i < r->n_policies; i++)
		if (r->policies[i].policy_domain != NULL)
			v[n++] = r->policies[i].policy_domain;
	if ((d = report_count_distinct(v, n)) > LIMIT_REPORT_DOMAINS)
		rc = parse_fail(ps, "policies: %zu distinct policy domains, more than %d", d,
		                LIMIT_REPORT_DOMAINS);
	for (i = 0, n = 0; rc == 0 && i < r->n_policies; i++)
		for (j = 0; j < r->policies[i].n_failures; j++)
			if (r->policies[i].failures[j].receiving_mx_hostname != NULL)
				v[n++] = r->policies[i].failures[j].receiving_mx_hostname;
	if (rc == 0 && (d = report_count_distinct(v, n)) > LIMIT_REPORT_MX_HOSTS)
		rc = parse_fail(ps,
		                "policies: %zu distinct receiving-mx-hostname values, more than %d",
		                d, LIMIT_REPORT_MX_HOSTS);
	free(v);
	return rc;
}

static int parse_report(struct parse *ps, const cJSON *root, struct report *r)
{
	const cJSON *range, *pols, *c;
	const char *start, *end;
	char derr[128];
	size_t old, i, n;

	if (!cJSON_IsObject(root))
		return parse_fail(ps, "top level is not a JSON object");
	/* the sys4 reporter sends "" unless its operator set a name: kept,
	 * and named by report_apply_context() (quirks K1) */
	if (cJSON_GetObjectItemCaseSensitive(root, "organization-name") == NULL)
		return parse_fail(ps, "organization-name: missing");
	if (parse_opt_string(ps, root, "organization-name", &r->organization_name) < 0)
		return -1;
	if (r->organization_name == NULL || r->organization_name[0] == '\0') {
		r->organization_name = "";
		r->quirks |= REPORT_QUIRK_ORG_EMPTY;
	}
	if (parse_opt_string(ps, root, "contact-info", &r->contact_info) < 0 ||
	    parse_req_string(ps, root, "report-id", &r->report_id) < 0)
		return -1;
	if ((range = parse_req_object(ps, root, "date-range")) == NULL)
		return -1;
	old = path_push_key(&ps->path, "date-range");
	if (parse_req_string(ps, range, "start-datetime", &start) < 0 ||
	    parse_req_string(ps, range, "end-datetime", &end) < 0)
		return -1;
	if (datetime_parse_rfc3339(start, &r->start_time, derr, sizeof(derr)) < 0) {
		path_push_key(&ps->path, "start-datetime");
		return parse_fail(ps, "%s", derr);
	}
	if (datetime_parse_rfc3339(end, &r->end_time, derr, sizeof(derr)) < 0) {
		path_push_key(&ps->path, "end-datetime");
		return parse_fail(ps, "%s", derr);
	}
	if (r->start_time > r->end_time)
		return parse_fail(ps, "start-datetime is after end-datetime");
	if (r->end_time - r->start_time > LIMIT_RANGE_SECONDS)
		return parse_fail(ps, "range longer than %lld days", LIMIT_RANGE_SECONDS / 86400);
	path_pop(&ps->path, old);

	old = path_push_key(&ps->path, "policies");
	pols = cJSON_GetObjectItemCaseSensitive(root, "policies");
	if (pols == NULL)
		return parse_fail(ps, "missing");
	if (!cJSON_IsArray(pols))
		return parse_fail(ps, "expected an array");
	n = (size_t)cJSON_GetArraySize(pols);
	if (n > LIMIT_POLICIES)
		return parse_fail(ps, "more than %d policies", LIMIT_POLICIES);
	r->policies = arena_calloc(ps->arena, n ? n : 1, sizeof(*r->policies));
	for (c = pols->child, i = 0; c != NULL; c = c->next, i++) {
		size_t old_i = path_push_index(&ps->path, i);

		if (parse_policy(ps, c, &r->policies[i]) < 0)
			return -1;
		path_pop(&ps->path, old_i);
	}
	r->n_policies = n;
	path_pop(&ps->path, old);
	if (parse_check_distinct(ps, r) < 0)
		return -1;
	return parse_check_sum(ps, r);
}

int report_check_ahead(const struct report *r, int64_t now, char *err, size_t errlen)
{
	char when[32];

	if (r->start_time <= now + LIMIT_REPORT_AHEAD_SECONDS)
		return 0;
	datetime_format_utc(r->start_time, when, sizeof(when));
	snprintf(err, errlen,
	         "date-range.start-datetime: %s is more than %lld days ahead of this host's clock "
	         "(a report describes days past)",
	         when, LIMIT_REPORT_AHEAD_SECONDS / 86400);
	return -1;
}

int report_parse_json(const char *json, size_t len, struct report **out, char *err, size_t errlen)
{
	struct parse ps;
	struct report *r = NULL;
	cJSON *root = NULL;
	const char *end = NULL;
	size_t i;
	int rc = -1;

	static pthread_once_t hooks_once = PTHREAD_ONCE_INIT;

	pthread_once(&hooks_once, report_hooks_init);
	memset(&ps, 0, sizeof(ps));
	ps.err = err;
	ps.errlen = errlen;
	report_tree = arena_new();
	if (len > LIMIT_INFLATED_BYTES) {
		snprintf(err, errlen, "JSON larger than %u bytes", LIMIT_INFLATED_BYTES);
		goto out;
	}
	/* a UTF-8 byte order mark is harmless; cJSON would refuse it */
	if (len >= 3 && memcmp(json, "\xef\xbb\xbf", 3) == 0) {
		json += 3;
		len -= 3;
	}
	for (i = 0; i < len && strchr(" \t\r\n", json[i]) != NULL; i++)
		;
	if (i == len) {
		snprintf(err, errlen, "empty input");
		goto out;
	}
	if (report_scan_raw(json, len, err, errlen) < 0)
		goto out;
	root = cJSON_ParseWithLengthOpts(json, len + 1, &end, 1);
	if (root == NULL) {
		snprintf(err, errlen, "invalid JSON at offset %zu",
		         end != NULL && end >= json ? (size_t)(end - json) : (size_t)0);
		goto out;
	}
	if (report_check_keys(&ps, root, 0) < 0)
		goto out;
	r = xcalloc(1, sizeof(*r));
	r->arena = ps.arena = arena_new();
	ps.r = r;
	if (parse_report(&ps, root, r) < 0)
		goto out;
	*out = r;
	r = NULL;
	rc = 0;
out:
	/* the tree is the scratch arena's: freed whole */
	arena_free(report_tree);
	report_tree = NULL;
	report_free(r);
	return rc;
}

void report_free(struct report *r)
{
	if (r == NULL)
		return;
	arena_free(r->arena);
	free(r);
}

int64_t report_day(const struct report *r)
{
	return datetime_day_of(r->start_time);
}
