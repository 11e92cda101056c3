/*
 * mail.c - a generated report as mail: an RFC 8460 section 5.3
 * multipart/report message with each sender's header shapes, Subject,
 * Message-ID and text part (docs/quirks.md section G). Built
 * in memory with LF line ends; out.c writes it. Input is trusted: the model.
 */
#include <stdlib.h>
#include <string.h>

#include "gen.h"

static void buf_base64(struct buf *b, const unsigned char *p, size_t n)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i, col = 0;

	buf_reserve(b, n / 3 * 4 + n / 57 + 8);
	for (i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;

		if (i + 1 < n)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		buf_ch(b, tab[(v >> 18) & 63]);
		buf_ch(b, tab[(v >> 12) & 63]);
		buf_ch(b, i + 1 < n ? tab[(v >> 6) & 63] : '=');
		buf_ch(b, i + 2 < n ? tab[v & 63] : '=');
		if ((col += 4) == 76) {
			buf_ch(b, '\n');
			col = 0;
		}
	}
	if (col != 0)
		buf_ch(b, '\n');
}

/* The Pacific time offset (minutes) Google's Date: header uses at t: US
 * daylight saving from the second Sunday of March to the first of
 * November, both at 02:00 local time. */
static int pacific_offset(int64_t t)
{
	int64_t y, mar1, nov1, on, off;
	unsigned m, d;

	civil_from_days(floor_div(t, 86400), &y, &m, &d);
	mar1 = days_from_civil(y, 3, 1);
	nov1 = days_from_civil(y, 11, 1);
	on = (mar1 + (7 - day_of_week(mar1)) % 7 + 7) * 86400 + 10 * 3600;
	off = (nov1 + (7 - day_of_week(nov1)) % 7) * 86400 + 9 * 3600;
	return t >= on && t < off ? -7 * 60 : -8 * 60;
}

static void mail_subject(struct buf *b, const struct gen *g, const struct gen_report *r)
{
	const char *dom = g->dom[r->dom].name, *sub = g->snd[r->sender].submitter;

	switch (r->style) {
	case S_GOOGLE: /* quirks G2: dots and "+" instead of the JSON id */
		buf_str(b, "Subject: Report Domain: ");
		buf_str(b, dom);
		buf_str(b, " Submitter: google.com Report-ID: <");
		buf_date(b, r->day);
		b->p[b->n - 3] = '.';
		b->p[b->n - 6] = '.';
		buf_str(b, "T00.00.00Z+");
		buf_str(b, dom);
		buf_str(b, "@google.com>\n");
		break;
	case S_MICROSOFT: /* folded, no angle brackets */
		buf_str(b, "Subject: Report Domain: ");
		buf_str(b, dom);
		buf_str(b, " Submitter: microsoft.com Report-ID:\n ");
		buf_report_id(b, g, r);
		buf_ch(b, '\n');
		break;
	case S_MAILRU: /* folded before every field */
		buf_str(b, "Subject: Report\n Domain: ");
		buf_str(b, dom);
		buf_str(b, "\n Submitter: mail.ru\n Report-ID: <");
		buf_report_id(b, g, r);
		buf_str(b, ">\n");
		break;
	default:
		buf_str(b, "Subject: Report Domain: ");
		buf_str(b, dom);
		buf_str(b, " Submitter: ");
		buf_str(b, sub);
		buf_str(b, " Report-ID: <");
		buf_report_id(b, g, r);
		if (r->style != S_STALWART) {
			buf_ch(b, '@');
			buf_str(b, r->style == S_POSTFIX ? g->snd[r->sender].org : sub);
		}
		buf_str(b, ">\n");
	}
}

