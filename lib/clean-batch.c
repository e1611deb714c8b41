/*
 * clean-batch.c - batch sp-clean after reading: walk the sorted rows, let the
 * last row read win each (symbol, time), flag each symbol's series, write.
 *
 * When everything sorted in memory, the rows are cut at a symbol boundary
 * near the middle and a second thread does the second half into a memory
 * writer, appended after the first half; symbols never straddle the cut,
 * so the output, the counts and the conflicts are those of one thread.
 */
#include "clean-job.h"
#include "mem.h"
#include "usage.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "banned.h"

enum { SPLIT_ROWS_MIN = 100000 };	/* fewer rows are not worth a thread */

/* One walk over sorted rows [from, to), or the whole store in order. */
struct sink {
	struct job *j;		/* read only while two sinks run */
	struct sp_writer *w;
	struct stats st;	/* written, flags, duplicates, symbols, dates */
	struct sp_flagger flagger;
	char cur_symbol[SP_SYMBOL_MAX];
	json_t *conflicts;
	size_t from, to;
	int sequential;		/* rows from sp_rowstore_next(): runs on disk */
	int result;		/* 0, -1 failed, 1 the reader of stdout left */
};

/* A row kept while the next one shows whether it is superseded. */
struct held {
	struct sp_row row;
	struct sp_extra *x;
	size_t capx;
	char *text;
	size_t captext;
	int have;
};

static int hold(struct held *h, const struct sp_row *row)
{
	size_t need = 0;

	for (size_t i = 0; i < row->nextra; i++)
		need += row->extra[i].len + 1;
	if (sp_grow((void **)&h->x, &h->capx, row->nextra + 1, sizeof(*h->x)) ||
	    sp_grow((void **)&h->text, &h->captext, need + 1, 1))
		return -1;
	h->row = *row;
	for (size_t i = 0, off = 0; i < row->nextra; i++) {
		h->x[i] = row->extra[i];
		memcpy(h->text + off, row->extra[i].s, row->extra[i].len);
		h->text[off + row->extra[i].len] = '\0';
		h->x[i].s = h->text + off;
		off += row->extra[i].len + 1;
	}
	h->row.extra = h->x;
	h->have = 1;
	return 0;
}

static int same_row(const struct sp_row *a, const struct sp_row *b)
{
	if (!sp_clean_same_bar(&a->bar, &b->bar) || a->nextra != b->nextra)
		return 0;
	for (size_t i = 0; i < a->nextra; i++)
		if (a->extra[i].col != b->extra[i].col || a->extra[i].len != b->extra[i].len ||
		    memcmp(a->extra[i].s, b->extra[i].s, a->extra[i].len))
			return 0;
	return 1;
}

/* Conflicts are recorded here and told after both halves, in order. */
static void record_conflict(struct sink *k, const struct sp_row *lost, const struct sp_row *won)
{
	char date[32];
	json_t *c;

	sp_when_format(&won->bar.when, date);
	c = json_pack("{s:s, s:s, s:s, s:I, s:s, s:I}", "symbol", won->bar.symbol, "date",
		      date, "dropped_file", k->j->inputs[lost->src].name, "dropped_line",
		      (json_int_t)lost->line, "kept_file", k->j->inputs[won->src].name,
		      "kept_line", (json_int_t)won->line);
	if (c)
		json_array_append_new(k->conflicts, c);
}

static int settle(struct sink *k, const struct sp_row *row)
{
	unsigned flags;
	long missing;

	if (strcmp(k->cur_symbol, row->bar.symbol)) {
		memcpy(k->cur_symbol, row->bar.symbol, SP_SYMBOL_MAX);
		sp_flagger_reset(&k->flagger);
		k->st.symbols++;
	}
	flags = sp_flagger_add(&k->flagger, &row->bar, &missing);
	if (sp_clean_put_bar(k->j, k->w, &k->st, &row->bar, row->extra, row->nextra, flags,
			     missing) < 0)
		return sp_writer_closed(k->w) ? 1 : -1;
	return 0;
}

static void *walk(void *arg)
{
	struct sink *k = arg;
	struct held h = { 0 };
	struct sp_row own = { 0 };
	const struct sp_row *row = &own;
	struct sp_extra *x = NULL;
	size_t capx = 0, i = k->from;
	int got = 0, r = 0;

	for (;;) {
		if (k->sequential)
			got = sp_rowstore_next(k->j->store, &row);
		else
			got = i < k->to ? sp_rowstore_get(k->j->store, i++, &own, &x, &capx) : 0;
		if (got <= 0)
			break;
		if (h.have && !strcmp(h.row.bar.symbol, row->bar.symbol) &&
		    !sp_clean_when_cmp(&h.row.bar.when, &row->bar.when)) {
			/* Same symbol and time: the later row read wins. */
			if (same_row(&h.row, row)) {
				k->st.dup_exact++;
			} else {
				k->st.dup_conflict++;
				record_conflict(k, &h.row, row);
			}
		} else if (h.have && (r = settle(k, &h.row)) != 0) {
			break;
		}
		if (hold(&h, row) < 0) {
			r = -1;
			break;
		}
	}
	if (got < 0)
		r = -1;
	if (!r && h.have)
		r = settle(k, &h.row);
	free(h.x);
	free(h.text);
	free(x);
	k->result = r;
	return NULL;
}

