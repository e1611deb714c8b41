/*
 * publish.c - the registry side of sp-train: write a version, compare it
 * with the current one on the latest period, log, promote.
 */
#include "publish.h"

#include "json.h"
#include "registry.h"
#include "stats.h"
#include "usage.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "banned.h"

static const char *const metric_names[] = { "rmse", "ic", "hit_rate" };

/* The figure of METRIC for PRED on rows [A, B): higher is better. */
static double score(const struct sp_dataset *ds, enum sp_promote_metric metric,
		    const double *pred, size_t a, size_t b)
{
	struct sp_fc_metrics m;

	sp_fc_evaluate(pred, ds->y + a, ds->date + a, b - a, ds->horizon, &m);
	switch (metric) {
	case SP_METRIC_RMSE: return -m.rmse;
	case SP_METRIC_IC: return m.ic_mean;
	case SP_METRIC_HIT: return m.hit_rate;
	}
	return NAN;
}

/*
 * The current model's predictions of rows [A, B) into OUT; 0, or 1 with
 * *WHY set when it cannot be compared, -1 on error.
 */
static int current_pred(const char *path, const struct sp_dataset *ds, size_t a, size_t b,
			double *out, const char **why, char *last_date, size_t len)
{
	struct sp_model *m = sp_model_load(path);
	double *x = NULL, *hw = NULL;
	const char **syms = NULL;
	size_t *map = NULL;
	int rc = -1;

	if (!m)
		return -1;
	if (ds->horizon != m->horizon || ds->logret != m->logret) {
		*why = "the current model predicts another target";
		rc = 1;
		goto out;
	}
	if (!(map = calloc(m->nfeat + 1, sizeof(*map))) ||
	    !(x = malloc(((b - a) * m->nfeat + 1) * sizeof(double)))) {
		sp_error("out of memory");
		goto out;
	}
	for (size_t j = 0; j < m->nfeat; j++) {
		size_t k;
		for (k = 0; k < ds->nfeat && strcmp(ds->feat[k], m->feat[j]); k++)
			;
		if (k == ds->nfeat) {
			*why = "the current model reads a feature this data lacks";
			rc = 1;
			goto out;
		}
		map[j] = k;
	}
	for (size_t i = a; i < b; i++)
		for (size_t j = 0; j < m->nfeat; j++)
			x[(i - a) * m->nfeat + j] = ds->x[i * ds->nfeat + map[j]];
	if (!(syms = malloc((b - a + 1) * sizeof(*syms))) ||
	    !(hw = malloc((b - a + 1) * sizeof(double)))) {
		sp_error("out of memory");
		goto out;
	}
	for (size_t i = a; i < b; i++)
		syms[i - a] = ds->syms[ds->sym[i]];
	if (sp_model_predict_sym(m, syms, x, b - a, out, NULL, hw) < 0)
		goto out;
	snprintf(last_date, len, "%s",
		 json_string_value(json_object_get(json_object_get(m->doc, "data"), "to")) ?:
			 "");
	rc = 0;
out:
	free(x);
	free(hw);
	free(syms);
	free(map);
	sp_model_free(m);
	return rc;
}

