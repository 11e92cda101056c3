/*
 * cmd_check.c - "tlswatch check DOMAIN...": the published MTA-STS, TLSRPT
 * and DANE set-up of each domain (analyzer/check.c), for a person or cron.
 * Options and the [check] section are the operator's; what the network
 * answers is untrusted and escaped on output.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "check_history.h"
#include "cli.h"
#include "dns.h"
#include "escape.h"
#include "log.h"
#include "parse_int.h"
#include "progress.h"
#include "store.h"
#include "xalloc.h"

static void check_usage(FILE *f)
{
	fprintf(f, "usage: tlswatch check [OPTIONS] [DOMAIN...]\n"
	           "\n"
	           "Checks what each DOMAIN (default: the config's [check] domains) publishes:\n"
	           "MX set, _smtp._tls TLSRPT record, _mta-sts record and policy, and each MX\n"
	           "over SMTP: STARTTLS, TLS version, certificate (names, chain, expiry) and\n"
	           "DANE TLSA records with DNSSEC. One line per finding: ok, warn or fail,\n"
	           "with how to fix it.\n"
	           "\n"
	           "  --format text|json     output (default text)\n"
	           "  --resolver ADDR[:PORT] send DNS queries there (default: /etc/resolv.conf)\n"
	           "  --trust-anchor FILE    DNSSEC trust anchor (default: " DNS_ROOT_KEY ")\n"
	           "  --ca-file FILE         WebPKI roots for the policy host and the MX\n"
	           "                         certificates (default: the system store)\n"
	           "  --smtp-port N          port of the MX hosts (default 25)\n"
	           "  --https-port N         port of the policy host (default 443)\n"
	           "  --timeout SECONDS      per DNS look-up, connection or fetch (default 10)\n"
	           "  --expiry-warn-days N   warn of certificates expiring within N days\n"
	           "                         (default 14)\n"
	           "  --no-store             do not keep the results in the database (an\n"
	           "                         ad-hoc look at someone else's domain)\n"
	           "  --history              check nothing: print what changed between the\n"
	           "                         stored results of each DOMAIN, run by run\n"
	           "                         (as one JSON document with --format json)\n"
	           "\n"
	           "Each result is stored in the database (--db) unless --no-store: the\n"
	           "history, and what summary, the dashboard and alert read against the\n"
	           "reports (docs/check.md).\n"
	           "With -q only findings that are not ok are printed.\n"
	           "Exit status: 0 all ok, 1 a warning or failure, 2 could not check (DNS did\n"
	           "not answer, bad usage).\n");
}

struct check_cli {
	struct check_opts o;
	const char *resolver, *trust_anchor;
	int json;
	int no_store, history;
};

/* name is the [check] key; a value from an option or the config. */
static int check_set(struct check_cli *cc, const char *name, const char *v, char *err,
                     size_t errlen)
{
	int64_t n;

	if (strcmp(name, "resolver") == 0) {
		cc->resolver = v;
	} else if (strcmp(name, "trust_anchor") == 0) {
		cc->trust_anchor = v;
	} else if (strcmp(name, "ca_file") == 0) {
		cc->o.ca_file = v;
	} else if (strcmp(name, "smtp_port") == 0 || strcmp(name, "https_port") == 0) {
		if (parse_int(v, 1, 65535, &n, err, errlen) < 0)
			return -1;
		*(name[0] == 's' ? &cc->o.smtp_port : &cc->o.https_port) = (int)n;
	} else if (strcmp(name, "timeout") == 0) {
		if (parse_int(v, 1, 600, &n, err, errlen) < 0)
			return -1;
		cc->o.timeout_ms = (int)n * 1000;
	} else if (strcmp(name, "expiry_warn_days") == 0) {
		if (parse_int(v, 0, 3650, &n, err, errlen) < 0)
			return -1;
		cc->o.expiry_warn_days = (int)n;
	}
	return 0;
}

