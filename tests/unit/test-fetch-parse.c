/*
 * test-fetch-parse - the response parsers of sp-fetch on the recorded
 * responses in tests/data/fixtures/ (read from the repository root) and on
 * small hand-made bodies for the cases no recording shows.
 *
 * Expected values were read from the fixture text by hand or with python3's
 * json and csv modules (parse_float=str, so the text as sent), and dates
 * through python3's zoneinfo America/New_York; each is written here as it
 * appears in the file, with where it comes from.  Day sums are python3's
 * sum of (date - 1970-01-01).days over every bar: they check every date.
 */
#include "fetch-parse.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FIX "tests/data/fixtures/"

typedef enum sp_fetch_status (*parser)(const char *, size_t, struct sp_fetch_series *, char *,
				       size_t);

static struct sp_fetch_series S;
static char why[512];

static char *slurp(const char *name, size_t *len)
{
	char path[256];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof(path), FIX "%s", name);
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static const char *status(enum sp_fetch_status st)
{
	return sp_fetch_status_name(st);
}

/* Parse fixture NAME with P; the status, and the series in S. */
static enum sp_fetch_status parse_file(parser p, const char *name)
{
	size_t len;
	char *buf = slurp(name, &len);
	enum sp_fetch_status st;

	if (!buf) {
		ok(0, "read " FIX "%s (run from the repository root)", name);
		sp_fetch_series_reset(&S);
		return SP_FETCH_BAD;
	}
	st = p(buf, len, &S, why, sizeof(why));
	free(buf);
	return st;
}

static enum sp_fetch_status parse_str(parser p, const char *text)
{
	return p(text, strlen(text), &S, why, sizeof(why));
}

static sp_day day(const char *ymd)
{
	struct sp_when w;

	if (sp_when_parse(ymd, strlen(ymd), &w) || w.intraday)
		return -999999;
	return (sp_day)w.t;
}

static int same(double got, double want)
{
	return (isnan(got) && isnan(want)) || got == want;
}

/* Index of the daily bar of YMD in S, or -1. */
static long find(const char *ymd)
{
	for (size_t i = 0; i < S.nbars; i++)
		if (!S.bars[i].when.intraday && S.bars[i].when.t == day(ymd))
			return (long)i;
	return -1;
}

/* Bar I of S is the daily bar YMD with these values (exactly). */
static void is_bar(long i, const char *ymd, double o, double h, double l, double c, double a,
		   double v, const char *what)
{
	const struct sp_fetch_bar *b;

	if (!ok(i >= 0 && (size_t)i < S.nbars, "%s: bar %s is there", what, ymd))
		return;
	b = &S.bars[i];
	ok(!b->when.intraday && b->when.t == day(ymd), "%s: bar %ld is %s", what, i, ymd);
	if (!ok(same(b->open, o) && same(b->high, h) && same(b->low, l) && same(b->close, c) &&
		same(b->adj_close, a) && same(b->volume, v), "%s: %s values", what, ymd))
		printf("#   got %.17g %.17g %.17g %.17g %.17g %.17g\n", b->open, b->high, b->low,
		       b->close, b->adj_close, b->volume);
}

static void is_event(size_t i, const char *ymd, enum sp_fetch_event_kind kind, double value,
		     const char *what)
{
	if (!ok(i < S.nevents, "%s: event %zu is there", what, i))
		return;
	ok(S.events[i].day == day(ymd) && S.events[i].kind == kind && S.events[i].value == value,
	   "%s: event %zu is a %s of %g on %s", what, i,
	   kind == SP_EVENT_SPLIT ? "split" : "dividend", value, ymd);
}

/* Every bar in order, one per time, all daily or all intraday. */
static int sorted_unique(void)
{
	for (size_t i = 1; i < S.nbars; i++)
		if (S.bars[i].when.t <= S.bars[i - 1].when.t ||
		    S.bars[i].when.intraday != S.bars[0].when.intraday)
			return 0;
	return 1;
}

static long long day_sum(void)
{
	long long sum = 0;

	for (size_t i = 0; i < S.nbars; i++)
		sum += S.bars[i].when.t;
	return sum;
}

static int weekdays_only(void)
{
	for (size_t i = 0; i < S.nbars; i++) {
		int wd = sp_day_weekday((sp_day)S.bars[i].when.t);
		if (wd == 0 || wd == 6)
			return 0;
	}
	return 1;
}

/* WHY mentions TEXT. */
static void why_has(const char *text, const char *what)
{
	if (!ok(strstr(why, text) != NULL, "%s: reason mentions '%s'", what, text))
		printf("#   reason: %s\n", why);
}

static void expect(enum sp_fetch_status got, enum sp_fetch_status want, const char *what)
{
	if (!ok(got == want, "%s: %s", what, status(want)))
		printf("#   got %s (%s)\n", status(got), why);
	if (want != SP_FETCH_OK) {
		int clean = 1;
		for (const char *p = why; *p; p++)
			clean &= (unsigned char)*p >= 0x20 && *p != 0x7f;
		ok(S.nbars == 0 && S.nevents == 0 && why[0] && clean,
		   "%s: nothing kept, a reason given on one line", what);
	}
}

/*
 * Cut fixture NAME at NCUTS places spread over its text (all of them when
 * NCUTS is 0) and at half its length: every cut must be BAD, with no bar.
 */
static void truncations(parser p, const char *name, size_t ncuts)
{
	size_t len, end, bad = 0, tried = 0;
	char *buf = slurp(name, &len), *cut;

	if (!ok(buf != NULL, "read %s", name))
		return;
	end = len;
	while (end > 0 && strchr(" \r\n\t", buf[end - 1]))
		end--;	/* cutting blanks off the end loses nothing */
	for (size_t k = 0; k <= (ncuts ? ncuts : end); k++) {
		size_t at = k == 0 ? len / 2 : ncuts ? (end - 1) * k / ncuts : k - 1;
		enum sp_fetch_status st;

		if (at >= end)
			continue;
		/* A copy of exactly the cut length, so ASan sees any read past it. */
		cut = malloc(at ? at : 1);
		memcpy(cut, buf, at);
		st = p(cut, at, &S, why, sizeof(why));
		free(cut);
		tried++;
		if (st == SP_FETCH_BAD && S.nbars == 0 && why[0])
			bad++;
		else
			printf("#   %s cut at %zu: %s with %zu bars (%s)\n", name, at, status(st),
			       S.nbars, why);
	}
	ok(bad == tried && tried > 0, "%s cut at %zu places: always bad, never a bar", name,
	   tried);
	free(buf);
}

static const char html[] =
	"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	"<title>Yahoo! - 404 Not Found</title></head><body><p>Will be right back...</p>"
	"</body></html>\n";

static const char html_challenge[] =
	"\r\n  <html><head><TITLE>Just a moment</TITLE><script>/* proof of work */</script>"
	"</head><body></body></html>";

/* ---- Yahoo ------------------------------------------------------------- */

