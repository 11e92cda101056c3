/*
 * utf8.c - strict UTF-8 validation of untrusted bytes.
 */
#include "utf8.h"

size_t utf8_valid_prefix(const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned char c = s[i];
		size_t n;
		unsigned char lo = 0x80, hi = 0xbf;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			if (c == 0xe0)
				lo = 0xa0; /* overlong */
			if (c == 0xed)
				hi = 0x9f; /* surrogates */
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			if (c == 0xf0)
				lo = 0x90; /* overlong */
			if (c == 0xf4)
				hi = 0x8f; /* above U+10FFFF */
		} else {
			return i;
		}
		if (len - i <= n)
			return i;
		if (s[i + 1] < lo || s[i + 1] > hi)
			return i;
		if (n >= 2 && (s[i + 2] & 0xc0) != 0x80)
			return i;
		if (n == 3 && (s[i + 3] & 0xc0) != 0x80)
			return i;
		i += n + 1;
	}
	return len;
}
