/*
 * gen_out.h - writing generated reports: .json, .json.gz (with each
 * sender's gzip header, QUIRKS F3; zlib only for the CRC), and mail (RFC 8460 section 5.3
 * multipart/report messages) as one .eml file each, one mbox, or a
 * Maildir. Included once, by tools/gen.c only.
 *
 * Input is trusted: the model and its JSON. Output goes below --out; an
 * output error ends the run (exit 2) with the path and the reason.
 */
#ifndef GEN_OUT_H
#define GEN_OUT_H

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "gen_deflate.h"
#include "gen_json.h"

enum { FMT_JSON, FMT_GZ, FMT_EML, FMT_MBOX, FMT_MAILDIR };

struct gen_out {
	int format;
	const char *dir;
	int per_message;	/* reports per mail message */
	struct defl defl;
	struct buf json, gz, name, path, path2, msg, crlf;
	FILE *mbox;
	int in_msg;		/* reports in the open message */
	int msg_style;		/* of the open message's first report */
	const char *msg_bounce;
	int64_t msg_sent;
	struct buf bnd;		/* the open message's MIME boundary, NUL-terminated */
	uint64_t files;		/* files written (the mbox counts once) */
	uint64_t messages;
};

/* mkdir -p */
static void out_mkdirs(const char *dir)
{
	char *p = gen_xstrdup(dir), *s;

	for (s = p + 1; ; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;

			*s = '\0';
			if (mkdir(p, 0755) < 0 && errno != EEXIST)
				gen_die("%s: %s", p, strerror(errno));
			*s = c;
			if (c == '\0')
				break;
		}
	}
	free(p);
}

static void out_write_file(const char *path, const char *data, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ssize_t w;

	if (fd < 0)
		gen_die("%s: %s", path, strerror(errno));
	while (n > 0) {
		w = write(fd, data, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			gen_die("%s: %s", path, w < 0 ? strerror(errno) : "short write");
		data += w;
		n -= (size_t)w;
	}
	if (close(fd) < 0)
		gen_die("%s: %s", path, strerror(errno));
}

/* path = dir/sub/name, NUL-terminated. */
static const char *out_path(struct buf *path, const char *dir, const char *sub, const char *name,
			    size_t namelen)
{
	path->n = 0;
	buf_str(path, dir);
	buf_ch(path, '/');
	if (sub != NULL) {
		buf_str(path, sub);
		buf_ch(path, '/');
	}
	buf_add(path, name, namelen);
	buf_ch(path, '\0');
	return path->p;
}

static void out_init(struct gen_out *o, int format, const char *dir, int per_message)
{
	memset(o, 0, sizeof(*o));
	o->format = format;
	o->dir = dir;
	o->per_message = per_message;
	out_mkdirs(dir);
	if (format == FMT_MAILDIR) {
		out_mkdirs(out_path(&o->path, dir, NULL, "cur", 3));
		out_mkdirs(out_path(&o->path, dir, NULL, "new", 3));
		out_mkdirs(out_path(&o->path, dir, NULL, "tmp", 3));
	}
	if (format == FMT_MBOX) {
		out_path(&o->path, dir, NULL, "reports.mbox", 12);
		o->mbox = fopen(o->path.p, "w");
		if (o->mbox == NULL)
			gen_die("%s: %s", o->path.p, strerror(errno));
		setvbuf(o->mbox, NULL, _IOFBF, 1 << 20);
		o->files = 1;
	}
	defl_init(&o->defl);
}

static void buf_le32(struct buf *b, uint32_t v)
{
	buf_ch(b, (char)(v & 255));
	buf_ch(b, (char)((v >> 8) & 255));
	buf_ch(b, (char)((v >> 16) & 255));
	buf_ch(b, (char)(v >> 24));
}

/* gzip (RFC 1952) of data into dst, with the sender's header fields:
 * Google MTIME 0 XFL 0 OS 0; Microsoft XFL 4 OS 0; Mail.ru (Go) OS 255 and
 * a final empty stored block; Stalwart (Rust flate2) OS 255; the Postfix
 * reporter (Python) a real MTIME, XFL 2, OS 255; the rest OS 3 (Unix).
 * The deflate stream itself is gen_deflate.h's, not the sender's. */
static void out_gzip(struct gen_out *o, const struct gen_report *r, const char *data, size_t n,
		     struct buf *dst)
{
	static const unsigned char xfl[N_STYLES] = { 0, 4, 0, 0, 0, 0, 2 };
	static const unsigned char os[N_STYLES] = { 0, 0, 255, 3, 3, 255, 255 };
	uint32_t mtime = r->style == S_POSTFIX ? (uint32_t)r->sent : 0;

	dst->n = 0;
	buf_add(dst, "\x1f\x8b\x08\x00", 4);
	buf_le32(dst, mtime);
	buf_ch(dst, (char)xfl[r->style]);
	buf_ch(dst, (char)os[r->style]);
	defl_compress(&o->defl, (const unsigned char *)data, n, r->style == S_MAILRU, dst);
	buf_le32(dst, (uint32_t)crc32(crc32(0L, Z_NULL, 0), (const Bytef *)data, (uInt)n));
	buf_le32(dst, (uint32_t)n);
}

/* --- mail (line ends are LF here; .eml files get CRLF when written) */

static void buf_base64(struct buf *b, const unsigned char *p, size_t n)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
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
	case S_GOOGLE:	/* QUIRKS G2: dots and "+" instead of the JSON id */
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
	case S_MICROSOFT:	/* folded, no angle brackets */
		buf_str(b, "Subject: Report Domain: ");
		buf_str(b, dom);
		buf_str(b, " Submitter: microsoft.com Report-ID:\n ");
		buf_report_id(b, g, r);
		buf_ch(b, '\n');
		break;
	case S_MAILRU:	/* folded before every field */
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
	case S_MICROSOFT:	/* right-hand side: the policy domain (QUIRKS G7) */
		buf_report_id(b, g, r);
		buf_ch(b, '@');
		buf_str(b, g->dom[r->dom].name);
		break;
	case S_MAILRU:		/* the report-id itself */
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
	case S_COMCAST:	/* a body line starting "From " (mboxrd quoting) */
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
		buf_str(b, "Content-Type: text/plain; charset=\"UTF-8\"; format=flowed; delsp=yes\n\n"
			   "This is an aggregate TLS report from google.com\n");
		break;
	default:
		buf_str(b, r->style == S_MAILRU ? "Content-Type: text/plain; charset=\"utf-8\"\n"
						   "Content-Transfer-Encoding: 7bit\n\n"
						 : "Content-Type: text/plain; charset=\"utf-8\"\n\n");
		buf_str(b, "This is an aggregate TLS report from ");
		buf_str(b, g->snd[r->sender].submitter);
		buf_str(b, " for ");
		buf_str(b, dom);
		buf_str(b, ".\n");
	}
}

