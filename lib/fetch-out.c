/*
 * fetch-out.c - what sp-fetch writes: bars and events of a parsed series
 * (in --follow mode only the bars not written before, or revised), the
 * --summary file, and the start dates --since-last reads.
 */
#include "fetch-internal.h"

#include "calendar.h"
#include "json.h"
#include "usage.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "banned.h"

/* ---- output ---------------------------------------------------------------- */

static const char *const bar_columns[] = {
	"symbol", "date", "open", "high", "low", "close", "adj_close", "volume",
};
static const char *const event_columns[] = { "symbol", "date", "kind", "value" };

static int in_range(const struct job *j, const struct task *t, const struct sp_when *w)
{
	sp_day d = w->intraday ? sp_ny_day(w->t) : (sp_day)w->t;

	return (!t->from || d >= t->from) && (!t->to || d <= t->to);
}

/* Write a parsed series whole: every bar, then every event. */
/* Same values, missing ones included. */
static int same(const double *a, const double *b)
{
	for (int k = 0; k < 6; k++)
		if (a[k] != b[k] && !(isnan(a[k]) && isnan(b[k])))
			return 0;
	return 1;
}

/*
 * --follow: 1 if bar B is new or revised since the last poll.  NEXT (the
 * bars of this poll, which replace T's at the end) remembers it, so memory
 * holds one poll's window whatever the length of the run.
 */
