/*
 * mxdane.h - "DANE results at your MX hosts" (issue 19, docs/counting.md
 * rule 5): for each policy domain a summary is filtered on, the figures
 * counted under the name of one of its MX hosts. Postfix names a DANE
 * (tlsa) policy after the MX host (docs/quirks.md K6); what rule 5 could
 * not attribute within its own report stays under that name. Here it is
 * shown beside each domain the host serves, marked as counted under the
 * host, and never added into the domain's totals: every total still
 * counts each session once.
 *
 * Which hosts serve a domain: the mx-host lists of the domain's sts
 * policies in the reports of the period (store_policy_seen), and the MX
 * set 'tlswatch check' stored (store_check_history), the newest checked
 * before the period's end (else the first after it). Wildcards
 * ("*.example.net") match the names the period's figures are under.
 *
 * Input: the store (report and DNS text: untrusted, escaped by the
 * renderers). Errors: 0 or -1 with a one-line reason in err.
 */
#ifndef TLSWATCH_MXDANE_H
#define TLSWATCH_MXDANE_H

#include <stddef.h>
#include <stdint.h>

#include "jsonw.h"
#include "limits.h"
#include "query.h"
#include "store.h"
#include "strbuf.h"

/* Where a host was known from as an MX of the domain. */
#define MXDANE_FROM_REPORTS 1 /* an sts policy's mx-host list */
#define MXDANE_FROM_DNS     2 /* the MX set 'tlswatch check' stored */

struct mxdane_host {
	char domain[LIMIT_CHECK_NAME_BYTES];  /* the filter's domain it serves */
	char mx_host[LIMIT_CHECK_NAME_BYTES]; /* the name the figures are under */
	int from;                             /* MXDANE_FROM_* bits */
	int64_t reports;                      /* agg_domain rows under mx_host */
	int64_t successful_sessions;
	int64_t failed_sessions;
	struct query_rows by_result_type; /* QUERY_BY_RESULT_TYPE under mx_host */
	size_t n_shown;                   /* domains of this list it is shown under (>= 1) */
};

struct mxdane_list {
	struct mxdane_host *h; /* by domain as filtered, then mx_host */
	size_t n;
	size_t more;         /* hosts left out (not read) past LIMIT_MXDANE_HOSTS */
	size_t domains_more; /* filtered domains not read past LIMIT_MXDANE_DOMAINS */
};

/* The hosts of f's domains with figures in f's period (and organisation
 * and provenance); an empty list when f names no domain or the store
 * keeps no check results (a backend without them yet). Caller frees with
 * mxdane_list_free. */
int mxdane_read(struct store *st, const struct query_filter *f, struct mxdane_list *out, char *err,
                size_t errlen);
void mxdane_list_free(struct mxdane_list *l);

/* A host's note, as every renderer shows it beside its figures: where it
 * counts, where its MX was known from, under how many domains the list
 * shows it, its failed sessions by result type. Unescaped report and DNS
 * text, cut at len (MXDANE_NOTE_MAX holds a dozen result types): escape
 * it for the output. Returns buf. */
#define MXDANE_NOTE_MAX 1024
const char *mxdane_note(const struct mxdane_host *x, char *buf, size_t len);

/* The "dane_at_mx" array of the summary JSON (docs/summary-json.md). */
void mxdane_render_json(const struct mxdane_list *l, struct jsonw *w);

#endif
