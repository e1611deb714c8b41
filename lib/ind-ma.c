/*
 * ind-ma.c - returns, moving averages, bands and price-level features:
 * ret, logret, roc, mom, sma, ema, wma, macd, bb, vol, vzscore, gap,
 * hlrange, dhigh, dlow, dow.
 *
 * Two rules for a missing input (NAN), as ind.h promises.  A windowed
 * feature pushes the NAN into its window and is NAN until it has left.  A
 * recursive one (ema, macd) has no window a value could leave, so it skips
 * the bar: state unchanged, output NAN, and the next bar goes on as if the
 * bad one had not been there.
 */
#include "ind-impl.h"

#include <math.h>
#include <stdio.h>
#include "banned.h"

/* Most features here are a window and nothing else. */
static int one_part(struct sp_ind *ind, int type, int n, int flags, int warmup)
{
	ind_add_part(ind, type, n, flags);
	ind->warmup = warmup;
	return 0;
}

/* ---- the close N bars ago: ret, logret, roc, mom ---- */

static int lookback_setup(struct sp_ind *ind, char *err, size_t errlen)
{
	return one_part(ind, PART_WIN, ind->p[0], WIN_RING, ind->p[0]);
}

static void ret_update(const struct sp_ind *ind, void *state, const struct sp_ind_bar *bar,
		       double *out)
{
	double then = ind_win_push(ind_part(ind, state, 0), bar->close);

	out[0] = bar->close / then - 1;
}

static void logret_update(const struct sp_ind *ind, void *state, const struct sp_ind_bar *bar,
			  double *out)
{
	double then = ind_win_push(ind_part(ind, state, 0), bar->close);

	out[0] = log(bar->close / then);
}

/* TA-Lib's ROC, including its 0 for a zero base. */
static void roc_update(const struct sp_ind *ind, void *state, const struct sp_ind_bar *bar,
		       double *out)
{
	double then = ind_win_push(ind_part(ind, state, 0), bar->close);

	if (then == 0 && !isnan(bar->close))
		out[0] = 0;
	else
		out[0] = (bar->close / then - 1.0) * 100.0;
}

static void mom_update(const struct sp_ind *ind, void *state, const struct sp_ind_bar *bar,
		       double *out)
{
	double then = ind_win_push(ind_part(ind, state, 0), bar->close);

	out[0] = bar->close - then;
}

#define INT_PARAM(w, m) { .what = (w), .min = (m) }

const struct ind_kind ind_kind_ret = {
	"ret", "ret:N", 1, { INT_PARAM("period", 1) }, { "ret" },
	lookback_setup, NULL, ret_update,
	"ret:N -> ret_N.  Simple return over N bars: close / close[N bars ago] - 1, "
	"a fraction (0.01 is 1%).  Warm-up N bars.  Empty while either close is "
	"missing.",
};

const struct ind_kind ind_kind_logret = {
	"logret", "logret:N", 1, { INT_PARAM("period", 1) }, { "logret" },
	lookback_setup, NULL, logret_update,
	"logret:N -> logret_N.  Log return over N bars: ln(close / close[N bars "
	"ago]).  Warm-up N bars.",
};

const struct ind_kind ind_kind_roc = {
	"roc", "roc:N", 1, { INT_PARAM("period", 1) }, { "roc" },
	lookback_setup, NULL, roc_update,
	"roc:N -> roc_N.  Rate of change in percent, TA-Lib's ROC (not ROCP): "
	"(close / close[N bars ago] - 1) * 100; 0 where the old close is 0, as "
	"TA-Lib.  Warm-up N bars.",
};

const struct ind_kind ind_kind_mom = {
	"mom", "mom:N", 1, { INT_PARAM("period", 1) }, { "mom" },
	lookback_setup, NULL, mom_update,
	"mom:N -> mom_N.  Momentum: close - close[N bars ago], in price units "
	"(TA-Lib MOM).  Warm-up N bars.",
};

/* ---- moving averages ---- */

static int sma_setup(struct sp_ind *ind, char *err, size_t errlen)
{
	return one_part(ind, PART_WIN, ind->p[0], 0, ind->p[0] - 1);
}

static void sma_update(const struct sp_ind *ind, void *state, const struct sp_ind_bar *bar,
		       double *out)
{
	struct ind_win *w = ind_part(ind, state, 0);

	ind_win_push(w, bar->close);
	out[0] = ind_win_ready(w) ? w->sum / w->n : NAN;
}

static int ema_setup(struct sp_ind *ind, char *err, size_t errlen)
{
	return one_part(ind, PART_SMOOTH, ind->p[0], 0, ind->p[0] - 1);
}

static void ema_update(const struct sp_ind *ind, void *state, const struct sp_ind_bar *bar,
		       double *out)
{
	struct ind_smooth *s = ind_part(ind, state, 0);

	out[0] = !isnan(bar->close) && ind_smooth_push(s, bar->close) ? s->value : NAN;
}