static void yahoo_fixtures(void)
{
	enum sp_fetch_status st;

	/* chart_AAPL_2020-01-02_1d_single_bar.json: timestamp [1577975400],
	 * the quote and adjclose arrays of one value each. */
	st = parse_file(sp_fetch_parse_yahoo, "yahoo/chart_AAPL_2020-01-02_1d_single_bar.json");
	expect(st, SP_FETCH_OK, "yahoo single bar");
	is_int(S.nbars, 1, "yahoo single bar: one bar");
	is_bar(0, "2020-01-02", 74.05999755859375, 75.1500015258789, 73.79750061035156,
	       75.0875015258789, 72.71607208251953, 135480400, "yahoo single bar");
	is_str(S.currency, "USD", "yahoo single bar: meta.currency");
	is_int(S.nevents, 0, "yahoo single bar: no events");

	/* chart_AAPL_2020-08-31_to_2020-11-07_1d_split_div.json: 49 timestamps,
	 * events.splits {"1598880600": numerator 4, denominator 1} and
	 * events.dividends {"1604673000": amount 0.205}. */
	st = parse_file(sp_fetch_parse_yahoo,
			"yahoo/chart_AAPL_2020-08-31_to_2020-11-07_1d_split_div.json");
	expect(st, SP_FETCH_OK, "yahoo AAPL");
	is_int(S.nbars, 49, "yahoo AAPL: 49 bars");
	ok(sorted_unique() && weekdays_only(), "yahoo AAPL: sorted, unique, weekdays");
	is_int(day_sum(), 908413, "yahoo AAPL: every date (New York)");
	/* timestamp[0] 1598880600: the first day after the 4:1 split, and a
	 * price printed as 129.0399932861328 kept as that double. */
	is_bar(0, "2020-08-31", 127.58000183105469, 131, 126, 129.0399932861328,
	       125.82673645019531, 225702700, "yahoo AAPL");
	/* timestamp[41] 1603891800: the final figures of 2020-10-28 (data README). */
	is_bar(find("2020-10-28"), "2020-10-28", 115.05000305175781, 115.43000030517578,
	       111.0999984741211, 111.19999694824219, 108.43098449707031, 143937800, "yahoo AAPL");
	is_bar(48, "2020-11-06", 118.31999969482422, 119.19999694824219, 116.12999725341797,
	       118.69000244140625, 115.93415069580078, 114457900, "yahoo AAPL");
	is_int(S.nevents, 2, "yahoo AAPL: two events");
	is_event(0, "2020-08-31", SP_EVENT_SPLIT, 4, "yahoo AAPL");
	is_event(1, "2020-11-06", SP_EVENT_DIVIDEND, 0.205, "yahoo AAPL");

	/* chart_NVDA_2021-02-01_to_2022-01-31_1d_split.json: 252 timestamps,
	 * splits {"1626787800": 4/1}. */
	st = parse_file(sp_fetch_parse_yahoo,
			"yahoo/chart_NVDA_2021-02-01_to_2022-01-31_1d_split.json");
	expect(st, SP_FETCH_OK, "yahoo NVDA");
	is_int(S.nbars, 252, "yahoo NVDA: 252 bars");
	ok(sorted_unique() && weekdays_only(), "yahoo NVDA: sorted, unique, weekdays");
	is_int(day_sum(), 4747461, "yahoo NVDA: every date");
	is_bar(0, "2021-02-01", 13.053250312805176, 13.270750045776367, 12.902750015258789,
	       13.237000465393066, 13.2034912109375, 217204000, "yahoo NVDA");
	/* timestamp[117] 1626787800 */
	is_bar(117, "2021-07-20", 18.729999542236328, 18.83799934387207, 18.163999557495117,
	       18.61199951171875, 18.575544357299805, 434687000, "yahoo NVDA");
	is_bar(251, "2022-01-28", 22.011999130249023, 22.857999801635742, 21.29599952697754,
	       22.84000015258789, 22.802078247070312, 543774000, "yahoo NVDA");
	is_int(S.nevents, 1, "yahoo NVDA: one event");
	is_event(0, "2021-07-20", SP_EVENT_SPLIT, 4, "yahoo NVDA");

	/* chart_MSFT_2021-02-01_to_2022-01-31_1d_div.json: dividends at
	 * 1613572200, 1621431000, 1629293400 (0.56) and 1637159400 (0.62). */
	st = parse_file(sp_fetch_parse_yahoo,
			"yahoo/chart_MSFT_2021-02-01_to_2022-01-31_1d_div.json");
	expect(st, SP_FETCH_OK, "yahoo MSFT");
	is_int(S.nbars, 252, "yahoo MSFT: 252 bars");
	is_int(day_sum(), 4747461, "yahoo MSFT: every date");
	/* timestamp[202] 1637159400, the last ex-dividend day */
	is_bar(find("2021-11-17"), "2021-11-17", 338.94000244140625, 342.19000244140625, 338,
	       339.1199951171875, 329.88580322265625, 19053400, "yahoo MSFT");
	is_int(S.nevents, 4, "yahoo MSFT: four dividends");
	is_event(0, "2021-02-17", SP_EVENT_DIVIDEND, 0.56, "yahoo MSFT");
	is_event(1, "2021-05-19", SP_EVENT_DIVIDEND, 0.56, "yahoo MSFT");
	is_event(2, "2021-08-18", SP_EVENT_DIVIDEND, 0.56, "yahoo MSFT");
	is_event(3, "2021-11-17", SP_EVENT_DIVIDEND, 0.62, "yahoo MSFT");

	/* chart_TSLA_2010-06-29_to_2023-08-11_1d.json: 3303 timestamps, no events. */
	st = parse_file(sp_fetch_parse_yahoo, "yahoo/chart_TSLA_2010-06-29_to_2023-08-11_1d.json");
	expect(st, SP_FETCH_OK, "yahoo TSLA");
	is_int(S.nbars, 3303, "yahoo TSLA: 3303 bars");
	is_int(S.skipped, 0, "yahoo TSLA: none skipped");
	ok(sorted_unique() && weekdays_only(), "yahoo TSLA: sorted, unique, weekdays");
	is_int(day_sum(), 56758934, "yahoo TSLA: every date");
	is_bar(0, "2010-06-29", 1.2666670083999634, 1.6666669845581055, 1.1693329811096191,
	       1.5926669836044312, 1.5926669836044312, 281494500, "yahoo TSLA");
	/* timestamp[2444] 1584365400: 13:30Z, daylight time */
	is_bar(2444, "2020-03-16", 31.299999237060547, 32.9913330078125, 29.47800064086914,
	       29.67133331298828, 29.67133331298828, 307342500, "yahoo TSLA");
	is_bar(3302, "2023-08-11", 241.77000427246094, 243.7899932861328, 238.02000427246094,
	       242.64999389648438, 242.64999389648438, 98866600, "yahoo TSLA");
	is_int(S.nevents, 0, "yahoo TSLA: no events");

	st = parse_file(sp_fetch_parse_yahoo, "yahoo/chart_error_not_found.json");
	expect(st, SP_FETCH_NOT_FOUND, "yahoo Not Found");
	why_has("No data found, symbol may be delisted", "yahoo Not Found");
	st = parse_file(sp_fetch_parse_yahoo, "yahoo/chart_error_bad_request_BEKE.json");
	expect(st, SP_FETCH_NOT_FOUND, "yahoo Bad Request");
	why_has("Bad Request: Data doesn't exist for startDate = 1577836800", "yahoo Bad Request");

	/* The old CSV endpoint's error is not a chart. */
	st = parse_file(sp_fetch_parse_yahoo, "yahoo/download_v7_error_no_data_SIMP.txt");
	expect(st, SP_FETCH_BAD, "yahoo plain text");
	why_has("400 Bad Request", "yahoo plain text");

	truncations(sp_fetch_parse_yahoo, "yahoo/chart_AAPL_2020-01-02_1d_single_bar.json", 0);
	truncations(sp_fetch_parse_yahoo,
		    "yahoo/chart_AAPL_2020-08-31_to_2020-11-07_1d_split_div.json", 0);
	truncations(sp_fetch_parse_yahoo, "yahoo/chart_NVDA_2021-02-01_to_2022-01-31_1d_split.json",
		    200);
	truncations(sp_fetch_parse_yahoo, "yahoo/chart_MSFT_2021-02-01_to_2022-01-31_1d_div.json",
		    200);
	truncations(sp_fetch_parse_yahoo, "yahoo/chart_TSLA_2010-06-29_to_2023-08-11_1d.json", 40);
	truncations(sp_fetch_parse_yahoo, "yahoo/chart_error_not_found.json", 0);
	truncations(sp_fetch_parse_yahoo, "yahoo/chart_error_bad_request_BEKE.json", 0);
}

