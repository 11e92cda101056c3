/*
 * reasons.c - failure-reason-codes grouped by their normal form
 * (reasons.h). The codes are report text (untrusted): normalised into
 * bounded buffers, compared and copied, never interpreted.
 */
#include "reasons.h"

#include <stdlib.h>
#include <string.h>

#include "limits.h"
#include "query_reason.h"
#include "xalloc.h"

static int reasons_is_word(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '-' || c == '_' || c == ':';
}

/* A token that names a host: an IPv4 address (four dotted numbers), an
 * IPv6 address (two colons or more, hex digits), or a dotted name whose
 * last label is letters (mx1.example.com). "4.7.0" and "X509_V_ERR" are
 * not. */
static int reasons_is_host(const char *t, size_t n)
{
	size_t i, dots = 0, colons = 0, last = 0;
	int digits_only = 1, hex_only = 1, alpha_tail = 1;

	while (n > 0 && t[n - 1] == '.')
		n--; /* the full stop of a sentence */
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)t[i];

		if (c == '.') {
			dots++;
			last = i + 1;
		} else if (c == ':') {
			colons++;
		} else {
			digits_only &= c >= '0' && c <= '9';
			hex_only &= (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
			            (c >= 'A' && c <= 'F');
		}
	}
	if (colons >= 2 && hex_only && dots == 0)
		return 1;
	if (dots == 3 && digits_only)
		return 1;
	if (dots == 0 || last >= n || n - last < 2)
		return 0;
	for (i = last; i < n; i++)
		alpha_tail &= (t[i] >= 'a' && t[i] <= 'z') || (t[i] >= 'A' && t[i] <= 'Z');
	return alpha_tail && t[0] != '.';
}

static int reasons_is_number(const char *t, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (t[i] < '0' || t[i] > '9')
			return 0;
	return n > 0;
}

/* Appends s[0..n) to out at *len, lower-cased, as far as it fits. */
static void reasons_put(char *out, size_t outlen, size_t *len, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n && *len + 1 < outlen; i++) {
		unsigned char c = (unsigned char)s[i];

		out[(*len)++] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
	}
	out[*len] = '\0';
}

