/*
 * reader.c - the record reader: line splitting, format detection, CSV through
 * libcsv and NDJSON through jansson, and recovery from bad records.
 *
 * Input is cut into physical lines first.  A CSV line is fed to libcsv whole,
 * so every record knows the line it starts on and its raw bytes; a quoted
 * field may still span lines.  When such a record turns out to be broken (a
 * stray quote swallowing the lines after it), only its first line is
 * rejected and the lines it swallowed are parsed again: one bad quote costs
 * one row, not the rest of the file.
 */
#include "input.h"
#include "mem.h"
#include "num.h"
#include "record.h"
#include "usage.h"

#include <csv.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "banned.h"

enum { BAD_TEXT_UTF8 = 1, BAD_TEXT_NUL = 2 };

enum {
	IBUF_MIN = 1 << 18,
	LIBCSV_ROW_NOT_BEGUN = 0,	/* libcsv.c's parser state at a row start */
	/* A quoted field still open after this many bytes is taken for a
	 * stray quote rather than a field with line breaks. */
	QUOTED_SPAN_MAX = 1 << 20,
	CSV_BLOCK = 1 << 16,	/* libcsv's buffer grows by this much */
};

struct column {
	char *name;
	int present;
};

/* One parsed CSV record: NUL-terminated fields packed in buf. */
struct csvrec {
	char *buf;
	size_t len, cap;
	size_t *off;
	size_t nf, capf;
	long line;
	int bad_utf8, bad_size;	/* bad_utf8: BAD_TEXT_* bits */
};

struct sp_reader {
	struct sp_input *in;
	enum sp_format fmt;
	char *name;

	/* lines */
	char *ibuf;
	size_t ibuf_cap, ibuf_start, ibuf_end, scan;
	int in_eof, bom_checked;
	char *pending;		/* lines to parse again, each ending in '\n' */
	size_t pending_len, pending_pos;
	long lineno;		/* number of the line last taken */

	/* columns */
	struct column *cols;
	size_t ncols, capcols;
	size_t nhdr;		/* CSV: fields in the header; the columns after
				 * them come from sp_reader_want() */

	/* the current record, as returned */
	struct sp_field *vals;
	size_t capvals;
	const char *bad;
	char reason[256];
	const char *raw;
	size_t raw_len;
	long line;

	/* CSV */
	struct csv_parser csv;
	struct csvrec cur;	/* being parsed */
	struct csvrec *ready;	/* parsed, not yet returned */
	size_t nready, iready, capready;
	char *acc;		/* raw lines of a record spanning lines */
	size_t acc_len, acc_cap;
	char *rawbuf;		/* raw lines of the multi-line record returned */
	size_t rawbuf_cap;
	long rec_line;		/* line the open record started on */
	int line_bad_utf8;

	/* NDJSON */
	json_t *json;
	char **dumps;		/* JSON text of the record's objects and arrays */
	size_t ndumps, capdumps;
	char *numtext;		/* SP_NUM_MAX bytes per column */
	size_t capnum;
};


/* ---- lines -------------------------------------------------------- */

static int utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned c = s[i];
		size_t k;
		unsigned min;
		unsigned long cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			k = 1, min = 0x80, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			k = 2, min = 0x800, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			k = 3, min = 0x10000, cp = c & 0x07;
		else
			return 0;
		if (n - i <= k)
			return 0;
		for (size_t j = 1; j <= k; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + j] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += k + 1;
	}
	return 1;
}

static int ascii_only(const unsigned char *s, size_t n)
{
	size_t i = 0;
	unsigned long long acc = 0;

	for (; i + 8 <= n; i += 8) {
		unsigned long long w;
		memcpy(&w, s + i, 8);
		acc |= w;
	}
	for (; i < n; i++)
		acc |= s[i];
	return !(acc & 0x8080808080808080ULL);
}

