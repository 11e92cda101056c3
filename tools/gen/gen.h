/*
 * gen.h - the report generator's one header (build/tools/gen, see
 * docs/generator.md): the types its files share and the functions each
 * file offers the others. Everything else is static in its file.
 *
 *   gen.c      main(): the command line, the model, the run
 *   util.c     PRNG, buffers, calendar, JSON strings, interned names
 *   senders.c  senders and result types (constant tables)
 *   model.c    domains and one report from (seed, sender, domain, day)
 *   json.c     a report as its sender writes it, report-id, file name
 *   deflate.c  a fast deflate encoder for the gzip output
 *   mail.c     a report as a multipart/report message
 *   out.c      .json / .json.gz files, mail as .eml, mbox or Maildir
 *   expect.c   the expected summary figures
 *   opts.c     the command line and the generator's own limits
 *
 * The generator shares no code with tlswatch: it includes core/limits.h
 * only (opts.c), so that its expected figures are an independent check.
 * Its input is trusted (its own model and a checked command line).
 */
#ifndef GEN_H
#define GEN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* --- util.c: PRNG, growable buffer, calendar, interned strings */

/* --- PRNG: splitmix64. Every report draws from its own stream, seeded
 * from (seed, day, domain, sender), so a report's content does not depend
 * on which other reports were generated (--max-reports, spikes, order). */

struct rng {
	uint64_t s;
};

/* --- growable buffer */

struct buf {
	char *p;
	size_t n;
	size_t cap;
};

/* --- interned strings (MX host names, result types): id <-> name */

struct strtab {
	char **s;
	size_t n, cap;
	int32_t *slot; /* open addressing: id + 1, 0 = empty */
	size_t nslot;
};

/* Out of memory or an unwritable output ends the run: exit 2, one line. */
void gen_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void *gen_xgrow(void *p, size_t old_bytes, size_t new_bytes);
void *gen_xcalloc(size_t n, size_t size);
char *gen_xstrdup(const char *s);
uint64_t mix64(uint64_t z);
uint64_t rng_next(struct rng *r);
uint64_t rng_below(struct rng *r, uint64_t n);
double rng_unit(struct rng *r);
struct rng rng_for(uint64_t seed, uint64_t a, uint64_t b, uint64_t c, uint64_t d);
size_t rng_pick(struct rng *r, const unsigned *weights, size_t n);
void buf_reserve(struct buf *b, size_t more);
void buf_add(struct buf *b, const void *p, size_t n);
void buf_str(struct buf *b, const char *s);
void buf_ch(struct buf *b, char c);
void buf_u64(struct buf *b, uint64_t v);
void buf_i64(struct buf *b, int64_t v);
void buf_pad(struct buf *b, uint64_t v, int width);
void buf_hex(struct buf *b, uint64_t v, int digits, int upper);
void buf_json_str(struct buf *b, const char *s);
int64_t days_from_civil(int64_t y, unsigned m, unsigned d);
void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);
int64_t floor_div(int64_t a, int64_t b);
int parse_day(const char *s, int64_t *out);
void buf_date(struct buf *b, int64_t day);
void buf_rfc3339(struct buf *b, int64_t t, int zulu);
int day_of_week(int64_t day);
void buf_rfc5322(struct buf *b, int64_t t, int tz_minutes, int pad_day);
void buf_asctime(struct buf *b, int64_t t);
int strtab_intern(struct strtab *t, const char *s);
void strtab_free(struct strtab *t);

/* --- senders.c: result types and reporting organisations */

/* --- result types: the RFC 8460 section 6.6 registry; their ids are
 * their index here (spikes may intern more after these). */

enum {
	RT_STARTTLS,
	RT_HOST_MISMATCH,
	RT_EXPIRED,
	RT_NOT_TRUSTED,
	RT_VALIDATION,
	RT_TLSA_INVALID,
	RT_DNSSEC_INVALID,
	RT_DANE_REQUIRED,
	RT_STS_FETCH,
	RT_STS_INVALID,
	RT_STS_WEBPKI,
	N_RT_REGISTRY
};

