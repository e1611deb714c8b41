/*
 * test-ind-ref.c - lib/ind against R's TTR on real bars.
 *
 * tests/data/features/ttr-reference.csv holds TTR's values for the AAPL and
 * MSFT rows of tests/data/bars/sample.csv (scripts/ref/ttr-features.R says
 * how it was made and which scales it converted).  This test adjusts the
 * same bars the same way, runs each indicator over them, and compares every
 * reference value after a warm-up of ten times the indicator's longest
 * window to 1e-6 relative.  R is not needed to run it.
 *
 * "Relative" is to the value itself, or to a thousandth of the column's
 * mean magnitude where the value is smaller than that: a value that is a
 * difference of two close numbers (a MACD histogram or a CCI crossing
 * zero) carries the absolute rounding of its operands, and a relative
 * test of it would measure that rounding, not the definition.
 *
 * Where TTR and TA-Lib differ, and why it does not show here:
 * - OBV: TTR counts a close as unchanged when it moved by less than 1.5e-8
 *   relative, TA-Lib (and lib/ind) only when it is equal, and one such bar
 *   would shift every later value by twice its volume.  No close in these
 *   bars moves that little, so the levels are compared.
 * - Zero-range windows (stoch, Williams %R, MFI): TTR's 0.5 and 50 are not
 *   TA-Lib's 0.  None occurs in these bars; test-ind.c checks ours.
 * - MACD: TTR seeds the fast EMA with the first 12 closes, TA-Lib with the
 *   12 ending at bar 26; that seed has decayed to nothing by bar 260.
 * - TR and ATR: TTR has no true range for the first bar, lib/ind gives
 *   high - low there; the reference starts at row 100.
 */
#include "date.h"
#include "ind.h"
#include "tap.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAXROWS 2000
#define MAXCOLS 64
#define MAXO 5

struct bars {
	char date[MAXROWS][11];
	struct sp_ind_bar bar[MAXROWS];
	int n;
};

/* The reference: one row per (symbol, date), one column per feature. */
static char ref_col[MAXCOLS][48];
static int ref_ncol;
static struct ref_row {
	char symbol[8], date[11];
	double v[MAXCOLS];
} *ref;
static int ref_n;

static double field(const char *s)
{
	char *end;
	double v;

	if (!*s)
		return NAN;
	v = strtod(s, &end);
	return end == s ? NAN : v;
}

/* Split LINE at commas in place; returns the number of fields. */
static int split(char *line, char **f, int max)
{
	int n = 0;

	line[strcspn(line, "\r\n")] = '\0';
	f[n++] = line;
	for (char *p = line; *p && n < max; p++) {
		if (*p == ',') {
			*p = '\0';
			f[n++] = p + 1;
		}
	}
	return n;
}

static int load_ref(const char *path)
{
	FILE *fp = fopen(path, "r");
	char line[4096], *f[MAXCOLS + 2];
	int n;

	if (!fp)
		return -1;
	ref = calloc(2 * MAXROWS, sizeof(*ref));
	if (!fgets(line, sizeof(line), fp))
		return -1;
	n = split(line, f, MAXCOLS + 2);
	ref_ncol = n - 2;
	for (int k = 0; k < ref_ncol; k++)
		snprintf(ref_col[k], sizeof(ref_col[k]), "%s", f[k + 2]);
	while (fgets(line, sizeof(line), fp) && ref_n < 2 * MAXROWS) {
		struct ref_row *r = &ref[ref_n++];
		if (split(line, f, MAXCOLS + 2) != ref_ncol + 2)
			return -1;
		snprintf(r->symbol, sizeof(r->symbol), "%s", f[0]);
		snprintf(r->date, sizeof(r->date), "%s", f[1]);
		for (int k = 0; k < ref_ncol; k++)
			r->v[k] = field(f[k + 2]);
	}
	fclose(fp);
	return 0;
}

/* SYMBOL's rows of sample.csv, adjusted as ttr-features.R adjusts them. */
static int load_bars(const char *path, const char *symbol, struct bars *b)
{
	FILE *fp = fopen(path, "r");
	char line[512], *f[9];

	if (!fp)
		return -1;
	b->n = 0;
	while (fgets(line, sizeof(line), fp)) {
		int y, m, d;
		if (split(line, f, 9) != 8 || strcmp(f[0], symbol) || b->n == MAXROWS)
			continue;
		double close = field(f[5]), adj = field(f[6]);
		double k = adj / close;
		struct sp_ind_bar *bar = &b->bar[b->n];

		bar->open = field(f[2]) * k;
		bar->high = field(f[3]) * k;
		bar->low = field(f[4]) * k;
		bar->close = close * k;
		bar->volume = field(f[7]) / k;
		if (sscanf(f[1], "%4d-%2d-%2d", &y, &m, &d) != 3)
			continue;
		bar->weekday = sp_day_weekday(sp_day_from_civil(y, m, d));
		snprintf(b->date[b->n], sizeof(b->date[0]), "%s", f[1]);
		b->n++;
	}
	fclose(fp);
	return 0;
}

