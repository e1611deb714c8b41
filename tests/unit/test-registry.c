/*
 * test-registry.c - registry.c on its own: names, version numbering, paths,
 * the current link and its errors, the run log, the lock; then processes
 * racing for versions and the lock, and a reader that must never find
 * current missing while another process flips it.
 *
 * Expected values are the layout written out by hand and checked with
 * readlink(2), stat(2), readdir(3) and jansson, not with registry.c.
 */
#include "registry.h"
#include "tap.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

enum { NCHILD = 4, ROUNDS = 30, NVERSIONS = NCHILD * ROUNDS, FLIPS = 2000, MIN_READS = 2000 };

static char tmpdir[64];

/* TMPDIR/REL, in one of four rotating buffers. */
static const char *tpath(const char *rel)
{
	static char bufs[4][512];
	static int i;
	char *p = bufs[i++ & 3];

	snprintf(p, 512, "%s/%s", tmpdir, rel);
	return p;
}

static int is_dir(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static char *slurp(const char *path, size_t *len)
{
	struct stat st;
	int fd = open(path, O_RDONLY);
	char *s;

	if (fd < 0 || fstat(fd, &st) < 0) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	s = malloc((size_t)st.st_size + 1);
	if (!s || read(fd, s, (size_t)st.st_size) != st.st_size)
		abort();
	s[st.st_size] = '\0';
	close(fd);
	*len = (size_t)st.st_size;
	return s;
}

/* The target of a link, or "" with errno set. */
static const char *link_of(const char *path)
{
	static char buf[256];
	ssize_t n = readlink(path, buf, sizeof(buf) - 1);

	buf[n < 0 ? 0 : n] = '\0';
	return buf;
}

/* Entries of DIR other than . and .., sorted into one comma-separated string. */
static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static const char *listing(const char *dir)
{
	static char out[4096];
	char *names[512];
	int n = 0;
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t len = 0;

	out[0] = '\0';
	if (!d)
		return out;
	while ((e = readdir(d)) && n < 512)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			names[n++] = strdup(e->d_name);
	closedir(d);
	qsort(names, (size_t)n, sizeof(names[0]), cmp_str);
	for (int i = 0; i < n; i++) {
		len += (size_t)snprintf(out + len, sizeof(out) - len, "%s%s", i ? "," : "",
					names[i]);
		free(names[i]);
	}
	return out;
}

static void rm_tree(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	char sub[1024];

	if (!d) {
		unlink(path);
		return;
	}
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
		if (e->d_type == DT_DIR)
			rm_tree(sub);
		else
			unlink(sub);
	}
	closedir(d);
	rmdir(path);
}

