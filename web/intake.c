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
#include "digest.h"
#include "escape.h"
#include "gz.h"
#include "ingest.h"
#include "limits.h"
#include "log.h"
#include "mail.h"
#include "netaddr.h"
#include "parse_int.h"
#include "store.h"
#include "xalloc.h"

struct intake {
	struct store *st;           /* NULL: dry run */
	pthread_mutex_t write_lock; /* one writer at a time */
	pthread_mutex_t budget_lock;
	size_t buffered; /* bytes of bodies held, all requests */
	const struct trust_config *trust;
	struct netaddr_net allow[LIMIT_INTAKE_ALLOW];
	size_t n_allow; /* 0: any client */
	struct budget *budget;
	int64_t quarantine_max_bytes;
	/* quarantine data held, as last read (under write_lock): read again
	 * when older than a minute, as 'tlswatch quarantine' may delete */
	int64_t quarantine_bytes;
	time_t quarantine_read;
};

int intake_set_allow(struct intake *in, const char *list, char *err, size_t errlen)
{
	char item[128], why[160];
	const char *p = list, *q;
	size_t n;

	in->n_allow = 0;
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '\0')
			break;
		q = p + strcspn(p, " \t,");
		n = (size_t)(q - p);
		if (n >= sizeof(item) || in->n_allow == LIMIT_INTAKE_ALLOW) {
			snprintf(err, errlen, "intake_allow: more than %d networks or one too long",
			         LIMIT_INTAKE_ALLOW);
			return -1;
		}
		memcpy(item, p, n);
		item[n] = '\0';
		if (netaddr_net_parse(item, &in->allow[in->n_allow], why, sizeof(why)) < 0) {
			snprintf(err, errlen, "intake_allow: %s", why);
			return -1;
		}
		in->n_allow++;
		p = q;
	}
	if (in->n_allow == 0) {
		snprintf(err, errlen, "intake_allow: no network given");
		return -1;
	}
	return 0;
}

void intake_set_trust(struct intake *in, const struct trust_config *t)
{
	in->trust = t;
}

int intake_client_allowed(const struct intake *in, const char *client_ip)
{
	size_t i;

	if (in->n_allow == 0)
		return 1;
	for (i = 0; i < in->n_allow; i++)
		if (netaddr_net_contains(&in->allow[i], client_ip))
			return 1;
	return 0;
}

void intake_limits_default(struct intake_limits *lim)
{
	lim->budget.posts_per_minute = LIMIT_WEB_INTAKE_POSTS_PER_MINUTE;
	lim->budget.client_day_bytes = LIMIT_WEB_INTAKE_CLIENT_DAY_BYTES;
	lim->budget.total_day_bytes = LIMIT_WEB_INTAKE_DAY_BYTES;
	lim->quarantine_max_bytes = LIMIT_QUARANTINE_MAX_BYTES;
}

int intake_new(const char *db_path, struct intake **out, char *err, size_t errlen)
{
	struct intake *in = xcalloc(1, sizeof(*in));
	struct intake_limits lim;

	pthread_mutex_init(&in->write_lock, NULL);
	pthread_mutex_init(&in->budget_lock, NULL);
	intake_limits_default(&lim);
	intake_set_limits(in, &lim);
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
	budget_free(in->budget);
	pthread_mutex_destroy(&in->write_lock);
	pthread_mutex_destroy(&in->budget_lock);
	free(in);
}

void intake_set_limits(struct intake *in, const struct intake_limits *lim)
{
	budget_free(in->budget);
	in->budget = budget_new(&lim->budget);
	in->quarantine_max_bytes = lim->quarantine_max_bytes;
}