/* --- senders (docs/quirks.md section J; Yahoo and Comcast were not found in any
 * public sample: they follow the RFC 8460 section 4.8 example). Each sender
 * has a style: how it shapes its JSON, file names and mail. The first
 * N_STYLES senders are the ones below; a long tail of small host-named
 * reporters in the Stalwart and Postfix styles follows (model.c), as
 * a real domain hears from many small operators. */

enum { S_GOOGLE, S_MICROSOFT, S_MAILRU, S_YAHOO, S_COMCAST, S_STALWART, S_POSTFIX, N_STYLES };

struct gen_sender {
	int style;             /* S_GOOGLE ... S_POSTFIX */
	const char *org;       /* organization-name */
	const char *submitter; /* TLS-Report-Submitter, file-name prefix */
	const char *contact;   /* contact-info; NULL = JSON null */
	const char *from;      /* mail From: */
	const char *bounce;    /* envelope sender (mbox "From " line) */
	double presence;       /* chance of a report for one domain and day */
	double volume;         /* mean sessions a day to a weight-1 domain */
	double fail_rate;      /* baseline share of failed sessions */
	uint32_t ip4_base;     /* sending addresses: ip4_base + [0, ip4_count) */
	unsigned ip4_count;
	unsigned ip6_group; /* 2001:db8:GROUP::/48 (0 = IPv4 only): */
	unsigned ip6_base;  /* ... GROUP::ip6_base + [0, ip4_count) */
	int next_midnight;  /* window ends at the next 00:00:00Z (quirks A2) */
};

#define IP4(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (d))

/* The long tail: this many small reporters after the named ones, half in
 * each host-named style. With the five big senders it makes about 52
 * reports per domain and day, so 400 days of 50 domains give the
 * million reports the benchmarks want. */
#define GEN_TAIL_SENDERS 96

extern const char *const rt_registry[N_RT_REGISTRY];
extern const unsigned w_sts[N_RT_REGISTRY];
extern const unsigned w_mailru[N_RT_REGISTRY];
extern const unsigned w_npf[N_RT_REGISTRY];
extern const unsigned w_tlsa[N_RT_REGISTRY];
extern const unsigned w_incident[N_RT_REGISTRY];
extern const struct gen_sender sender_styles[N_STYLES];

/* --- model.c: policy domains and one report */

/* --- policy domains */

enum { DOM_STS, DOM_NPF };

struct gen_domain {
	char *name;
	int type;         /* DOM_STS or DOM_NPF (no MTA-STS policy) */
	int dane;         /* publishes TLSA: Microsoft adds a tlsa policy */
	int wildcard;     /* policy "mx: *.name" rather than each host */
	int crlf;         /* policy lines keep "\r" in Google's copy (quirks C2) */
	int maxage_first; /* max_age before the mx lines (quirks C9) */
	int testing;      /* mode: testing */
	int64_t max_age;
	int n_mx;
	int mx[3];       /* MX host ids */
	double weight;   /* traffic relative to the busiest domain */
	int64_t inc_day; /* an incident: inc_len days from inc_day ... */
	int inc_len;     /* ... (0 = none) at mx[inc_mx], result type inc_rt */
	int inc_mx;
	int inc_rt;
	double inc_rate;
	int tlsa_usage;      /* 2 or 3 */
	uint64_t tlsa[2][4]; /* two SHA-256 TLSA records */
	int extra;           /* created for a --spike, not part of --domains */
	int64_t change_day;  /* --policy-change: testing before, enforce from
	                      * then (as each sender catches up); 0 = none */
};

/* --- one report */

enum { P_STS, P_TLSA, P_NPF };

struct gen_detail {
	int rt;      /* result type id */
	int mx;      /* receiving-mx-hostname id, -1 = absent */
	int ipkind;  /* sending-mta-ip: 0 absent, 4, 6 */
	uint32_t ip; /* IPv4 address, or the low 16 bits of an IPv6 one */
	int rip;     /* receiving-ip present (derived from mx) */
	int reason;  /* failure-reason-code template, -1 = absent */
	int64_t count;
};

struct gen_policy {
	int type;         /* P_STS, P_TLSA, P_NPF */
	int dom;          /* policy-domain id, -1 = absent (Postfix, quirks C3) */
	int variant;      /* 1: the day's second sts policy (quirks C8) */
	int no_string;    /* policy-string left out (quirks C5) */
	int64_t ok, fail; /* summary */
	struct gen_detail *d;
	size_t n, cap;
};

