/*
 * ind-osc.c - oscillators and range features: rsi, stoch, willr, cci, mfi,
 * obv, tr, atr, adx.
 *
 * Wilder's averages (rsi, atr, adx) and obv are recursive: a bar with a
 * missing input they use is skipped (output NAN, state unchanged), and the
 * next good bar is compared with the last good one, as if the bad bar had
 * not been there.  The windowed ones (stoch, willr, cci, mfi, tr) are NAN
 * while the bad value is inside their window.
 *
 * "Zero" below means exactly zero.  TA-Lib tests against an epsilon that
 * has changed between its releases (1e-8 in 0.4, 1e-14 later, scaled to
 * the operands in the newest), which zeroes real values for instruments
 * quoted in fractions of a cent.
 */
#include "ind-impl.h"

#include <math.h>
#include <stdio.h>
#include "banned.h"

struct prev_bar {
	double close;		/* previous (good) close, NAN before the first */
	double tp;		/* mfi: previous typical price */
	int64_t bars;
};

static void prev_init(const struct sp_ind *ind, void *state)
{
	struct prev_bar *st = state;

	st->close = st->tp = NAN;
	st->bars = 0;
}

static void fill_nan(double *out, int n)
{
	for (int k = 0; k < n; k++)
		out[k] = NAN;
}

/* TA-Lib's TRUE_RANGE: the largest of high-low, |high-pc| and |low-pc|. */
static double true_range(double high, double low, double prev_close)
{
	double range = high - low, t = fabs(high - prev_close);

	if (t > range)
		range = t;
	t = fabs(low - prev_close);
	return t > range ? t : range;
}

/* ---- RSI ---- */

enum { RSI_GAIN, RSI_LOSS };

static int rsi_setup(struct sp_ind *ind, char *err, size_t errlen)
{
	ind->scalars = sizeof(struct prev_bar);
	ind_add_part(ind, PART_SMOOTH, ind->p[0], 1);
	ind_add_part(ind, PART_SMOOTH, ind->p[0], 1);
	ind->warmup = ind->p[0];
	return 0;
}

static void rsi_update(const struct sp_ind *ind, void *state, const struct sp_ind_bar *bar,
		       double *out)
{
	struct prev_bar *st = state;
	struct ind_smooth *gain = ind_part(ind, state, RSI_GAIN);
	struct ind_smooth *loss = ind_part(ind, state, RSI_LOSS);
	double c = bar->close, change, sum;

	out[0] = NAN;
	if (isnan(c))
		return;
	change = c - st->close;
	st->close = c;
	if (isnan(change))
		return;		/* the first good close */
	ind_smooth_push(gain, change > 0 ? change : 0);
	if (!ind_smooth_push(loss, change < 0 ? -change : 0))
		return;
	sum = gain->value + loss->value;
	out[0] = sum != 0 ? 100.0 * (gain->value / sum) : 0;
}

const struct ind_kind ind_kind_rsi = {
	"rsi", "rsi:N", 1, { { "window", 1, 0, 0, 0 } }, { "rsi" },
	rsi_setup, prev_init, rsi_update,
	"rsi:N -> rsi_N.  Wilder's relative strength index, 0 to 100: "
	"100 * avg_gain / (avg_gain + avg_loss) over close-to-close changes.  "
	"Seeded as TA-Lib: each average starts as the mean of the first N "
	"changes, then avg = (avg * (N-1) + x) / N.  0 when both averages are 0 "
	"(a flat series), as TA-Lib.  Warm-up N bars.  A bar with a missing "
	"close is skipped.",
};

/* ---- stochastic and Williams %R ---- */

struct stoch_state {
	int64_t bars;
};

enum { HI, LO, STOCH_D };

static int stoch_setup(struct sp_ind *ind, char *err, size_t errlen)
{
	ind->scalars = sizeof(struct stoch_state);
	ind_add_part(ind, PART_MONO, ind->p[0], 1);
	ind_add_part(ind, PART_MONO, ind->p[0], 0);
	ind_add_part(ind, PART_WIN, ind->p[1], 0);
	ind->warmup = ind->p[0] + ind->p[1] - 2;
	return 0;
}

/*
 * %K comes out from the bar %D does, as TA-Lib STOCHF aligns them; after
 * a missing value it comes back once its own K bars are clean.
 */
