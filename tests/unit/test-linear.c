/*
 * test-linear.c - ridge and logistic regression against values computed
 * independently: the ridge solution by the textbook route (two-pass means
 * and population sds, Z'Z + alpha I and Z'(y - ybar) formed from the rows,
 * Gaussian elimination with partial pivoting in long double); the logistic
 * solution by checking the penalised score equations at the returned fit;
 * both against scikit-learn 1.2 on small literal datasets (the Python code
 * and its output are in the comments); and a few cases done by hand.
 */
#include "linear.h"
#include "tap.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

/* |got - want| <= rel * |want|; exact when want is 0. */
#define is_rel(got, want, rel, name)                                                               \
	do {                                                                                       \
		double g_ = (got), w_ = (want);                                                    \
		if (!ok(fabs(g_ - w_) <= (rel)*fabs(w_), "%s", name))                              \
			printf("#   got %.17g, want %.17g\n", g_, w_);                             \
	} while (0)

/* ---- random numbers: splitmix64 and Box-Muller -------------------------------- */

static uint64_t rng_state = 0x5eed1234abcdULL;

static uint64_t splitmix64(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform on (0, 1). */
static double uniform(void)
{
	return ((double)(splitmix64() >> 11) + 0.5) / 9007199254740992.0;
}

static double gauss(void)
{
	return sqrt(-2 * log(uniform())) * cos(6.283185307179586 * uniform());
}

/* ---- the reference ridge ------------------------------------------------------ */

enum { MAXP = 8 };

struct ref_fit {
	double intercept, coef[MAXP], beta[MAXP], mean[MAXP], sd[MAXP];
};

/* Solve A x = b (n x n, row-major, destroyed) by elimination with partial pivoting. */
static int solve(int n, long double *a, long double *b, long double *x)
{
	for (int c = 0; c < n; c++) {
		int piv = c;
		for (int r = c + 1; r < n; r++)
			if (fabsl(a[r * n + c]) > fabsl(a[piv * n + c]))
				piv = r;
		if (a[piv * n + c] == 0)
			return -1;
		if (piv != c) {
			for (int k = 0; k < n; k++) {
				long double t = a[c * n + k];
				a[c * n + k] = a[piv * n + k];
				a[piv * n + k] = t;
			}
			long double t = b[c];
			b[c] = b[piv];
			b[piv] = t;
		}
		for (int r = c + 1; r < n; r++) {
			long double m = a[r * n + c] / a[c * n + c];
			for (int k = c; k < n; k++)
				a[r * n + k] -= m * a[c * n + k];
			b[r] -= m * b[c];
		}
	}
	for (int r = n - 1; r >= 0; r--) {
		long double s = b[r];
		for (int k = r + 1; k < n; k++)
			s -= a[r * n + k] * x[k];
		x[r] = s / a[r * n + r];
	}
	return 0;
}

/*
 * Ridge on rows [A, B) the direct way.  A feature with sd 0 is left out of
 * the system (coefficient 0, reported sd 1), as the header promises.
 */
static int ref_ridge(const double *x, const double *y, size_t a, size_t b, int p, double alpha,
		     struct ref_fit *r)
{
	long double n = (long double)(b - a), mean[MAXP], sd[MAXP], ybar = 0;
	long double g[MAXP * MAXP] = { 0 }, rhs[MAXP] = { 0 }, beta[MAXP];
	long double *z = malloc((b - a) * (size_t)p * sizeof(long double));
	int rc;

	if (!z)
		return -1;
	for (int j = 0; j < p; j++) {
		long double s = 0, ss = 0;
		for (size_t i = a; i < b; i++)
			s += x[i * (size_t)p + (size_t)j];
		mean[j] = s / n;
		for (size_t i = a; i < b; i++) {
			long double d = x[i * (size_t)p + (size_t)j] - mean[j];
			ss += d * d;
		}
		sd[j] = sqrtl(ss / n);
	}
	for (size_t i = a; i < b; i++)
		ybar += y[i];
	ybar /= n;
	for (size_t i = a; i < b; i++)
		for (int j = 0; j < p; j++)
			z[(i - a) * (size_t)p + (size_t)j] =
			    sd[j] > 0 ? (x[i * (size_t)p + (size_t)j] - mean[j]) / sd[j] : 0;
	for (int j = 0; j < p; j++) {
		for (int k = 0; k < p; k++) {
			long double s = 0;
			for (size_t i = 0; i < b - a; i++)
				s += z[i * (size_t)p + (size_t)j] * z[i * (size_t)p + (size_t)k];
			g[j * p + k] = s;
		}
		g[j * p + j] += sd[j] > 0 ? alpha : 1;
		for (size_t i = 0; i < b - a; i++)
			rhs[j] += z[i * (size_t)p + (size_t)j] * (y[a + i] - ybar);
	}
	free(z);
	rc = solve(p, g, rhs, beta);
	long double icpt = ybar;
	for (int j = 0; j < p; j++) {
		long double s = sd[j] > 0 ? sd[j] : 1, c = beta[j] / s;
		r->beta[j] = (double)beta[j];
		r->coef[j] = (double)c;
		r->mean[j] = (double)mean[j];
		r->sd[j] = (double)s;
		icpt -= c * mean[j];
	}
	r->intercept = (double)icpt;
	return rc;
}

/* The largest relative error of GOT against WANT (absolute where WANT is 0). */
static double worst(const double *got, const double *want, int n)
{
	double w = 0;

	for (int i = 0; i < n; i++) {
		double d = fabs(got[i] - want[i]);
		if (want[i] != 0)
			d /= fabs(want[i]);
		if (!(d <= w))
			w = d; /* also catches NAN */
	}
	return w;
}

/* Compare a fit from sp_ridge_fit with the reference, one line per quantity. */
static void check_ridge(const struct sp_linear *f, const struct ref_fit *r, int p, double rel,
			const char *what)
{
	double e;

	e = worst(&f->intercept, &r->intercept, 1);
	if (!ok(e <= rel, "%s: intercept (rel err %.2g)", what, e))
		printf("#   got %.17g, want %.17g\n", f->intercept, r->intercept);
	e = worst(f->coef, r->coef, p);
	ok(e <= rel, "%s: coef (worst rel err %.2g)", what, e);
	e = worst(f->beta, r->beta, p);
	ok(e <= rel, "%s: beta (worst rel err %.2g)", what, e);
	e = worst(f->mean, r->mean, p);
	ok(e <= rel, "%s: mean (worst rel err %.2g)", what, e);
	e = worst(f->sd, r->sd, p);
	ok(e <= rel, "%s: sd (worst rel err %.2g)", what, e);
}

/*
 * The largest relative difference between two fits.  The intercept is
 * intercept = ybar - sum coef_j mean_j, so its rounding is relative to
 * |intercept| + sum |coef_j mean_j| (about 10^4 here, with the intercept
 * about 3): it is measured against that.
 */
static double fit_diff(const struct sp_linear *f, const struct sp_linear *g)
{
	double scale = fabs(g->intercept), e, t;
	size_t p = f->p;

	for (size_t j = 0; j < p; j++)
		scale += fabs(g->coef[j] * g->mean[j]);
	e = fabs(f->intercept - g->intercept) / scale;

	if ((t = worst(f->coef, g->coef, (int)p)) > e)
		e = t;
	if ((t = worst(f->beta, g->beta, (int)p)) > e)
		e = t;
	if ((t = worst(f->mean, g->mean, (int)p)) > e)
		e = t;
	if ((t = worst(f->sd, g->sd, (int)p)) > e)
		e = t;
	return e;
}

static double sigmoid(double t)
{
	return 1 / (1 + exp(-t));
}

/*
 * The penalised score equations at F on rows [A, B), scaled by 1/n: the
 * largest of |sum (t - p)| / n and |sum (t - p) z_j - alpha beta_j| / n.
 */
static double score_residual(const struct sp_linear *f, const double *x, const double *y, size_t a,
			     size_t b, size_t p)
{
	long double g[MAXP + 1] = { 0 };
	double worst_g = 0;

	for (size_t i = a; i < b; i++) {
		long double t = f->intercept, r;
		for (size_t j = 0; j < p; j++)
			t += (long double)f->coef[j] * x[i * p + j];
		r = (y[i] > 0) - sigmoid((double)t);
		g[0] += r;
		for (size_t j = 0; j < p; j++)
			g[j + 1] += r * ((x[i * p + j] - f->mean[j]) / f->sd[j]);
	}
	for (size_t j = 0; j <= p; j++) {
		long double v = j ? g[j] - f->alpha * f->beta[j - 1] : g[0];
		double e = (double)fabsl(v) / (double)(b - a);
		if (!(e <= worst_g))
			worst_g = e;
	}
	return worst_g;
}

/* ---- 1, 2: ridge on generated data -------------------------------------------- */

enum { RN = 2000, RP = 6 };

static void test_ridge(void)
{
	static double x[RN * RP], y[RN];
	static const double truth[RP] = { 1, -0.5, 0.25, 2, -1, 0.1 };
	static const double alphas[] = { 0.01, 10, 1e4 };
	double first[RP + 1], colmean[RP + 1] = { 0 };
	const double *shifts[2] = { first, colmean };
	const char *shift_names[2] = { "shift = first row", "shift = column means" };
	struct sp_moments m, piece[3];
	struct sp_linear f, g;
	struct ref_fit r;
	char what[128];

	/* Feature j: mean 100 (j + 1), sd 10^(j - 3); y = 3 + sum (truth_j / sd_j) x_j + N(0, 1) */
	for (size_t i = 0; i < RN; i++) {
		double lin = 3;
		for (int j = 0; j < RP; j++) {
			double sd = pow(10, j - 3), v = 100.0 * (j + 1) + sd * gauss();
			x[i * RP + (size_t)j] = v;
			lin += truth[j] / sd * v;
		}
		y[i] = lin + gauss();
	}
	for (int j = 0; j < RP; j++)
		first[j] = x[j];
	first[RP] = y[0];
	for (size_t i = 0; i < RN; i++) {
		for (int j = 0; j < RP; j++)
			colmean[j] += x[i * RP + (size_t)j] / RN;
		colmean[RP] += y[i] / RN;
	}

	sp_linear_init(&f, RP);
	sp_linear_init(&g, RP);
	for (int s = 0; s < 2; s++) {
		sp_moments_init(&m, RP, shifts[s]);
		sp_moments_add_rows(&m, x, y, 0, RN);
		for (int k = 0; k < 3; k++) {
			snprintf(what, sizeof(what), "ridge alpha %g, %s", alphas[k],
				 shift_names[s]);
			ok(!ref_ridge(x, y, 0, RN, RP, alphas[k], &r), "%s: reference solves",
			   what);
			is_int(sp_ridge_fit(&m, alphas[k], &f), 0, "sp_ridge_fit returns 0");
			is_rel(f.alpha, alphas[k], 0, "the fit records its penalty");
			check_ridge(&f, &r, RP, 1e-8, what);
		}
		sp_moments_release(&m);
	}

	/* Three pieces summed give the fit of one piece. */
	sp_moments_init(&m, RP, first);
	sp_moments_add_rows(&m, x, y, 0, RN);
	for (int k = 0; k < 3; k++)
		sp_moments_init(&piece[k], RP, first);
	sp_moments_add_rows(&piece[0], x, y, 0, 500);
	sp_moments_add_rows(&piece[1], x, y, 500, 1300);
	sp_moments_add_rows(&piece[2], x, y, 1300, RN);
	sp_moments_add(&piece[0], &piece[1]);
	sp_moments_add(&piece[0], &piece[2]);
	is_rel(piece[0].n, RN, 0, "pieces: the counts add up");
	for (int k = 0; k < 3; k++) {
		double e;
		sp_ridge_fit(&m, alphas[k], &f);
		sp_ridge_fit(&piece[0], alphas[k], &g);
		e = fit_diff(&g, &f);
		ok(e <= 1e-12, "alpha %g: three pieces fit as one (worst rel diff %.2g)", alphas[k],
		   e);
	}

	/* Clearing and refilling gives the same moments as new ones. */
	sp_moments_clear(&piece[1]);
	sp_moments_add_rows(&piece[1], x, y, 0, RN);
	sp_ridge_fit(&m, 10, &f);
	sp_ridge_fit(&piece[1], 10, &g);
	ok(fit_diff(&g, &f) == 0, "cleared and refilled moments fit exactly as fresh ones");
	for (int k = 0; k < 3; k++)
		sp_moments_release(&piece[k]);
	sp_moments_release(&m);

	/* 2: the SSE of a model fitted on [0, 1500) on rows [1500, 2000), without the rows. */
	{
		double own_shift[RP + 1];
		long double sse = 0, sse_in = 0;
		struct sp_moments train, test, other;

		for (int j = 0; j <= RP; j++)
			own_shift[j] = j < RP ? x[1500 * RP + (size_t)j] : y[1500];
		sp_moments_init(&train, RP, colmean);
		sp_moments_init(&test, RP, colmean);
		sp_moments_init(&other, RP, own_shift);
		sp_moments_add_rows(&train, x, y, 0, 1500);
		sp_moments_add_rows(&test, x, y, 1500, RN);
		sp_moments_add_rows(&other, x, y, 1500, RN);
		is_int(sp_ridge_fit(&train, 10, &f), 0, "sse: fit on [0, 1500)");
		for (size_t i = 0; i < RN; i++) {
			long double pred = f.intercept, e;
			for (int j = 0; j < RP; j++)
				pred += (long double)f.coef[j] * x[i * RP + (size_t)j];
			e = y[i] - pred;
			if (i < 1500)
				sse_in += e * e;
			else
				sse += e * e;
		}
		is_rel(sp_ridge_sse(&test, &f), (double)sse, 1e-9,
		       "sp_ridge_sse on other rows equals the sum of squared residuals");
		is_rel(sp_ridge_sse(&other, &f), (double)sse, 1e-9,
		       "  also with their moments about their own first row");
		is_rel(sp_ridge_sse(&train, &f), (double)sse_in, 1e-9,
		       "sp_ridge_sse on the training rows equals the sum of squared residuals");
		ok(sse > 400 && sse < 600,
		   "sse: the residuals are the unit noise (%.1f on 500 rows)", (double)sse);
		sp_moments_release(&train);
		sp_moments_release(&test);
		sp_moments_release(&other);
	}

	/* Fewer than 2 rows. */
	sp_moments_init(&m, RP, first);
	sp_moments_add_rows(&m, x, y, 7, 8);
	is_int(sp_ridge_fit(&m, 1, &f), -1, "ridge refuses a single row");
	sp_moments_release(&m);

	/* sp_linear_copy */
	{
		struct sp_linear h;
		sp_moments_init(&m, RP, first);
		sp_moments_add_rows(&m, x, y, 0, RN);
		sp_ridge_fit(&m, 0.01, &f);
		sp_linear_init(&h, RP);
		is_int(sp_linear_copy(&h, &f), 0, "sp_linear_copy returns 0");
		ok(fit_diff(&h, &f) == 0 && h.alpha == f.alpha && h.coef != f.coef,
		   "sp_linear_copy copies the values into its own arrays");
		sp_linear_release(&h);
		sp_linear_init(&h, RP - 1);
		is_int(sp_linear_copy(&h, &f), -1, "sp_linear_copy refuses a different size");
		sp_linear_release(&h);
		sp_moments_release(&m);
	}
	sp_linear_release(&f);
	sp_linear_release(&g);
}

/* ---- 3: a constant feature ---------------------------------------------------- */

static void test_constant(void)
{
	enum { N = 300 };
	static double x[N * 3], x2[N * 2], y[N];
	double shift[4] = { 0 };
	struct sp_moments m;
	struct sp_linear f;
	struct ref_fit r;

	/* Column 1 is 0.1, which binary cannot hold: its mean is not exactly 0.1. */
	for (size_t i = 0; i < N; i++) {
		double a = 5 + 2 * gauss(), b = -40 + 0.5 * gauss();
		x[i * 3] = x2[i * 2] = a;
		x[i * 3 + 1] = 0.1;
		x[i * 3 + 2] = x2[i * 2 + 1] = b;
		y[i] = 1 + 0.5 * a - 2 * b + gauss();
	}
	for (size_t i = 0; i < N; i++) {
		for (int j = 0; j < 3; j++)
			shift[j] += x[i * 3 + (size_t)j] / N;
		shift[3] += y[i] / N;
	}
	sp_linear_init(&f, 3);
	sp_moments_init(&m, 3, shift);
	sp_moments_add_rows(&m, x, y, 0, N);
	for (int k = 0; k < 2; k++) {
		double alpha = k ? 3 : 0, e;
		int rc = sp_ridge_fit(&m, alpha, &f);
		is_int(rc, 0,
		       alpha ? "constant feature, alpha 3: fits"
			     : "constant feature, alpha 0: fits (not singular)");
		ok(f.coef[1] == 0 && f.beta[1] == 0, "alpha %g: the constant gets coefficient 0",
		   alpha);
		is_rel(f.sd[1], 1, 0, "the constant's sd is reported as 1");
		is_rel(f.mean[1], 0.1, 1e-14, "the constant's mean");
		/* The other two match a reference fit without the constant column. */
		ref_ridge(x2, y, 0, N, 2, alpha, &r);
		e = fabs(f.intercept - r.intercept) / fabs(r.intercept);
		ok(e <= 1e-8, "alpha %g: intercept as without the constant (rel err %.2g)", alpha,
		   e);
		double got[2] = { f.coef[0], f.coef[2] }, gb[2] = { f.beta[0], f.beta[2] };
		e = worst(got, r.coef, 2);
		ok(e <= 1e-8, "alpha %g: coef as without the constant (rel err %.2g)", alpha, e);
		e = worst(gb, r.beta, 2);
		ok(e <= 1e-8, "alpha %g: beta as without the constant (rel err %.2g)", alpha, e);
	}
	sp_moments_release(&m);

	/* With the shift on the constant itself (the first row): the same. */
	shift[0] = x[0], shift[1] = x[1], shift[2] = x[2], shift[3] = y[0];
	sp_moments_init(&m, 3, shift);
	sp_moments_add_rows(&m, x, y, 0, N);
	is_int(sp_ridge_fit(&m, 0, &f), 0, "constant feature, shift = first row: fits");
	ok(f.coef[1] == 0 && isfinite(f.intercept), "shift = first row: coefficient 0");
	sp_moments_release(&m);

	/*
	 * Constant on the rows fitted but not on all the data, so the shift (the
	 * global mean) is away from the constant: walk-forward folds do this to
	 * any feature that is flat for a while.  Twenty such shifts.
	 */
	for (int k = 0; k < 2; k++) {
		double alpha = k ? 3 : 0, e = 0, bad_coef = 0;
		int bad = 0, failed = 0;
		ref_ridge(x2, y, 0, N, 2, alpha, &r);
		for (int s = 0; s < 20; s++) {
			shift[0] = 5, shift[1] = -0.6 + 0.0731 * s, shift[2] = -40, shift[3] = 81;
			sp_moments_init(&m, 3, shift);
			sp_moments_add_rows(&m, x, y, 0, N);
			failed += sp_ridge_fit(&m, alpha, &f) != 0;
			if (f.coef[1] != 0 || f.beta[1] != 0) {
				bad++;
				bad_coef = f.coef[1];
			}
			double got[2] = { f.coef[0], f.coef[2] }, t = worst(got, r.coef, 2);
			e = t > e ? t : e;
			sp_moments_release(&m);
		}
		is_int(failed, 0, "constant on the fold, shift away: fits");
		if (!ok(!bad, "alpha %g: constant on the fold, shift away: coefficient 0", alpha))
			printf("#   %d of 20 shifts gave a nonzero coefficient, e.g. %.17g\n", bad,
			       bad_coef);
		ok(e <= 1e-8, "alpha %g: constant on the fold: other coefs as without it (%.2g)",
		   alpha, e);
	}

	/* Exactly collinear features without a penalty: refused, not garbage. */
	{
		static double xc[N * 2];
		double sh[3] = { 0, 0, 0 };
		struct sp_linear g;
		for (size_t i = 0; i < N; i++) {
			xc[i * 2] = x[i * 3];
			xc[i * 2 + 1] = 3 * x[i * 3] - 1;
		}
		sh[0] = xc[0], sh[1] = xc[1], sh[2] = y[0];
		sp_linear_init(&g, 2);
		sp_moments_init(&m, 2, sh);
		sp_moments_add_rows(&m, xc, y, 0, N);
		is_int(sp_ridge_fit(&m, 0, &g), -1, "collinear features at alpha 0: refused");
		is_int(sp_ridge_fit(&m, 1, &g), 0, "collinear features at alpha 1: fit");
		sp_moments_release(&m);
		sp_linear_release(&g);
	}

	/* Logistic with the constant column: coefficient 0 (to rounding). */
	{
		double ly[N];
		for (size_t i = 0; i < N; i++)
			ly[i] = y[i] - 83;
		is_int(sp_logistic_fit(x, ly, 0, N, 3, 1, &f), 0, "logistic with a constant: fits");
		ok(fabs(f.coef[1]) < 1e-12 && f.sd[1] == 1,
		   "logistic: the constant gets coefficient 0 (%.2g) and sd 1", f.coef[1]);
		ok(score_residual(&f, x, ly, 0, N, 3) <= 1e-7,
		   "logistic with a constant: the score equations hold");
	}

	/* All features constant: the intercept is the mean of y. */
	{
		double xc[N], sh[2] = { 7, 0 };
		long double ybar = 0;
		for (size_t i = 0; i < N; i++) {
			xc[i] = 7;
			ybar += y[i];
		}
		sp_linear_release(&f);
		sp_linear_init(&f, 1);
		sp_moments_init(&m, 1, sh);
		sp_moments_add_rows(&m, xc, y, 0, N);
		is_int(sp_ridge_fit(&m, 0, &f), 0, "only a constant feature: fits");
		is_rel(f.intercept, (double)(ybar / N), 1e-12,
		       "only a constant: intercept = mean y");
		sp_moments_release(&m);
	}
	sp_linear_release(&f);
}

/* ---- 1 (cont.): scikit-learn's Ridge on a literal dataset ---------------------- */

/*
 * Made once with /usr/bin/python3 (numpy 1.24.2, scikit-learn 1.2.1):
 *
 *   import numpy as np
 *   from sklearn.preprocessing import StandardScaler
 *   from sklearn.linear_model import Ridge, LogisticRegression
 *   from sklearn.pipeline import make_pipeline
 *   X = np.array([[1.0, 20.5], [2.5, 18.0], [3.1, 25.2], [4.7, 21.9],
 *                 [5.2, 30.1], [6.8, 27.4], [7.3, 33.3], [8.9, 29.8]])
 *   y = np.array([3.1, 4.0, 6.2, 5.9, 8.8, 8.1, 10.4, 9.7])
 *   Q = np.array([[2.0, 22.0], [10.0, 35.0]])
 *   m = make_pipeline(StandardScaler(), Ridge(alpha=1.0)).fit(X, y)
 *   print(repr(m[-1].coef_.tolist()), repr(m[-1].intercept_), repr(m.predict(Q).tolist()))
 *   X = np.array([[0.5, 10], [1.2, 12], [1.9, 9], [2.4, 14], [3.3, 11], [3.8, 15],
 *                 [4.1, 13], [5.0, 16], [5.6, 12], [6.2, 17], [7.1, 14], [7.9, 18]])
 *   y = np.array([-0.02, 0.01, -0.03, 0.0, 0.015, -0.01, 0.02, 0.005, 0.004, 0.03,
 *                 -0.012, 0.008])
 *   Q = np.array([[2.0, 11.0], [7.0, 16.0]])
 *   for alpha in (0.5, 4.0):
 *       m = make_pipeline(StandardScaler(),
 *                         LogisticRegression(C=1 / alpha, fit_intercept=True, tol=1e-12,
 *                                            max_iter=10000, solver="newton-cg"))
 *       m.fit(X, y > 0)
 *       print(alpha, repr(m[-1].coef_[0].tolist()), repr(m[-1].intercept_[0]),
 *             repr(m.predict_proba(Q)[:, 1].tolist()))
 *
 * Output:
 *
 *   [1.071732302104981, 1.3502003434181273] 7.025 [4.736836113140834, 11.706792038896655]
 *   0.5 [0.4635497016311498, 0.3131095468411765] 0.3810421256994379
 *       [0.41759147632117927, 0.7834819275646819]
 *   4.0 [0.24398440829848378, 0.20504221500082756] 0.3514609433967762
 *       [0.4848171247783327, 0.7040988096503463]
 *
 * The logistic values use solver="newton-cg": the default lbfgs stops about
 * 5e-6 short of the optimum even at tol=1e-12, while newton-cg agreed with
 * a plain Newton iteration in numpy to 1e-10.  (newton-cg warns that it
 * did not converge at tol=1e-12; its answer is at the optimum regardless.)
 * sklearn minimises C sum loss + |w|^2 / 2, i.e. sum loss + (1/C)/2 |w|^2:
 * sp's objective with alpha = 1/C.
 */
static void test_sklearn(void)
{
	static const double rx[8 * 2] = { 1.0, 20.5, 2.5, 18.0, 3.1, 25.2, 4.7, 21.9,
					  5.2, 30.1, 6.8, 27.4, 7.3, 33.3, 8.9, 29.8 };
	static const double ry[8] = { 3.1, 4.0, 6.2, 5.9, 8.8, 8.1, 10.4, 9.7 };
	static const double rq[2 * 2] = { 2.0, 22.0, 10.0, 35.0 };
	static const double rbeta[2] = { 1.071732302104981, 1.3502003434181273 };
	static const double rpred[2] = { 4.736836113140834, 11.706792038896655 };
	static const double lx[12 * 2] = { 0.5, 10, 1.2, 12, 1.9, 9,  2.4, 14, 3.3, 11, 3.8, 15,
					   4.1, 13, 5.0, 16, 5.6, 12, 6.2, 17, 7.1, 14, 7.9, 18 };
	static const double ly[12] = { -0.02, 0.01,  -0.03, 0.0,  0.015,  -0.01,
				       0.02,  0.005, 0.004, 0.03, -0.012, 0.008 };
	static const double lq[2 * 2] = { 2.0, 11.0, 7.0, 16.0 };
	static const struct {
		double alpha, beta[2], intercept, prob[2];
	} lwant[2] = {
		{ 0.5,
		  { 0.4635497016311498, 0.3131095468411765 },
		  0.3810421256994379,
		  { 0.41759147632117927, 0.7834819275646819 } },
		{ 4.0,
		  { 0.24398440829848378, 0.20504221500082756 },
		  0.3514609433967762,
		  { 0.4848171247783327, 0.7040988096503463 } },
	};
	double shift[3] = { 0, 0, 0 };
	struct sp_moments m;
	struct sp_linear f;

	sp_linear_init(&f, 2);
	sp_moments_init(&m, 2, shift);
	sp_moments_add_rows(&m, rx, ry, 0, 8);
	is_int(sp_ridge_fit(&m, 1.0, &f), 0, "sklearn ridge: fits");
	is_rel(f.beta[0], rbeta[0], 1e-10, "sklearn Ridge: beta[0] = coef_[0]");
	is_rel(f.beta[1], rbeta[1], 1e-10, "sklearn Ridge: beta[1] = coef_[1]");
	is_rel(f.intercept + f.coef[0] * f.mean[0] + f.coef[1] * f.mean[1], 7.025, 1e-10,
	       "sklearn Ridge: intercept on the standardised scale = intercept_");
	is_rel(sp_linear_eval(&f, rq), rpred[0], 1e-10, "sklearn Ridge: prediction 1");
	is_rel(sp_linear_eval(&f, rq + 2), rpred[1], 1e-10, "sklearn Ridge: prediction 2");
	sp_moments_release(&m);

	for (int k = 0; k < 2; k++) {
		double icpt;
		char what[64];
		snprintf(what, sizeof(what), "sklearn LogisticRegression alpha %g", lwant[k].alpha);
		is_int(sp_logistic_fit(lx, ly, 0, 12, 2, lwant[k].alpha, &f), 0, what);
		icpt = f.intercept + f.coef[0] * f.mean[0] + f.coef[1] * f.mean[1];
		is_rel(f.beta[0], lwant[k].beta[0], 1e-6, "  beta[0] = coef_[0]");
		is_rel(f.beta[1], lwant[k].beta[1], 1e-6, "  beta[1] = coef_[1]");
		is_rel(icpt, lwant[k].intercept, 1e-6, "  standardised intercept = intercept_");
		is_rel(sp_logistic_prob(&f, lq), lwant[k].prob[0], 1e-6, "  predict_proba 1");
		is_rel(sp_logistic_prob(&f, lq + 2), lwant[k].prob[1], 1e-6, "  predict_proba 2");
	}
	sp_linear_release(&f);
}

/* ---- 4, 5: logistic regression ------------------------------------------------ */

static void test_logistic(void)
{
	enum { N = 5000, P = 3 };
	static double x[N * P], y[N];
	static const double mu[P] = { 50, -3, 1000 }, sd[P] = { 5, 0.02, 300 };
	static const double w[P] = { 1.0, -0.7, 0.3 };
	static const double alphas[] = { 1e-3, 1, 100 };
	static const size_t ranges[][2] = { { 0, N }, { 1000, 4000 } };
	struct sp_linear f;

	/* t ~ Bernoulli(sigmoid(0.4 + w . z)), y = +/- |return|, some downs exactly 0 */
	for (size_t i = 0; i < N; i++) {
		double lin = 0.4;
		for (size_t j = 0; j < P; j++) {
			double z = gauss();
			x[i * P + j] = mu[j] + sd[j] * z;
			lin += w[j] * z;
		}
		double r = 0.001 + 0.02 * fabs(gauss());
		y[i] = uniform() < sigmoid(lin) ? r : i % 37 == 0 ? 0 : -r;
	}
	sp_linear_init(&f, P);
	for (int rr = 0; rr < 2; rr++) {
		size_t a = ranges[rr][0], b = ranges[rr][1], ups = 0;
		long double up = 0, down = 0, mean[P] = { 0 }, var[P] = { 0 };

		for (size_t i = a; i < b; i++) {
			if (y[i] > 0) {
				ups++;
				up += y[i];
			} else {
				down += y[i];
			}
			for (size_t j = 0; j < P; j++)
				mean[j] += x[i * P + j];
		}
		for (size_t j = 0; j < P; j++) {
			mean[j] /= b - a;
			for (size_t i = a; i < b; i++)
				var[j] += (x[i * P + j] - mean[j]) * (x[i * P + j] - mean[j]);
			var[j] /= b - a;
		}
		for (int k = 0; k < 3; k++) {
			double e, me, se;
			int rc = sp_logistic_fit(x, y, a, b, P, alphas[k], &f);
			ok(rc == 0 && f.iterations > 0 && f.iterations < 100,
			   "logistic rows [%zu, %zu), alpha %g: converges (%d steps)", a, b,
			   alphas[k], f.iterations);
			e = score_residual(&f, x, y, a, b, P);
			ok(e <= 1e-7, "  the penalised score equations hold (worst |g| / n = %.2g)",
			   e);
			is_rel(f.up_mean, (double)(up / ups), 1e-12,
			       "  up_mean = mean y of rising rows");
			is_rel(f.down_mean, (double)(down / (b - a - ups)), 1e-12,
			       "  down_mean = mean y of the other rows");
			me = se = 0;
			for (size_t j = 0; j < P; j++) {
				double d =
				    fabs(f.mean[j] - (double)mean[j]) / fabs((double)mean[j]);
				double s =
				    fabs(f.sd[j] - sqrt((double)var[j])) / sqrt((double)var[j]);
				me = d > me ? d : me;
				se = s > se ? s : se;
			}
			ok(me <= 1e-12 && se <= 1e-12,
			   "  mean and population sd (rel err %.2g, %.2g)", me, se);
			e = 0;
			for (size_t j = 0; j < P; j++)
				e = fmax(e,
					 fabs(f.coef[j] * f.sd[j] - f.beta[j]) / fabs(f.beta[j]));
			ok(e <= 1e-14, "  coef = beta / sd");
		}
	}
	/* The penalty shrinks: beta at alpha 100 is smaller than at alpha 0.001. */
	{
		double small, big;
		sp_logistic_fit(x, y, 0, N, P, 1e-3, &f);
		small = fabs(f.beta[0]);
		ok(small > 0.8 && small < 1.2, "alpha 0.001 recovers the true beta[0] (%.3f ~ 1)",
		   small);
		sp_logistic_fit(x, y, 0, N, P, 100, &f);
		big = fabs(f.beta[0]);
		ok(big < small, "alpha 100 shrinks beta[0] (%.3f < %.3f)", big, small);
	}

	/* Separable data converge once penalised. */
	{
		double sx[40], sy[40];
		for (size_t i = 0; i < 40; i++) {
			sx[i] = (double)i + 0.5 * uniform();
			sy[i] = i < 20 ? -0.01 : 0.01;
		}
		struct sp_linear g;
		sp_linear_init(&g, 1);
		is_int(sp_logistic_fit(sx, sy, 0, 40, 1, 1, &g), 0,
		       "separable data, alpha 1: converges");
		ok(score_residual(&g, sx, sy, 0, 40, 1) <= 1e-7, "  and the score equations hold");
		sp_linear_release(&g);
	}

	/* 5: one class only. */
	{
		double uy[N], dy[N];
		for (size_t i = 0; i < N; i++) {
			uy[i] = fabs(y[i]) + 1e-9;
			dy[i] = i % 3 ? -fabs(y[i]) : 0;
		}
		is_int(sp_logistic_fit(x, uy, 0, N, P, 1, &f), -1,
		       "logistic refuses all rising rows");
		is_int(sp_logistic_fit(x, dy, 0, N, P, 1, &f), -1,
		       "logistic refuses all falling or flat rows");
		is_int(sp_logistic_fit(x, y, 10, 10, P, 1, &f), -1, "logistic refuses no rows");
	}
	sp_linear_release(&f);
}

/* ---- 6: by hand ---------------------------------------------------------------- */

static void test_by_hand(void)
{
	struct sp_linear f;
	/* intercept 0.5, coef 2: t = 0.5, 2.5, -1.5, 2000.5, 2000.5, -1999.5 */
	static const double x[6] = { 0, 1, -1, 1000, 1000, -1000 };
	static const double y[6] = { 0.01, -0.02, 0, 0.03, -0.01, -0.5 };
	/* log(1 + e^t) - [y > 0] t, row by row */
	double l0 = log(1 + exp(-0.5)), l1 = 2.5 + log(1 + exp(-2.5)), l2 = log(1 + exp(-1.5));

	sp_linear_init(&f, 3);
	f.intercept = 1.5;
	f.coef[0] = 2, f.coef[1] = -0.25, f.coef[2] = 0;
	is_rel(sp_linear_eval(&f, (const double[]){ 3, 4, 7 }), 6.5, 0,
	       "sp_linear_eval: 1.5 + 2*3 - 0.25*4 + 0*7 = 6.5");
	is_rel(sp_linear_eval(&f, (const double[]){ 0, 0, 0 }), 1.5, 0,
	       "sp_linear_eval at 0 is the intercept");
	sp_linear_release(&f);

	sp_linear_init(&f, 1);
	f.intercept = 0.5;
	f.coef[0] = 2;
	is_rel(sp_logistic_loss(&f, x, y, 0, 3, 1), (l0 + l1 + l2) / 3, 1e-15,
	       "sp_logistic_loss on t = 0.5 (up), 2.5 (down), -1.5 (flat)");
	is_rel(sp_logistic_loss(&f, x, y, 3, 6, 1), 2000.5 / 3, 1e-15,
	       "sp_logistic_loss on |t| = 2000: no overflow (0 + 2000.5 + 0) / 3");
	is_rel(sp_logistic_loss(&f, x, y, 1, 2, 1), l1, 1e-15, "sp_logistic_loss on one row");
	ok(isnan(sp_logistic_loss(&f, x, y, 2, 2, 1)), "sp_logistic_loss on no rows is NAN");
	is_rel(sp_logistic_prob(&f, x), 1 / (1 + exp(-0.5)), 1e-15, "sp_logistic_prob(0.5)");
	is_rel(sp_logistic_prob(&f, x + 2), 1 / (1 + exp(1.5)), 1e-15, "sp_logistic_prob(-1.5)");
	ok(sp_logistic_prob(&f, x + 3) == 1, "sp_logistic_prob(2000.5) = 1");
	ok(sp_logistic_prob(&f, x + 5) == 0, "sp_logistic_prob(-1999.5) = 0, not NAN");
	sp_linear_release(&f);
}

int main(void)
{
	test_ridge();
	test_constant();
	test_sklearn();
	test_logistic();
	test_by_hand();
	return tap_done();
}
