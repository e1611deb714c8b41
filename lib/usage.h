/*
 * usage.h - the one place diagnostics are formatted.
 *
 * Every message goes to stderr as "sp-TOOL: FILE:LINE: message" or
 * "sp-TOOL: message".  The program name is a string the caller owns for the
 * life of the process (normally argv[0]'s basename, set by common-main.c).
 * Library code reports with these and returns an error; it never exits.
 */
#ifndef SP_USAGE_H
#define SP_USAGE_H

#include <stdarg.h>

/* Exit statuses of every tool (contracts.md). */
enum { SP_EXIT_OK = 0, SP_EXIT_FAIL = 1, SP_EXIT_USAGE = 2 };

void sp_progname_set(const char *name);
const char *sp_progname(void);

/* Print "sp-TOOL: message" and return -1, so that `return sp_error(...)` works. */
int sp_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print "sp-TOOL: FILE:LINE: message" (LINE omitted when <= 0) and return -1. */
int sp_error_at(const char *file, long line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Same formats, prefixed "warning: ", for conditions that do not fail the run. */
void sp_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void sp_warn_at(const char *file, long line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Print "sp-TOOL: message" and a hint to run --help; returns SP_EXIT_USAGE. */
int sp_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
