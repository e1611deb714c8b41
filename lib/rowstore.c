/*
 * rowstore.c - rows in memory, sorted by a counting sort on the symbol and a
 * stable merge sort on time within each symbol; spilled to sorted runs in
 * unlinked temporary files past the memory budget and merged with a heap.
 */
#include "rowstore.h"
#include "mem.h"
#include "usage.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "banned.h"

/* A row as stored: 88 bytes, symbol interned, extras in an arena. */
struct crow {
	int64_t key;		/* time key: see time_key() */
	double open, high, low, close, adj;
	int64_t volume;
	uint64_t extra_off;
	uint32_t sym, src, line, extra_len;
	uint8_t has_adj, has_volume;
};

struct run {
	FILE *f;
	struct crow row;
	unsigned char *extra;
	size_t extra_cap;
	int done;
};

struct sp_rowstore {
	size_t budget;
	char *tmpdir;
	/* symbols */
	char (*names)[SP_SYMBOL_MAX];
	size_t nsym, capsym;
	uint32_t *hash;		/* open addressing: sym + 1, 0 empty */
	size_t hashcap;
	uint32_t *rank;
	/* the chunk in memory */
	struct crow *rows;
	size_t nrows, caprows;
	unsigned char *arena;
	size_t arena_len, arena_cap;
	uint32_t *perm;
	size_t pos;
	/* runs on disk; the chunk in memory is merged as one more */
	struct run *runs;
	size_t nruns, capruns;
	struct crow xrow;	/* the row handed out from a run, and its extras */
	unsigned char *xbuf;
	size_t xcap;
	size_t *heap;		/* run indexes; nruns means the chunk */
	size_t heaplen;
	int merging;
	/* what sp_rowstore_next() hands out */
	struct sp_row out;
	struct sp_extra *outx;
	size_t capoutx;
};

/*
 * One sortable integer for both kinds of time: a date sorts as its midnight
 * UTC, and the low bit keeps a date apart from an instant at that midnight.
 */
static int64_t time_key(const struct sp_when *w)
{
	return w->intraday ? w->t * 2 + 1 : w->t * 86400 * 2;
}

static void time_from_key(int64_t key, struct sp_when *w)
{
	w->intraday = (int)(key & 1);
	w->t = w->intraday ? (key - 1) / 2 : key / 2 / 86400;
}

struct sp_rowstore *sp_rowstore_new(size_t memory, const char *tmpdir)
{
	struct sp_rowstore *s = calloc(1, sizeof(*s));
	const char *dir = tmpdir ? tmpdir : getenv("TMPDIR");

	if (!s || !(s->tmpdir = strdup(dir && *dir ? dir : "/tmp"))) {
		free(s);
		sp_error("out of memory");
		return NULL;
	}
	s->budget = memory;
	return s;
}

static uint32_t hash_name(const char *s)
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

static long intern(struct sp_rowstore *s, const char *name)
{
	uint32_t h;
	size_t i;

	if (s->nsym * 2 >= s->hashcap) {
		size_t cap = s->hashcap ? s->hashcap * 2 : 1024;
		uint32_t *t = calloc(cap, sizeof(*t));
		if (!t)
			return sp_error("out of memory");
		for (size_t k = 0; k < s->nsym; k++) {
			for (i = hash_name(s->names[k]) & (cap - 1); t[i]; i = (i + 1) & (cap - 1))
				;
			t[i] = (uint32_t)k + 1;
		}
		free(s->hash);
		s->hash = t;
		s->hashcap = cap;
	}
	h = hash_name(name);
	for (i = h & (s->hashcap - 1); s->hash[i]; i = (i + 1) & (s->hashcap - 1))
		if (!strcmp(s->names[s->hash[i] - 1], name))
			return s->hash[i] - 1;
	if (sp_grow((void **)&s->names, &s->capsym, s->nsym + 1, sizeof(*s->names)))
		return -1;
	memcpy(s->names[s->nsym], name, SP_SYMBOL_MAX);
	s->hash[i] = (uint32_t)s->nsym + 1;
	return (long)s->nsym++;
}