/* Headers and the human-readable part of a message carrying r. */
static void mail_begin(struct gen_out *o, const struct gen *g, const struct gen_report *r)
{
	struct buf *b = &o->msg;
	const char *dom = g->dom[r->dom].name;
	struct buf *bd = &o->bnd;

	b->n = 0;
	bd->n = 0;
	o->msg_style = r->style;
	o->msg_bounce = g->snd[r->sender].bounce;
	o->msg_sent = r->sent;
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
	buf_rfc5322(b, r->sent, r->style == S_GOOGLE ? pacific_offset(r->sent)
				: r->style == S_MAILRU ? 180 : 0, r->style != S_MICROSOFT);
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
		buf_str(b, "Content-Type: multipart/report; report-type=\"tlsrpt\";\n\tboundary=\"");
	buf_str(b, o->bnd.p);
	buf_str(b, r->style == S_GOOGLE || r->style == S_MICROSOFT ? "\"; report-type=tlsrpt\n\n"
								     : "\"\n\n");
	if (r->style == S_MAILRU)
		buf_str(b, "This is a multi-part message in MIME format.\n\n");
	buf_str(b, "--");
	buf_str(b, o->bnd.p);
	buf_ch(b, '\n');
	mail_text(b, g, r);
}

/* One application/tlsrpt+gzip part (QUIRKS G6 for the header shapes). */
static void mail_attach(struct gen_out *o, const struct gen *g, const struct gen_report *r,
			const struct buf *gz)
{
	struct buf *b = &o->msg;

	o->name.n = 0;
	buf_report_filename(&o->name, g, r, 1);
	buf_ch(&o->name, '\0');
	buf_str(b, "\n--");
	buf_str(b, o->bnd.p);
	if (o->msg_style == S_GOOGLE) {	/* trailing space before the fold */
		buf_str(b, "\nContent-Type: application/tlsrpt+gzip; \n\tname=\"");
		buf_str(b, o->name.p);
		buf_str(b, "\"\nContent-Disposition: attachment; \n\tfilename=\"");
	} else if (o->msg_style == S_MICROSOFT) {
		buf_str(b, "\nContent-Type: application/tlsrpt+gzip\n"
			   "Content-Disposition: attachment;\n\tfilename=\"");
	} else {
		buf_str(b, "\nContent-Type: application/tlsrpt+gzip; name=\"");
		buf_str(b, o->name.p);
		buf_str(b, "\"\nContent-Disposition: attachment; filename=\"");
	}
	buf_str(b, o->name.p);
	buf_str(b, "\"\nContent-Transfer-Encoding: base64\n\n");
	buf_base64(b, (const unsigned char *)gz->p, gz->n);
}

