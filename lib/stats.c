/* stats.c - forecast evaluation: errors, hit rate, rank IC by date, Diebold-Mariano. */
#include "stats.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sort.h>
#include "banned.h"

/* Scratch for one date's rank correlation, sized for the largest date. */
struct rank_work {
	double *x, *y, *rx, *ry;
	size_t *idx;
};

/* Average ranks (1-based) of V[0..N) into R; IDX is scratch for N indices. */
static void rank_average(const double *v, size_t n, double *r, size_t *idx)
{
	gsl_sort_index(idx, v, 1, n);
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;

		while (j < n && v[idx[j]] == v[idx[i]])
			j++;
		/* ranks i+1 .. j share their mean */
		double avg = (double)(i + 1 + j) / 2;
		for (size_t k = i; k < j; k++)
			r[idx[k]] = avg;
		i = j;
	}
}

/* Pearson correlation of the average ranks; NAN when either side is constant. */
static double spearman_work(const double *x, const double *y, size_t n,
			    const struct rank_work *w)
{
	double mean = (double)(n + 1) / 2, sxy = 0, sxx = 0, syy = 0;

	if (n < 2)
		return NAN;
	rank_average(x, n, w->rx, w->idx);
	rank_average(y, n, w->ry, w->idx);
	for (size_t i = 0; i < n; i++) {
		double a = w->rx[i] - mean, b = w->ry[i] - mean;

		sxy += a * b;
		sxx += a * a;
		syy += b * b;
	}
	if (sxx == 0 || syy == 0)
		return NAN;
	double rho = sxy / sqrt(sxx * syy);
	return rho > 1 ? 1 : rho < -1 ? -1 : rho;
}

double sp_spearman(const double *x, const double *y, size_t n)
{
	struct rank_work w;
	double rho;

	if (n < 2)
		return NAN;
	for (size_t i = 0; i < n; i++)
		if (!isfinite(x[i]) || !isfinite(y[i]))
			return NAN;
	w.rx = malloc(2 * n * sizeof(double));
	w.idx = malloc(n * sizeof(size_t));
	if (!w.rx || !w.idx) {
		free(w.rx);
		free(w.idx);
		return NAN;
	}
	w.ry = w.rx + n;
	rho = spearman_work(x, y, n, &w);
	free(w.rx);
	free(w.idx);
	return rho;
}

static double mean_of(const double *x, size_t n)
{
	double s = 0;

	for (size_t i = 0; i < n; i++)
		s += x[i];
	return s / (double)n;
}

/*
 * Newey-West long-run variance of X[0..T) around MEAN: gamma0 + 2 sum over
 * k = 1..L of (1 - k/(L+1)) gamma_k, gamma_k = (1/T) sum (x_t - m)(x_{t-k} - m),
 * L = min(LAG, T-1); gamma0 when that is not positive.
 */
static double newey_west(const double *x, size_t t, double mean, size_t lag)
{
	double gamma0 = 0, lrv;

	for (size_t i = 0; i < t; i++)
		gamma0 += (x[i] - mean) * (x[i] - mean);
	gamma0 /= (double)t;
	if (lag > t - 1)
		lag = t - 1;
	lrv = gamma0;
	for (size_t k = 1; k <= lag; k++) {
		double g = 0;

		for (size_t i = k; i < t; i++)
			g += (x[i] - mean) * (x[i - k] - mean);
		lrv += 2 * (1 - (double)k / (double)(lag + 1)) * (g / (double)t);
	}
	return lrv > 0 ? lrv : gamma0;
}

static void metrics_undefined(struct sp_fc_metrics *m)
{
	m->n = m->hit_n = m->hit_k = m->ic_dates = m->dm_dates = 0;
	m->mae = m->rmse = m->r2_oos = NAN;
	m->hit_rate = m->hit_p = NAN;
	m->ic_mean = m->ic_sd = m->ic_t = m->ic_t_nw = NAN;
	m->dm_stat = m->dm_p = NAN;
}

/* One-sided P(X >= K) for X ~ Binomial(N, 1/2). */
static double binomial_upper(size_t k, size_t n)
{
	if (k == 0)
		return 1;
	if (n <= UINT_MAX)
		return gsl_cdf_binomial_Q((unsigned)(k - 1), 0.5, (unsigned)n);
	return gsl_cdf_beta_P(0.5, (double)k, (double)(n - k + 1));
}

