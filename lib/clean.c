/*
 * clean.c - sp-clean: every row read is written, rejected with its reason,
 * or dropped as a duplicate, and the summary says which.
 *
 * Batch mode checks each row, keeps the good ones in a row store (sorted,
 * spilling to disk past the memory budget), then walks them in order to
 * settle duplicates and flag each symbol's series.  Stream mode does the
 * same per row as it arrives, keeping only per-symbol state.
 */
#include "clean.h"
#include "bar.h"
#include "calendar.h"
#include "flag.h"
#include "mem.h"
#include "output.h"
#include "rowstore.h"
#include "usage.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clean-job.h"
#include "banned.h"

void sp_clean_options_init(struct sp_clean_options *o)
{
	memset(o, 0, sizeof(*o));
	o->format = SP_FORMAT_AUTO;
	o->calendar = "XNYS";
	o->tolerance = 1e-6;
	o->mad_k = 10;
	o->mad_window = 250;
	o->memory = (size_t)1 << 30;
	o->threads = 2;
}

/* ---- output ------------------------------------------------------------ */

static int find_extra(struct job *j, const char *name)
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
		return -1;
	}
	j->extras[j->nextras] = copy;
	return (int)j->nextras++;
}

int sp_clean_columns(struct job *j, struct sp_writer *w)
{
	static const char *const bar_cols[] = {
		"symbol", "date", "open", "high", "low", "close", "adj_close", "volume"
	};
	const char **names = malloc((8 + j->nextras + 1) * sizeof(*names));
	int r;

	if (!names)
		return sp_error("out of memory");
	memcpy(names, bar_cols, sizeof(bar_cols));
	for (size_t i = 0; i < j->nextras; i++)
		names[8 + i] = j->extras[i];
	names[8 + j->nextras] = "flags";
	r = sp_writer_columns(w, names, 8 + j->nextras + 1);
	free(names);
	j->header_done = 1;
	return r;
}

void sp_clean_note_date(struct stats *st, const struct sp_when *w)
{
	int64_t k = w->intraday ? w->t : w->t * 86400;

	if (!st->have_dates) {
		st->first = st->last = *w;
		st->have_dates = 1;
		return;
	}
	if (k < (st->first.intraday ? st->first.t : st->first.t * 86400))
		st->first = *w;
	if (k > (st->last.intraday ? st->last.t : st->last.t * 86400))
		st->last = *w;
}

int sp_clean_put_bar(const struct job *j, struct sp_writer *w, struct stats *st,
		     const struct sp_bar *b, const struct sp_extra *x, size_t nx,
		     unsigned flags, long missing)
{
	char date[32], ftext[64];

	sp_writer_str(w, b->symbol, strlen(b->symbol));
	sp_writer_str(w, date, sp_when_format(&b->when, date));
	sp_writer_num(w, b->open);
	sp_writer_num(w, b->high);
	sp_writer_num(w, b->low);
	sp_writer_num(w, b->close);
	if (b->has_adj)
		sp_writer_num(w, b->adj_close);
	else
		sp_writer_null(w);
	if (b->has_volume)
		sp_writer_int(w, b->volume);
	else
		sp_writer_null(w);
	for (size_t c = 0; c < j->nextras; c++) {
		size_t i = 0;
		while (i < nx && x[i].col != c)
			i++;
		if (i < nx) {
			struct sp_field f = { x[i].s, x[i].len, x[i].type, 0 };
			sp_writer_field(w, &f);
		} else {
			sp_writer_null(w);
		}
	}
	size_t fl = sp_flags_format(flags, missing, ftext, sizeof(ftext));
	if (fl)
		sp_writer_str(w, ftext, fl);
	else
		sp_writer_null(w);

	st->written++;
	st->jumps += !!(flags & SP_FLAG_JUMP);
	st->splits += !!(flags & SP_FLAG_SPLIT);
	st->gap_rows += !!(flags & SP_FLAG_GAP);
	st->missing_days += missing;
	sp_clean_note_date(st, &b->when);
	return sp_writer_end(w);
}

