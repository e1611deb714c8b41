/*
 * sp-fetch - daily and intraday bars from Yahoo Finance, Alpha Vantage,
 * Stooq or any bar CSV, for many symbols at once, in batch or live.
 *
 * See man/sp-fetch.1.  This file is the options; lib/fetch.c is the job.
 */
#include "fetch.h"
#include "opt.h"
#include "usage.h"
#include "version.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "banned.h"

static const char usage[] =
	"usage: sp-fetch [options] SYMBOL...\n"
	"       sp-fetch [options] --symbols-file FILE\n"
	"\n"
	"Fetch bars (symbol,date,open,high,low,close,adj_close,volume) for every\n"
	"symbol; each symbol's series is written whole or not at all.  With\n"
	"--source csv the arguments are SYMBOL=URL, SYMBOL=FILE, or a URL or file\n"
	"named after its symbol.\n"
	"\n"
	"  -s, --source SRC       yahoo, alphavantage, stooq or csv (yahoo)\n"
	"      --from DATE        first date, YYYY-MM-DD (all history)\n"
	"      --to DATE          last date (today, New York time)\n"
	"  -i, --interval INT     1d, 1h, 5m or 1m (1d)\n"
	"      --function FN      alphavantage: daily, daily_adjusted, intraday or\n"
	"                         quote (daily)\n"
	"      --datatype TYPE    alphavantage: json or csv (json)\n"
	"      --symbols-file FILE\n"
	"                         symbols one per line; # starts a comment\n"
	"  -o, --output FILE      write the bars to FILE atomically (.zst compresses)\n"
	"  -f, --format FMT       csv or ndjson (csv; ndjson with --follow)\n"
	"      --events FILE      write splits and dividends: symbol,date,kind,value\n"
	"      --summary FILE     write each symbol's status as JSON\n"
	"      --since-last FILE  start each symbol a few sessions before its last\n"
	"                         date in the bars FILE\n"
	"      --overlap N        sessions fetched again with --since-last (5)\n"
	"  -j, --jobs N           transfers at once (8)\n"
	"      --rate SPEC        requests per second, or N/SECONDS: 5/60 is five a\n"
	"                         minute (alphavantage 5/60; others no limit)\n"
	"      --retries N        retries of a transient failure (4)\n"
	"      --backoff SEC      first retry delay, doubling each time (1)\n"
	"      --timeout SEC      seconds per request (30)\n"
	"      --deadline SEC     seconds for the whole run (none)\n"
	"      --base-url URL     the source's API at URL (a mirror, a test server)\n"
	"      --cacert FILE      trust the certificates in FILE (PEM) for TLS\n"
	"      --api-key-file FILE\n"
	"                         alphavantage key (else ALPHAVANTAGE_API_KEY)\n"
	"      --cache-dir DIR    keep raw responses in DIR, compressed\n"
	"      --cache-ttl SEC    age at which a cached response is fetched again\n"
	"                         (43200)\n"
	"      --offline          answer only from --cache-dir\n"
	"      --follow           poll live bars and write each new or revised bar\n"
	"      --every SEC        seconds between polls with --follow (60)\n"
	"      --always           poll outside trading hours too\n"
	"      --max-polls N      stop after N polls\n"
	"  -q, --quiet            no per-symbol lines, no progress\n"
	"  -h, --help             show this help\n"
	"      --version          show the version\n";

enum {
	OPT_FROM = 256, OPT_TO, OPT_FUNCTION, OPT_DATATYPE, OPT_SYMBOLS_FILE, OPT_EVENTS,
	OPT_SUMMARY, OPT_SINCE_LAST, OPT_OVERLAP, OPT_RATE, OPT_RETRIES, OPT_BACKOFF,
	OPT_TIMEOUT, OPT_DEADLINE, OPT_BASE_URL, OPT_API_KEY_FILE, OPT_CACHE_DIR, OPT_CACHE_TTL,
	OPT_OFFLINE, OPT_FOLLOW, OPT_EVERY, OPT_ALWAYS, OPT_MAX_POLLS, OPT_CACERT, OPT_VERSION,
};

