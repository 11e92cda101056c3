/*
 * fuzz_trust.c - libFuzzer target for the Authentication-Results reading
 * and the verdict (collector/trust.c), with authserv_id set so that no
 * DNS is asked.
 *
 * Input: any bytes, taken as a mail message. Whatever its A-R headers say,
 * the verdict must never crash or read out of bounds; a pass must name a
 * signing domain aligned with the From domain, and a refusal must carry a
 * one-line reason naming DKIM.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mail.h"
#include "trust.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct trust_verdict v;
	struct trust_config t;
	struct mail_message *m = NULL;
	char err[512], from[300];

	if (mail_parse(data, size, &m, err, sizeof(err)) < 0)
		return 0;
	memset(&t, 0, sizeof(t));
	t.dkim = TRUST_DKIM_REQUIRE;
	t.authserv_id = (char *)"mx.example.com";
	trust_check_mail(&t, m, data, size, &v);
	if (v.pass) {
		if (trust_from_domain(m->from, from, sizeof(from)) < 0 ||
		    !trust_domain_aligned(v.domain, from) || strcmp(v.result, "pass") != 0)
			abort();
	} else if (strncmp(v.reason, "not DKIM-signed by the reporting domain (", 41) != 0 ||
	           strchr(v.reason, '\n') != NULL) {
		abort();
	}
	mail_free(m);
	return 0;
}
