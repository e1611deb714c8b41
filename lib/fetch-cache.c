/*
 * fetch-cache.c - raw responses kept by request, zstd-compressed, so that
 * a run can be replayed byte for byte (--offline) and a re-run within the
 * time-to-live costs no request.
 *
 * A response lives in DIR/SYMBOL-HASH.zst, HASH naming the redacted URL:
 * the API key is in neither the name nor the content.
 */
#include "fetch-internal.h"

#include "input.h"
#include "output.h"
#include "usage.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "banned.h"

static void path_of(char *out, size_t n, const char *dir, const char *symbol, const char *key)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	char safe[64];
	size_t i;

	for (const char *p = key; *p; p++)
		h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
	/* The symbol only makes the directory readable; the hash decides. */
	for (i = 0; symbol[i] && i < sizeof(safe) - 1; i++) {
		char c = symbol[i];
		safe[i] = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
					  c == '.' || c == '-' || c == '^' ?
				  c :
				  '_';
	}
	safe[i] = 0;
	snprintf(out, n, "%s/%s-%016llx.zst", dir, safe, (unsigned long long)h);
}

int sp_fetch_cache_get(const char *dir, const char *symbol, const char *key, double ttl,
		       int offline, char **buf, size_t *len)
{
	char path[4352];
	struct sp_input *in;
	struct stat st;
	size_t cap = 0;
	char *b = NULL, *p;
	ssize_t got;

	path_of(path, sizeof(path), dir, symbol, key);
	if (stat(path, &st) < 0)
		return errno == ENOENT ? 0 : sp_error("%s: %s", path, strerror(errno));
	if (!offline && difftime(time(NULL), st.st_mtime) >= ttl)
		return 0;
	if (!(in = sp_input_open(path)))
		return 0;	/* said why; fetch it */
	*len = 0;
	for (;;) {
		if (*len + 65536 > cap) {
			cap = cap ? 2 * cap : 262144;
			if (!(p = realloc(b, cap + 1))) {
				free(b);
				sp_input_close(in);
				return sp_error("out of memory");
			}
			b = p;
		}
		if ((got = sp_input_read(in, b + *len, cap - *len)) <= 0)
			break;
		*len += (size_t)got;
	}
	sp_input_close(in);
	if (got < 0) {
		/* Cut short by a crash, or damaged: a miss, fetched again. */
		free(b);
		unlink(path);
		sp_warn("%s: unreadable cache entry removed", path);
		return 0;
	}
	b[*len] = 0;
	*buf = b;
	return 1;
}

int sp_fetch_cache_put(const char *dir, const char *symbol, const char *key, const char *buf,
		       size_t len)
{
	char path[4352];
	struct sp_output *out;

	if (mkdir(dir, 0777) < 0 && errno != EEXIST)
		return sp_error("%s: %s", dir, strerror(errno));
	path_of(path, sizeof(path), dir, symbol, key);
	/* A cache needs no durability: a lost entry is fetched again. */
	if (!(out = sp_output_open(path, SP_OUTPUT_ZSTD | SP_OUTPUT_NOSYNC)))
		return -1;
	if (sp_output_write(out, buf, len) < 0) {
		sp_output_abort(out);
		return -1;
	}
	return sp_output_close(out);
}

void sp_fetch_cache_drop(const char *dir, const char *symbol, const char *key)
{
	char path[4352];

	path_of(path, sizeof(path), dir, symbol, key);
	unlink(path);
}

double sp_fetch_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
