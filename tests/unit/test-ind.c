/*
 * test-ind.c - lib/ind against values computed without it: small cases
 * worked out by hand, and every indicator recomputed over a few hundred
 * synthetic bars the straightforward way (each window summed, scanned or
 * recursed from scratch, O(n*w)), compared bar by bar to 1e-12.  Then
 * missing inputs, warm-up lengths, state copies and spec errors.
 */
#include "ind.h"
#include "tap.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAXO 5
#define NB 400

/* ---- running an indicator ---- */

static struct sp_ind *mk(const char *token)
{
	char err[256];
	struct sp_ind *ind = sp_ind_new(token, err, sizeof(err));

	if (!ind)
		ok(0, "sp_ind_new(%s): %s", token, err);
	return ind;
}

/* Feed BARS[0..n) to TOKEN; OUT[i][k] is output k at bar i. */
static int run(const char *token, const struct sp_ind_bar *bars, int n, double (*out)[MAXO])
{
	struct sp_ind *ind = mk(token);
	void *st;

	if (!ind)
		return -1;
	st = malloc(sp_ind_state_size(ind));
	sp_ind_state_init(ind, st);
	for (int i = 0; i < n; i++)
		sp_ind_update(ind, st, &bars[i], out[i]);
	free(st);
	sp_ind_free(ind);
	return 0;
}

static int same(double a, double b, double tol)
{
	double s = fabs(b) > 1 ? fabs(b) : 1;

	if (isnan(a) || isnan(b))
		return isnan(a) && isnan(b);
	return fabs(a - b) <= tol * s;
}

/* Output K of GOT against WANT at every bar: same NANs, values to TOL. */
static void check(const char *label, double (*got)[MAXO], int k, const double *want, int n,
		  double tol)
{
	for (int i = 0; i < n; i++) {
		if (!same(got[i][k], want[i], tol)) {
			ok(0, "%s", label);
			printf("#   bar %d: got %.17g, want %.17g\n", i, got[i][k], want[i]);
			return;
		}
	}
	ok(1, "%s", label);
}

static void check_hand(const char *token, int k, const struct sp_ind_bar *bars, int n,
		       const double *want)
{
	double out[16][MAXO];
	char label[128];

	snprintf(label, sizeof(label), "%s output %d by hand", token, k);
	if (run(token, bars, n, out) == 0)
		check(label, out, k, want, n, 1e-12);
}

/* ---- small cases by hand ---- */

static struct sp_ind_bar closes[16];

static const struct sp_ind_bar *with_closes(const double *c, int n)
{
	for (int i = 0; i < n; i++)
		closes[i] = (struct sp_ind_bar){ c[i], c[i], c[i], c[i], 1000, 1 + i % 5 };
	return closes;
}

/* Four bars (open, high, low, close, volume) used by the range features. */
static const struct sp_ind_bar hlc[5] = {
	{ 8.5, 10, 8, 9, 100, 1 },
	{ 9.5, 12, 9, 11, 200, 2 },
	{ 11, 11, 10, 10.5, 50, 3 },
	{ 10, 10, 7, 8, 70, 4 },
	{ 8, 9, 8, 8.5, 10, 5 },
};

