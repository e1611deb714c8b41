/*
 * date.h - civil dates and bar times as plain integers, no time zone database.
 *
 * Everything here is pure computation on values the caller owns; nothing is
 * allocated.  Days count from 1970-01-01 (day 0), proleptic Gregorian.
 */
#ifndef SP_DATE_H
#define SP_DATE_H

#include <stddef.h>
#include <stdint.h>

typedef int32_t sp_day;

sp_day sp_day_from_civil(int year, int month, int day);
void sp_day_to_civil(sp_day d, int *year, int *month, int *day);
/* 0 = Sunday ... 6 = Saturday. */
int sp_day_weekday(sp_day d);

/*
 * The time of a bar: a date for daily bars, or an instant (seconds since the
 * epoch, UTC) for intraday bars, as contracts.md puts them.
 */
struct sp_when {
	int64_t t;	/* sp_day when !intraday, else UTC seconds */
	int intraday;
};

/*
 * Parse a bar time.  Accepted: YYYY-MM-DD, YYYY/MM/DD, YYYYMMDD, M/D/YYYY
 * (daily); YYYY-MM-DDTHH:MM[:SS[.fff]] followed by Z or +HH:MM / -HH:MM / +HHMM
 * (intraday; a space may stand for the T).  Returns NULL on success, else a
 * static string saying what is wrong ("impossible date", ...).
 * Strict: years have four digits and lie in 1800..2200 ("date out of range");
 * MM and DD have two digits (M and D one or two), so "2020-1-2" is "not a
 * date"; an intraday time must carry its zone ("timestamp without a time
 * zone"); a fraction of a second is truncated.  s need not end in a NUL.
 */
const char *sp_when_parse(const char *s, size_t len, struct sp_when *w);

/* Write "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SSZ" and a NUL; returns the length. */
size_t sp_when_format(const struct sp_when *w, char buf[32]);

/* The America/New_York calendar date of a UTC instant (US DST rules 1970-2040+). */
sp_day sp_ny_day(int64_t utc_seconds);

/* Seconds east of UTC of America/New_York at a UTC instant (-18000 or -14400). */
int sp_ny_offset(int64_t utc_seconds);

#endif