/* Read more input into ibuf, keeping the unconsumed tail.  0 at end. */
static int fill(struct sp_reader *r)
{
	size_t keep = r->ibuf_end - r->ibuf_start;
	ssize_t n;

	if (r->in_eof)
		return 0;
	if (r->ibuf_start > 0) {
		memmove(r->ibuf, r->ibuf + r->ibuf_start, keep);
		r->scan -= r->ibuf_start;
		r->ibuf_start = 0;
		r->ibuf_end = keep;
	}
	if (keep + IBUF_MIN / 2 > r->ibuf_cap) {
		if (r->ibuf_cap > SP_RECORD_MAX)
			return sp_error_at(r->name, r->lineno + 1,
					   "line longer than %zu bytes",
					   (size_t)SP_RECORD_MAX);
		if (sp_grow((void **)&r->ibuf, &r->ibuf_cap, r->ibuf_cap * 2, 1))
			return sp_error("out of memory");
	}
	n = sp_input_read(r->in, r->ibuf + r->ibuf_end, r->ibuf_cap - r->ibuf_end - 1);
	if (n < 0)
		return -1;
	if (n == 0) {
		r->in_eof = 1;
		return 0;
	}
	r->ibuf_end += (size_t)n;
	return 1;
}

/*
 * Take the next physical line.  *line excludes the '\n' (and a '\r' before
 * it); *has_nl says whether a '\n' followed, which then sits at
 * (*line)[*len or *len+1] and may be fed to libcsv.  Returns 1, 0 at end,
 * -1 on error.
 */
static int next_line(struct sp_reader *r, const char **line, size_t *len,
		     size_t *feed_len)
{
	if (r->pending && r->pending_pos == r->pending_len) {
		/* Used up; the line it gave last is no longer needed. */
		free(r->pending);
		r->pending = NULL;
		r->pending_pos = r->pending_len = 0;
	}
	if (r->pending) {
		char *p = r->pending + r->pending_pos;
		char *nl = memchr(p, '\n', r->pending_len - r->pending_pos);
		size_t n = (size_t)(nl - p);

		/* pending always ends in '\n', so nl is never NULL.  Once used
		 * up it is freed on the next call: *line points into it. */
		r->pending_pos += n + 1;
		*line = p;
		*feed_len = n + 1;
		*len = n && p[n - 1] == '\r' ? n - 1 : n;
		r->lineno++;
		return 1;
	}
	for (;;) {
		char *p = r->ibuf + r->ibuf_start;
		char *nl = memchr(r->ibuf + r->scan, '\n', r->ibuf_end - r->scan);

		if (nl) {
			size_t n = (size_t)(nl - p);
			r->ibuf_start = r->scan = n + 1 + r->ibuf_start;
			*line = p;
			*feed_len = n + 1;
			*len = n && p[n - 1] == '\r' ? n - 1 : n;
			break;
		}
		r->scan = r->ibuf_end;
		int f = fill(r);
		if (f < 0)
			return -1;
		if (f == 0) {
			size_t n = r->ibuf_end - r->ibuf_start;
			if (n == 0)
				return 0;
			/* fill() may have moved ibuf: p is stale here. */
			*line = r->ibuf + r->ibuf_start;
			r->ibuf_start = r->scan = r->ibuf_end;
			*feed_len = n;
			*len = (*line)[n - 1] == '\r' ? n - 1 : n;
			break;
		}
	}
	r->lineno++;
	if (!r->bom_checked) {
		r->bom_checked = 1;
		if (*len >= 3 && !memcmp(*line, "\xef\xbb\xbf", 3)) {
			*line += 3;
			*len -= 3;
			*feed_len -= 3;
		}
	}
	return 1;
}

/* Queue TEXT (lines ending in '\n') to be parsed before anything else. */
static int push_pending(struct sp_reader *r, const char *text, size_t n)
{
	size_t rest = r->pending ? r->pending_len - r->pending_pos : 0;
	char *p;

	if (n == 0)
		return 0;
	p = malloc(n + rest + 1);
	if (!p)
		return sp_error("out of memory");
	memcpy(p, text, n);
	if (p[n - 1] != '\n')
		p[n++] = '\n';
	if (rest)
		memcpy(p + n, r->pending + r->pending_pos, rest);
	free(r->pending);
	r->pending = p;
	r->pending_len = n + rest;
	r->pending_pos = 0;
	return 0;
}

/* ---- columns ------------------------------------------------------- */

int sp_reader_find(const struct sp_reader *r, const char *name)
{
	for (size_t i = 0; i < r->ncols; i++)
		if (!strcmp(r->cols[i].name, name))
			return (int)i;
	return -1;
}

