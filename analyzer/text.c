/*
 * text.c - plain-text helpers (see text.h). Strings passed in are either
 * ours or already escaped by text_escape.
 */
#include "text.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "escape.h"

void text_puts(struct text_out *o, const char *s)
{
	if (strbuf_puts(o->sb, s) < 0)
		o->failed = 1;
}

void text_printf(struct text_out *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (strbuf_vprintf(o->sb, fmt, ap) < 0)
		o->failed = 1;
	va_end(ap);
}

const char *text_escape(const char *s, char *buf, size_t len)
{
	if (s == NULL)
		s = "";
	return escape_text(s, strlen(s), LIMIT_STRING_BYTES, buf, len);
}

size_t text_width(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

const char *text_count(int64_t v, char *buf, size_t len)
{
	char digits[32], out[48];
	size_t n, i, o = 0;
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

	snprintf(digits, sizeof(digits), "%" PRIu64, u);
	n = strlen(digits);
	if (v < 0)
		out[o++] = '-';
	for (i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = digits[i];
	}
	out[o] = '\0';
	snprintf(buf, len, "%s", out);
	return buf;
}

/* Basis points (0..10000) that part is of whole, rounded half up; -1
 * when whole is 0 or the counts make no sense. 0 and 10000 only when
 * exact: a rounded 100.00% would hide a failure. */
int64_t text_basis_points(int64_t part, int64_t whole)
{
	int64_t bp;

	if (part < 0 || whole <= 0 || part > whole)
		return -1;
	/* counts are at most 2^54 together: halve both until part * 20000 +
	 * whole fits (the last digits of such counts do not show anyway) */
	while (whole > INT64_MAX / 40000) {
		part /= 2;
		whole /= 2;
	}
	bp = (part * 20000 + whole) / (2 * whole);
	if (bp == 10000 && part < whole)
		bp = 9999;
	if (bp == 0 && part > 0)
		bp = 1;
	return bp;
}

static const char *text_format_bp(int64_t bp, char *buf, size_t len)
{
	if (bp < 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%" PRId64 ".%02" PRId64 "%%", bp / 100, bp % 100);
	return buf;
}

const char *text_percent(int64_t part, int64_t whole, char *buf, size_t len)
{
	return text_format_bp(text_basis_points(part, whole), buf, len);
}

const char *text_rate(int64_t ok, int64_t failed, char *buf, size_t len)
{
	if (ok < 0 || failed < 0)
		return text_format_bp(-1, buf, len);
	return text_format_bp(text_basis_points(ok, ok + failed), buf, len);
}

const char *text_delta(int64_t cur, int64_t prev, int present, char *buf, size_t len)
{
	char n[32];

	if (!present) {
		snprintf(buf, len, "new");
		return buf;
	}
	text_count(cur - prev, n, sizeof(n));
	snprintf(buf, len, "%s%s", cur > prev ? "+" : "", n);
	return buf;
}

const char *text_rate_delta(int64_t ok, int64_t failed, int64_t prev_ok, int64_t prev_failed,
                            char *buf, size_t len)
{
	int64_t a = ok < 0 || failed < 0 ? -1 : text_basis_points(ok, ok + failed);
	int64_t b =
	    prev_ok < 0 || prev_failed < 0 ? -1 : text_basis_points(prev_ok, prev_ok + prev_failed);
	int64_t d;

	if (a < 0 || b < 0) {
		snprintf(buf, len, "-");
		return buf;
	}
	d = a - b;
	snprintf(buf, len, "%s%" PRId64 ".%02" PRId64 " pp",
	         d > 0   ? "+"
	         : d < 0 ? "-"
	                 : "",
	         (d < 0 ? -d : d) / 100, (d < 0 ? -d : d) % 100);
	return buf;
}

static void text_spaces(struct text_out *o, size_t n)
{
	static const char spaces[] = "                                                  ";

	while (n > 0) {
		size_t k = n < sizeof(spaces) - 1 ? n : sizeof(spaces) - 1;

		if (strbuf_append(o->sb, spaces, k) < 0)
			o->failed = 1;
		n -= k;
	}
}

void text_row(struct text_out *o, const char *name, size_t width, const char *cols)
{
	size_t w = text_width(name);

	if (w <= width) {
		text_spaces(o, 2);
		text_puts(o, name);
		text_spaces(o, width - w);
	} else {
		text_wrap(o, 2, name);
		text_spaces(o, 2 + width);
	}
	text_puts(o, cols);
	text_puts(o, "\n");
}

void text_wrap(struct text_out *o, size_t indent, const char *s)
{
	size_t col = 0, wlen, wwidth, i;
	const char *p = s, *word;

	while (*p != '\0') {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		word = p;
		while (*p != '\0' && *p != ' ')
			p++;
		wlen = (size_t)(p - word);
		wwidth = 0;
		for (i = 0; i < wlen; i++)
			wwidth += ((unsigned char)word[i] & 0xc0) != 0x80;
		if (col > 0 && col + 1 + wwidth > TEXT_COLUMNS) {
			text_puts(o, "\n");
			col = 0;
		}
		if (col == 0) {
			text_spaces(o, indent);
			col = indent;
		} else {
			text_spaces(o, 1);
			col++;
		}
		if (strbuf_append(o->sb, word, wlen) < 0)
			o->failed = 1;
		col += wwidth;
	}
	if (col > 0 || *s == '\0')
		text_puts(o, "\n");
}
