/*
 * predict-job.h - the parts of sp-predict (lib/predict*.c) share the job:
 * the model, the input's columns, and a block of rows for the model.  Not
 * for tools.
 */
#ifndef SP_PREDICT_JOB_H
#define SP_PREDICT_JOB_H

#include "calendar.h"
#include "date.h"
#include "model.h"
#include "predict.h"
#include "record.h"

#define BLOCK 1024	/* rows per call of the model */

struct job {
	const struct sp_predict_options *o;
	const struct sp_calendar *cal;
	struct sp_model *model;
	struct sp_writer *w;
	int *cols;		/* reader column of each model feature */
	int csym, cdate, cclose;
	/* the block being gathered */
	size_t n;
	double *x, *pred, *prob, *close, *hw;
	char (*sym)[64];
	const char *symp[BLOCK];
	struct sp_when *when;
	long long rows, skipped, bad;
	int bound;
	int failed;		/* a part thread's error */
};

/* Allocate (again, for a new model) or free J's block.  0 or -1. */
int sp_predict_block_alloc(struct job *j);
void sp_predict_block_free(struct job *j);
/* Find the model's columns in R's header.  0, or -1 after a message. */
int sp_predict_bind(struct job *j, struct sp_reader *r);
/* Add R's current row to the block, predicting it when full.  0 or -1. */
int sp_predict_row(struct job *j, const struct sp_reader *r);
/* Predict and write the rows of the block.  0 or -1. */
int sp_predict_flush(struct job *j);

/*
 * Predict the large plain CSV file PATH on several threads: 1 when done,
 * 0 when the file does not qualify (the caller reads it the usual way), -1
 * on error.
 */
int sp_predict_split(struct job *j, const char *path);

#endif
