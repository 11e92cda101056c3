/*
 * Unit tests for core/mail.c: every sample mail in tests/data/mail yields
 * its report part with the right headers and a report that parses; a table
 * prefix of real mails is parsed without a crash or a leak (ASan).
 * Malformed and hostile messages are in test_mail_cases.c.
 * Messages are copied into buffers of their exact size, with no NUL after
 * them, so that any read past the end is caught.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "gz.h"
#include "input.h"
#include "limits.h"
#include "mail.h"
#include "report.h"

#define DIR "tests/data/mail/"

struct sample {
	const char *path;
	const char *message_id; /* NULL: the message has none */
	const char *domain;     /* TLS-Report-Domain */
	const char *submitter;  /* TLS-Report-Submitter */
	const char *filename;
	const char *organization; /* inside the report */
	const char *report_id;
	int auth_lines; /* Authentication-Results + DKIM-Signature */
};

/* Expected values read from the files by hand (headers) and from their
 * decoded attachments (organization, report-id). */
static const struct sample samples[] = {
    {DIR "deltachat__deltachat-core-rust/test-data__message__tlsrpt.eml",
     "<000000000000cc154d060f720057@google.com>", "nine.testrun.org", "google.com",
     "google.com!nine.testrun.org!1705708800!1705795199!001.json.gz", "Google Inc.",
     "2024-01-20T00:00:00Z_nine.testrun.org", 1},
    {DIR "domainaware__parsedmarc/samples__smtp_tls__google.com_smtp_tls_report.eml",
     "<66d83c20.050a0220.a0566.1e8dtls@google.com>", "cardinalhealth.ca", "google.com",
     "google.com!cardinalhealth.ca!1725321600!1725407999!001.json.gz", "Google Inc.",
     "2024-09-03T00:00:00Z_cardinalhealth.ca", 1},
    {DIR "isseis__tlsrpt-digest/testdata__tlsrpt_failure.eml",
     "<6a049c05.00000000.3554e0.3524tls@google.com>", "example.com", "google.com",
     "google.com!example.com!1778544000!1778630399!001.json.gz", "Google Inc.",
     "2026-02-08T00:00:00Z_example.com", 2},
    {DIR "isseis__tlsrpt-digest/testdata__tlsrpt_failure@31cc784.eml",
     "<6a049c05.00000000.3554e0.3524tls@google.com>", "example.com", "google.com",
     "google.com!example.com!1778544000!1778630399!001.json.gz", "Google Inc.",
     "2026-02-08T00:00:00Z_captaindns.com", 2},
    {DIR "isseis__tlsrpt-digest/testdata__tlsrpt_failure@cfa8265.eml",
     "<6a049c05.00000000.3554e0.3524tls@google.com>", "example.com", "google.com",
     "google.com!example.com!1778544000!1778630399!001.json.gz", "Google Inc.",
     "2026-02-08T00:00:00Z_example.com", 2},
    {DIR "isseis__tlsrpt-digest/testdata__tlsrpt_success.eml",
     "<6a049c05.00000000.3554e0.3524tls@google.com>", "example.com", "google.com",
     "google.com!example.com!1778544000!1778630399!001.json.gz", "Google Inc.",
     "2026-05-12T00:00:00Z_example.com", 5},
    {DIR "isseis__tlsrpt-digest/testdata__tlsrpt_success_google_1.eml",
     "<6a034af0.00000000.3a4de4.4c68tls@google.com>", "example.com", "google.com",
     "google.com!example.com!1778457600!1778543999!001.json.gz", "Google Inc.",
     "2026-05-11T00:00:00Z_example.com", 5},
    {DIR "isseis__tlsrpt-digest/testdata__tlsrpt_success_google_2.eml",
     "<6a049c05.00000000.3554e0.3524tls@google.com>", "example.com", "google.com",
     "google.com!example.com!1778544000!1778630399!001.json.gz", "Google Inc.",
     "2026-05-12T00:00:00Z_example.com", 5},
    {DIR "isseis__tlsrpt-digest/testdata__tlsrpt_success_microsoft.eml",
     "<134232617934286362+example.com@example.com>", "example.com", "microsoft.com",
     "microsoft.com!example.com!1778630400!1778716799!134232617934286362.json.gz",
     "Microsoft Corporation", "134232617934286362+example.com", 5},
    {DIR "mjl-__mox/testdata__tlsreports__example.eml", "<000000000000f47cc505e8c8905c@google.com>",
     "test.xmox.nl", "google.com", "google.com!test.xmox.nl!1663200000!1663286399!001.json.gz",
     "Google Inc.", "2022-09-15T00:00:00Z_test.xmox.nl", 2},
    {DIR "mjl-__mox/testdata__tlsreports__microsoft.eml",
     "<133198585438131172+test.xmox.nl@test.xmox.nl>", "test.xmox.nl", "microsoft.com",
     "microsoft.com!test.xmox.nl!1673308800!1673395199!133198585438131172.json.gz",
     "Microsoft Corporation", "133198585438131172+test.xmox.nl", 2},
    {DIR "opus-codium__email-report-processor/spec__fixtures__sample-reports__tlsrpt__report.elm",
     "<00000000000066453b05f3c8de51@google.com>", "blogreen.org", "google.com",
     "google.com!blogreen.org!1675296000!1675382399!001.json.gz", "Google Inc.",
     "2023-02-02T00:00:00Z_blogreen.org", 2},
    {DIR "opus-codium__email-report-processor/"
         "spec__fixtures__sample-reports__tlsrpt__report@2fac7de.elm",
     "<00000000000066453b05f3c8de51@google.com>", "blogreen.org", "google.com",
     "google.com!blogreen.org!1675296000!1675382399!001.json.gz", "Google Inc.",
     "2023-02-02T00:00:00Z_blogreen.org", 2},
    {DIR "robalexdev__tlsrpt-be/app__cmd__mail__test.eml", NULL, "example.net",
     "mail.sender.example.com", "mail.sender.example!example.com!1013662812!1013749130.json.gz",
     "Company-X", "5065427c-23d3-47ca-b6e0-946ea0e8c4be", 0},
    {DIR "stalwartlabs__mail-auth/resources__tlsrpt__rpt01.eml", NULL, "example.net",
     "mail.sender.example.com", "mail.sender.example!example.com!1013662812!1013749130.json.gz",
     "Company-X", "5065427c-23d3-47ca-b6e0-946ea0e8c4be", 0},
    {DIR "stalwartlabs__mail-auth/resources__tlsrpt__rpt02.eml", NULL, "example.net",
     "mail.sender.example.com", "mail.sender.example!example.com!1013662812!1013749130.json",
     "Google Inc.", "2020-01-01T00:00:00Z_example.com", 0},
};