/* Writes the message: an .eml file (CRLF), an mbox entry or a Maildir file. */
static void mail_emit(struct gen_out *o)
{
	struct buf *b = &o->msg;
	const char *p, *end, *nl;
	size_t i;

	o->messages++;
	if (o->format == FMT_EML) {
		o->crlf.n = 0;
		buf_reserve(&o->crlf, b->n + b->n / 32 + 16);
		for (i = 0; i < b->n; i++) {
			if (b->p[i] == '\n')
				buf_ch(&o->crlf, '\r');
			buf_ch(&o->crlf, b->p[i]);
		}
		o->name.n = 0;
		buf_str(&o->name, "msg-");
		buf_pad(&o->name, o->messages, 7);
		buf_str(&o->name, ".eml");
		out_write_file(out_path(&o->path, o->dir, NULL, o->name.p, o->name.n), o->crlf.p,
			       o->crlf.n);
		o->files++;
	} else if (o->format == FMT_MAILDIR) {
		/* written in tmp/, then renamed into new/ or (every third, read)
		 * cur/, as a Maildir delivery does */
		o->name.n = 0;
		buf_i64(&o->name, o->msg_sent);
		buf_str(&o->name, ".M");
		buf_u64(&o->name, o->messages);
		buf_str(&o->name, "P1Q");
		buf_u64(&o->name, o->messages);
		buf_str(&o->name, ".gen");
		out_write_file(out_path(&o->path, o->dir, "tmp", o->name.p, o->name.n), b->p, b->n);
		if (o->messages % 3 == 0)
			buf_str(&o->name, ":2,S");
		out_path(&o->path2, o->dir, o->messages % 3 == 0 ? "cur" : "new", o->name.p, o->name.n);
		if (rename(o->path.p, o->path2.p) < 0)
			gen_die("%s: %s", o->path2.p, strerror(errno));
		o->files++;
	} else {
		/* mboxrd: "From " separator; body lines matching ^>*From  get a '>' */
		o->path.n = 0;
		buf_str(&o->path, "From ");
		buf_str(&o->path, o->msg_bounce);
		buf_ch(&o->path, ' ');
		buf_asctime(&o->path, o->msg_sent);
		buf_ch(&o->path, '\n');
		fwrite(o->path.p, 1, o->path.n, o->mbox);
		for (p = b->p, end = b->p + b->n; p < end; p = nl + 1) {
			const char *q = p;

			nl = memchr(p, '\n', (size_t)(end - p));
			if (nl == NULL)
				nl = end - 1;	/* the message always ends in "\n" */
			while (q < nl && *q == '>')
				q++;
			if (nl - q >= 5 && memcmp(q, "From ", 5) == 0)
				fputc('>', o->mbox);
			fwrite(p, 1, (size_t)(nl + 1 - p), o->mbox);
		}
		fputc('\n', o->mbox);
		if (ferror(o->mbox))
			gen_die("%s/reports.mbox: write error", o->dir);
	}
}

/* Closes the open message and writes it. Mail.ru leaves out the final
 * close-delimiter (QUIRKS G1). */
static void mail_end(struct gen_out *o)
{
	if (o->in_msg == 0)
		return;
	buf_str(&o->msg, "--");
	buf_str(&o->msg, o->bnd.p);
	buf_str(&o->msg, o->msg_style == S_MAILRU ? "\n\n" : "--\n");
	o->in_msg = 0;
	mail_emit(o);
}

/* Writes report r (name_suffix non-NULL for a re-send: "!resendN" in a
 * file name; a re-sent message is the same message in another file). */
static void out_report(struct gen_out *o, const struct gen *g, const struct gen_report *r,
		       const char *name_suffix)
{
	o->json.n = 0;
	json_report(&o->json, g, r);
	if (o->format == FMT_JSON || o->format == FMT_GZ) {
		o->name.n = 0;
		buf_report_filename(&o->name, g, r, 0);
		if (name_suffix != NULL) {
			o->name.n -= 5;	/* ".json" */
			buf_str(&o->name, name_suffix);
			buf_str(&o->name, ".json");
		}
		if (o->format == FMT_GZ) {
			buf_str(&o->name, ".gz");
			out_gzip(o, r, o->json.p, o->json.n, &o->gz);
			out_write_file(out_path(&o->path, o->dir, NULL, o->name.p, o->name.n), o->gz.p,
				       o->gz.n);
		} else {
			out_write_file(out_path(&o->path, o->dir, NULL, o->name.p, o->name.n),
				       o->json.p, o->json.n);
		}
		o->files++;
		return;
	}
	out_gzip(o, r, o->json.p, o->json.n, &o->gz);
	if (name_suffix != NULL)
		mail_end(o);
	if (o->in_msg == 0)
		mail_begin(o, g, r);
	mail_attach(o, g, r, &o->gz);
	if (++o->in_msg >= o->per_message || name_suffix != NULL)
		mail_end(o);
}

static void out_finish(struct gen_out *o)
{
	mail_end(o);
	if (o->mbox != NULL && fclose(o->mbox) != 0)
		gen_die("%s/reports.mbox: %s", o->dir, strerror(errno));
	o->mbox = NULL;
	free(o->json.p);
	free(o->gz.p);
	free(o->name.p);
	free(o->path.p);
	free(o->path2.p);
	free(o->msg.p);
	free(o->crlf.p);
	free(o->bnd.p);
}

#endif
