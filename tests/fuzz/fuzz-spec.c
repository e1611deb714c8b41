/*
 * fuzz-spec - the indicator spec parser (ind.h): any token either makes an
 * indicator, whose names, warm-up and state are then used on a few bars with
 * missing values among them, or is refused with a message.
 */
#include "ind.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "check failed: %s\n", #c); abort(); } } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char token[512], err[256];
	struct sp_ind *ind;

	if (size >= sizeof(token))
		return 0;
	memcpy(token, data, size);
	token[size] = '\0';
	memset(err, 'X', sizeof(err));
	ind = sp_ind_new(token, err, sizeof(err));
	if (!ind) {
		CHECK(memchr(err, '\0', sizeof(err)) != NULL && err[0] != '\0');
		return 0;
	}
	int n = sp_ind_outputs(ind);
	size_t bytes = sp_ind_state_size(ind);
	CHECK(n >= 1 && n <= 64);
	for (int k = 0; k < n; k++)
		CHECK(sp_ind_output_name(ind, k) && sp_ind_output_name(ind, k)[0]);
	CHECK(sp_ind_warmup(ind) >= 0);
	/* Large windows make large states; a few bars are enough here. */
	if (bytes > (64u << 20)) {
		sp_ind_free(ind);
		return 0;
	}
	void *state = malloc(bytes ? bytes : 1);
	double out[64];
	CHECK(state != NULL);
	sp_ind_state_init(ind, state);
	for (int t = 0; t < 40; t++) {
		double c = 100 + (t % 7) - (t % 3) * 1.5;
		struct sp_ind_bar bar = { c, c + 1, c - 1, c, 1000 + t, 1 + t % 5 };
		if (t % 11 == 4)
			bar.close = NAN;
		if (t % 13 == 6)
			bar.volume = NAN;
		sp_ind_update(ind, state, &bar, out);
		for (int k = 0; k < n; k++)
			CHECK(!isinf(out[k]));
	}
	free(state);
	sp_ind_free(ind);
	return 0;
}
