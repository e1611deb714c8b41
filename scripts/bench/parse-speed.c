/*
 * parse-speed.c - bench/fetch's timer for response parsing: how fast
 * sp_fetch_parse_yahoo() reads one Yahoo chart response, and how fast
 * jansson's json_loadb() builds its tree of the same bytes.  Built and run
 * by scripts/bench/fetch; not a tool.
 *
 *   parse-speed FILE [SECONDS [ROUNDS]]
 *
 * For each parser: a warm-up parse (checked: the Yahoo one must be OK),
 * then a count of repetitions that takes about SECONDS (default 1), timed
 * ROUNDS times (default 3), the best round kept.  One line per parser:
 *
 *   NAME<TAB>bytes<TAB>repetitions<TAB>seconds<TAB>MB/s<TAB>bars
 *
 * MB is 10^6 bytes; bars is what the Yahoo parser made (- for jansson).
 */
#include "fetch-parse.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL, *p;
	size_t cap = 0, got;

	if (!f) {
		fprintf(stderr, "parse-speed: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	*len = 0;
	for (;;) {
		if (*len + 65536 > cap) {
			cap = cap ? 2 * cap : 1 << 20;
			if (!(p = realloc(buf, cap))) {
				fprintf(stderr, "parse-speed: out of memory\n");
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = p;
		}
		got = fread(buf + *len, 1, cap - *len, f);
		*len += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		fprintf(stderr, "parse-speed: %s: read error\n", path);
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

struct parser {
	const char *name;
	/* One parse of BUF; 0 if it went as expected. */
	int (*run)(const char *buf, size_t len, void *arg);
	void *arg;
};

static int run_yahoo(const char *buf, size_t len, void *arg)
{
	struct sp_fetch_series *s = arg;
	char why[256];

	if (sp_fetch_parse_yahoo(buf, len, s, why, sizeof(why)) != SP_FETCH_OK) {
		fprintf(stderr, "parse-speed: sp_fetch_parse_yahoo: %s\n", why);
		return -1;
	}
	return 0;
}

static int run_jansson(const char *buf, size_t len, void *arg)
{
	json_error_t err;
	/* The flag sp's other JSON readers use; the Yahoo reader refuses
	 * duplicate keys too. */
	json_t *v = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &err);

	if (!v) {
		fprintf(stderr, "parse-speed: json_loadb: %s\n", err.text);
		return -1;
	}
	json_decref(v);
	return 0;
}

/* Seconds for N parses, or a negative number if one failed. */
static double batch(const struct parser *p, const char *buf, size_t len, long n)
{
	double t0 = now();

	for (long i = 0; i < n; i++)
		if (p->run(buf, len, p->arg) < 0)
			return -1;
	return now() - t0;
}

static int measure(const struct parser *p, const char *buf, size_t len, double target, int rounds,
		   long *reps, double *best)
{
	long n = 1;
	double t;

	if (batch(p, buf, len, 1) < 0)	/* warm-up, and the check */
		return -1;
	/* Double until a batch takes a quarter of the target, then scale. */
	while ((t = batch(p, buf, len, n)) < target / 4) {
		if (t < 0)
			return -1;
		n *= 2;
	}
	n = (long)((double)n * target / t) + 1;
	*best = -1;
	for (int r = 0; r < rounds; r++) {
		if ((t = batch(p, buf, len, n)) < 0)
			return -1;
		if (*best < 0 || t < *best)
			*best = t;
	}
	*reps = n;
	return 0;
}

int main(int argc, char **argv)
{
	struct sp_fetch_series s;
	const struct parser parsers[] = {
		{ "sp_fetch_parse_yahoo", run_yahoo, &s },
		{ "jansson json_loadb", run_jansson, NULL },
	};
	double target = argc > 2 ? atof(argv[2]) : 1.0, best;
	int rounds = argc > 3 ? atoi(argv[3]) : 3, rc = 0;
	size_t len;
	long reps;
	char *buf;

	if (argc < 2 || argc > 4 || !(target > 0) || rounds < 1) {
		fprintf(stderr, "usage: parse-speed FILE [SECONDS [ROUNDS]]\n");
		return 2;
	}
	if (!(buf = slurp(argv[1], &len)))
		return 1;
	sp_fetch_series_init(&s);
	for (size_t i = 0; i < sizeof(parsers) / sizeof(parsers[0]); i++) {
		if (measure(&parsers[i], buf, len, target, rounds, &reps, &best) < 0) {
			printf("%s\t%zu\t-\tfailed\t-\t-\n", parsers[i].name, len);
			rc = 1;
			continue;
		}
		printf("%s\t%zu\t%ld\t%.6f\t%.1f\t", parsers[i].name, len, reps, best,
		       (double)len * (double)reps / best / 1e6);
		if (parsers[i].run == run_yahoo)
			printf("%zu\n", s.nbars);
		else
			printf("-\n");
	}
	sp_fetch_series_release(&s);
	free(buf);
	return rc;
}
