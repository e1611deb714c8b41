/*
 * gbdt.h - gradient-boosted trees through XGBoost's C API; a struct sp_gbdt owns its booster.
 *
 * Features are doubles, row-major, NAN for missing (XGBoost routes missing values down a
 * learned default branch).  XGBoost works in single precision: each feature is rounded to the
 * nearest float and values beyond the float range (infinities included) are clamped to
 * +-FLT_MAX, the same way at fit and at predict, so a tree sees the same order either way.
 * Nothing here prints except errors through usage.h; XGBoost's own logging is silenced.
 * A booster must not be used from two threads at once.
 */
#ifndef SP_GBDT_H
#define SP_GBDT_H

#include <stddef.h>

struct sp_gbdt_params {
	const char *objective;	/* "reg:squarederror" (default) or "binary:logistic" */
	int max_depth;		/* 3 */
	double eta;		/* 0.05 */
	double subsample;	/* 0.8 */
	double colsample;	/* 0.8 (colsample_bytree) */
	double min_child_weight;/* 50: returns are noisy; leaves need many rows */
	double lambda;		/* 1 */
	int max_rounds;		/* 500 */
	int early_stop;		/* 30: stop when the validation metric has not improved
				 * for this many rounds; <= 0 never stops early (the best
				 * rounds are still kept) */
	unsigned long seed;	/* 0; must be below 2^63 */
	int threads;		/* 0 = XGBoost's default (every core); tests use 1.  Kept by the
				 * booster for its predictions; a loaded booster uses the default */
};

/* Fill P with the defaults above. */
void sp_gbdt_params_init(struct sp_gbdt_params *p);

struct sp_gbdt;

/*
 * Fit on N rows of NFEAT features X (row-major doubles, NAN = missing) with labels Y (finite;
 * 0 or 1 for binary:logistic).  The base score is the mean of Y (clamped into (0, 1) for
 * binary:logistic) rather than XGBoost's fixed 0.5, so no rounds are spent learning a constant.
 * With NVAL > 0 validation rows XVAL, YVAL, early stopping on the validation metric (rmse for
 * regression, logloss for binary; another objective uses XGBoost's default metric, which must
 * be one where lower is better), and the returned booster keeps only the rounds up to the best
 * one; without, MAX_ROUNDS rounds.  *ROUNDS gets the rounds kept, *SECONDS_PER_ROUND the mean
 * wall time of a boosting round run (update and validation; either pointer may be NULL).
 * Deterministic: the same inputs and params (threads included) give the same booster bytes.
 * NULL after a message (XGBoost's error text included).
 */
struct sp_gbdt *sp_gbdt_fit(const struct sp_gbdt_params *p, const double *x, const double *y,
			    size_t n, size_t nfeat, const double *xval, const double *yval,
			    size_t nval, int *rounds, double *seconds_per_round);

/*
 * Predict N rows X (row-major, NFEAT columns, NAN missing; NFEAT must be the booster's) into
 * OUT[0..N), transformed from the margin: a value for regression, a probability for binary.
 * Rows are predicted in blocks, so memory stays bounded for any N.  0, or -1 after a message.
 */
int sp_gbdt_predict(const struct sp_gbdt *g, const double *x, size_t n, size_t nfeat, double *out);

/*
 * The booster as XGBoost's JSON model text (malloc'd, NUL-terminated, the caller frees; *LEN,
 * if LEN is not NULL, gets its length without the NUL), to be embedded as a JSON value in sp's
 * model file.  NULL after a message.
 */
char *sp_gbdt_save_json(const struct sp_gbdt *g, size_t *len);

/*
 * A booster from LEN bytes of that text (a JSON object; NUL not needed), predicting exactly as
 * the one saved.  NULL after a message.
 */
struct sp_gbdt *sp_gbdt_load_json(const char *json, size_t len);

/* The number of features the booster was fitted on. */
size_t sp_gbdt_nfeat(const struct sp_gbdt *g);

/* Free G and its booster; G may be NULL. */
void sp_gbdt_free(struct sp_gbdt *g);

/*
 * End the worker threads that XGBoost's OpenMP runtime keeps for the calling thread (a later
 * fit or predict starts them again).  Call it before a program that used more than one thread
 * ends, or valgrind reports each live worker's thread-local storage as possibly lost.
 */
void sp_gbdt_release_threads(void);

#endif
