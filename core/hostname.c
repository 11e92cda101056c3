/*
 * hostname.c - host name, MX pattern and IP literal checks (see
 * hostname.h). Input: untrusted strings from reports, already valid UTF-8.
 */
#include "hostname.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "escape.h"
#include "limits.h"

/* 1 when s (len bytes) is an IPv4 or IPv6 literal, brackets allowed. */
static int hostname_is_ip(const char *s, size_t len)
{
	unsigned char addr[16];
	char buf[64];

	if (len >= 2 && s[0] == '[' && s[len - 1] == ']') {
		s++;
		len -= 2;
	}
	if (len == 0 || len >= sizeof(buf))
		return 0;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return inet_pton(AF_INET, buf, addr) == 1 || inet_pton(AF_INET6, buf, addr) == 1;
}

static int hostname_label_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_' || c >= 0x80;
}

int hostname_check(const char *s, enum hostname_kind kind, char *why, size_t whylen)
{
	size_t len = strlen(s), i, label = 0;

	if (kind == HOSTNAME_IP || kind == HOSTNAME_MX) {
		if (hostname_is_ip(s, len))
			return 0;
		if (kind == HOSTNAME_IP) {
			snprintf(why, whylen, "not an IP address");
			return -1;
		}
	}
	/* an mx-host entry copied with its policy line's "mx: " (quirks I5) */
	if (kind == HOSTNAME_PATTERN && strncmp(s, "mx:", 3) == 0) {
		for (s += 3; *s == ' '; s++)
			;
		len = strlen(s);
	}
	if (kind == HOSTNAME_PATTERN && strncmp(s, "*.", 2) == 0) {
		s += 2;
		len -= 2;
	}
	if (len > 0 && s[len - 1] == '.')
		len--; /* the root's dot: "example.com." */
	if (len == 0) {
		snprintf(why, whylen, "empty host name");
		return -1;
	}
	if (len > LIMIT_HOSTNAME_BYTES) {
		snprintf(why, whylen, "host name longer than %d bytes", LIMIT_HOSTNAME_BYTES);
		return -1;
	}
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		unsigned cp;

		if (c >= 0xd8 &&
		    escape_invisible_len((const unsigned char *)s + i, len - i, &cp) > 0) {
			snprintf(why, whylen, "U+%04X at %zu is not allowed in a host name", cp, i);
			return -1;
		}

		if (c == '.') {
			if (label == 0) {
				snprintf(why, whylen, "empty label at byte %zu", i);
				return -1;
			}
			label = 0;
			continue;
		}
		if (!hostname_label_char(c)) {
			snprintf(why, whylen, "byte 0x%02x at %zu is not allowed in a host name", c,
			         i);
			return -1;
		}
		if (++label > LIMIT_HOSTNAME_LABEL_BYTES) {
			snprintf(why, whylen, "label longer than %d bytes",
			         LIMIT_HOSTNAME_LABEL_BYTES);
			return -1;
		}
	}
	return 0;
}
