/*
 * opts.c - the generator's command line (docs/generator.md) and its
 * own limits.
 *
 * Input is the command line: trusted, but every value is checked and a bad
 * one exits 2 with one line naming the option, before anything is written.
 * Dates stay within the years tlswatch accepts (core/limits.h).
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "limits.h"

#include "gen.h"

static void usage(FILE *f)
{
	fputs("usage: gen --out DIR [--seed N] [--start YYYY-MM-DD] [--days D] [--domains K]\n"
	      "           [--format json|gz|eml|mbox|maildir] [--reports-per-file N]\n"
	      "           [--spike DOMAIN,MX,RESULT_TYPE,YYYY-MM-DD,COUNT]... [--duplicates N]\n"
	      "           [--policy-change DOMAIN,YYYY-MM-DD]...\n"
	      "           [--max-reports N] [-v]\n"
	      "           [--expect FILE --since YYYY-MM-DD --until YYYY-MM-DD\n"
	      "            [--expect-domain D]... [--expect-org NAME]]\n"
	      "Writes deterministic RFC 8460 reports (and, with --expect, the figures\n"
	      "'tlswatch summary --format json' must show for [since, until)). See\n"
	      "docs/generator.md.\n",
	      f);
}

void usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("gen: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (gen --help)\n", stderr);
	exit(2);
}

/* Decimal digits only, within [min, max]. */
uint64_t opt_number(const char *name, const char *s, uint64_t min, uint64_t max)
{
	uint64_t v = 0;
	const char *p;

	if (*s == '\0')
		usage_error("--%s: empty number", name);
	for (p = s; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			usage_error("--%s: '%s' is not a decimal number", name, s);
		if (v > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			usage_error("--%s: '%s' is too large", name, s);
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (v < min || v > max)
		usage_error("--%s: %s is not in [%llu, %llu]", name, s, (unsigned long long)min,
		            (unsigned long long)max);
	return v;
}

int64_t opt_day(const char *name, const char *s)
{
	int64_t day, y;
	unsigned m, d;

	if (parse_day(s, &day) < 0)
		usage_error("--%s: '%s' is not a date (YYYY-MM-DD)", name, s);
	civil_from_days(day, &y, &m, &d);
	if (y < LIMIT_YEAR_MIN || y > LIMIT_YEAR_MAX)
		usage_error("--%s: %s is outside the years tlswatch accepts (%d-%d)", name, s,
		            LIMIT_YEAR_MIN, LIMIT_YEAR_MAX);
	return day;
}

/* Letters, digits, '-' and '.', not starting or ending with '.', no "..":
 * safe in JSON, mail headers and file names. */
int valid_host(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > GEN_MAX_HOST || s[0] == '.' || s[n - 1] == '.')
		return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || (c == '.' && s[i + 1] != '.')))
			return 0;
	}
	return 1;
}

int valid_result_type(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > GEN_MAX_RESULT_TYPE)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return 0;
	return 1;
}

