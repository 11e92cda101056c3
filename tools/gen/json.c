/*
 * json.c - one model report as the JSON its sender would write, its
 * report-id and its RFC 8460 section 5.3 file name.
 *
 * Input is trusted: the model (domain and MX names were checked against
 * [A-Za-z0-9.-] on the command line). Each sender keeps its own key order,
 * optional members and quirks (docs/quirks.md): compact JSON,
 * no trailing newline (quirks F1).
 */
#include "gen.h"

/* A bijection on 48-bit integers: ids that must be unique take the
 * report's key (day, sender, domain; under 2^45 for days before 2200)
 * through it, so they look random yet never collide. */
uint64_t perm48(uint64_t x, uint64_t seed)
{
	const uint64_t m = (1ULL << 48) - 1;

	x = (x ^ mix64(seed)) & m;
	x = (x * 0x9e3779b97f4bULL) & m;
	x ^= x >> 24;
	x = (x * 0xbf58476d1ce5ULL) & m;
	x ^= x >> 21;
	return x;
}

/* xxxxxxxx-xxxx-4xxx-yxxx-NNNNNNNNNNNN: random, the node unique. */
static void buf_uuid(struct buf *b, const struct gen *g, const struct gen_report *r)
{
	uint64_t hi = r->rnd, lo = mix64(r->rnd ^ 0x5555);

	buf_hex(b, hi >> 32, 8, 0);
	buf_ch(b, '-');
	buf_hex(b, hi >> 16, 4, 0);
	buf_str(b, "-4");
	buf_hex(b, hi, 3, 0);
	buf_ch(b, '-');
	buf_hex(b, 8 + (lo & 3), 1, 0);
	buf_hex(b, lo >> 2, 3, 0);
	buf_ch(b, '-');
	buf_hex(b, perm48(r->key, g->seed), 12, 0);
}

/* Microsoft's report number: a Windows FILETIME (100 ns since 1601) of the
 * generation time (quirks B4). */
static uint64_t report_filetime(const struct gen_report *r)
{
	return ((uint64_t)r->sent - 600 + 11644473600ULL) * 10000000ULL + r->rnd % 10000000ULL;
}

void buf_report_id(struct buf *b, const struct gen *g, const struct gen_report *r)
{
	const char *dom = g->dom[r->dom].name;

	switch (r->style) {
	case S_GOOGLE:
		buf_rfc3339(b, r->start, 1);
		buf_ch(b, '_');
		buf_str(b, dom);
		break;
	case S_MICROSOFT:
		buf_u64(b, report_filetime(r));
		buf_ch(b, '+');
		buf_str(b, dom);
		break;
	case S_MAILRU:
		buf_uuid(b, g, r);
		buf_str(b, "@mail.ru");
		break;
	case S_YAHOO:
		buf_i64(b, r->start);
		buf_ch(b, '.');
		buf_hex(b, perm48(r->key, g->seed ^ 0x7a), 12, 0);
		break;
	case S_COMCAST:
		buf_uuid(b, g, r);
		break;
	case S_STALWART:
		buf_i64(b, r->start);
		buf_ch(b, '_');
		buf_u64(b, mix64(r->key ^ mix64(g->seed)));
		break;
	default:
		buf_rfc3339(b, r->start, 1);
		buf_str(b, "_idx1_");
		buf_str(b, dom);
	}
}

/* sender!domain!begin!end[!unique-id].json[.gz] (quirks H1-H5). */
void buf_report_filename(struct buf *b, const struct gen *g, const struct gen_report *r, int gz)
{
	buf_str(b, g->snd[r->sender].submitter);
	buf_ch(b, '!');
	buf_str(b, g->dom[r->dom].name);
	buf_ch(b, '!');
	buf_i64(b, r->start);
	buf_ch(b, '!');
	buf_i64(b, r->end);
	switch (r->style) {
	case S_MICROSOFT:
		buf_ch(b, '!');
		buf_u64(b, report_filetime(r));
		break;
	case S_YAHOO:
		buf_ch(b, '!');
		buf_hex(b, perm48(r->key, g->seed ^ 0x7a), 12, 0);
		break;
	case S_STALWART:
		break;
	case S_POSTFIX:
		buf_str(b, "!1");
		break;
	default:
		buf_str(b, "!001");
	}
	buf_str(b, gz ? ".json.gz" : ".json");
}

static void buf_ipv4(struct buf *b, uint32_t ip)
{
	buf_u64(b, ip >> 24);
	buf_ch(b, '.');
	buf_u64(b, (ip >> 16) & 255);
	buf_ch(b, '.');
	buf_u64(b, (ip >> 8) & 255);
	buf_ch(b, '.');
	buf_u64(b, ip & 255);
}

