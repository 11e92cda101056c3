/*
 * cmd_auth.c - "tlswatch auth login": a one-time sign-in (the OAuth device
 * flow) whose refresh token later runs of 'collect' use ([oauth]
 * refresh_token_file). Arguments are the operator's; what the identity
 * provider sends is shown escaped.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "graph.h"
#include "limits.h"
#include "log.h"
#include "oauth.h"

static void auth_usage(FILE *f)
{
	fprintf(f, "usage: tlswatch auth login [--browser]\n"
	           "\n"
	           "Sign in once for the refresh-token flow of the [oauth] section: prints a\n"
	           "URL and a code, waits while someone opens the URL in any browser, enters\n"
	           "the code and signs in as the mailbox's user (or gives consent), then\n"
	           "writes the refresh token to refresh_token_file (mode 0600). Later runs\n"
	           "of 'tlswatch collect' use it, and keep the tokens the provider rotates.\n"
	           "Needs provider, client_id, refresh_token_file and, for provider =\n"
	           "generic, token_url and device_url. See docs/mailbox-m365.md.\n"
	           "\n"
	           "  --browser    consent in a browser instead (the authorization code flow\n"
	           "               with PKCE; the default for provider = google, whose device\n"
	           "               flow does not grant Gmail's scope): open the URL shown,\n"
	           "               allow access, then paste the address the browser ends on\n"
	           "               (it fails to load: nothing needs to answer there). Needs\n"
	           "               auth_url for provider = generic. See docs/mailbox-google.md.\n"
	           "\n"
	           "Exit status: 0 signed in and stored, 2 error (declined, expired, the\n"
	           "configuration or the endpoint).\n");
}

static void auth_prompt(void *arg, const char *uri, const char *code)
{
	(void)arg;
	printf("To sign in, open %s in a browser and enter the code %s\n", uri, code);
	fflush(stdout);
}

/* Shows the consent URL and reads the address the browser ended on. */
static int auth_ask(void *arg, const char *url, char *buf, size_t buflen)
{
	(void)arg;
	printf("To sign in, open this URL in a browser, sign in as the mailbox's user and allow "
	       "access:\n\n%s\n\nThe browser then fails to open http://127.0.0.1:9/...; paste "
	       "that whole address here:\n",
	       url);
	fflush(stdout);
	return fgets(buf, (int)buflen, stdin) != NULL ? 0 : -1;
}

int cmd_auth(struct cli *c, int argc, char **argv)
{
	struct oauth_config oc;
	struct graph_config gc;
	char err[ERR_LINE_MAX];
	const char *user = config_get(c->cfg, "imap", "user");
	int browser = argc == 3 && strcmp(argv[2], "--browser") == 0, rc;

	if (argc >= 2 && cli_is_help(argv[1])) {
		auth_usage(stdout);
		return EXIT_OK;
	}
	if ((argc != 2 && !browser) || strcmp(argv[1], "login") != 0) {
		if (argc >= 3 && cli_is_help(argv[2])) {
			auth_usage(stdout);
			return EXIT_OK;
		}
		auth_usage(stderr);
		return EXIT_FAILURE_OP;
	}
	if (!oauth_configured(c->cfg)) {
		log_error("auth: the configuration has no [oauth] section (see tlswatch.conf(5))");
		return EXIT_FAILURE_OP;
	}
	/* with [graph], the token is for Graph */
	if (graph_configured(c->cfg) &&
	    graph_config_load(c->cfg, NULL, &gc, err, sizeof(err)) < 0) {
		log_error("auth: %s", err);
		return EXIT_FAILURE_OP;
	}
	if (graph_configured(c->cfg))
		user = gc.mailbox;
	rc = oauth_config_load(c->cfg, c->db_path, user, &oc, err, sizeof(err));
	if (rc == 0 && graph_configured(c->cfg))
		rc = oauth_config_for_graph(c->cfg, gc.origin, &oc, err, sizeof(err));
	if (rc == 0)
		rc = browser || oc.provider == OAUTH_GOOGLE
		         ? oauth_browser_login(&oc, auth_ask, NULL, err, sizeof(err))
		         : oauth_device_login(&oc, auth_prompt, NULL, err, sizeof(err));
	if (rc < 0) {
		log_error("auth: %s", err);
		return EXIT_FAILURE_OP;
	}
	if (!c->quiet)
		printf("Signed in; the refresh token is in %s\n", oc.refresh_token_file);
	return EXIT_OK;
}
