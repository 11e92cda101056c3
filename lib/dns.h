/*
 * dns.h - DNS look-ups with DNSSEC validation and a hard deadline, through
 * libunbound (the only file that includes it).
 *
 * Answers come from the network, so their records are untrusted: the
 * decoders below bound every length. The resolver and trust anchor are the
 * operator's (trusted).
 */
#ifndef TLSWATCH_DNS_H
#define TLSWATCH_DNS_H

#include <stddef.h>
#include <stdint.h>

enum {
	DNS_TYPE_A = 1,
	DNS_TYPE_MX = 15,
	DNS_TYPE_TXT = 16,
	DNS_TYPE_AAAA = 28,
	DNS_TYPE_TLSA = 52
};

struct dns_opts {
	/* "ADDR", "ADDR:PORT" or "[V6ADDR]:PORT" to send every query to (a
	 * recursive resolver, or for tests an authoritative server); NULL:
	 * the servers of /etc/resolv.conf. */
	const char *resolver;
	/* A file of DS or DNSKEY records to validate from; NULL: the root
	 * key of Debian's dns-root-data (DNS_ROOT_KEY). */
	const char *trust_anchor;
	int timeout_ms; /* per look-up, > 0 */
};

#define DNS_ROOT_KEY "/usr/share/dns/root.key"

enum dns_security { DNS_INSECURE, DNS_SECURE, DNS_BOGUS };

struct dns_answer {
	int rcode;    /* 0 NOERROR, 3 NXDOMAIN, 2 SERVFAIL ... */
	int n;        /* records of the asked type (a CNAME chain followed) */
	uint8_t **rr; /* rdata of each, wire format, owned */
	size_t *len;
	enum dns_security security;
	char why_bogus[256];
};

struct dns;

/* 0 with *out, or -1 with the reason (a bad resolver address, an
 * unreadable trust anchor). */
int dns_open(const struct dns_opts *o, struct dns **out, char *err, size_t errlen);
/* dns_close(NULL) is a no-op. */
void dns_close(struct dns *d);

/* Looks up name/type within the deadline. 0 with *a filled (an answer
 * with no records, NXDOMAIN or a bogus answer is still 0: the caller
 * reads rcode and security); -1 with "DNS timeout after N ms looking up
 * NAME TYPE" or the resolver's error. More than LIMIT_CHECK_RECORDS
 * records is an error. Free *a with dns_answer_free. */
int dns_query(struct dns *d, const char *name, int type, struct dns_answer *a, char *err,
              size_t errlen);
void dns_answer_free(struct dns_answer *a);

/* Decoders of one rdata; each returns 0, or -1 when the record is
 * malformed or its text does not fit out (of outlen). */
/* TXT: the character-strings joined, as RFC 7208 section 3.3 and RFC 8461
 * section 3.1 read them. */
int dns_rr_txt(const uint8_t *rr, size_t len, char *out, size_t outlen);
/* MX: the preference and the exchange as text without the final dot. */
int dns_rr_mx(const uint8_t *rr, size_t len, int *pref, char *out, size_t outlen);
/* A or AAAA: the address as text. */
int dns_rr_addr(const uint8_t *rr, size_t len, char *out, size_t outlen);

struct dns_tlsa {
	int usage, selector, mtype;
	const uint8_t *data; /* points into the rdata */
	size_t len;
};
int dns_rr_tlsa(const uint8_t *rr, size_t len, struct dns_tlsa *t);

const char *dns_type_name(int type);

#endif
