/*
 * rowpipe.h - a second thread that turns rows of numbers into text.
 *
 * Printing doubles in their shortest form costs more than computing them, so
 * a batch tool can hand finished rows (a key, a date, a few doubles and any
 * pass-through text) to a formatting thread that owns the writer from then
 * on.  The pipe owns its buffers and thread; the writer stays the caller's,
 * untouched by the pipe after sp_rowpipe_finish().
 */
#ifndef SP_ROWPIPE_H
#define SP_ROWPIPE_H

#include "date.h"
#include "record.h"

#include <stddef.h>

struct sp_rowpipe;

/*
 * Start a formatter writing to W, whose format is FMT and whose NCOLS
 * columns are NAMES, rows of: a symbol, a date, NLEAD doubles, NTEXT
 * fields (pass-through text, written as sp_writer_field() writes them),
 * then the other NCOLS - 2 - NLEAD - NTEXT doubles (NAN prints as
 * missing).  NULL after a message.
 */
struct sp_rowpipe *sp_rowpipe_start(struct sp_writer *w, enum sp_format fmt,
				    const char *const *names, size_t ncols, size_t nlead,
				    size_t ntext);

/*
 * Queue one row: its doubles VALS and its NTEXT fields TEXT (NULL when
 * NTEXT is 0), copied.  Returns 0, or -1 once the writer has failed or its
 * reader went away, or memory ran out; the caller should stop and call
 * finish.
 */
int sp_rowpipe_push(struct sp_rowpipe *p, const char *symbol, const struct sp_when *when,
		    const double *vals, const struct sp_field *text);

/*
 * Format what is queued, stop the thread, free the pipe.  Returns 0, or -1
 * when writing failed; *CLOSED is 1 when only stdout's reader went away.
 */
int sp_rowpipe_finish(struct sp_rowpipe *p, int *closed);

#endif
