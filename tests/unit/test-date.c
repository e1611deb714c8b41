/*
 * test-date.c - civil dates, bar-time parsing and formatting, New York time.
 *
 * Expected values come from a separate day-by-day count and from instants
 * worked out by hand (checked with Python's datetime), never from date.c.
 */
#include "date.h"
#include "tap.h"

#include <stdint.h>

static int is_leap(int y)
{
	return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

/*
 * Walk every day of 1800..2200 by incrementing y/m/d by hand, next to a plain
 * counter that starts at 1800-01-01 == day -62091, a Wednesday.
 */
static void test_civil(void)
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y = 1800, m = 1, d = 1, gy, gm, gd, bad_from = 0, bad_to = 0, bad_wd = 0;
	long n = -62091, days = 0;

	while (y <= 2200) {
		if (sp_day_from_civil(y, m, d) != n && bad_from++ < 3)
			printf("# from_civil(%d-%d-%d) = %ld, want %ld\n", y, m, d,
			       (long)sp_day_from_civil(y, m, d), n);
		sp_day_to_civil((sp_day)n, &gy, &gm, &gd);
		if ((gy != y || gm != m || gd != d) && bad_to++ < 3)
			printf("# to_civil(%ld) = %d-%d-%d\n", n, gy, gm, gd);
		/* Wednesday is 3; the counter moves one weekday a day. */
		if (sp_day_weekday((sp_day)n) != (int)((3 + days) % 7))
			bad_wd++;
		n++;
		days++;
		if (++d > mdays[m - 1] + (m == 2 && is_leap(y))) {
			d = 1;
			if (++m > 12) {
				m = 1;
				y++;
			}
		}
	}
	is_int(days, 146462, "401 years (97 of them leap) are 146462 days");
	is_int(n, 84371, "2201-01-01 is day 84371");
	ok(!bad_from, "sp_day_from_civil matches the count for 1800..2200");
	ok(!bad_to, "sp_day_to_civil matches the count for 1800..2200");
	ok(!bad_wd, "sp_day_weekday steps through the week for 1800..2200");
	is_int(sp_day_from_civil(1970, 1, 1), 0, "1970-01-01 is day 0");
	is_int(sp_day_from_civil(1969, 12, 31), -1, "1969-12-31 is day -1");
	is_int(sp_day_from_civil(2000, 3, 1), 11017, "2000-03-01");
	is_int(sp_day_weekday(0), 4, "1970-01-01 was a Thursday");
	is_int(sp_day_weekday(-1), 3, "1969-12-31 was a Wednesday");
	is_int(sp_day_weekday(sp_day_from_civil(2000, 1, 1)), 6, "2000-01-01 was a Saturday");
	is_int(sp_day_weekday(sp_day_from_civil(2020, 8, 31)), 1, "2020-08-31 was a Monday");
	is_int(sp_day_weekday(sp_day_from_civil(2001, 9, 11)), 2, "2001-09-11 was a Tuesday");
	is_int(sp_day_weekday(sp_day_from_civil(2040, 12, 25)), 2, "2040-12-25 is a Tuesday");
	is_int(sp_day_weekday(sp_day_from_civil(2200, 12, 31)), 3, "2200-12-31 is a Wednesday");
}

