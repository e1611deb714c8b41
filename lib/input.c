/* input.c - byte input with transparent zstd, from files, pipes and memory. */
#include "input.h"
#include "usage.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>
#include "banned.h"

enum { RAW_SIZE = 1 << 17 };

struct sp_input {
	char *name;
	int fd;			/* -1 for memory input */
	const unsigned char *mem;	/* memory input, else NULL */
	size_t mem_len, mem_pos;
	unsigned char *raw;	/* compressed bytes read ahead, or sniffed bytes */
	size_t raw_len, raw_pos;
	int eof;		/* no more raw bytes */
	ZSTD_DStream *zs;	/* set when the input is compressed */
	int frame_done;		/* last frame ended cleanly */
	int failed;
	void (*on_wait)(void *);
	void *on_wait_arg;
};

static const unsigned char zstd_magic[4] = { 0x28, 0xb5, 0x2f, 0xfd };

/* Fill in->raw from the source; returns bytes added, 0 at end, -1 on error. */
static ssize_t fill_raw(struct sp_input *in)
{
	ssize_t n;

	if (in->raw_pos == in->raw_len)
		in->raw_pos = in->raw_len = 0;
	if (in->raw_len == RAW_SIZE)
		return 0;
	if (in->mem) {
		size_t take = in->mem_len - in->mem_pos;
		if (take > RAW_SIZE - in->raw_len)
			take = RAW_SIZE - in->raw_len;
		memcpy(in->raw + in->raw_len, in->mem + in->mem_pos, take);
		in->mem_pos += take;
		in->raw_len += take;
		n = (ssize_t)take;
	} else {
		if (in->on_wait)
			in->on_wait(in->on_wait_arg);
		do
			n = read(in->fd, in->raw + in->raw_len, RAW_SIZE - in->raw_len);
		while (n < 0 && errno == EINTR);
		if (n < 0)
			return sp_error("%s: read error: %s", in->name, strerror(errno));
		in->raw_len += (size_t)n;
	}
	if (n == 0)
		in->eof = 1;
	return n;
}

static struct sp_input *input_new(const char *name)
{
	struct sp_input *in = calloc(1, sizeof(*in));

	if (!in)
		return NULL;
	in->fd = -1;
	in->name = strdup(name);
	in->raw = malloc(RAW_SIZE);
	if (!in->name || !in->raw) {
		free(in->name);
		free(in->raw);
		free(in);
		return NULL;
	}
	return in;
}

/* Read the first bytes and decide whether they are zstd. */
static int sniff(struct sp_input *in)
{
	while (!in->eof && in->raw_len < sizeof(zstd_magic))
		if (fill_raw(in) < 0)
			return -1;
	if (in->raw_len >= sizeof(zstd_magic) &&
	    !memcmp(in->raw, zstd_magic, sizeof(zstd_magic))) {
		in->zs = ZSTD_createDStream();
		if (!in->zs)
			return sp_error("%s: out of memory", in->name);
		ZSTD_initDStream(in->zs);
	}
	return 0;
}

struct sp_input *sp_input_open(const char *path)
{
	int use_stdin = !path || !strcmp(path, "-");
	struct sp_input *in = input_new(use_stdin ? "-" : path);

	if (!in) {
		sp_error("out of memory");
		return NULL;
	}
	if (use_stdin) {
		in->fd = STDIN_FILENO;
	} else {
		in->fd = open(path, O_RDONLY | O_CLOEXEC);
		if (in->fd < 0) {
			sp_error("%s: %s", path, strerror(errno));
			sp_input_close(in);
			return NULL;
		}
	}
	if (sniff(in) < 0) {
		sp_input_close(in);
		return NULL;
	}
	return in;
}

struct sp_input *sp_input_open_mem(const void *buf, size_t len, const char *name)
{
	struct sp_input *in = input_new(name ? name : "(memory)");

	if (!in) {
		sp_error("out of memory");
		return NULL;
	}
	in->mem = buf ? buf : (const void *)"";
	in->mem_len = len;
	if (sniff(in) < 0) {
		sp_input_close(in);
		return NULL;
	}
	return in;
}

static ssize_t read_plain(struct sp_input *in, void *buf, size_t n)
{
	size_t have = in->raw_len - in->raw_pos;

	/* Bytes sniffed or buffered first; then straight from the source. */
	if (!have) {
		if (in->eof)
			return 0;
		if (!in->mem && n >= RAW_SIZE) {
			ssize_t r;
			if (in->on_wait)
				in->on_wait(in->on_wait_arg);
			do
				r = read(in->fd, buf, n);
			while (r < 0 && errno == EINTR);
			if (r < 0)
				return sp_error("%s: read error: %s", in->name,
						strerror(errno));
			if (r == 0)
				in->eof = 1;
			return r;
		}
		if (fill_raw(in) < 0)
			return -1;
		have = in->raw_len - in->raw_pos;
		if (!have)
			return 0;
	}
	if (n > have)
		n = have;
	memcpy(buf, in->raw + in->raw_pos, n);
	in->raw_pos += n;
	return (ssize_t)n;
}

static ssize_t read_zstd(struct sp_input *in, void *buf, size_t n)
{
	ZSTD_outBuffer out = { buf, n, 0 };

	for (;;) {
		/* Called with no new input too: the decoder may hold output. */
		ZSTD_inBuffer zin = { in->raw, in->raw_len, in->raw_pos };
		size_t ret = ZSTD_decompressStream(in->zs, &out, &zin);
		ssize_t got;

		if (ZSTD_isError(ret))
			return sp_error("%s: corrupt zstd data: %s", in->name,
					ZSTD_getErrorName(ret));
		/* ret == 0: a frame ended; another may follow (concatenated).
		 * A call that moved nothing says nothing about frames. */
		if (zin.pos != in->raw_pos || out.pos)
			in->frame_done = ret == 0;
		in->raw_pos = zin.pos;
		if (out.pos > 0)
			return (ssize_t)out.pos;
		if (in->raw_pos < in->raw_len)
			continue;
		got = in->eof ? 0 : fill_raw(in);
		if (got < 0)
			return -1;
		if (got == 0) {
			if (!in->frame_done)
				return sp_error("%s: truncated zstd data", in->name);
			return 0;
		}
	}
}

ssize_t sp_input_read(struct sp_input *in, void *buf, size_t n)
{
	ssize_t r;

	if (in->failed)
		return -1;
	if (n == 0)
		return 0;
	r = in->zs ? read_zstd(in, buf, n) : read_plain(in, buf, n);
	if (r < 0)
		in->failed = 1;
	return r;
}

void sp_input_on_wait(struct sp_input *in, void (*fn)(void *), void *arg)
{
	in->on_wait = fn;
	in->on_wait_arg = arg;
}

const char *sp_input_name(const struct sp_input *in)
{
	return in->name;
}

int sp_input_compressed(const struct sp_input *in)
{
	return in->zs != NULL;
}

void sp_input_close(struct sp_input *in)
{
	if (!in)
		return;
	if (in->fd > STDIN_FILENO)
		close(in->fd);
	ZSTD_freeDStream(in->zs);
	free(in->raw);
	free(in->name);
	free(in);
}