/* Policies in one report: Google's sts + sts + no-policy-found is the most. */
#define GEN_MAX_POLICIES 4

struct gen_report {
	int sender;         /* index into gen.snd */
	int style;          /* its style, S_GOOGLE ... */
	int dom;            /* the domain the report is addressed to */
	int64_t day;        /* UTC day of start-datetime */
	int64_t start, end; /* seconds */
	int zulu;           /* 0: datetimes without "Z" (Microsoft, quirks A1) */
	int64_t sent;       /* when the report was mailed */
	uint64_t rnd;       /* per report random bits (ids, boundaries) */
	uint64_t key;       /* unique: day << 28 | sender << 20 | domain (45 bits) */
	int npol;
	struct gen_policy pol[GEN_MAX_POLICIES];
};

struct gen_spike {
	int dom;
	int mx;
	int rt;
	int64_t day;
	int64_t count;
};

struct gen {
	uint64_t seed;
	struct gen_sender *snd; /* sender_styles, then the tail */
	int n_snd;
	char **owned; /* the tail's strings */
	size_t n_owned;
	int64_t start_day;
	int64_t days;
	struct gen_domain *dom;
	int n_dom;  /* --domains plus domains named only by spikes */
	int n_main; /* --domains */
	struct strtab mx;
	struct strtab rt;
	struct gen_spike *spike; /* sorted by (dom, day) */
	size_t n_spike;
};

void domain_name(char *out, size_t outlen, int i);
void model_init_domain(struct gen *g, int i, const char *name, int extra);
int model_present(const struct gen *g, int s, int dom, int64_t day);
void model_build(const struct gen *g, int s, int dom, int64_t day, struct gen_report *r);
void model_init_senders(struct gen *g);
void model_free(struct gen *g);
void report_free_details(struct gen_report *r);

/* --- json.c: a report as its sender writes it */

uint64_t perm48(uint64_t x, uint64_t seed);
void buf_report_id(struct buf *b, const struct gen *g, const struct gen_report *r);
void buf_report_filename(struct buf *b, const struct gen *g, const struct gen_report *r, int gz);
void json_report(struct buf *b, const struct gen *g, const struct gen_report *r);

/* --- deflate.c: deflate encoder (greedy LZ77, fixed Huffman codes) */

#define DEFL_HASH_BITS 13
#define DEFL_WINDOW    32768
#define DEFL_MAX_MATCH 258

struct defl {
	uint32_t head[1u << DEFL_HASH_BITS]; /* stamp + position, < stamp = empty */
	uint32_t stamp;                      /* where this input's positions start */
	uint16_t lit_code[288];              /* bit-reversed fixed codes */
	uint8_t lit_bits[288];
	uint8_t dist_rev[30];                /* 5-bit distance codes, reversed */
	uint8_t len_sym[DEFL_MAX_MATCH + 1]; /* match length -> length code 0..28 */
	uint8_t dist_sym[512];               /* distance - 1 -> code, see defl_dist() */
	uint64_t acc;                        /* bit writer, LSB first */
	int nacc;
	unsigned char *out;
};

void defl_init(struct defl *d);
void defl_compress(struct defl *d, const unsigned char *in, size_t n, int go_style,
                   struct buf *dst);

/* --- mail.c: a report as a multipart/report message */

struct gen_mail {
	struct buf msg;     /* the message so far, LF line ends */
	struct buf bnd;     /* its MIME boundary, NUL-terminated */
	struct buf name;    /* an attachment's file name */
	int style;          /* of the first report: shapes the message */
	const char *bounce; /* its envelope sender */
	int64_t sent;       /* its time */
	int parts;          /* reports attached */
};

void mail_begin(struct gen_mail *m, const struct gen *g, const struct gen_report *r);
void mail_attach(struct gen_mail *m, const struct gen *g, const struct gen_report *r,
                 const struct buf *gz);
void mail_close(struct gen_mail *m);
void mail_free(struct gen_mail *m);

/* --- out.c: files, mbox, Maildir */

enum { FMT_JSON, FMT_GZ, FMT_EML, FMT_MBOX, FMT_MAILDIR };

