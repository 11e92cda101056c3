/*
 * mail.h - finding TLS reports inside an RFC 5322 message (libetpan MIME).
 *
 * Input is untrusted: anyone can mail the rua address. The walker limits
 * MIME depth, part count and header length (core/limits.h) before it
 * allocates, and selects report parts by content type, case-insensitively
 * (RFC 8460 section 5.3): application/tlsrpt+gzip, application/tlsrpt+json,
 * application/tlsrpt; then application/gzip, application/json and
 * application/octet-stream whose filename ends .json.gz, .json or .gz.
 * Forwarded messages (message/rfc822) are walked too. The report body is
 * authoritative over Subject and filename (RFC 8460 section 5.6).
 */
#ifndef TLSWATCH_MAIL_H
#define TLSWATCH_MAIL_H

#include <stddef.h>
#include <stdint.h>

/* One report-carrying part, transfer-decoded (base64/QP undone): still
 * gzip or JSON bytes, to go through the same path as a report file. */
struct mail_part {
	uint8_t *data; /* owned by the message; NUL-terminated at len */
	size_t len;
	char *content_type; /* lower-case "type/subtype" */
	char *filename;     /* NULL when none */
};

struct mail_message {
	/* Top-level headers, unfolded, NULL when absent. Decoded to UTF-8
	 * where RFC 2047 encoded (Subject). */
	char *message_id;
	char *from;
	char *date;
	char *subject;
	char *tls_report_domain;
	char *tls_report_submitter;
	/* Every Authentication-Results and DKIM-Signature header, raw, one
	 * per line ("Name: value\n"), for later verification. NULL if none. */
	char *auth_headers;
	struct mail_part *parts;
	size_t n_parts;
};

/* 1 when data looks like a mail message (starts with a header field or an
 * mbox "From " line) rather than JSON or gzip. */
int mail_looks_like_message(const uint8_t *data, size_t len);

/* Parses a message and collects its report parts. A message with no report
 * part is not an error: n_parts is 0. Returns 0 with *out set (free with
 * mail_free), or -1 with a one-line reason (over a limit, not a message). */
int mail_parse(const uint8_t *data, size_t len, struct mail_message **out, char *err,
               size_t errlen);

void mail_free(struct mail_message *m);

#endif