int sp_clean_reject(struct job *j, const char *source, long line, enum sp_reject why,
		    const char *detail, const char *raw, size_t raw_len)
{
	char reason[512];
	int n;

	j->st.rejected++;
	j->st.by_reason[why]++;
	if (!j->rej)
		return 0;
	n = snprintf(reason, sizeof(reason), "%s: %s", sp_reject_name(why), detail);
	if (n < 0 || (size_t)n >= sizeof(reason))
		n = (int)sizeof(reason) - 1;
	sp_writer_str(j->rej, source, strlen(source));
	sp_writer_int(j->rej, line);
	sp_writer_str(j->rej, reason, (size_t)n);
	sp_writer_str(j->rej, raw, raw_len);
	if (sp_writer_end(j->rej) < 0) {
		j->failed = 1;
		return -1;
	}
	return 0;
}

static int reject(struct job *j, struct sp_reader *r, enum sp_reject why,
		  const char *detail)
{
	size_t raw_len;
	const char *raw = sp_reader_raw(r, &raw_len);

	return sp_clean_reject(j, sp_reader_name(r), sp_reader_line(r), why, detail, raw,
			       raw_len);
}

/* ---- stream mode --------------------------------------------------------- */

static uint64_t hash_bytes(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;

	while (n--)
		h = (h ^ *s++) * 1099511628211ULL;	/* FNV-1a */
	return h;
}

static uint64_t hash_extras(const struct sp_extra *x, size_t n)
{
	uint64_t h = 14695981039346656037ULL;

	for (size_t i = 0; i < n; i++) {
		h = hash_bytes(h, &x[i].col, sizeof(x[i].col));
		h = hash_bytes(h, x[i].s, x[i].len);
	}
	return h;
}

static struct symstate *symstate_get(struct job *j, const char *symbol)
{
	uint64_t h = hash_bytes(14695981039346656037ULL, symbol, strlen(symbol));
	size_t i;

	if (j->nsyms * 2 >= j->symhashcap) {
		size_t cap = j->symhashcap ? j->symhashcap * 2 : 256;
		size_t *t = calloc(cap, sizeof(*t));
		if (!t)
			return NULL;
		for (size_t k = 0; k < j->nsyms; k++) {
			uint64_t hk = hash_bytes(14695981039346656037ULL, j->syms[k].symbol,
						 strlen(j->syms[k].symbol));
			for (i = hk & (cap - 1); t[i]; i = (i + 1) & (cap - 1))
				;
			t[i] = k + 1;
		}
		free(j->symhash);
		j->symhash = t;
		j->symhashcap = cap;
	}
	for (i = h & (j->symhashcap - 1); j->symhash[i]; i = (i + 1) & (j->symhashcap - 1))
		if (!strcmp(j->syms[j->symhash[i] - 1].symbol, symbol))
			return &j->syms[j->symhash[i] - 1];
	if (sp_grow((void **)&j->syms, &j->capsyms, j->nsyms + 1, sizeof(*j->syms)))
		return NULL;
	struct symstate *s = &j->syms[j->nsyms];
	memset(s, 0, sizeof(*s));
	memcpy(s->symbol, symbol, SP_SYMBOL_MAX);
	if (sp_flagger_init(&s->flagger, &j->flag_rules) < 0)
		return NULL;
	j->symhash[i] = ++j->nsyms;
	j->st.symbols++;
	return s;
}

int sp_clean_when_cmp(const struct sp_when *a, const struct sp_when *b)
{
	int64_t x = a->intraday ? a->t : a->t * 86400;
	int64_t y = b->intraday ? b->t : b->t * 86400;

	if (x != y)
		return x < y ? -1 : 1;
	return a->intraday - b->intraday;
}

