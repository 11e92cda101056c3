/*
 * escape.h - making untrusted text safe for a terminal, a log or HTML.
 *
 * Strings from reports are stored intact; they are escaped where they leave
 * the program. Terminal/log escaping turns control characters (C0, DEL and
 * the C1 range, which some terminals honour as CSI) into \xNN and cuts long
 * text with "...". HTML escaping is the one function every page uses.
 */
#ifndef TLSWATCH_ESCAPE_H
#define TLSWATCH_ESCAPE_H

#include <stddef.h>

#include "strbuf.h"

/* Writes an escaped copy of len bytes of in to out (size outlen, always
 * NUL-terminated), cutting after max_in input bytes with "...". Returns out. */
char *escape_text(const char *in, size_t len, size_t max_in, char *out, size_t outlen);
/* Appends in, escaped for a terminal (no length cut), to sb. -1 past the cap. */
STRBUF_MUST_CHECK int escape_text_sb(struct strbuf *sb, const char *in);
/* Appends in with & < > " ' escaped as entities. -1 past the cap. */
STRBUF_MUST_CHECK int escape_html(struct strbuf *sb, const char *in);
/* A short escaped copy of s for one log line, in a per-thread rotating
 * buffer: valid until four more calls on the same thread. NULL gives "-". */
const char *esc(const char *s);

#endif
