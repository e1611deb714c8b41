/*
 * test-gbdt.c - the XGBoost wrapper on synthetic data whose answer is known by construction:
 * a step in x0 plus a slope in x1 (x2 pure noise, some entries missing), a pure-noise label
 * that early stopping must give up on, and a class that is the sign of x0.  Then the booster's
 * bytes: save -> load predicts the same floats, two fits give the same JSON, garbage fails.
 * The data come from a fixed-seed splitmix64 and Box-Muller, so every run sees the same rows.
 */
#include "gbdt.h"
#include "tap.h"

#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NFEAT 3
#define NTRAIN 4000
#define NVAL 1000
#define NTEST 1000

static uint64_t rng_state;

static uint64_t splitmix64(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform on (0, 1). */
static double uniform(void)
{
	return ((double)(splitmix64() >> 11) + 0.5) / 9007199254740992.0;
}

static double normal(void)
{
	return sqrt(-2 * log(uniform())) * cos(2 * M_PI * uniform());
}

enum kind { STEP, NOISE, SIGN };

struct data {
	double x[NTRAIN * NFEAT], y[NTRAIN];
	size_t n;
};

/*
 * N rows: x ~ N(0, 1) each, 3% of entries missing (the label still uses the hidden value).
 * STEP: y = +-0.5 by the sign of x0 + 0.3 x1 + N(0, 0.1^2); NOISE: y = N(0, 1); SIGN: x0 > 0.
 */
static void gen(struct data *d, size_t n, enum kind kind)
{
	d->n = n;
	for (size_t i = 0; i < n; i++) {
		double v[NFEAT];
		for (int j = 0; j < NFEAT; j++) {
			v[j] = normal();
			d->x[i * NFEAT + j] = uniform() < 0.03 ? NAN : v[j];
		}
		double e = normal();
		d->y[i] = kind == STEP ? (v[0] > 0 ? 0.5 : -0.5) + 0.3 * v[1] + 0.1 * e :
			  kind == NOISE ? e : v[0] > 0;
	}
}

static double rmse(const double *p, const double *y, size_t n)
{
	double s = 0;

	for (size_t i = 0; i < n; i++)
		s += (p[i] - y[i]) * (p[i] - y[i]);
	return sqrt(s / (double)n);
}

static double sd(const double *y, size_t n)
{
	double m = 0, s = 0;

	for (size_t i = 0; i < n; i++)
		m += y[i];
	m /= (double)n;
	for (size_t i = 0; i < n; i++)
		s += (y[i] - m) * (y[i] - m);
	return sqrt(s / (double)n);
}

static struct data train, val, test;
static double pred[NTEST], pred2[NTEST];

static struct sp_gbdt_params params(const char *objective)
{
	struct sp_gbdt_params p;

	sp_gbdt_params_init(&p);
	p.objective = objective;
	p.threads = 1;
	p.seed = 42;
	return p;
}

static struct sp_gbdt *fit(const struct sp_gbdt_params *p, int use_val, int *rounds, double *spr)
{
	return sp_gbdt_fit(p, train.x, train.y, train.n, NFEAT, val.x, val.y,
			   use_val ? val.n : 0, rounds, spr);
}

/* Run F(ARG) with stderr going to a file; the text written there in BUF. */
static void *with_stderr(void *(*f)(const void *), const void *arg, char *buf, size_t size)
{
	FILE *tmp = tmpfile();
	int saved = dup(2);
	void *r;

	fflush(stderr);
	dup2(fileno(tmp), 2);
	r = f(arg);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	size_t len = fread(buf, 1, size - 1, tmp);
	buf[len] = '\0';
	fclose(tmp);
	return r;
}

static void *load_text(const void *text)
{
	return sp_gbdt_load_json(text, strlen(text));
}

static void test_regression(void)
{
	struct sp_gbdt_params p = params("reg:squarederror");
	int rounds = -1;
	double spr = -1;
	struct sp_gbdt *g;

	gen(&train, NTRAIN, STEP);
	gen(&val, NVAL, STEP);
	gen(&test, NTEST, STEP);
	g = fit(&p, 1, &rounds, &spr);
	ok(g != NULL, "regression: fit");
	if (!g)
		return;
	is_int(sp_gbdt_nfeat(g), NFEAT, "regression: nfeat");
	ok(rounds > 50 && rounds <= p.max_rounds, "regression: %d rounds kept of at most %d",
	   rounds, p.max_rounds);
	ok(spr > 0 && spr < 0.1, "regression: %.6f s a round (4000 rows, 1 thread)", spr);
	is_int(sp_gbdt_predict(g, test.x, test.n, NFEAT, pred), 0, "regression: predict");
	double e = rmse(pred, test.y, test.n), s = sd(test.y, test.n);
	ok(e < 0.4 * s, "regression: test rmse %.4f < 40%% of sd(y) %.4f", e, s);

	/* Early stopping kept rounds 0..k-1; a fit of exactly k rounds without validation
	 * makes the same trees (validation takes nothing from the random stream). */
	struct sp_gbdt_params pk = p;
	int rk = -1;
	pk.max_rounds = rounds;
	struct sp_gbdt *gk = fit(&pk, 0, &rk, NULL);
	ok(gk != NULL, "regression: refit with the rounds kept");
	is_int(rk, rounds, "regression: refit ran max_rounds");
	if (gk && !sp_gbdt_predict(gk, test.x, test.n, NFEAT, pred2))
		ok(!memcmp(pred, pred2, sizeof(pred)), "regression: sliced booster = %d-round fit",
		   rounds);
	sp_gbdt_free(gk);

	/* Save, load, predict the same floats; two fits, the same bytes. */
	size_t len = 0, len2 = 0;
	char *json = sp_gbdt_save_json(g, &len);
	ok(json && len > 100 && json[0] == '{' && strlen(json) == len, "save: %zu bytes", len);
	if (json) {
		json_error_t err;
		json_t *root = json_loadb(json, len, 0, &err);
		ok(root && json_object_get(root, "learner"), "save: jansson parses it (%s)",
		   root ? "ok" : err.text);
		/* The base score is the mean training label, stored as a float. */
		const char *bs = json_string_value(json_object_get(json_object_get(json_object_get(
			root, "learner"), "learner_model_param"), "base_score"));
		double mean = 0;
		for (size_t i = 0; i < train.n; i++)
			mean += train.y[i] / (double)train.n;
		ok(bs && fabs(strtod(bs, NULL) - mean) < 1e-6,
		   "save: base_score %s is the mean label %.7f", bs ? bs : "(none)", mean);
		json_decref(root);
		struct sp_gbdt *l = sp_gbdt_load_json(json, len);
		ok(l != NULL, "load");
		if (l) {
			is_int(sp_gbdt_nfeat(l), NFEAT, "load: nfeat");
			memset(pred2, 0, sizeof(pred2));
			is_int(sp_gbdt_predict(l, test.x, test.n, NFEAT, pred2), 0,
			       "load: predict");
			ok(!memcmp(pred, pred2, sizeof(pred)), "load: predictions identical");
			char *again = sp_gbdt_save_json(l, &len2);
			ok(again && len2 == len && !memcmp(json, again, len),
			   "load: saves the same bytes");
			free(again);
		}
		sp_gbdt_free(l);
	}
	struct sp_gbdt *g2 = fit(&p, 1, NULL, NULL);
	char *json2 = g2 ? sp_gbdt_save_json(g2, &len2) : NULL;
	ok(json && json2 && len2 == len && !memcmp(json, json2, len),
	   "two fits give the same JSON bytes");
	free(json2);
	sp_gbdt_free(g2);

	/* A different seed draws different rows and columns. */
	p.seed = 43;
	g2 = fit(&p, 1, NULL, NULL);
	json2 = g2 ? sp_gbdt_save_json(g2, &len2) : NULL;
	ok(json && json2 && (len2 != len || memcmp(json, json2, len)),
	   "another seed gives another booster");
	free(json2);
	sp_gbdt_free(g2);

	/* Two threads: deterministic too. */
	p.seed = 42;
	p.threads = 2;
	g2 = fit(&p, 1, NULL, NULL);
	json2 = g2 ? sp_gbdt_save_json(g2, &len2) : NULL;
	size_t len3 = 0;
	struct sp_gbdt *g3 = fit(&p, 1, NULL, NULL);
	char *json3 = g3 ? sp_gbdt_save_json(g3, &len3) : NULL;
	ok(json2 && json3 && len2 == len3 && !memcmp(json2, json3, len2),
	   "two fits on 2 threads give the same JSON bytes");
	free(json2);
	free(json3);
	sp_gbdt_free(g2);
	sp_gbdt_free(g3);

	/* Without validation: exactly max_rounds. */
	p.threads = 1;
	p.max_rounds = 20;
	g2 = fit(&p, 0, &rounds, NULL);
	ok(g2 && rounds == 20, "no validation: %d rounds", rounds);
	sp_gbdt_free(g2);

	free(json);
	sp_gbdt_free(g);
}

static void test_noise(void)
{
	struct sp_gbdt_params p = params("reg:squarederror");
	int rounds = -1;
	double spr = -1;

	gen(&train, NTRAIN, NOISE);
	gen(&val, NVAL, NOISE);
	p.max_rounds = 2000;
	struct sp_gbdt *g = fit(&p, 1, &rounds, &spr);
	ok(g != NULL, "noise: fit");
	ok(rounds >= 1 && rounds < 60, "noise: early stopping kept %d of at most 2000 rounds",
	   rounds);
	ok(spr > 0, "noise: %.6f s a round", spr);
	sp_gbdt_free(g);
}

static void test_binary(void)
{
	struct sp_gbdt_params p = params("binary:logistic");
	int rounds = -1, right = 0, inside = 1;
	double spr = -1;

	gen(&train, NTRAIN, SIGN);
	gen(&val, NVAL, SIGN);
	gen(&test, NTEST, SIGN);
	struct sp_gbdt *g = fit(&p, 1, &rounds, &spr);
	ok(g != NULL, "binary: fit (%d rounds, %.6f s a round)", rounds, spr);
	if (!g)
		return;
	is_int(sp_gbdt_predict(g, test.x, test.n, NFEAT, pred), 0, "binary: predict");
	for (size_t i = 0; i < test.n; i++) {
		right += (pred[i] > 0.5) == (test.y[i] > 0.5);
		inside &= pred[i] > 0 && pred[i] < 1;
	}
	ok(right > 0.9 * NTEST, "binary: accuracy %d/%d", right, NTEST);
	ok(inside, "binary: every prediction in (0, 1)");

	size_t len = 0;
	char *json = sp_gbdt_save_json(g, &len);
	struct sp_gbdt *l = json ? sp_gbdt_load_json(json, len) : NULL;
	ok(l && !sp_gbdt_predict(l, test.x, test.n, NFEAT, pred2) &&
	   !memcmp(pred, pred2, sizeof(pred)), "binary: save -> load predicts the same");
	free(json);
	sp_gbdt_free(l);
	sp_gbdt_free(g);
}

static const struct sp_gbdt_params *fit_params;

static void *fit_quietly(const void *arg)
{
	(void)arg;
	return fit(fit_params, 0, NULL, NULL);
}

/* Fit with P, expecting a failure whose message contains WANT. */
static void fit_fails(const struct sp_gbdt_params *p, const char *want, const char *name)
{
	char msg[4096];
	struct sp_gbdt *g;

	fit_params = p;
	g = with_stderr(fit_quietly, NULL, msg, sizeof(msg));
	ok(g == NULL && strstr(msg, want), "%s: %.*s", name, (int)strcspn(msg, "\n"), msg);
	sp_gbdt_free(g);
}

static const struct sp_gbdt *predict_g;

static void *predict_wrong_width(const void *arg)
{
	(void)arg;
	return sp_gbdt_predict(predict_g, test.x, 2, NFEAT - 1, pred) ? NULL : pred;
}

static void test_errors(void)
{
	static const char *garbage[] = { "hello", "", "   ", "{garbage", "{\"learner\": 1}",
					 "[1, 2]", "{}" };
	struct sp_gbdt_params p = params("reg:squarederror");
	char msg[4096];

	for (size_t i = 0; i < sizeof(garbage) / sizeof(*garbage); i++) {
		void *r = with_stderr(load_text, garbage[i], msg, sizeof(msg));
		ok(r == NULL && (strstr(msg, "gbdt: ") || strstr(msg, "xgboost: ")),
		   "load '%s' fails: %.*s", garbage[i], (int)strcspn(msg, "\n"), msg);
		sp_gbdt_free(r);
	}

	gen(&train, NTRAIN, STEP);
	double keep = train.y[7];
	train.y[7] = NAN;
	fit_fails(&p, "label 7 is not a finite", "a NAN label fails");
	train.y[7] = keep;

	p.objective = "reg:nonsense";
	fit_fails(&p, "reg:nonsense", "an unknown objective fails");
	p = params("binary:logistic");
	fit_fails(&p, "label must be in [0,1]", "binary labels outside [0, 1] fail");
	p = params("reg:squarederror");
	p.max_rounds = 0;
	fit_fails(&p, "max_rounds", "max_rounds 0 fails");
	p.max_rounds = 3;
	p.seed = 1UL << 63;
	fit_fails(&p, "seed", "a seed of 2^63 fails");

	p.seed = 0;
	struct sp_gbdt *g = fit(&p, 0, NULL, NULL);
	predict_g = g;
	void *r = g ? with_stderr(predict_wrong_width, NULL, msg, sizeof(msg)) : pred;
	ok(r == NULL && strstr(msg, "2 features given, the booster has 3"),
	   "predict with the wrong feature count fails: %.*s", (int)strcspn(msg, "\n"), msg);
	/* Infinities are clamped, not rejected. */
	double inf_rows[2 * NFEAT] = { INFINITY, -INFINITY, 1e300, NAN, NAN, NAN };
	ok(g && sp_gbdt_predict(g, inf_rows, 2, NFEAT, pred) == 0 && isfinite(pred[0]) &&
	   isfinite(pred[1]), "infinite and all-missing rows predict");
	sp_gbdt_free(g);
}

int main(void)
{
	rng_state = 20261124;
	test_regression();
	test_noise();
	test_binary();
	test_errors();
	/* The 2-thread fits left OpenMP workers parked; valgrind would call them leaks. */
	sp_gbdt_release_threads();
	return tap_done();
}