#define META_NY "\"meta\":{\"currency\":\"USD\",\"gmtoffset\":-18000," \
	"\"exchangeTimezoneName\":\"America/New_York\",\"dataGranularity\":\"1d\"}"

static void yahoo_made(void)
{
	enum sp_fetch_status st;
	char buf[1024];

	/*
	 * 1578061800 = 2020-01-03 14:30Z, 1577975400 = 2020-01-02 14:30Z,
	 * 1578321000 = 2020-01-06 14:30Z, 1578407400 = 2020-01-07 14:30Z.
	 * Out of order, 01-03 twice (the later wins), 01-06 all null (skipped),
	 * 01-07 with only a high.
	 */
	st = parse_str(sp_fetch_parse_yahoo,
		"{\"chart\":{\"result\":[{" META_NY ",\"timestamp\":[1578061800,1577975400,"
		"1578321000,1578061800,1578407400],\"indicators\":{\"quote\":[{\"open\":[1,2,null,"
		"4,null],\"high\":[1.5,2.5,null,4.5,7],\"low\":[0.5,1.5,null,3.5,null],\"close\":"
		"[1.25,2.25,null,4.25,null],\"volume\":[10,20,null,40,null]}],\"adjclose\":[{"
		"\"adjclose\":[1.2,2.2,null,4.2,null]}]}}],\"error\":null}}");
	expect(st, SP_FETCH_OK, "yahoo made-up");
	is_int(S.nbars, 3, "yahoo made-up: three bars");
	is_int(S.skipped, 1, "yahoo made-up: the all-null bar skipped");
	is_bar(0, "2020-01-02", 2, 2.5, 1.5, 2.25, 2.2, 20, "yahoo made-up");
	is_bar(1, "2020-01-03", 4, 4.5, 3.5, 4.25, 4.2, 40, "yahoo made-up: later duplicate");
	is_bar(2, "2020-01-07", NAN, 7, NAN, NAN, NAN, NAN, "yahoo made-up: partly null");

	/*
	 * A daily bar's date is the New York date: 1578016800 = 2020-01-03 02:00Z
	 * is 2020-01-02 21:00 EST; 1593577800 = 2020-07-01 04:30Z is 00:30 EDT
	 * on 07-01 (gmtoffset -18000, the offset at request time, would say
	 * 06-30 23:30).
	 */
	st = parse_str(sp_fetch_parse_yahoo,
		"{\"chart\":{\"result\":[{" META_NY ",\"timestamp\":[1578016800,1593577800],"
		"\"indicators\":{\"quote\":[{\"open\":[1,2],\"high\":[1,2],\"low\":[1,2],"
		"\"close\":[1,2],\"volume\":[1,2]}]}}],\"error\":null}}");
	expect(st, SP_FETCH_OK, "yahoo New York dates");
	is_bar(0, "2020-01-02", 1, 1, 1, 1, NAN, 1, "yahoo New York dates: evening");
	is_bar(1, "2020-07-01", 2, 2, 2, 2, NAN, 2, "yahoo New York dates: daylight time");

	/* Tokyo: 1577921400 = 2020-01-01 23:30Z = 08:30 JST on 01-02. */
	st = parse_str(sp_fetch_parse_yahoo,
		"{\"chart\":{\"result\":[{\"meta\":{\"currency\":\"JPY\",\"gmtoffset\":32400,"
		"\"exchangeTimezoneName\":\"Asia/Tokyo\",\"dataGranularity\":\"1d\"},"
		"\"timestamp\":[1577921400],\"indicators\":{\"quote\":[{\"open\":[7000],"
		"\"high\":[7100],\"low\":[6900],\"close\":[7050],\"volume\":[100]}]}}],"
		"\"error\":null}}");
	expect(st, SP_FETCH_OK, "yahoo Tokyo");
	is_bar(0, "2020-01-02", 7000, 7100, 6900, 7050, NAN, 100, "yahoo Tokyo");
	is_str(S.currency, "JPY", "yahoo Tokyo: currency");

	/* Intraday bars keep their instant. */
	st = parse_str(sp_fetch_parse_yahoo,
		"{\"chart\":{\"result\":[{\"meta\":{\"gmtoffset\":-18000,\"exchangeTimezoneName\":"
		"\"America/New_York\",\"dataGranularity\":\"5m\"},\"timestamp\":[1577975700,"
		"1577975400],\"indicators\":{\"quote\":[{\"open\":[1,2],\"high\":[1,2],\"low\":"
		"[1,2],\"close\":[1,2],\"volume\":[0,0]}]}}],\"error\":null}}");
	expect(st, SP_FETCH_OK, "yahoo intraday");
	ok(S.nbars == 2 && S.bars[0].when.intraday && S.bars[0].when.t == 1577975400 &&
	   S.bars[1].when.t == 1577975700 && S.bars[0].close == 2,
	   "yahoo intraday: UTC instants, sorted");

	/* A reverse split 1:10 is 0.1 new shares per old one; a zero dividend is none. */
	st = parse_str(sp_fetch_parse_yahoo,
		"{\"chart\":{\"result\":[{" META_NY ",\"timestamp\":[1577975400],\"events\":{"
		"\"splits\":{\"1577975400\":{\"date\":1577975400,\"numerator\":1,"
		"\"denominator\":10,"
		"\"splitRatio\":\"1:10\"}},\"dividends\":{\"1577975400\":{\"amount\":0,\"date\":"
		"1577975400}}},\"indicators\":{\"quote\":[{\"open\":[1],\"high\":[1],\"low\":[1],"
		"\"close\":[1],\"volume\":[1]}]}}],\"error\":null}}");
	expect(st, SP_FETCH_OK, "yahoo reverse split");
	is_int(S.nevents, 1, "yahoo reverse split: one event");
	is_event(0, "2020-01-02", SP_EVENT_SPLIT, 1.0 / 10, "yahoo reverse split");

	expect(parse_str(sp_fetch_parse_yahoo,
		"{\"chart\":{\"result\":[{" META_NY ",\"events\":{\"splits\":{\"1\":{\"date\":"
		"1577975400,\"numerator\":1e-300,\"denominator\":1e300}}}}],\"error\":null}}"),
	       SP_FETCH_BAD, "yahoo a split of nothing");

	/* No timestamps: a range without trading, zero bars. */
	st = parse_str(sp_fetch_parse_yahoo,
		"{\"chart\":{\"result\":[{" META_NY ",\"indicators\":{\"quote\":[{}],"
		"\"adjclose\":[{}]}}],\"error\":null}}");
	expect(st, SP_FETCH_OK, "yahoo empty range");
	is_int(S.nbars, 0, "yahoo empty range: no bars");

	/* Error codes. */
	st = parse_str(sp_fetch_parse_yahoo,
		"{\"chart\":{\"result\":null,\"error\":{\"code\":\"Unauthorized\",\"description\":"
		"\"Invalid Crumb\"}}}");
	expect(st, SP_FETCH_DENIED, "yahoo Unauthorized");
	st = parse_str(sp_fetch_parse_yahoo,
		"{\"finance\":{\"result\":null,\"error\":{\"code\":\"Unauthorized\","
		"\"description\":"
		"\"User is unable to access this feature\"}}}");
	expect(st, SP_FETCH_DENIED, "yahoo finance.error");
	st = parse_str(sp_fetch_parse_yahoo,
		"{\"chart\":{\"result\":null,\"error\":{\"code\":\"Too Many Requests\"}}}");
	expect(st, SP_FETCH_RATE_LIMITED, "yahoo Too Many Requests");
	st = parse_str(sp_fetch_parse_yahoo,
		"{\"chart\":{\"result\":null,\"error\":{\"code\":\"Internal Server Error\","
		"\"description\":\"caf\\u00e9\\nline two\"}}}");
	expect(st, SP_FETCH_BAD, "yahoo unknown error code");
	why_has("Internal Server Error: caf\xc3\xa9 line two", "yahoo unknown error code");

	/* Not what Yahoo sends. */
	expect(parse_str(sp_fetch_parse_yahoo, html), SP_FETCH_BAD, "yahoo HTML");
	why_has("HTML", "yahoo HTML");
	why_has("404 Not Found", "yahoo HTML: its title");
	expect(parse_str(sp_fetch_parse_yahoo, html_challenge), SP_FETCH_BAD, "yahoo HTML 2");
	expect(parse_str(sp_fetch_parse_yahoo, "Too Many Requests\r\n"), SP_FETCH_BAD,
	       "yahoo plain 429 body");
	expect(parse_str(sp_fetch_parse_yahoo, ""), SP_FETCH_BAD, "yahoo empty body");
	expect(parse_str(sp_fetch_parse_yahoo, "[]"), SP_FETCH_BAD, "yahoo array");
	expect(parse_str(sp_fetch_parse_yahoo, "{\"foo\":1}"), SP_FETCH_BAD, "yahoo no chart");
	expect(parse_str(sp_fetch_parse_yahoo, "{\"chart\":{\"result\":[],\"error\":null}}"),
	       SP_FETCH_BAD, "yahoo empty result");
	expect(parse_str(sp_fetch_parse_yahoo, "{\"chart\":{\"result\":null,\"error\":null}}"),
	       SP_FETCH_BAD, "yahoo neither result nor error");

	snprintf(buf, sizeof(buf), "{\"chart\":{\"result\":[{" META_NY ",\"timestamp\":"
		 "[1577975400,1578061800],\"indicators\":{\"quote\":[{\"open\":[1,2],\"high\":"
		 "[1,2],\"low\":[1,2],\"close\":[%s],\"volume\":[1,2]}]}}],\"error\":null}}%s",
		 "1", "");
	expect(parse_str(sp_fetch_parse_yahoo, buf), SP_FETCH_BAD, "yahoo short array");
	why_has("2 timestamps but 1 values of close", "yahoo short array");
	snprintf(buf, sizeof(buf), "{\"chart\":{\"result\":[{" META_NY ",\"timestamp\":"
		 "[1577975400,1578061800],\"indicators\":{\"quote\":[{\"open\":[1,2],\"high\":"
		 "[1,2],\"low\":[1,2],\"close\":[%s],\"volume\":[1,2]}]}}],\"error\":null}}%s",
		 "1,\"2\"", "");
	expect(parse_str(sp_fetch_parse_yahoo, buf), SP_FETCH_BAD, "yahoo a string price");
	snprintf(buf, sizeof(buf), "{\"chart\":{\"result\":[{" META_NY ",\"timestamp\":"
		 "[1577975400,1578061800],\"indicators\":{\"quote\":[{\"open\":[1,2],\"high\":"
		 "[1,2],\"low\":[1,2],\"close\":[%s],\"volume\":[1,2]}]}}],\"error\":null}}%s",
		 "1,2", " x");
	expect(parse_str(sp_fetch_parse_yahoo, buf), SP_FETCH_BAD, "yahoo junk after the JSON");
	snprintf(buf, sizeof(buf), "{\"chart\":{\"result\":[{" META_NY ",\"timestamp\":"
		 "[1577975400,1578061800],\"indicators\":{\"quote\":[{\"open\":[1,2],\"high\":"
		 "[1,2],\"low\":[1,2],\"close\":[%s],\"volume\":[1,2]}]}}],\"error\":null}}%s",
		 "1,2", "");
	expect(parse_str(sp_fetch_parse_yahoo, buf), SP_FETCH_OK, "yahoo the same, well formed");
	expect(parse_str(sp_fetch_parse_yahoo,
		"{\"chart\":{\"result\":[{" META_NY ",\"timestamp\":[1577975400],\"timestamp\":"
		"[1577975400],\"indicators\":{\"quote\":[{\"open\":[1],\"high\":[1],\"low\":[1],"
		"\"close\":[1]}]}}],\"error\":null}}"), SP_FETCH_BAD, "yahoo duplicate key");
	expect(parse_str(sp_fetch_parse_yahoo,
		"{\"chart\":{\"result\":[{" META_NY ",\"timestamp\":[1577975400],\"indicators\":"
		"{\"quote\":[{\"open\":[1],\"high\":[1],\"low\":[1]}]}}],\"error\":null}}"),
	       SP_FETCH_BAD, "yahoo no close");
	expect(parse_str(sp_fetch_parse_yahoo,
		"{\"chart\":{\"result\":[{" META_NY ",\"x\":\"\\ud800\"}],\"error\":null}}"),
	       SP_FETCH_BAD, "yahoo lone surrogate");
	expect(parse_str(sp_fetch_parse_yahoo,
		"{\"chart\":{\"result\":[{" META_NY ",\"x\":\"\xff\"}],\"error\":null}}"),
	       SP_FETCH_BAD, "yahoo invalid UTF-8");
	expect(parse_str(sp_fetch_parse_yahoo,
		"{\"chart\":{\"result\":[{" META_NY ",\"x\":[1,]}],\"error\":null}}"),
	       SP_FETCH_BAD, "yahoo trailing comma");
	expect(parse_str(sp_fetch_parse_yahoo,
		"{\"chart\":{\"result\":[{" META_NY ",\"x\":\"\\ud83d\\ude00 \\u00e9\"}],"
		"\"error\":null}}"), SP_FETCH_OK, "yahoo escapes in a string it skips");
}

