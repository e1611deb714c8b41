/*
 * ind-parts.c - the pieces indicator states are built from: a rolling
 * window with its sum and variance, a monotonic deque for running highs and
 * lows, and an EMA/Wilder average seeded as TA-Lib seeds it.
 *
 * All three live inside a caller's state blob and hold indices, not
 * pointers.  Each push is O(1) amortised: the window rebuilds its sums from
 * the ring once per n pushes, once when a NAN has left and at most 16
 * times per n pushes after a cancellation; the deque pushes and pops each
 * value once.
 */
#include "ind-impl.h"

#include <math.h>
#include <string.h>
#include "banned.h"

size_t ind_win_size(int n)
{
	return sizeof(struct ind_win) + (size_t)n * sizeof(double);
}

void ind_win_init(struct ind_win *w, int n, int flags)
{
	memset(w, 0, ind_win_size(n));
	w->n = n;
	w->flags = flags;
}

static int win_count(const struct ind_win *w)
{
	return w->seen < w->n ? (int)w->seen : w->n;
}

double ind_win_at(const struct ind_win *w, int i)
{
	int k = win_count(w);
	int start = k < w->n ? 0 : w->pos;
	int j = start + i;

	return w->ring[j >= w->n ? j - w->n : j];
}

/*
 * Sums from scratch, oldest first, as the straightforward formula would:
 * this is what the incremental updates are reset to.
 */
static void win_rebuild(struct ind_win *w)
{
	int k = win_count(w);
	double sum = 0, m2 = 0, wsum = 0;

	for (int i = 0; i < k; i++) {
		double x = ind_win_at(w, i);
		sum += x;
		wsum += (i + 1) * x;
	}
	w->sum = sum;
	w->wsum = wsum;
	w->mean = k ? sum / k : 0;
	if (w->flags & WIN_VAR) {
		for (int i = 0; i < k; i++) {
			double d = ind_win_at(w, i) - w->mean;
			m2 += d * d;
		}
	}
	w->m2 = m2;
}

/*
 * Did the update cancel away precision: the value that left held most of
 * the sum's magnitude (a bad tick a million times the price), or the sum
 * of squared deviations fell by more than 2^4 (a window that turns
 * constant, or a short window whose two closes nearly meet)?  Each
 * update's rounding is relative to the old magnitudes, so after such a
 * fall it would dominate what remains.  At most 16 rebuilds per n pushes
 * keep the cost O(1) amortised whatever the input.
 */
static int cancelled(const struct ind_win *w, double old, double x, double prev_m2)
{
	double rest = fabs(w->sum) / w->n + fabs(x);

	if (w->seen - w->cancel_at < w->n / 16)
		return 0;
	return fabs(old) > 0x1p20 * rest || w->m2 < prev_m2 * 0x1p-4;
}

double ind_win_push(struct ind_win *w, double x)
{
	int full = w->seen >= w->n;
	double old = full ? w->ring[w->pos] : NAN;
	int was_clean = w->seen >= w->clean_at;

	w->ring[w->pos] = x;
	w->pos = w->pos + 1 == w->n ? 0 : w->pos + 1;
	w->seen++;
	if (isnan(x))
		w->clean_at = w->seen + w->n;
	if (w->seen < w->clean_at || (w->flags & WIN_RING))
		return old;	/* statistics are not kept while a NAN is inside */

	if (!was_clean || w->pos == 0) {
		win_rebuild(w);
	} else if (!full) {
		double k = (double)w->seen, d = x - w->mean;

		w->wsum += k * x;
		w->sum += x;
		w->mean += d / k;
		w->m2 += d * (x - w->mean);
	} else {
		double n = w->n, prev_sum = w->sum, prev_mean = w->mean, prev_m2 = w->m2;

		w->wsum += n * x - prev_sum;
		w->sum += x - old;
		w->mean = prev_mean + (x - old) / n;
		w->m2 += (x - old) * (x - w->mean + old - prev_mean);
		if (cancelled(w, old, x, prev_m2)) {
			w->cancel_at = w->seen;
			win_rebuild(w);
		}
	}
	return old;
}

int ind_win_ready(const struct ind_win *w)
{
	return w->seen >= w->n && w->seen >= w->clean_at;
}

/* m2 can come out a hair below zero for a constant window. */
double ind_win_var_pop(const struct ind_win *w)
{
	return w->m2 > 0 ? w->m2 / w->n : 0;
}

double ind_win_var_sample(const struct ind_win *w)
{
	return w->m2 > 0 && w->n > 1 ? w->m2 / (w->n - 1) : 0;
}

size_t ind_mono_size(int n)
{
	return sizeof(struct ind_mono) + (size_t)n * sizeof(struct ind_mono_entry);
}

void ind_mono_init(struct ind_mono *m, int n, int is_max)
{
	memset(m, 0, ind_mono_size(n));
	m->n = n;
	m->is_max = is_max;
}

static struct ind_mono_entry *mono_at(struct ind_mono *m, int i)
{
	int j = m->head + i;

	return &m->e[j >= m->n ? j - m->n : j];
}

/*
 * A value that can never again be the extreme (an older one no better than
 * the newest) is dropped from the back; entries older than the window from
 * the front.  What is left at the front is the extreme.
 */
double ind_mono_push(struct ind_mono *m, double x)
{
	int64_t seq = ++m->seen;

	while (m->len && mono_at(m, 0)->seq <= seq - m->n) {
		m->head = m->head + 1 == m->n ? 0 : m->head + 1;
		m->len--;
	}
	if (isnan(x)) {
		m->clean_at = seq + m->n;
	} else {
		while (m->len) {
			double back = mono_at(m, m->len - 1)->v;
			if (m->is_max ? back > x : back < x)
				break;
			m->len--;
		}
		*mono_at(m, m->len) = (struct ind_mono_entry){ seq, x };
		m->len++;
	}
	if (seq < m->n || seq < m->clean_at)
		return NAN;
	return mono_at(m, 0)->v;
}

void ind_smooth_init(struct ind_smooth *s, int n, int wilder)
{
	memset(s, 0, sizeof(*s));
	s->n = n;
	s->wilder = wilder;
}

/*
 * The arithmetic is TA-Lib's, operation for operation, so that the values
 * agree to the last bit where the inputs do: the seed is a running sum
 * divided by n; an EMA step is (x - prev) * k + prev with k = 2 / (n + 1);
 * a Wilder step is (prev * (n - 1) + x) / n.
 */
int ind_smooth_push(struct ind_smooth *s, double x)
{
	if (s->count < s->n) {
		s->sum += x;
		if (++s->count == s->n)
			s->value = s->sum / s->n;
		return s->count == s->n;
	}
	s->count++;
	if (s->wilder) {
		s->value *= s->n - 1;
		s->value += x;
		s->value /= s->n;
	} else {
		double k = 2.0 / (double)(s->n + 1);
		s->value = (x - s->value) * k + s->value;
	}
	return 1;
}