static int add_column(struct sp_reader *r, const char *name, size_t len, int present)
{
	char *copy;

	if (sp_grow((void **)&r->cols, &r->capcols, r->ncols + 1, sizeof(*r->cols)) ||
	    sp_grow((void **)&r->vals, &r->capvals, r->ncols + 1, sizeof(*r->vals)) ||
	    !(copy = strndup(name, len)))
		return sp_error("out of memory");
	r->cols[r->ncols].name = copy;
	r->cols[r->ncols].present = present;
	r->vals[r->ncols] = (struct sp_field){ "", 0, SP_FIELD_MISSING, 0 };
	return (int)r->ncols++;
}

int sp_reader_want(struct sp_reader *r, const char *name)
{
	int i = sp_reader_find(r, name);
	return i >= 0 ? i : add_column(r, name, strlen(name), 0);
}

size_t sp_reader_ncols(const struct sp_reader *r)
{
	return r->ncols;
}

const char *sp_reader_colname(const struct sp_reader *r, size_t col)
{
	return col < r->ncols ? r->cols[col].name : NULL;
}

int sp_reader_present(const struct sp_reader *r, size_t col)
{
	return col < r->ncols && r->cols[col].present;
}

struct sp_field sp_reader_field(const struct sp_reader *r, size_t col)
{
	static const struct sp_field missing = { "", 0, SP_FIELD_MISSING, 0 };
	return col < r->ncols && !r->bad ? r->vals[col] : missing;
}

/* ---- CSV ----------------------------------------------------------- */

static void csv_on_field(void *s, size_t len, void *data)
{
	struct sp_reader *r = data;
	struct csvrec *c = &r->cur;

	if (c->bad_size)
		return;
	if (c->len + len + 1 > SP_RECORD_MAX ||
	    sp_grow((void **)&c->buf, &c->cap, c->len + len + 1, 1) ||
	    sp_grow((void **)&c->off, &c->capf, c->nf + 1, sizeof(*c->off))) {
		c->bad_size = 1;
		return;
	}
	memcpy(c->buf + c->len, s, len);
	c->buf[c->len + len] = '\0';
	c->off[c->nf++] = c->len;
	c->len += len + 1;
}

static void csv_on_record(int term, void *data)
{
	struct sp_reader *r = data;
	struct csvrec tmp;
	size_t oldcap = r->capready;

	if (sp_grow((void **)&r->ready, &r->capready, r->nready + 1, sizeof(*r->ready))) {
		r->cur.bad_size = 1;
		return;
	}
	/* realloc leaves new slots undefined; their buffers are swapped into cur. */
	if (r->capready > oldcap)
		memset(r->ready + oldcap, 0, (r->capready - oldcap) * sizeof(*r->ready));
	/* Swap buffers with the ready slot: no copy of the fields. */
	tmp = r->ready[r->nready];
	r->ready[r->nready] = r->cur;
	r->ready[r->nready].line = r->rec_line;
	r->ready[r->nready].bad_utf8 |= r->line_bad_utf8;
	r->nready++;
	r->cur = tmp;
	r->cur.len = r->cur.nf = 0;
	r->cur.bad_utf8 = r->cur.bad_size = 0;
	r->rec_line = r->lineno;
}

/* Append a line with its line end as read ("\r\n" stays), ending in '\n'. */
static int acc_add(struct sp_reader *r, const char *line, size_t feed)
{
	if (sp_grow((void **)&r->acc, &r->acc_cap, r->acc_len + feed + 1, 1))
		return sp_error("out of memory");
	memcpy(r->acc + r->acc_len, line, feed);
	r->acc_len += feed;
	if (!feed || line[feed - 1] != '\n')
		r->acc[r->acc_len++] = '\n';
	return 0;
}

/*
 * libcsv grows its field buffer by a fixed blk_size (128 bytes by default):
 * a long field would cost a realloc (and, where realloc copies, a copy)
 * every 128 bytes.
 */
static void csv_setup(struct sp_reader *r)
{
	csv_init(&r->csv, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL);
	csv_set_blk_size(&r->csv, CSV_BLOCK);
}

static void csv_restart(struct sp_reader *r)
{
	csv_free(&r->csv);
	csv_setup(r);
	r->cur.len = r->cur.nf = 0;
	r->cur.bad_utf8 = r->cur.bad_size = 0;
}

