/*
 * train.c - walk-forward evaluation and the final fit.
 *
 * The dates are cut into folds+1 blocks.  Fold k tests block k with a model
 * fitted on dates before it, minus a gap of horizon (purge: those labels
 * reach into the test block) plus embargo dates.  Hyperparameters are chosen
 * inside the training dates only: the latest val_frac of them validate fits
 * on the earlier ones (with the same gap), and that validation also yields
 * the conformal scores and the ensemble weights.  Nothing a fold's test
 * predictions depend on lies after its last test date.
 */
#include "train.h"

#include "conformal.h"
#include "json.h"
#include "stats.h"
#include "usage.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "banned.h"

static const double default_alphas[] = { 0.01, 0.1, 1, 10, 100, 1e3, 1e4, 1e5, 1e6 };
static const double default_logistic_alphas[] = { 1, 100, 10000 };

void sp_train_options_init(struct sp_train_options *o)
{
	memset(o, 0, sizeof(*o));
	o->kind = SP_MODEL_RIDGE;
	o->naive_rule = SP_NAIVE_MEAN;
	o->folds = 5;
	o->embargo = -1;
	o->val_frac = 0.2;
	o->coverage = 0.8;
	o->aci_gamma = 0.005;
	o->buy = o->sell = NAN;
	sp_gbdt_params_init(&o->gbdt);
	/* XGBoost's OpenMP threads spin while they wait: on a busy machine all
	 * cores were 17x slower than one (make bench).  More on request. */
	o->gbdt.threads = 1;
}

struct job {
	const struct sp_dataset *ds;
	const struct sp_train_options *o;
	size_t p;
	int gap;		/* horizon + embargo, in dates */
	double *shift;		/* p + 1 centring constants for ridge moments */
};

/* A model fitted on dates [lo, hi) and what its selection saw. */
struct fit {
	struct sp_model *model;
	size_t va, vb;		/* validation rows */
	double *val_pred;	/* the inner model's predictions there */
	double alpha;		/* chosen penalty, NAN if none */
	int rounds;		/* boosting rounds kept, 0 if none */
	double round_seconds;
	double *weights;	/* ensemble: member weights */
};

static void fit_release(struct fit *f)
{
	sp_model_free(f->model);
	free(f->val_pred);
	free(f->weights);
	memset(f, 0, sizeof(*f));
}

static size_t row(const struct job *j, size_t date)
{
	return j->ds->date_start[date];
}

/*
 * A model of KIND over the dataset's features.  A naive model reads none,
 * or, for momentum, the column ret_H (which sp-features writes).
 */
static struct sp_model *new_model(const struct job *j, enum sp_model_kind kind)
{
	const struct sp_dataset *ds = j->ds;
	char mom[32];
	const char *one[1] = { mom };

	if (kind == SP_MODEL_NAIVE) {
		snprintf(mom, sizeof(mom), "ret_%d", ds->horizon);
		return sp_model_new(kind, one, j->o->naive_rule == SP_NAIVE_MOMENTUM, ds->target,
				    ds->horizon, ds->logret);
	}
	return sp_model_new(kind, (const char *const *)ds->feat, ds->nfeat, ds->target,
			    ds->horizon, ds->logret);
}

/* M's predictions of rows [A, B) into PRED + A and PROB + A. */
static int predict_rows(const struct job *j, const struct sp_model *m, size_t a, size_t b,
			double *pred, double *prob)
{
	const struct sp_dataset *ds = j->ds;

	if (m->kind != SP_MODEL_NAIVE)
		return sp_model_predict(m, ds->x + a * j->p, b - a, pred + a, prob + a);
	for (size_t i = a; i < b; i++)
		pred[i] = m->rule == SP_NAIVE_ZERO ? 0 : m->rule == SP_NAIVE_MEAN ? m->mean :
										 ds->mom[i];
	return 0;
}

static double mean_y(const struct job *j, size_t a, size_t b)
{
	double s = 0;

	for (size_t i = a; i < b; i++)
		s += j->ds->y[i];
	return b > a ? s / (double)(b - a) : 0;
}

/* ---- one kind on one range, with its selection ----------------------------------- */

static int fit_ridge(const struct job *j, size_t lo, size_t ih, size_t v, size_t hi,
		     struct fit *f)
{
	const struct sp_dataset *ds = j->ds;
	const double *alphas = j->o->alphas ? j->o->alphas : default_alphas;
	size_t na = j->o->alphas ? j->o->nalphas : sizeof(default_alphas) / sizeof(double);
	struct sp_moments inner, gap, val;
	struct sp_linear cur, best;
	double best_sse = INFINITY;
	int rc = -1;

