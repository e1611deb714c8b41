/* registry.c - model versions in directories, a current link, a run log and a lock. */
#include "registry.h"
#include "usage.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include "banned.h"

/*
 * Everything inside DIR/NAME is reached through the directory descriptor
 * with the *at() calls, so that the handle keeps working on the directory it
 * opened; paths are built only for messages and for sp_registry_path().
 */
struct sp_registry {
	char *root;		/* DIR/NAME, for messages and paths */
	int dirfd;		/* DIR/NAME */
	int lockfd;		/* DIR/NAME/.lock */
	char *path;		/* the last sp_registry_path() */
	unsigned tmp_seq;	/* for temporary link names */
};

static const char CURRENT[] = "current", RUNS[] = "runs.ndjson", LOCK[] = ".lock";

/* Room for "v" and the digits of INT_MAX, and a NUL. */
enum { VNAME_SIZE = 16, TMP_TRIES = 100 };

static int name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > SP_REGISTRY_NAME_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		int alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			    (c >= '0' && c <= '9');
		if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-')))
			return 0;
	}
	return 1;
}

/* N if S is exactly "vN" with N in 1..INT_MAX written without leading zeros, else 0. */
static int parse_version(const char *s)
{
	long n = 0;

	if (s[0] != 'v' || s[1] < '1' || s[1] > '9')
		return 0;
	for (s++; *s; s++) {
		if (*s < '0' || *s > '9')
			return 0;
		n = n * 10 + (*s - '0');
		if (n > INT_MAX)
			return 0;
	}
	return (int)n;
}

static void version_name(char *buf, int version)
{
	snprintf(buf, VNAME_SIZE, "v%d", version);
}

/* fsync a directory so that an entry made in it survives a crash; best effort, as output.c. */
static void sync_dirfd(int fd)
{
	fsync(fd);
}

/* mkdir -p DIR; an existing non-directory is left to the open that follows. */
static int make_dirs(const char *dir)
{
	char *copy = strdup(dir);
	struct stat st;

	if (!copy)
		return sp_error("out of memory");
	for (char *p = copy + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;
		*p = '\0';
		int err = mkdir(copy, 0777) < 0 ? errno : 0;
		if (err && err != EEXIST && (stat(copy, &st) < 0 || !S_ISDIR(st.st_mode))) {
			sp_error("%s: cannot create directory: %s", copy, strerror(err));
			free(copy);
			return -1;
		}
		*p = c;
		if (!c)
			break;
		while (p[1] == '/')
			p++;
	}
	free(copy);
	return 0;
}

struct sp_registry *sp_registry_open(const char *dir, const char *name)
{
	struct sp_registry *reg;
	size_t dlen;

