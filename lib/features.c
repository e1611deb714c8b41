/*
 * features.c - sp-features: bars in, indicators and targets out.
 *
 * Every row read gives one row written, in input order, in batch and stream
 * mode alike: both run each bar through the same per-symbol indicator state
 * (lib/ind.h), kept in a hash table keyed by symbol.  A bar that repeats its
 * symbol's last date is a revision: the state is restored from the copy
 * taken before the last bar, then the new bar is applied.  Batch mode
 * checks that the input is sorted by symbol and date, frees a symbol's
 * state when the symbol ends, and can add targets, which look N rows
 * ahead: rows then wait in a queue until their future has arrived.
 *
 * Input columns that are not bar columns (sp-clean's flags, a user's
 * sector) pass through, unchanged and in input order, between close and
 * the features.  The output's columns are set by the first input (an
 * NDJSON input's first good record); a queued row keeps a copy of its
 * pass-through fields.
 */
#include "features-job.h"
#include "bar.h"
#include "date.h"
#include "ind.h"
#include "mem.h"
#include "num.h"
#include "output.h"
#include "usage.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rowpipe.h"
#include <time.h>
#include "banned.h"

/*
 * About 30 scale-free columns: nothing in price or volume units, so that a
 * model can pool symbols.  Returns at several horizons and their recent
 * lags, oscillators with fixed ranges, trend strength, volatility, volume
 * surprise, the bar's shape and where the close sits in its 20- and
 * 252-day range.
 */
const char sp_features_default_spec[] =
	"ret:1,ret:5,ret:10,ret:20,ret:60,logret:1,lag:ret:1:1,lag:ret:1:2,"
	"rsi:14,lag:rsi:14:1,stoch:14:3,willr:14,cci:20,mfi:14,adx:14,"
	"vol:5,vol:20,vol:60,vzscore:20,gap,hlrange,lag:hlrange:1,"
	"dhigh:20,dlow:20,dhigh:252,dlow:252,dow";

#define MAX_TOKEN 1024

void sp_features_options_init(struct sp_features_options *o)
{
	memset(o, 0, sizeof(*o));
	o->format = SP_FORMAT_AUTO;
	o->target_kind = SP_TARGET_RET;
}

int sp_target_kind_parse(const char *name)
{
	if (!strcmp(name, "ret"))
		return SP_TARGET_RET;
	if (!strcmp(name, "logret"))
		return SP_TARGET_LOGRET;
	if (!strcmp(name, "dir"))
		return SP_TARGET_DIR;
	return -1;
}

/* ---- the feature set ---------------------------------------------------- */

struct featset {
	struct sp_ind **ind;
	char **token;		/* as given, for messages */
	size_t *off;		/* of each indicator's state in the blob */
	size_t nind, capind;
	size_t nout;		/* value columns, all indicators */
	size_t state_size;	/* bytes, a multiple of 16 */
	const char **names;	/* nout column names (the indicators own them) */
};

static void featset_free(struct featset *fs)
{
	for (size_t i = 0; i < fs->nind; i++) {
		sp_ind_free(fs->ind[i]);
		free(fs->token[i]);
	}
	free(fs->ind);
	free(fs->token);
	free(fs->off);
	free(fs->names);
	memset(fs, 0, sizeof(*fs));
}

/* Add one token; FILE/LINE say where it came from (LINE 0: --spec). */
static int featset_add(struct featset *fs, const char *tok, size_t len, const char *file,
		       long line)
{
	char buf[MAX_TOKEN], err[256];
	struct sp_ind *ind;

	if (len >= sizeof(buf))
		return sp_error_at(file, line, "'%.40s...': token longer than %d characters",
				   tok, MAX_TOKEN - 1);
	memcpy(buf, tok, len);
	buf[len] = '\0';
	ind = sp_ind_new(buf, err, sizeof(err));
	if (!ind)
		return sp_error_at(file, line, "bad token '%s': %s", buf, err);
	/* A column twice would be ambiguous for every reader of the output. */
	for (int k = 0; k < sp_ind_outputs(ind); k++)
		for (size_t i = 0; i < fs->nind; i++)
			for (int m = 0; m < sp_ind_outputs(fs->ind[i]); m++)
				if (!strcmp(sp_ind_output_name(ind, k),
					    sp_ind_output_name(fs->ind[i], m))) {
					sp_error_at(file, line,
						    "bad token '%s': column %s already comes from '%s'",
						    buf, sp_ind_output_name(ind, k), fs->token[i]);
					sp_ind_free(ind);
					return -1;
				}
	if (fs->nind == fs->capind) {
		size_t cap = fs->capind ? fs->capind * 2 : 16;
		struct sp_ind **ni = realloc(fs->ind, cap * sizeof(*ni));
		char **nt = ni ? realloc(fs->token, cap * sizeof(*nt)) : NULL;
		size_t *no = nt ? realloc(fs->off, cap * sizeof(*no)) : NULL;
		if (ni)
			fs->ind = ni;
		if (nt)
			fs->token = nt;
		if (!no) {
			sp_ind_free(ind);
			return sp_error("out of memory");
		}
		fs->off = no;
		fs->capind = cap;
	}
	if (!(fs->token[fs->nind] = strdup(buf))) {
		sp_ind_free(ind);
		return sp_error("out of memory");
	}
	fs->ind[fs->nind] = ind;
	fs->off[fs->nind] = fs->state_size;
	fs->state_size += (sp_ind_state_size(ind) + 15) & ~(size_t)15;
	fs->nout += (size_t)sp_ind_outputs(ind);
	fs->nind++;
	return 0;
}

