/*
 * fuzz-stooq - CSV through sp_fetch_parse_stooq() and, on the same bytes,
 * sp_fetch_parse_csv() (the generic bar CSV, NDJSON too), on arbitrary bytes, with the checks of fetch-check.h.
 */
#include "fetch-check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	run(sp_fetch_parse_stooq, data, size);
	run(sp_fetch_parse_csv, data, size);
	return 0;
}
