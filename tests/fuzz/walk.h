/*
 * walk.h - what the record fuzzers share: read every record of a buffer,
 * touching every byte the reader hands out and checking its promises, and
 * push every good record through a writer that is then aborted.
 *
 * Included by one fuzz-*.c each (the Makefile builds every fuzz-*.c with
 * the whole library); everything here is static inline.
 */
#ifndef SP_FUZZ_WALK_H
#define SP_FUZZ_WALK_H

#include "record.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* UBSan findings must end the run: the Makefile builds in recover mode. */
const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
	return "halt_on_error=1:print_stacktrace=1";
}

#define CHECK(cond)                                                               \
	do {                                                                      \
		if (!(cond)) {                                                    \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__,    \
				__LINE__, #cond);                                 \
			abort();                                                  \
		}                                                                 \
	} while (0)

/* Read every byte of S[0..N] (so ASan sees any bad pointer) and fold them. */
static inline unsigned touch(const char *s, size_t n)
{
	unsigned h = 0;

	for (size_t i = 0; i < n; i++)
		h = h * 31 + (unsigned char)s[i];
	return h;
}

static char fuzz_dir[64];

static void fuzz_dir_remove(void)
{
	rmdir(fuzz_dir);	/* empty: every writer was aborted */
}

/* A writer on a file in a private temporary directory, never committed. */
static inline struct sp_writer *fuzz_writer(enum sp_format fmt)
{
	char path[128];

	if (!fuzz_dir[0]) {
		snprintf(fuzz_dir, sizeof(fuzz_dir), "/tmp/sp-fuzz.XXXXXX");
		if (!mkdtemp(fuzz_dir))
			abort();
		atexit(fuzz_dir_remove);
	}
	snprintf(path, sizeof(path), "%s/out", fuzz_dir);
	return sp_writer_open(path, fmt, 0);
}

static inline void write_record(struct sp_writer *w, const struct sp_reader *r)
{
	for (size_t i = 0; i < sp_reader_ncols(r); i++) {
		struct sp_field f = sp_reader_field(r, i);
		sp_writer_field(w, &f);
	}
	sp_writer_end(w);
}

static inline void set_columns(struct sp_writer *w, const struct sp_reader *r)
{
	size_t n = sp_reader_ncols(r);
	const char **names = calloc(n + 1, sizeof(*names));

	if (!names)
		abort();
	for (size_t i = 0; i < n; i++)
		names[i] = sp_reader_colname(r, i);
	sp_writer_columns(w, names, n);
	free(names);
}

/* Check one record's promises (record.h) and touch all of it. */
static inline unsigned check_record(const struct sp_reader *r, long *last_line)
{
	size_t rl;
	const char *raw = sp_reader_raw(r, &rl);
	const char *bad = sp_reader_bad(r);
	long line = sp_reader_line(r);
	unsigned h = touch(raw, rl);

	CHECK(raw != NULL);
	CHECK(line >= 1);
	CHECK(line >= *last_line);	/* records come in input order */
	*last_line = line;
	CHECK(rl == 0 || raw[rl - 1] != '\n');	/* without its line end */
	if (bad) {
		CHECK(*bad);
		h += touch(bad, strlen(bad));
	}
	for (size_t i = 0; i < sp_reader_ncols(r) + 2; i++) {
		struct sp_field f = sp_reader_field(r, i);
		CHECK(f.s != NULL);
		CHECK(f.s[f.len] == '\0');
		CHECK(f.type <= SP_FIELD_OTHER);
		if (bad || i >= sp_reader_ncols(r) || f.type == SP_FIELD_MISSING)
			CHECK(f.type == SP_FIELD_MISSING && f.len == 0);
		else
			CHECK(f.len > 0);
		if (f.type == SP_FIELD_NUMBER)
			CHECK(f.num == f.num && f.num - f.num == 0);
		h += touch(f.s, f.len);
	}
	return h;
}

/*
 * Read all of DATA; write the good records in FMT.  Returns a hash of
 * everything touched (so the compiler keeps the reads).
 */
static inline unsigned walk(const uint8_t *data, size_t size, enum sp_format fmt)
{
	struct sp_reader *r = sp_reader_open_mem(data, size, "fuzz");
	struct sp_writer *w = NULL;
	long last_line = 0;
	unsigned h = 0;
	int got;

	if (!r)
		return 0;
	for (size_t i = 0; i < sp_reader_ncols(r); i++)
		h += touch(sp_reader_colname(r, i), strlen(sp_reader_colname(r, i)));
	while ((got = sp_reader_next(r)) == 1) {
		h += check_record(r, &last_line);
		if (sp_reader_bad(r))
			continue;
		if (!w) {
			/* columns as known at the first good record */
			w = fuzz_writer(fmt);
			if (!w)
				abort();
			set_columns(w, r);
		}
		write_record(w, r);
	}
	CHECK(got == 0 || got == -1);
	CHECK(sp_reader_next(r) <= 0 || got == -1);
	sp_writer_abort(w);
	sp_reader_close(r);
	return h;
}

/* Index of the first byte that is not a BOM or blank, or N. */
static inline size_t first_nonblank(const uint8_t *data, size_t n)
{
	size_t i = 0;

	if (n >= 3 && !memcmp(data, "\xef\xbb\xbf", 3))
		i = 3;
	while (i < n && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' ||
			 data[i] == '\n'))
		i++;
	return i;
}

#endif