static int reasons_is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int reasons_is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static int reasons_is_hex_letter(unsigned char c)
{
	return (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* The shortest hex id joined across white space: a UUID's first group.
 * Shorter runs ("7 bad", "1 a") are more likely prose than an id. */
#define REASONS_ID_MIN_HEX 8

/* How far a hex id split by white space reaches from the word at s, or 0
 * when there is none (quirks E8: the RFC's text rendering sends
 * "5065427 c - 23 d3" for "5065427c-23d3"). The id is two or more words
 * of hex digits and '-' (the first and last holding a digit), apart only
 * by white space where the text changes between digits and letters or
 * meets a '-' (as a rendering splits; "12 300" are two numbers, "cafe
 * bad" two words), with REASONS_ID_MIN_HEX hex digits or more, of them a
 * digit and a letter: "error 12 of 300" and "2026 - 12 - 01" are not one.
 * *scanned: the end of the words looked at; no id starts before it (a
 * run that is no id has no part that is one), so the caller does not
 * look again: linear, however many words a hostile text holds. */
static size_t reasons_split_id(const char *s, const char **scanned)
{
	const char *p = s, *end = NULL;
	size_t i, n, hex = 0, id = 0;
	int digit = 0, letter = 0, words = 0;

	for (;;) {
		size_t word_hex = 0;

		for (n = 0; reasons_is_word((unsigned char)p[n]); n++)
			if (!reasons_is_digit((unsigned char)p[n]) &&
			    !reasons_is_hex_letter((unsigned char)p[n]) && p[n] != '-')
				break;
		if (n == 0 || reasons_is_word((unsigned char)p[n]))
			break; /* not a word of hex digits and '-' only */
		if (words > 0) {
			unsigned char a = (unsigned char)end[-1], b = (unsigned char)p[0];

			if (a != '-' && b != '-' && reasons_is_digit(a) == reasons_is_digit(b))
				break;
		}
		for (i = 0; i < n; i++) {
			word_hex += p[i] != '-';
			digit |= reasons_is_digit((unsigned char)p[i]);
			letter |= reasons_is_hex_letter((unsigned char)p[i]);
		}
		if (words == 0 && word_hex == 0)
			break;
		hex += word_hex;
		words++;
		end = p + n;
		if (word_hex > 0 && words > 1 && hex >= REASONS_ID_MIN_HEX && digit && letter)
			id = (size_t)(end - s);
		for (p = end; reasons_is_space((unsigned char)*p); p++)
			;
		if (p == end)
			break;
	}
	*scanned = end != NULL ? end : s;
	return id;
}
void reasons_normalise(const char *s, char *out, size_t outlen)
{
	size_t len = 0, n;
	const char *plain = s; /* no split id starts before it */
	int space = 0;

	if (outlen == 0)
		return;
	out[0] = '\0';
	while (*s != '\0') {
		unsigned char c = (unsigned char)*s;

		if (reasons_is_space(c)) {
			space = len > 0;
			s++;
			continue;
		}
		if (space)
			reasons_put(out, outlen, &len, " ", 1);
		space = 0;
		if (!reasons_is_word(c)) {
			reasons_put(out, outlen, &len, s, 1);
			s++;
			continue;
		}
		if (s >= plain && (n = reasons_split_id(s, &plain)) > 0) {
			for (; n > 0; s++, n--)
				if (!reasons_is_space((unsigned char)*s))
					reasons_put(out, outlen, &len, s, 1);
			continue;
		}
		for (n = 0; reasons_is_word((unsigned char)s[n]); n++)
			;
		if (reasons_is_host(s, n))
			reasons_put(out, outlen, &len, "<host>", 6);
		else if (reasons_is_number(s, n))
			reasons_put(out, outlen, &len, "<n>", 3);
		else
			reasons_put(out, outlen, &len, s, n);
		s += n;
	}
}

/* A byte the key keeps white space beside: a letter or digit of the
 * normal form (lower case), or any byte of a UTF-8 sequence. */
static int reasons_is_key_word(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || reasons_is_digit(c) || c >= 0x80;
}

void reasons_key(const char *s, char *out, size_t outlen)
{
	size_t i, j = 0;

	reasons_normalise(s, out, outlen);
	for (i = 0; outlen > 0 && out[i] != '\0'; i++) {
		/* a space stays only between two words: "starttls not offered"
		 * is not "starttlsnotoffered", "id = 5" is "id=5" */
		if (out[i] == ' ' && (j == 0 || !reasons_is_key_word((unsigned char)out[j - 1]) ||
		                      !reasons_is_key_word((unsigned char)out[i + 1])))
			continue;
		out[j++] = out[i];
	}
	if (outlen > 0)
		out[j] = '\0';
}

/* One form as sent, with its key (reasons_key). */
struct reasons_form {
	char *key;
	const struct query_reason_row *row;
};

static int reasons_form_cmp(const void *x, const void *y)
{
	const struct reasons_form *a = x, *b = y;
	int c = strcmp(a->key, b->key);

	if (c != 0)
		return c;
	return strcmp(a->row->reason_code, b->row->reason_code);
}

static int reasons_group_cmp(const void *x, const void *y)
{
	const struct reason_group *a = x, *b = y;

	if (a->failed_sessions != b->failed_sessions)
		return a->failed_sessions > b->failed_sessions ? -1 : 1;
	return strcmp(a->key, b->key);
}

/* One result type inside a row's comma list. */
struct reasons_item {
	const char *s;
	size_t n;
};

static int reasons_item_cmp(const void *x, const void *y)
{
	const struct reasons_item *a = x, *b = y;
	int c = memcmp(a->s, b->s, a->n < b->n ? a->n : b->n);

	if (c != 0)
		return c;
	return a->n < b->n ? -1 : a->n > b->n;
}

/* "a, b": the distinct result types of forms [i, j), sorted bytewise (the
 * order a backend concatenates them in is its own: the text must not
 * depend on it). */
static char *reasons_types(const struct reasons_form *f, size_t i, size_t j)
{
	struct reasons_item *items;
	size_t k, m = 0, cap = 1, len = 0, n, max = 0;
	char *out;

	for (k = i; k < j; k++) {
		const char *t = f[k].row->result_types;

		cap += 2 * strlen(t) + 2;
		max += strlen(t) / 2 + 1; /* at most one item per two bytes */
	}
	items = xcalloc(max, sizeof(*items));
	for (k = i; k < j; k++) {
		const char *t = f[k].row->result_types;

		for (; *t != '\0'; t += n + (t[n] == ',')) {
			n = strcspn(t, ",");
			if (n > 0 && m < max)
				items[m++] = (struct reasons_item){t, n};
		}
	}
	qsort(items, m, sizeof(*items), reasons_item_cmp);
	out = xcalloc(cap, 1);
	for (k = 0; k < m; k++) {
		if (k > 0 && reasons_item_cmp(&items[k - 1], &items[k]) == 0)
			continue;
		if (len > 0) {
			memcpy(out + len, ", ", 2);
			len += 2;
		}
		memcpy(out + len, items[k].s, items[k].n);
		len += items[k].n;
	}
	out[len] = '\0';
	free(items);
	return out;
}

typedef int (*reasons_read_fn)(struct store *st, const struct query_filter *f, size_t limit,
                               struct query_reason_rows *out, char *err, size_t errlen);

/* The rows read grouped by their normal form. */
static int reasons_group(struct store *st, const struct query_filter *f, reasons_read_fn read,
                         struct reason_groups *out, char *err, size_t errlen)
{
	struct query_reason_rows rows = {NULL, 0};
	struct reason_groups g = {NULL, 0, 0};
	struct reasons_form *forms = NULL;
	char key[LIMIT_STRING_BYTES + 1];
	size_t i, j, k, top;
	int rc = -1;

	if (read(st, f, LIMIT_REASON_ROWS, &rows, err, errlen) < 0)
		goto out;
	g.cut = rows.n >= LIMIT_REASON_ROWS;
	forms = xcalloc(rows.n ? rows.n : 1, sizeof(*forms));
	for (i = 0; i < rows.n; i++) {
		reasons_key(rows.rows[i].reason_code, key, sizeof(key));
		forms[i].key = xstrdup(key);
		forms[i].row = &rows.rows[i];
	}
	qsort(forms, rows.n, sizeof(*forms), reasons_form_cmp);
	g.groups = xcalloc(rows.n ? rows.n : 1, sizeof(*g.groups));
	for (i = 0; i < rows.n; i = j) {
		struct reason_group *e = &g.groups[g.n++];

		for (j = i + 1; j < rows.n && strcmp(forms[i].key, forms[j].key) == 0; j++)
			;
		e->result_types = reasons_types(forms, i, j);
		/* the most failed row's form labels the group, and its normal
		 * form is the one shown (forms of one key can differ in it only
		 * by white space beside punctuation) */
		for (top = i, k = i + 1; k < j; k++)
			if (forms[k].row->failed_sessions > forms[top].row->failed_sessions)
				top = k;
		e->label = xstrdup(forms[top].row->reason_code);
		reasons_normalise(e->label, key, sizeof(key));
		e->key = xstrdup(key);
		for (k = i; k < j; k++)
			e->failed_sessions += forms[k].row->failed_sessions;
		e->variants = (int64_t)(j - i);
	}
	qsort(g.groups, g.n, sizeof(*g.groups), reasons_group_cmp);
	*out = g;
	memset(&g, 0, sizeof(g));
	rc = 0;
out:
	for (i = 0; forms != NULL && i < rows.n; i++)
		free(forms[i].key);
	free(forms);
	query_reason_rows_free(&rows);
	reasons_free(&g);
	return rc;
}

int reasons_build(struct store *st, const struct query_filter *f, struct reason_groups *out,
                  char *err, size_t errlen)
{
	return reasons_group(st, f, query_failure_reasons, out, err, errlen);
}

int reasons_build_info(struct store *st, const struct query_filter *f, struct reason_groups *out,
                       char *err, size_t errlen)
{
	return reasons_group(st, f, query_failure_infos, out, err, errlen);
}

void reasons_free(struct reason_groups *g)
{
	size_t i;

	if (g == NULL)
		return;
	for (i = 0; i < g->n; i++) {
		free(g->groups[i].key);
		free(g->groups[i].label);
		free(g->groups[i].result_types);
	}
	free(g->groups);
	memset(g, 0, sizeof(*g));
}
