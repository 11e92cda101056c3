/*
 * intake.c - RFC 8460 section 5.4 report intake over HTTPS (see intake.h).
 * Input: untrusted request headers and bodies; every size is checked
 * before memory is committed to it.
 */
#include "intake.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "decode.h"
#include "escape.h"
#include "gz.h"
#include "ingest.h"
#include "limits.h"
#include "log.h"
#include "mail.h"
#include "parse_int.h"
#include "store.h"
#include "xalloc.h"

struct intake {
	struct store *st;           /* NULL: dry run */
	pthread_mutex_t write_lock; /* one writer at a time */
	pthread_mutex_t budget_lock;
	size_t buffered; /* bytes of bodies held, all requests */
};

int intake_new(const char *db_path, struct intake **out, char *err, size_t errlen)
{
	struct intake *in = xcalloc(1, sizeof(*in));

	pthread_mutex_init(&in->write_lock, NULL);
	pthread_mutex_init(&in->budget_lock, NULL);
	if (db_path != NULL && store_open(db_path, STORE_READWRITE, &in->st, err, errlen) < 0) {
		intake_free(in);
		return -1;
	}
	*out = in;
	return 0;
}

void intake_free(struct intake *in)
{
	if (in == NULL)
		return;
	store_close(in->st);
	pthread_mutex_destroy(&in->write_lock);
	pthread_mutex_destroy(&in->budget_lock);
	free(in);
}

