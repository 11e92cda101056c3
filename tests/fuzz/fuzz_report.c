/* Fuzz target: report JSON -> struct report -> count-once tally. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "tally.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct report *r = NULL;
	struct tally t;
	char err[512];
	char *json = malloc(size + 1);

	if (json == NULL)
		return 0;
	memcpy(json, data, size);
	json[size] = '\0';
	if (report_parse_json(json, size, &r, err, sizeof(err)) == 0) {
		tally_report(r, &t);
		tally_free(&t);
		report_free(r);
	}
	free(json);
	return 0;
}
