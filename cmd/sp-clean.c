/*
 * sp-clean - validate, sort and deduplicate bars; reject with reasons.
 *
 * See man/sp-clean.1.  This file is the options; lib/clean.c is the job.
 */
#include "calendar.h"
#include "clean.h"
#include "opt.h"
#include "usage.h"
#include "version.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "banned.h"

static const char usage[] =
	"usage: sp-clean [options] [FILE...]\n"
	"\n"
	"Read bars (CSV or NDJSON, zstd or not) from FILEs or stdin; write them\n"
	"sorted by symbol and date, one row per (symbol, date), with a flags column.\n"
	"\n"
	"  -o, --output FILE      write to FILE atomically (.zst compresses)\n"
	"  -f, --format FMT       output format: csv or ndjson (default: the input's)\n"
	"      --rejects FILE     write rejected rows with source, line and reason\n"
	"      --summary FILE     write the counts as JSON\n"
	"      --stream           input already in order: write each row at once,\n"
	"                         keep only per-symbol state\n"
	"      --calendar NAME    exchange calendar: XNYS (default) or none\n"
	"      --symbol SYM       symbol for input without a symbol column\n"
	"      --tolerance FRAC   slack for open/close outside [low, high] (1e-6)\n"
	"      --mad-k K          flag returns beyond K robust sigmas (10)\n"
	"      --mad-window N     returns the median and MAD look back on (250)\n"
	"      --memory SIZE      sort in memory up to SIZE, then on disk (1G)\n"
	"      --tmpdir DIR       where sorted runs go (default $TMPDIR or /tmp)\n"
	"      --threads COUNT    1, or 2 to read a large plain CSV file and to\n"
	"                         write a large output in two halves at once (2)\n"
	"      --strict           exit 1 if any row is rejected\n"
	"  -q, --quiet            no summary on stderr\n"
	"  -h, --help             show this help\n"
	"      --version          show the version\n";

enum {
	OPT_REJECTS = 256, OPT_SUMMARY, OPT_STREAM, OPT_CALENDAR, OPT_SYMBOL,
	OPT_TOLERANCE, OPT_MAD_K, OPT_MAD_WINDOW, OPT_MEMORY, OPT_TMPDIR,
	OPT_STRICT, OPT_VERSION, OPT_THREADS,
};

static const struct option options[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "format", required_argument, NULL, 'f' },
	{ "rejects", required_argument, NULL, OPT_REJECTS },
	{ "summary", required_argument, NULL, OPT_SUMMARY },
	{ "stream", no_argument, NULL, OPT_STREAM },
	{ "calendar", required_argument, NULL, OPT_CALENDAR },
	{ "symbol", required_argument, NULL, OPT_SYMBOL },
	{ "tolerance", required_argument, NULL, OPT_TOLERANCE },
	{ "mad-k", required_argument, NULL, OPT_MAD_K },
	{ "mad-window", required_argument, NULL, OPT_MAD_WINDOW },
	{ "memory", required_argument, NULL, OPT_MEMORY },
	{ "tmpdir", required_argument, NULL, OPT_TMPDIR },
	{ "strict", no_argument, NULL, OPT_STRICT },
	{ "threads", required_argument, NULL, OPT_THREADS },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

int cmd_main(int argc, char **argv);

int cmd_main(int argc, char **argv)
{
	struct sp_clean_options o;
	long window, threads;
	int c, memory_set = 0;

	sp_clean_options_init(&o);
	opterr = 0;	/* our messages, in the format of contracts.md */
	while ((c = getopt_long(argc, argv, ":o:f:qh", options, NULL)) != -1) {
		switch (c) {
		case 'o': o.output = optarg; break;
		case 'f':
			o.format = sp_format_parse(optarg);
			if (o.format == SP_FORMAT_AUTO)
				return sp_usage_error("--format: '%s' is not csv or ndjson", optarg);
			break;
		case OPT_REJECTS: o.rejects = optarg; break;
		case OPT_SUMMARY: o.summary = optarg; break;
		case OPT_STREAM: o.stream = 1; break;
		case OPT_CALENDAR:
			o.calendar = strcmp(optarg, "none") ? optarg : NULL;
			if (o.calendar && !sp_calendar_get(o.calendar))
				return sp_usage_error("--calendar: '%s' is not XNYS or none", optarg);
			break;
		case OPT_SYMBOL: o.symbol = optarg; break;
		case OPT_TOLERANCE:
			if (sp_opt_double("tolerance", optarg, &o.tolerance) < 0)
				return sp_opt_hint();
			if (o.tolerance < 0 || o.tolerance >= 1)
				return sp_usage_error("--tolerance: give a fraction in [0, 1)");
			break;
		case OPT_MAD_K:
			if (sp_opt_double("mad-k", optarg, &o.mad_k) < 0)
				return sp_opt_hint();
			if (o.mad_k <= 0)
				return sp_usage_error("--mad-k: give a positive number");
			break;
		case OPT_MAD_WINDOW:
			if (sp_opt_long("mad-window", optarg, 20, 100000, &window) < 0)
				return sp_opt_hint();
			o.mad_window = (int)window;
			break;
		case OPT_MEMORY:
			if (sp_opt_size("memory", optarg, &o.memory) < 0)
				return sp_opt_hint();
			memory_set = 1;
			break;
		case OPT_TMPDIR: o.tmpdir = optarg; break;
		case OPT_STRICT: o.strict = 1; break;
		case OPT_THREADS:
			if (sp_opt_long("threads", optarg, 1, 2, &threads) < 0)
				return sp_opt_hint();
			o.threads = (int)threads;
			break;
		case 'q': o.quiet = 1; break;
		case 'h': fputs(usage, stdout); return SP_EXIT_OK;
		case OPT_VERSION: printf("sp-clean %s\n", SP_VERSION); return SP_EXIT_OK;
		case ':':
			return sp_usage_error("option '%s' needs a value", argv[optind - 1]);
		default:
			return sp_opt_unknown(options, argv[optind - 1], optopt);
		}
	}
	if ((o.output && !*o.output) || (o.rejects && !*o.rejects) ||
	    (o.summary && !*o.summary))
		return sp_usage_error("an output file name is empty");
	if (o.stream && memory_set)
		return sp_usage_error("--memory has no effect with --stream");
	return sp_clean_run(&o, (const char *const *)argv + optind, (size_t)(argc - optind));
}
