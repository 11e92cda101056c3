/*
 * out.c - writing generated reports: .json, .json.gz (with each
 * sender's gzip header, quirks F3; zlib only for the CRC), and mail
 * (mail.c) as one .eml file each, one mbox, or a Maildir.
 *
 * Input is trusted: the model and its JSON. Output goes below --out; an
 * output error ends the run (exit 2) with the path and the reason.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "gen.h"

/* mkdir -p */
static void out_mkdirs(const char *dir)
{
	char *p = gen_xstrdup(dir), *s;

	for (s = p + 1;; s++) {
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

void out_write_file(const char *path, const char *data, size_t n)
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

void out_init(struct gen_out *o, int format, const char *dir, int per_message)
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
 * The deflate stream itself is deflate.c's, not the sender's. */
static void out_gzip(struct gen_out *o, const struct gen_report *r, const char *data, size_t n,
                     struct buf *dst)
{
	static const unsigned char xfl[N_STYLES] = {0, 4, 0, 0, 0, 0, 2};
	static const unsigned char os[N_STYLES] = {0, 0, 255, 3, 3, 255, 255};
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

/* Writes the message: an .eml file (CRLF), an mbox entry or a Maildir file. */
static void mail_emit(struct gen_out *o)
{
	struct buf *b = &o->mail.msg;
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
		buf_i64(&o->name, o->mail.sent);
		buf_str(&o->name, ".M");
		buf_u64(&o->name, o->messages);
		buf_str(&o->name, "P1Q");
		buf_u64(&o->name, o->messages);
		buf_str(&o->name, ".gen");
		out_write_file(out_path(&o->path, o->dir, "tmp", o->name.p, o->name.n), b->p, b->n);
		if (o->messages % 3 == 0)
			buf_str(&o->name, ":2,S");
		out_path(&o->path2, o->dir, o->messages % 3 == 0 ? "cur" : "new", o->name.p,
		         o->name.n);
		if (rename(o->path.p, o->path2.p) < 0)
			gen_die("%s: %s", o->path2.p, strerror(errno));
		o->files++;
	} else {
		/* mboxrd: "From " separator; body lines matching ^>*From  get a '>' */
		o->path.n = 0;
		buf_str(&o->path, "From ");
		buf_str(&o->path, o->mail.bounce);
		buf_ch(&o->path, ' ');
		buf_asctime(&o->path, o->mail.sent);
		buf_ch(&o->path, '\n');
		fwrite(o->path.p, 1, o->path.n, o->mbox);
		for (p = b->p, end = b->p + b->n; p < end; p = nl + 1) {
			const char *q = p;

			nl = memchr(p, '\n', (size_t)(end - p));
			if (nl == NULL)
				nl = end - 1; /* the message always ends in "\n" */
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

/* Closes the open message, if any, and writes it. */
void mail_end(struct gen_out *o)
{
	if (o->mail.parts == 0)
		return;
	mail_close(&o->mail);
	o->mail.parts = 0;
	mail_emit(o);
}

/* Writes report r (name_suffix non-NULL for a re-send: "!resendN" in a
 * file name; a re-sent message is the same message in another file). */
void out_report(struct gen_out *o, const struct gen *g, const struct gen_report *r,
                const char *name_suffix)
{
	o->json.n = 0;
	json_report(&o->json, g, r);
	if (o->format == FMT_JSON || o->format == FMT_GZ) {
		o->name.n = 0;
		buf_report_filename(&o->name, g, r, 0);
		if (name_suffix != NULL) {
			o->name.n -= 5; /* ".json" */
			buf_str(&o->name, name_suffix);
			buf_str(&o->name, ".json");
		}
		if (o->format == FMT_GZ) {
			buf_str(&o->name, ".gz");
			out_gzip(o, r, o->json.p, o->json.n, &o->gz);
			out_write_file(out_path(&o->path, o->dir, NULL, o->name.p, o->name.n),
			               o->gz.p, o->gz.n);
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
	if (o->mail.parts == 0)
		mail_begin(&o->mail, g, r);
	mail_attach(&o->mail, g, r, &o->gz);
	if (o->mail.parts >= o->per_message || name_suffix != NULL)
		mail_end(o);
}

void out_finish(struct gen_out *o)
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
	free(o->crlf.p);
	mail_free(&o->mail);
}