	if (sp_moments_init(&inner, j->p, j->shift) || sp_moments_init(&gap, j->p, j->shift) ||
	    sp_moments_init(&val, j->p, j->shift) || sp_linear_init(&cur, j->p) ||
	    sp_linear_init(&best, j->p))
		return -1;
	sp_moments_add_rows(&inner, ds->x, ds->y, lo, ih);
	sp_moments_add_rows(&gap, ds->x, ds->y, ih, v);
	sp_moments_add_rows(&val, ds->x, ds->y, v, hi);
	for (size_t k = 0; k < na; k++) {
		double sse;
		if (sp_ridge_fit(&inner, alphas[k], &cur) < 0)
			goto out;
		sse = sp_ridge_sse(&val, &cur);
		if (sse < best_sse) {
			best_sse = sse;
			sp_linear_copy(&best, &cur);
		}
	}
	for (size_t i = v; i < hi; i++)
		f->val_pred[i - v] = sp_linear_eval(&best, ds->x + i * j->p);
	f->alpha = best.alpha;
	sp_moments_add(&inner, &gap);
	sp_moments_add(&inner, &val);
	rc = sp_ridge_fit(&inner, best.alpha, &f->model->lin);
out:
	sp_moments_release(&inner);
	sp_moments_release(&gap);
	sp_moments_release(&val);
	sp_linear_release(&cur);
	sp_linear_release(&best);
	return rc;
}

static int fit_logistic(const struct job *j, size_t lo, size_t ih, size_t v, size_t hi,
			struct fit *f)
{
	const struct sp_dataset *ds = j->ds;
	const double *alphas = j->o->alphas ? j->o->alphas : default_logistic_alphas;
	size_t na = j->o->alphas ? j->o->nalphas :
				   sizeof(default_logistic_alphas) / sizeof(double);
	struct sp_model *inner = new_model(j, SP_MODEL_LOGISTIC), *best = NULL;
	double best_loss = INFINITY;
	int rc = -1;

	if (!inner)
		return -1;
	for (size_t k = 0; k < na; k++) {
		double loss;
		if (sp_logistic_fit(ds->x, ds->y, lo, ih, j->p, alphas[k], &inner->lin) < 0)
			goto out;
		loss = sp_logistic_loss(&inner->lin, ds->x, ds->y, v, hi, j->p);
		if (loss < best_loss) {
			best_loss = loss;
			if (!best && !(best = new_model(j, SP_MODEL_LOGISTIC)))
				goto out;
			sp_linear_copy(&best->lin, &inner->lin);
		}
	}
	if (sp_model_predict(best, ds->x + v * j->p, hi - v, f->val_pred, NULL) < 0)
		goto out;
	f->alpha = best->lin.alpha;
	rc = sp_logistic_fit(ds->x, ds->y, lo, hi, j->p, best->lin.alpha, &f->model->lin);
out:
	sp_model_free(inner);
	sp_model_free(best);
	return rc;
}

static int fit_gbdt(const struct job *j, size_t lo, size_t ih, size_t v, size_t hi,
		    struct fit *f)
{
	const struct sp_dataset *ds = j->ds;
	struct sp_gbdt_params p = j->o->gbdt;
	struct sp_gbdt *inner;
	size_t q = j->p;

	inner = sp_gbdt_fit(&p, ds->x + lo * q, ds->y + lo, ih - lo, q, ds->x + v * q, ds->y + v,
			    hi - v, &f->rounds, &f->round_seconds);
	if (!inner)
		return -1;
	if (sp_gbdt_predict(inner, ds->x + v * q, hi - v, q, f->val_pred) < 0) {
		sp_gbdt_free(inner);
		return -1;
	}
	sp_gbdt_free(inner);
	/* The same number of rounds on every training row, without a
	 * validation set: early stopping already chose it. */
	p.max_rounds = f->rounds > 0 ? f->rounds : 1;
	p.early_stop = 0;
	f->model->gbdt = sp_gbdt_fit(&p, ds->x + lo * q, ds->y + lo, hi - lo, q, NULL, NULL, 0,
				     NULL, NULL);
	return f->model->gbdt ? 0 : -1;
}

static int fit_naive(const struct job *j, enum sp_naive_rule rule, size_t lo, size_t ih,
		     size_t v, size_t hi, struct fit *f)
{
	double inner = mean_y(j, lo, ih);

	for (size_t i = v; i < hi; i++)
		f->val_pred[i - v] = rule == SP_NAIVE_ZERO ? 0 :
				     rule == SP_NAIVE_MEAN ? inner : j->ds->mom[i];
	f->model->rule = rule;
	f->model->mean = mean_y(j, lo, hi);
	return 0;
}

