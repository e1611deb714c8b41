/*
 * test-calendar.c - the XNYS calendar against published session and holiday
 * lists (tests/data/calendar/, read from the repository root) and against
 * facts checked by hand.
 */
#include "calendar.h"
#include "tap.h"

#include <stdint.h>

#define DATA "tests/data/calendar/"

static const struct sp_calendar *cal;

static sp_day day(int y, int m, int d)
{
	return sp_day_from_civil(y, m, d);
}

/* Sessions of xnys_sessions_1990_2023.csv, a flag per day from 1990-01-01. */
static unsigned char in_file[12500];
static long file_sessions;

static int load_sessions(void)
{
	FILE *f = fopen(DATA "xnys_sessions_1990_2023.csv", "r");
	char line[256];
	int y, m, d;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%4d-%2d-%2dT00:00:00Z,", &y, &m, &d) != 3)
			continue;
		in_file[day(y, m, d) - day(1990, 1, 1)] = 1;
		file_sessions++;
	}
	fclose(f);
	return 1;
}

static void test_sessions_file(void)
{
	sp_day d, first = day(1990, 1, 2), last = day(2023, 1, 13);
	int bad = 0, y, m, dd;

	if (!ok(load_sessions(), "read " DATA "xnys_sessions_1990_2023.csv"))
		return;
	is_int(file_sessions, 8324, "the sessions file lists 8324 sessions");
	for (d = first; d <= last; d++) {
		if (sp_calendar_is_session(cal, d) == in_file[d - day(1990, 1, 1)])
			continue;
		if (bad++ < 5) {
			sp_day_to_civil(d, &y, &m, &dd);
			printf("# %04d-%02d-%02d: is_session %d, file %d\n", y, m, dd,
			       sp_calendar_is_session(cal, d), in_file[d - day(1990, 1, 1)]);
		}
	}
	ok(!bad, "every day 1990-01-02..2023-01-13 agrees with the sessions file");
	is_int(sp_calendar_between(cal, day(1990, 1, 1), last), file_sessions,
	       "between() counts the sessions of the file");
}

/* nyse_full_day_holidays_1928_2021.csv: M/D/YYYY, no header. */
static void test_holidays_1970s_80s(void)
{
	static unsigned char holiday[7400];
	FILE *f = fopen(DATA "nyse_full_day_holidays_1928_2021.csv", "r");
	sp_day d, base = day(1970, 1, 1);
	int y, m, dd, bad = 0, weekends = 0;

	if (!ok(f != NULL, "read " DATA "nyse_full_day_holidays_1928_2021.csv"))
		return;
	while (fscanf(f, "%d/%d/%d", &m, &dd, &y) == 3)
		if (y >= 1970 && y <= 1989)
			holiday[day(y, m, dd) - base] = 1;
	fclose(f);
	for (d = base; d <= day(1989, 12, 31); d++) {
		int wd = sp_day_weekday(d);
		const char *why = sp_calendar_closure(cal, d);

		if (wd == 0 || wd == 6) {
			if (sp_calendar_is_session(cal, d) != 0 ||
			    !why || strcmp(why, wd ? "Saturday" : "Sunday"))
				weekends++;
			continue;
		}
		if (sp_calendar_is_session(cal, d) == !holiday[d - base] &&
		    !why == !holiday[d - base])
			continue;
		if (bad++ < 5) {
			sp_day_to_civil(d, &y, &m, &dd);
			printf("# %04d-%02d-%02d: is_session %d, holiday list %d\n", y, m,
			       dd, sp_calendar_is_session(cal, d), holiday[d - base]);
		}
	}
	ok(!bad, "every weekday 1970..1989 agrees with the holiday list");
	ok(!weekends, "every weekend day 1970..1989 is closed as Saturday or Sunday");
}

