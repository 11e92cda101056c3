/*
 * escape.c - escaping of untrusted strings for terminals, logs and HTML.
 * Input: anything, including invalid UTF-8 and control characters.
 */
#include "escape.h"

#include <stdio.h>
#include <string.h>

#include "limits.h"

/* C0, DEL, and C1 (U+0080-U+009F, encoded C2 80 - C2 9F) are escaped;
 * returns the number of input bytes the control sequence spans, or 0. */
static size_t escape_control_len(const unsigned char *p, size_t left)
{
	if (*p < 0x20 || *p == 0x7f || *p == '\\')
		return 1;
	if (*p == 0xc2 && left >= 2 && p[1] >= 0x80 && p[1] <= 0x9f)
		return 2;
	return 0;
}

/* The escape of the n-byte control sequence at p (n from
 * escape_control_len): \\ for a backslash, \xNN for C0 and DEL, \u00NN
 * for C1. Written into tmp; returns tmp. */
static const char *escape_control(const unsigned char *p, size_t n, char *tmp, size_t len)
{
	if (n == 1 && p[0] == '\\')
		snprintf(tmp, len, "\\\\");
	else if (n == 1)
		snprintf(tmp, len, "\\x%02x", p[0]);
	else
		snprintf(tmp, len, "\\u%04x", p[1]);
	return tmp;
}

char *escape_text(const char *in, size_t len, size_t max_in, char *out, size_t outlen)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t i = 0, o = 0, n, k;
	char tmp[16];

	if (outlen == 0)
		return out;
	while (i < len) {
		if (i >= max_in) {
			if (o + 4 <= outlen - 1) {
				memcpy(out + o, "...", 3);
				o += 3;
			}
			break;
		}
		n = escape_control_len(p + i, len - i);
		if (n == 0) {
			if (o + 1 > outlen - 1)
				break;
			out[o++] = (char)p[i++];
			continue;
		}
		escape_control(p + i, n, tmp, sizeof(tmp));
		k = strlen(tmp);
		if (o + k > outlen - 1)
			break;
		memcpy(out + o, tmp, k);
		o += k;
		i += n;
	}
	out[o] = '\0';
	return out;
}

int escape_text_sb(struct strbuf *sb, const char *in)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t len = strlen(in), i = 0, run, n;
	char tmp[16];

	while (i < len) {
		run = 0;
		while (i + run < len && escape_control_len(p + i + run, len - i - run) == 0)
			run++;
		if (run > 0 && strbuf_append(sb, p + i, run) < 0)
			return -1;
		i += run;
		if (i >= len)
			break;
		n = escape_control_len(p + i, len - i);
		if (strbuf_puts(sb, escape_control(p + i, n, tmp, sizeof(tmp))) < 0)
			return -1;
		i += n;
	}
	return 0;
}

int escape_html(struct strbuf *sb, const char *in)
{
	const char *p = in, *rep;
	size_t run;

	while (*p != '\0') {
		run = strcspn(p, "&<>\"'");
		if (run > 0 && strbuf_append(sb, p, run) < 0)
			return -1;
		p += run;
		if (*p == '\0')
			break;
		switch (*p) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '"':
			rep = "&quot;";
			break;
		default:
			rep = "&#39;";
			break;
		}
		if (strbuf_puts(sb, rep) < 0)
			return -1;
		p++;
	}
	return 0;
}

const char *esc(const char *s)
{
	static _Thread_local char bufs[4][LIMIT_LOG_STRING * 4 + 8];
	static _Thread_local unsigned next;
	char *out = bufs[next++ % 4];

	if (s == NULL)
		return "-";
	return escape_text(s, strlen(s), LIMIT_LOG_STRING, out, sizeof(bufs[0]));
}
