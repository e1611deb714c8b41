/*
 * fetch-parse-yahoo.c - Yahoo's v8 chart JSON to bars and events.
 *
 * One pass of the JSON reader of fetch-parse-json.c over the document
 * keeps the arrays and the meta fields it needs (a key read twice is an
 * error); the bars are built when everything is known, since meta may come
 * after the arrays.
 */
#include "fetch-parse-impl.h"
#include "mem.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "banned.h"

enum { C_OPEN, C_HIGH, C_LOW, C_CLOSE, C_VOLUME, C_ADJ, NCOL };

static const char *const col_names[NCOL] = {
	"open", "high", "low", "close", "volume", "adjclose"
};

struct yevent {
	int64_t t;
	enum sp_fetch_event_kind kind;
	double value;
};

struct chart {
	int64_t *ts;
	size_t nts, capts;
	double *col[NCOL];
	size_t n[NCOL], cap[NCOL];
	int have[NCOL], have_ts;
	struct yevent *ev;
	size_t nev, capev;
	/* meta */
	struct fp_span currency, tzname, granularity;
	int64_t gmtoffset;
	int have_meta, have_gmtoffset;
	/* chart.error */
	struct fp_span code, description;
	int have_chart, have_result, have_error, nresult;
};

/* A string, or null (left as no string). */
static int string_or_null(struct fp_json *j, struct fp_span *out)
{
	int is_null;

	if (fp_jnull(j, &is_null) < 0)
		return -1;
	return is_null ? 0 : fp_jstring(j, out);
}

/* ---- the chart ------------------------------------------------------- */

static int doubles(struct fp_json *j, struct chart *c, int col)
{
	int first = 1, more;

	if (fp_jopen(j, '[', "expected an array") < 0)
		return -1;
	c->have[col] = 1;
	while ((more = fp_jnext(j, &first, ']')) == 1) {
		if (sp_grow((void **)&c->col[col], &c->cap[col], c->n[col] + 1, sizeof(double)))
			return fp_jfail(j, "out of memory");
		if (fp_jdouble(j, &c->col[col][c->n[col]]) < 0)
			return -1;
		c->n[col]++;
	}
	return more;
}

static int timestamps(struct fp_json *j, struct chart *c)
{
	int first = 1, more;

	if (fp_jopen(j, '[', "expected an array") < 0)
		return -1;
	c->have_ts = 1;
	while ((more = fp_jnext(j, &first, ']')) == 1) {
		if (sp_grow((void **)&c->ts, &c->capts, c->nts + 1, sizeof(*c->ts)))
			return fp_jfail(j, "out of memory");
		if (fp_jint(j, &c->ts[c->nts]) < 0)
			return -1;
		c->nts++;
	}
	return more;
}

/* "quote": [{open, high, low, close, volume}], "adjclose": [{adjclose}]. */
static int indicator(struct fp_json *j, struct chart *c, int adj)
{
	int first = 1, more, ofirst, omore, index = 0;
	struct fp_span k;

	if (fp_jopen(j, '[', "expected an array") < 0)
		return -1;
	while ((more = fp_jnext(j, &first, ']')) == 1) {
		if (index++ > 0) {	/* only the first set is the series */
			if (fp_jskip(j) < 0)
				return -1;
			continue;
		}
		ofirst = 1;
		if (fp_jopen(j, '{', "expected an object") < 0)
			return -1;
		while ((omore = fp_jkey(j, &ofirst, &k)) == 1) {
			int col = -1, is_null;

			for (int i = adj ? C_ADJ : C_OPEN; i < (adj ? NCOL : C_ADJ); i++)
				if (fp_jis(&k, col_names[i]))
					col = i;
			if (col < 0) {
				if (fp_jskip(j) < 0)
					return -1;
				continue;
			}
			if (c->have[col])
				return fp_jfail(j, "duplicate key");
			if (fp_jnull(j, &is_null) < 0 || (!is_null && doubles(j, c, col) < 0))
				return -1;
		}
		if (omore < 0)
			return -1;
	}
	return more;
}

