/*
 * sp-features - technical indicators and look-ahead targets from bars.
 *
 * See man/sp-features.1.  This file is the options; lib/features.c is the job.
 */
#include "features-job.h"
#include "opt.h"
#include "usage.h"
#include "version.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "banned.h"

static const char usage[] =
	"usage: sp-features [options] [FILE...]\n"
	"\n"
	"Read bars (CSV or NDJSON, zstd or not) sorted by symbol and date, as\n"
	"sp-clean writes them; write symbol,date,close, the input's other columns\n"
	"but open, high, low, adj_close and volume, one column per feature and the\n"
	"target, one row per bar.  --list shows every feature.\n"
	"\n"
	"  -o, --output FILE      write to FILE atomically (.zst compresses)\n"
	"  -f, --format FMT       output format: csv or ndjson (default: the input's)\n"
	"  -s, --spec SPEC        features, e.g. 'sma:20,rsi:14,macd:12:26:9'\n"
	"                         (default: the set --list shows)\n"
	"      --spec-file FILE   read the spec from FILE: tokens separated by\n"
	"                         commas or lines, # starts a comment\n"
	"      --raw              indicators see prices as traded, not adjusted\n"
	"                         by adj_close/close\n"
	"  -t, --target N         add the target N rows ahead (y_ret_N)\n"
	"      --target-kind KIND ret, logret or dir (ret)\n"
	"      --stream           write each row as its bar arrives; input may\n"
	"                         interleave symbols; no --target\n"
	"      --warmup FILE      feed the bars of FILE to the state first, without\n"
	"                         writing them (history before a live stream)\n"
	"      --state FILE       load the per-symbol state from FILE if it exists,\n"
	"                         save it there at the end (atomically)\n"
	"      --symbol SYM       symbol for input without a symbol column\n"
	"      --latency          at the end, print on stderr the time each bar took,\n"
	"                         from parsed to printed, excluding I/O (p50, p99, max)\n"
	"      --list             print every feature with its definition, and the\n"
	"                         default set\n"
	"  -h, --help             show this help\n"
	"      --version          show the version\n";

enum {
	OPT_SPEC_FILE = 256, OPT_RAW, OPT_TARGET_KIND, OPT_STREAM, OPT_SYMBOL, OPT_LIST,
	OPT_WARMUP, OPT_STATE, OPT_LATENCY,
	OPT_VERSION,
};

static const struct option options[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "format", required_argument, NULL, 'f' },
	{ "spec", required_argument, NULL, 's' },
	{ "spec-file", required_argument, NULL, OPT_SPEC_FILE },
	{ "raw", no_argument, NULL, OPT_RAW },
	{ "target", required_argument, NULL, 't' },
	{ "target-kind", required_argument, NULL, OPT_TARGET_KIND },
	{ "stream", no_argument, NULL, OPT_STREAM },
	{ "warmup", required_argument, NULL, OPT_WARMUP },
	{ "latency", no_argument, NULL, OPT_LATENCY },
	{ "state", required_argument, NULL, OPT_STATE },
	{ "symbol", required_argument, NULL, OPT_SYMBOL },
	{ "list", no_argument, NULL, OPT_LIST },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

int cmd_main(int argc, char **argv);

int cmd_main(int argc, char **argv)
{
	struct sp_features_options o;
	long target;
	int c, kind, list = 0, kind_set = 0;

	sp_features_options_init(&o);
	opterr = 0;	/* our messages, in the format of contracts.md */
	while ((c = getopt_long(argc, argv, ":o:f:s:t:h", options, NULL)) != -1) {
		switch (c) {
		case 'o': o.output = optarg; break;
		case 'f':
			o.format = sp_format_parse(optarg);
			if (o.format == SP_FORMAT_AUTO)
				return sp_usage_error("--format: '%s' is not csv or ndjson", optarg);
			break;
		case 's': o.spec = optarg; break;
		case OPT_SPEC_FILE: o.spec_file = optarg; break;
		case OPT_RAW: o.raw = 1; break;
		case 't':
			if (sp_opt_long("target", optarg, 1, 100000, &target) < 0)
				return sp_opt_hint();
			o.target = (int)target;
			break;
		case OPT_TARGET_KIND:
			if ((kind = sp_target_kind_parse(optarg)) < 0)
				return sp_usage_error("--target-kind: '%s' is not ret, logret or dir",
						      optarg);
			o.target_kind = (enum sp_target_kind)kind;
			kind_set = 1;
			break;
		case OPT_STREAM: o.stream = 1; break;
		case OPT_WARMUP: o.warmup = optarg; break;
		case OPT_LATENCY: o.latency = 1; break;
		case OPT_STATE: o.state = optarg; break;
		case OPT_SYMBOL: o.symbol = optarg; break;
		case OPT_LIST: list = 1; break;
		case 'h': fputs(usage, stdout); return SP_EXIT_OK;
		case OPT_VERSION: printf("sp-features %s\n", SP_VERSION); return SP_EXIT_OK;
		case ':':
			return sp_usage_error("option '%s' needs a value", argv[optind - 1]);
		default:
			return sp_opt_unknown(options, argv[optind - 1], optopt);
		}
	}
	if (list)
		return sp_features_list(stdout) < 0 ? SP_EXIT_FAIL : SP_EXIT_OK;
	if ((o.output && !*o.output) || (o.state && !*o.state) || (o.warmup && !*o.warmup))
		return sp_usage_error("a file name is empty");
	if (o.spec && o.spec_file)
		return sp_usage_error("give --spec or --spec-file, not both");
	if (o.stream && o.target)
		return sp_usage_error("--target looks ahead, which --stream cannot do");
	if (kind_set && !o.target)
		return sp_usage_error("--target-kind needs --target");
	return sp_features_run(&o, (const char *const *)argv + optind, (size_t)(argc - optind));
}