static void stoch_update(const struct sp_ind *ind, void *state, const struct sp_ind_bar *bar,
			 double *out)
{
	struct stoch_state *st = state;
	struct ind_win *dwin = ind_part(ind, state, STOCH_D);
	double hh = ind_mono_push(ind_part(ind, state, HI), bar->high);
	double ll = ind_mono_push(ind_part(ind, state, LO), bar->low);
	double k;

	if (isnan(hh) || isnan(ll) || isnan(bar->close))
		k = NAN;
	else if (hh - ll != 0)
		k = (bar->close - ll) / ((hh - ll) / 100.0);
	else
		k = 0;
	ind_win_push(dwin, k);
	out[0] = st->bars++ >= ind->warmup ? k : NAN;
	out[1] = ind_win_ready(dwin) ? dwin->sum / dwin->n : NAN;
}

const struct ind_kind ind_kind_stoch = {
	"stoch", "stoch[:K[:D]]", 2,
	{ { "%K window", 1, 14, 0, 0 }, { "%D window", 1, 3, 0, 0 } },
	{ "stoch_k", "stoch_d" },
	stoch_setup, NULL, stoch_update,
	"stoch[:K[:D]] (14:3) -> stoch_k_K_D, stoch_d_K_D.  Fast stochastic, "
	"0 to 100, as TA-Lib STOCHF with SMA: %K = 100 * (close - lowest low) / "
	"(highest high - lowest low) over the last K bars, 0 when that range is "
	"zero (TA-Lib's value); %D = SMA(D) of %K.  Both start after a warm-up "
	"of K+D-2 bars.",
};

static int willr_setup(struct sp_ind *ind, char *err, size_t errlen)
{
	ind_add_part(ind, PART_MONO, ind->p[0], 1);
	ind_add_part(ind, PART_MONO, ind->p[0], 0);
	ind->warmup = ind->p[0] - 1;
	return 0;
}

static void willr_update(const struct sp_ind *ind, void *state, const struct sp_ind_bar *bar,
			 double *out)
{
	double hh = ind_mono_push(ind_part(ind, state, HI), bar->high);
	double ll = ind_mono_push(ind_part(ind, state, LO), bar->low);

	if (isnan(hh) || isnan(ll) || isnan(bar->close))
		out[0] = NAN;
	else if (hh - ll != 0)
		out[0] = (hh - bar->close) / ((hh - ll) / -100.0);
	else
		out[0] = 0;
}

const struct ind_kind ind_kind_willr = {
	"willr", "willr:N", 1, { { "window", 1, 0, 0, 0 } }, { "willr" },
	willr_setup, NULL, willr_update,
	"willr:N -> willr_N.  Williams %R, -100 to 0: -100 * (highest high - "
	"close) / (highest high - lowest low) over the last N bars; 0 when the "
	"range is zero, as TA-Lib.  Warm-up N-1 bars.",
};

/* ---- CCI ---- */

static int cci_setup(struct sp_ind *ind, char *err, size_t errlen)
{
	ind_add_part(ind, PART_WIN, ind->p[0], WIN_RING);
	ind->warmup = ind->p[0] - 1;
	return 0;
}

/*
 * The mean deviation is around the current mean, so every value's
 * distance changes with each bar and there is no running form: this is
 * the one O(N) update, two passes over the ring as TA-Lib makes them.
 * The mean is summed oldest first, as the textbook formula reads (TA-Lib
 * goes in ring order, which can change its last bit); the order of the
 * deviations does not matter as much, all being positive.
 */
static void cci_update(const struct sp_ind *ind, void *state, const struct sp_ind_bar *bar,
		       double *out)
{
	struct ind_win *w = ind_part(ind, state, 0);
	double tp = (bar->high + bar->low + bar->close) / 3.0;
	double mean = 0, dev = 0, d;

	ind_win_push(w, tp);
	if (!ind_win_ready(w)) {
		out[0] = NAN;
		return;
	}
	/* the window is full: its oldest value is at pos */
	for (int i = w->pos; i < w->n; i++)
		mean += w->ring[i];
	for (int i = 0; i < w->pos; i++)
		mean += w->ring[i];
	mean /= w->n;
	for (int i = 0; i < w->n; i++)
		dev += fabs(w->ring[i] - mean);
	d = tp - mean;
	out[0] = d != 0 && dev != 0 ? d / (0.015 * (dev / w->n)) : 0;
}

const struct ind_kind ind_kind_cci = {
	"cci", "cci:N", 1, { { "window", 1, 0, 0, 0 } }, { "cci" },
	cci_setup, NULL, cci_update,
	"cci:N -> cci_N.  Commodity channel index: (tp - SMA(tp)) / (0.015 * "
	"mean absolute deviation of tp from that SMA) over N bars, tp the "
	"typical price (high + low + close) / 3; 0 when either is zero, as "
	"TA-Lib.  Unbounded, mostly within +/-200.  Warm-up N-1 bars.  Costs "
	"O(N) per bar (the deviation has no running form).",
};

/* ---- MFI ---- */

enum { MFI_POS, MFI_NEG };