/* Tokens of TEXT separated by commas (and newlines), spaces trimmed. */
static int featset_parse(struct featset *fs, const char *text, const char *file, long line)
{
	const char *p = text;

	while (*p) {
		const char *e = p + strcspn(p, ",\n");
		const char *a = p, *b = e;
		while (a < b && isspace((unsigned char)*a))
			a++;
		while (b > a && isspace((unsigned char)b[-1]))
			b--;
		if (b > a && featset_add(fs, a, (size_t)(b - a), file, line) < 0)
			return -1;
		p = *e ? e + 1 : e;
	}
	return 0;
}

static int featset_read_file(struct featset *fs, const char *path)
{
	FILE *f = fopen(path, "r");
	char *lineb = NULL;
	size_t cap = 0;
	ssize_t n;
	long line = 0;
	int r = 0;

	if (!f) {
		sp_error("%s: %s", path, strerror(errno));
		return -2;
	}
	while ((n = getline(&lineb, &cap, f)) >= 0) {
		char *hash = strchr(lineb, '#');
		line++;
		if (hash)
			*hash = '\0';
		if ((r = featset_parse(fs, lineb, path, line)) < 0)
			break;
	}
	if (!r && ferror(f)) {
		sp_error("%s: %s", path, strerror(errno));
		r = -2;
	}
	free(lineb);
	fclose(f);
	return r;
}

static int featset_finish(struct featset *fs)
{
	size_t c = 0;

	if (!fs->nind)
		return sp_error("the spec names no feature (see --list)");
	if (!(fs->names = malloc(fs->nout * sizeof(*fs->names))))
		return sp_error("out of memory");
	for (size_t i = 0; i < fs->nind; i++)
		for (int k = 0; k < sp_ind_outputs(fs->ind[i]); k++)
			fs->names[c++] = sp_ind_output_name(fs->ind[i], k);
	if (fs->state_size == 0)
		fs->state_size = 16;
	return 0;
}

/* ---- --list -------------------------------------------------------------- */

/* Print TEXT wrapped at 78 columns, continuation lines indented by INDENT. */
static void wrap(FILE *f, const char *text, int indent)
{
	int col = 0, fresh = 1;	/* fresh: nothing on this line yet */
	const char *p = text;

	while (*p) {
		size_t w = strcspn(p, " ");
		if (!fresh && col + 1 + (int)w > 78) {
			fprintf(f, "\n%*s", indent, "");
			col = indent;
			fresh = 1;
		}
		if (!fresh) {
			fputc(' ', f);
			col++;
		}
		fprintf(f, "%.*s", (int)w, p);
		col += (int)w;
		fresh = 0;
		p += w;
		while (*p == ' ')
			p++;
	}
	fputc('\n', f);
}

int sp_features_list(FILE *f)
{
	struct featset fs = { 0 };

	fputs("Features: each spec token, the columns it gives, its definition (TA-Lib's).\n"
	      "Prices are adjusted by adj_close/close unless --raw; empty = warm-up.\n\n", f);
	for (int i = 0; sp_ind_describe(i); i++) {
		wrap(f, sp_ind_describe(i), 4);
		fputc('\n', f);
	}
	wrap(f, "Targets (--target N, --target-kind): y_ret_N = close[N rows ahead] / "
	     "close - 1, y_logret_N = ln(close[N rows ahead] / close), y_dir_N = 1 if "
	     "y_ret_N > 0 else 0; on adj_close where the row has one, close otherwise; "
	     "empty where the future is not in the input.", 4);
	fputc('\n', f);
	if (featset_parse(&fs, sp_features_default_spec, NULL, 0) < 0 ||
	    featset_finish(&fs) < 0) {
		featset_free(&fs);
		return -1;
	}
	fprintf(f, "Default set, used without --spec or --spec-file (%zu columns):\n", fs.nout);
	fprintf(f, "  --spec '%s'\n", sp_features_default_spec);
	fputs("Columns:\n", f);
	for (size_t c = 0; c < fs.nout; c++)
		fprintf(f, "  %s\n", fs.names[c]);
	featset_free(&fs);
	return ferror(f) ? -1 : 0;
}

/* ---- the job -------------------------------------------------------------- */

struct sym {
	char symbol[SP_SYMBOL_MAX];
	struct sp_when last;
	int have;		/* a bar seen: last is valid */
	int done;		/* batch: the symbol has ended, its state freed */
	unsigned char *state;	/* 2 * state_size: now, and before the last bar */
};

/* A row waiting for its future (batch mode with a target). */
struct pend {
	struct sp_when when;
	double close;		/* traded, for the output */
	double base;		/* adjusted close, for the target */
	int superseded;		/* a revision replaced it */
	size_t xoff;		/* its pass-through text in the job's xb */
};

/* A pass-through field of a queued row: its text at pend.xoff + off. */
struct xval {
	size_t off, len;
	enum sp_field_type type;
};

/* How one input's columns map to the pass-through columns. */
enum { PASS_NONE = -1, PASS_LATER = -2 };

struct passmap {
	int *map;		/* per input column: extra, PASS_NONE, or PASS_LATER */
	size_t nmap;		/* input columns mapped */
	size_t later;		/* columns no record has shown yet (NDJSON) */
	int *xcol;		/* per extra: its input column, or -1 */
	size_t nx;		/* extras in xcol */
};

struct job {
	const struct sp_features_options *o;
	struct featset fs;
	struct sp_writer *out;
	enum sp_format fmt;
	char target_name[32];

	struct sym *syms;
	size_t nsyms, capsyms;
	size_t *hash, hashcap;
	size_t cur;		/* batch: index + 1 of the current symbol, 0 none */

	struct pend *pq;	/* queue of rows of the current symbol */
	double *pv;		/* their values, nout each */
	size_t qhead, qlen, qcap;