static int fit_kind(const struct job *j, enum sp_model_kind kind, size_t dlo, size_t dhi,
		    struct fit *f);

/*
 * The weights, on a grid of step 0.05 over the simplex, that minimise the
 * squared error of the members' validation predictions.
 */
static void simplex_search(const double *const *pred, const double *y, size_t n, size_t m,
			   double *w, double *best, double *cur, size_t k, int left)
{
	if (k == m - 1) {
		double sse = 0;
		cur[k] = left / 20.0;
		for (size_t i = 0; i < n; i++) {
			double e = y[i];
			for (size_t l = 0; l < m; l++)
				e -= cur[l] * pred[l][i];
			sse += e * e;
		}
		if (sse < *best) {
			*best = sse;
			memcpy(w, cur, m * sizeof(double));
		}
		return;
	}
	for (int s = 0; s <= left; s++) {
		cur[k] = s / 20.0;
		simplex_search(pred, y, n, m, w, best, cur, k + 1, left - s);
	}
}

static const enum sp_model_kind members[] = { SP_MODEL_RIDGE, SP_MODEL_GBDT };
#define NMEMBERS (sizeof(members) / sizeof(*members))

static int fit_ensemble(const struct job *j, size_t dlo, size_t dhi, struct fit *f)
{
	struct fit sub[NMEMBERS] = { 0 };
	const double *pred[NMEMBERS];
	double best = INFINITY, cur[NMEMBERS];
	struct sp_model *m = f->model;
	int rc = -1;

	if (!(m->members = calloc(NMEMBERS, sizeof(*m->members))) ||
	    !(m->weights = calloc(NMEMBERS, sizeof(double))) ||
	    !(f->weights = calloc(NMEMBERS, sizeof(double))))
		return sp_error("out of memory");
	for (size_t k = 0; k < NMEMBERS; k++) {
		if (fit_kind(j, members[k], dlo, dhi, &sub[k]) < 0)
			goto out;
		pred[k] = sub[k].val_pred;
	}
	f->va = sub[0].va;
	f->vb = sub[0].vb;
	simplex_search(pred, j->ds->y + f->va, f->vb - f->va, NMEMBERS, m->weights, &best, cur, 0,
		       20);
	for (size_t i = f->va; i < f->vb; i++) {
		f->val_pred[i - f->va] = 0;
		for (size_t k = 0; k < NMEMBERS; k++)
			f->val_pred[i - f->va] += m->weights[k] * pred[k][i - f->va];
	}
	for (size_t k = 0; k < NMEMBERS; k++) {
		m->members[k] = sub[k].model;
		sub[k].model = NULL;
		m->nmembers++;
		f->weights[k] = m->weights[k];
	}
	f->alpha = sub[0].alpha;
	f->rounds = sub[1].rounds;
	f->round_seconds = sub[1].round_seconds;
	rc = 0;
out:
	for (size_t k = 0; k < NMEMBERS; k++)
		fit_release(&sub[k]);
	return rc;
}

/*
 * Fit KIND on dates [DLO, DHI), choosing its hyperparameters on the latest
 * val_frac of those dates.  Fills F (which the caller releases).
 */
static int fit_kind(const struct job *j, enum sp_model_kind kind, size_t dlo, size_t dhi,
		    struct fit *f)
{
	size_t nd = dhi - dlo, nv = (size_t)floor(j->o->val_frac * (double)nd), dv, dih;
	size_t lo, ih, v, hi;
	int rc;

	memset(f, 0, sizeof(*f));
	f->alpha = NAN;
	if (nv < 1)
		nv = 1;
	dv = dhi - nv;
	if (dv < dlo + (size_t)j->gap + 2)
		return sp_error("%zu training dates are too few to validate on the last %zu "
				"with a gap of %d: give more history, fewer --folds or a smaller "
				"--val-frac", nd, nv, j->gap);
	dih = dv - (size_t)j->gap;
	lo = row(j, dlo);
	ih = row(j, dih);
	v = row(j, dv);
	hi = row(j, dhi);
	f->va = v;
	f->vb = hi;
	if (!(f->val_pred = malloc((hi - v + 1) * sizeof(double))) ||
	    !(f->model = new_model(j, kind)))
		return sp_error("out of memory");
	switch (kind) {
	case SP_MODEL_NAIVE:
		rc = fit_naive(j, j->o->naive_rule, lo, ih, v, hi, f);
		break;
	case SP_MODEL_RIDGE:
		rc = fit_ridge(j, lo, ih, v, hi, f);
		break;
	case SP_MODEL_LOGISTIC:
		rc = fit_logistic(j, lo, ih, v, hi, f);
		break;
	case SP_MODEL_GBDT:
		rc = fit_gbdt(j, lo, ih, v, hi, f);
		break;
	case SP_MODEL_ENSEMBLE:
		rc = fit_ensemble(j, dlo, dhi, f);
		break;
	default:
		rc = sp_error("internal: unknown model kind");
	}
	return rc;
}

