/* flag.c - robust return outliers and missing trading days, per symbol. */
#include "flag.h"
#include "calendar.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "banned.h"

int sp_flagger_init(struct sp_flagger *f, const struct sp_flag_rules *rules)
{
	memset(f, 0, sizeof(*f));
	f->rules = rules;
	f->ring = calloc((size_t)(rules->window > 0 ? rules->window : 1), sizeof(double));
	return f->ring ? 0 : -1;
}

void sp_flagger_reset(struct sp_flagger *f)
{
	double *ring = f->ring;
	const struct sp_flag_rules *rules = f->rules;

	memset(f, 0, sizeof(*f));
	f->ring = ring;
	f->rules = rules;
}

void sp_flagger_release(struct sp_flagger *f)
{
	free(f->ring);
	f->ring = NULL;
}

/* Hoare's selection: the k-th smallest of a[0..n), reordering a. */
static double select_kth(double *a, int n, int k)
{
	int lo = 0, hi = n - 1;

	while (lo < hi) {
		double pivot = a[lo + (hi - lo) / 2];
		int i = lo, j = hi;
		while (i <= j) {
			while (a[i] < pivot)
				i++;
			while (a[j] > pivot)
				j--;
			if (i <= j) {
				double t = a[i];
				a[i++] = a[j];
				a[j--] = t;
			}
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			break;
	}
	return a[k];
}

/* Median of a[0..n), reordering a; the mean of the middle two for even n. */
static double median(double *a, int n)
{
	double hi = select_kth(a, n, n / 2);

	if (n % 2)
		return hi;
	/* After selection everything below n/2 is <= hi: take its maximum. */
	double lo = a[0];
	for (int i = 1; i < n / 2; i++)
		if (a[i] > lo)
			lo = a[i];
	return (lo + hi) / 2;
}

static void refresh(struct sp_flagger *f)
{
	double *a = malloc((size_t)f->n * sizeof(*a));

	if (!a) {
		f->stats_ok = 0;
		return;
	}
	memcpy(a, f->ring, (size_t)f->n * sizeof(*a));
	f->med = median(a, f->n);
	for (int i = 0; i < f->n; i++)
		a[i] = fabs(f->ring[i] - f->med);
	f->scale = 1.4826 * median(a, f->n);
	f->stats_ok = f->scale > 0;
	free(a);
}

/*
 * Whether to recompute the median and MAD after this return.  While the
 * window fills, the estimate moves with every return: recompute at each of
 * the first 32, then whenever n has grown by an eighth, so that a jump is
 * flagged from SP_FLAG_MIN_HISTORY returns on.  Then every SP_FLAG_REFRESH
 * returns, but at least four times a window, so that the estimate never
 * describes returns that have long left a short window.
 */
static int due(const struct sp_flagger *f)
{
	int window = f->rules->window, every = window / 4;

	if (f->n < window)
		return f->n < 32 || f->n % (f->n / 8) == 0;
	if (every > SP_FLAG_REFRESH)
		every = SP_FLAG_REFRESH;
	return every <= 1 || f->pushed % every == 0;
}

unsigned sp_flagger_add(struct sp_flagger *f, const struct sp_bar *bar, long *missing)
{
	const struct sp_flag_rules *rules = f->rules;
	unsigned flags = 0;

	*missing = 0;
	f->undo = (struct sp_flag_undo){
		f->have, f->stats_ok, f->last, f->last_close, f->last_adj, f->med,
		f->scale, f->n ? f->ring[f->pos] : 0, f->last_has_adj, f->n, f->pos,
		f->pushed,
	};
	if (f->have) {
		if (rules->cal && !bar->when.intraday && !f->last.intraday) {
			sp_day a = (sp_day)f->last.t, b = (sp_day)bar->when.t;
			/* Sessions strictly between the two bars.  The bar's own
			 * day counts only if it is a session: outside the
			 * calendar's range a weekend bar is not checked. */
			long gap = sp_calendar_between(rules->cal, a, b) -
				   sp_calendar_between(rules->cal, b - 1, b);
			if (gap > 0) {
				*missing = gap;
				flags |= SP_FLAG_GAP;
			}
		}
		double rc = log(bar->close / f->last_close);
		double r = bar->has_adj && f->last_has_adj ?
			   log(bar->adj_close / f->last_adj) : rc;
		if (f->stats_ok && f->n >= SP_FLAG_MIN_HISTORY) {
			double limit = rules->k * f->scale;
			if (fabs(r - f->med) > limit)
				flags |= SP_FLAG_JUMP;
			else if (fabs(rc - f->med) > limit)
				flags |= SP_FLAG_SPLIT;
		}
		if (rules->window > 0) {
			f->ring[f->pos] = r;
			f->pos = (f->pos + 1) % rules->window;
			if (f->n < rules->window)
				f->n++;
			f->pushed++;
			if (f->n >= SP_FLAG_MIN_HISTORY && due(f))
				refresh(f);
		}
	}
	f->have = 1;
	f->last = bar->when;
	f->last_close = bar->close;
	f->last_adj = bar->adj_close;
	f->last_has_adj = bar->has_adj;
	return flags;
}

void sp_flagger_undo(struct sp_flagger *f)
{
	const struct sp_flag_undo *u = &f->undo;

	if (u->n || u->pushed != f->pushed)
		f->ring[u->pos] = u->overwritten;
	f->have = u->have;
	f->stats_ok = u->stats_ok;
	f->last = u->last;
	f->last_close = u->last_close;
	f->last_adj = u->last_adj;
	f->last_has_adj = u->last_has_adj;
	f->med = u->med;
	f->scale = u->scale;
	f->n = u->n;
	f->pos = u->pos;
	f->pushed = u->pushed;
}

size_t sp_flags_format(unsigned flags, long missing, char *buf, size_t n)
{
	size_t len = 0;

	buf[0] = '\0';
	if (flags & SP_FLAG_JUMP)
		len += (size_t)snprintf(buf + len, n - len, "%sjump", len ? ";" : "");
	if ((flags & SP_FLAG_SPLIT) && len < n)
		len += (size_t)snprintf(buf + len, n - len, "%ssplit", len ? ";" : "");
	if ((flags & SP_FLAG_GAP) && len < n)
		len += (size_t)snprintf(buf + len, n - len, "%sgap:%ld", len ? ";" : "", missing);
	return len < n ? len : n - 1;
}
