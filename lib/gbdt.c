/* gbdt.c - gradient-boosted trees through XGBoost's C API. */
#include "gbdt.h"
#include "usage.h"

#include <dlfcn.h>
#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xgboost/c_api.h>
#include "banned.h"

/*
 * XGBoost keeps its error text per thread and prefixes it with a time stamp; a stack trace
 * may follow.  The message is the first line without the stamp.  Every XGBoost call's status
 * is checked and reported through xgb_error(), but for the frees of valid handles.
 */

/* Rows converted and predicted at once by sp_gbdt_predict(). */
#define PREDICT_BLOCK 65536

struct sp_gbdt {
	BoosterHandle h;
	size_t nfeat;
	int threads;		/* for building prediction matrices; 0 = XGBoost's default */
};

static int xgb_error(const char *what)
{
	const char *e = XGBGetLastError();

	if (!e || !*e)
		e = "unknown error";
	if (e[0] == '[') {
		const char *r = strchr(e, ']');
		if (r && r - e < 16) {
			e = r + 1;
			while (*e == ' ')
				e++;
		}
	}
	return sp_error("xgboost: %s: %.*s", what, (int)strcspn(e, "\n"), e);
}

static int xgb_ok(int rc, const char *what)
{
	return rc == 0 ? 0 : xgb_error(what);
}

static pthread_once_t quiet_once = PTHREAD_ONCE_INIT;
static int quiet_rc;

static void quiet_init(void)
{
	quiet_rc = XGBSetGlobalConfig("{\"verbosity\": 0}");
}

/* Silence XGBoost's logging for the whole process, once. */
static int xgb_quiet(void)
{
	pthread_once(&quiet_once, quiet_init);
	return xgb_ok(quiet_rc, "setting verbosity");
}

void sp_gbdt_params_init(struct sp_gbdt_params *p)
{
	*p = (struct sp_gbdt_params){
		.objective = "reg:squarederror",
		.max_depth = 3,
		.eta = 0.05,
		.subsample = 0.8,
		.colsample = 0.8,
		.min_child_weight = 50,
		.lambda = 1,
		.max_rounds = 500,
		.early_stop = 30,
		.seed = 0,
		.threads = 0,
	};
}

/* D rounded to float; NAN stays missing, the rest is clamped into the finite float range. */
static float to_float(double d)
{
	if (isnan(d))
		return NAN;
	if (d >= FLT_MAX)
		return FLT_MAX;
	if (d <= -FLT_MAX)
		return -FLT_MAX;
	return (float)d;
}

/* N rows of NFEAT doubles as floats in BUF, then a DMatrix of them. */
static int make_dmatrix(const double *x, size_t n, size_t nfeat, float *buf, int threads,
			DMatrixHandle *out)
{
	size_t cells = n * nfeat;

	for (size_t i = 0; i < cells; i++)
		buf[i] = to_float(x[i]);
	return xgb_ok(XGDMatrixCreateFromMat_omp(buf, (bst_ulong)n, (bst_ulong)nfeat, NAN, out,
						 threads), "creating a matrix");
}

/* A float buffer for N rows of NFEAT, or NULL after a message (overflow included). */
static float *alloc_rows(size_t n, size_t nfeat)
{
	if (nfeat && n > SIZE_MAX / sizeof(float) / nfeat) {
		sp_error("gbdt: %zu rows of %zu features is too large", n, nfeat);
		return NULL;
	}
	size_t cells = n * nfeat;
	float *buf = malloc((cells ? cells : 1) * sizeof(float));
	if (!buf)
		sp_error("gbdt: out of memory for %zu rows of %zu features", n, nfeat);
	return buf;
}

/* A DMatrix of X and labels Y (finite), both N rows; 0, or -1 after a message. */
static int labelled(const double *x, const double *y, size_t n, size_t nfeat, int threads,
		    const char *name, DMatrixHandle *out)
{
	float *buf = alloc_rows(n, nfeat), *lab = malloc(n * sizeof(float));
	int rc = -1;

	*out = NULL;
	if (!buf || !lab) {
		if (buf && !lab)
			sp_error("gbdt: out of memory for %zu labels", n);
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(y[i]) || fabs(y[i]) > FLT_MAX) {
			sp_error("gbdt: %s label %zu is not a finite float (%g)", name, i, y[i]);
			goto done;
		}
		lab[i] = (float)y[i];
	}
	if (make_dmatrix(x, n, nfeat, buf, threads, out))
		goto done;
	rc = xgb_ok(XGDMatrixSetFloatInfo(*out, "label", lab, (bst_ulong)n), "setting labels");
done:
	free(buf);
	free(lab);
	if (rc && *out) {
		XGDMatrixFree(*out);
		*out = NULL;
	}
	return rc;
}

static int set_param(BoosterHandle h, const char *name, const char *value)
{
	if (XGBoosterSetParam(h, name, value) == 0)
		return 0;
	return xgb_error(name);
}

static int set_double(BoosterHandle h, const char *name, double v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%.17g", v);
	return set_param(h, name, buf);
}

