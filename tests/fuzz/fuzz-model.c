/*
 * fuzz-model - the model file reader (model.h): any bytes either load as a
 * model, which then predicts a few rows (missing values among them) and
 * writes itself back as JSON that loads again, or are refused with a message.
 */
#include "model.h"

#include "json.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "check failed: %s\n", #c); abort(); } } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The bytes as a file sp_model_load() can open. */
static int as_file(const uint8_t *data, size_t size, char path[64])
{
	int fd = memfd_create("model", 0);

	if (fd < 0)
		return -1;
	if (size && write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return -1;
	}
	snprintf(path, 64, "/proc/self/fd/%d", fd);
	return fd;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64], *text;
	struct sp_model *m;
	double x[3 * 64], ret[3], prob[3];
	json_t *doc;
	int fd;

	if (size > (1 << 20) || (fd = as_file(data, size, path)) < 0)
		return 0;
	m = sp_model_load(path);
	close(fd);
	if (!m)
		return 0;
	if (m->nfeat <= 64) {
		for (size_t i = 0; i < 3 * m->nfeat; i++)
			x[i] = i % 5 == 4 ? NAN : (double)i / 7 - 1;
		if (sp_model_predict(m, x, 3, ret, prob) == 0)
			for (int i = 0; i < 3; i++)
				CHECK(!isinf(ret[i]) || m->kind != SP_MODEL_NAIVE);
	}
	doc = sp_model_to_json(m);
	if (doc && (text = sp_json_format(doc, NULL))) {
		struct sp_model *again;
		fd = as_file((const uint8_t *)text, strlen(text), path);
		again = fd >= 0 ? sp_model_load(path) : NULL;
		if (fd >= 0)
			close(fd);
		CHECK(again != NULL);
		CHECK(again->kind == m->kind && again->nfeat == m->nfeat);
		sp_model_free(again);
		free(text);
	}
	json_decref(doc);
	sp_model_free(m);
	return 0;
}
