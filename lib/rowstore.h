/*
 * rowstore.h - bars held for sorting: in memory up to a budget, then in
 * sorted runs in temporary files merged on the way out (an external merge
 * sort), so batch sp-clean handles inputs larger than memory.
 *
 * The store owns every row, symbol and pass-through value given to it;
 * pointers it hands out stay valid until the next sp_rowstore_next().
 */
#ifndef SP_ROWSTORE_H
#define SP_ROWSTORE_H

#include "bar.h"

#include <stdint.h>

/* One pass-through value of a row: an extra column's id, type and text. */
struct sp_extra {
	uint32_t col;
	enum sp_field_type type;
	const char *s;
	size_t len;
};

/* A stored row: the bar, where it came from, and its extra values. */
struct sp_row {
	struct sp_bar bar;
	uint32_t src;		/* input number */
	long line;
	struct sp_extra *extra;
	size_t nextra;
};

struct sp_rowstore;

/* MEMORY is the budget in bytes; TMPDIR where runs go (NULL: $TMPDIR or /tmp). */
struct sp_rowstore *sp_rowstore_new(size_t memory, const char *tmpdir);

/* Add a row (copied).  Returns 0, or -1 after a message (e.g. disk full). */
int sp_rowstore_add(struct sp_rowstore *s, const struct sp_row *row);

/*
 * Move the rows of SRC after those of DST, as if they had been added to DST
 * after its own, and empty SRC: how rows read by a second thread join.  Both
 * must have no runs on disk (-1 after a message otherwise); the memory
 * budget is not checked.
 */
int sp_rowstore_absorb(struct sp_rowstore *dst, struct sp_rowstore *src);

/*
 * Sort what was added (by symbol, then time, then the order of adding) and
 * start reading.  Returns 0, or -1 after a message.
 */
int sp_rowstore_sort(struct sp_rowstore *s);

/* The next row in order: 1, 0 at the end, -1 after a message. */
int sp_rowstore_next(struct sp_rowstore *s, const struct sp_row **row);

/*
 * Random access to the sorted rows, for readers on several threads, once
 * sp_rowstore_sort() ran and only when nothing went to disk:
 * sp_rowstore_sorted() is the number of rows (0 when runs exist), and
 * sp_rowstore_get() decodes row I into ROW with its extras in the caller's
 * *X (grown as needed).  Neither changes the store.
 */
size_t sp_rowstore_sorted(const struct sp_rowstore *s);
int sp_rowstore_get(const struct sp_rowstore *s, size_t i, struct sp_row *row,
		    struct sp_extra **x, size_t *capx);
/* 1 if sorted rows I and K have the same symbol. */
int sp_rowstore_same_symbol(const struct sp_rowstore *s, size_t i, size_t k);

/* Number of rows held in memory, not yet in runs. */
size_t sp_rowstore_rows(const struct sp_rowstore *s);

/* Number of runs written to temporary files (0 when all fit in memory). */
size_t sp_rowstore_runs(const struct sp_rowstore *s);

void sp_rowstore_free(struct sp_rowstore *s);

#endif