static int indicators(struct fp_json *j, struct chart *c)
{
	int first = 1, more;
	unsigned seen = 0;
	struct fp_span k;

	if (fp_jopen(j, '{', "expected an object") < 0)
		return -1;
	while ((more = fp_jkey(j, &first, &k)) == 1) {
		int adj = fp_jis(&k, "adjclose");
		if (adj || fp_jis(&k, "quote")) {
			if (fp_jonce(j, &seen, 1u << adj) < 0 || indicator(j, c, adj) < 0)
				return -1;
		} else if (fp_jskip(j) < 0) {
			return -1;
		}
	}
	return more;
}

/* One split {date, numerator, denominator} or dividend {date, amount}. */
static int event(struct fp_json *j, struct chart *c, enum sp_fetch_event_kind kind)
{
	int first = 1, more, have_t = 0;
	double num = NAN, den = NAN, amount = NAN;
	struct yevent e = { 0, kind, NAN };
	struct fp_span k;

	if (fp_jopen(j, '{', "expected an object") < 0)
		return -1;
	while ((more = fp_jkey(j, &first, &k)) == 1) {
		double *v = fp_jis(&k, "numerator") ? &num : fp_jis(&k, "denominator") ? &den :
			    fp_jis(&k, "amount") ? &amount : NULL;
		if (fp_jis(&k, "date")) {
			if (have_t++ || fp_jint(j, &e.t) < 0)
				return fp_jfail(j, "bad event date");
		} else if (v) {
			if (!isnan(*v) || fp_jdouble(j, v) < 0)
				return fp_jfail(j, "bad event");
		} else if (fp_jskip(j) < 0) {
			return -1;
		}
	}
	if (more < 0)
		return -1;
	e.value = kind == SP_EVENT_SPLIT ? num / den : amount;
	if (!have_t || !(e.value >= 0) || isinf(e.value) ||
	    (kind == SP_EVENT_SPLIT && !(num > 0 && den > 0 && e.value > 0)))
		return fp_jfail(j, kind == SP_EVENT_SPLIT ? "bad split" : "bad dividend");
	if (e.value == 0)
		return 0;	/* no dividend */
	if (sp_grow((void **)&c->ev, &c->capev, c->nev + 1, sizeof(*c->ev)))
		return fp_jfail(j, "out of memory");
	c->ev[c->nev++] = e;
	return 0;
}

static int events(struct fp_json *j, struct chart *c)
{
	int first = 1, more, ifirst, imore;
	unsigned seen = 0;
	struct fp_span k, ik;

	if (fp_jopen(j, '{', "expected an object") < 0)
		return -1;
	while ((more = fp_jkey(j, &first, &k)) == 1) {
		int split = fp_jis(&k, "splits"), div = fp_jis(&k, "dividends");
		if (!split && !div) {
			if (fp_jskip(j) < 0)
				return -1;
			continue;
		}
		if (fp_jonce(j, &seen, 1u << split) < 0 ||
		    fp_jopen(j, '{', "expected an object") < 0)
			return -1;
		ifirst = 1;
		while ((imore = fp_jkey(j, &ifirst, &ik)) == 1)
			if (event(j, c, split ? SP_EVENT_SPLIT : SP_EVENT_DIVIDEND) < 0)
				return -1;
		if (imore < 0)
			return -1;
	}
	return more;
}

