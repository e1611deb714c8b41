/*
 * fetch-parse.h - market data responses (Yahoo chart JSON, Alpha Vantage
 * JSON/CSV, Stooq CSV, generic bar CSV) to bars and events; the caller owns
 * the buffer and the series.
 *
 * The parsers are pure: no I/O, no global state, no messages (but the
 * "out of memory" of mem.h), so they run on any thread.  A response is
 * either understood whole or refused: a series comes out only with
 * SP_FETCH_OK, and then every row the source sent is in it (or counted in
 * skipped, for the reasons given below).
 *
 * Numbers are parsed exactly (the double nearest the decimal text) and are
 * never rounded: Yahoo's float32-derived prices such as 129.0399932861328
 * come out as that very double, and Alpha Vantage's "162.6800" as 162.68.
 */
#ifndef SP_FETCH_PARSE_H
#define SP_FETCH_PARSE_H

#include "date.h"

#include <stddef.h>

struct sp_fetch_bar {
	struct sp_when when;	/* day, or UTC bar start for intraday */
	double open, high, low, close, adj_close, volume;	/* NAN where the source has none */
};

enum sp_fetch_event_kind { SP_EVENT_SPLIT, SP_EVENT_DIVIDEND };

struct sp_fetch_event {
	sp_day day;		/* exchange-local date */
	enum sp_fetch_event_kind kind;
	/* split: new shares per old share (4 for 4:1, 0.1 for 1:10); dividend: cash per share */
	double value;
};

struct sp_fetch_series {	/* owns its arrays */
	struct sp_fetch_bar *bars;
	size_t nbars, cap_bars;
	struct sp_fetch_event *events;
	size_t nevents, cap_events;
	char currency[8];	/* "" if unknown */
	/* Source rows left out: bars whose open, high, low and close are all missing. */
	size_t skipped;
};

void sp_fetch_series_init(struct sp_fetch_series *s);
void sp_fetch_series_reset(struct sp_fetch_series *s);	/* empty, keep memory */
void sp_fetch_series_release(struct sp_fetch_series *s);

enum sp_fetch_status {
	SP_FETCH_OK,		/* bars parsed (possibly zero: a valid empty range) */
	SP_FETCH_NOT_FOUND,	/* permanent for this request: unknown symbol, "No data",
				 * Alpha Vantage "Error Message", Yahoo "Not Found" and
				 * "Bad Request" */
	SP_FETCH_RATE_LIMITED,	/* retry later: Alpha Vantage "Note"/"Information" about call
				 * frequency, Stooq's daily hits limit */
	SP_FETCH_BAD,		/* not what the source sends: HTML page, truncated or
				 * malformed body, wrong shape, a row that does not parse
				 * (also: out of memory) */
	SP_FETCH_DENIED,	/* permanent for every symbol: the key or the client is refused
				 * (Alpha Vantage demo key, premium endpoint, invalid key; Yahoo
				 * "Unauthorized"): stop, do not retry */
};

/* "ok", "not-found", "rate-limited", "bad", "denied"; "unknown" otherwise. */
const char *sp_fetch_status_name(enum sp_fetch_status st);

/*
 * Each parser resets S, fills it and returns a status.  On anything but OK
 * S is left empty and WHY (WHYLEN bytes, may be NULL/0) gets a one-line
 * reason, quoting the source's own message where it has one (at most 200
 * bytes of it, control characters blanked).  Bars come out sorted by time,
 * one per time: a later duplicate in the source replaces an earlier one
 * (Alpha Vantage and Stooq send one row per time; a repeated time is a
 * revised bar).  Events come out sorted by day, one per day and kind, the
 * same way.  A series holds daily bars or intraday bars, never both.
 */

