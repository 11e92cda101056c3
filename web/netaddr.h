/*
 * netaddr.h - listen addresses ("ADDR:PORT") and client addresses for the
 * web server. Listen addresses come from the operator (options, config);
 * client addresses from the kernel. Numeric addresses only: no DNS.
 */
#ifndef TLSWATCH_NETADDR_H
#define TLSWATCH_NETADDR_H

#include <stddef.h>
#include <sys/socket.h>

struct netaddr {
	struct sockaddr_storage ss;
	socklen_t len;
};

/* Parses "IPV4:PORT", "[IPV6]:PORT" or "localhost:PORT" (127.0.0.1);
 * PORT is 0..65535 (0: any free port). 0, or -1 with the reason in err;
 * *out is written only on success. */
int netaddr_parse(const char *s, struct netaddr *out, char *err, size_t errlen);

/* 1 when the address is a loopback address (127.0.0.0/8, ::1, or
 * ::ffff:127.0.0.0/104). */
int netaddr_is_loopback(const struct sockaddr *sa);

/* The numeric address without the port ("192.0.2.1", "2001:db8::1"; an
 * IPv4-mapped IPv6 address as IPv4) into buf; "unknown" when sa is NULL
 * or of another family. Returns buf. */
const char *netaddr_format_ip(const struct sockaddr *sa, char *buf, size_t buflen);

/* A network ("192.0.2.0/24", "2001:db8::/32", or one address). */
struct netaddr_net {
	int family; /* AF_INET or AF_INET6 */
	unsigned char addr[16];
	unsigned prefix; /* bits */
};

/* Parses a network; the bits past the prefix must be zero. 0, or -1 with
 * the reason in err. */
int netaddr_net_parse(const char *s, struct netaddr_net *out, char *err, size_t errlen);
/* 1 when the numeric address ip (as netaddr_format_ip writes it) lies in
 * net. */
int netaddr_net_contains(const struct netaddr_net *net, const char *ip);

/* "ADDR:PORT" (IPv6 in brackets) with the given port, into buf. */
const char *netaddr_format(const struct sockaddr *sa, unsigned port, char *buf, size_t buflen);

#endif