static void test_hand(void)
{
	const double c5[] = { 1, 2, 3, 5, 1 };
	const double N = NAN;

	check_hand("sma:3", 0, with_closes(c5, 5), 5, (double[]){ N, N, 2, 10.0 / 3, 3 });
	/* k = 1/2; seed (1+2+3)/3 = 2; (5-2)/2+2 = 3.5; (1-3.5)/2+3.5 = 2.25 */
	check_hand("ema:3", 0, with_closes(c5, 5), 5, (double[]){ N, N, 2, 3.5, 2.25 });
	check_hand("wma:3", 0, with_closes(c5, 5), 5,
		   (double[]){ N, N, 14.0 / 6, 23.0 / 6, 16.0 / 6 });

	const double c4[] = { 10, 11, 12, 9 };
	check_hand("ret:2", 0, with_closes(c4, 4), 4, (double[]){ N, N, 0.2, 9.0 / 11 - 1 });
	check_hand("logret:1", 0, with_closes(c4, 4), 4,
		   (double[]){ N, log(1.1), log(12.0 / 11), log(0.75) });
	check_hand("roc:1", 0, with_closes(c4, 4), 4,
		   (double[]){ N, 10, 100.0 / 11, -25 });
	check_hand("mom:2", 0, with_closes(c4, 4), 4, (double[]){ N, N, 2, -2 });

	/* gains 1,0,1,1 losses 0,1,0,0: seed (1+0)/2, (0+1)/2; then (g+x)/2 */
	const double r5[] = { 1, 2, 1, 2, 3 };
	check_hand("rsi:2", 0, with_closes(r5, 5), 5, (double[]){ N, N, 50, 75, 87.5 });
	const double flat[] = { 5, 5, 5, 5 };
	check_hand("rsi:2", 0, with_closes(flat, 4), 4, (double[]){ N, N, 0, 0 });

	/*
	 * macd:2:3:2 on 1,2,4,8,16: slow seed (1+2+4)/3 = 7/3 and fast seed
	 * (2+4)/2 = 3 at bar 2, line 2/3; bar 3: fast 19/3, slow 31/6, line
	 * 7/6, signal seed (2/3+7/6)/2 = 11/12; bar 4: fast 115/9, slow
	 * 127/12, line 79/36, signal 191/108.
	 */
	const double m5[] = { 1, 2, 4, 8, 16 };
	check_hand("macd:2:3:2", 0, with_closes(m5, 5), 5, (double[]){ N, N, N, 7.0 / 6, 79.0 / 36 });
	check_hand("macd:2:3:2", 1, with_closes(m5, 5), 5,
		   (double[]){ N, N, N, 11.0 / 12, 191.0 / 108 });
	check_hand("macd:2:3:2", 2, with_closes(m5, 5), 5,
		   (double[]){ N, N, N, 0.25, 79.0 / 36 - 191.0 / 108 });

	/* bb:3 on 1,2,3: mean 2, population sd sqrt(2/3) */
	const double b3[] = { 1, 2, 3, 3, 3, 3, 3 };
	double sd = sqrt(2.0 / 3);
	check_hand("bb:3", 0, with_closes(b3, 3), 3, (double[]){ N, N, 2 + 2 * sd });
	check_hand("bb:3", 1, with_closes(b3, 3), 3, (double[]){ N, N, 2 });
	check_hand("bb:3", 2, with_closes(b3, 3), 3, (double[]){ N, N, 2 - 2 * sd });
	check_hand("bb:3", 3, with_closes(b3, 3), 3, (double[]){ N, N, (1 + 2 * sd) / (4 * sd) });
	check_hand("bb:3:1.5", 4, with_closes(b3, 3), 3, (double[]){ N, N, 3 * sd / 2 });
	/* the bands coincide: %b is the middle, width 0 */
	check_hand("bb:3", 3, with_closes(b3, 7), 7, (double[]){ N, N, (1 + 2 * sd) / (4 * sd),
								 (3 - (8.0 / 3 - 2 * sqrt(2.0 / 9))) / (4 * sqrt(2.0 / 9)), 0.5, 0.5, 0.5 });
	check_hand("bb:3", 4, with_closes(b3, 7), 7, (double[]){ N, N, 2 * sd, 4 * sqrt(2.0 / 9) / (8.0 / 3), 0, 0, 0 });

	/* log returns 1, 2, -1 */
	const double v4[] = { 1, exp(1), exp(3), exp(2) };
	check_hand("vol:2", 0, with_closes(v4, 4), 4, (double[]){ N, N, sqrt(0.5), sqrt(4.5) });

	/* true ranges 2 (first bar), 3, 1, 3.5, 1 */
	check_hand("tr", 0, hlc, 5, (double[]){ 2, 3, 1, 3.5, 1 });
	/* seed (3+1)/2 at bar 2; (2+3.5)/2; (2.75+1)/2 */
	check_hand("atr:2", 0, hlc, 5, (double[]){ N, N, 2, 2.75, 1.875 });
	/* K windows: hh 12, ll 8 -> 75; 12, 9 -> 50; 11, 7 -> 25; 10, 7 -> 50 */
	check_hand("stoch:2:2", 0, hlc, 5, (double[]){ N, N, 50, 25, 50 });
	check_hand("stoch:2:2", 1, hlc, 5, (double[]){ N, N, 62.5, 37.5, 37.5 });
	check_hand("willr:2", 0, hlc, 5, (double[]){ N, -25, -50, -75, -50 });
	/* typical prices 9, 32/3, 10.5: mean 181/18 */
	double m = 181.0 / 18, md = (fabs(9 - m) + fabs(32.0 / 3 - m) + fabs(10.5 - m)) / 3;
	check_hand("cci:3", 0, hlc, 3, (double[]){ N, N, (10.5 - m) / (0.015 * md) });
	check_hand("obv", 0, hlc, 5, (double[]){ 100, 300, 250, 180, 190 });
	/* flows: +32/3*200, -10.5*50, -25/3*70, +(25.5/3)*10 */
	double f1 = 32.0 / 3 * 200, f2 = 10.5 * 50, f3 = 25.0 / 3 * 70, f4 = 25.5 / 3 * 10;
	check_hand("mfi:2", 0, hlc, 5, (double[]){ N, N, 100 * f1 / (f1 + f2), 0, 100 * f4 / (f4 + f3) });
	double vm = 350.0 / 3, vs = sqrt((pow(100 - vm, 2) + pow(200 - vm, 2) + pow(50 - vm, 2)) / 2);
	check_hand("vzscore:3", 0, hlc, 3, (double[]){ N, N, (50 - vm) / vs });
	check_hand("gap", 0, hlc, 5, (double[]){ N, 9.5 / 9 - 1, 0, 10 / 10.5 - 1, 0 });
	check_hand("hlrange", 0, hlc, 2, (double[]){ 2.0 / 9, 3.0 / 11 });
	check_hand("dhigh:2", 0, hlc, 4, (double[]){ N, 11.0 / 12 - 1, 10.5 / 12 - 1, 8.0 / 11 - 1 });
	check_hand("dlow:2", 0, hlc, 4, (double[]){ N, 11.0 / 8 - 1, 10.5 / 9 - 1, 8.0 / 7 - 1 });
	check_hand("dow", 0, hlc, 3, (double[]){ 1, 2, 3 });

	/*
	 * adx:2.  Bar 1: +DM 2, TR 3 (sums).  Bar 2: +DM 2-1 = 1, TR 3-1.5+1
	 * = 2.5: +DI 40, -DI 0, DX 100.  Bar 3: +DM 0.5, -DM 3, TR 4.75: DX
	 * 100*2.5/3.5, ADX (100 + 500/7)/2 = 600/7.  Bar 4: +DM 0.25, -DM
	 * 1.5, TR 3.375, DX 500/7, ADX 550/7.
	 */
	check_hand("adx:2", 0, hlc, 5, (double[]){ N, N, N, 600.0 / 7, 550.0 / 7 });
	check_hand("adx:2", 1, hlc, 5, (double[]){ N, N, 40, 50 / 4.75, 25 / 3.375 });
	check_hand("adx:2", 2, hlc, 5, (double[]){ N, N, 0, 300 / 4.75, 150 / 3.375 });

	const double l5[] = { 1, 2, 3, 4, 5 };
	check_hand("lag:sma:2:1", 0, with_closes(l5, 4), 4, (double[]){ N, N, 1.5, 2.5 });
	/* ret_1 is N, 1, 1/2, 1/3, 1/4; one bar later, then two more */
	check_hand("lag:lag:ret:1:1:2", 0, with_closes(l5, 5), 5, (double[]){ N, N, N, N, 1 });

	struct sp_ind_bar wk[2] = { { 1, 1, 1, 1, 1, 6 }, { 1, 1, 1, 1, 1, 9 } };
	check_hand("dow", 0, wk, 2, (double[]){ 6, N });
}

