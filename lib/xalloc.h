/*
 * xalloc.h - allocation that cannot fail.
 *
 * Out of memory ends the program with a one-line message: every caller can
 * then treat allocation as infallible, and no error path leaks half-built
 * state. Sizes come from our own limits (core/limits.h), never directly from
 * a count a peer declared.
 */
#ifndef TLSWATCH_XALLOC_H
#define TLSWATCH_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *ptr, size_t size);
/* Overflow-checked realloc of an array of count elements of size bytes. */
void *xreallocarray(void *ptr, size_t count, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t len);

#endif
