/*
 * predictions.h - rows of the predictions contract (contracts.md) from a
 * model's output.  The writer and every string belong to the caller.
 */
#ifndef SP_PREDICTIONS_H
#define SP_PREDICTIONS_H

#include "calendar.h"
#include "date.h"
#include "model.h"
#include "record.h"

/* Set W's columns to symbol,date,target_date,close,pred_return,...,model.  0 or -1. */
int sp_predictions_columns(struct sp_writer *w);

/*
 * Write one prediction of M: PRED in the model's target units (a return or
 * a log return), PROB the probability of a rise (logistic) or NAN, HW the
 * interval's half-width in target units or NAN.  target_date is WHEN plus
 * the horizon in sessions of CAL (empty for intraday bars).  Returns what
 * sp_writer_end() returns.
 */
int sp_prediction_put(struct sp_writer *w, const struct sp_model *m,
		      const struct sp_calendar *cal, const char *symbol, size_t symlen,
		      const struct sp_when *when, double close, double pred, double prob,
		      double hw);

/* "buy", "sell" or "hold" for a model's signal value V (pred_return or probability). */
const char *sp_prediction_signal(const struct sp_model *m, double v);

#endif