static const struct sp_rowstore *rank_store;

static int by_name(const void *a, const void *b)
{
	return strcmp(rank_store->names[*(const uint32_t *)a],
		      rank_store->names[*(const uint32_t *)b]);
}

/* rank[sym] = position of the symbol's name among all names seen so far. */
static int compute_ranks(struct sp_rowstore *s)
{
	uint32_t *order = malloc((s->nsym + 1) * sizeof(*order));
	uint32_t *rank = realloc(s->rank, (s->nsym + 1) * sizeof(*rank));

	if (!order || !rank) {
		free(order);
		if (rank)
			s->rank = rank;
		return sp_error("out of memory");
	}
	s->rank = rank;
	for (size_t i = 0; i < s->nsym; i++)
		order[i] = (uint32_t)i;
	rank_store = s;
	qsort(order, s->nsym, sizeof(*order), by_name);
	for (size_t i = 0; i < s->nsym; i++)
		rank[order[i]] = (uint32_t)i;
	free(order);
	return 0;
}

struct keyidx {
	int64_t key;
	uint32_t idx;
};

/* Stable merge sort by key; TMP has room for N. */
static void merge_sort(struct keyidx *a, struct keyidx *tmp, size_t n)
{
	if (n < 2)
		return;
	size_t h = n / 2;
	merge_sort(a, tmp, h);
	merge_sort(a + h, tmp, n - h);
	if (a[h - 1].key <= a[h].key)
		return;
	memcpy(tmp, a, h * sizeof(*a));
	size_t i = 0, j = h, k = 0;
	while (i < h && j < n)
		a[k++] = a[j].key < tmp[i].key ? a[j++] : tmp[i++];
	while (i < h)
		a[k++] = tmp[i++];
}

/* Order the chunk in memory: perm[] lists row indexes in sorted order. */
static int sort_chunk(struct sp_rowstore *s)
{
	size_t *start = NULL;
	struct keyidx *ki = NULL, *tmp = NULL;
	int r = -1;

	free(s->perm);
	s->perm = malloc((s->nrows + 1) * sizeof(*s->perm));
	start = calloc(s->nsym + 1, sizeof(*start));
	if (!s->perm || !start || compute_ranks(s) < 0)
		goto out;
	/* Counting sort on the symbol's rank: stable, O(n). */
	for (size_t i = 0; i < s->nrows; i++)
		start[s->rank[s->rows[i].sym] + 1]++;
	for (size_t k = 1; k <= s->nsym; k++)
		start[k] += start[k - 1];
	for (size_t i = 0; i < s->nrows; i++)
		s->perm[start[s->rank[s->rows[i].sym]]++] = (uint32_t)i;
	/* start[k] is now the end of bucket k.  Sort each bucket by time. */
	for (size_t k = 0, lo = 0; k < s->nsym; lo = start[k++]) {
		size_t n = start[k] - lo, sorted = 1;
		for (size_t i = lo + 1; sorted && i < start[k]; i++)
			sorted = s->rows[s->perm[i - 1]].key <= s->rows[s->perm[i]].key;
		if (sorted)
			continue;
		struct keyidx *p = realloc(ki, n * sizeof(*ki));
		struct keyidx *q = p ? realloc(tmp, n * sizeof(*tmp)) : NULL;
		if (p)
			ki = p;
		if (q)
			tmp = q;
		if (!p || !q) {
			sp_error("out of memory");
			goto out;
		}
		for (size_t i = 0; i < n; i++)
			ki[i] = (struct keyidx){ s->rows[s->perm[lo + i]].key, s->perm[lo + i] };
		merge_sort(ki, tmp, n);
		for (size_t i = 0; i < n; i++)
			s->perm[lo + i] = ki[i].idx;
	}
	r = 0;
out:
	free(start);
	free(ki);
	free(tmp);
	return r;
}