/* ---- Alpha Vantage ----------------------------------------------------- */

static size_t count_events(enum sp_fetch_event_kind kind, double *sum)
{
	size_t n = 0;

	*sum = 0;
	for (size_t i = 0; i < S.nevents; i++)
		if (S.events[i].kind == kind) {
			n++;
			*sum += S.events[i].value;
		}
	return n;
}

static void av_fixtures(void)
{
	enum sp_fetch_status st;
	double sum;

	/* daily_IBM_trimmed.json lines 10-23: 2020-05-08 and 2020-05-07, newest first. */
	st = parse_file(sp_fetch_parse_alphavantage, "alphavantage/daily_IBM_trimmed.json");
	expect(st, SP_FETCH_OK, "av daily");
	is_int(S.nbars, 2, "av daily: two bars");
	is_bar(0, "2020-05-07", 122.98, 123.26, 120.85, 121.23, NAN, 4412047, "av daily");
	is_bar(1, "2020-05-08", 122.67, 122.8, 121.06, 121.79, NAN, 2538547, "av daily");
	is_int(S.nevents, 0, "av daily: no events");

	/* daily_adjusted_IBM_trimmed.json lines 20-29: 2020-05-07 "7. dividend amount": "1.6300" */
	st = parse_file(sp_fetch_parse_alphavantage,
			"alphavantage/daily_adjusted_IBM_trimmed.json");
	expect(st, SP_FETCH_OK, "av daily adjusted");
	is_bar(0, "2020-05-07", 122.98, 123.26, 120.85, 121.23, 121.23, 4412047,
	       "av daily adjusted");
	is_bar(1, "2020-05-08", 122.67, 122.8, 121.06, 121.805, 121.805, 2542577,
	       "av daily adjusted");
	is_int(S.nevents, 1, "av daily adjusted: one event");
	is_event(0, "2020-05-07", SP_EVENT_DIVIDEND, 1.63, "av daily adjusted");

	/* daily_adjusted_full_IBM.json: 6068 days 1999-11-01 (line 60680) ...
	 * 2023-12-12 (line 10); 97 non-zero dividends summing to 82.5; one
	 * split coefficient other than 1, "1.046" on 2021-11-04 (line 5290). */
	st = parse_file(sp_fetch_parse_alphavantage, "alphavantage/daily_adjusted_full_IBM.json");
	expect(st, SP_FETCH_OK, "av full IBM");
	is_int(S.nbars, 6068, "av full IBM: 6068 bars");
	ok(sorted_unique() && weekdays_only(), "av full IBM: sorted, unique, weekdays");
	is_int(day_sum(), 92847679, "av full IBM: every date");
	is_bar(0, "1999-11-01", 98.5, 98.81, 96.37, 96.75, 50.7759131450778, 9551800,
	       "av full IBM");
	is_bar(find("2021-11-04"), "2021-11-04", 123.05, 123.34, 119.9, 120.85, 108.132149690581,
	       7208736, "av full IBM");
	is_bar(6067, "2023-12-12", 163.27, 166.34, 162.92, 164.71, 164.71, 5292290, "av full IBM");
	is_int(count_events(SP_EVENT_DIVIDEND, &sum), 97, "av full IBM: 97 dividends");
	is_close(sum, 82.5, 1e-12, "av full IBM: dividends sum to 82.5");
	is_int(count_events(SP_EVENT_SPLIT, &sum), 1, "av full IBM: one split");
	for (size_t i = 0; i < S.nevents; i++)
		if (S.events[i].kind == SP_EVENT_SPLIT)
			is_event(i, "2021-11-04", SP_EVENT_SPLIT, 1.046, "av full IBM: Kyndryl");

	/* daily_compact_IBM.csv: CRLF, newest first; line 2 2023-12-11, line 101 2023-07-21. */
	st = parse_file(sp_fetch_parse_alphavantage, "alphavantage/daily_compact_IBM.csv");
	expect(st, SP_FETCH_OK, "av csv");
	is_int(S.nbars, 100, "av csv: 100 bars");
	ok(sorted_unique(), "av csv: sorted");
	is_bar(0, "2023-07-21", 138.21, 139.7799, 137.76, 138.94, NAN, 5858741, "av csv");
	is_bar(99, "2023-12-11", 162.68, 163.65, 161.95, 163.51, NAN, 6077207, "av csv");

	/* daily_adjusted_compact_IBM.csv: dividend_amount 1.6600 on lines 88
	 * (2023-08-09) and 23 (2023-11-09); split_coefficient always 1.0. */
	st = parse_file(sp_fetch_parse_alphavantage, "alphavantage/daily_adjusted_compact_IBM.csv");
	expect(st, SP_FETCH_OK, "av adjusted csv");
	is_int(S.nbars, 100, "av adjusted csv: 100 bars");
	is_bar(0, "2023-07-21", 138.21, 139.7799, 137.76, 138.94, 135.802470954586, 5858741,
	       "av adjusted csv");
	is_bar(find("2023-08-09"), "2023-08-09", 144.94, 144.94, 142.3, 142.49, 140.894819260858,
	       4073038, "av adjusted csv");
	is_int(S.nevents, 2, "av adjusted csv: two events");
	is_event(0, "2023-08-09", SP_EVENT_DIVIDEND, 1.66, "av adjusted csv");
	is_event(1, "2023-11-09", SP_EVENT_DIVIDEND, 1.66, "av adjusted csv");

	/* global_quote_IBM.json: "05. price": "121.7400", "07. latest trading day": "2020-05-08" */
	st = parse_file(sp_fetch_parse_alphavantage, "alphavantage/global_quote_IBM.json");
	expect(st, SP_FETCH_OK, "av global quote IBM");
	is_int(S.nbars, 1, "av global quote IBM: one bar");
	is_bar(0, "2020-05-08", 122.67, 122.8, 121.06, 121.74, NAN, 2528814, "av global quote IBM");
	st = parse_file(sp_fetch_parse_alphavantage, "alphavantage/global_quote_MSFT.json");
	expect(st, SP_FETCH_OK, "av global quote MSFT");
	is_bar(0, "2018-10-05", 112.63, 113.17, 110.64, 112.13, NAN, 29062853,
	       "av global quote MSFT");

	st = parse_file(sp_fetch_parse_alphavantage, "alphavantage/rate_limit_note_2018.json");
	expect(st, SP_FETCH_RATE_LIMITED, "av Note 2018");
	why_has("5 calls per minute", "av Note 2018");
	st = parse_file(sp_fetch_parse_alphavantage,
			"alphavantage/rate_limit_information_2025.json");
	expect(st, SP_FETCH_RATE_LIMITED, "av Information 2025");
	why_has("Thank you for using Alpha Vantage!", "av Information 2025");
	ok(strlen(why) < 300, "av Information 2025: the quote is cut short");
	/* Not a rate limit: the demo key serves only its demo symbols, forever. */
	st = parse_file(sp_fetch_parse_alphavantage, "alphavantage/demo_key_information.json");
	expect(st, SP_FETCH_DENIED, "av demo key");
	why_has("demo", "av demo key");
	st = parse_file(sp_fetch_parse_alphavantage,
			"alphavantage/error_invalid_api_call_FX_DAILY.json");
	expect(st, SP_FETCH_NOT_FOUND, "av Error Message");
	why_has("Invalid API call", "av Error Message");

	truncations(sp_fetch_parse_alphavantage, "alphavantage/daily_IBM_trimmed.json", 0);
	truncations(sp_fetch_parse_alphavantage, "alphavantage/daily_adjusted_IBM_trimmed.json", 0);
	truncations(sp_fetch_parse_alphavantage, "alphavantage/daily_adjusted_full_IBM.json", 6);
	truncations(sp_fetch_parse_alphavantage, "alphavantage/global_quote_IBM.json", 0);
	truncations(sp_fetch_parse_alphavantage, "alphavantage/global_quote_MSFT.json", 0);
	truncations(sp_fetch_parse_alphavantage, "alphavantage/rate_limit_note_2018.json", 0);
	truncations(sp_fetch_parse_alphavantage, "alphavantage/rate_limit_information_2025.json",
		    0);
	truncations(sp_fetch_parse_alphavantage, "alphavantage/demo_key_information.json", 0);
	truncations(sp_fetch_parse_alphavantage,
		    "alphavantage/error_invalid_api_call_FX_DAILY.json", 0);
}

