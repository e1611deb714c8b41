/*
 * linear.c - ridge from sufficient statistics, logistic by IRLS.
 *
 * Ridge never looks at rows once their moments are summed: walk-forward
 * selection over many folds and penalties costs one pass over the data.
 */
#include "linear.h"

#include "usage.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "banned.h"

int sp_moments_init(struct sp_moments *m, size_t p, const double *shift)
{
	memset(m, 0, sizeof(*m));
	m->p = p;
	m->shift = shift;
	m->su = calloc(p + 1, sizeof(double));
	m->suu = calloc(p * p + 1, sizeof(double));
	m->suv = calloc(p + 1, sizeof(double));
	if (!m->su || !m->suu || !m->suv) {
		sp_moments_release(m);
		return sp_error("out of memory");
	}
	return 0;
}

void sp_moments_release(struct sp_moments *m)
{
	free(m->su);
	free(m->suu);
	free(m->suv);
	m->su = m->suu = m->suv = NULL;
}

void sp_moments_clear(struct sp_moments *m)
{
	memset(m->su, 0, m->p * sizeof(double));
	memset(m->suu, 0, m->p * m->p * sizeof(double));
	memset(m->suv, 0, m->p * sizeof(double));
	m->n = m->sv = m->svv = 0;
}

void sp_moments_add_rows(struct sp_moments *m, const double *x, const double *y, size_t a,
			 size_t b)
{
	size_t p = m->p;
	double u[512], *heap = NULL, *pu = u;

	if (p > sizeof(u) / sizeof(*u) && !(pu = heap = malloc(p * sizeof(double))))
		return;
	for (size_t i = a; i < b; i++) {
		const double *row = x + i * p;
		double v = y[i] - m->shift[p];
		for (size_t j = 0; j < p; j++)
			pu[j] = row[j] - m->shift[j];
		/* Upper triangle only; mirrored when a fit reads it. */
		for (size_t j = 0; j < p; j++) {
			double uj = pu[j], *s = m->suu + j * p;
			for (size_t k = j; k < p; k++)
				s[k] += uj * pu[k];
			m->su[j] += uj;
			m->suv[j] += uj * v;
		}
		m->sv += v;
		m->svv += v * v;
	}
	m->n += (double)(b - a);
	free(heap);
}

void sp_moments_add(struct sp_moments *dst, const struct sp_moments *src)
{
	for (size_t j = 0; j < dst->p; j++) {
		dst->su[j] += src->su[j];
		dst->suv[j] += src->suv[j];
	}
	for (size_t j = 0; j < dst->p * dst->p; j++)
		dst->suu[j] += src->suu[j];
	dst->n += src->n;
	dst->sv += src->sv;
	dst->svv += src->svv;
}

int sp_linear_init(struct sp_linear *f, size_t p)
{
	memset(f, 0, sizeof(*f));
	f->p = p;
	f->coef = calloc(p + 1, sizeof(double));
	f->beta = calloc(p + 1, sizeof(double));
	f->mean = calloc(p + 1, sizeof(double));
	f->sd = calloc(p + 1, sizeof(double));
	if (!f->coef || !f->beta || !f->mean || !f->sd) {
		sp_linear_release(f);
		return sp_error("out of memory");
	}
	return 0;
}

void sp_linear_release(struct sp_linear *f)
{
	free(f->coef);
	free(f->beta);
	free(f->mean);
	free(f->sd);
	f->coef = f->beta = f->mean = f->sd = NULL;
}

int sp_linear_copy(struct sp_linear *dst, const struct sp_linear *src)
{
	double *c = dst->coef, *b = dst->beta, *m = dst->mean, *s = dst->sd;
	size_t n = src->p * sizeof(double);

	if (dst->p != src->p)
		return sp_error("internal: model sizes differ");
	*dst = *src;
	dst->coef = memcpy(c, src->coef, n);
	dst->beta = memcpy(b, src->beta, n);
	dst->mean = memcpy(m, src->mean, n);
	dst->sd = memcpy(s, src->sd, n);
	return 0;
}

/* A constant feature: no spread beyond rounding of its values. */
static int constant(double var, double mean)
{
	return !(var > 1e-24 * (1 + mean * mean));
}

