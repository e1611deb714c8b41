/*
 * calendar.c - the NYSE trading calendar, computed from its holiday rules.
 *
 * The first sp_calendar_get() builds a table of every day 1970..2040 (why it
 * is closed, if it is), a prefix count of sessions and the list of sessions;
 * after that the calendar is read-only.  The build is guarded by a plain flag,
 * so it is not thread-safe: a threaded program must call sp_calendar_get()
 * once before it starts its threads.
 *
 * Counting uses a "rank": rank(x) is the number of sessions up to and
 * including x, relative to the start of the table, extended outside the table
 * by counting every weekday as a session.  between() is a difference of ranks
 * and add() finds the first day of a rank, so both are O(1).
 */
#include "calendar.h"

#include <strings.h>
#include "banned.h"

#define FIRST_YEAR 1970
#define LAST_YEAR 2040
/* 1970-01-01 .. 2040-12-31: 71 years, 18 of them leap years. */
#define NDAYS (71 * 365 + 18)
/* 1970-01-05, the first Monday of the table, anchors weekday counting. */
#define MONDAY 4

enum reason {
	OPEN, SATURDAY, SUNDAY, NEW_YEAR, MLK, WASHINGTON, GOOD_FRIDAY,
	MEMORIAL, JUNETEENTH, INDEPENDENCE, LABOR, THANKSGIVING, CHRISTMAS,
	ELECTION, SPECIAL	/* SPECIAL + i is special_closures[i] */
};

static const char *const reason_names[SPECIAL] = {
	[SATURDAY] = "Saturday",
	[SUNDAY] = "Sunday",
	[NEW_YEAR] = "New Year's Day",
	[MLK] = "Martin Luther King Jr. Day",
	[WASHINGTON] = "Washington's Birthday",
	[GOOD_FRIDAY] = "Good Friday",
	[MEMORIAL] = "Memorial Day",
	[JUNETEENTH] = "Juneteenth",
	[INDEPENDENCE] = "Independence Day",
	[LABOR] = "Labor Day",
	[THANKSGIVING] = "Thanksgiving Day",
	[CHRISTMAS] = "Christmas Day",
	[ELECTION] = "Election Day",
};

/* Closures no rule predicts; the exchange announces them. */
static const struct {
	short y;
	signed char m, d;
	const char *name;
} special_closures[] = {
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
};

#define NSPECIAL (sizeof(special_closures) / sizeof(special_closures[0]))

struct sp_calendar {
	const char *name;
	sp_day first, last;
	long nsessions;
	unsigned char reason[NDAYS];	/* enum reason, per day */
	int32_t rank[NDAYS + 1];	/* sessions among the first i days */
	sp_day session[NDAYS];		/* the i-th session, from 0 */
};

static struct sp_calendar xnys;
static int xnys_built;

/* Floor division by a positive divisor. */
static int64_t floor_div(int64_t a, int64_t b)
{
	return a >= 0 ? a / b : -((-a + b - 1) / b);
}

/* Weekdays in [MONDAY, x], or minus those in (x, MONDAY) when x < MONDAY. */
static int64_t weekdays_to(int64_t x)
{
	int64_t q = floor_div(x - MONDAY, 7), r = x - MONDAY - 7 * q;

	return 5 * q + (r < 5 ? r + 1 : 5);
}

/* The first day x with weekdays_to(x) == w; always a weekday. */
static int64_t weekday_numbered(int64_t w)
{
	int64_t q = floor_div(w - 1, 5), r = w - 1 - 5 * q;

	return MONDAY + 7 * q + r;
}

static void close_day(struct sp_calendar *c, sp_day d, enum reason why)
{
	if (d >= c->first && d <= c->last && c->reason[d - c->first] == OPEN)
		c->reason[d - c->first] = (unsigned char)why;
}

/*
 * Close for a fixed-date holiday: on Saturday the Friday before (unless
 * !sat_to_fri), on Sunday the Monday after.
 */
static void close_observed(struct sp_calendar *c, int y, int m, int d,
			   enum reason why, int sat_to_fri)
{
	sp_day day = sp_day_from_civil(y, m, d);
	int wd = sp_day_weekday(day);

	if (wd == 6 && sat_to_fri)
		close_day(c, day - 1, why);
	else if (wd == 0)
		close_day(c, day + 1, why);
	else if (wd != 6)
		close_day(c, day, why);
}

/* The n-th (n >= 1) weekday wd of a month, or with n == 0 the last one. */
static sp_day nth_weekday(int y, int m, int wd, int n)
{
	sp_day d;

	if (n == 0) {
		d = sp_day_from_civil(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1) - 1;
		return d - (sp_day_weekday(d) - wd + 7) % 7;
	}
	d = sp_day_from_civil(y, m, 1);
	return d + (wd - sp_day_weekday(d) + 7) % 7 + 7 * (n - 1);
}

/* Gregorian Easter Sunday (the anonymous algorithm of Meeus). */
static sp_day easter(int y)
{
	int a = y % 19, b = y / 100, c = y % 100, d = b / 4, e = b % 4;
	int f = (b + 8) / 25, g = (b - f + 1) / 3;
	int h = (19 * a + b - d - g + 15) % 30;
	int i = c / 4, k = c % 4;
	int l = (32 + 2 * e + 2 * i - h - k) % 7;
	int m = (a + 11 * h + 22 * l) / 451;
	int month = (h + l - 7 * m + 114) / 31;
	int day = (h + l - 7 * m + 114) % 31 + 1;

	return sp_day_from_civil(y, month, day);
}

