/*
 * fetch-parse-yahoo.cc - Yahoo's v8 chart JSON to bars and events, read
 * with simdjson's DOM parser.
 *
 * Why simdjson: speed.  A chart is mostly six long arrays of numbers, and
 * jansson's json_loadb() alone builds its tree of the 13-year TSLA daily
 * chart (370 KB) at 45 to 55 MB/s, no margin over the 50 MB/s sp-fetch
 * must reach; this file, bars included, reads it at 760 to 800 MB/s
 * (scripts/bench/parse-speed.c, on the machine where jansson gives 55).
 * dom::parser validates the whole document (grammar, UTF-8, escapes,
 * control characters, numbers, junk after the value) and parses doubles
 * correctly rounded: the double sp_num_parse() gives for the same text.
 *
 * The walk over the tree keeps the arrays and meta fields it needs; a key
 * it reads that comes twice in one object is an error.  The bars are built
 * when everything is known, as meta may come after the arrays.
 */
extern "C" {
#include "fetch-parse-impl.h"
#include "mem.h"
}

#include <simdjson.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::key_value_pair;
using simdjson::dom::object;

/* A chart nests 6 deep; a document deeper than this is refused. */
#define MAX_DEPTH 64
#define NO_INDEX SIZE_MAX

enum { C_OPEN, C_HIGH, C_LOW, C_CLOSE, C_VOLUME, C_ADJ, NCOL };

static const char *const col_names[NCOL] = {
	"open", "high", "low", "close", "volume", "adjclose"
};

/* Where each column is, for the reason line. */
static const char *const col_where[NCOL] = {
	"result[0].indicators.quote[0].open",	"result[0].indicators.quote[0].high",
	"result[0].indicators.quote[0].low",	"result[0].indicators.quote[0].close",
	"result[0].indicators.quote[0].volume", "result[0].indicators.adjclose[0].adjclose",
};

/* A string the walk kept (pointing into the parser's document), or none (S NULL). */
struct text {
	const char *s;
	size_t n;
};

struct yevent {
	int64_t t;
	enum sp_fetch_event_kind kind;
	double value;
};

struct chart {
	int64_t *ts;
	size_t nts;
	double *col[NCOL];
	size_t n[NCOL];
	int have[NCOL];
	struct yevent *ev;
	size_t nev, capev;
	/* meta */
	struct text currency, tzname, granularity;
	int64_t gmtoffset;
	int have_gmtoffset;
	/* chart.error */
	struct text code, description;
	int have_chart, have_result, have_error, nresult;
	/* The first thing wrong: WHAT at TOP.WHERE[AT]. */
	const char *top, *what, *where;
	size_t at;
};

/* ---- the walk --------------------------------------------------------- */

static int fail(struct chart *c, const char *where, size_t at, const char *what)
{
	if (!c->what) {
		c->what = what;
		c->where = where;
		c->at = at;
	}
	return -1;
}

static int is(const struct text *t, const char *name)
{
	return t->s && t->n == strlen(name) && !memcmp(t->s, name, t->n);
}

/* Set bit BIT of *SEEN, failing with "duplicate key" if it was set. */
static int once(struct chart *c, unsigned *seen, unsigned bit, const char *where)
{
	if (*seen & bit)
		return fail(c, where, NO_INDEX, "duplicate key");
	*seen |= bit;
	return 0;
}

/* Elements of A: array::size() saturates at 0xFFFFFF. */
static size_t count(array a)
{
	size_t n = a.size();

	if (n >= 0xFFFFFF) {
		n = 0;
		for (element x : a) {
			(void)x;
			n++;
		}
	}
	return n;
}

/* A string, or null (left as no string). */
static int string_or_null(struct chart *c, element v, struct text *out, const char *where)
{
	std::string_view sv;

	if (v.is_null())
		return 0;
	if (v.get_string().get(sv))
		return fail(c, where, NO_INDEX, "expected a string");
	out->s = sv.data();
	out->n = sv.size();
	return 0;
}

