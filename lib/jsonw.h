/*
 * jsonw.h - a small streaming JSON writer onto a strbuf.
 *
 * Output code builds documents with it (summary --format json, the web API,
 * the store's policy-string arrays) so that escaping is done in one place.
 * Commas are inserted automatically. Strings are written as JSON strings
 * with every control character escaped; input should be valid UTF-8.
 */
#ifndef TLSWATCH_JSONW_H
#define TLSWATCH_JSONW_H

#include <stdint.h>

#include "strbuf.h"

#define JSONW_MAX_DEPTH 32

struct jsonw {
	struct strbuf *sb;
	int depth;
	int need_comma[JSONW_MAX_DEPTH];
	int after_key;
	int pretty;
	int failed; /* set when the strbuf hit its cap */
};

void jsonw_init(struct jsonw *w, struct strbuf *sb, int pretty);
void jsonw_object_begin(struct jsonw *w);
void jsonw_object_end(struct jsonw *w);
void jsonw_array_begin(struct jsonw *w);
void jsonw_array_end(struct jsonw *w);
void jsonw_key(struct jsonw *w, const char *key);
void jsonw_string(struct jsonw *w, const char *s); /* NULL writes null */
void jsonw_int(struct jsonw *w, int64_t v);
void jsonw_double(struct jsonw *w, double v);
void jsonw_null(struct jsonw *w);
void jsonw_bool(struct jsonw *w, int v);
/* Writes {"since": "YYYY-MM-DD", "until": "YYYY-MM-DD"} for UTC day numbers:
 * the period object every JSON document of tlswatch carries. */
void jsonw_period(struct jsonw *w, int64_t since, int64_t until);
/* Writes already-encoded JSON text as one value (trusted: our own output). */
void jsonw_raw(struct jsonw *w, const char *json);
/* Appends s as a quoted JSON string to sb; -1 past the cap. */
STRBUF_MUST_CHECK int jsonw_quote(struct strbuf *sb, const char *s);

#endif
