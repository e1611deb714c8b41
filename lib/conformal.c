/* conformal.c - split-conformal quantiles and adaptive conformal inference. */
#include "conformal.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_statistics_double.h>
#include "banned.h"

struct sp_aci {
	double alpha;		/* target miscoverage, 1 - coverage */
	double gamma;
	double alpha_t;
	size_t window;
	double *ring;		/* the last scores; linear until full, then a ring */
	double *scratch;	/* a copy for selection, as large as ring */
	size_t cap;		/* allocated length of ring and scratch, <= window */
	size_t count;		/* scores held, <= window */
	size_t pos;		/* once full, the oldest score, overwritten next */
};

/*
 * The 1-based rank ceil((M+1)*COVERAGE) as a double, treating a product within
 * 1e-9 above an integer as that integer; NAN for a NAN coverage.
 */
static double conformal_rank(size_t m, double coverage)
{
	double x = (double)(m + 1) * coverage, r;

	if (isnan(x))
		return NAN;
	r = ceil(x);
	if (r - x > 1 - 1e-9)
		r -= 1;
	return r;
}

/* The half-width for the M finite scores in A (reordered), M >= 1. */
static double quantile_in_place(double *a, size_t m, double coverage)
{
	double r = conformal_rank(m, coverage);

	if (isnan(r))
		return NAN;
	if (r > (double)m)
		return INFINITY;
	if (r < 1)
		return 0;
	return gsl_stats_select(a, 1, m, (size_t)r - 1);
}

double sp_conformal_quantile(const double *scores, size_t n, double coverage)
{
	size_t m = 0;
	double *a, q;

	for (size_t i = 0; i < n; i++)
		m += isfinite(scores[i]) != 0;
	if (m == 0 || isnan(coverage))
		return NAN;
	if (conformal_rank(m, coverage) > (double)m)
		return INFINITY;	/* no need to copy */
	a = malloc(m * sizeof(*a));
	if (!a)
		return NAN;
	m = 0;
	for (size_t i = 0; i < n; i++)
		if (isfinite(scores[i]))
			a[m++] = scores[i];
	q = quantile_in_place(a, m, coverage);
	free(a);
	return q;
}

struct sp_aci *sp_aci_new(double coverage, double gamma, size_t window)
{
	struct sp_aci *a;

	if (!(coverage > 0 && coverage < 1) || !(gamma >= 0) || !isfinite(gamma) || window == 0) {
		errno = EINVAL;
		return NULL;
	}
	a = calloc(1, sizeof(*a));
	if (!a)
		return NULL;
	a->alpha = a->alpha_t = 1 - coverage;
	a->gamma = gamma;
	a->window = window;
	return a;
}

void sp_aci_free(struct sp_aci *a)
{
	if (!a)
		return;
	free(a->ring);
	free(a->scratch);
	free(a);
}

double sp_aci_alpha(const struct sp_aci *a)
{
	return a->alpha_t;
}

double sp_aci_width(const struct sp_aci *a)
{
	double level = 1 - a->alpha_t;

	if (a->count == 0)
		return NAN;
	level = level < 0 ? 0 : level > 1 ? 1 : level;
	memcpy(a->scratch, a->ring, a->count * sizeof(double));
	return quantile_in_place(a->scratch, a->count, level);
}

/* Room for NEED scores (NEED <= window); 0 or -1 with nothing changed but capacity. */
static int aci_reserve(struct sp_aci *a, size_t need)
{
	size_t cap = a->cap ? a->cap : 64;
	double *p;

	if (need <= a->cap)
		return 0;
	while (cap < need)
		cap = cap > a->window / 2 ? a->window : 2 * cap;
	if (cap > a->window)
		cap = a->window;
	p = realloc(a->ring, cap * sizeof(double));
	if (!p)
		return -1;
	a->ring = p;
	p = realloc(a->scratch, cap * sizeof(double));
	if (!p)
		return -1;
	a->scratch = p;
	a->cap = cap;
	return 0;
}

int sp_aci_observe(struct sp_aci *a, const double *scores, size_t k, double width)
{
	size_t finite = 0, outside = 0;

	for (size_t i = 0; i < k; i++) {
		if (!isfinite(scores[i]))
			continue;
		finite++;
		outside += scores[i] > width;
	}
	if (finite == 0)
		return 0;
	if (aci_reserve(a, a->count + finite < a->window ? a->count + finite : a->window)) {
		errno = ENOMEM;
		return -1;
	}
	if (!isnan(width))
		a->alpha_t += a->gamma * (a->alpha - (double)outside / (double)finite);
	for (size_t i = 0; i < k; i++) {
		if (!isfinite(scores[i]))
			continue;
		if (a->count < a->window) {
			a->ring[a->count++] = scores[i];
		} else {
			a->ring[a->pos] = scores[i];
			a->pos = a->pos + 1 == a->window ? 0 : a->pos + 1;
		}
	}
	return 0;
}