static int wma_setup(struct sp_ind *ind, char *err, size_t errlen)
{
	return one_part(ind, PART_WIN, ind->p[0], WIN_WSUM, ind->p[0] - 1);
}

static void wma_update(const struct sp_ind *ind, void *state, const struct sp_ind_bar *bar,
		       double *out)
{
	struct ind_win *w = ind_part(ind, state, 0);
	double n = w->n;

	ind_win_push(w, bar->close);
	out[0] = ind_win_ready(w) ? w->wsum / (n * (n + 1) / 2) : NAN;
}

const struct ind_kind ind_kind_sma = {
	"sma", "sma:N", 1, { INT_PARAM("window", 1) }, { "sma" },
	sma_setup, NULL, sma_update,
	"sma:N -> sma_N.  Simple moving average of the close over N bars, in "
	"price units.  Warm-up N-1 bars.",
};

const struct ind_kind ind_kind_ema = {
	"ema", "ema:N", 1, { INT_PARAM("window", 1) }, { "ema" },
	ema_setup, NULL, ema_update,
	"ema:N -> ema_N.  Exponential moving average of the close, "
	"ema = (close - ema[-1]) * k + ema[-1] with k = 2 / (N + 1), seeded as "
	"TA-Lib with the simple mean of the first N closes.  Warm-up N-1 bars; "
	"the seed's weight fades as (1-k)^bars, below 1e-6 after about 7N.  A "
	"bar with a missing close is skipped (empty, state unchanged).",
};

const struct ind_kind ind_kind_wma = {
	"wma", "wma:N", 1, { INT_PARAM("window", 1) }, { "wma" },
	wma_setup, NULL, wma_update,
	"wma:N -> wma_N.  Linearly weighted moving average of the close over N "
	"bars, weights 1 (oldest) to N (newest) divided by N(N+1)/2, as TA-Lib "
	"WMA.  Warm-up N-1 bars.",
};

/* ---- MACD ---- */

struct macd_state {
	int64_t count;		/* closes seen, missing ones not counted */
};

enum { MACD_SLOW, MACD_FAST, MACD_SIGNAL, MACD_SEED };

static int macd_setup(struct sp_ind *ind, char *err, size_t errlen)
{
	int fast = ind->p[0], slow = ind->p[1], signal = ind->p[2];

	if (fast >= slow) {
		snprintf(err, errlen, "macd: fast period (%d) must be shorter than slow (%d)",
			 fast, slow);
		return -1;
	}
	ind->scalars = sizeof(struct macd_state);
	ind_add_part(ind, PART_SMOOTH, slow, 0);
	ind_add_part(ind, PART_SMOOTH, fast, 0);
	ind_add_part(ind, PART_SMOOTH, signal, 0);
	ind_add_part(ind, PART_WIN, fast, WIN_RING);
	ind->warmup = slow + signal - 2;
	return 0;
}

/*
 * TA-Lib seeds the fast EMA late, with the mean of the fast-period closes
 * that end where the slow EMA's seed ends (bar SLOW-1), so that both begin
 * on the same bar; the closes before that are kept in a ring until then.
 */
static void macd_update(const struct sp_ind *ind, void *state, const struct sp_ind_bar *bar,
			double *out)
{
	struct macd_state *st = state;
	struct ind_smooth *slow = ind_part(ind, state, MACD_SLOW);
	struct ind_smooth *fast = ind_part(ind, state, MACD_FAST);
	struct ind_smooth *signal = ind_part(ind, state, MACD_SIGNAL);
	double c = bar->close, line;

	out[0] = out[1] = out[2] = NAN;
	if (isnan(c))
		return;
	st->count++;
	ind_smooth_push(slow, c);
	if (st->count <= slow->n) {
		struct ind_win *seed = ind_part(ind, state, MACD_SEED);

		ind_win_push(seed, c);
		if (st->count < slow->n)
			return;
		for (int i = 0; i < fast->n; i++)
			ind_smooth_push(fast, ind_win_at(seed, i));
	} else {
		ind_smooth_push(fast, c);
	}
	line = fast->value - slow->value;
	if (!ind_smooth_push(signal, line))
		return;
	out[0] = line;
	out[1] = signal->value;
	out[2] = line - signal->value;
}

