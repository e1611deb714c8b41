/* output.c - buffered, atomic, optionally compressed output. */
#include "output.h"
#include "usage.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>
#include "banned.h"

enum { BUF_SIZE = 1 << 16, ZLEVEL = 3, MAX_TEMPS = 64 };

struct sp_output {
	char *name;		/* target path or "-" */
	char *tmp;		/* temporary path, NULL for stdout */
	int fd;
	unsigned char buf[BUF_SIZE];
	size_t len;
	ZSTD_CStream *zs;
	unsigned char *zbuf;
	size_t zbuf_size;
	int failed, closed_pipe;
	int own_fd;		/* a device or FIFO opened directly: close it */
	int nosync;		/* SP_OUTPUT_NOSYNC */
};

/*
 * Temporary files to remove if a signal ends the process.  A fixed array of
 * pointers the handler may read without locks; slots are set and cleared
 * only outside the handler.
 */
static char *volatile temps[MAX_TEMPS];

static void on_fatal_signal(int sig)
{
	for (int i = 0; i < MAX_TEMPS; i++)
		if (temps[i])
			unlink(temps[i]);
	signal(sig, SIG_DFL);
	raise(sig);
}

static const int cleanup_signals[] = { SIGINT, SIGTERM, SIGHUP };

void sp_output_install_signal_cleanup(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fatal_signal;
	sigemptyset(&sa.sa_mask);
	/* A signal the parent ignored (nohup, a background job) stays ignored. */
	for (size_t i = 0; i < sizeof(cleanup_signals) / sizeof(cleanup_signals[0]); i++) {
		struct sigaction old;
		if (sigaction(cleanup_signals[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
			continue;
		sigaction(cleanup_signals[i], &sa, NULL);
	}
}

static void temp_register(char *path)
{
	for (int i = 0; i < MAX_TEMPS; i++)
		if (!temps[i]) {
			temps[i] = path;
			return;
		}
}

static void temp_forget(const char *path)
{
	for (int i = 0; i < MAX_TEMPS; i++)
		if (temps[i] == path)
			temps[i] = NULL;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && !strcmp(s + n - m, suffix);
}

static int open_temp(struct sp_output *out)
{
	mode_t mask = umask(0);

	umask(mask);
	if (asprintf(&out->tmp, "%s.tmp.XXXXXX", out->name) < 0) {
		out->tmp = NULL;
		return sp_error("out of memory");
	}
	out->fd = mkostemp(out->tmp, O_CLOEXEC);
	if (out->fd < 0) {
		sp_error("%s: cannot create temporary file: %s", out->name,
			 strerror(errno));
		free(out->tmp);
		out->tmp = NULL;
		return -1;
	}
	temp_register(out->tmp);
	/* mkstemp makes 0600; a finished file gets the usual 0666 & ~umask. */
	fchmod(out->fd, 0666 & ~mask);
	return 0;
}

/*
 * A target that exists and is not a regular file (/dev/null, /dev/stdout, a
 * FIFO) is written in place: a temporary file renamed over it would replace
 * the device or FIFO itself.
 */
static int open_special(struct sp_output *out, const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0 || S_ISREG(st.st_mode) || S_ISDIR(st.st_mode))
		return 0;
	out->fd = open(path, O_WRONLY | O_CLOEXEC);
	if (out->fd < 0)
		return sp_error("%s: %s", path, strerror(errno));
	out->own_fd = 1;
	return 1;
}

struct sp_output *sp_output_open(const char *path, unsigned flags)
{
	int use_stdout = !path || !strcmp(path, "-");
	struct sp_output *out = calloc(1, sizeof(*out));
	int special = 0;

	if (!out || !(out->name = strdup(use_stdout ? "-" : path))) {
		free(out);
		sp_error("out of memory");
		return NULL;
	}
	out->fd = STDOUT_FILENO;
	out->nosync = !!(flags & SP_OUTPUT_NOSYNC);
	if (!use_stdout && ((special = open_special(out, path)) < 0 ||
			    (!special && open_temp(out) < 0))) {
		free(out->name);
		free(out);
		return NULL;
	}
	if (!(flags & SP_OUTPUT_PLAIN) &&
	    ((flags & SP_OUTPUT_ZSTD) || (!use_stdout && ends_with(path, ".zst")))) {
		out->zs = ZSTD_createCStream();
		out->zbuf_size = ZSTD_CStreamOutSize();
		out->zbuf = malloc(out->zbuf_size);
		if (!out->zs || !out->zbuf) {
			sp_error("out of memory");
			sp_output_abort(out);
			return NULL;
		}
		ZSTD_CCtx_setParameter(out->zs, ZSTD_c_compressionLevel, ZLEVEL);
	}
	return out;
}

static int write_fd(struct sp_output *out, const void *buf, size_t n)
{
	const char *p = buf;

	while (n) {
		ssize_t w = write(out->fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			out->failed = 1;
			if (errno == EPIPE && !out->tmp) {
				out->closed_pipe = 1;
				return -1;
			}
			return sp_error("%s: write error: %s", out->name,
					strerror(errno));
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Compress BUF (or, with END, finish the frame) into the descriptor. */
static int write_zstd(struct sp_output *out, const void *buf, size_t n, int end)
{
	ZSTD_inBuffer in = { buf, n, 0 };
	size_t left;

	do {
		ZSTD_outBuffer zo = { out->zbuf, out->zbuf_size, 0 };
		left = ZSTD_compressStream2(out->zs, &zo, &in,
					    end ? ZSTD_e_end : ZSTD_e_continue);
		if (ZSTD_isError(left)) {
			out->failed = 1;
			return sp_error("%s: zstd: %s", out->name,
					ZSTD_getErrorName(left));
		}
		if (zo.pos && write_fd(out, out->zbuf, zo.pos) < 0)
			return -1;
	} while (end ? left != 0 : in.pos < in.size);
	return 0;
}

static int drain(struct sp_output *out)
{
	int r;

	if (!out->len)
		return 0;
	r = out->zs ? write_zstd(out, out->buf, out->len, 0)
		    : write_fd(out, out->buf, out->len);
	out->len = 0;
	return r;
}

int sp_output_write(struct sp_output *out, const void *buf, size_t n)
{
	if (out->failed)
		return -1;
	if (out->len + n > BUF_SIZE) {
		if (drain(out) < 0)
			return -1;
		if (n > BUF_SIZE)
			return out->zs ? write_zstd(out, buf, n, 0)
				       : write_fd(out, buf, n);
	}
	memcpy(out->buf + out->len, buf, n);
	out->len += n;
	return 0;
}

int sp_output_flush(struct sp_output *out)
{
	if (out->failed)
		return -1;
	if (drain(out) < 0)
		return -1;
	if (out->zs) {
		/* A streaming reader of a .zst file needs whole blocks. */
		ZSTD_inBuffer in = { NULL, 0, 0 };
		size_t left;
		do {
			ZSTD_outBuffer zo = { out->zbuf, out->zbuf_size, 0 };
			left = ZSTD_compressStream2(out->zs, &zo, &in, ZSTD_e_flush);
			if (ZSTD_isError(left))
				return sp_error("%s: zstd: %s", out->name,
						ZSTD_getErrorName(left));
			if (zo.pos && write_fd(out, out->zbuf, zo.pos) < 0)
				return -1;
		} while (left);
	}
	return 0;
}

int sp_output_closed(const struct sp_output *out)
{
	return out->closed_pipe;
}

const char *sp_output_name(const struct sp_output *out)
{
	return out->name;
}

static void release(struct sp_output *out)
{
	if (out->tmp) {
		temp_forget(out->tmp);
		free(out->tmp);
	}
	ZSTD_freeCStream(out->zs);
	free(out->zbuf);
	free(out->name);
	free(out);
}

/* fsync the directory so that the rename itself survives a crash. */
static void sync_dir(const char *path)
{
	char *copy = strdup(path);
	int fd;

	if (!copy)
		return;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(copy);
}

int sp_output_close(struct sp_output *out)
{
	int r = 0;

	if (!out)
		return 0;
	if (!out->failed) {
		r = drain(out);
		if (!r && out->zs)
			r = write_zstd(out, NULL, 0, 1);
	} else {
		r = -1;
	}
	if (out->tmp) {
		if (!r && !out->nosync && fsync(out->fd) < 0)
			r = sp_error("%s: fsync: %s", out->name, strerror(errno));
		if (close(out->fd) < 0 && !r)
			r = sp_error("%s: close: %s", out->name, strerror(errno));
		if (!r && rename(out->tmp, out->name) < 0)
			r = sp_error("%s: cannot rename into place: %s", out->name,
				     strerror(errno));
		if (r)
			unlink(out->tmp);
		else if (!out->nosync)
			sync_dir(out->name);
	} else if (out->own_fd && close(out->fd) < 0 && !r && !out->closed_pipe) {
		r = sp_error("%s: close: %s", out->name, strerror(errno));
	}
	if (out->closed_pipe)
		r = 0;
	release(out);
	return r;
}

void sp_output_abort(struct sp_output *out)
{
	if (!out)
		return;
	if (out->tmp) {
		close(out->fd);
		unlink(out->tmp);
	} else if (out->own_fd) {
		close(out->fd);
	}
	release(out);
}
