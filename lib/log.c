/*
 * log.c - one-line messages to stderr (errors, warnings) and stdout (-v).
 * Callers escape untrusted text before it gets here.
 */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static enum log_level log_level = LOG_NORMAL;

void log_set_level(enum log_level level)
{
	log_level = level;
}

enum log_level log_get_level(void)
{
	return log_level;
}

static void log_vline(FILE *f, const char *fmt, va_list ap, const char *suffix)
{
	fputs("tlswatch: ", f);
	vfprintf(f, fmt, ap);
	if (suffix != NULL)
		fprintf(f, ": %s", suffix);
	fputc('\n', f);
	fflush(f);
}

void log_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vline(stderr, fmt, ap, NULL);
	va_end(ap);
}

void log_warnx(const char *fmt, ...)
{
	va_list ap;

	if (log_level < LOG_NORMAL)
		return;
	va_start(ap, fmt);
	log_vline(stderr, fmt, ap, NULL);
	va_end(ap);
}

void log_warn(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	if (log_level < LOG_NORMAL)
		return;
	va_start(ap, fmt);
	log_vline(stderr, fmt, ap, strerror(saved));
	va_end(ap);
}

void log_verbose(const char *fmt, ...)
{
	va_list ap;

	if (log_level < LOG_VERBOSE)
		return;
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
}

void log_debug(const char *fmt, ...)
{
	va_list ap;

	if (log_level < LOG_DEBUG)
		return;
	va_start(ap, fmt);
	log_vline(stderr, fmt, ap, NULL);
	va_end(ap);
}