static void mail_message_id(struct buf *b, const struct gen *g, const struct gen_report *r)
{
	uint64_t x = mix64(r->rnd ^ 0x3d);

	buf_str(b, "Message-ID: <");
	switch (r->style) {
	case S_GOOGLE:
		buf_hex(b, x >> 32, 8, 0);
		buf_ch(b, '.');
		buf_hex(b, x, 8, 0);
		buf_ch(b, '.');
		buf_hex(b, perm48(r->key, g->seed ^ 0x91), 12, 0);
		buf_str(b, "tls@google.com");
		break;
	case S_MICROSOFT: /* right-hand side: the policy domain (quirks G7) */
		buf_report_id(b, g, r);
		buf_ch(b, '@');
		buf_str(b, g->dom[r->dom].name);
		break;
	case S_MAILRU: /* the report-id itself */
		buf_report_id(b, g, r);
		break;
	default:
		buf_hex(b, x, 16, 0);
		buf_ch(b, '.');
		buf_hex(b, perm48(r->key, g->seed ^ 0x92), 12, 0);
		buf_ch(b, '@');
		buf_str(b, g->snd[r->sender].submitter);
	}
	buf_str(b, ">\n");
}

static void mail_text(struct buf *b, const struct gen *g, const struct gen_report *r)
{
	const char *dom = g->dom[r->dom].name;

	switch (r->style) {
	case S_MICROSOFT:
		buf_str(b, "Content-Type: text/plain; charset=\"us-ascii\"\n"
		           "Content-Transfer-Encoding: quoted-printable\n\n"
		           "This is an aggregate TLS report from microsoft.com\n");
		break;
	case S_COMCAST: /* a body line starting "From " (mboxrd quoting) */
		buf_str(b, "Content-Type: text/plain; charset=\"us-ascii\"\n\n"
		           "TLS report for ");
		buf_str(b, dom);
		buf_str(b, "\n\nFrom ");
		buf_rfc3339(b, r->start, 1);
		buf_str(b, " to ");
		buf_rfc3339(b, r->end, 1);
		buf_str(b, " Comcast reports on the TLS sessions\nits MTAs attempted with "
		           "your mail servers (RFC 8460).\n");
		break;
	case S_GOOGLE:
		buf_str(b,
		        "Content-Type: text/plain; charset=\"UTF-8\"; format=flowed; delsp=yes\n\n"
		        "This is an aggregate TLS report from google.com\n");
		break;
	default:
		buf_str(b, r->style == S_MAILRU
		               ? "Content-Type: text/plain; charset=\"utf-8\"\n"
		                 "Content-Transfer-Encoding: 7bit\n\n"
		               : "Content-Type: text/plain; charset=\"utf-8\"\n\n");
		buf_str(b, "This is an aggregate TLS report from ");
		buf_str(b, g->snd[r->sender].submitter);
		buf_str(b, " for ");
		buf_str(b, dom);
		buf_str(b, ".\n");
	}
}

