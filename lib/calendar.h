/*
 * calendar.h - exchange trading days.
 *
 * A calendar is immutable data built once on first use and owned by the
 * library; callers never free it.  Dates are sp_day values (date.h).
 */
#ifndef SP_CALENDAR_H
#define SP_CALENDAR_H

#include "date.h"

struct sp_calendar;

/*
 * Look up a calendar by name: "XNYS" (alias "NYSE") covers 1970-01-01 to
 * 2040-12-31.  Returns NULL for an unknown name.
 */
const struct sp_calendar *sp_calendar_get(const char *name);
const char *sp_calendar_name(const struct sp_calendar *cal);

/* First and last day the calendar knows. */
sp_day sp_calendar_first(const struct sp_calendar *cal);
sp_day sp_calendar_last(const struct sp_calendar *cal);

/* 1 if d is a session, 0 if the exchange is closed, -1 if d is out of range. */
int sp_calendar_is_session(const struct sp_calendar *cal, sp_day d);

/*
 * Why the exchange is closed on d ("Saturday", "Good Friday", "Hurricane
 * Sandy", ...), or NULL when d is a session or out of range.
 */
const char *sp_calendar_closure(const struct sp_calendar *cal, sp_day d);

/*
 * The n-th session after d (n > 0) or before d (n < 0); for n == 0, d itself
 * if it is a session, else the next session.  Outside the range every
 * weekday counts as a session.  sp_calendar_between(d, sp_calendar_add(d, n))
 * == n for every n when d is a session, and for every n > 0 from any day.
 * (From a closed d it cannot hold for n <= 0: the Friday before a Saturday
 * is its -1st session, yet no session lies in (Friday, Saturday].)
 */
sp_day sp_calendar_add(const struct sp_calendar *cal, sp_day d, int n);

/* Number of sessions s with a < s <= b; negative (-count of b < s <= a) if b < a. */
long sp_calendar_between(const struct sp_calendar *cal, sp_day a, sp_day b);

#endif
