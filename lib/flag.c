/* flag.c - robust return outliers and missing trading days, per symbol. */
#include "flag.h"
#include "calendar.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "banned.h"

/*
 * The window is kept twice: in arrival order (a ring, to know which return
 * leaves) and sorted (to read the median at once).  A new return costs two
 * binary searches and one memmove of at most the window; the MAD, the median
 * of the distances to the median, is the middle of two sorted sequences and
 * takes a binary search too.  So the threshold is exact at every bar.
 */

int sp_flagger_init(struct sp_flagger *f, const struct sp_flag_rules *rules)
{
	size_t w = (size_t)(rules->window > 0 ? rules->window : 1);

	memset(f, 0, sizeof(*f));
	f->rules = rules;
	f->ring = calloc(w, sizeof(double));
	f->sorted = calloc(w, sizeof(double));
	return f->ring && f->sorted ? 0 : -1;
}

void sp_flagger_reset(struct sp_flagger *f)
{
	double *ring = f->ring, *sorted = f->sorted;
	const struct sp_flag_rules *rules = f->rules;

	memset(f, 0, sizeof(*f));
	f->ring = ring;
	f->sorted = sorted;
	f->rules = rules;
}

void sp_flagger_release(struct sp_flagger *f)
{
	free(f->ring);
	free(f->sorted);
	f->ring = f->sorted = NULL;
}

/* First index of a[0..n) not below v. */
static int lower_bound(const double *a, int n, double v)
{
	int lo = 0, hi = n;

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		if (a[mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void sorted_remove(struct sp_flagger *f, double v)
{
	int i = lower_bound(f->sorted, f->n, v);

	memmove(f->sorted + i, f->sorted + i + 1, (size_t)(f->n - i - 1) * sizeof(double));
	f->n--;
}

static void sorted_insert(struct sp_flagger *f, double v)
{
	int i = lower_bound(f->sorted, f->n, v);

	memmove(f->sorted + i + 1, f->sorted + i, (size_t)(f->n - i) * sizeof(double));
	f->sorted[i] = v;
	f->n++;
}

static double median_sorted(const double *a, int n)
{
	return n % 2 ? a[n / 2] : (a[n / 2 - 1] + a[n / 2]) / 2;
}

/*
 * The distances to the median M: the left half of the sorted window read
 * backwards (M - a[h-1-i]) and the right half read forwards (a[h+j] - M),
 * both ascending.  dist_left/dist_right index them; out of range they are
 * -inf / +inf, which keeps the search below simple.
 */
struct halves {
	const double *a;
	int h, n;
	double m;
};

static double dist_left(const struct halves *x, int i)
{
	return i < 0 ? -INFINITY : i >= x->h ? INFINITY : x->m - x->a[x->h - 1 - i];
}

static double dist_right(const struct halves *x, int j)
{
	return j < 0 ? -INFINITY : j >= x->n - x->h ? INFINITY : x->a[x->h + j] - x->m;
}

/*
 * The k-th smallest (from 0) distance, by binary search on how many of the
 * k + 1 smallest come from the left; *NEXT gets the (k+1)-th.
 */
static double kth_distance(const struct halves *x, int k, double *next)
{
	int lo = k + 1 - (x->n - x->h), hi = k + 1;

	if (lo < 0)
		lo = 0;
	if (hi > x->h)
		hi = x->h;
	while (lo < hi) {
		int i = lo + (hi - lo) / 2;	/* take i from the left, k+1-i from the right */
		if (dist_left(x, i) < dist_right(x, k - i))
			lo = i + 1;
		else
			hi = i;
	}
	double l = dist_left(x, lo - 1), r = dist_right(x, k - lo);
	double nl = dist_left(x, lo), nr = dist_right(x, k + 1 - lo);
	*next = nl < nr ? nl : nr;
	return l > r ? l : r;
}

/* Median and 1.4826 * MAD of the window; 0 when there are too few returns. */
static int window_stats(const struct sp_flagger *f, double *med, double *scale)
{
	struct halves x = { f->sorted, f->n / 2, f->n, 0 };
	double mad;

	if (f->n < SP_FLAG_MIN_HISTORY)
		return 0;
	double next;

	x.m = *med = median_sorted(f->sorted, f->n);
	if (f->n % 2) {
		mad = kth_distance(&x, f->n / 2, &next);
	} else {
		mad = kth_distance(&x, f->n / 2 - 1, &next);
		mad = (mad + next) / 2;
	}
	*scale = 1.4826 * mad;
	return *scale > 0;
}

/* Replace OLD by NEW in the sorted window, moving only what lies between. */
static void sorted_replace(struct sp_flagger *f, double old, double new)
{
	double *a = f->sorted;
	int i = lower_bound(a, f->n, old), k = lower_bound(a, f->n, new);

	if (k > i) {
		memmove(a + i, a + i + 1, (size_t)(k - 1 - i) * sizeof(double));
		a[k - 1] = new;
	} else {
		memmove(a + k + 1, a + k, (size_t)(i - k) * sizeof(double));
		a[k] = new;
	}
}

static void push(struct sp_flagger *f, double r)
{
	int window = f->rules->window;

	f->undo.pushed = 1;
	f->undo.evicts = f->n == window;
	if (f->undo.evicts) {
		f->undo.evicted = f->ring[f->pos];
		sorted_replace(f, f->undo.evicted, r);
	} else {
		sorted_insert(f, r);
	}
	f->ring[f->pos] = r;
	f->pos = (f->pos + 1) % window;
}

unsigned sp_flagger_add(struct sp_flagger *f, const struct sp_bar *bar, long *missing)
{
	const struct sp_flag_rules *rules = f->rules;
	unsigned flags = 0;
	double med, scale;

	*missing = 0;
	f->undo = (struct sp_flag_undo){ .have = f->have, .last = f->last,
					 .last_close = f->last_close, .last_adj = f->last_adj,
					 .last_has_adj = f->last_has_adj };
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
		/* The threshold comes from the returns before this one. */
		if (window_stats(f, &med, &scale)) {
			double limit = rules->k * scale;
			if (fabs(r - med) > limit)
				flags |= SP_FLAG_JUMP;
			else if (fabs(rc - med) > limit)
				flags |= SP_FLAG_SPLIT;
		}
		if (rules->window > 0)
			push(f, r);
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

	if (u->pushed) {
		int window = f->rules->window;
		f->pos = (f->pos + window - 1) % window;
		if (u->evicts)
			sorted_replace(f, f->ring[f->pos], u->evicted);
		else
			sorted_remove(f, f->ring[f->pos]);
		f->ring[f->pos] = u->evicted;
	}
	f->have = u->have;
	f->last = u->last;
	f->last_close = u->last_close;
	f->last_adj = u->last_adj;
	f->last_has_adj = u->last_has_adj;
	f->undo.pushed = 0;
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