/* ---- evaluation ------------------------------------------------------------------- */

static json_t *date_range(const struct sp_dataset *ds, size_t a, size_t b)
{
	char d1[32], d2[32];

	if (b <= a)
		return json_null();
	sp_dataset_date(ds, a, d1);
	sp_dataset_date(ds, b - 1, d2);
	return json_pack("{s:s, s:s, s:I}", "from", d1, "to", d2, "rows", (json_int_t)(b - a));
}

json_t *sp_train_metrics(const struct sp_dataset *ds, const double *pred, size_t a, size_t b)
{
	struct sp_fc_metrics m;

	sp_fc_evaluate(pred, ds->y + a, ds->date + a, b - a, ds->horizon, &m);
	return json_pack("{s:I, s:o, s:o, s:o, s:o, s:I, s:o, s:o, s:o, s:o, s:o, s:I, s:o, s:o, "
			 "s:I}",
			 "n", (json_int_t)m.n, "mae", sp_json_real(m.mae), "rmse",
			 sp_json_real(m.rmse), "r2_oos", sp_json_real(m.r2_oos), "hit_rate",
			 sp_json_real(m.hit_rate), "hit_n", (json_int_t)m.hit_n, "hit_p",
			 sp_json_real(m.hit_p), "ic_mean", sp_json_real(m.ic_mean), "ic_t",
			 sp_json_real(m.ic_t), "ic_t_nw", sp_json_real(m.ic_t_nw), "ic_sd",
			 sp_json_real(m.ic_sd), "ic_dates", (json_int_t)m.ic_dates, "dm_stat",
			 sp_json_real(m.dm_stat), "dm_p", sp_json_real(m.dm_p), "dm_dates",
			 (json_int_t)m.dm_dates);
}

static json_t *all_metrics(const struct job *j, const char *kind, const double *pred,
			   const double *zero, const double *mean, size_t a, size_t b)
{
	json_t *o = json_object();

	json_object_set_new(o, kind, sp_train_metrics(j->ds, pred + a, a, b));
	json_object_set_new(o, "zero", sp_train_metrics(j->ds, zero + a, a, b));
	json_object_set_new(o, "mean", sp_train_metrics(j->ds, mean + a, a, b));
	json_object_set_new(o, "momentum", sp_train_metrics(j->ds, j->ds->mom + a, a, b));
	return o;
}

static double coverage(const struct sp_dataset *ds, const double *pred, const double *hw,
		       size_t a, size_t b)
{
	size_t n = 0, in = 0;

	for (size_t i = a; i < b; i++) {
		if (isnan(pred[i]) || isnan(hw[i]))
			continue;
		n++;
		in += fabs(ds->y[i] - pred[i]) <= hw[i];
	}
	return n ? (double)in / (double)n : NAN;
}

static json_t *fit_json(const struct fit *f)
{
	json_t *o = json_object();

	if (!isnan(f->alpha))
		json_object_set_new(o, "alpha", sp_json_real(f->alpha));
	if (f->rounds)
		json_object_set_new(o, "rounds", json_integer(f->rounds));
	if (f->weights)
		json_object_set_new(o, "weights", json_pack("{s:o, s:o}", "ridge",
							    sp_json_real(f->weights[0]), "gbdt",
							    sp_json_real(f->weights[1])));
	return o;
}

struct eval {
	double *zero, *mean, *scores;
	struct sp_aci *aci;
	json_t *folds;
	double round_seconds;
	int rounds_n;
};