/*
 * The record that began on rec_line cannot be parsed.  Return its first line
 * as a bad record and queue the lines after it (those in acc, then LINE when
 * given) to be parsed again.  Returns 1 (a record is ready) or -1.
 */
static int csv_recover(struct sp_reader *r, const char *why, const char *line,
		       size_t len, size_t feed)
{
	r->bad = why;
	r->line = r->rec_line;
	if (!r->acc_len) {
		r->raw = line;
		r->raw_len = len;
	} else {
		if (line && acc_add(r, line, feed) < 0)
			return -1;
		size_t first = (size_t)((char *)memchr(r->acc, '\n', r->acc_len) - r->acc);
		if (push_pending(r, r->acc + first + 1, r->acc_len - first - 1) < 0)
			return -1;
		r->lineno = r->rec_line;
		r->acc_len = 0;	/* acc keeps its bytes until the next line */
		r->raw = r->acc;
		r->raw_len = first && r->acc[first - 1] == '\r' ? first - 1 : first;
	}
	r->nready = r->iready = 0;
	csv_restart(r);
	return 1;
}

/* The raw text of a record that spanned lines: acc, moved aside. */
static void take_acc_as_raw(struct sp_reader *r)
{
	char *t = r->rawbuf;
	size_t cap = r->rawbuf_cap;

	r->rawbuf = r->acc;
	r->rawbuf_cap = r->acc_cap;
	r->raw = r->rawbuf;
	r->raw_len = r->acc_len - 1;
	if (r->raw_len && r->raw[r->raw_len - 1] == '\r')
		r->raw_len--;
	r->acc = t;
	r->acc_cap = cap;
	r->acc_len = 0;
}

static int deliver_csv(struct sp_reader *r)
{
	struct csvrec *c = &r->ready[r->iready++];

	r->line = c->line;
	r->bad = NULL;
	if (c->bad_utf8 & BAD_TEXT_UTF8)
		r->bad = "invalid UTF-8";
	else if (c->bad_utf8 & BAD_TEXT_NUL)
		r->bad = "NUL byte in a field";
	else if (c->bad_size)
		r->bad = "record too large";
	else if (c->nf != r->nhdr && r->nhdr) {
		snprintf(r->reason, sizeof(r->reason), "expected %zu fields, found %zu",
			 r->nhdr, c->nf);
		r->bad = r->reason;
	}
	for (size_t i = 0; !r->bad && i < r->ncols; i++) {
		if (i >= c->nf) {	/* a wanted column the header lacks */
			r->vals[i] = (struct sp_field){ "", 0, SP_FIELD_MISSING, 0 };
			continue;
		}
		const char *s = c->buf + c->off[i];
		size_t len = (i + 1 < c->nf ? c->off[i + 1] : c->len) - c->off[i] - 1;
		r->vals[i] = (struct sp_field){ s, len,
			len ? SP_FIELD_TEXT : SP_FIELD_MISSING, 0 };
	}
	return 1;
}

static int csv_at_end(struct sp_reader *r)
{
	if (r->csv.pstate == LIBCSV_ROW_NOT_BEGUN)
		return 0;
	/* An open record at the end: its lines are all in acc. */
	if (csv_fini(&r->csv, csv_on_field, csv_on_record, r))
		return csv_recover(r, "unterminated quoted field", NULL, 0, 0);
	take_acc_as_raw(r);
	csv_restart(r);
	return r->nready ? deliver_csv(r) : 0;
}

/*
 * Most lines of market data have no quote, no space or tab (which libcsv
 * trims around unquoted fields) and no stray CR (which libcsv takes for a
 * line end): such a line is its fields split at the commas, exactly what
 * libcsv would give, at a fraction of the cost.  Every other line goes to
 * libcsv.
 */
static int plain_line(const char *line, size_t len)
{
	return len && !memchr(line, '"', len) && !memchr(line, ' ', len) &&
	       !memchr(line, '\t', len) && !memchr(line, '\r', len);
}

