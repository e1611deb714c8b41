/*
 * fuzz-csv - the CSV reader (line splitting, libcsv, recovery from bad
 * quoting, UTF-8 checks, zstd) and the CSV writer.
 *
 * Input that the reader would take for NDJSON (first non-blank byte '{')
 * gets a byte in front so that it stays CSV; zstd input is left alone.
 */
#include "walk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t i = first_nonblank(data, size);

	if (i < size && data[i] == '{') {
		uint8_t *copy = malloc(size + 1);
		if (!copy)
			abort();
		copy[0] = '_';
		memcpy(copy + 1, data, size);
		walk(copy, size + 1, SP_FORMAT_CSV);
		free(copy);
		return 0;
	}
	/* Alternate the writer's format on a bit of the input. */
	walk(data, size, size && (data[size - 1] & 1) ? SP_FORMAT_NDJSON : SP_FORMAT_CSV);
	return 0;
}