/* Intervals of one test date, and what ACI learns from the date horizon back. */
static int aci_date(const struct job *j, struct eval *e, struct sp_train_result *res, size_t d,
		    size_t first_test_date, double split_q)
{
	const struct sp_dataset *ds = j->ds;
	double w = e->aci ? sp_aci_width(e->aci) : NAN;

	if (isnan(w))
		w = split_q;
	for (size_t i = row(j, d); i < row(j, d + 1); i++)
		res->half_width[i] = w;
	if (e->aci && d >= first_test_date + (size_t)ds->horizon) {
		size_t od = d - (size_t)ds->horizon, a = row(j, od), b = row(j, od + 1), k = 0;
		for (size_t i = a; i < b; i++)
			if (!isnan(res->pred[i]))
				e->scores[k++] = fabs(ds->y[i] - res->pred[i]);
		if (sp_aci_observe(e->aci, e->scores, k, res->half_width[a]) < 0)
			return -1;
	}
	return 0;
}

static int run_fold(const struct job *j, struct eval *e, struct sp_train_result *res, int k,
		    size_t d0, size_t d1, size_t first_test_date)
{
	const struct sp_dataset *ds = j->ds;
	size_t dhi = d0 - (size_t)j->gap, dlo = 0, a = row(j, d0), b = row(j, d1), n = 0;
	struct fit f;
	double q, m;
	json_t *fold;
	int rc = -1;

	if (d0 < (size_t)j->gap + 1)
		return sp_error("fold %d: no training dates before the gap", k);
	if (j->o->window && dhi > (size_t)j->o->window)
		dlo = dhi - (size_t)j->o->window;
	if (fit_kind(j, j->o->kind, dlo, dhi, &f) < 0)
		goto out;
	if (predict_rows(j, f.model, a, b, res->pred, res->prob) < 0)
		goto out;
	for (size_t i = f.va; i < f.vb; i++)
		if (!isnan(f.val_pred[i - f.va]))
			e->scores[n++] = fabs(ds->y[i] - f.val_pred[i - f.va]);
	q = sp_conformal_quantile(e->scores, n, j->o->coverage);
	if (e->aci && k == 1 && sp_aci_observe(e->aci, e->scores, n, NAN) < 0)
		goto out;
	m = mean_y(j, row(j, dlo), row(j, dhi));
	for (size_t i = a; i < b; i++) {
		e->zero[i] = 0;
		e->mean[i] = m;
	}
	for (size_t d = d0; d < d1; d++)
		if (aci_date(j, e, res, d, first_test_date, q) < 0)
			goto out;
	if (f.rounds) {
		e->round_seconds += f.round_seconds;
		e->rounds_n++;
	}
	fold = json_pack("{s:i, s:o, s:o, s:i, s:o, s:o, s:o}", "fold", k, "train",
			 date_range(ds, row(j, dlo), row(j, dhi)), "test", date_range(ds, a, b),
			 "gap_dates", j->gap, "selected", fit_json(&f), "interval",
			 json_pack("{s:o, s:o}", "split_half_width", sp_json_real(q),
				   "coverage", sp_json_real(coverage(ds, res->pred,
								     res->half_width, a, b))),
			 "metrics",
			 all_metrics(j, sp_model_kind_name(j->o->kind), res->pred, e->zero,
				     e->mean, a, b));
	json_array_append_new(e->folds, fold);
	res->last_from = a;
	res->last_to = b;
	rc = 0;
out:
	fit_release(&f);
	return rc;
}

/* ---- the verdict ------------------------------------------------------------------ */

static json_t *verdict(const char *kind, json_t *overall)
{
	json_t *m = json_object_get(overall, kind);
	double r2 = sp_json_num(m, "r2_oos"), p = sp_json_num(m, "dm_p");
	double hit = sp_json_num(m, "hit_rate"), ic = sp_json_num(m, "ic_mean");
	double ict = sp_json_num(m, "ic_t_nw");
	char buf[1024];
	int n;

	if (isnan(r2))
		n = snprintf(buf, sizeof(buf),
			     "%s cannot be compared with the random walk: every outcome is 0.",
			     kind);
	else if (p < 0.05 && r2 > 0)
		n = snprintf(buf, sizeof(buf),
			     "%s beats the random walk out of sample: its squared error is "
			     "%.3g%% below the zero forecast's (R2 %.4f), Diebold-Mariano "
			     "p = %.2g.",
			     kind, 100 * r2, r2, p);
	else
		n = snprintf(buf, sizeof(buf),
			     "%s does not beat the random walk out of sample: its squared error "
			     "is %.3g%% %s the zero forecast's (R2 %.4f), Diebold-Mariano "
			     "p = %.2g; treat its predictions as noise.",
			     kind, 100 * fabs(r2), r2 > 0 ? "below" : "above", r2, p);
	if (n > 0 && (size_t)n < sizeof(buf) && !isnan(ic))
		n += snprintf(buf + n, sizeof(buf) - (size_t)n,
			      " Mean daily IC %.3f (Newey-West t %.2f), hit rate %.1f%%.", ic,
			      ict, 100 * hit);
	if (n > 0 && (size_t)n < sizeof(buf) && (r2 > 0.05 || hit > 0.6 || ic > 0.15))
		snprintf(buf + n, sizeof(buf) - (size_t)n,
			 " This is far above what is known for short-horizon stock returns "
			 "(R2 well under 1%%, hit rates of 51-54%%, IC 0.02-0.05): look for "
			 "leakage in the features before trusting it.");
	return json_string(buf);
}

