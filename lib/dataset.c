/*
 * dataset.c - read features files into memory for sp-train.
 *
 * Rows are read in input order into growable arrays, the momentum baseline
 * is computed per symbol, rows that cannot be used are counted and dropped,
 * and the rest is sorted by date so that walk-forward folds are ranges.
 */
#include "dataset.h"

#include "date.h"
#include "mem.h"
#include "record.h"
#include "usage.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "banned.h"

/* Columns that are keys or price levels, never features unless named. */
static const char *const not_features[] = {
	"symbol", "date", "close", "open", "high", "low", "adj_close", "volume",
};

struct col {
	int in;			/* reader column, -1 if absent */
	int text;		/* auto feature that turned out not numeric */
};

struct load {
	struct sp_dataset *ds;
	const struct sp_dataset_options *o;
	struct col *cols;	/* one per candidate feature */
	size_t ncols;
	char **names;
	int auto_features;

	/* All rows as read, before filtering. */
	size_t n, cap_x, cap_row;
	double *x, *y, *close, *given_mom;
	int64_t *when;
	uint32_t *sym;
	long *line;

	/* symbol interning: open addressing over syms */
	char **syms;
	size_t nsyms, cap_syms;
	uint32_t *table;
	size_t table_size;
	int intraday_seen, daily_seen;
};

int sp_target_horizon(const char *name, int *logret)
{
	const char *p;
	char *end;
	long h;

	if (!strncmp(name, "y_ret_", 6)) {
		p = name + 6;
		*logret = 0;
	} else if (!strncmp(name, "y_logret_", 9)) {
		p = name + 9;
		*logret = 1;
	} else {
		return 0;
	}
	if (*p < '1' || *p > '9')
		return 0;
	h = strtol(p, &end, 10);
	return *end || h > 10000 ? 0 : (int)h;
}

void sp_dataset_init(struct sp_dataset *ds)
{
	memset(ds, 0, sizeof(*ds));
}

