/*
 * sp-train - walk-forward evaluation of a model of the N-day return against
 * the random walk, and the model file.
 *
 * See man/sp-train.1.  This file is the options; lib/train-job.c is the job.
 */
#include "opt.h"
#include "train-job.h"
#include "usage.h"
#include "version.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "banned.h"

static const char usage[] =
	"usage: sp-train [options] [FILE...]\n"
	"\n"
	"Read features with a y_ target (sp-features --target N; CSV or NDJSON,\n"
	"zstd or not), evaluate a model walk-forward against the naive baselines,\n"
	"print the out-of-sample table on stderr, and fit the model on all rows.\n"
	"\n"
	"  -m, --model KIND       naive, ridge, logistic, gbdt or ensemble (ridge)\n"
	"  -o, --output FILE      write the model (JSON; .zst compresses)\n"
	"      --report FILE      write the evaluation report as JSON\n"
	"      --oos-predictions FILE\n"
	"                         write the walk-forward out-of-sample predictions\n"
	"  -f, --format FMT       format of --oos-predictions: csv or ndjson (csv)\n"
	"      --target NAME      the target column (the input's only y_ret_N or\n"
	"                         y_logret_N)\n"
	"      --features LIST    comma-separated feature columns (default: every\n"
	"                         numeric column but symbol, date, prices, y_*)\n"
	"      --exclude LIST     columns never to use as features\n"
	"      --folds K          walk-forward test folds (5)\n"
	"      --per-symbol       one model per symbol, each evaluated on its own rows\n"
	"      --window N         rolling training window of N dates (expanding)\n"
	"      --embargo N        dates between the purged labels and a test fold\n"
	"                         (the horizon; at least the horizon)\n"
	"      --val-frac F       latest share of training dates that chooses the\n"
	"                         penalty or rounds (0.2)\n"
	"      --alphas LIST      ridge/logistic penalty grid\n"
	"                         (ridge 0.01,0.1,...,1e6; logistic 1,100,10000)\n"
	"      --naive RULE       what --model naive stores: zero, mean, momentum (mean)\n"
	"      --rounds N         gbdt: most boosting rounds (500)\n"
	"      --max-depth N      gbdt: tree depth (3)\n"
	"      --eta X            gbdt: learning rate (0.05)\n"
	"      --seed N           gbdt: random seed (0)\n"
	"      --threads N        gbdt: threads (1)\n"
	"      --coverage C       prediction interval coverage (0.8)\n"
	"      --adaptive         adaptive conformal intervals for drifting volatility\n"
	"      --aci-gamma G      adaptive step size (0.005)\n"
	"      --buy X            signal threshold stored in the model (0.01; 0.55 for\n"
	"                         logistic, on the probability)\n"
	"      --sell X           (-0.01; 0.45 for logistic)\n"
	"      --registry DIR     store the run as DIR/NAME/vN and log it\n"
	"      --name NAME        the model's name in the registry\n"
	"      --promote MODE     auto, always or never (auto: if better on the most\n"
	"                         recent fold than the current version)\n"
	"      --promote-metric M rmse, ic or hit (rmse)\n"
	"  -q, --quiet            no table on stderr\n"
	"  -h, --help             show this help\n"
	"      --version          show the version\n";

enum {
	OPT_REPORT = 256, OPT_OOS, OPT_TARGET, OPT_FEATURES, OPT_EXCLUDE, OPT_FOLDS, OPT_WINDOW,
	OPT_EMBARGO, OPT_VAL_FRAC, OPT_ALPHAS, OPT_NAIVE, OPT_ROUNDS, OPT_MAX_DEPTH, OPT_ETA,
	OPT_SEED, OPT_THREADS, OPT_COVERAGE, OPT_ADAPTIVE, OPT_ACI_GAMMA, OPT_BUY, OPT_SELL,
	OPT_REGISTRY, OPT_NAME, OPT_PROMOTE, OPT_PROMOTE_METRIC, OPT_PER_SYMBOL, OPT_VERSION,
};