	double *vals;		/* scratch, nout */
	char **extras;		/* pass-through column names, in output order */
	size_t nextras, capextras;
	int header_done;	/* the output's columns are set */
	struct sp_field *xcur;	/* the row's pass-through fields, nextras */
	struct xval *px;	/* those of the queued rows, nextras each */
	char *xb;		/* their text */
	size_t xblen, xbcap;
	long long skipped;	/* stream: rows reported and skipped */
	int failed, stop;
	struct sp_rowpipe *pipe;	/* batch: the formatting thread */
	double *rowvals;	/* one row for the pipe: close, features, target */
	long long *lat;		/* --latency: histogram of per-bar times */
	long long lat_n, lat_max;
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 14695981039346656037ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;	/* FNV-1a */
	return h;
}

/* The symbol's index, created with fresh state if new; -1 out of memory. */
static long sym_get(struct job *j, const char *symbol, int *created)
{
	size_t i, mask;

	*created = 0;
	if (j->nsyms * 2 >= j->hashcap) {
		size_t cap = j->hashcap ? j->hashcap * 2 : 256;
		size_t *t = calloc(cap, sizeof(*t));
		if (!t)
			return sp_error("out of memory");
		for (size_t k = 0; k < j->nsyms; k++) {
			for (i = hash_str(j->syms[k].symbol) & (cap - 1); t[i]; i = (i + 1) & (cap - 1))
				;
			t[i] = k + 1;
		}
		free(j->hash);
		j->hash = t;
		j->hashcap = cap;
	}
	mask = j->hashcap - 1;
	for (i = hash_str(symbol) & mask; j->hash[i]; i = (i + 1) & mask)
		if (!strcmp(j->syms[j->hash[i] - 1].symbol, symbol))
			return (long)(j->hash[i] - 1);
	if (sp_grow((void **)&j->syms, &j->capsyms, j->nsyms + 1, sizeof(*j->syms)))
		return -1;
	struct sym *s = &j->syms[j->nsyms];
	memset(s, 0, sizeof(*s));
	memcpy(s->symbol, symbol, strlen(symbol) + 1);
	if (!(s->state = calloc(2, j->fs.state_size)))	/* no stray bytes in --state */
		return sp_error("out of memory");
	for (size_t k = 0; k < j->fs.nind; k++)
		sp_ind_state_init(j->fs.ind[k], s->state + j->fs.off[k]);
	j->hash[i] = ++j->nsyms;
	*created = 1;
	return (long)(j->nsyms - 1);
}

static int when_cmp(const struct sp_when *a, const struct sp_when *b)
{
	int64_t x = a->intraday ? a->t : a->t * 86400;
	int64_t y = b->intraday ? b->t : b->t * 86400;

	if (x != y)
		return x < y ? -1 : 1;
	return a->intraday - b->intraday;
}

static void note_write(struct job *j, int r)
{
	if (r < 0) {
		if (sp_writer_closed(j->out))
			j->stop = 1;
		else
			j->failed = 1;
	}
}

static void write_row(struct job *j, const char *symbol, const struct sp_when *when,
		      double close, const struct sp_field *x, const double *vals, double y)
{
	char date[32];

	if (j->pipe) {
		j->rowvals[0] = close;
		memcpy(j->rowvals + 1, vals, j->fs.nout * sizeof(*vals));
		if (j->o->target)
			j->rowvals[1 + j->fs.nout] = y;
		if (sp_rowpipe_push(j->pipe, symbol, when, j->rowvals, x) < 0)
			j->stop = 1;	/* finish_pipe() says whether it failed */
		return;
	}
	sp_writer_str(j->out, symbol, strlen(symbol));
	sp_writer_str(j->out, date, sp_when_format(when, date));
	sp_writer_num(j->out, close);
	for (size_t k = 0; k < j->nextras; k++)
		sp_writer_field(j->out, &x[k]);
	for (size_t c = 0; c < j->fs.nout; c++)
		sp_writer_num(j->out, vals[c]);
	if (j->o->target)
		sp_writer_num(j->out, y);
	note_write(j, sp_writer_end(j->out));
}

static double target_value(const struct job *j, double now, double later)
{
	double r;

	if (!isfinite(now) || !isfinite(later) || !(now > 0) || !(later > 0))
		return NAN;
	switch (j->o->target_kind) {
	case SP_TARGET_LOGRET:
		r = log(later / now);
		break;
	case SP_TARGET_DIR:
		return later / now - 1 > 0 ? 1 : 0;
	default:
		r = later / now - 1;
		break;
	}
	return r == 0 ? 0 : r;	/* never -0 */
}

/*
 * Write the queue's rows whose future is settled: the row N non-superseded
 * rows ahead exists and is itself followed by a newer bar (so that no
 * revision can change it).  FINAL: the symbol has ended, write them all.
 */
static void queue_drain(struct job *j, const char *symbol, int final)
{
	size_t n = (size_t)j->o->target;

	while (j->qhead < j->qlen && !j->stop) {
		const struct pend *h = &j->pq[j->qhead];
		size_t cnt = 0, nth = 0;
		double y = NAN;

		if (!h->superseded) {
			for (size_t i = j->qhead + 1; i < j->qlen && cnt <= n; i++)
				if (!j->pq[i].superseded && ++cnt == n)
					nth = i;
			if (cnt <= n && !final)
				break;
			if (cnt >= n)
				y = target_value(j, h->base, j->pq[nth].base);
		}
		for (size_t k = 0; k < j->nextras; k++) {
			const struct xval *v = &j->px[j->qhead * j->nextras + k];
			j->xcur[k] = (struct sp_field){
				v->type == SP_FIELD_MISSING ? "" : j->xb + h->xoff + v->off,
				v->len, v->type, 0 };
		}
		write_row(j, symbol, &h->when, h->close, j->xcur, j->pv + j->qhead * j->fs.nout, y);
		j->qhead++;
	}
	if (j->qhead == j->qlen)
		j->qhead = j->qlen = j->xblen = 0;
}

