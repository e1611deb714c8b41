/*
 * test-output.c - output.c on its own: the compression flags, writes larger
 * than its buffer, stdout left open, and the temporary file removed when a
 * signal ends the process (or left beside an untouched target when the
 * process dies without a chance to clean up).
 *
 * Expected bytes are generated here and compressed data is checked with
 * libzstd directly.
 */
#include "output.h"
#include "tap.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zstd.h>

static char tmpdir[64];

static const char *tpath(const char *name)
{
	static char bufs[4][512];
	static int i;
	char *p = bufs[i++ & 3];

	snprintf(p, 512, "%s/%s", tmpdir, name);
	return p;
}

static char *slurp(const char *path, size_t *len)
{
	struct stat st;
	int fd = open(path, O_RDONLY);
	char *s;

	if (fd < 0 || fstat(fd, &st) < 0)
		return NULL;
	s = malloc((size_t)st.st_size + 1);
	if (read(fd, s, (size_t)st.st_size) != st.st_size)
		abort();
	s[st.st_size] = '\0';
	close(fd);
	*len = (size_t)st.st_size;
	return s;
}

/* Entries of the temporary directory. */
static int dir_count(char *first, size_t n)
{
	DIR *d = opendir(tmpdir);
	struct dirent *e;
	int count = 0;

	if (first)
		first[0] = '\0';
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (first && !count)
			snprintf(first, n, "%s", e->d_name);
		count++;
	}
	closedir(d);
	return count;
}

static void dir_clear(void)
{
	DIR *d = opendir(tmpdir);
	struct dirent *e;

	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			unlink(tpath(e->d_name));
	closedir(d);
}

/* N bytes of text that compresses, but not to nothing. */
static char *pattern(size_t n)
{
	char *s = malloc(n);

	for (size_t i = 0; i < n; i++)
		s[i] = (char)('a' + (i * 7 + i / 13) % 26);
	return s;
}

static int is_zstd(const char *s, size_t n)
{
	return n >= 4 && !memcmp(s, "\x28\xb5\x2f\xfd", 4);
}

/* Decompress S (one or more frames) and compare with WANT. */
static int unzstd_equals(const char *s, size_t n, const char *want, size_t wn)
{
	char *out = malloc(wn + 1);
	ZSTD_DCtx *dc = ZSTD_createDCtx();
	ZSTD_inBuffer in = { s, n, 0 };
	ZSTD_outBuffer o = { out, wn + 1, 0 };
	size_t ret = 1;
	int same;

	while (in.pos < in.size) {
		ret = ZSTD_decompressStream(dc, &o, &in);
		if (ZSTD_isError(ret))
			break;
	}
	same = !ZSTD_isError(ret) && ret == 0 && o.pos == wn && !memcmp(out, want, wn);
	ZSTD_freeDCtx(dc);
	free(out);
	return same;
}

static void test_plain_and_big(void)
{
	size_t big = 3 << 20, len;
	char *data = pattern(big), *got;
	struct sp_output *out = sp_output_open(tpath("plain.csv"), 0);

	ok(out != NULL, "open a file");
	is_str(sp_output_name(out), tpath("plain.csv"), "its name is the path");
	ok(sp_output_write(out, "head\n", 5) == 0, "a small write");
	ok(sp_output_write(out, data, big) == 0, "a 3 MB write, larger than the buffer");
	ok(sp_output_write(out, data, 100) == 0, "another small write");
	ok(sp_output_flush(out) == 0, "flush");
	ok(sp_output_write(out, "tail\n", 5) == 0, "a write after flush");
	ok(sp_output_close(out) == 0, "close");
	got = slurp(tpath("plain.csv"), &len);
	ok(got && len == 5 + big + 100 + 5 && !memcmp(got, "head\n", 5) &&
	   !memcmp(got + 5, data, big) && !memcmp(got + 5 + big, data, 100) &&
	   !memcmp(got + 5 + big + 100, "tail\n", 5),
	   "the bytes arrive in order");
	free(got);
	is_int(dir_count(NULL, 0), 1, "no temporary file left");

	out = sp_output_open(tpath("big.zst"), 0);
	sp_output_write(out, "head\n", 5);
	sp_output_write(out, data, big);
	sp_output_flush(out);
	sp_output_write(out, data, 1000);
	ok(sp_output_close(out) == 0, "close a .zst output");
	got = slurp(tpath("big.zst"), &len);
	char *want = malloc(5 + big + 1000);
	memcpy(want, "head\n", 5);
	memcpy(want + 5, data, big);
	memcpy(want + 5 + big, data, 1000);
	ok(is_zstd(got, len), ".zst output is zstd");
	ok(len < big / 4, "and smaller than its text");
	ok(unzstd_equals(got, len, want, 5 + big + 1000),
	   "3 MB through zstd, with a flush in between, decompresses to the text");
	free(got);
	free(want);
	free(data);
	dir_clear();
}

