/*
 * date.c - civil dates, bar times and New York wall-clock time by arithmetic.
 *
 * sp_when_parse() runs once per input row, so it reads digits by hand: no
 * sscanf, no mktime, no locale, no time zone database.  Internally everything
 * is 64-bit so that no int32 day or large instant can overflow on the way.
 */
#include "date.h"

#include <stdio.h>
#include "banned.h"

#define SECS_PER_DAY 86400
#define EST (-5 * 3600)
#define EDT (-4 * 3600)

/* Division and remainder rounding down, for a positive divisor. */
static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b < 0);
}

static int64_t floor_mod(int64_t a, int64_t b)
{
	return a % b + (a % b < 0 ? b : 0);
}

/* Howard Hinnant's days_from_civil: eras of 400 years, March-based years. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = floor_div(y, 400);
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = floor_div(z, 146097);
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

sp_day sp_day_from_civil(int year, int month, int day)
{
	return (sp_day)days_from_civil(year, month, day);
}

void sp_day_to_civil(sp_day d, int *year, int *month, int *day)
{
	int64_t y;

	civil_from_days(d, &y, month, day);
	*year = (int)y;
}

static int weekday64(int64_t d)
{
	/* 1970-01-01 was a Thursday. */
	return (int)(((d % 7) + 7 + 4) % 7);
}

int sp_day_weekday(sp_day d)
{
	return weekday64(d);
}

