/*
 * test-num.c - sp_num_parse and sp_num_format.
 *
 * Expected values never come from num.cc: they are written by hand, built
 * from the integers a test generated, or worked out independently with
 * glibc's correctly rounded snprintf("%.*e") and strtod.  The shortest
 * digits of v are those of the smallest precision p for which
 * strtod(snprintf("%.*e", p - 1, v)) == v, and the layout around them is
 * ECMAScript's Number.prototype.toString (fixed notation for 1e-6 <= |v| <
 * 1e21, else "1.5e-7" / "1e+21"), written out here from its definition.
 */
#include "num.h"
#include "tap.h"

#include <float.h>
#include <stdint.h>
#include <stdlib.h>

#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(undefined_behavior_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifndef SANITIZED
#define SANITIZED 0
#endif

/* Sanitizer builds run the same checks on fewer random values. */
#define SCALE(n) (SANITIZED ? (n) / 10 : (n))

static uint64_t rng_state = 0x5eed5eed2024ULL;

static uint64_t rnd(void)
{
	/* splitmix64 */
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t rnd_below(uint64_t n)
{
	return rnd() % n;
}

static double from_bits(uint64_t b)
{
	double v;
	memcpy(&v, &b, sizeof(v));
	return v;
}

static uint64_t to_bits(double v)
{
	uint64_t b;
	memcpy(&b, &v, sizeof(b));
	return b;
}

static int same_double(double a, double b)
{
	return to_bits(a) == to_bits(b);
}

/* ---- the independent shortest form ------------------------------------ */

static int roundtrips_at(double v, int p)
{
	char t[64];
	snprintf(t, sizeof(t), "%.*e", p - 1, v);
	return strtod(t, NULL) == v;
}

/*
 * Smallest p in 1..17 with strtod("%.{p-1}e") == v.  Round-tripping is
 * monotone in p (the nearest p-digit decimal is also a (p+1)-digit one), so
 * a binary search finds it; p - 1 is checked anyway.
 */
static int shortest_p(double v)
{
	int lo = 1, hi = 17;

	while (lo < hi) {
		int mid = (lo + hi) / 2;
		if (roundtrips_at(v, mid))
			hi = mid;
		else
			lo = mid + 1;
	}
	if (lo > 1 && roundtrips_at(v, lo - 1)) {
		/* not monotone after all: fall back to a linear search */
		for (lo = 1; lo < 17 && !roundtrips_at(v, lo); lo++)
			;
	}
	return lo;
}

/*
 * The ECMAScript text of finite, non-zero v from its shortest digits:
 * k digits d1..dk, value 0.d1..dk * 10^n.
 */
static void ecma_text(double v, char *out, size_t outlen)
{
	char sci[64], digits[32], *o = out;
	int p = shortest_p(v), k = 0, n, e;
	const char *s = sci;

	snprintf(sci, sizeof(sci), "%.*e", p - 1, fabs(v));
	for (; *s && *s != 'e'; s++)
		if (*s >= '0' && *s <= '9')
			digits[k++] = *s;
	while (k > 1 && digits[k - 1] == '0')
		k--;
	digits[k] = '\0';
	e = atoi(s + 1);
	n = e + 1;
	if (v < 0)
		*o++ = '-';
	if (k <= n && n <= 21) {
		o += sprintf(o, "%s", digits);
		for (int i = 0; i < n - k; i++)
			*o++ = '0';
	} else if (0 < n && n <= 21) {
		memcpy(o, digits, (size_t)n);
		o += n;
		*o++ = '.';
		o += sprintf(o, "%s", digits + n);
	} else if (-6 < n && n <= 0) {
		*o++ = '0';
		*o++ = '.';
		for (int i = 0; i < -n; i++)
			*o++ = '0';
		o += sprintf(o, "%s", digits);
	} else {
		*o++ = digits[0];
		if (k > 1) {
			*o++ = '.';
			o += sprintf(o, "%s", digits + 1);
		}
		o += sprintf(o, "e%c%d", n - 1 >= 0 ? '+' : '-', abs(n - 1));
	}
	*o = '\0';
	(void)outlen;
}

/* Significant digits of a decimal text: no sign, point, exponent or
 * leading and trailing zeros. */
static int sig_digits(const char *s)
{
	char d[64];
	int k = 0, i = 0;

	for (; *s && *s != 'e' && *s != 'E'; s++)
		if (*s >= '0' && *s <= '9' && k < 63)
			d[k++] = *s;
	while (i < k && d[i] == '0')
		i++;
	while (k > i && d[k - 1] == '0')
		k--;
	return k - i;
}

struct fmt_stats {
	long n, bad_len, bad_text, bad_back, shorter;
};

/*
 * Check sp_num_format(v) against the independent text, and that
 * sp_num_parse reads it back to the identical double.
 */
static void check_format(double v, struct fmt_stats *st, const char *what)
{
	char got[SP_NUM_MAX + 8], want[64];
	size_t n;
	double back = 0;

	st->n++;
	memset(got, 'X', sizeof(got));
	n = sp_num_format(v, got);
	if (n >= SP_NUM_MAX || n != strlen(got)) {
		if (st->bad_len++ < 5)
			printf("# %s: %.17g: length %zu, strlen %zu\n", what, v, n,
			       strlen(got));
		return;
	}
	if (sp_num_parse(got, n, &back) != 0 || !same_double(back, v) ||
	    strtod(got, NULL) != v) {
		if (st->bad_back++ < 5)
			printf("# %s: %a -> '%s' does not read back (got %a)\n", what, v,
			       got, back);
		return;
	}
	ecma_text(v, want, sizeof(want));
	if (strcmp(got, want)) {
		/* Only a shorter text than the %.e search found may differ
		 * (possible at a power of two, where the rounding interval is
		 * lopsided); it read back above. */
		if (sig_digits(got) < shortest_p(v)) {
			if (st->shorter++ < 5)
				printf("# %s: %a -> '%s', shorter than '%s'\n", what, v,
				       got, want);
			return;
		}
		if (st->bad_text++ < 5)
			printf("# %s: %a -> '%s', want '%s'\n", what, v, got, want);
	}
}

static void report(const struct fmt_stats *st, const char *what)
{
	ok(st->bad_len == 0, "%s: %ld values, length matches strlen and < SP_NUM_MAX",
	   what, st->n);
	ok(st->bad_back == 0, "%s: format then parse gives the identical double", what);
	ok(st->bad_text == 0, "%s: text is the shortest, in ECMAScript layout", what);
}

/* ---- format: hand-written cases --------------------------------------- */

static void is_fmt(double v, const char *want, const char *name)
{
	char buf[SP_NUM_MAX];
	size_t n = sp_num_format(v, buf);

	is_str(buf, want, name);
	is_int(n, strlen(want), name);
}

static void test_format_cases(void)
{
	is_fmt(1.1, "1.1", "1.1");
	is_fmt(0.1 + 0.2, "0.30000000000000004", "0.1 + 0.2");
	is_fmt(5, "5", "5");
	is_fmt(-5, "-5", "-5");
	is_fmt(0.0, "0", "0");
	is_fmt(-0.0, "0", "-0 prints as 0");
	is_fmt(1e21, "1e+21", "1e21 switches to exponent form");
	is_fmt(1e20, "100000000000000000000", "1e20 is still fixed");
	is_fmt(123456789012345680000.0, "123456789012345680000",
	       "123456789012345680000 (17 digits, then zeros)");
	is_fmt(999999999999999900000.0, "999999999999999900000",
	       "largest double below 1e21 in fixed form");
	is_fmt(1.5e-7, "1.5e-7", "1.5e-7");
	is_fmt(1e-7, "1e-7", "1e-7");
	is_fmt(1e-6, "0.000001", "1e-6 is still fixed");
	is_fmt(1.234e-6, "0.000001234", "1.234e-6");
	is_fmt(-1.5e-7, "-1.5e-7", "-1.5e-7");
	is_fmt(0.5, "0.5", "0.5");
	is_fmt(100, "100", "100");
	is_fmt(1e15, "1000000000000000", "1e15");
	is_fmt(123456789012345.6, "123456789012345.6", "123456789012345.6");
	is_fmt(9007199254740993.0, "9007199254740992", "2^53 + 1 rounds to 2^53");
	is_fmt(0.1, "0.1", "0.1");
	is_fmt(2.675, "2.675", "2.675");
	is_fmt(1.0 / 3, "0.3333333333333333", "1/3");
	is_fmt(2.0 / 3, "0.6666666666666666", "2/3");
	is_fmt(187.27, "187.27", "a price");
	is_fmt(0.597773449542, "0.597773449542", "an adjusted close");
	is_fmt(2487300, "2487300", "a volume");
	is_fmt(DBL_MAX, "1.7976931348623157e+308", "DBL_MAX");
	is_fmt(-DBL_MAX, "-1.7976931348623157e+308", "-DBL_MAX");
	is_fmt(DBL_MIN, "2.2250738585072014e-308", "DBL_MIN");
	is_fmt(5e-324, "5e-324", "smallest subnormal");
	is_fmt(1e100, "1e+100", "1e100");
	is_fmt(1.7e-300, "1.7e-300", "1.7e-300");
	is_fmt(0.000001, "0.000001", "0.000001");
	is_fmt(0.0000015, "0.0000015", "0.0000015");
	is_fmt(1234.5678, "1234.5678", "1234.5678");
	is_fmt(-0.01, "-0.01", "-0.01");

	char buf[SP_NUM_MAX];
	memset(buf, 'X', sizeof(buf));
	is_int(sp_num_format(NAN, buf), 0, "NaN has length 0");
	is_str(buf, "", "NaN writes \"\"");
	memset(buf, 'X', sizeof(buf));
	is_int(sp_num_format(-NAN, buf), 0, "-NaN has length 0");
	is_str(buf, "", "-NaN writes \"\"");
	memset(buf, 'X', sizeof(buf));
	is_int(sp_num_format(INFINITY, buf), 0, "inf has length 0");
	is_str(buf, "", "inf writes \"\"");
	memset(buf, 'X', sizeof(buf));
	is_int(sp_num_format(-INFINITY, buf), 0, "-inf has length 0");
	is_str(buf, "", "-inf writes \"\"");
}

/* ---- parse: hand-written cases ---------------------------------------- */

/* S with control bytes as \ooo, for a test name on one line. */
static const char *printable(const char *s)
{
	static char buf[256];
	char *o = buf;

	for (; *s && o < buf + sizeof(buf) - 5; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x20)
			o += sprintf(o, "\\%03o", c);
		else
			*o++ = (char)c;
	}
	*o = '\0';
	return buf;
}