/* A cut CSV: inside a row it is refused; exactly at a line end nobody can tell. */
static void csv_cuts(parser p, const char *name, const char *what)
{
	size_t len, at;
	char *buf = slurp(name, &len);
	enum sp_fetch_status st;

	if (!ok(buf != NULL, "read %s", name))
		return;
	at = len / 2;
	while (buf[at] == '\n' || buf[at - 1] == '\n' || buf[at - 1] == '\r')
		at++;
	st = p(buf, at, &S, why, sizeof(why));
	expect(st, SP_FETCH_BAD, what);
	why_has("truncated", what);
	at = len / 2;
	while (buf[at - 1] != '\n')
		at++;
	st = p(buf, at, &S, why, sizeof(why));
	ok(st == SP_FETCH_OK && S.nbars > 0, "%s at a line end: ok, with fewer bars", what);
	free(buf);
}

static void av_made(void)
{
	enum sp_fetch_status st;

	/* 2020-07-01 16:00 EDT = 20:00Z = 1593633600;
	 * 2020-01-02 09:30 EST = 14:30Z = 1577975400. */
	st = parse_str(sp_fetch_parse_alphavantage,
		"{\"Meta Data\":{\"1. Information\":\"Intraday (5min) open, high, low, close "
		"prices "
		"and volume\",\"2. Symbol\":\"IBM\",\"3. Last Refreshed\":\"2020-07-01 16:00:00\","
		"\"4. Interval\":\"5min\",\"5. Output Size\":\"Compact\",\"6. Time Zone\":"
		"\"US/Eastern\"},\"Time Series (5min)\":{\"2020-07-01 16:00:00\":{"
		"\"1. open\":\"1\","
		"\"2. high\":\"2\",\"3. low\":\"0.5\",\"4. close\":\"1.5\",\"5. volume\":\"100\"},"
		"\"2020-01-02 09:30:00\":{\"1. open\":\"3\",\"2. high\":\"4\",\"3. low\":\"2.5\","
		"\"4. close\":\"3.5\",\"5. volume\":\"200\"}}}");
	expect(st, SP_FETCH_OK, "av intraday");
	ok(S.nbars == 2 && S.bars[0].when.intraday && S.bars[0].when.t == 1577975400 &&
	   S.bars[1].when.t == 1593633600 && S.bars[0].close == 3.5 && S.bars[1].volume == 100,
	   "av intraday: US/Eastern to UTC, both sides of DST");
	st = parse_str(sp_fetch_parse_alphavantage,
		"{\"Meta Data\":{\"6. Time Zone\":\"UTC\"},\"Time Series (5min)\":{"
		"\"2020-07-01 16:00:00\":{\"1. open\":\"1\",\"2. high\":\"2\",\"3. low\":\"0.5\","
		"\"4. close\":\"1.5\",\"5. volume\":\"100\"}}}");
	expect(st, SP_FETCH_OK, "av intraday UTC");
	ok(S.nbars == 1 && S.bars[0].when.t == 1593619200, "av intraday UTC: 16:00Z");
	st = parse_str(sp_fetch_parse_alphavantage,
		"{\"Meta Data\":{\"6. Time Zone\":\"Asia/Tokyo\"},\"Time Series (5min)\":{"
		"\"2020-07-01 16:00:00\":{\"1. open\":\"1\",\"2. high\":\"2\",\"3. low\":\"0.5\","
		"\"4. close\":\"1.5\",\"5. volume\":\"100\"}}}");
	expect(st, SP_FETCH_BAD, "av intraday in an unknown zone");

	st = parse_str(sp_fetch_parse_alphavantage,
		"timestamp,open,high,low,close,volume\r\n2020-07-01 16:00:00,1,2,0.5,1.5,100\r\n");
	expect(st, SP_FETCH_OK, "av intraday csv");
	ok(S.nbars == 1 && S.bars[0].when.intraday && S.bars[0].when.t == 1593633600,
	   "av intraday csv: US/Eastern to UTC");
	st = parse_str(sp_fetch_parse_alphavantage,
		"timestamp,open,high,low,close,adjusted_close,volume,dividend_amount,"
		"split_coefficient\r\n"
		"2020-08-31,127.58,131,126,129.04,128.5,225702700,0.0000,4.0\r\n"
		"2020-08-28,504.05,505.77,498.31,499.23,124.2,46907479,0.0000,1.0\r\n");
	expect(st, SP_FETCH_OK, "av csv split");
	is_int(S.nevents, 1, "av csv split: one event");
	is_event(0, "2020-08-31", SP_EVENT_SPLIT, 4, "av csv split");
	is_bar(0, "2020-08-28", 504.05, 505.77, 498.31, 499.23, 124.2, 46907479, "av csv split");

	expect(parse_str(sp_fetch_parse_alphavantage, "{\"Global Quote\": {}}\n"),
	       SP_FETCH_NOT_FOUND, "av empty Global Quote");
	expect(parse_str(sp_fetch_parse_alphavantage,
		"{\"Information\": \"Thank you for using Alpha Vantage! This is a premium "
		"endpoint. You may subscribe to any of the premium plans at "
		"https://www.alphavantage.co/premium/"
		" to instantly unlock all premium endpoints\"}"), SP_FETCH_DENIED,
	       "av premium endpoint");
	expect(parse_str(sp_fetch_parse_alphavantage,
		"{\"Error Message\": \"the parameter apikey is invalid or missing. Please claim "
		"your "
		"free API key on (https://www.alphavantage.co/support/#api-key).\"}"),
	       SP_FETCH_DENIED, "av invalid key");
	expect(parse_str(sp_fetch_parse_alphavantage,
		"{\"Meta Data\":{},\"Time Series (Daily)\":{\"2020-05-08\":{\"1. open\":\"1\","
		"\"2. high\":\"2\",\"3. low\":\"0.5\",\"4. close\":\"abc\",\"5. volume\":\"1\"},"
		"\"2020-05-07\":{\"1. open\":\"1\",\"2. high\":\"2\",\"3. low\":\"0.5\","
		"\"4. close\":\"1\",\"5. volume\":\"1\"}}}"), SP_FETCH_BAD, "av a bad number");
	why_has("2020-05-08: close is not a number", "av a bad number");
	expect(parse_str(sp_fetch_parse_alphavantage,
		"{\"Time Series (Daily)\":{\"2020-05-08\":{\"1. open\":\"1\",\"2. high\":\"2\","
		"\"3. low\":\"0.5\",\"5. volume\":\"1\"}}}"), SP_FETCH_BAD, "av no close");
	expect(parse_str(sp_fetch_parse_alphavantage,
		"{\"Time Series (Daily)\":{\"2020-05-32\":{\"1. open\":\"1\",\"2. high\":\"2\","
		"\"3. low\":\"0.5\",\"4. close\":\"1\"}}}"), SP_FETCH_BAD, "av impossible date");
	expect(parse_str(sp_fetch_parse_alphavantage, "{}"), SP_FETCH_BAD, "av empty object");
	/* Found by fuzz-alphavantage: jansson's message quotes the control byte. */
	expect(parse_str(sp_fetch_parse_alphavantage, "{\x07"), SP_FETCH_BAD, "av control byte");
	expect(parse_str(sp_fetch_parse_alphavantage, html), SP_FETCH_BAD, "av HTML");
	expect(parse_str(sp_fetch_parse_alphavantage, ""), SP_FETCH_BAD, "av empty body");
	csv_cuts(sp_fetch_parse_alphavantage, "alphavantage/daily_compact_IBM.csv", "av csv cut");
}