static int mfi_setup(struct sp_ind *ind, char *err, size_t errlen)
{
	ind->scalars = sizeof(struct prev_bar);
	ind_add_part(ind, PART_WIN, ind->p[0], 0);
	ind_add_part(ind, PART_WIN, ind->p[0], 0);
	ind->warmup = ind->p[0];
	return 0;
}

/* The first bar has no flow: its NAN keeps the windows waiting one bar. */
static void mfi_update(const struct sp_ind *ind, void *state, const struct sp_ind_bar *bar,
		       double *out)
{
	struct prev_bar *st = state;
	struct ind_win *pos = ind_part(ind, state, MFI_POS);
	struct ind_win *neg = ind_part(ind, state, MFI_NEG);
	double tp = (bar->high + bar->low + bar->close) / 3.0;
	double flow = tp * bar->volume, up = 0, down = 0, sum;

	if (isnan(flow) || isnan(st->tp))
		up = down = NAN;
	else if (tp > st->tp)
		up = flow;
	else if (tp < st->tp)
		down = flow;
	st->tp = tp;
	ind_win_push(pos, up);
	ind_win_push(neg, down);
	if (!ind_win_ready(pos)) {
		out[0] = NAN;
		return;
	}
	sum = pos->sum + neg->sum;
	out[0] = sum > 0 ? 100.0 * (pos->sum / sum) : 0;
}

const struct ind_kind ind_kind_mfi = {
	"mfi", "mfi:N", 1, { { "window", 1, 0, 0, 0 } }, { "mfi" },
	mfi_setup, prev_init, mfi_update,
	"mfi:N -> mfi_N.  Money flow index, 0 to 100: 100 * positive flow / "
	"(positive + negative flow) over the last N bars, flow = tp * volume "
	"with tp = (high + low + close) / 3, positive when tp rose from the "
	"bar before, negative when it fell, neither when unchanged; 0 when "
	"there is no flow at all (TA-Lib's value).  Warm-up N bars.",
};

/* ---- OBV ---- */

struct obv_state {
	double close, obv;
	int64_t good;
};

static int obv_setup(struct sp_ind *ind, char *err, size_t errlen)
{
	ind->scalars = sizeof(struct obv_state);
	ind->warmup = 0;
	return 0;
}

static void obv_update(const struct sp_ind *ind, void *state, const struct sp_ind_bar *bar,
		       double *out)
{
	struct obv_state *st = state;
	double c = bar->close, v = bar->volume;

	if (isnan(c) || isnan(v)) {
		out[0] = NAN;
		return;
	}
	if (!st->good++)
		st->obv = v;
	else if (c > st->close)
		st->obv += v;
	else if (c < st->close)
		st->obv -= v;
	st->close = c;
	out[0] = st->obv;
}

const struct ind_kind ind_kind_obv = {
	"obv", "obv", 0, { { 0 } }, { "obv" },
	obv_setup, NULL, obv_update,
	"obv -> obv.  On-balance volume as TA-Lib: starts at the first bar's "
	"volume, then adds the volume when the close rose, subtracts it when "
	"it fell, and keeps it when unchanged.  A running total in volume "
	"units, so its level depends on where the input starts.  No warm-up.  "
	"A bar with a missing close or volume is skipped.",
};

/* ---- true range and ATR ---- */

static int tr_setup(struct sp_ind *ind, char *err, size_t errlen)
{
	ind->scalars = sizeof(struct prev_bar);
	ind->warmup = 0;
	return 0;
}

static void tr_update(const struct sp_ind *ind, void *state, const struct sp_ind_bar *bar,
		      double *out)
{
	struct prev_bar *st = state;

	if (st->bars++ == 0)
		out[0] = bar->high - bar->low;
	else if (isnan(st->close))
		out[0] = NAN;	/* true_range() would fall back to high - low */
	else
		out[0] = true_range(bar->high, bar->low, st->close);
	st->close = bar->close;
}

const struct ind_kind ind_kind_tr = {
	"tr", "tr", 0, { { 0 } }, { "tr" },
	tr_setup, prev_init, tr_update,
	"tr -> tr.  True range, in price units: max(high, previous close) - "
	"min(low, previous close); on the first bar, which has no previous "
	"close, high - low (TA-Lib TRANGE leaves the first bar empty).  No "
	"warm-up.",
};

static int atr_setup(struct sp_ind *ind, char *err, size_t errlen)
{
	ind->scalars = sizeof(struct prev_bar);
	ind_add_part(ind, PART_SMOOTH, ind->p[0], 1);
	ind->warmup = ind->p[0];
	return 0;
}

