/* opt.c - option values. */
#include "opt.h"
#include "num.h"
#include "usage.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "banned.h"

int sp_opt_hint(void)
{
	fprintf(stderr, "Try '%s --help' for more information.\n", sp_progname());
	return SP_EXIT_USAGE;
}

int sp_opt_unknown(const struct option *options, const char *arg, int opt)
{
	const char *eq = strchr(arg, '=');

	if (!strncmp(arg, "--", 2) && eq)
		for (const struct option *p = options; p->name; p++)
			if (p->has_arg == no_argument && strlen(p->name) == (size_t)(eq - arg - 2) &&
			    !strncmp(p->name, arg + 2, (size_t)(eq - arg - 2)))
				return sp_usage_error("option '--%s' takes no value", p->name);
	if (opt > 0 && opt < 256 && strncmp(arg, "--", 2))
		return sp_usage_error("unknown option '-%c'", opt);
	return sp_usage_error("unknown option '%s'", arg);
}

int sp_opt_double(const char *name, const char *text, double *out)
{
	if (sp_num_parse(text, strlen(text), out) < 0)
		return sp_error("--%s: '%s' is not a number", name, text);
	return 0;
}

int sp_opt_long(const char *name, const char *text, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(text, &end, 10);
	if (errno || end == text || *end || v < min || v > max)
		return sp_error("--%s: '%s' is not a whole number from %ld to %ld", name,
				text, min, max);
	*out = v;
	return 0;
}

int sp_opt_size(const char *name, const char *text, size_t *out)
{
	char *end;
	unsigned long long v;
	int shift = 0;

	errno = 0;
	v = strtoull(text, &end, 10);
	if (!errno && end != text && *text != '-') {
		switch (*end) {
		case 'k': case 'K': shift = 10; end++; break;
		case 'm': case 'M': shift = 20; end++; break;
		case 'g': case 'G': shift = 30; end++; break;
		}
		if (!*end && v && v <= (~0ULL >> shift)) {
			*out = (size_t)(v << shift);
			return 0;
		}
	}
	return sp_error("--%s: '%s' is not a size like 512M or 2G", name, text);
}
