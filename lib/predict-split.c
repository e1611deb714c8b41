/*
 * predict-split.c - batch sp-predict reads a large CSV file on several
 * threads.
 *
 * The file is mapped and cut into chunks at line ends; each round, every
 * thread predicts one chunk into a memory writer, and the main thread then
 * writes the chunks' predictions in file order.  So the output is byte for
 * byte that of one thread, and memory holds a round of chunks, not the file.
 *
 * A file qualifies only where the cut cannot change what is read: a
 * regular, uncompressed CSV file with no quote character (a quoted field
 * could hold a line break), large enough to be worth it, and a model that
 * may be used from several threads at once (XGBoost boosters may not).
 */
#include "predict-job.h"

#include "predictions.h"
#include "usage.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "banned.h"

/*
 * Smaller files are not worth threads, and a chunk is 16 MiB; SP_SPLIT_MIN
 * and SP_SPLIT_CHUNK (bytes) override them, so that tests can split small
 * files.
 */
static size_t env_size(const char *name, size_t dflt)
{
	const char *e = getenv(name);
	size_t v = e && *e ? (size_t)strtoull(e, NULL, 10) : dflt;

	return v ? v : 1;
}

static int thread_safe(const struct sp_model *m)
{
	if (m->kind == SP_MODEL_GBDT || m->kind == SP_MODEL_ENSEMBLE)
		return 0;
	for (size_t i = 0; i < m->nsymbols; i++)
		if (!thread_safe(m->by_symbol[i]))
			return 0;
	return 1;
}

struct part {
	struct job job;		/* a copy of the main job with its own block and writer */
	const struct sp_reader *like;
	const char *buf;
	size_t len;
	long first_line;
	pthread_t thread;
};

static void *run_part(void *arg)
{
	struct part *p = arg;
	struct sp_reader *r = sp_reader_open_part(p->like, p->buf, p->len, p->first_line);
	int got = -1;

	if (r) {
		while ((got = sp_reader_next(r)) > 0)
			if (sp_predict_row(&p->job, r) < 0)
				break;
		if (got == 0 && sp_predict_flush(&p->job) < 0)
			got = -1;
		sp_reader_close(r);
	}
	p->job.failed = got != 0;
	return NULL;
}

/* The end of the line that holds byte AT, or END. */
static const char *line_end(const char *at, const char *end)
{
	const char *nl = at < end ? memchr(at, '\n', (size_t)(end - at)) : NULL;

	return nl ? nl + 1 : end;
}

static long count_lines(const char *p, const char *end)
{
	long n = 0;

	while (p < end && (p = memchr(p, '\n', (size_t)(end - p)))) {
		n++;
		p++;
	}
	return n;
}

static int part_init(struct part *p, const struct job *j, const struct sp_reader *like,
		     enum sp_format fmt)
{
	memset(p, 0, sizeof(*p));
	p->job = *j;
	p->job.x = p->job.pred = p->job.prob = p->job.close = p->job.hw = NULL;
	p->job.sym = NULL;
	p->job.when = NULL;
	p->job.n = 0;
	p->job.rows = p->job.skipped = p->job.bad = 0;
	p->like = like;
	if (sp_predict_block_alloc(&p->job) < 0 ||
	    !(p->job.w = sp_writer_open_mem(fmt)) ||
	    sp_predictions_columns(p->job.w) < 0)
		return -1;
	return 0;
}

static void part_release(struct part *p)
{
	sp_predict_block_free(&p->job);
	if (p->job.w)
		sp_writer_close(p->job.w);
}

/* Predict the body [BODY, END) of the mapped file in rounds of NT chunks. */
static int rounds(struct job *j, struct part *parts, int nt, const char *body, const char *end,
		  long line)
{
	const char *at = body;
	size_t chunk = env_size("SP_SPLIT_CHUNK", (size_t)16 << 20);

	while (at < end) {
		int n = 0, failed = 0;
		for (; n < nt && at < end; n++) {
			const char *stop = line_end((size_t)(end - at) > chunk ? at + chunk - 1 : end, end);
			parts[n].buf = at;
			parts[n].len = (size_t)(stop - at);
			parts[n].first_line = line;
			line += count_lines(at, stop);
			at = stop;
			if (pthread_create(&parts[n].thread, NULL, run_part, &parts[n])) {
				run_part(&parts[n]);	/* no thread: do it here */
				parts[n].thread = pthread_self();
			}
		}
		for (int k = 0; k < n; k++)
			if (!pthread_equal(parts[k].thread, pthread_self()))
				pthread_join(parts[k].thread, NULL);
		for (int k = 0; k < n; k++) {
			struct job *pj = &parts[k].job;
			size_t len;
			const char *out = sp_writer_records(pj->w, &len);
			j->rows += pj->rows;
			j->skipped += pj->skipped;
			j->bad += pj->bad;
			pj->rows = pj->skipped = pj->bad = 0;
			failed |= pj->failed;
			if (!failed && sp_writer_put_raw(j->w, out, len) < 0)
				return -1;
			sp_writer_reset(pj->w);
		}
		if (failed)
			return -1;
	}
	return 0;
}

int sp_predict_split(struct job *j, const char *path)
{
	struct part parts[4];
	struct sp_reader *like = NULL;
	struct stat st;
	const char *map = MAP_FAILED, *body;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int fd, nt = ncpu > 4 ? 4 : ncpu < 1 ? 1 : (int)ncpu, rc = 0, init = 0;
	enum sp_format fmt = j->o->format ? j->o->format : SP_FORMAT_CSV;

	if (nt < 2 || !strcmp(path, "-") || !thread_safe(j->model))
		return 0;
	if ((fd = open(path, O_RDONLY)) < 0)
		return 0;	/* the usual path says why */
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size < env_size("SP_SPLIT_MIN", (size_t)32 << 20) ||
	    (map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0)) == MAP_FAILED) {
		close(fd);
		return 0;
	}
	close(fd);
	/* zstd, NDJSON, a BOM or a quote anywhere: the usual path. */
	if ((unsigned char)map[0] == 0x28 || map[0] == '{' || (unsigned char)map[0] == 0xef ||
	    memchr(map, '"', (size_t)st.st_size))
		goto out;
	body = line_end(map, map + st.st_size);
	if (!(like = sp_reader_open_mem(map, (size_t)(body - map), path)) ||
	    sp_reader_format(like) != SP_FORMAT_CSV)
		goto out;
	if (!j->w && (!(j->w = sp_writer_open(j->o->output, fmt, 0)) ||
		      sp_predictions_columns(j->w) < 0)) {
		rc = -1;
		goto out;
	}
	if (sp_predict_bind(j, like) < 0) {
		rc = -1;
		goto out;
	}
	for (; init < nt; init++)
		if (part_init(&parts[init], j, like, fmt) < 0) {
			rc = -1;
			goto out;
		}
	rc = rounds(j, parts, nt, body, map + st.st_size, 2) < 0 ? -1 : 1;
out:
	for (int k = 0; k < init; k++)
		part_release(&parts[k]);
	if (like)
		sp_reader_close(like);
	munmap((void *)map, (size_t)st.st_size);
	return rc;
}
