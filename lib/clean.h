/*
 * clean.h - the sp-clean job: validate, sort, dedupe, flag and write bars,
 * accounting for every row read.
 *
 * The options are plain data the caller owns; sp_clean_run() reads its
 * inputs, writes its outputs atomically and returns the exit status.
 */
#ifndef SP_CLEAN_H
#define SP_CLEAN_H

#include "record.h"

#include <stddef.h>

struct sp_clean_options {
	const char *output;	/* NULL: stdout */
	const char *rejects;	/* NULL: rejected rows are only counted */
	const char *summary;	/* NULL: no JSON summary */
	enum sp_format format;	/* SP_FORMAT_AUTO: that of the first input */
	const char *calendar;	/* NULL: no calendar checks */
	const char *symbol;	/* for inputs without a symbol column */
	double tolerance;	/* open/close outside [low, high] by this much */
	double mad_k;		/* jump threshold, robust standard deviations */
	int mad_window;
	int stream;
	int quiet;
	int strict;		/* exit 1 when any row is rejected */
	int threads;		/* 2: a large plain CSV file is read in two halves */
	size_t memory;		/* sort budget in bytes */
	const char *tmpdir;
};

void sp_clean_options_init(struct sp_clean_options *o);

/* Run over INPUTS (NULL or "-" is stdin); returns 0, 1 or 2 (contracts.md). */
int sp_clean_run(const struct sp_clean_options *o, const char *const *inputs, size_t n);

#endif