void parse_opts(int argc, char **argv, struct gen_opts *o)
{
	static const struct option lopts[] = {
	    {"out", required_argument, NULL, 'o'},
	    {"seed", required_argument, NULL, 's'},
	    {"start", required_argument, NULL, 'S'},
	    {"days", required_argument, NULL, 'd'},
	    {"domains", required_argument, NULL, 'D'},
	    {"format", required_argument, NULL, 'f'},
	    {"reports-per-file", required_argument, NULL, 'r'},
	    {"spike", required_argument, NULL, 'k'},
	    {"policy-change", required_argument, NULL, 'c'},
	    {"duplicates", required_argument, NULL, 'u'},
	    {"max-reports", required_argument, NULL, 'm'},
	    {"expect", required_argument, NULL, 'e'},
	    {"since", required_argument, NULL, '1'},
	    {"until", required_argument, NULL, '2'},
	    {"expect-domain", required_argument, NULL, '3'},
	    {"expect-org", required_argument, NULL, '4'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	static const char *const formats[] = {"json", "gz", "eml", "mbox", "maildir"};
	int ch, i;

	memset(o, 0, sizeof(*o));
	o->seed = 1;
	o->start = days_from_civil(2026, 11, 1) - 30;
	o->days = 30;
	o->domains = 3;
	o->format = FMT_GZ;
	o->per_file = 1;
	o->max_reports = UINT64_MAX;
	o->spikes = gen_xcalloc((size_t)argc, sizeof(*o->spikes));
	o->changes = gen_xcalloc((size_t)argc, sizeof(*o->changes));
	o->expect_domains = gen_xcalloc((size_t)argc, sizeof(*o->expect_domains));
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "vh", lopts, NULL)) != -1) {
		switch (ch) {
		case 'o':
			if (optarg[0] == '\0')
				usage_error("--out: empty directory name");
			o->out = optarg;
			break;
		case 's':
			o->seed = opt_number("seed", optarg, 0, UINT64_MAX);
			break;
		case 'S':
			o->start = opt_day("start", optarg);
			break;
		case 'd':
			o->days = (int64_t)opt_number("days", optarg, 1, GEN_MAX_PERIOD_DAYS);
			break;
		case 'D':
			o->domains = (int64_t)opt_number("domains", optarg, 1, GEN_MAX_DOMAINS);
			break;
		case 'f':
			for (i = 0; i < 5 && strcmp(optarg, formats[i]) != 0; i++)
				;
			if (i == 5)
				usage_error("--format: '%s' is not json, gz, eml, mbox or maildir",
				            optarg);
			o->format = i;
			break;
		case 'r':
			o->per_file = (int64_t)opt_number("reports-per-file", optarg, 1,
			                                  LIMIT_REPORTS_PER_MESSAGE);
			break;
		case 'k':
			if (o->n_spikes == GEN_MAX_SPIKES)
				usage_error("--spike: more than %d", GEN_MAX_SPIKES);
			o->spikes[o->n_spikes++] = optarg;
			break;
		case 'c':
			o->changes[o->n_changes++] = optarg;
			break;
		case 'u':
			o->duplicates = opt_number("duplicates", optarg, 0, GEN_MAX_DUPLICATES);
			break;
		case 'm':
			o->max_reports = opt_number("max-reports", optarg, 0, UINT64_MAX - 1);
			break;
		case 'e':
			if (optarg[0] == '\0')
				usage_error("--expect: empty file name");
			o->expect = optarg;
			break;
		case '1':
			if (parse_day(optarg, &o->since) < 0)
				usage_error("--since: '%s' is not a date (YYYY-MM-DD)", optarg);
			o->have_since = 1;
			break;
		case '2':
			if (parse_day(optarg, &o->until) < 0)
				usage_error("--until: '%s' is not a date (YYYY-MM-DD)", optarg);
			o->have_until = 1;
			break;
		case '3':
			o->expect_domains[o->n_expect_domains++] = optarg;
			break;
		case '4':
			o->expect_org = optarg;
			break;
		case 'v':
			o->verbose = 1;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			if (optopt != 0)
				usage_error("option -%c needs a value or is unknown", optopt);
			usage_error("unknown option or missing value: %s", argv[optind - 1]);
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);
	if (o->out == NULL)
		usage_error("--out DIR is required");
	if (o->per_file > 1 && (o->format == FMT_JSON || o->format == FMT_GZ))
		usage_error("--reports-per-file: a .json or .json.gz file holds one report; "
		            "use it with --format eml, mbox or maildir");
	if (o->expect == NULL &&
	    (o->have_since || o->have_until || o->n_expect_domains > 0 || o->expect_org != NULL))
		usage_error("--since, --until, --expect-domain and --expect-org go with --expect");
	if (o->expect != NULL && !(o->have_since && o->have_until))
		usage_error("--expect needs --since and --until");
	if (o->expect != NULL && o->since > o->until)
		usage_error("--since is after --until");
	if (o->expect != NULL && o->until - o->since > GEN_MAX_PERIOD_DAYS)
		usage_error("--since..--until: more than %d days", GEN_MAX_PERIOD_DAYS);
	{
		int64_t y;
		unsigned m, d;

		civil_from_days(o->start + o->days - 1, &y, &m, &d);
		if (y > LIMIT_YEAR_MAX)
			usage_error("--days: the last day falls after %d", LIMIT_YEAR_MAX);
	}
}