/* ---- synthetic series and straightforward references ---- */

static double O[NB], H[NB], L[NB], C[NB], V[NB];
static struct sp_ind_bar bars[NB];

static uint64_t rng = 88172645463325252ull;

static double uniform(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (double)(rng >> 11) / 9007199254740992.0;
}

static void make_bars(void);

static void make_series(void)
{
	double c = 100;

	for (int i = 0; i < NB; i++) {
		double o = c * exp(0.005 * (2 * uniform() - 1));
		c = o * exp(0.02 * (2 * uniform() - 1));
		O[i] = o;
		C[i] = c;
		H[i] = fmax(o, c) * (1 + 0.01 * uniform());
		L[i] = fmin(o, c) * (1 - 0.01 * uniform());
		V[i] = round(1e6 * (0.5 + uniform()));
	}
	make_bars();
}

static void make_bars(void)
{
	for (int i = 0; i < NB; i++)
		bars[i] = (struct sp_ind_bar){ O[i], H[i], L[i], C[i], V[i], 1 + i % 5 };
}

static int anynan(const double *x, int from, int to)
{
	for (int i = from; i <= to; i++)
		if (isnan(x[i]))
			return 1;
	return 0;
}

static void ref_lookback(const char *kind, int w, double *y)
{
	for (int i = 0; i < NB; i++) {
		double a = C[i], b = i >= w ? C[i - w] : NAN;
		if (!strcmp(kind, "ret"))
			y[i] = a / b - 1;
		else if (!strcmp(kind, "logret"))
			y[i] = log(a / b);
		else if (!strcmp(kind, "roc"))
			y[i] = (a / b - 1) * 100;
		else
			y[i] = a - b;
	}
}

static double mean_of(const double *x, int from, int to)
{
	double s = 0;

	for (int i = from; i <= to; i++)
		s += x[i];
	return s / (to - from + 1);
}

/* Sum of squared deviations from the mean, two passes. */
static double ss_of(const double *x, int from, int to)
{
	double m = mean_of(x, from, to), s = 0;

	for (int i = from; i <= to; i++)
		s += (x[i] - m) * (x[i] - m);
	return s;
}

static void ref_sma(const double *x, int w, double *y)
{
	for (int i = 0; i < NB; i++)
		y[i] = i >= w - 1 ? mean_of(x, i - w + 1, i) : NAN;
}

static void ref_wma(const double *x, int w, double *y)
{
	for (int i = 0; i < NB; i++) {
		double s = 0;
		for (int j = 0; j < w && i >= w - 1; j++)
			s += (w - j) * x[i - j];
		y[i] = i >= w - 1 ? s / (w * (w + 1) / 2.0) : NAN;
	}
}

/* EMA seeded at bar FIRST+w-1 with the mean of x[first..first+w-1]. */
static void ref_ema_from(const double *x, int first, int w, double k, double *y)
{
	for (int i = 0; i < NB; i++)
		y[i] = NAN;
	if (first + w - 1 >= NB)
		return;
	y[first + w - 1] = mean_of(x, first, first + w - 1);
	for (int i = first + w; i < NB; i++)
		y[i] = (x[i] - y[i - 1]) * k + y[i - 1];
}

static void ref_ema(const double *x, int w, double *y)
{
	ref_ema_from(x, 0, w, 2.0 / (w + 1), y);
}

static void ref_rsi(int w, double *y)
{
	double g[NB], l[NB], ag[NB], al[NB];

	g[0] = l[0] = NAN;
	for (int i = 1; i < NB; i++) {
		g[i] = fmax(C[i] - C[i - 1], 0);
		l[i] = fmax(C[i - 1] - C[i], 0);
	}
	/* Wilder: k = 1/w, seeded with the mean of the first w changes */
	for (int i = 0; i < NB; i++)
		y[i] = ag[i] = al[i] = NAN;
	ag[w] = mean_of(g, 1, w);
	al[w] = mean_of(l, 1, w);
	for (int i = w + 1; i < NB; i++) {
		ag[i] = (ag[i - 1] * (w - 1) + g[i]) / w;
		al[i] = (al[i - 1] * (w - 1) + l[i]) / w;
	}
	for (int i = w; i < NB; i++)
		y[i] = 100 * ag[i] / (ag[i] + al[i]);
}

static void ref_macd(int f, int s, int g, double *line, double *sig, double *hist)
{
	double fast[NB], slow[NB], raw[NB];

	ref_ema_from(C, s - f, f, 2.0 / (f + 1), fast);
	ref_ema_from(C, 0, s, 2.0 / (s + 1), slow);
	for (int i = 0; i < NB; i++)
		raw[i] = fast[i] - slow[i];
	ref_ema_from(raw, s - 1, g, 2.0 / (g + 1), sig);
	for (int i = 0; i < NB; i++) {
		line[i] = i >= s + g - 2 ? raw[i] : NAN;
		hist[i] = line[i] - sig[i];
	}
}