static void intake_set(struct intake_reply *r, unsigned status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void intake_set(struct intake_reply *r, unsigned status, const char *fmt, ...)
{
	va_list ap;

	r->status = status;
	va_start(ap, fmt);
	vsnprintf(r->message, sizeof(r->message), fmt, ap);
	va_end(ap);
}

int intake_type_ok(const char *content_type)
{
	static const char *const types[] = {"application/tlsrpt+gzip", "application/tlsrpt+json"};
	const char *p = content_type;
	size_t n, i;

	if (p == NULL)
		return 0;
	while (*p == ' ' || *p == '\t')
		p++;
	n = strcspn(p, "; \t");
	for (i = 0; i < 2; i++)
		if (n == strlen(types[i]) && strncasecmp(p, types[i], n) == 0)
			break;
	if (i == 2)
		return 0;
	/* only parameters (or blanks) may follow the media type */
	p += n;
	while (*p == ' ' || *p == '\t')
		p++;
	return *p == '\0' || *p == ';';
}

int intake_begin(const char *method, const char *content_type, const char *content_length,
                 struct intake_reply *r)
{
	int64_t n;

	if (strcmp(method, "POST") != 0) {
		intake_set(r, 405, "only POST is accepted here (RFC 8460 section 5.4)");
		return -1;
	}
	if (!intake_type_ok(content_type)) {
		intake_set(
		    r, 415,
		    "Content-Type must be application/tlsrpt+gzip or application/tlsrpt+json");
		return -1;
	}
	/* the server already refused a malformed value; what is left is
	 * digits, and too many of them is too large */
	if (content_length != NULL && parse_int(content_length, 0, LIMIT_WEB_INTAKE_BODY_BYTES, &n,
	                                        NULL, 0) == PARSE_INT_RANGE) {
		intake_set(r, 413, "report larger than %u bytes", LIMIT_WEB_INTAKE_BODY_BYTES);
		return -1;
	}
	return 0;
}

void intake_body_init(struct intake_body *b)
{
	memset(b, 0, sizeof(*b));
	strbuf_init(&b->data, LIMIT_WEB_INTAKE_BODY_BYTES);
}

static void intake_release(struct intake *in, struct intake_body *b)
{
	pthread_mutex_lock(&in->budget_lock);
	in->buffered -= b->reserved;
	pthread_mutex_unlock(&in->budget_lock);
	b->reserved = 0;
}

void intake_body_free(struct intake *in, struct intake_body *b)
{
	strbuf_free(&b->data);
	intake_release(in, b);
}

void intake_body_append(struct intake *in, struct intake_body *b, const void *data, size_t len)
{
	int ok;

	if (b->too_large || b->over_budget || len == 0)
		return;
	if (len > b->data.cap - b->data.len) {
		b->too_large = 1;
		intake_body_free(in, b);
		return;
	}
	pthread_mutex_lock(&in->budget_lock);
	ok = len <= LIMIT_WEB_INTAKE_BUFFERED_BYTES - in->buffered;
	if (ok)
		in->buffered += len;
	pthread_mutex_unlock(&in->budget_lock);
	if (!ok) {
		b->over_budget = 1;
		intake_body_free(in, b);
		return;
	}
	b->reserved += len;
	/* within the cap (checked above), so this does not fail */
	if (strbuf_append(&b->data, data, len) < 0) {
		b->too_large = 1;
		intake_body_free(in, b);
	}
}

/* A body that looks like a mail message would be read as one by
 * ingest_input(); over HTTPS only a report itself is accepted (RFC 8460
 * section 5.4), so such a body is quarantined here, through the store. */
static int intake_refuse_mail(struct intake *in, const uint8_t *data, size_t len,
                              const struct source_info *src, struct ingest_result *res, char *err,
                              size_t errlen)
{
	memset(res, 0, sizeof(*res));
	res->quarantined = 1;
	snprintf(res->reason, sizeof(res->reason),
	         "not a TLS report: neither gzip nor JSON (a mail message is not accepted over "
	         "HTTPS)");
	if (in->st == NULL)
		return 0;
	if (store_begin(in->st, err, errlen) < 0 ||
	    store_add_quarantine(in->st, src, res->reason, data, len, (int64_t)len, 0,
	                         &res->quarantine_id, &res->quarantine_existing, err, errlen) < 0 ||
	    store_commit(in->st, err, errlen) < 0) {
		store_rollback(in->st);
		return -1;
	}
	return 0;
}

void intake_finish(struct intake *in, struct intake_body *b, const char *client_ip,
                   struct intake_reply *r)
{
	const uint8_t *data = (const uint8_t *)strbuf_str(&b->data);
	struct ingest_result res;
	struct source_info src;
	struct ingest *ig = NULL;
	char err[ERR_LINE_MAX], reason[sizeof(res.reason) * 4];
	size_t len = b->data.len;
	int rc;

	if (b->too_large) {
		intake_set(r, 413, "report larger than %u bytes", LIMIT_WEB_INTAKE_BODY_BYTES);
		return;
	}
	if (b->over_budget) {
		intake_set(r, 503, "too many reports arriving at once; retry later");
		return;
	}
	memset(&src, 0, sizeof(src));
	src.kind = "https";
	src.name = client_ip;
	src.received = (int64_t)time(NULL);
	pthread_mutex_lock(&in->write_lock);
	if (!gz_is_gzip(data, len) && !decode_is_json(data, len) &&
	    mail_looks_like_message(data, len)) {
		rc = intake_refuse_mail(in, data, len, &src, &res, err, sizeof(err));
	} else {
		ig = ingest_new(in->st);
		rc = ingest_input(ig, data, len, (int64_t)len, 0, &src, &res, err, sizeof(err));
		if (rc == 0)
			rc = ingest_flush(ig, err, sizeof(err));
		ingest_free(ig);
	}
	pthread_mutex_unlock(&in->write_lock);
	if (rc < 0) {
		log_error("intake from %s: %s", esc(client_ip), err);
		intake_set(r, 500, "the report could not be stored; retry later");
		return;
	}
	if (res.quarantined) {
		escape_text(res.reason, strlen(res.reason), sizeof(res.reason), reason,
		            sizeof(reason));
		log_warnx("intake from %s: quarantined: %s", esc(client_ip), reason);
		intake_set(r, 400, "invalid report (kept in quarantine as %lld): %s",
		           (long long)res.quarantine_id, reason);
	} else if (res.n_stored > 0) {
		log_verbose("intake from %s: stored report %lld", esc(client_ip),
		            (long long)res.report_rowid);
		intake_set(r, 201, "stored as report %lld", (long long)res.report_rowid);
	} else {
		log_verbose("intake from %s: duplicate of report %lld", esc(client_ip),
		            (long long)res.report_rowid);
		intake_set(r, 200, "duplicate: already stored as report %lld",
		           (long long)res.report_rowid);
	}
}