/* A number (exact) or null (NAN). */
static int number_or_null(struct chart *c, element v, double *out, const char *where, size_t at)
{
	if (v.is_null()) {
		*out = NAN;
		return 0;
	}
	if (v.get_double().get(*out))
		return fail(c, where, at, "expected a number or null");
	return 0;
}

/* An integer of at most 17 digits, as Yahoo writes times and offsets. */
static int integer(struct chart *c, element v, int64_t *out, const char *where, size_t at)
{
	if (v.get_int64().get(*out) || *out > 99999999999999999 || *out < -9999999999999999)
		return fail(c, where, at, "expected an integer");
	return 0;
}

static int doubles(struct chart *c, element v, int col)
{
	array a;
	size_t i = 0;

	if (v.get_array().get(a))
		return fail(c, col_where[col], NO_INDEX, "expected an array");
	c->have[col] = 1;
	c->n[col] = count(a);
	c->col[col] = (double *)malloc((c->n[col] ? c->n[col] : 1) * sizeof(double));
	if (!c->col[col])
		return fail(c, col_where[col], NO_INDEX, "out of memory");
	for (element x : a) {
		if (number_or_null(c, x, &c->col[col][i], col_where[col], i) < 0)
			return -1;
		i++;
	}
	return 0;
}

static int timestamps(struct chart *c, element v)
{
	static const char where[] = "result[0].timestamp";
	array a;
	size_t i = 0;

	if (v.get_array().get(a))
		return fail(c, where, NO_INDEX, "expected an array");
	c->nts = count(a);
	c->ts = (int64_t *)malloc((c->nts ? c->nts : 1) * sizeof(*c->ts));
	if (!c->ts)
		return fail(c, where, NO_INDEX, "out of memory");
	for (element x : a) {
		if (integer(c, x, &c->ts[i], where, i) < 0)
			return -1;
		i++;
	}
	return 0;
}

/* "quote": [{open, high, low, close, volume}], "adjclose": [{adjclose}]. */
static int indicator(struct chart *c, element v, int adj, const char *where)
{
	array a;
	element first;
	object o;

	if (v.get_array().get(a))
		return fail(c, where, NO_INDEX, "expected an array");
	/* Only the first set is the series; an empty list has none. */
	if (a.at(0).get(first))
		return 0;
	if (first.get_object().get(o))
		return fail(c, where, 0, "expected an object");
	for (key_value_pair f : o) {
		int col = -1;

		for (int i = adj ? C_ADJ : C_OPEN; i < (adj ? NCOL : C_ADJ); i++)
			if (f.key == col_names[i])
				col = i;
		if (col < 0)
			continue;
		if (c->have[col])
			return fail(c, col_where[col], NO_INDEX, "duplicate key");
		if (!f.value.is_null() && doubles(c, f.value, col) < 0)
			return -1;
	}
	return 0;
}

static int indicators(struct chart *c, element v)
{
	unsigned seen = 0;
	object o;

	if (v.get_object().get(o))
		return fail(c, "result[0].indicators", NO_INDEX, "expected an object");
	for (key_value_pair f : o) {
		int adj = f.key == "adjclose";
		const char *where = adj ? "result[0].indicators.adjclose" :
					  "result[0].indicators.quote";

		if (!adj && f.key != "quote")
			continue;
		if (once(c, &seen, 1u << adj, where) < 0 || indicator(c, f.value, adj, where) < 0)
			return -1;
	}
	return 0;
}