static int check_config(struct cli *c, struct check_cli *cc)
{
	static const char *const keys[] = {"resolver",        "trust_anchor", "ca_file",
	                                   "smtp_port",       "https_port",   "timeout",
	                                   "expiry_warn_days"};
	char err[ERR_LINE_MAX];
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *v = config_get(c->cfg, "check", keys[i]);

		if (v != NULL && check_set(cc, keys[i], v, err, sizeof(err)) < 0) {
			log_error("%s: [check] %s: %s", config_path(c->cfg), keys[i], err);
			return -1;
		}
	}
	return 0;
}

/* The domains to check: the arguments, else [check] domains split on
 * white space and commas (into *list, which the caller frees, as *out). */
static void check_domains(struct cli *c, int argc, char **argv, char ***out, int *n, char **list)
{
	const char *cfg = config_get(c->cfg, "check", "domains");
	char **d = xcalloc(LIMIT_CHECK_DOMAINS, sizeof(*d)), *p;
	int k = 0, i;

	*list = NULL;
	if (argc > 0) {
		for (i = 0; i < argc && k < LIMIT_CHECK_DOMAINS; i++)
			d[k++] = argv[i];
	} else if (cfg != NULL) {
		*list = p = xstrdup(cfg);
		while (*p != '\0' && k < LIMIT_CHECK_DOMAINS) {
			p += strspn(p, " \t,");
			if (*p == '\0')
				break;
			d[k++] = p;
			p += strcspn(p, " \t,");
			if (*p != '\0')
				*p++ = '\0';
		}
	}
	*out = d;
	*n = k;
}

/* --history: each domain's stored runs as changes. EXIT_ATTENTION when a
 * domain was never checked. */
static int check_print_history(struct cli *c, char **domains, int n, int json)
{
	struct store *st = NULL;
	char err[ERR_LINE_MAX];
	int i, runs, rc = EXIT_OK;

	if (store_open(c->db_path, STORE_READONLY, &st, err, sizeof(err)) < 0) {
		log_error("%s", err);
		return EXIT_FAILURE_OP;
	}
	if (json)
		printf("{\"domains\":[");
	for (i = 0; i < n; i++) {
		if ((json ? check_history_json(st, domains[i], stdout, i == 0, &runs, err,
		                               sizeof(err))
		          : check_history_print(st, domains[i], stdout, &runs, err, sizeof(err))) <
		    0) {
			log_error("%s", err);
			rc = EXIT_FAILURE_OP;
			break;
		}
		if (runs == 0 && json) {
			rc = EXIT_ATTENTION;
		} else if (runs == 0) {
			printf("%s: never checked (run tlswatch check %s)\n", esc(domains[i]),
			       esc(domains[i]));
			rc = EXIT_ATTENTION;
		}
	}
	/* a whole document even after an error: the exit status says it */
	if (json)
		printf("]}\n");
	store_close(st);
	return rc;
}

