/*
 * fetch-follow.c - sp-fetch --follow: poll every symbol every few seconds
 * during trading hours and write each bar that is new or revised, flushed.
 *
 * A poll asks for the current session (and the one before, for late
 * revisions); the bars seen in the last poll are kept per symbol to tell
 * new and revised bars from known ones, so memory does not grow with the
 * length of the run.  SIGINT, SIGTERM or a closed stdout end it cleanly:
 * every bar already parsed has been written and flushed.
 */
#include "fetch-internal.h"

#include "calendar.h"
#include "usage.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "banned.h"

static void on_stop(int sig)
{
	(void)sig;
	sp_fetch_stopping = 1;
}

/*
 * The exchange is open now, or was a quarter of an hour ago (late bars).
 * SP_FETCH_CLOCK (seconds since the epoch) stands for now in the tests.
 */
static int trading(const struct sp_calendar *cal)
{
	const char *fake = getenv("SP_FETCH_CLOCK");
	int64_t now = fake && *fake ? (int64_t)strtoll(fake, NULL, 10) : (int64_t)time(NULL);
	sp_day day = sp_ny_day(now);
	int64_t local = now + sp_ny_offset(now), minute = (local % 86400 + 86400) % 86400 / 60;

	return sp_calendar_is_session(cal, day) && minute >= 9 * 60 + 30 && minute < 16 * 60 + 15;
}

/* Sleep SECONDS unless a signal comes first. */
static void nap(double seconds)
{
	struct timespec ts = { (time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9) };

	while (!sp_fetch_stopping && nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int prepare_poll(struct job *j, const struct sp_calendar *cal)
{
	const struct sp_fetch_options *o = j->o;
	sp_day today = sp_ny_day((int64_t)time(NULL));

	for (size_t i = 0; i < j->n; i++) {
		struct task *t = &j->tasks[i];
		sp_fetch_task_reset(j, t);
		t->to = o->to > today ? o->to : today;
		t->from = sp_calendar_add(cal, today, -1);
		free(t->url);
		free(t->key);
		if (!(t->url = sp_fetch_url(o, t->symbol, t->from, t->to, 0)) ||
		    !(t->key = sp_fetch_url(o, t->symbol, t->from, t->to, 1)))
			return -1;
	}
	j->done = j->failed = 0;
	j->start = sp_fetch_now();	/* --deadline is per poll */
	j->denied[0] = 0;		/* a refused key may be renewed */
	return 0;
}

int sp_fetch_follow(struct job *j)
{
	const struct sp_fetch_options *o = j->o;
	const struct sp_calendar *cal = sp_calendar_get("XNYS");
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	while (!sp_fetch_stopping && !j->stop) {
		if (!o->always && !trading(cal)) {
			nap(o->every < 60 ? o->every : 60);
			continue;
		}
		if (prepare_poll(j, cal) < 0 || sp_fetch_loop(j) < 0)
			return -1;
		if (sp_writer_flush(j->w) < 0 || sp_writer_closed(j->w))
			break;
		if (o->max_polls && j->polls + 1 >= o->max_polls)
			break;
		j->polls++;
		nap(o->every);
	}
	/* A failed symbol in one poll is retried by the next: not an error. */
	j->failed = 0;
	return 0;
}
