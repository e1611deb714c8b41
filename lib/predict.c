/*
 * predict.c - sp-predict: bind the model's features to the input's columns,
 * predict row by row (in blocks in batch mode: XGBoost is faster per block),
 * write predictions, and reload the model on SIGHUP.
 */
#include "predict-job.h"

#include "calendar.h"
#include "date.h"
#include "gbdt.h"
#include "model.h"
#include "predictions.h"
#include "registry.h"
#include "usage.h"

#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include "banned.h"


void sp_predict_options_init(struct sp_predict_options *o)
{
	memset(o, 0, sizeof(*o));
	o->buy = o->sell = NAN;
	o->calendar = "XNYS";
}

static volatile sig_atomic_t reload;

static void on_hup(int sig)
{
	(void)sig;
	reload = 1;
}


static struct sp_model *load(const struct sp_predict_options *o)
{
	struct sp_registry *reg;
	struct sp_model *m = NULL;
	int v;

	if (o->model)
		m = sp_model_load(o->model);
	else if ((reg = sp_registry_open(o->registry, o->name))) {
		int got = sp_registry_current(reg, &v);
		if (got == 0)
			sp_error("%s/%s: no current model (train one with sp-train --registry)",
				 o->registry, o->name);
		else if (got > 0)
			m = sp_model_load(sp_registry_path(reg, v, "model.json"));
		sp_registry_close(reg);
	}
	if (m && !isnan(o->buy))
		m->buy = o->buy;
	if (m && !isnan(o->sell))
		m->sell = o->sell;
	return m;
}

void sp_predict_block_free(struct job *j)
{
	free(j->x);
	free(j->pred);
	free(j->prob);
	free(j->close);
	free(j->hw);
	free(j->sym);
	free(j->when);
	j->x = j->pred = j->prob = j->close = j->hw = NULL;
	j->sym = NULL;
	j->when = NULL;
}

/* The block of rows gathered for one call of the model. */
int sp_predict_block_alloc(struct job *j)
{
	size_t p = j->model->nfeat;

	sp_predict_block_free(j);
	j->x = malloc((BLOCK * p + 1) * sizeof(double));
	j->pred = malloc(BLOCK * sizeof(double));
	j->prob = malloc(BLOCK * sizeof(double));
	j->close = malloc(BLOCK * sizeof(double));
	j->hw = malloc(BLOCK * sizeof(double));
	j->sym = malloc(BLOCK * sizeof(*j->sym));
	j->when = malloc(BLOCK * sizeof(*j->when));
	if (!j->x || !j->pred || !j->prob || !j->close || !j->hw || !j->sym || !j->when)
		return sp_error("out of memory");
	return 0;
}

static int alloc_cols(struct job *j)
{
	free(j->cols);
	if (!(j->cols = malloc((j->model->nfeat + 1) * sizeof(int))))
		return sp_error("out of memory");
	return 0;
}

int sp_predict_bind(struct job *j, struct sp_reader *r)
{
	const char *name = sp_reader_name(r);

	if ((j->csym = sp_reader_find(r, "symbol")) < 0)
		return sp_error_at(name, 1, "no 'symbol' column");
	if ((j->cdate = sp_reader_find(r, "date")) < 0)
		return sp_error_at(name, 1, "no 'date' column");
	if ((j->cclose = sp_reader_find(r, "close")) < 0)
		return sp_error_at(name, 1, "no 'close' column");
	for (size_t k = 0; k < j->model->nfeat; k++) {
		if ((j->cols[k] = sp_reader_find(r, j->model->feat[k])) < 0)
			return sp_error_at(name, 1, "no column '%s', which the model %s reads",
					   j->model->feat[k], j->model->label);
	}
	j->bound = 1;
	return 0;
}

int sp_predict_flush(struct job *j)
{
	size_t n = j->n;

	j->n = 0;
	if (!n)
		return 0;
	for (size_t i = 0; i < n; i++)
		j->symp[i] = j->sym[i];
	if (sp_model_predict_sym(j->model, j->symp, j->x, n, j->pred, j->prob, j->hw) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (isnan(j->pred[i])) {
			j->skipped++;
			continue;
		}
		if (sp_prediction_put(j->w, j->model, j->cal, j->sym[i], strlen(j->sym[i]),
				      &j->when[i], j->close[i], j->pred[i], j->prob[i], j->hw[i]) < 0)
			return -1;
	}
	return j->o->stream ? sp_writer_flush(j->w) : 0;
}

/* A bad row: batch stops with the message, --stream reports and skips it. */
static int bad(struct job *j, const struct sp_reader *r, const char *what)
{
	sp_error_at(sp_reader_name(r), sp_reader_line(r), "%s%s", what,
		    j->o->stream ? " (row skipped)" : "");
	j->bad++;
	return j->o->stream ? 0 : -1;
}

