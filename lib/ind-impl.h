/*
 * ind-impl.h - the inside of lib/ind: what a configured indicator holds, the
 * table of kinds, and the building blocks their state is made of.  Only
 * lib/ind*.c include it.
 *
 * A state blob is laid out once per configured indicator by its kind's
 * setup(): first the kind's own scalars, then each part (a rolling window, a
 * monotonic deque, a seeded smoother) at an offset recorded in the struct
 * sp_ind.  Parts refer to their own elements by index, never by address,
 * so a blob stays valid wherever it is copied.
 */
#ifndef SP_IND_IMPL_H
#define SP_IND_IMPL_H

#include "ind.h"

#include <stdint.h>

#define IND_MAX_OUT 5		/* bb has the most outputs */
#define IND_MAX_PARAM 3
#define IND_MAX_PART 6
#define IND_MAX_WINDOW 100000

/* ---- parts ---- */

enum { WIN_VAR = 1, WIN_WSUM = 2, WIN_RING = 4 };

/*
 * The last n values of a series, with their sum and, on request, their
 * mean and sum of squared deviations (WIN_VAR, kept by Welford's update,
 * which does not cancel like a sum of squares) and their sum weighted
 * 1..n from oldest to newest (WIN_WSUM); or nothing but the values
 * (WIN_RING: a delay line, for "the close n bars ago").
 *
 * A NAN value makes the window dirty until it has left; the statistics
 * are then rebuilt from the ring.  They are also rebuilt every n values,
 * so that rounding cannot accumulate, and after an update that cancelled
 * most of their magnitude (see cancelled() in ind-parts.c).
 */
struct ind_win {
	int32_t n, flags;
	int32_t pos, pad;	/* pos: where the next value goes */
	int64_t seen;		/* values pushed so far */
	int64_t clean_at;	/* seen from which no NAN is inside */
	int64_t cancel_at;	/* seen at the last rebuild for cancellation */
	double sum, mean, m2, wsum;
	double ring[];
};

/*
 * Running maximum (or minimum) of the last n values in O(1) amortised: a
 * deque of (sequence number, value) in decreasing (increasing) value
 * order, held in a ring of n entries.
 */
struct ind_mono_entry {
	int64_t seq;
	double v;
};

struct ind_mono {
	int32_t n, is_max;
	int32_t head, len;
	int64_t seen, clean_at;
	struct ind_mono_entry e[];
};

/*
 * An EMA (k = 2/(n+1)) or a Wilder average (k = 1/n), seeded with the
 * simple mean of its first n inputs as TA-Lib does.  Callers never push
 * NAN: a recursive average has no window a bad value could leave, so a
 * bar with a missing input is skipped instead.
 */
struct ind_smooth {
	int32_t n, wilder;
	int64_t count;
	double sum, value;
};

size_t ind_win_size(int n);
void ind_win_init(struct ind_win *w, int n, int flags);
/* Push X; returns the value that left the window, NAN if none did. */
double ind_win_push(struct ind_win *w, double x);
/* The window holds n values and none is NAN. */
int ind_win_ready(const struct ind_win *w);
double ind_win_var_pop(const struct ind_win *w);
double ind_win_var_sample(const struct ind_win *w);
/* The i-th value from the oldest (i < min(seen, n)). */
double ind_win_at(const struct ind_win *w, int i);

size_t ind_mono_size(int n);
void ind_mono_init(struct ind_mono *m, int n, int is_max);
/* Push X; returns the extreme of the last n values, NAN until ready. */
double ind_mono_push(struct ind_mono *m, double x);

void ind_smooth_init(struct ind_smooth *s, int n, int wilder);
/* Push X (not NAN); returns 1 once the average has its seed. */
int ind_smooth_push(struct ind_smooth *s, double x);

/* ---- layout ---- */

enum ind_part_type { PART_WIN, PART_MONO, PART_SMOOTH, PART_IND };

struct ind_part {
	enum ind_part_type type;
	int n, flags;
	size_t off;
};

/* ---- configured indicators and their kinds ---- */

struct ind_kind;

struct sp_ind {
	const struct ind_kind *kind;
	int p[IND_MAX_PARAM];	/* integer parameters, defaults filled in */
	double k;		/* bb's real parameter */
	char ktext[24];		/* ... as it appears in column names */
	int nout;
	char *name[IND_MAX_OUT];
	int warmup;
	size_t scalars;		/* bytes of the kind's own fields at offset 0 */
	size_t size;
	int npart;
	struct ind_part part[IND_MAX_PART];
	struct sp_ind *inner;	/* lag: the indicator it delays */
};

struct ind_param {
	const char *what;	/* for messages: "window" */
	int min;		/* integers: min .. IND_MAX_WINDOW */
	int def;		/* default, or 0 for a required parameter */
	int real;		/* a positive real (bb's K) */
	double rdef;
};

struct ind_kind {
	const char *name;
	const char *syntax;	/* "macd[:FAST[:SLOW[:SIGNAL]]]" */
	int nparam;
	struct ind_param param[IND_MAX_PARAM];
	const char *out[IND_MAX_OUT];	/* column stems, NULL-terminated */
	/* Bytes of scalars; adds parts; sets ind->warmup.  NULL-safe err. */
	int (*setup)(struct sp_ind *ind, char *err, size_t errlen);
	void (*init)(const struct sp_ind *ind, void *state);	/* may be NULL */
	void (*update)(const struct sp_ind *ind, void *state,
		       const struct sp_ind_bar *bar, double *out);
	const char *doc;
};

/* Reserve a part in IND's layout (in setup()); returns its index. */
int ind_add_part(struct sp_ind *ind, enum ind_part_type type, int n, int flags);

static inline void *ind_part(const struct sp_ind *ind, void *state, int i)
{
	return (char *)state + ind->part[i].off;
}

/* The kinds, each defined beside its code (lib/ind-ma.c, lib/ind-osc.c). */
extern const struct ind_kind ind_kind_ret, ind_kind_logret, ind_kind_roc,
	ind_kind_mom, ind_kind_sma, ind_kind_ema, ind_kind_wma, ind_kind_macd,
	ind_kind_bb, ind_kind_vol, ind_kind_vzscore, ind_kind_gap,
	ind_kind_hlrange, ind_kind_dhigh, ind_kind_dlow, ind_kind_dow,
	ind_kind_rsi, ind_kind_stoch, ind_kind_willr, ind_kind_cci,
	ind_kind_mfi, ind_kind_obv, ind_kind_tr, ind_kind_atr, ind_kind_adx;

#endif
