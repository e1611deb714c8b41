/* bar.c - binding bar columns and checking one bar. */
#include "bar.h"
#include "calendar.h"
#include "num.h"
#include "usage.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "banned.h"

static const char *const reject_names[SP_REJECT_COUNT] = {
	[SP_REJECT_NONE] = "ok",
	[SP_REJECT_MALFORMED] = "malformed",
	[SP_REJECT_MISSING] = "missing_field",
	[SP_REJECT_SYMBOL] = "bad_symbol",
	[SP_REJECT_DATE] = "bad_date",
	[SP_REJECT_NUMBER] = "bad_number",
	[SP_REJECT_NONPOSITIVE] = "nonpositive_price",
	[SP_REJECT_HIGH_LOW] = "high_below_low",
	[SP_REJECT_OPEN_RANGE] = "open_outside_range",
	[SP_REJECT_CLOSE_RANGE] = "close_outside_range",
	[SP_REJECT_VOLUME] = "bad_volume",
	[SP_REJECT_NEG_VOLUME] = "negative_volume",
	[SP_REJECT_NON_TRADING] = "non_trading_day",
	[SP_REJECT_ORDER] = "out_of_order",
};

const char *sp_reject_name(enum sp_reject why)
{
	return why < SP_REJECT_COUNT ? reject_names[why] : "unknown";
}

/*
 * Aliases seen in the wild, compared after lower-casing and dropping spaces
 * and underscores: Yahoo's CSV ("Adj Close"), Alpha Vantage ("timestamp",
 * "adjusted_close"), Kaggle ("Name"), Stooq in Polish ("Zamkniecie").
 */
static const struct alias {
	size_t field;
	const char *names[6];
} aliases[] = {
	{ offsetof(struct sp_bar_cols, symbol), { "symbol", "ticker", "name" } },
	{ offsetof(struct sp_bar_cols, date), { "date", "timestamp", "datetime", "time", "data" } },
	{ offsetof(struct sp_bar_cols, open), { "open", "otwarcie" } },
	{ offsetof(struct sp_bar_cols, high), { "high", "najwyzszy" } },
	{ offsetof(struct sp_bar_cols, low), { "low", "najnizszy" } },
	{ offsetof(struct sp_bar_cols, close), { "close", "zamkniecie" } },
	{ offsetof(struct sp_bar_cols, adj_close), { "adjclose", "adjustedclose" } },
	{ offsetof(struct sp_bar_cols, volume), { "volume", "vol", "wolumen" } },
};

static const char *const contract_names[] = {
	"symbol", "date", "open", "high", "low", "close", "adj_close", "volume"
};

static void fold(char *dst, size_t n, const char *src)
{
	size_t j = 0;

	for (; *src && j + 1 < n; src++)
		if (*src != ' ' && *src != '_')
			dst[j++] = (char)tolower((unsigned char)*src);
	dst[j] = '\0';
}

static int *slot(struct sp_bar_cols *c, size_t off)
{
	return (int *)((char *)c + off);
}

int sp_bar_cols_bind(struct sp_bar_cols *c, struct sp_reader *r, const char *symbol)
{
	size_t n = sp_reader_ncols(r);
	char folded[64];

	memset(c, 0, sizeof(*c));
	for (size_t a = 0; a < sizeof(aliases) / sizeof(aliases[0]); a++)
		*slot(c, aliases[a].field) = -1;
	c->flags = sp_reader_find(r, "flags");

	/* Exact contract names win over aliases. */
	for (size_t a = 0; a < sizeof(aliases) / sizeof(aliases[0]); a++)
		*slot(c, aliases[a].field) = sp_reader_find(r, contract_names[a]);
	for (size_t a = 0; a < sizeof(aliases) / sizeof(aliases[0]); a++) {
		int *s = slot(c, aliases[a].field);
		for (size_t i = 0; *s < 0 && i < n; i++) {
			fold(folded, sizeof(folded), sp_reader_colname(r, i));
			for (size_t k = 0; k < 6 && aliases[a].names[k]; k++)
				if (!strcmp(folded, aliases[a].names[k]) &&
				    !sp_bar_cols_has(c, (int)i))
					*s = (int)i;
		}
	}
	/* NDJSON shows its keys record by record: bind by name, they fill in. */
	if (sp_reader_format(r) == SP_FORMAT_NDJSON) {
		for (size_t a = 0; a < sizeof(aliases) / sizeof(aliases[0]); a++) {
			int *s = slot(c, aliases[a].field);
			if (*s < 0 && !(a == 0 && symbol))
				*s = sp_reader_want(r, contract_names[a]);
		}
		if (c->flags < 0)
			c->flags = sp_reader_want(r, "flags");
	}
	if (c->symbol < 0) {
		if (!symbol)
			return sp_error("%s: no 'symbol' column (give --symbol)",
					sp_reader_name(r));
		if (!(c->symbol_default = strdup(symbol)))
			return sp_error("out of memory");
	}
	for (size_t a = 1; a < 6; a++)
		if (*slot(c, aliases[a].field) < 0)
			return sp_error("%s: no '%s' column", sp_reader_name(r),
					contract_names[a]);
	return 0;
}

