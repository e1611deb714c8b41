/*
 * fetch-parse-csv.c - bars from CSV responses (Stooq, Alpha Vantage
 * datatype=csv, Yahoo's old download, any bar file) through the record
 * reader: columns found by name, every row checked, nothing guessed.
 */
#include "fetch-parse-impl.h"
#include "num.h"
#include "record.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "banned.h"

enum role { R_DATE, R_OPEN, R_HIGH, R_LOW, R_CLOSE, R_ADJ, R_VOLUME, R_DIV, R_SPLIT, R_SYMBOL,
	    R_COUNT };

static const char *const role_names[R_COUNT] = {
	"date", "open", "high", "low", "close", "adj_close", "volume", "dividend", "split",
	"symbol",
};

/*
 * Header names compared lower-cased without spaces and underscores: the
 * contract's, Yahoo's ("Adj Close"), Alpha Vantage's ("timestamp",
 * "adjusted_close", "dividend_amount", "split_coefficient"), Kaggle's
 * ("Name"), Stooq's Polish ones, yfinance's ("Dividends", "Stock Splits").
 * The same list as bar.c's, plus the event columns.
 */
static const char *const aliases[R_COUNT][6] = {
	[R_DATE] = { "date", "timestamp", "datetime", "time", "data" },
	[R_OPEN] = { "open", "otwarcie" },
	[R_HIGH] = { "high", "najwyzszy" },
	[R_LOW] = { "low", "najnizszy" },
	[R_CLOSE] = { "close", "zamkniecie" },
	[R_ADJ] = { "adjclose", "adjustedclose" },
	[R_VOLUME] = { "volume", "vol", "wolumen" },
	[R_DIV] = { "dividendamount", "dividend", "dividends" },
	[R_SPLIT] = { "splitcoefficient", "stocksplits" },
	[R_SYMBOL] = { "symbol", "ticker", "name" },
};

#define MAX_HEADER_FIELDS 1024

static size_t fold(char *dst, size_t n, const char *src, size_t len)
{
	size_t j = 0;

	for (size_t i = 0; i < len && j + 1 < n; i++) {
		char c = src[i];
		if (c == ' ' || c == '_' || c == '\t')
			continue;
		dst[j++] = c >= 'A' && c <= 'Z' ? (char)(c + ('a' - 'A')) : c;
	}
	dst[j] = '\0';
	return j;
}

/* Skip what fold() drops. */
static size_t fold_skip(const char *s, size_t i, size_t n)
{
	while (i < n && (s[i] == ' ' || s[i] == '_' || s[i] == '\t'))
		i++;
	return i;
}

/* 1 if A and B fold to the same name. */
static int fold_eq(const char *a, size_t an, const char *b, size_t bn)
{
	size_t i = fold_skip(a, 0, an), j = fold_skip(b, 0, bn);

	while (i < an && j < bn) {
		char x = a[i], y = b[j];
		if ((x >= 'A' && x <= 'Z' ? x + ('a' - 'A') : x) !=
		    (y >= 'A' && y <= 'Z' ? y + ('a' - 'A') : y))
			return 0;
		i = fold_skip(a, i + 1, an);
		j = fold_skip(b, j + 1, bn);
	}
	return i == an && j == bn;
}

/*
 * Check the header line ourselves before the reader sees it, more strictly
 * than it does: the reader would print a message about a header it cannot
 * parse or a duplicate name, and a parser prints nothing.  Text, plain or
 * wholly quoted fields, no two names alike (as bind() compares them).
 * NULL or what is wrong.
 */
static const char *check_header(const char *line, size_t len)
{
	uint32_t field[MAX_HEADER_FIELDS][2];
	size_t nf = 0, i = 0;

	if (memchr(line, '\0', len) || memchr(line, '\r', len))
		return "control character in the header";
	if (len > UINT32_MAX)
		return "header too long";
	if (!fp_utf8_ok(line, len))
		return "invalid UTF-8 in the header";
	for (;;) {
		size_t start = i, stop;

		if (i < len && line[i] == '"') {
			for (i++; i < len; i++) {
				if (line[i] != '"')
					continue;
				if (i + 1 < len && line[i + 1] == '"')
					i++;
				else
					break;
			}
			if (i == len)
				return "unterminated quote in the header";
			stop = ++i;
			if (i < len && line[i] != ',')
				return "text after a quoted header field";
			start++;
			stop--;
		} else {
			while (i < len && line[i] != ',') {
				if (line[i] == '"')
					return "quote inside a header field";
				i++;
			}
			stop = i;
		}
		if (nf == MAX_HEADER_FIELDS)
			return "too many columns";
		for (size_t k = 0; k < nf; k++)
			if (fold_eq(line + field[k][0], field[k][1], line + start, stop - start))
				return "two columns of the same name";
		field[nf][0] = (uint32_t)start;
		field[nf][1] = (uint32_t)(stop - start);
		nf++;
		if (i == len)
			return NULL;
		i++;	/* the comma */
	}
}