static void split_plain(struct sp_reader *r, const char *line, size_t len)
{
	const char *p = line, *end = line + len, *comma;

	for (;; p = comma + 1) {
		comma = memchr(p, ',', (size_t)(end - p));
		csv_on_field((void *)p, (size_t)((comma ? comma : end) - p), r);
		if (!comma)
			break;
	}
	csv_on_record('\n', r);
}

static int next_csv(struct sp_reader *r)
{
	const char *line;
	size_t len, feed;

	if (r->iready < r->nready)
		return deliver_csv(r);
	r->nready = r->iready = 0;
	for (;;) {
		int got = next_line(r, &line, &len, &feed);
		if (got < 0)
			return -1;
		if (got == 0)
			return csv_at_end(r);
		if (r->csv.pstate == LIBCSV_ROW_NOT_BEGUN) {
			r->rec_line = r->lineno;
			r->acc_len = 0;
		}
		/* Text is UTF-8 without NUL bytes, which C strings would cut. */
		r->line_bad_utf8 = (!ascii_only((const unsigned char *)line, len) &&
				    !utf8_valid((const unsigned char *)line, len) ? BAD_TEXT_UTF8 : 0) |
				   (memchr(line, '\0', len) ? BAD_TEXT_NUL : 0);
		if (r->csv.pstate == LIBCSV_ROW_NOT_BEGUN && plain_line(line, len)) {
			split_plain(r, line, len);
			r->raw = line;
			r->raw_len = len;
			return deliver_csv(r);
		}
		if (csv_parse(&r->csv, line, feed, csv_on_field, csv_on_record, r) != feed)
			return csv_recover(r, "malformed quoting", line, len, feed);
		if (r->nready && r->acc_len && r->nhdr && r->ready[0].nf != r->nhdr) {
			/* A quoted field ran over lines into a record of the wrong
			 * shape: most likely a stray quote that swallowed them. */
			r->rec_line = r->ready[0].line;
			return csv_recover(r, "unterminated quoted field", line, len,
					   feed);
		}
		if (r->nready) {
			if (r->acc_len) {
				if (acc_add(r, line, feed) < 0)
					return -1;
				take_acc_as_raw(r);
			} else {
				r->raw = line;
				r->raw_len = len;
			}
		}
		if (r->csv.pstate != LIBCSV_ROW_NOT_BEGUN) {
			/* A quoted field goes on to the next line (or, without a
			 * line end, the input ended: csv_at_end() decides). */
			if (line[feed - 1] == '\n' && r->acc_len + len > QUOTED_SPAN_MAX)
				return csv_recover(r, "unterminated quoted field",
						   line, len, feed);
			if (acc_add(r, line, feed) < 0)
				return -1;
			r->cur.bad_utf8 |= r->line_bad_utf8;
		}
		if (r->nready)
			return deliver_csv(r);
	}
}

static int read_header(struct sp_reader *r)
{
	int got = next_csv(r);

	if (got <= 0)
		return got;
	if (r->bad)
		return sp_error_at(r->name, r->line, "bad header: %s", r->bad);
	struct csvrec *c = &r->ready[r->iready - 1];
	for (size_t i = 0; i < c->nf; i++) {
		const char *s = c->buf + c->off[i];
		if (sp_reader_find(r, s) >= 0)
			sp_warn_at(r->name, r->line, "duplicate column '%s'", s);
		if (add_column(r, s, strlen(s), 1) < 0)
			return -1;
	}
	r->nhdr = c->nf;
	return 1;
}

/* ---- NDJSON ---------------------------------------------------------- */

static int json_col(struct sp_reader *r, const char *key, size_t *hint)
{
	size_t h = *hint;
	int i;

	/* Keys usually come in the same order in every line: try the next slot. */
	if (h < r->ncols && !strcmp(r->cols[h].name, key)) {
		i = (int)h;
	} else {
		i = sp_reader_find(r, key);
		if (i < 0)
			i = add_column(r, key, strlen(key), 1);
	}
	if (i >= 0) {
		r->cols[i].present = 1;
		*hint = (size_t)i + 1;
	}
	return i;
}