static void ref_bb(int w, double k, double y[5][NB])
{
	for (int i = 0; i < NB; i++) {
		if (i < w - 1 || anynan(C, i - w + 1, i)) {
			for (int j = 0; j < 5; j++)
				y[j][i] = NAN;
			continue;
		}
		double m = mean_of(C, i - w + 1, i), sd = sqrt(ss_of(C, i - w + 1, i) / w);
		y[0][i] = m + k * sd;
		y[1][i] = m;
		y[2][i] = m - k * sd;
		y[3][i] = (C[i] - y[2][i]) / (y[0][i] - y[2][i]);
		y[4][i] = (y[0][i] - y[2][i]) / m;
	}
}

static void ref_vol(int w, double *y)
{
	double r[NB];

	r[0] = NAN;
	for (int i = 1; i < NB; i++)
		r[i] = log(C[i] / C[i - 1]);
	for (int i = 0; i < NB; i++)
		y[i] = i >= w ? sqrt(ss_of(r, i - w + 1, i) / (w - 1)) : NAN;
}

static void ref_vzscore(int w, double *y)
{
	for (int i = 0; i < NB; i++)
		y[i] = i >= w - 1 ? (V[i] - mean_of(V, i - w + 1, i)) /
				    sqrt(ss_of(V, i - w + 1, i) / (w - 1)) : NAN;
}

static double hi_of(int from, int to)
{
	double m = -INFINITY;

	if (from < 0 || anynan(H, from, to))
		return NAN;
	for (int i = from; i <= to; i++)
		m = H[i] > m ? H[i] : m;
	return m;
}

static double lo_of(int from, int to)
{
	double m = INFINITY;

	if (from < 0 || anynan(L, from, to))
		return NAN;
	for (int i = from; i <= to; i++)
		m = L[i] < m ? L[i] : m;
	return m;
}

static void ref_stoch(int kw, int dw, double *k, double *d)
{
	double raw[NB];

	for (int i = 0; i < NB; i++) {
		double hh = hi_of(i - kw + 1, i), ll = lo_of(i - kw + 1, i);
		raw[i] = 100 * (C[i] - ll) / (hh - ll);
	}
	for (int i = 0; i < NB; i++) {
		k[i] = i >= kw + dw - 2 ? raw[i] : NAN;
		d[i] = i >= kw + dw - 2 ? mean_of(raw, i - dw + 1, i) : NAN;
	}
}

static void ref_willr(int w, double *y)
{
	for (int i = 0; i < NB; i++) {
		double hh = hi_of(i - w + 1, i), ll = lo_of(i - w + 1, i);
		y[i] = -100 * (hh - C[i]) / (hh - ll);
	}
}

static void ref_cci(int w, double *y)
{
	double tp[NB];

	for (int i = 0; i < NB; i++)
		tp[i] = (H[i] + L[i] + C[i]) / 3;
	for (int i = 0; i < NB; i++) {
		if (i < w - 1) {
			y[i] = NAN;
			continue;
		}
		double m = mean_of(tp, i - w + 1, i), md = 0;
		for (int j = i - w + 1; j <= i; j++)
			md += fabs(tp[j] - m);
		y[i] = (tp[i] - m) / (0.015 * md / w);
	}
}

static void ref_mfi(int w, double *y)
{
	double tp[NB], pos[NB], neg[NB];

	for (int i = 0; i < NB; i++)
		tp[i] = (H[i] + L[i] + C[i]) / 3;
	pos[0] = neg[0] = NAN;
	for (int i = 1; i < NB; i++) {
		double flow = tp[i] * V[i];
		pos[i] = tp[i] > tp[i - 1] ? flow : 0;
		neg[i] = tp[i] < tp[i - 1] ? flow : 0;
		if (isnan(flow) || isnan(tp[i - 1]))
			pos[i] = neg[i] = NAN;
	}
	for (int i = 0; i < NB; i++) {
		if (i < w) {
			y[i] = NAN;
			continue;
		}
		double p = 0, q = 0;
		for (int j = i - w + 1; j <= i; j++)
			p += pos[j], q += neg[j];
		y[i] = 100 * p / (p + q);
	}
}

static void ref_obv(double *y)
{
	y[0] = V[0];
	for (int i = 1; i < NB; i++)
		y[i] = y[i - 1] + (C[i] > C[i - 1] ? V[i] : C[i] < C[i - 1] ? -V[i] : 0);
}

static void ref_tr(double *tr)
{
	tr[0] = H[0] - L[0];
	for (int i = 1; i < NB; i++)
		tr[i] = anynan(C, i - 1, i - 1) || isnan(H[i]) || isnan(L[i]) ? NAN :
			fmax(H[i], C[i - 1]) - fmin(L[i], C[i - 1]);
}

static void ref_atr(int w, double *y)
{
	double tr[NB];

	ref_tr(tr);
	tr[0] = NAN;	/* not used: TA-Lib starts at the second bar */
	for (int i = 0; i < NB; i++)
		y[i] = NAN;
	y[w] = mean_of(tr, 1, w);
	for (int i = w + 1; i < NB; i++)
		y[i] = (y[i - 1] * (w - 1) + tr[i]) / w;
}