static void test_flags(void)
{
	size_t len;
	char *got;
	struct sp_output *out;

	out = sp_output_open(tpath("forced.csv"), SP_OUTPUT_ZSTD);
	sp_output_write(out, "a,b\n1,2\n", 8);
	sp_output_close(out);
	got = slurp(tpath("forced.csv"), &len);
	ok(is_zstd(got, len) && unzstd_equals(got, len, "a,b\n1,2\n", 8),
	   "SP_OUTPUT_ZSTD compresses without a .zst name");
	free(got);

	out = sp_output_open(tpath("plain.zst"), SP_OUTPUT_PLAIN);
	sp_output_write(out, "a,b\n1,2\n", 8);
	sp_output_close(out);
	got = slurp(tpath("plain.zst"), &len);
	ok(len == 8 && !memcmp(got, "a,b\n1,2\n", 8), "SP_OUTPUT_PLAIN never compresses");
	free(got);

	out = sp_output_open(tpath("x.zstd"), 0);
	sp_output_write(out, "x\n", 2);
	sp_output_close(out);
	got = slurp(tpath("x.zstd"), &len);
	ok(len == 2 && !memcmp(got, "x\n", 2), "only the .zst suffix compresses");
	free(got);

	out = sp_output_open(tpath("empty.zst"), 0);
	ok(sp_output_close(out) == 0, "close an empty .zst output");
	got = slurp(tpath("empty.zst"), &len);
	ok(is_zstd(got, len) && unzstd_equals(got, len, "", 0),
	   "an empty .zst output is a valid empty frame");
	free(got);
	dir_clear();
}

static void test_stdout(void)
{
	struct sp_output *out;
	int saved, fds[2];
	char buf[64];
	ssize_t n;

	fflush(stdout);
	if (pipe(fds) < 0)
		abort();
	saved = dup(1);
	dup2(fds[1], 1);
	close(fds[1]);
	out = sp_output_open(NULL, 0);
	sp_output_write(out, "to stdout\n", 10);
	int name_ok = !strcmp(sp_output_name(out), "-");
	int closed = sp_output_close(out);
	int still_open = fcntl(1, F_GETFD) != -1;
	out = sp_output_open("-", SP_OUTPUT_PLAIN);
	sp_output_write(out, "again\n", 6);
	sp_output_close(out);
	dup2(saved, 1);
	close(saved);
	n = read(fds[0], buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	close(fds[0]);
	ok(name_ok, "stdout's name is \"-\"");
	ok(closed == 0, "close stdout output");
	ok(still_open, "fd 1 stays open after close");
	is_str(buf, "to stdout\nagain\n", "NULL and \"-\" both write to stdout");
}

static void test_signals(void)
{
	static const char old[] = "old contents\n";
	char first[256];
	pid_t pid;
	int st;
	size_t len;
	char *got;

	/* SIGTERM with the cleanup handlers: the temporary file goes away */
	int fd = open(tpath("t.csv"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (write(fd, old, sizeof(old) - 1) != (ssize_t)(sizeof(old) - 1))
		abort();
	close(fd);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct sp_output *a, *b;
		sp_output_install_signal_cleanup();
		a = sp_output_open(tpath("t.csv"), 0);
		b = sp_output_open(tpath("u.csv.zst"), 0);
		sp_output_write(a, "new\n", 4);
		sp_output_write(b, "new\n", 4);
		sp_output_flush(a);
		if (dir_count(NULL, 0) != 3)
			_exit(3);
		raise(SIGTERM);
		_exit(4);
	}
	waitpid(pid, &st, 0);
	ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM, "SIGTERM still kills the process");
	is_int(dir_count(first, sizeof(first)), 1, "and its temporary files are removed");
	is_str(first, "t.csv", "leaving only the old target");
	got = slurp(tpath("t.csv"), &len);
	is_str(got, old, "untouched");
	free(got);

	/* killed without a chance to clean up: the target is still whole */
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct sp_output *a = sp_output_open(tpath("t.csv"), 0);
		char *data = pattern(1 << 20);
		sp_output_write(a, data, 1 << 20);
		sp_output_flush(a);
		raise(SIGKILL);
		_exit(4);
	}
	waitpid(pid, &st, 0);
	ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "SIGKILL mid-write");
	got = slurp(tpath("t.csv"), &len);
	is_str(got, old, "the target keeps its old contents");
	free(got);
	is_int(dir_count(NULL, 0), 2, "beside a stray temporary file");
	dir_clear();
}

int main(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/sp-test-output.XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	test_plain_and_big();
	test_flags();
	test_stdout();
	test_signals();
	dir_clear();
	rmdir(tmpdir);
	return tap_done();
}
