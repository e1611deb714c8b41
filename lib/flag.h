/*
 * flag.h - per-symbol checks that flag a bar without dropping it: returns
 * beyond a robust threshold that a split does not explain, and runs of
 * missing trading days.  The same state machine serves batch and stream
 * mode, so both flag the same rows.
 *
 * A struct sp_flagger is owned by the caller: init, feed bars of one symbol
 * in time order, release.
 */
#ifndef SP_FLAG_H
#define SP_FLAG_H

#include "bar.h"

enum {
	SP_FLAG_JUMP = 1,	/* adjusted return beyond the threshold */
	SP_FLAG_SPLIT = 2,	/* traded close jumps, adjusted close does not */
	SP_FLAG_GAP = 4,	/* trading days missing before this bar */
};

struct sp_flag_rules {
	const struct sp_calendar *cal;	/* NULL: no gap checks */
	double k;		/* threshold in robust standard deviations */
	int window;		/* returns the median and MAD look back on */
};

/* State saved before the last bar, so that a revision can replace it. */
struct sp_flag_undo {
	int have, pushed;	/* pushed: the bar added a return */
	struct sp_when last;
	double last_close, last_adj, evicted;
	int last_has_adj, evicts;
};

struct sp_flagger {
	const struct sp_flag_rules *rules;
	int have;		/* a previous bar exists */
	struct sp_when last;
	double last_close, last_adj;
	int last_has_adj;
	double *ring;		/* the last `window` log returns, oldest at pos */
	double *sorted;		/* the same returns in ascending order */
	int n, pos;
	struct sp_flag_undo undo;
};

/* Minimum returns in the window before anything is flagged as a jump. */
#define SP_FLAG_MIN_HISTORY 20

int sp_flagger_init(struct sp_flagger *f, const struct sp_flag_rules *rules);
void sp_flagger_reset(struct sp_flagger *f);	/* for a new symbol */
void sp_flagger_release(struct sp_flagger *f);

/*
 * Account for BAR, the next bar of the symbol (time strictly after the last
 * one), and return its SP_FLAG_* bits; *MISSING gets the number of trading
 * days missing before it.
 */
unsigned sp_flagger_add(struct sp_flagger *f, const struct sp_bar *bar, long *missing);

/* Take back the last sp_flagger_add() (once), for a revised bar. */
void sp_flagger_undo(struct sp_flagger *f);

/* "jump;gap:3" style text for FLAGS into BUF; returns its length. */
size_t sp_flags_format(unsigned flags, long missing, char *buf, size_t n);

#endif