static int spill(struct sp_rowstore *s)
{
	char *path = NULL;
	struct run *run;
	FILE *f;
	int fd;

	if (sort_chunk(s) < 0 || sp_grow((void **)&s->runs, &s->capruns, s->nruns + 1,
				      sizeof(*s->runs)) < 0)
		return -1;
	if (asprintf(&path, "%s/sp-sort.XXXXXX", s->tmpdir) < 0)
		return sp_error("out of memory");
	fd = mkstemp(path);
	if (fd < 0) {
		sp_error("%s: cannot create a temporary file: %s", s->tmpdir, strerror(errno));
		free(path);
		return -1;
	}
	unlink(path);	/* gone when closed, or when the process dies */
	free(path);
	f = fdopen(fd, "w+");
	if (!f) {
		close(fd);
		return sp_error("fdopen: %s", strerror(errno));
	}
	setvbuf(f, NULL, _IOFBF, 1 << 20);
	for (size_t i = 0; i < s->nrows; i++) {
		const struct crow *c = &s->rows[s->perm[i]];
		if (fwrite(c, sizeof(*c), 1, f) != 1 ||
		    (c->extra_len && fwrite(s->arena + c->extra_off, c->extra_len, 1, f) != 1))
			break;
	}
	if (fflush(f) || ferror(f)) {
		fclose(f);
		return sp_error("%s: writing a sorted run: %s", s->tmpdir, strerror(errno));
	}
	rewind(f);
	run = &s->runs[s->nruns++];
	memset(run, 0, sizeof(*run));
	run->f = f;
	s->nrows = 0;
	s->arena_len = 0;
	return 0;
}

int sp_rowstore_add(struct sp_rowstore *s, const struct sp_row *row)
{
	struct crow *c;
	long sym;

	if ((s->nrows + 1) * (sizeof(struct crow) + 8) + s->arena_len > s->budget &&
	    s->nrows && spill(s) < 0)
		return -1;
	sym = intern(s, row->bar.symbol);
	if (sym < 0 || sp_grow((void **)&s->rows, &s->caprows, s->nrows + 1, sizeof(*s->rows)))
		return -1;
	c = &s->rows[s->nrows];
	memset(c, 0, sizeof(*c));
	c->key = time_key(&row->bar.when);
	c->open = row->bar.open;
	c->high = row->bar.high;
	c->low = row->bar.low;
	c->close = row->bar.close;
	c->adj = row->bar.adj_close;
	c->volume = row->bar.volume;
	c->has_adj = (uint8_t)row->bar.has_adj;
	c->has_volume = (uint8_t)row->bar.has_volume;
	c->sym = (uint32_t)sym;
	c->src = row->src;
	c->line = row->line > UINT32_MAX ? UINT32_MAX : (uint32_t)row->line;
	c->extra_off = s->arena_len;
	for (size_t i = 0; i < row->nextra; i++) {
		const struct sp_extra *x = &row->extra[i];
		uint32_t head[3] = { x->col, (uint32_t)x->type, (uint32_t)x->len };
		if (sp_grow((void **)&s->arena, &s->arena_cap,
			 s->arena_len + sizeof(head) + x->len, 1))
			return -1;
		memcpy(s->arena + s->arena_len, head, sizeof(head));
		memcpy(s->arena + s->arena_len + sizeof(head), x->s, x->len);
		s->arena_len += sizeof(head) + x->len;
	}
	c->extra_len = (uint32_t)(s->arena_len - c->extra_off);
	s->nrows++;
	return 0;
}

