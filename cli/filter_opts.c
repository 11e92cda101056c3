/*
 * filter_opts.c - the filter options summary and reports share (see
 * filter_opts.h). Arguments are the operator's: checked and bounded here,
 * the dates by analyzer/period.c.
 */
#include "filter_opts.h"

#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "limits.h"
#include "period.h"
#include "store_trust.h"
#include "summary.h"
#include "xalloc.h"

void filter_opts_init(struct filter_opts *o, const char *cmd)
{
	memset(o, 0, sizeof(*o));
	o->cmd = cmd;
	o->domains = xcalloc(LIMIT_FILTER_DOMAINS, sizeof(*o->domains));
	o->f.domains = o->domains;
}

void filter_opts_free(struct filter_opts *o)
{
	free(o->domains);
	o->domains = NULL;
	o->f.domains = NULL;
}

int filter_opts_take(struct filter_opts *o, int ch, const char *arg)
{
	switch (ch) {
	case FILTER_OPT_SINCE:
		o->since = arg;
		return 1;
	case FILTER_OPT_UNTIL:
		o->until = arg;
		return 1;
	case FILTER_OPT_ALL:
		o->all = 1;
		return 1;
	case FILTER_OPT_DOMAIN:
		if (arg[0] == '\0') {
			cli_usage_error(o->cmd, "--domain needs a domain");
			return -1;
		}
		if (o->f.n_domains >= LIMIT_FILTER_DOMAINS) {
			cli_usage_error(o->cmd, "more than %d --domain options",
			                LIMIT_FILTER_DOMAINS);
			return -1;
		}
		o->domains[o->f.n_domains++] = arg;
		return 1;
	case FILTER_OPT_ORG:
		o->f.organization = arg;
		return 1;
	case FILTER_OPT_MX:
		o->f.mx_host = arg;
		return 1;
	case FILTER_OPT_RESULT_TYPE:
		o->f.result_type = arg;
		return 1;
	case FILTER_OPT_POLICY_TYPE:
		o->f.policy_type = arg;
		return 1;
	case FILTER_OPT_PROVENANCE:
		o->f.provenance = arg; /* checked once --help had its chance */
		return 1;
	default:
		return 0;
	}
}

int filter_opts_period(struct filter_opts *o, int64_t today, int64_t default_days)
{
	char err[ERR_LINE_MAX];

	if (o->f.provenance != NULL && store_provenance_grade(o->f.provenance) == 0) {
		cli_usage_error(o->cmd,
		                "--provenance: want dkim-verified, file, https or unverified-mail");
		return -1;
	}
	if (o->all && (o->since != NULL || o->until != NULL)) {
		cli_usage_error(o->cmd, "--all excludes --since and --until");
		return -1;
	}
	if (!o->all && period_resolve(o->since, o->until, today, default_days, &o->f.since,
	                              &o->f.until, err, sizeof(err)) < 0) {
		cli_usage_error(o->cmd, "%s", err);
		return -1;
	}
	return 0;
}

int filter_opts_period_all(struct filter_opts *o, struct store *st, int64_t today, char *err,
                           size_t errlen)
{
	if (!o->all)
		return 0;
	return summary_period_all(st, today, &o->f.since, &o->f.until, err, errlen);
}
