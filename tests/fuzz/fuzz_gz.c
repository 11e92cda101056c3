/* Fuzz target: gzip inflate with a small cap (bombs stop at the cap). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "gz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *out = NULL;
	size_t outlen;
	char err[256];

	if (gz_inflate(data, size, 1u << 20, &out, &outlen, err, sizeof(err)) == 0)
		free(out);
	return 0;
}
