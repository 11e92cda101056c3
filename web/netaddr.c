/*
 * netaddr.c - parsing and printing listen and client addresses. Input is
 * the operator's (trusted) or the kernel's; parsing is still strict.
 */
#include "netaddr.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "parse_int.h"

int netaddr_parse(const char *s, struct netaddr *out, char *err, size_t errlen)
{
	struct addrinfo hints, *res = NULL;
	const char *colon, *host_start, *host_end;
	char host[INET6_ADDRSTRLEN + 1], port[8];
	size_t host_len, port_len;
	int64_t port_num;
	int rc = -1, gai;

	if (s[0] == '[') {
		host_start = s + 1;
		host_end = strchr(s, ']');
		if (host_end == NULL || host_end[1] != ':')
			goto bad;
		colon = host_end + 1;
	} else {
		host_start = s;
		colon = strrchr(s, ':');
		if (colon == NULL || memchr(s, ':', (size_t)(colon - s)) != NULL)
			goto bad;
		host_end = colon;
	}
	host_len = (size_t)(host_end - host_start);
	port_len = strlen(colon + 1);
	if (host_len == 0 || host_len >= sizeof(host) || port_len == 0 || port_len > 5)
		goto bad;
	memcpy(port, colon + 1, port_len + 1);
	if (parse_int(port, 0, 65535, &port_num, NULL, 0) < 0)
		goto bad;
	memcpy(host, host_start, host_len);
	host[host_len] = '\0';
	if (s[0] != '[' && strcmp(host, "localhost") == 0)
		snprintf(host, sizeof(host), "127.0.0.1");
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = s[0] == '[' ? AF_INET6 : AF_INET;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	gai = getaddrinfo(host, port, &hints, &res);
	if (gai != 0 || res == NULL || res->ai_addrlen > sizeof(out->ss))
		goto bad;
	memset(out, 0, sizeof(*out));
	memcpy(&out->ss, res->ai_addr, res->ai_addrlen);
	out->len = res->ai_addrlen;
	rc = 0;
	goto out;
bad:
	snprintf(err, errlen, "'%.80s' is not ADDR:PORT (IPv4, [IPv6] or localhost, port 0-65535)",
	         s);
out:
	if (res != NULL)
		freeaddrinfo(res);
	return rc;
}

int netaddr_is_loopback(const struct sockaddr *sa)
{
	const struct sockaddr_in *in4;
	const struct sockaddr_in6 *in6;
	const uint8_t *b;

	if (sa == NULL)
		return 0;
	if (sa->sa_family == AF_INET) {
		in4 = (const struct sockaddr_in *)(const void *)sa;
		return (ntohl(in4->sin_addr.s_addr) >> 24) == 127;
	}
	if (sa->sa_family != AF_INET6)
		return 0;
	in6 = (const struct sockaddr_in6 *)(const void *)sa;
	b = in6->sin6_addr.s6_addr;
	if (IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr))
		return 1;
	return IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr) && b[12] == 127;
}

const char *netaddr_format_ip(const struct sockaddr *sa, char *buf, size_t buflen)
{
	const struct sockaddr_in6 *in6;
	struct in_addr v4;

	snprintf(buf, buflen, "unknown");
	if (sa == NULL)
		return buf;
	if (sa->sa_family == AF_INET) {
		if (inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr,
		              buf, (socklen_t)buflen) == NULL)
			snprintf(buf, buflen, "unknown");
	} else if (sa->sa_family == AF_INET6) {
		in6 = (const struct sockaddr_in6 *)(const void *)sa;
		if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
			memcpy(&v4, in6->sin6_addr.s6_addr + 12, sizeof(v4));
			if (inet_ntop(AF_INET, &v4, buf, (socklen_t)buflen) == NULL)
				snprintf(buf, buflen, "unknown");
		} else if (inet_ntop(AF_INET6, &in6->sin6_addr, buf, (socklen_t)buflen) == NULL) {
			snprintf(buf, buflen, "unknown");
		}
	}
	return buf;
}

const char *netaddr_format(const struct sockaddr *sa, unsigned port, char *buf, size_t buflen)
{
	char ip[INET6_ADDRSTRLEN];

	netaddr_format_ip(sa, ip, sizeof(ip));
	if (sa != NULL && sa->sa_family == AF_INET6 && strchr(ip, ':') != NULL)
		snprintf(buf, buflen, "[%s]:%u", ip, port);
	else
		snprintf(buf, buflen, "%s:%u", ip, port);
	return buf;
}