int sp_clean_same_bar(const struct sp_bar *a, const struct sp_bar *b)
{
	return a->open == b->open && a->high == b->high && a->low == b->low &&
	       a->close == b->close && a->has_adj == b->has_adj &&
	       (!a->has_adj || a->adj_close == b->adj_close) &&
	       a->has_volume == b->has_volume &&
	       (!a->has_volume || a->volume == b->volume);
}

static int stream_row(struct job *j, struct sp_reader *r, const struct sp_bar *bar,
		      const struct sp_extra *x, size_t nx)
{
	struct symstate *s = symstate_get(j, bar->symbol);
	uint64_t xh = hash_extras(x, nx);
	unsigned flags;
	long missing;

	if (!s) {
		j->failed = 1;
		return sp_error("out of memory");
	}
	if (s->flagger.have) {
		int c = sp_clean_when_cmp(&bar->when, &s->last.when);
		if (c < 0) {
			char a[32], b[32], detail[160];
			sp_when_format(&bar->when, a);
			sp_when_format(&s->last.when, b);
			snprintf(detail, sizeof(detail), "%s comes after %s's bar of %s",
				 a, bar->symbol, b);
			return reject(j, r, SP_REJECT_ORDER, detail);
		}
		if (c == 0) {
			if (sp_clean_same_bar(bar, &s->last) && xh == s->last_extra_hash) {
				j->st.dup_exact++;
				return 0;
			}
			/* A revised bar: downstream tools take it as a replacement. */
			sp_flagger_undo(&s->flagger);
			j->st.revisions++;
		}
	}
	flags = sp_flagger_add(&s->flagger, bar, &missing);
	s->last = *bar;
	s->last_extra_hash = xh;
	if (sp_clean_put_bar(j, j->out, &j->st, bar, x, nx, flags, missing) < 0) {
		if (sp_writer_closed(j->out))
			j->stop = 1;
		else
			j->failed = 1;
		return -1;
	}
	return 0;
}

/* ---- reading ----------------------------------------------------------- */

/* Map the reader's pass-through columns to output columns; -1: not output. */
int sp_clean_map_extras(struct job *j, struct sp_reader *r, const struct sp_bar_cols *bc,
			int **map, size_t *nmap)
{
	size_t n = sp_reader_ncols(r);

	if (n <= *nmap)
		return 0;
	int *m = realloc(*map, n * sizeof(*m));
	if (!m)
		return sp_error("out of memory");
	*map = m;
	for (size_t c = *nmap; c < n; c++) {
		const char *name = sp_reader_colname(r, c);
		m[c] = -1;
		if (sp_bar_cols_has(bc, (int)c) || !sp_reader_present(r, c))
			continue;
		m[c] = find_extra(j, name);
		if (m[c] >= 0)
			continue;
		if (j->header_done) {
			sp_warn_at(sp_reader_name(r), sp_reader_line(r),
				   "column '%s' is not in the output, which has begun: dropped",
				   name);
			continue;
		}
		if ((m[c] = add_extra(j, name)) < 0)
			return -1;
	}
	*nmap = n;
	return 0;
}

size_t sp_clean_extras(const struct sp_reader *r, const int *map, size_t nmap,
		       struct sp_extra *x)
{
	size_t n = 0;

	for (size_t c = 0; c < nmap; c++) {
		struct sp_field f;
		if (map[c] < 0)
			continue;
		f = sp_reader_field(r, c);
		if (f.type != SP_FIELD_MISSING)
			x[n++] = (struct sp_extra){ (uint32_t)map[c], f.type, f.s, f.len };
	}
	return n;
}

int sp_clean_open_output(struct job *j, enum sp_format fmt)
{
	if (j->out)
		return 0;
	if (j->fmt == SP_FORMAT_AUTO)
		j->fmt = fmt;
	j->out = sp_writer_open(j->o->output, j->fmt, 0);
	if (!j->out) {
		j->failed = 1;	/* said once: no more inputs */
		return -1;
	}
	return 0;
}

