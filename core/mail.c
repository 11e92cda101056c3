/*
 * mail.c - placeholder until the MIME walker lands (issue: collector).
 * Mail input is refused with a clear reason, and so quarantined, never lost.
 */
#include "mail.h"

#include <stdio.h>
#include <string.h>

int mail_looks_like_message(const uint8_t *data, size_t len)
{
	(void)data;
	(void)len;
	return 0;
}

int mail_parse(const uint8_t *data, size_t len, struct mail_message **out, char *err,
	       size_t errlen)
{
	(void)data;
	(void)len;
	(void)out;
	snprintf(err, errlen, "mail messages are not supported yet");
	return -1;
}

void mail_free(struct mail_message *m)
{
	(void)m;
}
