/*
 * fuzz-yahoo - Yahoo's chart JSON through sp_fetch_parse_yahoo() (simdjson's
 * DOM parser and the walk of lib/fetch-parse-yahoo.cc), on arbitrary bytes, with the checks of fetch-check.h.
 */
#include "fetch-check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	run(sp_fetch_parse_yahoo, data, size);
	return 0;
}