static const struct option options[] = {
	{ "source", required_argument, NULL, 's' },
	{ "from", required_argument, NULL, OPT_FROM },
	{ "to", required_argument, NULL, OPT_TO },
	{ "interval", required_argument, NULL, 'i' },
	{ "function", required_argument, NULL, OPT_FUNCTION },
	{ "datatype", required_argument, NULL, OPT_DATATYPE },
	{ "symbols-file", required_argument, NULL, OPT_SYMBOLS_FILE },
	{ "output", required_argument, NULL, 'o' },
	{ "format", required_argument, NULL, 'f' },
	{ "events", required_argument, NULL, OPT_EVENTS },
	{ "summary", required_argument, NULL, OPT_SUMMARY },
	{ "since-last", required_argument, NULL, OPT_SINCE_LAST },
	{ "overlap", required_argument, NULL, OPT_OVERLAP },
	{ "jobs", required_argument, NULL, 'j' },
	{ "rate", required_argument, NULL, OPT_RATE },
	{ "retries", required_argument, NULL, OPT_RETRIES },
	{ "backoff", required_argument, NULL, OPT_BACKOFF },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "deadline", required_argument, NULL, OPT_DEADLINE },
	{ "base-url", required_argument, NULL, OPT_BASE_URL },
	{ "cacert", required_argument, NULL, OPT_CACERT },
	{ "api-key-file", required_argument, NULL, OPT_API_KEY_FILE },
	{ "cache-dir", required_argument, NULL, OPT_CACHE_DIR },
	{ "cache-ttl", required_argument, NULL, OPT_CACHE_TTL },
	{ "offline", no_argument, NULL, OPT_OFFLINE },
	{ "follow", no_argument, NULL, OPT_FOLLOW },
	{ "every", required_argument, NULL, OPT_EVERY },
	{ "always", no_argument, NULL, OPT_ALWAYS },
	{ "max-polls", required_argument, NULL, OPT_MAX_POLLS },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

/* Growable list of symbols; the strings are argv's or malloc'd (owned). */
struct list {
	char **v;
	size_t n, cap;
	char **owned;
	size_t nowned;
};

/* Add S to the list unless it is there already. */
static int push(struct list *l, char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i], s))
			return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		char **v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return sp_error("out of memory");
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = s;
	return 0;
}

/* A symbol as the contract spells it: upper case, no spaces or controls. */
static int check_symbol(char *s, int csv, const char *file, long line)
{
	if (!*s)
		return sp_error_at(file, line, "empty symbol");
	for (char *p = s; *p; p++) {
		if (isspace((unsigned char)*p) || iscntrl((unsigned char)*p))
			return sp_error_at(file, line, "'%s': a symbol has no spaces", s);
		if (!csv)
			*p = (char)toupper((unsigned char)*p);
	}
	if (!csv && strlen(s) > 32)
		return sp_error_at(file, line, "'%.40s': longer than 32 characters", s);
	return 0;
}

static int read_symbols(struct list *l, const char *path, int csv)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	char *line = NULL, *p, *end, **o;
	size_t cap = 0;
	long n = 0;
	int rc = 0;

	if (!f)
		return sp_error("%s: %s", path, strerror(errno));
	while (!rc && getline(&line, &cap, f) >= 0) {
		n++;
		if ((p = strchr(line, '#')))
			*p = 0;
		for (p = line; isspace((unsigned char)*p); p++)
			;
		for (end = p + strlen(p); end > p && isspace((unsigned char)end[-1]); end--)
			;
		*end = 0;
		if (!*p)
			continue;
		if (!(o = realloc(l->owned, (l->nowned + 1) * sizeof(*o))) ||
		    !(o[l->nowned] = strdup(p))) {
			if (o)
				l->owned = o;
			rc = sp_error("out of memory");
			break;
		}
		l->owned = o;
		rc = check_symbol(o[l->nowned], csv, path, n);
		if (!rc)
			rc = push(l, o[l->nowned]);
		l->nowned++;
	}
	if (ferror(f))
		rc = sp_error("%s: %s", path, strerror(errno));
	free(line);
	if (f != stdin)
		fclose(f);
	return rc;
}

/* The first line of FILE, trimmed: an API key.  malloc'd or NULL. */
static char *read_key(const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (!f) {
		sp_error("%s: %s", path, strerror(errno));
		return NULL;
	}
	n = getline(&line, &cap, f);
	fclose(f);
	while (n > 0 && isspace((unsigned char)line[n - 1]))
		line[--n] = 0;
	if (n <= 0) {
		free(line);
		sp_error("%s: no key in the first line", path);
		return NULL;
	}
	return line;
}