static void ref_adx(int w, double *adx, double *pdi, double *mdi)
{
	double tr[NB], pdm[NB], mdm[NB], st[NB], sp[NB], sm[NB], dx[NB];

	ref_tr(tr);
	for (int i = 1; i < NB; i++) {
		double up = H[i] - H[i - 1], down = L[i - 1] - L[i];
		pdm[i] = up > down && up > 0 ? up : 0;
		mdm[i] = down > up && down > 0 ? down : 0;
	}
	st[w - 1] = sp[w - 1] = sm[w - 1] = 0;
	for (int i = 1; i < w; i++) {
		st[w - 1] += tr[i];
		sp[w - 1] += pdm[i];
		sm[w - 1] += mdm[i];
	}
	for (int i = 0; i < NB; i++)
		adx[i] = pdi[i] = mdi[i] = NAN;
	for (int i = w; i < NB; i++) {
		st[i] = st[i - 1] - st[i - 1] / w + tr[i];
		sp[i] = sp[i - 1] - sp[i - 1] / w + pdm[i];
		sm[i] = sm[i - 1] - sm[i - 1] / w + mdm[i];
		pdi[i] = 100 * sp[i] / st[i];
		mdi[i] = 100 * sm[i] / st[i];
		dx[i] = 100 * fabs(pdi[i] - mdi[i]) / (pdi[i] + mdi[i]);
	}
	adx[2 * w - 1] = mean_of(dx, w, 2 * w - 1);
	for (int i = 2 * w; i < NB; i++)
		adx[i] = (adx[i - 1] * (w - 1) + dx[i]) / w;
}

/* ---- comparisons over the synthetic series ---- */

static double out[NB][MAXO];

static void compare(const char *token, int k, const double *want, double tol)
{
	char label[160];

	snprintf(label, sizeof(label), "%s output %d = straightforward recomputation", token, k);
	if (run(token, bars, NB, out) == 0)
		check(label, out, k, want, NB, tol);
}

static void test_reference(const char *what)
{
	double y[5][NB], tmp[NB];
	char tok[64];
	static const int windows[] = { 1, 2, 7, 20, 50 };

	printf("# %s\n", what);
	make_bars();
	for (size_t wi = 0; wi < sizeof(windows) / sizeof(windows[0]); wi++) {
		int w = windows[wi];
		static const char *lb[] = { "ret", "logret", "roc", "mom" };

		for (int j = 0; j < 4; j++) {
			snprintf(tok, sizeof(tok), "%s:%d", lb[j], w);
			ref_lookback(lb[j], w, y[0]);
			compare(tok, 0, y[0], 1e-12);
		}
		snprintf(tok, sizeof(tok), "sma:%d", w);
		ref_sma(C, w, y[0]);
		compare(tok, 0, y[0], 1e-12);
		snprintf(tok, sizeof(tok), "wma:%d", w);
		ref_wma(C, w, y[0]);
		compare(tok, 0, y[0], 1e-12);
		snprintf(tok, sizeof(tok), "bb:%d:2.5", w);
		ref_bb(w, 2.5, y);
		for (int k = 0; k < 5 && w > 1; k++)
			compare(tok, k, y[k], 1e-12);
		snprintf(tok, sizeof(tok), "dhigh:%d", w);
		for (int i = 0; i < NB; i++)
			tmp[i] = C[i] / hi_of(i - w + 1, i) - 1;
		compare(tok, 0, tmp, 1e-12);
		snprintf(tok, sizeof(tok), "dlow:%d", w);
		for (int i = 0; i < NB; i++)
			tmp[i] = C[i] / lo_of(i - w + 1, i) - 1;
		compare(tok, 0, tmp, 1e-12);
		snprintf(tok, sizeof(tok), "willr:%d", w);
		ref_willr(w, y[0]);
		compare(tok, 0, y[0], 1e-12);
		snprintf(tok, sizeof(tok), "cci:%d", w);
		ref_cci(w, y[0]);
		if (w > 1)
			compare(tok, 0, y[0], 1e-12);
		snprintf(tok, sizeof(tok), "mfi:%d", w);
		ref_mfi(w, y[0]);
		compare(tok, 0, y[0], 1e-12);
		if (w > 1) {
			snprintf(tok, sizeof(tok), "vol:%d", w);
			ref_vol(w, y[0]);
			compare(tok, 0, y[0], 1e-12);
			snprintf(tok, sizeof(tok), "vzscore:%d", w);
			ref_vzscore(w, y[0]);
			compare(tok, 0, y[0], 1e-12);
		}
	}
	ref_stoch(14, 3, y[0], y[1]);
	compare("stoch", 0, y[0], 1e-12);
	compare("stoch", 1, y[1], 1e-12);
	ref_stoch(5, 1, y[0], y[1]);
	compare("stoch:5:1", 1, y[1], 1e-12);
	ref_tr(y[0]);
	compare("tr", 0, y[0], 1e-12);
	for (int i = 0; i < NB; i++)
		y[0][i] = i ? O[i] / C[i - 1] - 1 : NAN;
	compare("gap", 0, y[0], 1e-12);
	for (int i = 0; i < NB; i++)
		y[0][i] = (H[i] - L[i]) / C[i];
	compare("hlrange", 0, y[0], 1e-12);
}

/* Recursive ones: no NAN in the series here (see test_skip_bar()). */
static void test_reference_recursive(void)
{
	double y[3][NB];
	char tok[64];
	static const int windows[] = { 1, 2, 14, 30 };

	for (size_t wi = 0; wi < sizeof(windows) / sizeof(windows[0]); wi++) {
		int w = windows[wi];

		snprintf(tok, sizeof(tok), "ema:%d", w);
		ref_ema(C, w, y[0]);
		compare(tok, 0, y[0], 1e-12);
		snprintf(tok, sizeof(tok), "rsi:%d", w);
		ref_rsi(w, y[0]);
		compare(tok, 0, y[0], 1e-12);
		snprintf(tok, sizeof(tok), "atr:%d", w);
		ref_atr(w, y[0]);
		compare(tok, 0, y[0], 1e-12);
		snprintf(tok, sizeof(tok), "adx:%d", w);
		if (w > 1) {
			ref_adx(w, y[0], y[1], y[2]);
			for (int k = 0; k < 3; k++)
				compare(tok, k, y[k], 1e-12);
		}
	}
	ref_obv(y[0]);
	compare("obv", 0, y[0], 1e-12);
	ref_macd(12, 26, 9, y[0], y[1], y[2]);
	for (int k = 0; k < 3; k++)
		compare("macd", k, y[k], 1e-12);
	ref_macd(5, 35, 5, y[0], y[1], y[2]);
	for (int k = 0; k < 3; k++)
		compare("macd:5:35:5", k, y[k], 1e-12);
}

