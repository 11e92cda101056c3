/* Fuzz target: RFC 3339 date-time and UTC day parsing. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "datetime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), err[128], buf[32];
	int64_t t, day;

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (datetime_parse_rfc3339(s, &t, err, sizeof(err)) == 0)
		datetime_format_utc(t, buf, sizeof(buf));
	if (datetime_parse_day(s, &day, err, sizeof(err)) == 0)
		datetime_format_day(day, buf, sizeof(buf));
	free(s);
	return 0;
}