/* Copy the row's pass-through fields X into the queue's slot Q. */
static int queue_copy_extras(struct job *j, size_t q, const struct sp_field *x)
{
	struct pend *p = &j->pq[q];

	p->xoff = j->xblen;
	for (size_t k = 0; k < j->nextras; k++) {
		struct xval *v = &j->px[q * j->nextras + k];
		*v = (struct xval){ j->xblen - p->xoff, x[k].len, x[k].type };
		if (x[k].type == SP_FIELD_MISSING)
			continue;
		if (sp_grow((void **)&j->xb, &j->xbcap, j->xblen + x[k].len + 1, 1))
			return -1;
		memcpy(j->xb + j->xblen, x[k].s, x[k].len);
		j->xb[j->xblen + x[k].len] = '\0';	/* fields are NUL-terminated */
		j->xblen += x[k].len + 1;
	}
	return 0;
}

static int queue_push(struct job *j, const struct pend *p, int revision,
		      const struct sp_field *x)
{
	if (revision && j->qlen > j->qhead)
		j->pq[j->qlen - 1].superseded = 1;
	if (j->qlen == j->qcap && j->qhead > 0) {
		size_t live = j->qlen - j->qhead, base = j->pq[j->qhead].xoff;
		memmove(j->pq, j->pq + j->qhead, live * sizeof(*j->pq));
		memmove(j->pv, j->pv + j->qhead * j->fs.nout, live * j->fs.nout * sizeof(*j->pv));
		if (j->nextras) {
			/* The live rows' text is the end of xb, in queue order. */
			memmove(j->px, j->px + j->qhead * j->nextras,
				live * j->nextras * sizeof(*j->px));
		}
		if (base) {
			memmove(j->xb, j->xb + base, j->xblen - base);
			j->xblen -= base;
			for (size_t i = 0; i < live; i++)
				j->pq[i].xoff -= base;
		}
		j->qhead = 0;
		j->qlen = live;
	}
	if (j->qlen == j->qcap) {
		size_t cap = j->qcap ? j->qcap * 2 : 16;
		struct pend *q = realloc(j->pq, cap * sizeof(*q));
		if (!q)
			return sp_error("out of memory");
		j->pq = q;
		double *v = realloc(j->pv, cap * j->fs.nout * sizeof(*v));
		if (!v)
			return sp_error("out of memory");
		j->pv = v;
		if (j->nextras) {
			struct xval *xv = realloc(j->px, cap * j->nextras * sizeof(*xv));
			if (!xv)
				return sp_error("out of memory");
			j->px = xv;
		}
		j->qcap = cap;
	}
	j->pq[j->qlen] = *p;
	memcpy(j->pv + j->qlen * j->fs.nout, j->vals, j->fs.nout * sizeof(*j->vals));
	if (queue_copy_extras(j, j->qlen, x) < 0)
		return -1;
	j->qlen++;
	return 0;
}

/* Batch: the current symbol has ended; write what waits, free its state. */
static void symbol_end(struct job *j)
{
	struct sym *s;

	if (!j->cur)
		return;
	s = &j->syms[j->cur - 1];
	queue_drain(j, s->symbol, 1);
	if (!j->o->state) {	/* else it is saved at the end */
		free(s->state);
		s->state = NULL;
	}
	s->done = 1;
	j->cur = 0;
}

/* ---- pass-through columns ----------------------------------------------------- */

/* 1 if input column COL is a bar column sp-features consumes (flags is not). */
static int consumed(const struct sp_bar_cols *c, int col)
{
	return col == c->symbol || col == c->date || col == c->open || col == c->high ||
	       col == c->low || col == c->close || col == c->adj_close || col == c->volume;
}

/* 1 if NAME is a column sp-features computes. */
static int own_column(const struct job *j, const char *name)
{
	if (!strcmp(name, "symbol") || !strcmp(name, "date") || !strcmp(name, "close") ||
	    (j->o->target && !strcmp(name, j->target_name)))
		return 1;
	for (size_t c = 0; c < j->fs.nout; c++)
		if (!strcmp(name, j->fs.names[c]))
			return 1;
	return 0;
}

static int find_extra(const struct job *j, const char *name)
{
	for (size_t i = 0; i < j->nextras; i++)
		if (!strcmp(j->extras[i], name))
			return (int)i;
	return -1;
}

static int add_extra(struct job *j, const char *name)
{
	char *copy = strdup(name);

	if (!copy || sp_grow((void **)&j->extras, &j->capextras, j->nextras + 1,
			     sizeof(*j->extras))) {
		free(copy);
		return sp_error("out of memory");
	}
	j->extras[j->nextras] = copy;
	return (int)j->nextras++;
}

/* For each extra, the first of the input's columns that maps to it. */
static int pass_index(struct job *j, struct passmap *pm)
{
	if (pm->nx != j->nextras || !pm->xcol) {
		int *x = realloc(pm->xcol, (j->nextras ? j->nextras : 1) * sizeof(*x));
		if (!x)
			return sp_error("out of memory");
		pm->xcol = x;
		pm->nx = j->nextras;
	}
	for (size_t k = 0; k < pm->nx; k++)
		pm->xcol[k] = -1;
	for (size_t c = pm->nmap; c-- > 0;)
		if (pm->map[c] >= 0)
			pm->xcol[pm->map[c]] = (int)c;
	return 0;
}

/*
 * Map the columns R has shown since the last call to pass-through columns,
 * by name.  Until the output's columns are set a new name becomes one;
 * after, it is dropped with a warning, as sp-clean does.
 */
static int pass_remap(struct job *j, const struct sp_reader *r, const struct sp_bar_cols *bc,
		      struct passmap *pm)
{
	size_t n = sp_reader_ncols(r);
	int changed = pm->nx != j->nextras || !pm->xcol;

