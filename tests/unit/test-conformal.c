/*
 * test-conformal.c - split-conformal ranks worked by hand, the quantile and
 * the ACI window against a sort of the same scores, ACI's alpha recursion by
 * hand, and a simulation: residuals whose volatility triples halfway, where
 * ACI keeps its long-run coverage and a static quantile does not.
 */
#include "conformal.h"
#include "tap.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#define is_exact(got, want, name)                                                 \
	do {                                                                      \
		double g_ = (got), w_ = (want);                                   \
		if (!ok(g_ == w_ || (isnan(g_) && isnan(w_)), "%s", name))        \
			printf("#   got %.17g, want %.17g\n", g_, w_);             \
	} while (0)

/* splitmix64 and Box-Muller: a fixed stream on every platform. */
static uint64_t rng_state = 20211;

static uint64_t splitmix64(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double uniform01(void)	/* in (0, 1) */
{
	return ((double)(splitmix64() >> 11) + 0.5) / 9007199254740992.0;
}

static double gaussian(void)
{
	return sqrt(-2 * log(uniform01())) * cos(2 * M_PI * uniform01());
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* The definition by sorting: the ceil((m+1)c)-th smallest finite score. */
static double sorted_quantile(const double *s, size_t n, double c)
{
	double *a = malloc((n + 1) * sizeof(*a)), q;
	size_t m = 0;

	for (size_t i = 0; i < n; i++)
		if (isfinite(s[i]))
			a[m++] = s[i];
	if (m == 0) {
		free(a);
		return NAN;
	}
	qsort(a, m, sizeof(*a), cmp_double);
	double r = ceil((double)(m + 1) * c - 1e-9);
	q = r > (double)m ? INFINITY : r < 1 ? 0 : a[(size_t)r - 1];
	free(a);
	return q;
}

static void test_quantile_ranks(void)
{
	const double four[] = { 0.3, 0.1, 0.4, 0.2 };
	const double mixed[] = { 0.3, NAN, 0.1, INFINITY, 0.4, -INFINITY, 0.2 };
	const double none[] = { NAN, INFINITY };
	double copy[7];

	is_exact(sp_conformal_quantile(four, 4, 0.8), 0.4, "n=4, 0.8: ceil(4) = 4th smallest");
	is_exact(sp_conformal_quantile(four, 4, 0.5), 0.3, "n=4, 0.5: ceil(2.5) = 3rd smallest");
	is_exact(sp_conformal_quantile(four, 4, 0.2), 0.1, "n=4, 0.2: ceil(1) = 1st smallest");
	is_exact(sp_conformal_quantile(four, 3, 0.8), INFINITY,
		 "n=3, 0.8: ceil(3.2) = 4 > 3 is INFINITY");
	is_exact(sp_conformal_quantile(four, 4, 1), INFINITY, "coverage 1 is INFINITY");
	is_exact(sp_conformal_quantile(four, 4, 0), 0, "coverage 0 is 0 (rank 0)");
	is_exact(sp_conformal_quantile(four, 4, NAN), NAN, "coverage NAN is NAN");
	is_exact(sp_conformal_quantile(four, 0, 0.8), NAN, "no scores is NAN");
	is_exact(sp_conformal_quantile(none, 2, 0.8), NAN, "no finite scores is NAN");
	for (int i = 0; i < 7; i++)
		copy[i] = mixed[i];
	is_exact(sp_conformal_quantile(copy, 7, 0.8), 0.4,
		 "non-finite scores ignored: 4 counted, 4th smallest");
	is_exact(sp_conformal_quantile(copy, 7, 0.5), 0.3, "non-finite ignored, 0.5: 3rd");
	int same = 1;
	for (int i = 0; i < 7; i++)
		same &= copy[i] == mixed[i] || (isnan(copy[i]) && isnan(mixed[i]));
	ok(same, "scores not modified");

	/* (99 + 1) * 0.07 is 7.000000000000001 in doubles; the rank is 7 */
	double hundred[99];
	for (int i = 0; i < 99; i++)
		hundred[i] = 99 - i;	/* 1 .. 99 */
	is_exact(sp_conformal_quantile(hundred, 99, 0.07), 7, "n=99, 0.07: rank 7, not 8");

	/* many scores with ties, several levels, against a sort */
	enum { M = 1001 };
	static double big[M];
	int agree = 1;
	for (int i = 0; i < M; i++)
		big[i] = i % 10 == 0 ? round(fabs(gaussian()) * 4) / 4 : fabs(gaussian());
	big[17] = NAN;
	for (double c = 0.05; c < 1; c += 0.05) {
		double got = sp_conformal_quantile(big, M, c), want = sorted_quantile(big, M, c);
		if (got != want) {
			agree = 0;
			printf("# coverage %g: got %.17g, want %.17g\n", c, got, want);
		}
	}
	ok(agree, "1001 scores with ties, 19 levels: same as sorting");
}

static void test_aci_new(void)
{
	struct sp_aci *a;

	ok(!sp_aci_new(0, 0.01, 10), "coverage 0 refused");
	ok(!sp_aci_new(1, 0.01, 10), "coverage 1 refused");
	ok(!sp_aci_new(NAN, 0.01, 10), "coverage NAN refused");
	ok(!sp_aci_new(0.8, -0.01, 10), "negative gamma refused");
	ok(!sp_aci_new(0.8, NAN, 10), "gamma NAN refused");
	ok(!sp_aci_new(0.8, 0.01, 0), "window 0 refused");
	sp_aci_free(NULL);
	a = sp_aci_new(0.8, 0.01, 10);
	ok(a != NULL, "valid state made");
	is_exact(sp_aci_alpha(a), 1 - 0.8, "alpha starts at 1 - coverage");
	is_exact(sp_aci_width(a), NAN, "no width before a score");
	const double nan_only[] = { NAN, NAN };
	is_int(sp_aci_observe(a, nan_only, 2, 1.0), 0, "observe only NANs");
	is_exact(sp_aci_alpha(a), 1 - 0.8, "only NAN scores: alpha does not move");
	is_exact(sp_aci_width(a), NAN, "only NAN scores: still no width");
	sp_aci_free(a);
}

/*
 * By hand, coverage 0.5, gamma 0.1, window 4 (alpha = 0.5 throughout the
 * first steps because err is 0.5; widths are the ceil(5 * level)-th smallest).
 */
static void test_aci_by_hand(void)
{
	struct sp_aci *a = sp_aci_new(0.5, 0.1, 4);
	const double s1[] = { 4, 3, 2, 1 }, s2[] = { 10, NAN, 0.5 }, s3[] = { 5, 6, 7, 8 };
	const double s4[] = { 0, 0 };

	is_int(sp_aci_observe(a, s1, 4, NAN), 0, "observe without a width");
	is_exact(sp_aci_alpha(a), 0.5, "no width: alpha stays");
	is_exact(sp_aci_width(a), 3, "{1,2,3,4}, level 0.5: 3rd smallest");
	sp_aci_observe(a, s2, 3, 3);
	is_exact(sp_aci_alpha(a), 0.5, "1 of 2 finite outside: err 0.5 = alpha, no move");
	is_exact(sp_aci_width(a), 2, "window now {2,1,10,0.5}: 3rd smallest 2");
	sp_aci_observe(a, s3, 4, 2);
	is_close(sp_aci_alpha(a), 0.45, 1e-15, "all outside: alpha 0.5 + 0.1 (0.5 - 1)");
	is_exact(sp_aci_width(a), 7, "{5,6,7,8}, level 0.55: ceil(2.75) = 3rd, 7");
	sp_aci_observe(a, s4, 2, 7);
	is_close(sp_aci_alpha(a), 0.5, 1e-15, "none outside: alpha 0.45 + 0.1 (0.5 - 0)");
	is_exact(sp_aci_width(a), 7, "{7,8,0,0}, level 0.5: 3rd smallest 7");
	sp_aci_free(a);

	/* gamma 1: alpha leaves [0, 1] and the level is clamped */
	const double one[] = { 1 }, three[] = { 1, 2, 3 };
	a = sp_aci_new(0.5, 1, 10);
	sp_aci_observe(a, three, 3, 10);
	is_exact(sp_aci_alpha(a), 1, "gamma 1, none outside: alpha 1");
	is_exact(sp_aci_width(a), 0, "alpha 1: level 0, width 0");
	sp_aci_observe(a, one, 1, 0);
	sp_aci_observe(a, one, 1, 0);
	is_exact(sp_aci_alpha(a), 0, "two dates all outside: alpha 0");
	is_exact(sp_aci_width(a), INFINITY, "alpha 0: level 1, width INFINITY");
	sp_aci_observe(a, one, 1, 0);
	is_exact(sp_aci_alpha(a), -0.5, "alpha is not clamped");
	is_exact(sp_aci_width(a), INFINITY, "alpha < 0: level clamped to 1");
	sp_aci_observe(a, three, 3, INFINITY);
	sp_aci_observe(a, three, 3, INFINITY);
	sp_aci_observe(a, three, 3, INFINITY);
	is_exact(sp_aci_alpha(a), 1, "width INFINITY: nothing outside");
	sp_aci_free(a);
}

/* The window through growth and wrap-around, against sorting the last scores. */
static void test_aci_window(void)
{
	enum { WINDOW = 257, DATES = 300, MAXK = 70 };
	static double all[DATES * MAXK];
	size_t total = 0;
	struct sp_aci *a = sp_aci_new(0.9, 0.05, WINDOW);
	int agree = 1, obs_ok = 1;
	double width = NAN;

	for (int t = 0; t < DATES; t++) {
		double s[MAXK];
		size_t k = splitmix64() % MAXK;

		if (t == 100)
			k = MAXK - 1;
		for (size_t i = 0; i < k; i++) {
			s[i] = splitmix64() % 13 == 0 ? NAN : fabs(gaussian());
			if (isfinite(s[i]))
				all[total++] = s[i];
		}
		obs_ok &= sp_aci_observe(a, s, k, width) == 0;
		width = sp_aci_width(a);

		size_t from = total > WINDOW ? total - WINDOW : 0;
		double level = 1 - sp_aci_alpha(a);
		level = level < 0 ? 0 : level > 1 ? 1 : level;
		double want = sorted_quantile(all + from, total - from, level);
		if (!(width == want || (isnan(width) && isnan(want)))) {
			agree = 0;
			printf("# date %d: got %.17g, want %.17g\n", t, width, want);
		}
	}
	ok(obs_ok, "every observe returned 0");
	ok(agree, "window of 257 across 300 dates: width is the sorted quantile of the last 257");
	sp_aci_free(a);
}

/*
 * 2000 dates of 20 rows, |N(0, sigma^2)| scores, sigma 1 then 3 from date
 * 1000; the test applies a horizon of 5: at date t it observes date t-5's
 * scores with the width date t-5 was given, then asks for date t's width.
 */
static void test_aci_simulation(void)
{
	enum { T = 2000, K = 20, H = 5 };
	static double score[T][K], given[T];
	const double target = 0.8;
	struct sp_aci *a = sp_aci_new(target, 0.02, 5000);
	size_t in = 0, rows = 0, in2 = 0, rows2 = 0, sin2 = 0;

	for (int t = 0; t < T; t++)
		for (int i = 0; i < K; i++)
			score[t][i] = fabs((t < T / 2 ? 1 : 3) * gaussian());
	for (int t = 0; t < T; t++) {
		if (t >= H)
			sp_aci_observe(a, score[t - H], K, given[t - H]);
		given[t] = sp_aci_width(a);
		if (isnan(given[t]))
			continue;
		for (int i = 0; i < K; i++) {
			int covered = score[t][i] <= given[t];
			in += covered;
			rows++;
			if (t >= T / 2) {
				in2 += covered;
				rows2++;
			}
		}
	}
	double q = sp_conformal_quantile(&score[0][0], (size_t)(T / 2) * K, target);
	for (int t = T / 2; t < T; t++)
		for (int i = 0; i < K; i++)
			sin2 += score[t][i] <= q;

	double aci = (double)in / (double)rows, aci2 = (double)in2 / (double)rows2;
	double stat2 = (double)sin2 / (double)rows2;
	printf("# ACI coverage %.4f overall, %.4f second half; static %.4f second half\n",
	       aci, aci2, stat2);
	is_int(rows, (T - H) * K, "widths from date 5 on");
	ok(fabs(aci - target) <= 0.02, "ACI long-run coverage within 0.02 of 0.8");
	ok(fabs(aci2 - target) <= 0.03, "ACI second-half coverage within 0.03 of 0.8");
	ok(fabs(stat2 - target) > 0.05, "static first-half quantile off by > 0.05 after the jump");
	sp_aci_free(a);
}

int main(void)
{
	test_quantile_ranks();
	test_aci_new();
	test_aci_by_hand();
	test_aci_window();
	test_aci_simulation();
	return tap_done();
}