static int sink_init(struct sink *k, struct job *j, struct sp_writer *w)
{
	memset(k, 0, sizeof(*k));
	k->j = j;
	k->w = w;
	k->conflicts = json_array();
	if (!k->conflicts || sp_flagger_init(&k->flagger, &j->flag_rules) < 0)
		return sp_error("out of memory");
	return 0;
}

static void sink_release(struct sink *k)
{
	sp_flagger_release(&k->flagger);
	json_decref(k->conflicts);
}

/* Add a sink's counts and conflicts to the job's. */
static void merge(struct job *j, struct sink *k)
{
	struct stats *a = &j->st, *b = &k->st;

	a->written += b->written;
	a->jumps += b->jumps;
	a->splits += b->splits;
	a->gap_rows += b->gap_rows;
	a->missing_days += b->missing_days;
	a->dup_exact += b->dup_exact;
	a->dup_conflict += b->dup_conflict;
	a->symbols += b->symbols;
	if (b->have_dates) {
		sp_clean_note_date(a, &b->first);
		sp_clean_note_date(a, &b->last);
	}
	json_array_extend(j->conflicts, k->conflicts);
}

static void tell_conflicts(struct job *j)
{
	size_t n = json_array_size(j->conflicts);

	if (j->o->quiet)
		return;
	for (size_t i = 0; i < n && i < CONFLICTS_SHOWN; i++) {
		json_t *c = json_array_get(j->conflicts, i);
		sp_warn_at(json_string_value(json_object_get(c, "dropped_file")),
			   (long)json_integer_value(json_object_get(c, "dropped_line")),
			   "%s %s differs from %s:%lld, which is read later and wins",
			   json_string_value(json_object_get(c, "symbol")),
			   json_string_value(json_object_get(c, "date")),
			   json_string_value(json_object_get(c, "kept_file")),
			   (long long)json_integer_value(json_object_get(c, "kept_line")));
	}
	if (n > CONFLICTS_SHOWN)
		sp_warn("%zu more conflicting duplicates%s", n - CONFLICTS_SHOWN,
			j->o->summary ? " (all are listed in the summary)" : "");
}

/* Where to cut the sorted rows: a symbol boundary near the middle, or N. */
static size_t cut_point(const struct job *j, size_t n)
{
	size_t mid = n / 2;

	if (j->o->threads < 2 || n < SPLIT_ROWS_MIN)
		return n;
	while (mid < n && sp_rowstore_same_symbol(j->store, mid - 1, mid))
		mid++;
	return mid;
}

int sp_clean_batch_finish(struct job *j)
{
	struct sink k[2];
	size_t n, cut;
	pthread_t worker;
	int r = 0, two;

	if (sp_rowstore_sort(j->store) < 0)
		return -1;
	if (!(j->conflicts = json_array()))
		return sp_error("out of memory");
	n = sp_rowstore_sorted(j->store);
	cut = cut_point(j, n);
	two = cut < n;
	if (sink_init(&k[0], j, j->out) < 0 || sink_init(&k[1], j, NULL) < 0)
		r = -1;
	if (!r && two && (!(k[1].w = sp_writer_open_mem(j->fmt)) ||
			  sp_clean_columns(j, k[1].w) < 0))
		r = -1;
	if (!r) {
		k[0].sequential = n == 0;	/* runs on disk: merge in order */
		k[0].from = 0;
		k[0].to = cut;
		k[1].from = cut;
		k[1].to = n;
		if (two && pthread_create(&worker, NULL, walk, &k[1]) != 0)
			two = 0, k[0].to = n;
		walk(&k[0]);
		if (two)
			pthread_join(worker, NULL);
		r = k[0].result;
		if (!r && two) {
			size_t len;
			const char *bytes = sp_writer_records(k[1].w, &len);
			r = k[1].result ? -1 : sp_writer_put_raw(j->out, bytes, len);
			if (r < 0 && sp_writer_closed(j->out))
				r = 1;
		}
		merge(j, &k[0]);
		if (two)
			merge(j, &k[1]);
		if (r <= 0)
			tell_conflicts(j);
	}
	if (r > 0)
		j->stop = 1;
	sp_writer_close(k[1].w);
	sink_release(&k[0]);
	sink_release(&k[1]);
	return r < 0 ? -1 : 0;
}
