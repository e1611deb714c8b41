/*
 * fetch-source.c - the request each source wants, and its parser.
 *
 * Every base URL can be overridden (--base-url, or SP_YAHOO_URL,
 * SP_ALPHAVANTAGE_URL, SP_STOOQ_URL) for mirrors and for tests.
 */
#include "fetch-internal.h"

#include "usage.h"

#include <curl/curl.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "banned.h"

static const struct {
	const char *name, *env, *url;
} sources[] = {
	[SP_SOURCE_YAHOO] = { "yahoo", "SP_YAHOO_URL", "https://query1.finance.yahoo.com" },
	[SP_SOURCE_ALPHAVANTAGE] = { "alphavantage", "SP_ALPHAVANTAGE_URL",
				     "https://www.alphavantage.co" },
	[SP_SOURCE_STOOQ] = { "stooq", "SP_STOOQ_URL", "https://stooq.com" },
	[SP_SOURCE_CSV] = { "csv", NULL, NULL },
};

int sp_fetch_source_parse(const char *name)
{
	for (size_t i = 0; i < sizeof(sources) / sizeof(*sources); i++)
		if (!strcmp(name, sources[i].name))
			return (int)i;
	return -1;
}

const char *sp_fetch_source_name(enum sp_fetch_source s)
{
	return sources[s].name;
}

static const char *base(const struct sp_fetch_options *o);

static const char *base_of(const struct sp_fetch_options *o, int redact)
{
	/* The redacted form names a request in the cache: not where it went. */
	if (redact)
		return sources[o->source].name;
	return base(o);
}

static const char *base(const struct sp_fetch_options *o)
{
	const char *env = sources[o->source].env ? getenv(sources[o->source].env) : NULL;

	if (o->base_url)
		return o->base_url;
	return env && *env ? env : sources[o->source].url;
}

/* Seconds since the epoch of midnight UTC of day D. */
static long long epoch(sp_day d)
{
	return (long long)d * 86400;
}

static const char *av_function(const struct sp_fetch_options *o)
{
	const char *f = o->function ? o->function : "daily";

	if (!strcmp(f, "daily_adjusted"))
		return "TIME_SERIES_DAILY_ADJUSTED";
	if (!strcmp(f, "intraday"))
		return "TIME_SERIES_INTRADAY";
	if (!strcmp(f, "quote"))
		return "GLOBAL_QUOTE";
	return "TIME_SERIES_DAILY";
}

/* Alpha Vantage and Stooq spell intervals their own way. */
static const char *av_interval(const char *i)
{
	if (!strcmp(i, "1m"))
		return "1min";
	if (!strcmp(i, "5m"))
		return "5min";
	if (!strcmp(i, "15m"))
		return "15min";
	if (!strcmp(i, "30m"))
		return "30min";
	return "60min";
}

/* The csv source: SYMBOL=WHERE or WHERE; a path becomes a file:// URL. */
static char *csv_url(const char *arg)
{
	const char *eq = strchr(arg, '='), *where = eq ? eq + 1 : arg;
	char *url, *abs = NULL;
	size_t n;

	if (strstr(where, "://"))
		return strdup(where);
	if (where[0] != '/') {
		char cwd[4096];
		if (!getcwd(cwd, sizeof(cwd)))
			return NULL;
		n = strlen(cwd) + strlen(where) + 2;
		if (!(abs = malloc(n)))
			return NULL;
		snprintf(abs, n, "%s/%s", cwd, where);
		where = abs;
	}
	n = strlen(where) + 8;
	if ((url = malloc(n)))
		snprintf(url, n, "file://%s", where);
	free(abs);
	return url;
}

char *sp_fetch_url(const struct sp_fetch_options *o, const char *symbol, sp_day from, sp_day to,
		   int redact)
{
	char *esc, *url = NULL, lower[64], d1[16], d2[16];
	const char *interval = o->interval ? o->interval : "1d";
	int y, m, d;
	size_t n;

	if (o->source == SP_SOURCE_CSV) {
		if (!(url = csv_url(symbol)))
			sp_error("out of memory");
		return url;
	}
	if (!(esc = curl_easy_escape(NULL, symbol, 0))) {
		sp_error("out of memory");
		return NULL;
	}
	n = strlen(base(o)) + strlen(esc) + 512 + (o->api_key ? strlen(o->api_key) : 0);
	if (!(url = malloc(n))) {
		curl_free(esc);
		sp_error("out of memory");
		return NULL;
	}
	switch (o->source) {
	case SP_SOURCE_YAHOO:
		/* period2 is exclusive: the day after TO. */
		snprintf(url, n,
			 "%s/v8/finance/chart/%s?period1=%lld&period2=%lld&interval=%s"
			 "&events=div%%2Csplits&includeAdjustedClose=true",
			 base_of(o, redact), esc, epoch(from ? from : 1), epoch(to + 1), interval);
		break;
	case SP_SOURCE_ALPHAVANTAGE:
		snprintf(url, n, "%s/query?function=%s&symbol=%s%s%s%s%s%s%s", base_of(o, redact),
			 av_function(o), esc,
			 strcmp(av_function(o), "GLOBAL_QUOTE") ? "&outputsize=full" : "",
			 strcmp(av_function(o), "TIME_SERIES_INTRADAY") ? "" : "&interval=",
			 strcmp(av_function(o), "TIME_SERIES_INTRADAY") ? "" : av_interval(interval),
			 o->av_csv ? "&datatype=csv" : "", redact ? "" : "&apikey=",
			 redact || !o->api_key ? "" : o->api_key);
		break;
	case SP_SOURCE_STOOQ:
		/* Stooq names US stocks "aapl.us". */
		snprintf(lower, sizeof(lower), "%s%s", symbol, strchr(symbol, '.') ? "" : ".us");
		for (char *p = lower; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		curl_free(esc);
		if (!(esc = curl_easy_escape(NULL, lower, 0))) {
			free(url);
			sp_error("out of memory");
			return NULL;
		}
		sp_day_to_civil(from ? from : sp_day_from_civil(1970, 1, 1), &y, &m, &d);
		snprintf(d1, sizeof(d1), "%04d%02d%02d", y, m, d);
		sp_day_to_civil(to, &y, &m, &d);
		snprintf(d2, sizeof(d2), "%04d%02d%02d", y, m, d);
		snprintf(url, n, "%s/q/d/l/?s=%s&i=d&d1=%s&d2=%s", base_of(o, redact), esc, d1, d2);
		break;
	case SP_SOURCE_CSV:
		break;
	}
	curl_free(esc);
	return url;
}

enum sp_fetch_status sp_fetch_parse(const struct sp_fetch_options *o, const char *buf, size_t len,
				    struct sp_fetch_series *s, char *why, size_t whylen)
{
	switch (o->source) {
	case SP_SOURCE_YAHOO:
		return sp_fetch_parse_yahoo(buf, len, s, why, whylen);
	case SP_SOURCE_ALPHAVANTAGE:
		return sp_fetch_parse_alphavantage(buf, len, s, why, whylen);
	case SP_SOURCE_STOOQ:
		return sp_fetch_parse_stooq(buf, len, s, why, whylen);
	case SP_SOURCE_CSV:
		break;
	}
	return sp_fetch_parse_csv(buf, len, s, why, whylen);
}
