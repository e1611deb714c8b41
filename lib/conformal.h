/*
 * conformal.h - prediction-interval half-widths from nonconformity scores
 * (e.g. |y - pred|): the split-conformal quantile of scores the caller owns,
 * and an adaptive conformal state (struct sp_aci) that owns its own window of
 * scores.
 */
#ifndef SP_CONFORMAL_H
#define SP_CONFORMAL_H

#include <stddef.h>

/*
 * The split-conformal half-width: the ceil((n+1)*coverage)-th smallest of the N
 * non-negative scores (non-finite ones are ignored and not counted); INFINITY when
 * that rank exceeds n, NAN when there are no scores.  SCORES is not modified.
 *
 * n here is the count of finite scores.  (n+1)*coverage within 1e-9 above an
 * integer counts as that integer, so that 5 * 0.8 is 4 whatever the rounding.
 * A rank below 1 (coverage near 0) gives 0, an empty interval; a NAN coverage
 * gives NAN, as does a failure to allocate the scratch copy.
 */
double sp_conformal_quantile(const double *scores, size_t n, double coverage);

/*
 * Adaptive conformal inference (Gibbs and Candès 2021) over dates with several
 * rows each: alpha_{t+1} = alpha_t + gamma * (alpha - err_t), where err_t is the
 * share of a date's rows outside the interval it was given.  The half-width is the
 * split-conformal quantile at level 1 - alpha_t (clamped to [0, 1]) of the last
 * WINDOW scores observed.  With a horizon of h the caller observes a date's
 * residuals h dates after it predicted them; this module does not care.
 *
 * A row is outside when its score is greater than the half-width it was given.
 * alpha starts at 1 - coverage and alpha_t itself is not clamped.
 */
struct sp_aci;		/* opaque; owns its ring of scores */

/*
 * A new state for target COVERAGE in (0, 1), step GAMMA >= 0 and a window of
 * WINDOW >= 1 scores (memory grows with the scores seen, up to WINDOW).
 * NULL on invalid arguments or no memory.
 */
struct sp_aci *sp_aci_new(double coverage, double gamma, size_t window);

/* Current half-width; NAN until a score has been observed. */
double sp_aci_width(const struct sp_aci *a);

double sp_aci_alpha(const struct sp_aci *a);	/* current alpha_t */

/*
 * One date's K scores became known; WIDTH is the half-width those rows were given
 * (NAN if none: then only the scores are stored and alpha does not move). 0 or -1 (ENOMEM).
 *
 * Non-finite scores (rows without an outcome) are neither stored nor counted
 * in err_t; if no score is finite, alpha does not move.  On -1 nothing changed.
 */
int sp_aci_observe(struct sp_aci *a, const double *scores, size_t k, double width);

void sp_aci_free(struct sp_aci *a);	/* A may be NULL */

#endif
