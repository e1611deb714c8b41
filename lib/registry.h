/*
 * registry.h - a directory of trained model versions; the struct sp_registry
 * owns one open model NAME in DIR (its directory descriptor, its lock and a
 * path buffer), the caller owns every file it writes into a version.
 *
 * Layout of a model NAME in the registry DIR:
 *
 *   DIR/NAME/vN/          one directory per training run, N = 1, 2, ...; the
 *                         caller writes model.json, report.json, ... in it
 *   DIR/NAME/runs.ndjson  append-only log, one JSON object per line (runs and
 *                         promotion decisions), the caller's JSON text
 *   DIR/NAME/current      symbolic link to "vN" (relative), replaced
 *                         atomically: a reader sees the old or the new target,
 *                         never no link
 *   DIR/NAME/.lock        the flock(2) lock file
 *
 * Concurrency: new versions need no lock (mkdir(2) decides who gets N).  The
 * lock serialises read-decide-write sequences such as "read current, compare,
 * log, set current" between processes.  It is an flock on a descriptor the
 * handle opened, so two handles exclude each other even in one process.  A
 * child forked while the lock is held shares it: sp_registry_close() in the
 * child leaves it to the parent, sp_registry_unlock() would release it for
 * both; a child that needs the lock opens a handle of its own.  Directories,
 * links and log lines are fsync'd before the functions return.  No function
 * exits; errors are reported through usage.h.
 */
#ifndef SP_REGISTRY_H
#define SP_REGISTRY_H

enum { SP_REGISTRY_NAME_MAX = 64 };	/* bytes in a model name */

struct sp_registry;

/*
 * Open the model NAME in DIR, creating DIR (and its missing parents) and
 * DIR/NAME as needed, with mode 0777 & ~umask.  NAME must match
 * [A-Za-z0-9][A-Za-z0-9._-]* and be at most SP_REGISTRY_NAME_MAX bytes.
 * Returns NULL after a message on a bad name or a system error.
 */
struct sp_registry *sp_registry_open(const char *dir, const char *name);

/*
 * Close the descriptors, which releases the lock if held (unless a forked
 * process still has them), and free REG.  NULL is a no-op.
 */
void sp_registry_close(struct sp_registry *reg);

/*
 * Take the exclusive lock (flock on DIR/NAME/.lock), waiting as long as
 * another handle holds it, or release it.  0, or -1 after a message.
 */
int sp_registry_lock(struct sp_registry *reg);
int sp_registry_unlock(struct sp_registry *reg);

/*
 * Create the next version directory DIR/NAME/vN, N = the highest existing
 * vN + 1, and set *VERSION to N.  mkdir is the arbiter: concurrent callers,
 * with or without the lock, never get the same N.  Its path is then
 * sp_registry_path(REG, N, NULL).  0, or -1 after a message.
 */
int sp_registry_new_version(struct sp_registry *reg, int *version);

/*
 * The path DIR/NAME/vN, or DIR/NAME/vN/FILE when FILE is not NULL.  The
 * string is owned by REG and valid until the next sp_registry_path() or
 * sp_registry_close().  NULL after a message if VERSION < 1 or out of memory.
 */
const char *sp_registry_path(struct sp_registry *reg, int version, const char *file);

/*
 * The version current points at: 1 with *VERSION set; 0 when there is no
 * current link yet; -1 after a message when current is not a link to an
 * existing directory named vN.
 */
int sp_registry_current(struct sp_registry *reg, int *version);

/*
 * Point current at vN, which must be an existing directory, by creating a
 * link under a temporary name and renaming it over current.  0, or -1 after
 * a message (current is then unchanged and the temporary link removed).
 */
int sp_registry_set_current(struct sp_registry *reg, int version);

/*
 * Append LINE and a newline to DIR/NAME/runs.ndjson with one write(2) on an
 * O_APPEND descriptor, so that concurrent writers never interleave, then
 * fsync.  LINE is one JSON object and must not contain a newline (it is not
 * otherwise checked).  0, or -1 after a message.
 */
int sp_registry_log(struct sp_registry *reg, const char *line);

/* Set *VERSION to the highest existing version directory, 0 if none.  0, or -1 after a message. */
int sp_registry_latest(struct sp_registry *reg, int *version);

#endif
