/*
 * hostname.h - is this string a host name, an MX pattern or an IP address?
 *
 * Report fields that name hosts (policy-domain, mx-host, receiving-mx-
 * hostname) and addresses (sending-mta-ip, receiving-ip) are untrusted;
 * the report parser (report.c) checks them here so that a report from
 * mail, a file or a POST is held to the same rules. Free-text fields
 * (receiving-mx-helo, additional-information) are not host names and are
 * not checked here.
 */
#ifndef TLSWATCH_HOSTNAME_H
#define TLSWATCH_HOSTNAME_H

#include <stddef.h>

/* What a field may hold, beyond a plain host name. */
enum hostname_kind {
	HOSTNAME_DOMAIN,  /* a host name (policy-domain) */
	HOSTNAME_MX,      /* a host name or an IP address (receiving-mx-hostname) */
	HOSTNAME_PATTERN, /* an MTA-STS mx pattern: "*." may lead (mx-host) */
	HOSTNAME_IP,      /* an IPv4 or IPv6 address literal (sending-mta-ip) */
};

/* 0 when s fits kind: a host name is at most 253 bytes (a final dot
 * aside), of labels of 1-63 bytes made of letters, digits, '-' and '_'
 * (RFC 1123 LDH, plus the underscore real DNS names carry), or of UTF-8
 * U-labels (bytes >= 0x80; the parser has checked the UTF-8). IP
 * addresses are what inet_pton(3) takes, optionally in [brackets].
 * Otherwise -1 and a short reason in why ("label longer than 63 bytes"). */
int hostname_check(const char *s, enum hostname_kind kind, char *why, size_t whylen);

#endif
