/* Unit tests for Graph's JSON answers (collector/graph_json.c): a page of a
 * collection, an object's id, an error object, and the checks on ids and
 * links before they go into a URL. Table-driven; the inputs are hostile. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "graph_impl.h"
#include "limits.h"

struct page_case {
	const char *json;
	int rc;
	const char *ids;  /* "id|name,id|name," as seen by the callback */
	const char *next; /* NULL: none */
};

static const struct page_case page_cases[] = {
    {"{\"@odata.context\": \"x\", \"value\": [{\"@odata.etag\": \"W/1\", \"id\": \"AAMk=\"}, "
     "{\"id\": \"B\", \"displayName\": \"Inbox\"}], \"@odata.nextLink\": "
     "\"https://graph.microsoft.com/v1.0/users/u/messages?$skip=2\"}",
     0, "AAMk=|-,B|Inbox,", "https://graph.microsoft.com/v1.0/users/u/messages?$skip=2"},
    {"{\"value\": []}", 0, "", NULL},
    {"{\"value\": {}}", -1, "", NULL},
    {"{}", -1, "", NULL},
    {"[]", -1, "", NULL},
    {"{\"value\": [{\"id\": 5}]}", -1, "", NULL},
    {"{\"value\": [{}]}", -1, "", NULL},
    {"{\"value\": [], \"@odata.nextLink\": 3}", -1, "", NULL},
    {"{\"value\": [{\"id\": \"AAMk", -1, "", NULL},
    {"{\"value\": [[[[[[[[[[[]]]]]]]]]]]}", -1, "", NULL},
    {"{\"value\": [], \"x\": \"[[[[[[[[[[[[[[[[\"}", 0, "", NULL},
    {"", -1, "", NULL},
    {"<html>502</html>", -1, "", NULL},
};

static int collect_each(void *arg, const char *id, const char *name)
{
	char *buf = arg;
	size_t n = strlen(buf);

	snprintf(buf + n, 512 - n, "%s|%s,", id, name != NULL ? name : "-");
	return 0;
}

static void test_page_table(void **state)
{
	char seen[512], err[ERR_LINE_MAX], *next;
	size_t i;
	int r;

	(void)state;
	for (i = 0; i < sizeof(page_cases) / sizeof(page_cases[0]); i++) {
		const struct page_case *c = &page_cases[i];

		seen[0] = '\0';
		next = NULL;
		r = graph_json_page(c->json, strlen(c->json), collect_each, seen, &next, err,
		                    sizeof(err));
		if (r != c->rc)
			fail_msg("case %zu: got %d (%s), want %d", i, r, r < 0 ? err : "", c->rc);
		if (r == 0 && strcmp(seen, c->ids) != 0)
			fail_msg("case %zu: elements '%s', want '%s'", i, seen, c->ids);
		if (r == 0 &&
		    (c->next == NULL ? next != NULL : next == NULL || strcmp(next, c->next) != 0))
			fail_msg("case %zu: next '%s', want '%s'", i, next ? next : "(none)",
			         c->next ? c->next : "(none)");
		free(next);
	}
}

static int refuse_each(void *arg, const char *id, const char *name)
{
	(void)arg;
	(void)id;
	(void)name;
	return -1;
}

static void test_page_refused(void **state)
{
	const char *json = "{\"value\": [{\"id\": \"a\"}]}";
	char err[ERR_LINE_MAX], *next = NULL;

	(void)state;
	assert_int_equal(
	    graph_json_page(json, strlen(json), refuse_each, NULL, &next, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "refused"));
	assert_null(next);
}

static void test_id_and_error(void **state)
{
	const char *created = "{\"id\": \"AQMkF1\", \"displayName\": \"p\"}";
	const char *e = "{\"error\": {\"code\": \"ErrorAccessDenied\", \"message\": "
	                "\"Access is denied.\\u001b[31m\"}}";
	char err[ERR_LINE_MAX], code[64], msg[256], *id = NULL;

	(void)state;
	assert_int_equal(graph_json_id(created, strlen(created), &id, err, sizeof(err)), 0);
	assert_string_equal(id, "AQMkF1");
	free(id);
	id = NULL;
	assert_int_equal(graph_json_id("{}", 2, &id, err, sizeof(err)), -1);
	assert_null(id);
	graph_json_error(e, strlen(e), code, sizeof(code), msg, sizeof(msg));
	assert_string_equal(code, "ErrorAccessDenied");
	/* the server's text is escaped for a terminal */
	assert_null(strchr(msg, '\x1b'));
	assert_non_null(strstr(msg, "Access is denied."));
	graph_json_error("not json", 8, code, sizeof(code), msg, sizeof(msg));
	assert_string_equal(code, "");
	assert_string_equal(msg, "");
}

static void test_id_and_link_ok(void **state)
{
	static const struct {
		const char *s;
		int id_ok, link_ok;
	} cases[] = {
	    {"AAMkADk00001-x_yAAA=", 1, 0},
	    {"", 0, 0},
	    {"a b", 0, 0},
	    {"a\nb", 0, 0},
	    {"caf\xc3\xa9", 0, 0},
	    {"https://graph.microsoft.com/v1.0/users/u/messages?$skip=10", 1, 1},
	    {"https://graph.microsoft.com.evil.example/v1.0", 1, 0},
	    {"https://graph.microsoft.com@evil.example/v1.0", 1, 0},
	    {"http://graph.microsoft.com/v1.0", 1, 0},
	    {"https://graph.microsoft.com/v1.0/users/u/messages?$skip=10 x", 0, 0},
	};
	char big[LIMIT_GRAPH_LINK_BYTES + 64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (graph_id_ok(cases[i].s) != cases[i].id_ok)
			fail_msg("case %zu: id_ok %d, want %d", i, !cases[i].id_ok, cases[i].id_ok);
		if (graph_link_ok(cases[i].s, "https://graph.microsoft.com/") != cases[i].link_ok)
			fail_msg("case %zu: link_ok %d, want %d", i, !cases[i].link_ok,
			         cases[i].link_ok);
	}
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(graph_id_ok(big), 0);
	memcpy(big, "https://graph.microsoft.com/", 28);
	assert_int_equal(graph_link_ok(big, "https://graph.microsoft.com/"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_page_table),
	    cmocka_unit_test(test_page_refused),
	    cmocka_unit_test(test_id_and_error),
	    cmocka_unit_test(test_id_and_link_ok),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
