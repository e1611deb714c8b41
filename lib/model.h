/*
 * model.h - a fitted model (contracts.md "Models"): what it predicts from,
 * its parameters, its interval and signal thresholds, and the JSON file it
 * lives in.  A struct sp_model owns everything it points to, members of an
 * ensemble included; sp_model_free() releases it.
 */
#ifndef SP_MODEL_H
#define SP_MODEL_H

#include "linear.h"

#include <jansson.h>
#include <stddef.h>

enum sp_model_kind {
	SP_MODEL_NAIVE,
	SP_MODEL_RIDGE,
	SP_MODEL_LOGISTIC,
	SP_MODEL_GBDT,
	SP_MODEL_ENSEMBLE,
};

/* The three baselines; a naive model is one of them. */
enum sp_naive_rule { SP_NAIVE_ZERO, SP_NAIVE_MEAN, SP_NAIVE_MOMENTUM };

struct sp_gbdt;

struct sp_model {
	enum sp_model_kind kind;
	size_t nfeat;
	char **feat;		/* the input columns it reads, in order */
	char *target;		/* y_ret_5, y_logret_5 */
	int horizon, logret;

	/* signal: buy above BUY, sell below SELL, on pred_return (the
	 * probability of a rise for logistic) */
	double buy, sell;
	/* prediction interval: target +- half_width, at COVERAGE */
	double coverage, half_width;

	struct sp_linear lin;		/* ridge, logistic */
	enum sp_naive_rule rule;	/* naive */
	double mean;			/* naive mean */
	struct sp_gbdt *gbdt;		/* gbdt */
	size_t nmembers;		/* ensemble */
	struct sp_model **members;
	double *weights;
	/* --per-symbol: one model of the same kind per symbol, sorted by name;
	 * a symbol not among them gets no prediction */
	size_t nsymbols;
	char **symbols;
	struct sp_model **by_symbol;

	char *label;		/* "name@version" for the predictions' model column */
	json_t *doc;		/* the file's other sections, kept as read */
};

const char *sp_model_kind_name(enum sp_model_kind kind);
/* 0 and *KIND set, or -1 for an unknown name (no message). */
int sp_model_kind_parse(const char *name, enum sp_model_kind *kind);
const char *sp_naive_rule_name(enum sp_naive_rule rule);

/* A model of KIND over the N features NAMES (copied), every number unset. */
struct sp_model *sp_model_new(enum sp_model_kind kind, const char *const *names, size_t n,
			      const char *target, int horizon, int logret);
void sp_model_free(struct sp_model *m);

/*
 * Predict N rows of X (row-major, nfeat columns, NAN where missing) into
 * RET (the target: a return, or a log return) and, when PROB is not NULL,
 * PROB (the probability of a rise for logistic models, NAN otherwise).
 * A row a model cannot predict (a missing value for ridge and logistic)
 * gets NAN.  0, or -1 after a message.
 */
int sp_model_predict(const struct sp_model *m, const double *x, size_t n, double *ret,
		     double *prob);

/*
 * sp_model_predict() for rows of symbols SYM (read only for per-symbol
 * models) that also gives each row's interval half-width HW.
 */
int sp_model_predict_sym(const struct sp_model *m, const char *const *sym, const double *x,
			 size_t n, double *ret, double *prob, double *hw);

/* The model that predicts SYMBOL: M itself, or its per-symbol model; NULL if none. */
const struct sp_model *sp_model_pick(const struct sp_model *m, const char *symbol);

/*
 * Add SUB (taken over) as the model of SYMBOL (copied) to the per-symbol
 * model M.  Symbols must come in increasing order.  0, or -1 after a message.
 */
int sp_model_add_symbol(struct sp_model *m, const char *symbol, struct sp_model *sub);

/* The model's sections of its file: kind, features, target, params... New reference. */
json_t *sp_model_to_json(const struct sp_model *m);

/*
 * Read a model file (zstd or not).  Every field the model needs is checked;
 * a file from a newer format, or of an unknown kind, is refused.  NULL
 * after "sp-TOOL: FILE: ..." messages.
 */
struct sp_model *sp_model_load(const char *path);

#endif