void sp_bar_cols_release(struct sp_bar_cols *c)
{
	free(c->symbol_default);
	c->symbol_default = NULL;
}

int sp_bar_cols_has(const struct sp_bar_cols *c, int col)
{
	return col >= 0 &&
	       (col == c->symbol || col == c->date || col == c->open ||
		col == c->high || col == c->low || col == c->close ||
		col == c->adj_close || col == c->volume || col == c->flags);
}

static enum sp_reject fail(char *detail, size_t n, enum sp_reject why,
			   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static enum sp_reject fail(char *detail, size_t n, enum sp_reject why,
			   const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, n, fmt, ap);
	va_end(ap);
	return why;
}


/* At most 40 bytes of a field for a message, not cutting a UTF-8 character. */
static int clipped(const char *s, size_t len)
{
	size_t n = len > 40 ? 40 : len;

	if (n < len)
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	return (int)n;
}

/* A field NAME that should hold a number but does not. */
static enum sp_reject not_number(char *detail, size_t n, enum sp_reject why,
				 const char *name, struct sp_field f)
{
	if (f.type == SP_FIELD_STRING)	/* NDJSON: "10" is text, not 10 */
		return fail(detail, n, why, "%s is a string, not a number: \"%.*s\"", name,
			    clipped(f.s, f.len), f.s);
	return fail(detail, n, why, "%s is not a number: '%.*s'", name,
		    clipped(f.s, f.len), f.s);
}

/* A number as the output prints it, for messages. */
static const char *shown(double v, char buf[SP_NUM_MAX])
{
	if (!sp_num_format(v, buf))
		snprintf(buf, SP_NUM_MAX, "%s", v != v ? "nan" : v > 0 ? "inf" : "-inf");
	return buf;
}

static int symbol_char(unsigned char ch)
{
	return isalnum(ch) || (ch && strchr(".-^=_/:&", ch));
}

enum sp_reject sp_bar_symbol(const struct sp_bar_cols *c, const struct sp_reader *r,
			     char symbol[SP_SYMBOL_MAX], char *detail, size_t n)
{
	struct sp_field f;
	const char *s;
	size_t len;

	if (c->symbol < 0) {
		s = c->symbol_default;
		len = strlen(s);
	} else {
		f = sp_reader_field(r, (size_t)c->symbol);
		if (f.type == SP_FIELD_MISSING)
			return fail(detail, n, SP_REJECT_MISSING, "symbol is empty");
		if (f.type != SP_FIELD_TEXT && f.type != SP_FIELD_STRING)
			return fail(detail, n, SP_REJECT_SYMBOL,
				    "symbol is not a string");
		s = f.s;
		len = f.len;
	}
	if (len >= SP_SYMBOL_MAX)
		return fail(detail, n, SP_REJECT_SYMBOL,
			    "symbol longer than %d characters", SP_SYMBOL_MAX - 1);
	for (size_t i = 0; i < len; i++) {
		if (!symbol_char((unsigned char)s[i]))
			return fail(detail, n, SP_REJECT_SYMBOL,
				    "symbol '%.*s' has a character other than "
				    "letters, digits and .-^=_/:&", (int)len, s);
		symbol[i] = (char)toupper((unsigned char)s[i]);
	}
	symbol[len] = '\0';
	return SP_REJECT_NONE;
}