static const struct {
	const char *token;
	int window;		/* the longest: warm-up skipped is ten times it */
} tokens[] = {
	{ "ret:5", 5 }, { "logret:1", 1 }, { "roc:10", 10 }, { "mom:10", 10 },
	{ "sma:20", 20 }, { "ema:20", 20 }, { "wma:10", 10 }, { "macd", 26 },
	{ "bb:20", 20 }, { "vol:20", 20 }, { "rsi:14", 14 }, { "lag:rsi:14:1", 15 },
	{ "stoch", 14 }, { "willr:14", 14 }, { "cci:20", 20 }, { "mfi:14", 14 },
	{ "adx:14", 28 }, { "tr", 1 }, { "atr:14", 14 }, { "obv", 1 },
	{ "vzscore:20", 20 }, { "gap", 1 }, { "hlrange", 1 }, { "dhigh:20", 20 },
	{ "dlow:20", 20 }, { "dow", 1 },
};

#define NTOK (int)(sizeof(tokens) / sizeof(tokens[0]))

static int find_col(const char *name)
{
	for (int k = 0; k < ref_ncol; k++)
		if (!strcmp(ref_col[k], name))
			return k;
	return -1;
}

static const struct ref_row *find_row(const char *symbol, const char *date)
{
	/* rows are in file order: symbol, then date */
	for (int i = 0; i < ref_n; i++)
		if (!strcmp(ref[i].symbol, symbol) && !strcmp(ref[i].date, date))
			return &ref[i];
	return NULL;
}

static int covered[MAXCOLS];

static void compare_symbol(const char *symbol, struct bars *b)
{
	static double out[MAXROWS][MAXO];
	static const struct ref_row *row[MAXROWS];

	for (int i = 0; i < b->n; i++)
		row[i] = find_row(symbol, b->date[i]);
	for (int t = 0; t < NTOK; t++) {
		char err[256];
		struct sp_ind *ind = sp_ind_new(tokens[t].token, err, sizeof(err));
		void *st;
		int skip = 10 * tokens[t].window;

		if (!ind) {
			ok(0, "%s: %s", tokens[t].token, err);
			continue;
		}
		st = malloc(sp_ind_state_size(ind));
		sp_ind_state_init(ind, st);
		for (int i = 0; i < b->n; i++)
			sp_ind_update(ind, st, &b->bar[i], out[i]);

		for (int k = 0; k < sp_ind_outputs(ind); k++) {
			const char *name = sp_ind_output_name(ind, k);
			int col = find_col(name), rows = 0, bad = 0;
			double mag = 0, worst = 0;
			int nmag = 0;

			if (col < 0) {
				ok(0, "%s %s: a reference column", symbol, name);
				continue;
			}
			covered[col] = 1;
			for (int i = skip; i < b->n; i++)
				if (row[i] && !isnan(row[i]->v[col]))
					mag += fabs(row[i]->v[col]), nmag++;
			mag = nmag ? mag / nmag : 0;

			for (int i = skip; i < b->n; i++) {
				double want, got, scale, rel;

				if (!row[i] || isnan(row[i]->v[col]))
					continue;
				want = row[i]->v[col];
				got = out[i][k];
				scale = fmax(fabs(want), 1e-3 * mag);
				rel = isnan(got) ? INFINITY : fabs(got - want) / (scale > 0 ? scale : 1);
				if (rel > worst)
					worst = rel;
				if (rel > 1e-6 && bad++ < 3)
					printf("#   %s %s %s: got %.15g, TTR %.15g\n", symbol, b->date[i],
					       name, got, want);
				rows++;
			}
			ok(rows > 100 && !bad, "%s %s agrees with TTR on %d rows, warm-up %d skipped "
			   "(worst %.1e)", symbol, name, rows, skip, worst);
		}
		free(st);
		sp_ind_free(ind);
	}
}

int main(void)
{
	static struct bars b;
	static const char *symbols[] = { "AAPL", "MSFT" };

	if (load_ref("tests/data/features/ttr-reference.csv")) {
		ok(0, "read tests/data/features/ttr-reference.csv (run from the repo root)");
		return tap_done();
	}
	for (int s = 0; s < 2; s++) {
		if (load_bars("tests/data/bars/sample.csv", symbols[s], &b) || b.n < 1000) {
			ok(0, "read %s from tests/data/bars/sample.csv", symbols[s]);
			continue;
		}
		compare_symbol(symbols[s], &b);
	}
	for (int k = 0; k < ref_ncol; k++)
		ok(covered[k], "reference column %s compared", ref_col[k]);
	free(ref);
	return tap_done();
}
