/*
 * mail_impl.h - what core/mail.c and core/mail_header.c share: the header
 * block scanner and the per-entity MIME facts (type, boundary, filename,
 * transfer encoding) read through libetpan's MIME grammar.
 *
 * Input is untrusted message text. Nothing here assumes NUL termination:
 * every scan is bounded by a length, and every field is checked against
 * LIMIT_HEADER_BYTES before anything is copied out of it.
 */
#ifndef TLSWATCH_MAIL_IMPL_H
#define TLSWATCH_MAIL_IMPL_H

#include <stddef.h>

/* One header field as it appears in the text: pointers into the message.
 * value is the raw text after the colon, folding included, without the
 * final line break. */
struct mail_field {
	const char *name;
	size_t name_len;
	const char *value;
	size_t value_len;
};

/* Reads the header field at *off in data[0..len). Returns 1 with *f set
 * and *off moved past the field; 0 at the end of the header block, with
 * *off at the first byte of the body (after the blank line, or at the first
 * line that is not a field); -1 when the field is longer than
 * LIMIT_HEADER_BYTES unfolded (reason in err, naming the field). */
int mail_header_next(const char *data, size_t len, size_t *off, struct mail_field *f, char *err,
                     size_t errlen);

/* 1 when the field's name is name (ASCII, case-insensitive). */
int mail_field_is(const struct mail_field *f, const char *name);

/* A header value as text: unfolded (line breaks removed), leading and
 * trailing white space trimmed, NUL and invalid UTF-8 replaced by U+FFFD.
 * Never NULL; the caller frees it. */
char *mail_field_text(const char *value, size_t len);

/* Like mail_field_text, with RFC 2047 encoded words decoded to UTF-8
 * (Subject). Falls back to the undecoded text when decoding fails. */
char *mail_field_decoded(const char *value, size_t len);

/* The MIME facts of one entity. Strings are owned (mail_entity_clear). */
struct mail_entity {
	char content_type[128]; /* lower-case "type/subtype" */
	char *boundary;         /* multipart only; NULL when absent */
	char *filename;         /* Content-Disposition filename, else the
	                         * Content-Type name (RFC 2231 and 2047
	                         * decoded); NULL when neither */
	int encoding;           /* MAILMIME_MECHANISM_* */
};

/* Fills e from the raw Content-Type, Content-Transfer-Encoding and
 * Content-Disposition values (each may be NULL when absent). A missing or
 * unparsable Content-Type gives default_type (RFC 2045 section 5.2; RFC
 * 2046 section 5.1.5 for multipart/digest). Cannot fail. */
void mail_entity_read(struct mail_entity *e, const struct mail_field *ctype,
                      const struct mail_field *cte, const struct mail_field *cdisp,
                      const char *default_type);
void mail_entity_clear(struct mail_entity *e);

#endif