/* ---- Stooq ------------------------------------------------------------- */

static void stooq(void)
{
	enum sp_fetch_status st;

	/* aapl_us_d.csv: 10432 rows; line 2 1984-09-07, line 9071 2020-08-31,
	 * line 10433 2026-02-03. */
	st = parse_file(sp_fetch_parse_stooq, "stooq/aapl_us_d.csv");
	expect(st, SP_FETCH_OK, "stooq AAPL");
	is_int(S.nbars, 10432, "stooq AAPL: 10432 bars");
	ok(sorted_unique() && weekdays_only(), "stooq AAPL: sorted, unique, weekdays");
	is_int(day_sum(), 134729618, "stooq AAPL: every date");
	is_bar(0, "1984-09-07", 0.0992653, 0.100484, 0.0980668, 0.0992653, NAN, 99149603,
	       "stooq AAPL");
	is_bar(find("2020-08-31"), "2020-08-31", 123.976, 127.286, 122.444, 125.4, NAN, 232257981,
	       "stooq AAPL");
	is_bar(10431, "2026-02-03", 269.2, 271.875, 267.61, 269.48, NAN, 64394655, "stooq AAPL");

	/* msft_us_d.csv: line 2 has volume 1496329307.4141; line 6082 volume 0. */
	st = parse_file(sp_fetch_parse_stooq, "stooq/msft_us_d.csv");
	expect(st, SP_FETCH_OK, "stooq MSFT");
	is_int(S.nbars, 10052, "stooq MSFT: 10052 bars");
	is_int(day_sum(), 132626713, "stooq MSFT: every date");
	is_bar(0, "1986-03-13", 0.0615709, 0.069028, 0.0615709, 0.069028, NAN, 1496329307.4141,
	       "stooq MSFT");
	is_bar(find("2010-04-26"), "2010-04-26", 23.8264, 24.0341, 23.7224, 23.9088, NAN, 0,
	       "stooq MSFT: zero volume");
	is_bar(10051, "2026-02-06", 399.165, 401.79, 392.92, 401.14, NAN, 53515311, "stooq MSFT");

	/* aapl_us_d_polish_header.csv: Data,Otwarcie,...; line 9476 2022-04-08. */
	st = parse_file(sp_fetch_parse_stooq, "stooq/aapl_us_d_polish_header.csv");
	expect(st, SP_FETCH_OK, "stooq Polish header");
	is_int(S.nbars, 9475, "stooq Polish header: 9475 bars");
	is_int(day_sum(), 115791583, "stooq Polish header: every date");
	is_bar(0, "1984-09-07", 0.10122, 0.10246, 0.1, 0.10122, NAN, 97236149, "stooq Polish");
	is_bar(9474, "2022-04-08", 171.78, 171.78, 169.21, 170.993, NAN, 27254335, "stooq Polish");

	st = parse_file(sp_fetch_parse_stooq, "stooq/no_data.txt");
	expect(st, SP_FETCH_NOT_FOUND, "stooq No data");
	why_has("No data", "stooq No data");
	expect(parse_str(sp_fetch_parse_stooq, "No data\r\n"), SP_FETCH_NOT_FOUND,
	       "stooq No data with a line end");
	expect(parse_str(sp_fetch_parse_stooq, "Exceeded the daily hits limit"),
	       SP_FETCH_RATE_LIMITED, "stooq hits limit");
	expect(parse_str(sp_fetch_parse_stooq, html_challenge), SP_FETCH_BAD, "stooq HTML");
	why_has("Just a moment", "stooq HTML: its title");
	expect(parse_str(sp_fetch_parse_stooq,
			 "Date,Open,High,Low,Close,Volume\n2020-01-02,1,2,x,1.5,10\n"),
	       SP_FETCH_BAD, "stooq a bad row");
	why_has("line 2 (2020-01-02): low is not a number: x", "stooq a bad row");
	expect(parse_str(sp_fetch_parse_stooq,
			 "Date,Open,High,Low,Close,Volume\n2020-01-02,1,2,0.5,1.5\n"),
	       SP_FETCH_BAD, "stooq a short row");
	expect(parse_str(sp_fetch_parse_stooq,
			 "Date,Open,High,Low,Close\n2020-01-02,1,2,0.5,1.5\n"),
	       SP_FETCH_OK, "stooq an index without volume");
	is_bar(0, "2020-01-02", 1, 2, 0.5, 1.5, NAN, NAN, "stooq an index without volume");
	expect(parse_str(sp_fetch_parse_stooq, "Date,Open,High,Low,Close,Volume\n"), SP_FETCH_OK,
	       "stooq header only");
	is_int(S.nbars, 0, "stooq header only: no bars");
	expect(parse_str(sp_fetch_parse_stooq, "Date,Close\n2020-01-02,1.5\n"), SP_FETCH_BAD,
	       "stooq without open");
	expect(parse_str(sp_fetch_parse_stooq, "{\"chart\":null}\n"), SP_FETCH_BAD, "stooq JSON");
	csv_cuts(sp_fetch_parse_stooq, "stooq/aapl_us_d.csv", "stooq cut");
}

