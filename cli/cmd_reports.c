/*
 * cmd_reports.c - "tlswatch reports" (the stored reports, filtered like
 * the summary, a page at a time) and "tlswatch show ID" (one report with
 * its policies, failure details, source and raw JSON). Arguments are the
 * operator's; what is printed is report text, escaped by analyzer/reports.c
 * (or written byte-exact with --raw, when asked for).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "filter_opts.h"
#include "limits.h"
#include "log.h"
#include "parse_int.h"
#include "period.h"
#include "query.h"
#include "reports.h"
#include "store.h"
#include "store_trust.h"

static void reports_usage(FILE *f)
{
	fprintf(f,
	        "usage: tlswatch reports [--since DATE|Nd] [--until DATE] [--all]\n"
	        "                        [--domain D]... [--org NAME] [--mx HOST]\n"
	        "                        [--result-type T] [--policy-type T]\n"
	        "                        [--provenance P]\n"
	        "                        [--limit N] [--offset N] [--format text|json]\n"
	        "\n"
	        "The stored reports of a period, newest first: the reports behind a\n"
	        "summary's numbers. Dates and --domain/--org as for 'tlswatch summary'\n"
	        "(default --since 7d). A report matches --mx, --result-type and\n"
	        "--policy-type when one of its policies does (--mx '' matches failure\n"
	        "details without a receiving-mx-hostname).\n"
	        "\n"
	        "  --provenance P  only reports of provenance P: dkim-verified, file,\n"
	        "               https or unverified-mail (docs/trust.md; the JSON lists\n"
	        "               each report's)\n"
	        "  --limit N    reports per page (default 50, at most %d)\n"
	        "  --offset N   skip the first N\n"
	        "  --format F   text (default) or json\n"
	        "\n"
	        "Exit status: 0, or 2 on an error.\n",
	        LIMIT_REPORT_PAGE);
}

static void show_usage(FILE *f)
{
	fprintf(f, "usage: tlswatch show ID [--raw | --format text|json]\n"
	           "\n"
	           "One stored report (IDs as listed by 'tlswatch reports'): organisation,\n"
	           "date range, sessions counted once, where it came from, each policy with\n"
	           "its failure details, and the raw JSON as received. Text from the report\n"
	           "is printed with control characters escaped.\n"
	           "\n"
	           "  --raw        write the raw JSON byte-exact to stdout, nothing else\n"
	           "  --format F   text (default) or json\n"
	           "\n"
	           "Exit status: 0, or 2 on an error (no such report).\n");
}

static int reports_write(const struct strbuf *sb)
{
	if (fwrite(strbuf_str(sb), 1, sb->len, stdout) != sb->len || fflush(stdout) != 0) {
		if (errno != EPIPE)
			log_warn("writing to stdout");
		return EXIT_FAILURE_OP;
	}
	return EXIT_OK;
}

int cmd_reports(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
	    FILTER_OPTS_PERIOD_DOMAIN,
	    FILTER_OPTS_POLICY,
	    {"limit", required_argument, NULL, 'l'},
	    {"offset", required_argument, NULL, 'O'},
	    {"format", required_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct query_report_list l = {NULL, 0, 0};
	struct filter_opts fo;
	struct store *st = NULL;
	struct strbuf sb;
	int64_t limit = 50, offset = 0, today = period_today();
	char err[ERR_LINE_MAX];
	int ch, taken, json = 0, rc = EXIT_FAILURE_OP;

	filter_opts_init(&fo, "reports");
	strbuf_init(&sb, LIMIT_SUMMARY_BYTES);
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if ((taken = filter_opts_take(&fo, ch, optarg)) != 0) {
			if (taken < 0)
				goto out;
			continue;
		}
		switch (ch) {
		case 'l':
			if (parse_int(optarg, 1, LIMIT_REPORT_PAGE, &limit, NULL, 0) < 0) {
				rc = cli_usage_error("reports", "--limit must be 1..%d",
				                     LIMIT_REPORT_PAGE);
				goto out;
			}
			break;
		case 'O':
			if (parse_int(optarg, 0, LIMIT_COUNT_MAX, &offset, NULL, 0) < 0) {
				rc = cli_usage_error("reports", "--offset must be a number >= 0");
				goto out;
			}
			break;
		case 'f':
			if (strcmp(optarg, "text") != 0 && strcmp(optarg, "json") != 0) {
				rc = cli_usage_error("reports", "unknown format '%s'", optarg);
				goto out;
			}
			json = strcmp(optarg, "json") == 0;
			break;
		case 'h':
			reports_usage(stdout);
			rc = EXIT_OK;
			goto out;
		default:
			rc = cli_usage_error("reports", "unknown option");
			goto out;
		}
	}
	if (optind < argc) {
		rc = cli_usage_error("reports", "unexpected argument '%s'", argv[optind]);
		goto out;
	}
	if (filter_opts_period(&fo, today, 7) < 0)
		goto out;
	if (store_open(c->db_path, STORE_READONLY, &st, err, sizeof(err)) < 0 ||
	    filter_opts_period_all(&fo, st, today, err, sizeof(err)) < 0 ||
	    query_reports(st, &fo.f, offset, limit, &l, err, sizeof(err)) < 0) {
		log_error("%s", err);
		goto out;
	}
	if ((json ? reports_render_list_json(&l, &fo.f, offset, limit, &sb, 1)
	          : reports_render_list_text(&l, offset, &sb)) < 0) {
		log_error("report list larger than %u bytes", LIMIT_SUMMARY_BYTES);
		goto out;
	}
	rc = reports_write(&sb);
out:
	query_report_list_free(&l);
	strbuf_free(&sb);
	store_close(st);
	filter_opts_free(&fo);
	return rc;
}

/* The raw JSON, byte-exact. */
static int show_raw(const struct query_report_detail *d)
{
	size_t off = 0;
	ssize_t n;

	while (off < d->raw_json_len) {
		n = write(1, d->raw_json + off, d->raw_json_len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (errno != EPIPE)
				log_warn("writing to stdout");
			return EXIT_FAILURE_OP;
		}
		off += (size_t)n;
	}
	return EXIT_OK;
}

