/*
 * notify.h - delivering an alert document: to a command's stdin
 * (--exec) or as an HTTP POST (--webhook, through libcurl; the only file
 * that includes curl.h). The command and URL are the operator's (trusted);
 * the document carries report text already escaped by its renderer.
 * Both are bounded in time (LIMIT_EXEC_SECONDS, LIMIT_WEBHOOK_SECONDS).
 *
 * Errors: 0, or -1 with a one-line reason in err. A webhook URL may hold a
 * secret token (Slack's do): reasons name only its scheme and host.
 */
#ifndef TLSWATCH_NOTIFY_H
#define TLSWATCH_NOTIFY_H

#include <stddef.h>

/* Runs /bin/sh -c cmd with data on its stdin and waits for it. Fails when
 * it cannot start, exits non-zero, is killed, or runs longer than
 * LIMIT_EXEC_SECONDS (then it and its process group are killed). stdout
 * and stderr are flushed first; the command inherits them. */
int notify_exec(const char *cmd, const char *data, size_t len, char *err, size_t errlen);

/* POSTs json (Content-Type: application/json) to url (http or https; no
 * redirects). Fails on a transport error, a timeout or an HTTP status
 * outside 2xx. */
int notify_webhook(const char *url, const char *json, size_t len, char *err, size_t errlen);

#endif
