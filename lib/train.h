/*
 * train.h - walk-forward training and evaluation of one model kind against
 * the naive baselines.  The caller owns the dataset and the options; the
 * result owns its model, report and out-of-sample arrays until
 * sp_train_result_release().
 */
#ifndef SP_TRAIN_H
#define SP_TRAIN_H

#include "dataset.h"
#include "gbdt.h"
#include "model.h"

#include <jansson.h>
#include <stdio.h>

struct sp_train_options {
	enum sp_model_kind kind;
	enum sp_naive_rule naive_rule;	/* what --model naive stores */
	int folds;			/* test folds (5) */
	int window;			/* rolling training window in dates; 0 expanding */
	int embargo;			/* dates between training labels and a test fold; -1: horizon */
	double val_frac;		/* the latest share of training dates that selects
					 * hyperparameters (0.2) */
	const double *alphas;		/* penalty grid; NULL: the default */
	size_t nalphas;
	double coverage;		/* 0.8 */
	int adaptive;			/* adaptive conformal inference */
	double aci_gamma;		/* 0.005 */
	double buy, sell;		/* NAN: defaults by kind */
	struct sp_gbdt_params gbdt;
	int quiet;			/* no table on stderr */
	int per_symbol;			/* one model per symbol */
};

void sp_train_options_init(struct sp_train_options *o);

struct sp_train_result {
	struct sp_model *model;		/* fitted on every row */
	json_t *report;			/* what --report writes */
	/* Out-of-sample walk-forward predictions of rows [oos_from, n) of
	 * the dataset (the first block of dates is training only). */
	size_t oos_from;
	double *pred, *half_width;	/* target units; half_width NAN if none */
	double *prob;			/* logistic: probability of a rise, else NAN */
	double *base_mean;		/* the mean baseline's predictions */
	/* The most recent fold's test rows, for promotion decisions. */
	size_t last_from, last_to;
};

/*
 * Run the walk-forward evaluation of O->kind on DS and fit the final model
 * on all of it.  0, or -1 after a message (too few dates for the folds, a
 * fit that fails).
 */
int sp_train_run(const struct sp_dataset *ds, const struct sp_train_options *o,
		 struct sp_train_result *res);

/*
 * The same with one model per symbol (--per-symbol): each symbol's rows are
 * evaluated and fitted alone; the report pools the out-of-sample figures of
 * all symbols and gives each symbol's own.  A symbol with too few dates is
 * left out with a warning, and listed in the report.
 */
int sp_train_run_per_symbol(const struct sp_dataset *ds, const struct sp_train_options *o,
			    struct sp_train_result *res);

void sp_train_result_release(struct sp_train_result *res);

/* The readable table of RES's report, for stderr. */
void sp_train_print_table(const json_t *report, FILE *f);

/* Metrics of forecasts PRED on rows [A, B) of DS as a report object. */
json_t *sp_train_metrics(const struct sp_dataset *ds, const double *pred, size_t a, size_t b);

#endif