/* nyse_weekday_closures_1990_2023.csv: "YYYY-MM-DD,Mon" after a header. */
static void test_weekday_closures(void)
{
	static const char *const wdays[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	FILE *f = fopen(DATA "nyse_weekday_closures_1990_2023.csv", "r");
	char line[64], wd[8];
	int y, m, d, n = 0, bad = 0, closed = 0;
	sp_day x;

	if (!ok(f != NULL, "read " DATA "nyse_weekday_closures_1990_2023.csv"))
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%4d-%2d-%2d,%3s", &y, &m, &d, wd) != 4)
			continue;
		n++;
		x = day(y, m, d);
		if (strcmp(wd, wdays[sp_day_weekday(x)]) ||
		    sp_calendar_is_session(cal, x) != 0 || !sp_calendar_closure(cal, x) ||
		    !strcmp(sp_calendar_closure(cal, x), "Saturday") ||
		    !strcmp(sp_calendar_closure(cal, x), "Sunday")) {
			if (bad++ < 5)
				printf("# %s", line);
		}
	}
	fclose(f);
	ok(n > 250 && !bad, "all %d listed weekday closures are holidays", n);
	/* The list runs from 1990-01-02 to 2023-01-13, like the sessions file. */
	for (x = day(1990, 1, 2); x <= day(2023, 1, 13); x++)
		closed += sp_day_weekday(x) % 6 && !sp_calendar_is_session(cal, x);
	is_int(closed, n, "no weekday closures beyond the list");
}

static void test_closures(void)
{
	static const struct {
		int y, m, d;
		const char *why;
	} closed[] = {
		{ 1972, 12, 28, "Funeral of President Truman" },
		{ 1973, 1, 25, "Funeral of President Johnson" },
		{ 1977, 7, 14, "New York City blackout" },
		{ 1985, 9, 27, "Hurricane Gloria" },
		{ 1994, 4, 27, "Funeral of President Nixon" },
		{ 2001, 9, 11, "September 11" },
		{ 2001, 9, 12, "September 11" },
		{ 2001, 9, 13, "September 11" },
		{ 2001, 9, 14, "September 11" },
		{ 2004, 6, 11, "Funeral of President Reagan" },
		{ 2007, 1, 2, "National day of mourning for President Ford" },
		{ 2012, 10, 29, "Hurricane Sandy" },
		{ 2012, 10, 30, "Hurricane Sandy" },
		{ 2018, 12, 5, "Funeral of President George H. W. Bush" },
		{ 2025, 1, 9, "National day of mourning for President Carter" },
		{ 1970, 1, 1, "New Year's Day" },
		{ 1970, 2, 23, "Washington's Birthday" },
		{ 1972, 11, 7, "Election Day" },
		{ 1980, 11, 4, "Election Day" },
		{ 2021, 1, 1, "New Year's Day" },
		{ 2021, 1, 2, "Saturday" },
		{ 2021, 1, 3, "Sunday" },
		{ 2020, 4, 10, "Good Friday" },
		{ 2024, 3, 29, "Good Friday" },
		{ 2024, 1, 15, "Martin Luther King Jr. Day" },
		{ 2022, 6, 20, "Juneteenth" },
		{ 2027, 6, 18, "Juneteenth" },
		{ 2033, 6, 20, "Juneteenth" },
		{ 2026, 7, 3, "Independence Day" },
		{ 2023, 11, 23, "Thanksgiving Day" },
		{ 2027, 12, 24, "Christmas Day" },
		{ 2040, 12, 25, "Christmas Day" },
	};
	static const struct {
		int y, m, d;
		const char *why;
	} open[] = {
		{ 2021, 12, 31, "a Saturday New Year's Day is not observed on Friday" },
		{ 2027, 12, 31, "nor in 2027" },
		{ 1970, 5, 29, "Memorial Day 1970 fell on a Saturday" },
		{ 1984, 11, 6, "no Election Day closure after 1980" },
		{ 1997, 1, 20, "no Martin Luther King Jr. Day before 1998" },
		{ 2021, 6, 18, "no Juneteenth before 2022" },
		{ 2023, 11, 24, "the day after Thanksgiving" },
		{ 2040, 12, 31, "the last day of the table" },
	};
	size_t i;
	sp_day d;

	for (i = 0; i < sizeof(closed) / sizeof(closed[0]); i++) {
		d = day(closed[i].y, closed[i].m, closed[i].d);
		ok(sp_calendar_is_session(cal, d) == 0,
		   "%04d-%02d-%02d is closed", closed[i].y, closed[i].m, closed[i].d);
		is_str(sp_calendar_closure(cal, d), closed[i].why, "  for the right reason");
	}
	for (i = 0; i < sizeof(open) / sizeof(open[0]); i++) {
		d = day(open[i].y, open[i].m, open[i].d);
		ok(sp_calendar_is_session(cal, d) == 1 && !sp_calendar_closure(cal, d),
		   "%04d-%02d-%02d is a session: %s", open[i].y, open[i].m, open[i].d,
		   open[i].why);
	}
}

