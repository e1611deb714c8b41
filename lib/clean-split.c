/*
 * clean-split.c - batch sp-clean reads one large CSV file on two threads.
 *
 * The file is mapped and cut at the first line end after its middle; each
 * half is parsed and checked by its own reader into its own row store, and
 * the second half's rows and rejects join the first's afterwards.  So the
 * order of reading, which settles duplicates, stays the file's order, and
 * the result is byte for byte that of one thread.
 *
 * A file qualifies only where the cut cannot change what is read: a regular,
 * uncompressed CSV file with no quote character at all (a quoted field could
 * hold the line break at the cut), large enough to be worth a thread, read
 * first, and small enough that its rows fit the memory budget, so that no
 * half spills to disk.
 */
#include "calendar.h"
#include "clean-job.h"
#include "mem.h"
#include "usage.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "banned.h"

/* Smaller files are not worth a thread; SP_SPLIT_MIN (bytes) overrides,
 * so that the tests can split small files. */
static size_t split_min(void)
{
	const char *e = getenv("SP_SPLIT_MIN");
	return e && *e ? (size_t)strtoull(e, NULL, 10) : (size_t)16 << 20;
}

/* A rejected row kept until the rows read before it are written. */
struct held_reject {
	long line;
	enum sp_reject why;
	char *detail, *raw;
	size_t raw_len;
};

/* One half: its reader, where its rows go, what it counted. */
struct part {
	const struct job *j;
	struct sp_reader *r;
	struct sp_bar_cols bc;
	const int *map;
	size_t nmap;
	struct sp_rowstore *store;
	uint32_t src;
	long long read, outside;
	struct held_reject *rej;
	size_t nrej, caprej;
	int bound, failed;
};

static int hold_reject(struct part *p, enum sp_reject why, const char *detail)
{
	size_t len;
	const char *raw = sp_reader_raw(p->r, &len);
	struct held_reject *h;

	if (sp_grow((void **)&p->rej, &p->caprej, p->nrej + 1, sizeof(*p->rej)))
		return -1;
	h = &p->rej[p->nrej];
	h->line = sp_reader_line(p->r);
	h->why = why;
	h->detail = strdup(detail);
	h->raw = malloc(len + 1);
	if (!h->detail || !h->raw) {
		free(h->detail);
		free(h->raw);
		return sp_error("out of memory");
	}
	memcpy(h->raw, raw, len);
	h->raw_len = len;
	p->nrej++;
	return 0;
}

/* The loop of read_input() in clean.c, for one half, touching no job state. */
static void *read_part(void *arg)
{
	struct part *p = arg;
	struct sp_extra *x = malloc((p->nmap + 1) * sizeof(*x));
	char detail[256];
	int got = x ? 0 : -1;

	while (got == 0 && (got = sp_reader_next(p->r)) > 0) {
		struct sp_row row = { .src = p->src, .line = sp_reader_line(p->r) };
		int outside = 0;
		enum sp_reject why;

		got = 0;
		p->read++;
		why = sp_bar_parse(&p->bc, p->r, &p->j->bar_rules, &row.bar, detail,
				   sizeof(detail), &outside);
		p->outside += outside;
		if (why) {
			got = hold_reject(p, why, detail);
			continue;
		}
		row.nextra = sp_clean_extras(p->r, p->map, p->nmap, x);
		row.extra = x;
		got = sp_rowstore_add(p->store, &row);
	}
	p->failed = got < 0;
	free(x);
	return NULL;
}

/* Where to cut MAP, and the number of its first line after the cut. */
static int qualifies(const struct job *j, const unsigned char *map, size_t size,
		     size_t *cut, long *first_line)
{
	static const unsigned char zstd_magic[4] = { 0x28, 0xb5, 0x2f, 0xfd };
	const unsigned char *p = map, *end = map + size, *nl;
	size_t i = 0;
	long lines = 0;

	if (!memcmp(map, zstd_magic, 4) || memchr(map, '"', size))
		return 0;
	if (size >= 3 && !memcmp(map, "\xef\xbb\xbf", 3))
		i = 3;
	while (i < size && (map[i] == ' ' || map[i] == '\t' || map[i] == '\r' || map[i] == '\n'))
		i++;
	if (i == size || map[i] == '{')
		return 0;
	nl = memchr(map + size / 2, '\n', size - size / 2);
	if (!nl || nl + 1 == end)
		return 0;
	*cut = (size_t)(nl + 1 - map);
	while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		if (p < nl + 1)
			*first_line = lines + 2;
		lines++;
		p++;
	}
	/* Each row costs its stored bar and index; pass-through text is
	 * bounded by the file itself. */
	return (size_t)lines * 96 + size <= j->o->memory;
}