static int set_long(BoosterHandle h, const char *name, long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%ld", v);
	return set_param(h, name, buf);
}

/* The mean label, kept inside (0, 1) for a logistic objective. */
static double base_score(const char *objective, const double *y, size_t n)
{
	double sum = 0;

	for (size_t i = 0; i < n; i++)
		sum += y[i];
	double m = sum / (double)n;
	if (!strcmp(objective, "binary:logistic")) {
		if (m < 1e-6)
			m = 1e-6;
		if (m > 1 - 1e-6)
			m = 1 - 1e-6;
	}
	return m;
}

static int set_params(BoosterHandle h, const struct sp_gbdt_params *p, double base, int val)
{
	const char *obj = p->objective ? p->objective : "reg:squarederror";
	const char *metric = !strcmp(obj, "reg:squarederror") ? "rmse" :
			     !strcmp(obj, "binary:logistic") ? "logloss" : NULL;

	if (set_param(h, "verbosity", "0") || set_param(h, "objective", obj) ||
	    set_param(h, "tree_method", "hist") || set_long(h, "max_depth", p->max_depth) ||
	    set_double(h, "eta", p->eta) || set_double(h, "subsample", p->subsample) ||
	    set_double(h, "colsample_bytree", p->colsample) ||
	    set_double(h, "min_child_weight", p->min_child_weight) ||
	    set_double(h, "lambda", p->lambda) || set_long(h, "seed", (long)p->seed) ||
	    set_double(h, "base_score", base))
		return -1;
	if (p->threads > 0 && set_long(h, "nthread", p->threads))
		return -1;
	if (val && metric && set_param(h, "eval_metric", metric))
		return -1;
	return 0;
}