/* ---- the run ---------------------------------------------------------------------- */

static int final_fit(const struct job *j, struct eval *e, struct sp_train_result *res,
		     json_t *report)
{
	const struct sp_dataset *ds = j->ds;
	size_t dlo = 0, a = res->oos_from, n = 0;
	struct fit f;
	double hw;

	if (j->o->window && ds->ndates > (size_t)j->o->window)
		dlo = ds->ndates - (size_t)j->o->window;
	if (fit_kind(j, j->o->kind, dlo, ds->ndates, &f) < 0) {
		fit_release(&f);
		return -1;
	}
	for (size_t i = a; i < ds->n; i++)
		if (!isnan(res->pred[i]))
			e->scores[n++] = fabs(ds->y[i] - res->pred[i]);
	hw = sp_conformal_quantile(e->scores, n, j->o->coverage);
	if (e->aci && !isnan(sp_aci_width(e->aci)))
		hw = sp_aci_width(e->aci);
	res->model = f.model;
	f.model = NULL;
	res->model->coverage = j->o->coverage;
	res->model->half_width = hw;
	json_object_set_new(report, "final", fit_json(&f));
	if (e->rounds_n)
		json_object_set_new(report, "gbdt_seconds_per_round",
				    sp_json_real(e->round_seconds / e->rounds_n));
	fit_release(&f);
	return 0;
}

static json_t *report_head(const struct job *j)
{
	const struct sp_dataset *ds = j->ds;
	const struct sp_train_options *o = j->o;
	json_t *r = json_object(), *ign = json_array(), *feat = json_array();

	for (size_t i = 0; i < ds->nignored; i++)
		json_array_append_new(ign, json_string(ds->ignored[i]));
	for (size_t i = 0; i < ds->nfeat; i++)
		json_array_append_new(feat, json_string(ds->feat[i]));
	json_object_set_new(r, "model", json_string(sp_model_kind_name(o->kind)));
	json_object_set_new(r, "target", json_string(ds->target));
	json_object_set_new(r, "horizon", json_integer(ds->horizon));
	json_object_set_new(r, "features", feat);
	json_object_set_new(
		r, "rows",
		json_pack("{s:I, s:I, s:I, s:I, s:s}", "read", (json_int_t)ds->rows_read, "used",
			  (json_int_t)ds->n, "without_target", (json_int_t)ds->rows_no_target,
			  "with_missing_feature", (json_int_t)ds->rows_missing, "missing_rule",
			  o->kind == SP_MODEL_GBDT ? "kept: XGBoost learns where missing values go" :
						     "dropped"));
	json_object_set_new(r, "ignored_columns", ign);
	json_object_set_new(r, "symbols", json_integer((json_int_t)ds->nsyms));
	json_object_set_new(r, "data", date_range(ds, 0, ds->n));
	json_object_set_new(
		r, "walk_forward",
		json_pack("{s:i, s:s, s:i, s:i, s:i, s:f}", "folds", o->folds, "window",
			  o->window ? "rolling" : "expanding", "window_dates", o->window,
			  "embargo_dates", j->gap - ds->horizon, "purge_dates", ds->horizon,
			  "validation_fraction", o->val_frac));
	return r;
}

int sp_train_run(const struct sp_dataset *ds, const struct sp_train_options *o,
		 struct sp_train_result *res)
{
	struct job j = { ds, o, ds->nfeat, ds->horizon + (o->embargo < 0 ? ds->horizon : o->embargo),
			 NULL };
	struct eval e = { 0 };
	size_t K = (size_t)o->folds, m = ds->ndates, first;
	json_t *report = NULL, *overall;
	int rc = -1;