static const struct option options[] = {
	{ "model", required_argument, NULL, 'm' },
	{ "output", required_argument, NULL, 'o' },
	{ "report", required_argument, NULL, OPT_REPORT },
	{ "oos-predictions", required_argument, NULL, OPT_OOS },
	{ "format", required_argument, NULL, 'f' },
	{ "target", required_argument, NULL, OPT_TARGET },
	{ "features", required_argument, NULL, OPT_FEATURES },
	{ "exclude", required_argument, NULL, OPT_EXCLUDE },
	{ "folds", required_argument, NULL, OPT_FOLDS },
	{ "per-symbol", no_argument, NULL, OPT_PER_SYMBOL },
	{ "window", required_argument, NULL, OPT_WINDOW },
	{ "embargo", required_argument, NULL, OPT_EMBARGO },
	{ "val-frac", required_argument, NULL, OPT_VAL_FRAC },
	{ "alphas", required_argument, NULL, OPT_ALPHAS },
	{ "naive", required_argument, NULL, OPT_NAIVE },
	{ "rounds", required_argument, NULL, OPT_ROUNDS },
	{ "max-depth", required_argument, NULL, OPT_MAX_DEPTH },
	{ "eta", required_argument, NULL, OPT_ETA },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "threads", required_argument, NULL, OPT_THREADS },
	{ "coverage", required_argument, NULL, OPT_COVERAGE },
	{ "adaptive", no_argument, NULL, OPT_ADAPTIVE },
	{ "aci-gamma", required_argument, NULL, OPT_ACI_GAMMA },
	{ "buy", required_argument, NULL, OPT_BUY },
	{ "sell", required_argument, NULL, OPT_SELL },
	{ "registry", required_argument, NULL, OPT_REGISTRY },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "promote", required_argument, NULL, OPT_PROMOTE },
	{ "promote-metric", required_argument, NULL, OPT_PROMOTE_METRIC },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

/* Split a comma list in place; the pieces point into TEXT.  NULL after a message. */
static char **split(const char *name, char *text, size_t *n)
{
	size_t cap = 1;
	char **v, *tok, *save = NULL;

	for (const char *p = text; *p; p++)
		cap += *p == ',';
	if (!(v = calloc(cap + 1, sizeof(*v)))) {
		sp_error("out of memory");
		return NULL;
	}
	*n = 0;
	for (tok = strtok_r(text, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		v[(*n)++] = tok;
	if (!*n) {
		sp_usage_error("--%s: empty list", name);
		free(v);
		return NULL;
	}
	return v;
}

static double *numbers(char *text, size_t *n)
{
	char **v = split("alphas", text, n);
	double *a = v ? calloc(*n + 1, sizeof(double)) : NULL;

	for (size_t i = 0; a && i < *n; i++) {
		if (sp_opt_double("alphas", v[i], &a[i]) < 0 || a[i] < 0) {
			if (a[i] < 0)
				sp_error("--alphas: '%s' is negative", v[i]);
			free(a);
			a = NULL;
		}
	}
	free(v);
	return a;
}

static int pick(const char *name, const char *text, const char *const *words, int n)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(text, words[i]))
			return i;
	sp_usage_error("--%s: '%s' is not one of the choices in --help", name, text);
	return -1;
}

int cmd_main(int argc, char **argv);

