/*
 * published.h - what a domain publishes (the stored 'tlswatch check'
 * results, store_check.h) read against what senders reported
 * (docs/check.md, "Published vs reported"):
 *  - ready for enforce? per domain in mode testing: days of reports since
 *    the policy was published, reporters, MTA-STS-category failures in
 *    that time, MX hosts seen in reports and in DNS against the policy;
 *  - drift: reporters still applying a policy (mode, mx list, max_age) no
 *    longer published, since when and when their cache should expire; MX
 *    hosts named in reports but not in DNS, and DNS MX hosts no reported
 *    mx-host list covers;
 *  - from the newest result: certificates expiring within
 *    [check] expiry_warn_days and a policy senders cannot fetch.
 * Notes marked `alert` are the alert kinds stale-policy,
 * certificate-expiring and policy-unreachable.
 *
 * Input: the store (its text came from DNS, HTTPS, SMTP and reports:
 * untrusted, escaped by the renderers). Errors: 0 or -1 with a one-line
 * reason in err.
 */
#ifndef TLSWATCH_PUBLISHED_H
#define TLSWATCH_PUBLISHED_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "jsonw.h"
#include "limits.h"
#include "query.h"
#include "store.h"
#include "strbuf.h"

/* Ready for enforce after this many days with reports since the policy
 * was published: two weekly cycles of traffic, and longer than the
 * max_age (a week) most testing policies use, so senders hold it. */
#define PUBLISHED_READY_DAYS 14
/* ... from at least this many reporters: one reporter sees one sender's
 * path only (Google's, say), not the MTAs the others run. */
#define PUBLISHED_READY_REPORTERS 2
/* MX hosts named in failure details are read over this many days. */
#define PUBLISHED_MX_DAYS 30
/* The policies reporters applied are read over this many days: longer
 * than the max_age most policies use (a week to a month), so a reporter
 * still applying an old one past it is in the period; a read of a year
 * would cost a year of reports on every summary. */
#define PUBLISHED_SEEN_DAYS           62
#define PUBLISHED_EXPIRY_WARN_DEFAULT 14

enum published_kind {
	PUBLISHED_READY,              /* testing, and enforce would bounce nothing */
	PUBLISHED_NOT_READY,          /* testing, with the reasons */
	PUBLISHED_DRIFT,              /* a reporter applies an older policy, within max_age */
	PUBLISHED_STALE_POLICY,       /* ... past max_age (alert) */
	PUBLISHED_MX_NOT_IN_DNS,      /* reports name an MX DNS no longer lists */
	PUBLISHED_MX_NOT_COVERED,     /* a DNS MX no reported mx-host list covers */
	PUBLISHED_CERT_EXPIRING,      /* alert */
	PUBLISHED_POLICY_UNREACHABLE, /* alert */
	PUBLISHED_MORE                /* notes left out past LIMIT_PUBLISHED_NOTES */
};

struct published_note {
	enum published_kind kind;
	int alert; /* one of the alert kinds */
	char host[LIMIT_CHECK_NAME_BYTES];
	char organization[256];
	int64_t day; /* the UTC day the note is about (for alerts: once a day) */
	char text[LIMIT_PUBLISHED_NOTE_TEXT];
};

struct published {
	char domain[LIMIT_CHECK_NAME_BYTES];
	int64_t checked_at; /* the newest check */
	char sts_id[33];
	char sts_mode[16];       /* "" when no usable policy */
	int64_t published_since; /* first check that saw the current id and policy */
	size_t n, alloc;         /* notes, at most LIMIT_PUBLISHED_NOTES */
	struct published_note *note;
};

struct published_list {
	struct published *d;
	size_t n;
};

/* Reads every checked domain (or only those of domains[0..n_domains),
 * compared without case, when n_domains > 0) as of the UTC second now.
 * An empty list from a store that keeps no check results. Caller frees
 * with published_list_free. */
int published_read(struct store *st, const char *const *domains, size_t n_domains, int64_t now,
                   int expiry_warn_days, struct published_list *out, char *err, size_t errlen);
void published_list_free(struct published_list *l);

/* [check] expiry_warn_days (0..3650), PUBLISHED_EXPIRY_WARN_DEFAULT when
 * unset: the one reading, for check, summary, alert and the dashboard. */
int published_expiry_warn_days(const struct config *cfg, int *days, char *err, size_t errlen);

const char *published_kind_name(enum published_kind k);

/* published_read as of the end of f's period (a summary of October reads
 * October's reports against what was published then, never later than
 * now), for f's domains: the one reading of summary and /api/v1/summary. */
int published_read_period(struct store *st, const struct query_filter *f, int expiry_warn_days,
                          struct published_list *out, char *err, size_t errlen);

/* Calls fn for each line of a check result's list (check_result.mx,
 * .certs, .tlsa: NUL-terminated copies, bounded; a longer line is
 * skipped). */
void published_for_lines(const char *text, void (*fn)(const char *line, void *arg), void *arg);
/* The MX host of a check result's mx line ("PREF HOST"). */
const char *published_mx_line_host(const char *line);

/* The "published" array of the summary JSON (docs/summary-json.md). */
void published_render_json(const struct published_list *l, struct jsonw *w);

/* The "Published vs reported" section of the text summary; nothing when
 * no domain was checked. -1 past sb's cap. */
STRBUF_MUST_CHECK int published_render_text(const struct published_list *l, struct strbuf *sb);

#endif
