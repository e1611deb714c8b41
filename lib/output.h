/*
 * output.h - bytes to stdout or, atomically, to a file; zstd when the file
 * name ends in ".zst".
 *
 * A file output is written to a temporary file in the same directory and
 * renamed over the target by sp_output_close() after fsync, so a reader (or a
 * crash, or SIGKILL) sees either the old file or the whole new one.  A
 * target that exists and is not a regular file (/dev/null, /dev/stdout, a
 * FIFO) is written directly instead.  The sp_output owns its descriptor,
 * buffers and temporary file.
 */
#ifndef SP_OUTPUT_H
#define SP_OUTPUT_H

#include <stddef.h>

struct sp_output;

enum {
	SP_OUTPUT_ZSTD = 1,	/* compress even without a ".zst" name */
	SP_OUTPUT_PLAIN = 2,	/* never compress */
	SP_OUTPUT_NOSYNC = 4,	/* still atomic, but no fsync: caches, which a
				 * crash may lose but never sees half-written */
};

/*
 * Open PATH for writing, or stdout for NULL or "-".  Returns NULL after a
 * message on error.
 */
struct sp_output *sp_output_open(const char *path, unsigned flags);

/*
 * Append bytes.  Returns 0, or -1 once the output has failed: after a
 * message for a real error, silently when stdout's reader went away (EPIPE;
 * see sp_output_closed()).  Later calls keep failing and write nothing.
 */
int sp_output_write(struct sp_output *out, const void *buf, size_t n);

/* Push everything written so far to the descriptor (and through zstd). */
int sp_output_flush(struct sp_output *out);

/* 1 if the reader of stdout closed the pipe: the tool should stop quietly. */
int sp_output_closed(const struct sp_output *out);

/*
 * Finish: flush, end the zstd frame, fsync and rename a file into place.
 * Frees OUT.  Returns 0 on success or when only the pipe was closed, -1
 * after a message otherwise (the target file is then left untouched).
 */
int sp_output_close(struct sp_output *out);

/* Discard: remove the temporary file, leave the target untouched; frees OUT. */
void sp_output_abort(struct sp_output *out);

/* Name for messages: the target path, or "-" for stdout. */
const char *sp_output_name(const struct sp_output *out);

/*
 * Install SIGINT/SIGTERM/SIGHUP handlers that remove every temporary file
 * still open and then die of the signal.  Called once by common-main.c.
 */
void sp_output_install_signal_cleanup(void);

#endif
