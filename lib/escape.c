/*
 * escape.c - escaping of untrusted strings for terminals, logs and HTML.
 * Input: anything, including invalid UTF-8 and control characters.
 */
#include "escape.h"

#include <stdio.h>
#include <string.h>

#include "limits.h"

size_t escape_invisible_len(const unsigned char *p, size_t left, unsigned *cp)
{
	unsigned c;

	if (left >= 2 && p[0] == 0xd8 && p[1] == 0x9c) {
		*cp = 0x061c; /* ARABIC LETTER MARK */
		return 2;
	}
	if (left < 3 || (p[0] != 0xe2 && p[0] != 0xef && p[0] != 0xe1))
		return 0;
	if ((p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80)
		return 0;
	c = ((unsigned)(p[0] & 0x0f) << 12) | ((unsigned)(p[1] & 0x3f) << 6) | (p[2] & 0x3fu);
	/* zero-width space/joiners and LRM/RLM; LRE..RLO embeddings and
	 * overrides; word joiner and invisible operators; LRI..PDI
	 * isolates; the Mongolian vowel separator; the BOM (ZWNBSP) */
	if ((c >= 0x200b && c <= 0x200f) || (c >= 0x202a && c <= 0x202e) ||
	    (c >= 0x2060 && c <= 0x2064) || (c >= 0x2066 && c <= 0x2069) || c == 0x180e ||
	    c == 0xfeff) {
		*cp = c;
		return 3;
	}
	return 0;
}

/* C0, DEL, and C1 (U+0080-U+009F, encoded C2 80 - C2 9F) are escaped, and
 * so are the invisible characters above; returns the number of input bytes
 * the sequence spans (0: none) and, in rep, its visible form. */
static size_t escape_control_len(const unsigned char *p, size_t left, char *rep, size_t replen)
{
	unsigned cp;
	size_t n;

	if (*p == '\\') {
		snprintf(rep, replen, "\\\\");
		return 1;
	}
	if (*p < 0x20 || *p == 0x7f) {
		snprintf(rep, replen, "\\x%02x", *p);
		return 1;
	}
	if (*p == 0xc2 && left >= 2 && p[1] >= 0x80 && p[1] <= 0x9f) {
		snprintf(rep, replen, "\\u%04x", p[1]);
		return 2;
	}
	if (*p >= 0xd8 && (n = escape_invisible_len(p, left, &cp)) > 0) {
		snprintf(rep, replen, "\\u%04x", cp);
		return n;
	}
	return 0;
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
		n = escape_control_len(p + i, len - i, tmp, sizeof(tmp));
		if (n == 0) {
			if (o + 1 > outlen - 1)
				break;
			out[o++] = (char)p[i++];
			continue;
		}
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
		while (i + run < len &&
		       escape_control_len(p + i + run, len - i - run, tmp, sizeof(tmp)) == 0)
			run++;
		if (run > 0 && strbuf_append(sb, p + i, run) < 0)
			return -1;
		i += run;
		if (i >= len)
			break;
		n = escape_control_len(p + i, len - i, tmp, sizeof(tmp));
		if (strbuf_puts(sb, tmp) < 0)
			return -1;
		i += n;
	}
	return 0;
}

int escape_text_lines(struct strbuf *sb, const char *in, size_t len)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t i = 0, n;
	char tmp[16];

	while (i < len) {
		/* a line end, LF or CRLF, stays one: previews keep their lines */
		if (p[i] == '\n' || (p[i] == '\r' && i + 1 < len && p[i + 1] == '\n')) {
			if (strbuf_putc(sb, '\n') < 0)
				return -1;
			i += p[i] == '\r' ? 2 : 1;
			continue;
		}
		n = escape_control_len(p + i, len - i, tmp, sizeof(tmp));
		if (n == 0) {
			if (strbuf_putc(sb, (char)p[i]) < 0)
				return -1;
			i++;
			continue;
		}
		if (strbuf_puts(sb, tmp) < 0)
			return -1;
		i += n;
	}
	return 0;
}

/* The entity for one of & < > " ', or NULL. */
static const char *escape_html_entity(char c)
{
	switch (c) {
	case '&':
		return "&amp;";
	case '<':
		return "&lt;";
	case '>':
		return "&gt;";
	case '"':
		return "&quot;";
	case '\'':
		return "&#39;";
	default:
		return NULL;
	}
}

