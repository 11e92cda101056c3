/*
 * log.h - messages to stderr, one line each, with a verbosity level.
 *
 * log_warn() adds strerror(errno); log_warnx() does not (OpenSMTPD's
 * convention). Untrusted text must go through escape_text() first.
 */
#ifndef TLSWATCH_LOG_H
#define TLSWATCH_LOG_H

enum log_level { LOG_QUIET = 0, LOG_NORMAL = 1, LOG_VERBOSE = 2, LOG_DEBUG = 3 };

void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* Errors: always printed, even with -q. */
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Warnings: printed unless -q. */
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* -v lines, to stdout: what happened to each input. */
void log_verbose(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