/* One split {date, numerator, denominator} or dividend {date, amount}. */
static int event(struct chart *c, element v, enum sp_fetch_event_kind kind, const char *where)
{
	struct yevent e = { 0, kind, NAN };
	double num = NAN, den = NAN, amount = NAN;
	int have_t = 0;
	object o;

	if (v.get_object().get(o))
		return fail(c, where, NO_INDEX, "expected an object");
	for (key_value_pair f : o) {
		double *p = f.key == "numerator" ? &num : f.key == "denominator" ? &den :
			    f.key == "amount" ? &amount : NULL;
		if (f.key == "date") {
			if (have_t++ || integer(c, f.value, &e.t, where, NO_INDEX) < 0)
				return fail(c, where, NO_INDEX, "bad event date");
		} else if (p) {
			/* A second number for the same field; null reads as none. */
			if (!isnan(*p) || number_or_null(c, f.value, p, where, NO_INDEX) < 0)
				return fail(c, where, NO_INDEX, "bad event");
		}
	}
	e.value = kind == SP_EVENT_SPLIT ? num / den : amount;
	if (!have_t || !(e.value >= 0) || isinf(e.value) ||
	    (kind == SP_EVENT_SPLIT && !(num > 0 && den > 0 && e.value > 0)))
		return fail(c, where, NO_INDEX,
			    kind == SP_EVENT_SPLIT ? "bad split" : "bad dividend");
	if (e.value == 0)
		return 0;	/* no dividend */
	if (sp_grow((void **)&c->ev, &c->capev, c->nev + 1, sizeof(*c->ev)))
		return fail(c, where, NO_INDEX, "out of memory");
	c->ev[c->nev++] = e;
	return 0;
}

static int events(struct chart *c, element v)
{
	unsigned seen = 0;
	object o, list;

	if (v.get_object().get(o))
		return fail(c, "result[0].events", NO_INDEX, "expected an object");
	for (key_value_pair f : o) {
		int split = f.key == "splits";
		enum sp_fetch_event_kind kind = split ? SP_EVENT_SPLIT : SP_EVENT_DIVIDEND;
		const char *where = split ? "result[0].events.splits" :
					    "result[0].events.dividends";

		if (!split && f.key != "dividends")
			continue;
		if (once(c, &seen, 1u << split, where) < 0)
			return -1;
		if (f.value.get_object().get(list))
			return fail(c, where, NO_INDEX, "expected an object");
		for (key_value_pair g : list)
			if (event(c, g.value, kind, where) < 0)
				return -1;
	}
	return 0;
}

static int meta(struct chart *c, element v)
{
	unsigned seen = 0;
	object o;

	if (v.get_object().get(o))
		return fail(c, "result[0].meta", NO_INDEX, "expected an object");
	for (key_value_pair f : o) {
		int r = 0;

		if (f.key == "currency") {
			const char *where = "result[0].meta.currency";
			r = once(c, &seen, 1, where) < 0 ? -1 :
				string_or_null(c, f.value, &c->currency, where);
		} else if (f.key == "exchangeTimezoneName") {
			const char *where = "result[0].meta.exchangeTimezoneName";
			r = once(c, &seen, 2, where) < 0 ? -1 :
				string_or_null(c, f.value, &c->tzname, where);
		} else if (f.key == "dataGranularity") {
			const char *where = "result[0].meta.dataGranularity";
			r = once(c, &seen, 4, where) < 0 ? -1 :
				string_or_null(c, f.value, &c->granularity, where);
		} else if (f.key == "gmtoffset") {
			const char *where = "result[0].meta.gmtoffset";
			r = once(c, &seen, 8, where) < 0 ? -1 :
				integer(c, f.value, &c->gmtoffset, where, NO_INDEX);
			c->have_gmtoffset = 1;
		}
		if (r < 0)
			return -1;
	}
	return 0;
}

static int result(struct chart *c, element v)
{
	unsigned seen = 0;
	object o;

	if (v.get_object().get(o))
		return fail(c, "result", 0, "expected an object");
	for (key_value_pair f : o) {
		int r = 0;

		if (f.key == "meta")
			r = once(c, &seen, 1, "result[0].meta") < 0 ? -1 : meta(c, f.value);
		else if (f.key == "timestamp")
			r = once(c, &seen, 2, "result[0].timestamp") < 0 ? -1 :
									   timestamps(c, f.value);
		else if (f.key == "indicators")
			r = once(c, &seen, 4, "result[0].indicators") < 0 ? -1 :
									    indicators(c, f.value);
		else if (f.key == "events")
			r = once(c, &seen, 8, "result[0].events") < 0 ? -1 : events(c, f.value);
		if (r < 0)
			return -1;
	}
	return 0;
}

