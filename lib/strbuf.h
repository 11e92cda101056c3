/*
 * strbuf.h - a growable byte buffer with a hard cap set at init.
 *
 * The cap is what makes it safe for untrusted input: appending past it fails
 * (returns -1) instead of growing without bound. The contents are always
 * NUL-terminated, so text can be used as a C string.
 *
 * An append that can fail is checked (curl's WARN_UNUSED_RESULT): every
 * function that appends to a strbuf and returns -1 past the cap carries
 * STRBUF_MUST_CHECK, so ignoring the result does not compile. Writers built
 * on a strbuf (jsonw, analyzer/text.c's text_out, web/html.c) check each
 * append and keep the failure in their own sticky flag, which their user
 * checks once at the end.
 */
#ifndef TLSWATCH_STRBUF_H
#define TLSWATCH_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

#define STRBUF_MUST_CHECK __attribute__((warn_unused_result))

struct strbuf {
	char *data; /* NULL until the first append */
	size_t len;
	size_t alloc;
	size_t cap; /* len never exceeds cap */
};

void strbuf_init(struct strbuf *sb, size_t cap);
/* Frees the contents; the buffer can be reused after strbuf_init. */
void strbuf_free(struct strbuf *sb);
void strbuf_reset(struct strbuf *sb);
/* Cuts the contents back to their first len bytes (len <= sb->len): what
 * a writer appended past a mark it took, undone. */
void strbuf_truncate(struct strbuf *sb, size_t len);
/* 0, or -1 when the cap would be exceeded (nothing is appended then). */
STRBUF_MUST_CHECK int strbuf_append(struct strbuf *sb, const void *data, size_t len);
STRBUF_MUST_CHECK int strbuf_puts(struct strbuf *sb, const char *s);
STRBUF_MUST_CHECK int strbuf_putc(struct strbuf *sb, char c);
STRBUF_MUST_CHECK int strbuf_printf(struct strbuf *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
STRBUF_MUST_CHECK int strbuf_vprintf(struct strbuf *sb, const char *fmt, va_list ap);
/* Hands the contents to the caller (who frees them); the buffer is reset.
 * Never NULL: an empty buffer yields "". */
char *strbuf_detach(struct strbuf *sb, size_t *len);
/* The contents as a C string: "" when empty. Owned by the buffer. */
const char *strbuf_str(const struct strbuf *sb);

#endif
