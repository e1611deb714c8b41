/*
 * stats.h - forecast evaluation over arrays the caller owns: error sizes,
 * direction, cross-sectional rank correlation by date and a Diebold-Mariano
 * test against the zero forecast.  Pure functions; any scratch memory is
 * allocated and freed inside the call.
 */
#ifndef SP_STATS_H
#define SP_STATS_H

#include <stddef.h>

struct sp_fc_metrics {
	size_t n;		/* rows where pred and y are both finite */
	double mae, rmse;
	double r2_oos;		/* 1 - SSE(pred) / SSE(zero forecast); NAN if that is 0 */
	size_t hit_n, hit_k;	/* rows with pred != 0 and y != 0; of them, same sign */
	double hit_rate;	/* hit_k / hit_n, NAN if hit_n == 0 */
	double hit_p;		/* one-sided binomial P(X >= hit_k | hit_n, 1/2); NAN if
				 * hit_n == 0 */
	size_t ic_dates;	/* dates with >= 3 usable rows and non-constant pred and y */
	double ic_mean, ic_sd;	/* Spearman rank correlation of pred and y across the rows
				 * of one date (ties get average ranks), averaged over
				 * dates; sample sd */
	double ic_t;		/* ic_mean / (ic_sd / sqrt(ic_dates)) */
	double ic_t_nw;		/* same with a Newey-West (Bartlett, lag horizon-1)
				 * standard error, because labels overlap over the
				 * horizon */
	size_t dm_dates;	/* dates with at least one usable row */
	double dm_stat, dm_p;	/* Diebold-Mariano against the zero forecast (random
				 * walk), squared error loss: d_t = mean over the date's
				 * rows of y^2 - (y-pred)^2, long-run variance by
				 * Newey-West Bartlett with lag horizon-1,
				 * Harvey-Leybourne-Newbold small-sample correction, p
				 * one-sided (H1: pred has smaller loss) from Student t
				 * with dm_dates-1 df.  When every d_t is 0 (pred
				 * identically 0), dm_stat = 0 and dm_p = 0.5 */
};

/*
 * Evaluate N forecasts PRED of outcomes Y.  DATE holds each row's date as any int
 * key, rows sorted so that equal dates are adjacent and dates non-decreasing.
 * Rows with a non-finite pred or y are skipped.  HORIZON >= 1 is the forecast
 * horizon in dates (lag of the HAC estimators is HORIZON-1).  Undefined figures are NAN.
 *
 * Details of "undefined": mae, rmse need n >= 1; ic_sd, ic_t, ic_t_nw need
 * ic_dates >= 2 and a non-zero spread.  When every d_t is 0 (and dm_dates >= 1)
 * dm_stat is 0 and dm_p 0.5; otherwise both need dm_dates >= 2 and > HORIZON
 * (so that the HLN factor means something) and a positive variance of d_t.
 * The IC and d_t series are the qualifying dates in order, gaps closed up.
 * Both HAC estimators divide autocovariances by T (not T-1), use lag
 * min(HORIZON-1, T-1), and fall back to the lag-0 variance when the Bartlett
 * sum is not positive; so with HORIZON 1, ic_t_nw = ic_t * sqrt(T/(T-1)).
 * A HORIZON below 1 is taken as 1.  If scratch memory cannot be allocated,
 * every figure is NAN and every count 0.
 */
void sp_fc_evaluate(const double *pred, const double *y, const int *date, size_t n,
		    int horizon, struct sp_fc_metrics *m);

/*
 * Spearman correlation of X and Y (N >= 2, average ranks for ties); NAN if undefined
 * (N < 2, a constant X or Y, a non-finite value, or no memory for the ranks).
 */
double sp_spearman(const double *x, const double *y, size_t n);

#endif