static void buf_ip(struct buf *b, const struct gen_detail *x, const struct gen_sender *s)
{
	if (x->ipkind == 4) {
		buf_ipv4(b, x->ip);
		return;
	}
	buf_str(b, "2001:db8:");
	buf_hex(b, s->ip6_group, s->ip6_group >= 0x1000 ? 4 : s->ip6_group >= 0x100 ? 3 : 2, 0);
	buf_str(b, "::");
	buf_hex(b, x->ip, x->ip >= 0x10 ? 2 : 1, 0);
}

/* One policy line as a JSON string; cr keeps Google's "\r" (quirks C2). */
static void json_line(struct buf *b, const char *a, const char *c, int cr)
{
	buf_ch(b, '"');
	buf_str(b, a);
	buf_str(b, c);
	if (cr)
		buf_str(b, "\\r");
	buf_ch(b, '"');
}

static void json_mx_patterns(struct buf *b, const struct gen *g, const struct gen_domain *d,
                             const char *prefix, int cr, int *first)
{
	int j;

	if (d->wildcard) {
		buf_str(b, *first ? "" : ",");
		*first = 0;
		buf_ch(b, '"');
		buf_str(b, prefix);
		buf_str(b, "*.");
		buf_str(b, d->name);
		buf_str(b, cr ? "\\r\"" : "\"");
		return;
	}
	for (j = 0; j < d->n_mx; j++) {
		buf_str(b, *first ? "" : ",");
		*first = 0;
		json_line(b, prefix, g->mx.s[d->mx[j]], cr);
	}
}

/* The domain's mta-sts.txt, one line per element (RFC 8460 section 4.3). */
/* --policy-change: the day a sender first applies the new policy. Google
 * and Microsoft refetch within a day; most senders when their cached copy
 * is a day old; Comcast keeps it past max_age (a cache it never
 * refreshes: what 'stale-policy' is for). */
static int64_t json_change_seen(const struct gen_domain *d, int style)
{
	switch (style) {
	case S_GOOGLE:
		return d->change_day;
	case S_MICROSOFT:
		return d->change_day + 1;
	case S_COMCAST:
		return d->change_day + d->max_age / 86400 + 5;
	default:
		return d->change_day + 2;
	}
}

static void json_sts_strings(struct buf *b, const struct gen *g, const struct gen_domain *d,
                             int variant, int cr, int64_t day, int style)
{
	int64_t max_age = variant ? (d->max_age == 604800 ? 1209600 : 86400) : d->max_age;
	int first = 0, testing = d->testing;

	if (d->change_day > 0)
		testing = day < json_change_seen(d, style);
	buf_ch(b, '[');
	json_line(b, "version: STSv1", "", cr);
	buf_ch(b, ',');
	json_line(b, "mode: ", testing ? "testing" : "enforce", cr);
	if (d->maxage_first) {
		buf_str(b, ",\"max_age: ");
		buf_i64(b, max_age);
		buf_str(b, cr ? "\\r\"" : "\"");
	}
	json_mx_patterns(b, g, d, "mx: ", cr, &first);
	if (!d->maxage_first) {
		buf_str(b, ",\"max_age: ");
		buf_i64(b, max_age);
		buf_str(b, cr ? "\\r\"" : "\"");
	}
	buf_ch(b, ']');
}

/* Microsoft's TLSA records: one string holding a JSON array (quirks C1). */
static void json_tlsa_strings(struct buf *b, const struct gen_domain *d)
{
	int j, k;

	buf_str(b, "[\"[");
	for (j = 0; j < 2; j++) {
		buf_str(b, j ? ",\\\"" : "\\\"");
		buf_u64(b, (uint64_t)d->tlsa_usage);
		buf_str(b, " 1 1 ");
		for (k = 0; k < 4; k++)
			buf_hex(b, d->tlsa[j][k], 16, 1);
		buf_str(b, "\\\"");
	}
	buf_str(b, "]\"]");
}

static void json_policy(struct buf *b, const struct gen *g, const struct gen_report *r,
                        const struct gen_policy *p)
{
	const struct gen_domain *d = &g->dom[r->dom];
	int s = r->sender, first = 1;

	buf_str(b, "{\"policy-type\":");
	buf_str(b, p->type == P_STS    ? "\"sts\""
	           : p->type == P_TLSA ? "\"tlsa\""
	                               : "\"no-policy-found\"");
	if (p->type == P_STS && !p->no_string) {
		buf_str(b, ",\"policy-string\":");
		json_sts_strings(b, g, d, p->variant, s == S_GOOGLE && d->crlf, r->day, r->style);
	} else if (p->type == P_TLSA) {
		buf_str(b, ",\"policy-string\":");
		json_tlsa_strings(b, d);
	} else if (p->type == P_NPF && s == S_STALWART) {
		buf_str(b, ",\"policy-string\":[]"); /* quirks C6 */
	}
	if (p->dom >= 0) {
		buf_str(b, ",\"policy-domain\":");
		buf_json_str(b, g->dom[p->dom].name);
	}
	if (s == S_MICROSOFT || s == S_MAILRU || p->dom < 0)
		; /* never an mx-host (quirks C7) */
	else if (p->type == P_STS) {
		buf_str(b, ",\"mx-host\":[");
		json_mx_patterns(b, g, d, "", 0, &first);
		buf_ch(b, ']');
	} else if (s == S_STALWART) {
		buf_str(b, ",\"mx-host\":[]");
	}
	buf_ch(b, '}');
}

