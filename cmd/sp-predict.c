/*
 * sp-predict - predictions of the N-day return, price, interval and signal
 * from features and a model.
 *
 * See man/sp-predict.1.  This file is the options; lib/predict.c is the job.
 */
#include "opt.h"
#include "predict.h"
#include "usage.h"
#include "version.h"

#include <getopt.h>
#include <stdio.h>
#include "banned.h"

static const char usage[] =
	"usage: sp-predict (--model FILE | --registry DIR --name NAME) [options] [FILE...]\n"
	"\n"
	"Read features (sp-features' output; CSV or NDJSON, zstd or not) and write\n"
	"one prediction per row: symbol,date,target_date,close,pred_return,\n"
	"pred_close,pred_lo,pred_hi,signal,model.  SIGHUP reloads the model.\n"
	"\n"
	"  -m, --model FILE       the model file sp-train wrote\n"
	"      --registry DIR     or the current version of NAME in the registry DIR\n"
	"      --name NAME\n"
	"  -o, --output FILE      write to FILE atomically (.zst compresses)\n"
	"  -f, --format FMT       output format: csv or ndjson (default: the input's)\n"
	"      --stream           write and flush each prediction as its row arrives;\n"
	"                         a bad row is reported and skipped\n"
	"      --buy X            buy above X (default: the model's)\n"
	"      --sell X           sell below X (default: the model's)\n"
	"  -h, --help             show this help\n"
	"      --version          show the version\n";

enum { OPT_REGISTRY = 256, OPT_NAME, OPT_STREAM, OPT_BUY, OPT_SELL, OPT_VERSION };

static const struct option options[] = {
	{ "model", required_argument, NULL, 'm' },
	{ "registry", required_argument, NULL, OPT_REGISTRY },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "output", required_argument, NULL, 'o' },
	{ "format", required_argument, NULL, 'f' },
	{ "stream", no_argument, NULL, OPT_STREAM },
	{ "buy", required_argument, NULL, OPT_BUY },
	{ "sell", required_argument, NULL, OPT_SELL },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

int cmd_main(int argc, char **argv);

int cmd_main(int argc, char **argv)
{
	struct sp_predict_options o;
	int c;

	sp_predict_options_init(&o);
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":m:o:f:h", options, NULL)) != -1) {
		switch (c) {
		case 'm': o.model = optarg; break;
		case OPT_REGISTRY: o.registry = optarg; break;
		case OPT_NAME: o.name = optarg; break;
		case 'o': o.output = optarg; break;
		case 'f':
			if ((o.format = sp_format_parse(optarg)) == SP_FORMAT_AUTO)
				return sp_usage_error("--format: '%s' is not csv or ndjson", optarg);
			break;
		case OPT_STREAM: o.stream = 1; break;
		case OPT_BUY:
			if (sp_opt_double("buy", optarg, &o.buy) < 0)
				return sp_opt_hint();
			break;
		case OPT_SELL:
			if (sp_opt_double("sell", optarg, &o.sell) < 0)
				return sp_opt_hint();
			break;
		case 'h': fputs(usage, stdout); return SP_EXIT_OK;
		case OPT_VERSION: printf("sp-predict %s\n", SP_VERSION); return SP_EXIT_OK;
		case ':':
			return sp_usage_error("option '%s' needs a value", argv[optind - 1]);
		default:
			return sp_opt_unknown(options, argv[optind - 1], optopt);
		}
	}
	if (!o.model == !o.registry)
		return sp_usage_error("give --model FILE or --registry DIR --name NAME");
	if (!!o.registry != !!o.name)
		return sp_usage_error("--registry and --name go together");
	if (o.output && !*o.output)
		return sp_usage_error("a file name is empty");
	return sp_predict_run(&o, (const char *const *)argv + optind, (size_t)(argc - optind));
}
