/*
 * utf8.h - strict UTF-8 validation (RFC 3629): no overlongs, no surrogates,
 * nothing above U+10FFFF. Input is untrusted.
 */
#ifndef TLSWATCH_UTF8_H
#define TLSWATCH_UTF8_H

#include <stddef.h>

/* Returns len when all of s is valid UTF-8, else the offset of the first
 * invalid byte. */
size_t utf8_valid_prefix(const unsigned char *s, size_t len);

#endif
