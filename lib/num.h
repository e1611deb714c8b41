/*
 * num.h - numbers as contracts.md writes them: parsed exactly, printed in the
 * shortest form that reads back to the same double.  No allocation; buffers
 * belong to the caller.  Backed by Google's double-conversion library.
 */
#ifndef SP_NUM_H
#define SP_NUM_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Longest text sp_num_format() writes, with its NUL. */
#define SP_NUM_MAX 32

/*
 * Parse a decimal number: optional sign, digits with an optional point, an
 * optional exponent.  No spaces, no hex, no inf/nan.  Returns 0 and sets *out
 * (correctly rounded) on success, -1 if the text is not such a number or is
 * out of the range of a finite double.
 */
int sp_num_parse(const char *s, size_t len, double *out);

/*
 * Write the shortest decimal that reads back to v ("1.1", "5", "1e+21",
 * "1.5e-7") with a NUL.  Returns its length, or 0 (and writes "") when v is
 * NaN or infinite, which the contract prints as a missing value.
 */
size_t sp_num_format(double v, char buf[SP_NUM_MAX]);

#ifdef __cplusplus
}
#endif

#endif