static int error_obj(struct chart *c, element v)
{
	unsigned seen = 0;
	object o;
	std::string_view sv;

	if (v.get_object().get(o))
		return fail(c, "error", NO_INDEX, "expected an object");
	c->have_error = 1;
	for (key_value_pair f : o) {
		if (f.key == "code") {
			if (once(c, &seen, 1, "error.code") < 0)
				return -1;
			if (f.value.get_string().get(sv))
				return fail(c, "error.code", NO_INDEX, "expected a string");
			c->code.s = sv.data();
			c->code.n = sv.size();
		} else if (f.key == "description") {
			if (once(c, &seen, 2, "error.description") < 0 ||
			    string_or_null(c, f.value, &c->description, "error.description") < 0)
				return -1;
		}
	}
	return 0;
}

/* {"result": [...] | null, "error": {...} | null} */
static int chart_body(struct chart *c, element v)
{
	unsigned seen = 0;
	object o;
	array a;

	if (v.get_object().get(o))
		return fail(c, "", NO_INDEX, "expected an object");
	c->have_chart = 1;
	for (key_value_pair f : o) {
		if (f.key == "result") {
			if (once(c, &seen, 1, "result") < 0)
				return -1;
			if (f.value.is_null())
				continue;
			c->have_result = 1;
			if (f.value.get_array().get(a))
				return fail(c, "result", NO_INDEX, "expected an array");
			for (element r : a)
				if (c->nresult++ == 0 && result(c, r) < 0)
					return -1;
		} else if (f.key == "error") {
			if (once(c, &seen, 2, "error") < 0 ||
			    (!f.value.is_null() && error_obj(c, f.value) < 0))
				return -1;
		}
	}
	return 0;
}

/* {"chart": {...}} or {"finance": {...}}. */
static int document(struct chart *c, element root)
{
	unsigned seen = 0;
	object o;

	c->top = "";
	if (root.get_object().get(o))
		return fail(c, "", NO_INDEX, "expected an object");
	for (key_value_pair f : o) {
		int is_chart = f.key == "chart";
		if (!is_chart && f.key != "finance")
			continue;
		c->top = is_chart ? "chart" : "finance";
		if (once(c, &seen, 1, "") < 0 || chart_body(c, f.value) < 0)
			return -1;
	}
	return 0;
}

/* ---- from the walk to the series -------------------------------------- */

/* chart.error: its code decides, its description is quoted. */
static enum sp_fetch_status chart_error(const struct chart *c, struct sp_fetch_series *s,
					struct fp_why *w)
{
	static const struct {
		const char *code;
		enum sp_fetch_status st;
	} codes[] = {
		{ "Not Found", SP_FETCH_NOT_FOUND },
		/* "Data doesn't exist for startDate = ..., endDate = ...": this
		 * request will never succeed (a symbol that did not trade then). */
		{ "Bad Request", SP_FETCH_NOT_FOUND },
		{ "Unprocessable Entity", SP_FETCH_NOT_FOUND },
		{ "Unauthorized", SP_FETCH_DENIED },
		{ "Forbidden", SP_FETCH_DENIED },
		{ "Too Many Requests", SP_FETCH_RATE_LIMITED },
	};
	enum sp_fetch_status st = SP_FETCH_BAD;
	char msg[2 * FP_QUOTE_MAX + 8];
	size_t n = 0, k;

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (is(&c->code, codes[i].code))
			st = codes[i].st;
	/* fp_fail() cuts the quote to FP_QUOTE_MAX bytes and cleans it. */
	if (c->code.s) {
		n = c->code.n < FP_QUOTE_MAX ? c->code.n : FP_QUOTE_MAX;
		memcpy(msg, c->code.s, n);
	}
	if (c->description.s) {
		if (n)
			msg[n++] = ':', msg[n++] = ' ';
		k = c->description.n < sizeof(msg) - n ? c->description.n : sizeof(msg) - n;
		memcpy(msg + n, c->description.s, k);
		n += k;
	}
	return fp_fail(s, w, st, n ? msg : NULL, n, "yahoo chart error%s",
		       n ? "" : " without a code");
}

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b < 0);
}