static void intake_set(struct intake_reply *r, unsigned status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void intake_set(struct intake_reply *r, unsigned status, const char *fmt, ...)
{
	va_list ap;

	r->status = status;
	r->retry_after = 0;
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

int intake_admit(struct intake *in, struct intake_body *b, const char *client_ip,
                 const char *content_length, struct intake_reply *r)
{
	char why[256];
	unsigned retry = 0;
	int64_t announced = -1;
	const char *p;

	snprintf(b->client_ip, sizeof(b->client_ip), "%s", client_ip);
	if (content_length != NULL) {
		/* intake_begin refused a value over the cap: this one fits */
		for (announced = 0, p = content_length; *p >= '0' && *p <= '9'; p++)
			announced = announced * 10 + (*p - '0');
	}
	if (budget_admit(in->budget, client_ip, time(NULL), announced, &retry, why, sizeof(why)) <
	    0) {
		log_warnx("intake from %s: refused: %s", esc(client_ip), why);
		intake_set(r, 429, "%s", why);
		r->retry_after = retry;
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

	char why[256];
	unsigned retry = 0;

	if (b->too_large || b->over_budget || b->over_client || len == 0)
		return;
	if (len > b->data.cap - b->data.len) {
		b->too_large = 1;
		intake_body_free(in, b);
		return;
	}
	if (budget_charge(in->budget, b->client_ip, time(NULL), len, &retry, why, sizeof(why)) <
	    0) {
		b->over_client = 1;
		intake_set(&b->refusal, 429, "%s", why);
		b->refusal.retry_after = retry;
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

/* 1 when the quarantine holds max_bytes or more (read at most once a
 * minute; under write_lock). A database error counts as not full: the
 * store then fails on its own and says so. */
static int intake_quarantine_full(struct intake *in)
{
	int64_t records;
	time_t now = time(NULL);
	char err[256];

	if (in->st == NULL || in->quarantine_max_bytes <= 0)
		return 0;
	if (in->quarantine_read == 0 || now - in->quarantine_read >= 60) {
		if (store_quarantine_usage(in->st, &in->quarantine_bytes, &records, err,
		                           sizeof(err)) < 0)
			return 0;
		in->quarantine_read = now;
	}
	return in->quarantine_bytes >= in->quarantine_max_bytes;
}

/* Quarantines a refused body under the SHA-256 of all of it, keeping its
 * first LIMIT_WEB_QUARANTINE_KEEP_BYTES (none when the quarantine is
 * full: the record still says who sent what, when and why). */
static int intake_keep(struct intake *in, const uint8_t *data, size_t len,
                       const struct source_info *src, struct ingest_result *res, char *err,
                       size_t errlen)
{
	uint8_t sha[DIGEST_SHA256_LEN];
	size_t keep = len < LIMIT_WEB_QUARANTINE_KEEP_BYTES ? len : LIMIT_WEB_QUARANTINE_KEEP_BYTES;

	res->quarantined = 1;
	if (in->st == NULL)
		return 0;
	if (intake_quarantine_full(in)) {
		log_warnx(
		    "intake from %s: quarantine holds %lld bytes, over max_bytes: keeping the "
		    "record of a refused POST, not its bytes",
		    esc(src->name), (long long)in->quarantine_bytes);
		keep = 0;
	}
	digest_sha256(data, len, sha);
	if (store_begin(in->st, err, errlen) < 0 ||
	    store_quarantine_add_digest(in->st, src, res->reason, data, keep, (int64_t)len, sha,
	                                &res->quarantine_id, &res->quarantine_existing, err,
	                                errlen) < 0 ||
	    store_commit(in->st, err, errlen) < 0) {
		store_rollback(in->st);
		return -1;
	}
	if (!res->quarantine_existing)
		in->quarantine_bytes += (int64_t)keep;
	return 0;
}

/* Stores the decoded body p as mail and files are, except that a refused
 * body larger than LIMIT_WEB_QUARANTINE_KEEP_BYTES, or any refused body
 * while the quarantine is full, is kept by intake_keep (a dry run says
 * which: no store is touched by it). */
static int intake_ingest(struct intake *in, const struct decoded_input *p, const uint8_t *data,
                         size_t len, const struct source_info *src, struct ingest_result *res,
                         char *err, size_t errlen)
{
	struct ingest *ig;
	int rc;

	if (len > LIMIT_WEB_QUARANTINE_KEEP_BYTES || intake_quarantine_full(in)) {
		ig = ingest_new(NULL);
		ingest_set_trust(ig, in->trust);
		rc = ingest_apply(ig, p, src, res, err, errlen);
		ingest_free(ig);
		if (rc == 0 && res->quarantined)
			return intake_keep(in, data, len, src, res, err, errlen);
	}
	ig = ingest_new(in->st);
	ingest_set_trust(ig, in->trust);
	rc = ingest_apply(ig, p, src, res, err, errlen);
	if (rc == 0)
		rc = ingest_flush(ig, err, errlen);
	ingest_free(ig);
	return rc;
}

void intake_finish(struct intake *in, struct intake_body *b, const char *client_ip,
                   struct intake_reply *r)
{
	const uint8_t *data = (const uint8_t *)strbuf_str(&b->data);
	struct ingest_result res;
	struct source_info src;
	struct decoded_input *p = NULL;
	char err[ERR_LINE_MAX], reason[sizeof(res.reason) * 4], why[256];
	size_t len = b->data.len, decoded;
	unsigned retry = 0;
	int rc, mail;

	if (b->too_large) {
		intake_set(r, 413, "report larger than %u bytes", LIMIT_WEB_INTAKE_BODY_BYTES);
		return;
	}
	if (b->over_budget) {
		intake_set(r, 503, "too many reports arriving at once; retry later");
		return;
	}
	if (b->over_client) {
		log_warnx("intake from %s: refused: %s", esc(client_ip), b->refusal.message);
		*r = b->refusal;
		return;
	}
	memset(&src, 0, sizeof(src));
	src.kind = "https";
	src.name = client_ip;
	src.received = (int64_t)time(NULL);
	mail = !gz_is_gzip(data, len) && !decode_is_json(data, len) &&
	       mail_looks_like_message(data, len);
	if (!mail) {
		/* decoded before the lock (no store needed); what it inflates
		 * to beyond the body counts against the day budgets too: a
		 * 280 KB gzip can hold 27 MB of JSON and 70 MB of database */
		p = decode_input(data, len, (int64_t)len, 0);
		decoded = decode_json_bytes(p);
		if (decoded > len && budget_charge(in->budget, client_ip, time(NULL), decoded - len,
		                                   &retry, why, sizeof(why)) < 0) {
			decode_free(p);
			log_warnx("intake from %s: refused: %s", esc(client_ip), why);
			intake_set(r, 429, "%s", why);
			r->retry_after = retry;
			return;
		}
	}
	pthread_mutex_lock(&in->write_lock);
	if (mail) {
		/* ingest_input would read it as mail; over HTTPS only a
		 * report itself is accepted (RFC 8460 section 5.4) */
		memset(&res, 0, sizeof(res));
		snprintf(res.reason, sizeof(res.reason),
		         "not a TLS report: neither gzip nor JSON (a mail message is not accepted "
		         "over HTTPS)");
		rc = intake_keep(in, data, len, &src, &res, err, sizeof(err));
	} else {
		rc = intake_ingest(in, p, data, len, &src, &res, err, sizeof(err));
	}
	pthread_mutex_unlock(&in->write_lock);
	decode_free(p);
	if (rc < 0) {
		log_error("intake from %s: %s", esc(client_ip), err);
		intake_set(r, 500, "the report could not be stored; retry later");
		return;
	}
	if (res.quarantined && res.conflict_report != 0) {
		log_warnx(
		    "intake from %s: conflict: quarantined as %lld: conflicts with report %lld",
		    esc(client_ip), (long long)res.quarantine_id, (long long)res.conflict_report);
		intake_set(r, 409,
		           "conflicts with report %lld (same organization and report-id, different "
		           "content); kept in quarantine as %lld",
		           (long long)res.conflict_report, (long long)res.quarantine_id);
	} else if (res.quarantined) {
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