static void json_summary(struct buf *b, const struct gen_report *r, const struct gen_policy *p)
{
	if (r->style == S_POSTFIX) { /* quirks B3 */
		buf_str(b, "{\"total-failure-session-count\":");
		buf_i64(b, p->fail);
		buf_str(b, ",\"total-successful-session-count\":");
		buf_i64(b, p->ok);
	} else {
		buf_str(b, "{\"total-successful-session-count\":");
		buf_i64(b, p->ok);
		buf_str(b, ",\"total-failure-session-count\":");
		buf_i64(b, p->fail);
	}
	buf_ch(b, '}');
}

static void json_details(struct buf *b, const struct gen *g, const struct gen_report *r,
                         const struct gen_policy *p)
{
	const struct gen_sender *s = &g->snd[r->sender];
	size_t i;

	buf_ch(b, '[');
	for (i = 0; i < p->n; i++) {
		const struct gen_detail *x = &p->d[i];

		buf_str(b, i ? ",{\"result-type\":" : "{\"result-type\":");
		buf_json_str(b, g->rt.s[x->rt]);
		if (x->ipkind != 0) {
			buf_str(b, ",\"sending-mta-ip\":\"");
			buf_ip(b, x, s);
			buf_ch(b, '"');
		}
		if (x->rip) {
			buf_str(b, ",\"receiving-ip\":\"");
			buf_ipv4(b, IP4(192, 0, 2, 128 + (unsigned)x->mx % 120));
			buf_ch(b, '"');
		}
		if (x->mx >= 0) {
			buf_str(b, ",\"receiving-mx-hostname\":");
			buf_json_str(b, g->mx.s[x->mx]);
		}
		buf_str(b, ",\"failed-session-count\":");
		buf_i64(b, x->count);
		if (x->reason == 0) { /* Go's error text (quirks E6) */
			buf_str(b, ",\"failure-reason-code\":\"unable to do http request: Get "
			           "\\\"https://mta-sts.");
			buf_str(b, g->dom[r->dom].name);
			buf_str(b, "/.well-known/mta-sts.txt\\\": context deadline exceeded "
			           "(Client.Timeout exceeded while awaiting headers)\"");
		} else if (x->reason > 0) {
			buf_str(b, ",\"failure-reason-code\":\"bad https response code: ");
			buf_str(b, x->reason == 1 ? "404\"" : "500\"");
		}
		buf_ch(b, '}');
	}
	buf_ch(b, ']');
}

/* The report as its sender writes it, appended to b. */
void json_report(struct buf *b, const struct gen *g, const struct gen_report *r)
{
	const struct gen_sender *s = &g->snd[r->sender];
	int i, postfix = r->style == S_POSTFIX;
	int always_details = postfix || r->style == S_STALWART; /* quirks E1 */

	buf_str(b, "{\"organization-name\":");
	buf_json_str(b, s->org);
	buf_str(b, ",\"date-range\":{\"start-datetime\":\"");
	buf_rfc3339(b, r->start, r->zulu);
	buf_str(b, "\",\"end-datetime\":\"");
	buf_rfc3339(b, r->end, r->zulu);
	buf_str(b, "\"},\"contact-info\":");
	if (s->contact != NULL)
		buf_json_str(b, s->contact);
	else
		buf_str(b, "null"); /* quirks B1 */
	if (!postfix) {
		buf_str(b, ",\"report-id\":\"");
		buf_report_id(b, g, r);
		buf_ch(b, '"');
	}
	buf_str(b, ",\"policies\":[");
	for (i = 0; i < r->npol; i++) {
		const struct gen_policy *p = &r->pol[i];

		buf_str(b, i ? ",{" : "{");
		if (postfix) {
			buf_str(b, "\"summary\":");
			json_summary(b, r, p);
			buf_str(b, ",\"policy\":");
			json_policy(b, g, r, p);
		} else {
			buf_str(b, "\"policy\":");
			json_policy(b, g, r, p);
			buf_str(b, ",\"summary\":");
			json_summary(b, r, p);
		}
		if (p->n > 0 || always_details) {
			buf_str(b, ",\"failure-details\":");
			json_details(b, g, r, p);
		}
		buf_ch(b, '}');
	}
	buf_ch(b, ']');
	if (postfix) {
		buf_str(b, ",\"report-id\":\"");
		buf_report_id(b, g, r);
		buf_ch(b, '"');
	}
	buf_ch(b, '}');
}
