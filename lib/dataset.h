/*
 * dataset.h - a features file (contracts.md "Features") in memory, in date
 * order, for training and evaluating models.  The caller owns the struct
 * sp_dataset; sp_dataset_release() frees everything it points to.
 */
#ifndef SP_DATASET_H
#define SP_DATASET_H

#include <stddef.h>
#include <stdint.h>

/* What to read.  Arrays belong to the caller. */
struct sp_dataset_options {
	const char *target;		/* NULL: the only y_ret_N / y_logret_N column */
	const char *const *features;	/* NULL: every numeric column but the keys */
	size_t nfeatures;
	const char *const *exclude;	/* columns never used as features */
	size_t nexclude;
	int keep_missing;		/* keep rows with a missing feature (gbdt) */
};

struct sp_dataset {
	size_t n, nfeat;
	char **feat;		/* feature names, in model order */
	char *target;		/* y_ret_5 ... */
	int horizon;		/* the N of the target's name */
	int logret;		/* 1 for y_logret_N */
	int intraday;		/* dates are UTC seconds, not days */

	/* Rows sorted by date, then symbol: every date is one contiguous run. */
	double *x;		/* n * nfeat, row-major; NAN where missing */
	double *y;		/* the target, always finite */
	double *close;		/* the traded close, NAN if missing */
	double *mom;		/* the past horizon's return: the momentum baseline */
	int64_t *when;		/* sp_day, or UTC seconds when intraday */
	uint32_t *sym;		/* index into syms */
	int32_t *date;		/* dense index of when: 0 .. ndates-1 */
	size_t *date_start;	/* ndates + 1: rows of date d are [start[d], start[d+1]) */
	size_t ndates;

	char **syms;		/* sorted */
	size_t nsyms;

	/* Rows read and why some were left out: every row is accounted for. */
	size_t rows_read, rows_no_target, rows_missing;
	char **ignored;		/* automatic feature columns left out: text, or
				 * without a value in any row */
	size_t nignored;
	uint64_t fingerprint;	/* FNV-1a of the rows used, in input order */
};

void sp_dataset_init(struct sp_dataset *ds);

/*
 * Read the features files PATHS (NULL or "-" for stdin; CSV or NDJSON, zstd
 * or not) into DS.  Rows without a target are left out (the last horizon of
 * each symbol); rows with a missing feature too unless O->keep_missing.
 * Returns 0, or -1 after a "FILE:LINE: ..." message: unreadable input, a
 * bad row, a named feature the input lacks, a non-numeric feature value, no
 * rows left.  DS then holds nothing to free beyond sp_dataset_release().
 */
int sp_dataset_read(struct sp_dataset *ds, const char *const *paths, size_t npaths,
		    const struct sp_dataset_options *o);

/*
 * The rows of symbol SYM of SRC as a dataset of its own in DST (copied;
 * sp_dataset_release() frees it), and in ROWS (n of DST entries, the
 * caller's) the index in SRC of each of DST's rows.  0, or -1 after a message.
 */
int sp_dataset_subset(const struct sp_dataset *src, uint32_t sym, struct sp_dataset *dst,
		      size_t *rows);

/* Horizon N of a target name y_ret_N or y_logret_N; 0 if NAME is not one. */
int sp_target_horizon(const char *name, int *logret);

/* Format row I's date as contracts.md does. */
size_t sp_dataset_date(const struct sp_dataset *ds, size_t i, char buf[32]);

void sp_dataset_release(struct sp_dataset *ds);

#endif