static void atr_update(const struct sp_ind *ind, void *state, const struct sp_ind_bar *bar,
		       double *out)
{
	struct prev_bar *st = state;
	struct ind_smooth *s = ind_part(ind, state, 0);
	double pc = st->close;

	out[0] = NAN;
	if (isnan(bar->high) || isnan(bar->low) || isnan(bar->close))
		return;
	st->close = bar->close;
	if (!isnan(pc) && ind_smooth_push(s, true_range(bar->high, bar->low, pc)))
		out[0] = s->value;
}

const struct ind_kind ind_kind_atr = {
	"atr", "atr:N", 1, { { "window", 1, 0, 0, 0 } }, { "atr" },
	atr_setup, prev_init, atr_update,
	"atr:N -> atr_N.  Wilder's average true range, in price units.  Seeded "
	"as TA-Lib ATR: the first bar's true range is not used; the average "
	"starts as the mean of the true ranges of bars 2..N+1, then atr = "
	"(atr * (N-1) + tr) / N.  Warm-up N bars.  A bar with a missing high, "
	"low or close is skipped.",
};

/* ---- ADX, +DI, -DI ---- */

struct adx_state {
	double high, low, close;	/* the last good bar */
	double plus_dm, minus_dm, tr;	/* Wilder sums */
	double sum_dx, adx;
	int64_t good;
};

static int adx_setup(struct sp_ind *ind, char *err, size_t errlen)
{
	ind->scalars = sizeof(struct adx_state);
	ind->warmup = 2 * ind->p[0] - 1;
	return 0;
}

/*
 * TA-Lib's ADX step by step: the directional movements and true ranges of
 * bars 1..N-1 are summed, then each sum goes s - s/N + x; the DIs exist
 * from bar N, the DX of bars N..2N-1 are averaged into the first ADX (an
 * undefined DX counting as 0), and after that ADX = (ADX*(N-1) + DX)/N,
 * left unchanged on a bar whose DX is undefined (no range or no movement).
 */
static void adx_update(const struct sp_ind *ind, void *state, const struct sp_ind_bar *bar,
		       double *out)
{
	struct adx_state *st = state;
	int n = ind->p[0];
	double h = bar->high, l = bar->low, up, down, tr, pdi, mdi, dx = NAN;
	int64_t b;

	fill_nan(out, 3);
	if (isnan(h) || isnan(l) || isnan(bar->close))
		return;
	b = st->good++;
	if (b == 0)
		goto keep;
	up = h - st->high;
	down = st->low - l;
	tr = true_range(h, l, st->close);
	if (b < n) {
		st->tr += tr;
	} else {
		st->plus_dm -= st->plus_dm / n;
		st->minus_dm -= st->minus_dm / n;
		st->tr = st->tr - st->tr / n + tr;
	}
	if (down > 0 && up < down)
		st->minus_dm += down;
	else if (up > 0 && up > down)
		st->plus_dm += up;
	if (b < n)
		goto keep;

	pdi = mdi = 0;
	if (st->tr != 0) {
		mdi = 100.0 * (st->minus_dm / st->tr);
		pdi = 100.0 * (st->plus_dm / st->tr);
		if (mdi + pdi != 0)
			dx = 100.0 * (fabs(mdi - pdi) / (mdi + pdi));
	}
	out[1] = pdi;
	out[2] = mdi;
	if (b < 2 * n) {
		if (!isnan(dx))
			st->sum_dx += dx;
		if (b == 2 * n - 1)
			st->adx = st->sum_dx / n;
	} else if (!isnan(dx)) {
		st->adx = (st->adx * (n - 1) + dx) / n;
	}
	if (b >= 2 * n - 1)
		out[0] = st->adx;
keep:
	st->high = h;
	st->low = l;
	st->close = bar->close;
}

const struct ind_kind ind_kind_adx = {
	"adx", "adx:N", 1, { { "window", 1, 0, 0, 0 } }, { "adx", "plus_di", "minus_di" },
	adx_setup, NULL, adx_update,
	"adx:N -> adx_N, plus_di_N, minus_di_N.  Wilder's directional movement, "
	"0 to 100, as TA-Lib ADX, PLUS_DI and MINUS_DI: +DM = high - previous "
	"high when that exceeds previous low - low and is positive, -DM the "
	"reverse; +DI and -DI = 100 * Wilder sum of +DM or -DM / Wilder sum of "
	"true range (the sums start as the sum over bars 2..N, then s = s - s/N "
	"+ x), 0 when the true range sum is 0; DX = 100 * |+DI - -DI| / (+DI + "
	"-DI); ADX starts as the mean of the first N DX (an undefined DX counts "
	"0) and goes on as (ADX * (N-1) + DX) / N, unchanged where DX is "
	"undefined.  The DIs have a warm-up of N bars, ADX of 2N-1.  A bar with "
	"a missing high, low or close is skipped.",
};
