/*
 * linear.h - ridge regression and L2-penalised logistic regression on
 * standardised features, solved with GSL.  struct sp_moments and struct
 * sp_linear own their arrays; the data they are computed from stays the
 * caller's.
 */
#ifndef SP_LINEAR_H
#define SP_LINEAR_H

#include <stddef.h>

/*
 * Sufficient statistics of a set of rows for ridge: count, sums, and the
 * cross-products of the features and the target, all taken about a fixed
 * shift (the global means) so that the centred moments of any union of
 * sets can be formed without cancellation.
 */
struct sp_moments {
	size_t p;
	double n;
	double *su;	/* p: sum of x - shift */
	double *suu;	/* p * p: sum of (x - shift)(x - shift)' */
	double *suv;	/* p: sum of (x - shift)(y - yshift) */
	double sv, svv;	/* sum of y - yshift and of its square */
	const double *shift;	/* p + 1 values (features, then y), the caller's */
};

/* 0, or -1 after "out of memory".  SHIFT must outlive M. */
int sp_moments_init(struct sp_moments *m, size_t p, const double *shift);
void sp_moments_release(struct sp_moments *m);
void sp_moments_clear(struct sp_moments *m);
/* Add rows [A, B) of X (row-major, p columns, all finite) and Y. */
void sp_moments_add_rows(struct sp_moments *m, const double *x, const double *y, size_t a,
			 size_t b);
/* DST += SRC (same p and shift). */
void sp_moments_add(struct sp_moments *dst, const struct sp_moments *src);

/*
 * A fitted linear model.  Features are standardised with the mean and the
 * population standard deviation of the training rows (a constant feature
 * gets sd 1 and coefficient 0); beta holds the coefficients on that scale,
 * coef the same model on the original scale: pred = intercept + coef . x.
 */
struct sp_linear {
	size_t p;
	double alpha;		/* the L2 penalty on beta */
	double intercept;
	double *coef, *beta, *mean, *sd;
	/* logistic only: mean target of the rising and the other training rows */
	double up_mean, down_mean;
	int iterations;
};

int sp_linear_init(struct sp_linear *f, size_t p);
void sp_linear_release(struct sp_linear *f);
int sp_linear_copy(struct sp_linear *dst, const struct sp_linear *src);

/*
 * Ridge on the rows summarised by M: minimise |yc - Z beta|^2 + ALPHA |beta|^2
 * with yc the centred target and Z the standardised features (the objective
 * of scikit-learn's Ridge after StandardScaler).  0, or -1 after a message
 * (fewer than 2 rows, a singular system when ALPHA is 0).
 */
int sp_ridge_fit(const struct sp_moments *m, double alpha, struct sp_linear *f);

/* Sum of squared errors of F on the rows summarised by M, without the rows. */
double sp_ridge_sse(const struct sp_moments *m, const struct sp_linear *f);

/* Linear prediction intercept + coef . x for one row. */
double sp_linear_eval(const struct sp_linear *f, const double *x);

/*
 * Logistic regression of [y > 0] on rows [A, B) of X and Y by Newton's
 * method (IRLS), with the penalty ALPHA/2 |beta|^2 on standardised features
 * (not on the intercept).  0, or -1 after a message (no rows, one class
 * only, no convergence in 100 steps).
 */
int sp_logistic_fit(const double *x, const double *y, size_t a, size_t b, size_t p,
		    double alpha, struct sp_linear *f);

/* Probability of a rise for one row. */
double sp_logistic_prob(const struct sp_linear *f, const double *x);

/* Mean log loss of F on rows [A, B). */
double sp_logistic_loss(const struct sp_linear *f, const double *x, const double *y, size_t a,
			size_t b, size_t p);

#endif
