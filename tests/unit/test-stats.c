/*
 * test-stats.c - forecast evaluation against values computed independently:
 * the Python script in the comment at the end of this file (numpy, and
 * scipy 1.10's spearmanr, binom.sf and t.sf; run once with /usr/bin/python3,
 * its output pasted below), plus a case small enough to do by hand and the
 * edges where figures are undefined.
 */
#include "stats.h"
#include "tap.h"

#include <math.h>
#include <stddef.h>

/* |got - want| <= rel * |want|; exact when want is 0. */
#define is_rel(got, want, rel, name)                                              \
	do {                                                                      \
		double g_ = (got), w_ = (want);                                   \
		if (!ok(fabs(g_ - w_) <= (rel) * fabs(w_), "%s", name))           \
			printf("#   got %.17g, want %.17g\n", g_, w_);             \
	} while (0)

#define is_nan(got, name)                                                         \
	do {                                                                      \
		double g_ = (got);                                                \
		if (!ok(isnan(g_), "%s is NAN", name))                            \
			printf("#   got %.17g\n", g_);                              \
	} while (0)

enum { D = 8, S = 5, N = D * S };

/* 8 dates x 5 symbols, date-major; made and printed by the script below. */
static const int day[D] = { 18000, 18001, 18004, 18005, 18006, 18007, 18008, 18011 };
static const double pred[N] = {
	-0.016, -0.026, -0.005, 0.008, 0.023,
	0.002, -0.011, -0.016, 0.015, 0.033,
	NAN, -0.025, -0.019, 0.032, INFINITY,	/* 2 usable rows: no IC */
	-0.010, -0.002, -0.010, -0.013, -0.010,	/* ties in pred */
	0.010, 0.010, 0.010, 0.010, 0.010,	/* constant pred: no IC */
	0.017, 0.000, -0.005, -0.020, -0.003,
	-0.026, 0.000, -0.001, -0.006, -0.021,
	-0.008, -0.022, -0.027, 0.004, -0.022,
};
static const double y[N] = {
	0.027, 0.008, -0.062, 0.012, -0.022,
	0.002, 0.000, -0.068, 0.000, 0.009,	/* ties in y (zeros) */
	0.031, -0.048, NAN, -0.017, -0.008,
	-0.043, 0.042, 0.006, 0.066, 0.014,
	0.018, 0.031, -0.019, -0.008, 0.045,
	-0.003, -0.011, -0.003, 0.008, -0.012,
	-0.018, 0.007, 0.003, 0.000, 0.016,
	-0.043, -0.047, NAN, 0.031, -0.022,
};

/* The script's output, per horizon. */
struct want {
	int horizon;
	double ic_t_nw, dm_stat, dm_p;
};

static const struct want wants[] = {
	{ 1, 0.71799646362292524, -0.36354861333848631, 0.63653673586826742 },
	{ 3, 1.1579860360792171, -0.35777324940667155, 0.63447114009055539 },
	{ 7, 1.4600017859638434, -0.091536467040958469, 0.53518461431871456 },
	{ 8, 1.4600017859638434, NAN, NAN },	/* DM needs dm_dates > horizon */
};

static void fill_dates(int *date)
{
	for (int i = 0; i < N; i++)
		date[i] = day[i / S];
}

