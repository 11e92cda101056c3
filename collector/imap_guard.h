/*
 * imap_guard.h - every byte an IMAP server sends is counted and checked
 * here before libetpan's parser sees it. Input: the server's raw bytes
 * (untrusted), fed in the chunks they arrive in. libetpan-free.
 *
 * Why: Debian 12's libetpan ignores its own size ceiling, allocates a
 * literal of whatever size the server announces and parses a
 * BODYSTRUCTURE by recursion, so a hostile server could make collect
 * grow without bound or overflow its stack. The guard follows the IMAP
 * lexical structure (lines, quoted strings, literals, parentheses) just
 * far enough to enforce, per connection and per command:
 *   - a response line (literals excluded) of at most LIMIT_IMAP_LINE_BYTES;
 *   - each literal at most what the command allows (announced size
 *     checked before a byte of it is accepted);
 *   - the whole answer to one command within its byte budget and its
 *     count of responses, and the connection within
 *     LIMIT_IMAP_CONNECTION_BYTES;
 *   - parentheses nested at most LIMIT_IMAP_DEPTH deep, and no
 *     BODYSTRUCTURE at all in a FETCH response (never asked for);
 *   - nothing ambiguous: a literal is "{digits}" CRLF and nothing else,
 *     and never inside a status (text) response, so the guard and the
 *     parser always agree on which bytes are a literal's content.
 * The first violation is sticky: every later byte is refused too, and the
 * session must end. 'why' says what the server did, in one line.
 */
#ifndef TLSWATCH_IMAP_GUARD_H
#define TLSWATCH_IMAP_GUARD_H

#include <stddef.h>
#include <stdint.h>

enum imap_guard_state {
	GUARD_LINE,    /* in a response line, outside strings */
	GUARD_QUOTED,  /* in a quoted string */
	GUARD_ESCAPE,  /* after a backslash in a quoted string */
	GUARD_NUMBER,  /* after "{": the literal's size */
	GUARD_CLOSE,   /* after "}": CR must follow */
	GUARD_CR,      /* after "}" CR: LF must follow */
	GUARD_LITERAL, /* in a literal's content */
};

/* What kind of response the current line is, from its first two words. */
enum imap_guard_kind {
	GUARD_KIND_UNKNOWN, /* not decided yet */
	GUARD_KIND_TEXT,    /* status or continuation: the rest is text */
	GUARD_KIND_FETCH,   /* "* N FETCH" */
	GUARD_KIND_OTHER,
};

struct imap_guard {
	/* limits of the current command, set by imap_guard_expect() */
	uint64_t budget;        /* bytes its answer may take */
	uint64_t literal_max;   /* the largest literal it may carry */
	uint64_t responses_max; /* responses (lines) it may hold */
	long command_seconds;   /* how long its answer may take (0: no bound) */
	long command_start;     /* when it was sent (monotonic seconds) */
	/* counters */
	uint64_t command_bytes;
	uint64_t command_responses;
	uint64_t connection_bytes;
	size_t line_bytes;
	unsigned depth;
	/* lexer */
	enum imap_guard_state state;
	enum imap_guard_kind kind;
	uint64_t number; /* the literal size being read */
	unsigned digits;
	uint64_t literal_left;
	char head[24]; /* the response's first bytes, to classify it */
	size_t head_len;
	char atom[16]; /* the current atom in a FETCH response */
	size_t atom_len;
	int body_space; /* "BODY " seen: a "(" now opens a BODYSTRUCTURE */
	int failed;
	char why[256];
};

/* Starts a connection: counters zero, the limits of a greeting. */
void imap_guard_init(struct imap_guard *g);

/* Sets the limits for the answer to the command about to be sent: at most
 * budget bytes and responses_max responses (libetpan keeps ~400 bytes for
 * each, whatever its size), no literal over literal_max. */
void imap_guard_expect(struct imap_guard *g, uint64_t budget, uint64_t literal_max,
                       uint64_t responses_max);

/* Bounds how long the answer to each command may take, however slowly
 * the server trickles it (the I/O timeout restarts with every byte). */
void imap_guard_set_deadline(struct imap_guard *g, long seconds);

/* -1 once the answer to the current command has taken longer than the
 * deadline (g->why says so), else 0. Checked before each read. */
int imap_guard_check_time(struct imap_guard *g);

/* Checks n more bytes from the server. 0: pass them on; -1: the server
 * broke a limit or the syntax the guard relies on (g->why says how, e.g.
 * "sent a literal of 99999999999 bytes (at most 16777216 here)"); the
 * guard stays failed. */
int imap_guard_feed(struct imap_guard *g, const char *buf, size_t n);

#endif
