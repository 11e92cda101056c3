/* Fuzz target: the HTTPS intake's body path (web/intake.c) as a dry run:
 * the Content-Type check, a body arriving in chunks under the caps, then
 * the same ingest path as every input. An input starting with
 * "Content-Type: ...\n" sets the header (the rest is the body); otherwise
 * the whole input is a body posted as application/tlsrpt+json, so report
 * files serve as seeds. The chunk size varies with the input's size. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "intake.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct intake *in;
	static const char prefix[] = "Content-Type: ";
	const size_t plen = sizeof(prefix) - 1;
	char ct[256] = "application/tlsrpt+json", clen[32], err[256];
	const uint8_t *body = data, *nl;
	size_t body_len = size, off, chunk = 1 + size % 251, n;
	struct intake_reply reply;
	struct intake_body b;

	/* one dry-run intake for the whole run: it holds no report, and no
	 * budget (a long run would otherwise spend a client's day budget and
	 * fuzz nothing but the 429) */
	if (in == NULL) {
		struct intake_limits none;

		if (intake_new(NULL, &in, err, sizeof(err)) < 0)
			return 0;
		memset(&none, 0, sizeof(none));
		intake_set_limits(in, &none);
	}
	if (size > plen && memcmp(data, prefix, plen) == 0 &&
	    (nl = memchr(data, '\n', size)) != NULL && (size_t)(nl - data) - plen < sizeof(ct)) {
		n = (size_t)(nl - data) - plen;
		memcpy(ct, data + plen, n);
		ct[n] = '\0';
		body = nl + 1;
		body_len = size - (size_t)(body - data);
	}
	snprintf(clen, sizeof(clen), "%zu", body_len);
	if (intake_begin("POST", ct, clen, &reply) < 0)
		return 0;
	intake_body_init(&b);
	for (off = 0; off < body_len; off += n) {
		n = body_len - off < chunk ? body_len - off : chunk;
		intake_body_append(in, &b, body + off, n);
	}
	intake_finish(in, &b, "192.0.2.1", &reply);
	intake_body_free(in, &b);
	return 0;
}