struct cols {
	int col[R_COUNT];
	size_t seen;		/* reader columns looked at */
};

/* Give roles to the columns the reader has shown since last time. */
static enum sp_fetch_status bind(struct cols *c, const struct sp_reader *r,
				 struct sp_fetch_series *s, struct fp_why *w)
{
	char f[64];

	for (; c->seen < sp_reader_ncols(r); c->seen++) {
		const char *name = sp_reader_colname(r, c->seen);

		fold(f, sizeof(f), name, strlen(name));
		for (int role = 0; role < R_COUNT; role++)
			for (size_t k = 0; k < 6 && aliases[role][k]; k++) {
				if (strcmp(f, aliases[role][k]))
					continue;
				if (c->col[role] >= 0)
					return fp_fail(s, w, SP_FETCH_BAD, name, strlen(name),
						       "a second %s column", role_names[role]);
				c->col[role] = (int)c->seen;
			}
	}
	return SP_FETCH_OK;
}

static int null_word(const char *s, size_t n)
{
	return (n == 4 && fp_contains(s, n, "null")) || (n == 3 && fp_contains(s, n, "nan")) ||
	       (n == 4 && fp_contains(s, n, "none"));
}

/* Field COL as a number: 0 (NAN when missing or null), -1 when not a number. */
static int field_num(const struct sp_reader *r, int col, double *v)
{
	struct sp_field f;

	*v = NAN;
	if (col < 0)
		return 0;
	f = sp_reader_field(r, (size_t)col);
	switch (f.type) {
	case SP_FIELD_MISSING:
		return 0;
	case SP_FIELD_NUMBER:
		*v = f.num;
		return 0;
	case SP_FIELD_TEXT:
	case SP_FIELD_STRING:
		return null_word(f.s, f.len) ? 0 : sp_num_parse(f.s, f.len, v);
	default:
		return -1;
	}
}

struct row_ctx {
	struct sp_fetch_series *s;
	struct fp_why *w;
	const struct sp_reader *r;
	const struct cols *c;
	enum fp_csv_kind kind;
	char symbol[64];
	size_t symlen;
	int have_symbol;
};

/* Read one record into the series: SP_FETCH_OK or a failure. */
static enum sp_fetch_status take_row(struct row_ctx *x)
{
	static const int numeric[] = { R_OPEN, R_HIGH, R_LOW, R_CLOSE, R_ADJ, R_VOLUME };
	const struct sp_reader *r = x->r;
	long line = sp_reader_line(r);
	struct sp_field d = sp_reader_field(r, (size_t)x->c->col[R_DATE]);
	struct sp_fetch_bar b;
	struct sp_when when;
	double v[R_COUNT];
	const char *err;
	int dlen = d.len > 32 ? 32 : (int)d.len;

	if (d.type == SP_FIELD_MISSING)
		return fp_fail(x->s, x->w, SP_FETCH_BAD, NULL, 0, "line %ld: no date", line);
	if (d.type != SP_FIELD_TEXT && d.type != SP_FIELD_STRING)
		return fp_fail(x->s, x->w, SP_FETCH_BAD, d.s, d.len,
			       "line %ld: the date is not text", line);
	err = x->kind == FP_CSV_ALPHAVANTAGE ? fp_when_ny(d.s, d.len, &when) :
					       sp_when_parse(d.s, d.len, &when);
	if (err)
		return fp_fail(x->s, x->w, SP_FETCH_BAD, d.s, d.len, "line %ld: %s", line, err);
	fp_bar_clear(&b, when);
	for (size_t i = 0; i < sizeof(numeric) / sizeof(numeric[0]); i++) {
		int role = numeric[i];
		if (field_num(r, x->c->col[role], &v[role]) < 0) {
			struct sp_field f = sp_reader_field(r, (size_t)x->c->col[role]);
			return fp_fail(x->s, x->w, SP_FETCH_BAD, f.s, f.len,
				       "line %ld (%.*s): %s is not a number", line, dlen, d.s,
				       role_names[role]);
		}
	}
	b.open = v[R_OPEN];
	b.high = v[R_HIGH];
	b.low = v[R_LOW];
	b.close = v[R_CLOSE];
	b.adj_close = v[R_ADJ];
	b.volume = v[R_VOLUME];