struct clock {
	int intraday, ny;
	int64_t offset;
};

static sp_day local_day(const struct clock *k, int64_t t)
{
	return k->ny ? sp_ny_day(t) : (sp_day)floor_div(t + k->offset, 86400);
}

/* How bar times read: daily or intraday, and in which zone. */
static enum sp_fetch_status clock_of(const struct chart *c, struct clock *k,
				     struct sp_fetch_series *s, struct fp_why *w)
{
	static const char *const daily[] = { "1d", "5d", "1wk", "1mo", "3mo" };
	static const char *const intraday[] = { "1m", "2m", "5m", "15m", "30m", "60m",
						"90m", "1h" };
	static const char *const ny[] = { "America/New_York", "US/Eastern", "EST5EDT" };

	memset(k, 0, sizeof(*k));
	if (c->granularity.s) {
		int known = 0;
		for (size_t i = 0; i < sizeof(daily) / sizeof(daily[0]); i++)
			known |= is(&c->granularity, daily[i]);
		for (size_t i = 0; i < sizeof(intraday) / sizeof(intraday[0]); i++)
			if (is(&c->granularity, intraday[i]))
				known = k->intraday = 1;
		if (!known)
			return fp_fail(s, w, SP_FETCH_BAD, c->granularity.s, c->granularity.n,
				       "unknown dataGranularity");
	}
	for (size_t i = 0; i < sizeof(ny) / sizeof(ny[0]); i++)
		k->ny |= is(&c->tzname, ny[i]);
	if (!k->ny && !c->have_gmtoffset && (c->nts || c->nev))
		return fp_fail(s, w, SP_FETCH_BAD, NULL, 0, "no exchange time zone in meta");
	if (c->gmtoffset < -18 * 3600 || c->gmtoffset > 18 * 3600)
		return fp_fail(s, w, SP_FETCH_BAD, NULL, 0, "gmtoffset out of range");
	k->offset = c->gmtoffset;
	return SP_FETCH_OK;
}

static enum sp_fetch_status build(const struct chart *c, struct sp_fetch_series *s,
				  struct fp_why *w)
{
	struct clock k;
	enum sp_fetch_status st;

	if (c->have_error)
		return chart_error(c, s, w);
	if (!c->have_chart)
		return fp_fail(s, w, SP_FETCH_BAD, NULL, 0, "no chart in the response");
	if (!c->have_result || !c->nresult)
		return fp_fail(s, w, SP_FETCH_BAD, NULL, 0, "chart without a result or an error");
	if ((st = clock_of(c, &k, s, w)) != SP_FETCH_OK)
		return st;
	for (int col = 0; col < NCOL; col++) {
		if (c->nts && col <= C_CLOSE && !c->have[col])
			return fp_fail(s, w, SP_FETCH_BAD, NULL, 0, "no %s in indicators.quote",
				       col_names[col]);
		if (c->have[col] && c->n[col] != c->nts)
			return fp_fail(s, w, SP_FETCH_BAD, NULL, 0,
				       "%zu timestamps but %zu values of %s", c->nts, c->n[col],
				       col_names[col]);
	}
	for (size_t i = 0; i < c->nts; i++) {
		struct sp_fetch_bar b;
		int64_t t = c->ts[i];
		double *f[NCOL] = { &b.open, &b.high, &b.low, &b.close, &b.volume, &b.adj_close };

		if (t < FP_T_MIN || t > FP_T_MAX)
			return fp_fail(s, w, SP_FETCH_BAD, NULL, 0, "timestamp %lld out of range",
				       (long long)t);
		memset(&b, 0, sizeof(b));	/* the padding too: bars compare whole */
		b.when.t = k.intraday ? t : local_day(&k, t);
		b.when.intraday = k.intraday;
		fp_bar_clear(&b, b.when);
		for (int col = 0; col < NCOL; col++)
			if (c->have[col])
				*f[col] = c->col[col][i];
		if (fp_bar_empty(&b))
			s->skipped++;
		else if (fp_add_bar(s, &b))
			return fp_fail(s, w, SP_FETCH_BAD, NULL, 0, "out of memory");
	}
	for (size_t i = 0; i < c->nev; i++) {
		if (c->ev[i].t < FP_T_MIN || c->ev[i].t > FP_T_MAX)
			return fp_fail(s, w, SP_FETCH_BAD, NULL, 0, "event date %lld out of range",
				       (long long)c->ev[i].t);
		if (fp_add_event(s, local_day(&k, c->ev[i].t), c->ev[i].kind, c->ev[i].value))
			return fp_fail(s, w, SP_FETCH_BAD, NULL, 0, "out of memory");
	}
	if (c->currency.s && c->currency.n < sizeof(s->currency)) {
		size_t n = c->currency.n;
		for (size_t i = 0; i < c->currency.n; i++)
			if (!((c->currency.s[i] | 0x20) >= 'a' && (c->currency.s[i] | 0x20) <= 'z'))
				n = 0;
		memcpy(s->currency, c->currency.s, n);
		s->currency[n] = '\0';
	}
	return fp_finish(s, w);
}

