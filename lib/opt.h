/*
 * opt.h - parsing the values of command-line options, with the message every
 * tool gives for a bad one.  Pure functions on the caller's strings.
 */
#ifndef SP_OPT_H
#define SP_OPT_H

#include <stddef.h>

/* A finite number; 0, or -1 after "sp-TOOL: --NAME: 'TEXT' is not a number". */
int sp_opt_double(const char *name, const char *text, double *out);

/* An integer in [min, max]; 0 or -1 after a message. */
int sp_opt_long(const char *name, const char *text, long min, long max, long *out);

/* A size with an optional K, M or G suffix (powers of 1024); 0 or -1. */
int sp_opt_size(const char *name, const char *text, size_t *out);

#endif