	if (x->c->col[R_SYMBOL] >= 0) {
		struct sp_field f = sp_reader_field(r, (size_t)x->c->col[R_SYMBOL]);
		if (f.type != SP_FIELD_MISSING) {
			if (f.len >= sizeof(x->symbol))
				return fp_fail(x->s, x->w, SP_FETCH_BAD, f.s, f.len,
					       "line %ld: symbol too long", line);
			if (!x->have_symbol) {
				memcpy(x->symbol, f.s, f.len);
				x->symlen = f.len;
				x->have_symbol = 1;
			} else if (f.len != x->symlen || memcmp(f.s, x->symbol, f.len)) {
				return fp_fail(x->s, x->w, SP_FETCH_BAD, f.s, f.len,
					       "line %ld: a symbol other than the first one",
					       line);
			}
		}
	}

	for (int role = R_DIV; role <= R_SPLIT; role++) {
		sp_day day = when.intraday ? sp_ny_day(when.t) : (sp_day)when.t;
		double e;

		if (field_num(r, x->c->col[role], &e) < 0 || e < 0) {
			struct sp_field f = sp_reader_field(r, (size_t)x->c->col[role]);
			return fp_fail(x->s, x->w, SP_FETCH_BAD, f.s, f.len,
				       "line %ld (%.*s): bad %s", line, dlen, d.s,
				       role_names[role]);
		}
		if (isnan(e) || e == 0 || (role == R_SPLIT && e == 1))
			continue;
		if (fp_add_event(x->s, day, role == R_DIV ? SP_EVENT_DIVIDEND : SP_EVENT_SPLIT, e))
			return fp_fail(x->s, x->w, SP_FETCH_BAD, NULL, 0, "out of memory");
	}
	if (fp_bar_empty(&b)) {
		x->s->skipped++;
		return SP_FETCH_OK;
	}
	if (fp_add_bar(x->s, &b))
		return fp_fail(x->s, x->w, SP_FETCH_BAD, NULL, 0, "out of memory");
	return SP_FETCH_OK;
}

/* Every required column is there: SP_FETCH_OK, or BAD quoting TEXT. */
static enum sp_fetch_status check_need(const struct cols *c, enum fp_csv_kind kind,
				       struct sp_fetch_series *s, struct fp_why *w,
				       const char *text, size_t tlen)
{
	static const int need[] = { R_DATE, R_CLOSE, R_OPEN, R_HIGH, R_LOW };
	size_t nneed = kind == FP_CSV_GENERIC ? 2 : 5;

	for (size_t i = 0; i < nneed; i++)
		if (c->col[need[i]] < 0)
			return fp_fail(s, w, SP_FETCH_BAD, text, tlen, "no %s column",
				       role_names[need[i]]);
	return SP_FETCH_OK;
}