static int wait_ok(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return 0;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static void test_names(void)
{
	char long_name[SP_REGISTRY_NAME_MAX + 2];
	struct sp_registry *reg;

	memset(long_name, 'a', sizeof(long_name) - 1);
	long_name[SP_REGISTRY_NAME_MAX + 1] = '\0';
	ok(!sp_registry_open(tpath("names"), ""), "an empty name is rejected");
	ok(!sp_registry_open(tpath("names"), ".x"), "a name starting with '.' is rejected");
	ok(!sp_registry_open(tpath("names"), ".."), "'..' is rejected");
	ok(!sp_registry_open(tpath("names"), "-x"), "a name starting with '-' is rejected");
	ok(!sp_registry_open(tpath("names"), "a/b"), "a name with '/' is rejected");
	ok(!sp_registry_open(tpath("names"), "a b"), "a name with a space is rejected");
	ok(!sp_registry_open(tpath("names"), long_name), "a 65-byte name is rejected");
	ok(!sp_registry_open("", "m"), "an empty directory is rejected");
	is_str(listing(tmpdir), "", "and none of them created anything");

	long_name[SP_REGISTRY_NAME_MAX] = '\0';
	reg = sp_registry_open(tpath("names"), long_name);
	ok(reg != NULL, "a 64-byte name is accepted");
	sp_registry_close(reg);
	reg = sp_registry_open(tpath("names/"), "0-A.b_c");
	ok(reg != NULL, "so is 0-A.b_c, in DIR/ with a trailing slash");
	sp_registry_close(reg);
	ok(is_dir(tpath("names/0-A.b_c")), "DIR/0-A.b_c is a directory");

	int fd = open(tpath("afile"), O_WRONLY | O_CREAT, 0644);
	close(fd);
	ok(!sp_registry_open(tpath("afile"), "m"), "DIR that is a file fails");
	ok(!sp_registry_open(tmpdir, "afile"), "DIR/NAME that is a file fails");
	rm_tree(tpath("names"));
	unlink(tpath("afile"));
}

static void test_basics(void)
{
	struct sp_registry *reg = sp_registry_open(tpath("models/deep"), "m1");
	int v = -7, r;
	size_t len;
	char *got;

	ok(reg != NULL, "open creates DIR with its parents");
	if (!reg)
		return;
	ok(is_dir(tpath("models/deep/m1")), "and DIR/NAME");
	is_str(listing(tpath("models/deep/m1")), ".lock", "holding only .lock");
	ok(sp_registry_latest(reg, &v) == 0 && v == 0, "latest is 0 with no versions");

	ok(sp_registry_new_version(reg, &v) == 0, "new version");
	is_int(v, 1, "the first is 1");
	sp_registry_new_version(reg, &v);
	is_int(v, 2, "then 2");
	sp_registry_new_version(reg, &v);
	is_int(v, 3, "then 3");
	ok(is_dir(tpath("models/deep/m1/v1")) && is_dir(tpath("models/deep/m1/v2")) &&
	   is_dir(tpath("models/deep/m1/v3")), "v1, v2, v3 are directories");
	ok(sp_registry_latest(reg, &v) == 0 && v == 3, "latest is 3");

	is_str(sp_registry_path(reg, 2, NULL), tpath("models/deep/m1/v2"),
	       "path of v2");
	is_str(sp_registry_path(reg, 2, "model.json"), tpath("models/deep/m1/v2/model.json"),
	       "path of v2/model.json");
	is_str(sp_registry_path(reg, 12, "report.json"),
	       tpath("models/deep/m1/v12/report.json"), "path of v12/report.json");
	ok(sp_registry_path(reg, 0, NULL) == NULL, "no path for version 0");

	/* the current link */
	v = -7;
	is_int(sp_registry_current(reg, &v), 0, "no current yet");
	is_int(v, -7, "and *version untouched");
	ok(sp_registry_set_current(reg, 2) == 0, "set current to 2");
	is_str(link_of(tpath("models/deep/m1/current")), "v2", "current -> v2");
	is_int(sp_registry_current(reg, &v), 1, "there is a current");
	is_int(v, 2, "and it is 2");
	ok(sp_registry_set_current(reg, 9) < 0, "set current to missing v9 fails");
	ok(sp_registry_set_current(reg, 0) < 0, "set current to v0 fails");
	mkdir(tpath("models/deep/m1/v4x"), 0777);
	is_str(link_of(tpath("models/deep/m1/current")), "v2", "current still -> v2");
	sp_registry_set_current(reg, 3);
	is_str(link_of(tpath("models/deep/m1/current")), "v3", "set current to 3");
	is_str(listing(tpath("models/deep/m1")), ".lock,current,v1,v2,v3,v4x",
	       "no temporary link left behind");

	/* current pointing at garbage */
	static const char *const bad[] = { "nope", "v0", "v01", "v4x", "v99", "v3/", "/tmp",
					   "v99999999999" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		unlink(tpath("models/deep/m1/current"));
		if (symlink(bad[i], tpath("models/deep/m1/current")) < 0)
			abort();
		v = -7;
		r = sp_registry_current(reg, &v);
		ok(r == -1 && v == -7, "current -> %s is an error", bad[i]);
	}
	unlink(tpath("models/deep/m1/current"));
	close(open(tpath("models/deep/m1/current"), O_WRONLY | O_CREAT, 0644));
	is_int(sp_registry_current(reg, &v), -1, "current as a regular file is an error");
	ok(sp_registry_set_current(reg, 1) == 0, "set current replaces it");
	is_str(link_of(tpath("models/deep/m1/current")), "v1", "current -> v1");
	sp_registry_latest(reg, &v);
	is_int(v, 3, "latest ignores v4x");
	sp_registry_new_version(reg, &v);
	is_int(v, 4, "and so does new_version");

	/* a vN that is not a directory is skipped for latest, but not reused */
	close(open(tpath("models/deep/m1/v7"), O_WRONLY | O_CREAT, 0644));
	sp_registry_latest(reg, &v);
	is_int(v, 4, "latest skips a file named v7");
	sp_registry_new_version(reg, &v);
	is_int(v, 8, "new_version goes past it");
	ok(sp_registry_set_current(reg, 7) < 0, "current cannot point at the file v7");

	/* the log */
	ok(sp_registry_log(reg, "{\"a\":1}") == 0, "log a line");
	ok(sp_registry_log(reg, "{\"b\":\"x y\"}") == 0, "log another");
	ok(sp_registry_log(reg, "{\"c\":\n2}") < 0, "a line with a newline is refused");
	got = slurp(tpath("models/deep/m1/runs.ndjson"), &len);
	is_str(got, "{\"a\":1}\n{\"b\":\"x y\"}\n", "runs.ndjson holds both lines");
	free(got);

	sp_registry_close(reg);
}

/* The lock, seen through flock on another descriptor and from another process. */
static void test_lock(void)
{
	struct sp_registry *reg = sp_registry_open(tpath("models/deep"), "m1");
	int fd = open(tpath("models/deep/m1/.lock"), O_RDWR), got[2], release[2];
	struct pollfd pfd;
	char c;

	ok(flock(fd, LOCK_EX | LOCK_NB) == 0, "unlocked: another descriptor can lock");
	flock(fd, LOCK_UN);
	ok(sp_registry_lock(reg) == 0, "lock");
	ok(flock(fd, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK,
	   "locked: another descriptor cannot");
	/*
	 * Another process blocks in sp_registry_lock() until we unlock, says
	 * so on GOT, and holds the lock until we close RELEASE.
	 */
	if (pipe(got) < 0 || pipe(release) < 0)
		abort();
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		struct sp_registry *other;
		sp_registry_close(reg);	/* inherited: must leave the parent its lock */
		other = sp_registry_open(tpath("models/deep"), "m1");
		close(got[0]);
		close(release[1]);
		if (!other || sp_registry_lock(other) < 0 || write(got[1], "x", 1) != 1 ||
		    read(release[0], &c, 1) != 0)
			_exit(1);
		sp_registry_close(other);
		_exit(0);
	}
	close(got[1]);
	close(release[0]);
	pfd = (struct pollfd){ .fd = got[0], .events = POLLIN };
	is_int(poll(&pfd, 1, 300), 0, "another process waits while the lock is held, even "
	       "after closing its copy of the locked handle");
	ok(sp_registry_unlock(reg) == 0, "unlock");
	ok(read(got[0], &c, 1) == 1, "then the other handle gets the lock");
	ok(flock(fd, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK, "and holds it");
	close(release[1]);
	close(got[0]);
	ok(wait_ok(pid), "the other process succeeded");
	ok(flock(fd, LOCK_EX | LOCK_NB) == 0, "and sp_registry_close released it");
	flock(fd, LOCK_UN);
	ok(sp_registry_lock(reg) == 0, "lock again");
	sp_registry_close(reg);
	ok(flock(fd, LOCK_EX | LOCK_NB) == 0, "closing a locked handle releases the lock");
	close(fd);
}

/* The version in the last line of runs.ndjson, 0 if empty, -1 if unreadable. */
static int last_logged(const char *path)
{
	size_t len;
	char *s = slurp(path, &len), *p;
	json_t *j;
	int v = -1;

	if (!s)
		return errno == ENOENT ? 0 : -1;
	if (len == 0) {
		free(s);
		return 0;
	}
	if (s[len - 1] != '\n') {
		free(s);
		return -1;
	}
	s[len - 1] = '\0';
	p = strrchr(s, '\n');
	j = json_loads(p ? p + 1 : s, 0, NULL);
	if (j && json_is_integer(json_object_get(j, "version")))
		v = (int)json_integer_value(json_object_get(j, "version"));
	json_decref(j);
	free(s);
	return v;
}

/*
 * After NCHILD processes made ROUNDS versions each in TMPDIR/NAME/NAME and
 * logged one line for each: exactly v1..v120 exist, and runs.ndjson has 120
 * whole lines, JSON objects naming one of PIDS and a distinct version that
 * exists.  Returns the version of the last line.
 */
static int check_layout(const char *name, const pid_t *pids)
{
	int seen[NVERSIONS + 1] = { 0 }, per_child[NCHILD] = { 0 };
	int lines = 0, bad_lines = 0, dup = 0, last = 0, v;
	char *text, *p, *nl, vname[128], rel[128];
	size_t len;

	/* version directories: exactly v1..vN */
	char want[4096], *names[NVERSIONS + 3];
	size_t wl = 0;
	int n = 0;

	names[n++] = ".lock";
	names[n++] = "current";
	names[n++] = "runs.ndjson";
	for (int i = 1; i <= NVERSIONS; i++) {
		names[n] = malloc(16);
		snprintf(names[n++], 16, "v%d", i);
	}
	qsort(names, (size_t)n, sizeof(names[0]), cmp_str);
	for (int i = 0; i < n; i++)
		wl += (size_t)snprintf(want + wl, sizeof(want) - wl, "%s%s", i ? "," : "",
				       names[i]);
	for (int i = 0; i < n; i++)
		if (names[i][0] == 'v')
			free(names[i]);
	snprintf(rel, sizeof(rel), "%s/%s", name, name);
	is_str(listing(tpath(rel)), want,
	       "the directory holds v1..v120, current, runs.ndjson, .lock and nothing else");

	/* the log: N complete lines, each a distinct existing version */
	snprintf(rel, sizeof(rel), "%s/%s/runs.ndjson", name, name);
	text = slurp(tpath(rel), &len);
	ok(text && len && text[len - 1] == '\n', "runs.ndjson ends with a newline");
	for (p = text; p && *p; p = nl + 1) {
		nl = strchr(p, '\n');
		if (!nl)
			break;
		*nl = '\0';
		lines++;
		json_t *j = json_loads(p, JSON_REJECT_DUPLICATES, NULL);
		json_t *jv = j ? json_object_get(j, "version") : NULL;
		json_t *jp = j ? json_object_get(j, "pid") : NULL;
		int child = -1;
		v = json_is_integer(jv) ? (int)json_integer_value(jv) : -1;
		for (int i = 0; i < NCHILD && json_is_integer(jp); i++)
			if (json_integer_value(jp) == pids[i])
				child = i;
		snprintf(vname, sizeof(vname), "%s/%s/v%d", name, name, v);
		if (!j || json_object_size(j) != 3 || v < 1 || v > NVERSIONS || child < 0 ||
		    !is_dir(tpath(vname)))
			bad_lines++;
		else {
			dup += seen[v]++ > 0;
			per_child[child]++;
			last = v;
		}
		json_decref(j);
	}
	free(text);
	is_int(lines, NVERSIONS, "runs.ndjson has one line per run");
	is_int(bad_lines, 0, "each a JSON object with a known pid and a version in 1..120");
	is_int(dup, 0, "no version was handed out twice");
	for (int i = 0; i < NCHILD; i++)
		is_int(per_child[i], ROUNDS, "each process logged all its rounds");
	return last;
}

/*
 * One racing process: 30 times open, new version, lock, check that current
 * still names the last logged version (nobody else is inside the lock), log,
 * set current, unlock, close.  Exit status: the number of failures.
 */
static void race_child(const char *dir)
{
	char line[128];
	int fails = 0;

	for (int i = 0; i < ROUNDS; i++) {
		struct sp_registry *reg = sp_registry_open(dir, "race");
		int v, cur = 0, r;
		if (!reg) {
			fails++;
			continue;
		}
		if (sp_registry_new_version(reg, &v) < 0 || sp_registry_lock(reg) < 0) {
			fails++;
			sp_registry_close(reg);
			continue;
		}
		r = sp_registry_current(reg, &cur);
		if (r < 0 || cur != last_logged(tpath("race/race/runs.ndjson")))
			fails++;
		snprintf(line, sizeof(line), "{\"pid\":%ld,\"version\":%d,\"round\":%d}",
			 (long)getpid(), v, i);
		if (sp_registry_log(reg, line) < 0 || sp_registry_set_current(reg, v) < 0)
			fails++;
		if (sp_registry_unlock(reg) < 0)
			fails++;
		sp_registry_close(reg);
	}
	_exit(fails > 100 ? 100 : fails);
}

static void test_race(void)
{
	char dir[512];
	pid_t pids[NCHILD];
	int all_ok = 1, last, v;
	char vname[32];

	snprintf(dir, sizeof(dir), "%s", tpath("race"));
	fflush(stdout);
	for (int i = 0; i < NCHILD; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			race_child(dir);
	}
	for (int i = 0; i < NCHILD; i++)
		all_ok &= wait_ok(pids[i]);
	ok(all_ok, "%d processes x %d rounds: every call succeeded, and each saw current "
	   "equal to the last logged version inside the lock", NCHILD, ROUNDS);

	last = check_layout("race", pids);
	/* current: the last version set inside the lock is the last one logged */
	struct sp_registry *reg = sp_registry_open(dir, "race");
	v = -1;
	ok(reg && sp_registry_current(reg, &v) == 1, "current exists");
	is_int(v, last, "and is the version of the last log line");
	snprintf(vname, sizeof(vname), "v%d", last);
	is_str(link_of(tpath("race/race/current")), vname, "readlink agrees");
	ok(reg && sp_registry_latest(reg, &v) == 0 && v == NVERSIONS, "latest is 120");
	sp_registry_close(reg);
}

/*
 * The same without the lock, as fast as possible, with long lines: mkdir
 * alone must keep versions distinct, and O_APPEND with one write(2) must
 * keep lines whole.  The children start together from a pipe.
 */
static void burst_child(const char *dir, int go)
{
	enum { PAD = 3000 };
	char *line = malloc(PAD + 100), c;
	int fails = 0;
	struct sp_registry *reg = sp_registry_open(dir, "burst");

	if (read(go, &c, 1) != 0 || !reg || !line)
		_exit(1);
	for (int i = 0; i < ROUNDS; i++) {
		int v, n;
		if (sp_registry_new_version(reg, &v) < 0) {
			fails++;
			continue;
		}
		n = snprintf(line, PAD + 100, "{\"pid\":%ld,\"version\":%d,\"pad\":\"",
			     (long)getpid(), v);
		memset(line + n, 'a' + i % 26, PAD);
		memcpy(line + n + PAD, "\"}", 3);
		fails += sp_registry_log(reg, line) < 0;
		fails += sp_registry_set_current(reg, v) < 0;
	}
	sp_registry_close(reg);
	free(line);
	_exit(fails > 100 ? 100 : fails);
}

static void test_burst(void)
{
	char dir[512];
	pid_t pids[NCHILD];
	int all_ok = 1, go[2];

	snprintf(dir, sizeof(dir), "%s", tpath("burst"));
	if (pipe(go) < 0)
		abort();
	fflush(stdout);
	for (int i = 0; i < NCHILD; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			close(go[1]);
			burst_child(dir, go[0]);
		}
	}
	close(go[0]);
	usleep(100 * 1000);
	close(go[1]);
	for (int i = 0; i < NCHILD; i++)
		all_ok &= wait_ok(pids[i]);
	ok(all_ok, "%d processes x %d rounds without the lock: every call succeeded",
	   NCHILD, ROUNDS);
	check_layout("burst", pids);
}

/*
 * A child flips current between v1 and v2 while the parent reads the link:
 * every read must find it, pointing at v1 or v2.  The parent keeps reading
 * until the child is done and has read at least MIN_READS times.
 */
static void test_switch(void)
{
	char link[512];
	struct sp_registry *reg = sp_registry_open(tpath("flip"), "m");
	int v, reads = 0, v1 = 0, v2 = 0, missing = 0, other = 0, child_done = 0, st;
	int fds[2];
	char buf[64], c;
	pid_t pid;

	snprintf(link, sizeof(link), "%s", tpath("flip/m/current"));
	sp_registry_new_version(reg, &v);
	sp_registry_new_version(reg, &v);
	sp_registry_set_current(reg, 1);
	sp_registry_close(reg);
	if (pipe(fds) < 0)
		abort();
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int fails = 0;
		close(fds[0]);
		reg = sp_registry_open(tpath("flip"), "m");
		if (write(fds[1], "x", 1) != 1)
			fails++;
		close(fds[1]);
		for (int i = 0; reg && i < FLIPS; i++)
			fails += sp_registry_set_current(reg, 2 - i % 2) < 0;
		sp_registry_close(reg);
		_exit(!reg || fails);
	}
	close(fds[1]);
	if (read(fds[0], &c, 1) != 1)
		abort();
	close(fds[0]);
	while (!child_done || reads < MIN_READS) {
		ssize_t n = readlink(link, buf, sizeof(buf) - 1);
		reads++;
		if (n < 0) {
			missing++;
		} else {
			buf[n] = '\0';
			if (!strcmp(buf, "v1"))
				v1++;
			else if (!strcmp(buf, "v2"))
				v2++;
			else
				other++;
		}
		if (!child_done && waitpid(pid, &st, WNOHANG) == pid)
			child_done = 1;
	}
	ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%d flips of current succeeded", FLIPS);
	is_int(missing, 0, "a concurrent reader never found current missing");
	is_int(other, 0, "nor pointing anywhere but v1 or v2");
	ok(reads >= MIN_READS, "in %d reads", reads);
	printf("# read v1 %d times, v2 %d times\n", v1, v2);
	is_str(listing(tpath("flip/m")), ".lock,current,v1,v2", "no temporary link left");
}

int main(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/sp-test-registry.XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	test_names();
	test_basics();
	test_lock();
	test_race();
	test_burst();
	test_switch();
	rm_tree(tmpdir);
	return tap_done();
}
