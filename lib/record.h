/*
 * record.h - records over the two wire formats of contracts.md, CSV (through
 * libcsv) and NDJSON (through jansson), with named columns.
 *
 * A reader owns its input and the current record: the text of a field stays
 * valid until the next sp_reader_next() or sp_reader_close().  Column
 * indexes are stable for the reader's life; NDJSON columns are added as new
 * keys appear.  A writer owns its output (output.h) and copies what it is
 * given.
 */
#ifndef SP_RECORD_H
#define SP_RECORD_H

#include <stddef.h>

enum sp_format { SP_FORMAT_AUTO, SP_FORMAT_CSV, SP_FORMAT_NDJSON };

/* "csv" / "ndjson" to a format; SP_FORMAT_AUTO for anything else. */
enum sp_format sp_format_parse(const char *name);
const char *sp_format_name(enum sp_format fmt);

enum sp_field_type {
	SP_FIELD_MISSING,	/* empty CSV field, JSON null, or absent */
	SP_FIELD_TEXT,		/* CSV text: string or number, untyped */
	SP_FIELD_STRING,	/* JSON string */
	SP_FIELD_NUMBER,	/* JSON number; s holds its shortest text */
	SP_FIELD_OTHER,		/* JSON true/false/object/array; s is its compact JSON */
};

struct sp_field {
	const char *s;		/* NUL-terminated; "" when missing */
	size_t len;
	enum sp_field_type type;
	double num;		/* the value when type == SP_FIELD_NUMBER */
};

struct sp_reader;

/*
 * Open PATH (NULL or "-" for stdin), detect zstd and the format, and read a
 * CSV header.  NULL after a message on error (unreadable file, corrupt
 * zstd).  An empty input is not an error: it has no columns and no records.
 */
struct sp_reader *sp_reader_open(const char *path);
struct sp_reader *sp_reader_open_mem(const void *buf, size_t len, const char *name);

/*
 * A CSV reader of BUF, a run of whole lines from the middle of the file LIKE
 * reads: no header, LIKE's columns, BUF's first line numbered FIRST_LINE.
 * For reading one file in parallel parts.  NULL after a message.
 */
struct sp_reader *sp_reader_open_part(const struct sp_reader *like, const void *buf,
				      size_t len, long first_line);

/*
 * Advance to the next record.  Returns 1 for a record, 0 at the end, -1
 * after a message on an error that ends the input (I/O, corrupt zstd, a
 * record larger than SP_RECORD_MAX).  A record that could not be parsed
 * (bad quoting, wrong field count, invalid JSON or UTF-8) is still returned
 * with 1: sp_reader_bad() then says why, and only its raw text is valid.
 */
int sp_reader_next(struct sp_reader *r);

/* Longest record, in bytes, a reader accepts. */
#define SP_RECORD_MAX ((size_t)64 << 20)

/* Call FN(ARG) before the reader waits for input: see sp_input_on_wait(). */
void sp_reader_on_wait(struct sp_reader *r, void (*fn)(void *), void *arg);

/* Why the current record could not be parsed, or NULL if it is good. */
const char *sp_reader_bad(const struct sp_reader *r);

/* The current record's bytes as read, without its line end. */
const char *sp_reader_raw(const struct sp_reader *r, size_t *len);

/* Line where the current record starts (1-based; the CSV header is line 1). */
long sp_reader_line(const struct sp_reader *r);
const char *sp_reader_name(const struct sp_reader *r);
enum sp_format sp_reader_format(const struct sp_reader *r);

size_t sp_reader_ncols(const struct sp_reader *r);
const char *sp_reader_colname(const struct sp_reader *r, size_t col);

/* Index of column NAME (exact match), or -1 if the input has none (yet). */
int sp_reader_find(const struct sp_reader *r, const char *name);

/*
 * Index of column NAME, creating it if the input has not shown it: for CSV
 * it then stays missing in every record; for NDJSON it fills in when a
 * record carries the key.  Lets a tool bind its columns once.
 */
int sp_reader_want(struct sp_reader *r, const char *name);

/* 1 if the CSV header has column COL or an NDJSON record has shown it. */
int sp_reader_present(const struct sp_reader *r, size_t col);

/* Field COL of the current record; a missing field for any unknown COL. */
struct sp_field sp_reader_field(const struct sp_reader *r, size_t col);

/*
 * Field COL (may be -1) as a finite number: 1 and *V set, 0 when missing,
 * -1 when it is not a number (text that does not parse, a bool, an object).
 */
int sp_reader_number(const struct sp_reader *r, int col, double *v);

void sp_reader_close(struct sp_reader *r);

/* ------------------------------------------------------------------ */

struct sp_writer;

enum {
	SP_WRITER_STREAM = 1,	/* flush after every record */
	/* Streaming tools that read with sp_reader_on_wait() flushing the
	 * writer need not set it: a record is then out before the tool waits
	 * for input, without a write(2) per record on a busy stream. */
};

/*
 * Write to PATH (NULL or "-": stdout; a file is replaced atomically; ".zst"
 * compresses) in FMT, which must not be SP_FORMAT_AUTO.  NULL after a message.
 */
struct sp_writer *sp_writer_open(const char *path, enum sp_format fmt, unsigned flags);

/*
 * A writer whose records stay in memory, with no CSV header: a second thread
 * formats part of the output there, and sp_writer_records() hands the bytes
 * to sp_writer_put_raw() of the real writer, which has the same format and
 * columns.  sp_writer_close() frees it.
 */
struct sp_writer *sp_writer_open_mem(enum sp_format fmt);
const char *sp_writer_records(const struct sp_writer *w, size_t *len);
/* Forget a memory writer's records, keeping its columns. */
void sp_writer_reset(struct sp_writer *w);

/* Append LEN bytes of whole records already in W's format and columns. */
int sp_writer_put_raw(struct sp_writer *w, const char *buf, size_t len);

/*
 * Set the columns (copied) and, for CSV, write the header.  Call once,
 * before the first field.
 */
int sp_writer_columns(struct sp_writer *w, const char *const *names, size_t n);

/*
 * Append the next field of the current record, in column order.  The field
 * functions never fail on their own; errors surface in sp_writer_end().
 */
void sp_writer_str(struct sp_writer *w, const char *s, size_t len);	/* text */
void sp_writer_num(struct sp_writer *w, double v);	/* missing if not finite */
void sp_writer_int(struct sp_writer *w, long long v);
void sp_writer_null(struct sp_writer *w);
/* Pass-through text: a JSON number in NDJSON if it reads as one, else text. */
void sp_writer_auto(struct sp_writer *w, const char *s, size_t len);
/* Copy a reader's field, keeping its type (CSV text as sp_writer_auto). */
void sp_writer_field(struct sp_writer *w, const struct sp_field *f);

/*
 * End the record (missing fields are filled in; in CSV a record that would
 * be an empty line, one column with nothing in it, is written as "", since
 * readers skip empty lines).  Returns 0, or -1 when the
 * output failed or its reader went away (then sp_writer_closed() is 1 and
 * the tool should stop quietly).
 */
int sp_writer_end(struct sp_writer *w);
int sp_writer_closed(const struct sp_writer *w);
int sp_writer_flush(struct sp_writer *w);

/* Commit the output and free W: 0, or -1 after a message. */
int sp_writer_close(struct sp_writer *w);
/* Discard the output (a file target is left as it was) and free W. */
void sp_writer_abort(struct sp_writer *w);

#endif
