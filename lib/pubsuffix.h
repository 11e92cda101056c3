/*
 * pubsuffix.h - the Public Suffix List (libpsl, Debian's publicsuffix
 * data): where a domain name stops being a registry's and becomes its
 * owner's. "co.uk" and "github.io" are public suffixes; "example.co.uk"
 * is the registrable domain of "mail.example.co.uk". Input is untrusted
 * (a From domain, a DKIM d=); nothing is looked up on the network.
 */
#ifndef TLSWATCH_PUBSUFFIX_H
#define TLSWATCH_PUBSUFFIX_H

/* The registrable domain of host (a public suffix plus one label, by the
 * newest of libpsl's built-in list and /usr/share/publicsuffix; names
 * under an unknown TLD take the implicit "*" rule), as a pointer into
 * host (borrowed, same case as host); NULL when host is itself a public
 * suffix, is not a domain name, is longer than LIMIT_DOMAIN_BYTES, or no
 * list can be loaded (callers then trust nothing but exact names).
 * Thread-safe: the list is loaded once. */
const char *pubsuffix_registrable(const char *host);

#endif
