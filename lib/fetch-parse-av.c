/*
 * fetch-parse-av.c - Alpha Vantage responses to bars and events: its JSON
 * through jansson (time series, Global Quote, and the notes it sends with
 * HTTP 200 instead of data), its datatype=csv through the CSV engine.
 */
#include "fetch-parse-impl.h"
#include "num.h"

#include <jansson.h>
#include <math.h>
#include <string.h>
#include "banned.h"

enum { F_OPEN, F_HIGH, F_LOW, F_CLOSE, F_ADJ, F_VOLUME, F_DIV, F_SPLIT, F_PRICE, F_DAY, NF };

/* Field names after their "1. " / "05. " prefix. */
static const char *const field_names[NF] = {
	"open", "high", "low", "close", "adjusted close", "volume", "dividend amount",
	"split coefficient", "price", "latest trading day",
};

/* Which field KEY ("4. close") names, or -1. */
static int field_of(const char *key)
{
	const char *p = key;

	while (*p >= '0' && *p <= '9')
		p++;
	if (p == key || p[0] != '.' || p[1] != ' ')
		return -1;
	for (int f = 0; f < NF; f++)
		if (!strcmp(p + 2, field_names[f]))
			return f;
	return -1;
}

/* Alpha Vantage writes numbers as strings ("162.6800"); a JSON number is taken too. */
static int value_num(const json_t *v, double *out)
{
	if (json_is_string(v))
		return sp_num_parse(json_string_value(v), json_string_length(v), out);
	if (json_is_number(v)) {
		*out = json_number_value(v);
		return 0;
	}
	return -1;
}

/*
 * Read the fields of ROW (an object) into V (NAN where absent), requiring
 * those in NEED (a bit mask of F_*).  NULL, or what is wrong.
 */
static const char *row_fields(const json_t *row, double v[NF], const json_t **day,
			      unsigned need, const char **which)
{
	const char *key;
	json_t *val;

	for (int f = 0; f < NF; f++)
		v[f] = NAN;
	*which = "";
	if (!json_is_object(row))
		return "not an object";
	json_object_foreach((json_t *)row, key, val) {
		int f = field_of(key);
		if (f < 0)
			continue;	/* a field sp has no use for */
		*which = field_names[f];
		if (f == F_DAY) {
			if (!json_is_string(val) || *day)
				return "is not a date";
			*day = val;
			v[f] = 0;
			continue;
		}
		if (!isnan(v[f]))
			return "comes twice";
		if (value_num(val, &v[f]) < 0)
			return "is not a number";
	}
	for (int f = 0; f < NF; f++)
		if ((need & 1u << f) && isnan(v[f])) {
			*which = field_names[f];
			return "is missing";
		}
	return NULL;
}

/* A series row's date key: a day, or an intraday time in ZONE (0 NY, 1 UTC). */
static const char *row_when(const char *key, int zone, struct sp_when *w)
{
	size_t n = strlen(key);
	char tmp[40];

	if (n < 11 || n + 1 >= sizeof(tmp))
		return sp_when_parse(key, n, w);
	if (zone < 0)
		return "intraday time in an unknown time zone";
	if (zone == 0)
		return fp_when_ny(key, n, w);
	memcpy(tmp, key, n);
	tmp[n] = 'Z';
	return sp_when_parse(tmp, n + 1, w);
}

/* The "Meta Data" time zone: 0 New York, 1 UTC, -1 other or none. */
static int meta_zone(const json_t *root)
{
	const json_t *meta = json_object_get(root, "Meta Data"), *val;
	const char *key, *z;
	size_t n;

	json_object_foreach((json_t *)meta, key, val) {
		n = strlen(key);
		if (n < 9 || strcmp(key + n - 9, "Time Zone") || !json_is_string(val))
			continue;
		z = json_string_value(val);
		if (!strcmp(z, "US/Eastern") || !strcmp(z, "America/New_York"))
			return 0;
		if (!strcmp(z, "UTC"))
			return 1;
	}
	return -1;
}

