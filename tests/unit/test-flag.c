/*
 * test-flag.c - the flagger's jump/split decisions against a brute-force
 * computation: for every bar, sort the previous window of log returns, take
 * the median and the MAD the textbook way, and decide.  Also revisions:
 * undo and re-add must leave the same state as never having seen the bar.
 */
#include "flag.h"
#include "tap.h"

#include <math.h>
#include <stdlib.h>

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median_of(double *a, int n)
{
	qsort(a, (size_t)n, sizeof(*a), cmp_double);
	return n % 2 ? a[n / 2] : (a[n / 2 - 1] + a[n / 2]) / 2;
}

/* Expected flags of bar t given closes c[] and adjusted closes a[]. */
static unsigned expect(const double *c, const double *a, int t, int window, double k)
{
	double buf[1024], dev[1024];
	int from = t - 1 - window, n = 0;

	if (t == 0)
		return 0;
	if (from < 0)
		from = 0;
	for (int i = from + 1; i <= t - 1; i++)
		buf[n++] = log(a[i] / a[i - 1]);
	if (n < SP_FLAG_MIN_HISTORY)
		return 0;
	double med = median_of(buf, n);
	for (int i = 0; i < n; i++)
		dev[i] = fabs(buf[i] - med);
	double scale = 1.4826 * median_of(dev, n);
	if (!(scale > 0))
		return 0;
	double r = log(a[t] / a[t - 1]), rc = log(c[t] / c[t - 1]);
	if (fabs(r - med) > k * scale)
		return SP_FLAG_JUMP;
	if (fabs(rc - med) > k * scale)
		return SP_FLAG_SPLIT;
	return 0;
}

static double uniform(void)
{
	return (rand() + 0.5) / ((double)RAND_MAX + 1);
}

int main(void)
{
	enum { N = 3000 };
	static double c[N], a[N];
	const int windows[] = { 20, 21, 50, 250 };
	const double ks[] = { 3, 5, 10 };
	int flagged = 0;

	srand(7);
	for (int w = 0; w < 4; w++) {
		for (int kk = 0; kk < 3; kk++) {
			struct sp_flag_rules rules = { NULL, ks[kk], windows[w] };
			struct sp_flagger f;
			int bad = 0, bad_undo = 0;

			/* A fat-tailed walk with repeated values, splits and jumps. */
			c[0] = a[0] = 100;
			for (int t = 1; t < N; t++) {
				double u = uniform(), r = (u - 0.5) * 0.04;
				if (u > 0.995)
					r *= 20;
				if (t % 97 == 0)
					r = 0;	/* ties in the window */
				a[t] = a[t - 1] * exp(r);
				c[t] = c[t - 1] * exp(r) / (t % 701 == 0 ? 4 : 1);
			}
			sp_flagger_init(&f, &rules);
			for (int t = 0; t < N; t++) {
				struct sp_bar bar = { .close = c[t], .adj_close = a[t], .has_adj = 1,
						      .when = { t, 0 } };
				long missing;
				unsigned got, again;

				/* A revision first: a wrong bar, undone, then the real one. */
				if (t % 13 == 5) {
					struct sp_bar wrong = bar;
					wrong.close *= 3;
					wrong.adj_close *= 3;
					sp_flagger_add(&f, &wrong, &missing);
					sp_flagger_undo(&f);
				}
				got = sp_flagger_add(&f, &bar, &missing);
				if (t % 17 == 3) {
					sp_flagger_undo(&f);
					again = sp_flagger_add(&f, &bar, &missing);
					bad_undo += again != got;
				}
				bad += got != expect(c, a, t, windows[w], ks[kk]);
				flagged += got != 0;
			}
			sp_flagger_release(&f);
			ok(!bad, "window %d, k %g: every bar's flags equal the brute force",
			   windows[w], ks[kk]);
			ok(!bad_undo, "window %d, k %g: undo and re-add give the same flags",
			   windows[w], ks[kk]);
		}
	}
	ok(flagged > 100, "the series were flagged %d times: the test has teeth", flagged);
	return tap_done();
}
