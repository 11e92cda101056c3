/*
 * mail_header.c - header fields of untrusted mail: the block scanner, the
 * text of a value (unfolded, valid UTF-8, RFC 2047 decoded where asked)
 * and the MIME facts of an entity through libetpan's MIME grammar
 * (Content-Type, Content-Transfer-Encoding, Content-Disposition).
 *
 * Every field is measured against LIMIT_HEADER_BYTES while it is scanned,
 * before any of it is copied. libetpan only ever sees our own bounded,
 * NUL-terminated copy of one value.
 */
#include "mail_impl.h"

#include <libetpan/libetpan.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "limits.h"
#include "parse_int.h"
#include "utf8.h"
#include "xalloc.h"

static int mail_is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

/* RFC 5322 section 3.6.8: ftext is printable US-ASCII except colon. */
static int mail_is_ftext(char c)
{
	unsigned char u = (unsigned char)c;

	return u >= 33 && u <= 126 && u != ':';
}

int mail_header_next(const char *data, size_t len, size_t *off, struct mail_field *f, char *err,
                     size_t errlen)
{
	size_t p = *off, q, name_end, eol, next, value_end, unfolded;
	const char *nl;

	if (p >= len) {
		*off = len;
		return 0;
	}
	if (data[p] == '\n' || (data[p] == '\r' && (p + 1 == len || data[p + 1] == '\n'))) {
		*off = data[p] == '\n' ? p + 1 : (p + 1 == len ? len : p + 2);
		return 0;
	}
	q = p;
	while (q < len && q - p <= LIMIT_HEADER_BYTES && mail_is_ftext(data[q]))
		q++;
	name_end = q;
	/* Obsolete syntax (RFC 5322 section 4.5) allows white space before
	 * the colon. Anything else ends the header block: the body starts on
	 * this line, as libetpan would read it. */
	while (q < len && q - p <= LIMIT_HEADER_BYTES && mail_is_wsp(data[q]))
		q++;
	if (name_end == p || q >= len || data[q] != ':')
		return 0;
	q++;
	f->name = data + p;
	f->name_len = name_end - p;
	f->value = data + q;
	unfolded = q - p;
	for (;;) {
		nl = memchr(data + q, '\n', len - q);
		eol = nl != NULL ? (size_t)(nl - data) : len;
		unfolded += eol - q;
		if (eol > q && data[eol - 1] == '\r')
			unfolded--;
		if (unfolded > LIMIT_HEADER_BYTES) {
			snprintf(err, errlen, "header field %.*s longer than %u bytes",
			         (int)(f->name_len < 64 ? f->name_len : 64), f->name,
			         LIMIT_HEADER_BYTES);
			return -1;
		}
		if (nl == NULL) {
			value_end = len;
			next = len;
			break;
		}
		if (eol + 1 < len && mail_is_wsp(data[eol + 1])) {
			q = eol + 1; /* folded: the value goes on */
			continue;
		}
		value_end = eol > q && data[eol - 1] == '\r' ? eol - 1 : eol;
		next = eol + 1;
		break;
	}
	if (value_end < (size_t)(f->value - data))
		value_end = (size_t)(f->value - data);
	f->value_len = value_end - (size_t)(f->value - data);
	*off = next;
	return 1;
}

int mail_field_is(const struct mail_field *f, const char *name)
{
	size_t n = strlen(name);

	return f->name_len == n && strncasecmp(f->name, name, n) == 0;
}

/* Copies s (n bytes) to out as valid UTF-8: NUL and each invalid byte
 * become U+FFFD. out must hold 3 * n bytes. Returns the length written. */
static size_t mail_utf8_sanitize(const unsigned char *s, size_t n, char *out)
{
	size_t i = 0, o = 0, ok;

	while (i < n) {
		ok = utf8_valid_prefix(s + i, n - i);
		while (ok > 0) {
			if (s[i] == '\0') {
				memcpy(out + o, "\xef\xbf\xbd", 3);
				o += 3;
			} else {
				out[o++] = (char)s[i];
			}
			i++;
			ok--;
		}
		if (i < n) {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
		}
	}
	return o;
}

char *mail_field_text(const char *value, size_t len)
{
	char *flat = xmalloc(len + 1), *out;
	size_t i, n = 0, o, start = 0;

	for (i = 0; i < len; i++)
		if (value[i] != '\r' && value[i] != '\n')
			flat[n++] = value[i];
	out = xmalloc(3 * n + 1);
	o = mail_utf8_sanitize((const unsigned char *)flat, n, out);
	free(flat);
	while (o > 0 && mail_is_wsp(out[o - 1]))
		o--;
	while (start < o && mail_is_wsp(out[start]))
		start++;
	memmove(out, out + start, o - start);
	out[o - start] = '\0';
	return out;
}

