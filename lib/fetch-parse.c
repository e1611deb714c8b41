/*
 * fetch-parse.c - what every response parser shares: the series, the reason
 * line, sorting and de-duplicating, bodies that are not data, and New York
 * wall-clock time.  The parsers themselves are in fetch-parse-*.c.
 */
#include "fetch-parse-impl.h"
#include "mem.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "banned.h"

void sp_fetch_series_init(struct sp_fetch_series *s)
{
	memset(s, 0, sizeof(*s));
}

void sp_fetch_series_reset(struct sp_fetch_series *s)
{
	s->nbars = 0;
	s->nevents = 0;
	s->currency[0] = '\0';
	s->skipped = 0;
}

void sp_fetch_series_release(struct sp_fetch_series *s)
{
	free(s->bars);
	free(s->events);
	sp_fetch_series_init(s);
}

const char *sp_fetch_status_name(enum sp_fetch_status st)
{
	switch (st) {
	case SP_FETCH_OK:
		return "ok";
	case SP_FETCH_NOT_FOUND:
		return "not-found";
	case SP_FETCH_RATE_LIMITED:
		return "rate-limited";
	case SP_FETCH_BAD:
		return "bad";
	case SP_FETCH_DENIED:
		return "denied";
	}
	return "unknown";
}

/* ---- the reason line ------------------------------------------------- */

/* Length of the valid UTF-8 sequence at P (N > 0 bytes left), or 0. */
static size_t fp_utf8_seq(const unsigned char *p, size_t n)
{
	unsigned c = p[0];
	size_t k;
	unsigned long cp, min;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		k = 1, min = 0x80, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		k = 2, min = 0x800, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		k = 3, min = 0x10000, cp = c & 0x07;
	else
		return 0;
	if (n <= k)
		return 0;
	for (size_t i = 1; i <= k; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return k + 1;
}

/* Append Q to the reason: one line of valid UTF-8, at most FP_QUOTE_MAX bytes of it. */
static void put_quote(struct fp_why *w, size_t *at, const char *q, size_t qlen)
{
	const unsigned char *p = (const unsigned char *)q, *end = p + qlen;
	size_t used = 0;

	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	while (end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' ||
			   end[-1] == '\n'))
		end--;
	while (p < end && *at + 5 < w->len) {
		size_t k = fp_utf8_seq(p, (size_t)(end - p));

		if (k == 0)
			k = 1;	/* a stray byte shows as '?' */
		if (used + k > FP_QUOTE_MAX || *at + k + 4 >= w->len) {
			memcpy(w->buf + *at, "...", 3);
			*at += 3;
			break;
		}
		if (k == 1 && (*p < 0x20 || *p >= 0x7f))
			w->buf[(*at)++] = *p >= 0x80 ? '?' : ' ';
		else if (k == 1)
			w->buf[(*at)++] = (char)*p;
		else
			memcpy(w->buf + *at, p, k), *at += k;
		used += k;
		p += k;
	}
	w->buf[*at] = '\0';
}

enum sp_fetch_status fp_fail(struct sp_fetch_series *s, struct fp_why *w,
			     enum sp_fetch_status st, const char *quote, size_t qlen,
			     const char *fmt, ...)
{
	va_list ap;
	int n;
	size_t at;

	sp_fetch_series_reset(s);
	if (!w->buf || !w->len)
		return st;
	va_start(ap, fmt);
	n = vsnprintf(w->buf, w->len, fmt, ap);
	va_end(ap);
	at = n < 0 ? 0 : (size_t)n < w->len ? (size_t)n : w->len - 1;
	w->buf[at] = '\0';
	/* The format may carry text from the source (a JSON parser's error
	 * near a byte it sent): one line of valid UTF-8 all the same. */
	for (size_t i = 0, k; i < at; i += k) {
		unsigned char *p = (unsigned char *)w->buf + i;
		k = fp_utf8_seq(p, at - i);
		if (k == 0)
			*p = '?', k = 1;
		else if (*p < 0x20 || *p == 0x7f)
			*p = ' ';
	}
	if (quote && at + 2 < w->len) {
		memcpy(w->buf + at, ": ", 2);
		at += 2;
		put_quote(w, &at, quote, qlen);
	}
	return st;
}