/* ---- any bar CSV --------------------------------------------------------- */

static void generic(void)
{
	enum sp_fetch_status st;

	/* download_v7_AAPL_2020-01-02.csv: one row, no final line end. */
	st = parse_file(sp_fetch_parse_csv, "yahoo/download_v7_AAPL_2020-01-02.csv");
	expect(st, SP_FETCH_OK, "csv Yahoo v7");
	is_int(S.nbars, 1, "csv Yahoo v7: one bar");
	is_bar(0, "2020-01-02", 74.059998, 75.150002, 73.797501, 75.087502, 74.444603, 135480400,
	       "csv Yahoo v7");
	st = parse_file(sp_fetch_parse_csv, "yahoo/download_v7_error_no_data_SIMP.txt");
	expect(st, SP_FETCH_BAD, "csv Yahoo v7 error");
	why_has("Data doesn't exist", "csv Yahoo v7 error");

	/* The other sources' CSV files read the same as with their own parsers. */
	st = parse_file(sp_fetch_parse_csv, "stooq/aapl_us_d_polish_header.csv");
	ok(st == SP_FETCH_OK && S.nbars == 9475 && day_sum() == 115791583, "csv Stooq Polish");
	st = parse_file(sp_fetch_parse_csv, "alphavantage/daily_adjusted_compact_IBM.csv");
	ok(st == SP_FETCH_OK && S.nbars == 100 && S.nevents == 2, "csv Alpha Vantage");

	/* tests/data/bars/kaggle_sp500_5yr_DHR_data.csv: date,open,...,Name;
	 * line 600 2015-07-17 has no open, line 723 2016-01-12 only a close. */
	{
		FILE *f = fopen("tests/data/bars/kaggle_sp500_5yr_DHR_data.csv", "rb");
		static char buf[1 << 17];
		size_t n = f ? fread(buf, 1, sizeof(buf), f) : 0;

		if (f)
			fclose(f);
		st = sp_fetch_parse_csv(buf, n, &S, why, sizeof(why));
		expect(st, SP_FETCH_OK, "csv Kaggle DHR");
		is_int(S.nbars, 1243, "csv Kaggle DHR: 1243 bars");
		is_bar(find("2015-07-17"), "2015-07-17", NAN, 88.76, 88.24, 88.72, NAN, 2056819,
		       "csv Kaggle DHR: no open");
		is_bar(find("2016-01-12"), "2016-01-12", NAN, NAN, NAN, 88.55, NAN, 0,
		       "csv Kaggle DHR: a close only");
	}

	st = parse_str(sp_fetch_parse_csv, "Close,Date,Volume,adj close\n1.5,2020-01-03,100,1.4\n"
			"2.5,2020-01-02,200,2.4\n2.75,2020-01-03,300,2.7");
	expect(st, SP_FETCH_OK, "csv any order");
	is_int(S.nbars, 2, "csv any order: two bars");
	is_bar(0, "2020-01-02", NAN, NAN, NAN, 2.5, 2.4, 200, "csv any order");
	is_bar(1, "2020-01-03", NAN, NAN, NAN, 2.75, 2.7, 300, "csv any order: later duplicate");

	st = parse_str(sp_fetch_parse_csv, "symbol,date,open,high,low,close,adj_close,volume\n"
			"AAPL,2020-01-02,1,2,0.5,1.5,,100\nAAPL,2020-01-03,1,2,0.5,1.75,1.7,\n");
	expect(st, SP_FETCH_OK, "csv contract");
	is_bar(0, "2020-01-02", 1, 2, 0.5, 1.5, NAN, 100, "csv contract");
	is_bar(1, "2020-01-03", 1, 2, 0.5, 1.75, 1.7, NAN, "csv contract");
	expect(parse_str(sp_fetch_parse_csv, "symbol,date,close\nAAPL,2020-01-02,1\n"
			 "MSFT,2020-01-02,2\n"), SP_FETCH_BAD, "csv two symbols");
	st = parse_str(sp_fetch_parse_csv,
		"{\"symbol\":\"AAPL\",\"date\":\"2020-01-02\",\"open\":1,\"high\":2,\"low\":0.5,"
		"\"close\":1.5,\"adj_close\":null,\"volume\":100}\n{\"symbol\":\"AAPL\",\"date\":"
		"\"2020-01-03\",\"open\":1,\"high\":2,\"low\":0.5,\"close\":1.75,"
		"\"volume\":200}\n");
	expect(st, SP_FETCH_OK, "csv NDJSON");
	is_bar(1, "2020-01-03", 1, 2, 0.5, 1.75, NAN, 200, "csv NDJSON");
	st = parse_str(sp_fetch_parse_csv, "Date,Open,High,Low,Close,Adj Close,Volume\n"
			"2020-01-02,null,null,null,null,null,null\n"
			"2020-01-03,1,2,0.5,1.5,NaN,100\n");
	expect(st, SP_FETCH_OK, "csv null rows");
	is_int(S.skipped, 1, "csv null rows: one skipped");
	is_bar(0, "2020-01-03", 1, 2, 0.5, 1.5, NAN, 100, "csv null rows");
	st = parse_str(sp_fetch_parse_csv, "date,close\n2020-01-02T14:35:00Z,2\n"
			"2020-01-02T09:30:00-05:00,1\n");
	expect(st, SP_FETCH_OK, "csv intraday");
	ok(S.nbars == 2 && S.bars[0].when.intraday && S.bars[0].when.t == 1577975400 &&
	   S.bars[1].when.t == 1577975700, "csv intraday: UTC instants");
	expect(parse_str(sp_fetch_parse_csv, "date,close\n2020-01-02 14:35:00,2\n"), SP_FETCH_BAD,
	       "csv time without a zone");
	why_has("without a time zone", "csv time without a zone");
	expect(parse_str(sp_fetch_parse_csv, "date,close\n2020-01-02,2\n2020-01-02T14:35:00Z,2\n"),
	       SP_FETCH_BAD, "csv daily and intraday");
	expect(parse_str(sp_fetch_parse_csv, "Date,Close,close\n2020-01-02,1,1\n"), SP_FETCH_BAD,
	       "csv two close columns");
	expect(parse_str(sp_fetch_parse_csv,
			 "Date,Adj Close,adjusted_close,Close\n2020-01-02,1,1,1\n"),
	       SP_FETCH_BAD, "csv two adj_close columns");
	expect(parse_str(sp_fetch_parse_csv, "\n\nDate,Close,,\n2020-01-02,1.5,,\n"), SP_FETCH_BAD,
	       "csv two unnamed columns");
	expect(parse_str(sp_fetch_parse_csv, "Date,Close,\n2020-01-02,1.5,\n"), SP_FETCH_OK,
	       "csv one unnamed column");
	expect(parse_str(sp_fetch_parse_csv, "\"Date\",\"Close\"\n2020-01-02,1.5\n"), SP_FETCH_OK,
	       "csv quoted header");
	expect(parse_str(sp_fetch_parse_csv, "Da\"te,Close\n2020-01-02,1.5\n"), SP_FETCH_BAD,
	       "csv stray quote in the header");
	expect(parse_str(sp_fetch_parse_csv, "Date,Cl\xffse\n2020-01-02,1.5\n"), SP_FETCH_BAD,
	       "csv invalid UTF-8 in the header");
	expect(parse_str(sp_fetch_parse_csv, "Date,Close\n2020-01-02,\"1.5\n2020-01-03,2\n"),
	       SP_FETCH_BAD, "csv stray quote in a row");
	st = parse_str(sp_fetch_parse_csv, "Date,Close,Dividends,Stock Splits\n2020-01-02,1,0,0\n"
			"2020-01-03,1,0.5,0\n2020-01-06,1,0,4\n");
	expect(st, SP_FETCH_OK, "csv events");
	is_int(S.nevents, 2, "csv events: two");
	is_event(0, "2020-01-03", SP_EVENT_DIVIDEND, 0.5, "csv events");
	is_event(1, "2020-01-06", SP_EVENT_SPLIT, 4, "csv events");
	expect(parse_str(sp_fetch_parse_csv, "Date,Close,Dividends\n2020-01-02,1,-1\n"),
	       SP_FETCH_BAD, "csv negative dividend");
	st = parse_file(sp_fetch_parse_csv, "yahoo/chart_AAPL_2020-01-02_1d_single_bar.json");
	expect(st, SP_FETCH_BAD, "csv given a chart");
	expect(parse_str(sp_fetch_parse_csv, html), SP_FETCH_BAD, "csv HTML");
	/* Found by fuzz-stooq: NDJSON whose error message quotes a control byte. */
	expect(parse_str(sp_fetch_parse_csv, "\t{\x1f"), SP_FETCH_BAD, "csv control byte");
	expect(parse_str(sp_fetch_parse_csv, " \r\n"), SP_FETCH_BAD, "csv blank");
	expect(parse_str(sp_fetch_parse_csv, "\x28\xb5\x2f\xfd\x00\x58"), SP_FETCH_BAD, "csv zstd");
}

