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
	int threads;		/* 2 when read in two halves at once */
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
	json_t *conflicts;	/* every conflicting duplicate, in order */
	/* stream */
	struct symstate *syms;
	size_t nsyms, capsyms;
	size_t *symhash;	/* index + 1, 0 empty */
	size_t symhashcap;
	int failed;		/* an input or output failed: exit 1 */
	int committed;		/* the outputs were written and committed */
	int stop;		/* stdout closed: end quietly */
};

/* Count a rejected row and write it to the rejects file; 0 or -1. */
int sp_clean_reject(struct job *j, const char *source, long line, enum sp_reject why,
		    const char *detail, const char *raw, size_t raw_len);

/*
 * Map the columns of R beyond the bar's to output columns (-1: not output),
 * extending *MAP to all of R's columns; 0 or -1.
 */
int sp_clean_map_extras(struct job *j, struct sp_reader *r, const struct sp_bar_cols *bc,
			int **map, size_t *nmap);

/* Gather the current record's pass-through values into X (room for NMAP). */
size_t sp_clean_extras(const struct sp_reader *r, const int *map, size_t nmap,
		       struct sp_extra *x);

/* Open the output in the job's format, or FMT if it has none yet; 0 or -1. */
int sp_clean_open_output(struct job *j, enum sp_format fmt);

/*
 * Batch mode: read a large plain CSV file in two halves on two threads.
 * Returns 1 when done, 0 when the file does not qualify (read it the usual
 * way), -1 on failure (said).
 */
int sp_clean_read_split(struct job *j, const char *path, size_t idx);

/* The output columns: bar columns, pass-through columns, flags. */
int sp_clean_columns(struct job *j, struct sp_writer *w);

/* Write one bar with its flags to W and count it in ST; sp_writer_end()'s result. */
int sp_clean_put_bar(const struct job *j, struct sp_writer *w, struct stats *st,
		     const struct sp_bar *b, const struct sp_extra *x, size_t nx,
		     unsigned flags, long missing);
void sp_clean_note_date(struct stats *st, const struct sp_when *w);
int sp_clean_when_cmp(const struct sp_when *a, const struct sp_when *b);
int sp_clean_same_bar(const struct sp_bar *a, const struct sp_bar *b);

/* Batch mode: sort, settle duplicates, flag and write; 0 or -1. */
int sp_clean_batch_finish(struct job *j);

/* Write the JSON summary to o->summary: 0, or -1 after a message. */
int sp_clean_summary_write(struct job *j);

/* The two lines of counts on stderr. */
void sp_clean_summary_print(struct job *j);

#endif