static void ic_summary(const double *ic, size_t t, size_t lag, struct sp_fc_metrics *m)
{
	m->ic_dates = t;
	if (t == 0)
		return;
	m->ic_mean = mean_of(ic, t);
	if (t < 2)
		return;
	double ss = 0;
	for (size_t i = 0; i < t; i++)
		ss += (ic[i] - m->ic_mean) * (ic[i] - m->ic_mean);
	m->ic_sd = sqrt(ss / (double)(t - 1));
	if (m->ic_sd > 0)
		m->ic_t = m->ic_mean / (m->ic_sd / sqrt((double)t));
	double lrv = newey_west(ic, t, m->ic_mean, lag);
	if (lrv > 0)
		m->ic_t_nw = m->ic_mean / sqrt(lrv / (double)t);
}

static void dm_test(const double *d, size_t t, int horizon, struct sp_fc_metrics *m)
{
	double h = horizon, dbar, lrv, hln;
	size_t zero = 0;

	m->dm_dates = t;
	if (t == 0)
		return;
	for (size_t i = 0; i < t; i++)
		zero += d[i] == 0;
	if (zero == t) {
		/* equal losses everywhere: no evidence either way */
		m->dm_stat = 0;
		m->dm_p = 0.5;
		return;
	}
	if (t < 2 || t <= (size_t)horizon)
		return;	/* the HLN factor, (T-h)(T-h+1)/T^2, needs T > h */
	dbar = mean_of(d, t);
	lrv = newey_west(d, t, dbar, (size_t)horizon - 1);
	hln = ((double)t + 1 - 2 * h + h * (h - 1) / (double)t) / (double)t;
	if (!(lrv > 0) || !(hln > 0))
		return;
	m->dm_stat = dbar / sqrt(lrv / (double)t) * sqrt(hln);
	m->dm_p = gsl_cdf_tdist_Q(m->dm_stat, (double)(t - 1));
}

void sp_fc_evaluate(const double *pred, const double *y, const int *date, size_t n,
		    int horizon, struct sp_fc_metrics *m)
{
	size_t dates = 0, widest = 0, n_ic = 0, n_d = 0;
	double sae = 0, sse = 0, ssy = 0, *ic, *d;
	struct rank_work w;

	metrics_undefined(m);
	if (horizon < 1)
		horizon = 1;
	for (size_t i = 0, j; i < n; i = j) {	/* count dates, find the largest */
		for (j = i + 1; j < n && date[j] == date[i]; j++)
			;
		dates++;
		if (j - i > widest)
			widest = j - i;
	}
	ic = malloc((2 * dates + 4 * widest + 1) * sizeof(double));
	w.idx = malloc((widest + 1) * sizeof(size_t));
	if (!ic || !w.idx) {
		free(ic);
		free(w.idx);
		return;
	}
	d = ic + dates;
	w.x = d + dates;
	w.y = w.x + widest;
	w.rx = w.y + widest;
	w.ry = w.rx + widest;

	for (size_t i = 0, j; i < n; i = j) {
		size_t k = 0;
		double dsum = 0;

		for (j = i; j < n && date[j] == date[i]; j++) {
			double p = pred[j], v = y[j], e = v - p;

			if (!isfinite(p) || !isfinite(v))
				continue;
			m->n++;
			sae += fabs(e);
			sse += e * e;
			ssy += v * v;
			if (p != 0 && v != 0) {
				m->hit_n++;
				m->hit_k += (p > 0) == (v > 0);
			}
			dsum += v * v - e * e;
			w.x[k] = p;
			w.y[k] = v;
			k++;
		}
		if (k >= 1)
			d[n_d++] = dsum / (double)k;
		if (k >= 3) {
			double rho = spearman_work(w.x, w.y, k, &w);

			if (!isnan(rho))
				ic[n_ic++] = rho;
		}
	}

	if (m->n > 0) {
		m->mae = sae / (double)m->n;
		m->rmse = sqrt(sse / (double)m->n);
	}
	if (ssy > 0)
		m->r2_oos = 1 - sse / ssy;
	if (m->hit_n > 0) {
		m->hit_rate = (double)m->hit_k / (double)m->hit_n;
		m->hit_p = binomial_upper(m->hit_k, m->hit_n);
	}
	ic_summary(ic, n_ic, (size_t)horizon - 1, m);
	dm_test(d, n_d, horizon, m);
	free(ic);
	free(w.idx);
}