static void test_lookup(void)
{
	ok(sp_calendar_get("nope") == NULL, "an unknown calendar is NULL");
	ok(sp_calendar_get("NYSE") == cal, "NYSE is XNYS");
	is_str(sp_calendar_name(cal), "XNYS", "its name");
	is_int(sp_calendar_first(cal), 0, "it starts on 1970-01-01");
	is_int(sp_calendar_last(cal), 25932, "it ends on 2040-12-31");
	is_int(sp_calendar_is_session(cal, -1), -1, "1969-12-31 is out of range");
	is_int(sp_calendar_is_session(cal, 25933), -1, "2041-01-01 is out of range");
	ok(!sp_calendar_closure(cal, -3) && !sp_calendar_closure(cal, 25934),
	   "no closure reason outside the range, even at weekends");
}

/* Dates and counts read off the sessions file and a wall calendar. */
static void test_add_by_hand(void)
{
	static const struct {
		int y, m, d, n, ty, tm, td;
	} cases[] = {
		{ 2020, 12, 31, 1, 2021, 1, 4 },	/* over New Year's Day */
		{ 2021, 1, 4, -1, 2020, 12, 31 },
		{ 2020, 11, 25, 1, 2020, 11, 27 },	/* over Thanksgiving */
		{ 2001, 9, 10, 1, 2001, 9, 17 },	/* over September 11 */
		{ 2001, 9, 17, -1, 2001, 9, 10 },
		{ 2012, 10, 26, 1, 2012, 10, 31 },	/* over Sandy and a weekend */
		{ 2022, 6, 17, 1, 2022, 6, 21 },	/* over Juneteenth observed */
		{ 2022, 12, 30, 1, 2023, 1, 3 },
		{ 2020, 12, 31, 0, 2020, 12, 31 },	/* a session stays put */
		{ 2021, 1, 2, 0, 2021, 1, 4 },		/* a Saturday rolls forward */
		{ 2021, 1, 2, 1, 2021, 1, 4 },
		{ 2021, 1, 2, -1, 2020, 12, 31 },
		{ 2021, 1, 1, 0, 2021, 1, 4 },		/* so does a holiday */
		{ 2021, 1, 1, -1, 2020, 12, 31 },
		{ 2021, 1, 4, 5, 2021, 1, 11 },
		{ 2021, 1, 4, -4, 2020, 12, 28 },	/* 12-29..12-31, 1-4 */
		{ 1969, 12, 31, 1, 1970, 1, 2 },	/* into the range */
		{ 1970, 1, 2, -1, 1969, 12, 31 },	/* and out of it */
		{ 1970, 1, 1, 0, 1970, 1, 2 },
		{ 1970, 1, 1, -1, 1969, 12, 31 },
		{ 1969, 12, 27, 0, 1969, 12, 29 },	/* a Saturday before the range */
		{ 2040, 12, 31, 1, 2041, 1, 1 },	/* weekdays count after it */
		{ 2041, 1, 1, -1, 2040, 12, 31 },
		{ 2040, 12, 21, 2, 2040, 12, 26 },	/* over Christmas 2040 */
		{ 2100, 1, 1, 1, 2100, 1, 4 },
		{ 2100, 1, 2, -1, 2100, 1, 1 },
	};
	size_t i;
	sp_day got, want;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		got = sp_calendar_add(cal, day(cases[i].y, cases[i].m, cases[i].d), cases[i].n);
		want = day(cases[i].ty, cases[i].tm, cases[i].td);
		if (!ok(got == want, "add(%04d-%02d-%02d, %d) = %04d-%02d-%02d", cases[i].y,
			cases[i].m, cases[i].d, cases[i].n, cases[i].ty, cases[i].tm,
			cases[i].td))
			printf("#   got day %ld, want %ld\n", (long)got, (long)want);
	}
	is_int(sp_calendar_between(cal, day(2020, 12, 31), day(2021, 1, 4)), 1,
	       "between(2020-12-31, 2021-01-04)");
	is_int(sp_calendar_between(cal, day(2021, 1, 4), day(2020, 12, 31)), -1,
	       "between(2021-01-04, 2020-12-31)");
	is_int(sp_calendar_between(cal, day(2021, 1, 2), day(2021, 1, 3)), 0,
	       "between two weekend days");
	is_int(sp_calendar_between(cal, day(2021, 1, 4), day(2021, 1, 4)), 0,
	       "between a day and itself");
	is_int(sp_calendar_between(cal, day(1969, 12, 26), day(1970, 1, 5)), 5,
	       "between across the start: 12-29, 12-30, 12-31, 1-02, 1-05");
	is_int(sp_calendar_between(cal, day(2040, 12, 28), day(2041, 1, 7)), 6,
	       "between across the end: 12-31, 1-01 .. 1-04, 1-07");
	is_int(sp_calendar_between(cal, day(2100, 1, 1), day(2100, 1, 31)), 20,
	       "January 2100 after the 1st has 20 weekdays");
	is_int(sp_calendar_between(cal, day(1900, 1, 1), day(1900, 1, 8)), 5,
	       "a week of 1900");
}