int fp_utf8_ok(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;

	for (size_t i = 0, k; i < n; i += k)
		if (!(k = p[i] < 0x80 ? 1 : fp_utf8_seq(p + i, n - i)))
			return 0;
	return 1;
}

void fp_why_init(struct fp_why *w, char *why, size_t whylen)
{
	w->buf = why;
	w->len = whylen;
	if (why && whylen)
		why[0] = '\0';
}

/* ---- building a series ------------------------------------------------ */

int fp_add_bar(struct sp_fetch_series *s, const struct sp_fetch_bar *b)
{
	if (sp_grow((void **)&s->bars, &s->cap_bars, s->nbars + 1, sizeof(*s->bars)))
		return -1;
	s->bars[s->nbars++] = *b;
	return 0;
}

int fp_add_event(struct sp_fetch_series *s, sp_day day, enum sp_fetch_event_kind kind,
		 double value)
{
	if (sp_grow((void **)&s->events, &s->cap_events, s->nevents + 1, sizeof(*s->events)))
		return -1;
	s->events[s->nevents++] = (struct sp_fetch_event){ day, kind, value };
	return 0;
}

void fp_bar_clear(struct sp_fetch_bar *b, struct sp_when when)
{
	b->when = when;
	b->open = b->high = b->low = b->close = b->adj_close = b->volume = NAN;
}

int fp_bar_empty(const struct sp_fetch_bar *b)
{
	return isnan(b->open) && isnan(b->high) && isnan(b->low) && isnan(b->close);
}

/* A sort key: the time, then the position in the source. */
struct key {
	int64_t t;
	size_t i;
};

static int key_cmp(const void *a, const void *b)
{
	const struct key *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/*
 * Reorder the N elements of SIZE bytes at BASE by KEYS (one per element)
 * and keep the last of each run of equal times.  Returns the new count, or
 * (size_t)-1 when out of memory.
 */
static size_t sort_unique(void *base, size_t n, size_t size, struct key *keys)
{
	char *tmp, *out;
	size_t m = 0;

	qsort(keys, n, sizeof(*keys), key_cmp);
	tmp = malloc(n * size);
	if (!tmp)
		return (size_t)-1;
	out = tmp;
	for (size_t k = 0; k < n; k++) {
		if (k + 1 < n && keys[k + 1].t == keys[k].t)
			continue;	/* a later one replaces it */
		memcpy(out + m++ * size, (char *)base + keys[k].i * size, size);
	}
	memcpy(base, tmp, m * size);
	free(tmp);
	return m;
}

static int bars_ascending(const struct sp_fetch_series *s)
{
	for (size_t i = 1; i < s->nbars; i++)
		if (s->bars[i].when.t <= s->bars[i - 1].when.t)
			return 0;
	return 1;
}

static int bars_descending(const struct sp_fetch_series *s)
{
	for (size_t i = 1; i < s->nbars; i++)
		if (s->bars[i].when.t >= s->bars[i - 1].when.t)
			return 0;
	return 1;
}

static int64_t event_key(const struct sp_fetch_event *e)
{
	return (int64_t)e->day * 2 + (e->kind == SP_EVENT_DIVIDEND);
}

enum sp_fetch_status fp_finish(struct sp_fetch_series *s, struct fp_why *w)
{
	struct key *keys;
	size_t n = s->nbars > s->nevents ? s->nbars : s->nevents;

	for (size_t i = 1; i < s->nbars; i++)
		if (s->bars[i].when.intraday != s->bars[0].when.intraday)
			return fp_fail(s, w, SP_FETCH_BAD, NULL, 0,
				       "daily and intraday bars mixed");
	if (bars_descending(s)) {
		/* Alpha Vantage sends newest first. */
		for (size_t i = 0, j = s->nbars; i + 1 < j--; i++) {
			struct sp_fetch_bar t = s->bars[i];
			s->bars[i] = s->bars[j];
			s->bars[j] = t;
		}
	}
	if (bars_ascending(s) && s->nevents < 2)
		return SP_FETCH_OK;
	keys = malloc((n ? n : 1) * sizeof(*keys));
	if (!keys)
		return fp_fail(s, w, SP_FETCH_BAD, NULL, 0, "out of memory");
	if (!bars_ascending(s)) {
		for (size_t i = 0; i < s->nbars; i++)
			keys[i] = (struct key){ s->bars[i].when.t, i };
		s->nbars = sort_unique(s->bars, s->nbars, sizeof(*s->bars), keys);
	}
	if (s->nbars != (size_t)-1 && s->nevents > 1) {
		for (size_t i = 0; i < s->nevents; i++)
			keys[i] = (struct key){ event_key(&s->events[i]), i };
		s->nevents = sort_unique(s->events, s->nevents, sizeof(*s->events), keys);
	}
	free(keys);
	if (s->nbars == (size_t)-1 || s->nevents == (size_t)-1)
		return fp_fail(s, w, SP_FETCH_BAD, NULL, 0, "out of memory");
	return SP_FETCH_OK;
}

/* ---- bodies that are not data ----------------------------------------- */

size_t fp_skip_blank(const char *buf, size_t len)
{
	size_t i = 0;

	if (len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3))
		i = 3;
	while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' || buf[i] == '\n'))
		i++;
	return i;
}

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* Offset of NEEDLE in S[0..LEN), ASCII case ignored, or LEN if absent. */
static size_t find_nocase(const char *s, size_t len, const char *needle)
{
	size_t n = strlen(needle);

	for (size_t i = 0; i + n <= len; i++) {
		size_t k = 0;

		while (k < n && lower((unsigned char)s[i + k]) == needle[k])
			k++;
		if (k == n)
			return i;
	}
	return len;
}

