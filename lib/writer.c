/*
 * writer.c - the record writer: CSV (RFC 4180, quoting only where needed)
 * or NDJSON, one record built in memory and handed to output.c whole.
 */
#include "num.h"
#include "output.h"
#include "record.h"
#include "usage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "banned.h"

struct sp_writer {
	struct sp_output *out;
	enum sp_format fmt;
	unsigned flags;
	char **keys;		/* NDJSON: "\"name\":" ready to copy */
	size_t *keylen;
	size_t ncols, field;
	char *buf;
	size_t len, cap;
	size_t rec_start;	/* where the record being built starts in buf */
	int oom;
	int mem;		/* records stay in buf: see sp_writer_open_mem() */
};

enum sp_format sp_format_parse(const char *name)
{
	if (!strcmp(name, "csv"))
		return SP_FORMAT_CSV;
	if (!strcmp(name, "ndjson") || !strcmp(name, "json"))
		return SP_FORMAT_NDJSON;
	return SP_FORMAT_AUTO;
}

const char *sp_format_name(enum sp_format fmt)
{
	return fmt == SP_FORMAT_NDJSON ? "ndjson" : fmt == SP_FORMAT_CSV ? "csv" : "auto";
}

static int reserve(struct sp_writer *w, size_t more)
{
	size_t n;
	char *p;

	if (w->len + more <= w->cap)
		return 0;
	n = w->cap ? w->cap : 256;
	while (n < w->len + more)
		n *= 2;
	p = realloc(w->buf, n);
	if (!p) {
		w->oom = 1;
		return -1;
	}
	w->buf = p;
	w->cap = n;
	return 0;
}

static void put(struct sp_writer *w, const char *s, size_t n)
{
	/* n == 0 may come before buf exists: NULL + 0 is undefined */
	if (!n || reserve(w, n))
		return;
	memcpy(w->buf + w->len, s, n);
	w->len += n;
}

static void putc1(struct sp_writer *w, char c)
{
	if (reserve(w, 1))
		return;
	w->buf[w->len++] = c;
}

/* CSV: quote a field holding a separator, quote or line break, or spaces at
 * either end (libcsv, like most readers, trims those when unquoted). */
static void put_csv_text(struct sp_writer *w, const char *s, size_t n)
{
	int quote = n && (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' ||
			  s[n - 1] == '\t');

	for (size_t i = 0; !quote && i < n; i++)
		quote = s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
	if (!quote) {
		put(w, s, n);
		return;
	}
	putc1(w, '"');
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"')
			putc1(w, '"');
		putc1(w, s[i]);
	}
	putc1(w, '"');
}

static void put_json_string(struct sp_writer *w, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t run = 0;

	putc1(w, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		put(w, s + run, i - run);
		run = i + 1;
		switch (c) {
		case '"': put(w, "\\\"", 2); break;
		case '\\': put(w, "\\\\", 2); break;
		case '\n': put(w, "\\n", 2); break;
		case '\r': put(w, "\\r", 2); break;
		case '\t': put(w, "\\t", 2); break;
		default: {
			char u[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
			put(w, u, 6);
		}
		}
	}
	put(w, s + run, n - run);
	putc1(w, '"');
}

/*
 * End a CSV line.  With one column an empty field would make an empty line,
 * which readers skip: it is written "" instead.
 */
static void end_csv_line(struct sp_writer *w)
{
	if (w->len == w->rec_start && w->ncols == 1)
		put(w, "\"\"", 2);
	putc1(w, '\n');
}

/* RFC 8259 number syntax: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static int is_json_number(const char *s, size_t n)
{
	size_t i = 0, d;

	if (i < n && s[i] == '-')
		i++;
	if (i < n && s[i] == '0')
		i++;
	else if (i < n && s[i] >= '1' && s[i] <= '9')
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	else
		return 0;
	if (i < n && s[i] == '.') {
		for (d = ++i; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			;
		if (i == d)
			return 0;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		for (d = i; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			;
		if (i == d)
			return 0;
	}
	return i == n;
}

struct sp_writer *sp_writer_open(const char *path, enum sp_format fmt, unsigned flags)
{
	struct sp_writer *w = calloc(1, sizeof(*w));

	if (!w) {
		sp_error("out of memory");
		return NULL;
	}
	w->fmt = fmt == SP_FORMAT_NDJSON ? SP_FORMAT_NDJSON : SP_FORMAT_CSV;
	w->flags = flags;
	/* buf always exists: w->buf + w->len is then never NULL + 0 */
	if (reserve(w, 256)) {
		free(w);
		sp_error("out of memory");
		return NULL;
	}
	w->out = sp_output_open(path, 0);
	if (!w->out) {
		free(w->buf);
		free(w);
		return NULL;
	}
	return w;
}