/* Sessions s with a < s <= b, one day at a time; weekdays outside the range. */
static long count_slowly(sp_day a, sp_day b)
{
	long n = 0;
	sp_day lo = a < b ? a : b, hi = a < b ? b : a, d;
	int s;

	for (d = lo + 1; d <= hi; d++) {
		s = sp_calendar_is_session(cal, d);
		n += s == 1 || (s < 0 && sp_day_weekday(d) % 6 != 0);
	}
	return a <= b ? n : -n;
}

static int is_trading(sp_day d)
{
	int s = sp_calendar_is_session(cal, d);

	return s == 1 || (s < 0 && sp_day_weekday(d) % 6 != 0);
}

static uint64_t rng = 88172645463325252ULL;

static long rnd(long n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (long)(rng % (uint64_t)n);
}

static void test_add_random(void)
{
	sp_day lo = day(1965, 1, 1), span = day(2046, 1, 1) - lo, a, b, s;
	int i, n, bad_between = 0, bad_trip = 0, bad_add = 0;

	for (i = 0; i < 20000; i++) {
		a = lo + (sp_day)rnd(span);
		b = a + (sp_day)rnd(801) - 400;
		if (sp_calendar_between(cal, a, b) != count_slowly(a, b) && bad_between++ < 3)
			printf("# between(%ld, %ld) = %ld, counted %ld\n", (long)a, (long)b,
			       sp_calendar_between(cal, a, b), count_slowly(a, b));
		n = (int)rnd(601) - 300;
		s = sp_calendar_add(cal, a, n);
		/* The round trip holds for every n from a session, for n > 0 from any day. */
		if ((is_trading(a) || n > 0) && sp_calendar_between(cal, a, s) != n &&
		    bad_trip++ < 3)
			printf("# between(%ld, add(%ld, %d) = %ld) != %d\n", (long)a,
			       (long)a, n, (long)s, n);
		/*
		 * Independently: s is a session; after n > 0 there are exactly n
		 * sessions in (a, s]; before, n < 0 leaves -n - 1 sessions strictly
		 * between s and a; n == 0 is the first session on or after a.
		 */
		if (!is_trading(s) ||
		    (n > 0 && (s <= a || count_slowly(a, s) != n)) ||
		    (n < 0 && (s >= a || count_slowly(s, a - 1) != -n - 1)) ||
		    (n == 0 && (s < a || count_slowly(a - 1, s - 1) != 0))) {
			if (bad_add++ < 3)
				printf("# add(%ld, %d) = %ld\n", (long)a, n, (long)s);
		}
	}
	ok(!bad_between, "between() matches a day-by-day count over random spans");
	ok(!bad_trip, "between(d, add(d, n)) == n over random days and n");
	ok(!bad_add, "add() lands on the right session over random days and n");
	is_int(sp_calendar_between(cal, day(1900, 1, 1), day(2200, 1, 1)),
	       count_slowly(day(1900, 1, 1), day(2200, 1, 1)),
	       "between over three centuries");
	is_int(sp_calendar_between(cal, day(2200, 1, 1), day(1900, 1, 1)),
	       -count_slowly(day(1900, 1, 1), day(2200, 1, 1)), "and backwards");
}

int main(void)
{
	cal = sp_calendar_get("XNYS");
	if (!ok(cal != NULL, "XNYS is known"))
		return tap_done();
	test_lookup();
	test_sessions_file();
	test_holidays_1970s_80s();
	test_weekday_closures();
	test_closures();
	test_add_by_hand();
	test_add_random();
	return tap_done();
}
