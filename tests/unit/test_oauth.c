/* Unit tests for the [oauth] checks and advice (collector/oauth_config.c)
 * and the token cache (collector/oauth_cache.c). Table-driven. The token
 * flows themselves run against a real endpoint and Dovecot in
 * tests/integration/imap_oauth.sh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "unit_tmpdir.h"
#include "config.h"
#include "imap.h"
#include "limits.h"
#include "oauth.h"
#include "oauth_impl.h"

static struct config *parse(const char *ini)
{
	struct config *cfg = NULL;
	char err[ERR_LINE_MAX];

	if (config_parse_text(ini, strlen(ini), "t.conf", &cfg, err, sizeof(err)) < 0)
		fail_msg("config: %s", err);
	return cfg;
}

/* --- [oauth] */

struct config_case {
	const char *ini;
	const char *err; /* NULL: loads */
	const char *url; /* the token URL it picks */
	const char *scope;
	enum oauth_flow flow;
};

#define MS "[oauth]\ntenant=example.com\nclient_id=app\n"
#define OL "https://login.microsoftonline.com/example.com/oauth2/v2.0/token"

static const struct config_case config_cases[] = {
    {MS "client_secret_file=/s\n", NULL, OL, "https://outlook.office365.com/.default",
     OAUTH_FLOW_SECRET},
    {MS "certificate_file=/c\nprivate_key_file=/k\n", NULL, OL,
     "https://outlook.office365.com/.default", OAUTH_FLOW_CERTIFICATE},
    {MS "refresh_token_file=/r\n", NULL, OL,
     "https://outlook.office.com/IMAP.AccessAsUser.All offline_access", OAUTH_FLOW_REFRESH},
    {MS "certificate_file=/c\n", "needs private_key_file", NULL, NULL, 0},
    {MS, "set client_secret_file", NULL, NULL, 0},
    {"[oauth]\nclient_id=app\nclient_secret_file=/s\n", "tenant", NULL, NULL, 0},
    {"[oauth]\ntenant=a/b\nclient_id=app\nclient_secret_file=/s\n", "tenant", NULL, NULL, 0},
    {"[oauth]\ntenant=t\nclient_secret_file=/s\n", "client_id is not set", NULL, NULL, 0},
    {"[oauth]\nprovider=google\nprivate_key_file=/k.json\n", NULL,
     "https://oauth2.googleapis.com/token", "https://mail.google.com/", OAUTH_FLOW_SERVICE_ACCOUNT},
    {"[oauth]\nprovider=generic\nclient_id=c\nrefresh_token_file=/r\n", "token_url", NULL, NULL, 0},
    {"[oauth]\nprovider=generic\nclient_id=c\nrefresh_token_file=/r\n"
     "token_url=http://idp/token\n",
     "not an https:// URL", NULL, NULL, 0},
    {"[oauth]\nprovider=generic\nclient_id=c\nrefresh_token_file=/r\n"
     "token_url=https://idp/token\n",
     NULL, "https://idp/token", "", OAUTH_FLOW_REFRESH},
    {MS "client_secret_file=/s\ntoken_url=https://login.microsoftonline.us/t/token\n"
        "scope=x\n",
     NULL, "https://login.microsoftonline.us/t/token", "x", OAUTH_FLOW_SECRET},
    {"[oauth]\nprovider=yahoo\n", "not microsoft, google or generic", NULL, NULL, 0},
    /* a tenant goes into URLs even when token_url is given */
    {"[oauth]\ntenant=x/../y\nclient_id=c\nclient_secret_file=/s\ntoken_url=https://i/t\n",
     "tenant", NULL, NULL, 0},
    {MS "refresh_token_file=/r\ndevice_url=http://x/\n", "device_url", NULL, NULL, 0},
};

