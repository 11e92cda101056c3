/*
 * fuzz_mbox.c - libFuzzer target for the mbox splitter (collector/mbox.c).
 *
 * Input: the first byte picks a chunk size, the rest is an mbox. The
 * splitter, fed all at once and fed in chunks, must hand over the same
 * messages (a differential check on a digest of each), keep every
 * message within the cap, and say truncated exactly when it cut one.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mbox.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Small, so that truncation is reached with short inputs. */
#define FUZZ_CAP 512u

struct digest {
	uint64_t h;
	long n;
};

static void digest_add(struct digest *d, const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		d->h = (d->h ^ b[i]) * 1099511628211ull;
}

static int on_message(const struct mbox_message *m, void *arg)
{
	struct digest *d = arg;

	if (m->len > FUZZ_CAP || m->size < (int64_t)m->len ||
	    m->truncated != (m->size > (int64_t)m->len) || m->index != d->n + 1)
		abort();
	d->n++;
	digest_add(d, &m->index, sizeof(m->index));
	digest_add(d, &m->size, sizeof(m->size));
	digest_add(d, &m->truncated, sizeof(m->truncated));
	digest_add(d, m->data, m->len);
	return 0;
}

static struct digest split(const uint8_t *data, size_t size, size_t step)
{
	struct digest d = {14695981039346656037ull, 0};
	struct mbox_split *s = mbox_split_new(FUZZ_CAP, on_message, &d);
	size_t off = 0, n;

	while (off < size) {
		n = size - off < step ? size - off : step;
		if (mbox_split_feed(s, data + off, n) != 0)
			abort();
		off += n;
	}
	if (mbox_split_finish(s) != 0)
		abort();
	mbox_split_free(s);
	return d;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct digest whole, chunked;
	size_t step;

	if (size == 0)
		return 0;
	step = (size_t)data[0] % 17 + 1;
	(void)mbox_looks_like_mbox(data + 1, size - 1);
	whole = split(data + 1, size - 1, size);
	chunked = split(data + 1, size - 1, step);
	if (whole.h != chunked.h || whole.n != chunked.n)
		abort();
	return 0;
}
