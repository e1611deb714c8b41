/*
 * rowpipe.c - double buffering between a producing thread and a formatting
 * thread, which share the printing: even batches go to the formatter, which
 * prints them to the writer; odd ones the producer prints into memory
 * itself while the formatter works, and appends them once the formatter is
 * idle again.  The writer is touched by one thread at a time, handed over
 * under the mutex, and rows keep their order.
 */
#include "mem.h"
#include "rowpipe.h"
#include "usage.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "banned.h"

enum { BATCH_ROWS = 4096 };

struct row {
	char symbol[32];
	struct sp_when when;
};

/* A text field of a row: its bytes at off in the batch's text. */
struct textval {
	size_t off, len;
	enum sp_field_type type;
};

struct batch {
	struct row *rows;
	double *vals;
	struct textval *tv;	/* ntext a row */
	char *text;
	size_t ntextb, captext;	/* bytes in text */
	size_t n;
};

struct sp_rowpipe {
	struct sp_writer *w;
	size_t nvals;		/* doubles a row */
	size_t nlead, ntext;	/* the text fields come after nlead doubles */
	struct batch b[2];
	int filling;		/* the producer's batch */
	unsigned long seq;	/* batches filled so far */
	struct sp_writer *text;	/* the producer's own batches, as text */
	int full;		/* the other batch waits for the formatter */
	int done;		/* the producer has finished */
	int status;		/* 0, -1 failed, 1 closed pipe: set by the formatter */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thread;
};

static int format_batch(struct sp_rowpipe *p, struct sp_writer *w, const struct batch *b)
{
	for (size_t i = 0; i < b->n; i++) {
		const struct row *r = &b->rows[i];
		const double *v = b->vals + i * p->nvals;
		const struct textval *t = b->tv + i * p->ntext;
		char date[32];

		sp_writer_str(w, r->symbol, strlen(r->symbol));
		sp_writer_str(w, date, sp_when_format(&r->when, date));
		for (size_t k = 0; k < p->nlead; k++)
			sp_writer_num(w, v[k]);
		for (size_t k = 0; k < p->ntext; k++) {
			struct sp_field f = {
				t[k].type == SP_FIELD_MISSING ? "" : b->text + t[k].off,
				t[k].len, t[k].type, 0 };
			sp_writer_field(w, &f);
		}
		for (size_t k = p->nlead; k < p->nvals; k++)
			sp_writer_num(w, v[k]);
		if (sp_writer_end(w) < 0)
			return sp_writer_closed(w) ? 1 : -1;
	}
	return 0;
}

