/*
 * opt.h - parsing the values of command-line options, with the message every
 * tool gives for a bad one.  Pure functions on the caller's strings.
 */
#ifndef SP_OPT_H
#define SP_OPT_H

#include <getopt.h>
#include <stddef.h>

/* A finite number; 0, or -1 after "sp-TOOL: --NAME: 'TEXT' is not a number". */
int sp_opt_double(const char *name, const char *text, double *out);

/* An integer in [min, max]; 0 or -1 after a message. */
int sp_opt_long(const char *name, const char *text, long min, long max, long *out);

/* A size with an optional K, M or G suffix (powers of 1024); 0 or -1. */
int sp_opt_size(const char *name, const char *text, size_t *out);

/* After a message about a value: "Try 'sp-TOOL --help' ..."; returns SP_EXIT_USAGE. */
int sp_opt_hint(void);

/*
 * getopt_long said '?' for ARG (OPT is its optopt): name the unknown option,
 * or say that one of OPTIONS takes no value.  Returns SP_EXIT_USAGE.
 */
int sp_opt_unknown(const struct option *options, const char *arg, int opt);

#endif
