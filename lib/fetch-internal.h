/*
 * fetch-internal.h - what the parts of sp-fetch (lib/fetch*.c) share:
 * requests per source, the response cache.  Not for tools.
 */
#ifndef SP_FETCH_INTERNAL_H
#define SP_FETCH_INTERNAL_H

#include "fetch-parse.h"
#include "fetch.h"

#include <curl/curl.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The URL of SYMBOL's request from FROM to TO (days; 0: unbounded) with
 * O's source, base URL and interval.  With REDACT the API key is left out
 * and the source's name stands for the base URL: that form names the
 * request in the cache, wherever the request was sent.
 * malloc'd; NULL after a message.
 */
char *sp_fetch_url(const struct sp_fetch_options *o, const char *symbol, sp_day from, sp_day to,
		   int redact);

/* Parse a response of O's source. */
enum sp_fetch_status sp_fetch_parse(const struct sp_fetch_options *o, const char *buf, size_t len,
				    struct sp_fetch_series *s, char *why, size_t whylen);

/*
 * The cached response to the request KEY (a redacted URL) of SYMBOL, if
 * DIR has one younger than TTL seconds (any age when OFFLINE): 1 with *BUF
 * (malloc'd) and *LEN set, 0 if none (an unreadable entry is removed and
 * counts as none), -1 after a message.
 */
int sp_fetch_cache_get(const char *dir, const char *symbol, const char *key, double ttl,
		       int offline, char **buf, size_t *len);

/* Keep BUF as the response to KEY, compressed, written atomically.  0 or -1. */
/* Forget the response to KEY (it did not parse).  */
void sp_fetch_cache_drop(const char *dir, const char *symbol, const char *key);
int sp_fetch_cache_put(const char *dir, const char *symbol, const char *key, const char *buf,
		       size_t len);

/* Seconds on the monotonic clock. */
double sp_fetch_now(void);

/* ---- the job, shared by fetch.c (transfers), fetch-out.c and fetch-follow.c ---- */

enum state { WAITING, RUNNING, WRITTEN, FAILED };

struct task {
	const char *symbol;	/* as given (csv: SYMBOL=WHERE) */
	char name[64];		/* the symbol written in the bars */
	enum state state;
	int attempts, cached;
	double not_before;
	sp_day from, to;
	CURL *easy;
	char *url, *key;	/* key: the redacted URL */
	char *body;
	size_t len, cap;
	long http;
	size_t nbars;
	char error[512];
	struct seen *seen;	/* --follow: the bars of the current window */
	size_t nseen, cap_seen;
};

/* A bar already written in --follow mode, to see a revision. */
struct seen {
	int64_t t;
	double v[6];	/* open, high, low, close, adj_close, volume */
};

struct job {
	const struct sp_fetch_options *o;
	struct task *tasks;
	size_t n, done, failed, running, bars;
	CURLM *multi;
	struct sp_writer *w, *ev;
	struct sp_fetch_series series;
	double start, tokens, last_refill;
	unsigned long long seed;
	double last_progress;
	int stop;
	long polls;
	char denied[512];	/* why the source refused the key or the client */
};

/* Set by SIGINT or SIGTERM in --follow mode: stop soon, cleanly. */
extern volatile sig_atomic_t sp_fetch_stopping;

/* fetch.c: run every task of J to its end (written or failed).  0 or -1. */
int sp_fetch_loop(struct job *j);
/* fetch.c: make T ready for another request (--follow polls). */
void sp_fetch_task_reset(struct job *j, struct task *t);

/* fetch-out.c: write the parsed series of T (with --follow only what is new). */
int sp_fetch_write_series(struct job *j, struct task *t);
int sp_fetch_open_outputs(struct job *j);
int sp_fetch_since_last(struct job *j);
int sp_fetch_write_summary(const struct job *j);

/* fetch-follow.c: poll until stopped.  0 or -1. */
int sp_fetch_follow(struct job *j);

#endif
