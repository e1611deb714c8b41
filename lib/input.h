/*
 * input.h - bytes from a file, a pipe or memory, with zstd decompressed
 * transparently (detected by its magic number, never by the file name).
 *
 * An sp_input owns its file descriptor (unless it is stdin) and its buffers;
 * sp_input_close() releases everything.  Memory inputs borrow the caller's
 * buffer, which must outlive the input.
 */
#ifndef SP_INPUT_H
#define SP_INPUT_H

#include <stddef.h>
#include <sys/types.h>

struct sp_input;

/* Open PATH, or stdin for NULL or "-".  NULL on error, with a message. */
struct sp_input *sp_input_open(const char *path);

/* Read from a buffer; NAME is used in messages. */
struct sp_input *sp_input_open_mem(const void *buf, size_t len, const char *name);

/*
 * Read up to N bytes of (decompressed) data.  Returns the count, 0 at the
 * end, or -1 after printing "sp-TOOL: NAME: ..." (I/O error, corrupt or
 * truncated zstd data).
 */
ssize_t sp_input_read(struct sp_input *in, void *buf, size_t n);

/*
 * Call FN(ARG) before every read that may block (each read(2) of a file or
 * pipe): a streaming tool flushes its output there, so every record it has
 * finished is out before it waits for more input.
 */
void sp_input_on_wait(struct sp_input *in, void (*fn)(void *), void *arg);

/* The name for messages: the path, or "-" for stdin. */
const char *sp_input_name(const struct sp_input *in);

/* 1 if the data was zstd-compressed. */
int sp_input_compressed(const struct sp_input *in);

void sp_input_close(struct sp_input *in);

#endif