static enum sp_reject parse_date(const struct sp_bar_cols *c,
				 const struct sp_reader *r,
				 const struct sp_bar_rules *rules, struct sp_bar *bar,
				 char *detail, size_t n, int *out_of_range)
{
	struct sp_field f = sp_reader_field(r, (size_t)c->date);
	const char *why;
	sp_day day;
	int open;

	if (f.type == SP_FIELD_MISSING)
		return fail(detail, n, SP_REJECT_MISSING, "date is empty");
	if (f.type != SP_FIELD_TEXT && f.type != SP_FIELD_STRING)
		return fail(detail, n, SP_REJECT_DATE, "date is not a string");
	why = sp_when_parse(f.s, f.len, &bar->when);
	if (why)
		return fail(detail, n, SP_REJECT_DATE, "%s: '%.*s'", why,
			    clipped(f.s, f.len), f.s);
	if (!rules->cal)
		return SP_REJECT_NONE;
	/* An intraday bar belongs to the exchange's local date. */
	day = bar->when.intraday ? sp_ny_day(bar->when.t) : (sp_day)bar->when.t;
	open = sp_calendar_is_session(rules->cal, day);
	if (open < 0)
		*out_of_range = 1;
	else if (!open) {
		char buf[32];
		struct sp_when w = { day, 0 };
		sp_when_format(&w, buf);
		return fail(detail, n, SP_REJECT_NON_TRADING,
			    "%s is not a %s trading day (%s)", buf,
			    sp_calendar_name(rules->cal),
			    sp_calendar_closure(rules->cal, day));
	}
	return SP_REJECT_NONE;
}

enum sp_reject sp_bar_parse(const struct sp_bar_cols *c, const struct sp_reader *r,
			    const struct sp_bar_rules *rules, struct sp_bar *bar,
			    char *detail, size_t n, int *out_of_range)
{
	static const char *const price_names[] = { "open", "high", "low", "close" };
	double *prices[] = { &bar->open, &bar->high, &bar->low, &bar->close };
	const int cols[] = { c->open, c->high, c->low, c->close };
	enum sp_reject why;
	double v, tol;
	char t1[SP_NUM_MAX], t2[SP_NUM_MAX], t3[SP_NUM_MAX];
	int got;

	detail[0] = '\0';
	if (sp_reader_bad(r))
		return fail(detail, n, SP_REJECT_MALFORMED, "%s", sp_reader_bad(r));
	if ((why = sp_bar_symbol(c, r, bar->symbol, detail, n)))
		return why;
	if ((why = parse_date(c, r, rules, bar, detail, n, out_of_range)))
		return why;
	for (int i = 0; i < 4; i++) {
		got = sp_reader_number(r, cols[i], prices[i]);
		if (got == 0)
			return fail(detail, n, SP_REJECT_MISSING, "%s is empty",
				    price_names[i]);
		if (got < 0)
			return not_number(detail, n, SP_REJECT_NUMBER, price_names[i],
					  sp_reader_field(r, (size_t)cols[i]));
		if (!(*prices[i] > 0))
			return fail(detail, n, SP_REJECT_NONPOSITIVE, "%s %s is not positive",
				    price_names[i], shown(*prices[i], t1));
	}
	got = c->adj_close >= 0 ? sp_reader_number(r, c->adj_close, &bar->adj_close) : 0;
	if (got < 0)
		return not_number(detail, n, SP_REJECT_NUMBER, "adj_close",
				  sp_reader_field(r, (size_t)c->adj_close));
	if (got > 0 && !(bar->adj_close > 0))
		return fail(detail, n, SP_REJECT_NONPOSITIVE, "adj_close %s is not positive",
			    shown(bar->adj_close, t1));
	bar->has_adj = got > 0;

	if (bar->high < bar->low)
		return fail(detail, n, SP_REJECT_HIGH_LOW, "high %s is below low %s",
			    shown(bar->high, t1), shown(bar->low, t2));
	tol = rules->tolerance;
	if (bar->open > bar->high * (1 + tol) || bar->open < bar->low * (1 - tol))
		return fail(detail, n, SP_REJECT_OPEN_RANGE, "open %s is outside [low %s, high %s]",
			    shown(bar->open, t1), shown(bar->low, t2), shown(bar->high, t3));
	if (bar->close > bar->high * (1 + tol) || bar->close < bar->low * (1 - tol))
		return fail(detail, n, SP_REJECT_CLOSE_RANGE, "close %s is outside [low %s, high %s]",
			    shown(bar->close, t1), shown(bar->low, t2), shown(bar->high, t3));

	got = c->volume >= 0 ? sp_reader_number(r, c->volume, &v) : 0;
	bar->has_volume = got > 0;
	if (got < 0)
		return not_number(detail, n, SP_REJECT_VOLUME, "volume",
				  sp_reader_field(r, (size_t)c->volume));
	if (got > 0) {
		if (v < 0)
			return fail(detail, n, SP_REJECT_NEG_VOLUME, "volume %s is negative",
				    shown(v, t1));
		if (v != floor(v) || v > 9007199254740992.0)
			return fail(detail, n, SP_REJECT_VOLUME, "volume %s is not a whole number",
				    shown(v, t1));
		bar->volume = (long long)v;
	}
	return SP_REJECT_NONE;
}
