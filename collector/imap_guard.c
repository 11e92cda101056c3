/*
 * imap_guard.c - the IMAP byte guard: a lexer that follows just enough of
 * RFC 3501's response syntax (lines, quoted strings, literals,
 * parentheses) to bound what libetpan will parse. Input: the server's raw
 * bytes, untrusted. See imap_guard.h for the rules and why.
 */
#include "imap_guard.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "limits.h"

_Static_assert(LIMIT_IMAP_LITERAL_SMALL <= LIMIT_IMAP_COMMAND_BYTES,
               "a small literal fits in a command's answer");
_Static_assert(LIMIT_IMAP_LINE_BYTES <= LIMIT_IMAP_COMMAND_BYTES,
               "a response line fits in a command's answer");
_Static_assert(LIMIT_IMAP_BATCH_MAX + LIMIT_IMAP_UNSOLICITED <= LIMIT_IMAP_COMMAND_RESPONSES,
               "a MOVE of a whole batch answers with an EXPUNGE per message");

static const char guard_malformed[] = "sent a malformed literal (not {digits} and a line end)";

static int guard_fail(struct imap_guard *g, const char *why)
{
	if (!g->failed)
		snprintf(g->why, sizeof(g->why), "%s", why);
	g->failed = 1;
	return -1;
}

static long guard_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec;
}

static void guard_response_reset(struct imap_guard *g)
{
	g->kind = GUARD_KIND_UNKNOWN;
	g->head_len = 0;
	g->depth = 0;
	g->atom_len = 0;
	g->body_space = 0;
}

void imap_guard_init(struct imap_guard *g)
{
	memset(g, 0, sizeof(*g));
	g->state = GUARD_LINE;
	imap_guard_expect(g, LIMIT_IMAP_COMMAND_BYTES, LIMIT_IMAP_LITERAL_SMALL,
	                  LIMIT_IMAP_COMMAND_RESPONSES);
}

void imap_guard_expect(struct imap_guard *g, uint64_t budget, uint64_t literal_max,
                       uint64_t responses_max)
{
	g->budget = budget;
	g->literal_max = literal_max;
	g->responses_max = responses_max;
	g->command_bytes = 0;
	g->command_responses = 0;
	g->command_start = guard_now();
}

void imap_guard_set_deadline(struct imap_guard *g, long seconds)
{
	g->command_seconds = seconds;
}

int imap_guard_check_time(struct imap_guard *g)
{
	char why[160];

	if (g->failed)
		return -1;
	if (g->command_seconds > 0 && guard_now() - g->command_start > g->command_seconds) {
		snprintf(why, sizeof(why), "took more than %ld seconds to answer one command",
		         g->command_seconds);
		return guard_fail(g, why);
	}
	return 0;
}

static int guard_is_digits(const char *w)
{
	if (*w == '\0')
		return 0;
	for (; *w != '\0'; w++)
		if (*w < '0' || *w > '9')
			return 0;
	return 1;
}

/* The i-th space-separated word of the head (0-based) into w; 1 when the
 * word is complete (a space follows it), 0 when not or absent. */
static int guard_head_word(const struct imap_guard *g, int i, char *w, size_t wlen)
{
	size_t p = 0, k = 0;
	int n = 0;

	while (n < i && p < g->head_len)
		if (g->head[p++] == ' ')
			n++;
	if (n < i)
		return 0;
	while (p < g->head_len && g->head[p] != ' ' && k + 1 < wlen)
		w[k++] = g->head[p++];
	w[k] = '\0';
	return p < g->head_len && g->head[p] == ' ';
}

/* Decides what the response is from its first words; force: the head
 * ended (a special character or a line end), decide with what there is.
 * Returns -1 on a response no IMAP server sends. */