/* From the coefficients on the standardised scale to the original scale. */
static void unscale(struct sp_linear *f, double ymean)
{
	f->intercept = ymean;
	for (size_t j = 0; j < f->p; j++) {
		f->coef[j] = f->beta[j] / f->sd[j];
		f->intercept -= f->coef[j] * f->mean[j];
	}
}

int sp_ridge_fit(const struct sp_moments *m, double alpha, struct sp_linear *f)
{
	size_t p = m->p;
	double n = m->n;
	gsl_matrix *a = NULL;
	gsl_vector *b = NULL, *beta = NULL;
	gsl_error_handler_t *old;
	int rc = -1, err;

	if (n < 2)
		return sp_error("ridge: fewer than 2 rows to fit");
	a = gsl_matrix_alloc(p, p);
	b = gsl_vector_alloc(p);
	beta = gsl_vector_alloc(p);
	if (!a || !b || !beta) {
		sp_error("out of memory");
		goto out;
	}
	for (size_t j = 0; j < p; j++) {
		double var = (m->suu[j * p + j] - m->su[j] * m->su[j] / n) / n;
		f->mean[j] = m->shift[j] + m->su[j] / n;
		/* Moments about a shift leave rounding noise of eps times the
		 * mean square about it in the variance of a constant column. */
		f->sd[j] = constant(var, f->mean[j]) || !(var > 1e-13 * m->suu[j * p + j] / n) ?
				   0 :
				   sqrt(var);
	}
	for (size_t j = 0; j < p; j++) {
		for (size_t k = j; k < p; k++) {
			double g = m->suu[j * p + k] - m->su[j] * m->su[k] / n, v;
			if (!f->sd[j] || !f->sd[k])
				v = j == k;
			else
				v = g / (f->sd[j] * f->sd[k]) + (j == k ? alpha : 0);
			gsl_matrix_set(a, j, k, v);
			gsl_matrix_set(a, k, j, v);
		}
		gsl_vector_set(b, j, f->sd[j] ? (m->suv[j] - m->su[j] * m->sv / n) / f->sd[j] : 0);
	}
	old = gsl_set_error_handler_off();
	err = gsl_linalg_cholesky_decomp1(a);
	if (!err)
		err = gsl_linalg_cholesky_solve(a, b, beta);
	gsl_set_error_handler(old);
	if (err) {
		sp_error("ridge: singular system at penalty %g (collinear features?)", alpha);
		goto out;
	}
	for (size_t j = 0; j < p; j++) {
		f->beta[j] = gsl_vector_get(beta, j);
		if (!f->sd[j])
			f->sd[j] = 1;
	}
	f->alpha = alpha;
	unscale(f, m->shift[p] + m->sv / n);
	rc = 0;
out:
	gsl_matrix_free(a);
	gsl_vector_free(b);
	gsl_vector_free(beta);
	return rc;
}

double sp_ridge_sse(const struct sp_moments *m, const struct sp_linear *f)
{
	size_t p = m->p;
	double k = f->intercept, d, cu = 0, cuv = 0, quad = 0;

	for (size_t j = 0; j < p; j++)
		k += f->coef[j] * m->shift[j];
	d = m->shift[p] - k;
	for (size_t j = 0; j < p; j++) {
		double row = 0;
		cu += f->coef[j] * m->su[j];
		cuv += f->coef[j] * m->suv[j];
		for (size_t l = 0; l < p; l++) {
			double s = j <= l ? m->suu[j * p + l] : m->suu[l * p + j];
			row += s * f->coef[l];
		}
		quad += f->coef[j] * row;
	}
	return m->n * d * d + 2 * d * (m->sv - cu) + m->svv - 2 * cuv + quad;
}

double sp_linear_eval(const struct sp_linear *f, const double *x)
{
	double s = f->intercept;

	for (size_t j = 0; j < f->p; j++)
		s += f->coef[j] * x[j];
	return s;
}

/* ---- logistic ------------------------------------------------------------------- */

static double sigmoid(double t)
{
	return t >= 0 ? 1 / (1 + exp(-t)) : exp(t) / (1 + exp(t));
}

double sp_logistic_prob(const struct sp_linear *f, const double *x)
{
	return sigmoid(sp_linear_eval(f, x));
}

