/*
 * Unit tests for core/mail.c over built messages: a table of malformed,
 * hostile and edge cases (no boundary, missing close delimiter, nesting at
 * and over the limit, thousands deep, ten thousand parts, a 10 MB header,
 * base64 junk, empty, not a message, a DMARC report mail, RFC 2231 names,
 * digests...). Each gives the right number of report parts, or -1 with a
 * one-line reason naming the limit. Messages are parsed from buffers of
 * their exact size so that ASan sees any read past the end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <pthread.h>

#include "gz.h"
#include "limits.h"
#include "mail.h"
#include "report.h"
#include "strbuf.h"

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
			fail_msg("gzip: %s", err);
		if (report_parse_json((const char *)json, json_len, &r, err, sizeof(err)) < 0)
			fail_msg("%s", err);
		free(json);
	} else if (report_parse_json((const char *)p->data, p->len, &r, err, sizeof(err)) < 0) {
		fail_msg("%s: %s", p->filename, err);
	}
	return r;
}

static const char report_json[] =
    "{\"organization-name\":\"Test Org\",\"date-range\":{\"start-datetime\":"
    "\"2024-01-01T00:00:00Z\",\"end-datetime\":\"2024-01-01T23:59:59Z\"},"
    "\"contact-info\":\"tlsrpt@example.org\",\"report-id\":\"t-1\",\"policies\":[{"
    "\"policy\":{\"policy-type\":\"sts\",\"policy-domain\":\"example.com\"},\"summary\":{"
    "\"total-successful-session-count\":5,\"total-failure-session-count\":0}}]}";

static void put_base64(struct strbuf *sb, const uint8_t *d, size_t n)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i, col = 0;
	uint32_t v;

	for (i = 0; i < n; i += 3) {
		v = (uint32_t)d[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)d[i + 1] << 8;
		if (i + 2 < n)
			v |= d[i + 2];
		strbuf_putc(sb, tab[(v >> 18) & 63]);
		strbuf_putc(sb, tab[(v >> 12) & 63]);
		strbuf_putc(sb, i + 1 < n ? tab[(v >> 6) & 63] : '=');
		strbuf_putc(sb, i + 2 < n ? tab[v & 63] : '=');
		if ((col += 4) == 76) {
			strbuf_putc(sb, '\n');
			col = 0;
		}
	}
	strbuf_putc(sb, '\n');
}

/* The test report, gzip'd and base64'd, as a body. */
static void put_report_b64(struct strbuf *sb)
{
	uint8_t *gz;
	size_t gzlen;

	gz_deflate((const uint8_t *)report_json, strlen(report_json), &gz, &gzlen);
	put_base64(sb, gz, gzlen);
	free(gz);
}

static void put_report_part(struct strbuf *sb, const char *boundary)
{
	strbuf_printf(sb,
	              "--%s\nContent-Type: application/tlsrpt+gzip; name=\"r.json.gz\"\n"
	              "Content-Transfer-Encoding: base64\n\n",
	              boundary);
	put_report_b64(sb);
}

/* A complete report mail with the given extra top-level headers. */
static void put_report_mail(struct strbuf *sb, const char *headers)
{
	strbuf_printf(sb,
	              "%sContent-Type: multipart/report; report-type=tlsrpt; boundary=rb\n\n"
	              "--rb\nContent-Type: text/plain\n\nA report.\n",
	              headers);
	put_report_part(sb, "rb");
	strbuf_puts(sb, "--rb--\n");
}

enum {
	NO_BOUNDARY,
	MISSING_CLOSE,
	NO_DELIMITER_AFTER,
	FORWARD_3,
	DEPTH_AT_LIMIT,
	DEPTH_OVER,
	DEPTH_THOUSANDS,
	PARTS_AT_LIMIT,
	PARTS_TEN_THOUSAND,
	HEADER_10MB,
	HEADER_FOLDED,
	HEADER_IN_PART,
	BASE64_JUNK,
	EMPTY,
	NOT_MESSAGE,
	DMARC,
	TWO_REPORTS,
	RFC2231_OCTET,
	OCTET_PDF,
	UPPER_QP_JSON,
	SINGLE_PART,
	DIGEST,
	TOO_MANY_REPORTS,
	TOO_MANY_AUTH,
	HEADERS_ONLY,
	PREFIX_BOUNDARY,
	CRLF,
	ENCODED_RFC822,
	JSON_NAMED,
	TEXT_NAMED_JSON,
	N_CASES
};

