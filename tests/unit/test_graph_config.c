/* Unit tests for the [graph] checks (collector/graph_config.c) and the
 * [oauth] keys Graph and national clouds use (collector/oauth_config.c).
 * Table-driven. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "config.h"
#include "graph.h"
#include "limits.h"
#include "oauth.h"

struct config_case {
	const char *ini;
	const char *err; /* NULL: loads */
};

#define BASE "[graph]\nmailbox=tlsrpt@example.org\nprocessed_folder=TLSRPT/processed\n"

static const struct config_case config_cases[] = {
    {BASE, NULL},
    {"[graph]\nprocessed_folder=p\n", "mailbox: set"},
    {"[graph]\nmailbox=a b@example.org\nprocessed_folder=p\n", "mailbox: set"},
    {"[graph]\nmailbox=a/../b@example.org\nprocessed_folder=p\n", "mailbox: set"},
    {"[graph]\nmailbox=a@example.org\n", "processed_folder is not set"},
    {BASE "folder=TLSRPT/processed\n", "cannot also be"},
    {BASE "invalid_folder=INBOX\n", "cannot also be"},
    {BASE "timeout=0\n", "not 1..3600"},
    {BASE "endpoint=http://graph.microsoft.com/v1.0\n", "not an https:// URL"},
    {BASE "endpoint=https://\n", "not an https:// URL"},
    {BASE "endpoint=https://u@graph.example/v1.0\n", "not an https:// URL"},
    {BASE "endpoint=https://graph.example/v1.0?x=1\n", "not an https:// URL"},
    {BASE "endpoint=https://graph.microsoft.us/v1.0/\n", NULL},
};

static struct config *parse(const char *ini)
{
	struct config *cfg = NULL;
	char err[ERR_LINE_MAX];

	assert_int_equal(config_parse_text(ini, strlen(ini), "t.conf", &cfg, err, sizeof(err)), 0);
	return cfg;
}

static void test_config_table(void **state)
{
	struct graph_config gc;
	struct config *cfg;
	char err[ERR_LINE_MAX];
	size_t i;
	int r;

	(void)state;
	for (i = 0; i < sizeof(config_cases) / sizeof(config_cases[0]); i++) {
		cfg = parse(config_cases[i].ini);
		err[0] = '\0';
		r = graph_config_load(cfg, NULL, &gc, err, sizeof(err));
		if (config_cases[i].err == NULL && r != 0)
			fail_msg("case %zu: got '%s', want it to load", i, err);
		if (config_cases[i].err != NULL &&
		    (r == 0 || strstr(err, config_cases[i].err) == NULL))
			fail_msg("case %zu: got '%s', want '%s'", i, r == 0 ? "loaded" : err,
			         config_cases[i].err);
		config_free(cfg);
	}
}

static void test_config_defaults(void **state)
{
	struct graph_config gc;
	struct config *cfg;
	char err[ERR_LINE_MAX];

	(void)state;
	cfg = parse(BASE);
	assert_int_equal(graph_config_load(cfg, NULL, &gc, err, sizeof(err)), 0);
	assert_string_equal(gc.folder, "inbox");
	assert_string_equal(gc.invalid_folder, "TLSRPT/processed");
	assert_string_equal(gc.other_folder, "TLSRPT/processed");
	assert_string_equal(gc.base_url, "https://graph.microsoft.com/v1.0");
	assert_string_equal(gc.origin, "https://graph.microsoft.com/");
	assert_string_equal(gc.server, "graph.microsoft.com");
	assert_int_equal(gc.timeout, 60);
	assert_int_equal(graph_config_load(cfg, "Inbox/TLSRPT", &gc, err, sizeof(err)), 0);
	assert_string_equal(gc.folder, "Inbox/TLSRPT");
	config_free(cfg);
	cfg = parse(BASE "endpoint=https://localhost:8443/v1.0//\n");
	assert_int_equal(graph_config_load(cfg, NULL, &gc, err, sizeof(err)), 0);
	assert_string_equal(gc.base_url, "https://localhost:8443/v1.0");
	assert_string_equal(gc.origin, "https://localhost:8443/");
	assert_string_equal(gc.server, "localhost:8443");
	config_free(cfg);
}

/* [oauth] as Graph and national clouds use it: the scope, the token URL
 * from the authority, the assertion's algorithm. */
struct oauth_case {
	const char *ini;
	const char *graph; /* the Graph resource, or NULL: IMAP */
	const char *err;   /* NULL: loads */
	const char *token_url, *scope;
	int pss;
};

