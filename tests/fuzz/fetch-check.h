/*
 * fetch-check.h - what every response-parser fuzz target checks: always one
 * of the statuses, a one-line reason for anything but OK and then an empty
 * series, and on OK bars sorted and one per time, events sorted and one per
 * day and kind.  run() parses each input twice, into a series used before
 * and with a tiny reason buffer: the same answer both times.  Included by
 * tests/fuzz/fuzz-{yahoo,alphavantage,stooq}.c only.
 */
#ifndef SP_FUZZ_FETCH_CHECK_H
#define SP_FUZZ_FETCH_CHECK_H

#include "fetch-parse.h"
#include "walk.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum sp_fetch_status (*parser)(const char *, size_t, struct sp_fetch_series *, char *,
				       size_t);

/* Days of 1800-01-01 and 2200-12-31: the range sp_when_parse() reads. */
#define DAY_MIN (-62091)
#define DAY_MAX 84370

/* One line of valid UTF-8: no control characters, no broken sequence. */
static int one_line(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		int k = *p < 0x80 ? 0 : (*p & 0xe0) == 0xc0 ? 1 : (*p & 0xf0) == 0xe0 ? 2 :
			(*p & 0xf8) == 0xf0 ? 3 : -1;
		if (k < 0 || *p < 0x20 || *p == 0x7f)
			return 0;
		for (p++; k > 0; k--, p++)
			if ((*p & 0xc0) != 0x80)
				return 0;
	}
	return 1;
}

static void check_series(const struct sp_fetch_series *s, enum sp_fetch_status st,
			 const char *why, size_t whylen)
{
	CHECK(st == SP_FETCH_OK || st == SP_FETCH_NOT_FOUND || st == SP_FETCH_RATE_LIMITED ||
	      st == SP_FETCH_BAD || st == SP_FETCH_DENIED);
	CHECK(memchr(why, '\0', whylen) != NULL);
	CHECK(one_line(why));
	CHECK(memchr(s->currency, '\0', sizeof(s->currency)) != NULL);
	CHECK(s->nbars <= s->cap_bars && s->nevents <= s->cap_events);
	if (st != SP_FETCH_OK) {
		CHECK(whylen < 2 || why[0]);
		CHECK(s->nbars == 0 && s->nevents == 0);
		return;
	}
	CHECK(why[0] == '\0');
	for (size_t i = 0; i < s->nbars; i++) {
		const struct sp_fetch_bar *b = &s->bars[i];

		CHECK(b->when.intraday == s->bars[0].when.intraday);
		CHECK(i == 0 || b->when.t > s->bars[i - 1].when.t);
		if (b->when.intraday)
			CHECK(b->when.t >= (int64_t)DAY_MIN * 86400 &&
			      b->when.t < ((int64_t)DAY_MAX + 2) * 86400);
		else
			CHECK(b->when.t >= DAY_MIN - 1 && b->when.t <= DAY_MAX + 1);
		CHECK(!isinf(b->open) && !isinf(b->high) && !isinf(b->low) && !isinf(b->close) &&
		      !isinf(b->adj_close) && !isinf(b->volume));
		CHECK(!(isnan(b->open) && isnan(b->high) && isnan(b->low) && isnan(b->close)));
	}
	for (size_t i = 0; i < s->nevents; i++) {
		const struct sp_fetch_event *e = &s->events[i];

		CHECK(e->kind == SP_EVENT_SPLIT || e->kind == SP_EVENT_DIVIDEND);
		CHECK(e->value > 0 && !isinf(e->value));
		CHECK(e->day >= DAY_MIN - 1 && e->day <= DAY_MAX + 1);
		CHECK(i == 0 || e->day > e[-1].day ||
		      (e->day == e[-1].day && e->kind > e[-1].kind));
	}
}

static void run(parser p, const uint8_t *data, size_t size)
{
	static struct sp_fetch_series warm;	/* kept from input to input */
	struct sp_fetch_series cold;
	char why[256], tiny[4];
	enum sp_fetch_status st, st2;

	memset(why, 'x', sizeof(why));
	st = p((const char *)data, size, &warm, why, sizeof(why));
	check_series(&warm, st, why, sizeof(why));

	sp_fetch_series_init(&cold);
	memset(tiny, 'x', sizeof(tiny));
	st2 = p((const char *)data, size, &cold, tiny, sizeof(tiny));
	check_series(&cold, st2, tiny, sizeof(tiny));
	CHECK(st2 == st && cold.nbars == warm.nbars && cold.nevents == warm.nevents &&
	      cold.skipped == warm.skipped);
	if (st == SP_FETCH_OK && cold.nbars)
		CHECK(!memcmp(cold.bars, warm.bars, cold.nbars * sizeof(*cold.bars)));
	sp_fetch_series_release(&cold);
}

#endif