char *mail_field_decoded(const char *value, size_t len)
{
	char *text = mail_field_text(value, len), *dec = NULL, *out;
	size_t idx = 0, tlen = strlen(text), dlen;

	if (strstr(text, "=?") == NULL)
		return text;
	if (mailmime_encoded_phrase_parse("utf-8", text, tlen, &idx, "utf-8", &dec) !=
	        MAILIMF_NO_ERROR ||
	    dec == NULL) {
		free(dec);
		return text;
	}
	/* Keep whatever the phrase parser did not consume. */
	dlen = strlen(dec);
	out = xmalloc(dlen + (tlen - idx) + 1);
	memcpy(out, dec, dlen);
	memcpy(out + dlen, text + idx, tlen - idx);
	out[dlen + tlen - idx] = '\0';
	free(dec);
	free(text);
	text = mail_field_text(out, strlen(out));
	free(out);
	return text;
}

/* Removes RFC 5322 comments (nested parentheses, outside quoted strings)
 * from a structured value, in place. libetpan's parser recurses once per
 * nesting level of a comment, so a value of 16 KiB of '(' would cost it
 * 16,000 stack frames: it only ever sees values without comments. */
static void mail_strip_comments(char *s)
{
	size_t i = 0, o = 0, depth = 0;
	int quoted = 0;

	while (s[i] != '\0') {
		char c = s[i++];

		if (depth > 0) {
			if (c == '\\' && s[i] != '\0')
				i++;
			else if (c == '(')
				depth++;
			else if (c == ')' && --depth == 0)
				s[o++] = ' ';
			continue;
		}
		if (quoted) {
			s[o++] = c;
			if (c == '\\' && s[i] != '\0')
				s[o++] = s[i++];
			else if (c == '"')
				quoted = 0;
			continue;
		}
		if (c == '(') {
			depth = 1;
			continue;
		}
		if (c == '"')
			quoted = 1;
		s[o++] = c;
	}
	s[o] = '\0';
}

/* --- MIME facts through libetpan ------------------------------------- */

struct mail_param {
	const char *name;
	const char *value;
};

/* Appends an RFC 2231 extended value, percent-decoded; with_charset skips
 * the leading charset'language' (first section only). The charset is not
 * converted: the result is sanitised as UTF-8 later. */
static void mail_append_ext(char *out, size_t *o, const char *v, int with_charset)
{
	const char *q;
	int hi, lo;

	if (with_charset && (q = strchr(v, '\'')) != NULL && strchr(q + 1, '\'') != NULL)
		v = strchr(q + 1, '\'') + 1;
	while (*v != '\0') {
		if (v[0] == '%' && (hi = parse_hex_digit(v[1])) >= 0 &&
		    (lo = parse_hex_digit(v[2])) >= 0) {
			out[(*o)++] = (char)(hi * 16 + lo);
			v += 3;
		} else {
			out[(*o)++] = *v++;
		}
	}
}

/* The section of an RFC 2231 parameter name after "base*": "N" or "N*"
 * (extended), N < LIMIT_PARAM_SECTIONS. 0, or -1 for anything else. */
static int mail_param_section(const char *s, int64_t *num, int *star)
{
	size_t len = strlen(s);
	char digits[24];

	*star = len > 0 && s[len - 1] == '*';
	len -= (size_t)*star;
	if (len == 0 || len >= sizeof(digits))
		return -1;
	memcpy(digits, s, len);
	digits[len] = '\0';
	return parse_int(digits, 0, LIMIT_PARAM_SECTIONS - 1, num, NULL, 0) < 0 ? -1 : 0;
}

/* The value of parameter base: RFC 2231 forms (base*, base*0, base*0*,
 * base*1 ...) joined and decoded when present, else plain base. NULL when
 * absent. Sections past LIMIT_PARAM_SECTIONS are ignored. */