static void test_reference(void)
{
	int date[N];

	fill_dates(date);
	for (size_t w = 0; w < sizeof(wants) / sizeof(wants[0]); w++) {
		const struct want *e = &wants[w];
		struct sp_fc_metrics m;
		char name[64];

		sp_fc_evaluate(pred, y, date, N, e->horizon, &m);
		printf("# reference data, horizon %d\n", e->horizon);
		is_int(m.n, 36, "n");
		is_rel(m.mae, 0.02452777777777778, 1e-12, "mae");
		is_rel(m.rmse, 0.030435268284599623, 1e-12, "rmse");
		is_rel(m.r2_oos, -0.076022070923816631, 1e-12, "r2_oos");
		is_int(m.hit_n, 31, "hit_n");
		is_int(m.hit_k, 17, "hit_k");
		is_rel(m.hit_rate, 0.54838709677419351, 1e-12, "hit_rate");
		is_rel(m.hit_p, 0.36005006590858102, 1e-12, "hit_p");
		is_int(m.ic_dates, 6, "ic_dates");
		is_rel(m.ic_mean, 0.1446568595855835, 1e-12, "ic_mean");
		is_rel(m.ic_sd, 0.54060863165735318, 1e-12, "ic_sd");
		is_rel(m.ic_t, 0.65543809889202242, 1e-12, "ic_t");
		snprintf(name, sizeof(name), "ic_t_nw, lag %d", e->horizon - 1);
		is_rel(m.ic_t_nw, e->ic_t_nw, 1e-9, name);
		is_int(m.dm_dates, 8, "dm_dates");
		if (isnan(e->dm_stat)) {
			is_nan(m.dm_stat, "dm_stat");
			is_nan(m.dm_p, "dm_p");
		} else {
			is_rel(m.dm_stat, e->dm_stat, 1e-9, "dm_stat");
			is_rel(m.dm_p, e->dm_p, 1e-9, "dm_p");
		}
	}
}

/* Row order within a date does not matter; a horizon below 1 is 1. */
static void test_order(void)
{
	double p2[N], y2[N];
	int date[N];
	struct sp_fc_metrics a, b;

	fill_dates(date);
	for (int t = 0; t < D; t++)
		for (int s = 0; s < S; s++) {
			p2[t * S + s] = pred[t * S + S - 1 - s];
			y2[t * S + s] = y[t * S + S - 1 - s];
		}
	sp_fc_evaluate(pred, y, date, N, 1, &a);
	sp_fc_evaluate(p2, y2, date, N, 0, &b);
	is_int(b.n, a.n, "reversed rows: n");
	is_int(b.ic_dates, a.ic_dates, "reversed rows: ic_dates");
	is_rel(b.mae, a.mae, 1e-12, "reversed rows: mae");
	is_rel(b.ic_mean, a.ic_mean, 1e-12, "reversed rows: ic_mean");
	is_rel(b.ic_t_nw, a.ic_t_nw, 1e-12, "reversed rows, horizon 0: ic_t_nw as horizon 1");
	is_rel(b.dm_stat, a.dm_stat, 1e-12, "reversed rows, horizon 0: dm_stat as horizon 1");
	is_rel(b.dm_p, a.dm_p, 1e-12, "reversed rows, horizon 0: dm_p as horizon 1");
}

/* pred identically 0 where finite: equal losses, no hits, no IC (script output). */
static void test_zero_forecast(void)
{
	double zero[N];
	int date[N];
	struct sp_fc_metrics m;

	fill_dates(date);
	for (int i = 0; i < N; i++)
		zero[i] = isfinite(pred[i]) ? 0 : pred[i];
	sp_fc_evaluate(zero, y, date, N, 5, &m);
	is_int(m.n, 36, "zero forecast: n");
	is_rel(m.mae, 0.02197222222222223, 1e-12, "zero forecast: mae");
	is_rel(m.rmse, 0.029340434746457169, 1e-12, "zero forecast: rmse");
	ok(m.r2_oos == 0, "zero forecast: r2_oos is 0");
	is_int(m.hit_n, 0, "zero forecast: hit_n");
	is_nan(m.hit_rate, "zero forecast: hit_rate");
	is_nan(m.hit_p, "zero forecast: hit_p");
	is_int(m.ic_dates, 0, "zero forecast: ic_dates (pred constant every date)");
	is_nan(m.ic_mean, "zero forecast: ic_mean");
	is_nan(m.ic_t, "zero forecast: ic_t");
	is_int(m.dm_dates, 8, "zero forecast: dm_dates");
	ok(m.dm_stat == 0, "zero forecast: dm_stat is 0");
	ok(m.dm_p == 0.5, "zero forecast: dm_p is 0.5");
}