const struct ind_kind ind_kind_macd = {
	"macd", "macd[:FAST[:SLOW[:SIGNAL]]]", 3,
	{ { "fast period", 1, 12, 0, 0 }, { "slow period", 1, 26, 0, 0 },
	  { "signal period", 1, 9, 0, 0 } },
	{ "macd", "macd_signal", "macd_hist" },
	macd_setup, NULL, macd_update,
	"macd[:FAST[:SLOW[:SIGNAL]]] (12:26:9) -> macd_F_S_G, macd_signal_F_S_G, "
	"macd_hist_F_S_G.  MACD line = EMA(FAST) - EMA(SLOW) of the close, in "
	"price units; signal = EMA(SIGNAL) of the line; hist = line - signal.  "
	"Seeded as TA-Lib MACD: the slow EMA with the mean of the first SLOW "
	"closes, the fast EMA with the mean of the FAST closes ending on the "
	"same bar, the signal with the mean of the first SIGNAL line values.  "
	"All three start together after a warm-up of SLOW+SIGNAL-2 bars.  FAST "
	"must be below SLOW.  A bar with a missing close is skipped.",
};

/* ---- Bollinger bands ---- */

static int bb_setup(struct sp_ind *ind, char *err, size_t errlen)
{
	return one_part(ind, PART_WIN, ind->p[0], WIN_VAR, ind->p[0] - 1);
}

static void bb_update(const struct sp_ind *ind, void *state, const struct sp_ind_bar *bar,
		      double *out)
{
	struct ind_win *w = ind_part(ind, state, 0);
	double mid, dev, up, lo;

	ind_win_push(w, bar->close);
	if (!ind_win_ready(w)) {
		for (int k = 0; k < 5; k++)
			out[k] = NAN;
		return;
	}
	mid = w->sum / w->n;
	dev = ind->k * sqrt(ind_win_var_pop(w));
	up = mid + dev;
	lo = mid - dev;
	out[0] = up;
	out[1] = mid;
	out[2] = lo;
	out[3] = up > lo ? (bar->close - lo) / (up - lo) : 0.5;
	out[4] = (up - lo) / mid;
}

const struct ind_kind ind_kind_bb = {
	"bb", "bb:N[:K]", 2,
	{ INT_PARAM("window", 1), { "K (standard deviations)", 0, 0, 1, 2.0 } },
	{ "bb_upper", "bb_middle", "bb_lower", "bb_pctb", "bb_width" },
	bb_setup, NULL, bb_update,
	"bb:N[:K] (K 2) -> bb_upper_N_K, bb_middle_N_K, bb_lower_N_K, "
	"bb_pctb_N_K, bb_width_N_K (K without trailing zeros: bb_upper_20_2, "
	"bb_upper_20_2.5).  Bollinger bands on the close as TA-Lib BBANDS: "
	"middle = SMA(N), upper and lower = middle +/- K * the population "
	"standard deviation of the N closes (divisor N).  %b = (close - lower) "
	"/ (upper - lower), 0.5 when the bands coincide (all N closes equal); "
	"width = (upper - lower) / middle.  Warm-up N-1 bars.",
};

/* ---- volatility and volume z-score ---- */

struct prev_close {
	double close;
};

static void prev_close_init(const struct sp_ind *ind, void *state)
{
	((struct prev_close *)state)->close = NAN;
}

static int vol_setup(struct sp_ind *ind, char *err, size_t errlen)
{
	if (ind->p[0] < 2) {
		snprintf(err, errlen, "vol: window must be 2 to %d, not %d (a sample "
			 "standard deviation needs two returns)", IND_MAX_WINDOW, ind->p[0]);
		return -1;
	}
	ind->scalars = sizeof(struct prev_close);
	return one_part(ind, PART_WIN, ind->p[0], WIN_VAR, ind->p[0]);
}

/* The first bar has no return: its NAN keeps the window waiting one bar. */
static void vol_update(const struct sp_ind *ind, void *state, const struct sp_ind_bar *bar,
		       double *out)
{
	struct prev_close *st = state;
	struct ind_win *w = ind_part(ind, state, 0);

	ind_win_push(w, log(bar->close / st->close));
	st->close = bar->close;
	out[0] = ind_win_ready(w) ? sqrt(ind_win_var_sample(w)) : NAN;
}

const struct ind_kind ind_kind_vol = {
	"vol", "vol:N", 1, { INT_PARAM("window", 2) }, { "vol" },
	vol_setup, prev_close_init, vol_update,
	"vol:N -> vol_N.  Realised volatility: the sample standard deviation "
	"(divisor N-1) of the last N one-bar log returns ln(close / previous "
	"close), per bar, not annualised.  N at least 2.  Warm-up N bars.",
};

static int vzscore_setup(struct sp_ind *ind, char *err, size_t errlen)
{
	if (ind->p[0] < 2) {
		snprintf(err, errlen, "vzscore: window must be 2 to %d, not %d (a sample "
			 "standard deviation needs two volumes)", IND_MAX_WINDOW, ind->p[0]);
		return -1;
	}
	return one_part(ind, PART_WIN, ind->p[0], WIN_VAR, ind->p[0] - 1);
}