struct gen_out {
	int format;
	const char *dir;
	int per_message; /* reports per mail message */
	struct defl defl;
	struct buf json, gz, name, path, path2, crlf;
	struct gen_mail mail; /* the open message (mail.parts > 0) */
	FILE *mbox;
	uint64_t files; /* files written (the mbox counts once) */
	uint64_t messages;
};

void out_write_file(const char *path, const char *data, size_t n);
void out_init(struct gen_out *o, int format, const char *dir, int per_message);
void mail_end(struct gen_out *o);
void out_report(struct gen_out *o, const struct gen *g, const struct gen_report *r,
                const char *name_suffix);
void out_finish(struct gen_out *o);

/* --- expect.c: the expected summary figures (--expect) */

struct exp_counts {
	int64_t reports;
	int64_t ok;
	int64_t fail;
};

struct exp_slot {
	uint64_t key; /* 0 = empty; see exp_top_key() */
	int64_t fail;
};

/* One failure detail, keyed for the per-report merge. */
struct exp_item {
	int dom, mx, rt, cls;
	int64_t count;
};

struct gen_expect {
	const char *path;       /* NULL: no --expect */
	int64_t since, until;   /* UTC days, until exclusive */
	const char *org_name;   /* --expect-org, NULL = every organisation */
	int org;                /* its sender index, -1 = no sender has that name */
	unsigned char *dom_sel; /* --expect-domain, per domain id; NULL = all */
	struct exp_counts total;
	struct exp_counts *by_dom; /* [n_dom] = no policy-domain */
	struct exp_counts *by_org; /* per sender */
	int64_t *by_mx;            /* [n_mx] = no receiving-mx-hostname */
	int64_t *by_rt;
	int64_t *day_ok, *day_fail; /* [day - since] */
	struct exp_slot *top;
	size_t n_top, cap_top;
	struct exp_item *items;
	size_t cap_items;
};

void expect_init(struct gen_expect *e, const struct gen *g);
void expect_add(struct gen_expect *e, const struct gen *g, const struct gen_report *r);
void expect_write(struct gen_expect *e, const struct gen *g);
void expect_free(struct gen_expect *e);

/* --- opts.c: the command line and the generator's own limits */

/* Domains: each domain id must fit the 20 bits that report-ids and the
 * expectation keys give it (json.c perm48, expect.c). 100,000 is
 * far beyond any benchmark (50 domains make a million reports). */
#define GEN_MAX_DOMAINS 100000

/* Spikes: all of them could land in one report's failure details, which
 * tlswatch caps at LIMIT_FAILURE_DETAILS. */
#define GEN_MAX_SPIKES 1000

/* Sessions in one spike: a billion is more than any MX sees in a day, and
 * GEN_MAX_SPIKES of them stay far below LIMIT_COUNT_MAX. */
#define GEN_MAX_SPIKE_COUNT 1000000000LL

/* Re-sends (--duplicates): as many as a million-report benchmark needs. */
#define GEN_MAX_DUPLICATES 10000000ULL

/* The expectation period: its per-day rows are held in memory. */
#define GEN_MAX_PERIOD_DAYS 100000

/* A host name (RFC 1035 section 2.3.4). */
#define GEN_MAX_HOST 253

/* A result type named by a spike. */
#define GEN_MAX_RESULT_TYPE 64

struct gen_opts {
	const char *out;
	uint64_t seed;
	int64_t start;
	int64_t days;
	int64_t domains;
	int format;
	int64_t per_file;
	uint64_t duplicates;
	uint64_t max_reports;
	char **spikes;
	size_t n_spikes;
	char **changes; /* --policy-change DOMAIN,DAY */
	size_t n_changes;
	const char *expect;
	int64_t since, until;
	int have_since, have_until;
	char **expect_domains;
	size_t n_expect_domains;
	const char *expect_org;
	int verbose;
};

void usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
uint64_t opt_number(const char *name, const char *s, uint64_t min, uint64_t max);
int64_t opt_day(const char *name, const char *s);
int valid_host(const char *s, size_t n);
int valid_result_type(const char *s, size_t n);
void parse_opts(int argc, char **argv, struct gen_opts *o);

#endif
