/*
 * strbuf.c - capped growable buffer. Input may be untrusted; the cap bounds
 * memory whatever is appended.
 */
#include "strbuf.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

/* The invariants below are programmer errors, checked in every build
 * (docs/style.md): the ASan test build must never compile them out. */
#if defined(NDEBUG) && defined(__SANITIZE_ADDRESS__)
#error "the ASan build checks invariants with assert(): do not define NDEBUG"
#endif

void strbuf_init(struct strbuf *sb, size_t cap)
{
	sb->data = NULL;
	sb->len = 0;
	sb->alloc = 0;
	sb->cap = cap;
}

void strbuf_free(struct strbuf *sb)
{
	free(sb->data);
	sb->data = NULL;
	sb->len = 0;
	sb->alloc = 0;
}

void strbuf_reset(struct strbuf *sb)
{
	sb->len = 0;
	if (sb->data != NULL)
		sb->data[0] = '\0';
}

void strbuf_truncate(struct strbuf *sb, size_t len)
{
	if (len >= sb->len)
		return;
	sb->len = len;
	sb->data[len] = '\0';
}

static int strbuf_grow(struct strbuf *sb, size_t add)
{
	size_t want;

	assert(sb->len <= sb->cap);
	assert(sb->data == NULL ? sb->len == 0 : sb->len < sb->alloc);
	if (add > sb->cap - sb->len)
		return -1;
	want = sb->len + add + 1;
	if (want <= sb->alloc)
		return 0;
	if (sb->alloc == 0)
		sb->alloc = 64;
	while (sb->alloc < want)
		sb->alloc *= 2;
	/* never allocate more than cap + 1 even when doubling overshoots */
	if (sb->alloc > sb->cap + 1)
		sb->alloc = sb->cap + 1;
	sb->data = xrealloc(sb->data, sb->alloc);
	return 0;
}

int strbuf_append(struct strbuf *sb, const void *data, size_t len)
{
	if (strbuf_grow(sb, len) < 0)
		return -1;
	if (len > 0)
		memcpy(sb->data + sb->len, data, len);
	sb->len += len;
	sb->data[sb->len] = '\0';
	assert(sb->len <= sb->cap && sb->len < sb->alloc);
	return 0;
}

int strbuf_puts(struct strbuf *sb, const char *s)
{
	return strbuf_append(sb, s, strlen(s));
}

int strbuf_putc(struct strbuf *sb, char c)
{
	return strbuf_append(sb, &c, 1);
}

int strbuf_vprintf(struct strbuf *sb, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0 || strbuf_grow(sb, (size_t)n) < 0)
		return -1;
	vsnprintf(sb->data + sb->len, (size_t)n + 1, fmt, ap);
	sb->len += (size_t)n;
	assert(sb->len <= sb->cap && sb->len < sb->alloc);
	return 0;
}

int strbuf_printf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = strbuf_vprintf(sb, fmt, ap);
	va_end(ap);
	return rc;
}

char *strbuf_detach(struct strbuf *sb, size_t *len)
{
	char *p = sb->data;

	if (p == NULL)
		p = xstrdup("");
	if (len != NULL)
		*len = sb->len;
	sb->data = NULL;
	sb->len = 0;
	sb->alloc = 0;
	return p;
}

const char *strbuf_str(const struct strbuf *sb)
{
	return sb->data != NULL ? sb->data : "";
}