static void test_config_table(void **state)
{
	struct oauth_config oc;
	struct config *cfg;
	char err[ERR_LINE_MAX];
	size_t i;
	int r;

	(void)state;
	for (i = 0; i < sizeof(config_cases) / sizeof(config_cases[0]); i++) {
		const struct config_case *c = &config_cases[i];

		cfg = parse(c->ini);
		err[0] = '\0';
		r = oauth_config_load(cfg, "/var/lib/tlswatch/t.db", "box@example.com", &oc, err,
		                      sizeof(err));
		if (c->err == NULL && r != 0)
			fail_msg("case %zu: got '%s', want it to load", i, err);
		if (c->err != NULL && (r == 0 || strstr(err, c->err) == NULL))
			fail_msg("case %zu: got '%s', want '%s'", i, r == 0 ? "loaded" : err,
			         c->err);
		if (c->err == NULL) {
			assert_string_equal(oc.token_url, c->url);
			assert_string_equal(oc.scope, c->scope);
			assert_int_equal(oc.flow, c->flow);
			assert_string_equal(oc.user, "box@example.com");
			assert_string_equal(oc.cache_file, "/var/lib/tlswatch/oauth-token.cache");
			if (strcmp(c->url, OL) == 0)
				assert_string_equal(oc.device_url,
				                    "https://login.microsoftonline.com/"
				                    "example.com/oauth2/v2.0/devicecode");
		}
		config_free(cfg);
	}
}

/* auth = xoauth2 with [oauth] needs no password, and refuses one */
static void test_imap_without_password(void **state)
{
	struct imap_config ic;
	struct config *cfg;
	char err[ERR_LINE_MAX];

	(void)state;
	cfg = parse("[imap]\nhost=h\nuser=u\nauth=xoauth2\n" MS "client_secret_file=/s\n");
	assert_int_equal(imap_config_load(cfg, NULL, &ic, err, sizeof(err)), 0);
	assert_int_equal(oauth_configured(cfg), 1);
	config_free(cfg);
	cfg = parse("[imap]\nhost=h\nuser=u\nauth=xoauth2\npassword_file=/p\n" MS
	            "client_secret_file=/s\n");
	assert_int_equal(imap_config_load(cfg, NULL, &ic, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "leave password_file and password_command unset"));
	config_free(cfg);
	/* auth = login still needs its password, [oauth] or not */
	cfg = parse("[imap]\nhost=h\nuser=u\n" MS "client_secret_file=/s\n");
	assert_int_equal(imap_config_load(cfg, NULL, &ic, err, sizeof(err)), -1);
	config_free(cfg);
}

/* --- advice for the endpoint's errors */

struct explain_case {
	const char *error, *description;
	enum oauth_flow flow;
	const char *want;
};

static const struct explain_case explain_cases[] = {
    {"invalid_client", "AADSTS7000215: Invalid client secret provided.\r\nTrace ID: 1",
     OAUTH_FLOW_SECRET, "AADSTS7000215 (invalid_client): invalid client secret"},
    {"invalid_client", "AADSTS7000222: The provided client secret keys are expired.",
     OAUTH_FLOW_SECRET, "secret has expired"},
    {"unauthorized_client", "AADSTS700016: Application with identifier 'x' was not found",
     OAUTH_FLOW_SECRET, "check client_id"},
    {"invalid_request", "AADSTS90002: Tenant 'x' not found.", OAUTH_FLOW_SECRET,
     "tenant not found"},
    {"invalid_client", "AADSTS700027: Client assertion failed signature validation.",
     OAUTH_FLOW_CERTIFICATE, "upload certificate_file"},
    {"invalid_grant", "AADSTS70008: The refresh token has expired", OAUTH_FLOW_REFRESH,
     "sign in again"},
    {"invalid_grant", "Token has been expired or revoked.", OAUTH_FLOW_REFRESH,
     "invalid_grant: the refresh token has expired or was revoked"},
    {"unauthorized_client", "Client is unauthorized", OAUTH_FLOW_SERVICE_ACCOUNT,
     "domain-wide delegation"},
    /* a code that is only a prefix of a known one is not that one */
    {"invalid_client", "AADSTS70000215: x", OAUTH_FLOW_SECRET, "invalid_client: the endpoint"},
    /* untrusted text is escaped */
    {"weird\x1b[2J", "line\none", OAUTH_FLOW_SECRET, "weird\\x1b[2J: line\\x0aone"},
    {NULL, NULL, OAUTH_FLOW_SECRET, "no error code: (no description)"},
};