/* Stream mode: everything finished goes out before we wait for input. */
static void flush_outputs(void *arg)
{
	struct job *j = arg;

	if (j->out && sp_writer_flush(j->out) < 0) {
		if (sp_writer_closed(j->out))
			j->stop = 1;
		else
			j->failed = 1;
	}
	if (j->rej && sp_writer_flush(j->rej) < 0)
		j->failed = 1;
}

static int read_input(struct job *j, const char *path, size_t idx)
{
	struct sp_reader *r = sp_reader_open(path);
	struct sp_bar_cols bc;
	struct sp_extra *x = NULL;
	size_t capx = 0, nmap = 0;
	int *map = NULL, got = 0, bound = 0;
	char detail[256];

	if (!r) {
		j->inputs[idx].error = "cannot be read";
		return -1;
	}
	if (sp_clean_open_output(j, sp_reader_format(r)) < 0) {
		sp_reader_close(r);
		return -1;
	}
	if (j->o->stream)
		sp_reader_on_wait(r, flush_outputs, j);
	if (sp_reader_ncols(r) == 0 && sp_reader_format(r) == SP_FORMAT_CSV) {
		sp_warn_at(sp_reader_name(r), 0, "empty input");
		sp_reader_close(r);
		return 0;
	}
	/* A CSV header names the columns: a missing one fails the input even
	 * when no row follows.  NDJSON columns are known only after a record. */
	if (sp_reader_format(r) == SP_FORMAT_CSV) {
		if (sp_bar_cols_bind(&bc, r, j->o->symbol) < 0) {
			j->inputs[idx].error = "missing columns";
			sp_reader_close(r);
			return -1;
		}
		bound = 1;
	}
	while (!j->stop && (got = sp_reader_next(r)) > 0) {
		struct sp_row row = { .src = (uint32_t)idx, .line = sp_reader_line(r) };
		int outside = 0;
		enum sp_reject why;

		if (!bound) {
			if (sp_bar_cols_bind(&bc, r, j->o->symbol) < 0) {
				j->inputs[idx].error = "missing columns";
				got = -1;
				break;
			}
			bound = 1;
		}
		j->st.read++;
		j->inputs[idx].rows++;
		why = sp_bar_parse(&bc, r, &j->bar_rules, &row.bar, detail, sizeof(detail),
				   &outside);
		j->st.outside_calendar += outside;
		if (why) {
			if (reject(j, r, why, detail) < 0)
				break;
			continue;
		}
		if (sp_clean_map_extras(j, r, &bc, &map, &nmap) < 0 ||
		    sp_grow((void **)&x, &capx, nmap + 1, sizeof(*x))) {
			got = -1;
			break;
		}
		row.nextra = sp_clean_extras(r, map, nmap, x);
		row.extra = x;
		if (j->o->stream) {
			if (!j->header_done && sp_clean_columns(j, j->out) < 0)
				got = -1;
			else
				stream_row(j, r, &row.bar, x, row.nextra);
		} else if (sp_rowstore_add(j->store, &row) < 0) {
			got = -1;
		}
		if (got < 0 || j->failed)
			break;
	}
	if (got < 0 && !j->inputs[idx].error)
		j->inputs[idx].error = "read error";
	if (bound)
		sp_bar_cols_release(&bc);
	free(map);
	free(x);
	sp_reader_close(r);
	return got < 0 ? -1 : 0;
}

/* ---- the job ------------------------------------------------------------ */