/*
 * By hand: one date, pred {1, -1, 0.5}, y {2, -1, -0.5}.  Errors 1, 0, -1:
 * MAE 2/3, RMSE sqrt(2/3); SSE(zero) = 4 + 1 + 0.25, so R2 = 1 - 2/5.25.
 * Signs agree on 2 of 3: P(X >= 2 | 3, 1/2) = 4/8.  Ranks 3,1,2 both: IC 1.
 * d = (3 + 1 - 0.75)/3 over one date: no DM.
 */
static void test_by_hand(void)
{
	const double p[] = { 1, -1, 0.5 }, v[] = { 2, -1, -0.5 };
	const int date[] = { 7, 7, 7 };
	struct sp_fc_metrics m;

	sp_fc_evaluate(p, v, date, 3, 1, &m);
	is_int(m.n, 3, "by hand: n");
	is_rel(m.mae, 2.0 / 3, 1e-15, "by hand: mae");
	is_rel(m.rmse, sqrt(2.0 / 3), 1e-15, "by hand: rmse");
	is_rel(m.r2_oos, 1 - 2 / 5.25, 1e-15, "by hand: r2_oos");
	is_int(m.hit_n, 3, "by hand: hit_n");
	is_int(m.hit_k, 2, "by hand: hit_k");
	is_rel(m.hit_rate, 2.0 / 3, 1e-15, "by hand: hit_rate");
	is_rel(m.hit_p, 0.5, 1e-14, "by hand: hit_p");
	is_int(m.ic_dates, 1, "by hand: ic_dates");
	is_rel(m.ic_mean, 1, 1e-15, "by hand: ic_mean");
	is_nan(m.ic_sd, "by hand: ic_sd (one date)");
	is_nan(m.ic_t, "by hand: ic_t (one date)");
	is_nan(m.ic_t_nw, "by hand: ic_t_nw (one date)");
	is_int(m.dm_dates, 1, "by hand: dm_dates");
	is_nan(m.dm_stat, "by hand: dm_stat (one date)");
	is_nan(m.dm_p, "by hand: dm_p (one date)");

	/* every sign wrong: P(X >= 0) = 1; two dates of 1 and 2 rows: no IC */
	const double q[] = { -1, 1, -2 }, u[] = { 1, -1, 3 };
	const int two[] = { 1, 2, 2 };
	sp_fc_evaluate(q, u, two, 3, 1, &m);
	is_int(m.hit_k, 0, "all wrong: hit_k");
	is_rel(m.hit_rate, 0, 0, "all wrong: hit_rate");
	is_rel(m.hit_p, 1, 1e-15, "all wrong: hit_p");
	is_int(m.ic_dates, 0, "under 3 rows a date: ic_dates");
	is_nan(m.ic_mean, "under 3 rows a date: ic_mean");
	/*
	 * DM by hand: d = {1 - 4, ((1 - 4) + (9 - 25))/2} = {-3, -9.5}, mean -6.25,
	 * gamma0 = 3.25^2, so DM = -6.25 / sqrt(3.25^2 / 2); HLN factor
	 * sqrt((2 + 1 - 2 + 0) / 2) = sqrt(1/2): -6.25/3.25 = -25/13.  The t with
	 * 1 df is Cauchy: P(T > x) = 1/2 - atan(x)/pi.
	 */
	is_int(m.dm_dates, 2, "two dates: dm_dates");
	is_rel(m.dm_stat, -25.0 / 13, 1e-14, "two dates: dm_stat by hand");
	is_rel(m.dm_p, 0.5 + atan(25.0 / 13) / M_PI, 1e-12, "two dates: dm_p (Cauchy)");
	sp_fc_evaluate(q, u, two, 3, 2, &m);
	is_nan(m.dm_stat, "two dates, horizon 2: dm_stat needs dates > horizon");
	is_nan(m.dm_p, "two dates, horizon 2: dm_p");
}

