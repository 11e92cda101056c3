/*
 * fuzz_mail.c - libFuzzer target for the MIME walker (core/mail.c).
 *
 * Input: any bytes, taken as a mail message. mail_parse() must never
 * crash, read out of bounds, leak or run away; on success every part must
 * be NUL-terminated at its length with a lower-case content type, and the
 * limits must hold.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "limits.h"
#include "mail.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mail_message *m = NULL;
	char err[512];
	size_t i;
	const char *c;

	(void)mail_looks_like_message(data, size);
	if (mail_parse(data, size, &m, err, sizeof(err)) < 0) {
		if (m != NULL || err[0] == '\0' || memchr(err, '\n', strlen(err)) != NULL)
			abort();
		return 0;
	}
	if (m->n_parts > LIMIT_REPORTS_PER_MESSAGE)
		abort();
	for (i = 0; i < m->n_parts; i++) {
		if (m->parts[i].data[m->parts[i].len] != '\0')
			abort();
		for (c = m->parts[i].content_type; *c != '\0'; c++)
			if (*c >= 'A' && *c <= 'Z')
				abort();
	}
	mail_free(m);
	return 0;
}
