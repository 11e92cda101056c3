/*
 * jsonw.c - JSON output. Strings written may be untrusted report text; they
 * are escaped so the document stays valid whatever they hold.
 */
#include "jsonw.h"

#include "datetime.h"

#include <assert.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

void jsonw_init(struct jsonw *w, struct strbuf *sb, int pretty)
{
	memset(w, 0, sizeof(*w));
	w->sb = sb;
	w->pretty = pretty;
}

static void jsonw_put(struct jsonw *w, const char *s)
{
	if (strbuf_puts(w->sb, s) < 0)
		w->failed = 1;
}

static void jsonw_indent(struct jsonw *w)
{
	int i;

	if (!w->pretty)
		return;
	jsonw_put(w, "\n");
	for (i = 0; i < w->depth; i++)
		jsonw_put(w, "  ");
}

/* Separator before a value: a comma between siblings, nothing after a key. */
static void jsonw_pre_value(struct jsonw *w)
{
	if (w->after_key) {
		w->after_key = 0;
		return;
	}
	if (w->depth > 0) {
		if (w->need_comma[w->depth])
			jsonw_put(w, ",");
		w->need_comma[w->depth] = 1;
		jsonw_indent(w);
	}
}

int jsonw_quote(struct strbuf *sb, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	char tmp[8];
	size_t run;

	if (strbuf_putc(sb, '"') < 0)
		return -1;
	while (*p != '\0') {
		/* C1 controls (U+0080-U+009F, C2 80-9F) are escaped too: some
		 * terminals honour them, and JSON output may be read on one */
		for (run = 0; p[run] >= 0x20 && p[run] != '"' && p[run] != '\\' && p[run] != 0x7f &&
		              !(p[run] == 0xc2 && p[run + 1] >= 0x80 && p[run + 1] <= 0x9f);
		     run++)
			;
		if (run > 0 && strbuf_append(sb, p, run) < 0)
			return -1;
		p += run;
		if (*p == '\0')
			break;
		if (*p == 0xc2) {
			snprintf(tmp, sizeof(tmp), "\\u%04x", p[1]);
			if (strbuf_puts(sb, tmp) < 0)
				return -1;
			p += 2;
			continue;
		}
		switch (*p) {
		case '"':
			snprintf(tmp, sizeof(tmp), "\\\"");
			break;
		case '\\':
			snprintf(tmp, sizeof(tmp), "\\\\");
			break;
		case '\n':
			snprintf(tmp, sizeof(tmp), "\\n");
			break;
		case '\r':
			snprintf(tmp, sizeof(tmp), "\\r");
			break;
		case '\t':
			snprintf(tmp, sizeof(tmp), "\\t");
			break;
		default:
			snprintf(tmp, sizeof(tmp), "\\u%04x", *p);
			break;
		}
		if (strbuf_puts(sb, tmp) < 0)
			return -1;
		p++;
	}
	return strbuf_putc(sb, '"');
}

/* Our documents nest a handful deep and close what they open: more than
 * JSONW_MAX_DEPTH, or an end without a begin, is a bug in the writer's
 * caller (the depth is ours, never the input's). */
static void jsonw_push(struct jsonw *w)
{
	assert(w->depth + 1 < JSONW_MAX_DEPTH);
	/* stays in bounds even were assert compiled out */
	if (w->depth + 1 < JSONW_MAX_DEPTH)
		w->depth++;
	w->need_comma[w->depth] = 0;
}

static int jsonw_pop(struct jsonw *w)
{
	int had = w->need_comma[w->depth];

	assert(w->depth > 0 && !w->after_key);
	if (w->depth > 0)
		w->depth--;
	return had;
}

void jsonw_object_begin(struct jsonw *w)
{
	jsonw_pre_value(w);
	jsonw_put(w, "{");
	jsonw_push(w);
}

void jsonw_object_end(struct jsonw *w)
{
	int had = jsonw_pop(w);

	if (had)
		jsonw_indent(w);
	jsonw_put(w, "}");
}

void jsonw_array_begin(struct jsonw *w)
{
	jsonw_pre_value(w);
	jsonw_put(w, "[");
	jsonw_push(w);
}

void jsonw_array_end(struct jsonw *w)
{
	int had = jsonw_pop(w);

	if (had)
		jsonw_indent(w);
	jsonw_put(w, "]");
}

void jsonw_key(struct jsonw *w, const char *key)
{
	/* a key inside an object, never right after another key */
	assert(w->depth > 0 && !w->after_key);
	jsonw_pre_value(w);
	if (jsonw_quote(w->sb, key) < 0)
		w->failed = 1;
	jsonw_put(w, w->pretty ? ": " : ":");
	w->after_key = 1;
}

void jsonw_string(struct jsonw *w, const char *s)
{
	if (s == NULL) {
		jsonw_null(w);
		return;
	}
	jsonw_pre_value(w);
	if (jsonw_quote(w->sb, s) < 0)
		w->failed = 1;
}

void jsonw_int(struct jsonw *w, int64_t v)
{
	char tmp[32];

	jsonw_pre_value(w);
	snprintf(tmp, sizeof(tmp), "%" PRId64, v);
	jsonw_put(w, tmp);
}

void jsonw_double(struct jsonw *w, double v)
{
	char tmp[64];

	jsonw_pre_value(w);
	if (!isfinite(v))
		snprintf(tmp, sizeof(tmp), "null");
	else
		snprintf(tmp, sizeof(tmp), "%.6g", v);
	jsonw_put(w, tmp);
}

void jsonw_null(struct jsonw *w)
{
	jsonw_pre_value(w);
	jsonw_put(w, "null");
}

void jsonw_bool(struct jsonw *w, int v)
{
	jsonw_pre_value(w);
	jsonw_put(w, v ? "true" : "false");
}

void jsonw_raw(struct jsonw *w, const char *json)
{
	jsonw_pre_value(w);
	jsonw_put(w, json);
}

void jsonw_period(struct jsonw *w, int64_t since, int64_t until)
{
	char d[16];

	jsonw_object_begin(w);
	jsonw_key(w, "since");
	datetime_format_day(since, d, sizeof(d));
	jsonw_string(w, d);
	jsonw_key(w, "until");
	datetime_format_day(until, d, sizeof(d));
	jsonw_string(w, d);
	jsonw_object_end(w);
}
