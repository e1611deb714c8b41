/*
 * clean-job.h - the state of one sp-clean run, shared by the files of the
 * job (clean.c, clean-report.c, clean-split.c) and by nothing else.
 * clean.c owns the struct job and everything it points to.
 */
#ifndef SP_CLEAN_JOB_H
#define SP_CLEAN_JOB_H

#include "bar.h"
#include "clean.h"
#include "flag.h"
#include "record.h"
#include "rowstore.h"

#include <jansson.h>
#include <stdint.h>

enum { CONFLICTS_SHOWN = 10 };

struct input_info {
	char *name;
	long long rows;
	const char *error;
};

/* Per-symbol state of stream mode. */
struct symstate {
	char symbol[SP_SYMBOL_MAX];
	struct sp_flagger flagger;
	struct sp_bar last;
	uint64_t last_extra_hash;
};

struct stats {
	long long read, written, rejected, by_reason[SP_REJECT_COUNT];
	long long dup_exact, dup_conflict, revisions;
	long long jumps, splits, gap_rows, missing_days, outside_calendar;
	long long symbols;
	struct sp_when first, last;
	int have_dates;
};

struct job {
	const struct sp_clean_options *o;
	const struct sp_calendar *cal;
	struct sp_bar_rules bar_rules;
	struct sp_flag_rules flag_rules;
	struct sp_writer *out, *rej;
	enum sp_format fmt;
	struct stats st;
	struct input_info *inputs;
	size_t ninputs;
	/* pass-through columns, in order of first appearance */
	char **extras;
	size_t nextras, capextras;
	int header_done;
	/* batch */
	struct sp_rowstore *store;
	struct sp_flagger flagger;
	char cur_symbol[SP_SYMBOL_MAX];
	json_t *conflicts;
	/* stream */
	struct symstate *syms;
	size_t nsyms, capsyms;
	size_t *symhash;	/* index + 1, 0 empty */
	size_t symhashcap;
	int failed;		/* an input or output failed: exit 1 */
	int stop;		/* stdout closed: end quietly */
};

/* Write the JSON summary to o->summary: 0, or -1 after a message. */
int sp_clean_summary_write(struct job *j);

/* The two lines of counts on stderr. */
void sp_clean_summary_print(struct job *j);

#endif