static int meta(struct fp_json *j, struct chart *c)
{
	int first = 1, more;
	unsigned seen = 0;
	struct fp_span k;

	if (fp_jopen(j, '{', "expected an object") < 0)
		return -1;
	c->have_meta = 1;
	while ((more = fp_jkey(j, &first, &k)) == 1) {
		if (fp_jis(&k, "currency")) {
			if (fp_jonce(j, &seen, 1) < 0 || string_or_null(j, &c->currency) < 0)
				return -1;
		} else if (fp_jis(&k, "exchangeTimezoneName")) {
			if (fp_jonce(j, &seen, 2) < 0 || string_or_null(j, &c->tzname) < 0)
				return -1;
		} else if (fp_jis(&k, "dataGranularity")) {
			if (fp_jonce(j, &seen, 4) < 0 || string_or_null(j, &c->granularity) < 0)
				return -1;
		} else if (fp_jis(&k, "gmtoffset")) {
			if (fp_jonce(j, &seen, 8) < 0 || fp_jint(j, &c->gmtoffset) < 0)
				return -1;
			c->have_gmtoffset = 1;
		} else if (fp_jskip(j) < 0) {
			return -1;
		}
	}
	return more;
}

static int result(struct fp_json *j, struct chart *c)
{
	int first = 1, more;
	unsigned seen = 0;
	struct fp_span k;

	if (fp_jopen(j, '{', "expected an object") < 0)
		return -1;
	while ((more = fp_jkey(j, &first, &k)) == 1) {
		int r;
		if (fp_jis(&k, "meta"))
			r = fp_jonce(j, &seen, 1) < 0 ? -1 : meta(j, c);
		else if (fp_jis(&k, "timestamp"))
			r = fp_jonce(j, &seen, 2) < 0 ? -1 : timestamps(j, c);
		else if (fp_jis(&k, "indicators"))
			r = fp_jonce(j, &seen, 4) < 0 ? -1 : indicators(j, c);
		else if (fp_jis(&k, "events"))
			r = fp_jonce(j, &seen, 8) < 0 ? -1 : events(j, c);
		else
			r = fp_jskip(j);
		if (r < 0)
			return -1;
	}
	return more;
}

static int error_obj(struct fp_json *j, struct chart *c)
{
	int first = 1, more;
	unsigned seen = 0;
	struct fp_span k;

	if (fp_jopen(j, '{', "expected an object") < 0)
		return -1;
	c->have_error = 1;
	while ((more = fp_jkey(j, &first, &k)) == 1) {
		if (fp_jis(&k, "code")) {
			if (fp_jonce(j, &seen, 1) < 0 || fp_jstring(j, &c->code) < 0)
				return -1;
		} else if (fp_jis(&k, "description")) {
			if (fp_jonce(j, &seen, 2) < 0 || string_or_null(j, &c->description) < 0)
				return -1;
		} else if (fp_jskip(j) < 0) {
			return -1;
		}
	}
	return more;
}

/* {"chart": {"result": [...] | null, "error": {...} | null}}; "finance" too. */
static int chart(struct fp_json *j, struct chart *c)
{
	int first = 1, more, is_null;
	unsigned seen = 0;
	struct fp_span k;

	if (fp_jopen(j, '{', "expected an object") < 0)
		return -1;
	c->have_chart = 1;
	while ((more = fp_jkey(j, &first, &k)) == 1) {
		if (fp_jis(&k, "result")) {
			int rfirst = 1, rmore;
			if (fp_jonce(j, &seen, 1) < 0 || fp_jnull(j, &is_null) < 0)
				return -1;
			if (is_null)
				continue;
			c->have_result = 1;
			if (fp_jopen(j, '[', "expected an array") < 0)
				return -1;
			while ((rmore = fp_jnext(j, &rfirst, ']')) == 1)
				if ((c->nresult++ ? fp_jskip(j) : result(j, c)) < 0)
					return -1;
			if (rmore < 0)
				return -1;
		} else if (fp_jis(&k, "error")) {
			if (fp_jonce(j, &seen, 2) < 0 || fp_jnull(j, &is_null) < 0 ||
			    (!is_null && error_obj(j, c) < 0))
				return -1;
		} else if (fp_jskip(j) < 0) {
			return -1;
		}
	}
	return more;
}