/* ---- the reason buffer and the series ---------------------------------- */

static void plumbing(void)
{
	char small[8];
	enum sp_fetch_status st;

	memset(small, 'x', sizeof(small));
	st = sp_fetch_parse_stooq("No data", 7, &S, small, sizeof(small));
	ok(st == SP_FETCH_NOT_FOUND && memchr(small, '\0', sizeof(small)),
	   "a short reason buffer is cut and NUL-terminated");
	st = sp_fetch_parse_stooq("No data", 7, &S, NULL, 0);
	ok(st == SP_FETCH_NOT_FOUND, "no reason buffer at all");
	st = parse_str(sp_fetch_parse_stooq, "Date,Open,High,Low,Close\n2020-01-02,1,2,0.5,1.5\n");
	ok(st == SP_FETCH_OK && why[0] == '\0', "the reason is empty on success");
	is_str(sp_fetch_status_name(SP_FETCH_RATE_LIMITED), "rate-limited", "status names");
	is_str(sp_fetch_status_name((enum sp_fetch_status)42), "unknown", "unknown status name");
	sp_fetch_series_reset(&S);
	ok(S.nbars == 0 && S.nevents == 0 && S.skipped == 0 && !S.currency[0], "reset empties");
}

int main(void)
{
	/* The parsers print nothing: everything they say is in WHY. */
	FILE *err = tmpfile();
	int saved = dup(2);

	if (!err || saved < 0 || dup2(fileno(err), 2) < 0)
		return 1;
	sp_fetch_series_init(&S);
	yahoo_fixtures();
	yahoo_made();
	av_fixtures();
	av_made();
	stooq();
	generic();
	plumbing();
	sp_fetch_series_release(&S);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	if (!ok(lseek(fileno(err), 0, SEEK_END) == 0, "nothing printed on stderr")) {
		char line[256];
		rewind(err);
		while (fgets(line, sizeof(line), err))
			printf("#   %s", line);
	}
	fclose(err);
	return tap_done();
}