int fp_contains(const char *s, size_t len, const char *needle)
{
	return find_nocase(s, len, needle) < len;
}

int fp_html(const char *buf, size_t len, const char **title, size_t *tlen)
{
	size_t i = fp_skip_blank(buf, len), end, t;

	*title = "";
	*tlen = 0;
	if (i == len || buf[i] != '<')
		return 0;
	/* Look for the title near the top only: pages can be large. */
	end = len - i > 65536 ? i + 65536 : len;
	t = i + find_nocase(buf + i, end - i, "<title");
	if (t < end) {
		const char *p = memchr(buf + t, '>', end - t);
		if (p) {
			size_t start = (size_t)(p + 1 - buf);
			size_t stop = start + find_nocase(buf + start, end - start, "</title");
			*title = buf + start;
			*tlen = stop - start;
		}
	}
	return 1;
}

int fp_zstd(const char *buf, size_t len)
{
	return len >= 4 && !memcmp(buf, "\x28\xb5\x2f\xfd", 4);
}

enum sp_fetch_status fp_av_note_status(const char *text, size_t len)
{
	/*
	 * Refusals that no retry mends.  Checked before the rate limit: the
	 * 2025 rate-limit text also mentions "premium endpoints", but never
	 * "this is a premium endpoint".
	 */
	if (fp_contains(text, len, "this is a premium endpoint") ||
	    (fp_contains(text, len, "demo") && fp_contains(text, len, "api key")) ||
	    fp_contains(text, len, "apikey is invalid") ||
	    fp_contains(text, len, "api key is invalid") ||
	    fp_contains(text, len, "invalid api key"))
		return SP_FETCH_DENIED;
	/* Every other note has been about call frequency ("5 calls per
	 * minute", "25 requests per day"): retry later. */
	return SP_FETCH_RATE_LIMITED;
}

/* ---- New York wall-clock time ----------------------------------------- */

int64_t fp_ny_to_utc(int64_t local)
{
	/*
	 * An instant is right when the offset in force then is the one that
	 * was assumed.  In the repeated hour of November daylight time wins
	 * (the earlier instant); the skipped hour of March reads as standard
	 * time.  Markets are closed at both.
	 */
	if (sp_ny_offset(local + 4 * 3600) == -4 * 3600)
		return local + 4 * 3600;
	return local + 5 * 3600;
}

const char *fp_when_ny(const char *s, size_t len, struct sp_when *w)
{
	static const char nozone[] = "timestamp without a time zone";
	const char *err = sp_when_parse(s, len, w);
	char tmp[40];

	if (!err || strcmp(err, nozone) || len + 1 >= sizeof(tmp))
		return err;
	memcpy(tmp, s, len);
	tmp[len] = 'Z';
	if ((err = sp_when_parse(tmp, len + 1, w)))
		return err;
	w->t = fp_ny_to_utc(w->t);
	return NULL;
}
