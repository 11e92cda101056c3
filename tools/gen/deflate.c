/*
 * deflate.c - a small, fast deflate encoder (RFC 1951) for the
 * generator's gzip output: greedy LZ77 over a 32 KiB window, coded with
 * the fixed Huffman codes of RFC 1951 section 3.2.6.
 *
 * Why not zlib's deflate: for a 1 KiB report, zlib spends 10-20 us per
 * call (resetting its tables, building dynamic trees), which alone keeps
 * the generator under its 50,000 reports/s goal. This encoder needs no
 * per-call reset (hash entries carry a stamp) and no trees; its output
 * is about 10% larger and inflates with any decoder. Input is trusted
 * (the generator's own JSON); any length works.
 */
#include <string.h>

#include "gen.h"

static const uint16_t defl_len_base[29] = {3,  4,  5,  6,   7,   8,   9,   10,  11, 13,
                                           15, 17, 19, 23,  27,  31,  35,  43,  51, 59,
                                           67, 83, 99, 115, 131, 163, 195, 227, 258};
static const uint8_t defl_len_extra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                           2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
static const uint16_t defl_dist_base[30] = {
    1,   2,   3,   4,   5,   7,    9,    13,   17,   25,   33,   49,   65,    97,    129,
    193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
static const uint8_t defl_dist_extra[30] = {0, 0, 0, 0, 1, 1, 2, 2,  3,  3,  4,  4,  5,  5,  6,
                                            6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};

static uint32_t defl_reverse(uint32_t code, int bits)
{
	uint32_t r = 0;
	int i;

	for (i = 0; i < bits; i++)
		r |= ((code >> i) & 1u) << (bits - 1 - i);
	return r;
}

void defl_init(struct defl *d)
{
	unsigned s, c, len, dist;

	memset(d, 0, sizeof(*d));
	d->stamp = 1;
	for (s = 0; s < 288; s++) {
		if (s < 144) {
			c = 0x30 + s;
			d->lit_bits[s] = 8;
		} else if (s < 256) {
			c = 0x190 + (s - 144);
			d->lit_bits[s] = 9;
		} else if (s < 280) {
			c = s - 256;
			d->lit_bits[s] = 7;
		} else {
			c = 0xc0 + (s - 280);
			d->lit_bits[s] = 8;
		}
		d->lit_code[s] = (uint16_t)defl_reverse(c, d->lit_bits[s]);
	}
	for (c = 0; c < 30; c++)
		d->dist_rev[c] = (uint8_t)defl_reverse(c, 5);
	for (c = 0, len = 3; len <= DEFL_MAX_MATCH; len++) {
		while (c < 28 && len >= defl_len_base[c + 1])
			c++;
		d->len_sym[len] = (uint8_t)c;
	}
	/* distances 1..256 one by one, then 257..32768 in steps of 128 */
	for (c = 0, dist = 1; dist <= 256; dist++) {
		while (c < 29 && dist >= defl_dist_base[c + 1])
			c++;
		d->dist_sym[dist - 1] = (uint8_t)c;
	}
	for (dist = 257; dist <= DEFL_WINDOW; dist += 128) {
		while (c < 29 && dist >= defl_dist_base[c + 1])
			c++;
		d->dist_sym[256 + ((dist - 1) >> 7)] = (uint8_t)c;
	}
}

static unsigned defl_dist(const struct defl *d, unsigned dist)
{
	return dist <= 256 ? d->dist_sym[dist - 1] : d->dist_sym[256 + ((dist - 1) >> 7)];
}

static void defl_put(struct defl *d, uint32_t bits, int n)
{
	d->acc |= (uint64_t)bits << d->nacc;
	d->nacc += n;
	if (d->nacc >= 32) {
		d->out[0] = (unsigned char)d->acc;
		d->out[1] = (unsigned char)(d->acc >> 8);
		d->out[2] = (unsigned char)(d->acc >> 16);
		d->out[3] = (unsigned char)(d->acc >> 24);
		d->out += 4;
		d->acc >>= 32;
		d->nacc -= 32;
	}
}

/* Pads to a byte boundary and writes out what is pending. */
static void defl_align(struct defl *d)
{
	while (d->nacc > 0) {
		*d->out++ = (unsigned char)d->acc;
		d->acc >>= 8;
		d->nacc -= d->nacc >= 8 ? 8 : d->nacc;
	}
	d->acc = 0;
	d->nacc = 0;
}

static uint32_t defl_hash(const unsigned char *p)
{
	uint32_t v = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];

	return (v * 2654435761u) >> (32 - DEFL_HASH_BITS);
}

/* Appends the deflate stream of in[0..n) to dst: one fixed-Huffman block,
 * final unless go_style, in which case it is followed by an empty stored
 * block (a sync flush) and an empty final stored block, as Go's
 * compress/flate closes a stream (quirks F3). */
void defl_compress(struct defl *d, const unsigned char *in, size_t n, int go_style, struct buf *dst)
{
	size_t i = 0, j, len, max, pos;
	uint32_t cand, h;
	unsigned sym;

	buf_reserve(dst, n + n / 8 + 64);
	d->out = (unsigned char *)dst->p + dst->n;
	d->acc = 0;
	d->nacc = 0;
	if (d->stamp > 0xf0000000u - n) { /* stamps would wrap: forget all */
		memset(d->head, 0, sizeof(d->head));
		d->stamp = 1;
	}
	defl_put(d, go_style ? 2 : 3, 3); /* BFINAL, BTYPE = 01 (fixed) */
	while (i + 3 <= n) {
		h = defl_hash(in + i);
		cand = d->head[h];
		d->head[h] = d->stamp + (uint32_t)i;
		if (cand >= d->stamp) {
			pos = cand - d->stamp;
			if (i - pos <= DEFL_WINDOW && in[pos] == in[i] &&
			    in[pos + 1] == in[i + 1] && in[pos + 2] == in[i + 2]) {
				max = n - i < DEFL_MAX_MATCH ? n - i : DEFL_MAX_MATCH;
				for (len = 3; len < max && in[pos + len] == in[i + len]; len++)
					;
				sym = d->len_sym[len];
				defl_put(d, d->lit_code[257 + sym], d->lit_bits[257 + sym]);
				if (defl_len_extra[sym])
					defl_put(d, (uint32_t)(len - defl_len_base[sym]),
					         defl_len_extra[sym]);
				sym = defl_dist(d, (unsigned)(i - pos));
				defl_put(d, d->dist_rev[sym], 5);
				if (defl_dist_extra[sym])
					defl_put(d, (uint32_t)(i - pos - defl_dist_base[sym]),
					         defl_dist_extra[sym]);
				for (j = i + 1; j < i + len && j + 3 <= n; j++)
					d->head[defl_hash(in + j)] = d->stamp + (uint32_t)j;
				i += len;
				continue;
			}
		}
		defl_put(d, d->lit_code[in[i]], d->lit_bits[in[i]]);
		i++;
	}
	for (; i < n; i++)
		defl_put(d, d->lit_code[in[i]], d->lit_bits[in[i]]);
	defl_put(d, d->lit_code[256], d->lit_bits[256]); /* end of block */
	if (go_style) {
		defl_put(d, 0, 3); /* BFINAL 0, BTYPE 00 (stored), empty */
		defl_align(d);
		memcpy(d->out, "\x00\x00\xff\xff\x01\x00\x00\xff\xff", 9);
		d->out += 9;
	} else {
		defl_align(d);
	}
	dst->n = (size_t)((char *)d->out - dst->p);
	d->stamp += (uint32_t)n + DEFL_WINDOW + 1;
}