static void vzscore_update(const struct sp_ind *ind, void *state,
			   const struct sp_ind_bar *bar, double *out)
{
	struct ind_win *w = ind_part(ind, state, 0);
	double sd;

	ind_win_push(w, bar->volume);
	if (!ind_win_ready(w)) {
		out[0] = NAN;
		return;
	}
	sd = sqrt(ind_win_var_sample(w));
	out[0] = sd > 0 ? (bar->volume - w->sum / w->n) / sd : 0;
}

const struct ind_kind ind_kind_vzscore = {
	"vzscore", "vzscore:N", 1, { INT_PARAM("window", 2) }, { "vzscore" },
	vzscore_setup, NULL, vzscore_update,
	"vzscore:N -> vzscore_N.  Volume z-score: (volume - mean) / sd over the "
	"last N volumes including this bar's, sd the sample standard deviation "
	"(divisor N-1); 0 when all N volumes are equal.  N at least 2.  Warm-up "
	"N-1 bars.",
};

/* ---- one-bar features ---- */

static int gap_setup(struct sp_ind *ind, char *err, size_t errlen)
{
	ind->scalars = sizeof(struct prev_close);
	ind->warmup = 1;
	return 0;
}

static void gap_update(const struct sp_ind *ind, void *state, const struct sp_ind_bar *bar,
		       double *out)
{
	struct prev_close *st = state;

	out[0] = bar->open / st->close - 1;
	st->close = bar->close;
}

const struct ind_kind ind_kind_gap = {
	"gap", "gap", 0, { { 0 } }, { "gap" },
	gap_setup, prev_close_init, gap_update,
	"gap -> gap.  Overnight gap: open / previous close - 1, a fraction.  "
	"Warm-up 1 bar.",
};

static int zero_setup(struct sp_ind *ind, char *err, size_t errlen)
{
	ind->warmup = 0;
	return 0;
}

static void hlrange_update(const struct sp_ind *ind, void *state,
			   const struct sp_ind_bar *bar, double *out)
{
	out[0] = (bar->high - bar->low) / bar->close;
}

const struct ind_kind ind_kind_hlrange = {
	"hlrange", "hlrange", 0, { { 0 } }, { "hlrange" },
	zero_setup, NULL, hlrange_update,
	"hlrange -> hlrange.  The bar's range relative to its close: "
	"(high - low) / close.  No warm-up.",
};

/* Weekday as the bar's date gives it: 1 Monday .. 5 Friday (0, 6 weekend). */
static void dow_update(const struct sp_ind *ind, void *state, const struct sp_ind_bar *bar,
		       double *out)
{
	out[0] = bar->weekday >= 0 && bar->weekday <= 6 ? bar->weekday : NAN;
}

const struct ind_kind ind_kind_dow = {
	"dow", "dow", 0, { { 0 } }, { "dow" },
	zero_setup, NULL, dow_update,
	"dow -> dow.  Day of the week of the bar's date as a number, 1 Monday "
	"to 5 Friday (0 Sunday, 6 Saturday for a weekend bar).  No warm-up.",
};

/* ---- distance from the N-bar high and low ---- */

static int dhigh_setup(struct sp_ind *ind, char *err, size_t errlen)
{
	return one_part(ind, PART_MONO, ind->p[0], 1, ind->p[0] - 1);
}

static int dlow_setup(struct sp_ind *ind, char *err, size_t errlen)
{
	return one_part(ind, PART_MONO, ind->p[0], 0, ind->p[0] - 1);
}

static void dhigh_update(const struct sp_ind *ind, void *state, const struct sp_ind_bar *bar,
			 double *out)
{
	out[0] = bar->close / ind_mono_push(ind_part(ind, state, 0), bar->high) - 1;
}

static void dlow_update(const struct sp_ind *ind, void *state, const struct sp_ind_bar *bar,
			double *out)
{
	out[0] = bar->close / ind_mono_push(ind_part(ind, state, 0), bar->low) - 1;
}

const struct ind_kind ind_kind_dhigh = {
	"dhigh", "dhigh:N", 1, { INT_PARAM("window", 1) }, { "dhigh" },
	dhigh_setup, NULL, dhigh_update,
	"dhigh:N -> dhigh_N.  Distance from the N-bar high: close / (highest "
	"high of the last N bars, this one included) - 1, a fraction <= 0 for "
	"consistent bars.  Warm-up N-1 bars.",
};

const struct ind_kind ind_kind_dlow = {
	"dlow", "dlow:N", 1, { INT_PARAM("window", 1) }, { "dlow" },
	dlow_setup, NULL, dlow_update,
	"dlow:N -> dlow_N.  Distance from the N-bar low: close / (lowest low of "
	"the last N bars, this one included) - 1, a fraction >= 0 for "
	"consistent bars.  Warm-up N-1 bars.",
};
