/*
 * Unit tests for collector/mbox.c: an mbox written the mboxrd way from the
 * sample mails splits back into the very same bytes, whatever the chunking
 * (one byte at a time up to whole); ">From " unquoting; the cap (truncated,
 * counted, never dropped); blank and non-blank text before the first
 * "From " line; stopping early; mbox detection.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "input.h"
#include "limits.h"
#include "mail.h"
#include "mbox.h"
#include "strbuf.h"

#define DIR "tests/data/mail/"

static const char *sample_paths[] = {
    DIR "deltachat__deltachat-core-rust/test-data__message__tlsrpt.eml",
    DIR "domainaware__parsedmarc/samples__smtp_tls__google.com_smtp_tls_report.eml",
    DIR "isseis__tlsrpt-digest/testdata__tlsrpt_success_microsoft.eml",
    DIR "mjl-__mox/testdata__tlsreports__example.eml",
    DIR "mjl-__mox/testdata__tlsreports__microsoft.eml",
    DIR "opus-codium__email-report-processor/spec__fixtures__sample-reports__tlsrpt__report.elm",
    DIR "opus-codium__email-report-processor/"
        "spec__fixtures__sample-reports__tlsrpt__report@2fac7de.elm",
    DIR "robalexdev__tlsrpt-be/app__cmd__mail__test.eml",
    DIR "stalwartlabs__mail-auth/resources__tlsrpt__rpt02.eml",
};
#define N_SAMPLES (sizeof(sample_paths) / sizeof(sample_paths[0]))

struct got {
	struct mbox_message msg[64]; /* data copied */
	size_t n;
	size_t stop_at; /* stop after this many, 0: never */
};

static int collect(const struct mbox_message *m, void *arg)
{
	struct got *g = arg;
	uint8_t *copy = malloc(m->len + 1);

	assert_true(g->n < 64);
	memcpy(copy, m->data, m->len);
	g->msg[g->n] = *m;
	g->msg[g->n].data = copy;
	g->n++;
	return g->stop_at != 0 && g->n >= g->stop_at ? 7 : 0;
}

static void got_free(struct got *g)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		free((void *)g->msg[i].data);
	g->n = 0;
}

/* Splits data fed in chunks of step bytes (0: all at once). */
static int split(const void *data, size_t len, size_t step, size_t cap, struct got *g)
{
	struct mbox_split *s = mbox_split_new(cap, collect, g);
	const uint8_t *p = data;
	size_t off = 0, n;
	int r = 0;

	while (off < len && r == 0) {
		n = step == 0 || len - off < step ? len - off : step;
		r = mbox_split_feed(s, p + off, n);
		off += n;
	}
	if (r == 0)
		r = mbox_split_finish(s);
	mbox_split_free(s);
	return r;
}

/* Writes one message the mboxrd way: From line, ">*From " lines quoted,
 * a final line break if missing, and the separating empty line. */
static void mboxrd_append(struct strbuf *mb, const uint8_t *m, size_t len)
{
	size_t i = 0, j, q;

	strbuf_puts(mb, "From MAILER-DAEMON Thu Jan  1 00:00:00 2024\n");
	while (i < len) {
		for (q = i; q < len && m[q] == '>'; q++)
			;
		if (len - q >= 5 && memcmp(m + q, "From ", 5) == 0)
			strbuf_putc(mb, '>');
		for (j = i; j < len && m[j] != '\n'; j++)
			;
		strbuf_append(mb, m + i, j < len ? j + 1 - i : j - i);
		i = j + 1;
	}
	if (len == 0 || m[len - 1] != '\n')
		strbuf_putc(mb, '\n');
	strbuf_putc(mb, '\n');
}

