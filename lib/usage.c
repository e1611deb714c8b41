/* usage.c - diagnostics in the one format of contracts.md. */
#include "usage.h"

#include <stdio.h>
#include "banned.h"

static const char *progname = "sp";

void sp_progname_set(const char *name)
{
	progname = name;
}

const char *sp_progname(void)
{
	return progname;
}

static void vreport(const char *kind, const char *file, long line,
		    const char *fmt, va_list ap)
{
	/* One fprintf per part is fine: stderr is unbuffered but messages are
	 * short and tools are single-threaded. */
	fprintf(stderr, "%s: ", progname);
	if (file && line > 0)
		fprintf(stderr, "%s:%ld: ", file, line);
	else if (file)
		fprintf(stderr, "%s: ", file);
	if (kind)
		fputs(kind, stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

int sp_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(NULL, NULL, 0, fmt, ap);
	va_end(ap);
	return -1;
}

int sp_error_at(const char *file, long line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(NULL, file, line, fmt, ap);
	va_end(ap);
	return -1;
}

void sp_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport("warning: ", NULL, 0, fmt, ap);
	va_end(ap);
}

void sp_warn_at(const char *file, long line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport("warning: ", file, line, fmt, ap);
	va_end(ap);
}

int sp_usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(NULL, NULL, 0, fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try '%s --help' for more information.\n", progname);
	return SP_EXIT_USAGE;
}
