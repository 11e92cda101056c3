/*
 * pubsuffix.c - the Public Suffix List through libpsl (pubsuffix.h).
 * Input is untrusted: bounded and lowercased before libpsl sees it.
 */
#include "pubsuffix.h"

#include <libpsl.h>
#include <pthread.h>
#include <string.h>

#include "limits.h"

static const psl_ctx_t *pubsuffix_list;
static pthread_once_t pubsuffix_once = PTHREAD_ONCE_INIT;

/* psl_latest: the newer of the list built into libpsl and the one the
 * publicsuffix package keeps up to date (psl_dist_filename()). Loaded for
 * the process's lifetime. */
static void pubsuffix_load(void)
{
	pubsuffix_list = psl_latest(NULL);
}

const char *pubsuffix_registrable(const char *host)
{
	char lower[LIMIT_DOMAIN_BYTES + 1];
	const char *reg;
	size_t i, n = strlen(host);

	if (n == 0 || n > LIMIT_DOMAIN_BYTES)
		return NULL;
	for (i = 0; i < n; i++) {
		char c = host[i];

		lower[i] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
	}
	lower[n] = '\0';
	pthread_once(&pubsuffix_once, pubsuffix_load);
	if (pubsuffix_list == NULL || (reg = psl_registrable_domain(pubsuffix_list, lower)) == NULL)
		return NULL;
	/* a suffix of lower: the same place in host */
	return host + (reg - lower);
}