static void parse_rejects(const char *s)
{
	double v = 12345;
	int r = sp_num_parse(s, strlen(s), &v);

	ok(r == -1 && v == 12345, "parse rejects \"%s\" and leaves *out alone",
	   printable(s));
}

static void parse_accepts(const char *s, double want)
{
	double v = 12345;
	int r = sp_num_parse(s, strlen(s), &v);

	if (!ok(r == 0 && same_double(v, want), "parse \"%s\" -> %.17g", s, want))
		printf("#   returned %d, value %.17g\n", r, v);
}

static void test_parse_cases(void)
{
	static const char *const bad[] = {
		"", "-", "+", ".", "+.", "-.", "1e", "1e+", "1e-", "e5", ".e1",
		"abc", "1,5", " 1", "1 ", "\t1", "1\n", "inf", "-inf", "Infinity",
		"nan", "NaN", "0x10", "0X1p3", "1e400", "-1e400",
		"1.7976931348623159e308", "1..2", "..5", "1.2.3", "--1", "-+1",
		"+-1", "1e5.", "1e+-5", "1e5e5", "1_000", "1f", "1d", "١",
		"12345678901234567890x", "0.1234567890123456789x",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		parse_rejects(bad[i]);

	parse_accepts("1.", 1);
	parse_accepts(".5", 0.5);
	parse_accepts("-.5", -0.5);
	parse_accepts("+5", 5);
	parse_accepts("+.5", 0.5);
	parse_accepts("-0", -0.0);
	parse_accepts("0", 0.0);
	parse_accepts("0.", 0.0);
	parse_accepts("1E5", 100000);
	parse_accepts("1e5", 100000);
	parse_accepts("1e+5", 100000);
	parse_accepts("1.5e-7", 1.5e-7);
	parse_accepts("1.e5", 100000);
	parse_accepts(".5e1", 5);
	parse_accepts("+1e5", 100000);
	parse_accepts("007", 7);
	parse_accepts("-007.50", -7.5);
	parse_accepts("1.1", 1.1);
	parse_accepts("0.30000000000000004", 0.1 + 0.2);
	parse_accepts("187.27", 187.27);
	parse_accepts("2487300", 2487300);
	parse_accepts("123456789012345680000", 123456789012345680000.0);
	parse_accepts("9007199254740993", 9007199254740992.0);
	parse_accepts("1.7976931348623157e308", DBL_MAX);
	parse_accepts("4.9406564584124654e-324", 5e-324);
	parse_accepts("1e-400", 0.0);	/* rounds to zero: still a number */
	parse_accepts("0.0000000000000000000000001", 1e-25);
	parse_accepts("00000000000000000000000000000000001.5", 1.5);
	parse_accepts("1.00000000000000000000000000000000000000001", 1.0);
	parse_accepts("12345678901234567890", 12345678901234567890.0);

	/* Only LEN bytes are read: a buffer with no NUL, and trailing junk. */
	char *exact = malloc(5);
	memcpy(exact, "187.2", 5);
	double v = 0;
	ok(sp_num_parse(exact, 5, &v) == 0 && v == 187.2,
	   "parse reads exactly LEN bytes of an unterminated buffer");
	memcpy(exact, "1e308", 5);
	ok(sp_num_parse(exact, 5, &v) == 0 && v == 1e308,
	   "library path reads exactly LEN bytes too");
	free(exact);
	ok(sp_num_parse("1.5x", 3, &v) == 0 && v == 1.5, "\"1.5x\" with len 3 is 1.5");
	ok(sp_num_parse("12345678901234567xyz", 17, &v) == 0 &&
	   v == 12345678901234567.0, "17 digits with len 17 ignore what follows");
	ok(sp_num_parse("5,6", 1, &v) == 0 && v == 5, "\"5,6\" with len 1 is 5");
}

/* ---- random values ----------------------------------------------------- */

static void test_random_bits(void)
{
	struct fmt_stats st = { 0 };
	long n = SCALE(2000000), nonfinite = 0, nonfinite_bad = 0;

	for (long i = 0; i < n; i++) {
		double v = from_bits(rnd());
		if (v != v || v - v != 0) {
			char buf[SP_NUM_MAX] = "X";
			nonfinite++;
			if (sp_num_format(v, buf) != 0 || buf[0])
				nonfinite_bad++;
			continue;
		}
		if (v == 0)
			continue;
		check_format(v, &st, "random bits");
	}
	report(&st, "random bit patterns");
	ok(nonfinite_bad == 0, "random NaN/inf (%ld of them) format as \"\"", nonfinite);
}

/* Every power of two, and its neighbours: the lopsided rounding intervals. */
static void test_powers_of_two(void)
{
	struct fmt_stats st = { 0 };

	for (int e = -1074; e <= 1023; e++) {
		double v = ldexp(1.0, e);
		check_format(v, &st, "2^e");
		check_format(-v, &st, "-2^e");
		check_format(nextafter(v, 0), &st, "2^e-");
		check_format(nextafter(v, INFINITY), &st, "2^e+");
	}
	report(&st, "powers of two and neighbours");
	if (st.shorter)
		printf("# %ld powers of two print shorter than %%.e finds (fine)\n",
		       st.shorter);
}

/*
 * Decimals of 1..17 significant digits at exponents from -30 to 30 and their
 * neighbouring doubles: the edges of the fast path (15 digits, 22 fractional
 * digits, 1e-6, 1e15, 1e21).
 */
static void test_short_decimals(void)
{
	struct fmt_stats st = { 0 };
	long n = SCALE(600000);

	for (long i = 0; i < n; i++) {
		int nd = 1 + (int)rnd_below(17), e = (int)rnd_below(61) - 30;
		char t[64];
		uint64_t m = 1 + rnd_below(9);
		for (int d = 1; d < nd; d++)
			m = m * 10 + rnd_below(10);
		snprintf(t, sizeof(t), "%s%llue%d", rnd() & 1 ? "-" : "",
			 (unsigned long long)m, e);
		double v = strtod(t, NULL);
		if (v == 0 || v - v != 0)
			continue;
		check_format(v, &st, "short decimal");
		if ((i & 7) == 0) {
			check_format(nextafter(v, 0), &st, "short decimal-");
			check_format(nextafter(v, v * 2), &st, "short decimal+");
		}
	}
	report(&st, "decimals of 1-17 digits, 1e-30..1e30, and neighbours");
}

/*
 * Price-like decimals with 1-6 decimals: the text is built from integers,
 * so the expected output is that text without trailing zeros, and strtod
 * gives the expected parse.
 */
static void test_prices(void)
{
	long n = SCALE(1000000), bad_parse = 0, bad_fmt = 0;

	for (long i = 0; i < n; i++) {
		int dec = 1 + (int)rnd_below(6), neg = rnd_below(10) == 0;
		uint64_t ip = rnd_below(4) == 0 ? rnd_below(10) : rnd_below(100000);
		uint64_t fp = rnd_below((uint64_t)pow(10, dec));
		char text[64], want[64], got[SP_NUM_MAX];
		int len = snprintf(text, sizeof(text), "%s%llu.%0*llu", neg ? "-" : "",
				   (unsigned long long)ip, dec, (unsigned long long)fp);
		double v = 0;

		if (sp_num_parse(text, (size_t)len, &v) != 0 ||
		    !same_double(v, strtod(text, NULL))) {
			if (bad_parse++ < 5)
				printf("# parse '%s' -> %.17g, strtod %.17g\n", text, v,
				       strtod(text, NULL));
			continue;
		}
		/* expected text: drop trailing fractional zeros and a bare point */
		strcpy(want, text);
		char *e = want + strlen(want);
		while (e[-1] == '0')
			*--e = '\0';
		if (e[-1] == '.')
			*--e = '\0';
		if (!strcmp(want, "-0"))
			strcpy(want, "0");
		sp_num_format(v, got);
		if (strcmp(got, want) && bad_fmt++ < 5)
			printf("# format %.17g -> '%s', want '%s'\n", v, got, want);
	}
	ok(bad_parse == 0, "%ld price-like decimals parse as strtod does", n);
	ok(bad_fmt == 0, "%ld price-like decimals print as written, less trailing zeros", n);
}

/* Random decimal texts, fast path and library path, against strtod. */
static void test_parse_random(void)
{
	long n = SCALE(1000000), bad = 0;

	for (long i = 0; i < n; i++) {
		char t[96], *p = t;
		int nd = 1 + (int)rnd_below(26), point = (int)rnd_below((uint64_t)nd + 2) - 1;
		int lead = rnd_below(4) == 0 ? (int)rnd_below(25) : 0;
		double v = 0;

		if (rnd_below(3) == 0)
			*p++ = rnd() & 1 ? '-' : '+';
		for (int z = 0; z < lead; z++) {
			*p++ = '0';
			if (z == 0 && point < 0 && rnd() & 1)
				*p++ = '.', point = nd + 1;	/* "0.000ddd" */
		}
		for (int d = 0; d < nd; d++) {
			if (d == point)
				*p++ = '.';
			*p++ = (char)('0' + rnd_below(10));
		}
		if (rnd_below(3) == 0)
			p += sprintf(p, "%c%d", rnd() & 1 ? 'e' : 'E',
				     (int)rnd_below(80) - 40);
		*p = '\0';
		int r = sp_num_parse(t, (size_t)(p - t), &v);
		double want = strtod(t, NULL);
		if (r != 0 || !same_double(v, want)) {
			if (bad++ < 5)
				printf("# parse '%s' -> %d %.17g, strtod %.17g\n", t, r, v,
				       want);
		}
	}
	ok(bad == 0, "%ld random decimal texts parse exactly as strtod", n);

	/* %.17g of random doubles: every finite double's text reads back. */
	bad = 0;
	for (long i = 0; i < SCALE(300000); i++) {
		double v = from_bits(rnd()), got = 0;
		char t[64];
		if (v != v || v - v != 0)
			continue;
		int len = snprintf(t, sizeof(t), "%.17g", v);
		if (sp_num_parse(t, (size_t)len, &got) != 0 || !same_double(got, v)) {
			if (bad++ < 5)
				printf("# parse '%s' -> %.17g\n", t, got);
		}
	}
	ok(bad == 0, "%%.17g of random doubles parses back to the same double");
}

int main(void)
{
	test_format_cases();
	test_parse_cases();
	test_powers_of_two();
	test_prices();
	test_short_decimals();
	test_random_bits();
	test_parse_random();
	return tap_done();
}