struct sp_writer *sp_writer_open_mem(enum sp_format fmt)
{
	struct sp_writer *w = calloc(1, sizeof(*w));

	if (!w || (w->fmt = fmt == SP_FORMAT_NDJSON ? SP_FORMAT_NDJSON : SP_FORMAT_CSV,
		   reserve(w, 1 << 16))) {
		free(w);
		sp_error("out of memory");
		return NULL;
	}
	w->mem = 1;
	return w;
}

int sp_writer_put_raw(struct sp_writer *w, const char *buf, size_t len)
{
	if (w->mem) {
		if (reserve(w, len))
			return sp_error("out of memory");
		memcpy(w->buf + w->len, buf, len);
		w->len += len;
		w->rec_start = w->len;
		return 0;
	}
	if (sp_output_write(w->out, buf, len) < 0)
		return -1;
	if (w->flags & SP_WRITER_STREAM)
		return sp_output_flush(w->out);
	return 0;
}

/* Hand the line built in buf to the output, flushing it when streaming. */
static int emit_line(struct sp_writer *w)
{
	if (w->oom)
		return sp_error("out of memory");
	if (w->mem) {
		w->rec_start = w->len;
		return 0;
	}
	if (sp_output_write(w->out, w->buf, w->len) < 0)
		return -1;
	w->len = 0;
	if (w->flags & SP_WRITER_STREAM)
		return sp_output_flush(w->out);
	return 0;
}

int sp_writer_columns(struct sp_writer *w, const char *const *names, size_t n)
{
	w->keys = calloc(n ? n : 1, sizeof(*w->keys));
	w->keylen = calloc(n ? n : 1, sizeof(*w->keylen));
	if (!w->keys || !w->keylen)
		return sp_error("out of memory");
	w->ncols = n;
	for (size_t i = 0; i < n; i++) {
		size_t start = w->len;
		if (w->fmt == SP_FORMAT_NDJSON) {
			put_json_string(w, names[i], strlen(names[i]));
			putc1(w, ':');
		} else {
			put_csv_text(w, names[i], strlen(names[i]));
		}
		if (w->oom || !(w->keys[i] = strndup(w->buf + start, w->len - start)))
			return sp_error("out of memory");
		w->keylen[i] = w->len - start;
		w->len = start;
	}
	if (w->fmt == SP_FORMAT_CSV && !w->mem) {
		for (size_t i = 0; i < n; i++) {
			if (i)
				putc1(w, ',');
			put(w, w->keys[i], w->keylen[i]);
		}
		end_csv_line(w);
		return emit_line(w);
	}
	return 0;
}

/* Start field number w->field: separator and, in NDJSON, its key. */
static int begin_field(struct sp_writer *w)
{
	if (w->field >= w->ncols)
		return -1;	/* more fields than columns: ignored */
	if (w->fmt == SP_FORMAT_NDJSON) {
		putc1(w, w->field ? ',' : '{');
		put(w, w->keys[w->field], w->keylen[w->field]);
	} else if (w->field) {
		putc1(w, ',');
	}
	w->field++;
	return 0;
}