static int document(struct fp_json *j, struct chart *c)
{
	int first = 1, more;
	unsigned seen = 0;
	struct fp_span k;

	if (fp_jopen(j, '{', "expected an object") < 0)
		return -1;
	while ((more = fp_jkey(j, &first, &k)) == 1) {
		int top = fp_jis(&k, "chart") ? 1 : fp_jis(&k, "finance") ? 2 : 0;
		if (top ? fp_jonce(j, &seen, 3) < 0 || chart(j, c) < 0 : fp_jskip(j) < 0)
			return -1;
	}
	if (more < 0)
		return -1;
	if (fp_jpeek(j) >= 0)
		return fp_jfail(j, "junk after the JSON value");
	return 0;
}

/* ---- from the walk to the series -------------------------------------- */

static int span_is(const struct fp_span *sp, const char *text)
{
	return sp->s && fp_jis(sp, text);
}

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
	size_t n = 0;

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (span_is(&c->code, codes[i].code))
			st = codes[i].st;
	if (c->code.s)
		n = fp_junescape(&c->code, msg, FP_QUOTE_MAX);
	if (c->description.s) {
		if (n)
			msg[n++] = ':', msg[n++] = ' ';
		n += fp_junescape(&c->description, msg + n, sizeof(msg) - n);
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
			known |= span_is(&c->granularity, daily[i]);
		for (size_t i = 0; i < sizeof(intraday) / sizeof(intraday[0]); i++)
			if (span_is(&c->granularity, intraday[i]))
				known = k->intraday = 1;
		if (!known)
			return fp_fail(s, w, SP_FETCH_BAD, c->granularity.s, c->granularity.n,
				       "unknown dataGranularity");
	}
	for (size_t i = 0; i < sizeof(ny) / sizeof(ny[0]); i++)
		k->ny |= span_is(&c->tzname, ny[i]);
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
		fp_bar_clear(&b, (struct sp_when){ k.intraday ? t : local_day(&k, t), k.intraday });
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
	if (c->currency.s && !c->currency.escaped && c->currency.n < sizeof(s->currency)) {
		size_t n = c->currency.n;
		for (size_t i = 0; i < c->currency.n; i++)
			if (!((c->currency.s[i] | 0x20) >= 'a' && (c->currency.s[i] | 0x20) <= 'z'))
				n = 0;
		memcpy(s->currency, c->currency.s, n);
		s->currency[n] = '\0';
	}
	return fp_finish(s, w);
}

enum sp_fetch_status sp_fetch_parse_yahoo(const char *buf, size_t len, struct sp_fetch_series *s,
					  char *why, size_t whylen)
{
	struct fp_json j = { buf, buf + len, NULL, 0 };
	struct chart c;
	struct fp_why w;
	enum sp_fetch_status st;
	const char *title;
	size_t tlen;

	fp_why_init(&w, why, whylen);
	sp_fetch_series_reset(s);
	if (fp_skip_blank(buf, len) == len)
		return fp_fail(s, &w, SP_FETCH_BAD, NULL, 0, "empty response");
	if (fp_html(buf, len, &title, &tlen))
		return fp_fail(s, &w, SP_FETCH_BAD, tlen ? title : NULL, tlen,
			       "an HTML page, not JSON");
	if (len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3))
		j.p += 3;
	memset(&c, 0, sizeof(c));
	if (document(&j, &c) < 0) {
		size_t at = (size_t)(j.p - buf);
		if (j.p >= j.end)
			st = fp_fail(s, &w, SP_FETCH_BAD, NULL, 0, "%s (%zu bytes)", j.err, len);
		else
			st = fp_fail(s, &w, SP_FETCH_BAD, NULL, 0, "bad JSON: %s at byte %zu",
				     j.err, at);
		if (!strcmp(j.err, "expected an object") && at == fp_skip_blank(buf, len))
			st = fp_fail(s, &w, SP_FETCH_BAD, buf + at, len - at, "not JSON");
	} else {
		st = build(&c, s, &w);
	}
	free(c.ts);
	for (int i = 0; i < NCOL; i++)
		free(c.col[i]);
	free(c.ev);
	return st;
}
