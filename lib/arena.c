/*
 * arena.c - bump allocator in chained blocks. Sizes come from the report
 * parser, already bounded by core/limits.h.
 */
#include "arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

#define ARENA_BLOCK 8192
#define ARENA_ALIGN 16

struct arena_block {
	struct arena_block *next;
	size_t used;
	size_t size;
	_Alignas(16) unsigned char data[];
};

struct arena {
	struct arena_block *head;
};

struct arena *arena_new(void)
{
	return xcalloc(1, sizeof(struct arena));
}

void arena_free(struct arena *a)
{
	struct arena_block *b, *next;

	if (a == NULL)
		return;
	for (b = a->head; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	free(a);
}

void *arena_calloc(struct arena *a, size_t count, size_t size)
{
	struct arena_block *b = a->head;
	size_t need, bsize;
	void *p;

	if (size != 0 && count > (SIZE_MAX / 2) / size)
		return xmalloc(SIZE_MAX); /* dies with a message */
	need = (count * size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if (need == 0)
		need = ARENA_ALIGN;
	if (b == NULL || b->size - b->used < need) {
		bsize = need > ARENA_BLOCK ? need : ARENA_BLOCK;
		b = xmalloc(sizeof(*b) + bsize);
		b->used = 0;
		b->size = bsize;
		b->next = a->head;
		a->head = b;
	}
	p = b->data + b->used;
	b->used += need;
	memset(p, 0, need);
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t len)
{
	char *p = arena_calloc(a, len + 1, 1);

	memcpy(p, s, len);
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}