static enum sp_fetch_status series(const json_t *root, const json_t *ts,
				   struct sp_fetch_series *s, struct fp_why *w)
{
	const unsigned need = 1u << F_OPEN | 1u << F_HIGH | 1u << F_LOW | 1u << F_CLOSE;
	int zone = meta_zone(root);
	const char *key, *err, *which;
	json_t *row;

	json_object_foreach((json_t *)ts, key, row) {
		struct sp_fetch_bar b;
		struct sp_when when;
		const json_t *day = NULL;
		double v[NF];
		sp_day d;

		if ((err = row_when(key, zone, &when)))
			return fp_fail(s, w, SP_FETCH_BAD, key, strlen(key), "%s", err);
		if ((err = row_fields(row, v, &day, need, &which)))
			return fp_fail(s, w, SP_FETCH_BAD, NULL, 0, "%.32s: %s %s", key, which,
				       err);
		if (day)	/* a Global Quote field in a series */
			return fp_fail(s, w, SP_FETCH_BAD, NULL, 0, "%.32s: unexpected %s", key,
				       which);
		if (v[F_DIV] < 0 || v[F_SPLIT] <= 0)
			return fp_fail(s, w, SP_FETCH_BAD, NULL, 0, "%.32s: bad %s", key,
				       v[F_DIV] < 0 ? "dividend amount" : "split coefficient");
		fp_bar_clear(&b, when);
		b.open = v[F_OPEN];
		b.high = v[F_HIGH];
		b.low = v[F_LOW];
		b.close = v[F_CLOSE];
		b.adj_close = v[F_ADJ];
		b.volume = v[F_VOLUME];
		d = when.intraday ? sp_ny_day(when.t) : (sp_day)when.t;
		if (fp_add_bar(s, &b) ||
		    (v[F_DIV] > 0 && fp_add_event(s, d, SP_EVENT_DIVIDEND, v[F_DIV])) ||
		    (v[F_SPLIT] != 1 && !isnan(v[F_SPLIT]) &&
		     fp_add_event(s, d, SP_EVENT_SPLIT, v[F_SPLIT])))
			return fp_fail(s, w, SP_FETCH_BAD, NULL, 0, "out of memory");
	}
	return fp_finish(s, w);
}

/*
 * GLOBAL_QUOTE: one bar for "07. latest trading day".  The price is the
 * last trade, so during a session this is a snapshot that a later quote
 * revises; the close of the day once the market has closed.
 */
static enum sp_fetch_status global_quote(const json_t *q, struct sp_fetch_series *s,
					 struct fp_why *w)
{
	const unsigned need = 1u << F_OPEN | 1u << F_HIGH | 1u << F_LOW | 1u << F_PRICE;
	const json_t *day = NULL;
	const char *err, *which;
	struct sp_fetch_bar b;
	struct sp_when when;
	double v[NF];

	if (!json_object_size(q))
		return fp_fail(s, w, SP_FETCH_NOT_FOUND, NULL, 0,
			       "alphavantage: empty Global Quote (unknown symbol)");
	if ((err = row_fields(q, v, &day, need, &which)))
		return fp_fail(s, w, SP_FETCH_BAD, NULL, 0, "Global Quote: %s %s", which, err);
	if (!day)
		return fp_fail(s, w, SP_FETCH_BAD, NULL, 0, "Global Quote: no latest trading day");
	if ((err = sp_when_parse(json_string_value(day), json_string_length(day), &when)) ||
	    when.intraday)
		return fp_fail(s, w, SP_FETCH_BAD, json_string_value(day), json_string_length(day),
			       "Global Quote: %s", err ? err : "not a day");
	fp_bar_clear(&b, when);
	b.open = v[F_OPEN];
	b.high = v[F_HIGH];
	b.low = v[F_LOW];
	b.close = v[F_PRICE];
	b.volume = v[F_VOLUME];
	if (fp_add_bar(s, &b))
		return fp_fail(s, w, SP_FETCH_BAD, NULL, 0, "out of memory");
	return fp_finish(s, w);
}