static void test_edges(void)
{
	struct sp_fc_metrics m;
	const double p[] = { 0.1, 0.2, NAN }, v[] = { 0, 0, 1 };
	const int date[] = { 1, 1, 1 };

	sp_fc_evaluate(NULL, NULL, NULL, 0, 5, &m);
	is_int(m.n, 0, "n = 0: n");
	is_nan(m.mae, "n = 0: mae");
	is_nan(m.rmse, "n = 0: rmse");
	is_nan(m.r2_oos, "n = 0: r2_oos");
	is_int(m.hit_n, 0, "n = 0: hit_n");
	is_nan(m.hit_rate, "n = 0: hit_rate");
	is_nan(m.hit_p, "n = 0: hit_p");
	is_int(m.ic_dates, 0, "n = 0: ic_dates");
	is_nan(m.ic_mean, "n = 0: ic_mean");
	is_nan(m.ic_sd, "n = 0: ic_sd");
	is_nan(m.ic_t, "n = 0: ic_t");
	is_nan(m.ic_t_nw, "n = 0: ic_t_nw");
	is_int(m.dm_dates, 0, "n = 0: dm_dates");
	is_nan(m.dm_stat, "n = 0: dm_stat");
	is_nan(m.dm_p, "n = 0: dm_p");

	/* y all 0 where usable: no hits, SSE(zero) = 0 */
	sp_fc_evaluate(p, v, date, 3, 1, &m);
	is_int(m.n, 2, "y zero: n skips the NAN row");
	is_rel(m.mae, 0.15, 1e-15, "y zero: mae");
	is_nan(m.r2_oos, "y zero: r2_oos");
	is_int(m.hit_n, 0, "y zero: hit_n");
	is_nan(m.hit_rate, "y zero: hit_rate");
	is_nan(m.hit_p, "y zero: hit_p");
}

static void test_spearman(void)
{
	/* script: ties on both sides */
	const double x[] = { 1.0, 2.0, 2.0, 3.0, 5.0, 5.0, 5.0, 0.5 };
	const double z[] = { 0.3, 0.1, 0.2, 0.2, 0.9, 0.4, 0.9, 0.0 };
	const double up[] = { 1, 2, 3, 4 }, down[] = { 9, 7, 5, -1 }, flat[] = { 2, 2, 2, 2 };
	const double gap[] = { 1, NAN, 3, 4 };

	is_rel(sp_spearman(x, z, 8), 0.81380588883282312, 1e-12, "spearman with ties");
	is_rel(sp_spearman(z, x, 8), 0.81380588883282312, 1e-12, "spearman is symmetric");
	is_rel(sp_spearman(up, down, 4), -1, 1e-15, "spearman of reversed order is -1");
	is_rel(sp_spearman(up, up, 2), 1, 1e-15, "spearman of 2 points");
	is_nan(sp_spearman(up, down, 1), "spearman of 1 point");
	is_nan(sp_spearman(up, flat, 4), "spearman with a constant side");
	is_nan(sp_spearman(gap, up, 4), "spearman with a NAN");
}

int main(void)
{
	test_reference();
	test_order();
	test_zero_forecast();
	test_by_hand();
	test_edges();
	test_spearman();
	return tap_done();
}