void sp_writer_null(struct sp_writer *w)
{
	if (begin_field(w) == 0 && w->fmt == SP_FORMAT_NDJSON)
		put(w, "null", 4);
}

void sp_writer_str(struct sp_writer *w, const char *s, size_t len)
{
	if (begin_field(w) < 0)
		return;
	if (w->fmt == SP_FORMAT_NDJSON)
		put_json_string(w, s, len);
	else
		put_csv_text(w, s, len);
}

static void put_raw_field(struct sp_writer *w, const char *s, size_t n)
{
	if (begin_field(w) == 0)
		put(w, s, n);
}

void sp_writer_num(struct sp_writer *w, double v)
{
	char t[SP_NUM_MAX];
	size_t n = sp_num_format(v, t);

	if (n)
		put_raw_field(w, t, n);
	else
		sp_writer_null(w);
}

void sp_writer_int(struct sp_writer *w, long long v)
{
	/* Digits from the end; unsigned so that LLONG_MIN negates cleanly. */
	char t[24], *p = t + sizeof(t);
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;

	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (v < 0)
		*--p = '-';
	put_raw_field(w, p, (size_t)(t + sizeof(t) - p));
}

void sp_writer_auto(struct sp_writer *w, const char *s, size_t len)
{
	if (!len)
		sp_writer_null(w);
	else if (w->fmt == SP_FORMAT_NDJSON && is_json_number(s, len))
		put_raw_field(w, s, len);
	else
		sp_writer_str(w, s, len);
}

void sp_writer_field(struct sp_writer *w, const struct sp_field *f)
{
	switch (f->type) {
	case SP_FIELD_MISSING:
		sp_writer_null(w);
		break;
	case SP_FIELD_TEXT:
		sp_writer_auto(w, f->s, f->len);
		break;
	case SP_FIELD_STRING:
		sp_writer_str(w, f->s, f->len);
		break;
	case SP_FIELD_NUMBER:
		put_raw_field(w, f->s, f->len);
		break;
	case SP_FIELD_OTHER:
		/* JSON already: as it is in NDJSON, as text in CSV. */
		if (w->fmt == SP_FORMAT_NDJSON)
			put_raw_field(w, f->s, f->len);
		else
			sp_writer_str(w, f->s, f->len);
		break;
	}
}

int sp_writer_end(struct sp_writer *w)
{
	while (w->field < w->ncols)
		sp_writer_null(w);
	if (w->fmt == SP_FORMAT_NDJSON)
		put(w, w->ncols ? "}\n" : "{}\n", w->ncols ? 2 : 3);
	else
		end_csv_line(w);
	w->field = 0;
	return emit_line(w);
}

int sp_writer_closed(const struct sp_writer *w)
{
	return w->out ? sp_output_closed(w->out) : 0;
}

int sp_writer_flush(struct sp_writer *w)
{
	return w->out ? sp_output_flush(w->out) : 0;
}

void sp_writer_reset(struct sp_writer *w)
{
	if (w->mem)
		w->len = w->rec_start = 0;
}

const char *sp_writer_records(const struct sp_writer *w, size_t *len)
{
	*len = w->mem ? w->len : 0;
	return w->buf;
}

static void release(struct sp_writer *w)
{
	for (size_t i = 0; i < w->ncols && w->keys; i++)
		free(w->keys[i]);
	free(w->keys);
	free(w->keylen);
	free(w->buf);
	free(w);
}

int sp_writer_close(struct sp_writer *w)
{
	int r;

	if (!w)
		return 0;
	r = w->out ? sp_output_close(w->out) : 0;
	release(w);
	return r;
}

void sp_writer_abort(struct sp_writer *w)
{
	if (!w)
		return;
	if (w->out)
		sp_output_abort(w->out);
	release(w);
}