/* The notes Alpha Vantage sends with HTTP 200 in place of data. */
static int note(const json_t *root, struct sp_fetch_series *s, struct fp_why *w,
		enum sp_fetch_status *st)
{
	static const char *const keys[] = { "Error Message", "Note", "Information" };

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const json_t *v = json_object_get(root, keys[i]);
		const char *text;
		size_t n;

		if (!v)
			continue;
		if (!json_is_string(v)) {
			*st = fp_fail(s, w, SP_FETCH_BAD, NULL, 0, "alphavantage: %s is not text",
				      keys[i]);
			return 1;
		}
		text = json_string_value(v);
		n = json_string_length(v);
		if (i == 0)
			*st = fp_contains(text, n, "apikey") ? SP_FETCH_DENIED : SP_FETCH_NOT_FOUND;
		else
			*st = fp_av_note_status(text, n);
		*st = fp_fail(s, w, *st, text, n, "alphavantage %s", keys[i]);
		return 1;
	}
	return 0;
}

static enum sp_fetch_status parse_json(const char *buf, size_t len, struct sp_fetch_series *s,
				       struct fp_why *w)
{
	const json_t *ts = NULL, *val;
	const char *key;
	enum sp_fetch_status st;
	json_error_t err;
	json_t *root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &err);

	if (!root) {
		if (strstr(err.text, "near end of file") || strstr(err.text, "premature end"))
			return fp_fail(s, w, SP_FETCH_BAD, NULL, 0, "truncated JSON (%zu bytes)",
				       len);
		return fp_fail(s, w, SP_FETCH_BAD, err.text, strlen(err.text),
			       "bad JSON at line %d column %d", err.line, err.column);
	}
	if (!json_is_object(root)) {
		st = fp_fail(s, w, SP_FETCH_BAD, NULL, 0, "JSON that is not an object");
	} else if (note(root, s, w, &st)) {
		;
	} else if ((val = json_object_get(root, "Global Quote"))) {
		st = json_is_object(val) ? global_quote(val, s, w) :
		     fp_fail(s, w, SP_FETCH_BAD, NULL, 0, "Global Quote is not an object");
	} else {
		st = SP_FETCH_OK;
		json_object_foreach(root, key, val) {
			if (!strstr(key, "Time Series"))
				continue;
			if (ts || !json_is_object(val)) {
				st = fp_fail(s, w, SP_FETCH_BAD, key, strlen(key),
					     ts ? "two time series" : "not an object");
				break;
			}
			ts = val;
		}
		if (st == SP_FETCH_OK)
			st = ts ? series(root, ts, s, w) :
			     fp_fail(s, w, SP_FETCH_BAD, NULL, 0,
				     "alphavantage: no time series, quote or message in the JSON");
	}
	json_decref(root);
	return st;
}

enum sp_fetch_status sp_fetch_parse_alphavantage(const char *buf, size_t len,
						 struct sp_fetch_series *s, char *why,
						 size_t whylen)
{
	size_t i = fp_skip_blank(buf, len), tlen;
	const char *title;
	struct fp_why w;

	fp_why_init(&w, why, whylen);
	sp_fetch_series_reset(s);
	if (i == len)
		return fp_fail(s, &w, SP_FETCH_BAD, NULL, 0, "empty response");
	if (fp_html(buf, len, &title, &tlen))
		return fp_fail(s, &w, SP_FETCH_BAD, tlen ? title : NULL, tlen,
			       "an HTML page, not data");
	/* datatype=csv still gets its notes as JSON. */
	if (buf[i] == '{')
		return parse_json(buf + i, len - i, s, &w);
	return fp_parse_csv(buf, len, s, &w, FP_CSV_ALPHAVANTAGE);
}
