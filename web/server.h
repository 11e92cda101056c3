/*
 * server.h - 'tlswatch web': the dashboard, the JSON API and the RFC 8460
 * HTTPS intake on libmicrohttpd (server.c is the only file that includes
 * microhttpd.h). Options are the operator's; requests are untrusted and
 * bounded by the LIMIT_WEB_* limits (core/limits.h).
 */
#ifndef TLSWATCH_WEB_SERVER_H
#define TLSWATCH_WEB_SERVER_H

#include <stddef.h>

#include "alert.h"
#include "intake.h"
#include "trust.h"

#define WEB_DEFAULT_LISTEN      "127.0.0.1:8080"
#define WEB_DEFAULT_INTAKE_PATH "/tlsrpt"

struct web_options {
	const char *db_path;
	const char *listen;    /* ADDR:PORT of the dashboard */
	const char *auth_file; /* NULL: no authentication */
	int no_auth;           /* allow a non-loopback listen without it */
	const char *tls_cert;  /* PEM files; both or neither */
	const char *tls_key;
	int intake;                /* accept RFC 8460 POSTs */
	const char *intake_listen; /* NULL: on the dashboard's listener */
	const char *intake_path;
	const char *intake_allow;           /* networks that may POST; NULL: any */
	const struct trust_config *trust;   /* [trust] for the intake; NULL: none */
	struct alert_settings alert;        /* rules for the overview's alerts */
	int expiry_warn_days;               /* [check] expiry_warn_days (published.h) */
	struct intake_limits intake_limits; /* rate, budgets, quarantine cap */
	unsigned request_timeout;           /* seconds per request; 0: LIMIT_WEB_REQUEST_SECONDS */
};

/* Serves until SIGINT or SIGTERM, then stops cleanly (requests in flight
 * finish). Prints the URLs served on stdout once listening. Returns 0
 * after a clean stop, or -1 with the reason in err (a refused setting, a
 * missing database, an address in use, an unusable key). */
int web_serve(const struct web_options *o, char *err, size_t errlen);

/* Checks an intake path: absolute, short, plain characters, and not one
 * of the dashboard's own paths. 0 or -1 with the reason. */
int web_check_intake_path(const char *path, char *err, size_t errlen);

#endif
