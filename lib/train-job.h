/*
 * train-job.h - sp-train from files to files: read features, evaluate, fit,
 * write the model, the report, the out-of-sample predictions and the
 * registry entry.  The options and their strings belong to the caller.
 */
#ifndef SP_TRAIN_JOB_H
#define SP_TRAIN_JOB_H

#include "dataset.h"
#include "publish.h"
#include "record.h"
#include "train.h"

struct sp_train_job {
	struct sp_dataset_options data;
	struct sp_train_options train;
	const char *output;		/* model file, or NULL with a registry */
	const char *report;		/* --report FILE.json */
	const char *oos;		/* --oos-predictions FILE */
	enum sp_format oos_format;
	const char *calendar;		/* XNYS */
	struct sp_publish publish;	/* dir NULL: no registry */
	const char *const *argv;	/* the command line, recorded in the model */
	int argc;
};

void sp_train_job_init(struct sp_train_job *j);

/* Run the job on the features files PATHS (stdin if none).  An exit status. */
int sp_train_job_run(struct sp_train_job *j, const char *const *paths, size_t npaths);

#endif