static void *formatter(void *arg)
{
	struct sp_rowpipe *p = arg;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (!p->full && !p->done)
			pthread_cond_wait(&p->cv, &p->mu);
		if (!p->full)
			break;
		struct batch *b = &p->b[!p->filling];
		pthread_mutex_unlock(&p->mu);
		int r = p->status ? p->status : format_batch(p, p->w, b);
		pthread_mutex_lock(&p->mu);
		if (r && !p->status)
			p->status = r;
		b->n = b->ntextb = 0;
		p->full = 0;
		pthread_cond_broadcast(&p->cv);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

struct sp_rowpipe *sp_rowpipe_start(struct sp_writer *w, enum sp_format fmt,
				    const char *const *names, size_t ncols, size_t nlead,
				    size_t ntext)
{
	struct sp_rowpipe *p = calloc(1, sizeof(*p));
	size_t nvals = ncols - 2 - ntext;

	if (!p)
		goto oom;
	p->w = w;
	p->nvals = nvals;
	p->nlead = nlead;
	p->ntext = ntext;
	if (!(p->text = sp_writer_open_mem(fmt)) ||
	    sp_writer_columns(p->text, names, ncols) < 0)
		goto fail;
	for (int i = 0; i < 2; i++) {
		p->b[i].rows = malloc(BATCH_ROWS * sizeof(*p->b[i].rows));
		p->b[i].vals = malloc(BATCH_ROWS * (nvals ? nvals : 1) * sizeof(double));
		p->b[i].tv = malloc(BATCH_ROWS * (ntext ? ntext : 1) * sizeof(*p->b[i].tv));
		if (!p->b[i].rows || !p->b[i].vals || !p->b[i].tv)
			goto oom;
	}
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	if (pthread_create(&p->thread, NULL, formatter, p) != 0) {
		sp_error("cannot start a thread");
		pthread_mutex_destroy(&p->mu);
		pthread_cond_destroy(&p->cv);
		goto fail;
	}
	return p;
oom:
	sp_error("out of memory");
fail:
	if (p) {
		for (int i = 0; i < 2; i++) {
			free(p->b[i].rows);
			free(p->b[i].vals);
			free(p->b[i].tv);
		}
		sp_writer_close(p->text);
	}
	free(p);
	return NULL;
}

/* Wait until the formatter is idle: the writer is then the producer's. */
static int wait_idle(struct sp_rowpipe *p)
{
	int status;

	pthread_mutex_lock(&p->mu);
	while (p->full)
		pthread_cond_wait(&p->cv, &p->mu);
	status = p->status;
	pthread_mutex_unlock(&p->mu);
	return status;
}

/* A full batch: every other one to the formatter, the rest printed here. */
static int hand_over(struct sp_rowpipe *p)
{
	struct batch *b = &p->b[p->filling];
	int status;

	if (p->seq++ % 2 == 0) {
		pthread_mutex_lock(&p->mu);
		while (p->full)
			pthread_cond_wait(&p->cv, &p->mu);
		p->full = 1;
		p->filling = !p->filling;
		status = p->status;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
		return status ? -1 : 0;
	}
	/* While the formatter prints the batch before, print this one into
	 * memory, then append it once the formatter is done. */
	status = format_batch(p, p->text, b);
	b->n = b->ntextb = 0;
	if (!status)
		status = wait_idle(p);
	if (!status) {
		size_t len;
		const char *bytes = sp_writer_records(p->text, &len);
		if (sp_writer_put_raw(p->w, bytes, len) < 0)
			status = sp_writer_closed(p->w) ? 1 : -1;
		sp_writer_reset(p->text);
	}
	if (status) {
		pthread_mutex_lock(&p->mu);
		if (!p->status)
			p->status = status;
		pthread_mutex_unlock(&p->mu);
		return -1;
	}
	return 0;
}

/* Copy a row's text fields into batch B. */
static int copy_text(struct sp_rowpipe *p, struct batch *b, const struct sp_field *text)
{
	struct textval *t = b->tv + b->n * p->ntext;

	for (size_t k = 0; k < p->ntext; k++) {
		t[k] = (struct textval){ b->ntextb, text[k].len, text[k].type };
		if (text[k].type == SP_FIELD_MISSING)
			continue;
		if (sp_grow((void **)&b->text, &b->captext, b->ntextb + text[k].len + 1, 1))
			return -1;
		memcpy(b->text + b->ntextb, text[k].s, text[k].len);
		b->text[b->ntextb + text[k].len] = '\0';	/* fields are NUL-terminated */
		b->ntextb += text[k].len + 1;
	}
	return 0;
}

int sp_rowpipe_push(struct sp_rowpipe *p, const char *symbol, const struct sp_when *when,
		    const double *vals, const struct sp_field *text)
{
	struct batch *b = &p->b[p->filling];
	struct row *r = &b->rows[b->n];
	size_t len = strlen(symbol);

	if (p->ntext && copy_text(p, b, text) < 0) {
		pthread_mutex_lock(&p->mu);
		p->status = -1;
		pthread_mutex_unlock(&p->mu);
		return -1;
	}
	if (len >= sizeof(r->symbol))
		len = sizeof(r->symbol) - 1;
	memcpy(r->symbol, symbol, len);
	r->symbol[len] = '\0';
	r->when = *when;
	memcpy(b->vals + b->n * p->nvals, vals, p->nvals * sizeof(double));
	if (++b->n == BATCH_ROWS)
		return hand_over(p);
	return 0;
}

int sp_rowpipe_finish(struct sp_rowpipe *p, int *closed)
{
	int status;

	if (p->b[p->filling].n)
		hand_over(p);
	pthread_mutex_lock(&p->mu);
	while (p->full)
		pthread_cond_wait(&p->cv, &p->mu);
	p->done = 1;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	pthread_join(p->thread, NULL);
	status = p->status;
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
	for (int i = 0; i < 2; i++) {
		free(p->b[i].rows);
		free(p->b[i].vals);
		free(p->b[i].tv);
		free(p->b[i].text);
	}
	sp_writer_close(p->text);
	free(p);
	*closed = status == 1;
	return status ? -1 : 0;
}