int cmd_show(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"raw", no_argument, NULL, 'r'},
	    {"format", required_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct query_report_detail d;
	struct store *st = NULL;
	struct strbuf sb;
	int64_t id;
	char err[ERR_LINE_MAX];
	int ch, raw = 0, json = 0, loaded = 0, rc = EXIT_FAILURE_OP;

	memset(&d, 0, sizeof(d));
	strbuf_init(&sb, LIMIT_SUMMARY_BYTES);
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'r':
			raw = 1;
			break;
		case 'f':
			if (strcmp(optarg, "text") != 0 && strcmp(optarg, "json") != 0) {
				rc = cli_usage_error("show", "unknown format '%s'", optarg);
				goto out;
			}
			json = strcmp(optarg, "json") == 0;
			break;
		case 'h':
			show_usage(stdout);
			rc = EXIT_OK;
			goto out;
		default:
			rc = cli_usage_error("show", "unknown option");
			goto out;
		}
	}
	if (optind + 1 != argc) {
		rc = cli_usage_error("show", "expected one report ID");
		goto out;
	}
	if (parse_int(argv[optind], 1, LIMIT_COUNT_MAX, &id, NULL, 0) < 0) {
		rc = cli_usage_error("show", "'%s' is not a report ID", argv[optind]);
		goto out;
	}
	if (store_open(c->db_path, STORE_READONLY, &st, err, sizeof(err)) < 0 ||
	    query_report_get(st, id, &d, err, sizeof(err)) < 0) {
		log_error("%s", err);
		goto out;
	}
	loaded = 1;
	if (raw) {
		rc = show_raw(&d);
		goto out;
	}
	if ((json ? reports_render_detail_json(&d, &sb, 1) : reports_render_detail_text(&d, &sb)) <
	    0) {
		log_error("report %lld larger than %u bytes to show", (long long)id,
		          LIMIT_SUMMARY_BYTES);
		goto out;
	}
	rc = reports_write(&sb);
out:
	if (loaded)
		query_report_detail_free(&d);
	strbuf_free(&sb);
	store_close(st);
	return rc;
}