/*
 * A bar with a missing input leaves a recursive indicator as if the bar
 * had not been there: compare with the series that lacks it.
 */
static void test_skip_bar(const char *token, int field)
{
	double full[NB][MAXO], cut[NB][MAXO];
	struct sp_ind_bar b[NB], d[NB];
	int bad = 123, m = 0, nout, same_all = 1;
	struct sp_ind *ind = mk(token);

	if (!ind)
		return;
	nout = sp_ind_outputs(ind);
	sp_ind_free(ind);
	make_bars();
	for (int i = 0; i < NB; i++) {
		b[i] = bars[i];
		if (i != bad)
			d[m++] = bars[i];
	}
	((double *)&b[bad])[field] = NAN;
	run(token, b, NB, full);
	run(token, d, m, cut);
	for (int i = 0, j = 0; i < NB; i++) {
		for (int k = 0; k < nout; k++) {
			double want = i == bad ? NAN : cut[j][k];
			if (!same(full[i][k], want, 0))
				same_all = 0;
		}
		j += i != bad;
	}
	ok(same_all, "%s: a bar missing field %d is skipped", token, field);
}

static void test_missing(void)
{
	make_series();
	C[50] = NAN;
	H[120] = NAN;
	L[200] = NAN;
	V[300] = NAN;
	O[350] = NAN;
	test_reference("windowed indicators with missing close, high, low, volume, open");

	/* A 1e15 bad tick must not leave its rounding in the sums. */
	make_series();
	C[100] = 1e15;
	V[100] = 1e18;
	make_bars();
	{
		double y[5][NB];
		printf("# a close of 1e15 and a volume of 1e18 at bar 100\n");
		ref_sma(C, 7, y[0]);
		compare("sma:7", 0, y[0], 1e-12);
		ref_bb(20, 2, y);
		compare("bb:20", 0, y[0], 1e-12);
		compare("bb:20", 3, y[3], 1e-12);
		ref_vzscore(20, y[0]);
		compare("vzscore:20", 0, y[0], 1e-12);
		ref_wma(C, 50, y[0]);
		compare("wma:50", 0, y[0], 1e-12);
	}

	make_series();
	for (int f = 1; f <= 3; f++)
		test_skip_bar("adx:5", f);
	test_skip_bar("ema:10", 3);
	test_skip_bar("rsi:14", 3);
	test_skip_bar("macd", 3);
	test_skip_bar("macd:3:5:2", 3);
	test_skip_bar("atr:14", 1);
	test_skip_bar("atr:14", 2);
	test_skip_bar("obv", 3);
	test_skip_bar("obv", 4);

	/* A missing value inside a window: NAN exactly while it is inside. */
	{
		const double c[] = { 1, 2, NAN, 4, 5, 6, 7 };
		const double N = NAN;
		check_hand("sma:2", 0, with_closes(c, 7), 7, (double[]){ N, 1.5, N, N, 4.5, 5.5, 6.5 });
		check_hand("ret:1", 0, with_closes(c, 7), 7, (double[]){ N, 1, N, N, 0.25, 0.2, 1.0 / 6 });
		/* k = 2/3, seed 1.5; the NAN bar is skipped */
		double e3 = (4 - 1.5) * 2 / 3 + 1.5, e4 = (5 - e3) * 2 / 3 + e3;
		double e5 = (6 - e4) * 2 / 3 + e4, e6 = (7 - e5) * 2 / 3 + e5;
		check_hand("ema:2", 0, with_closes(c, 7), 7, (double[]){ N, 1.5, N, e3, e4, e5, e6 });
	}
}

/* ---- warm-up, state copies, spec ---- */

static const char *all_tokens[] = {
	"ret:5", "logret:1", "roc:10", "mom:10", "sma:20", "ema:12", "wma:10", "macd",
	"macd:5:35:5", "bb:20", "bb:10:1.5", "vol:20", "rsi:14", "stoch", "stoch:5:1",
	"willr:14", "cci:20", "mfi:14", "adx:14", "tr", "atr:14", "obv", "vzscore:20",
	"gap", "hlrange", "dhigh:20", "dlow:20", "dow", "lag:rsi:14:1", "lag:macd:3",
	"lag:lag:bb:5:2:2",
};

#define NTOK (int)(sizeof(all_tokens) / sizeof(all_tokens[0]))

static void test_warmup(void)
{
	make_series();
	make_bars();
	for (int t = 0; t < NTOK; t++) {
		struct sp_ind *ind = mk(all_tokens[t]);
		int w, nout, first = -1;

		if (!ind)
			continue;
		w = sp_ind_warmup(ind);
		nout = sp_ind_outputs(ind);
		run(all_tokens[t], bars, NB, out);
		for (int i = 0; i < NB && first < 0; i++) {
			int all = 1;
			for (int k = 0; k < nout; k++)
				all &= !isnan(out[i][k]);
			if (all)
				first = i;
		}
		ok(first == w, "%s: first bar with every output is the warm-up (%d)", all_tokens[t], w);
		if (first != w)
			printf("#   first full bar %d\n", first);
		sp_ind_free(ind);
	}
}