static void close_holidays(struct sp_calendar *c, int y)
{
	/* New Year's Day on a Saturday would close the last day of the year. */
	close_observed(c, y, 1, 1, NEW_YEAR, 0);
	if (y >= 1998)
		close_day(c, nth_weekday(y, 1, 1, 3), MLK);
	if (y >= 1971)
		close_day(c, nth_weekday(y, 2, 1, 3), WASHINGTON);
	else
		close_observed(c, y, 2, 22, WASHINGTON, 1);
	close_day(c, easter(y) - 2, GOOD_FRIDAY);
	if (y >= 1971)
		close_day(c, nth_weekday(y, 5, 1, 0), MEMORIAL);
	else
		/* May 30, 1970 was a Saturday and the exchange stayed open. */
		close_observed(c, y, 5, 30, MEMORIAL, 0);
	if (y >= 2022)
		close_observed(c, y, 6, 19, JUNETEENTH, 1);
	close_observed(c, y, 7, 4, INDEPENDENCE, 1);
	close_day(c, nth_weekday(y, 9, 1, 1), LABOR);
	close_day(c, nth_weekday(y, 11, 4, 4), THANKSGIVING);
	close_observed(c, y, 12, 25, CHRISTMAS, 1);
	/* Presidential elections, the Tuesday after the first Monday. */
	if (y <= 1980 && y % 4 == 0)
		close_day(c, nth_weekday(y, 11, 1, 1) + 1, ELECTION);
}

static void build(struct sp_calendar *c)
{
	long i, n = 0;
	int wd, y;

	c->name = "XNYS";
	c->first = sp_day_from_civil(FIRST_YEAR, 1, 1);
	c->last = sp_day_from_civil(LAST_YEAR, 12, 31);
	for (i = 0; i < NDAYS; i++) {
		wd = sp_day_weekday(c->first + (sp_day)i);
		c->reason[i] = wd == 6 ? SATURDAY : wd == 0 ? SUNDAY : OPEN;
	}
	for (i = 0; i < (long)NSPECIAL; i++)
		close_day(c, sp_day_from_civil(special_closures[i].y,
					       special_closures[i].m,
					       special_closures[i].d),
			  (enum reason)(SPECIAL + i));
	for (y = FIRST_YEAR; y <= LAST_YEAR; y++)
		close_holidays(c, y);
	for (i = 0; i < NDAYS; i++) {
		c->rank[i] = (int32_t)n;
		if (c->reason[i] == OPEN)
			c->session[n++] = c->first + (sp_day)i;
	}
	c->rank[NDAYS] = (int32_t)n;
	c->nsessions = n;
}

const struct sp_calendar *sp_calendar_get(const char *name)
{
	if (!name || (strcasecmp(name, "XNYS") && strcasecmp(name, "NYSE")))
		return NULL;
	if (!xnys_built) {
		build(&xnys);
		xnys_built = 1;
	}
	return &xnys;
}

const char *sp_calendar_name(const struct sp_calendar *cal)
{
	return cal->name;
}

sp_day sp_calendar_first(const struct sp_calendar *cal)
{
	return cal->first;
}

sp_day sp_calendar_last(const struct sp_calendar *cal)
{
	return cal->last;
}

int sp_calendar_is_session(const struct sp_calendar *cal, sp_day d)
{
	if (d < cal->first || d > cal->last)
		return -1;
	return cal->reason[d - cal->first] == OPEN;
}

const char *sp_calendar_closure(const struct sp_calendar *cal, sp_day d)
{
	unsigned why;

	if (d < cal->first || d > cal->last)
		return NULL;
	why = cal->reason[d - cal->first];
	if (why == OPEN)
		return NULL;
	return why < SPECIAL ? reason_names[why] : special_closures[why - SPECIAL].name;
}

/* Sessions up to and including x, counted from the start of the table. */
static int64_t rank(const struct sp_calendar *c, int64_t x)
{
	if (x < c->first)
		return weekdays_to(x) - weekdays_to((int64_t)c->first - 1);
	if (x > c->last)
		return c->nsessions + weekdays_to(x) - weekdays_to(c->last);
	return c->rank[x - c->first + 1];
}

/* The first day of rank r, which is the session that brings the count to r. */
static int64_t unrank(const struct sp_calendar *c, int64_t r)
{
	if (r <= 0)
		return weekday_numbered(weekdays_to((int64_t)c->first - 1) + r);
	if (r > c->nsessions)
		return weekday_numbered(weekdays_to(c->last) + r - c->nsessions);
	return c->session[r - 1];
}

sp_day sp_calendar_add(const struct sp_calendar *cal, sp_day d, int n)
{
	/*
	 * Forward, the n-th session after d has rank(d) + n.  Backward (and
	 * for n == 0) count from the last day before d, so that a closed d
	 * rolls to the nearest session on the side n points to.
	 */
	if (n > 0)
		return (sp_day)unrank(cal, rank(cal, d) + n);
	return (sp_day)unrank(cal, rank(cal, (int64_t)d - 1) + n + 1);
}

long sp_calendar_between(const struct sp_calendar *cal, sp_day a, sp_day b)
{
	return (long)(rank(cal, b) - rank(cal, a));
}
