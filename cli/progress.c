/*
 * progress.c - "\r"-updated progress on a terminal, at most every 0.25 s.
 */
#include "progress.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

static double progress_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void progress_init(struct progress *p, const char *what, long total, int quiet)
{
	p->enabled = !quiet && isatty(2);
	p->total = total;
	p->done = 0;
	p->last = progress_now();
	p->what = what;
}

void progress_step(struct progress *p)
{
	double now;

	p->done++;
	if (!p->enabled)
		return;
	now = progress_now();
	if (now - p->last < 0.25)
		return;
	p->last = now;
	if (p->total > 0)
		fprintf(stderr, "\r%ld/%ld %s", p->done, p->total, p->what);
	else
		fprintf(stderr, "\r%ld %s", p->done, p->what);
	fflush(stderr);
}

void progress_end(struct progress *p)
{
	if (p->enabled && p->done > 0)
		fprintf(stderr, "\r\033[K");
}