	if (!dir || !*dir) {
		sp_error("model registry: empty directory name");
		return NULL;
	}
	if (!name || !name_ok(name)) {
		sp_error("'%s': bad model name (want [A-Za-z0-9][A-Za-z0-9._-]*, at most %d bytes)",
			 name ? name : "", SP_REGISTRY_NAME_MAX);
		return NULL;
	}
	reg = calloc(1, sizeof(*reg));
	if (!reg) {
		sp_error("out of memory");
		return NULL;
	}
	reg->dirfd = reg->lockfd = -1;
	dlen = strlen(dir);
	while (dlen > 1 && dir[dlen - 1] == '/')
		dlen--;
	if (asprintf(&reg->root, "%.*s%s%s", (int)dlen, dir,
		     dir[dlen - 1] == '/' ? "" : "/", name) < 0) {
		reg->root = NULL;
		sp_error("out of memory");
		goto fail;
	}
	if (make_dirs(reg->root) < 0)
		goto fail;
	reg->dirfd = open(reg->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (reg->dirfd < 0) {
		sp_error("%s: %s", reg->root, strerror(errno));
		goto fail;
	}
	reg->lockfd = openat(reg->dirfd, LOCK, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	if (reg->lockfd < 0) {
		sp_error("%s/%s: %s", reg->root, LOCK, strerror(errno));
		goto fail;
	}
	return reg;
fail:
	sp_registry_close(reg);
	return NULL;
}

void sp_registry_close(struct sp_registry *reg)
{
	if (!reg)
		return;
	/*
	 * No LOCK_UN: closing the last descriptor of the lock file releases
	 * the lock, and a forked child closing its copy leaves it alone.
	 */
	if (reg->lockfd >= 0)
		close(reg->lockfd);
	if (reg->dirfd >= 0)
		close(reg->dirfd);
	free(reg->path);
	free(reg->root);
	free(reg);
}

int sp_registry_lock(struct sp_registry *reg)
{
	while (flock(reg->lockfd, LOCK_EX) < 0)
		if (errno != EINTR)
			return sp_error("%s/%s: cannot lock: %s", reg->root, LOCK,
					strerror(errno));
	return 0;
}

int sp_registry_unlock(struct sp_registry *reg)
{
	if (flock(reg->lockfd, LOCK_UN) < 0)
		return sp_error("%s/%s: cannot unlock: %s", reg->root, LOCK, strerror(errno));
	return 0;
}

/* Highest vN in the directory: of any kind of entry, or of directories only. */
static int scan(struct sp_registry *reg, int dirs_only, int *max)
{
	int fd = openat(reg->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	struct dirent *e;
	struct stat st;

	if (!d) {
		int err = errno;
		if (fd >= 0)
			close(fd);
		return sp_error("%s: %s", reg->root, strerror(err));
	}
	*max = 0;
	for (;;) {
		errno = 0;
		if (!(e = readdir(d)))
			break;
		int n = parse_version(e->d_name);
		if (n <= *max)
			continue;
		if (dirs_only && e->d_type != DT_DIR &&
		    (e->d_type != DT_UNKNOWN ||
		     fstatat(reg->dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		     !S_ISDIR(st.st_mode)))
			continue;
		*max = n;
	}
	if (errno) {
		int err = errno;
		closedir(d);
		return sp_error("%s: %s", reg->root, strerror(err));
	}
	closedir(d);
	return 0;
}

int sp_registry_latest(struct sp_registry *reg, int *version)
{
	return scan(reg, 1, version);
}

int sp_registry_new_version(struct sp_registry *reg, int *version)
{
	char vname[VNAME_SIZE];
	int n;

	if (scan(reg, 0, &n) < 0)
		return -1;
	for (;;) {
		if (n == INT_MAX)
			return sp_error("%s: no version numbers left", reg->root);
		version_name(vname, ++n);
		if (mkdirat(reg->dirfd, vname, 0777) == 0)
			break;
		if (errno != EEXIST)
			return sp_error("%s/%s: cannot create directory: %s", reg->root, vname,
					strerror(errno));
		/* another process took N: try the next one */
	}
	sync_dirfd(reg->dirfd);
	*version = n;
	return 0;
}

const char *sp_registry_path(struct sp_registry *reg, int version, const char *file)
{
	free(reg->path);
	reg->path = NULL;
	if (version < 1) {
		sp_error("%s: bad version %d", reg->root, version);
		return NULL;
	}
	if (asprintf(&reg->path, "%s/v%d%s%s", reg->root, version, file ? "/" : "",
		     file ? file : "") < 0) {
		reg->path = NULL;
		sp_error("out of memory");
		return NULL;
	}
	return reg->path;
}

/* 1 if VNAME is a directory, 0 if it is missing or something else, -1 after a message. */
static int version_exists(struct sp_registry *reg, const char *vname)
{
	struct stat st;

	if (fstatat(reg->dirfd, vname, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return S_ISDIR(st.st_mode);
	if (errno == ENOENT)
		return 0;
	return sp_error("%s/%s: %s", reg->root, vname, strerror(errno));
}

int sp_registry_current(struct sp_registry *reg, int *version)
{
	char target[256];
	ssize_t n = readlinkat(reg->dirfd, CURRENT, target, sizeof(target) - 1);
	int v;

	if (n < 0) {
		if (errno == ENOENT)
			return 0;
		if (errno == EINVAL)
			return sp_error("%s/%s: not a symbolic link", reg->root, CURRENT);
		return sp_error("%s/%s: %s", reg->root, CURRENT, strerror(errno));
	}
	target[n] = '\0';
	v = parse_version(target);
	if (!v)
		return sp_error("%s/%s: points at '%s', not a version vN", reg->root, CURRENT,
				target);
	switch (version_exists(reg, target)) {
	case 0:
		return sp_error("%s/%s: points at %s, which is not a version directory",
				reg->root, CURRENT, target);
	case -1:
		return -1;
	}
	*version = v;
	return 1;
}

int sp_registry_set_current(struct sp_registry *reg, int version)
{
	char vname[VNAME_SIZE], tmp[64];
	int tries = 0;

	if (version < 1)
		return sp_error("%s: bad version %d", reg->root, version);
	version_name(vname, version);
	switch (version_exists(reg, vname)) {
	case 0:
		return sp_error("%s/%s: no such version directory", reg->root, vname);
	case -1:
		return -1;
	}
	/* A temporary name of this process; a stale one left by a crash is skipped. */
	for (;;) {
		snprintf(tmp, sizeof(tmp), ".%s.%ld.%u.tmp", CURRENT, (long)getpid(),
			 reg->tmp_seq++);
		if (symlinkat(vname, reg->dirfd, tmp) == 0)
			break;
		if (errno != EEXIST || ++tries == TMP_TRIES)
			return sp_error("%s/%s: cannot create link: %s", reg->root, tmp,
					strerror(errno));
	}
	if (renameat(reg->dirfd, tmp, reg->dirfd, CURRENT) < 0) {
		int err = errno;
		unlinkat(reg->dirfd, tmp, 0);
		return sp_error("%s/%s: cannot replace: %s", reg->root, CURRENT, strerror(err));
	}
	sync_dirfd(reg->dirfd);
	return 0;
}

int sp_registry_log(struct sp_registry *reg, const char *line)
{
	size_t len = strlen(line);
	char *buf;
	ssize_t w;
	int fd, created, r = 0;

	if (memchr(line, '\n', len))
		return sp_error("%s/%s: a log line must not contain a newline", reg->root, RUNS);
	buf = malloc(len + 1);
	if (!buf)
		return sp_error("out of memory");
	memcpy(buf, line, len);
	buf[len] = '\n';
	/* Whoever creates the file makes its directory entry durable too. */
	fd = openat(reg->dirfd, RUNS, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	created = fd >= 0;
	if (fd < 0 && errno == EEXIST)
		fd = openat(reg->dirfd, RUNS, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0) {
		r = sp_error("%s/%s: %s", reg->root, RUNS, strerror(errno));
		goto out;
	}
	/* One write: a signal before any byte is written retries, after some it cannot. */
	do
		w = write(fd, buf, len + 1);
	while (w < 0 && errno == EINTR);
	if (w < 0)
		r = sp_error("%s/%s: write error: %s", reg->root, RUNS, strerror(errno));
	else if ((size_t)w != len + 1)
		r = sp_error("%s/%s: short write (%zd of %zu bytes)", reg->root, RUNS, w,
			     len + 1);
	if (!r && fsync(fd) < 0)
		r = sp_error("%s/%s: fsync: %s", reg->root, RUNS, strerror(errno));
	if (close(fd) < 0 && !r)
		r = sp_error("%s/%s: close: %s", reg->root, RUNS, strerror(errno));
	if (!r && created)
		sync_dirfd(reg->dirfd);
out:
	free(buf);
	return r;
}
