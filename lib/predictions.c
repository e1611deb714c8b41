/*
 * predictions.c - one predictions record: returns to prices, the interval
 * to a price range, the signal, and the target date on the calendar.
 */
#include "predictions.h"

#include <math.h>
#include <string.h>
#include "banned.h"

static const char *const columns[] = {
	"symbol", "date", "target_date", "close", "pred_return", "pred_close",
	"pred_lo", "pred_hi", "signal", "model",
};

int sp_predictions_columns(struct sp_writer *w)
{
	return sp_writer_columns(w, columns, sizeof(columns) / sizeof(*columns));
}

const char *sp_prediction_signal(const struct sp_model *m, double v)
{
	if (v > m->buy)
		return "buy";
	if (v < m->sell)
		return "sell";
	return "hold";
}

/* A target-unit value as a simple return. */
static double simple(const struct sp_model *m, double v)
{
	return m->logret ? expm1(v) : v;
}

int sp_prediction_put(struct sp_writer *w, const struct sp_model *m,
		      const struct sp_calendar *cal, const char *symbol, size_t symlen,
		      const struct sp_when *when, double close, double pred, double prob,
		      double hw)
{
	const char *label = m->label ? m->label : sp_model_kind_name(m->kind);
	double ret = simple(m, pred);
	const char *sig = sp_prediction_signal(m, m->kind == SP_MODEL_LOGISTIC ? prob : ret);
	char buf[32];
	size_t n;

	sp_writer_str(w, symbol, symlen);
	n = sp_when_format(when, buf);
	sp_writer_str(w, buf, n);
	if (when->intraday) {
		sp_writer_null(w);
	} else {
		struct sp_when t = { sp_calendar_add(cal, (sp_day)when->t, m->horizon), 0 };
		n = sp_when_format(&t, buf);
		sp_writer_str(w, buf, n);
	}
	sp_writer_num(w, close);
	sp_writer_num(w, ret);
	sp_writer_num(w, close * (1 + ret));
	sp_writer_num(w, close * (1 + simple(m, pred - hw)));
	sp_writer_num(w, close * (1 + simple(m, pred + hw)));
	sp_writer_str(w, sig, strlen(sig));
	sp_writer_str(w, label, strlen(label));
	return sp_writer_end(w);
}
