/*
 * predict.h - sp-predict's job: features in, predictions (contracts.md) out.
 * The options and their strings belong to the caller.
 */
#ifndef SP_PREDICT_H
#define SP_PREDICT_H

#include "record.h"

#include <stddef.h>

struct sp_predict_options {
	const char *model;		/* --model FILE */
	const char *registry, *name;	/* or the registry's current NAME */
	const char *output;
	enum sp_format format;		/* SP_FORMAT_AUTO: the input's */
	int stream;			/* flush every record */
	double buy, sell;		/* NAN: the model's */
	const char *calendar;		/* XNYS */
};

void sp_predict_options_init(struct sp_predict_options *o);

/*
 * Predict every row of PATHS (stdin if none).  SIGHUP reloads the model
 * between two records.  Returns an exit status.
 */
int sp_predict_run(const struct sp_predict_options *o, const char *const *paths,
		   size_t npaths);

#endif