static int decide(const struct sp_publish *p, struct sp_registry *reg,
		  const struct sp_dataset *ds, const struct sp_train_result *res, json_t *log)
{
	size_t a = res->last_from, b = res->last_to;
	double mine, theirs, *pred = NULL;
	const char *why = NULL;
	char last[32] = "", from[32];
	int cur, got, promote;
	json_t *d = json_object();

	json_object_set_new(log, "promotion", d);
	json_object_set_new(d, "mode", json_string(p->promote == SP_PROMOTE_AUTO ? "auto" :
						   p->promote == SP_PROMOTE_ALWAYS ? "always" :
										      "never"));
	if ((got = sp_registry_current(reg, &cur)) < 0)
		return -1;
	if (got)
		json_object_set_new(d, "current_version", json_integer(cur));
	if (p->promote != SP_PROMOTE_AUTO) {
		promote = p->promote == SP_PROMOTE_ALWAYS;
		json_object_set_new(d, "reason", json_string("by option"));
	} else if (!got) {
		promote = 1;
		json_object_set_new(d, "reason", json_string("no current model"));
	} else {
		if (!(pred = malloc((b - a + 1) * sizeof(double))))
			return sp_error("out of memory");
		got = current_pred(sp_registry_path(reg, cur, "model.json"), ds, a, b, pred, &why,
				   last, sizeof(last));
		if (got < 0) {
			free(pred);
			return -1;
		}
		sp_dataset_date(ds, a, from);
		json_object_set_new(d, "metric", json_string(metric_names[p->metric]));
		json_object_set_new(d, "period", json_pack("{s:s, s:I}", "from", from, "rows",
							   (json_int_t)(b - a)));
		if (got) {
			promote = 0;
			json_object_set_new(d, "reason", json_string(why));
		} else {
			mine = score(ds, p->metric, res->pred + a, a, b);
			theirs = score(ds, p->metric, pred, a, b);
			if (p->metric == SP_METRIC_RMSE) {
				mine = -mine;
				theirs = -theirs;
			}
			promote = p->metric == SP_METRIC_RMSE ? mine < theirs : mine > theirs;
			json_object_set_new(d, "new", sp_json_real(mine));
			json_object_set_new(d, "current", sp_json_real(theirs));
			/* A current model trained into the period scores in sample
			 * there: the comparison then favours it. */
			json_object_set_new(d, "current_saw_period",
					    json_boolean(*last && strcmp(last, from) >= 0));
			json_object_set_new(d, "reason",
					    json_string(promote ? "better out of sample on the period" :
								  "not better on the period"));
		}
		free(pred);
	}
	json_object_set_new(d, "promoted", json_boolean(promote));
	return promote;
}

int sp_publish(const struct sp_publish *p, const struct sp_dataset *ds,
	       const struct sp_train_result *res, json_t *model_doc, json_t *report,
	       int *version)
{
	struct sp_registry *reg = sp_registry_open(p->dir, p->name);
	json_t *log = NULL;
	char *line = NULL, fp[24];
	int rc = -1, promote;

	if (!reg)
		return -1;
	if (sp_registry_new_version(reg, version) < 0)
		goto out;
	json_object_set_new(model_doc, "name", json_string(p->name));
	json_object_set_new(model_doc, "version", json_integer(*version));
	if (sp_json_save(model_doc, sp_registry_path(reg, *version, "model.json")) < 0 ||
	    sp_json_save(report, sp_registry_path(reg, *version, "report.json")) < 0)
		goto out;
	snprintf(fp, sizeof(fp), "%016llx", (unsigned long long)ds->fingerprint);
	log = json_pack("{s:s, s:s, s:s, s:i, s:s, s:O, s:O, s:{s:O, s:s}, s:O}", "time",
			p->created, "event", "train", "name", p->name, "version", *version, "kind",
			json_string_value(json_object_get(model_doc, "kind")), "params",
			json_object_get(report, "final"), "metrics",
			json_object_get(json_object_get(report, "overall"),
					json_string_value(json_object_get(model_doc, "kind"))),
			"data", "range", json_object_get(report, "data"), "fingerprint", fp,
			"training", json_object_get(model_doc, "training"));
	if (!log) {
		sp_error("cannot build the run record");
		goto out;
	}
	if (sp_registry_lock(reg) < 0)
		goto out;
	if ((promote = decide(p, reg, ds, res, log)) < 0 ||
	    (promote && sp_registry_set_current(reg, *version) < 0) ||
	    !(line = sp_json_format_line(log)) || sp_registry_log(reg, line) < 0) {
		sp_registry_unlock(reg);
		goto out;
	}
	rc = sp_registry_unlock(reg);
	if (!rc)
		fprintf(stderr, "%s: %s/%s/v%d stored; %s\n", sp_progname(), p->dir, p->name,
			*version,
			promote ? "now current" :
				  json_string_value(json_object_get(
					  json_object_get(log, "promotion"), "reason")));
out:
	free(line);
	json_decref(log);
	sp_registry_close(reg);
	return rc;
}