static int days_in_month(int y, int m)
{
	static const unsigned char len[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	if (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
		return 29;
	return len[m - 1];
}

/* Value of n decimal digits at p, or -1 if any of them is not a digit. */
static int digits(const char *p, int n)
{
	int v = 0;

	while (n--) {
		unsigned c = (unsigned char)*p++ - '0';
		if (c > 9)
			return -1;
		v = v * 10 + (int)c;
	}
	return v;
}

static const char *check_date(int y, int m, int d)
{
	if (y < 1800 || y > 2200)
		return "date out of range";
	if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
		return "impossible date";
	return NULL;
}

/*
 * Read the date part of s into *y, *m, *d and the length it took into *used.
 * Only the forms date.h lists are dates: month and day take exactly two digits
 * except in M/D/YYYY, and years always take four, so "2020-1-2" and "1/2/20"
 * are "not a date" rather than guesses.  *dashed is set for YYYY-MM-DD, the
 * only form a time of day may follow.
 */
static const char *parse_date(const char *s, size_t len, size_t *used,
			      int *y, int *m, int *d, int *dashed)
{
	size_t mw, dw;

	*dashed = 0;
	if (len >= 10 && (s[4] == '-' || s[4] == '/') && s[7] == s[4]) {
		*y = digits(s, 4);
		*m = digits(s + 5, 2);
		*d = digits(s + 8, 2);
		*dashed = s[4] == '-';
		*used = 10;
	} else if (len >= 8 && digits(s, 8) >= 0) {
		*y = digits(s, 4);
		*m = digits(s + 4, 2);
		*d = digits(s + 6, 2);
		*used = 8;
	} else {
		/* M/D/YYYY: one or two digits of month and of day. */
		mw = (len > 1 && s[1] == '/') ? 1 : 2;
		if (len <= mw || s[mw] != '/')
			return "not a date";
		dw = (len > mw + 2 && s[mw + 2] == '/') ? 1 : 2;
		if (len < mw + dw + 6 || s[mw + 1 + dw] != '/')
			return "not a date";
		*m = digits(s, (int)mw);
		*d = digits(s + mw + 1, (int)dw);
		*y = digits(s + mw + dw + 2, 4);
		*used = mw + dw + 6;
	}
	if (*y < 0 || *m < 0 || *d < 0)
		return "not a date";
	return NULL;
}

/* Read "Z", "+HH:MM", "-HH:MM", "+HHMM" or "-HHMM" as seconds east of UTC. */
static const char *parse_zone(const char *s, size_t len, int *east)
{
	int sign, h, m;

	if (len == 1 && (*s == 'Z' || *s == 'z')) {
		*east = 0;
		return NULL;
	}
	if (len < 5 || (*s != '+' && *s != '-'))
		return "bad time zone";
	sign = *s == '-' ? -1 : 1;
	h = digits(s + 1, 2);
	if (len == 6 && s[3] == ':')
		m = digits(s + 4, 2);
	else if (len == 5)
		m = digits(s + 3, 2);
	else
		return "bad time zone";
	if (h < 0 || h > 23 || m < 0 || m > 59)
		return "bad time zone";
	*east = sign * (h * 3600 + m * 60);
	return NULL;
}

/* Read "HH:MM[:SS[.fff]]" and the zone after it, from just past the 'T'. */
static const char *parse_time(const char *s, size_t len, int64_t *secs)
{
	int h, m, sec = 0, east;
	size_t i = 5;

	if (len < 5 || s[2] != ':')
		return "bad time";
	h = digits(s, 2);
	m = digits(s + 3, 2);
	if (len >= 8 && s[5] == ':') {
		sec = digits(s + 6, 2);
		i = 8;
		if (i < len && s[i] == '.') {
			/* The fraction is truncated: bars start on whole seconds. */
			if (++i == len || digits(s + i, 1) < 0)
				return "bad time";
			while (i < len && digits(s + i, 1) >= 0)
				i++;
		}
	}
	/* No leap seconds: a bar cannot start on one. */
	if (h < 0 || h > 23 || m < 0 || m > 59 || sec < 0 || sec > 59)
		return "bad time";
	if (i == len)
		return "timestamp without a time zone";
	if (digits(s + i, 1) >= 0 || s[i] == ':')
		return "bad time";
	if (parse_zone(s + i, len - i, &east))
		return "bad time zone";
	*secs = h * 3600 + m * 60 + sec - east;
	return NULL;
}

const char *sp_when_parse(const char *s, size_t len, struct sp_when *w)
{
	int y, m, d, dashed;
	int64_t secs;
	size_t used;
	const char *err;

	/* The common case first: a daily bar as every tool writes it. */
	if (len == 10 && s[4] == '-' && s[7] == '-') {
		y = digits(s, 4);
		m = digits(s + 5, 2);
		d = digits(s + 8, 2);
		if (y < 0 || m < 0 || d < 0)
			return "not a date";
		if ((err = check_date(y, m, d)))
			return err;
		w->t = days_from_civil(y, m, d);
		w->intraday = 0;
		return NULL;
	}
	if ((err = parse_date(s, len, &used, &y, &m, &d, &dashed)))
		return err;
	if (used < len && digits(s + used, 1) >= 0)
		return "not a date";
	if ((err = check_date(y, m, d)))
		return err;
	if (used == len) {
		w->t = days_from_civil(y, m, d);
		w->intraday = 0;
		return NULL;
	}
	if (!dashed || (s[used] != 'T' && s[used] != 't' && s[used] != ' '))
		return "junk after the date";
	used++;
	if ((err = parse_time(s + used, len - used, &secs)))
		return err;
	w->t = days_from_civil(y, m, d) * SECS_PER_DAY + secs;
	w->intraday = 1;
	return NULL;
}

static void put_digits(char *p, int64_t v, int n)
{
	while (n--) {
		p[n] = (char)('0' + v % 10);
		v /= 10;
	}
}

/* Write YYYY-MM-DD; returns its length (longer for years beyond 0..9999). */
static size_t format_day(int64_t day, char *buf)
{
	int64_t y;
	int m, d;

	civil_from_days(day, &y, &m, &d);
	if (y < 0 || y > 9999)
		return (size_t)snprintf(buf, 32, "%lld-%02d-%02d", (long long)y, m, d);
	put_digits(buf, y, 4);
	buf[4] = '-';
	put_digits(buf + 5, m, 2);
	buf[7] = '-';
	put_digits(buf + 8, d, 2);
	buf[10] = '\0';
	return 10;
}

size_t sp_when_format(const struct sp_when *w, char buf[32])
{
	int64_t day, secs;
	size_t n;

	/*
	 * A day is an sp_day; an instant's day fits in 40 bits, so even the
	 * snprintf fallback of format_day() leaves room for the time.
	 */
	if (!w->intraday)
		return format_day((sp_day)w->t, buf);
	day = floor_div(w->t, SECS_PER_DAY);
	secs = floor_mod(w->t, SECS_PER_DAY);
	n = format_day(day, buf);
	buf[n] = 'T';
	put_digits(buf + n + 1, secs / 3600, 2);
	buf[n + 3] = ':';
	put_digits(buf + n + 4, secs / 60 % 60, 2);
	buf[n + 6] = ':';
	put_digits(buf + n + 7, secs % 60, 2);
	buf[n + 9] = 'Z';
	buf[n + 10] = '\0';
	return n + 10;
}

/* The n-th (n >= 1) weekday wd of a month, or the last one for n == 0. */
static int64_t nth_weekday(int64_t y, int m, int wd, int n)
{
	int64_t first, last;

	if (n == 0) {
		last = days_from_civil(y, m, days_in_month((int)y, m));
		return last - (weekday64(last) - wd + 7) % 7;
	}
	first = days_from_civil(y, m, 1);
	return first + (wd - weekday64(first) + 7) % 7 + 7 * (n - 1);
}

int sp_ny_offset(int64_t utc_seconds)
{
	int64_t day = floor_div(utc_seconds, SECS_PER_DAY), y, start, end;
	int64_t secs = floor_mod(utc_seconds, SECS_PER_DAY);
	int m, d;

	/*
	 * The UTC year is the local year whenever it matters: no transition
	 * falls within five hours of New Year.
	 */
	civil_from_days(day, &y, &m, &d);
	if (y < 1967)
		return EST;
	if (y == 1974) {
		/* Emergency year-round daylight time of the energy crisis. */
		start = days_from_civil(1974, 1, 6);
		end = days_from_civil(1974, 10, 27);
	} else if (y == 1975) {
		start = days_from_civil(1975, 2, 23);
		end = days_from_civil(1975, 10, 26);
	} else if (y < 1987) {
		start = nth_weekday(y, 4, 0, 0);
		end = nth_weekday(y, 10, 0, 0);
	} else if (y < 2007) {
		start = nth_weekday(y, 4, 0, 1);
		end = nth_weekday(y, 10, 0, 0);
	} else {
		start = nth_weekday(y, 3, 0, 2);
		end = nth_weekday(y, 11, 0, 1);
	}
	/*
	 * Both changes happen at 02:00 local: 07:00 UTC in spring, 06:00 in
	 * fall.  Days are compared, not instants, so nothing can overflow.
	 */
	if (day < start || day > end || (day == start && secs < 7 * 3600) ||
	    (day == end && secs >= 6 * 3600))
		return EST;
	return EDT;
}

sp_day sp_ny_day(int64_t utc_seconds)
{
	int64_t day = floor_div(utc_seconds, SECS_PER_DAY);
	int64_t local = floor_mod(utc_seconds, SECS_PER_DAY) + sp_ny_offset(utc_seconds);

	/* Shifting the time of day, not the instant, cannot overflow. */
	return (sp_day)(local < 0 ? day - 1 : day);
}