static int next_json(struct sp_reader *r)
{
	const char *line, *key;
	size_t len, feed, hint = 0;
	json_error_t err;
	json_t *value;

	for (;;) {
		int got = next_line(r, &line, &len, &feed);
		if (got <= 0)
			return got;
		size_t i = 0;
		while (i < len && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (i < len)
			break;
	}
	json_decref(r->json);
	r->json = NULL;
	for (size_t i = 0; i < r->ndumps; i++)
		free(r->dumps[i]);
	r->ndumps = 0;
	r->line = r->lineno;
	r->raw = line;
	r->raw_len = len;
	r->bad = NULL;
	for (size_t i = 0; i < r->ncols; i++)
		r->vals[i] = (struct sp_field){ "", 0, SP_FIELD_MISSING, 0 };

	/* Integers stay integers (exact, and unchanged when an object or array
	 * passes through); only one too big for 64 bits is read as a double. */
	r->json = json_loadb(line, len, JSON_REJECT_DUPLICATES, &err);
	if (!r->json && strstr(err.text, "too big"))
		r->json = json_loadb(line, len, JSON_REJECT_DUPLICATES |
					     JSON_DECODE_INT_AS_REAL, &err);
	if (!r->json) {
		snprintf(r->reason, sizeof(r->reason), "invalid JSON: %s (column %d)",
			 err.text, err.column);
		r->bad = r->reason;
		return 1;
	}
	if (!json_is_object(r->json)) {
		r->bad = "not a JSON object";
		return 1;
	}
	json_object_foreach(r->json, key, value) {
		int c = json_col(r, key, &hint);
		if (c < 0)
			return -1;
		struct sp_field *f = &r->vals[c];
		switch (json_typeof(value)) {
		case JSON_STRING:
			f->s = json_string_value(value);
			f->len = json_string_length(value);
			f->type = f->len ? SP_FIELD_STRING : SP_FIELD_MISSING;
			if (memchr(f->s, '\0', f->len)) {
				r->bad = "NUL character in a string";
				return 1;
			}
			break;
		case JSON_REAL:
		case JSON_INTEGER:
			f->type = SP_FIELD_NUMBER;
			f->num = json_number_value(value);
			break;
		case JSON_NULL:
			break;
		case JSON_TRUE:
			*f = (struct sp_field){ "true", 4, SP_FIELD_OTHER, 0 };
			break;
		case JSON_FALSE:
			*f = (struct sp_field){ "false", 5, SP_FIELD_OTHER, 0 };
			break;
		default: {
			/* Objects and arrays keep their JSON, compact, so that they
			 * pass through unchanged. */
			char *text = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY |
							       JSON_PRESERVE_ORDER);
			if (!text || sp_grow((void **)&r->dumps, &r->capdumps, r->ndumps + 1,
					     sizeof(*r->dumps))) {
				free(text);
				return sp_error("out of memory");
			}
			r->dumps[r->ndumps++] = text;
			*f = (struct sp_field){ text, strlen(text), SP_FIELD_OTHER, 0 };
			break;
		}
		}
	}
	/* Numbers get their text last: the column table may have moved. */
	if (sp_grow((void **)&r->numtext, &r->capnum, r->ncols * SP_NUM_MAX, 1))
		return sp_error("out of memory");
	for (size_t i = 0; i < r->ncols; i++) {
		struct sp_field *f = &r->vals[i];
		if (f->type == SP_FIELD_NUMBER) {
			char *t = r->numtext + i * SP_NUM_MAX;
			f->len = sp_num_format(f->num, t);
			f->s = t;
		}
	}
	return 1;
}

/* ---- open, next, close ----------------------------------------------- */

/* Look at the first non-blank byte, after a BOM: '{' means NDJSON. */
static int detect(struct sp_reader *r)
{
	size_t i = 0;

	for (;;) {
		for (; r->ibuf_start + i < r->ibuf_end; i++) {
			unsigned char c = (unsigned char)r->ibuf[r->ibuf_start + i];
			if (i == 0 && r->ibuf_end - r->ibuf_start >= 3 &&
			    !memcmp(r->ibuf, "\xef\xbb\xbf", 3)) {
				i = 2;
				continue;
			}
			if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
				r->fmt = c == '{' ? SP_FORMAT_NDJSON : SP_FORMAT_CSV;
				return 0;
			}
		}
		int f = fill(r);
		if (f < 0)
			return -1;
		if (f == 0) {
			r->fmt = SP_FORMAT_CSV;	/* empty or blank */
			return 0;
		}
	}
}