/* mail_parse over an exact-size heap copy (no NUL after it). */
static int parse_exact(const void *msg, size_t len, struct mail_message **m, char *err,
                       size_t errlen)
{
	uint8_t *copy = malloc(len > 0 ? len : 1);
	int rc;

	memcpy(copy, msg, len);
	*m = NULL;
	err[0] = '\0';
	rc = mail_parse(copy, len, m, err, errlen);
	free(copy);
	return rc;
}

/* The report inside a part: gzip inflated (when gzip) and parsed. */
static struct report *part_report(const struct mail_part *p)
{
	struct report *r = NULL;
	uint8_t *json = NULL;
	size_t json_len = 0;
	char err[512];

	if (gz_is_gzip(p->data, p->len)) {
		if (gz_inflate(p->data, p->len, LIMIT_INFLATED_BYTES, &json, &json_len, err,
		               sizeof(err)) < 0)
			fail_msg("%s: gzip: %s", p->filename, err);
		if (report_parse_json((const char *)json, json_len, &r, err, sizeof(err)) < 0)
			fail_msg("%s: %s", p->filename, err);
		free(json);
	} else if (report_parse_json((const char *)p->data, p->len, &r, err, sizeof(err)) < 0) {
		fail_msg("%s: %s", p->filename, err);
	}
	return r;
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; s != NULL && *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

static void check_str(const char *what, const char *path, const char *got, const char *want)
{
	if (want == NULL && got == NULL)
		return;
	if (want == NULL || got == NULL || strcmp(got, want) != 0)
		fail_msg("%s: %s: got '%s', want '%s'", path, what, got ? got : "(null)",
		         want ? want : "(null)");
}

static void test_mail_samples(void **state)
{
	struct mail_message *m;
	struct report *r;
	struct input in;
	char err[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		const struct sample *s = &samples[i];

		assert_int_equal(input_read_path(s->path, LIMIT_INPUT_BYTES, &in, err, sizeof(err)),
		                 0);
		if (!mail_looks_like_message(in.data, in.len))
			fail_msg("%s: not recognised as a message", s->path);
		if (parse_exact(in.data, in.len, &m, err, sizeof(err)) != 0)
			fail_msg("%s: %s", s->path, err);
		if (m->n_parts != 1)
			fail_msg("%s: got %zu report parts, want 1", s->path, m->n_parts);
		check_str("Message-ID", s->path, m->message_id, s->message_id);
		check_str("TLS-Report-Domain", s->path, m->tls_report_domain, s->domain);
		check_str("TLS-Report-Submitter", s->path, m->tls_report_submitter, s->submitter);
		check_str("filename", s->path, m->parts[0].filename, s->filename);
		check_str("content type", s->path, m->parts[0].content_type,
		          strstr(s->path, "rpt02") != NULL ? "application/tlsrpt"
		                                           : "application/tlsrpt+gzip");
		assert_non_null(m->from);
		assert_non_null(m->date);
		assert_non_null(strstr(m->subject, "Report Domain: "));
		if (count_lines(m->auth_headers) != s->auth_lines)
			fail_msg("%s: got %d auth header lines, want %d", s->path,
			         count_lines(m->auth_headers), s->auth_lines);
		r = part_report(&m->parts[0]);
		check_str("organization-name", s->path, r->organization_name, s->organization);
		check_str("report-id", s->path, r->report_id, s->report_id);
		report_free(r);
		mail_free(m);
		input_free(&in);
	}
}

/* Folded and encoded header values, one by one. */
static void test_mail_headers(void **state)
{
	struct mail_message *m;
	struct input in;
	char err[512];
	const char *msg;

	(void)state;
	/* Microsoft folds Subject with CRLF before "Report-ID:" value */
	assert_int_equal(input_read_path(DIR "mjl-__mox/testdata__tlsreports__microsoft.eml",
	                                 LIMIT_INPUT_BYTES, &in, err, sizeof(err)),
	                 0);
	assert_int_equal(parse_exact(in.data, in.len, &m, err, sizeof(err)), 0);
	assert_string_equal(m->subject, "Report Domain: test.xmox.nl Submitter: microsoft.com "
	                                "Report-ID: 133198585438131172+test.xmox.nl");
	assert_string_equal(m->from, "<tlsrpt-noreply@microsoft.com>");
	assert_string_equal(m->date, "Fri, 3 Feb 2023 05:09:22 +0000");
	assert_non_null(strstr(m->auth_headers, "DKIM-Signature: v=1;"));
	assert_null(strchr(m->auth_headers, '\r'));
	mail_free(m);
	input_free(&in);

	msg = "Subject: =?utf-8?Q?caf=C3=A9?= =?iso-8859-1?Q?_na=EFve?=\n"
	      "From: a@example.com\n"
	      "Message-ID:\n <id@example.com>\n"
	      "X-Bin: a\001b\n"
	      "\n"
	      "body\n";
	assert_int_equal(parse_exact(msg, strlen(msg), &m, err, sizeof(err)), 0);
	assert_string_equal(m->subject, "caf\xc3\xa9 na\xc3\xafve");
	assert_string_equal(m->message_id, "<id@example.com>");
	assert_int_equal(m->n_parts, 0);
	assert_null(m->auth_headers);
	mail_free(m);

	/* invalid UTF-8 in a header is replaced, never stored as is */
	msg = "Subject: bad \xff byte\n\nx";
	assert_int_equal(parse_exact(msg, strlen(msg), &m, err, sizeof(err)), 0);
	assert_string_equal(m->subject, "bad \xef\xbf\xbd byte");
	mail_free(m);
}

static void test_mail_looks_like(void **state)
{
	static const struct {
		const char *text;
		int want;
	} cases[] = {
	    {"From someone@example.com Fri Feb  3 12:09:04 2023\n", 1},
	    {"Received: from x\n", 1},
	    {"X-Y:z", 1},
	    {"Name:", 1},
	    {"{\"organization-name\":1}", 0},
	    {"a b: c\n", 0},
	    {": x\n", 0},
	    {"abc\n", 0},
	    {"From:x", 1},
	    {"\x1f\x8b\x08", 0},
	    {"", 0},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int got =
		    mail_looks_like_message((const uint8_t *)cases[i].text, strlen(cases[i].text));

		if (got != cases[i].want)
			fail_msg("'%s': got %d, want %d", cases[i].text, got, cases[i].want);
	}
}

/* Every prefix of two real mails (CRLF and LF): no crash, no leak, no read
 * past the end; only prefixes that keep the whole attachment give a report
 * that parses. The walker sees the message as a server hands it over a few
 * bytes at a time. */
static void test_mail_prefixes(void **state)
{
	static const char *paths[] = {
	    DIR "mjl-__mox/testdata__tlsreports__example.eml",
	    DIR "domainaware__parsedmarc/samples__smtp_tls__google.com_smtp_tls_report.eml",
	};
	struct mail_message *m;
	struct input in;
	char err[512];
	size_t i, n, ok = 0;

	(void)state;
	for (i = 0; i < 2; i++) {
		assert_int_equal(
		    input_read_path(paths[i], LIMIT_INPUT_BYTES, &in, err, sizeof(err)), 0);
		for (n = 0; n <= in.len; n++) {
			if (parse_exact(in.data, n, &m, err, sizeof(err)) == 0) {
				assert_true(m->n_parts <= 1);
				ok += m->n_parts;
				mail_free(m);
			} else {
				assert_true(err[0] != '\0');
			}
		}
		input_free(&in);
	}
	assert_true(ok > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mail_samples),
	    cmocka_unit_test(test_mail_headers),
	    cmocka_unit_test(test_mail_looks_like),
	    cmocka_unit_test(test_mail_prefixes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