	memset(res, 0, sizeof(*res));
	if (m < (K + 1) * 2 + (size_t)j.gap)
		return sp_error("%zu dates are too few for %zu folds with a gap of %d", m, K, j.gap);
	first = m / (K + 1);
	res->oos_from = row(&j, first);
	j.shift = calloc(j.p + 1, sizeof(double));
	res->pred = malloc((ds->n + 1) * sizeof(double));
	res->half_width = malloc((ds->n + 1) * sizeof(double));
	res->prob = malloc((ds->n + 1) * sizeof(double));
	e.zero = malloc((ds->n + 1) * sizeof(double));
	e.mean = malloc((ds->n + 1) * sizeof(double));
	e.scores = malloc((ds->n + 1) * sizeof(double));
	if (!j.shift || !res->pred || !res->half_width || !res->prob || !e.zero || !e.mean ||
	    !e.scores) {
		sp_error("out of memory");
		goto out;
	}
	for (size_t i = 0; i < ds->n; i++)
		res->pred[i] = res->half_width[i] = res->prob[i] = e.zero[i] = e.mean[i] = NAN;
	/* Centre ridge moments on the first block only, which every fold may
	 * see: later data must not move a fold's numbers, not even by rounding. */
	for (size_t i = 0; i < res->oos_from; i++) {
		for (size_t c = 0; c < j.p; c++)
			j.shift[c] += ds->x[i * j.p + c];
		j.shift[j.p] += ds->y[i];
	}
	for (size_t c = 0; c <= j.p; c++)
		j.shift[c] = isfinite(j.shift[c]) ? j.shift[c] / (double)res->oos_from : 0;
	if (o->adaptive &&
	    !(e.aci = sp_aci_new(o->coverage, o->aci_gamma,
				 250 * (ds->nsyms < 400 ? ds->nsyms : 400) + 1000))) {
		sp_error("out of memory");
		goto out;
	}
	report = report_head(&j);
	e.folds = json_array();
	for (size_t k = 1; k <= K; k++) {
		size_t d0 = k * m / (K + 1), d1 = (k + 1) * m / (K + 1);
		if (run_fold(&j, &e, res, (int)k, d0, d1, first) < 0)
			goto out;
	}
	json_object_set_new(report, "folds", e.folds);
	e.folds = NULL;
	overall = all_metrics(&j, sp_model_kind_name(o->kind), res->pred, e.zero, e.mean,
			      res->oos_from, ds->n);
	json_object_set_new(report, "overall", overall);
	if (final_fit(&j, &e, res, report) < 0)
		goto out;
	json_object_set_new(
		report, "interval",
		json_pack("{s:s, s:f, s:o, s:o}", "method",
			  o->adaptive ? "adaptive conformal (Gibbs and Candes 2021), lag horizon" :
					"split conformal on validation residuals",
			  "nominal", o->coverage, "empirical",
			  sp_json_real(coverage(ds, res->pred, res->half_width, res->oos_from,
						ds->n)),
			  "final_half_width", sp_json_real(res->model->half_width)));
	json_object_set_new(report, "verdict", verdict(sp_model_kind_name(o->kind), overall));
	res->report = report;
	report = NULL;
	res->base_mean = e.mean;
	e.mean = NULL;
	rc = 0;
out:
	json_decref(report);
	json_decref(e.folds);
	sp_aci_free(e.aci);
	free(e.zero);
	free(e.mean);
	free(e.scores);
	free(j.shift);
	if (rc)
		sp_train_result_release(res);
	return rc;
}

void sp_train_result_release(struct sp_train_result *res)
{
	sp_model_free(res->model);
	json_decref(res->report);
	free(res->pred);
	free(res->half_width);
	free(res->prob);
	free(res->base_mean);
	memset(res, 0, sizeof(*res));
}

/* ---- one model per symbol ------------------------------------------------------ */

/* V where the model predicted row I, NAN elsewhere: baselines on the same rows. */
static double *on_predicted(const struct sp_train_result *res, const double *v, double c,
			    size_t n)
{
	double *out = malloc((n + 1) * sizeof(double));

	for (size_t i = 0; out && i < n; i++)
		out[i] = isnan(res->pred[i]) ? NAN : v ? v[i] : c;
	return out;
}

