/*
 * arena.h - a bump allocator that owns every allocation of one report.
 *
 * A parsed report is many small strings and arrays; giving them one owner
 * makes freeing a report one call and keeps error paths simple. Allocation
 * cannot fail (see xalloc.h).
 */
#ifndef TLSWATCH_ARENA_H
#define TLSWATCH_ARENA_H

#include <stddef.h>

struct arena;

struct arena *arena_new(void);
/* Frees every block the arena handed out. arena_free(NULL) is a no-op. */
void arena_free(struct arena *a);
/* Zeroed memory for count elements of size bytes, aligned for any type. */
void *arena_calloc(struct arena *a, size_t count, size_t size);
/* A NUL-terminated copy of len bytes of s. */
char *arena_strndup(struct arena *a, const char *s, size_t len);
char *arena_strdup(struct arena *a, const char *s);

#endif
