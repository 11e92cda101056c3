/*
 * cmd_summary.c - "tlswatch summary": the failure summary of a period
 * (analyzer/summary.c), as text for cron mail, JSON, CSV or HTML.
 * Arguments are the operator's; the store's strings are report text and
 * are escaped by the renderers.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arrival.h"
#include "cli.h"
#include "filter_opts.h"
#include "limits.h"
#include "log.h"
#include "period.h"
#include "published.h"
#include "query.h"
#include "store.h"
#include "summary.h"

static void summary_usage(FILE *f)
{
	fprintf(f, "usage: tlswatch summary [--since DATE|Nd] [--until DATE] [--all]\n"
	           "                        [--domain D]... [--org NAME] [--provenance P]\n"
	           "                        [--format text|json|csv|html]\n"
	           "\n"
	           "Failed and successful TLS sessions reported for a period, against the\n"
	           "previous period of the same length: totals and success rate per policy\n"
	           "domain, top failures with a hint on what to check, breakdowns by\n"
	           "organisation, MX host and result type, failures new in this period,\n"
	           "reporters gone silent, and inputs quarantined. For each domain\n"
	           "'tlswatch check' looked at: published vs reported (ready for enforce,\n"
	           "reporters applying an old policy, MX drift; docs/check.md), in every\n"
	           "format but CSV.\n"
	           "\n"
	           "  --since DATE|Nd  first day (UTC, YYYY-MM-DD), or Nd: the N complete\n"
	           "                   days before today (default 7d)\n"
	           "  --until DATE     the day after the last (exclusive; default today)\n"
	           "  --all            every day holding a report\n"
	           "  --domain D       only policy domain D (repeatable)\n"
	           "  --org NAME       only reports from organisation NAME\n"
	           "  --provenance P   only reports of provenance P: dkim-verified, file,\n"
	           "                   https or unverified-mail (docs/trust.md; slower: each\n"
	           "                   report of the period is counted again)\n"
	           "  --format F       text (default, 80 columns), json (docs/summary-json.md),\n"
	           "                   csv, or html (a standalone page)\n"
	           "\n"
	           "Exit status: 0, or 2 on an error.\n");
}

/* Beside the summary, on a second handle of the store on a second
 * thread, while it reads this period's breakdowns (on two cores the two
 * overlap): the period before's breakdowns, handed over as soon as read
 * (summary_known's prev: the summary then reads only the failure groups
 * it shows of them), then the days not in yet (a sixth to a third of a
 * summary's instructions at 10M reports; summary_known's wait). What does
 * not come (no thread, an error here) the summary reads itself, and
 * reports its own error, so this thread's errors are not shown. */
struct summary_beside {
	const char *db_path;
	struct query_filter prev; /* summary_periods' */
	int want_prev, want_arrival;
	int64_t since, until;
	struct arrival arr;
	pthread_mutex_t lock;
	pthread_cond_t prev_read;
	int prev_state; /* under lock: 0 being read, 1 read, -1 not (or taken) */
	struct query_scan prev_scan;
	pthread_t thread;
	int running; /* started and not yet joined */
	int rc;
	char err[ERR_LINE_MAX];
};

static void summary_beside_prev_done(struct summary_beside *b, int state)
{
	pthread_mutex_lock(&b->lock);
	b->prev_state = state;
	pthread_cond_signal(&b->prev_read);
	pthread_mutex_unlock(&b->lock);
}

static void *summary_beside_run(void *arg)
{
	struct summary_beside *b = arg;
	struct store *st = NULL;
	char err[ERR_LINE_MAX];
	int got;

	if (store_open(b->db_path, STORE_READONLY, &st, b->err, sizeof(b->err)) < 0) {
		summary_beside_prev_done(b, -1);
		return NULL;
	}
	if (b->want_prev) {
		got = query_summary_scan_top(st, &b->prev, 0, 0, NULL, &b->prev_scan, err,
		                             sizeof(err));
		summary_beside_prev_done(b, got == 0 ? 1 : -1);
	}
	if (b->want_arrival)
		b->rc = arrival_build(st, b->since, b->until, &b->arr, b->err, sizeof(b->err));
	store_close(st);
	return NULL;
}

/* summary_known's prev: waits for the breakdowns before, moves them out. */
static int summary_beside_prev(void *ctx, struct query_scan *out)
{
	struct summary_beside *b = ctx;
	int state;

	pthread_mutex_lock(&b->lock);
	while (b->prev_state == 0)
		pthread_cond_wait(&b->prev_read, &b->lock);
	state = b->prev_state;
	if (state == 1) {
		*out = b->prev_scan;
		memset(&b->prev_scan, 0, sizeof(b->prev_scan));
		b->prev_state = -1;
	}
	pthread_mutex_unlock(&b->lock);
	return state == 1 ? 0 : -1;
}

/* summary_known's wait, and the end of every start: joins once. */
static int summary_beside_wait(void *ctx)
{
	struct summary_beside *b = ctx;

	if (b->running) {
		pthread_join(b->thread, NULL);
		b->running = 0;
	}
	return b->rc;
}

