/*
 * escape.h - making untrusted text safe for a terminal, a log or HTML.
 *
 * Strings from reports are stored intact; they are escaped where they leave
 * the program. Terminal/log escaping turns control characters (C0, DEL and
 * the C1 range, which some terminals honour as CSI) into \xNN, shows bidi
 * controls and zero-width characters as \u202e (Trojan Source), and cuts
 * long text with "...". HTML escaping is the one function every page uses;
 * CSV cells and Prometheus label values have theirs here too.
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
/* Appends len bytes of in escaped as escape_text_sb does, except that line
 * ends (LF, CRLF) stay one real line end each: for multi-line previews.
 * -1 past the cap. */
STRBUF_MUST_CHECK int escape_text_lines(struct strbuf *sb, const char *in, size_t len);
/* Appends in with & < > " ' escaped as entities, and bidi controls and
 * zero-width characters shown as \u202e. -1 past the cap. */
STRBUF_MUST_CHECK int escape_html(struct strbuf *sb, const char *in);
/* Appends in as one CSV cell (RFC 4180): escaped for a terminal first,
 * quoted when it holds , ; tab " or a line end, and a leading = + - @
 * defused with a quote mark. -1 past the cap. */
STRBUF_MUST_CHECK int escape_csv(struct strbuf *sb, const char *in);
/* Appends in as a Prometheus label value (text exposition format 0.0.4):
 * \ " and newline escaped, other control characters dropped, invisible
 * characters written as \\u202e. -1 past the cap. */
STRBUF_MUST_CHECK int escape_prom_label(struct strbuf *sb, const char *in);
/* The bytes (2 or 3) of a bidi control or zero-width character at p
 * (left bytes of valid UTF-8), with its code point in *cp; else 0. Such
 * characters reorder or hide text: escape.c shows them, and a host name
 * may not hold them (core/hostname.c). */
size_t escape_invisible_len(const unsigned char *p, size_t left, unsigned *cp);
/* A short escaped copy of s for one log line, in a per-thread rotating
 * buffer: valid until four more calls on the same thread. NULL gives "-". */
const char *esc(const char *s);

#endif