static int symbol_run(const struct sp_dataset *ds, const struct sp_train_options *o,
		      uint32_t s, size_t *rows, struct sp_train_result *res, json_t *by,
		      json_t *skipped)
{
	struct sp_train_options so = *o;
	struct sp_dataset sub;
	struct sp_train_result r;
	const char *kind = sp_model_kind_name(o->kind);

	if (sp_dataset_subset(ds, s, &sub, rows) < 0)
		return -1;
	so.per_symbol = 0;
	if (sp_train_run(&sub, &so, &r) < 0) {
		sp_warn("%s: no model (%zu dates)", ds->syms[s], sub.ndates);
		json_array_append_new(skipped, json_string(ds->syms[s]));
		sp_dataset_release(&sub);
		return 0;
	}
	for (size_t k = r.oos_from; k < sub.n; k++) {
		res->pred[rows[k]] = r.pred[k];
		res->half_width[rows[k]] = r.half_width[k];
		res->prob[rows[k]] = r.prob[k];
		res->base_mean[rows[k]] = r.base_mean[k];
	}
	json_object_set_new(
		by, ds->syms[s],
		json_pack("{s:O, s:O, s:O, s:O}", "data", json_object_get(r.report, "data"),
			  "selected", json_object_get(r.report, "final"), "metrics",
			  json_object_get(json_object_get(r.report, "overall"), kind), "verdict",
			  json_object_get(r.report, "verdict")));
	if (sp_model_add_symbol(res->model, ds->syms[s], r.model) < 0) {
		sp_train_result_release(&r);
		sp_dataset_release(&sub);
		return -1;
	}
	r.model = NULL;
	sp_train_result_release(&r);
	sp_dataset_release(&sub);
	return 0;
}

int sp_train_run_per_symbol(const struct sp_dataset *ds, const struct sp_train_options *o,
			    struct sp_train_result *res)
{
	struct job j = { ds, o, ds->nfeat, ds->horizon + (o->embargo < 0 ? ds->horizon : o->embargo),
			 NULL };
	size_t n = ds->n, *rows = malloc((n + 1) * sizeof(size_t));
	double *zero = NULL, *mean = NULL, *mom = NULL;
	json_t *report = report_head(&j), *by = json_object(), *skipped = json_array(), *overall;
	const char *kind = sp_model_kind_name(o->kind);
	int rc = -1;

	memset(res, 0, sizeof(*res));
	res->pred = malloc((n + 1) * sizeof(double));
	res->half_width = malloc((n + 1) * sizeof(double));
	res->prob = malloc((n + 1) * sizeof(double));
	res->base_mean = malloc((n + 1) * sizeof(double));
	if (!rows || !res->pred || !res->half_width || !res->prob || !res->base_mean ||
	    !(res->model = new_model(&j, o->kind))) {
		sp_error("out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		res->pred[i] = res->half_width[i] = res->prob[i] = res->base_mean[i] = NAN;
	for (uint32_t s = 0; s < ds->nsyms; s++)
		if (symbol_run(ds, o, s, rows, res, by, skipped) < 0)
			goto out;
	if (!res->model->nsymbols) {
		sp_error("no symbol has enough dates for a model of its own");
		goto out;
	}
	res->model->coverage = o->coverage;
	zero = on_predicted(res, NULL, 0, n);
	mean = on_predicted(res, res->base_mean, 0, n);
	mom = on_predicted(res, ds->mom, 0, n);
	if (!zero || !mean || !mom) {
		sp_error("out of memory");
		goto out;
	}
	overall = json_object();
	json_object_set_new(overall, kind, sp_train_metrics(ds, res->pred, 0, n));
	json_object_set_new(overall, "zero", sp_train_metrics(ds, zero, 0, n));
	json_object_set_new(overall, "mean", sp_train_metrics(ds, mean, 0, n));
	json_object_set_new(overall, "momentum", sp_train_metrics(ds, mom, 0, n));
	json_object_set_new(report, "per_symbol", json_true());
	json_object_set_new(report, "folds", json_array());
	json_object_set_new(report, "overall", overall);
	json_object_set_new(report, "final", json_object());
	json_object_set_new(
		report, "interval",
		json_pack("{s:s, s:f, s:o, s:o}", "method",
			  o->adaptive ? "adaptive conformal (Gibbs and Candes 2021), lag horizon" :
					"split conformal on validation residuals",
			  "nominal", o->coverage, "empirical",
			  sp_json_real(coverage(ds, res->pred, res->half_width, 0, n)),
			  "final_half_width", json_null()));
	json_object_set_new(report, "verdict", verdict(kind, overall));
	json_object_set_new(report, "symbols_without_model", skipped);
	json_object_set_new(report, "by_symbol", by);
	skipped = by = NULL;
	res->report = report;
	report = NULL;
	res->oos_from = 0;
	/* The latest fold's share of dates, for promotion decisions. */
	res->last_from = ds->date_start[ds->ndates - ds->ndates / (size_t)(o->folds + 1)];
	res->last_to = n;
	rc = 0;
out:
	json_decref(report);
	json_decref(by);
	json_decref(skipped);
	free(rows);
	free(zero);
	free(mean);
	free(mom);
	if (rc)
		sp_train_result_release(res);
	return rc;
}