#define MS   "[oauth]\ntenant=t1\nclient_id=app\n"
#define CERT "certificate_file=/c\nprivate_key_file=/k\n"

static const struct oauth_case oauth_cases[] = {
    {MS "client_secret_file=/s\n", "https://graph.microsoft.com/", NULL,
     "https://login.microsoftonline.com/t1/oauth2/v2.0/token",
     "https://graph.microsoft.com/.default", 1},
    {MS "refresh_token_file=/r\n", "https://graph.microsoft.com/", NULL, NULL,
     "https://graph.microsoft.com/Mail.ReadWrite offline_access", 1},
    {MS "client_secret_file=/s\nscope=x\n", "https://graph.microsoft.com/", NULL, NULL, "x", 1},
    {MS "client_secret_file=/s\n", NULL, NULL, NULL, "https://outlook.office365.com/.default", 1},
    {MS CERT "authority=https://login.microsoftonline.us/\n", "https://graph.microsoft.us/", NULL,
     "https://login.microsoftonline.us/t1/oauth2/v2.0/token", "https://graph.microsoft.us/.default",
     1},
    {MS CERT "assertion_alg=RS256\n", NULL, NULL, NULL, NULL, 0},
    {MS CERT "assertion_alg=ps256\n", NULL, NULL, NULL, NULL, 1},
    {MS CERT "assertion_alg=ES256\n", NULL, "neither PS256 nor RS256", NULL, NULL, 0},
    {MS CERT "authority=http://login.microsoftonline.us\n", NULL, "not https://HOST", NULL, NULL,
     0},
    {MS CERT "authority=https://login.microsoftonline.us/x\n", NULL, "not https://HOST", NULL, NULL,
     0},
    {"[oauth]\nprovider=generic\nclient_id=a\n" CERT "token_url=https://t/\n", NULL, NULL, NULL,
     NULL, 0},
    {"[oauth]\nprovider=generic\nclient_id=a\n" CERT "token_url=https://t/\nauthority=https://a\n",
     NULL, "only for provider = microsoft", NULL, NULL, 0},
    {"[oauth]\nprovider=google\nprivate_key_file=/k\n", NULL, NULL, NULL, NULL, 0},
    {"[oauth]\nprovider=google\nprivate_key_file=/k\nassertion_alg=PS256\n", NULL,
     "sign with RS256", NULL, NULL, 0},
    {"[oauth]\nprovider=google\nprivate_key_file=/k\n", "https://graph.microsoft.com/",
     "Microsoft Graph takes tokens from provider = microsoft", NULL, NULL, 0},
};

static void test_oauth_table(void **state)
{
	const struct oauth_case *c;
	struct oauth_config oc;
	struct config *cfg;
	char err[ERR_LINE_MAX];
	size_t i;
	int r;

	(void)state;
	for (i = 0; i < sizeof(oauth_cases) / sizeof(oauth_cases[0]); i++) {
		c = &oauth_cases[i];
		cfg = parse(c->ini);
		err[0] = '\0';
		r = oauth_config_load(cfg, "/var/lib/tlswatch/t.db", "u@example.org", &oc, err,
		                      sizeof(err));
		if (r == 0 && c->graph != NULL)
			r = oauth_config_for_graph(cfg, c->graph, &oc, err, sizeof(err));
		if (c->err == NULL && r != 0)
			fail_msg("case %zu: got '%s', want it to load", i, err);
		if (c->err != NULL && (r == 0 || strstr(err, c->err) == NULL))
			fail_msg("case %zu: got '%s', want '%s'", i, r == 0 ? "loaded" : err,
			         c->err);
		if (c->err == NULL && c->token_url != NULL && strcmp(oc.token_url, c->token_url))
			fail_msg("case %zu: token_url '%s', want '%s'", i, oc.token_url,
			         c->token_url);
		if (c->err == NULL && c->scope != NULL && strcmp(oc.scope, c->scope) != 0)
			fail_msg("case %zu: scope '%s', want '%s'", i, oc.scope, c->scope);
		if (c->err == NULL && oc.assertion_pss != c->pss)
			fail_msg("case %zu: assertion_pss %d, want %d", i, oc.assertion_pss,
			         c->pss);
		config_free(cfg);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_config_table),
	    cmocka_unit_test(test_config_defaults),
	    cmocka_unit_test(test_oauth_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
