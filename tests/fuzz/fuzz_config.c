/* Fuzz target: the INI configuration parser. */
#include <stddef.h>
#include <stdint.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config *c = NULL;
	char err[512];

	if (config_parse_text((const char *)data, size, "fuzz", &c, err, sizeof(err)) == 0) {
		(void)config_get(c, "", "database");
		(void)config_get(c, "imap", "host");
		config_free(c);
	}
	return 0;
}