int cmd_check(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"format", required_argument, NULL, 'F'},
	    {"resolver", required_argument, NULL, 'r'},
	    {"trust-anchor", required_argument, NULL, 't'},
	    {"ca-file", required_argument, NULL, 'c'},
	    {"smtp-port", required_argument, NULL, 's'},
	    {"https-port", required_argument, NULL, 'p'},
	    {"timeout", required_argument, NULL, 'T'},
	    {"expiry-warn-days", required_argument, NULL, 'e'},
	    {"no-store", no_argument, NULL, 'N'},
	    {"history", no_argument, NULL, 'H'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	static const char *const names[] = {
	    ['r'] = "resolver",        ['t'] = "trust_anchor", ['c'] = "ca_file",
	    ['s'] = "smtp_port",       ['p'] = "https_port",   ['T'] = "timeout",
	    ['e'] = "expiry_warn_days"};
	struct check_cli cc;
	struct progress prog;
	struct dns_opts dopts;
	struct dns *dns = NULL;
	struct check_domain *cd = NULL;
	struct store *st = NULL;
	char err[ERR_LINE_MAX], **domains = NULL, *list = NULL;
	int ch, n = 0, i, rc = EXIT_FAILURE_OP, worst = CHECK_OK, unknown = 0;

	memset(&cc, 0, sizeof(cc));
	cc.o.smtp_port = 25;
	cc.o.https_port = 443;
	cc.o.timeout_ms = 10000;
	cc.o.expiry_warn_days = 14;
	if (check_config(c, &cc) < 0)
		return EXIT_FAILURE_OP;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		if (ch == 'h') {
			check_usage(stdout);
			return EXIT_OK;
		} else if (ch == 'F') {
			if (strcmp(optarg, "text") != 0 && strcmp(optarg, "json") != 0)
				return cli_usage_error("check", "unknown format '%s'", optarg);
			cc.json = strcmp(optarg, "json") == 0;
		} else if (ch == 'N') {
			cc.no_store = 1;
		} else if (ch == 'H') {
			cc.history = 1;
		} else if (ch > 0 && (size_t)ch < sizeof(names) / sizeof(names[0]) &&
		           names[ch] != NULL) {
			if (check_set(&cc, names[ch], optarg, err, sizeof(err)) < 0) {
				const struct option *opt = opts;

				while (opt->name != NULL && opt->val != ch)
					opt++;
				return cli_usage_error("check", "--%s: %s", opt->name, err);
			}
		} else {
			return cli_usage_error("check", "unknown option");
		}
	}
	check_domains(c, argc - optind, argv + optind, &domains, &n, &list);
	if (n == 0) {
		free(domains);
		free(list);
		return cli_usage_error("check", "name a DOMAIN, or set [check] domains");
	}
	if (cc.history) {
		rc = check_print_history(c, domains, n, cc.json);
		goto out;
	}
	if (!cc.no_store && store_open(c->db_path, STORE_READWRITE, &st, err, sizeof(err)) < 0) {
		log_error("%s (--no-store checks without keeping the results)", err);
		goto out;
	}
	memset(&dopts, 0, sizeof(dopts));
	dopts.resolver = cc.resolver;
	dopts.trust_anchor = cc.trust_anchor;
	dopts.timeout_ms = cc.o.timeout_ms;
	if (dns_open(&dopts, &dns, err, sizeof(err)) < 0) {
		log_error("%s", err);
		goto out;
	}
	cc.o.now = (int64_t)time(NULL);
	cd = xmalloc(sizeof(*cd));
	if (cc.json)
		check_json_begin(stdout, cc.o.now);
	progress_init(&prog, "domains checked", n, c->quiet);
	for (i = 0; i < n; i++) {
		int k;

		log_verbose("checking %s", domains[i]);
		check_domain_run(dns, &cc.o, domains[i], cd);
		/* a run that could not look (DNS did not answer) says nothing
		 * about what is published: not kept */
		if (st != NULL && !cd->could_not_check &&
		    check_history_store(st, cd, cc.o.now, err, sizeof(err)) < 0) {
			log_error("%s", err);
			rc = EXIT_FAILURE_OP;
			goto out;
		}
		if (cc.json)
			check_json_domain(stdout, cd, i == 0);
		else
			check_render_text(cd, c->quiet, stdout);
		unknown |= cd->could_not_check;
		for (k = 0; k < cd->n; k++)
			if ((int)cd->f[k].status > worst)
				worst = (int)cd->f[k].status;
		progress_step(&prog);
	}
	progress_end(&prog);
	if (cc.json)
		check_json_end(stdout);
	rc = unknown ? EXIT_FAILURE_OP : worst == CHECK_OK ? EXIT_OK : EXIT_ATTENTION;
out:
	store_close(st);
	free(cd);
	dns_close(dns);
	free(domains);
	free(list);
	return rc;
}