static const struct parse_case {
	const char *in;
	const char *err;	/* NULL when it parses */
	int intraday;
	int64_t t;		/* sp_day or UTC seconds */
} parse_cases[] = {
	{ "2020-01-02", NULL, 0, 18263 },
	{ "2020-02-29", NULL, 0, 18321 },
	{ "1970-01-01", NULL, 0, 0 },
	{ "1800-01-01", NULL, 0, -62091 },
	{ "2200-12-31", NULL, 0, 84370 },
	{ "2020/01/02", NULL, 0, 18263 },
	{ "20200102", NULL, 0, 18263 },
	{ "1/2/2020", NULL, 0, 18263 },
	{ "01/02/2020", NULL, 0, 18263 },
	{ "12/31/1999", NULL, 0, 10956 },
	{ "2/29/2000", NULL, 0, 11016 },
	{ "2020-01-02T14:30:00Z", NULL, 1, 1577975400 },
	{ "2020-01-02T14:30Z", NULL, 1, 1577975400 },
	{ "2020-01-02T14:30:00.999Z", NULL, 1, 1577975400 },
	{ "2020-01-02T14:30:00.5+00:00", NULL, 1, 1577975400 },
	{ "2020-01-02t14:30:00z", NULL, 1, 1577975400 },
	{ "2020-01-02T09:30:00-05:00", NULL, 1, 1577975400 },
	{ "2020-01-02T09:30-0500", NULL, 1, 1577975400 },
	{ "2020-01-02 14:30:00+0000", NULL, 1, 1577975400 },
	{ "2020-01-02 14:30:00-00:00", NULL, 1, 1577975400 },
	{ "2020-06-15T12:00:00+05:30", NULL, 1, 1592202600 },
	{ "1969-12-31T23:59:59Z", NULL, 1, -1 },
	{ "1800-01-01T00:00:00Z", NULL, 1, -5364662400LL },
	{ "2200-12-31T23:59:59Z", NULL, 1, 7289654399LL },
	/* Dates that cannot be. */
	{ "2019-02-29", "impossible date", 0, 0 },
	{ "2021-02-30", "impossible date", 0, 0 },
	{ "2021-13-01", "impossible date", 0, 0 },
	{ "2021-00-10", "impossible date", 0, 0 },
	{ "2021-04-31", "impossible date", 0, 0 },
	{ "2021-01-00", "impossible date", 0, 0 },
	{ "1900-02-29", "impossible date", 0, 0 },
	{ "2/30/2020", "impossible date", 0, 0 },
	{ "20211301", "impossible date", 0, 0 },
	{ "2019-02-29T10:00:00Z", "impossible date", 0, 0 },
	{ "1799-12-31", "date out of range", 0, 0 },
	{ "2201-01-01", "date out of range", 0, 0 },
	{ "0000-01-01", "date out of range", 0, 0 },
	/* Not dates at all: short fields, two-digit years, other separators. */
	{ "", "not a date", 0, 0 },
	{ "abcd", "not a date", 0, 0 },
	{ "2020", "not a date", 0, 0 },
	{ "2020-01", "not a date", 0, 0 },
	{ "2020-1-2", "not a date", 0, 0 },
	{ "2020-01-2", "not a date", 0, 0 },
	{ "2020.01.02", "not a date", 0, 0 },
	{ "2020-01/02", "not a date", 0, 0 },
	{ "1/2/20", "not a date", 0, 0 },
	{ "01/02/20", "not a date", 0, 0 },
	{ "20-01-02", "not a date", 0, 0 },
	{ " 2020-01-02", "not a date", 0, 0 },
	{ "+2020-01-02", "not a date", 0, 0 },
	{ "2020-01-0x", "not a date", 0, 0 },
	{ "2020-01-021", "not a date", 0, 0 },
	{ "202001021", "not a date", 0, 0 },
	{ "1/2/20201", "not a date", 0, 0 },
	/* A date followed by something that is not a time. */
	{ "2020-01-02x", "junk after the date", 0, 0 },
	{ "2020-01-02,", "junk after the date", 0, 0 },
	{ "2020/01/02T14:30:00Z", "junk after the date", 0, 0 },
	{ "20200102T143000Z", "junk after the date", 0, 0 },
	{ "1/2/2020 14:30Z", "junk after the date", 0, 0 },
	/* Times. */
	{ "2020-01-02T14:30:00", "timestamp without a time zone", 0, 0 },
	{ "2020-01-02 14:30", "timestamp without a time zone", 0, 0 },
	{ "2020-01-02T14:30:00.250", "timestamp without a time zone", 0, 0 },
	{ "2020-01-02T", "bad time", 0, 0 },
	{ "2020-01-02 ", "bad time", 0, 0 },
	{ "2020-01-02T24:00:00Z", "bad time", 0, 0 },
	{ "2020-01-02T14:60:00Z", "bad time", 0, 0 },
	{ "2020-01-02T14:30:60Z", "bad time", 0, 0 },
	{ "2020-01-02T14:30:0Z", "bad time", 0, 0 },
	{ "2020-01-02T1430Z", "bad time", 0, 0 },
	{ "2020-01-02T14:30:00.Z", "bad time", 0, 0 },
	{ "2020-01-02T14:30:Z", "bad time", 0, 0 },
	{ "2020-01-02T14:30:00ZZ", "bad time zone", 0, 0 },
	{ "2020-01-02T14:30:00 Z", "bad time zone", 0, 0 },
	{ "2020-01-02T14:30:00+5", "bad time zone", 0, 0 },
	{ "2020-01-02T14:30:00+05", "bad time zone", 0, 0 },
	{ "2020-01-02T14:30:00+05:0", "bad time zone", 0, 0 },
	{ "2020-01-02T14:30:00+24:00", "bad time zone", 0, 0 },
	{ "2020-01-02T14:30:00+05:60", "bad time zone", 0, 0 },
	{ "2020-01-02T14:30:00+05:00x", "bad time zone", 0, 0 },
	{ "2020-01-02T14:30:00EST", "bad time zone", 0, 0 },
};