static int parse_day(const char *name, const char *text, sp_day *d)
{
	struct sp_when w;
	const char *why = sp_when_parse(text, strlen(text), &w);

	if (why || w.intraday) {
		sp_error("--%s: '%s' is not a date (YYYY-MM-DD)", name, text);
		return -1;
	}
	*d = (sp_day)w.t;
	return 0;
}

/* N, or N/SECONDS, to requests per second and a bucket of N. */
static int parse_rate(const char *text, double *rate, double *burst)
{
	char buf[64], *slash;
	double n, per = 1;

	snprintf(buf, sizeof(buf), "%s", text);
	if ((slash = strchr(buf, '/')))
		*slash = 0;
	if (sp_opt_double("rate", buf, &n) < 0 ||
	    (slash && sp_opt_double("rate", slash + 1, &per) < 0))
		return -1;
	if (!(n >= 0) || !(per > 0)) {
		sp_error("--rate: '%s' is not N or N/SECONDS", text);
		return -1;
	}
	*rate = n / per;
	*burst = n < 1 ? 1 : n;
	return 0;
}

static int seconds(const char *name, const char *text, double *v)
{
	if (sp_opt_double(name, text, v) < 0)
		return -1;
	if (!(*v >= 0)) {
		sp_error("--%s: '%s' is negative", name, text);
		return -1;
	}
	return 0;
}

int cmd_main(int argc, char **argv);

