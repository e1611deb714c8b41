/*
 * ind.h - technical indicators as incremental state machines, the one
 * implementation behind sp-features' batch and stream modes.
 *
 * A struct sp_ind is a configured indicator (immutable, shared by every
 * symbol), made from a spec token such as "rsi:14" or "macd:12:26:9".  Its
 * state for one symbol lives in caller-owned memory of sp_ind_state_size()
 * bytes that holds no pointers, so it can be copied with memcpy (to step
 * back before a revised bar), saved to a file and loaded again (--state).
 *
 * Definitions, seeding and scales follow TA-Lib (see sp_ind_describe()).
 * Values still in warm-up, or affected by a missing input, come out as NAN;
 * a missing input never poisons the state for longer than it affects the
 * indicator's window.  A windowed indicator (sma, bb, stoch, ...) is NAN
 * while the missing value is inside its window; a recursive one (ema,
 * macd, rsi, atr, adx, obv) skips the bar: output NAN, state unchanged, the
 * next bar goes on as if that one had not been there.  An indicator only
 * looks at the fields it uses (a missing volume does not touch rsi).
 *
 * A configured indicator is read-only after sp_ind_new(), so threads may
 * share it; each symbol's state belongs to one thread at a time.
 */
#ifndef SP_IND_H
#define SP_IND_H

#include <stddef.h>

/*
 * One bar as indicators see it: prices already adjusted (the caller scales
 * open, high, low and close by adj_close/close and volume by its inverse);
 * NAN where missing.
 */
struct sp_ind_bar {
	double open, high, low, close, volume;
	int weekday;		/* of the bar's date: 0 = Sunday ... 6 = Saturday */
};

struct sp_ind;

/*
 * Make an indicator from one spec token ("sma:20", "macd:12:26:9",
 * "lag:rsi:14:1", "dow").  Missing trailing parameters take the documented
 * defaults where there are any.  NULL on error, with a message for people
 * in ERR (truncated to ERRLEN; ERR may be NULL if ERRLEN is 0) that names
 * the bad part ("unknown indicator 'smaa'", "sma: window must be 1 to
 * 100000, not 0", "sma: unexpected parameter '5' (syntax sma:N)").
 */
struct sp_ind *sp_ind_new(const char *token, char *err, size_t errlen);
void sp_ind_free(struct sp_ind *ind);

/*
 * Number of output columns (at most 5) and the name of each
 * ("macd_signal_12_26_9"); NULL for K out of range.
 */
int sp_ind_outputs(const struct sp_ind *ind);
const char *sp_ind_output_name(const struct sp_ind *ind, int k);

/*
 * Bars after which every output has a value, given no missing input: bars
 * 0 .. warmup-1 of a symbol have at least one NAN output, every output of
 * bar `warmup` (counting from 0) has a value.  TA-Lib calls it lookback.
 */
int sp_ind_warmup(const struct sp_ind *ind);

/*
 * Bytes of per-symbol state, and setting it to "no bars seen".  The state
 * must be aligned for a double and an int64_t (malloc'd memory is).  To
 * step back before a bar (a revision), copy the state before feeding it
 * and copy it back.
 */
size_t sp_ind_state_size(const struct sp_ind *ind);
void sp_ind_state_init(const struct sp_ind *ind, void *state);

/*
 * Feed the symbol's next bar: updates STATE and writes the values for this
 * bar into OUT[0 .. sp_ind_outputs()), NAN where there is none; never an
 * infinity, never -0.  O(1) amortised work per bar and no allocation,
 * except cci:N, whose mean deviation costs O(N).
 */
void sp_ind_update(const struct sp_ind *ind, void *state, const struct sp_ind_bar *bar,
		   double *out);

/*
 * The catalogue, for --list and the man page: for each kind of indicator
 * I = 0, 1, ... until NULL, one paragraph of plain text that starts with
 * its spec syntax and column names ("rsi:N -> rsi_N.") and gives its
 * defaults, formula, seeding, scale and warm-up.
 */
const char *sp_ind_describe(int i);

#endif