static void test_parse(void)
{
	size_t i;

	for (i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		const struct parse_case *c = &parse_cases[i];
		struct sp_when w = { -12345, -1 };
		const char *err = sp_when_parse(c->in, strlen(c->in), &w);
		char name[96];

		snprintf(name, sizeof(name), "parse '%s'", c->in);
		if (c->err) {
			is_str(err, c->err, name);
			continue;
		}
		if (!ok(!err && w.intraday == c->intraday && w.t == c->t, "%s", name))
			printf("#   got '%s', intraday %d, t %lld; want t %lld\n",
			       err ? err : "(ok)", w.intraday, (long long)w.t,
			       (long long)c->t);
	}
}

/* The length is honoured: the input need not end at a NUL. */
static void test_parse_len(void)
{
	struct sp_when w;

	ok(!sp_when_parse("2020-01-02,101.5", 10, &w) && w.t == 18263 && !w.intraday,
	   "a date in the middle of a CSV line parses by its length");
	ok(!sp_when_parse("2020-01-02T14:30:00Z,1", 20, &w) && w.t == 1577975400 && w.intraday,
	   "an instant in the middle of a CSV line parses by its length");
	is_str(sp_when_parse("2020-01-02", 9, &w), "not a date", "a cut-off date is not a date");
	is_str(sp_when_parse("2020-01-02T14:30:00Z", 19, &w), "timestamp without a time zone",
	       "a cut-off zone is missing");
}

static void test_format(void)
{
	static const char *const canon[] = {
		"2020-01-02", "1800-01-01", "2200-12-31", "1969-12-31", "2000-02-29",
		"2020-01-02T14:30:00Z", "1969-12-31T23:59:59Z", "1970-01-01T00:00:00Z",
		"1800-01-01T00:00:00Z", "2200-12-31T23:59:59Z", "2016-12-31T23:59:59Z",
	};
	struct sp_when w;
	char buf[32];
	size_t i, n;

	for (i = 0; i < sizeof(canon) / sizeof(canon[0]); i++) {
		buf[0] = '\0';
		n = 0;
		if (!sp_when_parse(canon[i], strlen(canon[i]), &w))
			n = sp_when_format(&w, buf);
		ok(n == strlen(canon[i]) && !strcmp(buf, canon[i]),
		   "format(parse('%s')) = '%s'", canon[i], buf);
	}
	w.intraday = 1;
	w.t = 1577975400;
	sp_when_format(&w, buf);
	is_str(buf, "2020-01-02T14:30:00Z", "format of a known instant");
	w.t = -86400 - 1;
	sp_when_format(&w, buf);
	is_str(buf, "1969-12-30T23:59:59Z", "format of an instant before 1970");
	w.intraday = 0;
	w.t = 18263;
	sp_when_format(&w, buf);
	is_str(buf, "2020-01-02", "format of a known day");
	sp_when_parse("2020-01-02 09:30:00.75-05:00", 28, &w);
	sp_when_format(&w, buf);
	is_str(buf, "2020-01-02T14:30:00Z", "an offset instant formats as UTC");
}