/* Copy the state mid-series to another address; both go on the same. */
static void test_state_copy(void)
{
	make_series();
	make_bars();
	for (int t = 0; t < NTOK; t++) {
		struct sp_ind *ind = mk(all_tokens[t]);
		size_t size;
		unsigned char *a, *b, *revised;
		double oa[MAXO], ob[MAXO], junk[MAXO];
		int nout, identical = 1, revision = 1;

		if (!ind)
			continue;
		size = sp_ind_state_size(ind);
		nout = sp_ind_outputs(ind);
		a = malloc(size);
		b = malloc(size + 8);
		revised = malloc(size);
		sp_ind_state_init(ind, a);
		for (int i = 0; i < NB; i++) {
			if (i == 150)
				memcpy(b + 8, a, size);
			if (i == 250) {
				/* a revised bar: step back, apply another, step back again */
				memcpy(revised, a, size);
				struct sp_ind_bar other = bars[i];
				other.close *= 1.1;
				other.high *= 1.2;
				sp_ind_update(ind, a, &other, junk);
				memcpy(a, revised, size);
			}
			sp_ind_update(ind, a, &bars[i], oa);
			if (i >= 150) {
				sp_ind_update(ind, b + 8, &bars[i], ob);
				for (int k = 0; k < nout; k++)
					identical &= same(oa[k], ob[k], 0);
			}
		}
		identical &= memcmp(a, b + 8, size) == 0;
		ok(identical, "%s: state copied at bar 150 goes on identically", all_tokens[t]);

		/* and the stepped-back run equals a run that never saw the revision */
		run(all_tokens[t], bars, NB, out);
		sp_ind_state_init(ind, a);
		for (int i = 0; i < NB; i++) {
			if (i == 250) {
				memcpy(revised, a, size);
				struct sp_ind_bar other = bars[i];
				other.close = NAN;
				sp_ind_update(ind, a, &other, junk);
				memcpy(a, revised, size);
			}
			sp_ind_update(ind, a, &bars[i], oa);
			for (int k = 0; k < nout; k++)
				revision &= same(oa[k], out[i][k], 0);
		}
		ok(revision, "%s: stepping back over a revised bar leaves no trace", all_tokens[t]);
		free(a);
		free(b);
		free(revised);
		sp_ind_free(ind);
	}
}

