/* Fuzz target: the _mta-sts and _smtp._tls TXT records, the MTA-STS policy
 * file and the mx pattern rule (core/mtasts.c). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mtasts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mtasts_policy p;
	static struct tlsrpt_record t;
	struct mtasts_record r;
	char *s = malloc(size + 1), err[256];
	int i;

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	(void)mtasts_parse_record(s, &r, err, sizeof(err));
	(void)tlsrpt_parse_record(s, &t, err, sizeof(err));
	if (mtasts_parse_policy((const char *)data, size, &p, err, sizeof(err)) == 0)
		for (i = 0; i < p.n_mx; i++)
			(void)mtasts_mx_matches(p.mx[i], s);
	free(s);
	return 0;
}