/* Starts reading beside for f's summary, into known. */
static void summary_beside_start(struct summary_beside *b, const char *db_path,
                                 const struct query_filter *f, struct summary_known *known)
{
	struct query_filter cur;

	memset(b, 0, sizeof(*b));
	b->rc = -1;
	b->db_path = db_path;
	summary_periods(f, &cur, &b->prev);
	b->want_prev = cur.until - cur.since > LIMIT_SUMMARY_PREV_ALONE_DAYS;
	b->want_arrival =
	    f->organization == NULL && summary_arrival_period(f, &b->since, &b->until);
	pthread_mutex_init(&b->lock, NULL);
	pthread_cond_init(&b->prev_read, NULL);
	if (!b->want_prev && !b->want_arrival)
		return;
	b->running = pthread_create(&b->thread, NULL, summary_beside_run, b) == 0;
	if (!b->running)
		return;
	if (b->want_prev) {
		known->prev = summary_beside_prev;
		known->prev_ctx = b;
	}
	if (b->want_arrival) {
		known->arrival = &b->arr;
		known->since = b->since;
		known->until = b->until;
		known->wait = summary_beside_wait;
		known->wait_ctx = b;
	}
}

/* Joins, and frees what was read beside and not taken. */
static void summary_beside_end(struct summary_beside *b)
{
	summary_beside_wait(b);
	query_scan_free(&b->prev_scan);
	arrival_free(&b->arr);
	pthread_cond_destroy(&b->prev_read);
	pthread_mutex_destroy(&b->lock);
}

int cmd_summary(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
	    FILTER_OPTS_PERIOD_DOMAIN,
	    {"provenance", required_argument, NULL, FILTER_OPT_PROVENANCE},
	    {"format", required_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	enum summary_format fmt = SUMMARY_TEXT;
	struct summary_known known = {.arrival = NULL};
	struct summary_beside beside;
	struct filter_opts fo;
	struct store *st = NULL;
	struct summary s;
	struct strbuf sb;
	int64_t today = period_today();
	char err[ERR_LINE_MAX];
	struct published_list pub = {NULL, 0};
	int ch, taken, days, rc = EXIT_FAILURE_OP, built = 0;

	filter_opts_init(&fo, "summary");
	memset(&s, 0, sizeof(s));
	strbuf_init(&sb, LIMIT_SUMMARY_BYTES);
	optind = 1;
	while ((ch = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		if ((taken = filter_opts_take(&fo, ch, optarg)) != 0) {
			if (taken < 0)
				goto out;
			continue;
		}
		switch (ch) {
		case 'f':
			if (summary_parse_format(optarg, &fmt) < 0) {
				rc = cli_usage_error("summary", "unknown format '%s'", optarg);
				goto out;
			}
			break;
		case 'h':
			summary_usage(stdout);
			rc = EXIT_OK;
			goto out;
		default:
			rc = cli_usage_error("summary", "unknown option");
			goto out;
		}
	}
	if (optind < argc) {
		rc = cli_usage_error("summary", "unexpected argument '%s'", argv[optind]);
		goto out;
	}
	if (filter_opts_period(&fo, today, 7) < 0)
		goto out;
	if (store_open(c->db_path, STORE_READONLY, &st, err, sizeof(err)) < 0 ||
	    filter_opts_period_all(&fo, st, today, err, sizeof(err)) < 0) {
		log_error("%s", err);
		goto out;
	}
	summary_beside_start(&beside, c->db_path, &fo.f, &known);
	built = summary_build_known(st, &fo.f, &known, &s, err, sizeof(err)) == 0;
	summary_beside_end(&beside);
	if (!built) {
		log_error("%s", err);
		goto out;
	}
	/* an extra section: a store that cannot read check results (a
	 * backend without them yet) still gets its summary */
	if (published_expiry_warn_days(c->cfg, &days, err, sizeof(err)) < 0 ||
	    published_read_period(st, &fo.f, days, &pub, err, sizeof(err)) < 0)
		log_warn("published vs reported left out: %s", err);
	else
		s.published = &pub;
	if (summary_render(&s, fmt, &sb, err, sizeof(err)) < 0) {
		log_error("%s", err);
		goto out;
	}
	/* past the cap the section is cut, as before: the summary still goes out */
	if (fmt == SUMMARY_TEXT && s.published != NULL && published_render_text(&pub, &sb) < 0)
		log_warn("published vs reported left out: summary larger than %zu bytes; narrow "
		         "the period or filter",
		         sb.cap);
	if (fwrite(strbuf_str(&sb), 1, sb.len, stdout) != sb.len || fflush(stdout) != 0) {
		/* a reader that stopped early (| head) is not worth a message */
		if (errno != EPIPE)
			log_warn("writing the summary");
		goto out;
	}
	rc = EXIT_OK;
out:
	if (built)
		summary_free(&s);
	published_list_free(&pub);
	strbuf_free(&sb);
	store_close(st);
	filter_opts_free(&fo);
	return rc;
}
