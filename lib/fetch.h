/*
 * fetch.h - sp-fetch's job: bars from Yahoo Finance, Alpha Vantage, Stooq or
 * any bar CSV over libcurl, many symbols at once, retried, rate-limited,
 * cached, each symbol's series written whole or not at all.  The options
 * and every string in them belong to the caller.
 */
#ifndef SP_FETCH_H
#define SP_FETCH_H

#include "date.h"
#include "record.h"

#include <stddef.h>

enum sp_fetch_source {
	SP_SOURCE_YAHOO,
	SP_SOURCE_ALPHAVANTAGE,
	SP_SOURCE_STOOQ,
	SP_SOURCE_CSV,
};

/* "yahoo", ... to a source; -1 for an unknown name. */
int sp_fetch_source_parse(const char *name);
const char *sp_fetch_source_name(enum sp_fetch_source s);

struct sp_fetch_options {
	enum sp_fetch_source source;
	const char *base_url;		/* NULL: SP_<SOURCE>_URL, then the real API */
	const char *interval;		/* 1d (default), 1h, 5m, 1m */
	const char *function;		/* alphavantage: daily, daily_adjusted, intraday, quote */
	int av_csv;			/* alphavantage: ask for datatype=csv */
	sp_day from, to;		/* inclusive; from 0: all history; to 0: today */
	const char *const *symbols;	/* for csv: SYMBOL=URL, or a URL or file */
	size_t nsymbols;

	int jobs;			/* transfers at once (8) */
	int retries;			/* retries after the first attempt (4) */
	double timeout;			/* seconds per request (30) */
	double deadline;		/* seconds for the whole run; 0: none */
	double backoff;			/* first retry delay in seconds (1), doubling */
	double rate;			/* requests per second; 0: no limit */
	double burst;			/* requests the bucket holds */

	const char *output;		/* bars; NULL: stdout */
	enum sp_format format;		/* CSV unless --follow */
	const char *events;		/* splits and dividends */
	const char *summary;		/* per-symbol status, JSON */
	const char *since_last;		/* bars file whose last dates start each symbol */
	int overlap;			/* sessions fetched again before the last date (5) */
	const char *cache_dir;
	double cache_ttl;		/* seconds a cached response stays fresh */
	int offline;			/* answer only from the cache */
	const char *api_key;		/* never printed, never in a file name */
	const char *cacert;		/* PEM certificates to trust; NULL: the system's */
	int quiet;			/* no per-symbol lines, no progress */
	int progress;			/* one-line progress on stderr (a terminal) */

	int follow;			/* poll live bars until stopped */
	double every;			/* seconds between polls (60) */
	int always;			/* poll outside trading hours too */
	long max_polls;			/* stop after N polls; 0: never (tests) */
};

void sp_fetch_options_init(struct sp_fetch_options *o);

/*
 * Fetch every symbol.  Returns an exit status: 0 when every symbol was
 * written, 1 when any failed (after all the others were written), 2 for
 * options that cannot work (no API key for Alpha Vantage...).
 */
int sp_fetch_run(const struct sp_fetch_options *o);

#endif