int sp_rowstore_absorb(struct sp_rowstore *dst, struct sp_rowstore *src)
{
	uint32_t *symmap;

	if (dst->nruns || src->nruns)
		return sp_error("internal: cannot join row stores that spilled to disk");
	if (sp_grow((void **)&dst->rows, &dst->caprows, dst->nrows + src->nrows,
		    sizeof(*dst->rows)) ||
	    sp_grow((void **)&dst->arena, &dst->arena_cap, dst->arena_len + src->arena_len, 1))
		return -1;
	symmap = malloc((src->nsym + 1) * sizeof(*symmap));
	if (!symmap)
		return sp_error("out of memory");
	for (size_t i = 0; i < src->nsym; i++) {
		long id = intern(dst, src->names[i]);
		if (id < 0) {
			free(symmap);
			return -1;
		}
		symmap[i] = (uint32_t)id;
	}
	if (src->arena_len)
		memcpy(dst->arena + dst->arena_len, src->arena, src->arena_len);
	for (size_t i = 0; i < src->nrows; i++) {
		struct crow *c = &dst->rows[dst->nrows + i];
		*c = src->rows[i];
		c->sym = symmap[c->sym];
		c->extra_off += dst->arena_len;
	}
	dst->nrows += src->nrows;
	dst->arena_len += src->arena_len;
	src->nrows = src->arena_len = 0;
	free(symmap);
	return 0;
}

static int run_advance(struct run *r)
{
	if (fread(&r->row, sizeof(r->row), 1, r->f) != 1) {
		r->done = 1;
		return ferror(r->f) ? sp_error("reading a sorted run: %s", strerror(errno)) : 0;
	}
	if (sp_grow((void **)&r->extra, &r->extra_cap, r->row.extra_len, 1))
		return -1;
	if (r->row.extra_len && fread(r->extra, r->row.extra_len, 1, r->f) != 1)
		return sp_error("reading a sorted run: short read");
	return 0;
}

/* The head row of source I: run I, or the chunk when I == nruns. */
static const struct crow *head(const struct sp_rowstore *s, size_t i)
{
	return i < s->nruns ? &s->runs[i].row : &s->rows[s->perm[s->pos]];
}

static int before(const struct sp_rowstore *s, size_t a, size_t b)
{
	const struct crow *x = head(s, a), *y = head(s, b);

	if (x->sym != y->sym)
		return s->rank[x->sym] < s->rank[y->sym];
	if (x->key != y->key)
		return x->key < y->key;
	return a < b;	/* earlier runs were read earlier */
}

static void sift_down(struct sp_rowstore *s, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, m = i;
		if (l < s->heaplen && before(s, s->heap[l], s->heap[m]))
			m = l;
		if (l + 1 < s->heaplen && before(s, s->heap[l + 1], s->heap[m]))
			m = l + 1;
		if (m == i)
			return;
		size_t t = s->heap[i];
		s->heap[i] = s->heap[m];
		s->heap[m] = t;
		i = m;
	}
}

int sp_rowstore_sort(struct sp_rowstore *s)
{
	if (sort_chunk(s) < 0)
		return -1;
	s->pos = 0;
	if (!s->nruns)
		return 0;
	s->merging = 1;
	s->heap = malloc((s->nruns + 1) * sizeof(*s->heap));
	if (!s->heap)
		return sp_error("out of memory");
	for (size_t i = 0; i < s->nruns; i++) {
		if (run_advance(&s->runs[i]) < 0)
			return -1;
		if (!s->runs[i].done)
			s->heap[s->heaplen++] = i;
	}
	if (s->nrows)
		s->heap[s->heaplen++] = s->nruns;
	for (size_t i = s->heaplen; i-- > 0;)
		sift_down(s, i);
	return 0;
}

/* Decode stored row C (extras at X) into ROW, its extras into *XS. */
static int decode(const struct sp_rowstore *s, const struct crow *c, const unsigned char *x,
		  struct sp_row *row, struct sp_extra **xs, size_t *capx)
{
	size_t n = 0;