/* The value of the last "name:value" in an evaluation line such as "[3]\tval-rmse:0.25". */
static int parse_metric(const char *s, double *out)
{
	const char *colon = s ? strrchr(s, ':') : NULL;
	char *end;

	if (!colon)
		return sp_error("xgboost: unexpected evaluation '%s'", s ? s : "(null)");
	*out = strtod(colon + 1, &end);
	if (end == colon + 1)
		return sp_error("xgboost: unexpected evaluation '%s'", s);
	return 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static struct sp_gbdt *wrap(BoosterHandle h, int threads)
{
	struct sp_gbdt *g = malloc(sizeof(*g));
	bst_ulong nfeat;

	if (!g) {
		sp_error("gbdt: out of memory");
		goto fail;
	}
	if (xgb_ok(XGBoosterGetNumFeature(h, &nfeat), "reading the feature count"))
		goto fail;
	if (nfeat == 0) {
		sp_error("gbdt: the booster has no features");
		goto fail;
	}
	g->h = h;
	g->nfeat = (size_t)nfeat;
	g->threads = threads > 0 ? threads : 0;
	return g;
fail:
	free(g);
	XGBoosterFree(h);
	return NULL;
}

static int check_fit_args(const struct sp_gbdt_params *p, const double *x, const double *y,
			  size_t n, size_t nfeat, const double *xval, const double *yval,
			  size_t nval)
{
	if (!x || !y || n == 0)
		return sp_error("gbdt: no training rows");
	if (nfeat == 0)
		return sp_error("gbdt: no features");
	if (nval && (!xval || !yval))
		return sp_error("gbdt: validation rows without data");
	if (p->max_rounds < 1)
		return sp_error("gbdt: max_rounds must be at least 1, not %d", p->max_rounds);
	if (p->seed > (unsigned long)INT64_MAX)
		return sp_error("gbdt: seed %lu is not below 2^63", p->seed);
	return 0;
}

struct sp_gbdt *sp_gbdt_fit(const struct sp_gbdt_params *p, const double *x, const double *y,
			    size_t n, size_t nfeat, const double *xval, const double *yval,
			    size_t nval, int *rounds, double *seconds_per_round)
{
	const char *obj = p->objective ? p->objective : "reg:squarederror";
	DMatrixHandle mats[2] = { NULL, NULL };
	BoosterHandle h = NULL, sliced;
	const char *names[] = { "val" };
	double best_metric = 0, t0;
	int best = -1, ran = 0;

	if (check_fit_args(p, x, y, n, nfeat, xval, yval, nval) || xgb_quiet())
		return NULL;
	if (labelled(x, y, n, nfeat, p->threads, "training", &mats[0]) ||
	    (nval && labelled(xval, yval, nval, nfeat, p->threads, "validation", &mats[1])))
		goto fail;
	if (xgb_ok(XGBoosterCreate(mats, nval ? 2 : 1, &h), "creating a booster") ||
	    set_params(h, p, base_score(obj, y, n), nval > 0))
		goto fail;

	t0 = now();
	while (ran < p->max_rounds) {
		if (xgb_ok(XGBoosterUpdateOneIter(h, ran, mats[0]), "boosting"))
			goto fail;
		ran++;
		if (!nval)
			continue;
		const char *eval;
		double m = NAN;
		if (xgb_ok(XGBoosterEvalOneIter(h, ran - 1, &mats[1], names, 1, &eval),
			   "evaluating") || parse_metric(eval, &m))
			goto fail;
		if (isnan(m))
			m = INFINITY;
		if (best < 0 || m < best_metric) {
			best = ran - 1;
			best_metric = m;
		} else if (p->early_stop > 0 && ran - 1 - best >= p->early_stop) {
			break;
		}
	}
	if (seconds_per_round)
		*seconds_per_round = (now() - t0) / ran;

	int kept = nval ? best + 1 : ran;
	if (kept < ran) {
		int rc = XGBoosterSlice(h, 0, kept, 1, &sliced);
		if (rc)
			goto fail_slice;
		XGBoosterFree(h);
		h = sliced;
	}
	if (rounds)
		*rounds = kept;
	XGDMatrixFree(mats[0]);
	if (mats[1])
		XGDMatrixFree(mats[1]);
	return wrap(h, p->threads);

fail_slice:
	xgb_error("keeping the best rounds");
fail:
	if (h)
		XGBoosterFree(h);
	if (mats[0])
		XGDMatrixFree(mats[0]);
	if (mats[1])
		XGDMatrixFree(mats[1]);
	return NULL;
}

int sp_gbdt_predict(const struct sp_gbdt *g, const double *x, size_t n, size_t nfeat, double *out)
{
	static const char config[] = "{\"type\": 0, \"training\": false, \"iteration_begin\": 0,"
				     " \"iteration_end\": 0, \"strict_shape\": false}";
	size_t block = n < PREDICT_BLOCK ? n : PREDICT_BLOCK;
	float *buf;

	if (nfeat != g->nfeat)
		return sp_error("gbdt: %zu features given, the booster has %zu", nfeat, g->nfeat);
	if (n == 0)
		return 0;
	buf = alloc_rows(block, nfeat);
	if (!buf)
		return -1;
	for (size_t at = 0; at < n; at += block) {
		size_t rows = n - at < block ? n - at : block;
		DMatrixHandle d;
		const bst_ulong *shape;
		bst_ulong dim;
		const float *pred;

		if (make_dmatrix(x + at * nfeat, rows, nfeat, buf, g->threads, &d))
			goto fail;
		int rc = XGBoosterPredictFromDMatrix(g->h, d, config, &shape, &dim, &pred);
		if (rc) {
			xgb_error("predicting");
			XGDMatrixFree(d);
			goto fail;
		}
		if (dim != 1 || shape[0] != rows) {
			sp_error("gbdt: the booster gives more than one output a row");
			XGDMatrixFree(d);
			goto fail;
		}
		for (size_t i = 0; i < rows; i++)
			out[at + i] = pred[i];
		XGDMatrixFree(d);
	}
	free(buf);
	return 0;
fail:
	free(buf);
	return -1;
}

char *sp_gbdt_save_json(const struct sp_gbdt *g, size_t *len)
{
	bst_ulong n;
	const char *data;
	char *s;

	if (xgb_ok(XGBoosterSaveModelToBuffer(g->h, "{\"format\": \"json\"}", &n, &data),
		   "saving the booster"))
		return NULL;
	s = malloc((size_t)n + 1);
	if (!s) {
		sp_error("gbdt: out of memory for a %llu-byte model", (unsigned long long)n);
		return NULL;
	}
	memcpy(s, data, (size_t)n);
	s[n] = '\0';
	if (len)
		*len = (size_t)n;
	return s;
}

struct sp_gbdt *sp_gbdt_load_json(const char *json, size_t len)
{
	BoosterHandle h;
	size_t i = 0;

	/* XGBoost reads anything not opening with '{' as its old binary format. */
	while (i < len && (json[i] == ' ' || json[i] == '\t' || json[i] == '\n' || json[i] == '\r'))
		i++;
	if (i == len || json[i] != '{') {
		sp_error("gbdt: the booster is not a JSON object");
		return NULL;
	}
	if (xgb_quiet() || xgb_ok(XGBoosterCreate(NULL, 0, &h), "creating a booster"))
		return NULL;
	if (xgb_ok(XGBoosterLoadModelFromBuffer(h, json + i, (bst_ulong)(len - i)),
		   "loading the booster") || set_param(h, "verbosity", "0")) {
		XGBoosterFree(h);
		return NULL;
	}
	return wrap(h, 0);
}

size_t sp_gbdt_nfeat(const struct sp_gbdt *g)
{
	return g->nfeat;
}

/*
 * XGBoost parallelises with OpenMP, whose runtime (libgomp) keeps its worker threads parked
 * until the process ends; valgrind then reports each one's thread-local storage as possibly
 * lost.  OpenMP 5.0's omp_pause_resource_all() ends them.  It is looked up at run time so that
 * nothing here depends on which OpenMP runtime, if any, XGBoost was built with.
 */
void sp_gbdt_release_threads(void)
{
	int (*pause_all)(int) = (int (*)(int))dlsym(RTLD_DEFAULT, "omp_pause_resource_all");

	if (pause_all)
		pause_all(2);	/* omp_pause_hard */
}

void sp_gbdt_free(struct sp_gbdt *g)
{
	if (!g)
		return;
	XGBoosterFree(g->h);
	free(g);
}