static char *mail_param_get(const struct mail_param *ps, size_t n, const char *base)
{
	const char *sect[LIMIT_PARAM_SECTIONS];
	int sect_ext[LIMIT_PARAM_SECTIONS];
	const char *plain = NULL, *ext = NULL, *rest;
	size_t blen = strlen(base), i, total = 0, o = 0, k, nsect = 0;
	char *out;
	int64_t num;
	int star;

	memset(sect, 0, sizeof(sect));
	memset(sect_ext, 0, sizeof(sect_ext));
	for (i = 0; i < n; i++) {
		if (strncasecmp(ps[i].name, base, blen) != 0)
			continue;
		rest = ps[i].name + blen;
		if (*rest == '\0') {
			if (plain == NULL)
				plain = ps[i].value;
		} else if (strcmp(rest, "*") == 0) {
			if (ext == NULL)
				ext = ps[i].value;
		} else if (rest[0] == '*' && mail_param_section(rest + 1, &num, &star) == 0 &&
		           sect[num] == NULL) {
			sect[num] = ps[i].value;
			sect_ext[num] = star;
		}
	}
	while (nsect < LIMIT_PARAM_SECTIONS && sect[nsect] != NULL)
		total += strlen(sect[nsect++]);
	if (ext != NULL) {
		out = xmalloc(strlen(ext) + 1);
		mail_append_ext(out, &o, ext, 1);
	} else if (nsect > 0) {
		out = xmalloc(total + 1);
		for (k = 0; k < nsect; k++) {
			if (sect_ext[k]) {
				mail_append_ext(out, &o, sect[k], k == 0);
			} else {
				memcpy(out + o, sect[k], strlen(sect[k]));
				o += strlen(sect[k]);
			}
		}
	} else if (plain != NULL) {
		return xstrdup(plain);
	} else {
		return NULL;
	}
	out[o] = '\0';
	return out;
}

static const char *mail_discrete_name(int t)
{
	switch (t) {
	case MAILMIME_DISCRETE_TYPE_TEXT:
		return "text";
	case MAILMIME_DISCRETE_TYPE_IMAGE:
		return "image";
	case MAILMIME_DISCRETE_TYPE_AUDIO:
		return "audio";
	case MAILMIME_DISCRETE_TYPE_VIDEO:
		return "video";
	case MAILMIME_DISCRETE_TYPE_APPLICATION:
		return "application";
	default:
		return NULL;
	}
}

/* "type/subtype", lower-case, into out; 0, or -1 when libetpan's result
 * has no usable name or it does not fit. */
static int mail_type_name(const struct mailmime_content *ct, char *out, size_t outlen)
{
	const struct mailmime_type *t = ct->ct_type;
	const char *type = NULL;
	size_t i;
	int n;

	if (t == NULL || ct->ct_subtype == NULL)
		return -1;
	if (t->tp_type == MAILMIME_TYPE_DISCRETE_TYPE && t->tp_data.tp_discrete_type != NULL) {
		type = mail_discrete_name(t->tp_data.tp_discrete_type->dt_type);
		if (type == NULL)
			type = t->tp_data.tp_discrete_type->dt_extension;
	} else if (t->tp_type == MAILMIME_TYPE_COMPOSITE_TYPE &&
	           t->tp_data.tp_composite_type != NULL) {
		switch (t->tp_data.tp_composite_type->ct_type) {
		case MAILMIME_COMPOSITE_TYPE_MESSAGE:
			type = "message";
			break;
		case MAILMIME_COMPOSITE_TYPE_MULTIPART:
			type = "multipart";
			break;
		default:
			type = t->tp_data.tp_composite_type->ct_token;
			break;
		}
	}
	if (type == NULL || *type == '\0' || *ct->ct_subtype == '\0')
		return -1;
	n = snprintf(out, outlen, "%s/%s", type, ct->ct_subtype);
	if (n < 0 || (size_t)n >= outlen)
		return -1;
	for (i = 0; out[i] != '\0'; i++)
		if (out[i] >= 'A' && out[i] <= 'Z')
			out[i] = (char)(out[i] - 'A' + 'a');
	return 0;
}

/* The name and value of one Content-Disposition parameter (filename is a
 * type of its own in libetpan); both stay NULL for anything else. */
static void mail_disposition_param(const struct mailmime_disposition_parm *p, const char **name,
                                   const char **value)
{
	if (p->pa_type == MAILMIME_DISPOSITION_PARM_FILENAME) {
		*name = "filename";
		*value = p->pa_data.pa_filename;
	} else if (p->pa_type == MAILMIME_DISPOSITION_PARM_PARAMETER &&
	           p->pa_data.pa_parameter != NULL) {
		*name = p->pa_data.pa_parameter->pa_name;
		*value = p->pa_data.pa_parameter->pa_value;
	}
}

