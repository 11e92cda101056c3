/*
 * util.c - helpers for the report generator (tools/gen/): a seeded
 * PRNG, a growable byte buffer, UTC calendar arithmetic and JSON string
 * escaping, interned strings.
 *
 * Input is trusted: the generator's own model and its validated command
 * line. Nothing here is shared with tlswatch's core on purpose: the
 * generator must compute its expected figures independently.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"

void gen_die(const char *fmt, ...)
{
	va_list ap;

	fputs("gen: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static void *gen_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		gen_die("out of memory (%zu bytes)", n);
	return p;
}

/* A bigger copy of p (its first old_bytes kept); p is freed. realloc()
 * would do, but GCC 12's -fanalyzer follows three outcomes of every
 * realloc (failed, in place, moved), which across the generator's loops
 * keeps 'make lint' busy for hours; malloc, copy and free it follows in
 * seconds. Buffers are reused, so they grow rarely and the copy is free. */
void *gen_xgrow(void *p, size_t old_bytes, size_t new_bytes)
{
	void *q = gen_xmalloc(new_bytes);

	if (old_bytes > 0)
		memcpy(q, p, old_bytes);
	free(p);
	return q;
}

void *gen_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		gen_die("out of memory (%zu x %zu bytes)", n, size);
	return p;
}

char *gen_xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = gen_xmalloc(n);

	memcpy(p, s, n);
	return p;
}

/* The splitmix64 finaliser: a bijection on 64-bit integers. */
uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint64_t rng_next(struct rng *r)
{
	r->s += 0x9e3779b97f4a7c15ULL;
	return mix64(r->s);
}

/* Uniform in [0, n); n > 0. The modulo bias (< n / 2^64) is irrelevant. */
uint64_t rng_below(struct rng *r, uint64_t n)
{
	return rng_next(r) % n;
}

