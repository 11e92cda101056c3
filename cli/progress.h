/*
 * progress.h - a one-line progress indicator for long runs, shown only
 * when stderr is a terminal (cron mail stays clean).
 */
#ifndef TLSWATCH_PROGRESS_H
#define TLSWATCH_PROGRESS_H

struct progress {
	int enabled;
	long total; /* 0 when unknown */
	long done;
	double last;
	const char *what;
};

void progress_init(struct progress *p, const char *what, long total, int quiet);
void progress_step(struct progress *p);
void progress_end(struct progress *p);

#endif