static void part_release(struct part *p)
{
	for (size_t i = 0; i < p->nrej; i++) {
		free(p->rej[i].detail);
		free(p->rej[i].raw);
	}
	free(p->rej);
	if (p->bound)
		sp_bar_cols_release(&p->bc);
	sp_reader_close(p->r);
}

/* After both halves: their rejects in file order, their counts, their rows. */
static int join(struct job *j, struct part *half, struct sp_rowstore *second, size_t idx)
{
	int r = half[0].failed || half[1].failed ? -1 : 0;

	for (int h = 0; h < 2; h++) {
		j->st.read += half[h].read;
		j->inputs[idx].rows += half[h].read;
		j->st.outside_calendar += half[h].outside;
		for (size_t i = 0; i < half[h].nrej && !r; i++) {
			const struct held_reject *x = &half[h].rej[i];
			r = sp_clean_reject(j, j->inputs[idx].name, x->line, x->why, x->detail,
					    x->raw, x->raw_len);
		}
	}
	if (!r)
		r = sp_rowstore_absorb(j->store, second);
	if (r && !j->inputs[idx].error)
		j->inputs[idx].error = "read error";
	return r;
}

/* Read MAP in two halves; unmaps it as soon as both readers are done. */
static int read_halves(struct job *j, unsigned char *map, size_t size, size_t cut,
		       long first_line, size_t idx)
{
	const char *name = j->inputs[idx].name;
	struct part half[2] = { { .j = j, .src = (uint32_t)idx }, { .j = j, .src = (uint32_t)idx } };
	struct sp_rowstore *second = NULL;
	int *cmap = NULL, r = -1;
	size_t nmap = 0;
	pthread_t worker;

	half[0].r = sp_reader_open_mem(map, cut, name);
	if (!half[0].r || sp_reader_ncols(half[0].r) == 0) {
		/* The usual path says what is wrong with it. */
		sp_reader_close(half[0].r);
		munmap(map, size);
		return 0;
	}
	if (sp_bar_cols_bind(&half[0].bc, half[0].r, j->o->symbol) < 0) {
		j->inputs[idx].error = "missing columns";
		goto out;
	}
	half[0].bound = 1;
	if (sp_clean_open_output(j, SP_FORMAT_CSV) < 0 ||
	    sp_clean_map_extras(j, half[0].r, &half[0].bc, &cmap, &nmap) < 0)
		goto out;
	half[1].r = sp_reader_open_part(half[0].r, map + cut, size - cut, first_line);
	if (!half[1].r || sp_bar_cols_bind(&half[1].bc, half[1].r, j->o->symbol) < 0)
		goto out;
	half[1].bound = 1;
	second = sp_rowstore_new(SIZE_MAX, j->o->tmpdir);
	if (!second)
		goto out;
	half[0].store = j->store;
	half[1].store = second;
	for (int h = 0; h < 2; h++) {
		half[h].map = cmap;
		half[h].nmap = nmap;
	}
	if (pthread_create(&worker, NULL, read_part, &half[1]) == 0) {
		read_part(&half[0]);
		pthread_join(worker, NULL);
	} else {
		read_part(&half[0]);
		read_part(&half[1]);
	}
	/* Rows and held rejects are copies: the mapping can go before the
	 * second half's rows are copied over. */
	munmap(map, size);
	map = NULL;
	r = join(j, half, second, idx) < 0 ? -1 : 1;
	j->inputs[idx].threads = 2;
out:
	if (map)
		munmap(map, size);
	part_release(&half[0]);
	part_release(&half[1]);
	sp_rowstore_free(second);
	free(cmap);
	return r;
}

int sp_clean_read_split(struct job *j, const char *path, size_t idx)
{
	struct stat st;
	unsigned char *map;
	size_t cut = 0;
	long first_line = 0;
	int fd, r = 0;

	if (j->o->threads < 2 || !path || !strcmp(path, "-") || sp_rowstore_rows(j->store) ||
	    sp_rowstore_runs(j->store))
		return 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size < split_min() ||
	    st.st_size < 2) {
		close(fd);
		return 0;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return 0;
	if (qualifies(j, map, (size_t)st.st_size, &cut, &first_line))
		return read_halves(j, map, (size_t)st.st_size, cut, first_line, idx);
	munmap(map, (size_t)st.st_size);
	return r;
}
