/*
 * text.h - plain-text output for terminals and cron mail: escaping of
 * report strings, number formatting, 80-column rows and word wrapping.
 * Input strings are report text (untrusted) until text_escape has made
 * them safe; text_row and text_wrap expect escaped text.
 */
#ifndef TLSWATCH_TEXT_H
#define TLSWATCH_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "limits.h"
#include "strbuf.h"

/* Lines are kept to this many columns, but for one unbreakable word. */
#define TEXT_COLUMNS 80
/* A buffer this large holds any escaped report string (\xNN per byte). */
#define TEXT_CELL_MAX (LIMIT_STRING_BYTES * 4 + 8)

/* Output onto a capped strbuf; failed sticks once an append is refused. */
struct text_out {
	struct strbuf *sb;
	int failed;
};

void text_puts(struct text_out *o, const char *s);
void text_printf(struct text_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* s with control characters escaped (\xNN), cut after LIMIT_STRING_BYTES
 * input bytes, into buf. Returns buf. */
const char *text_escape(const char *s, char *buf, size_t len);
/* Columns s takes on a terminal: UTF-8 characters, each counted as one. */
size_t text_width(const char *s);

/* 1234567 as "1,234,567". Returns buf. */
const char *text_count(int64_t v, char *buf, size_t len);
/* Success rate "97.46%", rounded to the nearest hundredth (17,742 of
 * 18,205 is 97.4567%), or "-" without sessions. Never rounded to 100.00%
 * while a session failed, nor to 0.00% while one succeeded: those two
 * figures keep their exact meaning. */
const char *text_rate(int64_t ok, int64_t failed, char *buf, size_t len);
/* Basis points (0..10000) that part is of whole, rounded as text_rate
 * (0 and 10000 only when exact), or -1 when whole is 0. */
int64_t text_basis_points(int64_t part, int64_t whole);
/* The share part of whole as "12.35%", rounded like text_rate (0.00% and
 * 100.00% only when exact), or "-" when whole is 0. */
const char *text_percent(int64_t part, int64_t whole, char *buf, size_t len);
/* The change from prev to cur: "+12", "-3", "0"; "new" when !present. */
const char *text_delta(int64_t cur, int64_t prev, int present, char *buf, size_t len);
/* The change of success rate in percentage points: "-0.12 pp", or "-". */
const char *text_rate_delta(int64_t ok, int64_t failed, int64_t prev_ok, int64_t prev_failed,
                            char *buf, size_t len);

/* "  NAME<pad>COLS\n" with NAME padded to width columns; a longer NAME
 * gets lines of its own (wrapped at spaces) and COLS the next line. */
void text_row(struct text_out *o, const char *name, size_t width, const char *cols);
/* s wrapped at spaces into lines of at most TEXT_COLUMNS, each indented
 * by indent spaces. */
void text_wrap(struct text_out *o, size_t indent, const char *s);

#endif