int cmd_main(int argc, char **argv)
{
	struct sp_fetch_options o;
	struct list l = { 0 };
	const char *symbols_file = NULL, *key_file = NULL, *env;
	char *key = NULL;
	int c, src, rc = SP_EXIT_USAGE, rate_set = 0, format_set = 0;
	long v;

	sp_fetch_options_init(&o);
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":s:i:o:f:j:qh", options, NULL)) != -1) {
		switch (c) {
		case 's':
			if ((src = sp_fetch_source_parse(optarg)) < 0) {
				sp_usage_error("--source: '%s' is not yahoo, alphavantage, stooq "
					       "or csv", optarg);
				goto out;
			}
			o.source = (enum sp_fetch_source)src;
			break;
		case OPT_FROM:
			if (parse_day("from", optarg, &o.from) < 0)
				goto hint;
			break;
		case OPT_TO:
			if (parse_day("to", optarg, &o.to) < 0)
				goto hint;
			break;
		case 'i':
			if (strcmp(optarg, "1d") && strcmp(optarg, "1h") && strcmp(optarg, "5m") &&
			    strcmp(optarg, "1m")) {
				sp_usage_error("--interval: '%s' is not 1d, 1h, 5m or 1m", optarg);
				goto out;
			}
			o.interval = optarg;
			break;
		case OPT_FUNCTION:
			if (strcmp(optarg, "daily") && strcmp(optarg, "daily_adjusted") &&
			    strcmp(optarg, "intraday") && strcmp(optarg, "quote")) {
				sp_usage_error("--function: '%s' is not daily, daily_adjusted, "
					       "intraday or quote", optarg);
				goto out;
			}
			o.function = optarg;
			break;
		case OPT_DATATYPE:
			if (strcmp(optarg, "json") && strcmp(optarg, "csv")) {
				sp_usage_error("--datatype: '%s' is not json or csv", optarg);
				goto out;
			}
			o.av_csv = !strcmp(optarg, "csv");
			break;
		case OPT_SYMBOLS_FILE: symbols_file = optarg; break;
		case 'o': o.output = optarg; break;
		case 'f':
			if ((o.format = sp_format_parse(optarg)) == SP_FORMAT_AUTO) {
				sp_usage_error("--format: '%s' is not csv or ndjson", optarg);
				goto out;
			}
			format_set = 1;
			break;
		case OPT_EVENTS: o.events = optarg; break;
		case OPT_SUMMARY: o.summary = optarg; break;
		case OPT_SINCE_LAST: o.since_last = optarg; break;
		case OPT_OVERLAP:
			if (sp_opt_long("overlap", optarg, 0, 1000, &v) < 0)
				goto hint;
			o.overlap = (int)v;
			break;
		case 'j':
			if (sp_opt_long("jobs", optarg, 1, 1000, &v) < 0)
				goto hint;
			o.jobs = (int)v;
			break;
		case OPT_RATE:
			if (parse_rate(optarg, &o.rate, &o.burst) < 0)
				goto hint;
			rate_set = 1;
			break;
		case OPT_RETRIES:
			if (sp_opt_long("retries", optarg, 0, 100, &v) < 0)
				goto hint;
			o.retries = (int)v;
			break;
		case OPT_BACKOFF:
			if (seconds("backoff", optarg, &o.backoff) < 0)
				goto hint;
			break;
		case OPT_TIMEOUT:
			if (seconds("timeout", optarg, &o.timeout) < 0)
				goto hint;
			break;
		case OPT_DEADLINE:
			if (seconds("deadline", optarg, &o.deadline) < 0)
				goto hint;
			break;
		case OPT_BASE_URL: o.base_url = optarg; break;
		case OPT_CACERT: o.cacert = optarg; break;
		case OPT_API_KEY_FILE: key_file = optarg; break;
		case OPT_CACHE_DIR: o.cache_dir = optarg; break;
		case OPT_CACHE_TTL:
			if (seconds("cache-ttl", optarg, &o.cache_ttl) < 0)
				goto hint;
			break;
		case OPT_OFFLINE: o.offline = 1; break;
		case OPT_FOLLOW: o.follow = 1; break;
		case OPT_EVERY:
			if (seconds("every", optarg, &o.every) < 0)
				goto hint;
			if (!(o.every >= 0.01)) {
				sp_usage_error("--every: '%s' is less than 0.01 seconds", optarg);
				goto out;
			}
			break;
		case OPT_ALWAYS: o.always = 1; break;
		case OPT_MAX_POLLS:
			if (sp_opt_long("max-polls", optarg, 1, 1000000000, &v) < 0)
				goto hint;
			o.max_polls = v;
			break;
		case 'q': o.quiet = 1; break;
		case 'h': fputs(usage, stdout); rc = SP_EXIT_OK; goto out;
		case OPT_VERSION: printf("sp-fetch %s\n", SP_VERSION); rc = SP_EXIT_OK; goto out;
		case ':':
			sp_usage_error("option '%s' needs a value", argv[optind - 1]);
			goto out;
		default:
			rc = sp_opt_unknown(options, argv[optind - 1], optopt);
			goto out;
		}
	}
	for (int i = optind; i < argc; i++)
		if (check_symbol(argv[i], o.source == SP_SOURCE_CSV, NULL, 0) < 0 ||
		    push(&l, argv[i]) < 0)
			goto hint;
	if (symbols_file && read_symbols(&l, symbols_file, o.source == SP_SOURCE_CSV) < 0) {
		rc = SP_EXIT_FAIL;
		goto out;
	}
	if (!l.n) {
		sp_usage_error("no symbols: give them as arguments or with --symbols-file");
		goto out;
	}
	if (o.offline && !o.cache_dir) {
		sp_usage_error("--offline needs --cache-dir");
		goto out;
	}
	if (o.from && o.to && o.from > o.to) {
		sp_usage_error("--from is after --to");
		goto out;
	}
	if (!o.to)
		o.to = sp_ny_day((int64_t)time(NULL));
	if (o.source == SP_SOURCE_ALPHAVANTAGE) {
		if (key_file) {
			if (!(key = read_key(key_file))) {
				rc = SP_EXIT_FAIL;
				goto out;
			}
			o.api_key = key;
		} else if ((env = getenv("ALPHAVANTAGE_API_KEY")) && *env) {
			o.api_key = env;
		}
		if (!rate_set) {
			o.rate = 5.0 / 60;	/* the free tier */
			o.burst = 5;
		}
	}
	if (o.follow && !format_set)
		o.format = SP_FORMAT_NDJSON;
	o.symbols = (const char *const *)l.v;
	o.nsymbols = l.n;
	o.progress = isatty(STDERR_FILENO);
	rc = sp_fetch_run(&o);
	goto out;
hint:
	rc = sp_opt_hint();
out:
	for (size_t i = 0; i < l.nowned; i++)
		free(l.owned[i]);
	free(l.owned);
	free(l.v);
	free(key);
	return rc;
}
