/*
 * decode.c - from untrusted input bytes to report records (decode.h).
 * Every size is checked against core/limits.h before work is done.
 */
#include "decode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "escape.h"
#include "gz.h"
#include "limits.h"
#include "xalloc.h"

static int decode_is_blank(const uint8_t *data, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (data[i] != ' ' && data[i] != '\t' && data[i] != '\r' && data[i] != '\n')
			return 0;
	return 1;
}

int decode_is_json(const uint8_t *data, size_t len)
{
	size_t i = 0;

	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
		i++;
	return i < len && (data[i] == '{' || data[i] == '[');
}

/* Decodes one report (gzip or JSON bytes) into part, parses it and
 * derives its record. Returns 0, or 1 when the report is refused: the
 * reason, prefixed with where, goes to reason unless it already holds one
 * (the first refusal is the one kept). */
static int decode_report(const uint8_t *data, size_t len, const char *where,
                         struct decoded_part *part, char *reason, size_t reasonlen)
{
	const uint8_t *gz = NULL;
	size_t gz_len = 0;
	char why[400];

	if (gz_is_gzip(data, len)) {
		if (len > LIMIT_COMPRESSED_BYTES) {
			snprintf(why, sizeof(why), "gzip report larger than %u bytes",
			         LIMIT_COMPRESSED_BYTES);
			goto bad;
		}
		if (gz_inflate(data, len, LIMIT_INFLATED_BYTES, &part->json, &part->json_len, why,
		               sizeof(why)) < 0)
			goto bad;
		gz = data;
		gz_len = len;
	} else if (decode_is_json(data, len)) {
		if (len > LIMIT_JSON_BYTES) {
			snprintf(why, sizeof(why), "JSON report larger than %u bytes",
			         LIMIT_JSON_BYTES);
			goto bad;
		}
		part->json = xmalloc(len + 1);
		memcpy(part->json, data, len);
		part->json[len] = '\0';
		part->json_len = len;
	} else {
		snprintf(why, sizeof(why), "not a TLS report: neither gzip nor JSON");
		goto bad;
	}
	if (report_parse_json((const char *)part->json, part->json_len, &part->r, why,
	                      sizeof(why)) < 0)
		goto bad;
	if (report_check_ahead(part->r, (int64_t)time(NULL), why, sizeof(why)) < 0) {
		report_free(part->r);
		goto bad;
	}
	record_derive(part->r, part->json, part->json_len, gz, gz_len, &part->rec);
	return 0;
bad:
	free(part->json);
	part->json = NULL;
	part->r = NULL;
	if (reason[0] == '\0')
		snprintf(reason, reasonlen, "%s%s", where, why);
	return 1;
}

/* A mail message: every report part is decoded like a file. The message
 * is refused (to be quarantined whole, byte-exact) if any part is; the
 * parts that are valid are stored all the same. */
static void decode_mail(struct decoded_input *d)
{
	char where[160], why[400];
	size_t i;

	if (mail_parse(d->data, d->len, &d->mail, why, sizeof(why)) < 0) {
		snprintf(d->reason, sizeof(d->reason), "mail: %s", why);
		d->bad = 1;
		return;
	}
	if (d->mail->n_parts == 0) {
		d->not_report = 1;
		return;
	}
	d->parts = xcalloc(d->mail->n_parts, sizeof(*d->parts));
	d->n_parts = d->mail->n_parts;
	for (i = 0; i < d->n_parts; i++) {
		const struct mail_part *mp = &d->mail->parts[i];

		snprintf(where, sizeof(where), "part %zu (%s%s%s): ", i + 1, mp->content_type,
		         mp->filename != NULL ? ", " : "",
		         mp->filename != NULL ? esc(mp->filename) : "");
		if (decode_report(mp->data, mp->len, where, &d->parts[i], d->reason,
		                  sizeof(d->reason)) > 0)
			d->bad = 1;
	}
}

struct decoded_input *decode_input(const uint8_t *data, size_t len, int64_t orig_size,
                                   int truncated)
{
	struct decoded_input *d = xcalloc(1, sizeof(*d));

	d->data = data;
	d->len = len;
	d->orig_size = orig_size;
	d->truncated = truncated;
	if (truncated || len > LIMIT_INPUT_BYTES) {
		snprintf(d->reason, sizeof(d->reason), "input larger than %u bytes",
		         LIMIT_INPUT_BYTES);
		d->bad = 1;
	} else if (decode_is_blank(data, len)) {
		snprintf(d->reason, sizeof(d->reason), "empty input");
		d->bad = 1;
	} else if (gz_is_gzip(data, len) || decode_is_json(data, len) ||
	           !mail_looks_like_message(data, len)) {
		d->parts = &d->one;
		d->n_parts = 1;
		d->bad = decode_report(data, len, "", &d->one, d->reason, sizeof(d->reason));
	} else {
		decode_mail(d);
	}
	return d;
}

size_t decode_json_bytes(const struct decoded_input *d)
{
	size_t i, n = 0;

	for (i = 0; i < d->n_parts; i++)
		n += d->parts[i].json_len;
	return n;
}

void decode_free(struct decoded_input *d)
{
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < d->n_parts; i++) {
		record_free(&d->parts[i].rec);
		report_free(d->parts[i].r);
		free(d->parts[i].json);
	}
	if (d->parts != &d->one)
		free(d->parts);
	mail_free(d->mail);
	free(d);
}
