/*
 * train-job.c - what sp-train does between its options and its files.
 */
#include "train-job.h"

#include "gbdt.h"
#include "json.h"
#include "predictions.h"
#include "usage.h"
#include "version.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "banned.h"

void sp_train_job_init(struct sp_train_job *j)
{
	memset(j, 0, sizeof(*j));
	sp_train_options_init(&j->train);
	j->oos_format = SP_FORMAT_CSV;
	j->calendar = "XNYS";
	j->publish.promote = SP_PROMOTE_AUTO;
}

/* Now, or SOURCE_DATE_EPOCH for reproducible model files. */
static void now(char buf[32])
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	time_t t = sde && *sde ? (time_t)strtoll(sde, NULL, 10) : time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static json_t *model_doc(const struct sp_train_job *j, const struct sp_dataset *ds,
			 const struct sp_train_result *res, const char *created)
{
	json_t *doc = sp_model_to_json(res->model), *args = json_array();
	char fp[24];

	if (!doc || !args) {
		json_decref(doc);
		json_decref(args);
		return NULL;
	}
	for (int i = 0; i < j->argc; i++)
		json_array_append_new(args, json_string(j->argv[i]));
	snprintf(fp, sizeof(fp), "%016llx", (unsigned long long)ds->fingerprint);
	json_object_set_new(doc, "created", json_string(created));
	json_object_set_new(doc, "sp_version", json_string(SP_VERSION));
	json_object_set_new(doc, "data", json_pack("{s:O, s:O, s:O, s:I, s:s}", "from",
						   json_object_get(json_object_get(res->report,
										   "data"),
								   "from"),
						   "to",
						   json_object_get(json_object_get(res->report,
										   "data"),
								   "to"),
						   "rows",
						   json_object_get(json_object_get(res->report,
										   "rows"),
								   "used"),
						   "symbols", (json_int_t)ds->nsyms, "fingerprint",
						   fp));
	json_object_set_new(doc, "training",
			    json_pack("{s:O, s:O, s:o}", "walk_forward",
				      json_object_get(res->report, "walk_forward"), "selected",
				      json_object_get(res->report, "final"), "command", args));
	json_object_set_new(doc, "metrics",
			    json_pack("{s:O, s:O, s:O}", "out_of_sample",
				      json_object_get(json_object_get(res->report, "overall"),
						      sp_model_kind_name(res->model->kind)),
				      "interval", json_object_get(res->report, "interval"),
				      "verdict", json_object_get(res->report, "verdict")));
	return doc;
}

/* Out-of-sample predictions in the contract, by symbol then date. */
static int write_oos(const struct sp_train_job *j, const struct sp_dataset *ds,
		     const struct sp_train_result *res)
{
	const struct sp_calendar *cal = sp_calendar_get(j->calendar);
	struct sp_writer *w;
	size_t *start = calloc(ds->nsyms + 1, sizeof(size_t)), *ord = NULL, n = ds->n;
	int rc = -1;

	if (!start || !(ord = malloc((n + 1) * sizeof(size_t)))) {
		free(start);
		return sp_error("out of memory");
	}
	/* Rows are by date, then symbol: a counting sort by symbol keeps dates in order. */
	for (size_t i = res->oos_from; i < n; i++)
		start[ds->sym[i] + 1]++;
	for (size_t s = 0; s < ds->nsyms; s++)
		start[s + 1] += start[s];
	for (size_t i = res->oos_from; i < n; i++)
		ord[start[ds->sym[i]]++] = i;
	if (!(w = sp_writer_open(j->oos, j->oos_format, 0)) || sp_predictions_columns(w) < 0)
		goto out;
	for (size_t k = 0; k < n - res->oos_from; k++) {
		size_t i = ord[k];
		const char *sym = ds->syms[ds->sym[i]];
		struct sp_when when = { ds->when[i], ds->intraday };
		if (isnan(res->pred[i]))
			continue;
		if (sp_prediction_put(w, res->model, cal, sym, strlen(sym), &when, ds->close[i],
				      res->pred[i], res->prob[i], res->half_width[i]) < 0)
			break;
	}
	rc = sp_writer_close(w);
	w = NULL;
out:
	if (w)
		sp_writer_abort(w);
	free(start);
	free(ord);
	return rc;
}

int sp_train_job_run(struct sp_train_job *j, const char *const *paths, size_t npaths)
{
	struct sp_dataset ds;
	struct sp_train_result res = { 0 };
	json_t *doc = NULL;
	char created[32];
	int rc = SP_EXIT_FAIL, version;
	struct sp_model *m;

	j->data.keep_missing = j->train.kind == SP_MODEL_GBDT;
	if (sp_dataset_read(&ds, paths, npaths, &j->data) < 0)
		return SP_EXIT_FAIL;
	if (j->train.embargo >= 0 && j->train.embargo < ds.horizon) {
		sp_error("--embargo %d is shorter than the horizon %d of %s", j->train.embargo,
			 ds.horizon, ds.target);
		goto out;
	}
	if ((j->train.per_symbol ? sp_train_run_per_symbol(&ds, &j->train, &res) :
				   sp_train_run(&ds, &j->train, &res)) < 0)
		goto out;
	m = res.model;
	m->buy = isnan(j->train.buy) ? (m->kind == SP_MODEL_LOGISTIC ? 0.55 : 0.01) : j->train.buy;
	m->sell = isnan(j->train.sell) ? (m->kind == SP_MODEL_LOGISTIC ? 0.45 : -0.01) :
					 j->train.sell;
	for (size_t i = 0; i < m->nsymbols; i++) {
		m->by_symbol[i]->buy = m->buy;
		m->by_symbol[i]->sell = m->sell;
	}
	now(created);
	if (!(doc = model_doc(j, &ds, &res, created)))
		goto out;
	if (!j->train.quiet)
		sp_train_print_table(res.report, stderr);
	if (j->publish.dir) {
		j->publish.created = created;
		if (sp_publish(&j->publish, &ds, &res, doc, res.report, &version) < 0)
			goto out;
		char label[128];
		snprintf(label, sizeof(label), "%s@%d", j->publish.name, version);
		free(m->label);
		m->label = strdup(label);
	}
	if (j->output && sp_json_save(doc, j->output) < 0)
		goto out;
	if (j->report && sp_json_save(res.report, j->report) < 0)
		goto out;
	if (j->oos && write_oos(j, &ds, &res) < 0)
		goto out;
	rc = SP_EXIT_OK;
out:
	json_decref(doc);
	sp_train_result_release(&res);
	sp_dataset_release(&ds);
	sp_gbdt_release_threads();	/* XGBoost's idle OpenMP threads */
	return rc;
}