static void test_mbox_samples_roundtrip(void **state)
{
	static const size_t steps[] = {0, 1, 2, 3, 5, 7, 64, 1000, 65536};
	struct input in[N_SAMPLES];
	struct strbuf mb;
	struct got g;
	char err[256];
	size_t i, k, want_len;

	(void)state;
	memset(&g, 0, sizeof(g));
	strbuf_init(&mb, 1 << 24);
	for (i = 0; i < N_SAMPLES; i++) {
		assert_int_equal(
		    input_read_path(sample_paths[i], LIMIT_INPUT_BYTES, &in[i], err, sizeof(err)),
		    0);
		mboxrd_append(&mb, in[i].data, in[i].len);
	}
	for (k = 0; k < sizeof(steps) / sizeof(steps[0]); k++) {
		assert_int_equal(split(mb.data, mb.len, steps[k], LIMIT_INPUT_BYTES, &g), 0);
		if (g.n != N_SAMPLES)
			fail_msg("step %zu: got %zu messages, want %zu", steps[k], g.n, N_SAMPLES);
		for (i = 0; i < N_SAMPLES; i++) {
			want_len = in[i].len + (in[i].data[in[i].len - 1] != '\n');
			if (g.msg[i].len != want_len ||
			    memcmp(g.msg[i].data, in[i].data, in[i].len) != 0)
				fail_msg("step %zu, message %zu (%s): got %zu bytes, want %zu, or "
				         "different bytes",
				         steps[k], i + 1, sample_paths[i], g.msg[i].len, want_len);
			assert_int_equal(g.msg[i].index, (long)i + 1);
			assert_int_equal(g.msg[i].size, (int64_t)g.msg[i].len);
			assert_false(g.msg[i].truncated);
		}
		got_free(&g);
	}
	strbuf_free(&mb);
	for (i = 0; i < N_SAMPLES; i++)
		input_free(&in[i]);
}

static void test_mbox_quoting(void **state)
{
	const char *mbox =
	    "From a@example.com Mon Jan  1 00:00:00 2024\r\n"
	    "Subject: one\r\n\r\n"
	    ">From here\r\n>>From there\r\n>>>From x\r\n>Fromage\r\nFromage\r\n> From\r\n"
	    "\r\n"
	    "From b@example.com Mon Jan  1 00:00:01 2024\n"
	    "Subject: two\n\nlast line >From\n>Fro";
	const char *one =
	    "Subject: one\r\n\r\n"
	    "From here\r\n>From there\r\n>>From x\r\n>Fromage\r\nFromage\r\n> From\r\n";
	const char *two = "Subject: two\n\nlast line >From\n>Fro";
	struct got g;
	size_t step;

	(void)state;
	memset(&g, 0, sizeof(g));
	for (step = 0; step < 12; step++) {
		assert_int_equal(split(mbox, strlen(mbox), step, 1 << 20, &g), 0);
		assert_int_equal(g.n, 2);
		assert_int_equal(g.msg[0].len, strlen(one));
		assert_memory_equal(g.msg[0].data, one, strlen(one));
		assert_int_equal(g.msg[1].len, strlen(two));
		assert_memory_equal(g.msg[1].data, two, strlen(two));
		got_free(&g);
	}
}

/* Over the cap: the first cap bytes and the full size, flagged; the
 * messages around it are intact. The cap holds a message exactly. */