static const struct {
	const char *name;
	int rc;
	size_t n_parts;
	const char *err; /* substring of the reason when rc is -1 */
} cases[N_CASES] = {
    [NO_BOUNDARY] = {"multipart without boundary", 0, 0, NULL},
    [MISSING_CLOSE] = {"missing close delimiter (Mail.ru)", 0, 1, NULL},
    [NO_DELIMITER_AFTER] = {"no delimiter after the last part (RFC example)", 0, 1, NULL},
    [FORWARD_3] = {"report forwarded inside two message/rfc822", 0, 1, NULL},
    [DEPTH_AT_LIMIT] = {"nesting exactly at the limit", 0, 1, NULL},
    [DEPTH_OVER] = {"nesting one over the limit", -1, 0, "MIME nesting deeper than 16"},
    [DEPTH_THOUSANDS] = {"5000 nested multiparts", -1, 0, "MIME nesting deeper than 16"},
    [PARTS_AT_LIMIT] = {"256 parts", 0, 1, NULL},
    [PARTS_TEN_THOUSAND] = {"10000 parts", -1, 0, "more than 256 MIME parts"},
    [HEADER_10MB] = {"10 MB Subject line", -1, 0, "header field Subject longer than 16384"},
    [HEADER_FOLDED] = {"folded header over the limit", -1, 0, "header field X-Long longer"},
    [HEADER_IN_PART] = {"huge header in a part", -1, 0, "header field Content-Type longer"},
    [BASE64_JUNK] = {"base64 junk in the attachment", 0, 1, NULL},
    [EMPTY] = {"empty message", -1, 0, "empty message"},
    [NOT_MESSAGE] = {"not a message", -1, 0, "not a mail message"},
    [DMARC] = {"DMARC aggregate report mail", 0, 0, NULL},
    [TWO_REPORTS] = {"two reports in one message", 0, 2, NULL},
    [RFC2231_OCTET] = {"octet-stream with an RFC 2231 file name", 0, 1, NULL},
    [OCTET_PDF] = {"octet-stream named .pdf", 0, 0, NULL},
    [UPPER_QP_JSON] = {"upper-case type, quoted-printable JSON", 0, 1, NULL},
    [SINGLE_PART] = {"the message itself is the report", 0, 1, NULL},
    [DIGEST] = {"multipart/digest of a report mail", 0, 1, NULL},
    [TOO_MANY_REPORTS] = {"65 reports", -1, 0, "more than 64 report parts"},
    [TOO_MANY_AUTH] = {"65 DKIM-Signature fields", -1, 0, "more than 64 Authentication"},
    [HEADERS_ONLY] = {"headers and no body", 0, 0, NULL},
    [PREFIX_BOUNDARY] = {"inner boundary extends the outer one", 0, 1, NULL},
    [CRLF] = {"CRLF line ends throughout", 0, 1, NULL},
    [ENCODED_RFC822] = {"base64-encoded message/rfc822 is not walked", 0, 0, NULL},
    [JSON_NAMED] = {"application/json named .json", 0, 1, NULL},
    [TEXT_NAMED_JSON] = {"text/plain named .json", 0, 0, NULL},
};

