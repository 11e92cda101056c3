/*
 * intake.h - the RFC 8460 section 5.4 HTTPS report intake, apart from the
 * HTTP server so that it can be tested and fuzzed on its own.
 *
 * Bodies are untrusted (anyone may POST). A request is checked on its
 * first call (method, Content-Type, Content-Length), its body collected
 * under a per-request cap and a budget over all requests, then handed to
 * ingest_input() + ingest_flush() -- the same path as mail -- so that the
 * answer is given only once the report or its quarantine record is
 * committed. Writes are serialised: one read-write store, one lock.
 */
#ifndef TLSWATCH_WEB_INTAKE_H
#define TLSWATCH_WEB_INTAKE_H

#include <stddef.h>

#include "budget.h"
#include "strbuf.h"

struct intake;

/* The answer to one POST: an HTTP status and one line of text/plain. */
struct intake_reply {
	unsigned status;
	unsigned retry_after; /* seconds, for a Retry-After header; 0: none */
	char message[1024];
};

/* What the intake accepts beyond one request's caps (0: no limit). */
struct intake_limits {
	struct budget_limits budget;
	int64_t quarantine_max_bytes; /* past it, refused POSTs keep no bytes */
};

/* One request's body as it streams in. */
struct intake_body {
	struct strbuf data;          /* capped at LIMIT_WEB_INTAKE_BODY_BYTES */
	size_t reserved;             /* bytes counted against the shared budget */
	int too_large;               /* past the cap: the rest is discarded */
	int over_budget;             /* the shared budget was exhausted */
	int over_client;             /* the client's day budget was exhausted (429) */
	char client_ip[64];          /* set by intake_admit */
	struct intake_reply refusal; /* why, when over_client */
};

/* Opens the database at db_path read-write (creating and migrating it).
 * db_path NULL: a dry run that parses everything and writes nothing (for
 * the fuzz target). 0, or -1 with the reason. Free with intake_free. */
int intake_new(const char *db_path, struct intake **out, char *err, size_t errlen);
void intake_free(struct intake *in);
/* The defaults: LIMIT_WEB_INTAKE_* and LIMIT_QUARANTINE_MAX_BYTES. */
void intake_limits_default(struct intake_limits *lim);
/* Replaces the limits (intake_new starts with the defaults). */
void intake_set_limits(struct intake *in, const struct intake_limits *lim);

/* After intake_begin and intake_body_init: admits a POST from client_ip
 * under its rate and day budgets (content_length as announced, or NULL).
 * 0, or -1 with r set to 429 and retry_after. */
int intake_admit(struct intake *in, struct intake_body *b, const char *client_ip,
                 const char *content_length, struct intake_reply *r);

/* Checks a request before its body is read. method and content_type come
 * from the request (content_type and content_length may be NULL when the
 * header is absent). Returns 0 when the body should be read, else -1 with
 * r set: 405 (not POST), 415 (not application/tlsrpt+gzip or +json; case
 * and parameters ignored), 413 (Content-Length over the cap). */
int intake_begin(const char *method, const char *content_type, const char *content_length,
                 struct intake_reply *r);

/* 1 when the media type of a Content-Type value is one RFC 8460 section
 * 5.3 names for reports (application/tlsrpt+gzip, application/tlsrpt+json). */
int intake_type_ok(const char *content_type);

void intake_body_init(struct intake_body *b);
/* Appends one chunk of the body; past the cap (or the shared budget) the
 * body is dropped and the rest discarded, to be answered 413 (503). */
void intake_body_append(struct intake *in, struct intake_body *b, const void *data, size_t len);
/* Releases the body's memory and its share of the budget. */
void intake_body_free(struct intake *in, struct intake_body *b);

/* Ingests the complete body received from client_ip and sets r: 201 stored
 * (committed), 200 a duplicate of a stored report, 400 refused (the reason;
 * committed to quarantine), 413, 503, or 500 on a database error (logged). */
void intake_finish(struct intake *in, struct intake_body *b, const char *client_ip,
                   struct intake_reply *r);

#endif