static int job_init(struct job *j, const struct sp_clean_options *o, size_t n)
{
	memset(j, 0, sizeof(*j));
	j->o = o;
	j->fmt = o->format;
	if (o->calendar && !(j->cal = sp_calendar_get(o->calendar)))
		return sp_error("unknown calendar '%s'", o->calendar);
	j->bar_rules = (struct sp_bar_rules){ j->cal, o->tolerance };
	j->flag_rules = (struct sp_flag_rules){ j->cal, o->mad_k, o->mad_window };
	j->inputs = calloc(n ? n : 1, sizeof(*j->inputs));
	if (!j->inputs)
		return sp_error("out of memory");
	if (!o->stream) {
		j->store = sp_rowstore_new(o->memory, o->tmpdir);
		if (!j->store)
			return sp_error("out of memory");
	}
	if (o->rejects) {
		static const char *const cols[] = { "source", "line", "reason", "row" };
		j->rej = sp_writer_open(o->rejects, o->format == SP_FORMAT_AUTO ?
					SP_FORMAT_CSV : o->format, 0);
		if (!j->rej || sp_writer_columns(j->rej, cols, 4) < 0)
			return -1;
	}
	return 0;
}

static void job_release(struct job *j)
{
	for (size_t i = 0; i < j->ninputs; i++)
		free(j->inputs[i].name);
	free(j->inputs);
	for (size_t i = 0; i < j->nextras; i++)
		free(j->extras[i]);
	free(j->extras);
	for (size_t i = 0; i < j->nsyms; i++)
		sp_flagger_release(&j->syms[i].flagger);
	free(j->syms);
	free(j->symhash);
	sp_rowstore_free(j->store);
	json_decref(j->conflicts);
}

int sp_clean_run(const struct sp_clean_options *o, const char *const *inputs, size_t n)
{
	static const char *const stdin_only[] = { "-" };
	struct job j;
	int status = SP_EXIT_OK;

	if (!n) {
		inputs = stdin_only;
		n = 1;
	}
	if (job_init(&j, o, n) < 0) {
		sp_writer_abort(j.rej);
		job_release(&j);
		return SP_EXIT_FAIL;
	}
	for (size_t i = 0; i < n && !j.stop && !j.failed; i++) {
		int done = 0;
		j.ninputs = i + 1;
		j.inputs[i].name = strdup(inputs[i] ? inputs[i] : "-");
		if (!j.inputs[i].name) {
			sp_error("out of memory");
			status = SP_EXIT_FAIL;
			break;
		}
		if (!o->stream)
			done = sp_clean_read_split(&j, inputs[i], i);
		if (done < 0 || (!done && read_input(&j, inputs[i], i) < 0))
			status = SP_EXIT_FAIL;
	}
	if (!j.out && !j.failed) {
		if (j.fmt == SP_FORMAT_AUTO)
			j.fmt = SP_FORMAT_CSV;
		j.out = sp_writer_open(o->output, j.fmt, 0);
		if (!j.out)
			j.failed = 1;
	}
	if (!j.failed && !j.stop && !j.header_done && sp_clean_columns(&j, j.out) < 0)
		j.failed = 1;
	if (!j.failed && !j.stop && !o->stream && sp_clean_batch_finish(&j) < 0 && !j.stop)
		j.failed = 1;
	if (j.st.outside_calendar && j.cal)
		sp_warn("%lld rows lie outside the %s calendar (1970-01-01 to 2040-12-31) and "
			"were not checked against it", j.st.outside_calendar,
			sp_calendar_name(j.cal));
	if (j.failed || status) {
		/* Leave the old output files as they were. */
		sp_writer_abort(j.out);
		sp_writer_abort(j.rej);
		status = SP_EXIT_FAIL;
	} else {
		if (sp_writer_close(j.out) < 0)
			status = SP_EXIT_FAIL;
		if (sp_writer_close(j.rej) < 0)
			status = SP_EXIT_FAIL;
		j.committed = status == SP_EXIT_OK;
	}
	/* A closed stdout ends the run quietly: the counts are partial. */
	if (!o->quiet && !j.stop)
		sp_clean_summary_print(&j);
	if (o->summary && !j.stop && sp_clean_summary_write(&j) < 0)
		status = SP_EXIT_FAIL;
	if (!status && o->strict && j.st.rejected)
		status = SP_EXIT_FAIL;
	job_release(&j);
	return j.stop && status == SP_EXIT_OK ? SP_EXIT_OK : status;
}