static void test_names(void)
{
	static const struct {
		const char *token, *names, *warmup;
	} cases[] = {
		{ "ret:5", "ret_5", "5" },
		{ "logret:1", "logret_1", "1" },
		{ "sma:20", "sma_20", "19" },
		{ "ema:1", "ema_1", "0" },
		{ "rsi:14", "rsi_14", "14" },
		{ "macd", "macd_12_26_9 macd_signal_12_26_9 macd_hist_12_26_9", "33" },
		{ "macd:5", "macd_5_26_9 macd_signal_5_26_9 macd_hist_5_26_9", "33" },
		{ "macd:3:10:4", "macd_3_10_4 macd_signal_3_10_4 macd_hist_3_10_4", "12" },
		{ "bb:20", "bb_upper_20_2 bb_middle_20_2 bb_lower_20_2 bb_pctb_20_2 bb_width_20_2", "19" },
		{ "bb:20:2.50", "bb_upper_20_2.5 bb_middle_20_2.5 bb_lower_20_2.5 bb_pctb_20_2.5 bb_width_20_2.5", "19" },
		{ "bb:20:02.0", "bb_upper_20_2 bb_middle_20_2 bb_lower_20_2 bb_pctb_20_2 bb_width_20_2", "19" },
		{ "bb:5:.5", "bb_upper_5_0.5 bb_middle_5_0.5 bb_lower_5_0.5 bb_pctb_5_0.5 bb_width_5_0.5", "4" },
		{ "tr", "tr", "0" },
		{ "atr:14", "atr_14", "14" },
		{ "vol:20", "vol_20", "20" },
		{ "stoch", "stoch_k_14_3 stoch_d_14_3", "15" },
		{ "stoch:5:1", "stoch_k_5_1 stoch_d_5_1", "4" },
		{ "willr:14", "willr_14", "13" },
		{ "roc:10", "roc_10", "10" },
		{ "mom:10", "mom_10", "10" },
		{ "obv", "obv", "0" },
		{ "cci:20", "cci_20", "19" },
		{ "adx:14", "adx_14 plus_di_14 minus_di_14", "27" },
		{ "mfi:14", "mfi_14", "14" },
		{ "vzscore:20", "vzscore_20", "19" },
		{ "gap", "gap", "1" },
		{ "hlrange", "hlrange", "0" },
		{ "dhigh:20", "dhigh_20", "19" },
		{ "dlow:20", "dlow_20", "19" },
		{ "dow", "dow", "0" },
		{ "wma:100000", "wma_100000", "99999" },
		{ "lag:rsi:14:1", "rsi_14_lag_1", "15" },
		{ "lag:macd:2", "macd_12_26_9_lag_2 macd_signal_12_26_9_lag_2 macd_hist_12_26_9_lag_2", "35" },
		{ "lag:bb:20:2.5:3", "bb_upper_20_2.5_lag_3 bb_middle_20_2.5_lag_3 bb_lower_20_2.5_lag_3 bb_pctb_20_2.5_lag_3 bb_width_20_2.5_lag_3", "22" },
		{ "lag:lag:ret:1:1:2", "ret_1_lag_1_lag_2", "4" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sp_ind *ind = mk(cases[i].token);
		char names[512] = "", w[16];
		size_t n = 0;

		if (!ind)
			continue;
		for (int k = 0; k < sp_ind_outputs(ind); k++)
			n += (size_t)snprintf(names + n, sizeof(names) - n, "%s%s", k ? " " : "",
					      sp_ind_output_name(ind, k));
		is_str(names, cases[i].names, cases[i].token);
		snprintf(w, sizeof(w), "%d", sp_ind_warmup(ind));
		is_str(w, cases[i].warmup, cases[i].token);
		ok(sp_ind_output_name(ind, sp_ind_outputs(ind)) == NULL, "%s: no name past the end",
		   cases[i].token);
		sp_ind_free(ind);
	}
}

static void test_errors(void)
{
	static const struct {
		const char *token, *err;
	} cases[] = {
		{ "", "empty indicator" },
		{ "smaa:20", "unknown indicator 'smaa'" },
		{ "SMA:20", "unknown indicator 'SMA'" },
		{ ":20", "missing indicator name in ':20'" },
		{ "sma", "sma: missing window (syntax sma:N)" },
		{ "sma:", "sma: empty window (syntax sma:N)" },
		{ "sma:0", "sma: window must be 1 to 100000, not 0" },
		{ "sma:100001", "sma: window must be 1 to 100000, not 100001" },
		{ "sma:99999999999999999999", "sma: window must be 1 to 100000, not 99999999999999999999" },
		{ "sma:-3", "sma: window must be an integer, not '-3'" },
		{ "sma:2.5", "sma: window must be an integer, not '2.5'" },
		{ "sma: 20", "sma: window must be an integer, not ' 20'" },
		{ "sma:20:5", "sma: unexpected parameter '5' (syntax sma:N)" },
		{ "tr:14", "tr: unexpected parameter '14' (syntax tr)" },
		{ "macd:26:12", "macd: fast period (26) must be shorter than slow (12)" },
		{ "macd:12:26:9:1", "macd: unexpected parameter '1' (syntax macd[:FAST[:SLOW[:SIGNAL]]])" },
		{ "macd::26", "macd: empty fast period (syntax macd[:FAST[:SLOW[:SIGNAL]]])" },
		{ "bb:20:0", "bb: K (standard deviations) must be a positive number such as 2 or 2.5, not '0'" },
		{ "bb:20:-2", "bb: K (standard deviations) must be a positive number such as 2 or 2.5, not '-2'" },
		{ "bb:20:1e3", "bb: K (standard deviations) must be a positive number such as 2 or 2.5, not '1e3'" },
		{ "bb:20:nan", "bb: K (standard deviations) must be a positive number such as 2 or 2.5, not 'nan'" },
		{ "bb:20:.", "bb: K (standard deviations) must be a positive number such as 2 or 2.5, not '.'" },
		{ "vol:1", "vol: window must be 2 to 100000, not 1" },
		{ "vzscore:1", "vzscore: window must be 2 to 100000, not 1" },
		{ "lag", "lag: needs an indicator and a lag, as lag:TOKEN:L (lag:rsi:14:1), not 'lag'" },
		{ "lag:rsi", "lag: needs an indicator and a lag, as lag:TOKEN:L (lag:rsi:14:1), not 'lag:rsi'" },
		{ "lag:rsi:14", "lag: rsi: missing window (syntax rsi:N)" },
		{ "lag:rsi:14:0", "lag: lag L must be 1 to 100000, not 0" },
		{ "lag:foo:1", "lag: unknown indicator 'foo'" },
		{ "lag:lag:lag:lag:lag:ret:1:1:1:1:1:1", "lag: lag: lag: lag: lag: nested more than 4 deep" },
	};
	char err[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sp_ind *ind = sp_ind_new(cases[i].token, err, sizeof(err));

		ok(!ind, "'%s' is refused", cases[i].token);
		if (!ind)
			is_str(err, cases[i].err, cases[i].token);
		sp_ind_free(ind);
	}
	ok(!sp_ind_new(NULL, err, sizeof(err)), "NULL token refused");
	ok(!sp_ind_new("sma:0", NULL, 0), "no error buffer: refused all the same");
	{
		char longtok[400];
		memset(longtok, 'a', sizeof(longtok) - 1);
		longtok[sizeof(longtok) - 1] = '\0';
		ok(!sp_ind_new(longtok, err, sizeof(err)) && strstr(err, "longer than"),
		   "an absurdly long token is refused");
	}
	/* a short buffer truncates the message, it does not overflow */
	ok(!sp_ind_new("smaa:20", err, 8) && strlen(err) == 7, "message truncated to the buffer");
}

static void test_describe(void)
{
	static const char *kinds[] = { "ret", "logret", "roc", "mom", "sma", "ema", "wma",
				       "macd", "bb", "vol", "rsi", "stoch", "willr", "cci",
				       "mfi", "adx", "tr", "atr", "obv", "vzscore", "gap",
				       "hlrange", "dhigh", "dlow", "dow", "lag" };
	int n = 0;

	while (sp_ind_describe(n))
		n++;
	is_int(n, (int)(sizeof(kinds) / sizeof(kinds[0])), "one description per kind");
	for (int i = 0; i < n && i < (int)(sizeof(kinds) / sizeof(kinds[0])); i++) {
		const char *d = sp_ind_describe(i);
		size_t len = strlen(kinds[i]);
		ok(!strncmp(d, kinds[i], len) && (d[len] == ':' || d[len] == ' ' || d[len] == '['),
		   "description %d starts with its syntax (%s)", i, kinds[i]);
		ok(strstr(d, "arm-up") || strstr(d, "warm-up"), "%s: description gives the warm-up",
		   kinds[i]);
	}
	ok(sp_ind_describe(-1) == NULL, "no description before the first");
}

int main(void)
{
	test_hand();
	make_series();
	test_reference("windowed indicators, no missing input");
	make_series();
	test_reference_recursive();
	test_missing();
	test_warmup();
	test_state_copy();
	test_names();
	test_errors();
	test_describe();
	return tap_done();
}
