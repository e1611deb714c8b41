/*
 * bar.h - the bar record of contracts.md: binding its columns in any input
 * (with the usual aliases) and checking one row.
 *
 * A struct sp_bar is a plain value the caller owns; nothing here allocates
 * except sp_bar_cols_bind(), whose result the caller releases with
 * sp_bar_cols_release().
 */
#ifndef SP_BAR_H
#define SP_BAR_H

#include "date.h"
#include "record.h"

struct sp_calendar;

#define SP_SYMBOL_MAX 32	/* longest symbol, with its NUL */

struct sp_bar {
	char symbol[SP_SYMBOL_MAX];	/* upper case */
	struct sp_when when;
	double open, high, low, close;
	double adj_close;	/* valid when has_adj */
	long long volume;	/* valid when has_volume */
	int has_adj, has_volume;
};

/* Why a row is rejected.  sp_reject_name() gives the stable short code. */
enum sp_reject {
	SP_REJECT_NONE,		/* a good row */
	SP_REJECT_MALFORMED,	/* the reader could not parse the record */
	SP_REJECT_MISSING,	/* a required field is empty */
	SP_REJECT_SYMBOL,
	SP_REJECT_DATE,		/* unreadable or impossible date */
	SP_REJECT_NUMBER,	/* a price that is not a number */
	SP_REJECT_NONPOSITIVE,
	SP_REJECT_HIGH_LOW,
	SP_REJECT_OPEN_RANGE,
	SP_REJECT_CLOSE_RANGE,
	SP_REJECT_VOLUME,	/* not an integer */
	SP_REJECT_NEG_VOLUME,
	SP_REJECT_NON_TRADING,
	SP_REJECT_ORDER,	/* out of order in a stream */
	SP_REJECT_COUNT
};

const char *sp_reject_name(enum sp_reject why);

/* Where a reader keeps each bar column; -1 for none. */
struct sp_bar_cols {
	int symbol, date, open, high, low, close, adj_close, volume;
	int flags;		/* an old "flags" column, replaced on output */
	char *symbol_default;	/* for inputs without a symbol column */
};

/*
 * Find the bar columns of R by name, exact names first, then aliases
 * ("Date", "Adj Close", "timestamp", "adjusted_close", "ticker", ...), case
 * and spaces ignored.  SYMBOL, if not NULL, is used when there is no symbol
 * column.  Returns 0, or -1 after "FILE: no 'close' column" (or similar).
 */
int sp_bar_cols_bind(struct sp_bar_cols *c, struct sp_reader *r, const char *symbol);
void sp_bar_cols_release(struct sp_bar_cols *c);

/* 1 if column COL of the reader is one of the bar columns in C. */
int sp_bar_cols_has(const struct sp_bar_cols *c, int col);

/*
 * The current record's symbol, checked and upper-cased into SYMBOL (or the
 * bound default).  SP_REJECT_NONE, or the reason with a sentence in DETAIL.
 */
enum sp_reject sp_bar_symbol(const struct sp_bar_cols *c, const struct sp_reader *r,
			     char symbol[SP_SYMBOL_MAX], char *detail, size_t n);

struct sp_bar_rules {
	const struct sp_calendar *cal;	/* NULL: no calendar check */
	double tolerance;	/* relative slack for open/close in [low, high] */
};

/*
 * Read and check the current record of R.  Returns SP_REJECT_NONE and fills
 * *BAR when the row is good; otherwise the reason, with a sentence for people in
 * DETAIL (e.g. "high 10.5 is below low 11").  *OUT_OF_RANGE is set to 1
 * when the date lies outside the calendar, which is then not checked.
 */
enum sp_reject sp_bar_parse(const struct sp_bar_cols *c, const struct sp_reader *r,
		 const struct sp_bar_rules *rules, struct sp_bar *bar,
		 char *detail, size_t detail_len, int *out_of_range);

#endif