static void test_explain_table(void **state)
{
	struct oauth_config oc;
	char out[512];
	size_t i;

	(void)state;
	memset(&oc, 0, sizeof(oc));
	oc.client_id = "app";
	for (i = 0; i < sizeof(explain_cases) / sizeof(explain_cases[0]); i++) {
		oc.flow = explain_cases[i].flow;
		oauth_explain(explain_cases[i].error, explain_cases[i].description, &oc, out,
		              sizeof(out));
		if (strstr(out, explain_cases[i].want) == NULL)
			fail_msg("case %zu: got '%s', want '%s'", i, out, explain_cases[i].want);
		if (strchr(out, '\n') != NULL || strchr(out, '\r') != NULL)
			fail_msg("case %zu: not one line: '%s'", i, out);
	}
}

/* --- the cache file */

static void test_cache_roundtrip(void **state)
{
	struct oauth_cached c, got;
	char path[256], err[ERR_LINE_MAX];
	struct stat sb;

	(void)state;
	snprintf(path, sizeof(path), "%s/cache", tmpdir);
	unlink(path);
	assert_int_equal(oauth_cache_read(path, "k1", &got, err, sizeof(err)), 1);
	memset(&c, 0, sizeof(c));
	c.access = strdup("access-token-1");
	c.refresh = strdup("refresh-token-1");
	c.use_until = 1700000000;
	memcpy(c.seed, "abc", 4);
	assert_int_equal(oauth_cache_write(path, "k1", &c, err, sizeof(err)), 0);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(oauth_cache_read(path, "k1", &got, err, sizeof(err)), 0);
	assert_string_equal(got.access, "access-token-1");
	assert_string_equal(got.refresh, "refresh-token-1");
	assert_string_equal(got.seed, "abc");
	assert_int_equal(got.use_until, 1700000000);
	oauth_cached_clear(&got);
	/* another configuration's cache is not used */
	assert_int_equal(oauth_cache_read(path, "k2", &got, err, sizeof(err)), 1);
	oauth_cached_clear(&got);
	/* readable by others: refused, not silently used */
	chmod(path, 0644);
	assert_int_equal(oauth_cache_read(path, "k1", &got, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "mode 644"));
	/* damaged: started over */
	write_file("cache", "garbage\n", 8, 0600);
	assert_int_equal(oauth_cache_read(path, "k1", &got, err, sizeof(err)), 1);
	oauth_cached_clear(&got);
	oauth_cached_clear(&c);
}

/* secret files: first line, private, within the cap */
static void test_private_file(void **state)
{
	char *out = NULL, err[ERR_LINE_MAX];
	const char *path;
	size_t len;

	(void)state;
	path = write_file("s", "secret\r\nsecond\n", 15, 0600);
	assert_int_equal(oauth_file_read_private(path, "client_secret_file", 64, 1, &out, &len, err,
	                                         sizeof(err)),
	                 0);
	assert_string_equal(out, "secret");
	assert_int_equal(len, 6);
	oauth_token_free(out);
	path = write_file("s", "\nsecret\n", 8, 0600);
	assert_int_equal(oauth_file_read_private(path, "client_secret_file", 64, 1, &out, &len, err,
	                                         sizeof(err)),
	                 -1);
	assert_non_null(strstr(err, "first line is empty"));
	path = write_file("s", "0123456789", 10, 0600);
	assert_int_equal(
	    oauth_file_read_private(path, "private_key_file", 4, 0, &out, &len, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "longer than 4 bytes"));
	path = write_file("s", "secret\n", 7, 0640);
	assert_int_equal(oauth_file_read_private(path, "client_secret_file", 64, 1, &out, &len, err,
	                                         sizeof(err)),
	                 -1);
	assert_non_null(strstr(err, "client_secret_file"));
	assert_null(strstr(err, "secret\n"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_config_table),  cmocka_unit_test(test_imap_without_password),
	    cmocka_unit_test(test_explain_table), cmocka_unit_test(test_cache_roundtrip),
	    cmocka_unit_test(test_private_file),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
