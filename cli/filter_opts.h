/*
 * filter_opts.h - the filter options 'tlswatch summary' and 'tlswatch
 * reports' share, parsed by one helper into a struct query_filter so that
 * both read them by the same rules: --since DATE|Nd, --until DATE, --all,
 * --domain D (repeatable), --org NAME, and the report list's --mx HOST,
 * --result-type T, --policy-type T. Arguments are the operator's; the
 * strings are borrowed from argv.
 */
#ifndef TLSWATCH_FILTER_OPTS_H
#define TLSWATCH_FILTER_OPTS_H

#include <getopt.h>
#include <stdint.h>

#include "query.h"
#include "store.h"

/* getopt_long values of the filter options: above every short option, so
 * a command's own option letters never clash with them. */
enum {
	FILTER_OPT_SINCE = 0x100,
	FILTER_OPT_UNTIL,
	FILTER_OPT_ALL,
	FILTER_OPT_DOMAIN,
	FILTER_OPT_ORG,
	FILTER_OPT_MX,
	FILTER_OPT_RESULT_TYPE,
	FILTER_OPT_POLICY_TYPE,
};

/* struct option entries for a command's table: the period and the
 * domain/organization filters (summary and reports) ... */
/* clang-format off */
#define FILTER_OPTS_PERIOD_DOMAIN                                   \
	{"since", required_argument, NULL, FILTER_OPT_SINCE},       \
	{"until", required_argument, NULL, FILTER_OPT_UNTIL},       \
	{"all", no_argument, NULL, FILTER_OPT_ALL},                 \
	{"domain", required_argument, NULL, FILTER_OPT_DOMAIN},     \
	{"org", required_argument, NULL, FILTER_OPT_ORG}
/* ... and the policy filters (reports). */
#define FILTER_OPTS_POLICY                                              \
	{"mx", required_argument, NULL, FILTER_OPT_MX},                 \
	{"result-type", required_argument, NULL, FILTER_OPT_RESULT_TYPE}, \
	{"policy-type", required_argument, NULL, FILTER_OPT_POLICY_TYPE}
/* clang-format on */

struct filter_opts {
	const char *cmd;           /* the command, for usage errors */
	const char *since, *until; /* as given; NULL when not */
	int all;
	const char **domains; /* LIMIT_FILTER_DOMAINS slots, owned */
	struct query_filter f;
};

/* An empty filter for command cmd; filter_opts_free releases it. */
void filter_opts_init(struct filter_opts *o, const char *cmd);
void filter_opts_free(struct filter_opts *o);

/* Takes ch, a value getopt_long returned, with its argument. 1 when ch is
 * a filter option (taken), 0 when it is not one; -1 after printing a
 * usage error (an empty --domain, more than LIMIT_FILTER_DOMAINS). */
int filter_opts_take(struct filter_opts *o, int ch, const char *arg);

/* After the options: --all excludes --since and --until; without --all
 * the period is resolved, default_days before today up to today.
 * 0, or -1 after printing a usage error. */
int filter_opts_period(struct filter_opts *o, int64_t today, int64_t default_days);

/* With --all, the period from the store: its first to its last day with a
 * report. Nothing to do without --all. 0, or -1 with the reason in err. */
int filter_opts_period_all(struct filter_opts *o, struct store *st, int64_t today, char *err,
                           size_t errlen);

#endif