/* The parameters of a Content-Type list (struct mailmime_parameter) or,
 * with disposition, of a Content-Disposition list (struct
 * mailmime_disposition_parm), borrowing libetpan's strings; a parameter
 * without a name or a value is left out. NULL (and *n 0) for no list. */
static struct mail_param *mail_params_of(clist *l, int disposition, size_t *n)
{
	struct mail_param *ps = NULL;
	clistiter *it;
	size_t k = 0;

	*n = 0;
	if (l == NULL)
		return NULL;
	ps = xcalloc(clist_count(l) > 0 ? (size_t)clist_count(l) : 1, sizeof(*ps));
	for (it = clist_begin(l); it != NULL; it = clist_next(it)) {
		const char *name = NULL, *value = NULL;

		if (clist_content(it) == NULL)
			continue;
		if (disposition) {
			mail_disposition_param(clist_content(it), &name, &value);
		} else {
			const struct mailmime_parameter *p = clist_content(it);

			name = p->pa_name;
			value = p->pa_value;
		}
		if (name == NULL || value == NULL)
			continue;
		ps[k].name = name;
		ps[k].value = value;
		k++;
	}
	*n = k;
	return ps;
}

static void mail_entity_content(struct mail_entity *e, const struct mail_field *f, char **name)
{
	char *text = mail_field_text(f->value, f->value_len), type[sizeof(e->content_type)];
	struct mailmime_content *ct = NULL;
	struct mail_param *ps = NULL;
	size_t idx = 0, n = 0;

	mail_strip_comments(text);
	if (mailmime_content_parse(text, strlen(text), &idx, &ct) != MAILIMF_NO_ERROR || ct == NULL)
		goto out;
	if (mail_type_name(ct, type, sizeof(type)) < 0)
		goto out;
	memcpy(e->content_type, type, sizeof(type));
	ps = mail_params_of(ct->ct_parameters, 0, &n);
	e->boundary = mail_param_get(ps, n, "boundary");
	if (e->boundary != NULL && e->boundary[0] == '\0') {
		free(e->boundary);
		e->boundary = NULL;
	}
	*name = mail_param_get(ps, n, "name");
out:
	free(ps);
	if (ct != NULL)
		mailmime_content_free(ct);
	free(text);
}

static void mail_entity_encoding(struct mail_entity *e, const struct mail_field *f)
{
	char *text = mail_field_text(f->value, f->value_len);
	struct mailmime_mechanism *mech = NULL;
	size_t idx = 0;

	mail_strip_comments(text);
	if (mailmime_encoding_parse(text, strlen(text), &idx, &mech) == MAILIMF_NO_ERROR &&
	    mech != NULL) {
		e->encoding = mech->enc_type;
		mailmime_mechanism_free(mech);
	}
	free(text);
}

static char *mail_entity_disp_filename(const struct mail_field *f)
{
	char *text = mail_field_text(f->value, f->value_len), *fn = NULL;
	struct mailmime_disposition *d = NULL;
	struct mail_param *ps = NULL;
	size_t idx = 0, n = 0;

	mail_strip_comments(text);
	if (mailmime_disposition_parse(text, strlen(text), &idx, &d) == MAILIMF_NO_ERROR &&
	    d != NULL) {
		ps = mail_params_of(d->dsp_parms, 1, &n);
		fn = mail_param_get(ps, n, "filename");
		free(ps);
		mailmime_disposition_free(d);
	}
	free(text);
	return fn;
}

void mail_entity_read(struct mail_entity *e, const struct mail_field *ctype,
                      const struct mail_field *cte, const struct mail_field *cdisp,
                      const char *default_type)
{
	char *name = NULL, *fn = NULL;

	memset(e, 0, sizeof(*e));
	snprintf(e->content_type, sizeof(e->content_type), "%s", default_type);
	e->encoding = MAILMIME_MECHANISM_7BIT;
	if (ctype != NULL)
		mail_entity_content(e, ctype, &name);
	if (cte != NULL)
		mail_entity_encoding(e, cte);
	if (cdisp != NULL)
		fn = mail_entity_disp_filename(cdisp);
	if (fn == NULL) {
		fn = name;
		name = NULL;
	}
	free(name);
	if (fn != NULL) {
		e->filename = mail_field_decoded(fn, strlen(fn));
		free(fn);
		if (e->filename[0] == '\0') {
			free(e->filename);
			e->filename = NULL;
		}
	}
}

void mail_entity_clear(struct mail_entity *e)
{
	free(e->boundary);
	free(e->filename);
	e->boundary = NULL;
	e->filename = NULL;
}