/*
 * The script that made the reference values (numpy 1.24, scipy 1.10):
 *
 * # Reference values for tests/unit/test-stats.c (throwaway; run with /usr/bin/python3).
 * import math, numpy as np
 * from scipy import stats
 *
 * rng = np.random.default_rng(5)
 * D, S = 8, 5
 * dates = [18000, 18001, 18004, 18005, 18006, 18007, 18008, 18011]
 * pred = np.round(rng.normal(0, 0.02, (D, S)), 3)
 * y = np.round(0.5 * pred + rng.normal(0, 0.03, (D, S)), 3)
 * y[1, 1] = y[1, 3]                 # tie in y
 * pred[3, 0] = pred[3, 2] = pred[3, 4]  # three-way tie in pred
 * pred[2, 0] = np.nan; y[2, 2] = np.nan; pred[2, 4] = np.inf  # date 2: 2 usable rows
 * pred[4, :] = 0.01                 # constant pred: no IC that date
 * pred[5, 1] = 0.0; y[6, 3] = 0.0   # no hit on those rows
 * y[7, 2] = np.nan
 * fmt = lambda a: ", ".join("NAN" if np.isnan(v) else "INFINITY" if np.isinf(v) else "%.3f" % v
 *                           for v in a.ravel())
 * print("pred:", fmt(pred)); print("y:", fmt(y))
 * pred = np.array([float(s) for s in fmt(pred).replace("NAN", "nan")
 *                  .replace("INFINITY", "inf").split(", ")]).reshape(D, S)
 * y = np.array([float(s) for s in fmt(y).replace("NAN", "nan").split(", ")]).reshape(D, S)
 *
 * def nw(x, lag):
 *     T = len(x); m = x.mean(); c = x - m; L = min(lag, T - 1)
 *     g = [np.dot(c[k:], c[:T - k]) / T for k in range(L + 1)]
 *     v = g[0] + 2 * sum((1 - k / (L + 1)) * g[k] for k in range(1, L + 1))
 *     return v if v > 0 else g[0]
 *
 * def evaluate(pred, y, h):
 *     ok = np.isfinite(pred) & np.isfinite(y)
 *     p, v = pred[ok], y[ok]; e = v - p
 *     out = dict(n=ok.sum(), mae=np.abs(e).mean(), rmse=math.sqrt((e * e).mean()),
 *                r2=1 - (e * e).sum() / (v * v).sum() if (v * v).sum() > 0 else float('nan'))
 *     hm = (p != 0) & (v != 0); hn = hm.sum(); hk = (np.sign(p[hm]) == np.sign(v[hm])).sum()
 *     out.update(hit_n=hn, hit_k=hk, hit_rate=hk / hn if hn else float('nan'),
 *                hit_p=stats.binom.sf(hk - 1, hn, 0.5) if hn else float('nan'))
 *     ic, d = [], []
 *     for t in range(pred.shape[0]):
 *         o = ok[t]; pt, yt = pred[t][o], y[t][o]
 *         if len(pt) >= 1:
 *             d.append(np.mean(yt ** 2 - (yt - pt) ** 2))
 *         if len(pt) >= 3 and np.ptp(pt) > 0 and np.ptp(yt) > 0:
 *             ic.append(stats.spearmanr(pt, yt).correlation)
 *     ic, d = np.array(ic), np.array(d); T = len(ic)
 *     if T >= 2:
 *         out.update(ic_dates=T, ic_mean=ic.mean(), ic_sd=ic.std(ddof=1),
 *                    ic_t=ic.mean() / (ic.std(ddof=1) / math.sqrt(T)),
 *                    ic_t_nw=ic.mean() / math.sqrt(nw(ic, h - 1) / T))
 *     T = len(d)
 *     if np.all(d == 0):
 *         out.update(dm_dates=T, dm_stat=0.0, dm_p=0.5)
 *     elif T > h:
 *         dm = d.mean() / math.sqrt(nw(d, h - 1) / T)
 *         dm *= math.sqrt((T + 1 - 2 * h + h * (h - 1) / T) / T)
 *         out.update(dm_dates=T, dm_stat=dm, dm_p=stats.t.sf(dm, T - 1))
 *     out["ic_series"] = ic; out["d_series"] = d
 *     return out
 *
 * for h in (1, 3, 7, 8):
 *     print("horizon", h)
 *     for k, v in evaluate(pred, y, h).items():
 *         if isinstance(v, np.ndarray):
 *             print("  %s: %s" % (k, ", ".join("%.17g" % x for x in v)))
 *         elif isinstance(v, (int, np.integer)):
 *             print("  %s: %d" % (k, v))
 *         else:
 *             print("  %s: %.17g" % (k, v))
 *
 * print("pred identically zero, horizon 5")
 * for k, v in evaluate(np.where(np.isfinite(pred), 0.0, pred), y, 5).items():
 *     if not isinstance(v, np.ndarray):
 *         print("  %s: %.17g" % (k, v))
 *
 * # sp_spearman alone: ties on both sides
 * x = np.array([1.0, 2.0, 2.0, 3.0, 5.0, 5.0, 5.0, 0.5])
 * z = np.array([0.3, 0.1, 0.2, 0.2, 0.9, 0.4, 0.9, 0.0])
 * print("spearman ties: %.17g" % stats.spearmanr(x, z).correlation)
 */