double sp_logistic_loss(const struct sp_linear *f, const double *x, const double *y, size_t a,
			size_t b, size_t p)
{
	double s = 0;

	for (size_t i = a; i < b; i++) {
		double t = sp_linear_eval(f, x + i * p);
		/* log(1 + e^t) - [y > 0] t, computed without overflow */
		s += (t > 0 ? t + log1p(exp(-t)) : log1p(exp(t))) - (y[i] > 0 ? t : 0);
	}
	return b > a ? s / (double)(b - a) : NAN;
}

static void standardise(const double *x, size_t a, size_t b, size_t p, struct sp_linear *f)
{
	double n = (double)(b - a);

	for (size_t j = 0; j < p; j++) {
		double s = 0, ss = 0;
		for (size_t i = a; i < b; i++)
			s += x[i * p + j];
		f->mean[j] = s / n;
		for (size_t i = a; i < b; i++) {
			double d = x[i * p + j] - f->mean[j];
			ss += d * d;
		}
		f->sd[j] = constant(ss / n, f->mean[j]) ? 1 : sqrt(ss / n);
	}
}

int sp_logistic_fit(const double *x, const double *y, size_t a, size_t b, size_t p,
		    double alpha, struct sp_linear *f)
{
	size_t q = p + 1, ups = 0;
	gsl_matrix *h = gsl_matrix_alloc(q, q);
	gsl_vector *g = gsl_vector_alloc(q), *step = gsl_vector_alloc(q);
	double *z = malloc(q * sizeof(double)), *w = calloc(q, sizeof(double)), up = 0, down = 0;
	gsl_error_handler_t *old = gsl_set_error_handler_off();
	int rc = -1, it;

	if (!h || !g || !step || !z || !w) {
		sp_error("out of memory");
		goto out;
	}
	for (size_t i = a; i < b; i++) {
		ups += y[i] > 0;
		if (y[i] > 0)
			up += y[i];
		else
			down += y[i];
	}
	if (!ups || ups == b - a) {
		sp_error("logistic: the training rows all move the same way");
		goto out;
	}
	f->up_mean = up / (double)ups;
	f->down_mean = down / (double)(b - a - ups);
	standardise(x, a, b, p, f);
	/* w[0] is the intercept, w[1..p] beta; start at the base rate. */
	w[0] = log((double)ups / (double)(b - a - ups));
	for (it = 1; it <= 100; it++) {
		double big = 0;
		gsl_matrix_set_zero(h);
		gsl_vector_set_zero(g);
		for (size_t i = a; i < b; i++) {
			double t = w[0], pr, wt;
			z[0] = 1;
			for (size_t j = 0; j < p; j++) {
				z[j + 1] = (x[i * p + j] - f->mean[j]) / f->sd[j];
				t += w[j + 1] * z[j + 1];
			}
			pr = sigmoid(t);
			wt = pr * (1 - pr);
			for (size_t j = 0; j < q; j++) {
				double *row = gsl_matrix_ptr(h, j, 0);
				g->data[j] += ((y[i] > 0) - pr) * z[j];
				for (size_t k = j; k < q; k++)
					row[k] += wt * z[j] * z[k];
			}
		}
		for (size_t j = 1; j < q; j++) {
			g->data[j] -= alpha * w[j];
			*gsl_matrix_ptr(h, j, j) += alpha;
		}
		for (size_t j = 0; j < q; j++)
			for (size_t k = 0; k < j; k++)
				gsl_matrix_set(h, j, k, gsl_matrix_get(h, k, j));
		if (gsl_linalg_cholesky_decomp1(h) || gsl_linalg_cholesky_solve(h, g, step)) {
			sp_error("logistic: singular Hessian at penalty %g", alpha);
			goto out;
		}
		for (size_t j = 0; j < q; j++) {
			w[j] += step->data[j];
			if (fabs(step->data[j]) > big)
				big = fabs(step->data[j]);
		}
		if (big < 1e-10)
			break;
	}
	if (it > 100) {
		sp_error("logistic: no convergence in 100 Newton steps at penalty %g", alpha);
		goto out;
	}
	f->iterations = it;
	f->alpha = alpha;
	for (size_t j = 0; j < p; j++)
		f->beta[j] = w[j + 1];
	unscale(f, w[0]);
	rc = 0;
out:
	gsl_set_error_handler(old);
	gsl_matrix_free(h);
	gsl_vector_free(g);
	gsl_vector_free(step);
	free(z);
	free(w);
	return rc;
}
