/*
 * features-job.h - the sp-features job: bars in, indicators (lib/ind.h)
 * and look-ahead targets out, the same rows in batch and stream mode, with
 * the input's columns that are not bars' passed through.
 *
 * The options are plain data the caller owns; sp_features_run() reads its
 * inputs, writes its output atomically and returns the exit status.
 */
#ifndef SP_FEATURES_JOB_H
#define SP_FEATURES_JOB_H

#include "record.h"

#include <stddef.h>
#include <stdio.h>

enum sp_target_kind { SP_TARGET_RET, SP_TARGET_LOGRET, SP_TARGET_DIR };

struct sp_features_options {
	const char *output;	/* NULL: stdout */
	enum sp_format format;	/* SP_FORMAT_AUTO: that of the first input */
	const char *spec;	/* comma-separated tokens; NULL: spec_file or default */
	const char *spec_file;	/* one or more tokens a line, # comments */
	const char *symbol;	/* for inputs without a symbol column */
	const char *warmup;	/* bars fed to the state first, not written */
	const char *state;	/* per-symbol state loaded at start, saved at end */
	int raw;		/* indicators see traded prices, not adjusted */
	int stream;		/* write each row as its bar arrives */
	int latency;		/* report per-bar time on stderr at the end */
	int target;		/* horizon in rows; 0: no target column */
	enum sp_target_kind target_kind;
};

/* The default feature set, as a spec (documented in sp-features(1)). */
extern const char sp_features_default_spec[];

void sp_features_options_init(struct sp_features_options *o);

/* "ret", "logret", "dir" to a kind; -1 for anything else. */
int sp_target_kind_parse(const char *name);

/* Print the catalogue of indicators and the default set to F; 0 or -1. */
int sp_features_list(FILE *f);

/* Run over INPUTS (NULL or "-" is stdin); returns 0, 1 or 2 (contracts.md). */
int sp_features_run(const struct sp_features_options *o, const char *const *inputs,
		    size_t n);

#endif