static void free_strings(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void sp_dataset_release(struct sp_dataset *ds)
{
	free_strings(ds->feat, ds->nfeat);
	free_strings(ds->syms, ds->nsyms);
	free_strings(ds->ignored, ds->nignored);
	free(ds->target);
	free(ds->x);
	free(ds->y);
	free(ds->close);
	free(ds->mom);
	free(ds->when);
	free(ds->sym);
	free(ds->date);
	free(ds->date_start);
	sp_dataset_init(ds);
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h;
}

/* ---- symbols ---------------------------------------------------------------- */

static int sym_rehash(struct load *l)
{
	size_t size = l->table_size ? l->table_size * 2 : 256;
	uint32_t *t = calloc(size, sizeof(*t));

	if (!t)
		return sp_error("out of memory");
	for (size_t i = 0; i < l->nsyms; i++) {
		size_t h = fnv(0xcbf29ce484222325ULL, l->syms[i], strlen(l->syms[i])) & (size - 1);
		while (t[h])
			h = (h + 1) & (size - 1);
		t[h] = (uint32_t)i + 1;
	}
	free(l->table);
	l->table = t;
	l->table_size = size;
	return 0;
}

static long sym_id(struct load *l, const char *s, size_t len)
{
	size_t h;

	if (2 * (l->nsyms + 1) > l->table_size && sym_rehash(l) < 0)
		return -1;
	h = fnv(0xcbf29ce484222325ULL, s, len) & (l->table_size - 1);
	for (; l->table[h]; h = (h + 1) & (l->table_size - 1)) {
		const char *t = l->syms[l->table[h] - 1];
		if (!strncmp(t, s, len) && !t[len])
			return l->table[h] - 1;
	}
	if (sp_grow((void **)&l->syms, &l->cap_syms, l->nsyms + 1, sizeof(*l->syms)) < 0 ||
	    !(l->syms[l->nsyms] = strndup(s, len)))
		return sp_error("out of memory");
	l->table[h] = (uint32_t)l->nsyms + 1;
	return (long)l->nsyms++;
}

/* ---- columns ---------------------------------------------------------------- */

static int is_candidate(const struct load *l, const char *name)
{
	for (size_t i = 0; i < sizeof(not_features) / sizeof(*not_features); i++)
		if (!strcmp(name, not_features[i]))
			return 0;
	if (!strncmp(name, "y_", 2))
		return 0;
	for (size_t i = 0; i < l->o->nexclude; i++)
		if (!strcmp(name, l->o->exclude[i]))
			return 0;
	return 1;
}

static int choose_columns(struct load *l, struct sp_reader *r)
{
	size_t n = l->o->features ? l->o->nfeatures : sp_reader_ncols(r);

	l->names = calloc(n ? n : 1, sizeof(*l->names));
	l->cols = calloc(n ? n : 1, sizeof(*l->cols));
	if (!l->names || !l->cols)
		return sp_error("out of memory");
	l->auto_features = !l->o->features;
	for (size_t i = 0; i < n; i++) {
		const char *name = l->o->features ? l->o->features[i] : sp_reader_colname(r, i);
		if (!l->o->features && !is_candidate(l, name))
			continue;
		if (!(l->names[l->ncols++] = strdup(name)))
			return sp_error("out of memory");
	}
	if (!l->ncols)
		return sp_error_at(sp_reader_name(r), 1, "no feature columns");
	return 0;
}

static int choose_target(struct load *l, struct sp_reader *r)
{
	struct sp_dataset *ds = l->ds;
	const char *found = NULL;

	if (l->o->target) {
		found = l->o->target;
	} else {
		for (size_t i = 0; i < sp_reader_ncols(r); i++) {
			const char *name = sp_reader_colname(r, i);
			int lr;
			if (!sp_target_horizon(name, &lr))
				continue;
			if (found)
				return sp_error_at(sp_reader_name(r), 1,
						   "several targets (%s, %s): choose one with --target",
						   found, name);
			found = name;
		}
		if (!found)
			return sp_error_at(sp_reader_name(r), 1,
					   "no target column (y_ret_N or y_logret_N): run "
					   "sp-features with --target N");
	}
	if (!(ds->horizon = sp_target_horizon(found, &ds->logret)))
		return sp_error("target '%s': not y_ret_N or y_logret_N", found);
	if (!(ds->target = strdup(found)))
		return sp_error("out of memory");
	return 0;
}

/* ---- rows ------------------------------------------------------------------- */

static int grow_rows(struct load *l)
{
	size_t need = l->n + 1;

	if (need <= l->cap_row)
		return 0;
	size_t cap = l->cap_row ? l->cap_row * 2 : 4096;
	void *p;
#define GROW(field) \
	if (!(p = realloc(l->field, cap * sizeof(*l->field)))) \
		return sp_error("out of memory"); \
	l->field = p;
	GROW(y) GROW(close) GROW(given_mom) GROW(when) GROW(sym) GROW(line)
#undef GROW
	l->cap_row = cap;
	if (!(p = realloc(l->x, cap * (l->ncols ? l->ncols : 1) * sizeof(double))))
		return sp_error("out of memory");
	l->x = p;
	return 0;
}

static double number(struct load *l, const struct sp_reader *r, int col, const char *name,
		     struct col *c, int *bad)
{
	double v;
	int got = sp_reader_number(r, col, &v);

	if (got > 0)
		return v;
	if (got < 0) {
		if (c && l->auto_features) {
			c->text = 1;	/* a text column: not a feature */
		} else {
			struct sp_field f = sp_reader_field(r, (size_t)col);
			sp_error_at(sp_reader_name(r), sp_reader_line(r),
				    "%s: '%.40s' is not a number", name, f.s);
			*bad = 1;
		}
	}
	return NAN;
}

static int read_row(struct load *l, struct sp_reader *r, int csym, int cdate, int cclose,
		    int ctarget, int cmom)
{
	struct sp_field f;
	struct sp_when w;
	const char *why;
	long id;
	int bad = 0;

	if (sp_reader_bad(r))
		return sp_error_at(sp_reader_name(r), sp_reader_line(r), "%s", sp_reader_bad(r));
	if (grow_rows(l) < 0)
		return -1;
	f = sp_reader_field(r, (size_t)csym);
	if (f.type == SP_FIELD_MISSING || !f.len)
		return sp_error_at(sp_reader_name(r), sp_reader_line(r), "symbol is empty");
	if ((id = sym_id(l, f.s, f.len)) < 0)
		return -1;
	f = sp_reader_field(r, (size_t)cdate);
	if ((why = sp_when_parse(f.s, f.len, &w)))
		return sp_error_at(sp_reader_name(r), sp_reader_line(r), "date: %s: '%.40s'", why,
				   f.s);
	if (w.intraday)
		l->intraday_seen = 1;
	else
		l->daily_seen = 1;
	if (l->intraday_seen && l->daily_seen)
		return sp_error_at(sp_reader_name(r), sp_reader_line(r),
				   "daily and intraday dates mixed");
	l->sym[l->n] = (uint32_t)id;
	l->when[l->n] = w.t;
	l->line[l->n] = sp_reader_line(r);
	l->close[l->n] = number(l, r, cclose, "close", NULL, &bad);
	l->y[l->n] = number(l, r, ctarget, l->ds->target, NULL, &bad);
	l->given_mom[l->n] = cmom >= 0 ? number(l, r, cmom, "momentum", NULL, &bad) : NAN;
	for (size_t c = 0; c < l->ncols; c++)
		l->x[l->n * l->ncols + c] =
			number(l, r, l->cols[c].in, l->names[c], &l->cols[c], &bad);
	if (bad)
		return -1;
	l->n++;
	return 0;
}

static int want(struct sp_reader *r, const char *name, int required)
{
	int c = sp_reader_find(r, name);

	if (c < 0 && required)
		return sp_error_at(sp_reader_name(r), 1, "no '%s' column", name), -2;
	return c;
}

static int read_file(struct load *l, const char *path, int first)
{
	struct sp_reader *r = sp_reader_open(path);
	int csym = -1, cdate = -1, cclose = -1, ctarget = -1, cmom = -1, got, bound = 0;
	char mom[32];

	if (!r)
		return -1;
	while ((got = sp_reader_next(r)) > 0) {
		if (!bound) {
			bound = 1;
			if (first && (choose_target(l, r) < 0 || choose_columns(l, r) < 0))
				goto fail;
			if ((csym = want(r, "symbol", 1)) < -1 || (cdate = want(r, "date", 1)) < -1 ||
			    (cclose = want(r, "close", 1)) < -1 ||
			    (ctarget = want(r, l->ds->target, 1)) < -1)
				goto fail;
			snprintf(mom, sizeof(mom), "ret_%d", l->ds->horizon);
			cmom = sp_reader_find(r, mom);
			for (size_t c = 0; c < l->ncols; c++)
				if ((l->cols[c].in = want(r, l->names[c], 1)) < -1)
					goto fail;
		}
		if (read_row(l, r, csym, cdate, cclose, ctarget, cmom) < 0)
			goto fail;
	}
	if (got < 0)
		goto fail;
	if (!bound && first) {
		sp_error_at(sp_reader_name(r), 0, "no rows");
		goto fail;
	}
	sp_reader_close(r);
	return 0;
fail:
	sp_reader_close(r);
	return -1;
}

/* ---- ordering --------------------------------------------------------------- */

static const struct load *sort_l;
static const uint32_t *sort_rank;

static int by_symbol_date(const void *a, const void *b)
{
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	uint32_t si = sort_rank[sort_l->sym[i]], sj = sort_rank[sort_l->sym[j]];

	if (si != sj)
		return si < sj ? -1 : 1;
	if (sort_l->when[i] != sort_l->when[j])
		return sort_l->when[i] < sort_l->when[j] ? -1 : 1;
	return (i > j) - (i < j);
}

static int by_date_symbol(const void *a, const void *b)
{
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	uint32_t si = sort_rank[sort_l->sym[i]], sj = sort_rank[sort_l->sym[j]];

	if (sort_l->when[i] != sort_l->when[j])
		return sort_l->when[i] < sort_l->when[j] ? -1 : 1;
	if (si != sj)
		return si < sj ? -1 : 1;
	return (i > j) - (i < j);
}

static const char *const *rank_names;

static int by_name(const void *a, const void *b)
{
	return strcmp(rank_names[*(const uint32_t *)a], rank_names[*(const uint32_t *)b]);
}

size_t sp_dataset_date(const struct sp_dataset *ds, size_t i, char buf[32])
{
	struct sp_when w = { ds->when[i], ds->intraday };

	return sp_when_format(&w, buf);
}

/*
 * Momentum for every row: the given ret_H column, or close over close H
 * rows back of the same symbol (traded prices: a split inside the window
 * spoils it, which is why ret_H is preferred).  Checks duplicates on the way.
 */
static int momentum(struct load *l, const size_t *ord, const char *name)
{
	int h = l->ds->horizon;

	for (size_t k = 0; k < l->n; k++) {
		size_t i = ord[k], back = k >= (size_t)h ? ord[k - h] : 0;
		if (k && l->sym[ord[k - 1]] == l->sym[i] && l->when[ord[k - 1]] == l->when[i]) {
			struct sp_when w = { l->when[i], l->intraday_seen };
			char d[32];
			sp_when_format(&w, d);
			return sp_error_at(name, l->line[i], "%s %s appears twice (also line %ld)",
					   l->syms[l->sym[i]], d, l->line[ord[k - 1]]);
		}
		if (!isnan(l->given_mom[i]))
			continue;
		if (k >= (size_t)h && l->sym[back] == l->sym[i])
			l->given_mom[i] = l->close[i] / l->close[back] - 1;
	}
	return 0;
}

static int finish(struct load *l, const char *name)
{
	struct sp_dataset *ds = l->ds;
	size_t *ord = NULL, keep = 0, nf = 0, *fmap = NULL;
	uint32_t *rank = NULL, *byname = NULL;
	uint64_t fp = 0xcbf29ce484222325ULL;
	int rc = -1;

	/* Drop auto feature columns that held text. */
	if (!(fmap = malloc((l->ncols + 1) * sizeof(*fmap))) ||
	    !(ds->feat = calloc(l->ncols + 1, sizeof(*ds->feat))) ||
	    !(ds->ignored = calloc(l->ncols + 1, sizeof(*ds->ignored))))
		goto oom;
	/* An automatic feature with no value at all (sp-clean's flags column
	 * when nothing was flagged) is no feature: it would drop every row. */
	for (size_t c = 0; c < l->ncols; c++) {
		size_t i;
		for (i = 0; i < l->n && isnan(l->x[i * l->ncols + c]); i++)
			;
		if (l->auto_features && i == l->n)
			l->cols[c].text = 1;
	}
	for (size_t c = 0; c < l->ncols; c++) {
		if (l->cols[c].text) {
			ds->ignored[ds->nignored++] = l->names[c];
		} else {
			fmap[nf] = c;
			ds->feat[nf++] = l->names[c];
		}
		l->names[c] = NULL;
	}
	ds->nfeat = nf;
	if (!nf) {
		sp_error_at(name, 0, "no numeric feature columns");
		goto out;
	}

	/* Symbols in name order, so that output does not depend on input order. */
	if (!(rank = malloc((l->nsyms + 1) * sizeof(*rank))) ||
	    !(byname = malloc((l->nsyms + 1) * sizeof(*byname))) ||
	    !(ord = malloc((l->n + 1) * sizeof(*ord))))
		goto oom;
	for (uint32_t s = 0; s < l->nsyms; s++)
		byname[s] = s;
	rank_names = (const char *const *)l->syms;
	qsort(byname, l->nsyms, sizeof(*byname), by_name);
	for (uint32_t s = 0; s < l->nsyms; s++)
		rank[byname[s]] = s;
	sort_l = l;
	sort_rank = rank;
	for (size_t i = 0; i < l->n; i++)
		ord[i] = i;
	qsort(ord, l->n, sizeof(*ord), by_symbol_date);
	if (momentum(l, ord, name) < 0)
		goto out;

	/* Keep the usable rows, in date order. */
	qsort(ord, l->n, sizeof(*ord), by_date_symbol);
	for (size_t k = 0; k < l->n; k++) {
		size_t i = ord[k];
		int complete = 1;
		if (!isfinite(l->y[i])) {
			ds->rows_no_target++;
			continue;
		}
		for (size_t c = 0; c < nf; c++)
			complete &= !isnan(l->x[i * l->ncols + fmap[c]]);
		if (!complete) {
			ds->rows_missing++;
			if (!l->o->keep_missing)
				continue;
		}
		ord[keep++] = i;
	}
	ds->rows_read = l->n;
	if (!keep) {
		sp_error_at(name, 0, "no rows with a target and every feature (%zu read)", l->n);
		goto out;
	}
	ds->n = keep;
	if (!(ds->x = malloc(keep * nf * sizeof(double))) ||
	    !(ds->y = malloc(keep * sizeof(double))) ||
	    !(ds->close = malloc(keep * sizeof(double))) ||
	    !(ds->mom = malloc(keep * sizeof(double))) ||
	    !(ds->when = malloc(keep * sizeof(int64_t))) ||
	    !(ds->sym = malloc(keep * sizeof(uint32_t))) ||
	    !(ds->date = malloc(keep * sizeof(int32_t))) ||
	    !(ds->date_start = malloc((keep + 1) * sizeof(size_t))))
		goto oom;
	for (size_t k = 0; k < keep; k++) {
		size_t i = ord[k];
		for (size_t c = 0; c < nf; c++)
			ds->x[k * nf + c] = l->x[i * l->ncols + fmap[c]];
		ds->y[k] = l->y[i];
		ds->close[k] = l->close[i];
		ds->mom[k] = l->given_mom[i];
		ds->when[k] = l->when[i];
		ds->sym[k] = rank[l->sym[i]];
		if (!k || ds->when[k] != ds->when[k - 1])
			ds->date_start[ds->ndates++] = k;
		ds->date[k] = (int32_t)(ds->ndates - 1);
		fp = fnv(fp, l->syms[l->sym[i]], strlen(l->syms[l->sym[i]]) + 1);
		fp = fnv(fp, &ds->when[k], sizeof(ds->when[k]));
		fp = fnv(fp, &ds->y[k], sizeof(double));
		fp = fnv(fp, &ds->x[k * nf], nf * sizeof(double));
	}
	ds->date_start[ds->ndates] = keep;
	ds->fingerprint = fp;
	ds->intraday = l->intraday_seen;
	if (!(ds->syms = calloc(l->nsyms + 1, sizeof(*ds->syms))))
		goto oom;
	for (uint32_t s = 0; s < l->nsyms; s++) {
		ds->syms[rank[s]] = l->syms[s];
		l->syms[s] = NULL;
	}
	ds->nsyms = l->nsyms;
	rc = 0;
	goto out;
oom:
	sp_error("out of memory");
out:
	free(ord);
	free(rank);
	free(byname);
	free(fmap);
	return rc;
}

int sp_dataset_subset(const struct sp_dataset *src, uint32_t sym, struct sp_dataset *dst,
		      size_t *rows)
{
	size_t n = 0, p = src->nfeat;

	sp_dataset_init(dst);
	for (size_t i = 0; i < src->n; i++)
		if (src->sym[i] == sym)
			rows[n++] = i;
	dst->nfeat = p;
	dst->horizon = src->horizon;
	dst->logret = src->logret;
	dst->intraday = src->intraday;
	dst->rows_read = n;
	dst->fingerprint = src->fingerprint;
	if (!(dst->feat = calloc(p + 1, sizeof(char *))) || !(dst->target = strdup(src->target)) ||
	    !(dst->syms = calloc(1, sizeof(char *))) ||
	    !(dst->syms[0] = strdup(src->syms[sym])) || !(dst->x = malloc((n * p + 1) * sizeof(double))) ||
	    !(dst->y = malloc((n + 1) * sizeof(double))) ||
	    !(dst->close = malloc((n + 1) * sizeof(double))) ||
	    !(dst->mom = malloc((n + 1) * sizeof(double))) ||
	    !(dst->when = malloc((n + 1) * sizeof(int64_t))) ||
	    !(dst->sym = calloc(n + 1, sizeof(uint32_t))) ||
	    !(dst->date = malloc((n + 1) * sizeof(int32_t))) ||
	    !(dst->date_start = malloc((n + 2) * sizeof(size_t))))
		goto oom;
	dst->nsyms = 1;
	for (size_t c = 0; c < p; c++)
		if (!(dst->feat[c] = strdup(src->feat[c])))
			goto oom;
	for (size_t k = 0; k < n; k++) {
		size_t i = rows[k];
		memcpy(dst->x + k * p, src->x + i * p, p * sizeof(double));
		dst->y[k] = src->y[i];
		dst->close[k] = src->close[i];
		dst->mom[k] = src->mom[i];
		dst->when[k] = src->when[i];
		dst->date_start[k] = k;	/* one row per date */
		dst->date[k] = (int32_t)k;
	}
	dst->n = dst->ndates = n;
	dst->date_start[n] = n;
	return 0;
oom:
	sp_dataset_release(dst);
	return sp_error("out of memory");
}

int sp_dataset_read(struct sp_dataset *ds, const char *const *paths, size_t npaths,
		    const struct sp_dataset_options *o)
{
	static const char *const stdin_only[] = { "-" };
	struct load l = { .ds = ds, .o = o };
	int rc = 0;

	sp_dataset_init(ds);
	if (!npaths) {
		paths = stdin_only;
		npaths = 1;
	}
	for (size_t i = 0; i < npaths && !rc; i++)
		rc = read_file(&l, paths[i], i == 0);
	if (!rc)
		rc = finish(&l, npaths == 1 && strcmp(paths[0], "-") ? paths[0] : "-");
	free_strings(l.names, l.ncols);
	free_strings(l.syms, l.nsyms);
	free(l.cols);
	free(l.x);
	free(l.y);
	free(l.close);
	free(l.given_mom);
	free(l.when);
	free(l.sym);
	free(l.line);
	free(l.table);
	if (rc)
		sp_dataset_release(ds);
	return rc;
}