	if (n > pm->nmap) {
		int *m = realloc(pm->map, n * sizeof(*m));
		if (!m)
			return sp_error("out of memory");
		pm->map = m;
		for (size_t c = pm->nmap; c < n; c++) {
			m[c] = consumed(bc, (int)c) ? PASS_NONE : PASS_LATER;
			pm->later += m[c] == PASS_LATER;
		}
		pm->nmap = n;
	}
	for (size_t c = 0; c < n && pm->later; c++) {
		const char *name = sp_reader_colname(r, c);
		int k;
		if (pm->map[c] != PASS_LATER || !sp_reader_present(r, c))
			continue;
		pm->later--;
		changed = 1;
		pm->map[c] = PASS_NONE;
		if ((k = find_extra(j, name)) < 0 && own_column(j, name)) {
			sp_warn_at(sp_reader_name(r), sp_reader_line(r),
				   "column '%s' is one sp-features writes: the input's is dropped",
				   name);
			continue;
		}
		if (k < 0 && j->header_done) {
			sp_warn_at(sp_reader_name(r), sp_reader_line(r),
				   "column '%s' is not in the output, which has begun: dropped",
				   name);
			continue;
		}
		if (k < 0 && (k = add_extra(j, name)) < 0)
			return -1;
		pm->map[c] = k;
	}
	return changed ? pass_index(j, pm) : 0;
}

/* pass_remap() when R may have shown new columns: this runs for every row. */
static inline int pass_map(struct job *j, const struct sp_reader *r,
			   const struct sp_bar_cols *bc, struct passmap *pm)
{
	if (sp_reader_ncols(r) == pm->nmap && !pm->later && pm->xcol && pm->nx == j->nextras)
		return 0;
	return pass_remap(j, r, bc, pm);
}

/* The current record's pass-through fields, into j->xcur. */
static void pass_fields(struct job *j, const struct sp_reader *r, const struct passmap *pm)
{
	static const struct sp_field missing = { "", 0, SP_FIELD_MISSING, 0 };

	for (size_t k = 0; k < j->nextras; k++)
		j->xcur[k] = pm->xcol[k] >= 0 ? sp_reader_field(r, (size_t)pm->xcol[k]) : missing;
}

static void passmap_release(struct passmap *pm)
{
	free(pm->map);
	free(pm->xcol);
	memset(pm, 0, sizeof(*pm));
}

/* ---- reading --------------------------------------------------------------- */


static double price(const struct sp_reader *r, int col)
{
	double v;

	return sp_reader_number(r, col, &v) > 0 && v > 0 ? v : NAN;
}

/* Symbol and date as sp-clean checks them; NULL, or what is wrong in BUF. */
static const char *parse_key(const struct sp_bar_cols *c, const struct sp_reader *r,
			     char symbol[SP_SYMBOL_MAX], struct sp_when *when, char *buf,
			     size_t n)
{
	struct sp_field f;
	const char *why;

	if (sp_bar_symbol(c, r, symbol, buf, n))
		return buf;
	f = sp_reader_field(r, (size_t)c->date);
	if (f.type == SP_FIELD_MISSING)
		return "date is empty";
	if (f.type != SP_FIELD_TEXT && f.type != SP_FIELD_STRING)
		return "date is not a string";
	if ((why = sp_when_parse(f.s, f.len, when))) {
		snprintf(buf, n, "%s: '%.*s'", why, f.len > 40 ? 40 : (int)f.len, f.s);
		return buf;
	}
	return NULL;
}

/*
 * A row that cannot be used.  Batch: an error that ends the run.  Stream:
 * reported, skipped and counted; the run goes on and exits 1 at its end.
 */
