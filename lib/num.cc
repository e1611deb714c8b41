/*
 * num.cc - the C face of double-conversion (Debian's libdouble-conversion),
 * which gives shortest round-trip printing and correct parsing; glibc has
 * neither, fast.  Both directions first try an exact fast path that covers
 * the prices and volumes of market data, and leave the rest to the library.
 */
#include "num.h"

#include <double-conversion/double-conversion.h>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <stdint.h>
#include <string.h>

using double_conversion::DoubleToStringConverter;
using double_conversion::StringBuilder;
using double_conversion::StringToDoubleConverter;

static const double pow10[] = {
	1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

/*
 * Clinger's fast path: a decimal with at most 15 significant digits and at
 * most 22 fractional digits is m / 10^k with m and 10^k exact doubles, and
 * IEEE division rounds that quotient correctly.
 */
static int parse_fast(const char *s, size_t len, double *out)
{
	size_t i = 0, digits = 0, frac = 0;
	uint64_t m = 0;
	int neg = 0, point = 0, any = 0;

	if (s[0] == '-' || s[0] == '+')
		neg = s[0] == '-', i++;
	if (i == len)
		return -1;
	for (; i < len; i++) {
		char c = s[i];
		if (c >= '0' && c <= '9') {
			any = 1;
			if (m || c != '0')
				digits++;
			if (digits > 15)
				return -1;
			m = m * 10 + (uint64_t)(c - '0');
			frac += (size_t)point;
		} else if (c == '.' && !point) {
			point = 1;
		} else {
			return -1;	/* exponent or junk: the library decides */
		}
	}
	if (frac > 22 || !any)
		return -1;	/* "." or "+." has no digits: the library rejects it */
	*out = (double)m / pow10[frac];
	if (neg)
		*out = -*out;
	return 0;
}

/*
 * Longer decimals (sp's own output has up to 17 digits) through libstdc++'s
 * std::from_chars, correctly rounded like the library and several times
 * faster.  It would also take "inf" and "nan", which the check of the first
 * character keeps out.  Out of range (overflow, or underflow to a
 * subnormal) goes to the library.
 */
static int parse_from_chars(const char *s, size_t len, double *out)
{
	const char *p = s, *end = s + len;
	double v;

	const char *q;

	/* from_chars takes '-' but not '+'.  A digit or a point must follow
	 * the one sign: that keeps out "inf", "nan" and a second sign. */
	if (*p == '+')
		q = ++p;
	else
		q = p + (*p == '-');
	if (q == end || !((*q >= '0' && *q <= '9') || *q == '.'))
		return -1;
	auto r = std::from_chars(p, end, v, std::chars_format::general);
	if (r.ec != std::errc() || r.ptr != end)
		return -1;	/* *OUT untouched, as the contract says */
	*out = v;
	return 0;
}

extern "C" int sp_num_parse(const char *s, size_t len, double *out)
{
	/* Flags 0: the whole text must be the number, no spaces or junk. */
	static const StringToDoubleConverter conv(0, 0.0, 0.0, nullptr, nullptr);
	int used = 0;
	double v;

	if (len == 0 || len > 1024)
		return -1;
	/* 15 digits, a sign and a point at most: longer texts skip the fast path. */
	if (len <= 17 && parse_fast(s, len, out) == 0)
		return 0;
	if (parse_from_chars(s, len, out) == 0)
		return 0;
	v = conv.StringToDouble(s, (int)len, &used);
	if (used != (int)len || v != v || v - v != 0)
		return -1;
	*out = v;
	return 0;
}

/*
 * A decimal of at most 15 significant digits that reads back to v is the
 * only one (DBL_DIG is 15), so it is the shortest.  Scale v so that 15
 * digits sit left of the point, round, and check by an exact division:
 * m and 10^k are exact doubles and IEEE division rounds correctly, so
 * m / 10^k == v says precisely that the decimal reads back to v.  One
 * multiplication and one division; a miss only sends v to the library.
 * Fixed notation, as the library prints numbers in this range.
 */
static size_t format_fast(double v, char *buf)
{
	double a = v < 0 ? -v : v;
	int e = 0, k;

	if (!(a >= 1e-6 && a < 1e15))
		return 0;
	/* e = floor(log10(a)), from the table: no libm call. */
	/* Off by one at a boundary only makes m one digit short (still the
	 * unique answer if it checks) or too long (a miss), never wrong. */
	if (a >= 1) {
		while (e < 14 && a >= pow10[e + 1])
			e++;
	} else {
		e = -1;
		while (e > -6 && a < 1.0 / pow10[-e])
			e--;
	}
	k = 14 - e;
	if (k < 0 || k > 22)
		return 0;
	double scaled = a * pow10[k];
	if (scaled >= 1e15)
		return 0;
	uint64_t m = (uint64_t)(scaled + 0.5);
	if ((double)m / pow10[k] != a)
		return 0;
	while (k > 0 && m % 10 == 0)
		m /= 10, k--;
	char digits[24];
	int nd = 0;
	do
		digits[nd++] = (char)('0' + m % 10);
	while ((m /= 10) != 0);
	char *p = buf;
	if (v < 0)
		*p++ = '-';
	if (nd <= k) {
		*p++ = '0';
		*p++ = '.';
		for (int z = 0; z < k - nd; z++)
			*p++ = '0';
		while (nd)
			*p++ = digits[--nd];
	} else {
		while (nd > k)
			*p++ = digits[--nd];
		if (k) {
			*p++ = '.';
			while (nd)
				*p++ = digits[--nd];
		}
	}
	*p = '\0';
	return (size_t)(p - buf);
}

/*
 * The shortest digits from libstdc++'s std::to_chars (Ryu, several times
 * faster than the library's fallback for the 16- and 17-digit values that
 * float prices become), laid out as EcmaScript's Number.prototype.toString
 * does, which is what the library prints: with the point at position n of
 * the k digits, "ddd000" for k <= n <= 21, "dd.d" for 0 < n <= 21,
 * "0.000ddd" for -6 < n <= 0, else "d.ddde+X" / "de-X".  0 on surprise.
 */
static size_t format_to_chars(double v, char *buf)
{
	char sci[40], digits[24], *p = buf;
	int k = 0, n, exp;

	auto r = std::to_chars(sci, sci + sizeof(sci) - 1, v, std::chars_format::scientific);
	if (r.ec != std::errc())
		return 0;
	*r.ptr = '\0';
	const char *q = sci;
	if (*q == '-')
		*p++ = *q++;
	for (; *q && *q != 'e'; q++)
		if (*q != '.' && k < 20)
			digits[k++] = *q;
	if (*q != 'e' || k == 0)
		return 0;
	exp = atoi(q + 1);
	n = exp + 1;
	if (k <= n && n <= 21) {
		memcpy(p, digits, (size_t)k);
		p += k;
		for (int z = 0; z < n - k; z++)
			*p++ = '0';
	} else if (0 < n && n <= 21) {
		memcpy(p, digits, (size_t)n);
		p += n;
		*p++ = '.';
		memcpy(p, digits + n, (size_t)(k - n));
		p += k - n;
	} else if (-6 < n && n <= 0) {
		*p++ = '0';
		*p++ = '.';
		for (int z = 0; z < -n; z++)
			*p++ = '0';
		memcpy(p, digits, (size_t)k);
		p += k;
	} else {
		*p++ = digits[0];
		if (k > 1) {
			*p++ = '.';
			memcpy(p, digits + 1, (size_t)(k - 1));
			p += k - 1;
		}
		p += snprintf(p, 8, "e%c%d", n - 1 < 0 ? '-' : '+', n - 1 < 0 ? 1 - n : n - 1);
	}
	*p = '\0';
	return (size_t)(p - buf);
}

extern "C" size_t sp_num_format(double v, char buf[SP_NUM_MAX])
{
	/* JavaScript's shortest form: fixed notation from 1e-6 to 1e21. */
	const DoubleToStringConverter &conv =
		DoubleToStringConverter::EcmaScriptConverter();
	size_t n;

	if (v != v || v - v != 0) {
		buf[0] = '\0';
		return 0;
	}
	if (v == 0) {
		memcpy(buf, "0", 2);	/* and -0 too */
		return 1;
	}
	n = format_fast(v, buf);
	if (n)
		return n;
	n = format_to_chars(v, buf);
	if (n)
		return n;
	StringBuilder sb(buf, SP_NUM_MAX);
	conv.ToShortest(v, &sb);
	n = (size_t)sb.position();
	sb.Finalize();
	return n;
}