static void test_mbox_cap(void **state)
{
	struct strbuf mb;
	struct got g;
	size_t i;

	(void)state;
	memset(&g, 0, sizeof(g));
	strbuf_init(&mb, 1 << 20);
	strbuf_puts(&mb, "From x\nSubject: small\n\nok\n\n"); /* 19 bytes */
	strbuf_puts(&mb, "From x\nSubject: big\n\n");
	for (i = 0; i < 1000; i++)
		strbuf_putc(&mb, (char)('a' + i % 26));
	strbuf_puts(&mb, "\n\nFrom x\n");
	for (i = 0; i < 99; i++)
		strbuf_putc(&mb, 'y');
	strbuf_puts(&mb, "\n\n"); /* exactly 100 bytes with its line break */
	for (i = 1; i < 40; i += 13) {
		assert_int_equal(split(mb.data, mb.len, i, 100, &g), 0);
		assert_int_equal(g.n, 3);
		assert_int_equal(g.msg[0].len, 19);
		assert_false(g.msg[0].truncated);
		assert_true(g.msg[1].truncated);
		assert_int_equal(g.msg[1].len, 100);
		assert_int_equal(g.msg[1].size, 14 + 1000 + 1);
		assert_memory_equal(g.msg[1].data, "Subject: big\n\nabc", 17);
		assert_false(g.msg[2].truncated);
		assert_int_equal(g.msg[2].len, 100);
		assert_int_equal(g.msg[2].index, 3);
		got_free(&g);
	}
	strbuf_free(&mb);
}

static void test_mbox_edges(void **state)
{
	struct got g;

	(void)state;
	memset(&g, 0, sizeof(g));
	/* blank text before the first From line is nothing */
	assert_int_equal(split("\n\r\n\nFrom a\nX: 1\n\n", 17, 1, 1 << 20, &g), 0);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.msg[0].index, 1);
	assert_memory_equal(g.msg[0].data, "X: 1\n", 5);
	got_free(&g);
	/* ... but text is a message: never dropped */
	assert_int_equal(split("junk\nFrom a\nX: 1\n", 17, 0, 1 << 20, &g), 0);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.msg[0].len, 5);
	got_free(&g);
	/* two From lines in a row: an empty message between them */
	assert_int_equal(split("From a\nFrom b\nX: 1\n", 19, 0, 1 << 20, &g), 0);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.msg[0].len, 0);
	assert_int_equal(g.msg[1].len, 5);
	got_free(&g);
	/* a From line cut short at the end */
	assert_int_equal(split("From a\nX: 1\n\nFrom b", 19, 2, 1 << 20, &g), 0);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.msg[1].len, 0);
	got_free(&g);
	/* "From" without its space is text */
	assert_int_equal(split("From a\nFrom\nFrom:x\n", 19, 1, 1 << 20, &g), 0);
	assert_int_equal(g.n, 1);
	assert_memory_equal(g.msg[0].data, "From\nFrom:x\n", 12);
	got_free(&g);
	/* nothing at all */
	assert_int_equal(split("", 0, 0, 1 << 20, &g), 0);
	assert_int_equal(g.n, 0);
	/* the callback stops the split */
	g.stop_at = 2;
	assert_int_equal(split("From a\nX: 1\nFrom b\nX: 2\nFrom c\nX: 3\n", 36, 1, 100, &g), 7);
	assert_int_equal(g.n, 2);
	got_free(&g);
}

static void test_mbox_detect(void **state)
{
	static const struct {
		const char *head;
		int want;
	} cases[] = {
	    {"From a@b Thu Jan  1 00:00:00 2024\nReturn-Path: <a@b>\n", 1},
	    {"From a@b Thu Jan  1 00:00:00 2024\r\nReceived: x\r\n", 1},
	    {"From a@b Thu Jan  1 00:00:00 2024", 0}, /* no line end */
	    {"From a@b\n\nbody\n", 0},
	    {"From a@b\nFrom c@d\n", 0},
	    {"From: a@b\nSubject: x\n", 0}, /* one message */
	    {"Received: x\n", 0},
	    {"{\"report-id\":1}", 0},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (mbox_looks_like_mbox((const uint8_t *)cases[i].head, strlen(cases[i].head)) !=
		    cases[i].want)
			fail_msg("'%s': want %d", cases[i].head, cases[i].want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mbox_samples_roundtrip),
	    cmocka_unit_test(test_mbox_quoting),
	    cmocka_unit_test(test_mbox_cap),
	    cmocka_unit_test(test_mbox_edges),
	    cmocka_unit_test(test_mbox_detect),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
