/*
 * fuzz-alphavantage - Alpha Vantage JSON (jansson) and CSV through
 * sp_fetch_parse_alphavantage(), on arbitrary bytes, with the checks of
 * fetch-check.h.
 */
#include "fetch-check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	run(sp_fetch_parse_alphavantage, data, size);
	return 0;
}