/*
 * Yahoo v8 chart JSON.  Daily bars (meta.dataGranularity 1d, 5d, 1wk, 1mo,
 * 3mo, or none given) are dated by the exchange-local date of their
 * timestamp: by the New York DST rules of date.h for exchangeTimezoneName
 * America/New_York (US/Eastern, EST5EDT), by meta.gmtoffset (the offset at
 * request time) for any other zone.  Intraday bars keep their UTC instant.
 * Bars whose open, high, low and close are all null are skipped and counted;
 * a single null field becomes NAN.  chart.error: "Not Found" and "Bad
 * Request" (e.g. "Data doesn't exist for startDate...") are NOT_FOUND,
 * "Unauthorized"/"Forbidden" DENIED, "Too Many Requests" RATE_LIMITED, any
 * other code BAD.  Splits are numerator/denominator, dividends their amount.
 * This one reads JSON with simdjson (validating, like jansson), for speed:
 * a 13-year daily history (370 KB) parses at about 780 MB/s where jansson
 * alone reads it at about 50 MB/s, the least sp-fetch must reach.
 */
enum sp_fetch_status sp_fetch_parse_yahoo(const char *buf, size_t len, struct sp_fetch_series *s,
					  char *why, size_t whylen);

/*
 * Alpha Vantage, JSON or datatype=csv, told apart by the first byte ('{').
 * JSON: "Time Series (Daily)" (plain or adjusted), weekly and monthly series,
 * "Time Series (5min)" and the other intraday ones (times in the "Meta Data"
 * time zone, US/Eastern or UTC, converted to UTC), and "Global Quote" (one
 * bar on "07. latest trading day": open, high, low from "02."-"04.", close
 * from "05. price", volume "06."; no adj_close; an empty Global Quote, which
 * is what an unknown symbol gets, is NOT_FOUND).  "7. dividend amount" other
 * than 0 and "8. split coefficient" other than 1 become events (the source's
 * coefficient as is: IBM's Kyndryl spin-off shows as a 1.046 "split").
 * CSV: timestamp,open,high,low,close[,adjusted_close],volume
 * [,dividend_amount,split_coefficient]; intraday times are US/Eastern; the
 * body must end with a line end (Alpha Vantage always sends one), so a
 * truncated last row is BAD rather than a wrong number.
 * "Error Message" is NOT_FOUND (DENIED when it is about the apikey); "Note"
 * and "Information" are RATE_LIMITED, except the demo-key, premium-endpoint
 * and invalid-key texts, which are DENIED.
 */
enum sp_fetch_status sp_fetch_parse_alphavantage(const char *buf, size_t len,
						 struct sp_fetch_series *s, char *why,
						 size_t whylen);

/*
 * Stooq daily CSV: Date,Open,High,Low,Close[,Volume] (or the Polish
 * Data,Otwarcie,Najwyzszy,Najnizszy,Zamkniecie[,Wolumen]); ending with a
 * line end, as Stooq sends it.  "No data" is NOT_FOUND, "Exceeded the daily
 * hits limit" RATE_LIMITED.
 */
enum sp_fetch_status sp_fetch_parse_stooq(const char *buf, size_t len, struct sp_fetch_series *s,
					  char *why, size_t whylen);

/*
 * Bars in any column order with header names matched case-, space- and
 * underscore-blind: the contract's bars (CSV, or NDJSON by its first '{'),
 * Yahoo's Date,Open,High,Low,Close,Adj Close,Volume, Alpha Vantage's,
 * Stooq's, Kaggle's date,open,high,low,close,volume,Name.  Date and close
 * are required; open, high, low, adj_close and volume are NAN where the
 * file has no column or an empty, "null" or "NaN" field.  Dates are any form
 * sp_when_parse() reads; a timestamp without a zone is BAD.  Optional
 * dividend_amount / dividends and split_coefficient / stock splits columns
 * give events (a split of 0 or 1 is none).  More than one symbol in a
 * symbol/ticker/name column is BAD.  No final line end is needed.
 */
enum sp_fetch_status sp_fetch_parse_csv(const char *buf, size_t len, struct sp_fetch_series *s,
					char *why, size_t whylen);

#endif