static int fresh(const struct task *t, struct seen *next, size_t k, const struct sp_fetch_bar *b)
{
	struct seen *e = &next[k];
	size_t lo = 0, hi = t->nseen;

	e->t = b->when.t;
	e->v[0] = b->open;
	e->v[1] = b->high;
	e->v[2] = b->low;
	e->v[3] = b->close;
	e->v[4] = b->adj_close;
	e->v[5] = b->volume;
	while (lo < hi) {	/* both are sorted by time */
		size_t mid = lo + (hi - lo) / 2;
		if (t->seen[mid].t < e->t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return !(lo < t->nseen && t->seen[lo].t == e->t && same(t->seen[lo].v, e->v));
}

int sp_fetch_write_series(struct job *j, struct task *t)
{
	const struct sp_fetch_series *s = &j->series;
	struct seen *next = NULL;
	size_t n, nsym = strlen(t->name), k = 0;
	char buf[32];

	if (j->o->follow && !(next = malloc((s->nbars + 1) * sizeof(*next))))
		return sp_error("out of memory");
	for (size_t i = 0; i < s->nbars; i++) {
		const struct sp_fetch_bar *b = &s->bars[i];
		if (!in_range(j, t, &b->when))
			continue;
		if (next && !fresh(t, next, k++, b))
			continue;
		sp_writer_str(j->w, t->name, nsym);
		n = sp_when_format(&b->when, buf);
		sp_writer_str(j->w, buf, n);
		sp_writer_num(j->w, b->open);
		sp_writer_num(j->w, b->high);
		sp_writer_num(j->w, b->low);
		sp_writer_num(j->w, b->close);
		sp_writer_num(j->w, b->adj_close);
		sp_writer_num(j->w, b->volume);
		if (sp_writer_end(j->w) < 0) {
			free(next);
			return -1;
		}
		t->nbars++;
	}
	if (next) {
		free(t->seen);
		t->seen = next;
		t->nseen = k;
	}
	/* --follow: events once, from the first poll. */
	for (size_t i = 0; j->ev && !j->polls && i < s->nevents; i++) {
		const struct sp_fetch_event *e = &s->events[i];
		struct sp_when w = { e->day, 0 };
		const char *kind = e->kind == SP_EVENT_SPLIT ? "split" : "dividend";
		if (!in_range(j, t, &w))
			continue;
		sp_writer_str(j->ev, t->name, nsym);
		n = sp_when_format(&w, buf);
		sp_writer_str(j->ev, buf, n);
		sp_writer_str(j->ev, kind, strlen(kind));
		sp_writer_num(j->ev, e->value);
		if (sp_writer_end(j->ev) < 0)
			return -1;
	}
	j->bars += t->nbars;
	return j->o->follow ? sp_writer_flush(j->w) : 0;
}

/* ---- --since-last ---------------------------------------------------------------- */

int sp_fetch_since_last(struct job *j)
{
	struct sp_reader *r = sp_reader_open(j->o->since_last);
	const struct sp_calendar *cal = sp_calendar_get("XNYS");
	int got, cs = -1, cd = -1;

	if (!r)
		return -1;
	while ((got = sp_reader_next(r)) > 0) {
		struct sp_field s, d;
		struct sp_when w;
		if (cs < 0 && ((cs = sp_reader_find(r, "symbol")) < 0 ||
			       (cd = sp_reader_find(r, "date")) < 0)) {
			sp_error_at(sp_reader_name(r), 1, "no symbol and date columns");
			sp_reader_close(r);
			return -1;
		}
		s = sp_reader_field(r, (size_t)cs);
		d = sp_reader_field(r, (size_t)cd);
		if (sp_when_parse(d.s, d.len, &w))
			continue;
		for (size_t i = 0; i < j->n; i++) {
			struct task *t = &j->tasks[i];
			sp_day day = w.intraday ? sp_ny_day(w.t) : (sp_day)w.t, from;
			if (strlen(t->name) != s.len || memcmp(t->name, s.s, s.len))
				continue;
			/* A few sessions again, so that revised bars replace old ones. */
			from = sp_calendar_add(cal, day, -j->o->overlap);
			if (from > t->from)
				t->from = from;
		}
	}
	sp_reader_close(r);
	return got < 0 ? -1 : 0;
}

/* ---- summary ------------------------------------------------------------------- */

int sp_fetch_write_summary(const struct job *j)
{
	json_t *doc = json_object(), *list = json_array();
	int rc;

	for (size_t i = 0; i < j->n; i++) {
		const struct task *t = &j->tasks[i];
		json_t *e = json_pack("{s:s, s:s, s:I, s:i, s:b}", "symbol", t->name, "status",
				      t->state == WRITTEN ? "ok" : "failed", "bars",
				      (json_int_t)t->nbars, "attempts", t->attempts, "cached",
				      t->cached);
		if (t->http)
			json_object_set_new(e, "http_status", json_integer(t->http));
		if (t->state != WRITTEN)
			json_object_set_new(e, "error", json_string(t->error));
		json_array_append_new(list, e);
	}
	json_object_set_new(doc, "source", json_string(sp_fetch_source_name(j->o->source)));
	json_object_set_new(doc, "symbols", json_integer((json_int_t)j->n));
	json_object_set_new(doc, "ok", json_integer((json_int_t)(j->done - j->failed)));
	json_object_set_new(doc, "failed", json_integer((json_int_t)j->failed));
	json_object_set_new(doc, "bars", json_integer((json_int_t)j->bars));
	json_object_set_new(doc, "seconds", sp_json_real(sp_fetch_now() - j->start));
	json_object_set_new(doc, "per_symbol", list);
	rc = sp_json_save(doc, j->o->summary);
	json_decref(doc);
	return rc;
}

int sp_fetch_open_outputs(struct job *j)
{
	const struct sp_fetch_options *o = j->o;

	if (!(j->w = sp_writer_open(o->output, o->format, o->follow ? SP_WRITER_STREAM : 0)) ||
	    sp_writer_columns(j->w, bar_columns, sizeof(bar_columns) / sizeof(*bar_columns)) < 0)
		return -1;
	if (o->events &&
	    (!(j->ev = sp_writer_open(o->events, SP_FORMAT_CSV, 0)) ||
	     sp_writer_columns(j->ev, event_columns,
			       sizeof(event_columns) / sizeof(*event_columns)) < 0))
		return -1;
	return 0;
}