/*
 * A reader of IN.  With LIKE, IN is the middle of a CSV file: no detection,
 * no header; LIKE's columns, and line numbers from FIRST_LINE.
 */
static struct sp_reader *reader_new(struct sp_input *in, const struct sp_reader *like,
				    long first_line)
{
	struct sp_reader *r;

	if (!in)
		return NULL;
	r = calloc(1, sizeof(*r));
	if (!r || !(r->name = strdup(sp_input_name(in))) ||
	    sp_grow((void **)&r->ibuf, &r->ibuf_cap, IBUF_MIN, 1)) {
		if (r)
			free(r->name);
		free(r);
		sp_input_close(in);
		sp_error("out of memory");
		return NULL;
	}
	r->in = in;
	csv_setup(r);
	if (like) {
		r->fmt = SP_FORMAT_CSV;
		r->bom_checked = 1;
		r->lineno = first_line - 1;
		r->nhdr = like->nhdr;	/* field counts are checked as in LIKE */
		for (size_t i = 0; i < like->ncols; i++)
			if (add_column(r, like->cols[i].name, strlen(like->cols[i].name),
				       like->cols[i].present) < 0) {
				sp_reader_close(r);
				return NULL;
			}
		return r;
	}
	if (detect(r) < 0 || (r->fmt == SP_FORMAT_CSV && read_header(r) < 0)) {
		sp_reader_close(r);
		return NULL;
	}
	return r;
}

struct sp_reader *sp_reader_open(const char *path)
{
	return reader_new(sp_input_open(path), NULL, 0);
}

struct sp_reader *sp_reader_open_mem(const void *buf, size_t len, const char *name)
{
	return reader_new(sp_input_open_mem(buf, len, name), NULL, 0);
}

struct sp_reader *sp_reader_open_part(const struct sp_reader *like, const void *buf,
				      size_t len, long first_line)
{
	if (like->fmt != SP_FORMAT_CSV) {
		sp_error("%s: only CSV can be read in parts", like->name);
		return NULL;
	}
	return reader_new(sp_input_open_mem(buf, len, like->name), like, first_line);
}

int sp_reader_next(struct sp_reader *r)
{
	return r->fmt == SP_FORMAT_NDJSON ? next_json(r) : next_csv(r);
}

int sp_reader_number(const struct sp_reader *r, int col, double *v)
{
	struct sp_field f;

	if (col < 0)
		return 0;
	f = sp_reader_field(r, (size_t)col);
	switch (f.type) {
	case SP_FIELD_MISSING:
		return 0;
	case SP_FIELD_NUMBER:
		*v = f.num;
		return 1;
	case SP_FIELD_TEXT:
		return sp_num_parse(f.s, f.len, v) == 0 ? 1 : -1;
	default:
		return -1;
	}
}

void sp_reader_on_wait(struct sp_reader *r, void (*fn)(void *), void *arg)
{
	sp_input_on_wait(r->in, fn, arg);
}

const char *sp_reader_bad(const struct sp_reader *r)
{
	return r->bad;
}

const char *sp_reader_raw(const struct sp_reader *r, size_t *len)
{
	*len = r->raw_len;
	return r->raw ? r->raw : "";
}

long sp_reader_line(const struct sp_reader *r)
{
	return r->line;
}

const char *sp_reader_name(const struct sp_reader *r)
{
	return r->name;
}

enum sp_format sp_reader_format(const struct sp_reader *r)
{
	return r->fmt;
}

void sp_reader_close(struct sp_reader *r)
{
	if (!r)
		return;
	sp_input_close(r->in);
	csv_free(&r->csv);
	for (size_t i = 0; i < r->ncols; i++)
		free(r->cols[i].name);
	for (size_t i = 0; i < r->capready; i++) {
		free(r->ready[i].buf);
		free(r->ready[i].off);
	}
	free(r->ready);
	free(r->cur.buf);
	free(r->cur.off);
	free(r->cols);
	free(r->vals);
	free(r->acc);
	free(r->rawbuf);
	free(r->pending);
	free(r->ibuf);
	free(r->numtext);
	json_decref(r->json);
	for (size_t i = 0; i < r->ndumps; i++)
		free(r->dumps[i]);
	free(r->dumps);
	free(r->name);
	free(r);
}