static int bad_row(struct job *j, const struct sp_reader *r, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int bad_row(struct job *j, const struct sp_reader *r, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (j->o->stream) {
		sp_error_at(sp_reader_name(r), sp_reader_line(r), "%s (row skipped)", msg);
		j->skipped++;
		return 0;
	}
	j->failed = 1;
	return sp_error_at(sp_reader_name(r), sp_reader_line(r), "%s", msg);
}

static int set_columns(struct job *j);

/* One record of R; PM: how R's columns pass through, NULL for --warmup. */
static int do_row(struct job *j, const struct sp_reader *r, const struct sp_bar_cols *bc,
		  struct passmap *pm)
{
	char symbol[SP_SYMBOL_MAX], buf[256], d1[32], d2[32];
	struct sp_when when;
	struct sp_ind_bar bar;
	struct pend p;
	const char *why;
	struct sym *s;
	double adj, f = 1;
	int created, got, c = 1;
	long idx;

	if (sp_reader_bad(r))
		return bad_row(j, r, "%s", sp_reader_bad(r));
	if ((why = parse_key(bc, r, symbol, &when, buf, sizeof(buf))))
		return bad_row(j, r, "%s", why);
	if ((idx = sym_get(j, symbol, &created)) < 0) {
		j->failed = 1;
		return -1;
	}
	s = &j->syms[idx];
	/* Batch: a symbol ends when another begins, and must not come back.
	 * Symbols only in --warmup or --state have not ended. */
	if (pm && !j->o->stream && j->cur != (size_t)idx + 1) {
		if (s->done)
			return bad_row(j, r, "input not sorted by symbol: %s again after %s "
				       "(sort it with sp-clean, or use --stream)", symbol,
				       j->cur ? j->syms[j->cur - 1].symbol : "other symbols");
		symbol_end(j);
		s = &j->syms[idx];
		j->cur = (size_t)idx + 1;
	}
	if (s->have && (c = when_cmp(&when, &s->last)) < 0) {
		sp_when_format(&when, d1);
		sp_when_format(&s->last, d2);
		return bad_row(j, r, "input not sorted by date: %s %s comes after %s", symbol,
			       d1, d2);
	}
	/* Keep the state as it was before this bar, or step back before the
	 * bar this one revises. */
	if (c > 0)
		memcpy(s->state + j->fs.state_size, s->state, j->fs.state_size);
	else
		memcpy(s->state, s->state + j->fs.state_size, j->fs.state_size);
	s->last = when;
	s->have = 1;

	bar.open = price(r, bc->open);
	bar.high = price(r, bc->high);
	bar.low = price(r, bc->low);
	bar.close = price(r, bc->close);
	got = sp_reader_number(r, bc->volume, &bar.volume);
	if (got <= 0 || !(bar.volume >= 0))
		bar.volume = NAN;
	got = sp_reader_number(r, bc->adj_close, &adj);
	p.close = bar.close;
	p.base = bar.close;
	if (got != 0) {
		p.base = got > 0 && adj > 0 ? adj : NAN;
		f = p.base / bar.close;
	}
	if (!j->o->raw && f != 1) {
		bar.open *= f;
		bar.high *= f;
		bar.low *= f;
		bar.close *= f;
		bar.volume /= f;
	}
	bar.weekday = sp_day_weekday(when.intraday ? sp_ny_day(when.t) : (sp_day)when.t);
	for (size_t k = 0, col = 0; k < j->fs.nind; k++) {
		sp_ind_update(j->fs.ind[k], s->state + j->fs.off[k], &bar, j->vals + col);
		col += (size_t)sp_ind_outputs(j->fs.ind[k]);
	}
	if (!pm)
		return 0;
	if (pass_map(j, r, bc, pm) < 0 || (!j->header_done && set_columns(j) < 0)) {
		j->failed = 1;
		return -1;
	}
	pass_fields(j, r, pm);
	if (!j->o->target) {
		write_row(j, symbol, &when, p.close, j->xcur, j->vals, NAN);
		return 0;
	}
	p.when = when;
	p.superseded = 0;
	if (queue_push(j, &p, c == 0, j->xcur) < 0) {
		j->failed = 1;
		return -1;
	}
	queue_drain(j, symbol, 0);
	return 0;
}

static int open_output(struct job *j, enum sp_format fmt)
{
	if (j->out)
		return 0;
	if (j->fmt == SP_FORMAT_AUTO)
		j->fmt = fmt == SP_FORMAT_AUTO ? SP_FORMAT_CSV : fmt;
	return (j->out = sp_writer_open(j->o->output, j->fmt, 0)) ? 0 : -1;
}

/*
 * Set the output's columns, once: symbol, date, close, the pass-through
 * columns known so far, the features, the target.
 */
static int set_columns(struct job *j)
{
	const char **names;
	size_t n = 0;
	int r;

	j->header_done = 1;
	if (!(names = malloc((j->fs.nout + j->nextras + 4) * sizeof(*names))) ||
	    !(j->xcur = malloc((j->nextras ? j->nextras : 1) * sizeof(*j->xcur)))) {
		free(names);
		return sp_error("out of memory");
	}
	names[n++] = "symbol";
	names[n++] = "date";
	names[n++] = "close";
	for (size_t k = 0; k < j->nextras; k++)
		names[n++] = j->extras[k];
	for (size_t c = 0; c < j->fs.nout; c++)
		names[n++] = j->fs.names[c];
	if (j->o->target)
		names[n++] = j->target_name;
	r = sp_writer_columns(j->out, names, n);
	/* Batch output is printed with a second thread: the shortest form of
	 * ~30 doubles a row costs more than computing them.  A row is close,
	 * its pass-through fields, then the other numbers. */
	if (!r && !j->o->stream) {
		j->rowvals = malloc((n - 2 - j->nextras) * sizeof(*j->rowvals));
		if (!j->rowvals ||
		    !(j->pipe = sp_rowpipe_start(j->out, j->fmt, names, n, 1, j->nextras)))
			r = -1;
	}
	free(names);
	return r;
}

/* Stream mode: every row written goes out before we wait for input. */
static void flush_output(void *arg)
{
	struct job *j = arg;

	if (j->out)
		note_write(j, sp_writer_flush(j->out));
}

/* Read one input; WARM: --warmup, into the state only. */
/*
 * Per-bar time in a histogram of 100 ns buckets up to 1 ms: flat memory
 * however long the stream.  Slower bars share the last bucket.
 */
enum { LAT_BUCKET_NS = 100, LAT_BUCKETS = 10000 };

static void latency_add(struct job *j, long long ns)
{
	long long b = ns / LAT_BUCKET_NS;

	if (!j->lat && !(j->lat = calloc(LAT_BUCKETS, sizeof(*j->lat))))
		return;
	j->lat[b < LAT_BUCKETS ? b : LAT_BUCKETS - 1]++;
	j->lat_n++;
	if (ns > j->lat_max)
		j->lat_max = ns;
}

/* The upper edge of the bucket holding fraction Q of the bars, in µs. */
static double latency_quantile(const struct job *j, double q)
{
	long long need = (long long)(q * (double)j->lat_n + 0.999999), seen = 0;

	for (int b = 0; b < LAT_BUCKETS; b++)
		if ((seen += j->lat[b]) >= need)
			return (b + 1) * LAT_BUCKET_NS / 1000.0;
	return j->lat_max / 1000.0;
}

static void latency_report(const struct job *j)
{
	if (!j->lat_n)
		return;
	fprintf(stderr, "%s: %lld bars, time per bar from parsed to printed (no I/O): "
		"p50 %.1f us, p99 %.1f us, p99.9 %.1f us, max %.1f us\n", sp_progname(), j->lat_n,
		latency_quantile(j, 0.50), latency_quantile(j, 0.99), latency_quantile(j, 0.999),
		j->lat_max / 1000.0);
}

static int read_input(struct job *j, const char *path, int warm)
{
	struct sp_reader *r = sp_reader_open(path);
	struct passmap pm = { 0 };
	struct sp_bar_cols bc;
	int got = 0, bound = 0;

	if (!r)
		return -1;
	if (!warm && open_output(j, sp_reader_format(r)) < 0) {
		sp_reader_close(r);
		return -1;
	}
	if (j->o->stream)
		sp_reader_on_wait(r, flush_output, j);
	if (sp_reader_ncols(r) == 0 && sp_reader_format(r) == SP_FORMAT_CSV) {
		sp_warn_at(sp_reader_name(r), 0, "empty input");
		sp_reader_close(r);
		return 0;
	}
	/* A CSV header names the pass-through columns before any row. */
	if (sp_reader_format(r) == SP_FORMAT_CSV) {
		if (sp_bar_cols_bind(&bc, r, j->o->symbol) < 0) {
			sp_reader_close(r);
			return -1;
		}
		bound = 1;
		if (!warm && (pass_map(j, r, &bc, &pm) < 0 ||
			      (!j->header_done && set_columns(j) < 0))) {
			sp_bar_cols_release(&bc);
			passmap_release(&pm);
			sp_reader_close(r);
			return -1;
		}
	}
	while (!j->stop && !j->failed && (got = sp_reader_next(r)) > 0) {
		if (!bound) {
			if (sp_bar_cols_bind(&bc, r, j->o->symbol) < 0) {
				got = -1;
				break;
			}
			bound = 1;
		}
		if (j->o->latency && !warm) {
			struct timespec t0, t1;
			clock_gettime(CLOCK_MONOTONIC, &t0);
			int bad = do_row(j, r, &bc, &pm) < 0;
			clock_gettime(CLOCK_MONOTONIC, &t1);
			latency_add(j, (t1.tv_sec - t0.tv_sec) * 1000000000LL +
					       (t1.tv_nsec - t0.tv_nsec));
			if (bad)
				break;
		} else if (do_row(j, r, &bc, warm ? NULL : &pm) < 0) {
			break;
		}
	}
	if (bound)
		sp_bar_cols_release(&bc);
	passmap_release(&pm);
	sp_reader_close(r);
	return got < 0 || j->failed ? -1 : 0;
}

/* ---- --state ---------------------------------------------------------------- */

/*
 * The state file: three lines of text that say what it is, then binary
 * records in this machine's byte order and this build's state layout:
 *
 *	sp-features state 1
 *	columns ret_1,sma_20,...	(the spec, as its columns, and "raw" if --raw)
 *	bytes S symbols N
 *	uint32 0x01020304		(byte order check)
 *	N times: symbol[32], int64 t, int32 intraday, int32 pad, 2*S bytes of state
 */
#define STATE_MAGIC "sp-features state 1\n"

static char *state_columns(const struct job *j)
{
	size_t len = 8;
	char *s, *p;

	for (size_t c = 0; c < j->fs.nout; c++)
		len += strlen(j->fs.names[c]) + 1;
	if (!(s = p = malloc(len)))
		return NULL;
	for (size_t c = 0; c < j->fs.nout; c++)
		p += snprintf(p, len - (size_t)(p - s), "%s%s", c ? "," : "", j->fs.names[c]);
	if (j->o->raw)
		snprintf(p, len - (size_t)(p - s), " raw");
	return s;
}

static int state_save(struct job *j)
{
	struct sp_output *out = sp_output_open(j->o->state, SP_OUTPUT_PLAIN);
	char *cols = state_columns(j), head[128];
	size_t n = 0;
	uint32_t order = 0x01020304;
	int r = 0;

	if (!out || !cols) {
		free(cols);
		sp_output_abort(out);
		return out ? sp_error("out of memory") : -1;
	}
	for (size_t i = 0; i < j->nsyms; i++)
		n += j->syms[i].have && j->syms[i].state;
	snprintf(head, sizeof(head), "\nbytes %zu symbols %zu\n", j->fs.state_size, n);
	r |= sp_output_write(out, STATE_MAGIC "columns ", strlen(STATE_MAGIC "columns "));
	r |= sp_output_write(out, cols, strlen(cols));
	r |= sp_output_write(out, head, strlen(head));
	r |= sp_output_write(out, &order, sizeof(order));
	for (size_t i = 0; i < j->nsyms && !r; i++) {
		const struct sym *s = &j->syms[i];
		int64_t t = s->last.t;
		int32_t intraday[2] = { s->last.intraday, 0 };
		if (!s->have || !s->state)
			continue;
		r |= sp_output_write(out, s->symbol, SP_SYMBOL_MAX);
		r |= sp_output_write(out, &t, sizeof(t));
		r |= sp_output_write(out, intraday, sizeof(intraday));
		r |= sp_output_write(out, s->state, 2 * j->fs.state_size);
	}
	free(cols);
	if (r) {
		sp_output_abort(out);
		return -1;
	}
	return sp_output_close(out);
}

static int state_load(struct job *j)
{
	const char *path = j->o->state;
	FILE *f = fopen(path, "rb");
	char *cols = NULL, *line = NULL;
	size_t cap = 0, bytes, n;
	uint32_t order;
	int r = -1;

	if (!f) {
		if (errno == ENOENT)
			return 0;	/* the first run: nothing saved yet */
		return sp_error("%s: %s", path, strerror(errno));
	}
	if (!(cols = state_columns(j))) {
		sp_error("out of memory");
		goto done;
	}
	if (getline(&line, &cap, f) < 0 || strcmp(line, STATE_MAGIC)) {
		sp_error("%s: not an sp-features state file", path);
		goto done;
	}
	if (getline(&line, &cap, f) < 0 || strncmp(line, "columns ", 8) ||
	    !strchr(line, '\n')) {
		sp_error("%s: a damaged state file", path);
		goto done;
	}
	line[strcspn(line, "\n")] = '\0';
	if (strcmp(line + 8, cols)) {
		sp_error("%s: saved for other features (columns %.200s), not these (%.200s): "
			 "use the same --spec and --raw, or another --state file",
			 path, line + 8, cols);
		goto done;
	}
	if (getline(&line, &cap, f) < 0 ||
	    sscanf(line, "bytes %zu symbols %zu", &bytes, &n) != 2 ||
	    fread(&order, sizeof(order), 1, f) != 1 || order != 0x01020304) {
		sp_error("%s: a damaged state file", path);
		goto done;
	}
	if (bytes != j->fs.state_size) {
		sp_error("%s: saved by another build of sp-features (%zu bytes of state, "
			 "not %zu)", path, bytes, j->fs.state_size);
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		char symbol[SP_SYMBOL_MAX];
		int64_t t;
		int32_t intraday[2];
		int created;
		long idx;
		if (fread(symbol, SP_SYMBOL_MAX, 1, f) != 1 || fread(&t, sizeof(t), 1, f) != 1 ||
		    fread(intraday, sizeof(intraday), 1, f) != 1 ||
		    memchr(symbol, '\0', SP_SYMBOL_MAX) == NULL) {
			sp_error("%s: a damaged state file (symbol %zu of %zu)", path, i + 1, n);
			goto done;
		}
		if ((idx = sym_get(j, symbol, &created)) < 0)
			goto done;
		if (!created) {
			sp_error("%s: a damaged state file (%s twice)", path, symbol);
			goto done;
		}
		struct sym *s = &j->syms[idx];
		if (fread(s->state, 2 * bytes, 1, f) != 1) {
			sp_error("%s: a damaged state file (symbol %zu of %zu)", path, i + 1, n);
			goto done;
		}
		s->last.t = t;
		s->last.intraday = intraday[0];
		s->have = 1;
	}
	if (fgetc(f) != EOF) {
		sp_error("%s: a damaged state file (data after the last symbol)", path);
		goto done;
	}
	r = 0;
done:
	free(line);
	free(cols);
	fclose(f);
	return r;
}

static int load_spec(struct job *j)
{
	int r;

	if (j->o->spec)
		r = featset_parse(&j->fs, j->o->spec, "--spec", 0);
	else if (j->o->spec_file)
		r = featset_read_file(&j->fs, j->o->spec_file);
	else
		r = featset_parse(&j->fs, sp_features_default_spec, NULL, 0);
	if (r == -2)
		return SP_EXIT_FAIL;
	if (r < 0 || featset_finish(&j->fs) < 0)
		return SP_EXIT_USAGE;
	return 0;
}

/* Let the formatting thread print what it has; its status becomes the job's. */
static void finish_pipe(struct job *j)
{
	int closed;

	if (!j->pipe)
		return;
	if (sp_rowpipe_finish(j->pipe, &closed) < 0) {
		if (closed)
			j->stop = 1;
		else
			j->failed = 1;
	}
	j->pipe = NULL;
}

int sp_features_run(const struct sp_features_options *o, const char *const *inputs, size_t n)
{
	static const char *const stdin_only[] = { "-" };
	static const char *const kind_names[] = { "ret", "logret", "dir" };
	struct job j;
	int status;

	memset(&j, 0, sizeof(j));
	j.o = o;
	j.fmt = o->format;
	if (o->target)
		snprintf(j.target_name, sizeof(j.target_name), "y_%s_%d",
			 kind_names[o->target_kind], o->target);
	if ((status = load_spec(&j)))
		goto out;
	if (!(j.vals = malloc(j.fs.nout * sizeof(*j.vals)))) {
		sp_error("out of memory");
		status = SP_EXIT_FAIL;
		goto out;
	}
	if (!n) {
		inputs = stdin_only;
		n = 1;
	}
	if (o->state && state_load(&j) < 0) {
		status = SP_EXIT_FAIL;
		goto out;
	}
	if (o->warmup && read_input(&j, o->warmup, 1) < 0)
		j.failed = 1;
	for (size_t i = 0; i < n && !j.stop && !j.failed; i++)
		if (read_input(&j, inputs[i], 0) < 0)
			j.failed = 1;
	if (!j.failed && !j.stop)
		symbol_end(&j);
	if (!j.failed && ((!j.out && open_output(&j, SP_FORMAT_CSV) < 0) ||
			  (!j.header_done && set_columns(&j) < 0)))
		j.failed = 1;
	finish_pipe(&j);
	if (!j.failed && o->state && state_save(&j) < 0)
		j.failed = 1;
	if (j.failed) {
		sp_writer_abort(j.out);
		status = SP_EXIT_FAIL;
	} else {
		status = sp_writer_close(j.out) < 0 ? SP_EXIT_FAIL : SP_EXIT_OK;
		if (j.skipped && !j.stop) {
			sp_error("%lld row%s skipped (reported above)", j.skipped,
				 j.skipped == 1 ? "" : "s");
			status = SP_EXIT_FAIL;
		}
	}
	j.out = NULL;
out:
	finish_pipe(&j);
	if (o->latency)
		latency_report(&j);
	free(j.lat);
	free(j.rowvals);
	sp_writer_abort(j.out);
	for (size_t i = 0; i < j.nsyms; i++)
		free(j.syms[i].state);
	free(j.syms);
	free(j.hash);
	free(j.pq);
	free(j.pv);
	free(j.vals);
	for (size_t k = 0; k < j.nextras; k++)
		free(j.extras[k]);
	free(j.extras);
	free(j.xcur);
	free(j.px);
	free(j.xb);
	featset_free(&j.fs);
	return status;
}
