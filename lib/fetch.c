/*
 * fetch.c - many symbols through libcurl's multi interface.
 *
 * Each symbol is a task: it waits (for a free transfer, a rate-limit
 * token, or its retry time), runs, and ends written or failed.  A response
 * is parsed whole before any of its bars is written, so a symbol that fails
 * writes nothing and a symbol written is complete.  Transient failures
 * (connection, timeout, 429, 5xx, a truncated body, a rate-limit note, a
 * page that is not data) are retried with exponential backoff and jitter,
 * honouring Retry-After; permanent ones (an unknown symbol, 4xx) are not.
 */
#include "fetch-internal.h"

#include "calendar.h"
#include "json.h"
#include "mem.h"
#include "usage.h"

#include <curl/curl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "banned.h"

volatile sig_atomic_t sp_fetch_stopping;

void sp_fetch_options_init(struct sp_fetch_options *o)
{
	memset(o, 0, sizeof(*o));
	o->format = SP_FORMAT_CSV;
	o->jobs = 8;
	o->retries = 4;
	o->timeout = 30;
	o->backoff = 1;
	o->overlap = 5;
	o->cache_ttl = 12 * 3600;
	o->every = 60;
}

/* ---- small pieces -------------------------------------------------------------- */

static double jitter(struct job *j)
{
	/* splitmix64: deterministic per run, spreads retries of many symbols */
	unsigned long long z = (j->seed += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return (double)((z ^ (z >> 31)) >> 11) / 9007199254740992.0;
}

/* The token bucket: 1 if a request may start now. */
static int take_token(struct job *j, double now)
{
	if (j->o->rate <= 0)
		return 1;
	j->tokens += (now - j->last_refill) * j->o->rate;
	if (j->tokens > j->o->burst)
		j->tokens = j->o->burst;
	j->last_refill = now;
	if (j->tokens < 1)
		return 0;
	j->tokens -= 1;
	return 1;
}

static size_t on_body(char *p, size_t size, size_t nmemb, void *arg)
{
	struct task *t = arg;
	size_t n = size * nmemb;

	if (t->len + n + 1 > t->cap) {
		size_t cap = t->cap ? t->cap : 65536;
		char *b;
		while (cap < t->len + n + 1)
			cap *= 2;
		if (!(b = realloc(t->body, cap)))
			return 0;	/* curl fails the transfer: CURLE_WRITE_ERROR */
		t->body = b;
		t->cap = cap;
	}
	memcpy(t->body + t->len, p, n);
	t->len += n;
	t->body[t->len] = 0;
	return n;
}

/*
 * The symbol written in the bars: as given, except for the csv source,
 * whose arguments are SYMBOL=WHERE, or a file or URL named after its symbol
 * (data/aapl.csv is AAPL).  Yahoo's EURUSD=X keeps its '='.
 */
static void task_name(const struct job *j, struct task *t)
{
	const char *b = t->symbol, *eq = strchr(b, '='), *dot;
	size_t n = strlen(b);
	int upper = 0;

	if (j->o->source == SP_SOURCE_CSV) {
		if (eq) {
			n = (size_t)(eq - b);
		} else {
			if (strrchr(b, '/'))
				b = strrchr(b, '/') + 1;
			dot = strrchr(b, '.');	/* brk.b.csv is BRK.B */
			n = dot ? (size_t)(dot - b) : strlen(b);
		}
		upper = 1;	/* the contract's symbols are upper case */
	}
	snprintf(t->name, sizeof(t->name), "%.*s", (int)(n < 63 ? n : 63), b);
	for (char *p = t->name; upper && *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
}

/* ---- the life of a task -------------------------------------------------------- */

static void finish(struct job *j, struct task *t, enum state st)
{
	t->state = st;
	j->done++;
	if (st == FAILED)
		j->failed++;
	free(t->body);
	t->body = NULL;
	t->len = t->cap = 0;
	if (j->o->quiet || (st == WRITTEN && j->o->follow))
		return;
	if (j->o->progress)
		fputs("\r\033[K", stderr);
	if (st == WRITTEN)
		fprintf(stderr, "%s: %s: %zu bar%s%s%s\n", sp_progname(), t->name, t->nbars,
			t->nbars == 1 ? "" : "s",
			t->cached ? " (cache)" : "", t->attempts > 1 ? " after retries" : "");
	else
		fprintf(stderr, "%s: %s: failed after %d attempt%s: %s\n", sp_progname(), t->name,
			t->attempts, t->attempts == 1 ? "" : "s", t->error);
}

/* A transient failure: try again later, or give up when out of retries. */
static void retry(struct job *j, struct task *t, double retry_after)
{
	double delay = j->o->backoff * pow(2, t->attempts - 1);

	if (t->attempts > j->o->retries) {
		finish(j, t, FAILED);
		return;
	}
	/* Full jitter on the upper half keeps retries of many symbols apart. */
	delay *= 0.5 + 0.5 * jitter(j);
	if (retry_after > delay)
		delay = retry_after;
	t->not_before = sp_fetch_now() + delay;
	t->state = WAITING;
	t->len = 0;
}

/* A complete response: parse it, then write, retry or fail. */
static void handle_body(struct job *j, struct task *t)
{
	enum sp_fetch_status st;
	char why[256];

	st = sp_fetch_parse(j->o, t->body ? t->body : "", t->len, &j->series, why, sizeof(why));
	switch (st) {
	case SP_FETCH_OK:
		if (j->o->cache_dir && t->cached <= 0 &&
		    sp_fetch_cache_put(j->o->cache_dir, t->name, t->key, t->body ? t->body : "",
				       t->len) < 0)
			sp_warn("%s: response not cached", t->name);
		if (sp_fetch_write_series(j, t) < 0) {
			j->stop = 1;
			if (sp_writer_closed(j->w)) {	/* the reader went away: quietly */
				t->state = FAILED;
				j->done++;
				return;
			}
			snprintf(t->error, sizeof(t->error), "output failed");
			finish(j, t, FAILED);
			return;
		}
		finish(j, t, WRITTEN);
		return;
	case SP_FETCH_NOT_FOUND:
		snprintf(t->error, sizeof(t->error), "not found: %s", why);
		finish(j, t, FAILED);
		return;
	case SP_FETCH_RATE_LIMITED:
		snprintf(t->error, sizeof(t->error), "rate limited: %s", why);
		/* A note means the quota is spent: wait at least a bucket's worth. */
		retry(j, t, j->o->rate > 0 ? j->o->burst / j->o->rate : 0);
		return;
	case SP_FETCH_DENIED:
		/* The key or the client is refused: no other symbol will fare
		 * better, and hammering the API would not help. */
		snprintf(t->error, sizeof(t->error), "refused: %s", why);
		snprintf(j->denied, sizeof(j->denied), "%s", why);
		finish(j, t, FAILED);
		return;
	case SP_FETCH_BAD:
		snprintf(t->error, sizeof(t->error), "bad response: %s", why);
		if (t->cached) {
			/* A cached answer that does not parse: offline, the
			 * symbol fails; online, forget it and fetch afresh. */
			if (j->o->offline) {
				finish(j, t, FAILED);
				return;
			}
			sp_fetch_cache_drop(j->o->cache_dir, t->name, t->key);
			t->cached = -1;
			t->attempts--;
			t->state = WAITING;
			t->not_before = 0;
			return;
		}
		retry(j, t, 0);
		return;
	}
}

static void done_transfer(struct job *j, struct task *t, CURLcode rc)
{
	curl_off_t after = 0;

	curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &t->http);
	curl_easy_getinfo(t->easy, CURLINFO_RETRY_AFTER, &after);
	curl_multi_remove_handle(j->multi, t->easy);
	curl_easy_cleanup(t->easy);
	t->easy = NULL;
	j->running--;
	if (rc != CURLE_OK) {
		snprintf(t->error, sizeof(t->error), "%s", curl_easy_strerror(rc));
		if (rc == CURLE_FILE_COULDNT_READ_FILE || rc == CURLE_URL_MALFORMAT ||
		    rc == CURLE_UNSUPPORTED_PROTOCOL)
			finish(j, t, FAILED);
		else
			retry(j, t, 0);
		return;
	}
	if (t->http == 429 || t->http >= 500) {
		snprintf(t->error, sizeof(t->error), "HTTP %ld", t->http);
		retry(j, t, (double)after);
		return;
	}
	/* Yahoo answers an unknown symbol with 404 and a chart.error body, and
	 * a refused client with 401 or 403 and one that says so. */
	if (t->http >= 400 && t->http != 404) {
		char why[256];
		if (sp_fetch_parse(j->o, t->body ? t->body : "", t->len, &j->series, why,
				   sizeof(why)) == SP_FETCH_DENIED) {
			snprintf(t->error, sizeof(t->error), "refused: %s", why);
			snprintf(j->denied, sizeof(j->denied), "%s", why);
		} else {
			snprintf(t->error, sizeof(t->error), "HTTP %ld", t->http);
		}
		finish(j, t, FAILED);
		return;
	}
	handle_body(j, t);
	if (t->state == WAITING && t->http == 404) {
		snprintf(t->error, sizeof(t->error), "HTTP 404");
		finish(j, t, FAILED);
	}
}

/*
 * Answer T from the cache, without a request or a rate-limit token: 1 when
 * done so (or, --offline, failed for want of an entry), 0 to fetch.
 */
static int from_cache(struct job *j, struct task *t)
{
	const struct sp_fetch_options *o = j->o;
	char *buf;
	size_t len;

	/* Live polls must not be answered by yesterday's cache. */
	if (!o->cache_dir || (o->follow && !o->offline) || t->cached < 0)
		return 0;
	t->len = 0;
	/* A cache that cannot be read is no reason to stop: fetch. */
	if (sp_fetch_cache_get(o->cache_dir, t->name, t->key, o->cache_ttl, o->offline, &buf,
			       &len) > 0) {
		t->attempts++;
		free(t->body);
		t->body = buf;
		t->len = t->cap = len;
		t->cached = 1;
		handle_body(j, t);
		return 1;
	}
	if (o->offline) {
		snprintf(t->error, sizeof(t->error), "not in the cache (--offline)");
		finish(j, t, FAILED);
		return 1;
	}
	t->cached = -1;	/* looked: a miss, fetch */
	return 0;
}

static int start(struct job *j, struct task *t)
{
	const struct sp_fetch_options *o = j->o;

	t->attempts++;
	t->len = 0;
	if (!(t->easy = curl_easy_init()))
		return sp_error("curl: cannot make a transfer");
	curl_easy_setopt(t->easy, CURLOPT_URL, t->url);
	curl_easy_setopt(t->easy, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(t->easy, CURLOPT_WRITEDATA, t);
	curl_easy_setopt(t->easy, CURLOPT_PRIVATE, t);
	curl_easy_setopt(t->easy, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(t->easy, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(t->easy, CURLOPT_TIMEOUT_MS, (long)(o->timeout * 1000));
	curl_easy_setopt(t->easy, CURLOPT_CONNECTTIMEOUT_MS, (long)(o->timeout * 1000));
	curl_easy_setopt(t->easy, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(t->easy, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	/* Wait for an HTTP/2 connection to multiplex on, which only TLS offers:
	 * on plain HTTP/1.1 it would hold back every request behind the first. */
	if (!strncmp(t->url, "https://", 8))
		curl_easy_setopt(t->easy, CURLOPT_PIPEWAIT, 1L);
	curl_easy_setopt(t->easy, CURLOPT_USERAGENT, "sp-fetch/1");
	curl_easy_setopt(t->easy, CURLOPT_NOSIGNAL, 1L);
	if (o->cacert)
		curl_easy_setopt(t->easy, CURLOPT_CAINFO, o->cacert);
	if (curl_multi_add_handle(j->multi, t->easy) != CURLM_OK) {
		curl_easy_cleanup(t->easy);
		t->easy = NULL;
		return sp_error("curl: cannot start a transfer");
	}
	t->state = RUNNING;
	j->running++;
	return 0;
}

void sp_fetch_task_reset(struct job *j, struct task *t)
{
	if (t->easy) {
		curl_multi_remove_handle(j->multi, t->easy);
		curl_easy_cleanup(t->easy);
		t->easy = NULL;
		j->running--;
	}
	t->state = WAITING;
	t->attempts = t->cached = 0;
	t->not_before = 0;
	t->nbars = 0;
	t->http = 0;
	t->error[0] = 0;
	t->len = 0;
}

/* ---- progress -------------------------------------------------------------------- */

static void progress(struct job *j, int force)
{
	double now = sp_fetch_now(), el = now - j->start, rate;

	if (!j->o->progress || j->o->quiet || (!force && now - j->last_progress < 0.1))
		return;
	j->last_progress = now;
	rate = el > 0 ? (double)j->done / el : 0;
	fprintf(stderr, "\r\033[K%zu/%zu symbols, %.1f/s, %zu failed", j->done, j->n, rate,
		j->failed);
	if (rate > 0 && j->done < j->n)
		fprintf(stderr, ", ETA %.0fs", (double)(j->n - j->done) / rate);
}

/* ---- the run ------------------------------------------------------------------- */

int sp_fetch_loop(struct job *j)
{
	const struct sp_fetch_options *o = j->o;

	while (j->done < j->n && !j->stop && !sp_fetch_stopping) {
		double now = sp_fetch_now(), wake = now + 0.2;
		int still, busy;
		CURLMsg *msg;

		if (o->deadline > 0 && now - j->start > o->deadline) {
			for (size_t i = 0; i < j->n; i++) {
				struct task *t = &j->tasks[i];
				if (t->state == RUNNING) {
					curl_multi_remove_handle(j->multi, t->easy);
					curl_easy_cleanup(t->easy);
					t->easy = NULL;
					j->running--;
				}
				if (t->state == WAITING || t->state == RUNNING) {
					char last[sizeof(t->error)];
					snprintf(last, sizeof(last), "%s", t->error);
					snprintf(t->error, sizeof(t->error), "deadline of %gs passed%s%.400s",
						 o->deadline, *last ? "; last error: " : "", last);
					finish(j, t, FAILED);
				}
			}
			break;
		}
		for (size_t i = 0; i < j->n && j->running < (size_t)o->jobs && !j->stop; i++) {
			struct task *t = &j->tasks[i];
			if (t->state != WAITING)
				continue;
			if (t->not_before > now) {
				if (t->not_before < wake)
					wake = t->not_before;
				continue;
			}
			if (t->state == WAITING && from_cache(j, t))
				continue;
			if (!take_token(j, now)) {
				double next = now + (1 - j->tokens) / o->rate;
				if (next < wake)
					wake = next;
				break;
			}
			if (*j->denied) {
				snprintf(t->error, sizeof(t->error), "not tried: the source refused "
					 "an earlier request: %.400s", j->denied);
				finish(j, t, FAILED);
				continue;
			}
			if (start(j, t) < 0)
				return -1;
		}
		curl_multi_perform(j->multi, &still);
		busy = 0;
		while ((msg = curl_multi_info_read(j->multi, &still))) {
			struct task *t;
			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&t);
			done_transfer(j, t, msg->data.result);
			busy = 1;	/* a slot is free: fill it before waiting */
		}
		progress(j, 0);
		if (j->done < j->n && !busy) {
			int ms = (int)((wake - sp_fetch_now()) * 1000);
			curl_multi_poll(j->multi, NULL, 0, ms < 1 ? 1 : ms, NULL);
		}
	}
	for (size_t i = 0; sp_fetch_stopping && i < j->n; i++)
		if (j->tasks[i].state == RUNNING)
			sp_fetch_task_reset(j, &j->tasks[i]);
	progress(j, 1);
	if (o->progress && !o->quiet)
		fputs("\r\033[K", stderr);
	return 0;
}

/* ---- setup ----------------------------------------------------------------------- */

static int setup(struct job *j)
{
	const struct sp_fetch_options *o = j->o;

	if (!(j->tasks = calloc(o->nsymbols + 1, sizeof(*j->tasks))))
		return sp_error("out of memory");
	j->n = o->nsymbols;
	for (size_t i = 0; i < j->n; i++) {
		struct task *t = &j->tasks[i];
		t->symbol = o->symbols[i];
		task_name(j, t);
		t->from = o->from;
		t->to = o->to;
	}
	if (o->since_last && sp_fetch_since_last(j) < 0)
		return -1;
	for (size_t i = 0; i < j->n; i++) {
		struct task *t = &j->tasks[i];
		if (!(t->url = sp_fetch_url(o, t->symbol, t->from, t->to, 0)) ||
		    !(t->key = sp_fetch_url(o, t->symbol, t->from, t->to, 1)))
			return -1;
	}
	j->start = j->last_refill = sp_fetch_now();
	j->tokens = o->burst;
	j->seed = (unsigned long long)time(NULL) ^ (unsigned long long)getpid();
	if (!(j->multi = curl_multi_init()))
		return sp_error("curl: cannot start");
	curl_multi_setopt(j->multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
	curl_multi_setopt(j->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)o->jobs);
	return 0;
}

int sp_fetch_run(const struct sp_fetch_options *o)
{
	struct job j = { .o = o };
	int rc = SP_EXIT_FAIL;

	if (o->source == SP_SOURCE_ALPHAVANTAGE && !o->api_key && !o->offline) {
		sp_error("alphavantage needs an API key: set ALPHAVANTAGE_API_KEY or give "
			 "--api-key-file");
		return SP_EXIT_USAGE;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		sp_error("curl: cannot initialise");
		return SP_EXIT_FAIL;
	}
	sp_fetch_series_init(&j.series);
	if (setup(&j) < 0 || sp_fetch_open_outputs(&j) < 0)
		goto out;
	if ((o->follow ? sp_fetch_follow(&j) : sp_fetch_loop(&j)) < 0)
		goto out;
	if (o->summary && sp_fetch_write_summary(&j) < 0)
		goto out;
	rc = j.failed || j.stop ? SP_EXIT_FAIL : SP_EXIT_OK;
	/* Not one symbol came through: leave yesterday's file as it was
	 * rather than replace it with a header. */
	if (j.failed && j.failed == j.n && o->output && !o->follow) {
		sp_writer_abort(j.w);
		j.w = NULL;
		if (j.ev) {
			sp_writer_abort(j.ev);
			j.ev = NULL;
		}
		sp_error("no symbol was fetched: %s left as it was", o->output);
	}
out:
	if (j.w && sp_writer_closed(j.w))
		rc = SP_EXIT_OK;	/* the reader went away: end quietly */
	if (j.w && sp_writer_close(j.w) < 0)
		rc = SP_EXIT_FAIL;
	if (j.ev && sp_writer_close(j.ev) < 0)
		rc = SP_EXIT_FAIL;
	for (size_t i = 0; i < j.n; i++) {
		if (j.tasks[i].easy) {
			curl_multi_remove_handle(j.multi, j.tasks[i].easy);
			curl_easy_cleanup(j.tasks[i].easy);
		}
		free(j.tasks[i].url);
		free(j.tasks[i].key);
		free(j.tasks[i].body);
		free(j.tasks[i].seen);
	}
	free(j.tasks);
	if (j.multi)
		curl_multi_cleanup(j.multi);
	sp_fetch_series_release(&j.series);
	curl_global_cleanup();
	return rc;
}