#define EST (-18000)
#define EDT (-14400)

/* Instants of each change, from the rules by hand (02:00 local). */
static void test_ny(void)
{
	static const struct {
		int64_t t;
		int before, after;
		const char *what;
	} changes[] = {
		{ 1583650800, EST, EDT, "2020-03-08 spring forward" },
		{ 1604210400, EDT, EST, "2020-11-01 fall back" },
		{ 1143961200, EST, EDT, "2006-04-02 spring forward (first Sunday of April)" },
		{ 1162101600, EDT, EST, "2006-10-29 fall back (last Sunday of October)" },
		{ 544604400, EST, EDT, "1987-04-05 spring forward" },
		{ 562140000, EDT, EST, "1987-10-25 fall back" },
		{ 514969200, EST, EDT, "1986-04-27 spring forward (last Sunday of April)" },
		{ 126687600, EST, EDT, "1974-01-06 spring forward (energy crisis)" },
		{ 152085600, EDT, EST, "1974-10-27 fall back" },
		{ 162370800, EST, EDT, "1975-02-23 spring forward" },
	};
	size_t i;

	for (i = 0; i < sizeof(changes) / sizeof(changes[0]); i++) {
		ok(sp_ny_offset(changes[i].t - 1) == changes[i].before &&
		   sp_ny_offset(changes[i].t) == changes[i].after,
		   "offset across %s", changes[i].what);
	}
	/* 2020-03-08T06:59:59Z and 2020-11-01T05:59:59Z, by the brief. */
	is_int(sp_ny_offset(1583650799), EST, "2020-03-08T06:59:59Z is EST");
	is_int(sp_ny_offset(1604210399), EDT, "2020-11-01T05:59:59Z is EDT");
	is_int(sp_ny_offset(0), EST, "1970-01-01 is EST");
	is_int(sp_ny_offset(1598880600), EDT, "2020-08-31 is EDT");
	is_int(sp_ny_offset(-5364662400LL + 180 * 86400), EST, "no daylight time before 1967");
	ok(sp_ny_offset(2183612399LL) == EST && sp_ny_offset(2183612400LL) == EDT,
	   "offset across 2039-03-13 spring forward: the rules run on past 2038");
	is_int(sp_ny_day(1598880600), sp_day_from_civil(2020, 8, 31),
	       "2020-08-31T13:30:00Z is 2020-08-31 in New York");
	is_int(sp_ny_day(1598925600), sp_day_from_civil(2020, 8, 31),
	       "2020-09-01T02:00:00Z is still 2020-08-31 in New York");
	is_int(sp_ny_day(1577941200), sp_day_from_civil(2020, 1, 2),
	       "2020-01-02T05:00:00Z is midnight 2020-01-02 in New York");
	is_int(sp_ny_day(1577941199), sp_day_from_civil(2020, 1, 1),
	       "2020-01-02T04:59:59Z is 2020-01-01 in New York");
	is_int(sp_ny_day(0), -1, "the epoch is 1969-12-31 in New York");
}

int main(void)
{
	test_civil();
	test_parse();
	test_parse_len();
	test_format();
	test_ny();
	return tap_done();
}