static enum sp_fetch_status read_rows(struct sp_reader *r, struct sp_fetch_series *s,
				      struct fp_why *w, enum fp_csv_kind kind,
				      const char *header, size_t hlen)
{
	int ndjson = sp_reader_format(r) == SP_FORMAT_NDJSON;
	struct cols c = { .seen = 0 };
	struct row_ctx x = { s, w, r, &c, kind, "", 0, 0 };
	enum sp_fetch_status st;
	int got;

	for (int i = 0; i < R_COUNT; i++)
		c.col[i] = -1;
	/* CSV names its columns in the header, NDJSON as keys come. */
	if (!ndjson && ((st = bind(&c, r, s, w)) != SP_FETCH_OK ||
			(st = check_need(&c, kind, s, w, header, hlen)) != SP_FETCH_OK))
		return st;
	while ((got = sp_reader_next(r)) == 1) {
		size_t rawlen;
		const char *raw = sp_reader_raw(r, &rawlen);
		const char *bad = sp_reader_bad(r);

		if (bad)
			return fp_fail(s, w, SP_FETCH_BAD, raw, rawlen, "line %ld: %s",
				       sp_reader_line(r), bad);
		if (ndjson && ((st = bind(&c, r, s, w)) != SP_FETCH_OK ||
			       (st = check_need(&c, kind, s, w, raw, rawlen)) != SP_FETCH_OK))
			return st;
		if ((st = take_row(&x)) != SP_FETCH_OK)
			return st;
	}
	if (got < 0)
		return fp_fail(s, w, SP_FETCH_BAD, NULL, 0, "unreadable response");
	return fp_finish(s, w);
}

enum sp_fetch_status fp_parse_csv(const char *buf, size_t len, struct sp_fetch_series *s,
				  struct fp_why *w, enum fp_csv_kind kind)
{
	static const char *const names[] = { "csv", "stooq", "alphavantage" };
	size_t i = fp_skip_blank(buf, len), hlen;
	const char *title, *header, *nl, *err;
	struct sp_reader *r;
	enum sp_fetch_status st;

	sp_fetch_series_reset(s);
	if (i == len)
		return fp_fail(s, w, SP_FETCH_BAD, NULL, 0, "empty response");
	if (fp_zstd(buf, len))
		return fp_fail(s, w, SP_FETCH_BAD, NULL, 0, "zstd data, not CSV");
	if (fp_html(buf, len, &title, &hlen))
		return fp_fail(s, w, SP_FETCH_BAD, hlen ? title : NULL, hlen,
			       "an HTML page, not CSV");
	header = buf + i;
	nl = memchr(header, '\n', len - i);
	hlen = nl ? (size_t)(nl - header) : len - i;
	if (hlen && header[hlen - 1] == '\r')
		hlen--;
	if (*header == '{' && kind != FP_CSV_GENERIC)
		return fp_fail(s, w, SP_FETCH_BAD, header, hlen, "JSON, not CSV");
	if (kind != FP_CSV_GENERIC && buf[len - 1] != '\n') {
		/* Stooq and Alpha Vantage end every row with a line end. */
		const char *last = buf + len;
		while (last > buf && last[-1] != '\n')
			last--;
		return fp_fail(s, w, SP_FETCH_BAD, last, (size_t)(buf + len - last),
			       "truncated: no line end after the last row");
	}
	if (*header != '{' && (err = check_header(header, hlen)))
		return fp_fail(s, w, SP_FETCH_BAD, header, hlen, "%s", err);
	r = sp_reader_open_mem(buf, len, names[kind]);
	if (!r)
		return fp_fail(s, w, SP_FETCH_BAD, NULL, 0, "unreadable response");
	st = read_rows(r, s, w, kind, header, hlen);
	sp_reader_close(r);
	return st;
}

enum sp_fetch_status sp_fetch_parse_stooq(const char *buf, size_t len, struct sp_fetch_series *s,
					  char *why, size_t whylen)
{
	static const char limit[] = "Exceeded the daily hits limit";
	size_t i = fp_skip_blank(buf, len), n = len;
	struct fp_why w;

	fp_why_init(&w, why, whylen);
	while (n > i && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
		n--;
	/* Stooq answers an unknown symbol, and a spent quota, in plain text. */
	if (n - i == 7 && !memcmp(buf + i, "No data", 7))
		return fp_fail(s, &w, SP_FETCH_NOT_FOUND, buf + i, n - i, "stooq");
	if (n - i >= sizeof(limit) - 1 && !memcmp(buf + i, limit, sizeof(limit) - 1))
		return fp_fail(s, &w, SP_FETCH_RATE_LIMITED, buf + i, n - i, "stooq");
	return fp_parse_csv(buf, len, s, &w, FP_CSV_STOOQ);
}

enum sp_fetch_status sp_fetch_parse_csv(const char *buf, size_t len, struct sp_fetch_series *s,
					char *why, size_t whylen)
{
	struct fp_why w;

	fp_why_init(&w, why, whylen);
	return fp_parse_csv(buf, len, s, &w, FP_CSV_GENERIC);
}