static int guard_classify(struct imap_guard *g, int force)
{
	char w0[24], w1[24], w2[24];
	int c0, c1, c2;

	c0 = guard_head_word(g, 0, w0, sizeof(w0));
	c1 = guard_head_word(g, 1, w1, sizeof(w1));
	c2 = guard_head_word(g, 2, w2, sizeof(w2));
	if (g->head_len > 0 && g->head[0] == '+') {
		g->kind = GUARD_KIND_TEXT; /* continuation: text or base64 */
		return 0;
	}
	if (!c0 && !force)
		return 0;
	if (strcmp(w0, "*") != 0 && !(guard_is_digits(w0) && strlen(w0) <= 10))
		return guard_fail(g, "sent a response that starts with neither '*', '+' nor a tag");
	if (!c1 && !force)
		return 0;
	/* RFC 3501 section 7.1: after these, the rest of the line is text */
	if (strcasecmp(w1, "OK") == 0 || strcasecmp(w1, "NO") == 0 || strcasecmp(w1, "BAD") == 0 ||
	    (strcmp(w0, "*") == 0 &&
	     (strcasecmp(w1, "BYE") == 0 || strcasecmp(w1, "PREAUTH") == 0))) {
		g->kind = GUARD_KIND_TEXT;
		return 0;
	}
	if (strcmp(w0, "*") == 0 && guard_is_digits(w1)) {
		if (!c2 && !force)
			return 0;
		g->kind = strcasecmp(w2, "FETCH") == 0 ? GUARD_KIND_FETCH : GUARD_KIND_OTHER;
		return 0;
	}
	g->kind = GUARD_KIND_OTHER;
	return 0;
}

/* A byte at the start of a response, while its kind is unknown. */
static int guard_head(struct imap_guard *g, unsigned char c)
{
	int word = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	           c == '*' || c == '+' || c == '-' || c == '.' || c == ' ';

	if (!word)
		return guard_classify(g, 1);
	if (g->head_len + 1 >= sizeof(g->head))
		return guard_classify(g, 1);
	g->head[g->head_len++] = (char)c;
	return guard_classify(g, 0);
}

/* The current atom of a FETCH response ended at c. BODYSTRUCTURE (or
 * its short form "BODY (") is never asked for: libetpan would parse it by
 * recursion. */
static int guard_atom_end(struct imap_guard *g, unsigned char c)
{
	int body = g->atom_len == 4 && memcmp(g->atom, "BODY", 4) == 0;

	if (g->atom_len == 13 && memcmp(g->atom, "BODYSTRUCTURE", 13) == 0)
		return guard_fail(g, "sent a BODYSTRUCTURE, which was never asked for");
	if ((body && c == '(') || (g->body_space && g->atom_len == 0 && c == '('))
		return guard_fail(g, "sent a BODY structure, which was never asked for");
	g->body_space = (body && c == ' ') || (g->body_space && g->atom_len == 0 && c == ' ');
	g->atom_len = 0;
	return 0;
}