/* Parse BUF[0..LEN) (a '{' first) and walk it into C; a failure, or OK to build. */
static enum sp_fetch_status walk(const char *buf, size_t len, struct chart *c,
				 struct sp_fetch_series *s, struct fp_why *w)
{
	simdjson::dom::parser parser;
	element root;
	simdjson::error_code err;

	/*
	 * A parser per call, so that the parsers keep no state: on the TSLA
	 * chart it is as fast as one kept per thread.  parse() reads a padded
	 * copy of BUF.
	 */
	if (len > parser.max_capacity())
		err = simdjson::CAPACITY;
	else
		err = parser.allocate(len, MAX_DEPTH);
	if (!err)
		err = parser.parse(buf, len).get(root);
	/* simdjson cannot tell a body cut short from these two. */
	if (err == simdjson::TAPE_ERROR || err == simdjson::UNCLOSED_STRING)
		return fp_fail(s, w, SP_FETCH_BAD, NULL, 0, "bad or truncated JSON (%zu bytes): %s",
			       len, simdjson::error_message(err));
	if (err)
		return fp_fail(s, w, SP_FETCH_BAD, NULL, 0, "bad JSON (%zu bytes): %s", len,
			       err == simdjson::MEMALLOC ? "out of memory" :
							   simdjson::error_message(err));
	if (document(c, root) < 0) {
		if (c->at != NO_INDEX)
			return fp_fail(s, w, SP_FETCH_BAD, NULL, 0, "%s at %s%s%s[%zu]", c->what,
				       c->top, *c->top && *c->where ? "." : "", c->where, c->at);
		return fp_fail(s, w, SP_FETCH_BAD, NULL, 0, "%s at %s%s%s", c->what, c->top,
			       *c->top && *c->where ? "." : "", c->where);
	}
	return build(c, s, w);
}

extern "C" enum sp_fetch_status sp_fetch_parse_yahoo(const char *buf, size_t len,
						     struct sp_fetch_series *s, char *why,
						     size_t whylen)
{
	struct chart c = {};
	struct fp_why w;
	enum sp_fetch_status st;
	const char *title;
	size_t tlen, at, bom;

	fp_why_init(&w, why, whylen);
	sp_fetch_series_reset(s);
	at = fp_skip_blank(buf, len);
	if (at == len)
		return fp_fail(s, &w, SP_FETCH_BAD, NULL, 0, "empty response");
	if (fp_html(buf, len, &title, &tlen))
		return fp_fail(s, &w, SP_FETCH_BAD, tlen ? title : NULL, tlen,
			       "an HTML page, not JSON");
	if (buf[at] != '{')
		return fp_fail(s, &w, SP_FETCH_BAD, buf + at, len - at, "not JSON");
	bom = len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3) ? 3 : 0;
	st = walk(buf + bom, len - bom, &c, s, &w);
	free(c.ts);
	for (int i = 0; i < NCOL; i++)
		free(c.col[i]);
	free(c.ev);
	return st;
}