int cmd_main(int argc, char **argv)
{
	static const char *const naive[] = { "zero", "mean", "momentum" };
	static const char *const promote[] = { "auto", "always", "never" };
	static const char *const metric[] = { "rmse", "ic", "hit" };
	struct sp_train_job j;
	char **features = NULL, **exclude = NULL;
	double *alphas = NULL;
	long v;
	int c, rc = SP_EXIT_USAGE, w;

	sp_train_job_init(&j);
	j.argv = (const char *const *)argv;
	j.argc = argc;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":m:o:f:qh", options, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (sp_model_kind_parse(optarg, &j.train.kind) < 0) {
				sp_usage_error("--model: '%s' is not naive, ridge, logistic, gbdt "
					       "or ensemble", optarg);
				goto out;
			}
			break;
		case 'o': j.output = optarg; break;
		case OPT_REPORT: j.report = optarg; break;
		case OPT_OOS: j.oos = optarg; break;
		case 'f':
			if ((j.oos_format = sp_format_parse(optarg)) == SP_FORMAT_AUTO) {
				sp_usage_error("--format: '%s' is not csv or ndjson", optarg);
				goto out;
			}
			break;
		case OPT_TARGET: j.data.target = optarg; break;
		case OPT_FEATURES:
			free(features);
			if (!(features = split("features", optarg, &j.data.nfeatures)))
				goto out;
			j.data.features = (const char *const *)features;
			break;
		case OPT_EXCLUDE:
			free(exclude);
			if (!(exclude = split("exclude", optarg, &j.data.nexclude)))
				goto out;
			j.data.exclude = (const char *const *)exclude;
			break;
		case OPT_FOLDS:
			if (sp_opt_long("folds", optarg, 1, 100, &v) < 0)
				goto hint;
			j.train.folds = (int)v;
			break;
		case OPT_WINDOW:
			if (sp_opt_long("window", optarg, 10, 1000000, &v) < 0)
				goto hint;
			j.train.window = (int)v;
			break;
		case OPT_EMBARGO:
			if (sp_opt_long("embargo", optarg, 0, 10000, &v) < 0)
				goto hint;
			j.train.embargo = (int)v;
			break;
		case OPT_VAL_FRAC:
			if (sp_opt_double("val-frac", optarg, &j.train.val_frac) < 0)
				goto hint;
			if (!(j.train.val_frac > 0 && j.train.val_frac < 1)) {
				sp_usage_error("--val-frac: '%s' is not between 0 and 1", optarg);
				goto out;
			}
			break;
		case OPT_ALPHAS:
			free(alphas);
			if (!(alphas = numbers(optarg, &j.train.nalphas)))
				goto hint;
			j.train.alphas = alphas;
			break;
		case OPT_NAIVE:
			if ((w = pick("naive", optarg, naive, 3)) < 0)
				goto out;
			j.train.naive_rule = (enum sp_naive_rule)w;
			break;
		case OPT_ROUNDS:
			if (sp_opt_long("rounds", optarg, 1, 100000, &v) < 0)
				goto hint;
			j.train.gbdt.max_rounds = (int)v;
			break;
		case OPT_MAX_DEPTH:
			if (sp_opt_long("max-depth", optarg, 1, 20, &v) < 0)
				goto hint;
			j.train.gbdt.max_depth = (int)v;
			break;
		case OPT_ETA:
			if (sp_opt_double("eta", optarg, &j.train.gbdt.eta) < 0)
				goto hint;
			if (!(j.train.gbdt.eta > 0 && j.train.gbdt.eta <= 1)) {
				sp_usage_error("--eta: '%s' is not in (0, 1]", optarg);
				goto out;
			}
			break;
		case OPT_SEED:
			if (sp_opt_long("seed", optarg, 0, 2147483647, &v) < 0)
				goto hint;
			j.train.gbdt.seed = (unsigned long)v;
			break;
		case OPT_THREADS:
			if (sp_opt_long("threads", optarg, 1, 1024, &v) < 0)
				goto hint;
			j.train.gbdt.threads = (int)v;
			break;
		case OPT_COVERAGE:
			if (sp_opt_double("coverage", optarg, &j.train.coverage) < 0)
				goto hint;
			if (!(j.train.coverage > 0 && j.train.coverage < 1)) {
				sp_usage_error("--coverage: '%s' is not between 0 and 1", optarg);
				goto out;
			}
			break;
		case OPT_ADAPTIVE: j.train.adaptive = 1; break;
		case OPT_PER_SYMBOL: j.train.per_symbol = 1; break;
		case OPT_ACI_GAMMA:
			if (sp_opt_double("aci-gamma", optarg, &j.train.aci_gamma) < 0)
				goto hint;
			if (!(j.train.aci_gamma >= 0 && j.train.aci_gamma < 1)) {
				sp_usage_error("--aci-gamma: '%s' is not in [0, 1)", optarg);
				goto out;
			}
			break;
		case OPT_BUY:
			if (sp_opt_double("buy", optarg, &j.train.buy) < 0)
				goto hint;
			break;
		case OPT_SELL:
			if (sp_opt_double("sell", optarg, &j.train.sell) < 0)
				goto hint;
			break;
		case OPT_REGISTRY: j.publish.dir = optarg; break;
		case OPT_NAME: j.publish.name = optarg; break;
		case OPT_PROMOTE:
			if ((w = pick("promote", optarg, promote, 3)) < 0)
				goto out;
			j.publish.promote = (enum sp_promote)w;
			break;
		case OPT_PROMOTE_METRIC:
			if ((w = pick("promote-metric", optarg, metric, 3)) < 0)
				goto out;
			j.publish.metric = (enum sp_promote_metric)w;
			break;
		case 'q': j.train.quiet = 1; break;
		case 'h': fputs(usage, stdout); rc = SP_EXIT_OK; goto out;
		case OPT_VERSION: printf("sp-train %s\n", SP_VERSION); rc = SP_EXIT_OK; goto out;
		case ':':
			sp_usage_error("option '%s' needs a value", argv[optind - 1]);
			goto out;
		default:
			rc = sp_opt_unknown(options, argv[optind - 1], optopt);
			goto out;
		}
	}
	if (!!j.publish.dir != !!j.publish.name) {
		sp_usage_error("--registry and --name go together");
		goto out;
	}
	if ((j.output && !*j.output) || (j.report && !*j.report) || (j.oos && !*j.oos)) {
		sp_usage_error("a file name is empty");
		goto out;
	}
	if (!isnan(j.train.buy) && !isnan(j.train.sell) && j.train.sell > j.train.buy) {
		sp_usage_error("--sell %g is above --buy %g", j.train.sell, j.train.buy);
		goto out;
	}
	rc = sp_train_job_run(&j, (const char *const *)argv + optind, (size_t)(argc - optind));
	goto out;
hint:
	rc = sp_opt_hint();
out:
	free(features);
	free(exclude);
	free(alphas);
	return rc;
}