static int guard_atom_char(struct imap_guard *g, unsigned char c)
{
	if (c == ' ' || c == '(' || c == ')' || c == '[' || c == ']' || c == '{' || c == '"' ||
	    c == '\r' || c == '\n')
		return guard_atom_end(g, c);
	g->body_space = 0;
	if (g->atom_len < sizeof(g->atom))
		g->atom[g->atom_len] = (char)(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
	if (g->atom_len <= sizeof(g->atom))
		g->atom_len++;
	return 0;
}

/* One more byte of the current line (literals excluded). */
static int guard_count_line(struct imap_guard *g)
{
	char why[100];

	if (++g->line_bytes <= LIMIT_IMAP_LINE_BYTES)
		return 0;
	snprintf(why, sizeof(why), "sent a response line longer than %u bytes",
	         LIMIT_IMAP_LINE_BYTES);
	return guard_fail(g, why);
}

/* One byte of a line, outside strings and literals. */
static int guard_line(struct imap_guard *g, unsigned char c)
{
	char why[160];

	if (c == '\0')
		return guard_fail(g, "sent a NUL byte outside a literal");
	if (guard_count_line(g) < 0)
		return -1;
	if (g->kind == GUARD_KIND_UNKNOWN && c != '\n' && guard_head(g, c) < 0)
		return -1;
	if (c == '\n') {
		g->line_bytes = 0;
		guard_response_reset(g);
		if (++g->command_responses > g->responses_max) {
			snprintf(why, sizeof(why),
			         "sent more than %llu responses in answer to one command",
			         (unsigned long long)g->responses_max);
			return guard_fail(g, why);
		}
		return 0;
	}
	if (g->kind == GUARD_KIND_FETCH && guard_atom_char(g, c) < 0)
		return -1;
	if (c == '{') {
		g->state = GUARD_NUMBER;
		g->number = 0;
		g->digits = 0;
		return 0;
	}
	if (g->kind == GUARD_KIND_TEXT)
		return 0;
	switch (c) {
	case '"':
		g->state = GUARD_QUOTED;
		break;
	case '(':
		if (++g->depth > LIMIT_IMAP_DEPTH) {
			snprintf(why, sizeof(why),
			         "nested parentheses deeper than %d (a BODYSTRUCTURE or worse, "
			         "never asked for)",
			         LIMIT_IMAP_DEPTH);
			return guard_fail(g, why);
		}
		break;
	case ')':
		if (g->depth > 0)
			g->depth--;
		break;
	default:
		break;
	}
	return 0;
}

/* "{" seen: digits, "}", CR, LF. Anything else is refused, as is a
 * literal in a status response (see guard_line). */
static int guard_number(struct imap_guard *g, unsigned char c)
{
	char why[200];

	if (g->kind == GUARD_KIND_TEXT) {
		/* libetpan reads a literal (even "{-1}") inside a status
		 * response's [code]; refusing one keeps both sides in step */
		if ((c >= '0' && c <= '9') || c == '-')
			return guard_fail(g, "sent a literal in a status response");
		g->state = GUARD_LINE;
		return guard_line(g, c);
	}
	g->line_bytes++;
	if (c >= '0' && c <= '9') {
		g->number = g->number * 10 + (uint64_t)(c - '0');
		g->digits++;
		if (g->number > g->literal_max) {
			snprintf(
			    why, sizeof(why),
			    "announced a literal larger than %llu bytes, the most allowed here",
			    (unsigned long long)g->literal_max);
			return guard_fail(g, why);
		}
		return 0;
	}
	if (c == '}' && g->digits > 0) {
		g->state = GUARD_CLOSE;
		return 0;
	}
	return guard_fail(g, guard_malformed);
}

static int guard_literal_start(struct imap_guard *g)
{
	char why[200];

	if (g->command_bytes + g->number > g->budget) {
		snprintf(why, sizeof(why),
		         "announced a literal of %llu bytes, more than is left of the %llu "
		         "bytes allowed in answer to one command",
		         (unsigned long long)g->number, (unsigned long long)g->budget);
		return guard_fail(g, why);
	}
	g->literal_left = g->number;
	g->line_bytes = 0;
	g->state = g->number > 0 ? GUARD_LITERAL : GUARD_LINE;
	return 0;
}

int imap_guard_feed(struct imap_guard *g, const char *buf, size_t n)
{
	const unsigned char *p = (const unsigned char *)buf;
	char why[200];
	size_t i, take;

	if (g->failed)
		return -1;
	g->command_bytes += n;
	g->connection_bytes += n;
	if (g->connection_bytes > LIMIT_IMAP_CONNECTION_BYTES) {
		snprintf(why, sizeof(why), "sent more than %llu bytes on one connection",
		         (unsigned long long)LIMIT_IMAP_CONNECTION_BYTES);
		return guard_fail(g, why);
	}
	if (g->command_bytes > g->budget) {
		snprintf(why, sizeof(why), "sent more than %llu bytes in answer to one command",
		         (unsigned long long)g->budget);
		return guard_fail(g, why);
	}
	for (i = 0; i < n; i++) {
		switch (g->state) {
		case GUARD_LITERAL:
			/* skip the rest of the literal's content at once */
			take = n - i < g->literal_left ? n - i : (size_t)g->literal_left;
			g->literal_left -= take;
			i += take - 1;
			if (g->literal_left == 0)
				g->state = GUARD_LINE;
			break;
		case GUARD_LINE:
			if (guard_line(g, p[i]) < 0)
				return -1;
			break;
		case GUARD_QUOTED:
		case GUARD_ESCAPE:
			if (p[i] == '\r' || p[i] == '\n' || p[i] == '\0')
				return guard_fail(g, "sent an unterminated quoted string");
			if (guard_count_line(g) < 0)
				return -1;
			if (g->state == GUARD_ESCAPE)
				g->state = GUARD_QUOTED;
			else if (p[i] == '\\')
				g->state = GUARD_ESCAPE;
			else if (p[i] == '"')
				g->state = GUARD_LINE;
			break;
		case GUARD_NUMBER:
			if (guard_number(g, p[i]) < 0)
				return -1;
			break;
		case GUARD_CLOSE:
			if (p[i] != '\r')
				return guard_fail(g, guard_malformed);
			g->state = GUARD_CR;
			break;
		case GUARD_CR:
			if (p[i] != '\n')
				return guard_fail(g, guard_malformed);
			if (guard_literal_start(g) < 0)
				return -1;
			break;
		}
	}
	return 0;
}