/* Starts a message carrying r: headers and the human-readable part. */
void mail_begin(struct gen_mail *m, const struct gen *g, const struct gen_report *r)
{
	struct buf *b = &m->msg;
	const char *dom = g->dom[r->dom].name;
	struct buf *bd = &m->bnd;

	b->n = 0;
	bd->n = 0;
	m->style = r->style;
	m->bounce = g->snd[r->sender].bounce;
	m->sent = r->sent;
	m->parts = 0;
	if (r->style == S_GOOGLE) {
		buf_str(bd, "000000000000");
		buf_hex(bd, mix64(r->rnd ^ 0xb0), 16, 0);
	} else if (r->style == S_MICROSOFT) {
		buf_ch(bd, '_');
		buf_hex(bd, mix64(r->rnd ^ 0xb1), 16, 0);
		buf_ch(bd, '-');
		buf_hex(bd, perm48(r->key, g->seed ^ 0xb2), 12, 0);
		buf_ch(bd, '_');
	} else if (r->style == S_MAILRU) {
		buf_str(bd, "----=_NextPart_");
		buf_hex(bd, mix64(r->rnd ^ 0xb3), 16, 1);
	} else {
		buf_str(bd, "=_tlsrpt_");
		buf_hex(bd, mix64(r->rnd ^ 0xb4), 16, 0);
	}
	buf_ch(bd, '\0');

	buf_str(b, "From: ");
	buf_str(b, g->snd[r->sender].from);
	buf_str(b, r->style == S_MICROSOFT ? "\nTo: \"tlsrpt@" : "\nTo: tlsrpt@");
	buf_str(b, dom);
	if (r->style == S_MICROSOFT) {
		buf_str(b, "\" <tlsrpt@");
		buf_str(b, dom);
		buf_ch(b, '>');
	}
	buf_str(b, "\nDate: ");
	buf_rfc5322(b, r->sent,
	            r->style == S_GOOGLE   ? pacific_offset(r->sent)
	            : r->style == S_MAILRU ? 180
	                                   : 0,
	            r->style != S_MICROSOFT);
	buf_ch(b, '\n');
	mail_subject(b, g, r);
	mail_message_id(b, g, r);
	buf_str(b, "TLS-Report-Domain: ");
	buf_str(b, dom);
	buf_str(b, "\nTLS-Report-Submitter: ");
	buf_str(b, r->style == S_POSTFIX ? g->snd[r->sender].org : g->snd[r->sender].submitter);
	if (r->style == S_MAILRU)
		buf_str(b, "\nAuto-Submitted: auto-generated\nX-Mailru-Skip-Sts: true");
	buf_str(b, "\nMIME-Version: 1.0\n");
	if (r->style == S_GOOGLE)
		buf_str(b, "Content-Type: multipart/report; boundary=\"");
	else if (r->style == S_MICROSOFT)
		buf_str(b, "Content-Type: multipart/report;\n\tboundary=\"");
	else
		buf_str(b,
		        "Content-Type: multipart/report; report-type=\"tlsrpt\";\n\tboundary=\"");
	buf_str(b, m->bnd.p);
	buf_str(b, r->style == S_GOOGLE || r->style == S_MICROSOFT ? "\"; report-type=tlsrpt\n\n"
	                                                           : "\"\n\n");
	if (r->style == S_MAILRU)
		buf_str(b, "This is a multi-part message in MIME format.\n\n");
	buf_str(b, "--");
	buf_str(b, m->bnd.p);
	buf_ch(b, '\n');
	mail_text(b, g, r);
}

/* Adds r (gzip bytes gz) as an application/tlsrpt+gzip part (quirks G6
 * for the header shapes). */
void mail_attach(struct gen_mail *m, const struct gen *g, const struct gen_report *r,
                 const struct buf *gz)
{
	struct buf *b = &m->msg;

	m->parts++;
	m->name.n = 0;
	buf_report_filename(&m->name, g, r, 1);
	buf_ch(&m->name, '\0');
	buf_str(b, "\n--");
	buf_str(b, m->bnd.p);
	if (m->style == S_GOOGLE) { /* trailing space before the fold */
		buf_str(b, "\nContent-Type: application/tlsrpt+gzip; \n\tname=\"");
		buf_str(b, m->name.p);
		buf_str(b, "\"\nContent-Disposition: attachment; \n\tfilename=\"");
	} else if (m->style == S_MICROSOFT) {
		buf_str(b, "\nContent-Type: application/tlsrpt+gzip\n"
		           "Content-Disposition: attachment;\n\tfilename=\"");
	} else {
		buf_str(b, "\nContent-Type: application/tlsrpt+gzip; name=\"");
		buf_str(b, m->name.p);
		buf_str(b, "\"\nContent-Disposition: attachment; filename=\"");
	}
	buf_str(b, m->name.p);
	buf_str(b, "\"\nContent-Transfer-Encoding: base64\n\n");
	buf_base64(b, (const unsigned char *)gz->p, gz->n);
}

/* Ends the message. Mail.ru leaves out the final close-delimiter (quirks
 * G1). */
void mail_close(struct gen_mail *m)
{
	buf_str(&m->msg, "--");
	buf_str(&m->msg, m->bnd.p);
	buf_str(&m->msg, m->style == S_MAILRU ? "\n\n" : "--\n");
}

void mail_free(struct gen_mail *m)
{
	free(m->msg.p);
	free(m->bnd.p);
	free(m->name.p);
	memset(m, 0, sizeof(*m));
}