/* Uniform in [0, 1). */
double rng_unit(struct rng *r)
{
	return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

struct rng rng_for(uint64_t seed, uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
	struct rng r;

	r.s = mix64(seed ^ 0x243f6a8885a308d3ULL);
	r.s = mix64(r.s ^ a);
	r.s = mix64(r.s ^ (b + 0x13198a2e03707344ULL));
	r.s = mix64(r.s ^ (c + 0xa4093822299f31d0ULL));
	r.s = mix64(r.s ^ (d + 0x082efa98ec4e6c89ULL));
	return r;
}

/* Index drawn from a weight table (weights > 0 somewhere). */
size_t rng_pick(struct rng *r, const unsigned *weights, size_t n)
{
	unsigned total = 0, x;
	size_t i;

	for (i = 0; i < n; i++)
		total += weights[i];
	/* The tables are constant and none is all zero; were one, the
	 * modulo below would divide by zero (cppcheck sees the path). */
	if (total == 0)
		gen_die("rng_pick: a weight table without weight");
	x = (unsigned)rng_below(r, total);
	for (i = 0; i < n; i++) {
		if (x < weights[i])
			return i;
		x -= weights[i];
	}
	return n - 1;
}

void buf_reserve(struct buf *b, size_t more)
{
	size_t want = b->n + more;

	if (want <= b->cap)
		return;
	if (b->cap == 0)
		b->cap = 4096;
	while (b->cap < want)
		b->cap *= 2;
	b->p = gen_xgrow(b->p, b->n, b->cap);
}

void buf_add(struct buf *b, const void *p, size_t n)
{
	if (n == 0)
		return;
	buf_reserve(b, n);
	memcpy(b->p + b->n, p, n);
	b->n += n;
}

void buf_str(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void buf_ch(struct buf *b, char c)
{
	buf_reserve(b, 1);
	b->p[b->n++] = c;
}

void buf_u64(struct buf *b, uint64_t v)
{
	char tmp[24];
	size_t i = sizeof(tmp);

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	buf_add(b, tmp + i, sizeof(tmp) - i);
}

void buf_i64(struct buf *b, int64_t v)
{
	if (v < 0) {
		buf_ch(b, '-');
		buf_u64(b, (uint64_t)0 - (uint64_t)v);
	} else {
		buf_u64(b, (uint64_t)v);
	}
}

/* v in decimal, zero-padded to width digits. */
void buf_pad(struct buf *b, uint64_t v, int width)
{
	char tmp[24];
	int i = (int)sizeof(tmp);

	while (width-- > 0 || v != 0) {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
		if (i == 0)
			break;
	}
	buf_add(b, tmp + i, sizeof(tmp) - (size_t)i);
}

void buf_hex(struct buf *b, uint64_t v, int digits, int upper)
{
	const char *xd = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	int i;

	for (i = digits - 1; i >= 0; i--)
		buf_ch(b, xd[(v >> (4 * i)) & 15]);
}

/* A JSON string literal, quotes included (RFC 8259 section 7). */
void buf_json_str(struct buf *b, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	buf_ch(b, '"');
	for (; *u != '\0'; u++) {
		switch (*u) {
		case '"':
			buf_str(b, "\\\"");
			break;
		case '\\':
			buf_str(b, "\\\\");
			break;
		case '\n':
			buf_str(b, "\\n");
			break;
		case '\r':
			buf_str(b, "\\r");
			break;
		case '\t':
			buf_str(b, "\\t");
			break;
		default:
			if (*u < 0x20) {
				buf_str(b, "\\u00");
				buf_hex(b, *u, 2, 0);
			} else {
				buf_ch(b, (char)*u);
			}
		}
	}
	buf_ch(b, '"');
}

/* --- UTC calendar (proleptic Gregorian; H. Hinnant's civil algorithms) */

int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* Strict "YYYY-MM-DD" to a day number (days since 1970-01-01). 0 or -1. */
int parse_day(const char *s, int64_t *out)
{
	int64_t y = 0, day, yy;
	unsigned m = 0, d = 0, mm, dd;
	int i;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (i = 0; i < 10; i++) {
		if (i == 4 || i == 7)
			continue;
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (i < 4)
			y = y * 10 + (s[i] - '0');
		else if (i < 7)
			m = m * 10 + (unsigned)(s[i] - '0');
		else
			d = d * 10 + (unsigned)(s[i] - '0');
	}
	if (m < 1 || m > 12 || d < 1 || d > 31)
		return -1;
	day = days_from_civil(y, m, d);
	civil_from_days(day, &yy, &mm, &dd);
	if (yy != y || mm != m || dd != d)
		return -1; /* 2026-02-30 */
	*out = day;
	return 0;
}

void buf_date(struct buf *b, int64_t day)
{
	int64_t y;
	unsigned m, d;

	civil_from_days(day, &y, &m, &d);
	buf_pad(b, (uint64_t)y, 4);
	buf_ch(b, '-');
	buf_pad(b, m, 2);
	buf_ch(b, '-');
	buf_pad(b, d, 2);
}

static void buf_hms(struct buf *b, int64_t t)
{
	int64_t s = t - floor_div(t, 86400) * 86400;

	buf_pad(b, (uint64_t)(s / 3600), 2);
	buf_ch(b, ':');
	buf_pad(b, (uint64_t)(s / 60 % 60), 2);
	buf_ch(b, ':');
	buf_pad(b, (uint64_t)(s % 60), 2);
}

/* RFC 3339 UTC: "2026-10-02T00:00:00Z", or without the "Z" (quirks A1). */
void buf_rfc3339(struct buf *b, int64_t t, int zulu)
{
	buf_date(b, floor_div(t, 86400));
	buf_ch(b, 'T');
	buf_hms(b, t);
	if (zulu)
		buf_ch(b, 'Z');
}

static const char *const gen_wday[] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
static const char *const gen_month[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* 0 = Sunday ... 6 = Saturday. */
int day_of_week(int64_t day)
{
	return (int)((day % 7 + 7 + 4) % 7);
}

/* RFC 5322 date: "Fri, 3 Feb 2023 05:09:22 +0000" for UTC time t shown in
 * the zone tz_minutes east of UTC; pad_day gives "03" instead of "3". */
void buf_rfc5322(struct buf *b, int64_t t, int tz_minutes, int pad_day)
{
	int64_t local = t + (int64_t)tz_minutes * 60, day = floor_div(local, 86400), y;
	unsigned m, d;
	int tz = tz_minutes < 0 ? -tz_minutes : tz_minutes;

	civil_from_days(day, &y, &m, &d);
	buf_str(b, gen_wday[(day % 7 + 7) % 7]);
	buf_str(b, ", ");
	buf_pad(b, d, pad_day ? 2 : 1);
	buf_ch(b, ' ');
	buf_str(b, gen_month[m - 1]);
	buf_ch(b, ' ');
	buf_pad(b, (uint64_t)y, 4);
	buf_ch(b, ' ');
	buf_hms(b, local);
	buf_ch(b, ' ');
	buf_ch(b, tz_minutes < 0 ? '-' : '+');
	buf_pad(b, (uint64_t)(tz / 60), 2);
	buf_pad(b, (uint64_t)(tz % 60), 2);
}

/* asctime-style UTC date of an mbox "From " line: "Fri Feb  3 05:09:22 2023". */
void buf_asctime(struct buf *b, int64_t t)
{
	int64_t day = floor_div(t, 86400), y;
	unsigned m, d;

	civil_from_days(day, &y, &m, &d);
	buf_str(b, gen_wday[(day % 7 + 7) % 7]);
	buf_ch(b, ' ');
	buf_str(b, gen_month[m - 1]);
	buf_ch(b, ' ');
	if (d < 10)
		buf_ch(b, ' ');
	buf_u64(b, d);
	buf_ch(b, ' ');
	buf_hms(b, t);
	buf_ch(b, ' ');
	buf_pad(b, (uint64_t)y, 4);
}

static uint64_t str_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static void strtab_rehash(struct strtab *t)
{
	size_t i, j;

	free(t->slot);
	t->nslot = t->nslot ? t->nslot * 2 : 1024;
	t->slot = gen_xcalloc(t->nslot, sizeof(*t->slot));
	for (i = 0; i < t->n; i++) {
		for (j = str_hash(t->s[i]) & (t->nslot - 1); t->slot[j] != 0;
		     j = (j + 1) & (t->nslot - 1))
			;
		t->slot[j] = (int32_t)i + 1;
	}
}

/* The id of s, or -1. */
static int strtab_find(const struct strtab *t, const char *s)
{
	size_t j;

	if (t->nslot == 0)
		return -1;
	for (j = str_hash(s) & (t->nslot - 1); t->slot[j] != 0; j = (j + 1) & (t->nslot - 1))
		if (strcmp(t->s[t->slot[j] - 1], s) == 0)
			return t->slot[j] - 1;
	return -1;
}

int strtab_intern(struct strtab *t, const char *s)
{
	int id = strtab_find(t, s);

	if (id >= 0)
		return id;
	if (t->n == t->cap) {
		t->s = gen_xgrow(t->s, t->n * sizeof(*t->s),
		                 (t->cap ? t->cap * 2 : 64) * sizeof(*t->s));
		t->cap = t->cap ? t->cap * 2 : 64;
	}
	t->s[t->n++] = gen_xstrdup(s);
	if ((t->n + 1) * 2 > t->nslot)
		strtab_rehash(t);
	else {
		size_t j;

		for (j = str_hash(s) & (t->nslot - 1); t->slot[j] != 0;
		     j = (j + 1) & (t->nslot - 1))
			;
		t->slot[j] = (int32_t)t->n;
	}
	return (int)t->n - 1;
}

void strtab_free(struct strtab *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->s[i]);
	free(t->s);
	free(t->slot);
	memset(t, 0, sizeof(*t));
}