static void build_case(int id, struct strbuf *sb)
{
	int i;

	switch (id) {
	case NO_BOUNDARY:
		strbuf_puts(sb, "From: a@example.com\nContent-Type: multipart/mixed\n\n--x\n"
		                "Content-Type: application/tlsrpt+gzip\n\n");
		put_report_b64(sb);
		break;
	case MISSING_CLOSE:
		strbuf_puts(sb, "From: noreply-smtp-tls-reporting@corp.mail.ru\n"
		                "Content-Type: multipart/report; report-type=\"tlsrpt\";\n"
		                " boundary=\"----=_NextPart_000\"\n\nThis is a MIME message.\n"
		                "------=_NextPart_000\nContent-Type: text/plain\n\nhello\n");
		put_report_part(sb, "----=_NextPart_000");
		strbuf_puts(sb, "------=_NextPart_000\n\n");
		break;
	case NO_DELIMITER_AFTER:
		strbuf_puts(sb,
		            "From: a@example.com\nContent-Type: multipart/report; boundary=z\n\n"
		            "--z\nContent-Type: text/plain\n\nhi\n");
		put_report_part(sb, "z");
		strbuf_puts(sb, "\n");
		break;
	case FORWARD_3:
		strbuf_puts(
		    sb, "From: fwd@example.org\nMessage-ID: <outer@example.org>\n"
		        "Subject: Fwd: Fwd: report\nContent-Type: multipart/mixed; boundary=o1\n\n"
		        "--o1\nContent-Type: text/plain\n\nsee attached\n--o1\n"
		        "Content-Type: message/rfc822\n\nFrom: fwd2@example.org\n"
		        "Content-Type: multipart/mixed; boundary=o2\n\n--o2\n"
		        "Content-Type: message/rfc822\n\n");
		put_report_mail(sb, "From: noreply@example.net\nTLS-Report-Domain: inner.example\n"
		                    "TLS-Report-Submitter: example.net\n");
		strbuf_puts(sb, "--o2--\n--o1--\n");
		break;
	case DEPTH_AT_LIMIT:
	case DEPTH_OVER:
		strbuf_puts(sb, "From: a@example.com\n");
		for (i = 0; i < LIMIT_MIME_DEPTH + (id == DEPTH_OVER); i++)
			strbuf_puts(sb, "Content-Type: message/rfc822\n\n");
		strbuf_printf(sb, "Content-Type: application/tlsrpt+json\n\n%s\n", report_json);
		break;
	case DEPTH_THOUSANDS:
		strbuf_puts(sb, "From: a@example.com\n");
		for (i = 0; i < 5000; i++)
			strbuf_printf(sb, "Content-Type: multipart/mixed; boundary=b%d\n\n--b%d\n",
			              i, i);
		strbuf_puts(sb, "\nhello\n");
		break;
	case PARTS_AT_LIMIT:
	case PARTS_TEN_THOUSAND:
		strbuf_puts(sb,
		            "From: a@example.com\nContent-Type: multipart/mixed; boundary=p\n\n");
		for (i = 0; i < (id == PARTS_AT_LIMIT ? LIMIT_MIME_PARTS - 1 : 10000); i++)
			strbuf_puts(sb, "--p\n\n");
		put_report_part(sb, "p");
		strbuf_puts(sb, "--p--\n");
		break;
	case HEADER_10MB:
		strbuf_puts(sb, "From: a@example.com\nSubject: ");
		for (i = 0; i < 10 * 1024; i++)
			strbuf_printf(sb, "%01024d", 0);
		strbuf_puts(sb, "\n\nbody\n");
		break;
	case HEADER_FOLDED:
		strbuf_puts(sb, "From: a@example.com\nX-Long: start");
		for (i = 0; i < 2000; i++)
			strbuf_puts(sb, "\n\tmore text");
		strbuf_puts(sb, "\n\nbody\n");
		break;
	case HEADER_IN_PART:
		strbuf_puts(sb, "From: a@example.com\nContent-Type: multipart/mixed; boundary=h\n\n"
		                "--h\nContent-Type: application/tlsrpt+gzip; name=\"");
		for (i = 0; i < 20000; i++)
			strbuf_putc(sb, 'x');
		strbuf_puts(sb, "\"\n\nx\n--h--\n");
		break;
	case BASE64_JUNK:
		strbuf_puts(
		    sb,
		    "From: a@example.com\nContent-Type: multipart/report; boundary=j\n\n"
		    "--j\nContent-Type: application/tlsrpt+gzip\n"
		    "Content-Transfer-Encoding: base64\n\nH4sI!!!%%%***\n\x01\x02\xff~~~AAAA====\n"
		    "--j--\n");
		break;
	case EMPTY:
		break;
	case NOT_MESSAGE:
		strbuf_append(sb, "\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
		break;
	case DMARC:
		strbuf_puts(sb,
		            "From: noreply-dmarc-support@google.com\n"
		            "Subject: Report domain: example.com Submitter: google.com\n"
		            "Content-Type: multipart/mixed; boundary=d\n\n--d\n"
		            "Content-Type: application/gzip;\n"
		            " name=\"google.com!example.com!1700000000!1700086399.xml.gz\"\n"
		            "Content-Disposition: attachment;\n"
		            " filename=\"google.com!example.com!1700000000!1700086399.xml.gz\"\n"
		            "Content-Transfer-Encoding: base64\n\n");
		put_base64(sb, (const uint8_t *)"\x1f\x8b\x08\x00<feedback/>", 15);
		strbuf_puts(sb, "--d\nContent-Type: application/zip; name=\"x!y!1!2.zip\"\n"
		                "Content-Transfer-Encoding: base64\n\nUEsDBA==\n--d--\n");
		break;
	case TWO_REPORTS:
		strbuf_puts(sb,
		            "From: a@example.com\nContent-Type: multipart/report; boundary=t\n\n");
		put_report_part(sb, "t");
		strbuf_printf(sb, "--t\nContent-Type: application/tlsrpt+json\n\n%s\n--t--\n",
		              report_json);
		break;
	case RFC2231_OCTET:
		strbuf_puts(sb, "From: a@example.com\nContent-Type: multipart/mixed; boundary=r\n\n"
		                "--r\nContent-Type: application/octet-stream\n"
		                "Content-Disposition: attachment;\n"
		                " filename*0*=utf-8''google.com%21example.com%211705708800;\n"
		                " filename*1=\"!1705795199!001.json.gz\"\n"
		                "Content-Transfer-Encoding: base64\n\n");
		put_report_b64(sb);
		strbuf_puts(sb, "--r--\n");
		break;
	case OCTET_PDF:
		strbuf_puts(sb,
		            "From: a@example.com\nContent-Type: multipart/mixed; boundary=r\n\n"
		            "--r\nContent-Type: application/octet-stream; name=\"invoice.pdf\"\n"
		            "Content-Transfer-Encoding: base64\n\n");
		put_report_b64(sb);
		strbuf_puts(sb, "--r--\n");
		break;
	case UPPER_QP_JSON:
		strbuf_printf(
		    sb,
		    "From: a@example.com\nContent-Type: MULTIPART/Report; BOUNDARY=\"q q\"\n\n"
		    "--q q\nContent-Type: APPLICATION/TLSRPT+JSON\n"
		    "Content-Transfer-Encoding: Quoted-Printable\n\n%.40s=\n%s\n--q q--\n",
		    report_json, report_json + 40);
		break;
	case SINGLE_PART:
		strbuf_puts(
		    sb,
		    "From: a@example.com\nTLS-Report-Domain: example.com\n"
		    "Content-Type: application/tlsrpt+gzip\nContent-Transfer-Encoding: base64\n\n");
		put_report_b64(sb);
		break;
	case DIGEST:
		strbuf_puts(sb,
		            "From: a@example.com\nContent-Type: multipart/digest; boundary=g\n\n"
		            "--g\n\n");
		put_report_mail(sb, "From: r@example.net\n");
		strbuf_puts(sb, "--g--\n");
		break;
	case TOO_MANY_REPORTS:
		strbuf_puts(sb,
		            "From: a@example.com\nContent-Type: multipart/mixed; boundary=m\n\n");
		for (i = 0; i <= LIMIT_REPORTS_PER_MESSAGE; i++)
			strbuf_printf(sb, "--m\nContent-Type: application/tlsrpt+json\n\n%s\n",
			              report_json);
		strbuf_puts(sb, "--m--\n");
		break;
	case TOO_MANY_AUTH:
		for (i = 0; i <= LIMIT_AUTH_HEADERS; i++)
			strbuf_printf(sb, "DKIM-Signature: v=1; d=example%d.com; b=abc\n", i);
		put_report_mail(sb, "From: a@example.com\n");
		break;
	case HEADERS_ONLY:
		strbuf_puts(sb, "From: a@example.com\nSubject: nothing");
		break;
	case PREFIX_BOUNDARY:
		strbuf_puts(sb, "From: a@example.com\nContent-Type: multipart/mixed; boundary=a\n\n"
		                "--a\nContent-Type: multipart/report; boundary=ab\n\n--ab\n"
		                "Content-Type: text/plain\n\nx\n");
		put_report_part(sb, "ab");
		strbuf_puts(sb, "--ab--\n--a--\n");
		break;
	case CRLF: {
		struct strbuf lf;
		const char *p;

		strbuf_init(&lf, 1 << 20);
		put_report_mail(&lf, "From: a@example.com\nSubject: folded\n  subject\n");
		for (p = strbuf_str(&lf); *p != '\0'; p++) {
			if (*p == '\n')
				strbuf_putc(sb, '\r');
			strbuf_putc(sb, *p);
		}
		strbuf_free(&lf);
		break;
	}
	case ENCODED_RFC822:
		strbuf_puts(
		    sb, "From: a@example.com\nContent-Type: multipart/mixed; boundary=e\n\n"
		        "--e\nContent-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\n"
		        "RnJvbTogeEB5Cg==\n--e--\n");
		break;
	case JSON_NAMED:
		strbuf_printf(
		    sb,
		    "From: a@example.com\nContent-Type: multipart/mixed; boundary=n\n\n"
		    "--n\nContent-Type: application/json; name=\"report.JSON\"\n\n%s\n--n--\n",
		    report_json);
		break;
	case TEXT_NAMED_JSON:
		strbuf_printf(sb,
		              "From: a@example.com\nContent-Type: multipart/mixed; boundary=n\n\n"
		              "--n\nContent-Type: text/plain; name=\"report.json\"\n\n%s\n--n--\n",
		              report_json);
		break;
	default:
		fail_msg("no builder for case %d", id);
	}
}

static void test_mail_cases(void **state)
{
	struct mail_message *m;
	struct strbuf sb;
	struct report *r;
	uint8_t *out;
	size_t outlen, k;
	char err[512];
	int id, rc;

	(void)state;
	for (id = 0; id < N_CASES; id++) {
		strbuf_init(&sb, 64u << 20);
		build_case(id, &sb);
		rc = parse_exact(sb.data != NULL ? sb.data : "", sb.len, &m, err, sizeof(err));
		strbuf_free(&sb);
		if (rc != cases[id].rc)
			fail_msg("%s: got rc %d (%s), want %d", cases[id].name, rc, err,
			         cases[id].rc);
		if (rc < 0) {
			assert_null(m);
			if (strstr(err, cases[id].err) == NULL)
				fail_msg("%s: got '%s', want '%s'", cases[id].name, err,
				         cases[id].err);
			assert_null(strchr(err, '\n'));
			continue;
		}
		if (m->n_parts != cases[id].n_parts)
			fail_msg("%s: got %zu parts, want %zu", cases[id].name, m->n_parts,
			         cases[id].n_parts);
		for (k = 0; k < m->n_parts && id != BASE64_JUNK; k++) {
			r = part_report(&m->parts[k]);
			assert_string_equal(r->report_id, "t-1");
			report_free(r);
		}
		if (id == BASE64_JUNK) /* decoded regardless; the gzip check refuses it */
			assert_int_equal(gz_inflate(m->parts[0].data, m->parts[0].len, 1 << 20,
			                            &out, &outlen, err, sizeof(err)),
			                 -1);
		if (id == FORWARD_3) {
			assert_string_equal(m->message_id, "<outer@example.org>");
			assert_string_equal(m->from, "fwd@example.org");
			assert_string_equal(m->tls_report_domain, "inner.example");
		}
		if (id == RFC2231_OCTET)
			assert_string_equal(
			    m->parts[0].filename,
			    "google.com!example.com!1705708800!1705795199!001.json.gz");
		if (id == UPPER_QP_JSON)
			assert_string_equal(m->parts[0].content_type, "application/tlsrpt+json");
		if (id == CRLF)
			assert_string_equal(m->subject, "folded  subject");
		if (id == SINGLE_PART)
			assert_string_equal(m->tls_report_domain, "example.com");
		mail_free(m);
	}
}

/* The walker and libetpan under it use little stack whatever the input:
 * hostile messages parse in a thread with a 256 KiB stack (the web intake
 * and the collector may run ingest on a thread). Comments nest: libetpan
 * would recurse once per '(' if the walker did not strip them first. */
struct stack_job {
	int id; /* a case, or -1 for the comment bombs */
	int rc;
	size_t n_parts;
};

static void *stack_job_run(void *arg)
{
	struct stack_job *job = arg;
	struct mail_message *m = NULL;
	struct strbuf sb;
	char err[512];
	int i;

	strbuf_init(&sb, 64u << 20);
	if (job->id >= 0) {
		build_case(job->id, &sb);
	} else {
		strbuf_puts(&sb, "From: a@example.com\nSubject: ");
		for (i = 0; i < 5000; i++) /* 15,000 bytes: under the header limit */
			strbuf_puts(&sb, "(=?");
		strbuf_puts(&sb, "\nContent-Type: multipart/mixed; boundary=c");
		for (i = 0; i < 16000; i++)
			strbuf_putc(&sb, '(');
		strbuf_puts(&sb, "\nContent-Transfer-Encoding: 7bit");
		for (i = 0; i < 16000; i++)
			strbuf_putc(&sb, '(');
		strbuf_puts(&sb, "\n\n--c\nContent-Type: application/tlsrpt+json (a (b) \\) c)\n"
		                 "Content-Disposition: attachment (");
		for (i = 0; i < 16000; i++)
			strbuf_putc(&sb, '(');
		strbuf_printf(&sb, "\n\n%s\n--c--\n", report_json);
	}
	job->rc = parse_exact(sb.data, sb.len, &m, err, sizeof(err));
	job->n_parts = m != NULL ? m->n_parts : 0;
	mail_free(m);
	strbuf_free(&sb);
	return NULL;
}

static void test_mail_small_stack(void **state)
{
	static const int ids[] = {
	    -1,          FORWARD_3,  DEPTH_AT_LIMIT, DEPTH_THOUSANDS, PARTS_TEN_THOUSAND,
	    HEADER_10MB, TWO_REPORTS};
	pthread_attr_t attr;
	pthread_t th;
	struct stack_job job;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		memset(&job, 0, sizeof(job));
		job.id = ids[i];
		assert_int_equal(pthread_attr_init(&attr), 0);
		assert_int_equal(pthread_attr_setstacksize(&attr, 256u * 1024u), 0);
		assert_int_equal(pthread_create(&th, &attr, stack_job_run, &job), 0);
		assert_int_equal(pthread_join(th, NULL), 0);
		pthread_attr_destroy(&attr);
		if (job.id < 0) {
			/* comments stripped: the type, and the part, are still read */
			assert_int_equal(job.rc, 0);
			assert_int_equal(job.n_parts, 1);
		} else if (job.rc != cases[job.id].rc || job.n_parts != cases[job.id].n_parts) {
			fail_msg("%s on a small stack: got rc %d, %zu parts", cases[job.id].name,
			         job.rc, job.n_parts);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mail_cases),
	    cmocka_unit_test(test_mail_small_stack),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
