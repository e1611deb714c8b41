/*
 * tap.h - a small TAP harness for the unit tests: one header, no library.
 *
 * Each test binary calls the ok()/is_*() macros and ends with
 * `return tap_done();`, which prints the plan and returns non-zero on failure.
 */
#ifndef SP_TAP_H
#define SP_TAP_H

#include <math.h>
#include <stdio.h>
#include <string.h>

static int tap_count, tap_failed;

static inline int tap_ok(int cond, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#include <stdarg.h>
static inline int tap_ok(int cond, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	tap_count++;
	if (!cond)
		tap_failed++;
	printf("%s %d - ", cond ? "ok" : "not ok", tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!cond)
		printf("#   failed at %s:%d\n", file, line);
	return cond;
}

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

#define is_int(got, want, name)                                                   \
	do {                                                                      \
		long long g_ = (long long)(got), w_ = (long long)(want);          \
		if (!ok(g_ == w_, "%s", name))                                    \
			printf("#   got %lld, want %lld\n", g_, w_);               \
	} while (0)

#define is_str(got, want, name)                                                   \
	do {                                                                      \
		const char *g_ = (got), *w_ = (want);                             \
		int same_ = (g_ && w_) ? strcmp(g_, w_) == 0 : g_ == w_;          \
		if (!ok(same_, "%s", name))                                       \
			printf("#   got '%s', want '%s'\n", g_ ? g_ : "(null)",     \
			       w_ ? w_ : "(null)");                                \
	} while (0)

/* Relative closeness, for values computed two ways. */
#define is_close(got, want, rel, name)                                            \
	do {                                                                      \
		double g_ = (got), w_ = (want);                                   \
		double d_ = fabs(g_ - w_), s_ = fabs(w_) > 1 ? fabs(w_) : 1;      \
		if (!ok(d_ <= (rel) * s_, "%s", name))                            \
			printf("#   got %.17g, want %.17g\n", g_, w_);             \
	} while (0)

static inline int tap_done(void)
{
	printf("1..%d\n", tap_count);
	if (tap_failed)
		printf("# %d of %d failed\n", tap_failed, tap_count);
	return tap_failed != 0;
}

#endif