	memcpy(row->bar.symbol, s->names[c->sym], SP_SYMBOL_MAX);
	time_from_key(c->key, &row->bar.when);
	row->bar.open = c->open;
	row->bar.high = c->high;
	row->bar.low = c->low;
	row->bar.close = c->close;
	row->bar.adj_close = c->adj;
	row->bar.volume = c->volume;
	row->bar.has_adj = c->has_adj;
	row->bar.has_volume = c->has_volume;
	row->src = c->src;
	row->line = c->line;
	for (size_t off = 0; off < c->extra_len; n++) {
		uint32_t head3[3];
		if (sp_grow((void **)xs, capx, n + 1, sizeof(**xs)))
			return -1;
		memcpy(head3, x + off, sizeof(head3));
		(*xs)[n] = (struct sp_extra){ head3[0], (enum sp_field_type)head3[1],
					      (const char *)x + off + sizeof(head3), head3[2] };
		off += sizeof(head3) + head3[2];
	}
	row->extra = *xs;
	row->nextra = n;
	return 1;
}

static int emit(struct sp_rowstore *s, const struct crow *c, const unsigned char *x)
{
	return decode(s, c, x, &s->out, &s->outx, &s->capoutx);
}

size_t sp_rowstore_sorted(const struct sp_rowstore *s)
{
	return s->nruns ? 0 : s->nrows;
}

int sp_rowstore_get(const struct sp_rowstore *s, size_t i, struct sp_row *row,
		    struct sp_extra **x, size_t *capx)
{
	/* Rows come in permuted order: fetch ahead of the cache misses. */
	if (i + 16 < s->nrows)
		__builtin_prefetch(&s->rows[s->perm[i + 16]]);
	const struct crow *c = &s->rows[s->perm[i]];
	return decode(s, c, s->arena + c->extra_off, row, x, capx);
}

int sp_rowstore_same_symbol(const struct sp_rowstore *s, size_t i, size_t k)
{
	return s->rows[s->perm[i]].sym == s->rows[s->perm[k]].sym;
}

int sp_rowstore_next(struct sp_rowstore *s, const struct sp_row **row)
{
	*row = &s->out;
	if (!s->merging) {
		if (s->pos >= s->nrows)
			return 0;
		/* Rows come in permuted order: fetch ahead of the cache misses. */
		if (s->pos + 16 < s->nrows)
			__builtin_prefetch(&s->rows[s->perm[s->pos + 16]]);
		const struct crow *c = &s->rows[s->perm[s->pos++]];
		return emit(s, c, s->arena + c->extra_off);
	}
	if (!s->heaplen)
		return 0;
	size_t i = s->heap[0];
	int r;
	if (i < s->nruns) {
		/* Trade extra buffers with the run: ours stays valid for the
		 * caller while the run reads its next row into the other. */
		struct run *run = &s->runs[i];
		unsigned char *t = s->xbuf;
		size_t tcap = s->xcap;
		s->xbuf = run->extra;
		s->xcap = run->extra_cap;
		run->extra = t;
		run->extra_cap = tcap;
		s->xrow = run->row;
		r = emit(s, &s->xrow, s->xbuf);
		if (run_advance(run) < 0)
			return -1;
		if (run->done)
			s->heap[0] = s->heap[--s->heaplen];
	} else {
		const struct crow *c = &s->rows[s->perm[s->pos++]];
		r = emit(s, c, s->arena + c->extra_off);
		if (s->pos >= s->nrows)
			s->heap[0] = s->heap[--s->heaplen];
	}
	sift_down(s, 0);
	return r;
}

size_t sp_rowstore_rows(const struct sp_rowstore *s)
{
	return s->nrows;
}

size_t sp_rowstore_runs(const struct sp_rowstore *s)
{
	return s->nruns;
}

void sp_rowstore_free(struct sp_rowstore *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nruns; i++) {
		fclose(s->runs[i].f);
		free(s->runs[i].extra);
	}
	free(s->runs);
	free(s->xbuf);
	free(s->heap);
	free(s->names);
	free(s->hash);
	free(s->rank);
	free(s->rows);
	free(s->arena);
	free(s->perm);
	free(s->outx);
	free(s->tmpdir);
	free(s);
}