int sp_predict_row(struct job *j, const struct sp_reader *r)
{
	size_t p = j->model->nfeat, i = j->n;
	struct sp_field f;
	const char *why;
	char msg[160];
	double v;

	if (sp_reader_bad(r))
		return bad(j, r, sp_reader_bad(r));
	f = sp_reader_field(r, (size_t)j->csym);
	if (!f.len || f.len >= sizeof(j->sym[0]))
		return bad(j, r, f.len ? "symbol too long" : "symbol is empty");
	memcpy(j->sym[i], f.s, f.len);
	j->sym[i][f.len] = 0;
	f = sp_reader_field(r, (size_t)j->cdate);
	if ((why = sp_when_parse(f.s, f.len, &j->when[i]))) {
		snprintf(msg, sizeof(msg), "date: %s: '%.40s'", why, f.s);
		return bad(j, r, msg);
	}
	if (sp_reader_number(r, j->cclose, &j->close[i]) <= 0 || !(j->close[i] > 0))
		return bad(j, r, "close is missing or not a positive number");
	for (size_t k = 0; k < p; k++) {
		int got = sp_reader_number(r, j->cols[k], &v);
		if (got < 0) {
			snprintf(msg, sizeof(msg), "%s is not a number", j->model->feat[k]);
			return bad(j, r, msg);
		}
		j->x[i * p + k] = got ? v : NAN;
	}
	j->rows++;
	if (++j->n == (j->o->stream ? 1 : BLOCK))
		return sp_predict_flush(j);
	return 0;
}

static int maybe_reload(struct job *j, struct sp_reader *r)
{
	struct sp_model *m;

	reload = 0;
	if (sp_predict_flush(j) < 0)
		return -1;
	if (!(m = load(j->o))) {
		sp_warn("reload failed; still predicting with %s", j->model->label);
		return 0;
	}
	sp_model_free(j->model);
	j->model = m;
	if (sp_predict_block_alloc(j) < 0 || alloc_cols(j) < 0)
		return -1;
	fprintf(stderr, "%s: reloaded: %s\n", sp_progname(), m->label);
	return j->bound ? sp_predict_bind(j, r) : 0;
}

static void flush_on_wait(void *arg)
{
	struct job *j = arg;

	sp_writer_flush(j->w);
}

static int run_file(struct job *j, const char *path)
{
	struct sp_reader *r;
	int got, rc = -1;

	if (!j->o->stream && (got = sp_predict_split(j, path)) != 0)
		return got < 0 ? -1 : 0;
	if (!(r = sp_reader_open(path)))
		return -1;
	j->bound = 0;
	if (!j->w) {
		enum sp_format fmt = j->o->format ? j->o->format : sp_reader_format(r);
		if (!(j->w = sp_writer_open(j->o->output, fmt, j->o->stream ? SP_WRITER_STREAM : 0)) ||
		    sp_predictions_columns(j->w) < 0)
			goto out;
	}
	if (j->o->stream)
		sp_reader_on_wait(r, flush_on_wait, j);
	while ((got = sp_reader_next(r)) > 0) {
		if (reload && maybe_reload(j, r) < 0)
			goto out;
		if (!j->bound && sp_predict_bind(j, r) < 0)
			goto out;
		if (sp_predict_row(j, r) < 0)
			goto out;
	}
	if (got == 0 && sp_predict_flush(j) == 0)
		rc = 0;
out:
	sp_reader_close(r);
	return rc;
}

int sp_predict_run(const struct sp_predict_options *o, const char *const *paths, size_t npaths)
{
	static const char *const stdin_only[] = { "-" };
	struct job j = { .o = o };
	struct sigaction sa;
	int rc = SP_EXIT_FAIL;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_hup;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGHUP, &sa, NULL);
	if (!(j.cal = sp_calendar_get(o->calendar)))
		return sp_error("unknown calendar '%s'", o->calendar), SP_EXIT_USAGE;
	if (!(j.model = load(o)) || sp_predict_block_alloc(&j) < 0 || alloc_cols(&j) < 0)
		goto out;
	if (!npaths) {
		paths = stdin_only;
		npaths = 1;
	}
	for (size_t i = 0; i < npaths; i++)
		if (run_file(&j, paths[i]) < 0)
			goto out;
	if (j.skipped)
		sp_warn("%lld of %lld rows not predicted: a feature the model %s needs is missing "
			"(%s)", j.skipped, j.rows, j.model->label,
			json_string_value(json_object_get(j.model->doc, "missing")));
	rc = j.bad ? SP_EXIT_FAIL : SP_EXIT_OK;
out:
	if (j.w && sp_writer_closed(j.w))
		rc = SP_EXIT_OK;	/* the reader went away: end quietly */
	if (j.w) {
		if (rc == SP_EXIT_OK || sp_writer_closed(j.w) || o->stream) {
			if (sp_writer_close(j.w) < 0)
				rc = SP_EXIT_FAIL;
		} else {
			sp_writer_abort(j.w);
		}
	}
	sp_model_free(j.model);
	sp_predict_block_free(&j);
	free(j.cols);
	sp_gbdt_release_threads();	/* XGBoost's idle OpenMP threads */
	return rc;
}
