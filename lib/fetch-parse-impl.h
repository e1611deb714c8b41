/*
 * fetch-parse-impl.h - what the lib/fetch-parse*.c files share: building a
 * series, the reason line, recognising text that is not data, and times.
 * Only lib/fetch-parse*.c and lib/fetch-parse-yahoo.cc include it.
 */
#ifndef SP_FETCH_PARSE_IMPL_H
#define SP_FETCH_PARSE_IMPL_H

#include "fetch-parse.h"

#include <stdint.h>

/* At most this many bytes of a source's own message go into WHY. */
#define FP_QUOTE_MAX 200

/* The reason buffer of one parse. */
struct fp_why {
	char *buf;
	size_t len;
};

/* Start a parse's reason: WHY (may be NULL) of WHYLEN bytes, emptied. */
void fp_why_init(struct fp_why *w, char *why, size_t whylen);

/*
 * Empty S and write a reason: "FMT..." then, when QUOTE is not NULL, ": "
 * and QUOTE[0..QLEN) sanitised and cut to FP_QUOTE_MAX bytes.  Returns ST.
 */
enum sp_fetch_status fp_fail(struct sp_fetch_series *s, struct fp_why *w,
			     enum sp_fetch_status st, const char *quote, size_t qlen,
			     const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* Append a bar or an event; -1 when out of memory. */
int fp_add_bar(struct sp_fetch_series *s, const struct sp_fetch_bar *b);
int fp_add_event(struct sp_fetch_series *s, sp_day day, enum sp_fetch_event_kind kind,
		 double value);

/*
 * Sort bars and events, drop earlier duplicates, and refuse a mix of daily
 * and intraday bars.  SP_FETCH_OK or a failure (S then empty).
 */
enum sp_fetch_status fp_finish(struct sp_fetch_series *s, struct fp_why *w);

/* A bar with every field missing, to fill in. */
void fp_bar_clear(struct sp_fetch_bar *b, struct sp_when when);

/* 1 if open, high, low and close are all NAN. */
int fp_bar_empty(const struct sp_fetch_bar *b);

/* The first byte past a UTF-8 BOM and blanks (spaces, tabs, CR, LF). */
size_t fp_skip_blank(const char *buf, size_t len);

/*
 * Bodies that are not data.  fp_html() is 1 for a page whose first
 * non-blank byte is '<' and puts its <title> (or "") in *TITLE and *TLEN.
 * fp_zstd() is 1 for zstd's magic number.
 */
int fp_html(const char *buf, size_t len, const char **title, size_t *tlen);
int fp_zstd(const char *buf, size_t len);

/* 1 if S[0..N) is valid UTF-8. */
int fp_utf8_ok(const char *s, size_t n);

/* 1 if S[0..LEN) contains NEEDLE, ASCII case ignored. */
int fp_contains(const char *s, size_t len, const char *needle);

/*
 * Alpha Vantage's notes ("Note", "Information"): RATE_LIMITED for call
 * frequency, DENIED for the demo key, a premium endpoint or a bad key.
 */
enum sp_fetch_status fp_av_note_status(const char *text, size_t len);

/* Instants a bar may carry: years 1800 to 2200, as sp_when_parse() allows. */
#define FP_T_MIN (-5364662400LL)
#define FP_T_MAX 7289654399LL

/* The UTC instant of New York wall-clock time LOCAL (seconds as if UTC). */
int64_t fp_ny_to_utc(int64_t local);

/*
 * "YYYY-MM-DD HH:MM[:SS]" (no zone) in New York time, or any sp_when_parse()
 * form, to a bar time.  NULL or what is wrong.
 */
const char *fp_when_ny(const char *s, size_t len, struct sp_when *w);

/* The CSV engine behind the CSV parsers (fetch-parse-csv.c). */
enum fp_csv_kind { FP_CSV_GENERIC, FP_CSV_STOOQ, FP_CSV_ALPHAVANTAGE };
enum sp_fetch_status fp_parse_csv(const char *buf, size_t len, struct sp_fetch_series *s,
				  struct fp_why *w, enum fp_csv_kind kind);

#endif
