/* Fuzz target: the whole ingest path (detection, gzip, mail, report) as a
 * dry run: what every input from a file, a mailbox or a POST goes through. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ingest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ingest *ig = ingest_new(NULL);
	struct ingest_result res;
	struct source_info src;
	char err[512], what[1024];

	memset(&src, 0, sizeof(src));
	src.kind = "fuzz";
	if (ingest_input(ig, data, size, (int64_t)size, 0, &src, &res, err, sizeof(err)) == 0)
		ingest_describe(&res, what, sizeof(what));
	ingest_free(ig);
	return 0;
}
