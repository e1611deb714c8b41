/*
 * fuzz-ndjson - the NDJSON reader (line splitting, jansson, columns added
 * as keys appear, number text) and the NDJSON writer.
 *
 * Input whose first non-blank byte is not '{' gets one in front, so that
 * the reader detects NDJSON (a leading BOM and blanks stay before it).
 */
#include "walk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t i = first_nonblank(data, size);
	uint8_t *copy;

	if (i < size && data[i] == '{') {
		walk(data, size, size && (data[size - 1] & 1) ? SP_FORMAT_CSV
							   : SP_FORMAT_NDJSON);
		return 0;
	}
	copy = malloc(size + 1);
	if (!copy)
		abort();
	memcpy(copy, data, i);
	copy[i] = '{';
	memcpy(copy + i + 1, data + i, size - i);
	walk(copy, size + 1, SP_FORMAT_NDJSON);
	free(copy);
	return 0;
}