int escape_html(struct strbuf *sb, const char *in)
{
	const unsigned char *p = (const unsigned char *)in;
	const char *rep;
	char tmp[16];
	size_t run, n, left = strlen(in);
	unsigned cp;

	while (left > 0) {
		for (run = 0; run < left; run++) {
			if (escape_html_entity((char)p[run]) != NULL)
				break;
			if (p[run] >= 0xd8 && escape_invisible_len(p + run, left - run, &cp) > 0)
				break;
		}
		if (run > 0 && strbuf_append(sb, p, run) < 0)
			return -1;
		p += run;
		left -= run;
		if (left == 0)
			break;
		if ((rep = escape_html_entity((char)*p)) != NULL) {
			n = 1;
		} else {
			/* a bidi control or zero-width character, shown (never
			 * applied: it could reorder the text around it) */
			n = escape_invisible_len(p, left, &cp);
			snprintf(tmp, sizeof(tmp), "\\u%04x", cp);
			rep = tmp;
		}
		if (strbuf_puts(sb, rep) < 0)
			return -1;
		p += n;
		left -= n;
	}
	return 0;
}

int escape_csv(struct strbuf *sb, const char *in)
{
	struct strbuf e;
	const char *t, *q;
	int rc = -1;

	strbuf_init(&e, sb->cap);
	if (escape_text_sb(&e, in) < 0)
		goto out;
	t = strbuf_str(&e);
	/* a cell holding any separator a spreadsheet may split on (',', ';'
	 * in many locales, tab) is quoted, so "Acme;=cmd" stays one cell
	 * that starts with a letter; a leading formula character is defused
	 * with a quote mark (OWASP's CSV injection advice) */
	if (strpbrk(t, ",;\"\t\r\n") == NULL && strchr("=+-@", t[0]) == NULL) {
		rc = strbuf_puts(sb, t);
		goto out;
	}
	if (strbuf_putc(sb, '"') < 0 ||
	    (t[0] != '\0' && strchr("=+-@", t[0]) != NULL && strbuf_putc(sb, '\'') < 0))
		goto out;
	for (q = t; *q != '\0'; q++)
		if (strbuf_puts(sb, *q == '"' ? "\"\"" : (char[]){*q, '\0'}) < 0)
			goto out;
	rc = strbuf_putc(sb, '"');
out:
	strbuf_free(&e);
	return rc < 0 ? -1 : 0;
}

int escape_prom_label(struct strbuf *sb, const char *in)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t left = strlen(in), n;
	unsigned cp;
	char tmp[16];
	int rc = 0;

	/* the exposition format escapes \ " and newline in a label value;
	 * other control characters (a terminal's ESC, BEL, CR) are dropped,
	 * and invisible ones written as \\u202e (a visible backslash) */
	while (left > 0 && rc == 0) {
		/* a run of printable ASCII other than \ and " is written as it
		 * is, at once (a scrape writes 2 MB of label values) */
		for (n = 0; n < left && p[n] >= 0x20 && p[n] < 0x7f && p[n] != '\\' && p[n] != '"';
		     n++)
			;
		if (n > 0) {
			rc = strbuf_append(sb, p, n);
			p += n;
			left -= n;
			continue;
		}
		n = 1;
		if (*p == '\\')
			rc = strbuf_puts(sb, "\\\\");
		else if (*p == '"')
			rc = strbuf_puts(sb, "\\\"");
		else if (*p == '\n')
			rc = strbuf_puts(sb, "\\n");
		else if (*p < 0x20 || *p == 0x7f)
			;
		else if (*p == 0xc2 && left >= 2 && p[1] >= 0x80 && p[1] <= 0x9f)
			n = 2;
		else if (*p >= 0xd8 && (n = escape_invisible_len(p, left, &cp)) > 0) {
			snprintf(tmp, sizeof(tmp), "\\\\u%04x", cp);
			rc = strbuf_puts(sb, tmp);
		} else {
			n = 1;
			rc = strbuf_putc(sb, (char)*p);
		}
		p += n;
		left -= n;
	}
	return rc < 0 ? -1 : 0;
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

int escape_url(struct strbuf *sb, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)s;
	char e[3];

	for (; *p != '\0'; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_' || *p == '~') {
			if (strbuf_putc(sb, (char)*p) < 0)
				return -1;
			continue;
		}
		e[0] = '%';
		e[1] = hex[*p >> 4];
		e[2] = hex[*p & 15];
		if (strbuf_append(sb, e, 3) < 0)
			return -1;
	}
	return 0;
}
